//! `get_user_mfa_state` (beta): a user's legacy per-user MFA state and their sign-in
//! preferences (system-preferred MFA, default second factor).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::GraphRequest;
use crate::render::fields;
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::registration::method_label;

const GET_USER_MFA_STATE: Declaration = Declaration {
    name: "get_user_mfa_state",
    title: "Get a user's per-user MFA state (beta)",
    description: "(beta) A user's legacy per-user MFA state (disabled, enabled, enforced) and sign-in preferences: whether system-preferred MFA applies and their default second factor. Per-user MFA should give way to Conditional Access. Global Reader.",
    toolset: Toolset::Authmethods,
    permissions: &["Policy.Read.All", "UserAuthenticationMethod.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUserMfaStateParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserMfaState {
    pub user: PersonRef,
    /// `disabled`, `enabled` (prompted once registered) or `enforced` (always prompted).
    pub per_user_mfa: String,
    /// Whether the system picks the strongest registered method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_preferred_mfa: Option<bool>,
    /// The user's own default second factor (`push`, `sms`, `oath`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_method: Option<String>,
    /// What the state means for the admin.
    pub advice: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Requirements {
    per_user_mfa_state: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SignInPreferences {
    is_system_preferred_authentication_method_enabled: Option<bool>,
    user_preferred_method_for_secondary_authentication: Option<String>,
}

async fn get_user_mfa_state(ctx: Ctx, p: GetUserMfaStateParams) -> Result<UserMfaState, SkillError> {
    let key = p.user.parse("user")?;
    let requirements = GraphRequest::get(format!("{}/authentication/requirements", key.path())).beta();
    let preferences = GraphRequest::get(format!("{}/authentication/signInPreferences", key.path())).beta();
    let (user, requirements, preferences) = tokio::join!(
        resolve_user(&ctx, &key),
        ctx.graph.get::<Requirements>(requirements),
        ctx.graph.get::<SignInPreferences>(preferences)
    );
    let user = user?;
    let requirements = requirements.map_err(user_not_found(&key))?;
    let preferences = match preferences {
        Ok(p) => Some(p),
        Err(e) if e.kind != ErrorKind::Throttled => {
            ctx.note(format!("sign-in preferences unavailable: {}", e.kind.as_str()));
            None
        }
        Err(e) => return Err(e),
    };
    let state = requirements.per_user_mfa_state.unwrap_or_else(|| "disabled".into());
    let advice = match state.as_str() {
        "enforced" => "legacy per-user MFA is enforced: every sign-in asks for MFA whatever Conditional Access says; move the user to Conditional Access and set it to disabled",
        "enabled" => "legacy per-user MFA is enabled: the user is asked to register and then prompted; move the user to Conditional Access and set it to disabled",
        _ => "no per-user MFA: MFA comes from Conditional Access (or security defaults), as recommended",
    }
    .to_string();
    let (system, default) = match preferences {
        Some(p) => (
            p.is_system_preferred_authentication_method_enabled,
            p.user_preferred_method_for_secondary_authentication.filter(|m| !m.is_empty()),
        ),
        None => (None, None),
    };
    Ok(UserMfaState { user, per_user_mfa: state, system_preferred_mfa: system, default_method: default, advice })
}

impl Render for UserMfaState {
    fn markdown(&self) -> String {
        fields(&[
            ("user", self.user.display_name.clone()),
            ("upn", self.user.upn.clone()),
            ("id", Some(self.user.id.clone())),
            ("per-user MFA", Some(self.per_user_mfa.clone())),
            ("system-preferred MFA", self.system_preferred_mfa.map(|s| if s { "on" } else { "off" }.to_string())),
            ("default method", self.default_method.as_deref().map(method_label)),
            ("advice", Some(self.advice.clone())),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Is George Adams still on legacy per-user MFA?",
        args: r#"{"user":"george.adams@woodgrovebank.com"}"#,
        facts: &[Fact::Every("per_user_mfa", "enforced"), Fact::Says("Conditional Access")],
    },
    Example {
        question: "Karita's per-user MFA state and default sign-in method",
        args: r#"{"user":"karita@woodgrovebank.com"}"#,
        facts: &[
            Fact::Every("per_user_mfa", "disabled"),
            Fact::Every("system_preferred_mfa", "true"),
            Fact::Every("default_method", "push"),
        ],
    },
    Example {
        question: "Per-user MFA state of an unknown user",
        args: r#"{"user":"nobody@woodgrovebank.com"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_USER_MFA_STATE, get_user_mfa_state)
}
