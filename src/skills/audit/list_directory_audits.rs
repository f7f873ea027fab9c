//! `list_directory_audits`: directory changes in a window, by initiator, activity, category,
//! service, target or result.
use std::collections::BTreeMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::DirectoryAudit;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table, trim_opt};
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};
use crate::skills::shared::*;

const AUDIT_RETENTION_DAYS: i64 = 30;

const LIST_DIRECTORY_AUDITS: Declaration = Declaration {
    name: "list_directory_audits",
    title: "List directory audits",
    description: "Directory changes in a window (default 7d): who did what to which object — by initiator, activity, category, service, target object, or result. Reports Reader.",
    toolset: Toolset::Audit,
    permissions: &["AuditLog.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AuditResult {
    Success,
    Failure,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListDirectoryAuditsParams {
    /// UPN of the person who made the change.
    pub initiated_by: Option<UserRef>,
    /// Exact activity, e.g. `Add member to group`, `Update conditional access policy`.
    pub activity: Option<String>,
    /// e.g. `UserManagement`, `GroupManagement`, `RoleManagement`, `Policy`, `ApplicationManagement`.
    pub category: Option<String>,
    /// e.g. `Core Directory`, `PIM`, `Conditional Access`.
    pub service: Option<String>,
    /// Object id of the changed object.
    pub target: Option<String>,
    pub result: Option<AuditResult>,
    /// Extra OData: eq/ne/ge/le/startswith joined by and, on activityDisplayName, category, loggedByService, result, operationType, initiatedBy/user/userPrincipalName, initiatedBy/app/displayName.
    pub filter: Option<String>,
    pub since: Option<Since>,
    pub until: Option<Since>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AuditTarget {
    pub id: Option<String>,
    pub name: Option<String>,
    /// `User`, `Group`, `Policy`, `ServicePrincipal`, `Role`, …
    pub kind: Option<String>,
    /// Names of the properties changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AuditRow {
    pub id: String,
    pub time: Option<String>,
    pub activity: Option<String>,
    pub category: Option<String>,
    pub service: Option<String>,
    pub result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_reason: Option<String>,
    /// UPN of the user, or the app's name.
    pub initiated_by: Option<String>,
    pub targets: Vec<AuditTarget>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AuditList {
    pub since: String,
    pub audits: Vec<AuditRow>,
    /// Returned events per activity.
    pub by_activity: BTreeMap<String, usize>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn list_directory_audits(ctx: Ctx, p: ListDirectoryAuditsParams) -> Result<AuditList, SkillError> {
    let limit = p.limit.get()?;
    let (start, end) = window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::days(7), AUDIT_RETENTION_DAYS)?;
    let mut clauses = vec![Expr::ge("activityDateTime", start)];
    if let Some(end) = end {
        clauses.push(Expr::le("activityDateTime", end));
    }
    if let Some(user) = &p.initiated_by {
        let key = user.parse("initiated_by")?;
        clauses.push(match key {
            UserKey::Upn(upn) => Expr::eq("initiatedBy/user/userPrincipalName", upn),
            UserKey::Id(id) => Expr::eq("initiatedBy/user/id", id.to_string()),
            UserKey::Me => {
                Expr::eq("initiatedBy/user/id", resolve_user(&ctx, &key).await?.id)
            }
        });
    }
    if let Some(activity) = &p.activity {
        clauses.push(Expr::eq("activityDisplayName", text("activity", activity, 120)?));
    }
    if let Some(category) = &p.category {
        clauses.push(Expr::eq("category", text("category", category, 120)?));
    }
    if let Some(service) = &p.service {
        clauses.push(Expr::eq("loggedByService", text("service", service, 120)?));
    }
    if let Some(target) = &p.target {
        let id = parse_guid("target", target)?;
        clauses.push(Expr::any("targetResources", "t", Expr::eq("t/id", id.to_string())));
    }
    match p.result {
        Some(AuditResult::Success) => clauses.push(Expr::eq("result", "success")),
        Some(AuditResult::Failure) => clauses.push(Expr::eq("result", "failure")),
        None => {}
    }
    if let Some(filter) = &p.filter {
        clauses.push(allowed_filter(filter, AUDIT_FILTER_FIELDS)?);
    }
    let query = Query::new()
        .select(&[
            "id",
            "activityDateTime",
            "activityDisplayName",
            "category",
            "loggedByService",
            "result",
            "resultReason",
            "initiatedBy",
            "targetResources",
        ])
        .filter_opt(Expr::conjunction(clauses))
        .orderby("activityDateTime desc")
        .top(limit.min(999));
    let page =
        ctx.graph.list::<DirectoryAudit>(GraphRequest::get("/auditLogs/directoryAudits").query(query), limit).await?;
    let audits: Vec<AuditRow> = page.items.into_iter().map(audit_row).collect();
    let mut by_activity = BTreeMap::new();
    for a in &audits {
        *by_activity.entry(a.activity.clone().unwrap_or_default()).or_insert(0) += 1;
    }
    let list = ListInfo::new(
        audits.len(),
        page.total,
        page.more,
        "`since`, `initiated_by`, `activity`, `category` or `target`",
    );
    Ok(AuditList { since: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), audits, by_activity, list })
}

fn audit_row(a: DirectoryAudit) -> AuditRow {
    let initiator = a.initiated_by.unwrap_or_default();
    let initiated_by = initiator
        .user
        .and_then(|u| u.user_principal_name.or(u.display_name))
        .or_else(|| initiator.app.and_then(|app| app.display_name.map(|n| format!("app: {n}"))));
    let targets = a
        .target_resources
        .unwrap_or_default()
        .into_iter()
        .take(5)
        .map(|t| AuditTarget {
            id: t.id,
            name: t.display_name.or(t.user_principal_name),
            kind: t.kind,
            changed: t
                .modified_properties
                .unwrap_or_default()
                .into_iter()
                .filter_map(|m| m.display_name)
                .take(10)
                .collect(),
        })
        .collect();
    AuditRow {
        id: a.id,
        time: a.activity_date_time,
        activity: a.activity_display_name,
        category: a.category,
        service: a.logged_by_service,
        result: a.result,
        result_reason: trim_opt(a.result_reason.filter(|r| !r.is_empty())),
        initiated_by,
        targets,
    }
}

impl Render for AuditList {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .audits
            .iter()
            .map(|a| {
                let targets = a
                    .targets
                    .iter()
                    .map(|t| {
                        let name = t.name.clone().or(t.id.clone()).unwrap_or_default();
                        if t.changed.is_empty() { name } else { format!("{name} [{}]", t.changed.join(", ")) }
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut result = or_dash(&a.result);
                if let Some(reason) = &a.result_reason {
                    result = format!("{result}: {reason}");
                }
                vec![
                    a.time.as_deref().map(short_time).unwrap_or_default(),
                    or_dash(&a.activity),
                    or_dash(&a.initiated_by),
                    targets,
                    result,
                    or_dash(&a.service),
                    a.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} audit events since {} UTC\n{}{}",
            self.list.returned,
            short_time(&self.since),
            table(&["time (UTC)", "activity", "by", "target", "result", "service", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What changed in the directory this week?",
        args: r#"{"since":"7d","limit":200}"#,
        facts: &[
            Fact::AtLeast("audits/*", 5),
            Fact::Some("audits/*/targets/*/name", "~CA003"),
            Fact::Some("audits/*/result", "failure"),
        ],
    },
    Example {
        question: "What did marcus@woodgrovebank.com change in the last 30 days?",
        args: r#"{"initiated_by":"marcus@woodgrovebank.com","since":"30d"}"#,
        facts: &[Fact::Every("audits/*/initiated_by", "marcus@woodgrovebank.com")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_DIRECTORY_AUDITS, list_directory_audits)
}
