//! `get_gsa_threats_and_cross_tenant` (beta): Global Secure Access's security picture in a
//! window — its alerts (`networkAccess/alerts`), the threats it blocked (blocked traffic with a
//! threat type), the web categories it blocked most, and cross-tenant access: the summary
//! (`getCrossTenantSummary`) and each other tenant reached (`crossTenantAccessReport`), with
//! the tenants first reached in the second half of the window marked new. All read
//! concurrently; the alerts anchor the answer, any other section that cannot be read becomes a
//! note.
//!
//! Alerts are filtered on `lastActivityDateTime` (the List page: every property filterable) and
//! the window's end is applied here. † The alerts page does not name its permission; the
//! network configuration one, `NetworkAccess.Read.All`, is declared beside the reports one.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{short_time, table, trim};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

use super::gsa::*;

const GET_GSA_THREATS_AND_CROSS_TENANT: Declaration = Declaration {
    name: "get_gsa_threats_and_cross_tenant",
    title: "Get Global Secure Access threats, alerts and cross-tenant access",
    description: "(beta) Global Secure Access security picture: network alerts by severity, threats blocked (malware, threat intelligence) with the users and hosts, most-blocked web categories, and cross-tenant access: how many other tenants were reached, which are new or rarely used, by how many users. Internet or Private Access licence. Global Secure Access Log Reader.",
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
pub struct GetGsaThreatsAndCrossTenantParams {
    /// Start of the window (default 7d ago).
    pub since: Option<Since>,
    pub until: Option<Since>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Alert {
    id: String,
    alert_type: Option<String>,
    severity: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    first_activity_date_time: Option<String>,
    last_activity_date_time: Option<String>,
    creation_date_time: Option<String>,
    related_resources: Vec<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CrossTenantSummary {
    auth_transaction_count: Option<i64>,
    tenant_count: Option<i64>,
    new_tenant_count: Option<i64>,
    rarely_used_tenant_count: Option<i64>,
    user_count: Option<i64>,
    device_count: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CrossTenantAccess {
    resource_tenant_id: Option<String>,
    resource_tenant_name: Option<String>,
    resource_tenant_primary_domain: Option<String>,
    usage_status: Option<String>,
    user_count: Option<i64>,
    device_count: Option<i64>,
    last_access_date_time: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AlertRow {
    pub id: String,
    /// `informational`, `low`, `medium`, `high`.
    pub severity: Option<String>,
    /// e.g. `malware`, `threatIntelligenceTransactions`, `webContentBlocked`, `crossTenantAnomaly`.
    pub alert_type: Option<String>,
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub first_activity: Option<String>,
    pub last_activity: Option<String>,
    /// Users the alert names.
    pub users: Vec<String>,
    /// Destinations the alert names.
    pub destinations: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ThreatRow {
    pub destination: String,
    pub threat_type: String,
    pub attempts: usize,
    pub users: Vec<String>,
    pub last: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BlockedCategory {
    pub category: String,
    pub attempts: usize,
    pub users: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CrossTenantTotals {
    pub transactions: i64,
    pub tenants: i64,
    /// Tenants first reached after the window's midpoint.
    pub new_tenants: i64,
    pub rarely_used_tenants: i64,
    pub users: i64,
    pub devices: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TenantRow {
    pub tenant_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// `frequentlyUsed` or `rarelyUsed`.
    pub usage: Option<String>,
    pub users: i64,
    pub devices: i64,
    pub last_access: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GsaSecurity {
    pub since: String,
    pub until: String,
    /// Most severe first.
    pub alerts: Vec<AlertRow>,
    pub threats: Vec<ThreatRow>,
    pub blocked_categories: Vec<BlockedCategory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_tenant: Option<CrossTenantTotals>,
    pub tenants: Vec<TenantRow>,
}

const ALERTS_READ: usize = 200;
const BLOCKED_READ: usize = 2000;

fn severity_rank(s: Option<&str>) -> u8 {
    match s {
        Some("high") => 0,
        Some("medium") => 1,
        Some("low") => 2,
        Some("informational") => 3,
        _ => 4,
    }
}

fn in_window(time: Option<&str>, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    time.and_then(|t| DateTime::parse_from_rfc3339(t).ok()).is_some_and(|t| {
        let t = t.with_timezone(&Utc);
        t >= start && t <= end
    })
}

fn related(resources: &[Value], field: &str) -> Vec<String> {
    resources.iter().filter_map(|r| r.get(field).and_then(Value::as_str)).map(str::to_string).collect()
}

async fn get_gsa_threats_and_cross_tenant(
    ctx: Ctx,
    p: GetGsaThreatsAndCrossTenantParams,
) -> Result<GsaSecurity, SkillError> {
    let (start, end) = window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::days(7), TRAFFIC_RETENTION_DAYS)?;
    let end = end.unwrap_or(ctx.now);
    let pivot = start + (end - start) / 2;
    let alerts = GraphRequest::get("/networkAccess/alerts")
        .beta()
        .query(
            Query::new()
                .filter(Expr::ge("lastActivityDateTime", start))
                .orderby("lastActivityDateTime desc")
                .top(ALERTS_READ),
        )
        .prefer_unknown_enums();
    let summary =
        GraphRequest::get(report("getCrossTenantSummary", start, end, &[("discoveryPivotDateTime", instant(pivot))]))
            .beta();
    let tenants = GraphRequest::get(report("crossTenantAccessReport", start, end, &[])).beta();
    let blocked = GraphRequest::get(TRAFFIC).beta().query(
        Query::new()
            .select(&[
                "createdDateTime",
                "userId",
                "userPrincipalName",
                "destinationFQDN",
                "destinationWebCategory",
                "threatType",
                "action",
            ])
            .filter(
                Expr::conjunction([
                    Expr::ge("createdDateTime", start),
                    Expr::le("createdDateTime", end),
                    Expr::eq("action", "block"),
                ])
                .unwrap_or_else(|| Expr::eq("action", "block")),
            )
            .orderby("createdDateTime desc")
            .top(1000),
    );
    let (alerts, summary, tenants, blocked) = tokio::join!(
        ctx.graph.list::<Alert>(alerts, ALERTS_READ),
        ctx.graph.get::<CrossTenantSummary>(summary),
        ctx.graph.list::<CrossTenantAccess>(tenants, 1000),
        ctx.graph.list::<Traffic>(blocked, BLOCKED_READ),
    );
    let alerts = alerts.map_err(licensed)?;
    let mut alerts: Vec<AlertRow> = alerts
        .items
        .into_iter()
        .filter(|a| in_window(a.last_activity_date_time.as_deref().or(a.creation_date_time.as_deref()), start, end))
        .map(|a| AlertRow {
            users: related(&a.related_resources, "userPrincipalName"),
            destinations: related(&a.related_resources, "fqdn"),
            id: a.id,
            severity: a.severity,
            alert_type: a.alert_type,
            name: a.display_name,
            description: a.description.map(|d| trim(&d, 200)),
            first_activity: a.first_activity_date_time,
            last_activity: a.last_activity_date_time,
        })
        .collect();
    alerts.sort_by(|a, b| {
        severity_rank(a.severity.as_deref())
            .cmp(&severity_rank(b.severity.as_deref()))
            .then(b.last_activity.cmp(&a.last_activity))
    });

    let (threats, blocked_categories) = match ctx.optional("blocked traffic (traffic log)", blocked) {
        Some(page) => {
            if page.more {
                ctx.note("threats and blocked categories count the newest 2,000 blocked entries; narrow `since`");
            }
            blocked_summary(&page.items)
        }
        None => (Vec::new(), Vec::new()),
    };
    let cross_tenant =
        ctx.optional("cross-tenant summary (getCrossTenantSummary)", summary).map(|s| CrossTenantTotals {
            transactions: s.auth_transaction_count.unwrap_or(0),
            tenants: s.tenant_count.unwrap_or(0),
            new_tenants: s.new_tenant_count.unwrap_or(0),
            rarely_used_tenants: s.rarely_used_tenant_count.unwrap_or(0),
            users: s.user_count.unwrap_or(0),
            devices: s.device_count.unwrap_or(0),
        });
    let mut tenants: Vec<TenantRow> = ctx
        .optional("tenants reached (crossTenantAccessReport)", tenants)
        .map(|page| {
            page.items
                .into_iter()
                .map(|t| TenantRow {
                    tenant_id: t.resource_tenant_id.unwrap_or_default(),
                    name: t.resource_tenant_name.filter(|n| !n.is_empty()),
                    domain: t.resource_tenant_primary_domain.filter(|d| !d.is_empty()),
                    usage: t.usage_status,
                    users: t.user_count.unwrap_or(0),
                    devices: t.device_count.unwrap_or(0),
                    last_access: t.last_access_date_time,
                })
                .collect()
        })
        .unwrap_or_default();
    tenants.sort_by(|a, b| b.last_access.cmp(&a.last_access));
    Ok(GsaSecurity {
        since: instant(start),
        until: instant(end),
        alerts,
        threats,
        blocked_categories,
        cross_tenant,
        tenants,
    })
}

fn blocked_summary(entries: &[Traffic]) -> (Vec<ThreatRow>, Vec<BlockedCategory>) {
    let mut threats: BTreeMap<String, ThreatRow> = BTreeMap::new();
    let mut categories: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    for t in entries.iter().filter(|t| t.blocked()) {
        let user = t.user();
        if let Some(threat) = t.threat_type.as_deref().filter(|x| !x.is_empty()) {
            let destination = t.destination_fqdn.clone().unwrap_or_default();
            let row = threats.entry(destination.clone()).or_insert_with(|| ThreatRow {
                destination,
                threat_type: threat.to_string(),
                attempts: 0,
                users: Vec::new(),
                // Entries come newest first.
                last: t.created_date_time.clone(),
            });
            row.attempts += 1;
            if !row.users.contains(&user) {
                row.users.push(user.clone());
            }
        }
        if let Some(category) = t.destination_web_category.as_ref().and_then(WebCategory::label) {
            let entry = categories.entry(category).or_default();
            entry.0 += 1;
            if !entry.1.contains(&user) {
                entry.1.push(user);
            }
        }
    }
    let mut categories: Vec<BlockedCategory> = categories
        .into_iter()
        .map(|(category, (attempts, users))| BlockedCategory { category, attempts, users: users.len() })
        .collect();
    categories.sort_by_key(|c| std::cmp::Reverse(c.attempts));
    let mut threats: Vec<ThreatRow> = threats.into_values().collect();
    threats.sort_by(|a, b| b.last.cmp(&a.last));
    (threats, categories)
}

impl Render for GsaSecurity {
    fn markdown(&self) -> String {
        let mut text = format!(
            "Global Secure Access {} – {} UTC: {} alerts, {} threat destinations blocked\n",
            short_time(&self.since),
            short_time(&self.until),
            self.alerts.len(),
            self.threats.len()
        );
        let alerts: Vec<Vec<String>> = self
            .alerts
            .iter()
            .map(|a| {
                vec![
                    a.severity.clone().unwrap_or_default(),
                    a.name.clone().unwrap_or_default(),
                    a.alert_type.clone().unwrap_or_default(),
                    a.users.join(", "),
                    a.destinations.join(", "),
                    a.last_activity.as_deref().map(short_time).unwrap_or_default(),
                ]
            })
            .collect();
        text.push_str(&table(&["severity", "alert", "type", "users", "destinations", "last (UTC)"], &alerts));
        if !self.threats.is_empty() {
            let rows: Vec<Vec<String>> = self
                .threats
                .iter()
                .map(|t| {
                    vec![
                        t.destination.clone(),
                        t.threat_type.clone(),
                        t.attempts.to_string(),
                        t.users.join(", "),
                        t.last.as_deref().map(short_time).unwrap_or_default(),
                    ]
                })
                .collect();
            text.push_str(&format!(
                "\n\nThreats blocked:\n{}",
                table(&["destination", "threat", "attempts", "users", "last (UTC)"], &rows)
            ));
        }
        if !self.blocked_categories.is_empty() {
            let rows: Vec<Vec<String>> = self
                .blocked_categories
                .iter()
                .map(|c| vec![c.category.clone(), c.attempts.to_string(), c.users.to_string()])
                .collect();
            text.push_str(&format!(
                "\n\nBlocked web categories:\n{}",
                table(&["category", "attempts", "users"], &rows)
            ));
        }
        if let Some(c) = &self.cross_tenant {
            text.push_str(&format!(
                "\n\nCross-tenant access: {} transactions to {} other tenants ({} new, {} rarely used) by {} users on {} devices",
                c.transactions, c.tenants, c.new_tenants, c.rarely_used_tenants, c.users, c.devices
            ));
        }
        if !self.tenants.is_empty() {
            let rows: Vec<Vec<String>> = self
                .tenants
                .iter()
                .map(|t| {
                    vec![
                        t.name.clone().unwrap_or_else(|| t.tenant_id.clone()),
                        t.domain.clone().unwrap_or_default(),
                        t.usage.clone().unwrap_or_default(),
                        t.users.to_string(),
                        t.last_access.as_deref().map(short_time).unwrap_or_default(),
                        t.tenant_id.clone(),
                    ]
                })
                .collect();
            text.push('\n');
            text.push_str(&table(&["tenant", "domain", "usage", "users", "last access (UTC)", "tenant id"], &rows));
        }
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What threats and network alerts did Global Secure Access raise this week, and which other tenants did our users reach?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("alerts/*/severity", "high"),
            Fact::Some("threats/*/destination", "cdn.invoiceviewer-secure.example"),
            Fact::Some("tenants/*/name", "Contoso Payments"),
            Fact::Some("tenants/*/usage", "rarelyUsed"),
            Fact::AtLeast("cross_tenant/new_tenants", 1),
            Fact::Some("blocked_categories/*/category", "Gambling"),
        ],
    },
    Example {
        question: "Network security alerts and threats of the last 36 hours only",
        args: r#"{"since":"36h"}"#,
        facts: &[
            Fact::Every("alerts/*/alert_type", "malware"),
            Fact::Every("threats/*/users/*", "karita@woodgrovebank.com"),
        ],
    },
    Example {
        question: "Threats since a time that is not a time",
        args: r#"{"since":"5x"}"#,
        facts: &[Fact::Fails(crate::skill::ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_GSA_THREATS_AND_CROSS_TENANT, get_gsa_threats_and_cross_tenant)
}
