//! `evaluate_ca_what_if`: which Conditional Access policies would apply to a hypothetical
//! sign-in (`POST /identity/conditionalAccess/evaluate`), what they would require, and why the
//! others would not apply.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::words;
use crate::graph::resources::{PolicyState, ServicePrincipal, User};
use crate::graph::{GraphRequest, Query};
use crate::render::{fields, table};
use crate::shared::resolve::{self, APP};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};
use crate::what_if::{self, AuthenticationFlow, DeviceInfo, SignInContext, WhatIfPage};

const EVALUATE_CA_WHAT_IF: Declaration = Declaration {
    name: "evaluate_ca_what_if",
    title: "Conditional Access What-If",
    description: "What-If for a hypothetical sign-in: which Conditional Access policies would apply to this user, app, platform, client app, country or IP, risk and device state, what they would require (block, MFA, compliant device), and why the others would not. P1. Security Reader.",
    toolset: Toolset::Ca,
    permissions: &["Policy.Read.ConditionalAccess", "User.Read.All", "Application.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Android,
    Ios,
    Windows,
    Macos,
    Linux,
    WindowsPhone,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ClientApp {
    Browser,
    MobileAndDesktop,
    ExchangeActiveSync,
    /// Other legacy clients (IMAP, POP, SMTP …).
    Other,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    None,
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AuthFlow {
    DeviceCodeFlow,
    AuthenticationTransfer,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UserAction {
    RegisterSecurityInfo,
    RegisterDevice,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateCaWhatIfParams {
    /// Who signs in (required).
    pub user: UserRef,
    /// App name or appId (default Office 365 Exchange Online).
    pub app: Option<String>,
    /// Instead of an app: a user action.
    pub user_action: Option<UserAction>,
    pub platform: Option<Platform>,
    /// Default browser.
    pub client_app: Option<ClientApp>,
    /// Two-letter country code, e.g. `RU`.
    pub country: Option<String>,
    pub ip: Option<String>,
    /// Default none.
    pub sign_in_risk: Option<RiskLevel>,
    /// Default none.
    pub user_risk: Option<RiskLevel>,
    pub device_compliant: Option<bool>,
    pub auth_flow: Option<AuthFlow>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ApplyingPolicy {
    pub name: String,
    /// `on` (enforced) or `report-only` (logged only).
    pub state: String,
    /// What it would require, e.g. `block access`, `require MFA`.
    pub requires: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub session: Vec<String>,
    pub id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SkippedPolicy {
    pub name: String,
    pub state: String,
    /// Why it would not apply, in words.
    pub reasons: Vec<String>,
    /// Graph's `analysisReasons` flags.
    pub flags: String,
    pub id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WhatIfAnswer {
    pub user: String,
    pub user_id: String,
    /// The sign-in as described (defaults marked).
    pub sign_in: String,
    /// What the enforced policies would do together.
    pub outcome: String,
    /// Policies that would apply: enforced first, then report-only.
    pub applies: Vec<ApplyingPolicy>,
    pub does_not_apply: Vec<SkippedPolicy>,
    /// What this answer does not tell.
    pub caveats: Vec<String>,
}

/// Microsoft apps an admin names in words, by appId.
const APP_WORDS: &[(&[&str], &str, &str)] = &[
    (
        &["office 365", "office365", "exchange", "exchange online", "outlook", "office 365 exchange online"],
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    (
        &["sharepoint", "sharepoint online", "onedrive"],
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
    ),
    (&["teams", "microsoft teams"], "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"),
    (&["azure portal"], "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"),
    (
        &["azure management", "azure", "windows azure service management api"],
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "Windows Azure Service Management API",
    ),
];

/// The app to evaluate: (appId, name).
async fn resolve_app(ctx: &Ctx, app: &str) -> Result<(String, String), SkillError> {
    let lower = app.trim().to_lowercase();
    if let Some((_, id, name)) = APP_WORDS.iter().find(|(words, _, _)| words.contains(&lower.as_str())) {
        return Ok((id.to_string(), name.to_string()));
    }
    let sp: ServicePrincipal = resolve::resolve(ctx, &APP, app, &["id", "appId", "displayName"]).await?;
    let app_id = sp
        .app_id
        .clone()
        .ok_or_else(|| SkillError::not_found(format!("appId of app '{}'", shorten(app)), "list_sign_ins"))?;
    Ok((app_id, sp.display_name.unwrap_or_else(|| app.to_string())))
}

async fn evaluate_ca_what_if(ctx: Ctx, p: EvaluateCaWhatIfParams) -> Result<WhatIfAnswer, SkillError> {
    let key = p.user.parse("user")?;
    if p.app.is_some() && p.user_action.is_some() {
        return Err(SkillError::invalid_value(
            "user_action",
            "cannot be combined with `app`",
            "either `app` (a sign-in to an app) or `user_action` (registering security info or a device)",
        ));
    }
    let country = match &p.country {
        Some(c) => {
            let c = c.trim();
            if c.len() != 2 || !c.chars().all(|x| x.is_ascii_alphabetic()) {
                return Err(SkillError::invalid_value(
                    "country",
                    format!("`{}` is not a two-letter country code", shorten(c)),
                    "an ISO 3166 two-letter code such as `US`, `NL` or `RU`",
                ));
            }
            Some(c.to_ascii_uppercase())
        }
        None => None,
    };
    let ip = match &p.ip {
        Some(ip) => Some(
            ip.trim()
                .parse::<std::net::IpAddr>()
                .map_err(|_| {
                    SkillError::invalid_value(
                        "ip",
                        format!("`{}` is not an IP address", shorten(ip)),
                        "an IPv4 or IPv6 address",
                    )
                })?
                .to_string(),
        ),
        None => None,
    };
    let user_request = GraphRequest::get(key.path()).query(Query::new().select(&[
        "id",
        "displayName",
        "userPrincipalName",
        "userType",
    ]));
    let app_lookup = async {
        match (&p.app, p.user_action) {
            (Some(app), _) => resolve_app(&ctx, app).await.map(Some),
            (None, Some(_)) => Ok(None),
            (None, None) => Ok(Some((
                "00000002-0000-0ff1-ce00-000000000000".to_string(),
                "Office 365 Exchange Online (default)".to_string(),
            ))),
        }
    };
    let (user, app) = tokio::join!(ctx.graph.get::<User>(user_request), app_lookup);
    let user = user?;
    let app = app?;

    let mut sign_in = what_if::SignIn::user(user.id.clone());
    let mut described = Vec::new();
    match (&app, p.user_action) {
        (Some((app_id, name)), _) => {
            sign_in = sign_in.to_apps(vec![app_id.clone()]);
            described.push(format!("to {name}"));
        }
        (None, Some(action)) => {
            let (value, words) = match action {
                UserAction::RegisterSecurityInfo => ("registerSecurityInformation", "registering security info"),
                UserAction::RegisterDevice => ("registerOrJoinDevices", "registering or joining a device"),
            };
            sign_in.sign_in_context = Some(SignInContext::UserAction { user_action: value.into() });
            described.push(words.to_string());
        }
        (None, None) => {}
    }
    let c = &mut sign_in.sign_in_conditions;
    let mut omitted = Vec::new();
    match p.platform {
        Some(platform) => {
            let value = match platform {
                Platform::Android => "android",
                Platform::Ios => "iOS",
                Platform::Windows => "windows",
                Platform::Macos => "macOS",
                Platform::Linux => "linux",
                Platform::WindowsPhone => "windowsPhone",
            };
            described.push(format!("on {}", words::platform_words(value)));
            c.device_platform = Some(value.into());
        }
        None => omitted.push("device platform"),
    }
    let (client, defaulted) = match p.client_app {
        Some(ClientApp::Browser) | None => ("browser", p.client_app.is_none()),
        Some(ClientApp::MobileAndDesktop) => ("mobileAppsAndDesktopClients", false),
        Some(ClientApp::ExchangeActiveSync) => ("exchangeActiveSync", false),
        Some(ClientApp::Other) => ("other", false),
    };
    c.client_app_type = Some(client.into());
    described.push(format!("with {}{}", words::client_app_words(client), if defaulted { " (default)" } else { "" }));
    if let Some(country) = &country {
        described.push(format!("from country {country}"));
    }
    if let Some(ip) = &ip {
        described.push(format!("from IP {ip}"));
    }
    if country.is_none() && ip.is_none() {
        omitted.push("location (country or IP)");
    }
    c.country = country;
    c.ip_address = ip;
    let level = |r: RiskLevel| match r {
        RiskLevel::None => "none",
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
    };
    if let Some(r) = p.sign_in_risk {
        c.sign_in_risk_level = Some(level(r).into());
        described.push(format!("sign-in risk {}", level(r)));
    }
    if let Some(r) = p.user_risk {
        c.user_risk_level = Some(level(r).into());
        described.push(format!("user risk {}", level(r)));
    }
    match p.device_compliant {
        Some(compliant) => {
            c.device_info = Some(DeviceInfo { is_compliant: Some(compliant), ..DeviceInfo::default() });
            described
                .push(if compliant { "on a compliant device" } else { "on a device that is not compliant" }.into());
        }
        None => omitted.push("device state"),
    }
    if let Some(flow) = p.auth_flow {
        let value = match flow {
            AuthFlow::DeviceCodeFlow => "deviceCodeFlow",
            AuthFlow::AuthenticationTransfer => "authenticationTransfer",
        };
        c.authentication_flow = Some(AuthenticationFlow { transfer_method: Some(value.into()) });
        described.push(format!(
            "through the {}",
            if value == "deviceCodeFlow" { "device code flow" } else { "authentication transfer" }
        ));
    }
    sign_in.applied_policies_only = Some(false);

    let request = GraphRequest::post("/identity/conditionalAccess/evaluate", sign_in.body()).read_only();
    let page = ctx.graph.get::<WhatIfPage>(request).await?;
    let names = Names::default();
    let mut applies: Vec<(PolicyState, ApplyingPolicy, bool)> = Vec::new();
    let mut does_not_apply = Vec::new();
    for result in page.value {
        let policy = &result.policy;
        if result.policy_applies {
            applies.push((
                policy.policy_state(),
                ApplyingPolicy {
                    name: policy.name().to_string(),
                    state: policy.policy_state().words().to_string(),
                    requires: words::grant_words(policy, &names),
                    session: words::session_words(policy),
                    id: policy.id.clone(),
                },
                policy.blocks(),
            ));
        } else {
            does_not_apply.push(SkippedPolicy {
                name: policy.name().to_string(),
                state: policy.policy_state().words().to_string(),
                reasons: result.reasons().iter().map(|r| r.words().to_string()).collect(),
                flags: result.analysis_reasons.clone(),
                id: policy.id.clone(),
            });
        }
    }
    applies.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    does_not_apply.sort_by(|a, b| a.name.cmp(&b.name));
    let enforced: Vec<&(PolicyState, ApplyingPolicy, bool)> =
        applies.iter().filter(|(s, _, _)| *s == PolicyState::On).collect();
    let outcome = if let Some((_, blocking, _)) = enforced.iter().find(|(_, _, blocks)| *blocks) {
        format!("blocked by {}", blocking.name)
    } else if enforced.is_empty() {
        "allowed: no enforced policy applies".to_string()
    } else {
        let needs: Vec<String> = enforced
            .iter()
            .map(|(_, x, _)| {
                let mut what = x.requires.clone();
                if !x.session.is_empty() {
                    what = format!("{what}; {}", x.session.join(", "));
                }
                format!("{what} ({})", x.name)
            })
            .collect();
        format!("allowed once the user meets: {}", needs.join(" · "))
    };
    let outcome =
        if omitted.is_empty() { outcome } else { format!("{outcome} (some conditions not described: see caveats)") };
    let mut caveats = vec![
        "evaluated against today's policies, not those in force at any past sign-in".to_string(),
        "sign-in and user risk count as none unless given".to_string(),
    ];
    if !omitted.is_empty() {
        caveats.insert(
            0,
            format!(
                "not described, so not evaluated (policies with these conditions show as applying): {}",
                omitted.join(", ")
            ),
        );
    }
    if applies.iter().any(|(s, _, _)| *s == PolicyState::ReportOnly) {
        caveats.push("report-only policies are logged, never enforced".to_string());
    }
    Ok(WhatIfAnswer {
        user: match &user.user_principal_name {
            Some(upn) => format!("{} ({upn})", user.display_name.clone().unwrap_or_default()),
            None => user.display_name.clone().unwrap_or_else(|| user.id.clone()),
        },
        user_id: user.id,
        sign_in: described.join(", "),
        outcome,
        applies: applies.into_iter().map(|(_, x, _)| x).collect(),
        does_not_apply,
        caveats,
    })
}

impl Render for WhatIfAnswer {
    fn markdown(&self) -> String {
        let mut text = fields(&[
            ("user", Some(self.user.clone())),
            ("sign-in", Some(self.sign_in.clone())),
            ("outcome", Some(self.outcome.clone())),
        ]);
        let rows: Vec<Vec<String>> = self
            .applies
            .iter()
            .map(|x| {
                let mut requires = x.requires.clone();
                if !x.session.is_empty() {
                    requires = format!("{requires}; {}", x.session.join(", "));
                }
                vec![x.name.clone(), x.state.clone(), requires, x.id.clone()]
            })
            .collect();
        text.push_str("\nwould apply:\n");
        text.push_str(&table(&["policy", "state", "requires", "id"], &rows));
        let rows: Vec<Vec<String>> = self
            .does_not_apply
            .iter()
            .map(|x| vec![x.name.clone(), x.state.clone(), x.reasons.join("; "), x.id.clone()])
            .collect();
        text.push_str("\nwould not apply:\n");
        text.push_str(&table(&["policy", "state", "why not", "id"], &rows));
        for caveat in &self.caveats {
            text.push_str(&format!("\ncaveat: {caveat}"));
        }
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What if Karita signs in from Russia?",
        args: r#"{"user":"karita@woodgrovebank.com","country":"RU"}"#,
        facts: &[
            Fact::Every("outcome", "~blocked by CA006 Block restricted countries"),
            Fact::Some("applies/*/name", "CA006 Block restricted countries"),
            Fact::Some("applies/*/requires", "block access"),
        ],
    },
    Example {
        question: "What happens when Karita opens the Finance portal on her unmanaged iPhone?",
        args: r#"{"user":"karita@woodgrovebank.com","app":"Woodgrove Finance Portal","platform":"ios","device_compliant":false,"country":"US"}"#,
        facts: &[
            Fact::Some("applies/*/name", "CA005 Compliant device for Finance apps"),
            Fact::Some("applies/*/requires", "require a compliant device"),
            Fact::Some("applies/*/session/*", "sign-in frequency every 8 hours"),
            Fact::Every("outcome", "~require a compliant device (CA005"),
        ],
    },
    Example {
        question: "What if Elena, a User Administrator, signs in to the Azure portal from the US: which policies would apply?",
        args: r#"{"user":"elena@woodgrovebank.com","app":"Azure Portal","country":"US"}"#,
        facts: &[
            Fact::Some("applies/*/name", "CA001 MFA for admins"),
            Fact::Every("outcome", "~require MFA (CA001 MFA for admins)"),
            Fact::Some("caveats/*", "~device state"),
        ],
    },
    Example {
        question: "What if Karita signs in with high sign-in risk from the Netherlands?",
        args: r#"{"user":"karita@woodgrovebank.com","sign_in_risk":"high","country":"NL","ip":"203.0.113.45"}"#,
        facts: &[
            Fact::Every("outcome", "~blocked by CA004 Block high sign-in risk"),
            Fact::Some("does_not_apply/*/flags", "location"),
        ],
    },
    Example {
        question: "What if the break-glass account signs in from the US: which policies would apply?",
        args: r#"{"user":"breakglass01@woodgrovebank.onmicrosoft.com","country":"US"}"#,
        facts: &[
            Fact::No("applies/*/name", "~CA001"),
            Fact::No("applies/*/name", "~CA003"),
            Fact::Some("does_not_apply/*/reasons/*", "the user is not in its scope (not included, or excluded)"),
            Fact::Some("does_not_apply/*/name", "CA006 Block restricted countries"),
        ],
    },
    Example {
        question: "What if the guest Lucia signs in from Spain: would the all-users MFA policy apply?",
        args: r#"{"user":"lucia.romero_fabrikampartners.com#EXT#@woodgrovebank.onmicrosoft.com","country":"ES"}"#,
        facts: &[Fact::Some("does_not_apply/*/name", "CA003 MFA for all users"), Fact::No("applies/*/name", "~CA003")],
    },
    Example {
        question: "What if Karita's mail client uses Exchange ActiveSync?",
        args: r#"{"user":"karita@woodgrovebank.com","client_app":"exchange_active_sync","country":"US"}"#,
        facts: &[
            Fact::Some("applies/*/name", "CA002 Block legacy authentication"),
            Fact::Some("caveats/*", "report-only policies are logged, never enforced"),
            Fact::No("outcome", "~CA002"),
        ],
    },
    Example {
        question: "What-If without saying who signs in",
        args: r#"{"country":"RU"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
    Example {
        question: "What-If with a made-up country code",
        args: r#"{"user":"karita@woodgrovebank.com","country":"Russia"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(EVALUATE_CA_WHAT_IF, evaluate_ca_what_if)
}
