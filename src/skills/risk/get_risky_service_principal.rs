//! `get_risky_service_principal`: one app's workload-identity risk in one answer — level, state
//! and detail, how it changed and who changed it, and its risk detections — read concurrently
//! once the app is resolved.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::ServicePrincipal;
use crate::graph::{GraphRequest, Query, segment};
use crate::odata::Expr;
use crate::render::{fields, or_dash, short_time, table, trim};
use crate::shared::resolve::{self, APP};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::admins;
use super::service_principals::*;

const GET_RISKY_SERVICE_PRINCIPAL: Declaration = Declaration {
    name: "get_risky_service_principal",
    title: "Get a risky app (service principal)",
    description: "One app's workload-identity risk in one answer: level, state and detail, its risk history (who or what changed it, when) and its risk detections (leaked credentials, suspicious sign-ins or API traffic…). Takes the app's name, appId or object id. Workload Identities Premium. Security Reader.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskyServicePrincipal.Read.All", "IdentityRiskEvent.Read.All", "Application.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetRiskyServicePrincipalParams {
    /// The app's exact display name, its appId, or its service principal's object id.
    pub app: String,
}

/// One step of the app's risk.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AppRiskStep {
    pub time: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub risk_event_types: Vec<String>,
    /// `ID Protection` for a detection, otherwise the person who made the change.
    pub changed_by: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AppDetectionRow {
    pub id: String,
    /// e.g. `leakedCredentials`, `suspiciousSignins`, `suspiciousAPITraffic`.
    pub risk_event_type: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub detected: Option<String>,
    pub ip_address: Option<String>,
    pub location: Option<String>,
    /// What the detection saw, as Graph's `additionalInfo` says it (trimmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyServicePrincipalDetail {
    #[serde(flatten)]
    pub app: RiskyAppRow,
    /// Distinct detection types, most recent first.
    pub detection_types: Vec<String>,
    /// Oldest first.
    pub history: Vec<AppRiskStep>,
    /// Most recent first.
    pub detections: Vec<AppDetectionRow>,
}

const SP_SELECT: &[&str] = &["id", "appId", "displayName", "appOwnerOrganizationId"];
const DETECTIONS_READ: usize = 50;

async fn get_risky_service_principal(
    ctx: Ctx,
    p: GetRiskyServicePrincipalParams,
) -> Result<RiskyServicePrincipalDetail, SkillError> {
    let sp: ServicePrincipal = resolve::resolve(&ctx, &APP, &p.app, SP_SELECT).await?;
    let base = format!("/identityProtection/riskyServicePrincipals/{}", segment(&sp.id));
    let risky = GraphRequest::get(base.clone())
        .query(Query::new().select(RISKY_SERVICE_PRINCIPAL_FIELDS))
        .prefer_unknown_enums();
    let history = GraphRequest::get(format!("{base}/history")).query(Query::new().top(100)).prefer_unknown_enums();
    let detections = GraphRequest::get("/identityProtection/servicePrincipalRiskDetections")
        .query(
            Query::new()
                .select(SERVICE_PRINCIPAL_DETECTION_FIELDS)
                .filter(Expr::eq("servicePrincipalId", sp.id.as_str()))
                .top(DETECTIONS_READ),
        )
        .prefer_unknown_enums();
    let (risky, history, detections) = tokio::join!(
        ctx.graph.get::<RiskyServicePrincipal>(risky),
        ctx.graph.list::<RiskyServicePrincipal>(history, 100),
        ctx.graph.list::<ServicePrincipalDetection>(detections, DETECTIONS_READ)
    );
    let name = sp.display_name.clone().unwrap_or_else(|| sp.id.clone());
    let risky = risky.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            SkillError::not_found(format!("risk record for app '{name}'"), "list_risky_service_principals")
                .with_remedy("ID Protection never flagged this app; `list_risky_service_principals` lists those it did")
        } else {
            e
        }
    })?;
    let mut history = ctx.optional("risk history", history.map(|page| page.items)).unwrap_or_default();
    history.sort_by(|a, b| a.risk_last_updated_date_time.cmp(&b.risk_last_updated_date_time));
    let mut detections = ctx.optional("risk detections", detections.map(|page| page.items)).unwrap_or_default();
    detections.sort_by(|a, b| b.detected_date_time.cmp(&a.detected_date_time));

    let initiators: BTreeSet<String> = history.iter().filter_map(|h| h.initiated_by.clone()).collect();
    let people = admins::named(&ctx, &initiators).await;
    let mut detection_types: Vec<String> = Vec::new();
    for t in detections.iter().filter_map(|d| d.risk_event_type.clone()) {
        if !detection_types.contains(&t) {
            detection_types.push(t);
        }
    }
    let history = history
        .into_iter()
        .map(|h| AppRiskStep {
            changed_by: admins::changed_by(&people, h.initiated_by.as_deref()),
            time: h.risk_last_updated_date_time,
            risk_level: h.risk_level,
            risk_state: h.risk_state,
            risk_detail: h.risk_detail,
            risk_event_types: h.activity.map(|a| a.risk_event_types).unwrap_or_default(),
        })
        .collect();
    let detections = detections
        .into_iter()
        .take(25)
        .map(|d| {
            let location = d.location.as_ref().map(|l| {
                [l.city.clone(), l.country_or_region.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ")
            });
            AppDetectionRow {
                id: d.id,
                risk_event_type: d.risk_event_type,
                risk_level: d.risk_level,
                risk_state: d.risk_state,
                detected: d.detected_date_time,
                ip_address: d.ip_address.filter(|ip| !ip.is_empty()),
                location: location.filter(|l| !l.is_empty()),
                info: d.additional_info.filter(|i| !i.is_empty() && i != "[]").map(|i| trim(&i, 200)),
            }
        })
        .collect();
    let mut app = RiskyAppRow::from(risky);
    app.display_name = app.display_name.or(sp.display_name);
    app.app_id = app.app_id.or(sp.app_id);
    Ok(RiskyServicePrincipalDetail { app, detection_types, history, detections })
}

impl Render for RiskyServicePrincipalDetail {
    fn markdown(&self) -> String {
        let a = &self.app;
        let mut text = fields(&[
            ("app", a.display_name.clone()),
            ("appId", a.app_id.clone()),
            ("id", Some(a.id.clone())),
            ("risk", Some(format!("{} ({})", or_dash(&a.risk_level), or_dash(&a.risk_state)))),
            ("detail", a.risk_detail.clone()),
            ("updated", a.updated.as_deref().map(|t| format!("{} UTC", short_time(t)))),
            ("detection types", Some(self.detection_types.join(", ")).filter(|s| !s.is_empty())),
        ]);
        let history: Vec<Vec<String>> = self
            .history
            .iter()
            .map(|s| {
                vec![
                    s.time.as_deref().map(short_time).unwrap_or_default(),
                    or_dash(&s.risk_level),
                    or_dash(&s.risk_state),
                    or_dash(&s.risk_detail),
                    if s.risk_event_types.is_empty() { "-".into() } else { s.risk_event_types.join(", ") },
                    s.changed_by.clone(),
                ]
            })
            .collect();
        text.push_str(&format!(
            "\nhistory, oldest first ({}):\n{}",
            self.history.len(),
            table(&["time (UTC)", "level", "state", "detail", "detections", "changed by"], &history)
        ));
        let detections: Vec<Vec<String>> = self
            .detections
            .iter()
            .map(|d| {
                vec![
                    d.detected.as_deref().map(short_time).unwrap_or_default(),
                    or_dash(&d.risk_event_type),
                    or_dash(&d.risk_level),
                    or_dash(&d.risk_state),
                    or_dash(&d.ip_address),
                    or_dash(&d.location),
                    or_dash(&d.info),
                    d.id.clone(),
                ]
            })
            .collect();
        text.push_str(&format!(
            "\ndetections ({}):\n{}",
            self.detections.len(),
            table(&["detected (UTC)", "type", "level", "state", "ip", "place", "info", "id"], &detections)
        ));
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Why is the Fabrikam Expense Sync app flagged as a risky workload identity?",
        args: r#"{"app":"Fabrikam Expense Sync"}"#,
        facts: &[
            Fact::Every("risk_level", "high"),
            Fact::Every("risk_state", "atRisk"),
            Fact::Some("detection_types/*", "leakedCredentials"),
            Fact::Some("detection_types/*", "suspiciousAPITraffic"),
            Fact::Count("history/*", 2),
            Fact::AtLeast("detections/*", 3),
            // After the app is resolved, its risk, history and detections are read at once.
            Fact::Count("graph_requests/*", 4),
        ],
    },
    Example {
        question: "Risk history of the Legacy Reports Portal service principal: who dismissed it?",
        args: r#"{"app":"Legacy Reports Portal"}"#,
        facts: &[
            Fact::Every("risk_state", "dismissed"),
            Fact::Some("history/*/changed_by", "~Marcus Lee"),
            Fact::Says("adminDismissedAllRiskForServicePrincipal"),
        ],
    },
    Example {
        question: "Workday Inbound's workload identity risk",
        args: r#"{"app":"Workday Inbound"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("never flagged")],
    },
    Example {
        question: "Risky service principal detail for an app that does not exist",
        args: r#"{"app":"No Such App"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_RISKY_SERVICE_PRINCIPAL, get_risky_service_principal)
}
