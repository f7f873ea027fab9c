//! Identity Protection: risky users with their risk history, risk detections, risky service
//! principals with theirs, and service principal risk detections. Graph serves no `/$count` on
//! them; their changes go through actions bound to the collection (`riskyUsers/dismiss`,
//! `confirmCompromised`, `confirmSafe`; `riskyServicePrincipals/dismiss`, `confirmCompromised`),
//! each answering 204.
//!
//! Ids in a body that name no risky user (or service principal) are passed over without an
//! error, as Graph does; `confirmCompromised` on a user Identity Protection never flagged
//! flags them, since an admin may declare any account compromised.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::demo::tenant::{Collection, Tenant, risk};

use super::super::errors::GraphResult;
use super::super::schema::{self, Spec, Words};
use super::{Action, CollectionCall, EntitySet, Navigation, READ_ONLY, Run, Source, Target, field};

/// The most ids one call takes (Graph documents 60 for dismissing risky service principals).
const MAX_IDS: usize = 60;

const RISKY_SERVICE_PRINCIPALS: &str = "identityProtection/riskyServicePrincipals";
const SERVICE_PRINCIPAL_RISK_DETECTIONS: &str = "identityProtection/servicePrincipalRiskDetections";

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: "identityProtection/riskyUsers",
        spec: &schema::RISKY_USERS,
        source: field!(risky_users),
        lookup: None,
        count_segment: false,
        navigations: &[Navigation {
            path: "history",
            target: Target::Contained { spec: &schema::RISKY_USER_HISTORY, rows: history },
        }],
        actions: &[
            Action { name: "dismiss", run: Run::OnCollection { ids: "userIds", max: MAX_IDS, apply: dismiss_users } },
            Action {
                name: "confirmCompromised",
                run: Run::OnCollection { ids: "userIds", max: MAX_IDS, apply: confirm_users_compromised },
            },
            Action {
                name: "confirmSafe",
                run: Run::OnCollection { ids: "userIds", max: MAX_IDS, apply: confirm_users_safe },
            },
        ],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "identityProtection/riskDetections",
        spec: &schema::RISK_DETECTIONS,
        source: field!(risk_detections),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: RISKY_SERVICE_PRINCIPALS,
        spec: &Spec {
            type_name: "microsoft.graph.riskyServicePrincipal",
            entity_set: RISKY_SERVICE_PRINCIPALS,
            directory: false,
            properties: Words(
                "id appId displayName isEnabled isProcessing riskLastUpdatedDateTime riskLevel riskState \
                 riskDetail servicePrincipalType",
            ),
            default_properties: None,
            filterable: Words(
                "id appId displayName isEnabled isProcessing riskLastUpdatedDateTime riskLevel riskState \
                 riskDetail servicePrincipalType",
            ),
            orderable: Words("riskLastUpdatedDateTime displayName"),
            searchable: Words(""),
            expandable: Words(""),
            max_top: 500,
        },
        source: Source::Generated(risk::risky_service_principals),
        lookup: None,
        count_segment: false,
        navigations: &[Navigation {
            path: "history",
            target: Target::Contained { spec: &RISKY_SERVICE_PRINCIPAL_HISTORY, rows: service_principal_history },
        }],
        actions: &[
            Action {
                name: "dismiss",
                run: Run::OnCollection { ids: "servicePrincipalIds", max: MAX_IDS, apply: dismiss_service_principals },
            },
            Action {
                name: "confirmCompromised",
                run: Run::OnCollection {
                    ids: "servicePrincipalIds",
                    max: MAX_IDS,
                    apply: confirm_service_principals_compromised,
                },
            },
        ],
        writes: READ_ONLY,
    },
    EntitySet {
        path: SERVICE_PRINCIPAL_RISK_DETECTIONS,
        spec: &Spec {
            type_name: "microsoft.graph.servicePrincipalRiskDetection",
            entity_set: SERVICE_PRINCIPAL_RISK_DETECTIONS,
            directory: false,
            properties: Words(
                "id activity activityDateTime additionalInfo appId correlationId detectedDateTime \
                 detectionTimingType ipAddress keyIds lastUpdatedDateTime location requestId riskDetail \
                 riskEventType riskLevel riskState servicePrincipalDisplayName servicePrincipalId source \
                 tokenIssuerType",
            ),
            default_properties: None,
            filterable: Words(
                "id activity activityDateTime appId correlationId detectedDateTime detectionTimingType \
                 ipAddress lastUpdatedDateTime requestId riskDetail riskEventType riskLevel riskState \
                 servicePrincipalDisplayName servicePrincipalId source tokenIssuerType",
            ),
            orderable: Words("detectedDateTime activityDateTime lastUpdatedDateTime"),
            searchable: Words(""),
            expandable: Words(""),
            max_top: 500,
        },
        source: Source::Generated(risk::service_principal_risk_detections),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
];

static RISKY_SERVICE_PRINCIPAL_HISTORY: Spec = Spec {
    type_name: "microsoft.graph.riskyServicePrincipalHistoryItem",
    entity_set: "identityProtection/riskyServicePrincipals/history",
    directory: false,
    properties: Words(
        "id servicePrincipalId appId displayName initiatedBy isEnabled isProcessing riskLastUpdatedDateTime \
         riskLevel riskState riskDetail servicePrincipalType activity",
    ),
    default_properties: None,
    filterable: Words("riskLevel riskState riskLastUpdatedDateTime"),
    orderable: Words("riskLastUpdatedDateTime"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 500,
};

fn history<'t>(tenant: &'t Tenant, user_id: &str) -> &'t [Value] {
    tenant.risky_user_history.get(&user_id.to_ascii_lowercase()).map(Vec::as_slice).unwrap_or(&[])
}

fn service_principal_history<'t>(tenant: &'t Tenant, id: &str) -> &'t [Value] {
    tenant.risky_service_principal_history.get(&id.to_ascii_lowercase()).map(Vec::as_slice).unwrap_or(&[])
}

/// A change of risk an admin makes: the level, state and detail it leaves, and what the
/// detections still at risk become (state and detail).
#[derive(Debug, Clone, Copy)]
pub(super) struct RiskChange {
    pub level: &'static str,
    pub state: &'static str,
    pub detail: &'static str,
    /// Flag a user Identity Protection never flagged (confirming a compromise does).
    pub create: bool,
    /// The detection type an admin's confirmation of a compromise adds, if any.
    pub admin_detection: Option<&'static str>,
}

const DISMISSED: RiskChange = RiskChange {
    level: "none",
    state: "dismissed",
    detail: "adminDismissedAllRiskForUser",
    create: false,
    admin_detection: None,
};

const USER_COMPROMISED: RiskChange = RiskChange {
    level: "high",
    state: "confirmedCompromised",
    detail: "adminConfirmedUserCompromised",
    create: true,
    admin_detection: Some("adminConfirmedUserCompromised"),
};

const USER_SAFE: RiskChange = RiskChange {
    level: "none",
    state: "confirmedSafe",
    detail: "adminConfirmedAccountSafe",
    create: false,
    admin_detection: None,
};

/// A sign-in an admin confirmed compromised makes its user high risk.
pub(super) const SIGN_IN_COMPROMISED: RiskChange = RiskChange {
    level: "high",
    state: "confirmedCompromised",
    detail: "adminConfirmedSigninCompromised",
    create: true,
    admin_detection: None,
};

fn dismiss_users(tenant: &mut Tenant, call: &CollectionCall) -> GraphResult<()> {
    for id in &call.ids {
        change_user_risk(tenant, id, DISMISSED, call);
    }
    Ok(())
}

fn confirm_users_compromised(tenant: &mut Tenant, call: &CollectionCall) -> GraphResult<()> {
    for id in &call.ids {
        change_user_risk(tenant, id, USER_COMPROMISED, call);
    }
    Ok(())
}

fn confirm_users_safe(tenant: &mut Tenant, call: &CollectionCall) -> GraphResult<()> {
    for id in &call.ids {
        change_user_risk(tenant, id, USER_SAFE, call);
    }
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

/// Moves one user's risk as `change` says: the risky user (created if the change flags users
/// and the user exists), a history item naming the caller, and the detections still at risk.
/// An id that names no risky user (nor, when flagging, any user) is passed over.
pub(super) fn change_user_risk(tenant: &mut Tenant, user_id: &str, change: RiskChange, call: &CollectionCall) {
    let user_id = user_id.to_ascii_lowercase();
    let existing = tenant.risky_users.get(&user_id).is_some();
    if !existing {
        let Some(user) = tenant.users.get(&user_id).filter(|_| change.create) else { return };
        let record = json!({
            "id": user_id,
            "isDeleted": false,
            "isProcessing": false,
            "userDisplayName": text(user, "displayName"),
            "userPrincipalName": text(user, "userPrincipalName"),
        });
        Arc::make_mut(&mut tenant.risky_users).push(record);
    }
    let properties = [
        ("riskLevel", Value::from(change.level)),
        ("riskState", Value::from(change.state)),
        ("riskDetail", Value::from(change.detail)),
        ("riskLastUpdatedDateTime", Value::from(call.at.as_str())),
    ];
    let Some(record) = Arc::make_mut(&mut tenant.risky_users).get_mut(&user_id) else { return };
    set_all(record, &properties);
    let record = record.clone();

    let histories = Arc::make_mut(&mut tenant.risky_user_history);
    let items = histories.entry(user_id.clone()).or_default();
    let mut item = record.clone();
    set_all(
        &mut item,
        &[
            ("id", Value::from(risk::history_item_id("riskyUserHistoryItem", &user_id, items.len()))),
            ("userId", Value::from(user_id.as_str())),
            ("initiatedBy", Value::from(call.caller.as_str())),
            (
                "activity",
                json!({"eventTypes": [], "riskEventTypes": change.admin_detection.into_iter().collect::<Vec<_>>(), "detail": change.detail}),
            ),
        ],
    );
    items.push(item);

    let detections = Arc::make_mut(&mut tenant.risk_detections);
    settle_detections(detections, "userId", &user_id, change, &call.at);
    if let Some(event_type) = change.admin_detection {
        detections.push(json!({
            "id": risk::admin_detection_id(&user_id, &call.at),
            "requestId": risk::admin_detection_id(&user_id, &format!("request/{}", call.at)),
            "correlationId": risk::admin_detection_id(&user_id, &format!("correlation/{}", call.at)),
            "riskEventType": event_type,
            "riskType": event_type,
            "riskState": change.state,
            "riskLevel": change.level,
            "riskDetail": change.detail,
            "source": "IdentityProtection",
            "detectionTimingType": "offline",
            "activity": "user",
            "tokenIssuerType": "AzureAD",
            "ipAddress": "",
            "activityDateTime": call.at,
            "detectedDateTime": call.at,
            "lastUpdatedDateTime": call.at,
            "userId": user_id,
            "userDisplayName": text(&record, "userDisplayName"),
            "userPrincipalName": text(&record, "userPrincipalName"),
            "additionalInfo": "[]",
            "location": Value::Null,
        }));
    }
}

/// Detections of one subject (`key` = its id) still at risk take the state and detail of an
/// admin's decision.
pub(super) fn settle_detections(detections: &mut Collection, key: &str, subject: &str, change: RiskChange, at: &str) {
    let open: Vec<String> = detections
        .items()
        .iter()
        .filter(|d| d.get(key).and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case(subject)))
        .filter(|d| d.get("riskState").and_then(Value::as_str) == Some("atRisk"))
        .map(|d| text(d, "id"))
        .collect();
    for id in open {
        if let Some(detection) = detections.get_mut(&id) {
            set_all(
                detection,
                &[
                    ("riskState", Value::from(change.state)),
                    ("riskDetail", Value::from(change.detail)),
                    ("lastUpdatedDateTime", Value::from(at)),
                ],
            );
        }
    }
}

const SERVICE_PRINCIPAL_DISMISSED: RiskChange = RiskChange {
    level: "none",
    state: "dismissed",
    detail: "adminDismissedAllRiskForServicePrincipal",
    create: false,
    admin_detection: None,
};

const SERVICE_PRINCIPAL_COMPROMISED: RiskChange = RiskChange {
    level: "high",
    state: "confirmedCompromised",
    detail: "adminConfirmedServicePrincipalCompromised",
    create: false,
    admin_detection: Some("adminConfirmedServicePrincipalCompromised"),
};

fn dismiss_service_principals(tenant: &mut Tenant, call: &CollectionCall) -> GraphResult<()> {
    for id in &call.ids {
        change_service_principal_risk(tenant, id, SERVICE_PRINCIPAL_DISMISSED, call);
    }
    Ok(())
}

fn confirm_service_principals_compromised(tenant: &mut Tenant, call: &CollectionCall) -> GraphResult<()> {
    for id in &call.ids {
        change_service_principal_risk(tenant, id, SERVICE_PRINCIPAL_COMPROMISED, call);
    }
    Ok(())
}

/// Moves one risky service principal's risk, adds a history item naming the caller and
/// settles its open detections. An id that names no risky service principal is passed over.
fn change_service_principal_risk(tenant: &mut Tenant, id: &str, change: RiskChange, call: &CollectionCall) {
    let id = id.to_ascii_lowercase();
    let principals = Arc::make_mut(tenant.generated_mut(RISKY_SERVICE_PRINCIPALS));
    let Some(record) = principals.get_mut(&id) else { return };
    set_all(
        record,
        &[
            ("riskLevel", Value::from(change.level)),
            ("riskState", Value::from(change.state)),
            ("riskDetail", Value::from(change.detail)),
            ("riskLastUpdatedDateTime", Value::from(call.at.as_str())),
        ],
    );
    let record = record.clone();
    let histories = Arc::make_mut(&mut tenant.risky_service_principal_history);
    let items = histories.entry(id.clone()).or_default();
    let mut item = record;
    set_all(
        &mut item,
        &[
            ("id", Value::from(risk::history_item_id("riskyServicePrincipalHistoryItem", &id, items.len()))),
            ("servicePrincipalId", Value::from(id.as_str())),
            ("initiatedBy", Value::from(call.caller.as_str())),
            (
                "activity",
                json!({"riskEventTypes": change.admin_detection.into_iter().collect::<Vec<_>>(), "detail": change.detail}),
            ),
        ],
    );
    items.push(item);
    let detections = Arc::make_mut(tenant.generated_mut(SERVICE_PRINCIPAL_RISK_DETECTIONS));
    settle_detections(detections, "servicePrincipalId", &id, change, &call.at);
}

/// The properties a sign-in takes when an admin confirms it (safe or compromised).
pub(super) fn sign_in_verdict(state: &str, detail: &str, high: bool) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("riskState".into(), Value::from(state));
    map.insert("riskDetail".into(), Value::from(detail));
    if high {
        map.insert("riskLevelAggregated".into(), Value::from("high"));
    }
    map
}
