//! `get_service_health`: how Microsoft's identity services are doing for this tenant right now
//! (Microsoft Entra and the other sign-in services in the Microsoft 365 service health feed),
//! with their open incidents and advisories — and, on request, the resolved ones and every
//! other service.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::render::{short_time, table};
use crate::shared::ListInfo;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::html_text;

const GET_SERVICE_HEALTH: Declaration = Declaration {
    name: "get_service_health",
    title: "Get identity service health",
    description: "Is Microsoft Entra ID healthy right now? The Microsoft 365 service health of the identity services (Microsoft Entra and sign-in) with their open incidents and advisories: status, impact, last update; optionally resolved issues and every other service. Global Reader.",
    toolset: Toolset::Posture,
    permissions: &["ServiceHealth.Read.All"],
    least_role: "Global Reader (or Service Support Administrator)",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Services in a tenant's health feed: a few dozen.
const MAX_SERVICES: usize = 200;
/// Issues shown at most, open ones first.
const MAX_ISSUES: usize = 50;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetServiceHealthParams {
    /// Also list issues that are resolved (Graph keeps them for a while).
    #[serde(default)]
    pub include_resolved: bool,
    /// Every service of the feed, not only the identity ones.
    #[serde(default)]
    pub all_services: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Overview {
    id: String,
    service: Option<String>,
    status: Option<String>,
    #[serde(default)]
    issues: Option<Vec<Issue>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issue {
    id: String,
    title: Option<String>,
    impact_description: Option<String>,
    classification: Option<String>,
    status: Option<String>,
    feature: Option<String>,
    is_resolved: Option<bool>,
    start_date_time: Option<String>,
    end_date_time: Option<String>,
    last_modified_date_time: Option<String>,
    #[serde(default)]
    posts: Option<Vec<Post>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Post {
    created_date_time: Option<String>,
    description: Option<PostBody>,
}

#[derive(Debug, Deserialize)]
struct PostBody {
    content: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ServiceRow {
    /// The service id in the health feed (`OrgLiveID` for Microsoft Entra).
    pub id: String,
    pub service: String,
    /// Graph's status (`serviceOperational`, `serviceDegradation`, `serviceInterruption` …).
    pub status: String,
    /// Not `serviceOperational`.
    pub degraded: bool,
    pub open_issues: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct IssueRow {
    pub id: String,
    pub service: String,
    /// `incident` or `advisory`.
    pub classification: String,
    pub title: String,
    pub status: String,
    pub resolved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_update: Option<String>,
    /// Microsoft's latest post, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_post: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ServiceHealth {
    /// The identity services (every service with `all_services`).
    pub services: Vec<ServiceRow>,
    /// Open issues first, newest first.
    pub issues: Vec<IssueRow>,
    #[serde(flatten)]
    pub list: ListInfo,
    /// Other services with open issues, when only identity services are shown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_services_with_issues: Vec<String>,
}

/// Whether a health-feed service is about identity: Microsoft Entra (`OrgLiveID`, once
/// "Identity Service" or "Azure Active Directory") and multifactor authentication.
fn is_identity(id: &str, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    id.eq_ignore_ascii_case("OrgLiveID")
        || ["entra", "identity", "azure active directory", "multi-factor", "multifactor"]
            .iter()
            .any(|w| name.contains(w))
}

fn operational(status: &str) -> bool {
    status.eq_ignore_ascii_case("serviceOperational") || status.eq_ignore_ascii_case("serviceRestored")
}

fn issue_row(service: &str, issue: Issue) -> IssueRow {
    let latest_post = issue
        .posts
        .unwrap_or_default()
        .into_iter()
        .max_by(|a, b| a.created_date_time.cmp(&b.created_date_time))
        .and_then(|p| p.description?.content)
        .map(|c| html_text::plain(&c, crate::render::MAX_TEXT))
        .filter(|c| !c.is_empty());
    IssueRow {
        service: service.to_string(),
        classification: issue.classification.unwrap_or_else(|| "unknown".into()).to_ascii_lowercase(),
        title: crate::render::trim(&issue.title.unwrap_or_default(), crate::render::MAX_TEXT),
        status: issue.status.unwrap_or_else(|| "unknown".into()),
        resolved: issue.is_resolved == Some(true),
        feature: issue.feature,
        impact: issue.impact_description.map(|i| html_text::plain(&i, crate::render::MAX_TEXT)),
        started: issue.start_date_time,
        ended: issue.end_date_time,
        last_update: issue.last_modified_date_time,
        latest_post,
        id: issue.id,
    }
}

async fn get_service_health(ctx: Ctx, p: GetServiceHealthParams) -> Result<ServiceHealth, SkillError> {
    let request = GraphRequest::get("/admin/serviceAnnouncement/healthOverviews")
        .query(Query::new().select(&["id", "service", "status"]).expand("issues"));
    let page = ctx.graph.list::<Overview>(request, MAX_SERVICES).await?;
    let mut services = Vec::new();
    let mut issues = Vec::new();
    let mut other_services_with_issues = Vec::new();
    for overview in page.items {
        let name = overview.service.clone().unwrap_or_else(|| overview.id.clone());
        let all = overview.issues.unwrap_or_default();
        let open = all.iter().filter(|i| i.is_resolved != Some(true)).count();
        if !p.all_services && !is_identity(&overview.id, &name) {
            if open > 0 {
                other_services_with_issues.push(format!("{name} ({open} open)"));
            }
            continue;
        }
        let status = overview.status.unwrap_or_else(|| "unknown".into());
        services.push(ServiceRow {
            degraded: !operational(&status),
            id: overview.id,
            service: name.clone(),
            status,
            open_issues: open,
        });
        issues.extend(
            all.into_iter().filter(|i| p.include_resolved || i.is_resolved != Some(true)).map(|i| issue_row(&name, i)),
        );
    }
    if services.is_empty() {
        return Err(SkillError::new(ErrorKind::NotFound, "the tenant's service health feed lists no identity service")
            .with_remedy("call again with `all_services: true` to see every service the feed lists"));
    }
    issues.sort_by(|a, b| a.resolved.cmp(&b.resolved).then(b.last_update.cmp(&a.last_update)));
    let total = issues.len();
    issues.truncate(MAX_ISSUES);
    let list = ListInfo::new(issues.len(), Some(total as u64), page.more, "`include_resolved: false`");
    Ok(ServiceHealth { services, issues, list, other_services_with_issues })
}

impl Render for ServiceHealth {
    fn rows(&self) -> Option<usize> {
        Some(self.issues.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.issues.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let services: Vec<Vec<String>> = self
            .services
            .iter()
            .map(|s| vec![s.service.clone(), s.status.clone(), s.open_issues.to_string(), s.id.clone()])
            .collect();
        let issues: Vec<Vec<String>> = self
            .issues
            .iter()
            .map(|i| {
                vec![
                    i.id.clone(),
                    i.classification.clone(),
                    i.title.clone(),
                    i.status.clone(),
                    i.last_update.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    i.latest_post.clone().or_else(|| i.impact.clone()).unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        let mut out = format!(
            "{}\n\nissues: {}\n{}{}",
            table(&["service", "status", "open issues", "id"], &services),
            self.list.returned,
            table(&["id", "kind", "title", "status", "updated (UTC)", "latest"], &issues),
            self.list.footer()
        );
        if !self.other_services_with_issues.is_empty() {
            out.push_str(&format!(
                "\nother services with open issues (not identity): {}",
                self.other_services_with_issues.join(", ")
            ));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Is Microsoft Entra ID having an outage or an advisory right now?",
        args: r#"{}"#,
        facts: &[
            Fact::Every("services/*/id", "OrgLiveID"),
            Fact::Every("services/*/degraded", "true"),
            Fact::Count("issues/*", 1),
            Fact::Every("issues/*/classification", "advisory"),
            Fact::Every("issues/*/resolved", "false"),
            Fact::Some("other_services_with_issues/*", "~Microsoft Teams"),
            Fact::NeverSays("TM913870"),
        ],
    },
    Example {
        question: "Show resolved Entra incidents too, across every Microsoft 365 service",
        args: r#"{"include_resolved":true,"all_services":true}"#,
        facts: &[
            Fact::Some("issues/*/id", "EN908311"),
            Fact::Some("issues/*/id", "TM913870"),
            Fact::Some("services/*/service", "Exchange Online"),
            Fact::Every("issues/0/resolved", "false"),
        ],
    },
    Example {
        question: "Service health with a malformed switch",
        args: r#"{"include_resolved":"sometimes"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_SERVICE_HEALTH, get_service_health)
}
