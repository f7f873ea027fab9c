//! `list_risky_agents` (beta): the AI agents ID Protection flagged, by risk level and state,
//! each with its risk detections (unfamiliar resource access, sign-in spikes, failed access
//! attempts…), read concurrently from `riskyAgents` and `agentRiskDetections`.
//!
//! Detections are read for the 90 days ID Protection keeps them (`activityDateTime ge`, which
//! Graph documents) and joined to the agents here.

use std::collections::BTreeMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

use super::model::*;

const LIST_RISKY_AGENTS: Declaration = Declaration {
    name: "list_risky_agents",
    title: "List risky AI agents",
    description: "(beta) AI agents ID Protection flagged as risky, by risk level and state (default: at risk or confirmed compromised), each with its risk detections: unfamiliar resource access, sign-in spike, failed access attempts, threat intelligence. P2. Security Reader.",
    toolset: Toolset::Agents,
    permissions: &["IdentityRiskyAgent.Read.All", "IdentityRiskEvent.Read.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRiskyAgentsParams {
    pub risk_level: Option<RiskLevel>,
    /// Any of these states; default at_risk and confirmed_compromised.
    pub risk_state: Option<Vec<RiskState>>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyAgentWithDetections {
    #[serde(flatten)]
    pub agent: RiskyAgentRow,
    /// Its detections, most recent first (at most 10).
    pub detections: Vec<DetectionRow>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyAgentList {
    pub agents: Vec<RiskyAgentWithDetections>,
    /// Returned agents per risk level.
    pub by_level: BTreeMap<String, usize>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const DETECTIONS_READ: usize = 500;

async fn list_risky_agents(ctx: Ctx, p: ListRiskyAgentsParams) -> Result<RiskyAgentList, SkillError> {
    let limit = p.limit.get()?;
    let filter = risk_filter(
        p.risk_state.as_deref(),
        p.risk_level,
        "a list of at_risk, confirmed_compromised, dismissed, confirmed_safe",
    )?;
    let agents = GraphRequest::get(RISKY_AGENTS)
        .beta()
        .query(Query::new().select(RISKY_AGENT_FIELDS).filter(filter).top(limit.min(500)))
        .prefer_unknown_enums();
    let since = ctx.now - Duration::days(DETECTION_RETENTION_DAYS);
    let detections = GraphRequest::get(AGENT_RISK_DETECTIONS)
        .beta()
        .query(Query::new().select(DETECTION_FIELDS).filter(Expr::ge("activityDateTime", since)).top(DETECTIONS_READ))
        .prefer_unknown_enums();
    let (agents, detections) = tokio::join!(
        ctx.graph.list::<RiskyAgent>(agents, limit),
        ctx.graph.list::<AgentDetection>(detections, DETECTIONS_READ)
    );
    let page = agents?;
    let mut detections = ctx.optional("agent risk detections", detections.map(|d| d.items)).unwrap_or_default();
    detections.sort_by(|a, b| b.detected_date_time.cmp(&a.detected_date_time));

    let mut agents: Vec<RiskyAgentWithDetections> = page
        .items
        .into_iter()
        .map(|a| {
            let mine: Vec<DetectionRow> = detections
                .iter()
                .filter(|d| d.agent_id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(&a.id)))
                .take(10)
                .cloned()
                .map(DetectionRow::from)
                .collect();
            RiskyAgentWithDetections { agent: RiskyAgentRow::from(a), detections: mine }
        })
        .collect();
    // Newest change first; sorted here, since Graph documents no $orderby on this set.
    agents.sort_by(|a, b| b.agent.updated.cmp(&a.agent.updated));
    let by_level = count_by_level(agents.iter().map(|a| a.agent.risk_level.as_deref()));
    let list = ListInfo::new(agents.len(), page.total, page.more, "`risk_level` or `risk_state`");
    Ok(RiskyAgentList { agents, by_level, list })
}

impl Render for RiskyAgentList {
    fn rows(&self) -> Option<usize> {
        Some(self.agents.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.agents.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let counts = level_counts_words(&self.by_level);
        let rows: Vec<RiskyAgentRow> = self
            .agents
            .iter()
            .map(|a| RiskyAgentRow {
                id: a.agent.id.clone(),
                display_name: a.agent.display_name.clone(),
                risk_level: a.agent.risk_level.clone(),
                risk_state: a.agent.risk_state.clone(),
                risk_detail: a.agent.risk_detail.clone(),
                updated: a.agent.updated.clone(),
                enabled: a.agent.enabled,
            })
            .collect();
        let detections: Vec<Vec<String>> = self
            .agents
            .iter()
            .flat_map(|a| {
                a.detections.iter().map(move |d| {
                    vec![
                        a.agent.display_name.clone().unwrap_or_else(|| a.agent.id.clone()),
                        d.risk_event_type.clone().unwrap_or_default(),
                        d.risk_level.clone().unwrap_or_default(),
                        d.risk_state.clone().unwrap_or_default(),
                        d.detected.as_deref().map(short_time).unwrap_or_default(),
                        d.evidence.clone().unwrap_or_default(),
                    ]
                })
            })
            .collect();
        let mut text = format!("{} risky agents ({counts})\n{}", self.list.returned, risky_table(&rows));
        if !detections.is_empty() {
            text.push_str(&format!(
                "\n\nDetections:\n{}",
                table(&["agent", "type", "level", "state", "detected (UTC)", "evidence"], &detections)
            ));
        }
        text.push_str(&self.list.footer());
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which AI agents are risky in ID Protection, and what was detected on each agent?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("agents/*/display_name", "Invoice Reconciliation Agent"),
            Fact::Some("agents/*/detections/*/risk_event_type", "unfamiliarResourceAccess"),
            Fact::Some("agents/*/risk_level", "low"),
            Fact::No("agents/*/risk_state", "dismissed"),
        ],
    },
    Example {
        question: "Only the high-risk agents",
        args: r#"{"risk_level":"high"}"#,
        facts: &[
            Fact::Every("agents/*/display_name", "Invoice Reconciliation Agent"),
            Fact::Some("agents/*/detections/*/risk_event_type", "signInSpike"),
        ],
    },
    Example {
        question: "Agents whose risk an admin dismissed",
        args: r#"{"risk_state":["dismissed"]}"#,
        facts: &[
            Fact::Every("agents/*/display_name", "Service Desk Triage Agent"),
            Fact::Every("agents/*/risk_detail", "adminDismissedRiskForAgent"),
        ],
    },
    Example {
        question: "Risky agents at a severe level",
        args: r#"{"risk_level":"severe"}"#,
        facts: &[Fact::Fails(crate::skill::ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_RISKY_AGENTS, list_risky_agents)
}
