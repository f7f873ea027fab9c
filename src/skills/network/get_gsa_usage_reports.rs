//! `get_gsa_usage_reports` (beta): how Global Secure Access is used in a window — users,
//! devices and destinations per traffic profile (`entitiesSummaries`), cloud against enterprise
//! app use per day (`getApplicationUsageAnalytics`, by transactions), the top cloud apps
//! (`getCloudApplicationReport`) and the users moving the most bytes, all read concurrently.
//!
//! No report function gives bytes per user, so the top users are summed from the traffic log
//! (`sentBytes`, `receivedBytes`), at most 5,000 entries, with a note when the window holds
//! more. The entities summary anchors the answer; any other section that cannot be read
//! becomes a note. † The newer report functions' pages name `NetworkAccess.Read.All`, the older
//! ones `NetworkAccess-Reports.Read.All`; both are declared.

use std::collections::BTreeMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

use super::gsa::*;

const GET_GSA_USAGE_REPORTS: Declaration = Declaration {
    name: "get_gsa_usage_reports",
    title: "Get Global Secure Access usage reports",
    description: "(beta) Global Secure Access usage in a window: users, devices and destinations per traffic profile (internet, private, Microsoft 365), cloud against private app use per day, top cloud apps by traffic and the top users by bandwidth volume. Internet or Private Access licence. Global Secure Access Log Reader.",
    toolset: Toolset::Network,
    permissions: &["NetworkAccess-Reports.Read.All", "NetworkAccess.Read.All"],
    least_role: "Global Secure Access Log Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetGsaUsageReportsParams {
    /// Start of the window (default 7d ago).
    pub since: Option<Since>,
    pub until: Option<Since>,
    /// Rows in each top list (default 25).
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EntitiesSummary {
    traffic_type: Option<String>,
    user_count: Option<i64>,
    device_count: Option<i64>,
    workload_count: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UsagePoint {
    time_stamp_date_time: Option<String>,
    cloud_apps_count: Option<i64>,
    enterprise_apps_count: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CloudApplication {
    name: Option<String>,
    categories: Vec<String>,
    transaction_count: Option<i64>,
    user_count: Option<i64>,
    total_bytes_sent: Option<i64>,
    total_bytes_received: Option<i64>,
    risk_score: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProfileUsage {
    /// `internet`, `private` or `microsoft365`.
    pub traffic_type: String,
    pub users: i64,
    pub devices: i64,
    /// Distinct workloads (destinations) reached.
    pub workloads: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DailyUsage {
    pub day: String,
    /// Transactions to cloud apps (internet and Microsoft 365 traffic).
    pub cloud_apps: i64,
    /// Transactions to enterprise (Private Access) apps.
    pub enterprise_apps: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AppUsage {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub transactions: i64,
    pub users: i64,
    pub bytes_sent: i64,
    pub bytes_received: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_score: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GsaUsage {
    pub since: String,
    pub until: String,
    pub by_traffic_type: Vec<ProfileUsage>,
    pub daily: Vec<DailyUsage>,
    /// Cloud apps by bytes moved, most first.
    pub top_apps: Vec<AppUsage>,
    /// Users by bytes moved, most first.
    pub top_users: Vec<UserVolume>,
}

/// Traffic log entries summed for the top users, at most.
const VOLUME_READ: usize = 5000;

async fn get_gsa_usage_reports(ctx: Ctx, p: GetGsaUsageReportsParams) -> Result<GsaUsage, SkillError> {
    let top = p.limit.get()?;
    let (start, end) = window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::days(7), TRAFFIC_RETENTION_DAYS)?;
    let end = end.unwrap_or(ctx.now);
    let entities = GraphRequest::get(report("entitiesSummaries", start, end, &[])).beta();
    let analytics = GraphRequest::get(report(
        "getApplicationUsageAnalytics",
        start,
        end,
        &[("aggregatedBy", "'transactions'".to_string())],
    ))
    .beta();
    let apps = GraphRequest::get(report("getCloudApplicationReport", start, end, &[])).beta();
    let volume = GraphRequest::get(TRAFFIC).beta().query(
        Query::new()
            .select(&["userId", "userPrincipalName", "sentBytes", "receivedBytes"])
            .filter(Expr::ge("createdDateTime", start).and(Expr::le("createdDateTime", end)))
            .top(1000),
    );
    let (entities, analytics, apps, volume) = tokio::join!(
        ctx.graph.list::<EntitiesSummary>(entities, 100),
        ctx.graph.list::<UsagePoint>(analytics, 400),
        ctx.graph.list::<CloudApplication>(apps, 1000),
        ctx.graph.list::<Traffic>(volume, VOLUME_READ),
    );
    let entities = entities.map_err(licensed)?;
    let by_traffic_type = entities
        .items
        .into_iter()
        .map(|e| ProfileUsage {
            traffic_type: e.traffic_type.unwrap_or_default(),
            users: e.user_count.unwrap_or(0),
            devices: e.device_count.unwrap_or(0),
            workloads: e.workload_count.unwrap_or(0),
        })
        .collect();
    let daily = ctx
        .optional("daily app usage (getApplicationUsageAnalytics)", analytics)
        .map(|page| {
            page.items
                .into_iter()
                .map(|d| DailyUsage {
                    day: d.time_stamp_date_time.unwrap_or_default(),
                    cloud_apps: d.cloud_apps_count.unwrap_or(0),
                    enterprise_apps: d.enterprise_apps_count.unwrap_or(0),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut top_apps: Vec<AppUsage> = ctx
        .optional("top cloud apps (getCloudApplicationReport)", apps)
        .map(|page| {
            page.items
                .into_iter()
                .map(|a| AppUsage {
                    name: a.name.unwrap_or_default(),
                    category: a.categories.into_iter().next(),
                    transactions: a.transaction_count.unwrap_or(0),
                    users: a.user_count.unwrap_or(0),
                    bytes_sent: a.total_bytes_sent.unwrap_or(0),
                    bytes_received: a.total_bytes_received.unwrap_or(0),
                    risk_score: a.risk_score,
                })
                .collect()
        })
        .unwrap_or_default();
    top_apps.sort_by_key(|a| std::cmp::Reverse(a.bytes_sent + a.bytes_received));
    top_apps.truncate(top);
    let top_users = match ctx.optional("top users (traffic log)", volume) {
        Some(page) => {
            if page.more {
                ctx.note(format!(
                    "top users are summed over the first {} traffic entries of the window; narrow `since`",
                    page.items.len()
                ));
            }
            volumes(&page.items, top)
        }
        None => Vec::new(),
    };
    Ok(GsaUsage { since: instant(start), until: instant(end), by_traffic_type, daily, top_apps, top_users })
}

fn volumes(entries: &[Traffic], top: usize) -> Vec<UserVolume> {
    let mut by_user: BTreeMap<String, UserVolume> = BTreeMap::new();
    for t in entries {
        let user = t.user();
        let entry = by_user.entry(user.clone()).or_insert_with(|| UserVolume {
            user,
            bytes_sent: 0,
            bytes_received: 0,
            total_bytes: 0,
            transactions: 0,
        });
        entry.bytes_sent += t.sent_bytes.unwrap_or(0);
        entry.bytes_received += t.received_bytes.unwrap_or(0);
        entry.total_bytes = entry.bytes_sent + entry.bytes_received;
        entry.transactions += 1;
    }
    let mut users: Vec<UserVolume> = by_user.into_values().collect();
    users.sort_by_key(|u| std::cmp::Reverse(u.total_bytes));
    users.truncate(top);
    users
}

impl Render for GsaUsage {
    fn markdown(&self) -> String {
        let profiles: Vec<Vec<String>> = self
            .by_traffic_type
            .iter()
            .map(|p| vec![p.traffic_type.clone(), p.users.to_string(), p.devices.to_string(), p.workloads.to_string()])
            .collect();
        let mut text = format!(
            "Global Secure Access usage {} – {} UTC\n{}",
            short_time(&self.since),
            short_time(&self.until),
            table(&["traffic", "users", "devices", "workloads"], &profiles)
        );
        if !self.top_users.is_empty() {
            let rows: Vec<Vec<String>> = self
                .top_users
                .iter()
                .map(|u| {
                    vec![
                        u.user.clone(),
                        bytes(u.total_bytes),
                        bytes(u.bytes_sent),
                        bytes(u.bytes_received),
                        u.transactions.to_string(),
                    ]
                })
                .collect();
            text.push_str(&format!(
                "\n\nTop users by volume:\n{}",
                table(&["user", "total", "sent", "received", "transactions"], &rows)
            ));
        }
        if !self.top_apps.is_empty() {
            let rows: Vec<Vec<String>> = self
                .top_apps
                .iter()
                .map(|a| {
                    vec![
                        a.name.clone(),
                        a.category.clone().unwrap_or_default(),
                        bytes(a.bytes_sent + a.bytes_received),
                        a.users.to_string(),
                        a.transactions.to_string(),
                    ]
                })
                .collect();
            text.push_str(&format!(
                "\n\nTop cloud apps:\n{}",
                table(&["app", "category", "volume", "users", "transactions"], &rows)
            ));
        }
        if !self.daily.is_empty() {
            let rows: Vec<Vec<String>> = self
                .daily
                .iter()
                .map(|d| vec![short_time(&d.day), d.cloud_apps.to_string(), d.enterprise_apps.to_string()])
                .collect();
            text.push_str(&format!(
                "\n\nTransactions per day:\n{}",
                table(&["day", "cloud apps", "private apps"], &rows)
            ));
        }
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who uses the most bandwidth through Global Secure Access, and which cloud apps see the most traffic?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("top_users/0/user", "noah.kim@woodgrovebank.com"),
            Fact::Some("top_apps/0/name", "GitHub"),
            Fact::Some("by_traffic_type/*/traffic_type", "private"),
            Fact::AtLeast("daily/*", 7),
        ],
    },
    Example {
        question: "Global Secure Access usage since yesterday's start, top 3",
        args: r#"{"since":"24h","limit":3}"#,
        facts: &[Fact::Count("top_users/*", 3), Fact::AtLeast("top_apps/*", 1)],
    },
    Example {
        question: "Usage reports since a date that is not a date",
        args: r#"{"since":"last spring"}"#,
        facts: &[Fact::Fails(crate::skill::ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_GSA_USAGE_REPORTS, get_gsa_usage_reports)
}
