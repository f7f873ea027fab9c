//! `query_mfa_registration`: who is (not) registered for MFA, who holds a given method, admins
//! without MFA — from the registration report filtered as Graph allows — with the tenant's
//! totals from the report's summary functions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{fields, or_dash, table, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::registration::{REPORT, RegistrationDetails, method_label};

const QUERY_MFA_REGISTRATION: Declaration = Declaration {
    name: "query_mfa_registration",
    title: "Query MFA registration across users",
    description: "Who lacks MFA, who is registered but not MFA capable, admins without MFA, who has a given method (passkey/FIDO2, Authenticator, Windows Hello, phone…), who is passwordless capable; with tenant totals per feature and per method from the registration report. Reports Reader.",
    toolset: Toolset::Authmethods,
    permissions: &["AuditLog.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Fido2,
    Passkey,
    PasskeyInAuthenticator,
    MicrosoftAuthenticator,
    WindowsHello,
    MobilePhone,
    SoftwareOath,
    HardwareOath,
    Email,
    TemporaryAccessPass,
}

impl Method {
    /// The report's names for the method.
    fn registered_as(self) -> &'static [&'static str] {
        match self {
            Method::Fido2 | Method::Passkey => {
                &["fido2", "passKeyDeviceBound", "passKeyDeviceBoundAuthenticator", "passKeyDeviceBoundWindowsHello"]
            }
            Method::PasskeyInAuthenticator => &["passKeyDeviceBoundAuthenticator"],
            Method::MicrosoftAuthenticator => &["microsoftAuthenticatorPush", "microsoftAuthenticatorPasswordless"],
            Method::WindowsHello => &["windowsHelloForBusiness", "passKeyDeviceBoundWindowsHello"],
            Method::MobilePhone => &["mobilePhone", "alternateMobilePhone", "officePhone"],
            Method::SoftwareOath => &["softwareOneTimePasscode"],
            Method::HardwareOath => &["hardwareOneTimePasscode"],
            Method::Email => &["email"],
            Method::TemporaryAccessPass => &["temporaryAccessPass"],
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UserType {
    Member,
    Guest,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryMfaRegistrationParams {
    /// false: users with no MFA method registered.
    pub mfa_registered: Option<bool>,
    /// false: users with no MFA method the methods policy lets them use.
    pub mfa_capable: Option<bool>,
    pub passwordless_capable: Option<bool>,
    /// true: admins only; false: non-admins only.
    pub admin: Option<bool>,
    pub user_type: Option<UserType>,
    /// Users who registered this method; `fido2` and `passkey` both mean security keys and
    /// device-bound passkeys of any kind.
    pub method: Option<Method>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RegistrationRow {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    pub admin: bool,
    pub mfa_registered: bool,
    pub mfa_capable: bool,
    pub passwordless_capable: bool,
    /// Methods registered, in an admin's words.
    pub methods: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_method: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FeatureTotals {
    /// Users in the population the totals cover.
    pub users: u64,
    pub mfa_capable: u64,
    pub passwordless_capable: u64,
    pub sspr_registered: u64,
    pub sspr_capable: u64,
    /// `all`, `member` or `guest`.
    pub user_types: String,
    /// `all`, `admin` or `user`.
    pub user_roles: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MethodTotal {
    pub method: String,
    /// The report's name for it.
    pub registered_as: String,
    pub users: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MfaRegistrationQuery {
    /// The criteria applied, in words.
    pub criteria: String,
    pub users: Vec<RegistrationRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals: Option<FeatureTotals>,
    /// Users per registered method, most used first.
    pub by_method: Vec<MethodTotal>,
    #[serde(flatten)]
    pub list: ListInfo,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct FeatureSummary {
    total_user_count: u64,
    user_registration_feature_counts: Vec<FeatureCount>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct FeatureCount {
    feature: String,
    user_count: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct MethodSummary {
    user_registration_method_counts: Vec<MethodCount>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct MethodCount {
    authentication_method: String,
    user_count: u64,
}

async fn query_mfa_registration(ctx: Ctx, p: QueryMfaRegistrationParams) -> Result<MfaRegistrationQuery, SkillError> {
    let limit = p.limit.get()?;
    let mut clauses: Vec<Expr> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut flag = |field: &'static str, value: Option<bool>, yes: &str, no: &str| {
        if let Some(value) = value {
            clauses.push(Expr::eq(field, value));
            words.push(if value { yes } else { no }.to_string());
        }
    };
    flag("isMfaRegistered", p.mfa_registered, "MFA registered", "not MFA registered");
    flag("isMfaCapable", p.mfa_capable, "MFA capable", "not MFA capable");
    flag("isPasswordlessCapable", p.passwordless_capable, "passwordless capable", "not passwordless capable");
    flag("isAdmin", p.admin, "admins", "non-admins");
    if let Some(kind) = p.user_type {
        let value = if kind == UserType::Guest { "guest" } else { "member" };
        clauses.push(Expr::eq("userType", value));
        words.push(format!("{value}s"));
    }
    if let Some(method) = p.method {
        let any = |name: &'static str| Expr::any("methodsRegistered", "m", Expr::eq("m", name));
        let names = method.registered_as();
        let mut clause = any(names[0]);
        for name in &names[1..] {
            clause = clause.or(any(name));
        }
        clauses.push(clause);
        words.push(format!("with {}", names.iter().map(|n| method_label(n)).collect::<Vec<_>>().join(" or ")));
    }
    let criteria = if words.is_empty() { "all users".to_string() } else { words.join(", ") };

    // The summaries cover the same user type and role, as the functions allow.
    let user_types = match p.user_type {
        Some(UserType::Member) => "member",
        Some(UserType::Guest) => "guest",
        None => "all",
    };
    let user_roles = match p.admin {
        Some(true) => "admin",
        Some(false) => "user",
        None => "all",
    };
    let arguments = format!("(includedUserTypes='{user_types}',includedUserRoles='{user_roles}')");
    let features = GraphRequest::get(format!("/reports/authenticationMethods/usersRegisteredByFeature{arguments}"));
    let methods = GraphRequest::get(format!("/reports/authenticationMethods/usersRegisteredByMethod{arguments}"));
    let list = GraphRequest::get(REPORT).query(Query::new().filter_opt(Expr::conjunction(clauses)));
    let (page, features, methods) = tokio::join!(
        ctx.graph.list::<RegistrationDetails>(list, limit),
        ctx.graph.get::<FeatureSummary>(features),
        ctx.graph.get::<MethodSummary>(methods)
    );
    let page = page?;
    let totals = match features {
        Ok(summary) => {
            let count = |name: &str| {
                summary.user_registration_feature_counts.iter().find(|c| c.feature == name).map_or(0, |c| c.user_count)
            };
            Some(FeatureTotals {
                users: summary.total_user_count,
                mfa_capable: count("mfaCapable"),
                passwordless_capable: count("passwordlessCapable"),
                sspr_registered: count("ssprRegistered"),
                sspr_capable: count("ssprCapable"),
                user_types: user_types.to_string(),
                user_roles: user_roles.to_string(),
            })
        }
        Err(e) if e.kind != ErrorKind::Throttled => {
            ctx.note(format!("feature totals unavailable: {}", e.kind.as_str()));
            None
        }
        Err(e) => return Err(e),
    };
    let by_method = match methods {
        Ok(summary) => {
            let mut rows: Vec<MethodTotal> = summary
                .user_registration_method_counts
                .into_iter()
                .filter(|c| c.user_count > 0)
                .map(|c| MethodTotal {
                    method: method_label(&c.authentication_method),
                    registered_as: c.authentication_method,
                    users: c.user_count,
                })
                .collect();
            rows.sort_by(|a, b| b.users.cmp(&a.users).then_with(|| a.method.cmp(&b.method)));
            rows
        }
        Err(e) if e.kind != ErrorKind::Throttled => {
            ctx.note(format!("per-method totals unavailable: {}", e.kind.as_str()));
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let users: Vec<RegistrationRow> = page
        .items
        .into_iter()
        .map(|r| RegistrationRow {
            methods: r.methods_registered.iter().map(|m| method_label(m)).collect(),
            default_method: r.user_preferred_method_for_secondary_authentication.filter(|m| !m.is_empty()),
            admin: r.is_admin.unwrap_or(false),
            mfa_registered: r.is_mfa_registered.unwrap_or(false),
            mfa_capable: r.is_mfa_capable.unwrap_or(false),
            passwordless_capable: r.is_passwordless_capable.unwrap_or(false),
            id: r.id,
            display_name: r.user_display_name,
            upn: r.user_principal_name,
            user_type: r.user_type,
        })
        .collect();
    let list = ListInfo::new(users.len(), None, page.more, "`user_type`, `admin`, `method` or the capability flags");
    Ok(MfaRegistrationQuery { criteria, users, totals, by_method, list })
}

impl Render for MfaRegistrationQuery {
    fn rows(&self) -> Option<usize> {
        Some(self.users.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.users.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let totals = self.totals.as_ref().map(|t| {
            format!(
                "{} users ({} types, {} roles): MFA capable {}, passwordless {}, SSPR registered {}, SSPR capable {}",
                t.users,
                t.user_types,
                t.user_roles,
                t.mfa_capable,
                t.passwordless_capable,
                t.sspr_registered,
                t.sspr_capable
            )
        });
        let methods = (!self.by_method.is_empty()).then(|| {
            self.by_method.iter().take(10).map(|m| format!("{} {}", m.method, m.users)).collect::<Vec<_>>().join(", ")
        });
        let head =
            fields(&[("criteria", Some(self.criteria.clone())), ("totals", totals), ("users per method", methods)]);
        let rows: Vec<Vec<String>> = self
            .users
            .iter()
            .map(|u| {
                vec![
                    or_dash(&u.display_name),
                    or_dash(&u.upn),
                    yes_no(Some(u.admin)).unwrap_or_default(),
                    yes_no(Some(u.mfa_registered)).unwrap_or_default(),
                    yes_no(Some(u.mfa_capable)).unwrap_or_default(),
                    if u.methods.is_empty() { "none".into() } else { u.methods.join(", ") },
                    u.id.clone(),
                ]
            })
            .collect();
        format!(
            "{head}\n{} users match\n{}{}",
            self.list.returned,
            table(&["name", "upn", "admin", "MFA registered", "MFA capable", "methods", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which admins have no MFA registered?",
        args: r#"{"admin":true,"mfa_registered":false}"#,
        facts: &[
            Fact::Count("users/*", 1),
            Fact::Every("users/*/display_name", "Elena Petrova"),
            Fact::Every("totals/user_roles", "admin"),
            Fact::Says("Elena Petrova"),
        ],
    },
    Example {
        question: "Which members have not registered any MFA method?",
        args: r#"{"mfa_registered":false,"user_type":"member","limit":50}"#,
        facts: &[
            Fact::Some("users/*/display_name", "Elena Petrova"),
            Fact::Some("users/*/display_name", "Julia Costa"),
            Fact::Every("users/*/mfa_registered", "false"),
            Fact::No("users/*/user_type", "guest"),
            Fact::AtLeast("totals/users", 50),
        ],
    },
    Example {
        question: "Who has a passkey or FIDO2 security key registered?",
        args: r#"{"method":"passkey"}"#,
        facts: &[
            Fact::Some("users/*/display_name", "Break Glass Account 01"),
            Fact::Some("users/*/methods/*", "passkey in Microsoft Authenticator"),
            Fact::Every("users/*/passwordless_capable", "true"),
            Fact::Some("by_method/*/registered_as", "passKeyDeviceBound"),
        ],
    },
    Example {
        question: "Users registered for MFA but not MFA capable under the methods policy",
        args: r#"{"mfa_registered":true,"mfa_capable":false}"#,
        facts: &[Fact::Every("users/*/display_name", "Ruth Abebe"), Fact::Count("users/*", 1)],
    },
    Example {
        question: "MFA registration for an unknown method",
        args: r#"{"method":"carrier_pigeon"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("method")],
    },
];

pub fn skill() -> Skill {
    Skill::new(QUERY_MFA_REGISTRATION, query_mfa_registration)
}
