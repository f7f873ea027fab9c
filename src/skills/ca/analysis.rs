//! The analysis `get_ca_coverage_gaps`, `find_ca_policy_conflicts` and `draft_ca_policy`
//! share: who each policy covers today (its users condition expanded through group
//! membership and active role holders, exclusions taken off), and how two policies compare —
//! whether one's scope lies inside the other's, whether they can meet the same sign-in, and
//! whether their controls are the same.
//!
//! Users are expanded against the directory as it stands (the [`Estate`]); apps and the other
//! conditions are compared as written, so "inside" means inside for every sign-in those
//! conditions can describe. Everything is read once, at most eight calls in flight.

use std::collections::{BTreeSet, HashMap};

use futures::FutureExt;
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::{
    ConditionSet, ConditionalAccessApplications, ConditionalAccessPolicy, ConditionalAccessUsers, PolicyState,
};
use crate::graph::{GraphRequest, Query, path};
use crate::skill::{Ctx, ErrorKind, SkillError};
use crate::what_if::app_entry_covers;

use super::intent::PolicyIntent;

/// Calls in flight at once.
pub const IN_FLIGHT: usize = 8;
/// The most users read (and so sized); a larger tenant is sized on these and says so.
const MAX_USERS: usize = 20_000;
/// The most members read of one group.
const MAX_MEMBERS: usize = 20_000;
/// Objects named per finding; the rest are counted.
pub const SHOWN: usize = 10;

/// Every platform Conditional Access knows, for "all platforms".
const PLATFORMS: &[&str] = &["android", "ios", "windows", "windowsphone", "macos", "linux"];

/// A user as the analysis needs them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Person {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub user_type: Option<String>,
    pub created_date_time: Option<String>,
    pub account_enabled: Option<bool>,
}

impl Person {
    pub fn guest(&self) -> bool {
        self.user_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("Guest"))
    }

    pub fn name(&self) -> String {
        self.display_name.clone().or_else(|| self.user_principal_name.clone()).unwrap_or_else(|| self.id.clone())
    }

    pub fn enabled(&self) -> bool {
        self.account_enabled != Some(false)
    }
}

/// An active role assignment.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Assignment {
    principal_id: String,
    role_definition_id: String,
}

/// Who is who in the tenant, as far as the policies ask: every user, the members of every
/// group a policy names, and the active holders of every role a policy names.
#[derive(Debug, Default)]
pub struct Estate {
    pub users: Vec<Person>,
    index: HashMap<String, usize>,
    /// Group id (lower case) → its users (indexes); `None` when the group could not be read
    /// (deleted, or not visible).
    groups: HashMap<String, Option<BTreeSet<usize>>>,
    /// Role template id (lower case) → its active holders.
    roles: HashMap<String, BTreeSet<usize>>,
    /// The user list was cut at [`MAX_USERS`].
    pub cut: bool,
}

#[derive(Debug, Deserialize)]
struct Member {
    id: String,
}

/// One group's members, as read.
type Members = (String, Result<Vec<Member>, SkillError>);

impl Estate {
    /// Reads the users, the role holders, and the members of every group the policies (and
    /// `extra_groups`) name. A section refused for permission becomes a note.
    pub async fn load(ctx: &Ctx, policies: &[ConditionalAccessPolicy], extra_groups: &[String]) -> Estate {
        Estate::load_with_roles(ctx, policies, extra_groups, &[]).await
    }

    /// [`Estate::load`], with the holders of `extra_roles` (template ids) read too.
    pub async fn load_with_roles(
        ctx: &Ctx,
        policies: &[ConditionalAccessPolicy],
        extra_groups: &[String],
        extra_roles: &[&str],
    ) -> Estate {
        let users_request = GraphRequest::get("/users").query(
            Query::new()
                .select(&["id", "displayName", "userPrincipalName", "userType", "createdDateTime", "accountEnabled"])
                .top(999),
        );
        let assignments_request = GraphRequest::get("/roleManagement/directory/roleAssignments")
            .query(Query::new().select(&["principalId", "roleDefinitionId"]));
        let (users, assignments) = tokio::join!(
            ctx.graph.list::<Person>(users_request, MAX_USERS),
            ctx.graph.list::<Assignment>(assignments_request, 5000)
        );
        let mut estate = Estate::default();
        match users {
            Ok(page) => {
                estate.cut = page.more;
                estate.users = page.items;
            }
            Err(e) => ctx.note(format!("users could not be read ({}): coverage is not sized", e.kind.as_str())),
        }
        if estate.cut {
            ctx.note(format!("only the first {MAX_USERS} users were read: coverage is sized on them"));
        }
        estate.index = estate.users.iter().enumerate().map(|(i, u)| (u.id.to_ascii_lowercase(), i)).collect();
        let assignments = ctx.optional("role holders", assignments.map(|p| p.items)).unwrap_or_default();

        let mut groups: BTreeSet<String> = extra_groups.iter().map(|g| g.to_ascii_lowercase()).collect();
        let mut roles: BTreeSet<String> = extra_roles.iter().map(|r| r.to_ascii_lowercase()).collect();
        for policy in policies {
            let users = policy.conditions().users.unwrap_or_default();
            groups.extend(users.include_groups.iter().chain(&users.exclude_groups).map(|g| g.to_ascii_lowercase()));
            roles.extend(users.include_roles.iter().chain(&users.exclude_roles).map(|r| r.to_ascii_lowercase()));
        }
        // Roles held through a (role-assignable) group: its members hold the role.
        for a in &assignments {
            if roles.contains(&a.role_definition_id.to_ascii_lowercase())
                && !estate.index.contains_key(&a.principal_id.to_ascii_lowercase())
            {
                groups.insert(a.principal_id.to_ascii_lowercase());
            }
        }
        // Which groups exist, in one call: a deleted group's members would be a 404, and
        // knowing it is gone is the finding (a policy that matches no one).
        let named: Vec<String> = groups.iter().filter(|g| uuid::Uuid::try_parse(g).is_ok()).cloned().collect();
        let existing = existing_groups(ctx, &named).await;
        if existing.is_none() {
            ctx.note("which of the policies' groups still exist could not be read: each was read as if it did");
        }
        for group in &named {
            if existing.as_ref().is_some_and(|e| !e.contains(group)) {
                estate.groups.insert(group.clone(), None);
            }
        }
        let reads: Vec<BoxFuture<'_, Members>> = named
            .iter()
            .filter(|g| existing.as_ref().is_none_or(|e| e.contains(*g)))
            .cloned()
            .map(|group| {
                async move {
                    let request = GraphRequest::get(format!(
                        "{}/transitiveMembers/microsoft.graph.user",
                        path("/groups/{}", &[&group])
                    ))
                    .query(Query::new().select(&["id"]).count().top(999))
                    .eventual();
                    let members = ctx.graph.list::<Member>(request, MAX_MEMBERS).await.map(|p| p.items);
                    (group, members)
                }
                .boxed()
            })
            .collect();
        let parts: Vec<Members> = stream::iter(reads).buffer_unordered(IN_FLIGHT).collect().await;
        let mut refused = 0;
        for part in parts {
            match part {
                (group, Ok(members)) => {
                    let set =
                        members.iter().filter_map(|m| estate.index.get(&m.id.to_ascii_lowercase()).copied()).collect();
                    estate.groups.insert(group, Some(set));
                }
                (group, Err(e)) => {
                    if e.kind != ErrorKind::NotFound {
                        refused += 1;
                    }
                    estate.groups.insert(group, None);
                }
            }
        }
        if refused > 0 {
            ctx.note(format!("the members of {refused} group(s) could not be read: they count as empty"));
        }
        for a in &assignments {
            let role = a.role_definition_id.to_ascii_lowercase();
            if !roles.contains(&role) {
                continue;
            }
            let principal = a.principal_id.to_ascii_lowercase();
            let holders: Vec<usize> = match estate.index.get(&principal) {
                Some(&i) => vec![i],
                None => estate.groups.get(&principal).cloned().flatten().unwrap_or_default().into_iter().collect(),
            };
            estate.roles.entry(role).or_default().extend(holders);
        }
        estate
    }

    pub fn user(&self, id: &str) -> Option<&Person> {
        self.index.get(&id.to_ascii_lowercase()).map(|&i| &self.users[i])
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(&id.to_ascii_lowercase()).copied()
    }

    /// A group's users; `None` when it could not be read (deleted or hidden).
    pub fn group(&self, id: &str) -> Option<&BTreeSet<usize>> {
        self.groups.get(&id.to_ascii_lowercase()).and_then(Option::as_ref)
    }

    /// Whether a group a policy names could not be read (deleted, or not visible).
    pub fn group_missing(&self, id: &str) -> bool {
        matches!(self.groups.get(&id.to_ascii_lowercase()), Some(None))
    }

    /// The active holders of a role (template id), directly or through a group.
    pub fn role_holders(&self, id: &str) -> BTreeSet<usize> {
        self.role(id)
    }

    fn role(&self, id: &str) -> BTreeSet<usize> {
        self.roles.get(&id.to_ascii_lowercase()).cloned().unwrap_or_default()
    }

    fn guests(&self) -> BTreeSet<usize> {
        self.users.iter().enumerate().filter(|(_, u)| u.guest()).map(|(i, _)| i).collect()
    }

    /// Who a users condition takes in, before its exclusions.
    fn included(&self, users: &ConditionalAccessUsers) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        for u in &users.include_users {
            if u.eq_ignore_ascii_case("All") {
                out.extend(0..self.users.len());
            } else if u.eq_ignore_ascii_case("GuestsOrExternalUsers") {
                out.extend(self.guests());
            } else if let Some(i) = self.index_of(u) {
                out.insert(i);
            }
        }
        for g in &users.include_groups {
            out.extend(self.group(g).cloned().unwrap_or_default());
        }
        for r in &users.include_roles {
            out.extend(self.role(r));
        }
        if users.include_guests_or_external_users.is_some() {
            out.extend(self.guests());
        }
        out
    }

    /// Who a users condition leaves out.
    pub fn excluded(&self, users: &ConditionalAccessUsers) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        for u in &users.exclude_users {
            if u.eq_ignore_ascii_case("GuestsOrExternalUsers") {
                out.extend(self.guests());
            } else if let Some(i) = self.index_of(u) {
                out.insert(i);
            }
        }
        for g in &users.exclude_groups {
            out.extend(self.group(g).cloned().unwrap_or_default());
        }
        for r in &users.exclude_roles {
            out.extend(self.role(r));
        }
        if users.exclude_guests_or_external_users.is_some() {
            out.extend(self.guests());
        }
        out
    }

    /// The users a policy covers today; empty for a policy on workload identities.
    pub fn coverage(&self, policy: &ConditionalAccessPolicy) -> BTreeSet<usize> {
        let Some(users) = policy.conditions().users else { return BTreeSet::new() };
        let excluded = self.excluded(&users);
        self.included(&users).difference(&excluded).copied().collect()
    }

    /// The users a policy would cover but for its exclusions.
    pub fn excluded_from(&self, policy: &ConditionalAccessPolicy) -> BTreeSet<usize> {
        let Some(users) = policy.conditions().users else { return BTreeSet::new() };
        let excluded = self.excluded(&users);
        self.included(&users).intersection(&excluded).copied().collect()
    }
}

#[derive(Debug, Deserialize)]
struct Objects {
    #[serde(default)]
    value: Vec<Member>,
}

/// The ids among `groups` that name an existing group (`POST /directoryObjects/getByIds`, 1000
/// at a time); `None` when that could not be read, and every group is then read as if it were.
async fn existing_groups(ctx: &Ctx, groups: &[String]) -> Option<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for batch in groups.chunks(1000) {
        let body = serde_json::json!({"ids": batch, "types": ["group"]});
        let request = GraphRequest::post("/directoryObjects/getByIds", body).read_only();
        match ctx.graph.get::<Objects>(request).await {
            Ok(found) => out.extend(found.value.into_iter().map(|o| o.id.to_ascii_lowercase())),
            Err(_) => return None,
        }
    }
    Some(out)
}

/// A policy named in a finding.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq)]
pub struct PolicyRef {
    pub name: String,
    pub id: String,
    /// `on`, `report-only` or `off`.
    pub state: String,
}

impl PolicyRef {
    pub fn of(policy: &ConditionalAccessPolicy) -> PolicyRef {
        PolicyRef {
            name: policy.name().to_string(),
            id: policy.id.clone(),
            state: policy.policy_state().words().into(),
        }
    }
}

/// A user, group, app or role named in a finding.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq)]
pub struct ObjectRef {
    /// `user`, `guest`, `group`, `app`, `role`.
    pub kind: String,
    pub name: String,
    pub id: String,
}

impl ObjectRef {
    pub fn person(p: &Person) -> ObjectRef {
        let name = match &p.user_principal_name {
            Some(upn) if p.display_name.is_some() => format!("{} ({upn})", p.name()),
            _ => p.name(),
        };
        ObjectRef { kind: if p.guest() { "guest" } else { "user" }.into(), name, id: p.id.clone() }
    }
}

/// One finding of an analysis.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Finding {
    /// E.g. `legacy_auth_not_blocked`, `session_conflict`.
    pub kind: String,
    /// `high`, `medium` or `low`.
    pub severity: String,
    /// The finding in one line.
    pub title: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicyRef>,
    /// The users, groups, apps or roles concerned (the first ten).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ObjectRef>,
    /// How many more objects are concerned than are named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more_objects: Option<usize>,
    pub evidence: Vec<String>,
    /// What to do.
    pub fix: String,
    /// A `draft_ca_policy` intent that closes the gap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<PolicyIntent>,
}

impl Finding {
    pub fn new(kind: &str, severity: &str, title: impl Into<String>) -> Finding {
        Finding {
            kind: kind.into(),
            severity: severity.into(),
            title: title.into(),
            policies: Vec::new(),
            objects: Vec::new(),
            more_objects: None,
            evidence: Vec::new(),
            fix: String::new(),
            draft: None,
        }
    }

    /// Names the objects, the first [`SHOWN`], and counts the rest.
    pub fn with_objects(mut self, objects: Vec<ObjectRef>) -> Finding {
        let more = objects.len().saturating_sub(SHOWN);
        self.objects = objects.into_iter().take(SHOWN).collect();
        self.more_objects = (more > 0).then_some(more);
        self
    }

    pub fn severity_rank(&self) -> u8 {
        match self.severity.as_str() {
            "high" => 0,
            "medium" => 1,
            _ => 2,
        }
    }
}

/// Findings as a markdown table.
pub fn findings_table(findings: &[Finding]) -> String {
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            let policies: Vec<&str> = f.policies.iter().map(|p| p.name.as_str()).collect();
            vec![
                f.severity.clone(),
                f.kind.clone(),
                f.title.clone(),
                policies.join(", "),
                f.evidence.first().cloned().unwrap_or_default(),
                f.fix.clone(),
            ]
        })
        .collect();
    crate::render::table(&["severity", "finding", "what", "policies", "evidence", "fix"], &rows)
}

fn lower(list: &[String]) -> BTreeSet<String> {
    list.iter().map(|v| v.to_ascii_lowercase()).collect()
}

fn contains(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v.eq_ignore_ascii_case(value))
}

/// Whether every app sign-in `a` targets, `b` targets too.
pub fn apps_within(a: &ConditionalAccessApplications, b: &ConditionalAccessApplications) -> bool {
    if !a.include_user_actions.is_empty() || !b.include_user_actions.is_empty() {
        return !a.include_user_actions.is_empty()
            && lower(&a.include_user_actions).is_subset(&lower(&b.include_user_actions));
    }
    if !a.include_authentication_context_class_references.is_empty()
        || !b.include_authentication_context_class_references.is_empty()
    {
        return !a.include_authentication_context_class_references.is_empty()
            && lower(&a.include_authentication_context_class_references)
                .is_subset(&lower(&b.include_authentication_context_class_references));
    }
    if a.include_applications.is_empty() || a.include_applications.iter().all(|e| e.eq_ignore_ascii_case("None")) {
        return false;
    }
    a.include_applications.iter().all(|entry| {
        if entry.eq_ignore_ascii_case("All") {
            // Everything but what `a` leaves out: `b` must take in everything and leave out no more.
            contains(&b.include_applications, "All")
                && b.exclude_applications.iter().all(|e| contains(&a.exclude_applications, e))
        } else if entry.eq_ignore_ascii_case("Office365") || entry.eq_ignore_ascii_case("MicrosoftAdminPortals") {
            (contains(&b.include_applications, "All") || contains(&b.include_applications, entry))
                && b.exclude_applications
                    .iter()
                    .all(|e| !app_entry_covers(entry, e) || contains(&a.exclude_applications, e))
        } else {
            b.include_applications.iter().any(|e| app_entry_covers(e, entry))
                && !b.exclude_applications.iter().any(|e| app_entry_covers(e, entry))
        }
    })
}

/// Whether two policies' apps can meet: one inside the other, or an app both take in.
pub fn apps_meet(a: &ConditionalAccessApplications, b: &ConditionalAccessApplications) -> bool {
    if apps_within(a, b) || apps_within(b, a) {
        return true;
    }
    a.include_applications.iter().any(|x| {
        b.include_applications.iter().any(|y| {
            (app_entry_covers(x, y) || app_entry_covers(y, x))
                && !a.exclude_applications.iter().any(|e| e.eq_ignore_ascii_case(y))
                && !b.exclude_applications.iter().any(|e| e.eq_ignore_ascii_case(x))
        })
    })
}

/// A set condition: `None` when unset (every value matches).
fn set_of(list: &[String], all_word: &str) -> Option<BTreeSet<String>> {
    if list.is_empty() || contains(list, all_word) { None } else { Some(lower(list)) }
}

/// Whether a set condition of `a` is at least as narrow as `b`'s.
fn narrower(a: &Option<BTreeSet<String>>, b: &Option<BTreeSet<String>>) -> bool {
    match (a, b) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(a), Some(b)) => a.is_subset(b),
    }
}

/// Whether two set conditions can both match one sign-in.
fn meet(a: &Option<BTreeSet<String>>, b: &Option<BTreeSet<String>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => !a.is_disjoint(b),
        _ => true,
    }
}

/// The platforms a condition covers, `None` when unset.
fn platforms(c: &ConditionSet) -> Option<BTreeSet<String>> {
    let p = c.platforms.as_ref()?;
    let mut set: BTreeSet<String> = if contains(&p.include_platforms, "all") {
        PLATFORMS.iter().map(|s| s.to_string()).collect()
    } else {
        lower(&p.include_platforms)
    };
    for x in &p.exclude_platforms {
        set.remove(&x.to_ascii_lowercase());
    }
    (set.len() < PLATFORMS.len()).then_some(set)
}

/// Client app types with `easSupported` read as `exchangeActiveSync`.
fn client_apps(c: &ConditionSet) -> Option<BTreeSet<String>> {
    set_of(&c.client_app_types, "all").map(|s| {
        s.into_iter().map(|t| if t == "eassupported" { "exchangeactivesync".to_string() } else { t }).collect()
    })
}

fn flows(c: &ConditionSet) -> Option<BTreeSet<String>> {
    let methods: Vec<String> = c.authentication_flows.as_ref()?.methods().into_iter().map(str::to_string).collect();
    (!methods.is_empty()).then(|| lower(&methods))
}

fn device_rule(c: &ConditionSet) -> Option<String> {
    let f = c.devices.as_ref()?.device_filter.as_ref()?;
    Some(format!("{}:{}", f.mode.as_deref().unwrap_or("include"), f.rule.as_deref().unwrap_or_default()))
}

/// Whether every sign-in `a`'s conditions (beyond users and apps) describe, `b`'s describe too.
pub fn conditions_within(a: &ConditionSet, b: &ConditionSet) -> bool {
    let locations_within = match (&a.locations, &b.locations) {
        (_, None) => true,
        (None, Some(l)) => contains(&l.include_locations, "All") && l.exclude_locations.is_empty(),
        (Some(x), Some(y)) => {
            (contains(&y.include_locations, "All")
                || lower(&x.include_locations).is_subset(&lower(&y.include_locations)))
                && lower(&y.exclude_locations).is_subset(&lower(&x.exclude_locations))
        }
    };
    let device_within = match (device_rule(a), device_rule(b)) {
        (_, None) => true,
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(&y),
        (None, Some(_)) => false,
    };
    locations_within
        && device_within
        && narrower(&platforms(a), &platforms(b))
        && narrower(&client_apps(a), &client_apps(b))
        && narrower(&set_of(&a.sign_in_risk_levels, "_"), &set_of(&b.sign_in_risk_levels, "_"))
        && narrower(&set_of(&a.user_risk_levels, "_"), &set_of(&b.user_risk_levels, "_"))
        && narrower(&flows(a), &flows(b))
}

/// Whether two policies' conditions (beyond users and apps) can describe one sign-in.
pub fn conditions_meet(a: &ConditionSet, b: &ConditionSet) -> bool {
    let locations = match (&a.locations, &b.locations) {
        (Some(x), Some(y)) => {
            let (xi, yi) = (lower(&x.include_locations), lower(&y.include_locations));
            xi.contains("all") || yi.contains("all") || !xi.is_disjoint(&yi)
                // "Outside trusted" and "a country list" can meet.
                || !x.exclude_locations.is_empty() || !y.exclude_locations.is_empty()
        }
        _ => true,
    };
    locations
        && meet(&platforms(a), &platforms(b))
        && meet(&client_apps(a), &client_apps(b))
        && meet(&set_of(&a.sign_in_risk_levels, "_"), &set_of(&b.sign_in_risk_levels, "_"))
        && meet(&set_of(&a.user_risk_levels, "_"), &set_of(&b.user_risk_levels, "_"))
        && meet(&flows(a), &flows(b))
}

/// The users condition as written, lists sorted: two policies with the same key name the same
/// people the same way.
pub fn users_key(policy: &ConditionalAccessPolicy) -> String {
    let mut users = policy.conditions().users.unwrap_or_default();
    for list in [
        &mut users.include_users,
        &mut users.exclude_users,
        &mut users.include_groups,
        &mut users.exclude_groups,
        &mut users.include_roles,
        &mut users.exclude_roles,
    ] {
        *list = lower(list).into_iter().collect();
    }
    serde_json::to_string(&users).unwrap_or_default()
}

/// The conditions other than users and apps, as written.
pub fn conditions_key(policy: &ConditionalAccessPolicy) -> String {
    let c = policy.conditions();
    let rest = ConditionSet { users: None, applications: None, ..c };
    serde_json::to_string(&rest).unwrap_or_default().to_ascii_lowercase()
}

/// The grant and session controls, as written (lists sorted).
pub fn controls_key(policy: &ConditionalAccessPolicy) -> String {
    let mut grant = policy.grant_controls.clone().unwrap_or_default();
    grant.built_in_controls = lower(&grant.built_in_controls).into_iter().collect();
    // One control is the same requirement under either operator.
    if grant.built_in_controls.len() + usize::from(grant.authentication_strength.is_some()) <= 1 {
        grant.operator = None;
    }
    let strength = grant.authentication_strength.take().map(|s| s.id.to_ascii_lowercase());
    let grant = serde_json::to_string(&grant).unwrap_or_default().to_ascii_lowercase();
    let session = serde_json::to_string(&policy.session_controls).unwrap_or_default().to_ascii_lowercase();
    format!("{grant}|{strength:?}|{session}")
}

/// Whether the policy asks for something at sign-in (a grant other than block).
pub fn grants(policy: &ConditionalAccessPolicy) -> bool {
    !policy.blocks()
        && (!policy.built_in_controls().is_empty()
            || policy.grant_controls.as_ref().is_some_and(|g| g.authentication_strength.is_some()))
}

/// The sign-in frequency a policy sets, in hours.
pub fn frequency_hours(policy: &ConditionalAccessPolicy) -> Option<i64> {
    let f = policy.session_controls.as_ref()?.sign_in_frequency.as_ref()?;
    if f.is_enabled == Some(false) {
        return None;
    }
    if f.frequency_interval.as_deref() == Some("everyTime") {
        return Some(0);
    }
    let value = f.value?;
    Some(if f.kind.as_deref() == Some("days") { value * 24 } else { value })
}

/// The persistent browser mode a policy sets.
pub fn persistent_browser(policy: &ConditionalAccessPolicy) -> Option<String> {
    let p = policy.session_controls.as_ref()?.persistent_browser.as_ref()?;
    if p.is_enabled == Some(false) {
        return None;
    }
    p.mode.clone()
}

/// Whether a policy is evaluated at sign-in (on or report-only).
pub fn live(policy: &ConditionalAccessPolicy) -> bool {
    policy.policy_state() != PolicyState::Off
}

/// An enforced policy that asks for MFA (or a strength) on ordinary sign-ins: every app or
/// Office 365, and no condition that narrows it to some sign-ins only (a location list other
/// than "anywhere, trusted places aside", risk levels, platforms, a device filter, flows,
/// legacy clients only).
pub fn baseline_mfa(policy: &ConditionalAccessPolicy) -> bool {
    if policy.policy_state() != PolicyState::On || !policy.requires_mfa() || policy.blocks() {
        return false;
    }
    let c = policy.conditions();
    let apps = c.applications.clone().unwrap_or_default();
    let broad_apps =
        apps.include_applications.iter().any(|a| a.eq_ignore_ascii_case("All") || a.eq_ignore_ascii_case("Office365"));
    let modern = client_apps(&c).is_none_or(|s| s.contains("browser") || s.contains("mobileappsanddesktopclients"));
    let anywhere = c.locations.as_ref().is_none_or(|l| contains(&l.include_locations, "All"));
    broad_apps
        && modern
        && anywhere
        && platforms(&c).is_none()
        && c.sign_in_risk_levels.is_empty()
        && c.user_risk_levels.is_empty()
        && device_rule(&c).is_none()
        && flows(&c).is_none()
}

/// Whether `a`'s scope lies inside `b`'s: the users it covers today, its apps and its other
/// conditions. A policy covering no one lies inside nothing (it is reported on its own).
pub fn within(estate: &Estate, a: &ConditionalAccessPolicy, b: &ConditionalAccessPolicy) -> bool {
    let (ca, cb) = (a.conditions(), b.conditions());
    let covered = estate.coverage(a);
    !covered.is_empty()
        && covered.is_subset(&estate.coverage(b))
        && apps_within(&ca.applications.clone().unwrap_or_default(), &cb.applications.clone().unwrap_or_default())
        && conditions_within(&ca, &cb)
}

/// The users two policies both cover, when their apps and conditions can meet too.
pub fn overlap(estate: &Estate, a: &ConditionalAccessPolicy, b: &ConditionalAccessPolicy) -> BTreeSet<usize> {
    let (ca, cb) = (a.conditions(), b.conditions());
    if !apps_meet(&ca.applications.clone().unwrap_or_default(), &cb.applications.clone().unwrap_or_default())
        || !conditions_meet(&ca, &cb)
    {
        return BTreeSet::new();
    }
    estate.coverage(a).intersection(&estate.coverage(b)).copied().collect()
}

/// Days between an RFC 3339 time and now.
pub fn days_since(now: chrono::DateTime<chrono::Utc>, time: Option<&str>) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(time?).ok()?;
    Some((now - t.with_timezone(&chrono::Utc)).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::resources::ConditionalAccessApplications as Apps;

    fn apps(include: &[&str], exclude: &[&str]) -> Apps {
        Apps {
            include_applications: include.iter().map(|s| s.to_string()).collect(),
            exclude_applications: exclude.iter().map(|s| s.to_string()).collect(),
            ..Apps::default()
        }
    }

    const LEGACY_REPORTS: &str = "11111111-1111-1111-1111-111111111111";
    const EXCHANGE: &str = "00000002-0000-0ff1-ce00-000000000000";

    #[test]
    fn office_365_lies_inside_all_apps_but_one_unrelated_app() {
        assert!(apps_within(&apps(&["Office365"], &[]), &apps(&["All"], &[LEGACY_REPORTS])));
        assert!(!apps_within(&apps(&["All"], &[LEGACY_REPORTS]), &apps(&["Office365"], &[])));
        // Everything but Exchange lies inside everything, not the other way round.
        assert!(apps_within(&apps(&["All"], &[EXCHANGE]), &apps(&["All"], &[])));
        assert!(!apps_within(&apps(&["All"], &[]), &apps(&["All"], &[EXCHANGE])));
        assert!(!apps_within(&apps(&["Office365"], &[]), &apps(&["All"], &[EXCHANGE])));
        assert!(apps_meet(&apps(&["Office365"], &[]), &apps(&[EXCHANGE], &[])));
    }

    #[test]
    fn set_conditions_compare_as_sets() {
        let a =
            ConditionSet { client_app_types: vec!["exchangeActiveSync".into(), "other".into()], ..Default::default() };
        let b = ConditionSet { client_app_types: vec!["all".into()], ..Default::default() };
        assert!(conditions_within(&a, &b));
        assert!(!conditions_within(&b, &a));
        let high = ConditionSet { sign_in_risk_levels: vec!["high".into()], ..Default::default() };
        let low = ConditionSet { sign_in_risk_levels: vec!["low".into()], ..Default::default() };
        assert!(!conditions_meet(&high, &low));
        assert!(conditions_meet(&high, &b));
    }
}
