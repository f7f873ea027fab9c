//! Provisioning events (the `provisioningObjectSummary` resource): Workday Inbound creating,
//! updating, disabling and deleting accounts, and Sales CRM failing with invalid credentials
//! (its job is in quarantine), plus 0.25 events per generated user at scale.

use chrono::Duration;
use serde_json::{Value, json};

use super::Generation;
use super::apps::{self, SALES_CRM, WORKDAY_INBOUND};
use super::clock::Clock;
use super::ids;
use super::people::Person;
use super::rng::Rng;

const HOUR: i64 = 3600;

/// `provisioningObjectSummary` resources, newest first.
pub fn provisioning_events(g: &Generation<'_>) -> Vec<Value> {
    let (cast, clock, seed, tenant_id) = (g.cast, g.clock, g.seed, g.tenant_id);
    let story: Vec<&Person> = cast.people.iter().filter(|p| !p.is_generated() && !p.guest).collect();
    let generated: Vec<&Person> = cast.people.iter().filter(|p| p.is_generated()).collect();
    let mut events: Vec<(i64, Value)> = Vec::new();
    let mut add = |key: String, rng: &mut Rng, person: &Person, app: &str, action: &str, failed: bool| {
        let seconds_ago = rng.between(HOUR, 30 * 24 * HOUR);
        events.push((seconds_ago, event(&key, seconds_ago, person, app, action, failed, clock, tenant_id)));
    };
    for (n, person) in story.iter().enumerate() {
        let mut rng = Rng::new(0, 0x9A0F_0000 + n as u64);
        let action = match person.activity {
            super::people::Activity::Left(_) => "disable",
            _ if n.is_multiple_of(9) => "create",
            _ => "update",
        };
        add(format!("workday/{n}"), &mut rng, person, WORKDAY_INBOUND, action, false);
        if person.department.as_deref() == Some("Sales") {
            add(format!("crm/{n}"), &mut rng, person, SALES_CRM, "update", true);
        }
    }
    for (n, person) in generated.iter().enumerate().filter(|(n, _)| n.is_multiple_of(4)) {
        let mut rng = Rng::new(seed, 0x9A1F_0000 + n as u64);
        let action = if rng.percent(10) {
            "delete"
        } else if rng.percent(30) {
            "create"
        } else {
            "update"
        };
        add(format!("generated/{n}"), &mut rng, person, WORKDAY_INBOUND, action, false);
    }
    events.sort_by_key(|(seconds_ago, _)| *seconds_ago);
    events.into_iter().map(|(_, v)| v).collect()
}

#[allow(clippy::too_many_arguments)]
fn event(
    key: &str,
    seconds_ago: i64,
    person: &Person,
    app: &str,
    action: &str,
    failed: bool,
    clock: &Clock,
    tenant_id: &str,
) -> Value {
    let inbound = app == WORKDAY_INBOUND;
    let (source, target) = if inbound {
        (
            json!({"id": ids::object_id("system", "Workday"), "displayName": "Workday", "details": {}}),
            json!({"id": tenant_id, "displayName": "Entra ID", "details": {}}),
        )
    } else {
        (
            json!({"id": tenant_id, "displayName": "Entra ID", "details": {}}),
            json!({"id": ids::object_id("system", app), "displayName": app, "details": {}}),
        )
    };
    let person_identity = json!({"id": person.id, "displayName": person.display_name, "identityType": "User", "details": {"UserPrincipalName": person.user_principal_name}});
    let external_identity = json!({"id": ids::object_id("externalIdentity", &format!("{app}/{}", person.id)), "displayName": person.display_name, "identityType": if inbound { "Worker" } else { "User" }, "details": {}});
    let (source_identity, target_identity) =
        if inbound { (external_identity, person_identity) } else { (person_identity, external_identity) };
    let status = if failed {
        json!({
            "status": "failure",
            "errorInformation": {
                "errorCode": "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable",
                "reason": "Sales CRM rejected the request with 401 Unauthorized: the credentials configured for provisioning are invalid or expired. The job has been placed in quarantine.",
                "additionalDetails": null,
                "errorCategory": "NonServiceFailure",
                "recommendedAction": "Update the admin credentials of the Sales CRM provisioning job and restart it.",
            },
        })
    } else {
        json!({"status": "success", "errorInformation": null})
    };
    json!({
        "id": ids::object_id("provisioningEvent", key),
        "activityDateTime": clock.at(Duration::seconds(-seconds_ago)),
        "tenantId": tenant_id,
        "jobId": format!("{}.{}", if inbound { "Workday2AAD" } else { "salesforce" }, ids::object_id("job", app).replace('-', "")),
        "cycleId": ids::object_id("cycle", &format!("{app}/{}", seconds_ago / (40 * 60))),
        "changeId": ids::object_id("change", key),
        "provisioningAction": action,
        "durationInMilliseconds": 180 + (seconds_ago % 900),
        "servicePrincipal": {"id": apps::service_principal_id(app), "displayName": app},
        "sourceSystem": source,
        "targetSystem": target,
        "sourceIdentity": source_identity,
        "targetIdentity": target_identity,
        "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
        "provisioningStatusInfo": status,
        "provisioningSteps": [],
        "modifiedProperties": [],
    })
}
