//! `list_ca_templates`: Microsoft's Conditional Access policy templates, what each would create
//! in plain words, and whether a policy of the tenant was made from it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::policies::list_policies;
use super::words::{self, and_list};
use crate::graph::GraphRequest;
use crate::graph::resources::{ConditionalAccessPolicy, ConditionalAccessTemplate};
use crate::render::{table, trim};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_CA_TEMPLATES: Declaration = Declaration {
    name: "list_ca_templates",
    title: "List Conditional Access templates",
    description: "Microsoft's Conditional Access policy templates by scenario (secure foundation, zero trust, remote work, protect admins, emerging threats): what each would create in plain words, and which of our policies came from it. Security Reader.",
    toolset: Toolset::Ca,
    permissions: &["Policy.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    SecureFoundation,
    ZeroTrust,
    RemoteWork,
    ProtectAdmins,
    EmergingThreats,
}

impl Scenario {
    fn graph(self) -> &'static str {
        match self {
            Scenario::SecureFoundation => "secureFoundation",
            Scenario::ZeroTrust => "zeroTrust",
            Scenario::RemoteWork => "remoteWork",
            Scenario::ProtectAdmins => "protectAdmins",
            Scenario::EmergingThreats => "emergingThreats",
        }
    }
}

fn scenario_words(flag: &str) -> String {
    match flag {
        "secureFoundation" => "secure foundation".into(),
        "zeroTrust" => "zero trust".into(),
        "remoteWork" => "remote work".into(),
        "protectAdmins" => "protect admins".into(),
        "emergingThreats" => "emerging threats".into(),
        "new" => "new".into(),
        other => other.into(),
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListCaTemplatesParams {
    pub scenario: Option<Scenario>,
    /// Part of the template name (case-insensitive).
    pub name: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TemplateRow {
    pub name: String,
    pub scenarios: Vec<String>,
    /// What a policy from it would do, in one line.
    pub would_create: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Our policies created from it (by `templateId`).
    pub used_by: Vec<String>,
    pub id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TemplateList {
    pub templates: Vec<TemplateRow>,
}

async fn list_ca_templates(ctx: Ctx, p: ListCaTemplatesParams) -> Result<TemplateList, SkillError> {
    let name = p.name.as_deref().map(|n| text("name", n, 120)).transpose()?.map(|n| n.to_lowercase());
    let request = GraphRequest::get("/identity/conditionalAccess/templates");
    let (templates, policies) =
        tokio::join!(ctx.graph.list::<ConditionalAccessTemplate>(request, 200), list_policies(&ctx));
    let policies = ctx.optional("policies created from templates", policies).unwrap_or_default();
    let templates: Vec<ConditionalAccessTemplate> = templates?
        .items
        .into_iter()
        .filter(|t| {
            p.scenario.is_none_or(|s| {
                t.scenarios.as_deref().unwrap_or_default().split(',').any(|x| x.trim().eq_ignore_ascii_case(s.graph()))
            })
        })
        .filter(|t| name.as_ref().is_none_or(|n| t.name.clone().unwrap_or_default().to_lowercase().contains(n)))
        .collect();
    let as_policies: Vec<ConditionalAccessPolicy> =
        templates.iter().map(|t| t.details.clone().unwrap_or_default().as_policy(t.name.clone())).collect();
    let names = Names::resolve(&ctx, &as_policies).await;
    let rows = templates
        .iter()
        .zip(&as_policies)
        .map(|(t, policy)| TemplateRow {
            name: t.name.clone().unwrap_or_else(|| t.id.clone()),
            scenarios: t
                .scenarios
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| scenario_words(s.trim()))
                .collect(),
            would_create: words::summary(policy, &names),
            description: t.description.clone().map(|d| trim(&d, 200)),
            used_by: policies
                .iter()
                .filter(|x| x.template_id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(&t.id)))
                .map(|x| format!("{} ({})", x.name(), x.policy_state().words()))
                .collect(),
            id: t.id.clone(),
        })
        .collect();
    Ok(TemplateList { templates: rows })
}

impl Render for TemplateList {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .templates
            .iter()
            .map(|t| {
                vec![
                    t.name.clone(),
                    t.scenarios.join(", "),
                    t.would_create.clone(),
                    if t.used_by.is_empty() { "not used".into() } else { and_list(&t.used_by) },
                    t.id.clone(),
                ]
            })
            .collect();
        table(&["template", "scenarios", "would create", "our policies from it", "id"], &rows)
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which Microsoft Conditional Access templates could we start from?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("templates/*/name", "Block legacy authentication"),
            Fact::Some(
                "templates/*/would_create",
                "~client apps: Exchange ActiveSync or other (legacy) clients → block access",
            ),
            Fact::Some("templates/*/scenarios/*", "zero trust"),
            Fact::AtLeast("templates/*", 8),
        ],
    },
    Example {
        question: "Templates to protect admins",
        args: r#"{"scenario":"protect_admins"}"#,
        facts: &[
            Fact::Some("templates/*/scenarios/*", "protect admins"),
            Fact::Some("templates/*/name", "Require phishing-resistant multifactor authentication for admins"),
            Fact::Some("templates/*/would_create", "~require authentication strength 'Phishing-resistant MFA'"),
            Fact::No("templates/*/name", "Require multifactor authentication for guest access"),
        ],
    },
    Example {
        question: "A template scenario that does not exist",
        args: r#"{"scenario":"lockdown"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_CA_TEMPLATES, list_ca_templates)
}
