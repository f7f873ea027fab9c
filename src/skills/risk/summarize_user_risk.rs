//! `summarize_user_risk`: why a user is risky and what to do, in one answer (SKILLS §4.1).
//!
//! It reads, at once: the risky user and its history, 30 days of detections, 7 days of
//! sign-ins, the user, their methods, their active roles and the Conditional Access policies;
//! then, for a password spray, how many users the same source hit. From these it builds a
//! timeline, the factors, the impact signals and whether a risk policy remediates on its own,
//! and picks the remediation by the rules of §4.1, each step naming the skill that performs it
//! and the facts it rests on. Only the risky user is needed; every other section that fails
//! becomes a note.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::graph::resources::{AuthenticationMethod, ConditionalAccessPolicy, SignIn, SignInLocation, User};
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::{fields, short_time, table, trim};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::detections::RISKY_USER_FIELDS;

const SUMMARIZE_USER_RISK: Declaration = Declaration {
    name: "summarize_user_risk",
    title: "Summarize a user's risk and what to do",
    description: "Why is this user risky, and what should I do? Risk level and history, detections and sign-ins as one timeline, the factors (spray and its reach, Tor, atypical travel, password accepted from a risky address, MFA denied), impact signals, whether a risk policy self-remediates, and remediation steps naming the skill for each. P2. Security Reader (methods: Global Reader).",
    toolset: Toolset::Risk,
    permissions: &[
        "IdentityRiskyUser.Read.All",
        "IdentityRiskEvent.Read.All",
        "AuditLog.Read.All",
        "User.Read.All",
        "UserAuthenticationMethod.Read.All",
        "RoleAssignmentSchedule.Read.Directory",
        "Policy.Read.All",
    ],
    least_role: "Security Reader (methods: Global Reader)",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SummarizeUserRiskParams {
    pub user: UserRef,
}

// ---------------------------------------------------------------------------------------------
// What is read

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RiskyUser {
    id: String,
    user_display_name: Option<String>,
    user_principal_name: Option<String>,
    risk_level: Option<String>,
    risk_state: Option<String>,
    risk_detail: Option<String>,
    risk_last_updated_date_time: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct HistoryItem {
    id: String,
    risk_level: Option<String>,
    risk_state: Option<String>,
    risk_detail: Option<String>,
    risk_last_updated_date_time: Option<String>,
    activity: Option<HistoryActivity>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct HistoryActivity {
    risk_event_types: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Detection {
    id: String,
    risk_event_type: Option<String>,
    risk_level: Option<String>,
    risk_state: Option<String>,
    detection_timing_type: Option<String>,
    ip_address: Option<String>,
    activity_date_time: Option<String>,
    detected_date_time: Option<String>,
    user_id: Option<String>,
    location: Option<SignInLocation>,
    /// JSON text: a list of `{Key, Value}` pairs (related location, risk reasons, …).
    additional_info: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RoleInstance {
    role_definition_id: Option<String>,
    role_definition: Option<RoleName>,
    end_date_time: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RoleName {
    display_name: Option<String>,
}

const HISTORY_FIELDS: &[&str] =
    &["id", "riskLevel", "riskState", "riskDetail", "riskLastUpdatedDateTime", "activity", "initiatedBy"];

const DETECTION_FIELDS: &[&str] = &[
    "id",
    "riskEventType",
    "riskLevel",
    "riskState",
    "detectionTimingType",
    "ipAddress",
    "activityDateTime",
    "detectedDateTime",
    "userId",
    "location",
    "additionalInfo",
];

const SIGN_IN_SELECT: &[&str] = &[
    "id",
    "createdDateTime",
    "appDisplayName",
    "ipAddress",
    "clientAppUsed",
    "status",
    "deviceDetail",
    "location",
    "riskLevelDuringSignIn",
    "riskEventTypes_v2",
    "conditionalAccessStatus",
    "correlationId",
];

const USER_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "userPrincipalName",
    "accountEnabled",
    "userType",
    "department",
    "lastPasswordChangeDateTime",
    "signInSessionsValidFromDateTime",
];

/// Codes Entra returns only after the password (first factor) was accepted: MFA asked for or
/// refused, a Conditional Access block, a device or assignment requirement.
const AFTER_PASSWORD: &[i64] =
    &[50072, 50074, 50076, 50079, 500121, 50158, 53000, 53001, 53002, 53003, 53004, 530032, 50097, 50105, 65001, 50131];

/// Methods that resist phishing.
const PHISHING_RESISTANT: &[&str] = &["fido2", "windows_hello", "platform_credential", "x509_certificate", "passkey"];

// ---------------------------------------------------------------------------------------------
// The answer

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskUserInfo {
    pub id: String,
    pub display_name: Option<String>,
    pub upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_changed: Option<String>,
    /// Sessions (refresh tokens) issued before this time no longer work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions_valid_from: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TimelineEntry {
    pub time: String,
    /// `risk`, `detection` or `sign_in`.
    pub kind: String,
    pub what: String,
    /// The detection's or sign-in's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ImpactSignals {
    /// A sign-in succeeded after the first detection.
    pub success_after_detection: bool,
    /// The password was accepted in a sign-in from a risky source (then stopped, or not).
    pub password_accepted_from_risky_source: bool,
    /// A risky sign-in passed MFA.
    pub mfa_passed_on_risky_sign_in: bool,
    /// A sign-in succeeded after the first detection from an unregistered device.
    pub success_from_unknown_device: bool,
    /// The password was changed after the first detection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_changed_since_risk: Option<bool>,
    /// Sessions were revoked after the first detection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions_revoked_since_risk: Option<bool>,
    /// The sign-ins and times behind these signals.
    pub facts: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskPolicy {
    pub id: String,
    pub name: Option<String>,
    /// `enabled`, `enabledForReportingButNotEnforced`, `disabled`.
    pub state: Option<String>,
    /// `user` or `sign_in` risk.
    pub risk: String,
    pub levels: Vec<String>,
    /// Grant controls, e.g. `block`, `mfa`, `passwordChange`.
    pub controls: Vec<String>,
    /// Whether it targets this user: `yes`, `excluded`, `no`, or `depends on group or role membership`.
    pub applies: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SelfRemediation {
    /// An enforced user-risk policy makes the user change the password, which clears the risk.
    pub self_remediates: bool,
    pub policies: Vec<RiskPolicy>,
    pub because: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RemediationStep {
    pub order: usize,
    pub action: String,
    /// The skill that performs it; absent when it is done outside this server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skill: Option<String>,
    /// The facts the step rests on.
    pub because: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserRiskSummary {
    pub user: RiskUserInfo,
    pub risk_level: String,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub risk_updated: Option<String>,
    /// `likely_compromised`, `password_known_to_attacker`, `blocked_attempts`, `likely_benign`,
    /// `confirmed_compromised`, `closed` or `needs_review`.
    pub verdict: String,
    /// `high`, `medium` or `low`.
    pub priority: String,
    /// The facts the verdict rests on.
    pub verdict_because: Vec<String>,
    pub factors: Vec<String>,
    pub impact: ImpactSignals,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_remediation: Option<SelfRemediation>,
    /// Registered methods (`password`, `microsoft_authenticator`, `phone`, `fido2`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phishing_resistant_method: Option<bool>,
    /// Directory roles active now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_roles: Option<Vec<String>>,
    pub steps: Vec<RemediationStep>,
    /// Risk changes, detections and sign-ins, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Detections in the last 30 days.
    pub detections_30d: usize,
    /// Sign-ins in the last 7 days.
    pub sign_ins_7d: usize,
}

// ---------------------------------------------------------------------------------------------
// Reading

fn at(t: Option<&str>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn stamp(t: DateTime<Utc>) -> String {
    format!("{} UTC", short_time(&t.to_rfc3339()))
}

/// `1 failed sign-in`, `4 failed sign-ins`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// `40 min`, `19 h`, `3 d`.
fn span(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    if minutes < 120 {
        format!("{minutes} min")
    } else if minutes < 48 * 60 {
        format!("{} h", (minutes + 30) / 60)
    } else {
        format!("{} d", (minutes + 720) / (24 * 60))
    }
}

fn place_of(l: Option<&SignInLocation>) -> Option<String> {
    let l = l?;
    match (l.city.as_deref().filter(|c| !c.is_empty()), l.country_or_region.as_deref().filter(|c| !c.is_empty())) {
        (Some(city), Some(cc)) => Some(format!("{city}, {cc}")),
        (None, Some(cc)) => Some(cc.to_string()),
        (Some(city), None) => Some(city.to_string()),
        (None, None) => None,
    }
}

fn method_kind(odata_type: &str) -> String {
    match odata_type.strip_prefix("#microsoft.graph.").unwrap_or(odata_type) {
        "passwordAuthenticationMethod" => "password",
        "microsoftAuthenticatorAuthenticationMethod" => "microsoft_authenticator",
        "phoneAuthenticationMethod" => "phone",
        "fido2AuthenticationMethod" => "fido2",
        "windowsHelloForBusinessAuthenticationMethod" => "windows_hello",
        "emailAuthenticationMethod" => "email",
        "softwareOathAuthenticationMethod" => "software_oath",
        "temporaryAccessPassAuthenticationMethod" => "temporary_access_pass",
        "platformCredentialAuthenticationMethod" => "platform_credential",
        "x509CertificateAuthenticationMethod" => "x509_certificate",
        other => other,
    }
    .to_string()
}

/// One value of a detection's `additionalInfo` list.
fn info<'a>(info: &'a Value, key: &str) -> Option<&'a Value> {
    info.as_array()?.iter().find(|kv| kv.get("Key").and_then(Value::as_str) == Some(key))?.get("Value")
}

/// A detection's event type in an admin's words.
fn detection_words(kind: &str) -> &str {
    match kind {
        "passwordSpray" => "password spray",
        "anonymizedIPAddress" => "anonymous IP (such as Tor)",
        "unlikelyTravel" => "atypical travel",
        "unfamiliarFeatures" => "unfamiliar sign-in properties",
        "leakedCredentials" => "leaked credentials",
        "maliciousIPAddress" => "malicious IP address",
        "suspiciousIPAddress" => "suspicious IP address",
        "mcasImpossibleTravel" => "impossible travel",
        "adminConfirmedUserCompromised" => "admin confirmed compromised",
        "investigationsThreatIntelligence" => "threat intelligence",
        other => other,
    }
}

/// Everything read, before it is judged.
struct Evidence {
    id: String,
    risky: RiskyUser,
    history: Vec<HistoryItem>,
    detections: Vec<Detection>,
    sign_ins: Vec<SignIn>,
    user: Option<User>,
    methods: Option<Vec<String>>,
    roles: Option<Vec<String>>,
    policies: Option<Vec<ConditionalAccessPolicy>>,
    /// Users the spray's source hit, this one included.
    spray_reach: Option<(String, usize)>,
}

async fn read_user(ctx: &Ctx, key: &UserKey) -> Result<User, SkillError> {
    let request = GraphRequest::get(key.path()).query(Query::new().select(USER_FIELDS));
    ctx.graph.get(request).await.map_err(user_not_found(key))
}

async fn gather(ctx: &Ctx, key: UserKey) -> Result<Evidence, SkillError> {
    // With an object id every read goes out at once; a UPN or `me` costs the user read first,
    // which is also the user section.
    let (id, known_user) = match key {
        UserKey::Id(id) => (id.to_string(), None),
        ref other => {
            let user = read_user(ctx, other).await?;
            (user.id.clone(), Some(user))
        }
    };
    let guid = parse_guid("user", &id)?;
    let id = guid.to_string();
    let now = ctx.now;
    let risky = GraphRequest::get(path("/identityProtection/riskyUsers/{}", &[&id]))
        .query(Query::new().select(RISKY_USER_FIELDS));
    let history = GraphRequest::get(path("/identityProtection/riskyUsers/{}/history", &[&id]))
        .query(Query::new().select(HISTORY_FIELDS));
    let detections = GraphRequest::get("/identityProtection/riskDetections").query(
        Query::new()
            .select(DETECTION_FIELDS)
            .filter(Expr::eq("userId", id.as_str()).and(Expr::ge("detectedDateTime", now - Duration::days(30))))
            .orderby("detectedDateTime desc")
            .top(100),
    );
    let sign_ins = GraphRequest::get("/auditLogs/signIns")
        .query(
            Query::new()
                .select(SIGN_IN_SELECT)
                .filter(Expr::eq("userId", id.as_str()).and(Expr::ge("createdDateTime", now - Duration::days(7))))
                .orderby("createdDateTime desc")
                .top(200),
        )
        .prefer_unknown_enums();
    let methods = GraphRequest::get(path("/users/{}/authentication/methods", &[&id]));
    let roles = GraphRequest::get("/roleManagement/directory/roleAssignmentScheduleInstances").query(
        Query::new()
            .select(&["id", "roleDefinitionId", "endDateTime"])
            .filter(Expr::eq("principalId", id.as_str()))
            .expand("roleDefinition($select=displayName)"),
    );
    let policies = GraphRequest::get("/identity/conditionalAccess/policies").query(Query::new().select(&[
        "id",
        "displayName",
        "state",
        "conditions",
        "grantControls",
    ]));
    let user_read = async {
        match &known_user {
            Some(_) => None,
            None => Some(read_user(ctx, &UserKey::Id(guid)).await),
        }
    };
    let (risky, history, detections, sign_ins, user, methods, roles, policies) = tokio::join!(
        ctx.graph.get::<RiskyUser>(risky),
        ctx.graph.list::<HistoryItem>(history, 100),
        ctx.graph.list::<Detection>(detections, 100),
        ctx.graph.list::<SignIn>(sign_ins, 200),
        user_read,
        ctx.graph.list::<AuthenticationMethod>(methods, 50),
        ctx.graph.list::<RoleInstance>(roles, 50),
        ctx.graph.list::<ConditionalAccessPolicy>(policies, 500),
    );
    let risky = risky.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            let mut nf = SkillError::not_found(format!("risk record for user {id}"), "list_risky_users")
                .with_remedy("ID Protection has never flagged this user; see who is at risk with `list_risky_users`");
            nf.graph = e.graph;
            nf
        } else {
            e
        }
    })?;
    let user = match (known_user, user) {
        (Some(user), _) => Some(user),
        (None, Some(read)) => ctx.optional("user profile", read),
        (None, None) => None,
    };
    let detections = ctx.optional("risk detections", detections).map(|p| p.items).unwrap_or_default();
    let spray_reach = spray_reach(ctx, &detections).await;
    Ok(Evidence {
        risky,
        history: ctx.optional("risk history", history).map(|p| p.items).unwrap_or_default(),
        sign_ins: ctx.optional("sign-ins", sign_ins).map(|p| p.items).unwrap_or_default(),
        detections,
        user,
        methods: ctx
            .optional("authentication methods", methods)
            .map(|p| p.items.iter().map(|m| method_kind(m.odata_type.as_deref().unwrap_or_default())).collect()),
        roles: ctx.optional("active roles", roles).map(|p| {
            p.items
                .into_iter()
                .map(|r| {
                    let name =
                        r.role_definition.and_then(|d| d.display_name).or(r.role_definition_id).unwrap_or_default();
                    match r.end_date_time.as_deref().and_then(|t| at(Some(t))) {
                        Some(end) => format!("{name} (until {})", stamp(end)),
                        None => name,
                    }
                })
                .collect()
        }),
        policies: ctx.optional("Conditional Access policies", policies).map(|p| p.items),
        spray_reach,
        id,
    })
}

/// How many users the source of the user's latest password spray hit, from the detections
/// that name the same address.
async fn spray_reach(ctx: &Ctx, detections: &[Detection]) -> Option<(String, usize)> {
    let ip = detections
        .iter()
        .find(|d| d.risk_event_type.as_deref() == Some("passwordSpray"))
        .and_then(|d| d.ip_address.clone())
        .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())?;
    let request = GraphRequest::get("/identityProtection/riskDetections").query(
        Query::new()
            .select(&["id", "userId"])
            .filter(
                Expr::eq("riskEventType", "passwordSpray")
                    .and(Expr::eq("ipAddress", ip.as_str()))
                    .and(Expr::ge("detectedDateTime", ctx.now - Duration::days(30))),
            )
            .top(500),
    );
    let found = ctx.optional("the spray's reach", ctx.graph.list::<Detection>(request, 2000).await)?;
    let users: HashSet<String> = found.items.into_iter().filter_map(|d| d.user_id).collect();
    Some((ip, users.len()))
}

// ---------------------------------------------------------------------------------------------
// Judging

/// A sign-in with the facts the rules read.
struct Seen<'a> {
    s: &'a SignIn,
    time: Option<DateTime<Utc>>,
    code: i64,
    risky: bool,
    known_device: bool,
    mfa: bool,
    place: Option<String>,
}

impl Seen<'_> {
    fn passed_password(&self) -> bool {
        self.code == 0 || AFTER_PASSWORD.contains(&self.code)
    }

    fn words(&self) -> String {
        let mut text = format!(
            "{} {} from {}",
            self.time.map(stamp).unwrap_or_default(),
            self.s.app_display_name.as_deref().unwrap_or("a sign-in"),
            self.s.ip_address.as_deref().unwrap_or("an unknown address")
        );
        if let Some(place) = &self.place {
            text.push_str(&format!(" ({place})"));
        }
        text.push_str(&match self.code {
            0 if self.mfa => ": success with MFA".to_string(),
            0 => ": success without MFA".to_string(),
            50074 | 50076 => ": password accepted, MFA required (50074)".to_string(),
            500121 => ": password accepted, MFA denied or failed (500121)".to_string(),
            53003 => ": password accepted, blocked by Conditional Access (53003)".to_string(),
            53000 => ": password accepted, refused for a non-compliant device (53000)".to_string(),
            code if AFTER_PASSWORD.contains(&code) => format!(": password accepted, then refused ({code})"),
            code => format!(": failed at the password ({code})"),
        });
        let device = match self.s.device_detail.as_ref() {
            Some(d) if self.known_device => {
                let compliant = if d.is_compliant == Some(true) { "compliant " } else { "" };
                format!(", known {compliant}device {}", d.display_name.as_deref().unwrap_or_default())
            }
            _ => ", unregistered device".to_string(),
        };
        text.push_str(&device);
        text
    }
}

fn seen<'a>(sign_ins: &'a [SignIn], risky_ips: &HashSet<String>) -> Vec<Seen<'a>> {
    sign_ins
        .iter()
        .map(|s| {
            let status = s.status.clone().unwrap_or_default();
            let code = status.error_code.unwrap_or(0);
            let level = s.risk_level_during_sign_in.as_deref().unwrap_or("none");
            let risky = matches!(level, "low" | "medium" | "high")
                || s.ip_address.as_deref().is_some_and(|ip| risky_ips.contains(ip));
            let details = status.additional_details.unwrap_or_default();
            Seen {
                s,
                time: at(s.created_date_time.as_deref()),
                code,
                risky,
                known_device: s
                    .device_detail
                    .as_ref()
                    .and_then(|d| d.device_id.as_deref())
                    .is_some_and(|d| !d.is_empty()),
                mfa: code == 0 && details.contains("MFA"),
                place: place_of(s.location.as_ref()),
            }
        })
        .collect()
}

fn detection_time(d: &Detection) -> Option<DateTime<Utc>> {
    at(d.activity_date_time.as_deref()).or(at(d.detected_date_time.as_deref()))
}

fn factors(e: &Evidence, seen: &[Seen<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut types_done: HashSet<String> = HashSet::new();
    for d in &e.detections {
        let kind = d.risk_event_type.clone().unwrap_or_default();
        // One factor per kind, from its latest detection.
        if !types_done.insert(kind.clone()) {
            continue;
        }
        let when = detection_time(d).map(stamp).unwrap_or_default();
        let ip = d.ip_address.clone().filter(|ip| !ip.is_empty());
        let place = place_of(d.location.as_ref());
        let from = match (&ip, &place) {
            (Some(ip), Some(place)) => format!(" from {ip} ({place})"),
            (Some(ip), None) => format!(" from {ip}"),
            (None, Some(place)) => format!(" from {place}"),
            (None, None) => String::new(),
        };
        let extra: Value = d.additional_info.as_deref().and_then(|i| serde_json::from_str(i).ok()).unwrap_or_default();
        let mut text = format!("{}{from} at {when}", detection_words(&kind));
        match kind.as_str() {
            "passwordSpray" => {
                let tries: Vec<&Seen<'_>> =
                    seen.iter().filter(|s| ip.is_some() && s.s.ip_address == ip && s.code != 0).collect();
                if !tries.is_empty() {
                    let client = tries[0].s.client_app_used.clone().unwrap_or_default();
                    text.push_str(&format!(": {} over {client}", count(tries.len(), "failed sign-in")));
                }
                if let Some((_, reach)) = e.spray_reach.as_ref().filter(|(spray_ip, _)| ip.as_ref() == Some(spray_ip))
                    && *reach > 1
                {
                    text.push_str(&format!("; the same source sprayed {reach} users in all"));
                }
            }
            "unlikelyTravel" | "mcasImpossibleTravel" => {
                if let Some(city) = info(&extra, "relatedLocation").and_then(|l| l.get("city")).and_then(Value::as_str)
                {
                    let to = place.clone().unwrap_or_default();
                    text = format!("{}: {city} → {to} at {when}", detection_words(&kind));
                }
            }
            "unfamiliarFeatures" => {
                if let Some(reasons) = info(&extra, "riskReasons").and_then(Value::as_array) {
                    let reasons: Vec<&str> = reasons.iter().filter_map(Value::as_str).take(5).collect();
                    text.push_str(&format!(" ({})", reasons.join(", ")));
                }
            }
            _ => {}
        }
        if let Some(s) = seen.iter().find(|s| ip.is_some() && s.s.ip_address == ip && s.passed_password()) {
            text.push_str(&format!(
                "; the password was accepted from there ({})",
                if s.code == 0 { "signed in".to_string() } else { format!("then refused, {}", s.code) }
            ));
        }
        out.push(text);
    }
    // What followed the latest detection.
    if let Some(latest) = e.detections.iter().filter_map(detection_time).max()
        && let Some(success) = seen.iter().rfind(|s| s.code == 0 && s.time.is_some_and(|t| t > latest))
    {
        let after = success.time.map(|t| span(t - latest)).unwrap_or_default();
        out.push(format!("the latest detection was followed by a success {after} later: {}", success.words()));
    }
    for denied in seen.iter().filter(|s| s.code == 500121 && s.risky) {
        out.push(format!("MFA was denied after the password was accepted: {}", denied.words()));
    }
    if let Some(roles) = e.roles.as_ref().filter(|r| !r.is_empty()) {
        out.push(format!("holds directory roles: {}", roles.join(", ")));
    }
    if let Some(methods) = &e.methods
        && !methods.iter().any(|m| PHISHING_RESISTANT.contains(&m.as_str()))
    {
        out.push(format!("no phishing-resistant method registered ({})", methods.join(", ")));
    }
    out
}

fn policy_applies(p: &ConditionalAccessPolicy, user_id: &str, guest: bool) -> String {
    let users = p.conditions().users.unwrap_or_default();
    if users.exclude_users.iter().any(|u| u.eq_ignore_ascii_case(user_id)) {
        return "excluded".into();
    }
    if guest && users.exclude_guests_or_external_users.is_some() {
        return "excluded".into();
    }
    let included = users.include_users.iter().any(|u| u == "All" || u.eq_ignore_ascii_case(user_id));
    let by_membership = !users.include_groups.is_empty() || !users.include_roles.is_empty();
    let excluded_by_membership = !users.exclude_groups.is_empty() || !users.exclude_roles.is_empty();
    match (included, by_membership, excluded_by_membership) {
        (true, _, false) => "yes".into(),
        (true, _, true) | (false, true, _) => "depends on group or role membership".into(),
        (false, false, _) => "no".into(),
    }
}

fn self_remediation(e: &Evidence) -> Option<SelfRemediation> {
    let policies = e.policies.as_ref()?;
    let guest = e.user.as_ref().and_then(|u| u.user_type.as_deref()) == Some("Guest");
    let level = e.risky.risk_level.clone().unwrap_or_default();
    let mut found = Vec::new();
    for p in policies {
        let conditions = p.conditions();
        let controls = p.built_in_controls().to_vec();
        for (risk, levels) in
            [("user", conditions.user_risk_levels.clone()), ("sign_in", conditions.sign_in_risk_levels.clone())]
        {
            if levels.is_empty() {
                continue;
            }
            found.push(RiskPolicy {
                id: p.id.clone(),
                name: p.display_name.clone(),
                state: p.state.clone(),
                risk: risk.into(),
                levels,
                controls: controls.clone(),
                applies: policy_applies(p, &e.id, guest),
            });
        }
    }
    let remediating = |p: &&RiskPolicy| {
        p.risk == "user"
            && p.levels.contains(&level)
            && p.controls.iter().any(|c| c == "passwordChange")
            && p.applies == "yes"
    };
    let enforced = found.iter().filter(remediating).find(|p| p.state.as_deref() == Some("enabled"));
    let (self_remediates, because) = match (enforced, found.iter().find(remediating)) {
        (Some(p), _) => (
            true,
            format!(
                "{} requires a secure password change at {level} user risk and is enforced: the user's next sign-in clears the risk",
                p.name.as_deref().unwrap_or(&p.id)
            ),
        ),
        (None, Some(p)) => (
            false,
            format!(
                "{} would require a password change at {level} user risk, but its state is {}: nothing remediates the risk on its own",
                p.name.as_deref().unwrap_or(&p.id),
                p.state.as_deref().unwrap_or("unknown")
            ),
        ),
        (None, None) if level == "none" => (false, "the user carries no risk now".to_string()),
        (None, None) => {
            (false, format!("no Conditional Access policy asks for a password change at {level} user risk"))
        }
    };
    Some(SelfRemediation { self_remediates, policies: found, because })
}

struct Judgement {
    verdict: &'static str,
    because: Vec<String>,
    steps: Vec<(String, Option<&'static str>, Vec<String>)>,
    impact: ImpactSignals,
}

fn judge(e: &Evidence, seen: &[Seen<'_>], remediation: Option<&SelfRemediation>) -> Judgement {
    let state = e.risky.risk_state.clone().unwrap_or_default();
    let first_detection = e.detections.iter().filter_map(detection_time).min();
    let after = |t: Option<DateTime<Utc>>| match (t, first_detection) {
        (Some(t), Some(first)) => t > first,
        _ => false,
    };
    let user = e.user.as_ref();
    let password_changed = user.and_then(|u| at(u.last_password_change_date_time.as_deref()));
    let sessions_from = user.and_then(|u| at(u.sign_in_sessions_valid_from_date_time.as_deref()));
    let password_changed_since = first_detection.and(user).map(|_| after(password_changed));
    let sessions_revoked_since = first_detection.and(user).map(|_| after(sessions_from));

    // Places the user signed in from without risk before anything was detected.
    let usual_places: HashSet<String> = seen
        .iter()
        .filter(|s| !s.risky && s.code == 0 && first_detection.is_none_or(|f| s.time.is_some_and(|t| t < f)))
        .filter_map(|s| s.place.clone())
        .collect();
    let risky: Vec<&Seen<'_>> = seen.iter().filter(|s| s.risky).collect();
    let successes_after: Vec<&Seen<'_>> = seen.iter().filter(|s| s.code == 0 && after(s.time)).collect();
    // The attacker has the password: a risky sign-in got past it and was stopped later, or
    // got in from a device that is not the user's.
    let attacker_password: Vec<&&Seen<'_>> =
        risky.iter().filter(|s| s.passed_password() && (s.code != 0 || !s.known_device)).collect();
    let compromise: Vec<&&Seen<'_>> = risky
        .iter()
        .filter(|s| {
            s.code == 0 && s.mfa && !s.known_device && s.place.as_ref().is_none_or(|p| !usual_places.contains(p))
        })
        .collect();
    let risky_successes: Vec<&&Seen<'_>> = risky.iter().filter(|s| s.code == 0).collect();
    let leaked = e.detections.iter().any(|d| {
        d.risk_event_type.as_deref() == Some("leakedCredentials") && d.risk_state.as_deref() == Some("atRisk")
    });

    let mut facts = Vec::new();
    if let Some(s) = successes_after.last() {
        facts.push(format!("first success after the first detection: {}", s.words()));
    }
    for s in &attacker_password {
        facts.push(format!("password accepted from a risky source: {}", s.words()));
    }
    if let (Some(changed), Some(first)) = (password_changed, first_detection) {
        let when = if changed > first { "after" } else { "before" };
        facts.push(format!("password last changed {}, {when} the first detection ({})", stamp(changed), stamp(first)));
    }
    if let (Some(valid), Some(first)) = (sessions_from, first_detection) {
        let when = if valid > first { "after" } else { "before" };
        facts.push(format!("sessions valid from {}, {when} the first detection", stamp(valid)));
    }
    let impact = ImpactSignals {
        success_after_detection: !successes_after.is_empty(),
        password_accepted_from_risky_source: !attacker_password.is_empty() || risky.iter().any(|s| s.passed_password()),
        mfa_passed_on_risky_sign_in: risky.iter().any(|s| s.mfa),
        success_from_unknown_device: successes_after.iter().any(|s| !s.known_device),
        password_changed_since_risk: password_changed_since,
        sessions_revoked_since_risk: sessions_revoked_since,
        facts,
    };

    let mut steps: Vec<(String, Option<&'static str>, Vec<String>)> = Vec::new();
    let mut because = Vec::new();
    let revoke_needed = sessions_revoked_since != Some(true);
    let reset_needed = password_changed_since != Some(true);
    let updated = e.risky.risk_last_updated_date_time.as_deref().and_then(|t| at(Some(t)));
    let verdict = match state.as_str() {
        "confirmedCompromised" => {
            because.push(format!(
                "an admin confirmed the account compromised ({})",
                updated.map(stamp).unwrap_or_default()
            ));
            if reset_needed {
                steps.push((
                    "reset the password (outside this server: Entra admin center or the helpdesk)".into(),
                    None,
                    vec!["the password was not changed after the first detection".into()],
                ));
            }
            if revoke_needed {
                steps.push((
                    "revoke the user's sessions".into(),
                    Some("revoke_user_sessions"),
                    vec!["no session revocation since the first detection".into()],
                ));
            }
            "confirmed_compromised"
        }
        "remediated" | "dismissed" | "confirmedSafe" => {
            because.push(format!(
                "the risk was closed as {state} ({}){}",
                updated.map(stamp).unwrap_or_default(),
                e.risky.risk_detail.as_deref().map(|d| format!(", {d}")).unwrap_or_default()
            ));
            "closed"
        }
        _ if !compromise.is_empty() => {
            because.extend(compromise.iter().map(|s| {
                format!("a risky sign-in passed MFA from an unregistered device and a new place: {}", s.words())
            }));
            steps.push((
                "confirm the user compromised, which raises the risk to high so risk policies act".into(),
                Some("confirm_user_compromised"),
                because.clone(),
            ));
            steps.push((
                "revoke the user's sessions".into(),
                Some("revoke_user_sessions"),
                vec!["the attacker holds a session that passed MFA".into()],
            ));
            steps.push((
                "reset the password (outside this server)".into(),
                None,
                vec!["the password was used by the attacker".into()],
            ));
            "likely_compromised"
        }
        _ if !attacker_password.is_empty() || (leaked && reset_needed) => {
            because.extend(
                attacker_password.iter().map(|s| format!("password accepted from a risky source: {}", s.words())),
            );
            if leaked {
                because.push("a leaked-credentials detection is still at risk".into());
            }
            if let Some(spray) = e.detections.iter().find(|d| d.risk_event_type.as_deref() == Some("passwordSpray")) {
                because.push(format!(
                    "a password spray came first ({})",
                    detection_time(spray).map(stamp).unwrap_or_default()
                ));
            }
            if reset_needed {
                steps.push((
                    "reset the password (outside this server: the helpdesk, or a secure self-service reset)".into(),
                    None,
                    vec![match password_changed {
                        Some(t) => format!("the password was last changed {}, before the attack", stamp(t)),
                        None => "no password change after the attack is on record".into(),
                    }],
                ));
            }
            if revoke_needed {
                steps.push((
                    "then revoke the user's sessions, so no token issued before the reset keeps working".into(),
                    Some("revoke_user_sessions"),
                    vec![match sessions_from {
                        Some(t) => format!("sessions are valid from {}, before the attack", stamp(t)),
                        None => "no session revocation after the attack is on record".into(),
                    }],
                ));
            }
            if !reset_needed && !revoke_needed {
                steps.push((
                    "the password was changed and sessions revoked after the attack: after checking with the user, dismiss the risk".into(),
                    Some("dismiss_user_risk"),
                    vec!["password change and session revocation are both after the first detection".into()],
                ));
            }
            "password_known_to_attacker"
        }
        _ if !risky.is_empty() && risky_successes.is_empty() => {
            because.push(format!(
                "every risky sign-in ({}) was stopped before the password was accepted, and none passed MFA",
                risky.len()
            ));
            steps.push((
                "verify with the user that the attempts were not theirs (outside this server)".into(),
                None,
                because.clone(),
            ));
            steps.push((
                "then dismiss the user's risk".into(),
                Some("dismiss_user_risk"),
                vec!["no risky sign-in got past the password".into()],
            ));
            "blocked_attempts"
        }
        _ if !risky_successes.is_empty() && risky_successes.iter().all(|s| s.known_device && s.mfa) => {
            because.extend(
                risky_successes
                    .iter()
                    .map(|s| format!("risky sign-in from the user's own device with MFA: {}", s.words())),
            );
            steps.push(("verify with the user (travel, a new network)".into(), None, because.clone()));
            steps.push((
                "then confirm the sign-ins safe for the user".into(),
                Some("confirm_user_safe"),
                vec!["every risky sign-in came from a registered device and passed MFA".into()],
            ));
            "likely_benign"
        }
        _ => {
            because.push(if risky.is_empty() {
                "no risky sign-in in the last 7 days to judge the detections by".into()
            } else {
                "risky sign-ins succeeded without MFA or from an unregistered device".into()
            });
            steps.push((
                "review the detections and the sign-ins with the user".into(),
                Some("list_risk_detections"),
                because.clone(),
            ));
            "needs_review"
        }
    };
    if !matches!(verdict, "closed") {
        if let Some(methods) =
            e.methods.as_ref().filter(|m| !m.iter().any(|m| PHISHING_RESISTANT.contains(&m.as_str())))
        {
            steps.push((
                "have the user register a phishing-resistant method (FIDO2 key, Windows Hello, passkey) — outside this server".into(),
                None,
                vec![format!("registered methods: {}", methods.join(", "))],
            ));
        }
        if let Some(roles) = e.roles.as_ref().filter(|r| !r.is_empty()) {
            steps.insert(
                0,
                (
                    "treat this first: the user is an admin".into(),
                    None,
                    vec![format!("active roles: {}", roles.join(", "))],
                ),
            );
        }
        if let Some(r) = remediation.filter(|r| r.self_remediates) {
            because.push(r.because.clone());
        }
    }
    Judgement { verdict, because, steps, impact }
}

fn timeline(e: &Evidence, seen: &[Seen<'_>]) -> Vec<TimelineEntry> {
    let mut entries: Vec<(DateTime<Utc>, TimelineEntry)> = Vec::new();
    for h in &e.history {
        let Some(t) = at(h.risk_last_updated_date_time.as_deref()) else { continue };
        let types = h.activity.as_ref().and_then(|a| a.risk_event_types.clone()).unwrap_or_default();
        let mut what =
            format!("risk {} ({})", h.risk_level.as_deref().unwrap_or("?"), h.risk_state.as_deref().unwrap_or("?"));
        if let Some(detail) = h.risk_detail.as_deref().filter(|d| *d != "none") {
            what.push_str(&format!(", {detail}"));
        }
        if !types.is_empty() {
            what.push_str(&format!(": {}", types.join(", ")));
        }
        entries.push((t, TimelineEntry { time: iso(t), kind: "risk".into(), what, id: Some(h.id.clone()) }));
    }
    for d in &e.detections {
        let Some(t) = detection_time(d) else { continue };
        let what = format!(
            "{} ({}, {}){}{}",
            detection_words(d.risk_event_type.as_deref().unwrap_or_default()),
            d.risk_level.as_deref().unwrap_or("?"),
            d.detection_timing_type.as_deref().unwrap_or("?"),
            d.ip_address.as_deref().filter(|ip| !ip.is_empty()).map(|ip| format!(" from {ip}")).unwrap_or_default(),
            place_of(d.location.as_ref()).map(|p| format!(" ({p})")).unwrap_or_default()
        );
        entries.push((t, TimelineEntry { time: iso(t), kind: "detection".into(), what, id: Some(d.id.clone()) }));
    }
    for s in seen {
        let Some(t) = s.time else { continue };
        let mut what = s.words();
        // The time leads the words; the entry has its own.
        if let Some((_, rest)) = what.split_once(" UTC ") {
            what = rest.to_string();
        }
        if s.risky {
            what.push_str(&format!(", risk {}", s.s.risk_level_during_sign_in.as_deref().unwrap_or("?")));
        }
        entries.push((t, TimelineEntry { time: iso(t), kind: "sign_in".into(), what, id: Some(s.s.id.clone()) }));
    }
    entries.sort_by_key(|(t, _)| *t);
    // The newest 50, oldest first.
    let skip = entries.len().saturating_sub(50);
    entries.into_iter().skip(skip).map(|(_, entry)| entry).collect()
}

async fn summarize_user_risk(ctx: Ctx, p: SummarizeUserRiskParams) -> Result<UserRiskSummary, SkillError> {
    let key = p.user.parse("user")?;
    let e = gather(&ctx, key).await?;
    let risky_ips: HashSet<String> =
        e.detections.iter().filter_map(|d| d.ip_address.clone()).filter(|ip| !ip.is_empty()).collect();
    let seen = seen(&e.sign_ins, &risky_ips);
    let remediation = self_remediation(&e);
    let judgement = judge(&e, &seen, remediation.as_ref());
    let level = e.risky.risk_level.clone().unwrap_or_else(|| "none".into());
    let admin = e.roles.as_ref().is_some_and(|r| !r.is_empty());
    let priority = match judgement.verdict {
        "closed" => "low",
        "likely_compromised" | "password_known_to_attacker" | "confirmed_compromised" => "high",
        _ if admin || level == "high" => "high",
        "likely_benign" => "low",
        _ => "medium",
    };
    let factors = factors(&e, &seen);
    let timeline = timeline(&e, &seen);
    let phishing_resistant = e.methods.as_ref().map(|m| m.iter().any(|m| PHISHING_RESISTANT.contains(&m.as_str())));
    let user = match &e.user {
        Some(u) => RiskUserInfo {
            id: u.id.clone(),
            display_name: u.display_name.clone(),
            upn: u.user_principal_name.clone(),
            enabled: u.account_enabled,
            user_type: u.user_type.clone(),
            department: u.department.clone(),
            password_changed: u.last_password_change_date_time.clone(),
            sessions_valid_from: u.sign_in_sessions_valid_from_date_time.clone(),
        },
        None => RiskUserInfo {
            id: e.id.clone(),
            display_name: e.risky.user_display_name.clone(),
            upn: e.risky.user_principal_name.clone(),
            enabled: None,
            user_type: None,
            department: None,
            password_changed: None,
            sessions_valid_from: None,
        },
    };
    let steps = judgement
        .steps
        .into_iter()
        .enumerate()
        .map(|(n, (action, skill, because))| RemediationStep {
            order: n + 1,
            action,
            skill: skill.map(str::to_string),
            because: because.into_iter().map(|b| trim(&b, 300)).collect(),
        })
        .collect();
    let roles: BTreeSet<String> = e.roles.iter().flatten().cloned().collect();
    Ok(UserRiskSummary {
        user,
        risk_level: level,
        risk_state: e.risky.risk_state.clone(),
        risk_detail: e.risky.risk_detail.clone(),
        risk_updated: e.risky.risk_last_updated_date_time.clone(),
        verdict: judgement.verdict.to_string(),
        priority: priority.to_string(),
        verdict_because: judgement.because.into_iter().map(|b| trim(&b, 300)).collect(),
        factors: factors.into_iter().map(|f| trim(&f, 300)).collect(),
        impact: judgement.impact,
        self_remediation: remediation,
        methods: e.methods.clone(),
        phishing_resistant_method: phishing_resistant,
        active_roles: e.roles.as_ref().map(|_| roles.into_iter().collect()),
        steps,
        timeline,
        detections_30d: e.detections.len(),
        sign_ins_7d: e.sign_ins.len(),
    })
}

impl Render for UserRiskSummary {
    fn markdown(&self) -> String {
        let mut text = fields(&[
            ("user", self.user.display_name.clone()),
            ("upn", self.user.upn.clone()),
            ("id", Some(self.user.id.clone())),
            (
                "risk",
                Some(format!(
                    "{} ({}{})",
                    self.risk_level,
                    self.risk_state.clone().unwrap_or_default(),
                    self.risk_detail.as_deref().filter(|d| *d != "none").map(|d| format!(", {d}")).unwrap_or_default()
                )),
            ),
            ("updated", self.risk_updated.as_deref().map(|t| format!("{} UTC", short_time(t)))),
            ("verdict", Some(format!("{} (priority {})", self.verdict, self.priority))),
            ("password changed", self.user.password_changed.as_deref().map(|t| format!("{} UTC", short_time(t)))),
            ("methods", self.methods.as_ref().map(|m| m.join(", "))),
            (
                "active roles",
                self.active_roles.as_ref().map(|r| if r.is_empty() { "none".into() } else { r.join(", ") }),
            ),
            ("self-remediation", self.self_remediation.as_ref().map(|r| r.because.clone())),
        ]);
        let list = |title: &str, items: &[String]| {
            if items.is_empty() {
                String::new()
            } else {
                format!("\n{title}:\n{}", items.iter().map(|i| format!("- {i}")).collect::<Vec<_>>().join("\n"))
            }
        };
        text.push_str(&list("why (verdict)", &self.verdict_because));
        text.push_str(&list("factors", &self.factors));
        text.push_str(&list("impact", &self.impact.facts));
        if !self.steps.is_empty() {
            text.push_str("\nsteps:");
            for step in &self.steps {
                let skill = step.skill.as_deref().map(|s| format!(" → `{s}`")).unwrap_or_default();
                text.push_str(&format!("\n{}. {}{skill}", step.order, step.action));
                if let Some(first) = step.because.first() {
                    text.push_str(&format!(" (because {first})"));
                }
            }
        }
        let rows: Vec<Vec<String>> =
            self.timeline.iter().map(|t| vec![short_time(&t.time), t.kind.clone(), t.what.clone()]).collect();
        text.push_str(&format!(
            "\ntimeline ({} detections in 30 d, {} sign-ins in 7 d):\n{}",
            self.detections_30d,
            self.sign_ins_7d,
            table(&["time (UTC)", "kind", "what"], &rows)
        ));
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Karita Ahlberg is at high risk: summarize the evidence and tell me the remediation steps",
        args: r#"{"user":"karita@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("risk_level", "high"),
            Fact::Every("verdict", "password_known_to_attacker"),
            Fact::Every("priority", "high"),
            Fact::Some("factors/*", "~password spray from 203.0.113.77"),
            Fact::Some("factors/*", "~sprayed 9 users"),
            Fact::Some("factors/*", "~anonymous IP"),
            Fact::Some("factors/*", "~atypical travel: Seattle → Amsterdam"),
            Fact::Some("factors/*", "~MFA was denied"),
            Fact::Some("steps/*/skill", "revoke_user_sessions"),
            Fact::No("steps/*/skill", "dismiss_user_risk"),
            Fact::Some("steps/*/action", "~reset the password"),
            Fact::Every("impact/password_accepted_from_risky_source", "true"),
            Fact::Every("impact/success_after_detection", "true"),
            Fact::Every("self_remediation/self_remediates", "false"),
            Fact::Every("self_remediation/because", "~CA007"),
            Fact::Every("phishing_resistant_method", "false"),
            Fact::Some("timeline/*/kind", "risk"),
            Fact::Some("timeline/*/kind", "detection"),
            Fact::Some("timeline/*/kind", "sign_in"),
        ],
    },
    Example {
        question: "Summarize the risk of Wei Zhang, flagged after the password spray",
        args: r#"{"user":"wei.zhang@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("risk_level", "low"),
            Fact::Every("verdict", "blocked_attempts"),
            Fact::Some("steps/*/skill", "dismiss_user_risk"),
            Fact::No("steps/*/skill", "revoke_user_sessions"),
            Fact::Every("impact/password_accepted_from_risky_source", "false"),
            Fact::Some("verdict_because/*", "~stopped before the password"),
        ],
    },
    Example {
        question: "Nikolai signed in from Amsterdam and is at medium risk: is it him?",
        args: r#"{"user":"nikolai.ivanov@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("verdict", "likely_benign"),
            Fact::Some("steps/*/skill", "confirm_user_safe"),
            Fact::Every("impact/mfa_passed_on_risky_sign_in", "true"),
        ],
    },
    Example {
        question: "Risk summary for Oliver Grant: what remains to do?",
        args: r#"{"user":"oliver.grant@woodgrovebank.com"}"#,
        facts: &[Fact::Every("verdict", "confirmed_compromised"), Fact::Some("steps/*/skill", "revoke_user_sessions")],
    },
    Example {
        question: "Risk summary for someone ID Protection never flagged",
        args: r#"{"user":"henrik.larsen@woodgrovebank.com"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("list_risky_users")],
    },
    Example {
        question: "Risk summary for a name that is not a UPN",
        args: r#"{"user":"karita"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`user`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(SUMMARIZE_USER_RISK, summarize_user_risk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const USER: &str = "425dce14-ef1c-59e5-9bb9-cb85c4d5dbc8";

    fn evidence(level: &str, policies: Value) -> Evidence {
        Evidence {
            id: USER.into(),
            risky: RiskyUser { id: USER.into(), risk_level: Some(level.into()), ..RiskyUser::default() },
            history: Vec::new(),
            detections: Vec::new(),
            sign_ins: Vec::new(),
            user: None,
            methods: None,
            roles: None,
            policies: serde_json::from_value(policies).ok(),
            spray_reach: None,
        }
    }

    fn policy(state: &str, levels: &[&str], controls: &[&str], exclude: &[&str]) -> Value {
        json!({
            "id": "p1",
            "displayName": "user risk",
            "state": state,
            "conditions": {"userRiskLevels": levels, "signInRiskLevels": [], "users": {"includeUsers": ["All"], "excludeUsers": exclude}},
            "grantControls": {"operator": "AND", "builtInControls": controls},
        })
    }

    #[test]
    fn an_enforced_password_change_policy_self_remediates() {
        let e = evidence("high", json!([policy("enabled", &["high"], &["mfa", "passwordChange"], &[])]));
        let r = self_remediation(&e).expect("policies were read");
        assert!(r.self_remediates, "{}", r.because);
        assert_eq!(r.policies[0].applies, "yes");
    }

    #[test]
    fn report_only_other_levels_and_exclusions_do_not() {
        for (state, level, exclude) in [
            ("enabledForReportingButNotEnforced", "high", vec![]),
            ("enabled", "medium", vec![]),
            ("enabled", "high", vec![USER]),
        ] {
            let e = evidence(level, json!([policy(state, &["high"], &["passwordChange"], &exclude)]));
            let r = self_remediation(&e).expect("policies were read");
            assert!(!r.self_remediates, "{state} {level} {exclude:?}: {}", r.because);
        }
        let unread = evidence("high", Value::Null);
        assert!(self_remediation(&unread).is_none(), "no policies read, no claim either way");
    }

    #[test]
    fn spans_and_counts_read_naturally() {
        assert_eq!(span(Duration::minutes(40)), "40 min");
        assert_eq!(span(Duration::hours(19)), "19 h");
        assert_eq!(span(Duration::days(4)), "4 d");
        assert_eq!(count(1, "failed sign-in"), "1 failed sign-in");
        assert_eq!(count(4, "failed sign-in"), "4 failed sign-ins");
    }
}
