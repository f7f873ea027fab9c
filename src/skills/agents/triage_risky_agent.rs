//! `triage_risky_agent` (beta): an admin's verdict on 1 to 20 risky AI agents — dismiss their
//! risk or confirm them safe (tier 2), or confirm them compromised (tier 3: the agent's name, or
//! the count, re-typed). The declaration holds the highest tier; each call's plan says which
//! one applies. One `POST /identityProtection/riskyAgents/{action}` with `agentIds`.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::shared::{guid, shorten};
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::model::*;

const TRIAGE_RISKY_AGENT: Declaration = Declaration {
    name: "triage_risky_agent",
    title: "Dismiss, confirm safe or confirm compromised a risky AI agent",
    description: "(beta) Give ID Protection an admin's verdict on risky AI agents (up to 20, by agent name or id): dismiss their risk, confirm them safe, or confirm them compromised (risk high; risk-based Conditional Access for agents then blocks them). Preview first, then confirm; confirming a compromise also needs the agent's name (or the count) re-typed. Security Administrator.",
    toolset: Toolset::Agents,
    permissions: &["IdentityRiskyAgent.ReadWrite.All"],
    least_role: "Security Administrator",
    access: Access::Write { tier: 3, idempotent: true },
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The risk was looked into and is not real: level none, state dismissed.
    Dismiss,
    /// The agent is fine: level none, state confirmedSafe.
    ConfirmSafe,
    /// The agent is compromised: level high, state confirmedCompromised.
    ConfirmCompromised,
}

impl Verdict {
    fn action(self) -> &'static str {
        match self {
            Verdict::Dismiss => "dismiss",
            Verdict::ConfirmSafe => "confirmSafe",
            Verdict::ConfirmCompromised => "confirmCompromised",
        }
    }

    fn tier(self) -> u8 {
        match self {
            Verdict::ConfirmCompromised => 3,
            _ => 2,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRiskyAgentParams {
    /// 1 to 20 risky agents: exact display name or the agent's object id.
    pub agents: Vec<String>,
    pub action: Verdict,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AgentVerdict {
    /// The Graph action sent (`dismiss`, `confirmSafe` or `confirmCompromised`).
    pub action: String,
    /// Each agent's risk as Graph reads it back after the change.
    pub agents: Vec<RiskyAgentRow>,
}

const MAX_AGENTS: usize = 20;
/// Risky agents read to find the named ones (the tenant's whole list, in practice).
const RISKY_READ: usize = 500;

fn request(action: &str, ids: &[String]) -> GraphRequest {
    GraphRequest::post(format!("{RISKY_AGENTS}/{action}"), json!({ "agentIds": ids })).beta()
}

async fn risky_agents(ctx: &Ctx, filter: Option<Expr>, cap: usize) -> Result<Vec<RiskyAgent>, SkillError> {
    let request = GraphRequest::get(RISKY_AGENTS)
        .beta()
        .query(Query::new().select(RISKY_AGENT_FIELDS).filter_opt(filter).top(cap.min(500)))
        .prefer_unknown_enums();
    Ok(ctx.graph.list::<RiskyAgent>(request, cap).await?.items)
}

async fn prepare(ctx: Ctx, p: Arc<TriageRiskyAgentParams>) -> Result<WritePlan, SkillError> {
    if p.agents.is_empty() || p.agents.len() > MAX_AGENTS {
        return Err(SkillError::invalid_value(
            "agents",
            format!("names {} agents", p.agents.len()),
            "a list of 1 to 20 agent names or object ids",
        ));
    }
    for value in &p.agents {
        let value = value.trim();
        if value.is_empty() || value.chars().count() > 256 || value.chars().any(char::is_control) {
            return Err(SkillError::invalid_value(
                "agents",
                format!("`{}` is not an agent name or id", shorten(value)),
                "exact agent display names or object ids",
            ));
        }
    }
    // Every flagged agent in one read, matched here by id or exact name: Graph documents no
    // filter on the name.
    let flagged = risky_agents(&ctx, None, RISKY_READ).await?;
    let mut targets: Vec<RiskyAgent> = Vec::new();
    let mut unflagged: Vec<String> = Vec::new();
    for value in &p.agents {
        let value = value.trim();
        let matches: Vec<&RiskyAgent> = match guid(value) {
            Some(id) => flagged.iter().filter(|r| r.id.eq_ignore_ascii_case(&id.to_string())).collect(),
            None => flagged
                .iter()
                .filter(|r| r.agent_display_name.as_deref().is_some_and(|n| n.trim().eq_ignore_ascii_case(value)))
                .collect(),
        };
        match matches.as_slice() {
            [] => unflagged.push(shorten(value).into_owned()),
            [one] => {
                if !targets.iter().any(|t| t.id.eq_ignore_ascii_case(&one.id)) {
                    targets.push((*one).clone());
                }
            }
            several => {
                return Err(SkillError::new(
                    ErrorKind::Ambiguous,
                    format!(
                        "{} risky agents are named '{}': {}",
                        several.len(),
                        shorten(value),
                        several.iter().map(|r| r.id.clone()).collect::<Vec<_>>().join("; ")
                    ),
                )
                .with_remedy("name the one you mean by its object id"));
            }
        }
    }
    if !unflagged.is_empty() {
        return Err(SkillError::new(
            ErrorKind::NotFound,
            format!("{} has no risk record, so there is nothing to triage", unflagged.join(", ")),
        )
        .with_remedy("leave it out; `list_risky_agents` lists the agents ID Protection flagged"));
    }
    let write_targets: Vec<WriteTarget> = targets
        .iter()
        .map(|r| WriteTarget {
            name: r.agent_display_name.clone().unwrap_or_else(|| r.id.clone()),
            id: r.id.clone(),
            state: json!({ "risk_level": r.risk_level, "risk_state": r.risk_state }),
        })
        .collect();
    let who = match write_targets.as_slice() {
        [one] => format!("the agent {}", one.name),
        several => format!("{} agents", several.len()),
    };
    let (effect, undo) = match p.action {
        Verdict::Dismiss => (
            format!("dismisses the risk of {who}: level none, state dismissed, open detections closed"),
            "no direct undo: if the agent is in fact compromised, call again with `action: confirm_compromised`",
        ),
        Verdict::ConfirmSafe => (
            format!("confirms {who} safe: level none, state confirmedSafe, open detections closed"),
            "no direct undo: if the agent is in fact compromised, call again with `action: confirm_compromised`",
        ),
        Verdict::ConfirmCompromised => (
            format!(
                "confirms {who} compromised: level high, state confirmedCompromised; Conditional Access that blocks \
                 high-risk agents then blocks its token requests (disable it and review its blueprint's credentials too)"
            ),
            "once it is cleaned up, call again with `action: dismiss`",
        ),
    };
    let confirm_target = match write_targets.as_slice() {
        [one] => Some(one.name.clone()),
        several => Some(several.len().to_string()),
    };
    let ids: Vec<String> = write_targets.iter().map(|t| t.id.clone()).collect();
    Ok(WritePlan {
        requests: vec![request(p.action.action(), &ids).describe()],
        targets: write_targets,
        effect,
        undo: undo.into(),
        tier: p.action.tier(),
        confirm_target,
    })
}

async fn apply(ctx: Ctx, p: Arc<TriageRiskyAgentParams>, plan: WritePlan) -> Result<AgentVerdict, SkillError> {
    let ids: Vec<String> = plan.targets.iter().map(|t| t.id.clone()).collect();
    if ids.is_empty() {
        return Err(SkillError::new(ErrorKind::Upstream, "no target to change"));
    }
    ctx.graph.write(request(p.action.action(), &ids)).await?;
    // Read back what changed, so the answer shows the new state rather than assuming it.
    let filter = ids.iter().map(|id| Expr::eq("id", id.as_str())).reduce(Expr::or);
    let records = ctx.optional("read-back", risky_agents(&ctx, filter, MAX_AGENTS).await).unwrap_or_default();
    let agents = plan
        .targets
        .iter()
        .map(|t| match records.iter().find(|r| r.id.eq_ignore_ascii_case(&t.id)) {
            Some(r) => RiskyAgentRow::from(r.clone()),
            None => RiskyAgentRow {
                id: t.id.clone(),
                display_name: Some(t.name.clone()),
                risk_level: None,
                risk_state: None,
                risk_detail: None,
                updated: None,
                enabled: None,
            },
        })
        .collect();
    Ok(AgentVerdict { action: p.action.action().to_string(), agents })
}

impl Render for AgentVerdict {
    fn markdown(&self) -> String {
        format!("{} sent for {} agent(s); risk now:\n{}", self.action, self.agents.len(), risky_table(&self.agents))
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Confirm the Invoice Reconciliation Agent compromised",
        args: r#"{"agents":["Invoice Reconciliation Agent"],"action":"confirm_compromised"}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C3"),
            Fact::Every("confirm_target_required", "Invoice Reconciliation Agent"),
            Fact::Every("targets/0/state/risk_level", "high"),
            Fact::Some("requests/*", "~/identityProtection/riskyAgents/confirmCompromised"),
        ],
    },
    Example {
        question: "Dismiss the Month-End Close Agent's risk: the Treasury failures were a misconfigured job",
        args: r#"{"agents":["Month-End Close Agent"],"action":"dismiss"}"#,
        facts: &[
            Fact::Every("tier", "C2"),
            Fact::Every("targets/0/state/risk_level", "low"),
            Fact::No("confirm_target_required", "Month-End Close Agent"),
            Fact::Some("requests/*", "~/identityProtection/riskyAgents/dismiss"),
        ],
    },
    Example {
        question: "Triage the risk of an agent ID Protection never flagged",
        args: r#"{"agents":["Contoso Robot"],"action":"confirm_safe"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("no risk record")],
    },
    Example {
        question: "Quarantine a risky agent",
        args: r#"{"agents":["Invoice Reconciliation Agent"],"action":"quarantine"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::write(TRIAGE_RISKY_AGENT, prepare, apply)
}
