//! `get_user_mfa_registration`: one user's row of the authentication methods registration
//! report — MFA registered and capable, passwordless, SSPR, methods, default method.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, segment};
use crate::render::{fields, short_time, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::registration::{REPORT, RegistrationDetails, method_label};

const GET_USER_MFA_REGISTRATION: Declaration = Declaration {
    name: "get_user_mfa_registration",
    title: "Get a user's MFA registration status",
    description: "One user's MFA readiness from the registration report: MFA registered and MFA capable (allowed by the methods policy), passwordless capable, SSPR registered and enabled, admin or not, methods registered, default and system-preferred method. Reports Reader.",
    toolset: Toolset::Authmethods,
    permissions: &["AuditLog.Read.All", "User.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUserMfaRegistrationParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MfaRegistration {
    pub user: PersonRef,
    /// `member` or `guest`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// Holds an admin role.
    pub admin: bool,
    /// Registered a strong second factor.
    pub mfa_registered: bool,
    /// Registered one the methods policy allows them to use.
    pub mfa_capable: bool,
    pub passwordless_capable: bool,
    pub sspr_registered: bool,
    pub sspr_enabled: bool,
    pub sspr_capable: bool,
    /// Methods registered, in an admin's words.
    pub methods: Vec<String>,
    /// The second factor the user chose (`push`, `sms`, `none`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_method: Option<String>,
    pub system_preferred_enabled: bool,
    /// What the system prompts for when system-preferred MFA is on.
    pub system_preferred_methods: Vec<String>,
    /// What stands out (`admin without MFA`, `registered but not capable`).
    pub findings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_updated: Option<String>,
}

async fn get_user_mfa_registration(ctx: Ctx, p: GetUserMfaRegistrationParams) -> Result<MfaRegistration, SkillError> {
    let key = p.user.parse("user")?;
    // The report is keyed by object id only, and its GET takes no query options.
    let user = resolve_user(&ctx, &key).await?;
    let request = GraphRequest::get(format!("{REPORT}/{}", segment(&user.id)));
    let row: RegistrationDetails = ctx.graph.get(request).await.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            SkillError::not_found(format!("registration record for {}", key.describe()), "query_mfa_registration")
                .with_remedy("the report leaves out disabled accounts and users created in the last day; check the account with `get_user`")
        } else {
            e
        }
    })?;
    let flag = |f: Option<bool>| f.unwrap_or(false);
    let admin = flag(row.is_admin);
    let (registered, capable) = (flag(row.is_mfa_registered), flag(row.is_mfa_capable));
    let mut findings = Vec::new();
    if admin && !registered {
        findings.push("admin without any MFA method".to_string());
    } else if !registered {
        findings.push("no MFA method registered".to_string());
    }
    if registered && !capable {
        findings.push("MFA registered, but no registered method is allowed for them by the methods policy".to_string());
    }
    if admin && !flag(row.is_passwordless_capable) && registered {
        findings.push("admin without a phishing-resistant (passwordless) method".to_string());
    }
    let phishing_resistant_only = !row.methods_registered.is_empty()
        && row
            .methods_registered
            .iter()
            .all(|m| m.starts_with("passKey") || m == "fido2" || m == "windowsHelloForBusiness");
    if phishing_resistant_only {
        findings.push("phishing-resistant methods only".to_string());
    }
    Ok(MfaRegistration {
        user,
        user_type: row.user_type,
        admin,
        mfa_registered: registered,
        mfa_capable: capable,
        passwordless_capable: flag(row.is_passwordless_capable),
        sspr_registered: flag(row.is_sspr_registered),
        sspr_enabled: flag(row.is_sspr_enabled),
        sspr_capable: flag(row.is_sspr_capable),
        methods: row.methods_registered.iter().map(|m| method_label(m)).collect(),
        default_method: row.user_preferred_method_for_secondary_authentication.filter(|m| !m.is_empty()),
        system_preferred_enabled: flag(row.is_system_preferred_authentication_method_enabled),
        system_preferred_methods: row.system_preferred_authentication_methods,
        findings,
        report_updated: row.last_updated_date_time,
    })
}

impl Render for MfaRegistration {
    fn markdown(&self) -> String {
        let yes = |b: bool| yes_no(Some(b));
        let methods =
            if self.methods.is_empty() { "none (password only)".to_string() } else { self.methods.join(", ") };
        let system = if self.system_preferred_enabled {
            if self.system_preferred_methods.is_empty() {
                "on (nothing registered to prompt for)".to_string()
            } else {
                format!("on — prompts for {}", self.system_preferred_methods.join(", "))
            }
        } else {
            "off".to_string()
        };
        let mut out = fields(&[
            ("user", self.user.display_name.clone()),
            ("upn", self.user.upn.clone()),
            ("id", Some(self.user.id.clone())),
            ("type", self.user_type.clone()),
            ("admin", yes(self.admin)),
            ("MFA registered", yes(self.mfa_registered)),
            ("MFA capable", yes(self.mfa_capable)),
            ("passwordless capable", yes(self.passwordless_capable)),
            (
                "SSPR",
                Some(format!(
                    "registered {}, enabled {}, capable {}",
                    if self.sspr_registered { "yes" } else { "no" },
                    if self.sspr_enabled { "yes" } else { "no" },
                    if self.sspr_capable { "yes" } else { "no" }
                )),
            ),
            ("methods", Some(methods)),
            ("default method", self.default_method.as_deref().map(method_label)),
            ("system-preferred MFA", Some(system)),
            ("report updated", self.report_updated.as_deref().map(short_time)),
        ]);
        for finding in &self.findings {
            out.push_str("\n! ");
            out.push_str(finding);
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Is Elena Petrova registered for MFA? She is a User Administrator.",
        args: r#"{"user":"elena@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("mfa_registered", "false"),
            Fact::Every("admin", "true"),
            Fact::Count("methods/*", 0),
            Fact::Some("findings/*", "admin without any MFA method"),
            Fact::Says("admin without any MFA method"),
        ],
    },
    Example {
        question: "Karita's MFA registration status, default method and SSPR readiness",
        args: r#"{"user":"karita@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("mfa_capable", "true"),
            Fact::Every("default_method", "push"),
            Fact::Some("methods/*", "mobile phone (SMS/voice)"),
            Fact::Every("sspr_capable", "true"),
        ],
    },
    Example {
        question: "Ruth Abebe registered SMS for MFA; is she actually MFA capable under our policy?",
        args: r#"{"user":"ruth.abebe@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("mfa_registered", "true"),
            Fact::Every("mfa_capable", "false"),
            Fact::Some("findings/*", "~allowed for them by the methods policy"),
        ],
    },
    Example {
        question: "MFA registration of a break-glass account with only a passkey",
        args: r#"{"user":"breakglass01@woodgrovebank.onmicrosoft.com"}"#,
        facts: &[
            Fact::Every("passwordless_capable", "true"),
            Fact::Some("findings/*", "phishing-resistant methods only"),
            Fact::Some("system_preferred_methods/*", "Fido2"),
        ],
    },
    Example {
        question: "MFA registration of a disabled leaver",
        args: r#"{"user":"brian.walsh@woodgrovebank.com"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("disabled")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_USER_MFA_REGISTRATION, get_user_mfa_registration)
}
