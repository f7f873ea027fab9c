//! Directory audits (the `directoryAudit` resource): the story's entries from SKILLS.md §6
//! "Logs" — Marcus creating a group, a role assignment, Priya's PIM activation, CA003 edited two
//! days ago, CA009 created, a group deleted, admin consent to Fabrikam Expense Sync, a new
//! Payroll Sync secret, a few failures — over a background of routine changes, and 2.5 routine
//! entries per generated user at scale.

use chrono::Duration;
use serde_json::{Value, json};

use super::apps::{self, FABRIKAM_EXPENSE, PAYROLL_SYNC, TREASURY_FORECAST};
use super::cast::Cast;
use super::clock::Clock;
use super::conditional_access::policy_name;
use super::groups::{CA_EXCLUSIONS, DELETED_GROUP, HELPDESK_OPERATORS, INCIDENT_RESPONSE};
use super::ids;
use super::people::{Activity, Person};
use super::places;
use super::rng::Rng;
use super::roles;

/// Who made a change.
enum Initiator<'a> {
    User(&'a Person, String),
    App(&'static str),
}

/// One audit entry before it becomes JSON.
struct Audit<'a> {
    key: String,
    seconds_ago: i64,
    activity: &'static str,
    category: &'static str,
    service: &'static str,
    operation: &'static str,
    failure: Option<&'static str>,
    initiator: Initiator<'a>,
    targets: Vec<Value>,
}

/// A target resource of an audit entry.
fn target(id: &str, display_name: &str, kind: &str, upn: Option<&str>, modified: Value) -> Value {
    json!({
        "id": id,
        "displayName": display_name,
        "type": kind,
        "userPrincipalName": upn,
        "groupType": null,
        "modifiedProperties": modified,
    })
}

fn user_target(person: &Person, modified: Value) -> Value {
    target(&person.id, &person.display_name, "User", Some(&person.user_principal_name), modified)
}

fn group_target(name: &str, modified: Value) -> Value {
    let mut t = target(&ids::group_id(name), name, "Group", None, modified);
    t["groupType"] = json!("azureAD");
    t
}

fn property(name: &str, old: Value, new: Value) -> Value {
    json!({"displayName": name, "oldValue": old.to_string(), "newValue": new.to_string()})
}

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// The id of a story audit entry by key (`ca003-edited`).
pub fn audit_id(key: &str) -> String {
    ids::object_id("directoryAudit", key)
}

fn story_audits<'a>(cast: &Cast<'a>) -> Vec<Audit<'a>> {
    let by = |handle: &str| -> Option<Initiator<'a>> {
        let index = cast.index(handle)?;
        let person = &cast.people[index];
        Some(Initiator::User(person, places::office_ip(person.office_location, index as u64)))
    };
    let mut out = Vec::new();
    let mut push = |key: &str, seconds_ago: i64, activity: &'static str, category: &'static str, service: &'static str, operation: &'static str, initiator: Option<Initiator<'a>>, targets: Vec<Value>| {
        if let Some(initiator) = initiator {
            out.push(Audit { key: key.into(), seconds_ago, activity, category, service, operation, failure: None, initiator, targets });
        }
    };
    let person = |handle: &str| cast.person(handle);

    // Marcus creates Incident Response Team and adds Jordan and Nadia.
    push("incident-group-created", 5 * DAY, "Add group", "GroupManagement", "Core Directory", "Add", by("marcus"), vec![group_target(INCIDENT_RESPONSE, json!([property("DisplayName", json!([]), json!([INCIDENT_RESPONSE]))]))]);
    for (n, handle) in ["jordan", "nadia.rahman"].iter().enumerate() {
        if let Some(member) = person(handle) {
            push(&format!("incident-group-member-{n}"), 5 * DAY - 300 - n as i64 * 60, "Add member to group", "GroupManagement", "Core Directory", "Assign", by("marcus"),
                vec![user_target(member, json!([property("Group.DisplayName", Value::Null, json!(INCIDENT_RESPONSE))])), group_target(INCIDENT_RESPONSE, json!([]))]);
        }
    }
    // Sam is made Global Reader.
    if let Some(sam) = person("sam") {
        push("sam-global-reader", 20 * DAY, "Add member to role", "RoleManagement", "Core Directory", "Assign", by("priya"),
            vec![user_target(sam, json!([
                property("Role.DisplayName", Value::Null, json!("Global Reader")),
                property("Role.TemplateId", Value::Null, json!(roles::GLOBAL_READER)),
            ]))]);
    }
    // Marcus's time-bound Security Administrator assignment.
    if let Some(marcus) = person("marcus") {
        push("marcus-security-admin", 25 * DAY, "Add member to role completed (timebound)", "RoleManagement", "PIM", "Assign", by("nadia.rahman"),
            vec![target(roles::SECURITY_ADMINISTRATOR, "Security Administrator", "Role", None, json!([])), user_target(marcus, json!([]))]);
    }
    // Priya activates Global Administrator three days ago (approved by Nadia).
    if let Some(priya) = person("priya") {
        let role = || target(roles::GLOBAL_ADMINISTRATOR, "Global Administrator", "Role", None, json!([]));
        push("priya-activation-requested", 3 * DAY + 900, "Add member to role requested (PIM activation)", "RoleManagement", "PIM", "Assign", by("priya"), vec![role(), user_target(priya, json!([]))]);
        push("priya-activation-approved", 3 * DAY + 600, "Add member to role request approved (PIM activation)", "RoleManagement", "PIM", "Assign", by("nadia.rahman"), vec![role(), user_target(priya, json!([]))]);
        push("priya-activation", 3 * DAY + 540, "Add member to role completed (PIM activation)", "RoleManagement", "PIM", "Assign", by("priya"), vec![role(), user_target(priya, json!([]))]);
    }
    // CA003 gains the CA Exclusions group two days ago.
    let ca003 = ids::ca_policy_id("CA003");
    push("ca003-edited", 2 * DAY, "Update conditional access policy", "Policy", "Conditional Access", "Update", by("marcus"),
        vec![target(&ca003, policy_name("CA003"), "Policy", None, json!([property(
            "ConditionalAccessPolicy",
            json!({"conditions": {"users": {"excludeGroups": []}}}),
            json!({"conditions": {"users": {"excludeGroups": [ids::group_id(CA_EXCLUSIONS)]}}}),
        )]))]);
    push("ca009-created", 6 * DAY, "Add conditional access policy", "Policy", "Conditional Access", "Add", by("marcus"),
        vec![target(&ids::ca_policy_id("CA009"), policy_name("CA009"), "Policy", None, json!([property("ConditionalAccessPolicy", Value::Null, json!({"displayName": policy_name("CA009"), "state": "enabledForReportingButNotEnforced"}))]))]);
    // Elena deletes Project Phoenix.
    push("group-deleted", 9 * DAY, "Delete group", "GroupManagement", "Core Directory", "Delete", by("elena"),
        vec![group_target(DELETED_GROUP, json!([property("DisplayName", json!([DELETED_GROUP]), json!([]))]))]);
    // Priya, with Global Administrator active, consents to Fabrikam Expense Sync for everyone.
    let fabrikam_sp = apps::service_principal_id(FABRIKAM_EXPENSE);
    let fabrikam = || target(&fabrikam_sp, FABRIKAM_EXPENSE, "ServicePrincipal", None, json!([]));
    push("fabrikam-sp-added", 3 * DAY - 1800, "Add service principal", "ApplicationManagement", "Core Directory", "Add", by("priya"), vec![fabrikam()]);
    push("fabrikam-grant", 3 * DAY - 1790, "Add delegated permission grant", "ApplicationManagement", "Core Directory", "Assign", by("priya"),
        vec![target(&apps::service_principal_id("Microsoft Graph"), "Microsoft Graph", "ServicePrincipal", None, json!([
            property("DelegatedPermissionGrant.Scope", json!(""), json!("Mail.Read offline_access")),
            property("DelegatedPermissionGrant.ConsentType", json!(""), json!("AllPrincipals")),
        ]))]);
    push("fabrikam-consent", 3 * DAY - 1780, "Consent to application", "ApplicationManagement", "Core Directory", "Assign", by("priya"),
        vec![target(&fabrikam_sp, FABRIKAM_EXPENSE, "ServicePrincipal", None, json!([
            property("ConsentContext.IsAdminConsent", json!("True"), json!("True")),
            property("ConsentContext.OnBehalfOfAll", json!("True"), json!("True")),
            property("ConsentAction.Permissions", json!(""), json!(format!("[[Id: ..., ClientId: {fabrikam_sp}, ConsentType: AllPrincipals, Scope: Mail.Read offline_access]]"))),
        ]))]);
    // Tom adds a new Payroll Sync secret.
    push("payroll-secret", 4 * DAY, "Update application – Certificates and secrets management ", "ApplicationManagement", "Core Directory", "Update", by("tom"),
        vec![target(&apps::application_id(PAYROLL_SYNC), PAYROLL_SYNC, "Application", None, json!([property("KeyDescription", json!([]), json!(["[KeyIdentifier=payroll-rotation,KeyType=Password,KeyUsage=Verify,DisplayName=payroll-rotation]"]))]))]);
    // Hannah registers Treasury Forecast Tool ten hours ago.
    push("treasury-app", 10 * HOUR, "Add application", "ApplicationManagement", "Core Directory", "Add", by("hannah.schmidt"),
        vec![target(&apps::application_id(TREASURY_FORECAST), TREASURY_FORECAST, "Application", None, json!([]))]);
    push("treasury-sp", 10 * HOUR - 5, "Add service principal", "ApplicationManagement", "Core Directory", "Add", by("hannah.schmidt"),
        vec![target(&apps::service_principal_id(TREASURY_FORECAST), TREASURY_FORECAST, "ServicePrincipal", None, json!([]))]);
    // Oliver is confirmed compromised; Ruth resets her password after a leak.
    if let Some(oliver) = person("oliver.grant") {
        push("oliver-compromised", 8 * DAY, "Confirm user compromised", "UserManagement", "Identity Protection", "Update", by("marcus"), vec![user_target(oliver, json!([]))]);
    }
    if let Some(ruth) = person("ruth.abebe") {
        push("ruth-sspr", 14 * DAY, "Reset password (self-service)", "UserManagement", "Self-service Password Management", "Update", by("ruth.abebe"), vec![user_target(ruth, json!([]))]);
    }
    // Leavers are disabled on their last day.
    for leaver in cast.people.iter().filter(|p| !p.is_generated()) {
        if let Activity::Left(days) = leaver.activity {
            push(&format!("disable/{}", leaver.handle), days * DAY, "Disable account", "UserManagement", "Core Directory", "Update", by("elena"),
                vec![user_target(leaver, json!([property("AccountEnabled", json!([true]), json!([false]))]))]);
        }
    }
    // Guests invited recently.
    for guest in cast.people.iter().filter(|p| p.guest && p.created_days_ago < 30) {
        push(&format!("invite/{}", guest.handle), guest.created_days_ago * DAY, "Invite external user", "UserManagement", "Invited Users", "Add", by("alex"), vec![user_target(guest, json!([]))]);
    }

    // Failures.
    let mut failures = Vec::new();
    if let (Some(marcus), Some(initiator)) = (person("marcus"), by("kevin.obi")) {
        failures.push(Audit { key: "helpdesk-reset-admin".into(), seconds_ago: DAY + 3 * HOUR, activity: "Reset user password", category: "UserManagement", service: "Core Directory", operation: "Update",
            failure: Some("The user does not have permission to reset the password of an administrator."), initiator, targets: vec![user_target(marcus, json!([]))] });
    }
    if let Some(initiator) = by("jordan") {
        failures.push(Audit { key: "jordan-add-helpdesk".into(), seconds_ago: 2 * DAY + 5 * HOUR, activity: "Add member to group", category: "GroupManagement", service: "Core Directory", operation: "Assign",
            failure: Some("Insufficient privileges to complete the operation."), initiator, targets: vec![group_target(HELPDESK_OPERATORS, json!([]))] });
    }
    if let Some(ivan) = person("ivan.petrov") {
        failures.push(Audit { key: "onboarding-manager".into(), seconds_ago: 6 * HOUR, activity: "Update user", category: "UserManagement", service: "Core Directory", operation: "Update",
            failure: Some("Invalid value specified for property 'manager' of resource 'User'."), initiator: Initiator::App(apps::HR_ONBOARDING), targets: vec![user_target(ivan, json!([]))] });
    }
    out.extend(failures);
    out
}

const ROUTINE: &[(&str, &str, &str)] = &[
    ("Update user", "UserManagement", "Update"),
    ("Update user", "UserManagement", "Update"),
    ("Add member to group", "GroupManagement", "Assign"),
    ("Remove member from group", "GroupManagement", "Unassign"),
    ("Update device", "Device", "Update"),
    ("Register device", "Device", "Add"),
    ("User registered security info", "UserManagement", "Add"),
    ("Change user password", "UserManagement", "Update"),
];

/// Routine changes: `count` entries over 30 days, initiated by admins or HR Onboarding
/// Automation, targeting people of the population.
fn routine<'a>(cast: &Cast<'a>, stream: u64, count: usize, seed: u64, targets_from: &[usize]) -> Vec<Audit<'a>> {
    let admins: Vec<usize> = ["elena", "kevin.obi", "lena.fischer", "tom"]
        .iter()
        .filter_map(|h| cast.index(h))
        .collect();
    if targets_from.is_empty() {
        return Vec::new();
    }
    (0..count)
        .map(|n| {
            let mut rng = Rng::new(seed, stream + n as u64);
            let &(activity, category, operation) = rng.pick(ROUTINE);
            let target_person = &cast.people[*rng.pick(targets_from)];
            let service = match activity {
                "User registered security info" => "Authentication Methods",
                _ => "Core Directory",
            };
            let initiator = if activity == "User registered security info" || activity == "Change user password" {
                Initiator::User(target_person, places::home_ip(n as u64))
            } else if admins.is_empty() || rng.percent(40) {
                Initiator::App(apps::HR_ONBOARDING)
            } else {
                let admin = *rng.pick(&admins);
                let p = &cast.people[admin];
                Initiator::User(p, places::office_ip(p.office_location, admin as u64))
            };
            let target = match category {
                "Device" => target(&ids::object_id("deviceTarget", &target_person.id), &format!("{} device", target_person.given_name), "Device", None, json!([])),
                _ => user_target(target_person, json!([])),
            };
            Audit {
                key: format!("routine/{stream}/{n}"),
                seconds_ago: rng.between(HOUR, 30 * DAY),
                activity,
                category,
                service,
                operation,
                failure: None,
                initiator,
                targets: vec![target],
            }
        })
        .collect()
}

/// `directoryAudit` resources, newest first.
pub fn directory_audits(cast: &Cast<'_>, clock: &Clock, seed: u64) -> Vec<Value> {
    let story: Vec<usize> = (0..cast.people.len())
        .filter(|&i| !cast.people[i].is_generated() && !cast.people[i].guest)
        .collect();
    let generated: Vec<usize> = (0..cast.people.len())
        .filter(|&i| cast.people[i].is_generated())
        .collect();
    let mut audits = story_audits(cast);
    audits.extend(routine(cast, 0xA0D1_0000, 160, seed, &story));
    audits.extend(routine(cast, 0xA0D2_0000_0000, generated.len() * 5 / 2, seed, &generated));
    audits.sort_by_key(|a| a.seconds_ago);
    let hr_sp = apps::service_principal_id(apps::HR_ONBOARDING);
    let hr_app = apps::app_id(apps::HR_ONBOARDING);
    audits
        .iter()
        .map(|a| {
            let initiated_by = match &a.initiator {
                Initiator::User(p, ip) => json!({
                    "user": {"id": p.id, "displayName": p.display_name, "userPrincipalName": p.user_principal_name, "ipAddress": ip, "userType": null},
                    "app": null,
                }),
                Initiator::App(name) => {
                    let (sp, app_id) = if *name == apps::HR_ONBOARDING {
                        (hr_sp.clone(), hr_app.clone())
                    } else {
                        (apps::service_principal_id(name), apps::app_id(name))
                    };
                    json!({
                        "user": null,
                        "app": {"appId": app_id, "displayName": name, "servicePrincipalId": sp, "servicePrincipalName": null},
                    })
                }
            };
            json!({
                "id": audit_id(&a.key),
                "category": a.category,
                "correlationId": ids::object_id("auditCorrelation", &a.key),
                "result": if a.failure.is_some() { "failure" } else { "success" },
                "resultReason": a.failure.unwrap_or(""),
                "activityDisplayName": a.activity,
                "activityDateTime": clock.at(Duration::seconds(-a.seconds_ago)),
                "loggedByService": a.service,
                "operationType": a.operation,
                "initiatedBy": initiated_by,
                "targetResources": a.targets,
                "additionalDetails": [{"key": "User-Agent", "value": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/130.0.0.0"}],
            })
        })
        .collect()
}
