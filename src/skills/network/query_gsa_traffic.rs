//! `query_gsa_traffic` (beta): Global Secure Access traffic — a user's, a destination's, the
//! blocked or the allowed — in a window, with the blocked destinations summed up (category,
//! threat, who tried) and traffic to other tenants flagged.
//!
//! Every filter is a documented `eq` on a traffic log property (`userPrincipalName`, `userId`,
//! `action`, `destinationFQDN`, `trafficType`); the window is `createdDateTime ge`/`le`. † The
//! property table lists `eq` for `createdDateTime`, while the List page says every property is
//! filterable; the traffic dashboard filters the log by time range the same way.

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

const QUERY_GSA_TRAFFIC: Declaration = Declaration {
    name: "query_gsa_traffic",
    title: "Query Global Secure Access traffic",
    description: "(beta) Global Secure Access (Internet/Private Access) traffic logs: a user's traffic, blocked or allowed, to a destination FQDN, by traffic type, in a window; blocked destinations summed up with web category, threat and who tried; traffic to other tenants flagged. Internet or Private Access licence. Global Secure Access Log Reader.",
    toolset: Toolset::Network,
    permissions: &["NetworkAccess-Reports.Read.All"],
    least_role: "Global Secure Access Log Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TrafficAction {
    Allowed,
    Blocked,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TrafficType {
    Internet,
    Private,
    Microsoft365,
}

impl TrafficType {
    fn graph(self) -> &'static str {
        match self {
            TrafficType::Internet => "internet",
            TrafficType::Private => "private",
            TrafficType::Microsoft365 => "microsoft365",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryGsaTrafficParams {
    pub user: Option<UserRef>,
    pub action: Option<TrafficAction>,
    /// Destination host name, exact (e.g. `github.com`).
    pub destination: Option<String>,
    pub traffic_type: Option<TrafficType>,
    /// Start of the window (default 7d ago).
    pub since: Option<Since>,
    pub until: Option<Since>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TrafficRow {
    pub time: Option<String>,
    pub user: String,
    /// `allow` or `block`.
    pub action: Option<String>,
    pub destination: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat: Option<String>,
    /// `internet`, `private` or `microsoft365`.
    pub traffic_type: Option<String>,
    pub bytes_sent: i64,
    pub bytes_received: i64,
    /// The filtering policy and rule that decided it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The resource belongs to another tenant.
    pub cross_tenant: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_tenant_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

/// One blocked destination over the returned rows.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BlockedDestination {
    pub destination: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat: Option<String>,
    pub attempts: usize,
    pub users: Vec<String>,
    /// Last attempt (UTC).
    pub last: Option<String>,
}

/// Traffic to one other tenant over the returned rows.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CrossTenant {
    pub resource_tenant_id: String,
    pub transactions: usize,
    pub destinations: Vec<String>,
    pub users: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GsaTraffic {
    /// Start of the window (UTC).
    pub since: String,
    pub entries: Vec<TrafficRow>,
    pub blocked_destinations: Vec<BlockedDestination>,
    pub cross_tenant: Vec<CrossTenant>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const SELECT: &[&str] = &[
    "transactionId",
    "createdDateTime",
    "userId",
    "userPrincipalName",
    "action",
    "trafficType",
    "destinationFQDN",
    "destinationWebCategory",
    "threatType",
    "policyName",
    "policyRuleName",
    "sentBytes",
    "receivedBytes",
    "resourceTenantId",
    "tenantId",
];

/// A host name: letters, digits, `-` and `.`, at most 253 characters.
fn fqdn(value: &str) -> Result<String, SkillError> {
    let value = value.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid = !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*')
        });
    if valid {
        Ok(value)
    } else {
        Err(SkillError::invalid_value(
            "destination",
            format!("`{}` is not a host name", shorten(&value)),
            "a fully qualified domain name such as github.com",
        ))
    }
}

async fn query_gsa_traffic(ctx: Ctx, p: QueryGsaTrafficParams) -> Result<GsaTraffic, SkillError> {
    let limit = p.limit.get()?;
    let destination = p.destination.as_deref().map(fqdn).transpose()?;
    let (start, end) = window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::days(7), TRAFFIC_RETENTION_DAYS)?;
    let mut clauses = vec![Expr::ge("createdDateTime", start)];
    if let Some(end) = end {
        clauses.push(Expr::le("createdDateTime", end));
    }
    if let Some(user) = &p.user {
        let key = user.parse("user")?;
        clauses.push(user_clause(&ctx, &key, "userId", "userPrincipalName").await?);
    }
    match p.action {
        Some(TrafficAction::Blocked) => clauses.push(Expr::eq("action", "block")),
        Some(TrafficAction::Allowed) => clauses.push(Expr::eq("action", "allow")),
        None => {}
    }
    if let Some(destination) = destination {
        clauses.push(Expr::eq("destinationFQDN", destination));
    }
    if let Some(t) = p.traffic_type {
        clauses.push(Expr::eq("trafficType", t.graph()));
    }
    let query = Query::new()
        .select(SELECT)
        .filter_opt(Expr::conjunction(clauses))
        .orderby("createdDateTime desc")
        .top(limit.min(1000));
    let request = GraphRequest::get(TRAFFIC).beta().query(query).prefer_unknown_enums();
    let page = ctx.graph.list::<Traffic>(request, limit).await.map_err(licensed)?;

    let mut blocked: BTreeMap<String, BlockedDestination> = BTreeMap::new();
    let mut foreign: BTreeMap<String, CrossTenant> = BTreeMap::new();
    for t in page.items.iter() {
        let destination = t.destination_fqdn.clone().unwrap_or_default();
        if t.blocked() {
            let entry = blocked.entry(destination.clone()).or_insert_with(|| BlockedDestination {
                destination: destination.clone(),
                category: t.destination_web_category.as_ref().and_then(WebCategory::label),
                threat: t.threat_type.clone().filter(|x| !x.is_empty()),
                attempts: 0,
                users: Vec::new(),
                last: t.created_date_time.clone(),
            });
            entry.attempts += 1;
            let user = t.user();
            if !entry.users.contains(&user) {
                entry.users.push(user);
            }
        }
        if let Some(tenant) = t.foreign_tenant() {
            let entry = foreign.entry(tenant.to_string()).or_insert_with(|| CrossTenant {
                resource_tenant_id: tenant.to_string(),
                transactions: 0,
                destinations: Vec::new(),
                users: Vec::new(),
            });
            entry.transactions += 1;
            if !entry.destinations.contains(&destination) {
                entry.destinations.push(destination.clone());
            }
            let user = t.user();
            if !entry.users.contains(&user) {
                entry.users.push(user);
            }
        }
    }
    let mut blocked_destinations: Vec<BlockedDestination> = blocked.into_values().collect();
    blocked_destinations.sort_by(|a, b| b.threat.is_some().cmp(&a.threat.is_some()).then(b.attempts.cmp(&a.attempts)));
    if page.more && (!blocked_destinations.is_empty() || !foreign.is_empty()) {
        ctx.note(
            "the blocked and cross-tenant summaries count the returned rows only; narrow the window or raise `limit`",
        );
    }
    let entries: Vec<TrafficRow> = page
        .items
        .into_iter()
        .map(|t| {
            let foreign = t.foreign_tenant().map(str::to_string);
            let policy = match (&t.policy_name, &t.policy_rule_name) {
                (Some(p), Some(r)) if !p.is_empty() => Some(format!("{p} / {r}")),
                (Some(p), _) if !p.is_empty() => Some(p.clone()),
                _ => None,
            };
            TrafficRow {
                time: t.created_date_time.clone(),
                user: t.user(),
                category: t.destination_web_category.as_ref().and_then(WebCategory::label),
                threat: t.threat_type.clone().filter(|x| !x.is_empty()),
                bytes_sent: t.sent_bytes.unwrap_or(0),
                bytes_received: t.received_bytes.unwrap_or(0),
                cross_tenant: foreign.is_some(),
                resource_tenant_id: foreign,
                policy,
                action: t.action,
                destination: t.destination_fqdn,
                traffic_type: t.traffic_type,
                transaction_id: t.transaction_id,
            }
        })
        .collect();
    let list = ListInfo::new(
        entries.len(),
        page.total,
        page.more,
        "`since`, `user`, `action`, `destination` or `traffic_type`",
    );
    Ok(GsaTraffic {
        since: instant(start),
        entries,
        blocked_destinations,
        cross_tenant: foreign.into_values().collect(),
        list,
    })
}

impl Render for GsaTraffic {
    fn rows(&self) -> Option<usize> {
        Some(self.entries.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.entries.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let blocked = self.entries.iter().filter(|e| e.action.as_deref() == Some("block")).count();
        let mut text = format!(
            "{} traffic entries since {} UTC ({blocked} blocked, {} to other tenants)\n",
            self.list.returned,
            short_time(&self.since),
            self.entries.iter().filter(|e| e.cross_tenant).count()
        );
        if !self.blocked_destinations.is_empty() {
            let rows: Vec<Vec<String>> = self
                .blocked_destinations
                .iter()
                .map(|b| {
                    vec![
                        b.destination.clone(),
                        b.category.clone().unwrap_or_default(),
                        b.threat.clone().unwrap_or_default(),
                        b.attempts.to_string(),
                        b.users.join(", "),
                        b.last.as_deref().map(short_time).unwrap_or_default(),
                    ]
                })
                .collect();
            text.push_str(&format!(
                "Blocked destinations:\n{}\n\n",
                table(&["destination", "category", "threat", "attempts", "users", "last (UTC)"], &rows)
            ));
        }
        if !self.cross_tenant.is_empty() {
            let rows: Vec<Vec<String>> = self
                .cross_tenant
                .iter()
                .map(|c| {
                    vec![
                        c.resource_tenant_id.clone(),
                        c.transactions.to_string(),
                        c.destinations.join(", "),
                        c.users.join(", "),
                    ]
                })
                .collect();
            text.push_str(&format!(
                "Other tenants reached:\n{}\n\n",
                table(&["tenant", "transactions", "destinations", "users"], &rows)
            ));
        }
        let rows: Vec<Vec<String>> = self
            .entries
            .iter()
            .map(|e| {
                vec![
                    e.time.as_deref().map(short_time).unwrap_or_default(),
                    e.user.clone(),
                    e.action.clone().unwrap_or_default(),
                    e.destination.clone().unwrap_or_default(),
                    e.category.clone().or_else(|| e.threat.clone()).unwrap_or_default(),
                    e.traffic_type.clone().unwrap_or_default(),
                    format!("{} / {}", bytes(e.bytes_sent), bytes(e.bytes_received)),
                    if e.cross_tenant { "yes".into() } else { String::new() },
                ]
            })
            .collect();
        text.push_str(&table(
            &["time (UTC)", "user", "action", "destination", "category", "type", "sent / received", "other tenant"],
            &rows,
        ));
        text.push_str(&self.list.footer());
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What did Global Secure Access block on Karita's laptop in the last two days?",
        args: r#"{"user":"karita@woodgrovebank.com","action":"blocked","since":"48h"}"#,
        facts: &[
            Fact::Every("entries/*/action", "block"),
            Fact::Every("entries/*/user", "karita@woodgrovebank.com"),
            Fact::Some("blocked_destinations/*/destination", "cdn.invoiceviewer-secure.example"),
            Fact::Some("entries/*/threat", "Malware"),
        ],
    },
    Example {
        question: "Which web destinations did Global Secure Access block this week, and for whom?",
        args: r#"{"action":"blocked","since":"7d"}"#,
        facts: &[
            Fact::Some("blocked_destinations/*/category", "Gambling"),
            Fact::Some("blocked_destinations/*/users/*", "maria.garcia@woodgrovebank.com"),
            Fact::AtLeast("blocked_destinations/*", 3),
            Fact::No("entries/*/action", "allow"),
        ],
    },
    Example {
        question: "Show Wei Zhang's Global Secure Access traffic log this week, flagging destinations in other tenants",
        args: r#"{"user":"wei.zhang@woodgrovebank.com","since":"7d","limit":100}"#,
        facts: &[
            Fact::Some("entries/*/destination", "contosopayments.sharepoint.com"),
            Fact::Some("entries/*/cross_tenant", "true"),
            Fact::Count("cross_tenant/*", 1),
        ],
    },
    Example {
        question: "Traffic to a destination that is not a host name",
        args: r#"{"destination":"not a host!"}"#,
        facts: &[Fact::Fails(crate::skill::ErrorKind::InvalidInput), Fact::Says("`destination`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(QUERY_GSA_TRAFFIC, query_gsa_traffic)
}
