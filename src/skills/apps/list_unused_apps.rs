//! `list_unused_apps` (beta): apps that have not signed in for N days, from the beta service
//! principal sign-in activity report joined with the tenant's service principals, with the
//! last sign-in of each kind (delegated, app-only, as a resource).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::{MICROSOFT_SERVICES_TENANT, ServicePrincipal, SignInActivity, is_microsoft};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table};
use crate::shared::{Limit, ListInfo};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_UNUSED_APPS: Declaration = Declaration {
    name: "list_unused_apps",
    title: "List unused apps",
    description: "(beta) Apps idle for N days (default 90): enterprise apps with no sign-in since, or none recorded, with the last sign-in per kind (delegated, app-only, as an API). Microsoft's first-party apps left out. Candidates to disable or clean up. Reports Reader.",
    toolset: Toolset::Apps,
    permissions: &["AuditLog.Read.All", "Application.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

/// Apps read from the tenant and rows read from the report, at most.
const MAX_APPS: usize = 5000;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListUnusedAppsParams {
    /// Idle for at least this many days (default 90, 1–730).
    pub days: Option<i64>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UnusedApp {
    pub display_name: Option<String>,
    /// The service principal's object id.
    pub id: String,
    pub app_id: Option<String>,
    /// Last sign-in of any kind; absent when none is recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sign_in: Option<String>,
    /// Days since the last sign-in (or since it was added, when none is recorded).
    pub idle_days: i64,
    /// A user signed in to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_delegated: Option<String>,
    /// It signed in as itself (client credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_app_only: Option<String>,
    /// Another app called it as an API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_as_resource: Option<String>,
    pub enabled: Option<bool>,
    pub created: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UnusedApps {
    pub days: i64,
    /// Most idle first.
    pub apps: Vec<UnusedApp>,
    #[serde(flatten)]
    pub list: ListInfo,
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

fn parse(time: Option<&str>) -> Option<DateTime<Utc>> {
    time.and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
}

async fn list_unused_apps(ctx: Ctx, p: ListUnusedAppsParams) -> Result<UnusedApps, SkillError> {
    let limit = p.limit.get()?;
    let days = p.days.unwrap_or(90);
    if !(1..=730).contains(&days) {
        return Err(SkillError::invalid_value(
            "days",
            format!("{days} is out of range"),
            "a whole number of days from 1 to 730",
        ));
    }
    let cutoff = ctx.now - Duration::days(days);
    let report = GraphRequest::get("/reports/servicePrincipalSignInActivities").beta().query(Query::new().top(999));
    let apps = GraphRequest::get("/servicePrincipals").query(
        Query::new()
            .select(&["id", "appId", "displayName", "appOwnerOrganizationId", "accountEnabled", "createdDateTime"])
            .filter(Expr::ne("appOwnerOrganizationId", MICROSOFT_SERVICES_TENANT))
            .orderby("displayName")
            .count()
            .top(999),
    );
    let (report, apps) = tokio::join!(
        ctx.graph.list::<SignInActivity>(report, MAX_APPS),
        ctx.graph.list::<ServicePrincipal>(apps, MAX_APPS)
    );
    let report = report.map_err(|e| {
        if e.kind == ErrorKind::Forbidden {
            e.with_remedy("the sign-in activity report needs AuditLog.Read.All and Reports Reader (or Security Reader); it is a beta API")
        } else {
            e
        }
    })?;
    let apps = apps?;
    if report.more || apps.more {
        ctx.note(format!("read at most {MAX_APPS} apps and report rows; apps beyond them are not judged"));
    }
    let activity: HashMap<String, SignInActivity> =
        report.items.into_iter().filter_map(|a| Some((a.app_id.clone()?.to_ascii_lowercase(), a))).collect();
    let mut idle: Vec<UnusedApp> = Vec::new();
    for sp in apps.items.into_iter().filter(|sp| !is_microsoft(sp.app_owner_organization_id.as_deref())) {
        let record = sp.app_id.as_deref().and_then(|a| activity.get(&a.to_ascii_lowercase()));
        let last = record.and_then(SignInActivity::last);
        // Without a recorded sign-in, an app is idle once it has existed for the whole window.
        let since = match parse(last.as_deref()) {
            Some(t) => t,
            None => match parse(sp.created_date_time.as_deref()) {
                Some(created) => created,
                None => continue,
            },
        };
        if since >= cutoff {
            continue;
        }
        idle.push(UnusedApp {
            idle_days: (ctx.now - since).num_days(),
            last_delegated: record.and_then(SignInActivity::delegated_client),
            last_app_only: record.and_then(SignInActivity::app_only_client),
            last_as_resource: record.and_then(SignInActivity::as_resource),
            last_sign_in: last,
            display_name: sp.display_name,
            id: sp.id,
            app_id: sp.app_id,
            enabled: sp.account_enabled,
            created: sp.created_date_time,
        });
    }
    idle.sort_by(|a, b| b.idle_days.cmp(&a.idle_days).then_with(|| a.display_name.cmp(&b.display_name)));
    let total = idle.len();
    idle.truncate(limit);
    Ok(UnusedApps { days, list: ListInfo::new(idle.len(), Some(total as u64), false, "`days` or `limit`"), apps: idle })
}

impl Render for UnusedApps {
    fn rows(&self) -> Option<usize> {
        Some(self.apps.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.apps.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let time = |t: &Option<String>| t.as_deref().map(short_time).unwrap_or_else(|| "-".into());
        let rows: Vec<Vec<String>> = self
            .apps
            .iter()
            .map(|a| {
                vec![
                    or_dash(&a.display_name),
                    a.last_sign_in.as_deref().map(short_time).unwrap_or_else(|| "none recorded".into()),
                    a.idle_days.to_string(),
                    time(&a.last_delegated),
                    time(&a.last_app_only),
                    time(&a.last_as_resource),
                    a.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} idle for {}+ days\n{}{}",
            plural(self.list.returned, "app"),
            self.days,
            table(&["app", "last sign-in (UTC)", "idle days", "delegated", "app-only", "as API", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which apps have not been used for 90 days?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("apps/*/display_name", "Legacy Reports Portal"),
            Fact::No("apps/*/display_name", "Payroll Sync"),
            Fact::AtLeast("apps/0/idle_days", 170),
        ],
    },
    Example {
        question: "Apps with no sign-in for the last month",
        args: r#"{"days":30}"#,
        facts: &[
            Fact::Some("apps/*/display_name", "Contoso Meeting Notes"),
            Fact::Some("apps/*/display_name", "Legacy Reports Portal"),
        ],
    },
    Example {
        question: "Idle apps over a window that is too long",
        args: r#"{"days":5000}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_UNUSED_APPS, list_unused_apps)
}
