//! `list_agent_blueprints`: the agent identity blueprints registered in the tenant (the
//! templates agent identities are created from), each with its owners and sponsors, its
//! blueprint principal in this tenant, and the agent identities created from it.
//!
//! Blueprints, blueprint principals and agent identities are read concurrently and joined on
//! the blueprint's appId; sponsors are read per blueprint
//! (`applications/{id}/microsoft.graph.agentIdentityBlueprint/sponsors`). † The blueprint list
//! is documented on v1.0 with a permission table that names only the blueprint permission; the
//! principal and agent reads need their own.

use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::render::{short_time, table, trim};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::model::*;

const LIST_AGENT_BLUEPRINTS: Declaration = Declaration {
    name: "list_agent_blueprints",
    title: "List agent identity blueprints",
    description: "Agent identity blueprints (the templates AI agent identities are created from): each blueprint's owners and sponsors, its blueprint principal in this tenant (enabled or not) and the agents created from it. Agent ID Administrator or a reader role.",
    toolset: Toolset::Agents,
    permissions: &[
        "AgentIdentityBlueprint.Read.All",
        "AgentIdentityBlueprintPrincipal.Read.All",
        "AgentIdentity.Read.All",
    ],
    least_role: "Agent ID Administrator",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAgentBlueprintsParams {
    #[serde(default)]
    pub limit: Limit,
}

/// An agent identity created from a blueprint.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BlueprintAgent {
    pub id: String,
    pub display_name: Option<String>,
    pub enabled: Option<bool>,
}

/// A blueprint's principal in this tenant.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BlueprintPrincipal {
    /// The principal's object id.
    pub id: String,
    pub enabled: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BlueprintRow {
    /// The blueprint's (application) object id.
    pub id: String,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher_domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_audience: Option<String>,
    /// When it was registered (UTC).
    pub created: Option<String>,
    pub owners: Vec<PersonRef>,
    pub sponsors: Vec<PersonRef>,
    /// Its principal in this tenant; absent when none was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<BlueprintPrincipal>,
    /// The agent identities created from it.
    pub agents: Vec<BlueprintAgent>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BlueprintList {
    pub blueprints: Vec<BlueprintRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Principal {
    id: String,
    app_id: Option<String>,
    account_enabled: Option<bool>,
}

const BLUEPRINT_FIELDS: &[&str] =
    &["id", "appId", "displayName", "description", "createdDateTime", "publisherDomain", "signInAudience"];

async fn list_agent_blueprints(ctx: Ctx, p: ListAgentBlueprintsParams) -> Result<BlueprintList, SkillError> {
    let limit = p.limit.get()?;
    let blueprints = GraphRequest::get(BLUEPRINTS).query(
        Query::new()
            .select(BLUEPRINT_FIELDS)
            .expand("owners($select=id,displayName,userPrincipalName)")
            .top(limit.min(100)),
    );
    let principals =
        GraphRequest::get(BLUEPRINT_PRINCIPALS).query(Query::new().select(&["id", "appId", "accountEnabled"]).top(100));
    let agents = GraphRequest::get(AGENT_IDENTITIES)
        .query(Query::new().select(&["id", "displayName", "agentIdentityBlueprintId", "accountEnabled"]).top(100));
    let (blueprints, principals, agents) = tokio::join!(
        ctx.graph.list::<Blueprint>(blueprints, limit),
        ctx.graph.list::<Principal>(principals, AGENTS_READ),
        ctx.graph.list::<AgentIdentity>(agents, AGENTS_READ),
    );
    let page = blueprints?;
    let principals =
        ctx.optional("blueprint principals (AgentIdentityBlueprintPrincipal.Read.All)", principals.map(|p| p.items));
    let agents = ctx.optional("agent identities (AgentIdentity.Read.All)", agents.map(|p| p.items));

    let reads: Vec<_> = page.items.iter().map(|b| related(&ctx, BLUEPRINT_SPONSORS, &b.id)).collect();
    let sponsors: Vec<Result<Vec<PersonRef>, SkillError>> =
        futures::stream::iter(reads).buffered(IN_FLIGHT).collect().await;
    let same = |a: Option<&str>, b: Option<&str>| matches!((a, b), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
    let mut unread = 0;
    let mut rows = Vec::with_capacity(page.items.len());
    for (b, sponsors) in page.items.into_iter().zip(sponsors) {
        let sponsors = match sponsors {
            Ok(s) => s,
            Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
            Err(_) => {
                unread += 1;
                Vec::new()
            }
        };
        let principal = principals
            .as_ref()
            .and_then(|all| all.iter().find(|x| same(x.app_id.as_deref(), b.app_id.as_deref())))
            .map(|x| BlueprintPrincipal { id: x.id.clone(), enabled: x.account_enabled });
        let mut created_from: Vec<BlueprintAgent> = agents
            .iter()
            .flatten()
            .filter(|a| same(a.agent_identity_blueprint_id.as_deref(), b.app_id.as_deref()))
            .map(|a| BlueprintAgent {
                id: a.id.clone(),
                display_name: a.display_name.clone(),
                enabled: a.account_enabled,
            })
            .collect();
        created_from.sort_by(|x, y| x.display_name.cmp(&y.display_name));
        rows.push(BlueprintRow {
            owners: b.owners.iter().map(person).collect(),
            sponsors,
            principal,
            agents: created_from,
            description: b.description.map(|d| trim(&d, 200)),
            publisher_domain: b.publisher_domain,
            sign_in_audience: b.sign_in_audience,
            created: b.created_date_time,
            display_name: b.display_name,
            app_id: b.app_id,
            id: b.id,
        });
    }
    if unread > 0 {
        ctx.note(format!("the sponsors of {unread} blueprint(s) could not be read; they show none"));
    }
    rows.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    let list = ListInfo::new(rows.len(), page.total, page.more, "`limit`");
    Ok(BlueprintList { blueprints: rows, list })
}

impl Render for BlueprintList {
    fn rows(&self) -> Option<usize> {
        Some(self.blueprints.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.blueprints.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let body: Vec<Vec<String>> = self
            .blueprints
            .iter()
            .map(|b| {
                let agents = if b.agents.is_empty() {
                    "—".to_string()
                } else {
                    b.agents
                        .iter()
                        .map(|a| a.display_name.clone().unwrap_or_else(|| a.id.clone()))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let principal = match &b.principal {
                    Some(p) if p.enabled == Some(false) => "disabled".to_string(),
                    Some(_) => "yes".to_string(),
                    None => "—".to_string(),
                };
                vec![
                    b.display_name.clone().unwrap_or_else(|| b.id.clone()),
                    names(&b.owners),
                    names(&b.sponsors),
                    principal,
                    agents,
                    b.created.as_deref().map(short_time).unwrap_or_default(),
                    b.app_id.clone().unwrap_or_default(),
                ]
            })
            .collect();
        format!(
            "{} agent identity blueprints\n{}{}",
            self.list.returned,
            table(&["blueprint", "owners", "sponsors", "principal", "agents", "created (UTC)", "appId"], &body),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Show our agent identity blueprints and which agents were created from each blueprint",
        args: r#"{}"#,
        facts: &[
            Fact::Some("blueprints/*/display_name", "Woodgrove Finance Agents"),
            Fact::Some("blueprints/*/agents/*/display_name", "Month-End Close Agent"),
            Fact::Some("blueprints/*/sponsors/*/display_name", "Daniel Moreau"),
            Fact::Some("blueprints/*/owners/*/display_name", "Elena Petrova"),
            Fact::Every("blueprints/*/principal/enabled", "true"),
        ],
    },
    Example {
        question: "Agent blueprints, more than 500 of them",
        args: r#"{"limit":501}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_AGENT_BLUEPRINTS, list_agent_blueprints)
}
