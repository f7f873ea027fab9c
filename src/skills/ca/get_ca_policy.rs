//! `get_ca_policy`: one Conditional Access policy in plain words, every id named.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::policies::find_policy;
use super::words::{self, NamedId, PolicyWords};
use crate::render::{fields, short_time, table};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_CA_POLICY: Declaration = Declaration {
    name: "get_ca_policy",
    title: "Get a Conditional Access policy",
    description: "One Conditional Access policy by name, code (CA003) or id, fully in plain words: who it covers and exempts (users, groups, roles, guests, agents by name), apps, conditions, grant, session, state. P1. Security Reader.",
    toolset: Toolset::Ca,
    permissions: &["Policy.Read.All", "Directory.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCaPolicyParams {
    /// Policy id, display name (or part of it) or code such as `CA003`.
    pub policy: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CaPolicyDetail {
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub words: PolicyWords,
    /// Every id the policy names, with its name.
    pub named: Vec<NamedId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// The Microsoft template it was created from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
}

async fn get_ca_policy(ctx: Ctx, p: GetCaPolicyParams) -> Result<CaPolicyDetail, SkillError> {
    let policy = find_policy(&ctx, "policy", &p.policy).await?;
    let names = Names::resolve(&ctx, std::slice::from_ref(&policy)).await;
    names.note_unresolved(&ctx);
    if policy.policy_state() == crate::graph::resources::PolicyState::ReportOnly {
        ctx.note("report-only: evaluated and logged at every sign-in, never enforced");
    }
    Ok(CaPolicyDetail {
        words: words::describe(&policy, &names),
        named: words::named_ids(&policy, &names),
        id: policy.id.clone(),
        name: policy.name().to_string(),
        created: policy.created_date_time.clone(),
        modified: policy.modified_date_time.clone(),
        template_id: policy.template_id.clone(),
    })
}

impl Render for CaPolicyDetail {
    fn markdown(&self) -> String {
        let w = &self.words;
        let mut text = fields(&[
            ("policy", Some(self.name.clone())),
            ("id", Some(self.id.clone())),
            ("state", Some(w.state.clone())),
            ("users", Some(w.users.clone())),
            ("except", w.excluded.clone()),
            ("target", Some(w.target.clone())),
            ("conditions", (!w.conditions.is_empty()).then(|| w.conditions.join("; "))),
            ("grant", Some(w.grant.clone())),
            ("session", (!w.session.is_empty()).then(|| w.session.join("; "))),
            ("created", self.created.as_deref().map(short_time)),
            ("modified", self.modified.as_deref().map(short_time)),
            ("template", self.template_id.clone()),
        ]);
        if !self.named.is_empty() {
            let rows: Vec<Vec<String>> = self
                .named
                .iter()
                .map(|n| vec![n.used_as.clone(), n.kind.clone(), n.name.clone(), n.id.clone()])
                .collect();
            text.push_str("\nnamed objects:\n");
            text.push_str(&table(&["as", "kind", "name", "id"], &rows));
        }
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Explain CA003 in plain words: who does the MFA policy leave out?",
        args: r#"{"policy":"CA003"}"#,
        facts: &[
            Fact::Every("name", "CA003 MFA for all users"),
            Fact::Every("state", "on"),
            Fact::Every("users", "all users"),
            Fact::Every("excluded", "~Break Glass"),
            Fact::Every("excluded", "~members of CA Exclusions"),
            Fact::Every("excluded", "~all guests and external users"),
            Fact::Every("target", "all apps except Legacy Reports Portal"),
            Fact::Every("grant", "require MFA"),
            Fact::Some("named/*/name", "CA Exclusions"),
            Fact::NeverSays("b2bCollaborationGuest"),
        ],
    },
    Example {
        question: "Which admin roles does the CA001 policy cover?",
        args: r#"{"policy":"ca001 mfa for admins"}"#,
        facts: &[
            Fact::Every("users", "~holders of Global Administrator"),
            Fact::Every("users", "~User Administrator"),
            Fact::Some("named/*/kind", "role"),
            Fact::No("named/*/name", "62e90394-69f5-4237-9190-012177145e10"),
        ],
    },
    Example {
        question: "What does the country block policy do?",
        args: r#"{"policy":"Block restricted countries"}"#,
        facts: &[
            Fact::Every("conditions/*", "from Restricted countries"),
            Fact::Every("grant", "block access"),
            Fact::No("excluded", "~Break Glass"),
        ],
    },
    Example {
        question: "Which Finance policy sets a one-hour sign-in frequency?",
        args: r#"{"policy":"CA009"}"#,
        facts: &[Fact::Every("state", "report-only"), Fact::Every("session/*", "sign-in frequency every 1 hour")],
    },
    Example {
        question: "A policy name that does not exist",
        args: r#"{"policy":"CA099 Require MFA for everyone"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("closest")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_CA_POLICY, get_ca_policy)
}
