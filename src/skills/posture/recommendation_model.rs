//! Entra recommendations as the posture skills read them (Graph beta
//! `/directory/recommendations`): the resource, its enumerations in snake_case with their
//! Graph values, and how a `recommendation` argument — an id, the short name in the id, the
//! recommendation type or the display name — finds one.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query, segment};
use crate::shared::{shorten, text};
use crate::skill::{Ctx, ErrorKind, SkillError};

pub const RECOMMENDATIONS: &str = "/directory/recommendations";

/// What sits between the tenant id and the short name in a recommendation's id.
pub const ID_INFIX: &str = "_Microsoft.Identity.IAM.Insights.";

/// A `recommendation` (the fields the skills read).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Recommendation {
    pub id: String,
    pub display_name: Option<String>,
    pub recommendation_type: Option<String>,
    pub category: Option<String>,
    pub priority: Option<String>,
    pub status: Option<String>,
    pub impact_type: Option<String>,
    pub feature_areas: Vec<String>,
    pub release_type: Option<String>,
    pub current_score: Option<f64>,
    pub max_score: Option<f64>,
    pub created_date_time: Option<String>,
    pub impact_start_date_time: Option<String>,
    pub last_checked_date_time: Option<String>,
    pub last_modified_date_time: Option<String>,
    pub last_modified_by: Option<String>,
    pub postpone_until_date_time: Option<String>,
    pub insights: Option<String>,
    pub benefits: Option<String>,
    pub remediation_impact: Option<String>,
    pub action_steps: Vec<ActionStep>,
    pub impacted_resources: Option<Vec<ImpactedResource>>,
}

impl Recommendation {
    pub fn name(&self) -> String {
        self.display_name.clone().unwrap_or_else(|| short_name(&self.id).to_string())
    }

    /// Secure Score points, for the recommendations that carry them.
    pub fn score(&self) -> Option<String> {
        match (self.current_score, self.max_score) {
            (Some(current), Some(max)) if max > 0.0 => Some(format!("{} / {}", points(current), points(max))),
            _ => None,
        }
    }
}

fn points(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.1}") }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActionStep {
    pub step_number: Option<i64>,
    pub text: Option<String>,
    pub action_url: Option<ActionUrl>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActionUrl {
    pub display_name: Option<String>,
    pub url: Option<String>,
}

/// An `impactedResource`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ImpactedResource {
    pub id: String,
    pub subject_id: Option<String>,
    pub display_name: Option<String>,
    pub resource_type: Option<String>,
    pub status: Option<String>,
    pub added_date_time: Option<String>,
    pub postpone_until_date_time: Option<String>,
    pub owner: Option<String>,
    pub rank: Option<i64>,
    pub additional_details: Vec<KeyValue>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct KeyValue {
    pub key: Option<String>,
    pub value: Option<String>,
}

/// The id's short name (`TurnOffPerUserMFA`), or the id itself.
pub fn short_name(id: &str) -> &str {
    id.split_once(ID_INFIX).map(|(_, name)| name).unwrap_or(id)
}

/// A recommendation's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    CompletedBySystem,
    CompletedByUser,
    Dismissed,
    Postponed,
}

impl Status {
    pub fn graph(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::CompletedBySystem => "completedBySystem",
            Status::CompletedByUser => "completedByUser",
            Status::Dismissed => "dismissed",
            Status::Postponed => "postponed",
        }
    }
}

/// A Graph status (`completedByUser`) in an admin's words (`completed by user`).
pub fn status_words(graph: Option<&str>) -> String {
    match graph.unwrap_or("unknown") {
        "completedBySystem" => "completed by system".into(),
        "completedByUser" => "completed by user".into(),
        "riskAccepted" => "risk accepted".into(),
        "thirdParty" => "third party".into(),
        "alternateMitigation" => "alternate mitigation".into(),
        "needsMoreAction" => "needs more action".into(),
        other => other.to_string(),
    }
}

/// camelCase Graph words as plain ones: `identityBestPractice` → `identity best practice`.
pub fn words(graph: &str) -> String {
    let mut out = String::with_capacity(graph.len() + 4);
    for c in graph.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Medium,
    High,
    Critical,
}

impl Priority {
    pub fn graph(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Critical => "critical",
        }
    }
}

/// The order a priority sorts in, most urgent first.
pub fn priority_rank(graph: Option<&str>) -> u8 {
    match graph {
        Some("critical") => 0,
        Some("high") => 1,
        Some("medium") => 2,
        Some("low") => 3,
        _ => 4,
    }
}

/// The order a status sorts in: what still needs doing first.
pub fn status_rank(graph: Option<&str>) -> u8 {
    match graph {
        Some("active") => 0,
        Some("needsMoreAction") => 1,
        Some("postponed") => 2,
        Some("dismissed") => 3,
        Some("completedByUser") => 4,
        Some("completedBySystem") => 5,
        _ => 6,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    IdentityBestPractice,
    IdentitySecureScore,
    MdiSecureScore,
}

impl Category {
    pub fn graph(self) -> &'static str {
        match self {
            Category::IdentityBestPractice => "identityBestPractice",
            Category::IdentitySecureScore => "identitySecureScore",
            Category::MdiSecureScore => "mdiSecureScore",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeatureArea {
    Users,
    Groups,
    Devices,
    Applications,
    AccessReviews,
    ConditionalAccess,
    Governance,
}

impl FeatureArea {
    pub fn graph(self) -> &'static str {
        match self {
            FeatureArea::Users => "users",
            FeatureArea::Groups => "groups",
            FeatureArea::Devices => "devices",
            FeatureArea::Applications => "applications",
            FeatureArea::AccessReviews => "accessReviews",
            FeatureArea::ConditionalAccess => "conditionalAccess",
            FeatureArea::Governance => "governance",
        }
    }
}

/// Whom a recommendation affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImpactType {
    TenantLevel,
    Users,
    Apps,
}

impl ImpactType {
    /// Graph's `impactType` is free text; older recommendations say `Tenant level` or
    /// `applications`, newer ones `tenantLevel` or `apps`.
    pub fn matches(self, graph: Option<&str>) -> bool {
        let graph = graph.unwrap_or_default().to_ascii_lowercase().replace(' ', "");
        match self {
            ImpactType::TenantLevel => graph == "tenantlevel" || graph == "tenant",
            ImpactType::Users => graph == "users" || graph == "user",
            ImpactType::Apps => graph == "apps" || graph == "applications" || graph == "app",
        }
    }
}

/// What a recommendation's lookup reads when all that is needed is to find it.
pub const FIND_SELECT: &[&str] = &["id", "displayName", "recommendationType", "status", "postponeUntilDateTime"];

/// Finds one recommendation: a full id is read directly; anything else is matched against
/// every recommendation's display name, short name and type, case-insensitively. `select`
/// must include the fields the caller reads.
pub async fn find(
    ctx: &Ctx,
    field: &str,
    value: &str,
    select: &'static [&'static str],
) -> Result<Recommendation, SkillError> {
    let value = text(field, value, 300)?;
    if value.contains(ID_INFIX) {
        let request = GraphRequest::get(format!("{RECOMMENDATIONS}/{}", segment(&value)))
            .beta()
            .prefer_unknown_enums()
            .query(Query::new().select(select));
        return ctx
            .graph
            .get::<Recommendation>(request)
            .await
            .map_err(|e| if e.kind == ErrorKind::NotFound { not_found(field, &value, &[]) } else { e });
    }
    let request = GraphRequest::get(RECOMMENDATIONS).beta().prefer_unknown_enums().query(Query::new().select(select));
    let all = ctx.graph.list::<Recommendation>(request, 500).await?.items;
    let wanted = value.to_ascii_lowercase();
    let matches = |r: &Recommendation| {
        r.display_name.as_deref().is_some_and(|n| n.trim().eq_ignore_ascii_case(&value))
            || short_name(&r.id).eq_ignore_ascii_case(&value)
            || r.recommendation_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(&value))
    };
    let mut found: Vec<&Recommendation> = all.iter().filter(|r| matches(r)).collect();
    match found.len() {
        1 => Ok(found.remove(0).clone()),
        0 => {
            // The closest: those whose name shares a word with what was asked.
            let asked: Vec<&str> = wanted.split_whitespace().filter(|w| w.len() > 3).collect();
            let close: Vec<String> = all
                .iter()
                .filter(|r| {
                    let name = r.name().to_ascii_lowercase();
                    asked.iter().any(|w| name.contains(w))
                })
                .take(5)
                .map(|r| r.name())
                .collect();
            Err(not_found(field, &value, &close))
        }
        n => {
            let candidates: Vec<String> = found.iter().take(10).map(|r| format!("{} ({})", r.name(), r.id)).collect();
            Err(SkillError::new(
                ErrorKind::Ambiguous,
                format!("{n} recommendations match '{}': {}", shorten(&value), candidates.join("; ")),
            )
            .with_remedy(format!("call again with the id of the one you mean as `{field}`")))
        }
    }
}

fn not_found(field: &str, value: &str, close: &[String]) -> SkillError {
    let closest = if close.is_empty() { String::new() } else { format!("; closest: {}", close.join(", ")) };
    SkillError::new(ErrorKind::NotFound, format!("no recommendation '{}' found{closest}", shorten(value))).with_remedy(
        format!(
            "give the recommendation's id, its short name (e.g. TurnOffPerUserMFA) or its exact title as `{field}`; list them with `list_recommendations`"
        ),
    )
}

/// An action step as plain text: HTML tags and the step's own leading number removed,
/// whitespace collapsed.
pub fn plain_step(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = plain.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    let collapsed = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    // A tag became a space; punctuation right after one keeps to its word.
    let collapsed = collapsed.replace(" .", ".").replace(" ,", ",").replace(" :", ":");
    // "1. Do this" / "1) Do this": the list numbers the steps itself.
    let digits = collapsed.chars().take_while(char::is_ascii_digit).count();
    let rest = &collapsed[digits..];
    if digits > 0 && (rest.starts_with(". ") || rest.starts_with(") ")) { rest[2..].to_string() } else { collapsed }
}

/// A count of impacted resources in one status.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StatusCount {
    pub status: String,
    pub count: usize,
}

/// Counts by status, in the order statuses sort.
pub fn by_status<'a>(statuses: impl Iterator<Item = Option<&'a str>>) -> Vec<StatusCount> {
    let mut counts: Vec<(Option<&str>, usize)> = Vec::new();
    for status in statuses {
        match counts.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => counts.push((status, 1)),
        }
    }
    counts.sort_by_key(|(s, _)| status_rank(*s));
    counts.into_iter().map(|(s, count)| StatusCount { status: status_words(s), count }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_lose_their_markup_and_numbers() {
        assert_eq!(plain_step("1. To get started, confirm <b>this</b>."), "To get started, confirm this.");
        assert_eq!(plain_step("2) Turn it off"), "Turn it off");
        assert_eq!(plain_step("Review   the\nlist"), "Review the list");
        assert_eq!(plain_step("2026 plans"), "2026 plans");
    }

    #[test]
    fn graph_words_read_plainly() {
        assert_eq!(words("identityBestPractice"), "identity best practice");
        assert_eq!(status_words(Some("completedByUser")), "completed by user");
        assert_eq!(short_name("t_Microsoft.Identity.IAM.Insights.TurnOffPerUserMFA"), "TurnOffPerUserMFA");
        assert!(ImpactType::Apps.matches(Some("applications")));
        assert!(ImpactType::TenantLevel.matches(Some("Tenant level")));
    }
}
