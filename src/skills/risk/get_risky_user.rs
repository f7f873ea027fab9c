//! `get_risky_user`: one user's risk: level, state, detections and risky sign-ins, read concurrently.

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::{RiskDetection, RiskyUser, SignIn};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{fields, or_dash, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::detections::*;

const GET_RISKY_USER: Declaration = Declaration {
    name: "get_risky_user",
    title: "Get a risky user",
    description: "One user's risk in one answer: level, state and detail, their risk detections (spray, Tor, atypical travel…), and their risky sign-ins of the last 7 days. P2. Security Reader.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskyUser.Read.All", "IdentityRiskEvent.Read.All", "AuditLog.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetRiskyUserParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyUserDetail {
    pub id: String,
    pub display_name: Option<String>,
    pub upn: Option<String>,
    pub risk_level: String,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub updated: Option<String>,
    /// Distinct detection types, most recent first.
    pub detection_types: Vec<String>,
    pub detections: Vec<DetectionRow>,
    /// Sign-ins of the last 7 days that carried risk.
    pub risky_sign_ins: Vec<SignInRow>,
}

async fn get_risky_user(ctx: Ctx, p: GetRiskyUserParams) -> Result<RiskyUserDetail, SkillError> {
    let key = p.user.parse("user")?;
    // With a UPN or an id the three reads need no lookup first, so they run at once.
    let key = match key {
        UserKey::Me => UserKey::Id(parse_guid("user", &resolve_user(&ctx, &key).await?.id)?),
        other => other,
    };
    let risky_filter = user_clause(&ctx, &key, "id", "userPrincipalName").await?;
    let detection_filter = user_clause(&ctx, &key, "userId", "userPrincipalName").await?;
    let sign_in_filter = user_clause(&ctx, &key, "userId", "userPrincipalName")
        .await?
        .and(Expr::ge("createdDateTime", ctx.now - Duration::days(7)));

    let risky = GraphRequest::get("/identityProtection/riskyUsers")
        .query(Query::new().select(RISKY_USER_FIELDS).filter(risky_filter).top(1))
        // `riskDetail` gained members after `unknownFutureValue` (an admin's verdict).
        .prefer_unknown_enums();
    let detections = GraphRequest::get("/identityProtection/riskDetections")
        .query(Query::new().select(DETECTION_FIELDS).filter(detection_filter).orderby("detectedDateTime desc").top(50));
    let sign_ins = GraphRequest::get("/auditLogs/signIns")
        .query(
            Query::new()
                .select(&[
                    "id",
                    "createdDateTime",
                    "userPrincipalName",
                    "appDisplayName",
                    "ipAddress",
                    "clientAppUsed",
                    "location",
                    "deviceDetail",
                    "status",
                    "conditionalAccessStatus",
                    "riskLevelDuringSignIn",
                    "riskState",
                    "correlationId",
                    "appliedConditionalAccessPolicies",
                ])
                .filter(sign_in_filter)
                .orderby("createdDateTime desc")
                .top(200),
        )
        .prefer_unknown_enums();
    let (risky, detections, sign_ins) = tokio::join!(
        ctx.graph.list::<RiskyUser>(risky, 1),
        ctx.graph.list::<RiskDetection>(detections, 50),
        ctx.graph.list::<SignIn>(sign_ins, 200)
    );
    let risky = risky?.items.into_iter().next();
    let detections = match detections {
        Ok(page) => page.items,
        Err(e) if e.kind != ErrorKind::Throttled => {
            ctx.note(format!("risk detections unavailable: {}", e.kind.as_str()));
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let sign_ins = match sign_ins {
        Ok(page) => page.items,
        Err(e) if e.kind != ErrorKind::Throttled => {
            ctx.note(format!("sign-ins unavailable: {}", e.kind.as_str()));
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let Some(risky) = risky else {
        return Err(SkillError::not_found(format!("risk record for {}", key.describe()), "list_risky_users")
            .with_remedy(
                "the user has never been flagged by ID Protection, or the UPN is wrong (check it with `search_users`)",
            ));
    };
    let mut detection_types: Vec<String> = Vec::new();
    for d in &detections {
        if let Some(t) = &d.risk_event_type
            && !detection_types.contains(t)
        {
            detection_types.push(t.clone());
        }
    }
    let risky_sign_ins = sign_ins
        .into_iter()
        .filter(|s| {
            matches!(s.risk_level_during_sign_in.as_deref(), Some("low" | "medium" | "high"))
                || matches!(s.risk_state.as_deref(), Some("atRisk" | "confirmedCompromised"))
        })
        .take(25)
        .map(SignInRow::from_sign_in)
        .collect();
    Ok(RiskyUserDetail {
        id: risky.id,
        display_name: risky.user_display_name,
        upn: risky.user_principal_name,
        risk_level: risky.risk_level.unwrap_or_else(|| "none".into()),
        risk_state: risky.risk_state,
        risk_detail: risky.risk_detail,
        updated: risky.risk_last_updated_date_time,
        detection_types,
        detections: detections.into_iter().take(25).map(DetectionRow::from).collect(),
        risky_sign_ins,
    })
}

impl Render for RiskyUserDetail {
    fn markdown(&self) -> String {
        let mut text = fields(&[
            ("user", self.display_name.clone()),
            ("upn", self.upn.clone()),
            ("id", Some(self.id.clone())),
            ("risk", Some(format!("{} ({})", self.risk_level, self.risk_state.clone().unwrap_or_default()))),
            ("detail", self.risk_detail.clone()),
            ("updated", self.updated.as_deref().map(|t| format!("{} UTC", short_time(t)))),
            ("detection types", Some(self.detection_types.join(", ")).filter(|s| !s.is_empty())),
        ]);
        text.push_str(&format!(
            "\ndetections ({}):\n{}",
            self.detections.len(),
            detection_table(&self.detections, false)
        ));
        let rows: Vec<Vec<String>> = self
            .risky_sign_ins
            .iter()
            .map(|s| {
                vec![
                    s.time.as_deref().map(short_time).unwrap_or_default(),
                    or_dash(&s.app),
                    s.error_code.map(|c| if c == 0 { "success".into() } else { c.to_string() }).unwrap_or_default(),
                    or_dash(&s.ip_address),
                    or_dash(&s.location),
                    or_dash(&s.risk_level),
                    s.id.clone(),
                ]
            })
            .collect();
        text.push_str(&format!(
            "\nrisky sign-ins, 7 days ({}):\n{}",
            self.risky_sign_ins.len(),
            table(&["time (UTC)", "app", "result", "ip", "place", "risk", "id"], &rows)
        ));
        text
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "Is karita@woodgrovebank.com at risk, and why?",
    args: r#"{"user":"karita@woodgrovebank.com"}"#,
    facts: &[
        Fact::Every("risk_level", "high"),
        Fact::Some("detection_types/*", "passwordSpray"),
        Fact::Some("detection_types/*", "anonymizedIPAddress"),
        Fact::AtLeast("risky_sign_ins/*", 3),
        // The three reads are concurrent and need no user lookup first.
        Fact::Count("graph_requests/*", 3),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(GET_RISKY_USER, get_risky_user)
}
