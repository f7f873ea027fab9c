//! The `risk` toolset: users at risk, one risky user with the evidence in one answer, and risk
//! detections (ID Protection, P2).

use std::collections::BTreeMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{UserKey, shorten, window};
use super::signins::{RiskLevel, SignInRow, user_clause};
use super::{Access, Ctx, Declaration, ErrorKind, Limit, ListInfo, Render, Since, Skill, SkillError, Toolset, UserRef};
use crate::graph::resources::{RiskDetection, RiskyUser, SignIn};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{fields, or_dash, short_time, table};

pub(super) fn skills() -> Vec<Skill> {
    vec![
        Skill::new(LIST_RISKY_USERS, list_risky_users),
        Skill::new(GET_RISKY_USER, get_risky_user),
        Skill::new(LIST_RISK_DETECTIONS, list_risk_detections),
    ]
}

/// Risk detections are kept 90 days.
const DETECTION_RETENTION_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RiskState {
    AtRisk,
    ConfirmedCompromised,
    Remediated,
    Dismissed,
    ConfirmedSafe,
}

impl RiskState {
    fn graph(self) -> &'static str {
        match self {
            RiskState::AtRisk => "atRisk",
            RiskState::ConfirmedCompromised => "confirmedCompromised",
            RiskState::Remediated => "remediated",
            RiskState::Dismissed => "dismissed",
            RiskState::ConfirmedSafe => "confirmedSafe",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// list_risky_users

const LIST_RISKY_USERS: Declaration = Declaration {
    name: "list_risky_users",
    title: "List risky users",
    description: "Users flagged by ID Protection, by risk level and state (default: at risk or confirmed compromised), with counts per level. For one user's evidence use get_risky_user. P2. Security Reader.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskyUser.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRiskyUsersParams {
    pub risk_level: Option<RiskLevel>,
    /// Any of these states; default at_risk and confirmed_compromised.
    pub risk_state: Option<Vec<RiskState>>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyUserRow {
    pub id: String,
    pub display_name: Option<String>,
    pub upn: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub updated: Option<String>,
}

impl From<RiskyUser> for RiskyUserRow {
    fn from(u: RiskyUser) -> Self {
        RiskyUserRow {
            id: u.id,
            display_name: u.user_display_name,
            upn: u.user_principal_name,
            risk_level: u.risk_level,
            risk_state: u.risk_state,
            risk_detail: u.risk_detail,
            updated: u.risk_last_updated_date_time,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyUserList {
    pub users: Vec<RiskyUserRow>,
    /// Returned users per risk level.
    pub by_level: BTreeMap<String, usize>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const RISKY_USER_FIELDS: &[&str] =
    &["id", "userDisplayName", "userPrincipalName", "riskLevel", "riskState", "riskDetail", "riskLastUpdatedDateTime"];

async fn list_risky_users(ctx: Ctx, p: ListRiskyUsersParams) -> Result<RiskyUserList, SkillError> {
    let limit = p.limit.get()?;
    let states = p.risk_state.clone().unwrap_or_else(|| vec![RiskState::AtRisk, RiskState::ConfirmedCompromised]);
    if states.is_empty() || states.len() > 5 {
        return Err(SkillError::invalid_value(
            "risk_state",
            "needs 1 to 5 states",
            "a list of at_risk, confirmed_compromised, remediated, dismissed, confirmed_safe",
        ));
    }
    let state_filter = states
        .iter()
        .map(|s| Expr::eq("riskState", s.graph()))
        .reduce(Expr::or)
        .ok_or_else(|| SkillError::invalid("risk_state", "at least one state"))?;
    let mut filter = state_filter;
    if let Some(level) = p.risk_level {
        filter = filter.and(Expr::eq("riskLevel", level.graph()));
    }
    let query = Query::new()
        .select(RISKY_USER_FIELDS)
        .filter(filter)
        .orderby("riskLastUpdatedDateTime desc")
        .top(limit.min(500));
    let page =
        ctx.graph.list::<RiskyUser>(GraphRequest::get("/identityProtection/riskyUsers").query(query), limit).await?;
    let users: Vec<RiskyUserRow> = page.items.into_iter().map(RiskyUserRow::from).collect();
    let mut by_level = BTreeMap::new();
    for u in &users {
        *by_level.entry(u.risk_level.clone().unwrap_or_else(|| "unknown".into())).or_insert(0) += 1;
    }
    let list = ListInfo::new(users.len(), page.total, page.more, "`risk_level` or `risk_state`");
    Ok(RiskyUserList { users, by_level, list })
}

impl Render for RiskyUserList {
    fn markdown(&self) -> String {
        let counts = self.by_level.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        let rows: Vec<Vec<String>> = self
            .users
            .iter()
            .map(|u| {
                vec![
                    or_dash(&u.display_name),
                    or_dash(&u.upn),
                    or_dash(&u.risk_level),
                    or_dash(&u.risk_state),
                    or_dash(&u.risk_detail),
                    u.updated.as_deref().map(short_time).unwrap_or_default(),
                    u.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} risky users ({counts})\n{}{}",
            self.list.returned,
            table(&["user", "upn", "level", "state", "detail", "updated (UTC)", "id"], &rows),
            self.list.footer()
        )
    }
}

// ---------------------------------------------------------------------------------------------
// get_risky_user

const GET_RISKY_USER: Declaration = Declaration {
    name: "get_risky_user",
    title: "Get a risky user",
    description: "One user's risk in one answer: level, state and detail, their risk detections (spray, Tor, atypical travel…), and their risky sign-ins of the last 7 days. P2. Security Reader.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskyUser.Read.All", "IdentityRiskEvent.Read.All", "AuditLog.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetRiskyUserParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DetectionRow {
    pub id: String,
    /// e.g. `passwordSpray`, `anonymizedIPAddress`, `unlikelyTravel`, `unfamiliarFeatures`.
    pub risk_event_type: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub detected: Option<String>,
    pub ip_address: Option<String>,
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `realtime` or `offline`.
    pub timing: Option<String>,
}

impl From<RiskDetection> for DetectionRow {
    fn from(d: RiskDetection) -> Self {
        let location = d.location.as_ref().map(|l| {
            [l.city.clone(), l.country_or_region.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ")
        });
        DetectionRow {
            id: d.id,
            risk_event_type: d.risk_event_type,
            risk_level: d.risk_level,
            risk_state: d.risk_state,
            detected: d.detected_date_time,
            ip_address: d.ip_address,
            location: location.filter(|l| !l.is_empty()),
            user: d.user_principal_name,
            timing: d.detection_timing_type,
        }
    }
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

const DETECTION_FIELDS: &[&str] = &[
    "id",
    "riskEventType",
    "riskLevel",
    "riskState",
    "detectedDateTime",
    "ipAddress",
    "location",
    "userPrincipalName",
    "detectionTimingType",
];

async fn get_risky_user(ctx: Ctx, p: GetRiskyUserParams) -> Result<RiskyUserDetail, SkillError> {
    let key = p.user.parse("user")?;
    // With a UPN or an id the three reads need no lookup first, so they run at once.
    let key = match key {
        UserKey::Me => {
            UserKey::Id(super::params::parse_guid("user", &super::users::resolve_user(&ctx, &key).await?.id)?)
        }
        other => other,
    };
    let risky_filter = user_clause(&ctx, &key, "id", "userPrincipalName").await?;
    let detection_filter = user_clause(&ctx, &key, "userId", "userPrincipalName").await?;
    let sign_in_filter = user_clause(&ctx, &key, "userId", "userPrincipalName")
        .await?
        .and(Expr::ge("createdDateTime", ctx.now - Duration::days(7)));

    let risky = GraphRequest::get("/identityProtection/riskyUsers")
        .query(Query::new().select(RISKY_USER_FIELDS).filter(risky_filter).top(1));
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

fn detection_table(rows: &[DetectionRow], with_user: bool) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|d| {
            let mut row = vec![
                d.detected.as_deref().map(short_time).unwrap_or_default(),
                or_dash(&d.risk_event_type),
                or_dash(&d.risk_level),
                or_dash(&d.risk_state),
                or_dash(&d.ip_address),
                or_dash(&d.location),
            ];
            if with_user {
                row.insert(1, or_dash(&d.user));
            }
            row.push(d.id.clone());
            row
        })
        .collect();
    let mut headers = vec!["detected (UTC)", "type", "level", "state", "ip", "place", "id"];
    if with_user {
        headers.insert(1, "user");
    }
    table(&headers, &body)
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

// ---------------------------------------------------------------------------------------------
// list_risk_detections

const LIST_RISK_DETECTIONS: Declaration = Declaration {
    name: "list_risk_detections",
    title: "List risk detections",
    description: "ID Protection risk detections in a window (default 7d): by user, type (passwordSpray, anonymizedIPAddress, unlikelyTravel…), or level. P2. Security Reader.",
    toolset: Toolset::Risk,
    permissions: &["IdentityRiskEvent.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRiskDetectionsParams {
    pub user: Option<UserRef>,
    /// Graph's riskEventType, e.g. `passwordSpray`.
    pub risk_event_type: Option<String>,
    pub risk_level: Option<RiskLevel>,
    pub since: Option<Since>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DetectionList {
    pub detections: Vec<DetectionRow>,
    /// Returned detections per type.
    pub by_type: BTreeMap<String, usize>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn list_risk_detections(ctx: Ctx, p: ListRiskDetectionsParams) -> Result<DetectionList, SkillError> {
    let limit = p.limit.get()?;
    let (start, _) = window(&ctx, p.since.as_ref(), None, Duration::days(7), DETECTION_RETENTION_DAYS)?;
    let mut clauses = vec![Expr::ge("detectedDateTime", start)];
    if let Some(user) = &p.user {
        let key = user.parse("user")?;
        clauses.push(user_clause(&ctx, &key, "userId", "userPrincipalName").await?);
    }
    if let Some(kind) = &p.risk_event_type {
        let kind = kind.trim();
        if kind.is_empty() || kind.len() > 60 || !kind.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(SkillError::invalid_value(
                "risk_event_type",
                format!("`{}` is not a detection type", shorten(kind)),
                "a type name such as passwordSpray, anonymizedIPAddress, unlikelyTravel, unfamiliarFeatures, leakedCredentials",
            ));
        }
        clauses.push(Expr::eq("riskEventType", kind));
    }
    if let Some(level) = p.risk_level {
        clauses.push(Expr::eq("riskLevel", level.graph()));
    }
    let query = Query::new()
        .select(DETECTION_FIELDS)
        .filter_opt(Expr::conjunction(clauses))
        .orderby("detectedDateTime desc")
        .top(limit.min(500));
    let page = ctx
        .graph
        .list::<RiskDetection>(GraphRequest::get("/identityProtection/riskDetections").query(query), limit)
        .await?;
    let detections: Vec<DetectionRow> = page.items.into_iter().map(DetectionRow::from).collect();
    let mut by_type = BTreeMap::new();
    for d in &detections {
        *by_type.entry(d.risk_event_type.clone().unwrap_or_else(|| "unknown".into())).or_insert(0) += 1;
    }
    let list =
        ListInfo::new(detections.len(), page.total, page.more, "`since`, `user`, `risk_event_type` or `risk_level`");
    Ok(DetectionList { detections, by_type, list })
}

impl Render for DetectionList {
    fn markdown(&self) -> String {
        let counts = self.by_type.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        format!(
            "{} detections ({counts})\n{}{}",
            self.list.returned,
            detection_table(&self.detections, true),
            self.list.footer()
        )
    }
}
