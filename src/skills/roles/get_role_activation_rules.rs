//! `get_role_activation_rules`: what PIM asks of anyone activating one directory role — the
//! longest activation, MFA or an authentication context, justification, ticket, approval and
//! who approves, and who is notified — from the role's management policy.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::render::fields;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::pim::{self, ActivationRules, minutes_text};

const GET_ROLE_ACTIVATION_RULES: Declaration = Declaration {
    name: "get_role_activation_rules",
    title: "Role activation rules (PIM settings)",
    description: "What PIM requires to activate a directory role: maximum activation duration, MFA or authentication context, justification, ticket number, approval and the approvers by name, notifications. Role by name or id. Needs P2; Security Reader.",
    toolset: Toolset::Roles,
    permissions: &["RoleManagementPolicy.Read.Directory", "RoleManagement.Read.Directory", "User.ReadBasic.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetRoleActivationRulesParams {
    /// The role's display name (tolerant: "Global Admin") or id.
    pub role: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RoleActivationRules {
    pub role: String,
    pub role_id: String,
    /// A PIM policy governs the role (otherwise there are no rules to meet).
    pub has_policy: bool,
    #[serde(flatten)]
    pub rules: ActivationRules,
}

async fn get_role_activation_rules(
    ctx: Ctx,
    p: GetRoleActivationRulesParams,
) -> Result<RoleActivationRules, SkillError> {
    let role = pim::role(&ctx, &p.role).await?;
    let rules = pim::read_rules(&ctx, pim::role_rules_request(&role.id)).await?;
    if rules.is_none() {
        ctx.note("no role management policy is assigned to this role: PIM has no rules for it");
    }
    Ok(RoleActivationRules {
        role: pim::role_name(&role),
        role_id: role.id,
        has_policy: rules.is_some(),
        rules: rules.unwrap_or_default(),
    })
}

impl Render for RoleActivationRules {
    fn markdown(&self) -> String {
        let r = &self.rules;
        let yes = |flag: bool| Some(if flag { "required" } else { "no" }.to_string());
        let notify: Vec<String> = r
            .notifications
            .iter()
            .map(|n| {
                let extra = if n.extra_recipients.is_empty() {
                    String::new()
                } else {
                    format!(" + {}", n.extra_recipients.join(", "))
                };
                format!("{} ({}){extra}", n.recipient, n.level.to_lowercase())
            })
            .collect();
        fields(&[
            ("role", Some(self.role.clone())),
            ("role id", Some(self.role_id.clone())),
            ("max activation", r.max_minutes.map(minutes_text)),
            ("MFA", yes(r.mfa_required)),
            ("authentication context", r.authentication_context.clone()),
            ("justification", yes(r.justification_required)),
            ("ticket", yes(r.ticket_required)),
            (
                "approval",
                Some(if r.approval_required { format!("required, by {}", r.approvers_text()) } else { "no".into() }),
            ),
            ("notify", (!notify.is_empty()).then(|| notify.join("; "))),
            ("policy", r.policy_id.clone()),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What do I need to activate Security Administrator in PIM — MFA, ticket, how long?",
        args: r#"{"role":"Security Administrator"}"#,
        facts: &[
            Fact::Every("max_duration", "PT8H"),
            Fact::Every("authentication_context", "c1"),
            Fact::Every("justification_required", "true"),
            Fact::Every("ticket_required", "true"),
            Fact::Every("approval_required", "false"),
            Fact::Says("authentication context: c1"),
        ],
    },
    Example {
        question: "Who approves a Global Admin activation, and for how long can it be active?",
        args: r#"{"role":"global admin"}"#,
        facts: &[
            Fact::Every("role", "Global Administrator"),
            Fact::Every("approval_required", "true"),
            Fact::Some("approvers/*/name", "Tom Okafor"),
            Fact::Every("mfa_required", "true"),
            Fact::Says("Tom Okafor"),
        ],
    },
    Example {
        question: "Activation settings of Conditional Access Administrator",
        args: r#"{"role":"Conditional Access Administrator"}"#,
        facts: &[
            Fact::Every("max_minutes", "60"),
            Fact::Some("approvers/*/name", "Marcus Lee"),
            Fact::Says("max activation: 1 h"),
        ],
    },
    Example {
        question: "Activation rules of a role that does not exist",
        args: r#"{"role":"Chief Coffee Officer"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_ROLE_ACTIVATION_RULES, get_role_activation_rules)
}
