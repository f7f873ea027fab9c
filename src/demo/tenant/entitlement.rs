//! Entitlement management: Woodgrove's catalogs, access packages, their assignment policies,
//! who holds which package, the requests in flight, and the connected organizations partners
//! come from.
//!
//! The story: *Finance Resources* gives analysts the *Finance Analyst Toolkit* (Karita holds
//! it; granting it calls a Logic App that tells Finance Ops) and hides an administrator-only
//! *Treasury Forecast Pilot*. *Sales Resources* gives staff *Sales Enablement* on their
//! manager's approval and Fabrikam partners *Sales Partner Access*: their sponsors approve, it
//! lasts 90 days and Alex Chen reviews it quarterly. Four Fabrikam guests hold it (Tariq's
//! ends in 5 days), Laura's expired, and Rosa's request waits for approval. *Fabrikam Partners*
//! is a connected organization sponsored by Alex Chen inside and Mark Taylor outside; *Contoso
//! Advisory* was proposed when one of its users asked for access.
//!
//! Graph keeps relationships (a package's catalog, an assignment's target) as navigation
//! properties: the rows carry them under their Graph names, `{"id": …}` for a reference and
//! the object itself for a contained one, and the emulator returns them only when expanded.
//! Sales Team is not a resource: its membership is dynamic, and entitlement management cannot
//! grant membership of a dynamic group.

use serde_json::{Value, json};

use super::Generation;
use super::apps::{FINANCE_PORTAL, SALES_CRM, service_principal_id};
use super::groups::{FINANCE_APP_USERS, FINANCE_DEPARTMENT};
use super::ids;
use super::people::Person;
use super::{DOMAIN, GUEST_DOMAIN};

pub const GENERAL: &str = "General";
pub const FINANCE_RESOURCES: &str = "Finance Resources";
pub const SALES_RESOURCES: &str = "Sales Resources";

pub const FINANCE_TOOLKIT: &str = "Finance Analyst Toolkit";
pub const TREASURY_PILOT: &str = "Treasury Forecast Pilot";
pub const SALES_ENABLEMENT: &str = "Sales Enablement";
pub const SALES_PARTNER_ACCESS: &str = "Sales Partner Access";

pub const FABRIKAM_PARTNERS: &str = "Fabrikam Partners";
const CONTOSO_ADVISORY: &str = "Contoso Advisory";

const NOTIFY_FINANCE_OPS: &str = "Notify Finance Ops";
const FINANCE_SANDBOX: &str = "Provision Finance Sandbox";

const SITES: &str = "https://woodgrovebank.sharepoint.com/sites";

/// The id of a catalog, by display name.
pub fn catalog_id(name: &str) -> String {
    ids::object_id("accessPackageCatalog", name)
}

/// The id of an access package, by display name.
pub fn access_package_id(name: &str) -> String {
    ids::object_id("accessPackage", name)
}

/// The id of a connected organization, by display name.
pub fn connected_organization_id(name: &str) -> String {
    ids::object_id("connectedOrganization", name)
}

fn policy_id(name: &str) -> String {
    ids::object_id("accessPackageAssignmentPolicy", name)
}

fn extension_id(name: &str) -> String {
    ids::object_id("customCalloutExtension", name)
}

fn assignment_id(handle: &str, package: &str) -> String {
    ids::object_id("accessPackageAssignment", &format!("{handle}/{package}"))
}

fn request_id(handle: &str, package: &str) -> String {
    ids::object_id("accessPackageAssignmentRequest", &format!("{handle}/{package}"))
}

fn reference(id: String) -> Value {
    json!({ "id": id })
}

/// A resource a catalog holds: display name, origin system, origin id, description, its roles
/// (display name and origin id), days since it was added.
struct Resource {
    name: &'static str,
    origin_system: &'static str,
    origin_id: String,
    description: &'static str,
    roles: Vec<(&'static str, String)>,
    added_days_ago: i64,
}

fn group_resource(name: &'static str, description: &'static str, added_days_ago: i64) -> Resource {
    let group = ids::group_id(name);
    Resource {
        name,
        origin_system: "AadGroup",
        roles: vec![("Member", format!("Member_{group}")), ("Owner", format!("Owner_{group}"))],
        origin_id: group,
        description,
        added_days_ago,
    }
}

/// An application without app roles of its own: entitlement management offers "Default Access".
fn app_resource(name: &'static str, description: &'static str, added_days_ago: i64) -> Resource {
    Resource {
        name,
        origin_system: "AadApplication",
        origin_id: service_principal_id(name),
        description,
        roles: vec![("Default Access", "00000000-0000-0000-0000-000000000000".into())],
        added_days_ago,
    }
}

/// A SharePoint Online site: its roles are the site's groups, by their numeric ids.
fn site_resource(name: &'static str, path: &str, description: &'static str, added_days_ago: i64) -> Resource {
    let roles = ["Members", "Visitors", "Owners"];
    Resource {
        name,
        origin_system: "SharePointOnline",
        origin_id: format!("{SITES}/{path}"),
        description,
        roles: roles.iter().zip(3..).map(|(role, n)| (*role, n.to_string())).collect(),
        added_days_ago,
    }
}

fn resources(catalog: &str) -> Vec<Resource> {
    match catalog {
        FINANCE_RESOURCES => vec![
            group_resource(FINANCE_APP_USERS, "Access to the Finance line-of-business apps", 700),
            site_resource("Finance Reports", "FinanceReports", "Monthly and quarterly reporting packs", 690),
            app_resource(FINANCE_PORTAL, "Woodgrove's finance portal", 400),
        ],
        SALES_RESOURCES => vec![
            app_resource(SALES_CRM, "The sales CRM (gallery app)", 520),
            site_resource("Sales Hub", "SalesHub", "Playbooks, price lists and pipeline reports", 510),
            site_resource("Fabrikam Partner Portal", "FabrikamPartners", "Shared deal rooms with Fabrikam", 380),
        ],
        _ => Vec::new(),
    }
}

fn role_id(resource: &str, role: &str) -> String {
    ids::object_id("accessPackageResourceRole", &format!("{resource}/{role}"))
}

fn scope_id(resource: &str) -> String {
    ids::object_id("accessPackageResourceScope", resource)
}

fn role_json(resource: &Resource, role: &str, origin: &str) -> Value {
    json!({
        "id": role_id(resource.name, role),
        "displayName": if resource.origin_system == "SharePointOnline" { format!("{} {role}", resource.name) } else { role.to_string() },
        "description": null,
        "originSystem": resource.origin_system,
        "originId": origin,
    })
}

fn scope_json(resource: &Resource) -> Value {
    json!({
        "id": scope_id(resource.name),
        "displayName": "Root",
        "description": "Root Scope",
        "originSystem": resource.origin_system,
        "originId": resource.origin_id,
        "isRootScope": true,
    })
}

fn resource_json(g: &Generation<'_>, resource: &Resource) -> Value {
    json!({
        "id": ids::object_id("accessPackageResource", resource.name),
        "displayName": resource.name,
        "description": resource.description,
        "originSystem": resource.origin_system,
        "originId": resource.origin_id,
        "createdDateTime": g.clock.days_ago(resource.added_days_ago),
        "modifiedDateTime": g.clock.days_ago(resource.added_days_ago),
        "roles": resource.roles.iter().map(|(role, origin)| role_json(resource, role, origin)).collect::<Vec<_>>(),
        "scopes": [scope_json(resource)],
    })
}

/// A Logic App behind a custom extension: its workflow name and trigger id.
fn logic_app(workflow: &str, trigger: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
        "subscriptionId": ids::object_id("azureSubscription", "Woodgrove Identity Automation"),
        "resourceGroupName": "rg-identity-governance",
        "logicAppWorkflowName": workflow,
        "url": format!(
            "https://prod-07.westeurope.logic.azure.com:443/workflows/{trigger}/triggers/manual/paths/invoke?api-version=2016-10-01"
        ),
    })
}

fn custom_extensions(g: &Generation<'_>, catalog: &str) -> Vec<Value> {
    if catalog != FINANCE_RESOURCES {
        return Vec::new();
    }
    vec![
        json!({
            "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension",
            "id": extension_id(NOTIFY_FINANCE_OPS),
            "displayName": NOTIFY_FINANCE_OPS,
            "description": "Posts granted Finance access to the Finance Ops channel and waits for its acknowledgement",
            "createdDateTime": g.clock.days_ago(240),
            "lastModifiedDateTime": g.clock.days_ago(35),
            "clientConfiguration": null,
            "endpointConfiguration": logic_app("la-finance-access-notify", "4f1c9a0e7b2d4c6e8a1b3d5f7e9c0a2b"),
            "authenticationConfiguration": { "@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication" },
            "callbackConfiguration": {
                "@odata.type": "#microsoft.graph.customExtensionCallbackConfiguration",
                "durationBeforeTimeout": "PT1H",
            },
        }),
        json!({
            "@odata.type": "#microsoft.graph.accessPackageAssignmentWorkflowExtension",
            "id": extension_id(FINANCE_SANDBOX),
            "displayName": FINANCE_SANDBOX,
            "description": "Creates a reporting sandbox for a new analyst (not yet used by any policy)",
            "createdDateTime": g.clock.days_ago(60),
            "lastModifiedDateTime": g.clock.days_ago(60),
            "clientConfiguration": null,
            "endpointConfiguration": logic_app("la-finance-sandbox-provision", "9b8e7d6c5a4f3e2d1c0b9a8f7e6d5c4b"),
            "authenticationConfiguration": { "@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication" },
        }),
    ]
}

/// A package: name, catalog, description, hidden, the (resource, role) pairs it grants, its
/// policies, days since it was created.
type PackageRow = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
    i64,
);

const PACKAGES: &[PackageRow] = &[
    (
        FINANCE_TOOLKIT,
        FINANCE_RESOURCES,
        "Finance App Users membership and the Finance Reports site, for Finance analysts",
        false,
        &[(FINANCE_APP_USERS, "Member"), ("Finance Reports", "Members")],
        &[FINANCE_STAFF],
        650,
    ),
    (
        TREASURY_PILOT,
        FINANCE_RESOURCES,
        "Pilot access to the Woodgrove Finance Portal's forecasting; administrators assign it",
        true,
        &[(FINANCE_PORTAL, "Default Access")],
        &[ADMIN_ONLY],
        45,
    ),
    (
        SALES_ENABLEMENT,
        SALES_RESOURCES,
        "Sales CRM and the Sales Hub site for Woodgrove sales staff",
        false,
        &[(SALES_CRM, "Default Access"), ("Sales Hub", "Members")],
        &[INTERNAL_SALES],
        500,
    ),
    (
        SALES_PARTNER_ACCESS,
        SALES_RESOURCES,
        "The Fabrikam Partner Portal and read access to the Sales Hub, for Fabrikam partners",
        false,
        &[("Fabrikam Partner Portal", "Members"), ("Sales Hub", "Visitors")],
        &[FABRIKAM_POLICY],
        370,
    ),
];

const FINANCE_STAFF: &str = "Finance staff";
const ADMIN_ONLY: &str = "Administrator assignment only";
const INTERNAL_SALES: &str = "Internal sales staff";
const FABRIKAM_POLICY: &str = "Fabrikam partners";

fn package_of_policy(policy: &str) -> Option<&'static PackageRow> {
    PACKAGES.iter().find(|p| p.5.contains(&policy))
}

/// `accessPackageCatalog` resources, with their resources and custom extensions contained and
/// their packages referenced.
pub fn catalogs(g: &Generation<'_>) -> Vec<Value> {
    [
        (GENERAL, "serviceDefault", true, "Built-in catalog.", 900),
        (FINANCE_RESOURCES, "userManaged", false, "Finance apps, groups and sites for Finance staff", 700),
        (SALES_RESOURCES, "userManaged", true, "Sales tools, and what partners may request", 520),
    ]
    .into_iter()
    .map(|(name, kind, external, description, created)| {
        json!({
            "id": catalog_id(name),
            "displayName": name,
            "description": description,
            "catalogType": kind,
            "state": "published",
            "isExternallyVisible": external,
            "createdDateTime": g.clock.days_ago(created),
            "modifiedDateTime": g.clock.days_ago(created.min(30)),
            "accessPackages": PACKAGES.iter().filter(|p| p.1 == name).map(|p| reference(access_package_id(p.0))).collect::<Vec<_>>(),
            "resources": resources(name).iter().map(|r| resource_json(g, r)).collect::<Vec<_>>(),
            "customWorkflowExtensions": custom_extensions(g, name),
        })
    })
    .collect()
}

/// `accessPackage` resources, with their resource role scopes contained.
pub fn access_packages(g: &Generation<'_>) -> Vec<Value> {
    PACKAGES
        .iter()
        .map(|&(name, catalog, description, hidden, grants, policies, created)| {
            let catalog_resources = resources(catalog);
            let scopes: Vec<Value> = grants
                .iter()
                .filter_map(|(resource, role)| {
                    let resource = catalog_resources.iter().find(|r| r.name == *resource)?;
                    let origin = resource.roles.iter().find(|(name, _)| name == role).map(|(_, o)| o.clone())?;
                    Some(json!({
                        "id": format!("{}_{}", role_id(resource.name, role), scope_id(resource.name)),
                        "createdDateTime": g.clock.days_ago(created),
                        "role": role_json(resource, role, &origin),
                        "scope": scope_json(resource),
                    }))
                })
                .collect();
            json!({
                "id": access_package_id(name),
                "displayName": name,
                "description": description,
                "isHidden": hidden,
                "createdDateTime": g.clock.days_ago(created),
                "modifiedDateTime": g.clock.days_ago(created.min(20)),
                "catalog": reference(catalog_id(catalog)),
                "resourceRoleScopes": scopes,
                "assignmentPolicies": policies.iter().map(|p| reference(policy_id(p))).collect::<Vec<_>>(),
            })
        })
        .collect()
}

fn single_user(g: &Generation<'_>, handle: &str) -> Value {
    let person = g.cast.person(handle);
    json!({
        "@odata.type": "#microsoft.graph.singleUser",
        "userId": person.map(|p| p.id.clone()).unwrap_or_default(),
        "description": person.map(|p| p.display_name.clone()),
    })
}

fn subject_set(kind: &str) -> Value {
    json!({ "@odata.type": format!("#microsoft.graph.{kind}") })
}

fn no_review() -> Value {
    json!({ "isEnabled": false, "primaryReviewers": [], "fallbackReviewers": [] })
}

fn approval_stage(primary: Vec<Value>, fallback: Vec<Value>, days: u32) -> Value {
    json!({
        "durationBeforeAutomaticDenial": format!("P{days}D"),
        "isApproverJustificationRequired": true,
        "isEscalationEnabled": false,
        "durationBeforeEscalation": "PT0S",
        "primaryApprovers": primary,
        "fallbackPrimaryApprovers": fallback,
        "escalationApprovers": [],
        "fallbackEscalationApprovers": [],
    })
}

fn requestor_settings(self_request: bool) -> Value {
    json!({
        "enableTargetsToSelfAddAccess": self_request,
        "enableTargetsToSelfUpdateAccess": self_request,
        "enableTargetsToSelfRemoveAccess": self_request,
        "allowCustomAssignmentSchedule": false,
        "enableOnBehalfRequestorsToAddAccess": false,
        "enableOnBehalfRequestorsToUpdateAccess": false,
        "enableOnBehalfRequestorsToRemoveAccess": false,
        "onBehalfRequestors": [],
    })
}

fn after(duration: &str) -> Value {
    json!({ "type": "afterDuration", "duration": duration, "endDateTime": null })
}

/// `accessPackageAssignmentPolicy` resources.
pub fn assignment_policies(g: &Generation<'_>) -> Vec<Value> {
    let fabrikam = connected_organization_id(FABRIKAM_PARTNERS);
    let policies = [
        (
            FINANCE_STAFF,
            "Finance Department members request it; their manager approves",
            json!("specificDirectoryUsers"),
            json!([{
                "@odata.type": "#microsoft.graph.groupMembers",
                "groupId": ids::group_id(FINANCE_DEPARTMENT),
                "description": FINANCE_DEPARTMENT,
            }]),
            requestor_settings(true),
            json!({
                "isApprovalRequiredForAdd": true,
                "isApprovalRequiredForUpdate": false,
                "stages": [approval_stage(vec![single_user(g, "daniel")], vec![single_user(g, "grace.whitfield")], 14)],
            }),
            after("P180D"),
            no_review(),
            vec![("assignmentRequestGranted", NOTIFY_FINANCE_OPS)],
        ),
        (
            ADMIN_ONLY,
            "No one requests it; administrators assign it directly",
            json!("notSpecified"),
            json!([]),
            requestor_settings(false),
            json!({ "isApprovalRequiredForAdd": false, "isApprovalRequiredForUpdate": false, "stages": [] }),
            json!({ "type": "noExpiration", "duration": null, "endDateTime": null }),
            no_review(),
            Vec::new(),
        ),
        (
            INTERNAL_SALES,
            "Any member of staff requests it; their manager approves",
            json!("allMemberUsers"),
            json!([]),
            requestor_settings(true),
            json!({
                "isApprovalRequiredForAdd": true,
                "isApprovalRequiredForUpdate": false,
                "stages": [approval_stage(
                    vec![json!({ "@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1 })],
                    vec![single_user(g, "alex")],
                    14,
                )],
            }),
            after("P365D"),
            no_review(),
            Vec::new(),
        ),
        (
            FABRIKAM_POLICY,
            "Fabrikam users request it; their sponsor, then Woodgrove's sponsor approve",
            json!("specificConnectedOrganizationUsers"),
            json!([{
                "@odata.type": "#microsoft.graph.connectedOrganizationMembers",
                "connectedOrganizationId": fabrikam,
                "description": FABRIKAM_PARTNERS,
            }]),
            requestor_settings(true),
            json!({
                "isApprovalRequiredForAdd": true,
                "isApprovalRequiredForUpdate": true,
                "stages": [
                    approval_stage(vec![subject_set("externalSponsors")], vec![subject_set("internalSponsors")], 7),
                    approval_stage(vec![subject_set("internalSponsors")], vec![single_user(g, "alex")], 7),
                ],
            }),
            after("P90D"),
            json!({
                "isEnabled": true,
                "expirationBehavior": "removeAccess",
                "isRecommendationEnabled": true,
                "isReviewerJustificationRequired": true,
                "isSelfReview": false,
                "schedule": {
                    "startDateTime": g.clock.days_ago(60),
                    "expiration": { "type": "afterDuration", "duration": "P14D", "endDateTime": null },
                    "recurrence": {
                        "pattern": { "type": "absoluteMonthly", "interval": 3, "month": 0, "dayOfMonth": 0, "daysOfWeek": [], "firstDayOfWeek": "sunday", "index": "first" },
                        "range": { "type": "noEnd", "numberOfOccurrences": 0, "recurrenceTimeZone": null, "startDate": null, "endDate": null },
                    },
                },
                "primaryReviewers": [single_user(g, "alex")],
                "fallbackReviewers": [],
            }),
            Vec::new(),
        ),
    ];
    policies
        .into_iter()
        .map(|(name, description, scope, targets, requestors, approval, expiration, review, hooks)| {
            let package = package_of_policy(name);
            let created = package.map(|p| p.6).unwrap_or(30);
            json!({
                "id": policy_id(name),
                "displayName": name,
                "description": description,
                "allowedTargetScope": scope,
                "specificAllowedTargets": targets,
                "automaticRequestSettings": null,
                "requestorSettings": requestors,
                "requestApprovalSettings": approval,
                "expiration": expiration,
                "reviewSettings": review,
                "createdDateTime": g.clock.days_ago(created),
                "modifiedDateTime": g.clock.days_ago(created.min(40)),
                "accessPackage": package.map(|p| reference(access_package_id(p.0))),
                "catalog": package.map(|p| reference(catalog_id(p.1))),
                "customExtensionStageSettings": hooks
                    .iter()
                    .map(|(stage, extension)| json!({
                        "id": ids::object_id("customExtensionStageSetting", &format!("{name}/{stage}")),
                        "stage": stage,
                        "customExtension": reference(extension_id(extension)),
                    }))
                    .collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The `accessPackageSubject` a person is in entitlement management; guests come from the
/// Fabrikam Partners connected organization.
fn subject(person: &Person) -> Value {
    let mut subject = json!({
        "id": ids::object_id("accessPackageSubject", &person.id),
        "objectId": person.id,
        "displayName": person.display_name,
        "principalName": person.user_principal_name,
        "email": person.mail,
        "subjectType": "user",
        "onPremisesSecurityIdentifier": null,
    });
    if person.guest
        && let Value::Object(map) = &mut subject
    {
        map.insert("connectedOrganization".into(), reference(connected_organization_id(FABRIKAM_PARTNERS)));
    }
    subject
}

/// An assignment: who, which package, days since it started, days it lasts (the policy's
/// expiration), and whether it is still delivered.
const ASSIGNMENTS: &[(&str, &str, i64, i64)] = &[
    ("karita", FINANCE_TOOLKIT, 120, 180),
    ("wei.zhang", FINANCE_TOOLKIT, 150, 180),
    ("maria.garcia", SALES_ENABLEMENT, 300, 365),
    ("noah.kim", SALES_ENABLEMENT, 100, 365),
    ("david.nguyen", SALES_PARTNER_ACCESS, 40, 90),
    ("julie.moreau", SALES_PARTNER_ACCESS, 25, 90),
    ("paul.dupont", SALES_PARTNER_ACCESS, 60, 90),
    // Ends in 5 days.
    ("tariq.aziz", SALES_PARTNER_ACCESS, 85, 90),
    // Ended 110 days ago.
    ("laura.bianchi", SALES_PARTNER_ACCESS, 200, 90),
];

fn schedule(g: &Generation<'_>, started: i64, days: i64) -> Value {
    json!({
        "startDateTime": g.clock.days_ago(started),
        "expiration": { "type": "afterDuration", "duration": format!("P{days}D"), "endDateTime": g.clock.days_ahead(days - started) },
        "recurrence": null,
    })
}

/// `accessPackageAssignment` resources, with their target contained.
pub fn assignments(g: &Generation<'_>) -> Vec<Value> {
    ASSIGNMENTS
        .iter()
        .filter_map(|&(handle, package, started, days)| {
            let person = g.cast.person(handle)?;
            let row = PACKAGES.iter().find(|p| p.0 == package)?;
            let expired = started >= days;
            Some(json!({
                "id": assignment_id(handle, package),
                "state": if expired { "expired" } else { "delivered" },
                "status": if expired { "Expired" } else { "Delivered" },
                "expiredDateTime": if expired { Some(g.clock.days_ago(started - days)) } else { None },
                "schedule": schedule(g, started, days),
                "customExtensionCalloutInstances": [],
                "target": subject(person),
                "accessPackage": reference(access_package_id(package)),
                "assignmentPolicy": reference(policy_id(row.5[0])),
            }))
        })
        .collect()
}

/// `accessPackageAssignmentRequest` resources: Karita's granted and denied requests, and
/// Rosa's waiting for her sponsors.
pub fn assignment_requests(g: &Generation<'_>) -> Vec<Value> {
    let requests = [
        ("karita", FINANCE_TOOLKIT, "delivered", "Delivered", 121, Some(120), true),
        ("karita", SALES_ENABLEMENT, "denied", "Denied", 10, Some(9), false),
        ("rosa.mendez", SALES_PARTNER_ACCESS, "pendingApproval", "PendingApproval", 2, None, false),
    ];
    requests
        .into_iter()
        .filter_map(|(handle, package, state, status, created, completed, granted)| {
            let person = g.cast.person(handle)?;
            Some(json!({
                "id": request_id(handle, package),
                "requestType": "userAdd",
                "state": state,
                "status": status,
                "createdDateTime": g.clock.days_ago(created),
                "completedDateTime": completed.map(|d| g.clock.days_ago(d)),
                "schedule": { "startDateTime": g.clock.days_ago(created), "expiration": { "type": "notSpecified" }, "recurrence": null },
                "requestor": subject(person),
                "accessPackage": reference(access_package_id(package)),
                "assignment": if granted { Some(reference(assignment_id(handle, package))) } else { None },
            }))
        })
        .collect()
}

/// `connectedOrganization` resources, with their sponsors as references.
pub fn connected_organizations(g: &Generation<'_>) -> Vec<Value> {
    let person_ref = |handle: &str| g.cast.person(handle).map(|p| reference(p.id.clone()));
    vec![
        json!({
            "id": connected_organization_id(FABRIKAM_PARTNERS),
            "displayName": FABRIKAM_PARTNERS,
            "description": "Fabrikam's sales channel and audit consultants",
            "identitySources": [
                {
                    "@odata.type": "#microsoft.graph.azureActiveDirectoryTenant",
                    "tenantId": ids::fabrikam_tenant_id(),
                    "displayName": FABRIKAM_PARTNERS,
                },
                {
                    "@odata.type": "#microsoft.graph.domainIdentitySource",
                    "domainName": GUEST_DOMAIN,
                    "displayName": GUEST_DOMAIN,
                },
            ],
            "state": "configured",
            "createdDateTime": g.clock.days_ago(400),
            "modifiedDateTime": g.clock.days_ago(30),
            "internalSponsors": person_ref("alex").into_iter().collect::<Vec<_>>(),
            "externalSponsors": person_ref("mark.taylor").into_iter().collect::<Vec<_>>(),
        }),
        json!({
            "id": connected_organization_id(CONTOSO_ADVISORY),
            "displayName": CONTOSO_ADVISORY,
            "description": format!("Proposed when a contosoadvisory.com user asked for access at {DOMAIN}"),
            "identitySources": [{
                "@odata.type": "#microsoft.graph.domainIdentitySource",
                "domainName": "contosoadvisory.com",
                "displayName": "contosoadvisory.com",
            }],
            "state": "proposed",
            "createdDateTime": g.clock.days_ago(5),
            "modifiedDateTime": g.clock.days_ago(5),
            "internalSponsors": [],
            "externalSponsors": [],
        }),
    ]
}
