//! `list_provisioning_events`: what the provisioning service did — accounts created, updated,
//! disabled or deleted in Entra ID (from an HR system) or in an app — and what failed, by
//! user, app, action, status and window. A user's events are looked up on both sides (an HR
//! import targets the Entra user; an export to an app starts from it), two queries at once.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::graph::resources::ServicePrincipal;
use crate::graph::{GraphRequest, Page, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table, trim_opt};
use crate::shared::resolve::{self, APP};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

/// Provisioning logs are kept 30 days.
const PROVISIONING_RETENTION_DAYS: i64 = 30;

const LIST_PROVISIONING_EVENTS: Declaration = Declaration {
    name: "list_provisioning_events",
    title: "List provisioning events",
    description: "Provisioning logs (default 7d): accounts the provisioning service created, updated, disabled or deleted, from an HR source such as Workday into Entra ID or from Entra ID into an app (SCIM), with failures, warnings and skips and their reasons. By user, app, action, status. For the job's health use get_provisioning_job_status. P1. Reports Reader.",
    toolset: Toolset::Audit,
    permissions: &["ProvisioningLog.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProvisioningAction {
    Create,
    Update,
    Disable,
    Delete,
    StagedDelete,
    Other,
}

impl ProvisioningAction {
    fn graph(self) -> &'static str {
        match self {
            ProvisioningAction::Create => "create",
            ProvisioningAction::Update => "update",
            ProvisioningAction::Disable => "disable",
            ProvisioningAction::Delete => "delete",
            ProvisioningAction::StagedDelete => "stagedDelete",
            ProvisioningAction::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProvisioningStatus {
    Success,
    Failure,
    Skipped,
    Warning,
}

impl ProvisioningStatus {
    fn graph(self) -> &'static str {
        match self {
            ProvisioningStatus::Success => "success",
            ProvisioningStatus::Failure => "failure",
            ProvisioningStatus::Skipped => "skipped",
            ProvisioningStatus::Warning => "warning",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListProvisioningEventsParams {
    /// Events about this Entra user, imported or exported (UPN, object id or `me`).
    pub user: Option<UserRef>,
    /// The provisioning app: display name, appId or service principal id.
    pub app: Option<String>,
    pub action: Option<ProvisioningAction>,
    pub status: Option<ProvisioningStatus>,
    /// Extra OData: eq/ne/ge/le/startswith joined by and, on provisioningAction, provisioningStatusInfo/status, servicePrincipal/displayName, sourceIdentity/displayName, targetIdentity/displayName, sourceSystem/displayName, targetSystem/displayName, jobId, cycleId.
    pub filter: Option<String>,
    pub since: Option<Since>,
    pub until: Option<Since>,
    #[serde(default)]
    pub limit: Limit,
}

/// The slice of a `provisioningObjectSummary` the skill reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ProvisioningEvent {
    id: String,
    activity_date_time: Option<String>,
    job_id: Option<String>,
    provisioning_action: Option<String>,
    /// An object in practice; the schema once called it a collection, so both are read.
    service_principal: Option<Value>,
    source_system: Option<Named>,
    target_system: Option<Named>,
    source_identity: Option<Identity>,
    target_identity: Option<Identity>,
    provisioning_status_info: Option<StatusInfo>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Named {
    display_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Identity {
    id: Option<String>,
    display_name: Option<String>,
    identity_type: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct StatusInfo {
    status: Option<String>,
    error_information: Option<ErrorInformation>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ErrorInformation {
    error_code: Option<String>,
    reason: Option<String>,
    recommended_action: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProvisioningRow {
    pub id: String,
    pub time: Option<String>,
    /// `create`, `update`, `disable`, `delete`, `stagedDelete`, `other`.
    pub action: Option<String>,
    /// `success`, `failure`, `skipped`, `warning`.
    pub status: Option<String>,
    /// The provisioning app.
    pub app: Option<String>,
    /// Its service principal id.
    pub app_id: Option<String>,
    /// The object read, as `name (system)`.
    pub source: String,
    /// The object written, as `name (system)`; empty name when nothing was written.
    pub target: String,
    /// The Entra user's object id, on whichever side Entra ID is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_action: Option<String>,
    pub job_id: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProvisioningList {
    pub since: String,
    pub events: Vec<ProvisioningRow>,
    /// Returned events per status.
    pub by_status: BTreeMap<String, usize>,
    /// Returned events per action.
    pub by_action: BTreeMap<String, usize>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const SELECT: &[&str] = &[
    "id",
    "activityDateTime",
    "jobId",
    "provisioningAction",
    "servicePrincipal",
    "sourceSystem",
    "targetSystem",
    "sourceIdentity",
    "targetIdentity",
    "provisioningStatusInfo",
];

/// How an app is looked up: its id, its appId, or its exact name.
const APP_SELECT: &[&str] = &["id", "appId", "displayName"];

/// The names Entra ID goes by as a provisioning source or target.
fn is_entra(system: Option<&Named>) -> bool {
    let name = system.and_then(|s| s.display_name.as_deref()).unwrap_or_default();
    ["Entra ID", "Microsoft Entra ID", "Azure Active Directory", "Azure AD"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

fn side(identity: Option<&Identity>, system: Option<&Named>) -> String {
    let name = identity.and_then(|i| i.display_name.clone()).unwrap_or_default();
    let system = system.and_then(|s| s.display_name.clone()).unwrap_or_default();
    match (name.is_empty(), system.is_empty()) {
        (_, true) => name,
        (true, false) => format!("({system})"),
        (false, false) => format!("{name} ({system})"),
    }
}

fn row(e: ProvisioningEvent) -> ProvisioningRow {
    let (app, app_id) = match &e.service_principal {
        Some(Value::Object(sp)) => (sp.get("displayName"), sp.get("id")),
        Some(Value::Array(sps)) => {
            (sps.first().and_then(|sp| sp.get("displayName")), sps.first().and_then(|sp| sp.get("id")))
        }
        _ => (None, None),
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let user = if is_entra(e.target_system.as_ref()) { e.target_identity.as_ref() } else { e.source_identity.as_ref() };
    let user_id = user
        .filter(|i| i.identity_type.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("user")))
        .and_then(|i| i.id.clone())
        .filter(|id| !id.is_empty());
    let status = e.provisioning_status_info.unwrap_or_default();
    let error = status.error_information.unwrap_or_default();
    ProvisioningRow {
        source: side(e.source_identity.as_ref(), e.source_system.as_ref()),
        target: side(e.target_identity.as_ref(), e.target_system.as_ref()),
        id: e.id,
        time: e.activity_date_time,
        action: e.provisioning_action,
        status: status.status,
        app: text(app),
        app_id: text(app_id),
        user_id,
        error_code: error.error_code.filter(|c| !c.is_empty()),
        reason: trim_opt(error.reason.filter(|r| !r.is_empty())),
        recommended_action: trim_opt(error.recommended_action.filter(|r| !r.is_empty())),
        job_id: e.job_id,
    }
}

async fn events(ctx: &Ctx, filter: Option<Expr>, limit: usize) -> Result<Page<ProvisioningEvent>, SkillError> {
    let query = Query::new().select(SELECT).filter_opt(filter).orderby("activityDateTime desc").top(limit.min(1000));
    ctx.graph.list::<ProvisioningEvent>(GraphRequest::get("/auditLogs/provisioning").query(query), limit).await
}

fn time_of(e: &ProvisioningEvent) -> Option<DateTime<Utc>> {
    e.activity_date_time.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
}

async fn list_provisioning_events(ctx: Ctx, p: ListProvisioningEventsParams) -> Result<ProvisioningList, SkillError> {
    let limit = p.limit.get()?;
    let (start, end) =
        window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::days(7), PROVISIONING_RETENTION_DAYS)?;
    // Graph documents `gt` and `lt` on the provisioning log's times.
    let mut clauses = vec![Expr::gt("activityDateTime", start)];
    if let Some(end) = end {
        clauses.push(Expr::lt("activityDateTime", end));
    }
    if let Some(app) = &p.app {
        let sp = resolve::resolve::<ServicePrincipal>(&ctx, &APP, app, APP_SELECT).await?;
        clauses.push(Expr::eq("servicePrincipal/id", sp.id));
    }
    if let Some(action) = p.action {
        clauses.push(Expr::eq("provisioningAction", action.graph()));
    }
    if let Some(status) = p.status {
        clauses.push(Expr::eq("provisioningStatusInfo/status", status.graph()));
    }
    if let Some(filter) = &p.filter {
        clauses.push(allowed_filter(filter, PROVISIONING_FILTER_FIELDS)?);
    }
    let (items, total, more) = match &p.user {
        Some(user) => {
            let key = user.parse("user")?;
            let id = match key {
                UserKey::Id(id) => id.to_string(),
                UserKey::Upn(_) | UserKey::Me => resolve_user(&ctx, &key).await?.id,
            };
            // Imported into Entra ID the user is the target; exported to an app, the source.
            let mut imported = clauses.clone();
            imported.push(Expr::eq("targetIdentity/id", id.as_str()));
            let mut exported = clauses;
            exported.push(Expr::eq("sourceIdentity/id", id.as_str()));
            let (imported, exported) = tokio::join!(
                events(&ctx, Expr::conjunction(imported), limit),
                events(&ctx, Expr::conjunction(exported), limit)
            );
            let (imported, exported) = (imported?, exported?);
            let mut more = imported.more || exported.more;
            let mut seen = HashSet::new();
            let mut merged: Vec<ProvisioningEvent> =
                imported.items.into_iter().chain(exported.items).filter(|e| seen.insert(e.id.clone())).collect();
            merged.sort_by_key(|e| std::cmp::Reverse(time_of(e)));
            if merged.len() > limit {
                merged.truncate(limit);
                more = true;
            }
            (merged, None, more)
        }
        None => {
            let page = events(&ctx, Expr::conjunction(clauses), limit).await?;
            (page.items, page.total, page.more)
        }
    };
    let events: Vec<ProvisioningRow> = items.into_iter().map(row).collect();
    let mut by_status = BTreeMap::new();
    let mut by_action = BTreeMap::new();
    for e in &events {
        *by_status.entry(e.status.clone().unwrap_or_default()).or_insert(0) += 1;
        *by_action.entry(e.action.clone().unwrap_or_default()).or_insert(0) += 1;
    }
    let list = ListInfo::new(events.len(), total, more, "`since`, `app`, `user`, `action` or `status`");
    Ok(ProvisioningList {
        since: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        events,
        by_status,
        by_action,
        list,
    })
}

fn counts(map: &BTreeMap<String, usize>) -> String {
    map.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
}

impl Render for ProvisioningList {
    fn rows(&self) -> Option<usize> {
        Some(self.events.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.events.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .events
            .iter()
            .map(|e| {
                let mut problem = e.error_code.clone().unwrap_or_default();
                if let Some(reason) = &e.reason {
                    problem = if problem.is_empty() { reason.clone() } else { format!("{problem}: {reason}") };
                }
                vec![
                    e.time.as_deref().map(short_time).unwrap_or_default(),
                    or_dash(&e.app),
                    or_dash(&e.action),
                    or_dash(&e.status),
                    e.source.clone(),
                    e.target.clone(),
                    if problem.is_empty() { "-".into() } else { problem },
                    e.id.clone(),
                ]
            })
            .collect();
        let mut text = format!(
            "{} provisioning events since {} UTC (status: {}; action: {})\n{}",
            self.list.returned,
            short_time(&self.since),
            counts(&self.by_status),
            counts(&self.by_action),
            table(&["time (UTC)", "app", "action", "status", "source", "target", "error", "id"], &rows)
        );
        // The first recommendation Graph gives, once, under the table.
        if let Some(action) = self.events.iter().find_map(|e| e.recommended_action.as_deref()) {
            text.push_str(&format!("\nrecommended action: {action}"));
        }
        text.push_str(&self.list.footer());
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which provisioning exports to Sales CRM failed, and why?",
        args: r#"{"app":"Sales CRM","status":"failure","since":"7d"}"#,
        facts: &[
            Fact::AtLeast("events/*", 3),
            Fact::Every("events/*/status", "failure"),
            Fact::Every("events/*/app", "Sales CRM"),
            Fact::Every("events/*/error_code", "~CredentialValidation"),
            Fact::Says("recommended action: Update the admin credentials"),
        ],
    },
    Example {
        question: "What did provisioning create, disable or delete in the last 30 days?",
        args: r#"{"since":"30d","limit":200}"#,
        facts: &[
            Fact::Some("events/*/action", "create"),
            Fact::Some("events/*/action", "disable"),
            Fact::Some("events/*/action", "delete"),
            Fact::Some("events/*/status", "warning"),
            Fact::Some("events/*/status", "skipped"),
            Fact::Some("events/*/app", "Workday Inbound"),
        ],
    },
    Example {
        question: "Provisioning history of maria.garcia@woodgrovebank.com, from Workday and to apps",
        args: r#"{"user":"maria.garcia@woodgrovebank.com","since":"30d"}"#,
        facts: &[
            Fact::Some("events/*/app", "Workday Inbound"),
            Fact::Some("events/*/app", "Sales CRM"),
            Fact::Some("events/*/status", "failure"),
            Fact::Every("events/*/user_id", "~-"),
        ],
    },
    Example {
        question: "Workday provisioning warnings about managers",
        args: r#"{"app":"Workday Inbound","filter":"provisioningStatusInfo/status eq 'warning'","since":"7d"}"#,
        facts: &[Fact::Every("events/*/status", "warning"), Fact::Some("events/*/reason", "~manager")],
    },
    Example {
        question: "Provisioning events for an app that does not exist",
        args: r#"{"app":"No Such App"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
    Example {
        question: "Provisioning events filtered on a field outside the allow-list",
        args: r#"{"filter":"tenantId eq 'x'"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`filter`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_PROVISIONING_EVENTS, list_provisioning_events)
}
