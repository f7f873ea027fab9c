//! Microsoft Entra Agent ID in the demo tenant: agent identity blueprints, their blueprint
//! principals, the agent identities created from them with their sponsors and owners, the
//! agent registry, ID Protection's view of the agents, and the agents' sign-ins (beta).
//!
//! - *Woodgrove Finance Agents* (owned by Tom Okafor and Priya Natarajan, sponsored by Daniel
//!   Moreau) backs two agents: the *Invoice Reconciliation Agent*, sponsored by Daniel, and the
//!   *Month-End Close Agent*, sponsored by Lars Nilsson.
//! - *IT Service Desk Agents* (owned by Elena Petrova) backs the *Service Desk Triage Agent*,
//!   which nobody sponsors.
//! - The registry lists the three agents and a *Marketing Content Helper* that Chloe Martin
//!   registered from Copilot Studio without an agent identity.
//! - Two days ago the Invoice Reconciliation Agent read mailboxes in Exchange Online it never
//!   touched before, after a burst of token requests: ID Protection rates it high risk. The
//!   Month-End Close Agent was refused the Treasury site three days ago: low risk. The triage
//!   agent's sign-in spike was dismissed.
//! - Sign-ins (beta only, as the agents' own service principal sign-ins and on behalf of
//!   Daniel): the reconciliation agent calls the Finance Portal twice a day, the close agent
//!   calls Microsoft Graph daily and failed once on SharePoint.
//!
//! Agent identities and blueprints are kept apart from `servicePrincipals` and `applications`,
//! so the apps toolset's answers stay as the story tells them; the emulator serves them under
//! their type casts (`servicePrincipals/microsoft.graph.agentIdentity`, …).

use chrono::Duration;
use serde_json::{Value, json};

use super::Generation;
use super::apps;
use super::clock::Clock;
use super::ids;
use super::people::member_id;
use super::places;

pub const FINANCE_BLUEPRINT: &str = "Woodgrove Finance Agents";
pub const SERVICE_DESK_BLUEPRINT: &str = "IT Service Desk Agents";
pub const RECONCILIATION_AGENT: &str = "Invoice Reconciliation Agent";
pub const MONTH_END_AGENT: &str = "Month-End Close Agent";
pub const TRIAGE_AGENT: &str = "Service Desk Triage Agent";
/// A registry entry no agent identity backs.
pub const UNLINKED_INSTANCE: &str = "Marketing Content Helper";

struct Blueprint {
    name: &'static str,
    description: &'static str,
    sponsors: &'static [&'static str],
    owners: &'static [&'static str],
    created_days_ago: i64,
}

const BLUEPRINTS: &[Blueprint] = &[
    Blueprint {
        name: FINANCE_BLUEPRINT,
        description: "Agents that reconcile supplier invoices and prepare the month-end close for Finance.",
        sponsors: &["daniel"],
        owners: &["tom", "priya"],
        created_days_ago: 75,
    },
    Blueprint {
        name: SERVICE_DESK_BLUEPRINT,
        description: "Agents that sort and route IT service desk tickets.",
        sponsors: &["tom"],
        owners: &["elena"],
        created_days_ago: 40,
    },
];

struct Agent {
    name: &'static str,
    blueprint: &'static str,
    sponsors: &'static [&'static str],
    owners: &'static [&'static str],
    enabled: bool,
    created_days_ago: i64,
}

const AGENTS: &[Agent] = &[
    Agent {
        name: RECONCILIATION_AGENT,
        blueprint: FINANCE_BLUEPRINT,
        sponsors: &["daniel"],
        owners: &["tom"],
        enabled: true,
        created_days_ago: 60,
    },
    Agent {
        name: MONTH_END_AGENT,
        blueprint: FINANCE_BLUEPRINT,
        sponsors: &["lars.nilsson"],
        owners: &["tom", "priya"],
        enabled: true,
        created_days_ago: 45,
    },
    Agent {
        name: TRIAGE_AGENT,
        blueprint: SERVICE_DESK_BLUEPRINT,
        sponsors: &[],
        owners: &["elena"],
        enabled: true,
        created_days_ago: 30,
    },
];

/// An agent identity's object id, by display name.
pub fn agent_id(name: &str) -> String {
    ids::object_id("agentIdentity", name)
}

/// A blueprint's application object id, by display name.
pub fn blueprint_id(name: &str) -> String {
    ids::object_id("agentIdentityBlueprint", name)
}

/// A blueprint's appId (what an agent identity's `agentIdentityBlueprintId` holds).
pub fn blueprint_app_id(name: &str) -> String {
    ids::object_id("agentIdentityBlueprintAppId", name)
}

/// The object id of a blueprint's principal in this tenant.
pub fn blueprint_principal_id(name: &str) -> String {
    ids::object_id("agentIdentityBlueprintPrincipal", name)
}

fn people(handles: &[&str]) -> Vec<String> {
    handles.iter().map(|h| member_id(h)).collect()
}

/// `agentIdentity` objects.
pub fn agent_identities(g: &Generation<'_>) -> Vec<Value> {
    AGENTS
        .iter()
        .map(|a| {
            json!({
                "id": agent_id(a.name),
                "displayName": a.name,
                "agentIdentityBlueprintId": blueprint_app_id(a.blueprint),
                "accountEnabled": a.enabled,
                "createdByAppId": blueprint_app_id(a.blueprint),
                "createdDateTime": g.clock.days_ago(a.created_days_ago),
                "disabledByMicrosoftStatus": null,
                "servicePrincipalType": "ServiceIdentity",
                "tags": [],
            })
        })
        .collect()
}

/// `agentIdentityBlueprint` objects (applications).
pub fn blueprints(g: &Generation<'_>) -> Vec<Value> {
    BLUEPRINTS
        .iter()
        .map(|b| {
            json!({
                "id": blueprint_id(b.name),
                "appId": blueprint_app_id(b.name),
                "displayName": b.name,
                "description": b.description,
                "createdDateTime": g.clock.days_ago(b.created_days_ago),
                "disabledByMicrosoftStatus": null,
                "publisherDomain": super::DOMAIN,
                "signInAudience": "AzureADMyOrg",
                "identifierUris": [],
                "tags": [],
            })
        })
        .collect()
}

/// `agentIdentityBlueprintPrincipal` objects: each blueprint instantiated in the tenant.
pub fn blueprint_principals(g: &Generation<'_>) -> Vec<Value> {
    BLUEPRINTS
        .iter()
        .map(|b| {
            json!({
                "id": blueprint_principal_id(b.name),
                "appId": blueprint_app_id(b.name),
                "displayName": b.name,
                "accountEnabled": true,
                "createdDateTime": g.clock.days_ago(b.created_days_ago - 1),
                "servicePrincipalType": "Application",
                "tags": [],
            })
        })
        .collect()
}

/// Owners (user ids) by agent identity id, for the tenant's service principal owners.
pub fn agent_owners() -> Vec<(String, Vec<String>)> {
    AGENTS.iter().map(|a| (agent_id(a.name), people(a.owners))).collect()
}

/// Owners (user ids) by blueprint object id, for the tenant's application owners.
pub fn blueprint_owners() -> Vec<(String, Vec<String>)> {
    BLUEPRINTS.iter().map(|b| (blueprint_id(b.name), people(b.owners))).collect()
}

/// The sponsors (user ids) of an agent identity or a blueprint, by object id.
pub fn sponsors_of(id: &str) -> Vec<String> {
    if let Some(agent) = AGENTS.iter().find(|a| agent_id(a.name).eq_ignore_ascii_case(id)) {
        return people(agent.sponsors);
    }
    BLUEPRINTS
        .iter()
        .find(|b| blueprint_id(b.name).eq_ignore_ascii_case(id))
        .map(|b| people(b.sponsors))
        .unwrap_or_default()
}

/// `agentInstance` objects of the agent registry.
pub fn agent_instances(g: &Generation<'_>) -> Vec<Value> {
    // (name, store, source id, url, backing agent, owners, days ago, transport)
    type Row =
        (&'static str, &'static str, &'static str, &'static str, Option<&'static str>, &'static [&'static str], i64);
    const ROWS: &[Row] = &[
        (
            RECONCILIATION_AGENT,
            "Microsoft Copilot Studio",
            "cs-recon-0007",
            "https://agents.woodgrovebank.com/finance/reconciliation/a2a/v1",
            Some(RECONCILIATION_AGENT),
            &["tom"],
            58,
        ),
        (
            MONTH_END_AGENT,
            "Microsoft Copilot Studio",
            "cs-close-0011",
            "https://agents.woodgrovebank.com/finance/close/a2a/v1",
            Some(MONTH_END_AGENT),
            &["tom", "priya"],
            44,
        ),
        (
            TRIAGE_AGENT,
            "Azure AI Foundry",
            "foundry-desk-triage",
            "https://woodgrove-desk.services.ai.azure.com/agents/triage/a2a",
            Some(TRIAGE_AGENT),
            &["elena"],
            29,
        ),
        (
            UNLINKED_INSTANCE,
            "Microsoft Copilot Studio",
            "cs-mkt-0002",
            "https://agents.woodgrovebank.com/marketing/content/a2a/v1",
            None,
            &["chloe.martin"],
            12,
        ),
    ];
    ROWS.iter()
        .map(|&(name, store, source, url, agent, owners, days)| {
            let blueprint = agent.and_then(|a| AGENTS.iter().find(|x| x.name == a)).map(|a| a.blueprint);
            let owner_ids = people(owners);
            json!({
                "id": ids::object_id("agentInstance", name),
                "displayName": name,
                "ownerIds": owner_ids,
                "createdBy": owner_ids.first(),
                "managedBy": blueprint.map(blueprint_app_id),
                "originatingStore": store,
                "sourceAgentId": source,
                "agentIdentityBlueprintId": blueprint.map(blueprint_app_id),
                "agentIdentityId": agent.map(agent_id),
                "agentUserId": null,
                "createdDateTime": g.clock.days_ago(days),
                "lastModifiedDateTime": g.clock.days_ago(days / 3),
                "url": url,
                "preferredTransport": "JSONRPC",
                "additionalInterfaces": [{"url": url, "transport": "JSONRPC"}],
                "signatures": [],
            })
        })
        .collect()
}

/// `riskyAgent` objects (id = the agent identity's id).
pub fn risky_agents(g: &Generation<'_>) -> Vec<Value> {
    // (agent, level, state, detail, hours ago)
    const ROWS: &[(&str, &str, &str, &str, i64)] = &[
        (RECONCILIATION_AGENT, "high", "atRisk", "none", 46),
        (MONTH_END_AGENT, "low", "atRisk", "none", 70),
        (TRIAGE_AGENT, "none", "dismissed", "adminDismissedRiskForAgent", 240),
    ];
    ROWS.iter()
        .map(|&(name, level, state, detail, hours)| {
            json!({
                "id": agent_id(name),
                "agentDisplayName": name,
                "isDeleted": false,
                "isEnabled": true,
                "isProcessing": false,
                "riskLastModifiedDateTime": g.clock.hours_ago(hours),
                "riskLevel": level,
                "riskState": state,
                "riskDetail": detail,
            })
        })
        .collect()
}

/// The id of an agent risk detection by story key.
pub fn detection_id(key: &str) -> String {
    ids::object_id("agentRiskDetection", key)
}

/// `agentRiskDetection` objects, newest first.
pub fn agent_risk_detections(g: &Generation<'_>) -> Vec<Value> {
    // (key, agent, type, level, state, detail, hours ago, evidence)
    type Row = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, i64, &'static str);
    const ROWS: &[Row] = &[
        (
            "recon/mailboxes",
            RECONCILIATION_AGENT,
            "unfamiliarResourceAccess",
            "high",
            "atRisk",
            "none",
            47,
            "Read 1,214 mailbox items in Office 365 Exchange Online; it had only ever called the Woodgrove Finance Portal API.",
        ),
        (
            "recon/spike",
            RECONCILIATION_AGENT,
            "signInSpike",
            "medium",
            "atRisk",
            "none",
            50,
            "412 token requests in one hour, against about 2 a day over the last 30 days.",
        ),
        (
            "close/treasury",
            MONTH_END_AGENT,
            "failedAccessAttempt",
            "low",
            "atRisk",
            "none",
            72,
            "Refused 14 times on the Treasury SharePoint site it has no access to.",
        ),
        (
            "triage/spike",
            TRIAGE_AGENT,
            "signInSpike",
            "low",
            "dismissed",
            "adminDismissedRiskForAgent",
            264,
            "96 token requests in one hour during the service desk migration.",
        ),
    ];
    ROWS.iter()
        .map(|&(key, agent, event, level, state, detail, hours, evidence)| {
            json!({
                "id": detection_id(key),
                "agentId": agent_id(agent),
                "agentDisplayName": agent,
                "activityDateTime": g.clock.hours_ago(hours + 1),
                "detectedDateTime": g.clock.hours_ago(hours),
                "detectionTimingType": "offline",
                "lastModifiedDateTime": g.clock.hours_ago(if state == "dismissed" { 240 } else { hours }),
                "riskDetail": detail,
                "riskLevel": level,
                "riskState": state,
                "riskEventType": event,
                "riskEvidence": evidence,
                "additionalInfo": "[]",
            })
        })
        .collect()
}

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// One agent sign-in of the story.
struct AgentSignIn {
    key: String,
    seconds_ago: i64,
    agent: &'static str,
    resource: &'static str,
    resource_id: &'static str,
    /// On behalf of this user (a non-interactive user sign-in), or the agent itself.
    user: Option<&'static str>,
    error_code: u32,
}

/// The agents' sign-ins of the last days, for the beta-only sign-in log (newest first).
pub fn agent_sign_ins(clock: &Clock, tenant_id: &str) -> Vec<Value> {
    let mut rows: Vec<AgentSignIn> = Vec::new();
    let finance_portal = "Woodgrove Finance Portal";
    for n in 0..10 {
        rows.push(AgentSignIn {
            key: format!("recon/portal/{n}"),
            seconds_ago: 3 * HOUR + n * 12 * HOUR,
            agent: RECONCILIATION_AGENT,
            resource: finance_portal,
            resource_id: "",
            user: None,
            error_code: 0,
        });
    }
    for n in 0..3 {
        rows.push(AgentSignIn {
            key: format!("recon/exchange/{n}"),
            seconds_ago: 47 * HOUR + n * 7 * 60,
            agent: RECONCILIATION_AGENT,
            resource: "Office 365 Exchange Online",
            resource_id: apps::EXCHANGE_ONLINE,
            user: None,
            error_code: 0,
        });
    }
    for n in 0..2 {
        rows.push(AgentSignIn {
            key: format!("recon/daniel/{n}"),
            seconds_ago: 20 * HOUR + n * 4 * HOUR,
            agent: RECONCILIATION_AGENT,
            resource: finance_portal,
            resource_id: "",
            user: Some("daniel"),
            error_code: 0,
        });
    }
    for n in 0..5 {
        rows.push(AgentSignIn {
            key: format!("close/graph/{n}"),
            seconds_ago: 6 * HOUR + n * DAY,
            agent: MONTH_END_AGENT,
            resource: "Microsoft Graph",
            resource_id: apps::MICROSOFT_GRAPH,
            user: None,
            error_code: 0,
        });
    }
    rows.push(AgentSignIn {
        key: "close/treasury".into(),
        seconds_ago: 72 * HOUR,
        agent: MONTH_END_AGENT,
        resource: "Office 365 SharePoint Online",
        resource_id: apps::SHAREPOINT_ONLINE,
        user: None,
        error_code: 501051,
    });
    rows.sort_by_key(|r| r.seconds_ago);
    rows.iter().map(|r| sign_in(r, clock, tenant_id)).collect()
}

/// The id of an agent sign-in by story key (`close/treasury`).
pub fn agent_sign_in_id(key: &str) -> String {
    ids::object_id("agentSignIn", key)
}

fn sign_in(s: &AgentSignIn, clock: &Clock, tenant_id: &str) -> Value {
    let id = agent_sign_in_id(&s.key);
    let blueprint = AGENTS.iter().find(|a| a.name == s.agent).map(|a| a.blueprint).unwrap_or(FINANCE_BLUEPRINT);
    let agent_id = agent_id(s.agent);
    let resource_id = if s.resource_id.is_empty() { apps::app_id(s.resource) } else { s.resource_id.to_string() };
    let (reason, details) = match s.error_code {
        0 => ("Other.", ""),
        _ => (
            "The signed in user or app is not assigned to a role for the application.",
            "The agent has no app role on the Treasury site's resource.",
        ),
    };
    let (event_type, user_id, upn, user_name, subject_type) = match s.user {
        Some(handle) => {
            let upn = format!("{handle}@{}", super::DOMAIN);
            (
                "nonInteractiveUser",
                member_id(handle),
                upn,
                if handle == "daniel" { "Daniel Moreau".to_string() } else { handle.to_string() },
                "notAgentic",
            )
        }
        None => ("servicePrincipal", String::new(), String::new(), String::new(), "agenticAppInstance"),
    };
    json!({
        "id": id,
        "createdDateTime": clock.at(Duration::seconds(-s.seconds_ago)),
        "correlationId": ids::object_id("agentSignInCorrelation", &s.key),
        "isInteractive": false,
        "userDisplayName": user_name,
        "userPrincipalName": upn,
        "userId": user_id,
        "userType": if s.user.is_some() { "member" } else { "" },
        "appId": agent_id,
        "appDisplayName": s.agent,
        "servicePrincipalId": if s.user.is_some() { String::new() } else { agent_id.clone() },
        "servicePrincipalName": if s.user.is_some() { "" } else { s.agent },
        "resourceDisplayName": s.resource,
        "resourceId": resource_id,
        "resourceTenantId": tenant_id,
        "homeTenantId": tenant_id,
        "ipAddress": "20.42.65.97",
        "clientAppUsed": "",
        "status": {"errorCode": s.error_code, "failureReason": reason, "additionalDetails": details},
        "deviceDetail": {"deviceId": "", "displayName": "", "operatingSystem": "", "browser": "", "isCompliant": false, "isManaged": false, "trustType": ""},
        "location": places::sign_in_location(&places::SEATTLE),
        "signInEventTypes": [event_type],
        "authenticationRequirement": "singleFactorAuthentication",
        "incomingTokenType": "none",
        "clientCredentialType": if s.user.is_some() { "none" } else { "federatedIdentityCredential" },
        "conditionalAccessStatus": "notApplied",
        "appliedConditionalAccessPolicies": [],
        "riskDetail": "none",
        "riskLevelAggregated": "none",
        "riskLevelDuringSignIn": "none",
        "riskState": "none",
        "riskEventTypes": [],
        "riskEventTypes_v2": [],
        "tokenIssuerType": "AzureAD",
        "agent": {
            "agentType": "agenticAppInstance",
            "agentSubjectType": subject_type,
            "agentSubjectParentId": blueprint_id(blueprint),
            "parentAppId": blueprint_app_id(blueprint),
        },
    })
}
