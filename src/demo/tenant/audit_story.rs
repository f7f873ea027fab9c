//! The story's directory audit entries: Marcus creating Incident Response
//! Team, Sam made Global Reader, Priya's approved PIM activation of Global Administrator three
//! days ago, CA003 edited two days ago, CA009 created, Project Phoenix deleted, admin consent to
//! Fabrikam Expense Sync, a new Payroll Sync secret, Treasury Forecast Tool registered, leavers
//! disabled, guests invited, Karita's password reset by the helpdesk after the spray and her
//! methods registered again, and three failures.

use serde_json::{Value, json};

use super::apps::{self, FABRIKAM_EXPENSE, PAYROLL_SYNC, TREASURY_FORECAST};
use super::audits::{
    ADD_MEMBER_TO_GROUP, AuditRecord, DAY, HOUR, Initiator, Operation, UPDATE_USER, group_target, property, target,
    user_target,
};
use super::cast::Cast;
use super::conditional_access::policy_name;
use super::groups::{CA_EXCLUSIONS, DELETED_GROUP, HELPDESK_OPERATORS, INCIDENT_RESPONSE};
use super::ids;
use super::people::Activity;
use super::places;
use super::roles;

const fn op(name: &'static str, category: &'static str, service: &'static str, kind: &'static str) -> Operation {
    Operation { name, category, service, kind }
}

const ADD_GROUP: Operation = op("Add group", "GroupManagement", "Core Directory", "Add");
const DELETE_GROUP: Operation = op("Delete group", "GroupManagement", "Core Directory", "Delete");
const ADD_MEMBER_TO_ROLE: Operation = op("Add member to role", "RoleManagement", "Core Directory", "Assign");
const PIM_TIMEBOUND: Operation = op("Add member to role completed (timebound)", "RoleManagement", "PIM", "Assign");
const PIM_REQUESTED: Operation = op("Add member to role requested (PIM activation)", "RoleManagement", "PIM", "Assign");
const PIM_APPROVED: Operation =
    op("Add member to role request approved (PIM activation)", "RoleManagement", "PIM", "Assign");
const PIM_ACTIVATED: Operation = op("Add member to role completed (PIM activation)", "RoleManagement", "PIM", "Assign");
const UPDATE_CA_POLICY: Operation = op("Update conditional access policy", "Policy", "Conditional Access", "Update");
const ADD_CA_POLICY: Operation = op("Add conditional access policy", "Policy", "Conditional Access", "Add");
const ADD_SERVICE_PRINCIPAL: Operation = op("Add service principal", "ApplicationManagement", "Core Directory", "Add");
const ADD_GRANT: Operation = op("Add delegated permission grant", "ApplicationManagement", "Core Directory", "Assign");
const CONSENT: Operation = op("Consent to application", "ApplicationManagement", "Core Directory", "Assign");
// Graph's own activity name, trailing space included.
const UPDATE_SECRETS: Operation = op(
    "Update application – Certificates and secrets management ",
    "ApplicationManagement",
    "Core Directory",
    "Update",
);
const ADD_APPLICATION: Operation = op("Add application", "ApplicationManagement", "Core Directory", "Add");
const CONFIRM_COMPROMISED: Operation =
    op("Confirm user compromised", "UserManagement", "Identity Protection", "Update");
const SELF_SERVICE_RESET: Operation =
    op("Reset password (self-service)", "UserManagement", "Self-service Password Management", "Update");
const DISABLE_ACCOUNT: Operation = op("Disable account", "UserManagement", "Core Directory", "Update");
const INVITE: Operation = op("Invite external user", "UserManagement", "Invited Users", "Add");
const RESET_PASSWORD: Operation = op("Reset user password", "UserManagement", "Core Directory", "Update");
const REGISTER_SECURITY_INFO: Operation =
    op("User registered security info", "UserManagement", "Authentication Methods", "Add");

pub fn story_audits(cast: &Cast<'_>) -> Vec<AuditRecord> {
    let mut out = Vec::new();
    // Entries whose initiator is missing from the population (never, in the story) are skipped.
    let by = |handle: &str| -> Option<Initiator> {
        let index = cast.index(handle)?;
        Some(Initiator::User { person: index, ip: places::office_ip(cast.people[index].office_location, index as u64) })
    };
    let entry = |key: &str, seconds_ago: i64, operation: &'static Operation, initiator: &str| {
        by(initiator).map(|i| AuditRecord::new(key.into(), seconds_ago, operation, i))
    };
    let person = |handle: &str| cast.person(handle);
    let role = |id: &str, name: &str| target(id, name, "Role", None, json!([]));

    // Marcus creates Incident Response Team and adds Jordan and Nadia.
    out.extend(entry("incident-group-created", 5 * DAY, &ADD_GROUP, "marcus").map(|a| {
        a.target(group_target(
            INCIDENT_RESPONSE,
            json!([property("DisplayName", json!([]), json!([INCIDENT_RESPONSE]))]),
        ))
    }));
    for (n, handle) in ["jordan", "nadia.rahman"].iter().enumerate() {
        let (Some(member), Some(a)) = (
            person(handle),
            entry(&format!("incident-group-member-{n}"), 5 * DAY - 300 - n as i64 * 60, &ADD_MEMBER_TO_GROUP, "marcus"),
        ) else {
            continue;
        };
        out.push(
            a.target(user_target(
                member,
                json!([property("Group.DisplayName", Value::Null, json!(INCIDENT_RESPONSE))]),
            ))
            .target(group_target(INCIDENT_RESPONSE, json!([]))),
        );
    }
    // Sam is made Global Reader; Marcus gets Security Administrator for 30 days.
    if let (Some(sam), Some(a)) = (person("sam"), entry("sam-global-reader", 20 * DAY, &ADD_MEMBER_TO_ROLE, "priya")) {
        out.push(a.target(user_target(
            sam,
            json!([
                property("Role.DisplayName", Value::Null, json!("Global Reader")),
                property("Role.TemplateId", Value::Null, json!(roles::GLOBAL_READER)),
            ]),
        )));
    }
    if let (Some(marcus), Some(a)) =
        (person("marcus"), entry("marcus-security-admin", 25 * DAY, &PIM_TIMEBOUND, "nadia.rahman"))
    {
        out.push(
            a.target(role(roles::SECURITY_ADMINISTRATOR, "Security Administrator"))
                .target(user_target(marcus, json!([]))),
        );
    }
    // Priya activates Global Administrator three days ago, approved by Nadia.
    if let Some(priya) = person("priya") {
        for (key, seconds_ago, operation, initiator) in [
            ("priya-activation-requested", 3 * DAY + 900, &PIM_REQUESTED, "priya"),
            ("priya-activation-approved", 3 * DAY + 600, &PIM_APPROVED, "nadia.rahman"),
            ("priya-activation", 3 * DAY + 540, &PIM_ACTIVATED, "priya"),
        ] {
            out.extend(entry(key, seconds_ago, operation, initiator).map(|a| {
                a.target(role(roles::GLOBAL_ADMINISTRATOR, "Global Administrator"))
                    .target(user_target(priya, json!([])))
            }));
        }
    }
    // CA003 gains the CA Exclusions group two days ago; CA009 is created.
    out.extend(entry("ca003-edited", 2 * DAY, &UPDATE_CA_POLICY, "marcus").map(|a| {
        a.target(target(
            &ids::ca_policy_id("CA003"),
            policy_name("CA003"),
            "Policy",
            None,
            json!([property(
                "ConditionalAccessPolicy",
                json!({"conditions": {"users": {"excludeGroups": []}}}),
                json!({"conditions": {"users": {"excludeGroups": [ids::group_id(CA_EXCLUSIONS)]}}}),
            )]),
        ))
    }));
    out.extend(entry("ca009-created", 6 * DAY, &ADD_CA_POLICY, "marcus").map(|a| {
        a.target(target(
            &ids::ca_policy_id("CA009"),
            policy_name("CA009"),
            "Policy",
            None,
            json!([property(
                "ConditionalAccessPolicy",
                Value::Null,
                json!({"displayName": policy_name("CA009"), "state": "enabledForReportingButNotEnforced"}),
            )]),
        ))
    }));
    // Elena deletes Project Phoenix.
    out.extend(entry("group-deleted", 9 * DAY, &DELETE_GROUP, "elena").map(|a| {
        a.target(group_target(DELETED_GROUP, json!([property("DisplayName", json!([DELETED_GROUP]), json!([]))])))
    }));
    // Priya, with Global Administrator active, consents to Fabrikam Expense Sync for everyone.
    let fabrikam_sp = apps::service_principal_id(FABRIKAM_EXPENSE);
    let fabrikam = || target(&fabrikam_sp, FABRIKAM_EXPENSE, "ServicePrincipal", None, json!([]));
    out.extend(
        entry("fabrikam-sp-added", 3 * DAY - 1800, &ADD_SERVICE_PRINCIPAL, "priya").map(|a| a.target(fabrikam())),
    );
    out.extend(entry("fabrikam-grant", 3 * DAY - 1790, &ADD_GRANT, "priya").map(|a| {
        a.target(target(
            &apps::service_principal_id("Microsoft Graph"),
            "Microsoft Graph",
            "ServicePrincipal",
            None,
            json!([
                property("DelegatedPermissionGrant.Scope", json!(""), json!("Mail.Read offline_access")),
                property("DelegatedPermissionGrant.ConsentType", json!(""), json!("AllPrincipals")),
            ]),
        ))
    }));
    out.extend(entry("fabrikam-consent", 3 * DAY - 1780, &CONSENT, "priya").map(|a| {
        a.target(target(
            &fabrikam_sp,
            FABRIKAM_EXPENSE,
            "ServicePrincipal",
            None,
            json!([
                property("ConsentContext.IsAdminConsent", json!("True"), json!("True")),
                property("ConsentContext.OnBehalfOfAll", json!("True"), json!("True")),
                property(
                    "ConsentAction.Permissions",
                    json!(""),
                    json!(format!(
                        "[[ClientId: {fabrikam_sp}, ConsentType: AllPrincipals, Scope: Mail.Read offline_access]]"
                    )),
                ),
            ]),
        ))
    }));
    // Tom adds a new Payroll Sync secret; Hannah registers Treasury Forecast Tool.
    out.extend(entry("payroll-secret", 4 * DAY, &UPDATE_SECRETS, "tom").map(|a| {
        a.target(target(
            &apps::application_id(PAYROLL_SYNC),
            PAYROLL_SYNC,
            "Application",
            None,
            json!([property(
                "KeyDescription",
                json!([]),
                json!([
                    "[KeyIdentifier=payroll-rotation,KeyType=Password,KeyUsage=Verify,DisplayName=payroll-rotation]"
                ]),
            )]),
        ))
    }));
    out.extend(entry("treasury-app", 10 * HOUR, &ADD_APPLICATION, "hannah.schmidt").map(|a| {
        a.target(target(&apps::application_id(TREASURY_FORECAST), TREASURY_FORECAST, "Application", None, json!([])))
    }));
    out.extend(entry("treasury-sp", 10 * HOUR - 5, &ADD_SERVICE_PRINCIPAL, "hannah.schmidt").map(|a| {
        a.target(target(
            &apps::service_principal_id(TREASURY_FORECAST),
            TREASURY_FORECAST,
            "ServicePrincipal",
            None,
            json!([]),
        ))
    }));
    // Oliver is confirmed compromised; Ruth resets her password after a leak.
    if let (Some(oliver), Some(a)) =
        (person("oliver.grant"), entry("oliver-compromised", 8 * DAY, &CONFIRM_COMPROMISED, "marcus"))
    {
        out.push(a.target(user_target(oliver, json!([]))));
    }
    if let (Some(ruth), Some(a)) =
        (person("ruth.abebe"), entry("ruth-sspr", 14 * DAY, &SELF_SERVICE_RESET, "ruth.abebe"))
    {
        out.push(a.target(user_target(ruth, json!([]))));
    }
    // Leavers are disabled on their last day; recent guests were invited by Alex.
    for leaver in cast.people.iter().filter(|p| !p.is_generated()) {
        if let Activity::Left(days) = leaver.activity {
            out.extend(entry(&format!("disable/{}", leaver.handle), days * DAY, &DISABLE_ACCOUNT, "elena").map(|a| {
                a.target(user_target(leaver, json!([property("AccountEnabled", json!([true]), json!([false]))])))
            }));
        }
    }
    for guest in cast.people.iter().filter(|p| p.guest && p.created_days_ago < 30) {
        out.extend(
            entry(&format!("invite/{}", guest.handle), guest.created_days_ago * DAY, &INVITE, "alex")
                .map(|a| a.target(user_target(guest, json!([])))),
        );
    }

    // After the password spray, the helpdesk resets Karita's password, and she registers
    // her methods again.
    if let (Some(karita), Some(a)) =
        (person("karita"), entry("karita-helpdesk-reset", 28 * HOUR, &RESET_PASSWORD, "kevin.obi"))
    {
        out.push(a.target(user_target(karita, json!([]))));
    }
    if let (Some(karita), Some(a)) =
        (person("karita"), entry("karita-security-info", 20 * HOUR, &REGISTER_SECURITY_INFO, "karita"))
    {
        out.push(a.target(user_target(karita, json!([]))));
    }

    // Failures.
    if let (Some(marcus), Some(a)) =
        (person("marcus"), entry("helpdesk-reset-admin", DAY + 3 * HOUR, &RESET_PASSWORD, "kevin.obi"))
    {
        out.push(
            a.target(user_target(marcus, json!([])))
                .failed("The user does not have permission to reset the password of an administrator."),
        );
    }
    out.extend(entry("jordan-add-helpdesk", 2 * DAY + 5 * HOUR, &ADD_MEMBER_TO_GROUP, "jordan").map(|a| {
        a.target(group_target(HELPDESK_OPERATORS, json!([])))
            .failed("Insufficient privileges to complete the operation.")
    }));
    if let Some(ivan) = person("ivan.petrov") {
        out.push(
            AuditRecord::new("onboarding-manager".into(), 6 * HOUR, &UPDATE_USER, Initiator::App(apps::HR_ONBOARDING))
                .target(user_target(ivan, json!([])))
                .failed("Invalid value specified for property 'manager' of resource 'User'."),
        );
    }
    out
}
