//! Provisioning: the events of the provisioning log (the `provisioningObjectSummary` resource)
//! and the synchronization jobs behind them.
//!
//! - *Workday Inbound* brings workers from Workday into Entra ID and is healthy: it updates the
//!   staff, disables the leavers of the last month, warns when it cannot resolve Ivan Petrov's
//!   manager, and skips a pre-hire whose start date is still ahead.
//! - *Sales CRM* provisions the Sales team into the CRM: it created accounts for the two newest
//!   members of the team, updated the others, deleted the account of Chris Palmer (deleted from
//!   the directory 12 days ago) — until the CRM started refusing its credentials 77 hours ago.
//!   Every change since then failed, and the job is in quarantine.
//!
//! At scale, Workday also creates the generated staff who joined in the last 30 days,
//! disables those who left, and updates a quarter of the others.

use chrono::Duration;
use serde_json::{Value, json};

use super::Generation;
use super::apps::{self, SALES_CRM, WORKDAY_INBOUND};
use super::clock::Clock;
use super::deleted::DELETED_USERS;
use super::ids;
use super::people::{Activity, Person};
use super::rng::Rng;

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;
/// The provisioning log keeps 30 days.
const RETENTION: i64 = 30 * DAY;
/// How long ago the CRM started refusing the job's credentials (the quarantine series began).
pub const SALES_CRM_FAILING_SINCE_HOURS: i64 = 77;
/// A provisioning cycle runs every 40 minutes.
const CYCLE: i64 = 40 * MINUTE;

/// The error every Sales CRM export has met since its credentials stopped working.
const CRM_CREDENTIALS_ERROR: &str = "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable";

/// The template of an app's provisioning job.
fn template(app: &str) -> &'static str {
    if app == WORKDAY_INBOUND { "Workday2AAD" } else { "salesforce" }
}

/// The id of an app's provisioning job, as Graph forms it: template, tenant and job.
pub fn job_id(app: &str) -> String {
    format!("{}.{}.{}", template(app), ids::tenant_id().replace('-', ""), ids::object_id("synchronizationJob", app))
}

/// One provisioning event before it becomes JSON.
struct Change<'a> {
    key: String,
    seconds_ago: i64,
    app: &'static str,
    action: &'static str,
    status: Status,
    /// The Entra ID side of the change: a person of the directory, or a worker not yet in it.
    subject: Subject<'a>,
}

enum Subject<'a> {
    Person(&'a Person),
    /// A user deleted from the directory: id, display name.
    Deleted(String, &'static str),
    /// A Workday worker with no Entra ID account (yet): display name, worker id.
    Worker(&'static str, &'static str),
}

enum Status {
    Success,
    /// Error code, reason, recommended action.
    Failure(&'static str, String, &'static str),
    Warning(&'static str, String, &'static str),
    Skipped(&'static str, String),
}

/// `provisioningObjectSummary` resources, newest first.
pub fn provisioning_events(g: &Generation<'_>) -> Vec<Value> {
    let (cast, clock, seed, tenant_id) = (g.cast, g.clock, g.seed, g.tenant_id);
    let mut changes: Vec<Change<'_>> = Vec::new();
    let story = cast.people.iter().filter(|p| !p.is_generated() && !p.guest);

    // Workday Inbound: updates for the active staff, disables for the month's leavers.
    for (n, person) in story.enumerate() {
        let mut rng = Rng::new(0, 0x9A0F_0000 + n as u64);
        let change = match person.activity {
            Activity::Left(days) if days * DAY < RETENTION => Some(("disable", days * DAY + 2 * HOUR)),
            Activity::Active => Some(("update", rng.between(HOUR, RETENTION - HOUR))),
            _ => None,
        };
        if let Some((action, seconds_ago)) = change {
            changes.push(Change {
                key: format!("workday/{}", person.handle),
                seconds_ago,
                app: WORKDAY_INBOUND,
                action,
                status: Status::Success,
                subject: Subject::Person(person),
            });
        }
    }
    // The worker record names a manager Entra ID does not know; the rest of the change applied.
    if let Some(ivan) = cast.person("ivan.petrov") {
        changes.push(Change {
            key: "workday/ivan.petrov/manager".into(),
            seconds_ago: 6 * HOUR + 4 * MINUTE,
            app: WORKDAY_INBOUND,
            action: "update",
            status: Status::Warning(
                "UnableToResolveReference",
                "The manager of Ivan Petrov (worker W-1042) could not be resolved: no user in Entra ID matches the manager's worker id. The other attributes were updated.".into(),
                "Check the manager's worker id in Workday and the employeeId of the manager in Entra ID.",
            ),
            subject: Subject::Person(ivan),
        });
    }
    // A pre-hire: out of scope until the start date.
    changes.push(Change {
        key: "workday/pre-hire".into(),
        seconds_ago: 3 * HOUR + 20 * MINUTE,
        app: WORKDAY_INBOUND,
        action: "create",
        status: Status::Skipped(
            "NotEffectivelyEntitled",
            "The worker Noor Haddad (W-2231) starts in 14 days; the hire date is in the future, so no account is created yet.".into(),
        ),
        subject: Subject::Worker("Noor Haddad", "W-2231"),
    });

    // Sales CRM: new accounts, updates and a deletion while it worked, failures since.
    let failing_since = SALES_CRM_FAILING_SINCE_HOURS * HOUR;
    for (handle, days) in [("yuki.tanaka", 20), ("noah.kim", 16)] {
        if let Some(person) = cast.person(handle) {
            changes.push(Change {
                key: format!("crm/create/{handle}"),
                seconds_ago: days * DAY + 25 * MINUTE,
                app: SALES_CRM,
                action: "create",
                status: Status::Success,
                subject: Subject::Person(person),
            });
        }
    }
    for (n, handle) in
        ["alex", "maria.garcia", "james.wilson", "olivia.brown", "ethan.murphy", "sofia.rossi", "felix.wagner"]
            .iter()
            .enumerate()
    {
        let Some(person) = cast.person(handle) else { continue };
        let mut rng = Rng::new(0, 0x9A2F_0000 + n as u64);
        changes.push(Change {
            key: format!("crm/update/{handle}"),
            seconds_ago: rng.between(failing_since + HOUR, RETENTION - HOUR),
            app: SALES_CRM,
            action: "update",
            status: Status::Success,
            subject: Subject::Person(person),
        });
    }
    if let Some(&(name, handle, _, days)) = DELETED_USERS.iter().find(|u| u.2 == "Sales") {
        changes.push(Change {
            key: format!("crm/delete/{handle}"),
            seconds_ago: days * DAY - 35 * MINUTE,
            app: SALES_CRM,
            action: "delete",
            status: Status::Success,
            subject: Subject::Deleted(ids::object_id("deletedUser", handle), name),
        });
    }
    let credentials = |who: &str| {
        Status::Failure(
            CRM_CREDENTIALS_ERROR,
            format!(
                "Sales CRM rejected the change to {who} with 401 Unauthorized: the credentials configured for provisioning are invalid or expired. The job has been placed in quarantine."
            ),
            "Update the admin credentials of the Sales CRM provisioning job, test the connection and restart the job.",
        )
    };
    for (n, handle) in ["maria.garcia", "james.wilson", "ethan.murphy", "sofia.rossi", "noah.kim"].iter().enumerate() {
        let Some(person) = cast.person(handle) else { continue };
        changes.push(Change {
            key: format!("crm/failed/{handle}"),
            seconds_ago: failing_since - n as i64 * 9 * HOUR - 5 * MINUTE,
            app: SALES_CRM,
            action: "update",
            status: credentials(&person.display_name),
            subject: Subject::Person(person),
        });
    }

    // Generated staff: joiners, leavers and a quarter of the others.
    for (n, person) in cast.people.iter().filter(|p| p.is_generated()).enumerate() {
        let mut rng = Rng::new(seed, 0x9A1F_0000 + n as u64);
        let change = match person.activity {
            _ if person.created_days_ago * DAY < RETENTION => Some(("create", person.created_days_ago * DAY + HOUR)),
            Activity::Left(days) if days * DAY < RETENTION => Some(("disable", days * DAY + 2 * HOUR)),
            Activity::Active if n.is_multiple_of(4) => Some(("update", rng.between(HOUR, RETENTION - HOUR))),
            _ => None,
        };
        if let Some((action, seconds_ago)) = change {
            changes.push(Change {
                key: format!("generated/{n}"),
                seconds_ago,
                app: WORKDAY_INBOUND,
                action,
                status: Status::Success,
                subject: Subject::Person(person),
            });
        }
    }

    changes.sort_by_key(|c| c.seconds_ago);
    changes.iter().map(|c| event(c, clock, tenant_id)).collect()
}

fn event(c: &Change<'_>, clock: &Clock, tenant_id: &str) -> Value {
    let inbound = c.app == WORKDAY_INBOUND;
    let entra = json!({"id": tenant_id, "displayName": "Entra ID", "details": {}});
    let (source_system, target_system) = if inbound {
        (json!({"id": ids::object_id("system", "Workday"), "displayName": "Workday", "details": {}}), entra)
    } else {
        (entra, json!({"id": ids::object_id("system", c.app), "displayName": c.app, "details": {}}))
    };
    let (entra_identity, external_identity) = match &c.subject {
        Subject::Person(person) => (
            json!({"id": person.id, "displayName": person.display_name, "identityType": "User", "details": {"UserPrincipalName": person.user_principal_name}}),
            json!({"id": ids::object_id("externalIdentity", &format!("{}/{}", c.app, person.id)), "displayName": person.display_name, "identityType": if inbound { "Worker" } else { "User" }, "details": {}}),
        ),
        Subject::Deleted(id, name) => (
            json!({"id": id, "displayName": name, "identityType": "User", "details": {}}),
            json!({"id": ids::object_id("externalIdentity", &format!("{}/{id}", c.app)), "displayName": name, "identityType": "User", "details": {}}),
        ),
        // Nothing was created in Entra ID: the target is empty, as Graph logs a skipped create.
        Subject::Worker(name, worker_id) => (
            json!({"id": "", "displayName": "", "identityType": "User", "details": {}}),
            json!({"id": worker_id, "displayName": name, "identityType": "Worker", "details": {}}),
        ),
    };
    let (source_identity, target_identity) =
        if inbound { (external_identity, entra_identity) } else { (entra_identity, external_identity) };
    let status = match &c.status {
        Status::Success => json!({"status": "success", "errorInformation": null}),
        Status::Failure(code, reason, action) => status_info("failure", code, reason, action, "NonServiceFailure"),
        Status::Warning(code, reason, action) => status_info("warning", code, reason, action, "NonServiceFailure"),
        Status::Skipped(code, reason) => status_info("skipped", code, reason, "", "NonServiceFailure"),
    };
    let cycle = c.seconds_ago / CYCLE;
    json!({
        "id": ids::object_id("provisioningEvent", &c.key),
        "activityDateTime": clock.at(Duration::seconds(-c.seconds_ago)),
        "tenantId": tenant_id,
        "jobId": job_id(c.app),
        "cycleId": ids::object_id("cycle", &format!("{}/{cycle}", c.app)),
        "changeId": ids::object_id("change", &c.key),
        "provisioningAction": c.action,
        "durationInMilliseconds": 180 + (c.seconds_ago % 900),
        "servicePrincipal": {"id": apps::service_principal_id(c.app), "displayName": c.app},
        "sourceSystem": source_system,
        "targetSystem": target_system,
        "sourceIdentity": source_identity,
        "targetIdentity": target_identity,
        "initiatedBy": {"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
        "provisioningStatusInfo": status,
        "provisioningSteps": [],
        "modifiedProperties": [],
    })
}

fn status_info(status: &str, code: &str, reason: &str, action: &str, category: &str) -> Value {
    json!({
        "status": status,
        "errorInformation": {
            "errorCode": code,
            "reason": reason,
            "additionalDetails": null,
            "errorCategory": category,
            "recommendedAction": if action.is_empty() { Value::Null } else { Value::from(action) },
        },
    })
}

/// The `synchronizationJob` resources of each app that provisions, by service principal id:
/// Sales CRM in quarantine since its credentials stopped working, Workday Inbound healthy.
pub fn synchronization_jobs(clock: &Clock) -> Vec<(String, Vec<Value>)> {
    let at = |seconds_ago: i64| clock.at(Duration::seconds(-seconds_ago));
    let failing_since = SALES_CRM_FAILING_SINCE_HOURS * HOUR;
    let execution = |app: &str, began: i64, state: &str, counts: [i64; 4], error: Value| {
        let [imported, exported, exports, escrowed] = counts;
        json!({
            "activityIdentifier": ids::object_id("synchronizationRun", &format!("{app}/{}", began / CYCLE)),
            "countEntitled": imported,
            "countEntitledForProvisioning": imported,
            "countEscrowed": escrowed,
            "countEscrowedRaw": escrowed,
            "countExported": exported,
            "countExports": exports,
            "countImported": imported,
            "countImportedDeltas": exports,
            "countImportedReferenceDeltas": 0,
            "error": error,
            "state": state,
            "timeBegan": at(began),
            "timeEnded": at(began - 95),
        })
    };
    let crm_error = json!({
        "code": CRM_CREDENTIALS_ERROR,
        "message": "Sales CRM returned 401 Unauthorized when the provisioning service tested the configured admin credentials: the secret token is invalid or has expired.",
        "tenantActionable": true,
    });
    let sales_crm = json!({
        "id": job_id(SALES_CRM),
        "templateId": template(SALES_CRM),
        "schedule": {"expiration": null, "interval": "PT40M", "state": "Active"},
        "status": {
            "code": "Quarantine",
            "countSuccessiveCompleteFailures": failing_since / (6 * HOUR),
            "escrowsPruned": false,
            "lastExecution": execution(SALES_CRM, 25 * MINUTE, "Failed", [0, 0, 0, 0], crm_error.clone()),
            "lastSuccessfulExecution": execution(SALES_CRM, failing_since + 35 * MINUTE, "Succeeded", [11, 0, 0, 0], Value::Null),
            "lastSuccessfulExecutionWithExports": execution(SALES_CRM, failing_since + 6 * HOUR + 15 * MINUTE, "Succeeded", [11, 1, 1, 0], Value::Null),
            "progress": [],
            "quarantine": {
                "currentBegan": at(25 * MINUTE),
                "nextAttempt": clock.at(Duration::seconds(6 * HOUR - 25 * MINUTE)),
                "reason": "EncounteredQuarantineException",
                "seriesBegan": at(failing_since),
                "seriesCount": failing_since / (6 * HOUR),
                "error": crm_error,
            },
            "steadyStateFirstAchievedTime": clock.days_ago(538),
            "steadyStateLastAchievedTime": at(failing_since + 35 * MINUTE),
            "synchronizedEntryCountByType": [{"key": "user to User", "value": 11}],
            "troubleshootingUrl": "https://learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-quarantine-status",
        },
        "synchronizationJobSettings": [{"name": "QuarantineTooManyDeletesThreshold", "value": "500"}],
    });
    let workday = json!({
        "id": job_id(WORKDAY_INBOUND),
        "templateId": template(WORKDAY_INBOUND),
        "schedule": {"expiration": null, "interval": "PT40M", "state": "Active"},
        "status": {
            "code": "Active",
            "countSuccessiveCompleteFailures": 0,
            "escrowsPruned": false,
            "lastExecution": execution(WORKDAY_INBOUND, 14 * MINUTE, "Succeeded", [63, 2, 2, 0], Value::Null),
            "lastSuccessfulExecution": execution(WORKDAY_INBOUND, 14 * MINUTE, "Succeeded", [63, 2, 2, 0], Value::Null),
            "lastSuccessfulExecutionWithExports": execution(WORKDAY_INBOUND, 14 * MINUTE, "Succeeded", [63, 2, 2, 0], Value::Null),
            "progress": [{
                "completedUnits": 63,
                "progressObservationDateTime": at(12 * MINUTE),
                "totalUnits": 63,
                "units": "Workers",
            }],
            "quarantine": null,
            "steadyStateFirstAchievedTime": clock.days_ago(696),
            "steadyStateLastAchievedTime": at(12 * MINUTE),
            "synchronizedEntryCountByType": [{"key": "worker to User", "value": 63}],
            "troubleshootingUrl": null,
        },
        "synchronizationJobSettings": [{"name": "QuarantineTooManyDeletesThreshold", "value": "500"}],
    });
    vec![
        (apps::service_principal_id(SALES_CRM), vec![sales_crm]),
        (apps::service_principal_id(WORKDAY_INBOUND), vec![workday]),
    ]
}
