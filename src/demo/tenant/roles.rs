//! Directory roles and PIM: role definitions with Entra's real template ids, the story's active
//! and eligible assignments (break-glass Global Administrators, Priya's eligible Global
//! Administrator, Marcus's Security Administrator ending in 5 days, Elena's permanent User
//! Administrator, Sam's Global Reader, Tom's eligible Privileged Role Administrator, Helpdesk
//! Operators (which is also eligible for Authentication Administrator), HR Onboarding
//! Automation, and Jordan the persona, who activated Reports Reader this morning), and
//! Jordan's requests: that activation, and one waiting for approval.

use serde_json::{Value, json};

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

/// `unifiedRoleDefinition` resources; built-in roles use the template id as their id.
pub fn role_definitions() -> Vec<Value> {
    DEFINITIONS
        .iter()
        .map(|(id, name, privileged, description, actions)| {
            json!({
                "id": id,
                "templateId": id,
                "displayName": name,
                "description": description,
                "isBuiltIn": true,
                "isEnabled": true,
                "isPrivileged": privileged,
                "resourceScopes": ["/"],
                "version": "1",
                "inheritsPermissionsFrom": [],
                "rolePermissions": [{"allowedResourceActions": actions, "condition": null}],
            })
        })
        .collect()
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
];

/// An activation of an eligible role: principal, role, hours since it was activated, hours
/// until it ends. Jordan activated Reports Reader this morning to pull the monthly sign-in report.
const ACTIVATED: &[(Principal, &str, i64, i64)] = &[(Principal::User("jordan"), REPORTS_READER, 2, 6)];

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

/// `unifiedRoleAssignmentScheduleInstance` resources: active assignments as PIM sees them.
pub fn role_assignment_schedule_instances(clock: &Clock) -> Vec<Value> {
    ACTIVE
        .iter()
        .map(|&(principal, role, started, ends)| {
            json!({
                "id": assignment_id("roleAssignmentScheduleInstance", principal, role),
                "principalId": principal.id(),
                "roleDefinitionId": role,
                "directoryScopeId": "/",
                "appScopeId": null,
                "startDateTime": clock.days_ago(started),
                "endDateTime": ends.map(|d| clock.days_ahead(d)),
                "assignmentType": "Assigned",
                "memberType": "Direct",
                "roleAssignmentOriginId": assignment_id("roleAssignment", principal, role),
                "roleAssignmentScheduleId": assignment_id("roleAssignmentSchedule", principal, role),
            })
        })
        .chain(ACTIVATED.iter().map(|&(principal, role, since, until)| {
            json!({
                "id": assignment_id("roleAssignmentScheduleInstance", principal, role),
                "principalId": principal.id(),
                "roleDefinitionId": role,
                "directoryScopeId": "/",
                "appScopeId": null,
                "startDateTime": clock.hours_ago(since),
                "endDateTime": clock.hours_ago(-until),
                "assignmentType": "Activated",
                "memberType": "Direct",
                "roleAssignmentOriginId": assignment_id("roleAssignment", principal, role),
                "roleAssignmentScheduleId": assignment_id("roleAssignmentSchedule", principal, role),
            })
        }))
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
