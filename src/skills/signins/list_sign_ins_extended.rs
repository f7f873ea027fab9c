//! `list_sign_ins_extended` (beta): the sign-ins v1.0 never lists — non-interactive user
//! sign-ins (token refreshes), service principal sign-ins (apps with their own credentials)
//! and managed identity sign-ins — by type, user, app, outcome, error and authentication
//! requirement, with the credentials apps signed in with.

use std::collections::BTreeMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::{DeviceDetail, SignInLocation, SignInStatus};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table, trim_opt};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_SIGN_INS_EXTENDED: Declaration = Declaration {
    name: "list_sign_ins_extended",
    title: "List non-interactive, app and managed identity sign-ins",
    description: "(beta) The sign-ins the ordinary sign-in log leaves out: non-interactive user sign-ins (token refreshes by Outlook, Teams…), service principal sign-ins (apps with a secret or certificate: which credential, failures such as an invalid secret) and managed identity sign-ins. By user, app, success or failure, error code, single- or multi-factor. P1. Reports Reader.",
    toolset: Toolset::Signins,
    permissions: &["AuditLog.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// Token refreshes and silent sign-ins on a user's behalf.
    NonInteractiveUser,
    /// Apps signing in as themselves with a secret, certificate or federated credential.
    ServicePrincipal,
    /// Azure resources signing in with a managed identity.
    ManagedIdentity,
    /// What list_sign_ins shows, with beta's fields.
    InteractiveUser,
}

impl EventType {
    fn graph(self) -> &'static str {
        match self {
            EventType::NonInteractiveUser => "nonInteractiveUser",
            EventType::ServicePrincipal => "servicePrincipal",
            EventType::ManagedIdentity => "managedIdentity",
            EventType::InteractiveUser => "interactiveUser",
        }
    }

    fn is_user(self) -> bool {
        matches!(self, EventType::NonInteractiveUser | EventType::InteractiveUser)
    }
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Authentication {
    SingleFactor,
    MultiFactor,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListSignInsExtendedParams {
    /// Which sign-ins (default `non_interactive_user`).
    pub event_type: Option<EventType>,
    /// For user sign-ins: UPN, object id or `me`.
    pub user: Option<UserRef>,
    /// The app signed in to (user sign-ins) or signing in (service principal, managed identity): display name or appId.
    pub app: Option<String>,
    pub outcome: Option<Outcome>,
    /// AADSTS code, e.g. 7000215.
    pub error_code: Option<i64>,
    /// The strongest authentication the sign-in required.
    pub authentication: Option<Authentication>,
    pub since: Option<Since>,
    pub until: Option<Since>,
    #[serde(default)]
    pub limit: Limit,
}

/// The slice of a beta `signIn` this skill reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct BetaSignIn {
    id: String,
    created_date_time: Option<String>,
    user_principal_name: Option<String>,
    user_id: Option<String>,
    app_id: Option<String>,
    app_display_name: Option<String>,
    service_principal_id: Option<String>,
    service_principal_name: Option<String>,
    resource_display_name: Option<String>,
    ip_address: Option<String>,
    correlation_id: Option<String>,
    status: Option<SignInStatus>,
    location: Option<SignInLocation>,
    device_detail: Option<DeviceDetail>,
    sign_in_event_types: Option<Vec<String>>,
    authentication_requirement: Option<String>,
    client_credential_type: Option<String>,
    service_principal_credential_key_id: Option<String>,
    service_principal_credential_thumbprint: Option<String>,
    managed_service_identity: Option<ManagedIdentity>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ManagedIdentity {
    msi_type: Option<String>,
    associated_resource_id: Option<String>,
}

const SELECT: &[&str] = &[
    "id",
    "createdDateTime",
    "userPrincipalName",
    "userId",
    "appId",
    "appDisplayName",
    "servicePrincipalId",
    "servicePrincipalName",
    "resourceDisplayName",
    "ipAddress",
    "correlationId",
    "status",
    "location",
    "deviceDetail",
    "signInEventTypes",
    "authenticationRequirement",
    "clientCredentialType",
    "servicePrincipalCredentialKeyId",
    "servicePrincipalCredentialThumbprint",
    "managedServiceIdentity",
];

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExtendedSignInRow {
    pub id: String,
    pub time: Option<String>,
    /// `nonInteractiveUser`, `servicePrincipal`, `managedIdentity`, `interactiveUser`.
    pub event_type: Option<String>,
    /// The user's UPN, or the name of the service principal or managed identity.
    pub who: Option<String>,
    /// The user's or the service principal's object id.
    pub who_id: Option<String>,
    pub app: Option<String>,
    /// What a token was asked for.
    pub resource: Option<String>,
    /// 0 for success, else an AADSTS code.
    pub error_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// `City, CC`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Operating system and device name, for user sign-ins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// `clientSecret`, `certificate`, `clientAssertion`, `federatedIdentityCredential`, `managedIdentity`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// The keyId of the secret or certificate used (matches the app's credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_key_id: Option<String>,
    /// `systemAssigned` or `userAssigned`, and the Azure resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_identity: Option<String>,
    /// `singleFactorAuthentication` or `multiFactorAuthentication`.
    pub authentication: Option<String>,
    pub correlation_id: Option<String>,
}

/// One credential an app signed in with, over the rows returned.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CredentialUse {
    pub app: String,
    /// `clientSecret`, `certificate`, …
    pub credential: String,
    pub key_id: Option<String>,
    pub sign_ins: usize,
    pub failures: usize,
    pub last_used: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExtendedSignInList {
    pub event_type: String,
    pub since: String,
    pub sign_ins: Vec<ExtendedSignInRow>,
    pub failures: usize,
    /// For app and managed identity sign-ins: which credential each app used.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credentials_used: Vec<CredentialUse>,
    #[serde(flatten)]
    pub list: ListInfo,
}

fn row(s: BetaSignIn) -> ExtendedSignInRow {
    let status = s.status.unwrap_or_default();
    let location = s.location.as_ref().and_then(|l| match (&l.city, &l.country_or_region) {
        (Some(city), Some(cc)) if !city.is_empty() => Some(format!("{city}, {cc}")),
        (_, Some(cc)) if !cc.is_empty() => Some(cc.clone()),
        _ => None,
    });
    let device = s.device_detail.as_ref().and_then(|d| {
        let parts: Vec<&str> = [d.operating_system.as_deref(), d.display_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    let managed_identity = s.managed_service_identity.as_ref().and_then(|m| {
        let kind = m.msi_type.as_deref().filter(|k| !k.is_empty() && *k != "none")?;
        // The resource's name is the last segment of its ARM id.
        let resource = m.associated_resource_id.as_deref().and_then(|r| r.rsplit('/').next()).unwrap_or_default();
        Some(if resource.is_empty() { kind.to_string() } else { format!("{kind}: {resource}") })
    });
    let user = s.user_principal_name.filter(|u| !u.is_empty());
    let (who, who_id) = match user {
        Some(upn) => (Some(upn), s.user_id),
        None => (s.service_principal_name.filter(|n| !n.is_empty()), s.service_principal_id),
    };
    let credential = s.client_credential_type.filter(|c| !c.is_empty() && c != "none");
    ExtendedSignInRow {
        id: s.id,
        time: s.created_date_time,
        event_type: s.sign_in_event_types.and_then(|t| t.into_iter().next()),
        who,
        who_id: who_id.filter(|id| !id.is_empty()),
        app: s.app_display_name.filter(|a| !a.is_empty()).or(s.app_id),
        resource: s.resource_display_name,
        error_code: status.error_code,
        failure_reason: trim_opt(status.failure_reason.filter(|_| status.error_code.is_some_and(|c| c != 0))),
        ip_address: s.ip_address.filter(|ip| !ip.is_empty()),
        location,
        device,
        credential_key_id: s
            .service_principal_credential_key_id
            .or(s.service_principal_credential_thumbprint)
            .filter(|k| !k.is_empty()),
        credential,
        managed_identity,
        authentication: s.authentication_requirement,
        correlation_id: s.correlation_id,
    }
}

fn credentials(rows: &[ExtendedSignInRow]) -> Vec<CredentialUse> {
    let mut uses: BTreeMap<(String, String, Option<String>), CredentialUse> = BTreeMap::new();
    for r in rows {
        let Some(credential) = &r.credential else { continue };
        let app = r.app.clone().unwrap_or_default();
        let entry = uses.entry((app.clone(), credential.clone(), r.credential_key_id.clone())).or_insert_with(|| {
            CredentialUse {
                app,
                credential: credential.clone(),
                key_id: r.credential_key_id.clone(),
                sign_ins: 0,
                failures: 0,
                last_used: None,
            }
        });
        entry.sign_ins += 1;
        if r.error_code.is_some_and(|c| c != 0) {
            entry.failures += 1;
        }
        // Rows come newest first: the first seen is the last use.
        if entry.last_used.is_none() {
            entry.last_used = r.time.clone();
        }
    }
    uses.into_values().take(20).collect()
}

async fn list_sign_ins_extended(ctx: Ctx, p: ListSignInsExtendedParams) -> Result<ExtendedSignInList, SkillError> {
    let limit = p.limit.get()?;
    let event_type = p.event_type.unwrap_or(EventType::NonInteractiveUser);
    let (start, end) = window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::hours(24), SIGN_IN_RETENTION_DAYS)?;
    let mut clauses =
        vec![Expr::ge("createdDateTime", start), Expr::any("signInEventTypes", "t", Expr::eq("t", event_type.graph()))];
    if let Some(end) = end {
        clauses.push(Expr::le("createdDateTime", end));
    }
    if let Some(user) = &p.user {
        if !event_type.is_user() {
            return Err(SkillError::invalid_value(
                "user",
                format!("applies to user sign-ins, not `{}`", event_type.graph()),
                "`user` with `event_type` `non_interactive_user` or `interactive_user`; for an app use `app`",
            ));
        }
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
                "an AADSTS number such as 7000215",
            ));
        }
        clauses.push(Expr::eq("status/errorCode", code));
    }
    match p.authentication {
        Some(Authentication::SingleFactor) => {
            clauses.push(Expr::eq("authenticationRequirement", "singleFactorAuthentication"))
        }
        Some(Authentication::MultiFactor) => {
            clauses.push(Expr::eq("authenticationRequirement", "multiFactorAuthentication"))
        }
        None => {}
    }
    let query = Query::new()
        .select(SELECT)
        .filter_opt(Expr::conjunction(clauses))
        .orderby("createdDateTime desc")
        .top(limit.min(1000));
    let request = GraphRequest::get("/auditLogs/signIns").beta().query(query);
    let page = ctx.graph.list::<BetaSignIn>(request, limit).await?;
    let sign_ins: Vec<ExtendedSignInRow> = page.items.into_iter().map(row).collect();
    let failures = sign_ins.iter().filter(|s| s.error_code.is_some_and(|c| c != 0)).count();
    let credentials_used = if event_type.is_user() { Vec::new() } else { credentials(&sign_ins) };
    let list =
        ListInfo::new(sign_ins.len(), page.total, page.more, "`since`, `user`, `app`, `outcome` or `error_code`");
    Ok(ExtendedSignInList {
        event_type: event_type.graph().to_string(),
        since: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        sign_ins,
        failures,
        credentials_used,
        list,
    })
}

impl Render for ExtendedSignInList {
    fn rows(&self) -> Option<usize> {
        Some(self.sign_ins.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.sign_ins.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .sign_ins
            .iter()
            .map(|s| {
                let result = match s.error_code {
                    Some(0) => "success".to_string(),
                    Some(code) => code.to_string(),
                    None => "-".to_string(),
                };
                // What tells one sign-in of this kind from another: the credential for an app,
                // the device for a user.
                let how = s
                    .managed_identity
                    .clone()
                    .or_else(|| s.credential.clone())
                    .or_else(|| s.device.clone())
                    .unwrap_or_else(|| "-".into());
                vec![
                    s.time.as_deref().map(short_time).unwrap_or_default(),
                    or_dash(&s.who),
                    or_dash(&s.app),
                    or_dash(&s.resource),
                    result,
                    or_dash(&s.ip_address),
                    or_dash(&s.location),
                    how,
                    s.id.clone(),
                ]
            })
            .collect();
        let mut text = format!(
            "{} {} sign-ins since {} UTC ({} failed)\n{}",
            self.list.returned,
            self.event_type,
            short_time(&self.since),
            self.failures,
            table(
                &["time (UTC)", "who", "app", "resource", "result", "ip", "place", "credential or device", "id"],
                &rows
            )
        );
        if !self.credentials_used.is_empty() {
            let rows: Vec<Vec<String>> = self
                .credentials_used
                .iter()
                .map(|c| {
                    vec![
                        c.app.clone(),
                        c.credential.clone(),
                        or_dash(&c.key_id),
                        c.sign_ins.to_string(),
                        c.failures.to_string(),
                        c.last_used.as_deref().map(short_time).unwrap_or_default(),
                    ]
                })
                .collect();
            text.push_str(&format!(
                "\ncredentials used:\n{}",
                table(&["app", "credential", "key id", "sign-ins", "failed", "last used (UTC)"], &rows)
            ));
        }
        text.push_str(&self.list.footer());
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Show Karita's non-interactive sign-ins (token refreshes) over the last two days",
        args: r#"{"user":"karita@woodgrovebank.com","since":"48h"}"#,
        facts: &[
            Fact::Every("sign_ins/*/event_type", "nonInteractiveUser"),
            Fact::Some("sign_ins/*/error_code", "50173"),
            Fact::Some("sign_ins/*/error_code", "0"),
            Fact::Every("sign_ins/*/who", "karita@woodgrovebank.com"),
            Fact::No("sign_ins/*/ip_address", "185.220.101.34"),
        ],
    },
    Example {
        question: "Which apps failed to sign in with their own credentials today?",
        args: r#"{"event_type":"service_principal","outcome":"failure","since":"24h"}"#,
        facts: &[
            Fact::AtLeast("sign_ins/*", 3),
            Fact::Every("sign_ins/*/app", "Treasury Forecast Tool"),
            Fact::Every("sign_ins/*/error_code", "7000215"),
            Fact::Every("sign_ins/*/event_type", "servicePrincipal"),
        ],
    },
    Example {
        question: "Which secret does Payroll Sync sign in with?",
        args: r#"{"event_type":"service_principal","app":"Payroll Sync","since":"7d","limit":100}"#,
        facts: &[
            Fact::Every("sign_ins/*/credential", "clientSecret"),
            Fact::Count("credentials_used/*", 1),
            Fact::Every("credentials_used/*/key_id", "~-"),
            Fact::Every("credentials_used/*/failures", "0"),
        ],
    },
    Example {
        question: "Managed identity sign-ins this week",
        args: r#"{"event_type":"managed_identity","since":"7d","limit":100}"#,
        facts: &[
            Fact::Every("sign_ins/*/event_type", "managedIdentity"),
            Fact::Some("sign_ins/*/managed_identity", "~systemAssigned"),
            Fact::Some("sign_ins/*/managed_identity", "~userAssigned"),
            Fact::Every("sign_ins/*/credential", "managedIdentity"),
        ],
    },
    Example {
        question: "Service principal sign-ins of a user",
        args: r#"{"event_type":"service_principal","user":"karita@woodgrovebank.com"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`user`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_SIGN_INS_EXTENDED, list_sign_ins_extended)
}
