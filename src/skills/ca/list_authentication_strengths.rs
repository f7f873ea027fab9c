//! `list_authentication_strengths`: the built-in and custom authentication strengths, the method
//! combinations each allows, and the Conditional Access policies that require it.

use futures::stream::{self, StreamExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::words::and_list;
use crate::graph::resources::{AuthenticationStrengthPolicy, AuthenticationStrengthUsage};
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::{table, trim};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_AUTHENTICATION_STRENGTHS: Declaration = Declaration {
    name: "list_authentication_strengths",
    title: "List authentication strengths",
    description: "Authentication strengths (built-in MFA, passwordless, phishing-resistant, and custom ones such as FIDO2 only): the method combinations each allows and which Conditional Access policies require it. Security Reader.",
    toolset: Toolset::Ca,
    permissions: &["Policy.Read.AuthenticationMethod"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StrengthType {
    BuiltIn,
    Custom,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAuthenticationStrengthsParams {
    pub policy_type: Option<StrengthType>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StrengthUse {
    pub policy: String,
    pub policy_id: String,
    /// `on`, `report-only` or `off`.
    pub state: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StrengthRow {
    pub name: String,
    /// `built_in` or `custom`.
    pub policy_type: String,
    /// Whether satisfying it counts as MFA.
    pub satisfies_mfa: bool,
    /// Allowed method combinations in words, e.g. `FIDO2 security key`, `password + Authenticator push`.
    pub combinations: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Policies that require it; absent when usage could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_by: Option<Vec<StrengthUse>>,
    pub id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StrengthList {
    pub strengths: Vec<StrengthRow>,
}

/// One authentication method in words.
fn method_words(method: &str) -> &str {
    match method {
        "password" => "password",
        "windowsHelloForBusiness" => "Windows Hello for Business",
        "fido2" => "FIDO2 security key",
        "x509CertificateMultiFactor" => "certificate (multifactor)",
        "x509CertificateSingleFactor" => "certificate (single factor)",
        "deviceBasedPush" => "Authenticator passwordless sign-in",
        "temporaryAccessPassOneTime" => "Temporary Access Pass (one-time)",
        "temporaryAccessPassMultiUse" => "Temporary Access Pass (multi-use)",
        "microsoftAuthenticatorPush" => "Authenticator push",
        "softwareOath" => "software OATH token",
        "hardwareOath" => "hardware OATH token",
        "sms" => "SMS",
        "voice" => "voice call",
        "federatedMultiFactor" => "federated MFA",
        "federatedSingleFactor" => "federated single factor",
        "email" => "email one-time passcode",
        "qrCodePin" => "QR code with PIN",
        other => other,
    }
}

/// A combination (`password,microsoftAuthenticatorPush`) in words.
pub fn combination_words(combination: &str) -> String {
    combination.split(',').map(|m| method_words(m.trim())).collect::<Vec<_>>().join(" + ")
}

async fn list_authentication_strengths(
    ctx: Ctx,
    p: ListAuthenticationStrengthsParams,
) -> Result<StrengthList, SkillError> {
    let filter =
        p.policy_type.map(|t| Expr::eq("policyType", if t == StrengthType::Custom { "custom" } else { "builtIn" }));
    let request = GraphRequest::get("/policies/authenticationStrengthPolicies").query(
        Query::new()
            .select(&["id", "displayName", "description", "policyType", "requirementsSatisfied", "allowedCombinations"])
            .filter_opt(filter),
    );
    let strengths = ctx.graph.list::<AuthenticationStrengthPolicy>(request, 200).await?.items;
    // One usage read per strength, at most 8 at once.
    let ids: Vec<String> = strengths.iter().map(|s| s.id.clone()).collect();
    let ctx_ref = &ctx;
    let usages: Vec<(String, Result<AuthenticationStrengthUsage, SkillError>)> = stream::iter(ids)
        .map(|id| async move {
            let request = GraphRequest::get(path("/policies/authenticationStrengthPolicies/{}/usage", &[&id]));
            let usage = ctx_ref.graph.get::<AuthenticationStrengthUsage>(request).await;
            (id, usage)
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let mut failed = false;
    let rows = strengths
        .iter()
        .map(|s| {
            let usage = usages.iter().find(|(id, _)| *id == s.id).map(|(_, u)| u);
            let used_by = match usage {
                Some(Ok(u)) => Some(
                    u.mfa
                        .iter()
                        .chain(u.none.iter())
                        .map(|x| StrengthUse {
                            policy: x.name().to_string(),
                            policy_id: x.id.clone(),
                            state: x.policy_state().words().to_string(),
                        })
                        .collect(),
                ),
                _ => {
                    failed = true;
                    None
                }
            };
            StrengthRow {
                name: s.display_name.clone().unwrap_or_else(|| s.id.clone()),
                policy_type: if s.policy_type.as_deref() == Some("custom") { "custom" } else { "built_in" }.into(),
                satisfies_mfa: s.requirements_satisfied.as_deref() == Some("mfa"),
                combinations: s.allowed_combinations.iter().map(|c| combination_words(c)).collect(),
                description: s.description.clone().map(|d| trim(&d, 200)),
                used_by,
                id: s.id.clone(),
            }
        })
        .collect();
    if failed {
        ctx.note("which policies use some strengths could not be read; their `used_by` is left out");
    }
    Ok(StrengthList { strengths: rows })
}

impl Render for StrengthList {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .strengths
            .iter()
            .map(|s| {
                let used = match &s.used_by {
                    None => "unknown".to_string(),
                    Some(u) if u.is_empty() => "no policy".to_string(),
                    Some(u) => and_list(&u.iter().map(|x| format!("{} [{}]", x.policy, x.state)).collect::<Vec<_>>()),
                };
                vec![
                    s.name.clone(),
                    s.policy_type.replace('_', "-"),
                    if s.satisfies_mfa { "yes" } else { "no" }.into(),
                    s.combinations.join("; "),
                    used,
                    s.id.clone(),
                ]
            })
            .collect();
        table(&["strength", "type", "counts as MFA", "allowed combinations", "required by", "id"], &rows)
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which authentication strengths exist and which methods does each allow?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("strengths/*/name", "Phishing-resistant MFA"),
            Fact::Some("strengths/*/name", "Passwordless MFA"),
            Fact::Some("strengths/*/combinations/*", "password + Authenticator push"),
            Fact::Some("strengths/*/policy_type", "custom"),
            Fact::Says("Woodgrove FIDO2 security keys"),
        ],
    },
    Example {
        question: "Show our custom FIDO2 authentication strength",
        args: r#"{"policy_type":"custom"}"#,
        facts: &[
            Fact::Every("strengths/*/name", "Woodgrove FIDO2 security keys"),
            Fact::Every("strengths/*/combinations/*", "FIDO2 security key"),
            Fact::Every("strengths/*/satisfies_mfa", "true"),
        ],
    },
    Example {
        question: "A strength type that does not exist",
        args: r#"{"policy_type":"legacy"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_AUTHENTICATION_STRENGTHS, list_authentication_strengths)
}
