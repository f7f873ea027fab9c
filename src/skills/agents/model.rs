//! What the agents toolset's skills share: agent identities, blueprints, risky agents and their
//! detections as Graph returns them; an agent named by display name or id resolved to one
//! agent identity; the blueprint names behind `agentIdentityBlueprintId`; people (sponsors,
//! owners) as answers name them; and the rows the risk skills show.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::DirectoryObject;
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table, trim};
use crate::shared::{PersonRef, guid, shorten};
use crate::skill::{Ctx, ErrorKind, SkillError};

/// `GET /servicePrincipals/microsoft.graph.agentIdentity`.
pub const AGENT_IDENTITIES: &str = "/servicePrincipals/microsoft.graph.agentIdentity";
/// `GET /applications/microsoft.graph.agentIdentityBlueprint`.
pub const BLUEPRINTS: &str = "/applications/microsoft.graph.agentIdentityBlueprint";
/// `GET /servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal`.
pub const BLUEPRINT_PRINCIPALS: &str = "/servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal";
/// `GET /identityProtection/riskyAgents` (beta).
pub const RISKY_AGENTS: &str = "/identityProtection/riskyAgents";
/// `GET /identityProtection/agentRiskDetections` (beta).
pub const AGENT_RISK_DETECTIONS: &str = "/identityProtection/agentRiskDetections";

/// The most agent identities a tenant-wide read takes (Graph pages them by 100).
pub const AGENTS_READ: usize = 500;
/// Follow-up reads (sponsors, owners' names) in flight at once.
pub const IN_FLIGHT: usize = 8;

pub const AGENT_FIELDS: &[&str] =
    &["id", "displayName", "agentIdentityBlueprintId", "accountEnabled", "createdDateTime", "createdByAppId"];

/// `agentIdentity`, with `owners` when expanded.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AgentIdentity {
    pub id: String,
    pub display_name: Option<String>,
    /// The blueprint's appId.
    pub agent_identity_blueprint_id: Option<String>,
    pub account_enabled: Option<bool>,
    pub created_date_time: Option<String>,
    pub owners: Vec<DirectoryObject>,
}

impl AgentIdentity {
    pub fn name(&self) -> String {
        self.display_name.clone().unwrap_or_else(|| self.id.clone())
    }
}

/// `agentIdentityBlueprint`, with `owners` when expanded.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Blueprint {
    pub id: String,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub created_date_time: Option<String>,
    pub publisher_domain: Option<String>,
    pub sign_in_audience: Option<String>,
    pub owners: Vec<DirectoryObject>,
}

/// A person (or other directory object) named in an answer.
pub fn person(o: &DirectoryObject) -> PersonRef {
    PersonRef { id: o.id.clone(), display_name: o.display_name.clone(), upn: o.user_principal_name.clone() }
}

/// "Daniel Moreau, Tom Okafor" — or a dash.
pub fn names(people: &[PersonRef]) -> String {
    if people.is_empty() {
        return "—".into();
    }
    people.iter().map(|p| p.display_name.clone().unwrap_or_else(|| p.id.clone())).collect::<Vec<_>>().join(", ")
}

/// A relationship of one agent identity or blueprint (`sponsors`, `owners`), by the documented
/// path `{collection}/{id}/{cast}/{relationship}`.
pub async fn related(ctx: &Ctx, template: &'static str, id: &str) -> Result<Vec<PersonRef>, SkillError> {
    let request = GraphRequest::get(path(template, &[id]))
        .query(Query::new().select(&["id", "displayName", "userPrincipalName"]).top(100));
    Ok(ctx.graph.list::<DirectoryObject>(request, 100).await?.items.iter().map(person).collect())
}

/// Sponsors of an agent identity.
pub const AGENT_SPONSORS: &str = "/servicePrincipals/{}/microsoft.graph.agentIdentity/sponsors";
/// Sponsors of a blueprint.
pub const BLUEPRINT_SPONSORS: &str = "/applications/{}/microsoft.graph.agentIdentityBlueprint/sponsors";

/// Blueprint names by appId (what an agent's `agentIdentityBlueprintId` holds).
pub async fn blueprints_by_app_id(ctx: &Ctx) -> Result<HashMap<String, Blueprint>, SkillError> {
    let request = GraphRequest::get(BLUEPRINTS).query(Query::new().select(&["id", "appId", "displayName"]).top(100));
    let page = ctx.graph.list::<Blueprint>(request, AGENTS_READ).await?;
    Ok(page.items.into_iter().filter_map(|b| Some((b.app_id.clone()?.to_ascii_lowercase(), b))).collect())
}

/// Checks a name-or-id argument before it goes near Graph.
fn checked<'a>(field: &str, value: &'a str) -> Result<&'a str, SkillError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 256 || value.chars().any(char::is_control) {
        return Err(SkillError::invalid_value(
            field,
            format!("`{}` is not an agent name or id", shorten(value)),
            "an agent identity's exact display name or its object id",
        ));
    }
    Ok(value)
}

fn agent_not_found(what: String) -> SkillError {
    SkillError::not_found(what, "list_agent_identities")
        .with_remedy("give the agent's exact display name or object id; `list_agent_identities` lists them")
}

/// One agent identity by object id (the documented `servicePrincipals/{id}/…agentIdentity`) or
/// exact display name.
pub async fn resolve_agent(ctx: &Ctx, field: &str, value: &str) -> Result<AgentIdentity, SkillError> {
    let value = checked(field, value)?;
    if let Some(id) = guid(value) {
        let id = id.to_string();
        let request = GraphRequest::get(path("/servicePrincipals/{}/microsoft.graph.agentIdentity", &[&id]))
            .query(Query::new().select(AGENT_FIELDS));
        return ctx.graph.get::<AgentIdentity>(request).await.map_err(|e| {
            if e.kind == ErrorKind::NotFound {
                let mut missing = agent_not_found(format!("agent identity {id}"));
                missing.graph = e.graph;
                missing
            } else {
                e
            }
        });
    }
    let request = GraphRequest::get(AGENT_IDENTITIES)
        .query(Query::new().select(AGENT_FIELDS).filter(Expr::eq("displayName", value)).top(11));
    let mut found: Vec<AgentIdentity> = ctx
        .graph
        .list::<AgentIdentity>(request, 11)
        .await?
        .items
        .into_iter()
        .filter(|a| a.display_name.as_deref().is_some_and(|n| n.trim().eq_ignore_ascii_case(value)))
        .collect();
    match found.len() {
        0 => Err(agent_not_found(format!("agent named '{}'", shorten(value)))),
        1 => Ok(found.remove(0)),
        n => Err(SkillError::new(
            ErrorKind::Ambiguous,
            format!(
                "{n} agents are named '{}': {}",
                shorten(value),
                found.iter().take(10).map(|a| a.id.clone()).collect::<Vec<_>>().join("; ")
            ),
        )
        .with_remedy(format!("call again with the object id of the one you mean as `{field}`"))),
    }
}

// Identity Protection for agents --------------------------------------------------------------

pub const RISKY_AGENT_FIELDS: &[&str] =
    &["id", "agentDisplayName", "isEnabled", "riskLevel", "riskState", "riskDetail", "riskLastModifiedDateTime"];

pub const DETECTION_FIELDS: &[&str] = &[
    "id",
    "agentId",
    "agentDisplayName",
    "riskEventType",
    "riskLevel",
    "riskState",
    "riskDetail",
    "detectedDateTime",
    "activityDateTime",
    "riskEvidence",
];

/// `riskyAgent`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RiskyAgent {
    pub id: String,
    pub agent_display_name: Option<String>,
    pub is_enabled: Option<bool>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub risk_last_modified_date_time: Option<String>,
}

/// `agentRiskDetection`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AgentDetection {
    pub id: String,
    pub agent_id: Option<String>,
    pub agent_display_name: Option<String>,
    pub risk_event_type: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub detected_date_time: Option<String>,
    pub activity_date_time: Option<String>,
    pub risk_evidence: Option<String>,
}

/// One risky agent in an answer.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyAgentRow {
    /// The agent identity's object id.
    pub id: String,
    pub display_name: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    /// When the risk last changed (UTC).
    pub updated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

impl From<RiskyAgent> for RiskyAgentRow {
    fn from(r: RiskyAgent) -> Self {
        RiskyAgentRow {
            id: r.id,
            display_name: r.agent_display_name,
            risk_level: r.risk_level,
            risk_state: r.risk_state,
            risk_detail: r.risk_detail,
            updated: r.risk_last_modified_date_time,
            enabled: r.is_enabled,
        }
    }
}

/// One detection in an answer.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DetectionRow {
    pub id: String,
    /// `unfamiliarResourceAccess`, `signInSpike`, `failedAccessAttempt`, `threatIntelligenceAccount`, …
    pub risk_event_type: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    /// When it was detected (UTC).
    pub detected: Option<String>,
    /// What ID Protection saw (trimmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl From<AgentDetection> for DetectionRow {
    fn from(d: AgentDetection) -> Self {
        DetectionRow {
            id: d.id,
            risk_event_type: d.risk_event_type,
            risk_level: d.risk_level,
            risk_state: d.risk_state,
            detected: d.detected_date_time,
            evidence: d.risk_evidence.map(|e| trim(&e, 200)),
        }
    }
}

pub fn risky_table(rows: &[RiskyAgentRow]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                or_dash(&r.display_name),
                or_dash(&r.risk_level),
                or_dash(&r.risk_state),
                or_dash(&r.risk_detail),
                r.updated.as_deref().map(short_time).unwrap_or_default(),
                r.id.clone(),
            ]
        })
        .collect();
    table(&["agent", "level", "state", "detail", "updated (UTC)", "id"], &body)
}
