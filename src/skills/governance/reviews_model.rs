//! What the access review skills share: review series, instances, decisions and reviewers as
//! Graph returns them; finding a review by name or id and the instance a question is about;
//! and a review's scope and reviewers in plain words.
//!
//! A review's name often carries its quarter ("Finance Microsoft 365 Groups Q2"), which an
//! admin leaves out, so a name that matches no review exactly may match the start of exactly
//! one name (or, failing that, part of one).

use std::collections::HashMap;

use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::short_time;
use crate::shared::{guid, parse_guid, shorten, text};
use crate::skill::{Ctx, ErrorKind, SkillError};

pub const DEFINITIONS: &str = "/identityGovernance/accessReviews/definitions";

/// The properties of a series the skills read.
pub const DEFINITION_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "status",
    "descriptionForAdmins",
    "createdDateTime",
    "createdBy",
    "scope",
    "instanceEnumerationScope",
    "reviewers",
    "fallbackReviewers",
    "settings",
    "stageSettings",
];

pub const INSTANCE_FIELDS: &[&str] = &["id", "startDateTime", "endDateTime", "status"];

pub const DECISION_FIELDS: &[&str] = &[
    "id",
    "decision",
    "recommendation",
    "justification",
    "reviewedBy",
    "reviewedDateTime",
    "appliedDateTime",
    "applyResult",
    "principal",
    "resource",
];

/// Graph's empty identity, on a decision nobody made or applied yet.
const NOBODY: &str = "00000000-0000-0000-0000-000000000000";

/// Requests in flight at once when a skill reads many objects one by one.
pub const IN_FLIGHT: usize = 8;

/// Runs the reads, at most `IN_FLIGHT` at once, answers in order. (Collected first, so the
/// stream holds no closure and the skill's future stays `Send`.)
pub async fn at_most_eight<F: std::future::Future>(reads: Vec<F>) -> Vec<F::Output> {
    futures::stream::iter(reads).buffered(IN_FLIGHT).collect().await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Definition {
    pub id: String,
    pub display_name: Option<String>,
    pub status: Option<String>,
    pub description_for_admins: Option<String>,
    pub created_date_time: Option<String>,
    pub created_by: Option<Identity>,
    pub scope: Option<QueryScope>,
    pub instance_enumeration_scope: Option<QueryScope>,
    pub reviewers: Vec<ReviewerScope>,
    pub fallback_reviewers: Vec<ReviewerScope>,
    pub settings: Option<Settings>,
    pub stage_settings: Vec<StageSetting>,
}

impl Definition {
    pub fn name(&self) -> String {
        self.display_name.clone().unwrap_or_else(|| self.id.clone())
    }

    pub fn settings(&self) -> Settings {
        self.settings.clone().unwrap_or_default()
    }

    pub fn reference(&self) -> ReviewRef {
        ReviewRef { id: self.id.clone(), name: self.name() }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QueryScope {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub query: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReviewerScope {
    pub query: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub justification_required_on_approval: Option<bool>,
    pub default_decision_enabled: Option<bool>,
    pub default_decision: Option<String>,
    pub instance_duration_in_days: Option<i64>,
    pub auto_apply_decisions_enabled: Option<bool>,
    pub recommendations_enabled: Option<bool>,
    pub recommendation_look_back_duration: Option<String>,
    pub mail_notifications_enabled: Option<bool>,
    pub reminder_notifications_enabled: Option<bool>,
    pub recurrence: Option<Recurrence>,
}

impl Settings {
    /// The decision an item nobody reviewed takes when the instance ends, if any:
    /// `Approve`, `Deny` or `Recommendation`.
    pub fn default_decision(&self) -> Option<&str> {
        if self.default_decision_enabled != Some(true) {
            return None;
        }
        self.default_decision.as_deref().filter(|d| matches!(*d, "Approve" | "Deny" | "Recommendation"))
    }

    pub fn auto_apply(&self) -> bool {
        self.auto_apply_decisions_enabled == Some(true)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Recurrence {
    pub pattern: Option<Pattern>,
    pub range: Option<RecurrenceRange>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Pattern {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub interval: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RecurrenceRange {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub number_of_occurrences: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StageSetting {
    pub stage_id: Option<String>,
    pub duration_in_days: Option<i64>,
    pub reviewers: Vec<ReviewerScope>,
    pub decisions_that_will_move_to_next_stage: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Instance {
    pub id: String,
    pub start_date_time: Option<String>,
    pub end_date_time: Option<String>,
    pub status: Option<String>,
}

impl Instance {
    pub fn status(&self) -> &str {
        self.status.as_deref().unwrap_or("unknown")
    }

    pub fn reference(&self) -> InstanceRef {
        InstanceRef {
            id: self.id.clone(),
            status: self.status().to_string(),
            start: self.start_date_time.clone(),
            due: self.end_date_time.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Stage {
    pub id: String,
    pub start_date_time: Option<String>,
    pub end_date_time: Option<String>,
    pub status: Option<String>,
    pub reviewers: Vec<ReviewerScope>,
}

/// A user (or service principal) as an access review names it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Identity {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
}

impl Identity {
    /// Someone, rather than Graph's empty identity.
    pub fn is_someone(&self) -> bool {
        !self.id.is_empty() && self.id != NOBODY
    }

    pub fn name(&self) -> String {
        self.display_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| self.id.clone())
    }

    pub fn upn(&self) -> Option<String> {
        self.user_principal_name.clone().filter(|u| !u.is_empty())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DecisionItem {
    pub id: String,
    pub decision: Option<String>,
    pub recommendation: Option<String>,
    pub justification: Option<String>,
    pub reviewed_by: Option<Identity>,
    pub reviewed_date_time: Option<String>,
    pub applied_date_time: Option<String>,
    pub apply_result: Option<String>,
    pub principal: Option<Identity>,
    pub resource: Option<DecisionResource>,
}

impl DecisionItem {
    pub fn decision(&self) -> &str {
        self.decision.as_deref().unwrap_or("NotReviewed")
    }

    pub fn recommendation(&self) -> &str {
        self.recommendation.as_deref().unwrap_or("NoInfoAvailable")
    }

    /// The reviewer, when someone decided.
    pub fn reviewer(&self) -> Option<&Identity> {
        self.reviewed_by.as_ref().filter(|r| r.is_someone())
    }

    pub fn principal(&self) -> Identity {
        self.principal.clone().unwrap_or_default()
    }

    /// An approval of what the recommendation said to deny, or the other way round.
    pub fn against_recommendation(&self) -> bool {
        against(self.decision(), self.recommendation())
    }

    pub fn justification(&self) -> Option<String> {
        self.justification.clone().filter(|j| !j.trim().is_empty())
    }

    pub fn resource_name(&self) -> Option<String> {
        self.resource.as_ref().and_then(|r| r.display_name.clone())
    }
}

/// Whether a decision goes against a recommendation (`Approve`/`Deny` in Graph's spelling).
pub fn against(decision: &str, recommendation: &str) -> bool {
    matches!((decision, recommendation), ("Approve", "Deny") | ("Deny", "Approve"))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DecisionResource {
    pub id: Option<String>,
    pub display_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A reviewer an instance contacted (`accessReviewReviewer`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContactedReviewer {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// In answers

/// A review series named in an answer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReviewRef {
    pub id: String,
    pub name: String,
}

/// An instance named in an answer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InstanceRef {
    pub id: String,
    /// `InProgress`, `Completed`, `Applied`, `NotStarted`, … as Graph says.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// When the instance ends (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
}

impl InstanceRef {
    /// `InProgress, due 2026-12-17 05:42`.
    pub fn words(&self) -> String {
        match &self.due {
            Some(due) => format!("{}, ends {}", self.status, short_time(due)),
            None => self.status.clone(),
        }
    }
}

/// Graph's decision or recommendation in the answer's vocabulary.
pub fn decision_word(value: &str) -> &'static str {
    match value {
        "Approve" => "approve",
        "Deny" => "deny",
        "DontKnow" => "dont_know",
        "NoInfoAvailable" => "no_info",
        _ => "not_reviewed",
    }
}

// ---------------------------------------------------------------------------------------------
// Finding the review and its instance

/// The most review series read to match a name.
const SERIES_READ: usize = 500;

/// Finds a review series by id or name (exact, else the start of one name, else part of
/// one), reading `DEFINITION_FIELDS`.
pub async fn resolve_review(ctx: &Ctx, value: &str) -> Result<Definition, SkillError> {
    let value = text("review", value, 256)?;
    if let Some(id) = guid(&value) {
        let request = GraphRequest::get(path("/identityGovernance/accessReviews/definitions/{}", &[&id.to_string()]))
            .query(Query::new().select(DEFINITION_FIELDS));
        return ctx.graph.get::<Definition>(request).await.map_err(|e| {
            if e.kind == ErrorKind::NotFound {
                let mut missing = review_not_found(&format!("access review {id}"));
                missing.graph = e.graph;
                missing
            } else {
                e
            }
        });
    }
    let request =
        GraphRequest::get(DEFINITIONS).query(Query::new().select(DEFINITION_FIELDS).orderby("displayName").top(100));
    let series = ctx.graph.list::<Definition>(request, SERIES_READ).await?.items;
    let wanted = value.to_lowercase();
    let name = |d: &Definition| d.display_name.as_deref().unwrap_or_default().trim().to_lowercase();
    let tiers: [&dyn Fn(&Definition) -> bool; 3] =
        [&|d| name(d) == wanted, &|d| name(d).starts_with(&wanted), &|d| name(d).contains(&wanted)];
    for matches in tiers {
        let mut found: Vec<Definition> = series.iter().filter(|d| matches(d)).cloned().collect();
        match found.len() {
            0 => continue,
            1 => return Ok(found.remove(0)),
            n => {
                let candidates: Vec<String> = found
                    .iter()
                    .take(10)
                    .map(|d| format!("{} ({}, {})", d.name(), d.id, d.status.as_deref().unwrap_or("?")))
                    .collect();
                return Err(SkillError::new(
                    ErrorKind::Ambiguous,
                    format!("{n} access reviews match '{}': {}", shorten(&value), candidates.join("; ")),
                )
                .with_remedy("call again with the full name or the id of the one you mean as `review`"));
            }
        }
    }
    Err(review_not_found(&format!("access review named '{}'", shorten(&value))))
}

fn review_not_found(what: &str) -> SkillError {
    SkillError::not_found(what, "list_access_reviews")
        .with_remedy("give the review's name (its start is enough) or id as `review`; `list_access_reviews` lists them")
}

/// An instance's path below its series.
pub fn instance_path(definition: &str, instance: &str, below: &str) -> String {
    let base = path("/identityGovernance/accessReviews/definitions/{}/instances/{}", &[definition, instance]);
    if below.is_empty() { base } else { format!("{base}/{below}") }
}

/// A series' instances, optionally only those in one state.
pub async fn instances(ctx: &Ctx, definition: &str, status: Option<&'static str>) -> Result<Vec<Instance>, SkillError> {
    let query = Query::new().select(INSTANCE_FIELDS).filter_opt(status.map(|s| Expr::eq("status", s))).top(100);
    let request = GraphRequest::get(path("/identityGovernance/accessReviews/definitions/{}/instances", &[definition]))
        .query(query);
    Ok(ctx.graph.list::<Instance>(request, 200).await?.items)
}

/// Which instance a question is about when none is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// The one in progress (soonest due), else the latest.
    Current,
    /// The one in progress; none is an error.
    InProgress,
    /// The latest completed one whose decisions are not applied yet; none is an error.
    Completed,
}

/// The instance the question is about: the one named by id, or the one `want` picks.
pub async fn pick_instance(
    ctx: &Ctx,
    review: &Definition,
    given: Option<&str>,
    want: Want,
) -> Result<Instance, SkillError> {
    if let Some(given) = given {
        let id = parse_guid("instance", given)?.to_string();
        let request = GraphRequest::get(instance_path(&review.id, &id, "")).query(Query::new().select(INSTANCE_FIELDS));
        return ctx.graph.get::<Instance>(request).await.map_err(|e| {
            if e.kind == ErrorKind::NotFound {
                SkillError::not_found(format!("instance {id} of '{}'", review.name()), "get_access_review")
            } else {
                e
            }
        });
    }
    let all = instances(ctx, &review.id, None).await?;
    let chosen = match want {
        Want::Current => current(&all).cloned(),
        Want::InProgress => in_progress(&all).cloned(),
        Want::Completed => all
            .iter()
            .filter(|i| i.status() == "Completed")
            .max_by(|a, b| a.start_date_time.cmp(&b.start_date_time))
            .cloned(),
    };
    chosen.ok_or_else(|| {
        let (what, remedy) = match want {
            Want::Completed => (
                "completed instance whose decisions wait to be applied",
                "stop the instance in progress first (`action: stop`), or check `get_access_review`: an applied instance needs nothing more",
            ),
            _ => ("instance in progress", "check `get_access_review` for the review's instances and when the next one starts"),
        };
        let status = review.status.as_deref().unwrap_or("unknown");
        SkillError::new(ErrorKind::NotFound, format!("'{}' ({status}) has no {what}", review.name())).with_remedy(remedy)
    })
}

/// The instance in progress that ends soonest.
pub fn in_progress(instances: &[Instance]) -> Option<&Instance> {
    instances.iter().filter(|i| i.status() == "InProgress").min_by(|a, b| a.end_date_time.cmp(&b.end_date_time))
}

/// The instance in progress, else the one that started last.
pub fn current(instances: &[Instance]) -> Option<&Instance> {
    in_progress(instances).or_else(|| instances.iter().max_by(|a, b| a.start_date_time.cmp(&b.start_date_time)))
}

/// Every decision of an instance (at most `cap`), optionally only one kind.
pub async fn decisions(
    ctx: &Ctx,
    definition: &str,
    instance: &str,
    decision: Option<&'static str>,
    cap: usize,
) -> Result<crate::graph::Page<DecisionItem>, SkillError> {
    let query = Query::new().select(DECISION_FIELDS).filter_opt(decision.map(|d| Expr::eq("decision", d))).top(100);
    let request = GraphRequest::get(instance_path(definition, instance, "decisions")).query(query);
    ctx.graph.list::<DecisionItem>(request, cap).await
}

/// The reviewers an instance contacted.
pub async fn contacted(ctx: &Ctx, definition: &str, instance: &str) -> Result<Vec<ContactedReviewer>, SkillError> {
    let request = GraphRequest::get(instance_path(definition, instance, "contactedReviewers"))
        .query(Query::new().select(&["id", "displayName", "userPrincipalName"]).top(100));
    Ok(ctx.graph.list::<ContactedReviewer>(request, 500).await?.items)
}

// ---------------------------------------------------------------------------------------------
// Scope and reviewers in plain words

/// What a review covers, read from its scope queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeKind {
    GroupMembers(String),
    GroupGuests(String),
    AppUsers(String),
    RoleHolders(String),
    GuestsInMicrosoft365Groups,
    MembersOfMicrosoft365Groups,
    Other(String),
}

impl ScopeKind {
    /// `group`, `app`, `role`, `guests`, `other`.
    pub fn word(&self) -> &'static str {
        match self {
            ScopeKind::GroupMembers(_) | ScopeKind::MembersOfMicrosoft365Groups => "group",
            ScopeKind::GroupGuests(_) | ScopeKind::GuestsInMicrosoft365Groups => "guests",
            ScopeKind::AppUsers(_) => "app",
            ScopeKind::RoleHolders(_) => "role",
            ScopeKind::Other(_) => "other",
        }
    }
}

/// The id after `/{collection}/` in a query.
fn id_after(query: &str, collection: &str) -> Option<String> {
    let rest = query.split(collection).nth(1)?;
    let id: String = rest.chars().take_while(|c| c.is_ascii_hexdigit() || *c == '-').collect();
    guid(&id).map(|g| g.to_string())
}

pub fn scope_kind(review: &Definition) -> ScopeKind {
    let query = review.scope.as_ref().and_then(|s| s.query.clone()).unwrap_or_default();
    let enumeration = review.instance_enumeration_scope.as_ref().and_then(|s| s.query.clone()).unwrap_or_default();
    let guests = query.contains("userType eq 'Guest'");
    if let Some(group) = id_after(&query, "/groups/") {
        return if guests { ScopeKind::GroupGuests(group) } else { ScopeKind::GroupMembers(group) };
    }
    if query.starts_with("./members") && enumeration.contains("Unified") {
        return if guests { ScopeKind::GuestsInMicrosoft365Groups } else { ScopeKind::MembersOfMicrosoft365Groups };
    }
    if let Some(app) = id_after(&query, "/servicePrincipals/") {
        return ScopeKind::AppUsers(app);
    }
    if query.contains("/roleManagement/directory/")
        && let Some(role) = query.split("roleDefinitionId eq '").nth(1).and_then(|r| r.split('\'').next())
    {
        return ScopeKind::RoleHolders(role.to_string());
    }
    ScopeKind::Other(query)
}

/// The display name of a group, service principal or role definition, when it can be read.
async fn object_name(ctx: &Ctx, collection: &'static str, id: &str) -> Option<String> {
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "camelCase", default)]
    struct Named {
        display_name: Option<String>,
    }
    let request = GraphRequest::get(format!("{collection}/{}", crate::graph::segment(id)))
        .query(Query::new().select(&["id", "displayName"]));
    ctx.graph.get::<Named>(request).await.ok().and_then(|n| n.display_name)
}

/// A review's scope in plain words, with the object under review named.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScopeWords {
    /// `group`, `app`, `role`, `guests` or `other`.
    pub kind: String,
    /// What the review covers, in words.
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

pub async fn scope_words(ctx: &Ctx, review: &Definition) -> ScopeWords {
    let kind = scope_kind(review);
    let (collection, id) = match &kind {
        ScopeKind::GroupMembers(id) | ScopeKind::GroupGuests(id) => (Some("/groups"), Some(id.clone())),
        ScopeKind::AppUsers(id) => (Some("/servicePrincipals"), Some(id.clone())),
        ScopeKind::RoleHolders(id) => (Some("/roleManagement/directory/roleDefinitions"), Some(id.clone())),
        _ => (None, None),
    };
    let name = match (collection, &id) {
        (Some(collection), Some(id)) => object_name(ctx, collection, id).await,
        _ => None,
    };
    let called = name.clone().or_else(|| id.clone()).unwrap_or_default();
    let text = match &kind {
        ScopeKind::GroupMembers(_) => format!("members of the group {called}"),
        ScopeKind::GroupGuests(_) => format!("guests in the group {called}"),
        ScopeKind::AppUsers(_) => format!("users assigned to the app {called}"),
        ScopeKind::RoleHolders(_) => format!("users holding the role {called} (active or eligible)"),
        ScopeKind::GuestsInMicrosoft365Groups => "guests in every Microsoft 365 group (one instance per group)".into(),
        ScopeKind::MembersOfMicrosoft365Groups => {
            "members of every Microsoft 365 group (one instance per group)".into()
        }
        ScopeKind::Other(query) => format!("objects matching the query {}", crate::render::trim(query, 120)),
    };
    ScopeWords { kind: kind.word().to_string(), text, resource_id: id, resource: name }
}

/// One reviewer scope in plain words, with the user named when it is one user.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReviewerWords {
    /// Who reviews, in words ("owners of the reviewed group", "Alex Chen").
    pub who: String,
    /// The user's object id, when one user reviews.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
}

/// The user id a reviewer scope names directly (`/users/{id}`).
pub fn named_user(scope: &ReviewerScope) -> Option<String> {
    id_after(scope.query.as_deref()?, "/users/")
}

/// Reviewer scopes in words; users named directly are looked up (at most `IN_FLIGHT` at once).
pub async fn reviewer_words(ctx: &Ctx, scopes: &[ReviewerScope]) -> Vec<ReviewerWords> {
    let users: Vec<String> = scopes.iter().filter_map(named_user).collect();
    let names = user_names(ctx, &users).await;
    scopes
        .iter()
        .map(|scope| {
            let query = scope.query.as_deref().unwrap_or_default();
            if let Some(id) = named_user(scope) {
                let (name, upn) = names.get(&id).cloned().unwrap_or((None, None));
                return ReviewerWords { who: name.unwrap_or_else(|| id.clone()), id: Some(id), upn };
            }
            let who = match query {
                "./owners" => "owners of the reviewed group".to_string(),
                "./manager" => "each reviewed user's manager".to_string(),
                q if q.contains("/groups/") => {
                    format!("members of the group {}", id_after(q, "/groups/").unwrap_or_default())
                }
                "" => "self-review (each user reviews their own access)".to_string(),
                q => crate::render::trim(q, 120),
            };
            ReviewerWords { who, id: None, upn: None }
        })
        .collect()
}

/// Display name and UPN of users by id, read one by one (at most `IN_FLIGHT` at once); a user
/// that cannot be read is left out.
pub async fn user_names(ctx: &Ctx, ids: &[String]) -> HashMap<String, (Option<String>, Option<String>)> {
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "camelCase", default)]
    struct Person {
        id: String,
        display_name: Option<String>,
        user_principal_name: Option<String>,
    }
    let reads: Vec<_> = ids
        .iter()
        .map(|id| {
            let request = GraphRequest::get(path("/users/{}", &[id])).query(Query::new().select(&[
                "id",
                "displayName",
                "userPrincipalName",
            ]));
            ctx.graph.get::<Person>(request)
        })
        .collect();
    at_most_eight(reads)
        .await
        .into_iter()
        .filter_map(Result::ok)
        .map(|p| (p.id, (p.display_name, p.user_principal_name)))
        .collect()
}

/// `every 3 months from 2026-06-01, no end`, `one time, from 2026-11-22`.
pub fn recurrence_words(settings: &Settings) -> String {
    let Some(recurrence) = &settings.recurrence else { return "one time".into() };
    let range = recurrence.range.clone().unwrap_or_default();
    let from = range.start_date.map(|d| format!(", from {d}")).unwrap_or_default();
    let pattern = recurrence.pattern.as_ref().and_then(|p| {
        let interval = p.interval.unwrap_or(1).max(1);
        let unit = match p.kind.as_deref()? {
            "daily" => "day",
            "weekly" => "week",
            "absoluteMonthly" | "relativeMonthly" => "month",
            "absoluteYearly" | "relativeYearly" => "year",
            _ => return None,
        };
        Some(if interval == 1 { format!("every {unit}") } else { format!("every {interval} {unit}s") })
    });
    let Some(pattern) = pattern else { return format!("one time{from}") };
    let end = match (range.kind.as_deref(), range.end_date, range.number_of_occurrences) {
        (Some("endDate"), Some(end), _) => format!(", until {end}"),
        (Some("numbered"), _, Some(n)) if n > 0 => format!(", {n} times"),
        _ => ", no end".into(),
    };
    format!("{pattern}{from}{end}")
}
