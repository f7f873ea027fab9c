//! `update_health_alert` (beta): marks a Microsoft Entra Health monitoring alert resolved once
//! it is handled, or active again. A tier-2 write: previewed, then confirmed.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::health_model::{ALERTS, Alert, AlertState};
use crate::graph::{GraphRequest, Query, segment};
use crate::render::{fields, short_time};
use crate::shared::parse_guid;
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

const UPDATE_HEALTH_ALERT: Declaration = Declaration {
    name: "update_health_alert",
    title: "Resolve or reopen an Entra health alert",
    description: "(beta) Mark a Microsoft Entra Health monitoring alert resolved once its cause is handled, or active again. Preview first, then confirm. Helpdesk Administrator.",
    toolset: Toolset::Posture,
    permissions: &["HealthMonitoringAlert.ReadWrite.All"],
    least_role: "Helpdesk Administrator†",
    access: Access::Write { tier: 2, idempotent: true },
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateHealthAlertParams {
    /// The alert's id (from list_health_alerts).
    pub alert: String,
    /// `resolved` (default) or `active` to reopen it.
    pub state: Option<AlertState>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct HealthAlertUpdated {
    pub alert: String,
    pub id: String,
    pub state_before: String,
    /// The state read back after the change.
    pub state: String,
}

fn request(id: &str, state: AlertState) -> GraphRequest {
    GraphRequest::patch(format!("{ALERTS}/{}", segment(id)), json!({"state": state.graph()})).beta()
}

async fn read(ctx: &Ctx, id: &str) -> Result<Alert, SkillError> {
    let request = GraphRequest::get(format!("{ALERTS}/{}", segment(id)))
        .beta()
        .prefer_unknown_enums()
        .query(Query::new().select(&["id", "alertType", "scenario", "createdDateTime", "state"]));
    ctx.graph.get::<Alert>(request).await.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            SkillError::not_found(format!("health alert {id}"), "list_health_alerts")
        } else {
            e
        }
    })
}

async fn prepare(ctx: Ctx, p: Arc<UpdateHealthAlertParams>) -> Result<WritePlan, SkillError> {
    let id = parse_guid("alert", &p.alert)?.to_string();
    let state = p.state.unwrap_or(AlertState::Resolved);
    let alert = read(&ctx, &id).await?;
    let now = alert.state.clone().unwrap_or_else(|| "unknown".into());
    if now == state.graph() {
        return Err(SkillError::invalid_value(
            "state",
            format!("the alert is already {now}"),
            "the state the alert is not in: `resolved` or `active`",
        ));
    }
    let what = alert.what();
    let raised = alert.created_date_time.as_deref().map(short_time).unwrap_or_default();
    let name = format!("{what} alert raised {raised}");
    let (effect, undo) = match state {
        AlertState::Resolved => (
            format!(
                "marks the {name} resolved: it leaves the active alerts; Entra raises a new alert if the anomaly returns"
            ),
            "call update_health_alert with state `active`".to_string(),
        ),
        AlertState::Active => (
            format!("reopens the {name}: it is listed as active again"),
            "call update_health_alert with state `resolved`".to_string(),
        ),
    };
    Ok(WritePlan {
        targets: vec![WriteTarget { name, id: alert.id.clone(), state: json!({"state": now}) }],
        requests: vec![request(&alert.id, state).describe()],
        effect,
        undo,
        tier: 2,
        confirm_target: None,
    })
}

async fn apply(ctx: Ctx, p: Arc<UpdateHealthAlertParams>, plan: WritePlan) -> Result<HealthAlertUpdated, SkillError> {
    let target = plan.targets.first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no target to change"))?;
    let state = p.state.unwrap_or(AlertState::Resolved);
    ctx.graph.write(request(&target.id, state)).await?;
    // Read back what changed, so the answer shows the alert as Graph now has it.
    let after = ctx.optional("read-back", read(&ctx, &target.id).await);
    Ok(HealthAlertUpdated {
        alert: target.name.clone(),
        id: target.id.clone(),
        state_before: target.state.get("state").and_then(Value::as_str).unwrap_or("unknown").to_string(),
        state: after.and_then(|a| a.state).unwrap_or_else(|| state.graph().to_string()),
    })
}

impl Render for HealthAlertUpdated {
    fn markdown(&self) -> String {
        fields(&[
            ("alert", Some(self.alert.clone())),
            ("id", Some(self.id.clone())),
            ("state", Some(format!("{} (was {})", self.state, self.state_before))),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Resolve the MFA sign-in failure health alert, we fixed the cause",
        args: r#"{"alert":"45d3bfa2-95de-5c2f-a108-8008f3d1b82d","state":"resolved"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C2"),
            Fact::Every("targets/0/state/state", "active"),
            Fact::Every("targets/0/name", "~MFA sign-in failures alert"),
            Fact::Some(
                "requests/*",
                "~PATCH beta /reports/healthMonitoring/alerts/45d3bfa2-95de-5c2f-a108-8008f3d1b82d",
            ),
        ],
    },
    Example {
        question: "Resolve the compliant-device health alert again",
        args: r#"{"alert":"f58038f7-d586-5dfd-a20f-1a715375784f"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("already resolved")],
    },
];

pub fn skill() -> Skill {
    Skill::write(UPDATE_HEALTH_ALERT, prepare, apply)
}
