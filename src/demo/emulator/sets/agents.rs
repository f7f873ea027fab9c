//! Microsoft Entra Agent ID: agent identities, agent identity blueprints and their principals
//! (v1.0 and beta, served under their type casts), the agent registry's instances, and ID
//! Protection's risky agents and agent risk detections (beta only). Risky agents change through
//! actions bound to the collection (`riskyAgents/dismiss`, `confirmCompromised`,
//! `confirmSafe`, each with `agentIds`, answering 204).
//!
//! Graph documents each item both as `servicePrincipals/{id}/microsoft.graph.agentIdentity`
//! (the documented Get, owners and sponsors) and, as OData allows, under the cast collection;
//! [`cast_after_key`] turns the first form into the second, which the registry serves.
//! The demo keeps agents out of the plain `servicePrincipals` and `applications` lists (where
//! Graph also lists them) so the apps toolset's story stays as told.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::demo::tenant::{Collection, DirectoryRef, Tenant, agents};

use super::super::errors::GraphResult;
use super::super::schema::{Spec, Words};
use super::{Action, CollectionCall, EntitySet, Navigation, READ_ONLY, Run, Source, Target};

pub const AGENT_IDENTITIES: &str = "servicePrincipals/microsoft.graph.agentIdentity";
pub const BLUEPRINTS: &str = "applications/microsoft.graph.agentIdentityBlueprint";
pub const BLUEPRINT_PRINCIPALS: &str = "servicePrincipals/microsoft.graph.agentIdentityBlueprintPrincipal";
pub const AGENT_INSTANCES: &str = "agentRegistry/agentInstances";
pub const RISKY_AGENTS: &str = "identityProtection/riskyAgents";
pub const AGENT_RISK_DETECTIONS: &str = "identityProtection/agentRiskDetections";

/// The most ids one risk action takes; Graph documents no bound (†), so the one of its other
/// risk actions.
const MAX_IDS: usize = 60;

/// (collection, type cast) pairs addressed as `{collection}/{id}/{cast}`.
const CASTS: &[(&str, &str)] = &[
    ("servicePrincipals", "microsoft.graph.agentIdentity"),
    ("servicePrincipals", "microsoft.graph.agentIdentityBlueprintPrincipal"),
    ("applications", "microsoft.graph.agentIdentityBlueprint"),
];

/// `servicePrincipals/{id}/microsoft.graph.agentIdentity/…` as the registry's
/// `servicePrincipals/microsoft.graph.agentIdentity/{id}/…`; `None` for any other path.
pub fn cast_after_key<'a>(segments: &[&'a str]) -> Option<Vec<&'a str>> {
    let [collection, key, cast, rest @ ..] = segments else { return None };
    if !CASTS.iter().any(|(c, t)| c == collection && t == cast) {
        return None;
    }
    let mut out = vec![*collection, *cast, *key];
    out.extend_from_slice(rest);
    Some(out)
}

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: AGENT_IDENTITIES,
        spec: &Spec {
            type_name: "microsoft.graph.agentIdentity",
            entity_set: AGENT_IDENTITIES,
            directory: true,
            properties: Words(
                "id displayName agentIdentityBlueprintId accountEnabled createdByAppId createdDateTime \
                 disabledByMicrosoftStatus servicePrincipalType tags customSecurityAttributes",
            ),
            default_properties: None,
            // The servicePrincipal properties Graph filters on; agentIdentityBlueprintId is not
            // documented as filterable.
            filterable: Words("id displayName accountEnabled createdDateTime servicePrincipalType tags"),
            orderable: Words("displayName createdDateTime"),
            searchable: Words("displayName"),
            expandable: Words("owners"),
            max_top: 100,
        },
        source: Source::Generated(agents::agent_identities),
        lookup: None,
        count_segment: true,
        navigations: &[
            Navigation { path: "owners", target: Target::References { related: service_principal_owners, refs: None } },
            Navigation { path: "sponsors", target: Target::References { related: sponsors, refs: None } },
        ],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: BLUEPRINTS,
        spec: &Spec {
            type_name: "microsoft.graph.agentIdentityBlueprint",
            entity_set: BLUEPRINTS,
            directory: true,
            properties: Words(
                "id appId displayName description createdDateTime createdByAppId disabledByMicrosoftStatus \
                 publisherDomain signInAudience identifierUris tags uniqueName serviceManagementReference",
            ),
            default_properties: None,
            filterable: Words("id appId displayName createdDateTime publisherDomain signInAudience tags"),
            orderable: Words("displayName createdDateTime"),
            searchable: Words("displayName"),
            expandable: Words("owners"),
            max_top: 100,
        },
        source: Source::Generated(agents::blueprints),
        lookup: None,
        count_segment: true,
        navigations: &[
            Navigation { path: "owners", target: Target::References { related: application_owners, refs: None } },
            Navigation { path: "sponsors", target: Target::References { related: sponsors, refs: None } },
        ],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: BLUEPRINT_PRINCIPALS,
        spec: &Spec {
            type_name: "microsoft.graph.agentIdentityBlueprintPrincipal",
            entity_set: BLUEPRINT_PRINCIPALS,
            directory: true,
            properties: Words("id appId displayName accountEnabled createdDateTime servicePrincipalType tags"),
            default_properties: None,
            filterable: Words("id appId displayName accountEnabled createdDateTime servicePrincipalType tags"),
            orderable: Words("displayName createdDateTime"),
            searchable: Words("displayName"),
            expandable: Words(""),
            max_top: 100,
        },
        source: Source::Generated(agents::blueprint_principals),
        lookup: None,
        count_segment: true,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: AGENT_INSTANCES,
        spec: &Spec {
            type_name: "microsoft.graph.agentInstance",
            entity_set: AGENT_INSTANCES,
            directory: false,
            properties: Words(
                "id displayName ownerIds managedBy originatingStore createdBy sourceAgentId \
                 agentIdentityBlueprintId agentIdentityId agentUserId createdDateTime lastModifiedDateTime url \
                 preferredTransport additionalInterfaces signatures",
            ),
            default_properties: None,
            // Graph documents `$filter` on the list without naming the properties (†): the
            // scalar ones.
            filterable: Words(
                "id displayName managedBy originatingStore createdBy sourceAgentId agentIdentityBlueprintId \
                 agentIdentityId agentUserId createdDateTime lastModifiedDateTime url preferredTransport",
            ),
            orderable: Words(""),
            searchable: Words(""),
            expandable: Words(""),
            max_top: 500,
        },
        source: Source::Generated(agents::agent_instances),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: RISKY_AGENTS,
        spec: &Spec {
            type_name: "microsoft.graph.riskyAgent",
            entity_set: RISKY_AGENTS,
            directory: false,
            properties: Words(
                "id agentDisplayName isDeleted isEnabled isProcessing riskDetail riskLastModifiedDateTime \
                 riskLevel riskState",
            ),
            default_properties: None,
            filterable: Words(
                "id agentDisplayName isDeleted isEnabled isProcessing riskDetail riskLastModifiedDateTime \
                 riskLevel riskState",
            ),
            orderable: Words(""),
            searchable: Words(""),
            expandable: Words(""),
            max_top: 500,
        },
        source: Source::Generated(agents::risky_agents),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[
            Action { name: "dismiss", run: Run::OnCollection { ids: "agentIds", max: MAX_IDS, apply: dismiss } },
            Action {
                name: "confirmCompromised",
                run: Run::OnCollection { ids: "agentIds", max: MAX_IDS, apply: confirm_compromised },
            },
            Action {
                name: "confirmSafe",
                run: Run::OnCollection { ids: "agentIds", max: MAX_IDS, apply: confirm_safe },
            },
        ],
        writes: READ_ONLY,
    },
    EntitySet {
        path: AGENT_RISK_DETECTIONS,
        spec: &Spec {
            type_name: "microsoft.graph.agentRiskDetection",
            entity_set: AGENT_RISK_DETECTIONS,
            directory: false,
            properties: Words(
                "id agentId agentDisplayName activityDateTime detectedDateTime detectionTimingType \
                 lastModifiedDateTime riskDetail riskLevel riskState riskEventType riskEvidence additionalInfo",
            ),
            default_properties: None,
            filterable: Words(
                "id agentId agentDisplayName activityDateTime detectedDateTime detectionTimingType \
                 lastModifiedDateTime riskDetail riskLevel riskState riskEventType",
            ),
            orderable: Words("activityDateTime detectedDateTime lastModifiedDateTime"),
            searchable: Words(""),
            expandable: Words(""),
            max_top: 500,
        },
        source: Source::Generated(agents::agent_risk_detections),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
];

fn users(ids: Vec<String>) -> Vec<DirectoryRef> {
    ids.into_iter().map(DirectoryRef::user).collect()
}

fn service_principal_owners(tenant: &Tenant, id: &str) -> Vec<DirectoryRef> {
    users(tenant.service_principal_owners.get(id).cloned().unwrap_or_default())
}

fn application_owners(tenant: &Tenant, id: &str) -> Vec<DirectoryRef> {
    users(tenant.application_owners.get(id).cloned().unwrap_or_default())
}

fn sponsors(_: &Tenant, id: &str) -> Vec<DirectoryRef> {
    users(agents::sponsors_of(id))
}

/// An admin's verdict on an agent: the level, state and detail it leaves; whether it flags an
/// agent ID Protection never flagged; and the detection it records.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    level: &'static str,
    state: &'static str,
    detail: &'static str,
    create: bool,
    detection: Option<&'static str>,
}

const DISMISSED: Verdict =
    Verdict { level: "none", state: "dismissed", detail: "adminDismissedRiskForAgent", create: false, detection: None };

const COMPROMISED: Verdict = Verdict {
    level: "high",
    state: "confirmedCompromised",
    detail: "adminConfirmedAgentCompromised",
    create: true,
    detection: Some("adminConfirmedAgentCompromised"),
};

const SAFE: Verdict = Verdict {
    level: "none",
    state: "confirmedSafe",
    detail: "adminConfirmedAgentSafe",
    create: false,
    detection: None,
};

fn dismiss(tenant: &mut Tenant, call: &CollectionCall) -> GraphResult<()> {
    judge(tenant, call, DISMISSED);
    Ok(())
}

fn confirm_compromised(tenant: &mut Tenant, call: &CollectionCall) -> GraphResult<()> {
    judge(tenant, call, COMPROMISED);
    Ok(())
}

fn confirm_safe(tenant: &mut Tenant, call: &CollectionCall) -> GraphResult<()> {
    judge(tenant, call, SAFE);
    Ok(())
}

fn text(value: &Value, name: &str) -> String {
    value.get(name).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn set_all(value: &mut Value, properties: &[(&str, Value)]) {
    if let Value::Object(map) = value {
        for (name, v) in properties {
            map.insert((*name).to_string(), v.clone());
        }
    }
}

/// Moves each named agent's risk as the verdict says, settles its open detections and records
/// an admin's confirmation of a compromise as a detection. Ids that name no risky agent are
/// passed over, as Graph does; a compromise confirmed on an agent identity ID Protection never
/// flagged flags it.
fn judge(tenant: &mut Tenant, call: &CollectionCall, verdict: Verdict) {
    for id in &call.ids {
        let known = tenant.generated(RISKY_AGENTS).is_some_and(|c| c.get(id).is_some());
        if !known {
            let agent = tenant.generated(AGENT_IDENTITIES).and_then(|c| c.get(id)).cloned();
            let Some(agent) = agent.filter(|_| verdict.create) else { continue };
            Arc::make_mut(tenant.generated_mut(RISKY_AGENTS)).push(json!({
                "id": id,
                "agentDisplayName": text(&agent, "displayName"),
                "isDeleted": false,
                "isEnabled": agent.get("accountEnabled").and_then(Value::as_bool).unwrap_or(true),
                "isProcessing": false,
            }));
        }
        let risky = Arc::make_mut(tenant.generated_mut(RISKY_AGENTS));
        let Some(record) = risky.get_mut(id) else { continue };
        set_all(
            record,
            &[
                ("riskLevel", Value::from(verdict.level)),
                ("riskState", Value::from(verdict.state)),
                ("riskDetail", Value::from(verdict.detail)),
                ("riskLastModifiedDateTime", Value::from(call.at.as_str())),
            ],
        );
        let name = text(record, "agentDisplayName");
        let detections: &mut Collection = Arc::make_mut(tenant.generated_mut(AGENT_RISK_DETECTIONS));
        let open: Vec<String> = detections
            .items()
            .iter()
            .filter(|d| d.get("agentId").and_then(Value::as_str).is_some_and(|a| a.eq_ignore_ascii_case(id)))
            .filter(|d| d.get("riskState").and_then(Value::as_str) == Some("atRisk"))
            .map(|d| text(d, "id"))
            .collect();
        for detection in open {
            if let Some(d) = detections.get_mut(&detection) {
                set_all(
                    d,
                    &[
                        ("riskState", Value::from(verdict.state)),
                        ("riskDetail", Value::from(verdict.detail)),
                        ("lastModifiedDateTime", Value::from(call.at.as_str())),
                    ],
                );
            }
        }
        if let Some(event) = verdict.detection {
            detections.push(json!({
                "id": agents::detection_id(&format!("admin/{id}/{}", call.at)),
                "agentId": id,
                "agentDisplayName": name,
                "activityDateTime": call.at,
                "detectedDateTime": call.at,
                "detectionTimingType": "offline",
                "lastModifiedDateTime": call.at,
                "riskDetail": verdict.detail,
                "riskLevel": verdict.level,
                "riskState": verdict.state,
                "riskEventType": event,
                "riskEvidence": "An administrator confirmed the agent compromised.",
                "additionalInfo": "[]",
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::super::super::tests::{Client, start, urlencode};
    use crate::demo::tenant::story;

    #[tokio::test]
    async fn an_agent_identity_is_read_by_its_documented_paths() {
        let graph = start().await;
        let client = Client::new(&graph);
        let id = story::agent_id("Invoice Reconciliation Agent");
        for version in ["v1.0", "beta"] {
            let (status, agent) =
                client.json(&format!("/{version}/servicePrincipals/{id}/microsoft.graph.agentIdentity")).await;
            assert_eq!(status, StatusCode::OK, "{agent}");
            assert_eq!(agent["displayName"], "Invoice Reconciliation Agent");
        }
        let (status, sponsors) = client
            .json(&format!(
                "/v1.0/servicePrincipals/{id}/microsoft.graph.agentIdentity/sponsors?$select=id,displayName"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{sponsors}");
        assert_eq!(sponsors["value"][0]["displayName"], "Daniel Moreau");
        let (status, listed) = client
            .json("/v1.0/servicePrincipals/microsoft.graph.agentIdentity?$select=id,displayName&$expand=owners($select=id,displayName)")
            .await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        assert!(
            listed["value"].as_array().is_some_and(|a| a.iter().any(|x| x["owners"][0]["displayName"] == "Tom Okafor")),
            "{listed}"
        );
        let (status, _) = client.json(&format!("/v1.0/servicePrincipals/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "agents stay out of the plain service principal list");
    }

    #[tokio::test]
    async fn the_registry_and_agent_risk_are_beta_only_and_agent_sign_ins_need_the_event_type() {
        let graph = start().await;
        let client = Client::new(&graph);
        for path in
            ["agentRegistry/agentInstances", "identityProtection/riskyAgents", "identityProtection/agentRiskDetections"]
        {
            assert_eq!(client.json(&format!("/v1.0/{path}")).await.0, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(client.json(&format!("/beta/{path}")).await.0, StatusCode::OK, "{path}");
        }
        let filter =
            urlencode("signInEventTypes/any(t: t eq 'servicePrincipal') and agent/agentType eq 'agenticAppInstance'");
        let (status, page) = client.json(&format!("/beta/auditLogs/signIns?$filter={filter}&$top=100")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let rows = page["value"].as_array().expect("a value array");
        assert!(!rows.is_empty() && rows.iter().all(|r| r["agent"]["agentType"] == "agenticAppInstance"), "{page}");
        let v1 = urlencode("agent/agentType eq 'agenticAppInstance'");
        assert_eq!(client.json(&format!("/v1.0/auditLogs/signIns?$filter={v1}")).await.0, StatusCode::BAD_REQUEST);
    }
}
