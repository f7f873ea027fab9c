//! `get_auth_methods_policy`: the tenant's authentication methods policy — which sign-in and
//! MFA methods are on and for whom (groups named), the registration campaign, and (from Graph
//! beta, when beta is on) system-preferred MFA and suspicious-activity reporting.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::graph::resources::Group;
use crate::graph::{GraphRequest, Query};
use crate::odata::{Expr, Literal};
use crate::render::{fields, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_AUTH_METHODS_POLICY: Declaration = Declaration {
    name: "get_auth_methods_policy",
    title: "Get the authentication methods policy",
    description: "Which authentication methods (passkeys/FIDO2, Microsoft Authenticator, SMS, voice, Temporary Access Pass, email OTP, OATH, certificates) are enabled in the tenant and for which groups, the Authenticator registration campaign, system-preferred MFA and report-suspicious-activity settings (the last two from Graph beta). Global Reader.",
    toolset: Toolset::Authmethods,
    permissions: &["Policy.Read.AuthenticationMethod", "GroupMember.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

const POLICY: &str = "/policies/authenticationMethodsPolicy";
/// Group ids named per `id in (…)` request.
const IDS_PER_REQUEST: usize = 15;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetAuthMethodsPolicyParams {}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Target {
    /// A group's object id, or `all_users`.
    pub id: String,
    /// The group's name, or `all users`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `group` or `user`.
    pub kind: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MethodRow {
    /// The method as admins name it.
    pub method: String,
    /// Graph's configuration id (`Fido2`, `Sms`, …).
    pub id: String,
    /// `enabled` or `disabled`.
    pub state: String,
    pub include: Vec<Target>,
    pub exclude: Vec<Target>,
    /// Method settings worth knowing (`usable for sign-in: no`, `one-time use`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Campaign {
    /// `enabled`, `disabled` or `default` (Microsoft-managed).
    pub state: String,
    /// The method users are nudged to register.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snooze_days: Option<i64>,
    /// Users must register once their snoozes are used up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforced_after_snoozes: Option<bool>,
    pub include: Vec<Target>,
    pub exclude: Vec<Target>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Feature {
    /// `enabled`, `disabled` or `default` (Microsoft-managed).
    pub state: String,
    pub include: Vec<Target>,
    pub exclude: Vec<Target>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MethodsPolicy {
    pub methods: Vec<MethodRow>,
    /// Names of the methods switched on.
    pub enabled: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_campaign: Option<Campaign>,
    /// System-preferred MFA (beta setting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_preferred_mfa: Option<Feature>,
    /// Report suspicious activity (beta setting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_suspicious_activity: Option<Feature>,
    /// `preMigration`, `migrationInProgress` or `migrationComplete` (legacy MFA and SSPR
    /// policies ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

fn method_name(id: &str) -> String {
    match id {
        "Fido2" => "passkeys (FIDO2)",
        "MicrosoftAuthenticator" => "Microsoft Authenticator",
        "Sms" => "SMS",
        "Voice" => "voice call",
        "TemporaryAccessPass" => "Temporary Access Pass",
        "Email" => "email OTP",
        "SoftwareOath" => "third-party software OATH tokens",
        "HardwareOath" => "hardware OATH tokens",
        "X509Certificate" => "certificate-based authentication",
        "QRCodePin" => "QR code",
        other => other,
    }
    .to_string()
}

/// Settings of one method configuration worth a line, read from its type's own properties.
fn settings(config: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let flag = |name: &str| config.get(name).and_then(Value::as_bool);
    let number = |name: &str| config.get(name).and_then(Value::as_i64);
    if flag("isAttestationEnforced") == Some(true) {
        out.push("attestation enforced".into());
    }
    if config.pointer("/keyRestrictions/isEnforced").and_then(Value::as_bool) == Some(true) {
        let kind = config.pointer("/keyRestrictions/enforcementType").and_then(Value::as_str).unwrap_or("allow");
        out.push(format!("key restrictions: {kind} list"));
    }
    if flag("isSelfServiceRegistrationAllowed") == Some(false) {
        out.push("self-service registration blocked".into());
    }
    if let Some(lifetime) = number("defaultLifetimeInMinutes") {
        let once = if flag("isUsableOnce") == Some(true) { ", one-time use" } else { "" };
        out.push(format!("default lifetime {lifetime} min{once}"));
    }
    if flag("isOfficePhoneAllowed") == Some(true) {
        out.push("office phone allowed".into());
    }
    if let Some(otp) = config.get("allowExternalIdToUseEmailOtp").and_then(Value::as_str) {
        out.push(format!("email OTP for guests: {otp}"));
    }
    if let Some(Value::Array(targets)) = config.get("includeTargets") {
        if targets.iter().any(|t| t.get("isUsableForSignIn").and_then(Value::as_bool) == Some(false)) {
            out.push("not usable as a first factor".into());
        }
        if let Some(mode) = targets.iter().find_map(|t| t.get("authenticationMode").and_then(Value::as_str)) {
            out.push(format!("mode: {mode}"));
        }
        if targets.iter().any(|t| t.get("isRegistrationRequired").and_then(Value::as_bool) == Some(true)) {
            out.push("registration required".into());
        }
    }
    out
}

/// The targets in a list (`includeTargets`), as id and kind; names come later.
fn targets(list: Option<&Value>) -> Vec<Target> {
    let one = |t: &Value| {
        let id = t.get("id").and_then(Value::as_str)?.to_string();
        let kind = t.get("targetType").and_then(Value::as_str).unwrap_or("group").to_string();
        Some(Target { name: (id == "all_users").then(|| "all users".to_string()), id, kind })
    };
    match list {
        Some(Value::Array(items)) => items.iter().filter_map(one).collect(),
        Some(single @ Value::Object(_)) => one(single).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn feature(value: Option<&Value>, include: &str) -> Option<Feature> {
    let value = value.filter(|v| v.is_object())?;
    Some(Feature {
        state: value.get("state").and_then(Value::as_str).unwrap_or("default").to_string(),
        include: targets(value.get(include)),
        exclude: targets(value.get("excludeTargets")),
    })
}

/// Names the groups among `targets`, in a few `id in (…)` requests.
async fn name_groups(ctx: &Ctx, all: &mut [&mut Target]) {
    let mut ids: Vec<String> = Vec::new();
    for t in all.iter() {
        if t.kind == "group" && guid(&t.id).is_some() && !ids.contains(&t.id) {
            ids.push(t.id.clone());
        }
    }
    let requests = ids.chunks(IDS_PER_REQUEST).map(|chunk| {
        let values = chunk.iter().map(|id| Literal::String(id.clone())).collect();
        let request = GraphRequest::get("/groups")
            .query(Query::new().select(&["id", "displayName"]).filter(Expr::is_in("id", values)));
        ctx.graph.list::<Group>(request, IDS_PER_REQUEST)
    });
    let mut groups: Vec<Group> = Vec::new();
    for result in futures::future::join_all(requests).await {
        match result {
            Ok(page) => groups.extend(page.items),
            Err(e) => {
                ctx.note(format!("group names unavailable: {}", e.kind.as_str()));
                return;
            }
        }
    }
    for t in all.iter_mut() {
        if let Some(g) = groups.iter().find(|g| g.id.eq_ignore_ascii_case(&t.id)) {
            t.name = g.display_name.clone();
        }
    }
}

async fn get_auth_methods_policy(ctx: Ctx, _: GetAuthMethodsPolicyParams) -> Result<MethodsPolicy, SkillError> {
    let v1 = ctx.graph.get::<Value>(GraphRequest::get(POLICY));
    // System-preferred MFA and suspicious-activity reporting exist on beta only.
    let (policy, beta) = if ctx.beta {
        let beta = GraphRequest::get(POLICY)
            .query(Query::new().select(&["systemCredentialPreferences", "reportSuspiciousActivitySettings"]))
            .beta();
        let (policy, beta) = tokio::join!(v1, ctx.graph.get::<Value>(beta));
        let beta = match beta {
            Ok(value) => Some(value),
            Err(e) if e.kind != ErrorKind::Throttled => {
                ctx.note(format!(
                    "system-preferred MFA and report suspicious activity unavailable (Graph beta): {}",
                    e.kind.as_str()
                ));
                None
            }
            Err(e) => return Err(e),
        };
        (policy?, beta)
    } else {
        ctx.note("system-preferred MFA and report suspicious activity are Graph beta settings; skipped (beta is off)");
        (v1.await?, None)
    };

    let mut methods: Vec<MethodRow> = policy
        .get("authenticationMethodConfigurations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|config| {
            let id = config.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
            MethodRow {
                method: method_name(&id),
                state: config.get("state").and_then(Value::as_str).unwrap_or("disabled").to_string(),
                include: targets(config.get("includeTargets")),
                exclude: targets(config.get("excludeTargets")),
                settings: settings(config),
                id,
            }
        })
        .collect();
    // Enabled methods first, in Graph's order within each state.
    methods.sort_by_key(|m| m.state != "enabled");

    let mut campaign =
        policy.pointer("/registrationEnforcement/authenticationMethodsRegistrationCampaign").map(|c| Campaign {
            state: c.get("state").and_then(Value::as_str).unwrap_or("default").to_string(),
            method: c
                .get("includeTargets")
                .and_then(Value::as_array)
                .and_then(|t| t.iter().find_map(|t| t.get("targetedAuthenticationMethod").and_then(Value::as_str)))
                .map(
                    |m| {
                        if m == "microsoftAuthenticator" {
                            "Microsoft Authenticator".to_string()
                        } else {
                            m.to_string()
                        }
                    },
                ),
            snooze_days: c.get("snoozeDurationInDays").and_then(Value::as_i64),
            enforced_after_snoozes: c.get("enforceRegistrationAfterAllowedSnoozes").and_then(Value::as_bool),
            include: targets(c.get("includeTargets")),
            exclude: targets(c.get("excludeTargets")),
        });
    let mut system_preferred =
        feature(beta.as_ref().and_then(|b| b.get("systemCredentialPreferences")), "includeTargets");
    let mut suspicious =
        feature(beta.as_ref().and_then(|b| b.get("reportSuspiciousActivitySettings")), "includeTarget");

    let mut all: Vec<&mut Target> = Vec::new();
    for m in methods.iter_mut() {
        all.extend(m.include.iter_mut().chain(m.exclude.iter_mut()));
    }
    if let Some(c) = campaign.as_mut() {
        all.extend(c.include.iter_mut().chain(c.exclude.iter_mut()));
    }
    for f in [system_preferred.as_mut(), suspicious.as_mut()].into_iter().flatten() {
        all.extend(f.include.iter_mut().chain(f.exclude.iter_mut()));
    }
    name_groups(&ctx, &mut all).await;

    Ok(MethodsPolicy {
        enabled: methods.iter().filter(|m| m.state == "enabled").map(|m| m.method.clone()).collect(),
        methods,
        registration_campaign: campaign,
        system_preferred_mfa: system_preferred,
        report_suspicious_activity: suspicious,
        migration_state: policy.get("policyMigrationState").and_then(Value::as_str).map(str::to_string),
        last_modified: policy.get("lastModifiedDateTime").and_then(Value::as_str).map(str::to_string),
    })
}

fn names(targets: &[Target]) -> String {
    if targets.is_empty() {
        return "-".into();
    }
    targets
        .iter()
        .map(|t| t.name.clone().unwrap_or_else(|| format!("{} {}", t.kind, t.id)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn feature_line(f: &Option<Feature>) -> Option<String> {
    f.as_ref().map(|f| {
        let exclude = if f.exclude.is_empty() { String::new() } else { format!(", except {}", names(&f.exclude)) };
        format!("{} for {}{exclude}", f.state, names(&f.include))
    })
}

impl Render for MethodsPolicy {
    fn markdown(&self) -> String {
        let campaign = self.registration_campaign.as_ref().map(|c| {
            let exclude = if c.exclude.is_empty() { String::new() } else { format!(", except {}", names(&c.exclude)) };
            let snooze = c.snooze_days.map(|d| format!(", snooze {d} d")).unwrap_or_default();
            format!("{} — {} for {}{exclude}{snooze}", c.state, c.method.as_deref().unwrap_or("-"), names(&c.include))
        });
        let head = fields(&[
            ("enabled methods", Some(self.enabled.join(", "))),
            ("registration campaign", campaign),
            ("system-preferred MFA", feature_line(&self.system_preferred_mfa)),
            ("report suspicious activity", feature_line(&self.report_suspicious_activity)),
            ("migration", self.migration_state.clone()),
            ("last modified", self.last_modified.as_deref().map(short_time)),
        ]);
        let rows: Vec<Vec<String>> = self
            .methods
            .iter()
            .map(|m| {
                vec![
                    m.method.clone(),
                    m.state.clone(),
                    names(&m.include),
                    names(&m.exclude),
                    if m.settings.is_empty() { "-".into() } else { m.settings.join("; ") },
                ]
            })
            .collect();
        format!("{head}\n{}", table(&["method", "state", "for", "except", "settings"], &rows))
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "Which authentication methods are enabled in our methods policy, and for which groups? Is the registration campaign on?",
    args: r#"{}"#,
    facts: &[
        Fact::Some("enabled/*", "passkeys (FIDO2)"),
        Fact::Some("enabled/*", "SMS"),
        Fact::No("enabled/*", "voice call"),
        Fact::Some("methods/*/include/*/name", "Finance Department"),
        Fact::Every("registration_campaign/state", "enabled"),
        Fact::Some("registration_campaign/exclude/*/name", "CA Exclusions"),
        Fact::Every("system_preferred_mfa/state", "enabled"),
        Fact::Every("report_suspicious_activity/state", "enabled"),
        Fact::Says("Finance Department"),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(GET_AUTH_METHODS_POLICY, get_auth_methods_policy)
}
