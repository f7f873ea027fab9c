//! `list_agent_sign_ins` (beta): what AI agents signed in to — as themselves (their own
//! service principal sign-ins) and on behalf of users (non-interactive user sign-ins) — with the
//! resource, the outcome and, for delegated ones, the user.
//!
//! Graph beta lists these sign-ins only when the filter names `signInEventTypes`, and marks an
//! agent's by its `agent` property, so each kind is one query:
//! `signInEventTypes/any(t: t eq 'servicePrincipal') and agent/agentType eq 'agenticAppInstance'`
//! (and `'nonInteractiveUser'` for delegated ones), both run concurrently. † Graph's property
//! table does not yet say `agent/agentType` is filterable; Microsoft's own Zero Trust
//! assessment filters on it. One agent narrows its own sign-ins by `servicePrincipalId` and its
//! delegated ones by `appDisplayName` (both documented `eq`).

use std::collections::BTreeMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::SignInStatus;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{short_time, table, trim_opt};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::model::*;

const LIST_AGENT_SIGN_INS: Declaration = Declaration {
    name: "list_agent_sign_ins",
    title: "List AI agent sign-ins",
    description: "(beta) What AI agents signed in to: an agent's own token requests and the ones it made on behalf of users, with resource, user, success or failure (error code and reason). One agent by name or id, or all agents; window and outcome. P1. Reports Reader.",
    toolset: Toolset::Agents,
    permissions: &["AuditLog.Read.All", "AgentIdentity.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SignInKind {
    /// The agent acting as itself (its own service principal sign-ins).
    Autonomous,
    /// The agent acting for a user (non-interactive user sign-ins).
    OnBehalfOfUser,
    /// Both.
    All,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAgentSignInsParams {
    /// One agent: its exact display name or object id (default: every agent).
    pub agent: Option<String>,
    /// Own sign-ins, on behalf of users, or both (default `all`).
    pub kind: Option<SignInKind>,
    pub outcome: Option<Outcome>,
    /// Start of the window (default 24h ago).
    pub since: Option<Since>,
    pub until: Option<Since>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AgentSignIn {
    id: String,
    created_date_time: Option<String>,
    app_id: Option<String>,
    app_display_name: Option<String>,
    service_principal_id: Option<String>,
    user_principal_name: Option<String>,
    resource_display_name: Option<String>,
    ip_address: Option<String>,
    status: Option<SignInStatus>,
    sign_in_event_types: Vec<String>,
    client_credential_type: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AgentSignInRow {
    pub id: String,
    pub time: Option<String>,
    /// The agent's name.
    pub agent: Option<String>,
    /// The agent identity's id (its service principal id, or appId for delegated sign-ins).
    pub agent_id: Option<String>,
    /// `autonomous` or `on_behalf_of_user`.
    pub kind: String,
    /// The user the agent acted for (delegated sign-ins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    pub resource: Option<String>,
    /// 0 for success, else the AADSTS code.
    pub error_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// Sign-ins and failures per agent.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AgentTotals {
    pub agent: String,
    pub sign_ins: usize,
    pub failures: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AgentSignInList {
    /// Start of the window (UTC).
    pub since: String,
    pub sign_ins: Vec<AgentSignInRow>,
    pub by_agent: Vec<AgentTotals>,
    pub failures: usize,
    #[serde(flatten)]
    pub list: ListInfo,
}

const SELECT: &[&str] = &[
    "id",
    "createdDateTime",
    "appId",
    "appDisplayName",
    "servicePrincipalId",
    "userPrincipalName",
    "resourceDisplayName",
    "ipAddress",
    "status",
    "signInEventTypes",
    "clientCredentialType",
    "agent",
];

fn query(event_type: &'static str, common: &[Expr], one: Option<Expr>, limit: usize) -> GraphRequest {
    let mut clauses = common.to_vec();
    clauses.push(Expr::any("signInEventTypes", "t", Expr::eq("t", event_type)));
    clauses.push(Expr::eq("agent/agentType", "agenticAppInstance"));
    clauses.extend(one);
    let query = Query::new()
        .select(SELECT)
        .filter_opt(Expr::conjunction(clauses))
        .orderby("createdDateTime desc")
        .top(limit.min(1000));
    GraphRequest::get("/auditLogs/signIns").beta().query(query).prefer_unknown_enums()
}

async fn list_agent_sign_ins(ctx: Ctx, p: ListAgentSignInsParams) -> Result<AgentSignInList, SkillError> {
    let limit = p.limit.get()?;
    let kind = p.kind.unwrap_or(SignInKind::All);
    let (start, end) = window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::hours(24), SIGN_IN_RETENTION_DAYS)?;
    let agent = match &p.agent {
        Some(value) => Some(resolve_agent(&ctx, "agent", value).await?),
        None => None,
    };
    let mut common = vec![Expr::ge("createdDateTime", start)];
    if let Some(end) = end {
        common.push(Expr::le("createdDateTime", end));
    }
    match p.outcome {
        Some(Outcome::Success) => common.push(Expr::eq("status/errorCode", 0i64)),
        Some(Outcome::Failure) => common.push(Expr::ne("status/errorCode", 0i64)),
        None => {}
    }
    let own = (kind != SignInKind::OnBehalfOfUser).then(|| {
        let one = agent.as_ref().map(|a| Expr::eq("servicePrincipalId", a.id.as_str()));
        query("servicePrincipal", &common, one, limit)
    });
    let delegated = (kind != SignInKind::Autonomous).then(|| {
        let one = agent.as_ref().map(|a| Expr::eq("appDisplayName", a.name()));
        query("nonInteractiveUser", &common, one, limit)
    });
    let read = |request: Option<GraphRequest>| async {
        match request {
            Some(r) => ctx.graph.list::<AgentSignIn>(r, limit).await.map(Some),
            None => Ok(None),
        }
    };
    let (own, delegated) = tokio::join!(read(own), read(delegated));
    let (own, delegated) = (own?, delegated?);
    let more = own.as_ref().is_some_and(|p| p.more) || delegated.as_ref().is_some_and(|p| p.more);
    let mut rows: Vec<AgentSignInRow> = own
        .into_iter()
        .chain(delegated)
        .flat_map(|page| page.items)
        .map(|s| {
            let delegated = s.sign_in_event_types.iter().any(|t| t == "nonInteractiveUser");
            let status = s.status.unwrap_or_default();
            AgentSignInRow {
                kind: if delegated { "on_behalf_of_user" } else { "autonomous" }.to_string(),
                agent_id: if delegated {
                    s.app_id
                } else {
                    s.service_principal_id.filter(|i| !i.is_empty()).or(s.app_id)
                },
                agent: s.app_display_name,
                on_behalf_of: s.user_principal_name.filter(|u| delegated && !u.is_empty()),
                resource: s.resource_display_name,
                error_code: status.error_code,
                failure_reason: status.failure_reason.filter(|_| status.error_code.is_some_and(|c| c != 0)),
                ip_address: s.ip_address.filter(|i| !i.is_empty()),
                credential: s.client_credential_type.filter(|c| !c.is_empty() && c != "none"),
                time: s.created_date_time,
                id: s.id,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.time.cmp(&a.time));
    let more = more || rows.len() > limit;
    rows.truncate(limit);
    for row in &mut rows {
        row.failure_reason = trim_opt(row.failure_reason.take());
    }
    let failures = rows.iter().filter(|r| r.error_code.is_some_and(|c| c != 0)).count();
    let mut totals: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in &rows {
        let entry = totals.entry(r.agent.clone().unwrap_or_else(|| "unknown".into())).or_default();
        entry.0 += 1;
        entry.1 += usize::from(r.error_code.is_some_and(|c| c != 0));
    }
    let by_agent =
        totals.into_iter().map(|(agent, (sign_ins, failures))| AgentTotals { agent, sign_ins, failures }).collect();
    let list = ListInfo::new(rows.len(), None, more, "`since`, `agent`, `kind` or `outcome`");
    Ok(AgentSignInList {
        since: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        sign_ins: rows,
        by_agent,
        failures,
        list,
    })
}

impl Render for AgentSignInList {
    fn rows(&self) -> Option<usize> {
        Some(self.sign_ins.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.sign_ins.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let body: Vec<Vec<String>> = self
            .sign_ins
            .iter()
            .map(|s| {
                let result = match (s.error_code, &s.failure_reason) {
                    (Some(0), _) | (None, _) => "success".to_string(),
                    (Some(code), Some(reason)) => format!("{code}: {reason}"),
                    (Some(code), None) => code.to_string(),
                };
                vec![
                    s.time.as_deref().map(short_time).unwrap_or_default(),
                    s.agent.clone().unwrap_or_default(),
                    match &s.on_behalf_of {
                        Some(user) => format!("for {user}"),
                        None => "itself".into(),
                    },
                    s.resource.clone().unwrap_or_default(),
                    result,
                ]
            })
            .collect();
        let totals = self
            .by_agent
            .iter()
            .map(|t| format!("{} {} ({} failed)", t.agent, t.sign_ins, t.failures))
            .collect::<Vec<_>>()
            .join("; ");
        format!(
            "{} agent sign-ins since {} UTC ({} failed){}\n{}{}",
            self.list.returned,
            short_time(&self.since),
            self.failures,
            if totals.is_empty() { String::new() } else { format!(": {totals}") },
            table(&["time (UTC)", "agent", "as", "resource", "result"], &body),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What did the Invoice Reconciliation Agent sign in to this week, itself and on behalf of users?",
        args: r#"{"agent":"Invoice Reconciliation Agent","since":"7d","limit":100}"#,
        facts: &[
            Fact::Every("sign_ins/*/agent", "Invoice Reconciliation Agent"),
            Fact::Some("sign_ins/*/resource", "Office 365 Exchange Online"),
            Fact::Some("sign_ins/*/on_behalf_of", "daniel@woodgrovebank.com"),
            Fact::Some("sign_ins/*/kind", "autonomous"),
        ],
    },
    Example {
        question: "Which agent sign-ins failed in the last 7 days?",
        args: r#"{"outcome":"failure","since":"7d"}"#,
        facts: &[
            Fact::Every("sign_ins/*/agent", "Month-End Close Agent"),
            Fact::Every("sign_ins/*/error_code", "501051"),
            Fact::Count("sign_ins/*", 1),
        ],
    },
    Example {
        question: "Agent sign-ins on behalf of users this week",
        args: r#"{"kind":"on_behalf_of_user","since":"7d"}"#,
        facts: &[
            Fact::Every("sign_ins/*/on_behalf_of", "daniel@woodgrovebank.com"),
            Fact::Every("sign_ins/*/kind", "on_behalf_of_user"),
        ],
    },
    Example {
        question: "Sign-ins of an agent that does not exist",
        args: r#"{"agent":"Contoso Robot"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_AGENT_SIGN_INS, list_agent_sign_ins)
}
