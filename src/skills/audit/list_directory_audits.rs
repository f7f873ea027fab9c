//! `list_directory_audits`: directory changes in a window, by initiator, activity, category,
//! service, target or result — or everything done by or to one person (`user`), which takes two
//! queries because Graph cannot `or` the initiator with the targets.
use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::{DirectoryAudit, Group};
use crate::graph::{GraphRequest, Page, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table, trim_opt};
use crate::shared::resolve::{self, GROUP, Kind};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const AUDIT_RETENTION_DAYS: i64 = 30;

const LIST_DIRECTORY_AUDITS: Declaration = Declaration {
    name: "list_directory_audits",
    title: "List directory audits",
    description: "Directory changes in a window (default 7d): who changed what. `user`: everything done by or to one person; `initiated_by`: only what they did; `target`: only what was done to a user, group or object id. Also by activity, category, service or result. Reports Reader.",
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
    /// Changes made by or to this person (UPN, object id or `me`), each row marked `relation`. Not with `initiated_by` or `target`.
    pub user: Option<UserRef>,
    /// Only changes this person made (UPN, object id or `me`).
    pub initiated_by: Option<UserRef>,
    /// Exact activity, e.g. `Add member to group`, `Update conditional access policy`.
    pub activity: Option<String>,
    /// e.g. `UserManagement`, `GroupManagement`, `RoleManagement`, `Policy`, `ApplicationManagement`.
    pub category: Option<String>,
    /// e.g. `Core Directory`, `PIM`, `Conditional Access`.
    pub service: Option<String>,
    /// Only changes to this object: a user's UPN, a group's exact display name, or any object's id (give the id for apps, policies, roles and devices).
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
    /// With `user`: whether the change was made `by` them, `to` them, or both (`by_and_to`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
}

/// How a row relates to the `user` asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    By,
    To,
    ByAndTo,
}

impl Relation {
    fn of(by: bool, to: bool) -> Option<Relation> {
        match (by, to) {
            (true, true) => Some(Relation::ByAndTo),
            (true, false) => Some(Relation::By),
            (false, true) => Some(Relation::To),
            (false, false) => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Relation::By => "by",
            Relation::To => "to",
            Relation::ByAndTo => "by_and_to",
        }
    }
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

/// What a `target` given by name is looked up as: a group, reported under the `target` field.
const TARGET_GROUP: Kind = Kind { field: "target", ..GROUP };

/// What the group lookup reads: the id, the name, and what tells two groups of one name apart.
const GROUP_SELECT: &[&str] = &["id", "displayName", "mail", "mailEnabled", "securityEnabled", "groupTypes"];

const AUDIT_SELECT: &[&str] = &[
    "id",
    "activityDateTime",
    "activityDisplayName",
    "category",
    "loggedByService",
    "result",
    "resultReason",
    "initiatedBy",
    "targetResources",
];

/// The object id a `target` names: a GUID as is, a UPN's user, or else a group by exact name.
async fn target_id(ctx: &Ctx, target: &str) -> Result<String, SkillError> {
    if let Some(id) = given_id(target) {
        return Ok(id);
    }
    if target.contains('@') {
        let key = UserRef::new(target).parse("target")?;
        return Ok(resolve_user(ctx, &key).await?.id);
    }
    match resolve::resolve::<Group>(ctx, &TARGET_GROUP, target, GROUP_SELECT).await {
        Ok(group) => Ok(group.id),
        // Only groups are looked up by name; other objects are named by id, and the error says so.
        Err(e) if e.kind == ErrorKind::NotFound => {
            let remedy = e.remedy.clone().unwrap_or_default();
            Err(e.with_remedy(format!("{remedy}; for an app, policy, role or device give its object id")))
        }
        Err(e) => Err(e),
    }
}

/// One query of the audit log, newest first, at most `limit` rows.
async fn audits(ctx: &Ctx, filter: Option<Expr>, limit: usize) -> Result<Page<DirectoryAudit>, SkillError> {
    let query =
        Query::new().select(AUDIT_SELECT).filter_opt(filter).orderby("activityDateTime desc").top(limit.min(999));
    ctx.graph.list::<DirectoryAudit>(GraphRequest::get("/auditLogs/directoryAudits").query(query), limit).await
}

fn made_by(a: &DirectoryAudit, id: &str) -> bool {
    a.initiated_by
        .as_ref()
        .and_then(|i| i.user.as_ref())
        .and_then(|u| u.id.as_deref())
        .is_some_and(|u| u.eq_ignore_ascii_case(id))
}

fn made_to(a: &DirectoryAudit, id: &str) -> bool {
    a.target_resources
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|t| t.id.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(id)))
}

fn time_of(a: &DirectoryAudit) -> Option<DateTime<Utc>> {
    a.activity_date_time.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
}

/// Everything by or to one user: the initiator query and the target query run at once (Graph
/// has no `or` across the two), then [`merge`].
async fn by_or_to(
    ctx: &Ctx,
    user: &UserRef,
    clauses: Vec<Expr>,
    limit: usize,
) -> Result<(Vec<AuditRow>, bool), SkillError> {
    let key = user.parse("user")?;
    // An id is used as is, so a deleted user's history still reads; a UPN or `me` costs one
    // lookup, since the targets can only be filtered by id.
    let id = match key {
        UserKey::Id(id) => id.to_string(),
        UserKey::Upn(_) | UserKey::Me => resolve_user(ctx, &key).await?.id,
    };
    let mut by = clauses.clone();
    by.push(Expr::eq("initiatedBy/user/id", id.as_str()));
    let mut to = clauses;
    to.push(Expr::any("targetResources", "t", Expr::eq("t/id", id.as_str())));
    let (by, to) = tokio::join!(audits(ctx, Expr::conjunction(by), limit), audits(ctx, Expr::conjunction(to), limit));
    Ok(merge(by?, to?, &id, limit))
}

/// Merges the two answers newest first, once per audit id, capped at `limit`; each query read
/// at most `limit` rows newest first, so the first `limit` of the merge are the newest overall.
/// The relation is read from each row, so a row only one query returned that also matches the
/// other side is still `by_and_to`.
fn merge(by: Page<DirectoryAudit>, to: Page<DirectoryAudit>, id: &str, limit: usize) -> (Vec<AuditRow>, bool) {
    let mut more = by.more || to.more;
    let mut seen = HashSet::new();
    let mut merged: Vec<DirectoryAudit> =
        by.items.into_iter().chain(to.items).filter(|a| seen.insert(a.id.clone())).collect();
    merged.sort_by_key(|a| std::cmp::Reverse(time_of(a)));
    if merged.len() > limit {
        merged.truncate(limit);
        more = true;
    }
    let rows = merged
        .into_iter()
        .map(|a| {
            let relation = Relation::of(made_by(&a, id), made_to(&a, id));
            AuditRow { relation, ..audit_row(a) }
        })
        .collect();
    (rows, more)
}

async fn list_directory_audits(ctx: Ctx, p: ListDirectoryAuditsParams) -> Result<AuditList, SkillError> {
    if p.user.is_some() {
        for (field, given) in [("initiated_by", p.initiated_by.is_some()), ("target", p.target.is_some())] {
            if given {
                return Err(SkillError::invalid_value(
                    "user",
                    format!("cannot be combined with `{field}` (`user` already covers changes by and to the person)"),
                    "a person on its own (changes by or to them); for one direction use `initiated_by` or `target` without `user`",
                ));
            }
        }
    }
    let limit = p.limit.get()?;
    let (start, end) = window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::days(7), AUDIT_RETENTION_DAYS)?;
    // The clauses every query shares; `user` adds its own two below.
    let mut clauses = vec![Expr::ge("activityDateTime", start)];
    if let Some(end) = end {
        clauses.push(Expr::le("activityDateTime", end));
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
    match p.result {
        Some(AuditResult::Success) => clauses.push(Expr::eq("result", "success")),
        Some(AuditResult::Failure) => clauses.push(Expr::eq("result", "failure")),
        None => {}
    }
    if let Some(filter) = &p.filter {
        clauses.push(allowed_filter(filter, AUDIT_FILTER_FIELDS)?);
    }
    let (audits, total, more) = if let Some(user) = &p.user {
        let (rows, more) = by_or_to(&ctx, user, clauses, limit).await?;
        (rows, None, more)
    } else {
        if let Some(user) = &p.initiated_by {
            let key = user.parse("initiated_by")?;
            clauses.push(match key {
                UserKey::Upn(upn) => Expr::eq("initiatedBy/user/userPrincipalName", upn),
                UserKey::Id(id) => Expr::eq("initiatedBy/user/id", id.to_string()),
                UserKey::Me => Expr::eq("initiatedBy/user/id", resolve_user(&ctx, &key).await?.id),
            });
        }
        if let Some(target) = &p.target {
            let id = target_id(&ctx, target).await?;
            clauses.push(Expr::any("targetResources", "t", Expr::eq("t/id", id)));
        }
        let page = audits(&ctx, Expr::conjunction(clauses), limit).await?;
        (page.items.into_iter().map(audit_row).collect(), page.total, page.more)
    };
    let mut by_activity = BTreeMap::new();
    for a in &audits {
        *by_activity.entry(a.activity.clone().unwrap_or_default()).or_insert(0) += 1;
    }
    // With `user`, the other person and object filters are refused, so they are not offered.
    let narrow = if p.user.is_some() {
        "`since`, `activity`, `category` or `result`"
    } else {
        "`since`, `user`, `initiated_by`, `activity`, `category` or `target`"
    };
    let list = ListInfo::new(audits.len(), total, more, narrow);
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
        relation: None,
    }
}

impl Render for AuditList {
    fn rows(&self) -> Option<usize> {
        Some(self.audits.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.audits.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        // The relation column shows only when `user` was asked, as the field does.
        let with_relation = self.audits.iter().any(|a| a.relation.is_some());
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
                let mut row = vec![
                    a.time.as_deref().map(short_time).unwrap_or_default(),
                    or_dash(&a.activity),
                    or_dash(&a.initiated_by),
                    targets,
                    result,
                    or_dash(&a.service),
                    a.id.clone(),
                ];
                if with_relation {
                    row.insert(1, a.relation.map(Relation::as_str).unwrap_or("-").to_string());
                }
                row
            })
            .collect();
        let mut header = vec!["time (UTC)", "activity", "by", "target", "result", "service", "id"];
        if with_relation {
            header.insert(1, "relation");
        }
        format!(
            "{} audit events since {} UTC\n{}{}",
            self.list.returned,
            short_time(&self.since),
            table(&header, &rows),
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
        facts: &[Fact::Every("audits/*/initiated_by", "marcus@woodgrovebank.com"), Fact::Count("audits/*/relation", 0)],
    },
    Example {
        question: "Audit logs for karita@woodgrovebank.com for the past 72 hours",
        args: r#"{"user":"karita@woodgrovebank.com","since":"72h"}"#,
        facts: &[
            Fact::Some("audits/*/activity", "Reset user password"),
            Fact::Some("audits/*/activity", "User registered security info"),
            Fact::Some("audits/*/relation", "to"),
            Fact::Some("audits/*/relation", "by_and_to"),
            Fact::No("audits/*/activity", "Remove member from group"),
        ],
    },
    Example {
        question: "Audit logs for karita@woodgrovebank.com for the past 30 days",
        args: r#"{"user":"karita@woodgrovebank.com","since":"30d"}"#,
        facts: &[
            Fact::Some("audits/*/activity", "Remove member from group"),
            Fact::Some("audits/*/initiated_by", "kevin.obi@woodgrovebank.com"),
            Fact::Some("audits/*/relation", "to"),
            Fact::Every("audits/*/relation", "~"),
            Fact::Says("| to |"),
        ],
    },
    Example {
        question: "What did Priya do, and what was done to her account, this week?",
        args: r#"{"user":"priya@woodgrovebank.com","since":"7d"}"#,
        facts: &[
            Fact::Some("audits/*/relation", "by"),
            Fact::Some("audits/*/relation", "to"),
            Fact::Some("audits/*/relation", "by_and_to"),
            Fact::Some("audits/*/activity", "Consent to application"),
            Fact::Some("audits/*/initiated_by", "nadia.rahman@woodgrovebank.com"),
        ],
    },
    Example {
        question: "Who changed marcus@woodgrovebank.com's account this month?",
        args: r#"{"target":"marcus@woodgrovebank.com","since":"30d"}"#,
        facts: &[
            Fact::Some("audits/*/targets/*/name", "Marcus Lee"),
            Fact::Some("audits/*/activity", "Reset user password"),
            Fact::Some("audits/*/initiated_by", "kevin.obi@woodgrovebank.com"),
            Fact::Some("audits/*/result", "failure"),
            Fact::Count("audits/*/relation", 0),
        ],
    },
    Example {
        question: "Who changed the Incident Response Team group?",
        args: r#"{"target":"Incident Response Team","since":"30d"}"#,
        facts: &[
            Fact::Some("audits/*/activity", "Add group"),
            Fact::Every("audits/*/initiated_by", "marcus@woodgrovebank.com"),
        ],
    },
    Example {
        question: "Changes by or to Karita, made by Kevin",
        args: r#"{"user":"karita@woodgrovebank.com","initiated_by":"kevin.obi@woodgrovebank.com"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`user`"), Fact::Says("`initiated_by`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_DIRECTORY_AUDITS, list_directory_audits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KARITA: &str = "425dce14-ef1c-59e5-9bb9-cb85c4d5dbc8";

    fn audit(id: &str, time: &str, by: &str, to: &str) -> DirectoryAudit {
        let value = json!({
            "id": id,
            "activityDateTime": time,
            "initiatedBy": {"user": {"id": by}},
            "targetResources": [{"id": to}],
        });
        serde_json::from_value(value).unwrap_or_default()
    }

    fn page(items: Vec<DirectoryAudit>) -> Page<DirectoryAudit> {
        Page { items, total: None, more: false }
    }

    #[test]
    fn both_directions_merge_newest_first_once_each() {
        let other = "0b0b7c1e-3a4f-4d5e-8f60-718293a4b5c6";
        let both = audit("both", "2026-11-20T10:00:00Z", KARITA, KARITA);
        let by = page(vec![audit("by", "2026-11-21T09:00:00Z", KARITA, other), both.clone()]);
        let to = page(vec![audit("to", "2026-11-20T10:00:01.5Z", other, KARITA), both]);
        let (rows, more) = merge(by, to, KARITA, 10);
        let got: Vec<(&str, Option<Relation>)> = rows.iter().map(|r| (r.id.as_str(), r.relation)).collect();
        assert_eq!(got, [("by", Some(Relation::By)), ("to", Some(Relation::To)), ("both", Some(Relation::ByAndTo))]);
        assert!(!more);
    }

    #[test]
    fn the_merge_is_capped_and_says_more_exist() {
        let other = "0b0b7c1e-3a4f-4d5e-8f60-718293a4b5c6";
        let by = page(vec![audit("a", "2026-11-21T09:00:00Z", KARITA, other)]);
        let to = page(vec![audit("b", "2026-11-21T08:00:00Z", other, KARITA)]);
        let (rows, more) = merge(by, to, KARITA, 1);
        assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a"]);
        assert!(more);
    }
}
