//! Directory roles and PIM: role definitions with Entra's real template ids, the story's active
//! and eligible assignments (break-glass Global Administrators, Priya's eligible Global
//! Administrator, Marcus's Security Administrator ending in 5 days, Elena's permanent User
//! Administrator, Sam's Global Reader, Tom's eligible Privileged Role Administrator, Helpdesk
//! Operators (which is also eligible for Authentication Administrator), HR Onboarding
//! Automation, and Jordan the persona, who activated Reports Reader this morning), and
//! Jordan's requests: that activation, and one waiting for approval.
//!
//! What an access audit should find besides: Dmitri Volkov left the bank 47 days ago and still
//! holds Global Administrator permanently; Nadia Rahman activated Security Administrator two
//! hours ago; Arjun Mehta's eligibility for Application Administrator ends tomorrow; Samuel
//! Osei's eligibility for the custom *Woodgrove Helpdesk Tier 1* role (which Mei Lin holds)
//! starts in a week; the custom *Woodgrove Branch Directory Reader* is disabled. Every
//! assignment and eligibility also has its PIM schedule (`roleAssignmentSchedules`,
//! `roleEligibilitySchedules`); a schedule that has not started has no instance yet.

use chrono::Duration;
use serde_json::{Value, json};

use super::Generation;
use super::apps::{HR_ONBOARDING, service_principal_id};
use super::clock::Clock;
use super::groups::HELPDESK_OPERATORS;
use super::ids;
use super::people::member_id;

pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
pub const SECURITY_READER: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
pub const REPORTS_READER: &str = "4a5d8f65-41da-4de4-8968-e035b65339cf";
pub const GLOBAL_READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
pub const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
pub const PRIVILEGED_ROLE_ADMINISTRATOR: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";
pub const CONDITIONAL_ACCESS_ADMINISTRATOR: &str = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9";
pub const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
pub const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: &str = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
pub const APPLICATION_ADMINISTRATOR: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
pub const CLOUD_APPLICATION_ADMINISTRATOR: &str = "158c047a-c907-4556-b7ef-446551a6b5f7";
pub const AUTHENTICATION_ADMINISTRATOR: &str = "c4e39bd9-1100-46d3-8c65-fb160da0071f";
pub const DIRECTORY_READERS: &str = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b";
/// Custom roles: `ids::object_id("roleDefinition", name)`, written out so the story's tables can
/// name them (a test keeps them equal).
pub const WOODGROVE_HELPDESK_TIER_1: &str = "7e69cdb3-6df9-502c-afd6-9a69e5ddefb0";
pub const WOODGROVE_BRANCH_DIRECTORY_READER: &str = "8b3242c0-47b7-590e-a252-624cd3f6e633";

/// Template id, display name, privileged, description, a few of its resource actions.
const DEFINITIONS: &[(&str, &str, bool, &str, &[&str])] = &[
    (
        GLOBAL_ADMINISTRATOR,
        "Global Administrator",
        true,
        "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
        &["microsoft.directory/*/allProperties/allTasks"],
    ),
    (
        PRIVILEGED_ROLE_ADMINISTRATOR,
        "Privileged Role Administrator",
        true,
        "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
        &[
            "microsoft.directory/roleAssignments/allProperties/allTasks",
            "microsoft.directory/privilegedIdentityManagement/allProperties/allTasks",
        ],
    ),
    (
        SECURITY_ADMINISTRATOR,
        "Security Administrator",
        true,
        "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.",
        &[
            "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks",
            "microsoft.directory/identityProtection/allProperties/allTasks",
        ],
    ),
    (
        SECURITY_READER,
        "Security Reader",
        true,
        "Can read security information and reports in Microsoft Entra ID and Office 365.",
        &[
            "microsoft.directory/auditLogs/allProperties/read",
            "microsoft.directory/signInReports/allProperties/read",
            "microsoft.directory/identityProtection/allProperties/read",
        ],
    ),
    (
        REPORTS_READER,
        "Reports Reader",
        false,
        "Can read sign-in and audit reports.",
        &["microsoft.directory/auditLogs/allProperties/read", "microsoft.directory/signInReports/allProperties/read"],
    ),
    (
        GLOBAL_READER,
        "Global Reader",
        true,
        "Can read everything that a Global Administrator can, but not update anything.",
        &["microsoft.directory/*/allProperties/read"],
    ),
    (
        USER_ADMINISTRATOR,
        "User Administrator",
        true,
        "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
        &["microsoft.directory/users/allProperties/allTasks", "microsoft.directory/groups/allProperties/allTasks"],
    ),
    (
        CONDITIONAL_ACCESS_ADMINISTRATOR,
        "Conditional Access Administrator",
        true,
        "Can manage Conditional Access capabilities.",
        &[
            "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks",
            "microsoft.directory/namedLocations/allProperties/allTasks",
        ],
    ),
    (
        HELPDESK_ADMINISTRATOR,
        "Helpdesk Administrator",
        true,
        "Can reset passwords for non-administrators and Helpdesk Administrators.",
        &["microsoft.directory/users/password/update", "microsoft.directory/users/invalidateAllRefreshTokens"],
    ),
    (
        PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
        "Privileged Authentication Administrator",
        true,
        "Can access to view, set and reset authentication method information for any user (admin or non-admin).",
        &["microsoft.directory/users/authenticationMethods/allProperties/allTasks"],
    ),
    (
        APPLICATION_ADMINISTRATOR,
        "Application Administrator",
        true,
        "Can create and manage all aspects of app registrations and enterprise apps.",
        &[
            "microsoft.directory/applications/allProperties/allTasks",
            "microsoft.directory/servicePrincipals/allProperties/allTasks",
        ],
    ),
    (
        CLOUD_APPLICATION_ADMINISTRATOR,
        "Cloud Application Administrator",
        true,
        "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
        &["microsoft.directory/applications/allProperties/allTasks"],
    ),
    (
        AUTHENTICATION_ADMINISTRATOR,
        "Authentication Administrator",
        true,
        "Can access to view, set and reset authentication method information for any non-admin user.",
        &["microsoft.directory/users/authenticationMethods/standard/update"],
    ),
    (
        DIRECTORY_READERS,
        "Directory Readers",
        false,
        "Can read basic directory information. Commonly used to grant directory read access to applications and guests.",
        &["microsoft.directory/users/standard/read", "microsoft.directory/groups/standard/read"],
    ),
];

/// A custom role: id, display name, enabled, privileged (Entra derives it from the permissions:
/// resetting passwords is privileged), description, resource actions.
type CustomRole = (&'static str, &'static str, bool, bool, &'static str, &'static [&'static str]);

/// Woodgrove's custom roles.
const CUSTOM_DEFINITIONS: &[CustomRole] = &[
    (
        WOODGROVE_HELPDESK_TIER_1,
        "Woodgrove Helpdesk Tier 1",
        true,
        true,
        "Branch first-line support: reset passwords and sign-in sessions of branch staff, read their devices and BitLocker keys.",
        &[
            "microsoft.directory/users/standard/read",
            "microsoft.directory/users/basic/update",
            "microsoft.directory/users/password/update",
            "microsoft.directory/users/invalidateAllRefreshTokens",
            "microsoft.directory/users/manager/read",
            "microsoft.directory/users/authenticationMethods/standard/restrictedRead",
            "microsoft.directory/devices/standard/read",
            "microsoft.directory/bitlockerKeys/key/read",
            "microsoft.directory/groups/standard/read",
            "microsoft.directory/groups/members/read",
            "microsoft.directory/signInReports/allProperties/read",
            "microsoft.directory/auditLogs/allProperties/read",
        ],
    ),
    (
        WOODGROVE_BRANCH_DIRECTORY_READER,
        "Woodgrove Branch Directory Reader",
        false,
        false,
        "Retired: read-only directory access for the branch kiosks, replaced by Directory Readers.",
        &["microsoft.directory/users/standard/read", "microsoft.directory/groups/standard/read"],
    ),
];

/// `unifiedRoleDefinition` resources; built-in roles use the template id as their id, custom
/// roles a template id equal to their own id.
pub fn role_definitions() -> Vec<Value> {
    let built_in = DEFINITIONS.iter().map(|&(id, name, privileged, description, actions)| {
        definition(id, name, true, true, privileged, description, actions)
    });
    let custom = CUSTOM_DEFINITIONS.iter().map(|&(id, name, enabled, privileged, description, actions)| {
        definition(id, name, false, enabled, privileged, description, actions)
    });
    built_in.chain(custom).collect()
}

fn definition(
    id: &str,
    name: &str,
    built_in: bool,
    enabled: bool,
    privileged: bool,
    description: &str,
    actions: &[&str],
) -> Value {
    json!({
        "id": id,
        "templateId": id,
        "displayName": name,
        "description": description,
        "isBuiltIn": built_in,
        "isEnabled": enabled,
        // Beta only: the emulator leaves it out on v1.0, as Graph does.
        "isPrivileged": privileged,
        "resourceScopes": ["/"],
        "version": "1",
        "inheritsPermissionsFrom": [],
        "rolePermissions": [{"allowedResourceActions": actions, "condition": null}],
    })
}

/// Who is a principal of an assignment.
#[derive(Debug, Clone, Copy)]
enum Principal {
    /// A member of staff or break-glass account, by handle.
    User(&'static str),
    Group(&'static str),
    /// The service principal of an app, by display name.
    App(&'static str),
}

impl Principal {
    fn id(self) -> String {
        match self {
            Principal::User(handle) => member_id(handle),
            Principal::Group(name) => ids::group_id(name),
            Principal::App(name) => service_principal_id(name),
        }
    }
}

/// An active assignment: principal, role, days since it started, days until it ends.
const ACTIVE: &[(Principal, &str, i64, Option<i64>)] = &[
    (Principal::User("breakglass01"), GLOBAL_ADMINISTRATOR, 1460, None),
    (Principal::User("breakglass02"), GLOBAL_ADMINISTRATOR, 1460, None),
    (Principal::User("marcus"), SECURITY_ADMINISTRATOR, 25, Some(5)),
    (Principal::User("elena"), USER_ADMINISTRATOR, 700, None),
    (Principal::User("sam"), GLOBAL_READER, 20, None),
    (Principal::User("jordan"), SECURITY_READER, 300, None),
    (Principal::Group(HELPDESK_OPERATORS), HELPDESK_ADMINISTRATOR, 400, None),
    (Principal::App(HR_ONBOARDING), USER_ADMINISTRATOR, 330, None),
    // A leaver whose permanent Global Administrator nobody removed.
    (Principal::User("dmitri.volkov"), GLOBAL_ADMINISTRATOR, 900, None),
    (Principal::User("mei.lin"), WOODGROVE_HELPDESK_TIER_1, 150, None),
];

/// An activation of an eligible role, active now: principal, role, hours since it started,
/// hours until it ends. Jordan activated Reports Reader this morning to pull the monthly
/// sign-in report.
const ACTIVATED: &[(Principal, &str, i64, i64)] = &[
    (Principal::User("jordan"), REPORTS_READER, 2, 6),
    (Principal::User("nadia.rahman"), SECURITY_ADMINISTRATOR, 2, 6),
];

/// An eligibility that has not started: principal, role, days until it starts, days until it
/// ends. It has a schedule and no instance yet.
const FUTURE_ELIGIBLE: &[(Principal, &str, i64, i64)] =
    &[(Principal::User("samuel.osei"), WOODGROVE_HELPDESK_TIER_1, 7, 187)];

/// An eligible assignment: principal, role, days since it started, days until it ends.
const ELIGIBLE: &[(Principal, &str, i64, Option<i64>)] = &[
    (Principal::User("priya"), GLOBAL_ADMINISTRATOR, 500, None),
    (Principal::User("tom"), PRIVILEGED_ROLE_ADMINISTRATOR, 420, None),
    (Principal::User("nadia.rahman"), SECURITY_ADMINISTRATOR, 380, None),
    (Principal::User("jordan"), SECURITY_ADMINISTRATOR, 300, Some(65)),
    (Principal::User("jordan"), USER_ADMINISTRATOR, 120, Some(245)),
    (Principal::User("jordan"), CONDITIONAL_ACCESS_ADMINISTRATOR, 40, Some(325)),
    (Principal::User("jordan"), REPORTS_READER, 300, None),
    // Its members may activate Authentication Administrator on top of the Helpdesk
    // Administrator role the group holds.
    (Principal::Group(HELPDESK_OPERATORS), AUTHENTICATION_ADMINISTRATOR, 90, Some(275)),
    // Granted for the app migration project; it ends tomorrow.
    (Principal::User("arjun.mehta"), APPLICATION_ADMINISTRATOR, 89, Some(1)),
];

/// Handles of users whose active roles CA001 ("MFA for admins") targets, including members of
/// role-assignable groups.
pub fn ca001_admin_handles() -> &'static [&'static str] {
    &["breakglass01", "breakglass02", "marcus", "elena", "kevin.obi", "lena.fischer"]
}

fn assignment_id(kind: &str, principal: Principal, role: &str) -> String {
    ids::object_id(kind, &format!("{}/{role}", principal.id()))
}

/// `unifiedRoleAssignment` resources: every active assignment, activations included.
pub fn role_assignments() -> Vec<Value> {
    let activated = ACTIVATED.iter().map(|&(principal, role, ..)| (principal, role));
    ACTIVE
        .iter()
        .map(|&(principal, role, ..)| (principal, role))
        .chain(activated)
        .map(|(principal, role)| {
            json!({
                "id": assignment_id("roleAssignment", principal, role),
                "principalId": principal.id(),
                "roleDefinitionId": role,
                "directoryScopeId": "/",
                "appScopeId": null,
                "condition": null,
            })
        })
        .collect()
}

/// `unifiedRoleAssignmentScheduleInstance` resources: active assignments as PIM sees them,
/// assigned or activated.
pub fn role_assignment_schedule_instances(clock: &Clock) -> Vec<Value> {
    let assigned = ACTIVE.iter().map(|&(principal, role, started, ends)| {
        (principal, role, "Assigned", clock.days_ago(started), ends.map(|d| clock.days_ahead(d)))
    });
    let activated = ACTIVATED.iter().map(|&(principal, role, started, ends)| {
        (principal, role, "Activated", clock.hours_ago(started), Some(clock.at(Duration::hours(ends))))
    });
    assigned
        .chain(activated)
        .map(|(principal, role, assignment_type, start, end)| {
            json!({
                "id": assignment_id("roleAssignmentScheduleInstance", principal, role),
                "principalId": principal.id(),
                "roleDefinitionId": role,
                "directoryScopeId": "/",
                "appScopeId": null,
                "startDateTime": start,
                "endDateTime": end,
                "assignmentType": assignment_type,
                "memberType": "Direct",
                "roleAssignmentOriginId": assignment_id("roleAssignment", principal, role),
                "roleAssignmentScheduleId": assignment_id("roleAssignmentSchedule", principal, role),
            })
        })
        .collect()
}

/// `unifiedRoleEligibilityScheduleInstance` resources.
pub fn role_eligibility_schedule_instances(clock: &Clock) -> Vec<Value> {
    ELIGIBLE
        .iter()
        .map(|&(principal, role, started, ends)| {
            json!({
                "id": assignment_id("roleEligibilityScheduleInstance", principal, role),
                "principalId": principal.id(),
                "roleDefinitionId": role,
                "directoryScopeId": "/",
                "appScopeId": null,
                "startDateTime": clock.days_ago(started),
                "endDateTime": ends.map(|d| clock.days_ahead(d)),
                "memberType": "Direct",
                "roleEligibilityScheduleId": assignment_id("roleEligibilitySchedule", principal, role),
            })
        })
        .collect()
}

/// `unifiedRoleAssignmentScheduleRequest` resources: Priya's completed activation three days
/// ago, Jordan's activation of Reports Reader this morning, and Jordan's activation of
/// Conditional Access Administrator waiting for approval.
pub fn role_assignment_schedule_requests(clock: &Clock) -> Vec<Value> {
    let request = |handle: &'static str,
                   role: &str,
                   created: String,
                   status: &str,
                   justification: &str,
                   start: String| {
        let principal = Principal::User(handle);
        json!({
            "id": assignment_id("roleAssignmentScheduleRequest", principal, role),
            "action": "selfActivate",
            "principalId": principal.id(),
            "roleDefinitionId": role,
            "directoryScopeId": "/",
            "appScopeId": null,
            "isValidationOnly": false,
            "targetScheduleId": assignment_id("roleEligibilitySchedule", principal, role),
            "justification": justification,
            "status": status,
            "createdDateTime": created,
            "completedDateTime": if status == "Provisioned" { Value::from(start.clone()) } else { Value::Null },
            "approvalId": if status == "PendingApproval" { Value::from(assignment_id("approval", principal, role)) } else { Value::Null },
            "createdBy": {"user": {"id": principal.id()}},
            "scheduleInfo": {
                "startDateTime": start,
                // Within each role's activation maximum (`role_policies.rs`).
                "expiration": {"type": "afterDuration", "duration": if role == CONDITIONAL_ACCESS_ADMINISTRATOR { "PT1H" } else { "PT8H" }, "endDateTime": null},
            },
            "ticketInfo": {"ticketNumber": null, "ticketSystem": null},
        })
    };
    vec![
        request(
            "priya",
            GLOBAL_ADMINISTRATOR,
            clock.days_ago(3),
            "Provisioned",
            "Approve admin consent for Fabrikam Expense Sync",
            clock.days_ago(3),
        ),
        request(
            "jordan",
            REPORTS_READER,
            clock.hours_ago(2),
            "Provisioned",
            "Pull the monthly sign-in report for the audit committee",
            clock.hours_ago(2),
        ),
        request(
            "jordan",
            CONDITIONAL_ACCESS_ADMINISTRATOR,
            clock.hours_ago(3),
            "PendingApproval",
            "Review CA009 report-only results with the Finance team",
            clock.hours_ago(3),
        ),
    ]
}

/// When a schedule starts and ends, as `scheduleInfo` reads: no end is `noExpiration`.
fn schedule_info(start: &str, end: Option<&str>) -> Value {
    let expiration = match end {
        Some(end) => json!({"type": "afterDateTime", "endDateTime": end, "duration": null}),
        None => json!({"type": "noExpiration", "endDateTime": null, "duration": null}),
    };
    json!({"startDateTime": start, "recurrence": null, "expiration": expiration})
}

/// `unifiedRoleEligibilitySchedule` resources: every eligibility, current or yet to start.
pub fn role_eligibility_schedules(g: &Generation<'_>) -> Vec<Value> {
    let clock = g.clock;
    let current = ELIGIBLE.iter().map(|&(principal, role, started, ends)| {
        let start = clock.days_ago(started);
        (principal, role, start.clone(), start, ends.map(|d| clock.days_ahead(d)))
    });
    // A future eligibility was granted yesterday.
    let future = FUTURE_ELIGIBLE.iter().map(|&(principal, role, starts, ends)| {
        (principal, role, clock.days_ago(1), clock.days_ahead(starts), Some(clock.days_ahead(ends)))
    });
    current
        .chain(future)
        .map(|(principal, role, created, start, end)| {
            let id = assignment_id("roleEligibilitySchedule", principal, role);
            json!({
                "id": id,
                "principalId": principal.id(),
                "roleDefinitionId": role,
                "directoryScopeId": "/",
                "appScopeId": null,
                "createdUsing": id,
                "createdDateTime": created,
                "modifiedDateTime": null,
                "status": "Provisioned",
                "memberType": "Direct",
                "scheduleInfo": schedule_info(&start, end.as_deref()),
            })
        })
        .collect()
}

/// `unifiedRoleAssignmentSchedule` resources: every active assignment's schedule, the
/// activations' included.
pub fn role_assignment_schedules(g: &Generation<'_>) -> Vec<Value> {
    let clock = g.clock;
    let assigned = ACTIVE.iter().map(|&(principal, role, started, ends)| {
        (principal, role, "Assigned", clock.days_ago(started), ends.map(|d| clock.days_ahead(d)))
    });
    let activated = ACTIVATED.iter().map(|&(principal, role, started, ends)| {
        (principal, role, "Activated", clock.hours_ago(started), Some(clock.at(Duration::hours(ends))))
    });
    assigned
        .chain(activated)
        .map(|(principal, role, assignment_type, start, end)| {
            let id = assignment_id("roleAssignmentSchedule", principal, role);
            json!({
                "id": id,
                "principalId": principal.id(),
                "roleDefinitionId": role,
                "directoryScopeId": "/",
                "appScopeId": null,
                "createdUsing": id,
                "createdDateTime": start,
                "modifiedDateTime": null,
                "status": "Provisioned",
                "assignmentType": assignment_type,
                "memberType": "Direct",
                "scheduleInfo": schedule_info(&start, end.as_deref()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_role_ids_are_the_ids_of_their_names() {
        for &(id, name, ..) in CUSTOM_DEFINITIONS {
            assert_eq!(id, ids::object_id("roleDefinition", name), "{name}");
        }
    }

    #[test]
    fn every_instance_has_its_schedule() {
        let clock = Clock::new(chrono::Utc::now());
        let schedules: Vec<Value> = ACTIVE
            .iter()
            .map(|&(p, r, ..)| json!(assignment_id("roleAssignmentSchedule", p, r)))
            .chain(ACTIVATED.iter().map(|&(p, r, ..)| json!(assignment_id("roleAssignmentSchedule", p, r))))
            .collect();
        for instance in role_assignment_schedule_instances(&clock) {
            assert!(schedules.contains(&instance["roleAssignmentScheduleId"]), "{instance}");
        }
        let eligible: Vec<Value> =
            ELIGIBLE.iter().map(|&(p, r, ..)| json!(assignment_id("roleEligibilitySchedule", p, r))).collect();
        for instance in role_eligibility_schedule_instances(&clock) {
            assert!(eligible.contains(&instance["roleEligibilityScheduleId"]), "{instance}");
        }
    }
}
