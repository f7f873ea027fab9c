//! `list_agent_registry` (beta): the agent instances registered in the agent registry — where
//! each runs (its URL and the store it came from), who owns it, and which agent identity backs
//! it; the instances no agent identity backs are the ones Entra cannot govern.
//!
//! The instances are read from beta; the names of their owners (users, by id) and of the agent
//! identities they point at are read alongside, and a section that cannot be read becomes a
//! note. Graph documents `$filter` on the list without naming its properties (†), so the
//! narrowing here is done on the rows read.

use std::collections::{BTreeSet, HashMap};

use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::User;
use crate::graph::{GraphRequest, Query, path};
use crate::render::{short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

use super::model::*;

const LIST_AGENT_REGISTRY: Declaration = Declaration {
    name: "list_agent_registry",
    title: "List the agent registry",
    description: "(beta) The agent registry: every registered AI agent instance with its URL, the store or host it came from (Copilot Studio, AI Foundry…), its owners and the agent identity behind it — and which registered agents have no Entra agent identity at all. Agent Registry Administrator.",
    toolset: Toolset::Agents,
    permissions: &["AgentInstance.Read.All", "AgentIdentity.Read.All", "User.ReadBasic.All"],
    least_role: "Agent Registry Administrator",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAgentRegistryParams {
    /// Only instances no agent identity backs.
    pub unlinked_only: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AgentInstance {
    id: String,
    display_name: Option<String>,
    owner_ids: Vec<String>,
    originating_store: Option<String>,
    source_agent_id: Option<String>,
    agent_identity_id: Option<String>,
    agent_identity_blueprint_id: Option<String>,
    url: Option<String>,
    preferred_transport: Option<String>,
    created_date_time: Option<String>,
}

/// The agent identity an instance points at.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LinkedIdentity {
    pub id: String,
    /// Absent when the agent identity could not be read (or no longer exists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct InstanceRow {
    pub id: String,
    pub display_name: Option<String>,
    pub url: Option<String>,
    /// The store or host the agent came from.
    pub store: Option<String>,
    /// The agent's id in that store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_agent_id: Option<String>,
    pub owners: Vec<PersonRef>,
    /// The agent identity behind it; absent when none backs it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_identity: Option<LinkedIdentity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blueprint_app_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport: Option<String>,
    /// When it was registered (UTC).
    pub created: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AgentRegistry {
    pub instances: Vec<InstanceRow>,
    /// Returned instances without an agent identity.
    pub unlinked: usize,
    #[serde(flatten)]
    pub list: ListInfo,
}

const INSTANCE_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "ownerIds",
    "originatingStore",
    "sourceAgentId",
    "agentIdentityId",
    "agentIdentityBlueprintId",
    "url",
    "preferredTransport",
    "createdDateTime",
];

/// Owners looked up by id, at most this many.
const OWNERS_READ: usize = 40;

async fn list_agent_registry(ctx: Ctx, p: ListAgentRegistryParams) -> Result<AgentRegistry, SkillError> {
    let limit = p.limit.get()?;
    let unlinked_only = p.unlinked_only == Some(true);
    let cap = if unlinked_only { AGENTS_READ } else { limit };
    let instances = GraphRequest::get("/agentRegistry/agentInstances")
        .beta()
        .query(Query::new().select(INSTANCE_FIELDS).top(cap.min(500)));
    let agents = GraphRequest::get(AGENT_IDENTITIES).query(Query::new().select(&["id", "displayName"]).top(100));
    let (instances, agents) = tokio::join!(
        ctx.graph.list::<AgentInstance>(instances, cap),
        ctx.graph.list::<AgentIdentity>(agents, AGENTS_READ)
    );
    let page = instances?;
    let agents: HashMap<String, Option<String>> = ctx
        .optional("agent identity names (AgentIdentity.Read.All)", agents.map(|p| p.items))
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a.id.to_ascii_lowercase(), a.display_name))
        .collect();
    let mut instances: Vec<AgentInstance> = page
        .items
        .into_iter()
        .filter(|i| !unlinked_only || i.agent_identity_id.as_deref().is_none_or(str::is_empty))
        .collect();
    let mut more = page.more;
    if instances.len() > limit {
        instances.truncate(limit);
        more = true;
    }

    // Owners are user ids: their names, at most 8 reads at a time.
    let owner_ids: Vec<String> = instances
        .iter()
        .flat_map(|i| i.owner_ids.iter())
        .filter_map(|id| guid(id).map(|g| g.to_string()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .take(OWNERS_READ)
        .collect();
    let reads: Vec<_> = owner_ids
        .iter()
        .map(|id| {
            let request = GraphRequest::get(path("/users/{}", &[id])).query(Query::new().select(&[
                "id",
                "displayName",
                "userPrincipalName",
            ]));
            ctx.graph.get::<User>(request)
        })
        .collect();
    let owners: Vec<Result<User, SkillError>> = futures::stream::iter(reads).buffered(IN_FLIGHT).collect().await;
    let owners: HashMap<String, User> = owners.into_iter().flatten().map(|u| (u.id.to_ascii_lowercase(), u)).collect();

    let rows: Vec<InstanceRow> = instances
        .into_iter()
        .map(|i| {
            let agent_identity = i
                .agent_identity_id
                .filter(|id| !id.is_empty())
                .map(|id| LinkedIdentity { display_name: agents.get(&id.to_ascii_lowercase()).cloned().flatten(), id });
            let owners = i
                .owner_ids
                .iter()
                .map(|id| match owners.get(&id.to_ascii_lowercase()) {
                    Some(u) => PersonRef {
                        id: u.id.clone(),
                        display_name: u.display_name.clone(),
                        upn: u.user_principal_name.clone(),
                    },
                    None => PersonRef { id: id.clone(), display_name: None, upn: None },
                })
                .collect();
            InstanceRow {
                id: i.id,
                display_name: i.display_name,
                url: i.url,
                store: i.originating_store,
                source_agent_id: i.source_agent_id,
                owners,
                agent_identity,
                blueprint_app_id: i.agent_identity_blueprint_id.filter(|b| !b.is_empty()),
                transport: i.preferred_transport,
                created: i.created_date_time,
            }
        })
        .collect();
    let unlinked = rows.iter().filter(|r| r.agent_identity.is_none()).count();
    if unlinked > 0 {
        ctx.note(format!(
            "{unlinked} registered agent(s) have no agent identity: Conditional Access, ID Protection and sponsors do not reach them"
        ));
    }
    let list = ListInfo::new(rows.len(), page.total, more, "`unlinked_only` or `limit`");
    Ok(AgentRegistry { instances: rows, unlinked, list })
}

impl Render for AgentRegistry {
    fn rows(&self) -> Option<usize> {
        Some(self.instances.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.instances.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let body: Vec<Vec<String>> = self
            .instances
            .iter()
            .map(|i| {
                vec![
                    i.display_name.clone().unwrap_or_else(|| i.id.clone()),
                    i.store.clone().unwrap_or_default(),
                    i.url.clone().unwrap_or_default(),
                    names(&i.owners),
                    match &i.agent_identity {
                        Some(a) => a.display_name.clone().unwrap_or_else(|| a.id.clone()),
                        None => "none".into(),
                    },
                    i.created.as_deref().map(short_time).unwrap_or_default(),
                ]
            })
            .collect();
        format!(
            "{} registered agent instances ({} without an agent identity)\n{}{}",
            self.list.returned,
            self.unlinked,
            table(&["agent", "store", "url", "owners", "agent identity", "registered (UTC)"], &body),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What is in the agent registry: which agent instances are registered, where do they run and who owns them?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("instances/*/display_name", "Marketing Content Helper"),
            Fact::Some("instances/*/agent_identity/display_name", "Invoice Reconciliation Agent"),
            Fact::Some("instances/*/store", "Azure AI Foundry"),
            Fact::Some("instances/*/owners/*/display_name", "Tom Okafor"),
            Fact::Every("unlinked", "1"),
        ],
    },
    Example {
        question: "Which registered agents have no Entra agent identity behind them?",
        args: r#"{"unlinked_only":true}"#,
        facts: &[
            Fact::Every("instances/*/display_name", "Marketing Content Helper"),
            Fact::Every("instances/*/owners/*/display_name", "Chloe Martin"),
        ],
    },
    Example {
        question: "The agent registry, zero rows",
        args: r#"{"limit":0}"#,
        facts: &[Fact::Fails(crate::skill::ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_AGENT_REGISTRY, list_agent_registry)
}
