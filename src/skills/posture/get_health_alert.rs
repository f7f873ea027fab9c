//! `get_health_alert` (beta): one Microsoft Entra Health monitoring alert in full — what it
//! detected, how many users and apps it impacted, the sign-in and audit data and the signal
//! behind it, Microsoft's troubleshooting guide, and the calls that investigate it next.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::health_model::{ALERTS, Alert};
use crate::graph::{GraphRequest, segment};
use crate::render::{fields, short_time, trim};
use crate::shared::parse_guid;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_HEALTH_ALERT: Declaration = Declaration {
    name: "get_health_alert",
    title: "Get one Entra health monitoring alert",
    description: "(beta) One Microsoft Entra Health monitoring alert in full: the anomaly detected, when, its state, the impacted users and applications with their counts, the supporting sign-in and audit data, the signal behind it and the troubleshooting guide, with the next calls to investigate (signal metrics, sign-in logs) or resolve it. Reports Reader.",
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
pub struct GetHealthAlertParams {
    /// The alert's id (from list_health_alerts).
    pub alert: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ImpactCount {
    /// `user`, `application`, …
    pub resource_type: String,
    pub count: u64,
    /// Entra stopped counting: there are more.
    pub more_than_counted: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Link {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct HealthAlert {
    pub id: String,
    /// What the alert is about, in plain words.
    pub alert: String,
    pub alert_type: Option<String>,
    pub scenario: Option<String>,
    pub category: Option<String>,
    pub state: Option<String>,
    /// When Entra raised it (UTC).
    pub created: Option<String>,
    /// The window of the anomaly, as the alert's signal gives it (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_end: Option<String>,
    pub impacts: Vec<ImpactCount>,
    /// Where the sign-ins and audit events behind it are (Graph queries, with Entra's placeholders).
    pub supporting_data: Vec<Link>,
    /// The signals it was raised from.
    pub signals: Vec<Link>,
    pub documentation: Vec<Link>,
    /// The calls that investigate or close it, ready to make.
    pub next: Vec<String>,
}

fn links(map: Option<&serde_json::Map<String, Value>>) -> Vec<Link> {
    map.into_iter()
        .flatten()
        .filter_map(|(name, url)| Some(Link { name: name.clone(), url: trim(url.as_str()?, 400) }))
        .take(10)
        .collect()
}

fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The sign-in error codes behind an alert type, for a `list_sign_ins` follow-up.
fn error_code(alert_type: Option<&str>) -> Option<i64> {
    match alert_type? {
        // The user did not complete the MFA prompt.
        "mfaSignInFailure" => Some(500121),
        // A device policy was not satisfied.
        "compliantDeviceSignInFailure" | "managedDeviceSignInFailure" => Some(53000),
        _ => None,
    }
}

async fn get_health_alert(ctx: Ctx, p: GetHealthAlertParams) -> Result<HealthAlert, SkillError> {
    let id = parse_guid("alert", &p.alert)?.to_string();
    let request = GraphRequest::get(format!("{ALERTS}/{}", segment(&id))).beta().prefer_unknown_enums();
    let alert: Alert = ctx.graph.get(request).await.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            SkillError::not_found(format!("health alert {id}"), "list_health_alerts")
                .with_remedy("Entra keeps alerts for 30 days; list the current ones with `list_health_alerts`")
        } else {
            e
        }
    })?;
    let window = alert.window();
    let (start, end) = match &window {
        Some((start, end)) => (instant(start), instant(end)),
        None => (None, None),
    };
    // Around the anomaly, so the series shows it against its usual level.
    let created = alert.created_date_time.as_deref().and_then(instant);
    let around_start = start.or(created.map(|c| c - Duration::hours(2))).map(|s| s - Duration::hours(3));
    let around_end = end.or(created).map(|e| (e + Duration::hours(3)).min(ctx.now));
    let mut next = Vec::new();
    if let (Some(signal), Some(from)) = (alert.signal(), around_start) {
        let until = around_end.map(|u| format!(",\"until\":\"{}\"", rfc3339(u))).unwrap_or_default();
        next.push(format!(
            "get_health_signal_metrics {{\"scenario\":\"{}\",\"since\":\"{}\"{until}}} shows the series around the anomaly",
            signal.name(),
            rfc3339(from)
        ));
    }
    if let (Some(code), Some(from)) = (error_code(alert.alert_type.as_deref()), start.or(created)) {
        next.push(format!(
            "list_sign_ins {{\"error_code\":{code},\"since\":\"{}\"}} lists the failed sign-ins behind it",
            rfc3339(from - Duration::minutes(30))
        ));
    }
    if alert.state.as_deref() == Some("active") {
        next.push(format!(
            "update_health_alert {{\"alert\":\"{}\",\"state\":\"resolved\"}} once it is handled",
            alert.id
        ));
    }
    let impacts = alert
        .enrichment
        .as_ref()
        .map(|e| {
            e.impacts
                .iter()
                .map(|i| ImpactCount {
                    resource_type: i.resource_type.clone().unwrap_or_else(|| "unknown".into()),
                    count: i.impacted_count.unwrap_or(0),
                    more_than_counted: i.impacted_count_limit_exceeded.unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(HealthAlert {
        alert: alert.what(),
        window_start: window.as_ref().map(|w| w.0.clone()),
        window_end: window.map(|w| w.1),
        impacts,
        supporting_data: links(alert.enrichment.as_ref().and_then(|e| e.supporting_data.as_ref())),
        signals: links(alert.signals.as_ref()),
        documentation: links(alert.documentation.as_ref()),
        next,
        alert_type: alert.alert_type,
        scenario: alert.scenario,
        category: alert.category,
        state: alert.state,
        created: alert.created_date_time,
        id: alert.id,
    })
}

impl Render for HealthAlert {
    fn markdown(&self) -> String {
        let impacts: Vec<String> = self
            .impacts
            .iter()
            .map(|i| format!("{}{} {}s", i.count, if i.more_than_counted { "+" } else { "" }, i.resource_type))
            .collect();
        let window = match (&self.window_start, &self.window_end) {
            (Some(s), Some(e)) => Some(format!("{} to {}", short_time(s), short_time(e))),
            _ => None,
        };
        let mut out = fields(&[
            ("alert", Some(self.alert.clone())),
            ("id", Some(self.id.clone())),
            ("type", self.alert_type.clone()),
            ("scenario", self.scenario.clone()),
            ("state", self.state.clone()),
            ("raised", self.created.as_deref().map(short_time)),
            ("anomaly window", window),
            ("impacted", Some(impacts.join(", ")).filter(|i| !i.is_empty())),
        ]);
        for (label, links) in
            [("signal", &self.signals), ("supporting data", &self.supporting_data), ("guide", &self.documentation)]
        {
            for link in links {
                out.push_str(&format!("\n{label} {}: {}", link.name, link.url));
            }
        }
        for call in &self.next {
            out.push_str(&format!("\nnext: {call}"));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Tell me more about the MFA failure health alert: how many users and apps are impacted, and what next?",
        args: r#"{"alert":"45d3bfa2-95de-5c2f-a108-8008f3d1b82d"}"#,
        facts: &[
            Fact::Every("alert_type", "mfaSignInFailure"),
            Fact::Every("state", "active"),
            Fact::Some("impacts/*/resource_type", "user"),
            Fact::Every("impacts/0/count", "6"),
            Fact::Every("impacts/1/count", "2"),
            Fact::Some("signals/*/url", "~getMetricsForMfaSignInFailure"),
            Fact::Some("documentation/*/name", "mfaAlertTroubleshootingGuide"),
            Fact::Some("next/*", "~get_health_signal_metrics"),
            Fact::Some("next/*", "~\"error_code\":500121"),
            Fact::Some("next/*", "~update_health_alert"),
        ],
    },
    Example {
        question: "Investigate the resolved compliant-device health alert in full: impacts, signals and guide",
        args: r#"{"alert":"f58038f7-d586-5dfd-a20f-1a715375784f"}"#,
        facts: &[
            Fact::Every("state", "resolved"),
            Fact::Every("scenario", "devices"),
            Fact::No("next/*", "~update_health_alert"),
            Fact::Some("next/*", "~compliant_device_sign_in"),
        ],
    },
    Example {
        question: "A health alert that has expired",
        args: r#"{"alert":"5a0e1a3b-4cbd-5c3e-9f1e-1c8f2f4d6b7a"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
    Example {
        question: "Health alert with an id that is not one",
        args: r#"{"alert":"mfa-spike"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("GUID")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_HEALTH_ALERT, get_health_alert)
}
