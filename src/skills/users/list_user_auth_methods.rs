//! `list_user_auth_methods`: the sign-in methods a user registered, and whether they allow MFA.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::GraphRequest;
use crate::graph::resources::AuthenticationMethod;
use crate::render::{self, or_dash, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

// list_user_auth_methods

const LIST_USER_AUTH_METHODS: Declaration = Declaration {
    name: "list_user_auth_methods",
    title: "List a user's MFA methods",
    description: "The sign-in methods a user has registered (password, Authenticator, phone, FIDO2, Windows Hello…): can they do MFA, is any phishing-resistant. Global Reader.",
    toolset: Toolset::Users,
    permissions: &["UserAuthenticationMethod.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListUserAuthMethodsParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AuthMethodRow {
    /// `password`, `microsoft_authenticator`, `phone`, `fido2`, `windows_hello`, `email`,
    /// `software_oath`, `temporary_access_pass`, `platform_credential`.
    pub kind: String,
    pub id: String,
    /// Device name, phone number or key model.
    pub detail: Option<String>,
    pub created: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserAuthMethods {
    pub methods: Vec<AuthMethodRow>,
    /// Has a method other than the password.
    pub mfa_capable: bool,
    /// Has FIDO2, Windows Hello for Business or a platform credential.
    pub phishing_resistant: bool,
}

fn method_kind(odata_type: &str) -> &str {
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
        other => other,
    }
}

async fn list_user_auth_methods(ctx: Ctx, p: ListUserAuthMethodsParams) -> Result<UserAuthMethods, SkillError> {
    let key = p.user.parse("user")?;
    let request = GraphRequest::get(format!("{}/authentication/methods", key.path()));
    let page = ctx.graph.list::<AuthenticationMethod>(request, 100).await.map_err(user_not_found(&key))?;
    let methods: Vec<AuthMethodRow> = page
        .items
        .into_iter()
        .map(|m| {
            let kind = method_kind(m.odata_type.as_deref().unwrap_or_default()).to_string();
            let detail = match kind.as_str() {
                "phone" => m.phone_number.map(|n| format!("{n} ({})", m.phone_type.unwrap_or_else(|| "phone".into()))),
                "fido2" => m.display_name.or(m.model),
                "email" => m.email_address,
                _ => m.display_name,
            };
            AuthMethodRow { kind, id: m.id, detail: render::trim_opt(detail), created: m.created_date_time }
        })
        .collect();
    let mfa_capable = methods.iter().any(|m| m.kind != "password");
    let phishing_resistant =
        methods.iter().any(|m| matches!(m.kind.as_str(), "fido2" | "windows_hello" | "platform_credential"));
    Ok(UserAuthMethods { methods, mfa_capable, phishing_resistant })
}

impl Render for UserAuthMethods {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .methods
            .iter()
            .map(|m| {
                vec![
                    m.kind.clone(),
                    or_dash(&m.detail),
                    m.created.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        format!(
            "mfa capable: {}; phishing-resistant: {}\n{}",
            if self.mfa_capable { "yes" } else { "no" },
            if self.phishing_resistant { "yes" } else { "no" },
            table(&["method", "detail", "registered (UTC)"], &rows)
        )
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "What MFA methods has Karita registered? Is any phishing-resistant?",
    args: r#"{"user":"karita@woodgrovebank.com"}"#,
    facts: &[
        Fact::Some("methods/*/kind", "password"),
        Fact::Some("methods/*/kind", "microsoft_authenticator"),
        Fact::Some("methods/*/kind", "phone"),
        Fact::Every("mfa_capable", "true"),
        Fact::Every("phishing_resistant", "false"),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(LIST_USER_AUTH_METHODS, list_user_auth_methods)
}
