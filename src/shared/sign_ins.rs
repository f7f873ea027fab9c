//! Sign-in rows as several toolsets show them: the fields read, the table, the place and
//! device text, the Conditional Access visibility note, risk levels, and the user and app
//! filter clauses.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::{UserKey, text};
use super::people::resolve_user;
use crate::error::SkillError;
use crate::graph::resources::SignIn;
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table, trim_opt};
use crate::skill::Ctx;

/// Sign-in logs are kept 30 days with P1/P2.
pub const SIGN_IN_RETENTION_DAYS: i64 = 30;

pub const SIGN_IN_FIELDS: &[&str] = &[
    "id",
    "createdDateTime",
    "userDisplayName",
    "userPrincipalName",
    "userId",
    "appId",
    "appDisplayName",
    "ipAddress",
    "clientAppUsed",
    "correlationId",
    "conditionalAccessStatus",
    "isInteractive",
    "resourceDisplayName",
    "riskDetail",
    "riskLevelAggregated",
    "riskLevelDuringSignIn",
    "riskState",
    "riskEventTypes_v2",
    "status",
    "deviceDetail",
    "location",
    "appliedConditionalAccessPolicies",
];

/// Policy results that mean the policy stopped (or in report-only, would have stopped) the
/// sign-in.
pub fn is_failing(result: Option<&str>) -> bool {
    matches!(result, Some("failure" | "reportOnlyFailure"))
}

/// One sign-in as a table row.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SignInRow {
    pub id: String,
    pub time: Option<String>,
    pub user: Option<String>,
    pub app: Option<String>,
    /// 0 for success, else an AADSTS code.
    pub error_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    pub ip_address: Option<String>,
    /// `City, CC`.
    pub location: Option<String>,
    pub client_app: Option<String>,
    /// Operating system and browser.
    pub device: Option<String>,
    /// Conditional Access: `success`, `failure` or `notApplied`.
    pub ca_status: Option<String>,
    /// Policies that failed (or would fail, report-only) for this sign-in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ca_failed: Vec<String>,
    /// Sign-in risk level; `hidden` without P2.
    pub risk_level: Option<String>,
    pub correlation_id: Option<String>,
}

pub fn place(s: &SignIn) -> Option<String> {
    s.location.as_ref().and_then(|l| match (&l.city, &l.country_or_region) {
        (Some(city), Some(cc)) => Some(format!("{city}, {cc}")),
        (None, Some(cc)) => Some(cc.clone()),
        (Some(city), None) => Some(city.clone()),
        (None, None) => None,
    })
}

pub fn device_text(s: &SignIn) -> Option<String> {
    s.device_detail.as_ref().and_then(|d| {
        let text = [d.operating_system.as_deref(), d.browser.as_deref()]
            .iter()
            .flatten()
            .copied()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        (!text.is_empty()).then_some(text)
    })
}

impl SignInRow {
    pub fn from_sign_in(s: SignIn) -> SignInRow {
        let status = s.status.clone().unwrap_or_default();
        let ca_failed = s
            .applied_conditional_access_policies
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter(|p| is_failing(p.result.as_deref()))
            .map(|p| {
                let name = p.display_name.clone().unwrap_or_else(|| p.id.clone());
                if p.result.as_deref() == Some("reportOnlyFailure") { format!("{name} (report-only)") } else { name }
            })
            .collect();
        SignInRow {
            location: place(&s),
            device: device_text(&s),
            id: s.id,
            time: s.created_date_time,
            user: s.user_principal_name,
            app: s.app_display_name,
            error_code: status.error_code,
            failure_reason: trim_opt(status.failure_reason.filter(|_| status.error_code != Some(0))),
            ip_address: s.ip_address,
            client_app: s.client_app_used,
            ca_status: s.conditional_access_status,
            ca_failed,
            risk_level: s.risk_level_during_sign_in,
            correlation_id: s.correlation_id,
        }
    }
}

pub fn sign_in_table(rows: &[SignInRow]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let result = match r.error_code {
                Some(0) => "success".to_string(),
                Some(code) => code.to_string(),
                None => "-".to_string(),
            };
            let mut ca = or_dash(&r.ca_status);
            if !r.ca_failed.is_empty() {
                ca = format!("{ca}: {}", r.ca_failed.join(", "));
            }
            vec![
                r.time.as_deref().map(short_time).unwrap_or_default(),
                or_dash(&r.user),
                or_dash(&r.app),
                result,
                or_dash(&r.ip_address),
                or_dash(&r.location),
                or_dash(&r.client_app),
                or_dash(&r.device),
                ca,
                or_dash(&r.risk_level),
                r.id.clone(),
            ]
        })
        .collect();
    table(&["time (UTC)", "user", "app", "result", "ip", "place", "client", "device", "CA", "risk", "id"], &body)
}

/// Notes when Conditional Access detail is missing from the log: the caller's role cannot see
/// it, which is not the same as "no policy applied".
pub fn note_ca_visibility(ctx: &Ctx, sign_ins: &[SignIn]) {
    if !sign_ins.is_empty() && sign_ins.iter().all(|s| s.applied_conditional_access_policies.is_none()) {
        ctx.note("Conditional Access details are hidden from this caller (needs Security Reader or Global Reader and Policy.Read.All); do not read this as 'no policy applied'");
    }
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    None,
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub fn graph(self) -> &'static str {
        match self {
            RiskLevel::None => "none",
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }
}

/// A filter clause on the user, without an extra lookup unless the caller said `me`.
pub async fn user_clause(
    ctx: &Ctx,
    key: &UserKey,
    id_field: &'static str,
    upn_field: &'static str,
) -> Result<Expr, SkillError> {
    Ok(match key {
        UserKey::Id(id) => Expr::eq(id_field, id.to_string()),
        UserKey::Upn(upn) => Expr::eq(upn_field, upn.as_str()),
        UserKey::Me => Expr::eq(id_field, resolve_user(ctx, key).await?.id),
    })
}

/// An app given by appId (GUID) or display name.
pub fn app_clause(app: &str) -> Result<Expr, SkillError> {
    let app = text("app", app, 120)?;
    Ok(match super::params::guid(&app) {
        Some(id) => Expr::eq("appId", id.to_string()),
        None => Expr::eq("appDisplayName", app),
    })
}
