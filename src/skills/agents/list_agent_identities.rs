//! `list_agent_identities`: the tenant's AI agent identities (Microsoft Entra Agent ID) with the
//! blueprint each was created from, who sponsors it (accountable for it) and who owns it,
//! whether it is enabled and when it was created; optionally only one blueprint's agents, or
//! only the agents nobody sponsors.
//!
//! Owners come expanded with the list (`$expand=owners`, documented); sponsors are read per
//! agent (`servicePrincipals/{id}/microsoft.graph.agentIdentity/sponsors`), since Graph does not
//! document expanding them. Graph documents no filter on `agentIdentityBlueprintId`, so a
//! blueprint narrows the list here.

use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{short_time, table, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::model::*;

const LIST_AGENT_IDENTITIES: Declaration = Declaration {
    name: "list_agent_identities",
    title: "List AI agent identities",
    description: "The tenant's AI agent identities (Entra Agent ID): each agent's blueprint, sponsors (the people accountable for it), owners, enabled or disabled, created. Narrow to one blueprint, to enabled or disabled agents, or to agents nobody sponsors. Agent ID Administrator or a reader role.",
    toolset: Toolset::Agents,
    permissions: &["AgentIdentity.Read.All", "AgentIdentityBlueprint.Read.All"],
    least_role: "Agent ID Administrator",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAgentIdentitiesParams {
    /// Only agents created from this blueprint: its exact name, appId or object id.
    pub blueprint: Option<String>,
    /// Only enabled (true) or disabled (false) agents.
    pub enabled: Option<bool>,
    /// Only agents without any sponsor.
    pub unsponsored_only: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AgentRow {
    /// The agent identity's object id.
    pub id: String,
    pub display_name: Option<String>,
    pub enabled: Option<bool>,
    /// The blueprint's name (when it could be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blueprint: Option<String>,
    /// The blueprint's appId (`agentIdentityBlueprintId`).
    pub blueprint_app_id: Option<String>,
    pub sponsors: Vec<PersonRef>,
    pub owners: Vec<PersonRef>,
    /// When the agent identity was created (UTC).
    pub created: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AgentIdentityList {
    pub agents: Vec<AgentRow>,
    /// Returned agents without a sponsor.
    pub unsponsored: usize,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn list_agent_identities(ctx: Ctx, p: ListAgentIdentitiesParams) -> Result<AgentIdentityList, SkillError> {
    let limit = p.limit.get()?;
    // Narrowing here (blueprint, no sponsor) needs every agent; otherwise `limit` of them.
    let narrowed_here = p.blueprint.is_some() || p.unsponsored_only == Some(true);
    let cap = if narrowed_here { AGENTS_READ } else { limit };
    let query = Query::new()
        .select(AGENT_FIELDS)
        .filter_opt(p.enabled.map(|e| Expr::eq("accountEnabled", e)))
        .expand("owners($select=id,displayName,userPrincipalName)")
        .top(cap.min(100));
    let agents = GraphRequest::get(AGENT_IDENTITIES).query(query);
    let (agents, blueprints) = tokio::join!(ctx.graph.list::<AgentIdentity>(agents, cap), blueprints_by_app_id(&ctx));
    let page = agents?;
    let blueprints = match (&p.blueprint, blueprints) {
        (_, Ok(b)) => Some(b),
        (Some(_), Err(e)) => return Err(e),
        (None, Err(e)) => {
            ctx.optional::<()>("blueprint names (AgentIdentityBlueprint.Read.All)", Err(e));
            None
        }
    };
    let wanted_app_id = match (&p.blueprint, &blueprints) {
        (Some(name), Some(all)) => Some(blueprint_app_id(name, all)?),
        _ => None,
    };
    let mut agents: Vec<AgentIdentity> = page
        .items
        .into_iter()
        .filter(|a| {
            wanted_app_id
                .as_ref()
                .is_none_or(|w| a.agent_identity_blueprint_id.as_deref().is_some_and(|b| b.eq_ignore_ascii_case(w)))
        })
        .collect();
    let mut more = page.more;
    if p.unsponsored_only != Some(true) && agents.len() > limit {
        agents.truncate(limit);
        more = true;
    }

    // Sponsors, one read per agent, at most 8 at a time.
    let reads: Vec<_> = agents.iter().map(|a| related(&ctx, AGENT_SPONSORS, &a.id)).collect();
    let sponsors: Vec<Result<Vec<PersonRef>, SkillError>> =
        futures::stream::iter(reads).buffered(IN_FLIGHT).collect().await;
    let mut unread = 0;
    let mut rows: Vec<AgentRow> = Vec::with_capacity(agents.len());
    for (agent, sponsors) in agents.into_iter().zip(sponsors) {
        let sponsors = match sponsors {
            Ok(s) => s,
            Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
            Err(_) => {
                unread += 1;
                Vec::new()
            }
        };
        let blueprint = blueprints.as_ref().and_then(|all| {
            let app_id = agent.agent_identity_blueprint_id.as_deref()?.to_ascii_lowercase();
            all.get(&app_id).and_then(|b| b.display_name.clone())
        });
        rows.push(AgentRow {
            blueprint,
            blueprint_app_id: agent.agent_identity_blueprint_id.clone(),
            sponsors,
            owners: agent.owners.iter().map(person).collect(),
            enabled: agent.account_enabled,
            created: agent.created_date_time.clone(),
            display_name: agent.display_name.clone(),
            id: agent.id,
        });
    }
    if unread > 0 {
        ctx.note(format!("the sponsors of {unread} agent(s) could not be read; they show none"));
    }
    if p.unsponsored_only == Some(true) {
        rows.retain(|r| r.sponsors.is_empty());
        if rows.len() > limit {
            rows.truncate(limit);
            more = true;
        }
    }
    rows.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    let unsponsored = rows.iter().filter(|r| r.sponsors.is_empty()).count();
    let list = ListInfo::new(rows.len(), None, more, "`blueprint`, `enabled` or `unsponsored_only`");
    Ok(AgentIdentityList { agents: rows, unsponsored, list })
}

/// The appId of the blueprint a `blueprint` argument names: its appId, object id or exact name.
fn blueprint_app_id(value: &str, all: &std::collections::HashMap<String, Blueprint>) -> Result<String, SkillError> {
    let value = text("blueprint", value, 256)?;
    let found: Vec<&Blueprint> = all
        .values()
        .filter(|b| {
            b.id.eq_ignore_ascii_case(&value)
                || b.app_id.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(&value))
                || b.display_name.as_deref().is_some_and(|n| n.trim().eq_ignore_ascii_case(&value))
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one.app_id.clone().unwrap_or_default()),
        [] => Err(SkillError::not_found(format!("blueprint '{}'", shorten(&value)), "list_agent_blueprints")
            .with_remedy("give the blueprint's exact name, appId or object id; `list_agent_blueprints` lists them")),
        several => Err(SkillError::new(
            ErrorKind::Ambiguous,
            format!(
                "{} blueprints are named '{}': {}",
                several.len(),
                shorten(&value),
                several.iter().map(|b| b.app_id.clone().unwrap_or_default()).collect::<Vec<_>>().join("; ")
            ),
        )
        .with_remedy("call again with the appId of the one you mean as `blueprint`")),
    }
}

impl Render for AgentIdentityList {
    fn rows(&self) -> Option<usize> {
        Some(self.agents.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.agents.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let body: Vec<Vec<String>> = self
            .agents
            .iter()
            .map(|a| {
                vec![
                    a.display_name.clone().unwrap_or_else(|| a.id.clone()),
                    yes_no(a.enabled).unwrap_or_default(),
                    a.blueprint.clone().or_else(|| a.blueprint_app_id.clone()).unwrap_or_default(),
                    names(&a.sponsors),
                    names(&a.owners),
                    a.created.as_deref().map(short_time).unwrap_or_default(),
                    a.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} agent identities ({} without a sponsor)\n{}{}",
            self.list.returned,
            self.unsponsored,
            table(&["agent", "enabled", "blueprint", "sponsors", "owners", "created (UTC)", "id"], &body),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which AI agent identities do we have, and who sponsors and owns each agent?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("agents/*/display_name", "Invoice Reconciliation Agent"),
            Fact::Some("agents/*/sponsors/*/display_name", "Daniel Moreau"),
            Fact::Some("agents/*/owners/*/display_name", "Tom Okafor"),
            Fact::Some("agents/*/blueprint", "Woodgrove Finance Agents"),
        ],
    },
    Example {
        question: "Agent identities created from the Woodgrove Finance Agents blueprint",
        args: r#"{"blueprint":"Woodgrove Finance Agents"}"#,
        facts: &[Fact::Count("agents/*", 2), Fact::Every("agents/*/blueprint", "Woodgrove Finance Agents")],
    },
    Example {
        question: "Which agents have no sponsor accountable for them?",
        args: r#"{"unsponsored_only":true}"#,
        facts: &[Fact::Every("agents/*/display_name", "Service Desk Triage Agent"), Fact::Every("unsponsored", "1")],
    },
    Example {
        question: "Agent identities and their sponsors for the Contoso Robots blueprint",
        args: r#"{"blueprint":"Contoso Robots"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_AGENT_IDENTITIES, list_agent_identities)
}
