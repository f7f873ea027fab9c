//! `list_health_alerts` (beta): Microsoft Entra Health monitoring alerts of the last 30 days —
//! unusual spikes of MFA, device or SAML sign-in failures — with their state and how many
//! users and apps each impacted.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::health_model::{ALERTS, Alert, AlertState, Scenario};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table};
use crate::shared::{Limit, ListInfo};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_HEALTH_ALERTS: Declaration = Declaration {
    name: "list_health_alerts",
    title: "List Entra health monitoring alerts",
    description: "(beta) Microsoft Entra Health monitoring alerts of the last 30 days: anomalies such as a spike in MFA sign-in failures or in compliant-device, managed-device or SAML sign-in failures, active or resolved, with the number of users and apps impacted. Filter by state and scenario. For one alert in full use get_health_alert. Reports Reader.",
    toolset: Toolset::Posture,
    permissions: &["HealthMonitoringAlert.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListHealthAlertsParams {
    /// `active` or `resolved` (default: both).
    pub state: Option<AlertState>,
    /// The monitored area: `mfa`, `devices`, `conditional_access` or `saml`.
    pub scenario: Option<Scenario>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AlertRow {
    /// What the alert is about, in plain words.
    pub alert: String,
    /// Graph's alert type (`mfaSignInFailure`).
    pub alert_type: Option<String>,
    pub scenario: Option<String>,
    pub state: Option<String>,
    /// When Entra raised it (UTC).
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impacted_users: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impacted_apps: Option<u64>,
    pub id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct HealthAlerts {
    /// Newest first.
    pub alerts: Vec<AlertRow>,
    pub active: usize,
    #[serde(flatten)]
    pub list: ListInfo,
}

/// Graph keeps alerts for 30 days and pages them by 100 at most.
const PAGE: usize = 100;

async fn list_health_alerts(ctx: Ctx, p: ListHealthAlertsParams) -> Result<HealthAlerts, SkillError> {
    let limit = p.limit.get()?;
    let query = Query::new()
        .select(&["id", "alertType", "scenario", "category", "createdDateTime", "state", "enrichment"])
        .filter_opt(p.state.map(|s| Expr::eq("state", s.graph())))
        .orderby("createdDateTime desc")
        .top(PAGE);
    let request = GraphRequest::get(ALERTS).beta().prefer_unknown_enums().query(query);
    let page = ctx.graph.list::<Alert>(request, 1000).await?;
    // Graph does not filter alerts by scenario: the few of the last 30 days are matched here.
    let matching: Vec<Alert> = page
        .items
        .into_iter()
        .filter(|a| p.scenario.is_none_or(|s| a.scenario.as_deref() == Some(s.graph())))
        .collect();
    let total = matching.len();
    let active = matching.iter().filter(|a| a.state.as_deref() == Some("active")).count();
    if total == 0 {
        ctx.note("no health alert matches in the last 30 days: Entra raised none, or none of this state or scenario");
    }
    let alerts: Vec<AlertRow> = matching
        .into_iter()
        .take(limit)
        .map(|a| AlertRow {
            alert: a.what(),
            impacted_users: a.impacted("user"),
            impacted_apps: a.impacted("application"),
            alert_type: a.alert_type,
            scenario: a.scenario,
            state: a.state,
            created: a.created_date_time,
            id: a.id,
        })
        .collect();
    Ok(HealthAlerts {
        list: ListInfo::new(alerts.len(), Some(total as u64), page.more, "`state`, `scenario` or `limit`"),
        alerts,
        active,
    })
}

impl Render for HealthAlerts {
    fn rows(&self) -> Option<usize> {
        Some(self.alerts.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.alerts.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let count = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
        let rows: Vec<Vec<String>> = self
            .alerts
            .iter()
            .map(|a| {
                vec![
                    a.alert.clone(),
                    or_dash(&a.scenario),
                    or_dash(&a.state),
                    a.created.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    count(a.impacted_users),
                    count(a.impacted_apps),
                    a.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} health alerts, {} active\n{}{}",
            self.list.returned,
            self.active,
            table(&["alert", "scenario", "state", "raised (UTC)", "users", "apps", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Are there active Entra health monitoring alerts right now?",
        args: r#"{"state":"active"}"#,
        facts: &[
            Fact::Count("alerts/*", 1),
            Fact::Every("alerts/*/alert_type", "mfaSignInFailure"),
            Fact::Every("alerts/*/impacted_users", "6"),
            Fact::Every("alerts/*/impacted_apps", "2"),
        ],
    },
    Example {
        question: "Health alerts of the last month, resolved ones included",
        args: r#"{}"#,
        facts: &[
            Fact::Some("alerts/*/state", "resolved"),
            Fact::Some("alerts/*/alert", "compliant-device sign-in failures"),
            Fact::AtLeast("alerts/*", 2),
            Fact::Every("active", "1"),
        ],
    },
    Example {
        question: "Device sign-in health alerts",
        args: r#"{"scenario":"devices"}"#,
        facts: &[Fact::Every("alerts/*/scenario", "devices"), Fact::No("alerts/*/alert_type", "mfaSignInFailure")],
    },
    Example {
        question: "Health alerts that are acknowledged",
        args: r#"{"state":"acknowledged"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_HEALTH_ALERTS, list_health_alerts)
}
