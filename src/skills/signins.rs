//! The `signins` toolset: sign-in logs as a table, one sign-in in full, and the composite that
//! explains why a sign-in failed and what to change.

use std::collections::BTreeSet;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::aadsts;
use super::params::{UserKey, allowed_filter, parse_guid, shorten, text, window};
use super::users::resolve_user;
use super::{Access, Ctx, Declaration, ErrorKind, Limit, ListInfo, Render, Since, Skill, SkillError, Toolset, UserRef};
use crate::graph::resources::{ConditionalAccessPolicy, SignIn};
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::{fields, or_dash, short_time, table, trim_opt, yes_no};

pub(super) fn skills() -> Vec<Skill> {
    vec![
        Skill::new(LIST_SIGN_INS, list_sign_ins),
        Skill::new(GET_SIGN_IN, get_sign_in),
        Skill::new(EXPLAIN_SIGN_IN_FAILURE, explain_sign_in_failure),
    ]
}

/// Sign-in logs are kept 30 days with P1/P2.
const SIGN_IN_RETENTION_DAYS: i64 = 30;

const SIGN_IN_FIELDS: &[&str] = &[
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
fn is_failing(result: Option<&str>) -> bool {
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

pub(super) fn place(s: &SignIn) -> Option<String> {
    s.location.as_ref().and_then(|l| match (&l.city, &l.country_or_region) {
        (Some(city), Some(cc)) => Some(format!("{city}, {cc}")),
        (None, Some(cc)) => Some(cc.clone()),
        (Some(city), None) => Some(city.clone()),
        (None, None) => None,
    })
}

fn device_text(s: &SignIn) -> Option<String> {
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
    pub(super) fn from_sign_in(s: SignIn) -> SignInRow {
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

fn sign_in_table(rows: &[SignInRow]) -> String {
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
fn note_ca_visibility(ctx: &Ctx, sign_ins: &[SignIn]) {
    if !sign_ins.is_empty() && sign_ins.iter().all(|s| s.applied_conditional_access_policies.is_none()) {
        ctx.note("Conditional Access details are hidden from this caller (needs Security Reader or Global Reader and Policy.Read.All); do not read this as 'no policy applied'");
    }
}

// ---------------------------------------------------------------------------------------------
// list_sign_ins

const LIST_SIGN_INS: Declaration = Declaration {
    name: "list_sign_ins",
    title: "List sign-ins",
    description: "Sign-in logs in a window (default 24h) as a table: by user, app, success or failure, error code, CA result or policy, risk, IP, country, client app. For one sign-in in full use get_sign_in; for why it failed, explain_sign_in_failure. P1. Reports Reader (CA detail: Security Reader).",
    toolset: Toolset::Signins,
    permissions: &["AuditLog.Read.All"],
    least_role: "Reports Reader (CA detail: Security Reader)",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CaStatus {
    Success,
    Failure,
    NotApplied,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PolicyOutcome {
    Success,
    Failure,
    NotApplied,
    ReportOnlySuccess,
    ReportOnlyFailure,
}

impl PolicyOutcome {
    fn graph(self) -> &'static str {
        match self {
            PolicyOutcome::Success => "success",
            PolicyOutcome::Failure => "failure",
            PolicyOutcome::NotApplied => "notApplied",
            PolicyOutcome::ReportOnlySuccess => "reportOnlySuccess",
            PolicyOutcome::ReportOnlyFailure => "reportOnlyFailure",
        }
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
    pub(super) fn graph(self) -> &'static str {
        match self {
            RiskLevel::None => "none",
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListSignInsParams {
    pub user: Option<UserRef>,
    /// App display name or appId.
    pub app: Option<String>,
    pub outcome: Option<Outcome>,
    /// AADSTS code, e.g. 50126.
    pub error_code: Option<i64>,
    pub ca_status: Option<CaStatus>,
    /// Conditional Access policy id that was evaluated.
    pub ca_policy: Option<String>,
    /// With `ca_policy`: only sign-ins where it had this result.
    pub ca_policy_result: Option<PolicyOutcome>,
    pub risk_level: Option<RiskLevel>,
    pub ip_address: Option<String>,
    /// e.g. `Browser`, `IMAP4`, `Exchange ActiveSync`.
    pub client_app: Option<String>,
    /// Two-letter country code.
    pub country: Option<String>,
    /// Extra OData: eq/ne/ge/le/startswith joined by and, on appDisplayName, userPrincipalName, status/errorCode, ipAddress, clientAppUsed, conditionalAccessStatus, location/city, location/countryOrRegion, deviceDetail/operatingSystem, deviceDetail/browser, riskLevelDuringSignIn.
    pub filter: Option<String>,
    pub since: Option<Since>,
    pub until: Option<Since>,
    #[serde(default)]
    pub limit: Limit,
}

const SIGN_IN_FILTER_FIELDS: &[&str] = &[
    "appDisplayName",
    "userPrincipalName",
    "status/errorCode",
    "ipAddress",
    "clientAppUsed",
    "conditionalAccessStatus",
    "location/city",
    "location/countryOrRegion",
    "deviceDetail/operatingSystem",
    "deviceDetail/browser",
    "riskLevelDuringSignIn",
];

#[derive(Debug, Serialize, JsonSchema)]
pub struct SignInList {
    pub since: String,
    pub sign_ins: Vec<SignInRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

/// A filter clause on the user, without an extra lookup unless the caller said `me`.
pub(super) async fn user_clause(
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
pub(super) fn app_clause(app: &str) -> Result<Expr, SkillError> {
    let app = text("app", app, 120)?;
    Ok(match uuid::Uuid::try_parse(&app) {
        Ok(id) if app.len() == 36 => Expr::eq("appId", id.to_string()),
        _ => Expr::eq("appDisplayName", app),
    })
}

async fn list_sign_ins(ctx: Ctx, p: ListSignInsParams) -> Result<SignInList, SkillError> {
    let limit = p.limit.get()?;
    let (start, end) = window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::hours(24), SIGN_IN_RETENTION_DAYS)?;
    let mut clauses = vec![Expr::ge("createdDateTime", start)];
    if let Some(end) = end {
        clauses.push(Expr::le("createdDateTime", end));
    }
    if let Some(user) = &p.user {
        let key = user.parse("user")?;
        clauses.push(user_clause(&ctx, &key, "userId", "userPrincipalName").await?);
    }
    if let Some(app) = &p.app {
        clauses.push(app_clause(app)?);
    }
    match p.outcome {
        Some(Outcome::Success) => clauses.push(Expr::eq("status/errorCode", 0i64)),
        Some(Outcome::Failure) => clauses.push(Expr::ne("status/errorCode", 0i64)),
        None => {}
    }
    if let Some(code) = p.error_code {
        if !(0..=99_999_999).contains(&code) {
            return Err(SkillError::invalid_value(
                "error_code",
                format!("{code} is out of range"),
                "an AADSTS number such as 50126",
            ));
        }
        clauses.push(Expr::eq("status/errorCode", code));
    }
    if let Some(status) = p.ca_status {
        let value = match status {
            CaStatus::Success => "success",
            CaStatus::Failure => "failure",
            CaStatus::NotApplied => "notApplied",
        };
        clauses.push(Expr::eq("conditionalAccessStatus", value));
    }
    match (&p.ca_policy, p.ca_policy_result) {
        (Some(policy), result) => {
            let id = parse_guid("ca_policy", policy)?;
            let mut body = Expr::eq("p/id", id.to_string());
            if let Some(result) = result {
                body = body.and(Expr::eq("p/result", result.graph()));
            }
            clauses.push(Expr::any("appliedConditionalAccessPolicies", "p", body));
        }
        (None, Some(_)) => {
            return Err(SkillError::invalid_value(
                "ca_policy_result",
                "needs `ca_policy`",
                "a result together with a `ca_policy` id",
            ));
        }
        (None, None) => {}
    }
    if let Some(level) = p.risk_level {
        clauses.push(Expr::eq("riskLevelDuringSignIn", level.graph()));
    }
    if let Some(ip) = &p.ip_address {
        let ip: std::net::IpAddr = ip.trim().parse().map_err(|_| {
            SkillError::invalid_value(
                "ip_address",
                format!("`{}` is not an IP address", shorten(ip)),
                "an IPv4 or IPv6 address",
            )
        })?;
        clauses.push(Expr::eq("ipAddress", ip.to_string()));
    }
    if let Some(client) = &p.client_app {
        clauses.push(Expr::eq("clientAppUsed", text("client_app", client, 60)?));
    }
    if let Some(country) = &p.country {
        let cc = country.trim();
        if cc.len() != 2 || !cc.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(SkillError::invalid_value(
                "country",
                format!("`{}` is not a country code", shorten(cc)),
                "a two-letter country code such as NL",
            ));
        }
        clauses.push(Expr::eq("location/countryOrRegion", cc.to_ascii_uppercase()));
    }
    if let Some(filter) = &p.filter {
        clauses.push(allowed_filter(filter, SIGN_IN_FILTER_FIELDS)?);
    }
    let query = Query::new()
        .select(SIGN_IN_FIELDS)
        .filter_opt(Expr::conjunction(clauses))
        .orderby("createdDateTime desc")
        .top(limit.min(1000));
    let request = GraphRequest::get("/auditLogs/signIns").query(query).prefer_unknown_enums();
    let page = ctx.graph.list::<SignIn>(request, limit).await?;
    note_ca_visibility(&ctx, &page.items);
    let sign_ins: Vec<SignInRow> = page.items.into_iter().map(SignInRow::from_sign_in).collect();
    let list =
        ListInfo::new(sign_ins.len(), page.total, page.more, "`since`, `user`, `app`, `outcome` or `error_code`");
    Ok(SignInList { since: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), sign_ins, list })
}

impl Render for SignInList {
    fn markdown(&self) -> String {
        let failures = self.sign_ins.iter().filter(|s| s.error_code.is_some_and(|c| c != 0)).count();
        format!(
            "{} sign-ins since {} UTC ({failures} failed)\n{}{}",
            self.list.returned,
            short_time(&self.since),
            sign_in_table(&self.sign_ins),
            self.list.footer()
        )
    }
}

// ---------------------------------------------------------------------------------------------
// get_sign_in

const GET_SIGN_IN: Declaration = Declaration {
    name: "get_sign_in",
    title: "Get a sign-in",
    description: "One sign-in in full — status, Conditional Access policies and their results, device, place, risk — by sign-in id, or every event sharing a correlation id. P1. Reports Reader (CA detail: Security Reader).",
    toolset: Toolset::Signins,
    permissions: &["AuditLog.Read.All"],
    least_role: "Reports Reader (CA detail: Security Reader)",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetSignInParams {
    /// Sign-in id (request id).
    pub id: Option<String>,
    /// Correlation id: returns every event of that sign-in attempt.
    pub correlation_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PolicyResult {
    pub id: String,
    pub name: Option<String>,
    /// `success`, `failure`, `notApplied`, `notEnabled`, or `reportOnly…`.
    pub result: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grant_controls: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub session_controls: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SignInDetail {
    #[serde(flatten)]
    pub row: SignInRow,
    pub user_id: Option<String>,
    pub app_id: Option<String>,
    pub resource: Option<String>,
    pub interactive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_details: Option<String>,
    pub device_compliant: Option<bool>,
    pub device_managed: Option<bool>,
    /// `entra_joined`, `registered`, `hybrid_joined`.
    pub device_join_type: Option<String>,
    pub device_name: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub risk_level_aggregated: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub risk_event_types: Vec<String>,
    /// Applied policies that did something (not-applied ones are counted, not listed).
    pub policies: Vec<PolicyResult>,
    pub policies_not_applied: usize,
    /// False when the caller cannot see Conditional Access detail.
    pub ca_visible: bool,
}

impl SignInDetail {
    pub(super) fn from_sign_in(s: SignIn) -> SignInDetail {
        let device = s.device_detail.clone().unwrap_or_default();
        let status = s.status.clone().unwrap_or_default();
        let applied = s.applied_conditional_access_policies.clone();
        let ca_visible = applied.is_some();
        let applied = applied.unwrap_or_default();
        let not_applied = |r: Option<&str>| matches!(r, Some("notApplied" | "notEnabled" | "reportOnlyNotApplied"));
        let policies_not_applied = applied.iter().filter(|p| not_applied(p.result.as_deref())).count();
        let policies = applied
            .into_iter()
            .filter(|p| !not_applied(p.result.as_deref()))
            .map(|p| PolicyResult {
                id: p.id,
                name: p.display_name,
                result: p.result,
                grant_controls: p.enforced_grant_controls.unwrap_or_default(),
                session_controls: p.enforced_session_controls.unwrap_or_default(),
            })
            .collect();
        SignInDetail {
            user_id: s.user_id.clone(),
            app_id: s.app_id.clone(),
            resource: s.resource_display_name.clone(),
            interactive: s.is_interactive,
            additional_details: trim_opt(status.additional_details),
            device_compliant: device.is_compliant,
            device_managed: device.is_managed,
            device_join_type: super::users::join_type(device.trust_type.as_deref().filter(|t| !t.is_empty())),
            device_name: device.display_name.filter(|n| !n.is_empty()),
            risk_state: s.risk_state.clone(),
            risk_detail: s.risk_detail.clone(),
            risk_level_aggregated: s.risk_level_aggregated.clone(),
            risk_event_types: s.risk_event_types_v2.clone().unwrap_or_default(),
            policies,
            policies_not_applied,
            ca_visible,
            row: SignInRow::from_sign_in(s),
        }
    }

    fn markdown(&self) -> String {
        let r = &self.row;
        let result = match r.error_code {
            Some(0) => "success".to_string(),
            Some(code) => format!("{code} {}", r.failure_reason.clone().unwrap_or_default()),
            None => "-".into(),
        };
        let mut text = fields(&[
            ("sign-in", Some(r.id.clone())),
            ("time", r.time.as_deref().map(|t| format!("{} UTC", short_time(t)))),
            ("user", r.user.clone().map(|u| format!("{u} ({})", self.user_id.clone().unwrap_or_default()))),
            ("app", r.app.clone().map(|a| format!("{a} ({})", self.app_id.clone().unwrap_or_default()))),
            ("result", Some(result)),
            ("details", self.additional_details.clone()),
            ("client", r.client_app.clone()),
            ("ip", r.ip_address.clone()),
            ("place", r.location.clone()),
            (
                "device",
                Some(format!(
                    "{} {}; compliant {}; managed {}; {}",
                    self.device_name.clone().unwrap_or_else(|| "unregistered".into()),
                    r.device.clone().unwrap_or_default(),
                    yes_no(self.device_compliant).unwrap_or_else(|| "-".into()),
                    yes_no(self.device_managed).unwrap_or_else(|| "-".into()),
                    self.device_join_type.clone().unwrap_or_else(|| "not joined".into())
                )),
            ),
            (
                "risk",
                Some(format!(
                    "{} (aggregated {}, state {}){}",
                    r.risk_level.clone().unwrap_or_else(|| "-".into()),
                    self.risk_level_aggregated.clone().unwrap_or_else(|| "-".into()),
                    self.risk_state.clone().unwrap_or_else(|| "-".into()),
                    if self.risk_event_types.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", self.risk_event_types.join(", "))
                    }
                )),
            ),
            ("CA status", r.ca_status.clone()),
            ("correlation", r.correlation_id.clone()),
        ]);
        if self.ca_visible {
            let rows: Vec<Vec<String>> = self
                .policies
                .iter()
                .map(|p| {
                    vec![
                        or_dash(&p.name),
                        or_dash(&p.result),
                        [p.grant_controls.clone(), p.session_controls.clone()].concat().join(", "),
                        p.id.clone(),
                    ]
                })
                .collect();
            text.push_str(&format!(
                "\npolicies ({} more not applied):\n{}",
                self.policies_not_applied,
                table(&["policy", "result", "controls", "id"], &rows)
            ));
        } else {
            text.push_str("\npolicies: hidden from this caller");
        }
        text
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SignInDetails {
    pub sign_ins: Vec<SignInDetail>,
}

async fn get_sign_in(ctx: Ctx, p: GetSignInParams) -> Result<SignInDetails, SkillError> {
    let sign_ins = match (&p.id, &p.correlation_id) {
        (Some(id), None) => {
            vec![sign_in_by_id(&ctx, "id", id).await?]
        }
        (None, Some(correlation)) => {
            let correlation = parse_guid("correlation_id", correlation)?;
            let found = correlated(&ctx, &correlation.to_string(), 20).await?;
            if found.is_empty() {
                return Err(SkillError::not_found(
                    format!("sign-in with correlation id {correlation} in the last 30 days"),
                    "list_sign_ins",
                ));
            }
            found
        }
        _ => {
            return Err(SkillError::invalid_value(
                "id",
                "give exactly one of `id` or `correlation_id`",
                "a sign-in id, or a correlation id (GUIDs)",
            ));
        }
    };
    note_ca_visibility(&ctx, &sign_ins);
    Ok(SignInDetails { sign_ins: sign_ins.into_iter().map(SignInDetail::from_sign_in).collect() })
}

/// One sign-in by its id (given in the argument `field`), with report-only CA results.
async fn sign_in_by_id(ctx: &Ctx, field: &str, id: &str) -> Result<SignIn, SkillError> {
    let id = parse_guid(field, id)?.to_string();
    let request = GraphRequest::get(path("/auditLogs/signIns/{}", &[&id]))
        .query(Query::new().select(SIGN_IN_FIELDS))
        .prefer_unknown_enums();
    ctx.graph.get(request).await.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            SkillError::not_found(format!("sign-in {id} (logs are kept 30 days)"), "list_sign_ins")
        } else {
            e
        }
    })
}

/// Every event of one sign-in attempt, oldest first.
async fn correlated(ctx: &Ctx, correlation_id: &str, cap: usize) -> Result<Vec<SignIn>, SkillError> {
    let query = Query::new().select(SIGN_IN_FIELDS).filter(Expr::eq("correlationId", correlation_id)).top(cap);
    let request = GraphRequest::get("/auditLogs/signIns").query(query).prefer_unknown_enums();
    let mut items = ctx.graph.list::<SignIn>(request, cap).await?.items;
    items.sort_by(|a, b| a.created_date_time.cmp(&b.created_date_time));
    Ok(items)
}

impl Render for SignInDetails {
    fn markdown(&self) -> String {
        self.sign_ins.iter().map(SignInDetail::markdown).collect::<Vec<_>>().join("\n\n")
    }
}

// ---------------------------------------------------------------------------------------------
// explain_sign_in_failure

const EXPLAIN_SIGN_IN_FAILURE: Declaration = Declaration {
    name: "explain_sign_in_failure",
    title: "Explain a sign-in failure",
    description: "Why a sign-in failed and what to change: the error's meaning, the Conditional Access policies that blocked it and their unmet controls, a What-If replay against today's policies, and the next step. Give a sign-in id, a correlation id, or a user (latest failure). P1. Security Reader.",
    toolset: Toolset::Signins,
    permissions: &["AuditLog.Read.All", "Policy.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainSignInFailureParams {
    /// Sign-in id.
    pub sign_in_id: Option<String>,
    pub correlation_id: Option<String>,
    /// Latest failure of this user (with `since`, default 24h).
    pub user: Option<UserRef>,
    pub since: Option<Since>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BlockingPolicy {
    pub id: String,
    pub name: Option<String>,
    /// `enabled`, `enabledForReportingButNotEnforced` or `disabled` (today).
    pub state: Option<String>,
    /// The result recorded at sign-in.
    pub result: String,
    pub report_only: bool,
    /// Controls the sign-in did not satisfy, e.g. `block`, `mfa`, `compliantDevice`.
    pub unmet_controls: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WhatIfReplay {
    /// Policies that would apply to the same sign-in today, with their controls.
    pub applying_now: Vec<String>,
    /// Differences between the sign-in's policies and today's answer.
    pub drift: Vec<String>,
    /// Conditions replayed (omitted ones are not evaluated).
    pub conditions: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RelatedEvent {
    pub id: String,
    pub time: Option<String>,
    pub error_code: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SignInFailureExplanation {
    pub sign_in: SignInRow,
    /// `failure`, `interrupted` or `success`.
    pub outcome: String,
    pub error_code: i64,
    /// `credential`, `account`, `mfa`, `ca`, `device`, `consent_and_assignment`, `app`, `session` or `unknown`.
    pub category: String,
    pub meaning: String,
    /// For codes outside the project's table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub blocking_policies: Vec<BlockingPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_if: Option<WhatIfReplay>,
    /// Other events of the same attempt (same correlation id).
    pub related: Vec<RelatedEvent>,
    /// An interrupt followed by a success in the same attempt: nothing to fix.
    pub resolved_by_retry: bool,
    pub next_step: String,
    pub ca_visible: bool,
}

async fn find_anchor(ctx: &Ctx, p: &ExplainSignInFailureParams) -> Result<SignIn, SkillError> {
    match (&p.sign_in_id, &p.correlation_id, &p.user) {
        (Some(id), None, None) => sign_in_by_id(ctx, "sign_in_id", id).await,
        (None, Some(correlation), None) => {
            let correlation = parse_guid("correlation_id", correlation)?;
            let events = correlated(ctx, &correlation.to_string(), 20).await?;
            // The failure that matters is the last failing event of the attempt.
            events
                .into_iter()
                .rev()
                .find(|s| s.status.as_ref().and_then(|st| st.error_code).is_some_and(|c| c != 0))
                .ok_or_else(|| {
                    SkillError::not_found(format!("failed sign-in with correlation id {correlation}"), "list_sign_ins")
                })
        }
        (None, None, Some(user)) => {
            let key = user.parse("user")?;
            let (start, _) = window(ctx, p.since.as_ref(), None, Duration::hours(24), SIGN_IN_RETENTION_DAYS)?;
            let clause = user_clause(ctx, &key, "userId", "userPrincipalName").await?;
            let filter = Expr::ge("createdDateTime", start).and(clause).and(Expr::ne("status/errorCode", 0i64));
            let query = Query::new().select(SIGN_IN_FIELDS).filter(filter).orderby("createdDateTime desc").top(1);
            let request = GraphRequest::get("/auditLogs/signIns").query(query).prefer_unknown_enums();
            let page = ctx.graph.list::<SignIn>(request, 1).await?;
            page.items.into_iter().next().ok_or_else(|| {
                SkillError::not_found(
                    format!("failed sign-in for {} since {}", key.describe(), short_time(&start.to_rfc3339())),
                    "list_sign_ins",
                )
                .with_remedy("widen `since`, or list the user's sign-ins with `list_sign_ins`")
            })
        }
        _ => Err(SkillError::invalid_value(
            "sign_in_id",
            "give exactly one of `sign_in_id`, `correlation_id` or `user`",
            "a sign-in id, a correlation id, or a user (UPN, object id, `me`) with an optional `since`",
        )),
    }
}

/// What-If conditions from a logged sign-in (SKILLS.md §5.1, replay mapping).
fn what_if_body(s: &SignIn) -> Option<(serde_json::Value, String)> {
    let user_id = s.user_id.as_deref()?;
    let app_id = s.app_id.as_deref()?;
    let mut conditions = serde_json::Map::new();
    let mut described = Vec::new();
    let device = s.device_detail.clone().unwrap_or_default();
    if let Some(os) = device.operating_system.as_deref() {
        let os_lower = os.to_ascii_lowercase();
        let platform = if os_lower.starts_with("ios") {
            Some("iOS")
        } else if os_lower.starts_with("android") {
            Some("android")
        } else if os_lower.starts_with("windows") {
            Some("windows")
        } else if os_lower.starts_with("mac") {
            Some("macOS")
        } else if os_lower.starts_with("linux") {
            Some("linux")
        } else {
            None
        };
        if let Some(platform) = platform {
            conditions.insert("devicePlatform".into(), json!(platform));
            described.push(format!("platform {platform}"));
        }
    }
    if let Some(client) = s.client_app_used.as_deref() {
        let kind = match client {
            "Browser" => "browser",
            "Mobile Apps and Desktop clients" => "mobileAppsAndDesktopClients",
            "Exchange ActiveSync" => "exchangeActiveSync",
            _ => "other",
        };
        conditions.insert("clientAppType".into(), json!(kind));
        described.push(format!("client {kind}"));
    }
    if let Some(cc) = s.location.as_ref().and_then(|l| l.country_or_region.clone()) {
        described.push(format!("country {cc}"));
        conditions.insert("country".into(), json!(cc));
    }
    if let Some(ip) = &s.ip_address {
        conditions.insert("ipAddress".into(), json!(ip));
        described.push(format!("ip {ip}"));
    }
    if let Some(risk) = s.risk_level_during_sign_in.as_deref().filter(|r| matches!(*r, "low" | "medium" | "high")) {
        conditions.insert("signInRiskLevel".into(), json!(risk));
        described.push(format!("sign-in risk {risk}"));
    }
    if let Some(compliant) = device.is_compliant {
        conditions.insert("deviceInfo".into(), json!({"isCompliant": compliant}));
        described.push(format!("compliant {compliant}"));
    }
    let body = json!({
        "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": user_id},
        "signInContext": {"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": [app_id]},
        "signInConditions": conditions,
        "appliedPoliciesOnly": false,
    });
    Some((body, described.join(", ")))
}

fn unmet_controls(policy: &ConditionalAccessPolicy) -> Vec<String> {
    let Some(grant) = &policy.grant_controls else { return Vec::new() };
    let mut controls = grant.built_in_controls.clone().unwrap_or_default();
    if let Some(strength) =
        grant.authentication_strength.as_ref().and_then(|s| s.get("displayName")).and_then(|n| n.as_str())
    {
        controls.push(format!("authentication strength '{strength}'"));
    }
    controls
}

async fn explain_sign_in_failure(
    ctx: Ctx,
    p: ExplainSignInFailureParams,
) -> Result<SignInFailureExplanation, SkillError> {
    let anchor = find_anchor(&ctx, &p).await?;
    let code = anchor.status.as_ref().and_then(|s| s.error_code).unwrap_or(0);
    let ca_visible = anchor.applied_conditional_access_policies.is_some();
    let failing: Vec<(String, String)> = anchor
        .applied_conditional_access_policies
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|a| is_failing(a.result.as_deref()))
        .map(|a| (a.id.clone(), a.result.clone().unwrap_or_default()))
        .collect();

    // Everything below depends only on the anchor, so it runs concurrently: the correlated
    // events, each failing policy, and the What-If replay.
    let correlation = anchor.correlation_id.clone().unwrap_or_default();
    let related = async {
        if uuid::Uuid::try_parse(&correlation).is_ok() {
            correlated(&ctx, &correlation, 20).await
        } else {
            Ok(Vec::new())
        }
    };
    let policies = futures::future::join_all(failing.iter().map(|(id, _)| {
        let request = GraphRequest::get(path("/identity/conditionalAccess/policies/{}", &[id]))
            .query(Query::new().select(&["id", "displayName", "state", "grantControls"]));
        ctx.graph.get::<ConditionalAccessPolicy>(request)
    }));
    let replay = what_if_body(&anchor);
    let what_if = async {
        match &replay {
            Some((body, _)) if code != 0 => {
                let request = GraphRequest::post("/identity/conditionalAccess/evaluate", body.clone()).read_only();
                Some(ctx.graph.get::<WhatIfPage>(request).await)
            }
            _ => None,
        }
    };
    let (related, policies, what_if) = tokio::join!(related, policies, what_if);

    let mut blocking = Vec::new();
    for ((id, result), fetched) in failing.iter().zip(policies) {
        match fetched {
            Ok(policy) => blocking.push(BlockingPolicy {
                unmet_controls: unmet_controls(&policy),
                id: id.clone(),
                name: policy.display_name,
                state: policy.state,
                result: result.clone(),
                report_only: result.starts_with("reportOnly"),
            }),
            Err(e) => {
                ctx.note(format!("policy {id} could not be read: {}", e.kind.as_str()));
                let name = anchor
                    .applied_conditional_access_policies
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .find(|a| &a.id == id)
                    .and_then(|a| a.display_name.clone());
                blocking.push(BlockingPolicy {
                    id: id.clone(),
                    name,
                    state: None,
                    result: result.clone(),
                    report_only: result.starts_with("reportOnly"),
                    unmet_controls: Vec::new(),
                });
            }
        }
    }

    // A block decides the outcome whatever else applied, so it leads; report-only ones trail.
    blocking.sort_by_key(|b| (b.report_only, !b.unmet_controls.iter().any(|c| c == "block")));

    let related_events: Vec<SignIn> = match related {
        Ok(events) => events,
        Err(e) => {
            ctx.note(format!("related events could not be read: {}", e.kind.as_str()));
            Vec::new()
        }
    };
    let anchor_time = anchor.created_date_time.clone().unwrap_or_default();
    let resolved_by_retry = aadsts::is_interrupt(code)
        && related_events.iter().any(|s| {
            s.status.as_ref().and_then(|st| st.error_code) == Some(0)
                && s.created_date_time.clone().unwrap_or_default() >= anchor_time
        });
    let related: Vec<RelatedEvent> = related_events
        .iter()
        .filter(|s| s.id != anchor.id)
        .map(|s| RelatedEvent {
            id: s.id.clone(),
            time: s.created_date_time.clone(),
            error_code: s.status.as_ref().and_then(|st| st.error_code),
        })
        .collect();

    let what_if = match what_if {
        Some(Ok(page)) => {
            let applying: Vec<&ConditionalAccessPolicy> =
                page.value.iter().filter(|r| r.policy_applies == Some(true)).collect();
            let applying_now = applying
                .iter()
                .map(|r| {
                    let controls = unmet_controls(r);
                    format!("{} [{}]", r.display_name.clone().unwrap_or_else(|| r.id.clone()), controls.join(", "))
                })
                .collect();
            let now_ids: BTreeSet<&str> = applying.iter().map(|r| r.id.as_str()).collect();
            let mut drift = Vec::new();
            for b in &blocking {
                if !now_ids.contains(b.id.as_str()) {
                    drift.push(format!(
                        "{} blocked this sign-in but would not apply today",
                        b.name.clone().unwrap_or_else(|| b.id.clone())
                    ));
                }
            }
            Some(WhatIfReplay { applying_now, drift, conditions: replay.map(|(_, d)| d).unwrap_or_default() })
        }
        Some(Err(e)) => {
            ctx.note(format!("What-If replay unavailable: {} ({})", e.kind.as_str(), e.message));
            None
        }
        None => None,
    };
    if what_if.is_some() {
        ctx.note(
            "What-If uses today's policies and only the replayed conditions; omitted conditions are not evaluated",
        );
    }
    note_ca_visibility(&ctx, std::slice::from_ref(&anchor));

    let entry = aadsts::lookup(code);
    let outcome = if code == 0 {
        "success"
    } else if aadsts::is_interrupt(code) {
        "interrupted"
    } else {
        "failure"
    };
    let next_step = next_step(code, entry, &blocking, resolved_by_retry);
    let failure_reason = anchor.status.as_ref().and_then(|s| s.failure_reason.clone());
    Ok(SignInFailureExplanation {
        outcome: outcome.into(),
        error_code: code,
        category: entry.map(|e| e.category).unwrap_or("unknown").into(),
        meaning: entry.map(|e| e.meaning.to_string()).or(failure_reason).unwrap_or_else(|| "no description".into()),
        reference: entry.is_none().then(|| aadsts::lookup_url(code)),
        blocking_policies: blocking,
        what_if,
        related,
        resolved_by_retry,
        next_step,
        ca_visible,
        sign_in: SignInRow::from_sign_in(anchor),
    })
}

fn next_step(code: i64, entry: Option<&aadsts::Aadsts>, blocking: &[BlockingPolicy], resolved: bool) -> String {
    if code == 0 {
        return "nothing: this sign-in succeeded".into();
    }
    if resolved {
        return "nothing to fix: the interrupt was followed by a successful sign-in in the same attempt".into();
    }
    // Policies are ordered: enforced before report-only, blocks first.
    if let Some(policy) = blocking.iter().find(|b| !b.report_only) {
        let name = policy.name.clone().unwrap_or_else(|| policy.id.clone());
        let controls = &policy.unmet_controls;
        if controls.iter().any(|c| c == "compliantDevice") {
            return format!(
                "{name} requires a compliant device: enrol the device in Intune and bring it into compliance, or use a compliant device"
            );
        }
        if controls.iter().any(|c| c == "block") {
            return format!(
                "{name} blocks this sign-in by design; if it is legitimate, check the condition that matched (risk, location, platform, client app) — for risk, review the user with get_risky_user"
            );
        }
        if controls.iter().any(|c| c == "mfa" || c.starts_with("authentication strength")) {
            return format!("{name} requires MFA: have the user register and complete a suitable method");
        }
        return format!("{name} was not satisfied ({}); review its grant controls", controls.join(", "));
    }
    match entry {
        Some(e) => e.next_step.to_string(),
        None => format!("look the code up at {} and read the failure reason", aadsts::lookup_url(code)),
    }
}

#[derive(Debug, Deserialize)]
struct WhatIfPage {
    #[serde(default)]
    value: Vec<ConditionalAccessPolicy>,
}

impl Render for SignInFailureExplanation {
    fn markdown(&self) -> String {
        let s = &self.sign_in;
        let mut text = fields(&[
            ("sign-in", Some(format!("{} at {} UTC", s.id, s.time.as_deref().map(short_time).unwrap_or_default()))),
            ("user", s.user.clone()),
            ("app", s.app.clone()),
            (
                "context",
                Some(format!(
                    "{} from {} ({}), {}",
                    or_dash(&s.client_app),
                    or_dash(&s.ip_address),
                    or_dash(&s.location),
                    or_dash(&s.device)
                )),
            ),
            ("outcome", Some(self.outcome.clone())),
            ("error", Some(format!("{} ({}): {}", self.error_code, self.category, self.meaning))),
            ("reference", self.reference.clone()),
            ("sign-in risk", s.risk_level.clone()),
        ]);
        if !self.blocking_policies.is_empty() {
            let rows: Vec<Vec<String>> = self
                .blocking_policies
                .iter()
                .map(|b| {
                    vec![
                        or_dash(&b.name),
                        b.result.clone(),
                        or_dash(&b.state),
                        b.unmet_controls.join(", "),
                        b.id.clone(),
                    ]
                })
                .collect();
            text.push_str("\nfailing policies:\n");
            text.push_str(&table(&["policy", "result", "state now", "unmet controls", "id"], &rows));
        } else if self.ca_visible {
            text.push_str("\nfailing policies: none");
        }
        if let Some(w) = &self.what_if {
            text.push_str(&format!(
                "\nWhat-If today ({}): {}",
                w.conditions,
                if w.applying_now.is_empty() { "no policy applies".to_string() } else { w.applying_now.join("; ") }
            ));
            for d in &w.drift {
                text.push_str(&format!("\ndrift: {d}"));
            }
        }
        if !self.related.is_empty() {
            let events: Vec<String> = self
                .related
                .iter()
                .map(|r| {
                    format!(
                        "{} {}",
                        r.time.as_deref().map(short_time).unwrap_or_default(),
                        r.error_code.map(|c| if c == 0 { "success".into() } else { c.to_string() }).unwrap_or_default()
                    )
                })
                .collect();
            text.push_str(&format!("\nsame attempt: {}", events.join("; ")));
        }
        text.push_str(&format!("\nnext step: {}", self.next_step));
        text
    }
}
