//! Applications and service principals: Microsoft's first-party apps the sign-ins use, the
//! bank's own registrations from the story (Payroll Sync, HR Onboarding Automation, Legacy
//! Reports Portal, Treasury Forecast Tool, Woodgrove Finance Portal), gallery apps (Sales CRM,
//! Workday Inbound), the external, unverified Fabrikam Expense Sync and Contoso's verified
//! Contoso Meeting Notes; with what each holds
//! (delegated grants, application permissions), who owns their service principals, and when
//! each last signed in (the beta service principal sign-in activity report).

use serde_json::{Value, json};

use super::clock::Clock;
use super::ids;
use super::people::member_id;

/// The tenant id Microsoft's own apps are registered in.
pub const MICROSOFT_TENANT_ID: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

pub const EXCHANGE_ONLINE: &str = "00000002-0000-0ff1-ce00-000000000000";
pub const SHAREPOINT_ONLINE: &str = "00000003-0000-0ff1-ce00-000000000000";
pub const MICROSOFT_GRAPH: &str = "00000003-0000-0000-c000-000000000000";
pub const MICROSOFT_TEAMS: &str = "1fec8e78-bce4-4aaf-ab1b-5451cc387264";
pub const TEAMS_SERVICES: &str = "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe";
pub const AZURE_PORTAL: &str = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
pub const AZURE_MANAGEMENT: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
pub const OFFICE_HOME: &str = "4765445b-32c6-49b0-83e6-1d93765276ca";

/// Who publishes an app, which decides `appOwnerOrganizationId` and whether the tenant holds
/// its application object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publisher {
    Microsoft,
    /// Registered in Woodgrove's own tenant.
    Woodgrove,
    /// A gallery app instantiated in this tenant (application and service principal here).
    Gallery,
    /// Fabrikam's multi-tenant app, consented here.
    Fabrikam,
    /// Contoso's multi-tenant app from a verified publisher, consented by two users.
    Contoso,
}

/// The story's own apps, by display name; `app_id` derives their appIds.
pub const FINANCE_PORTAL: &str = "Woodgrove Finance Portal";
pub const TREASURY_FORECAST: &str = "Treasury Forecast Tool";
pub const PAYROLL_SYNC: &str = "Payroll Sync";
pub const HR_ONBOARDING: &str = "HR Onboarding Automation";
pub const LEGACY_REPORTS: &str = "Legacy Reports Portal";
pub const FABRIKAM_EXPENSE: &str = "Fabrikam Expense Sync";
pub const SALES_CRM: &str = "Sales CRM";
pub const WORKDAY_INBOUND: &str = "Workday Inbound";
pub const CONTOSO_NOTES: &str = "Contoso Meeting Notes";

/// One app: display name, appId, publisher, days since it was added here.
struct AppRow {
    name: &'static str,
    publisher: Publisher,
    created_days_ago: i64,
}

const APPS: &[AppRow] = &[
    AppRow { name: "Office 365 Exchange Online", publisher: Publisher::Microsoft, created_days_ago: 2400 },
    AppRow { name: "Office 365 SharePoint Online", publisher: Publisher::Microsoft, created_days_ago: 2400 },
    AppRow { name: "Microsoft Graph", publisher: Publisher::Microsoft, created_days_ago: 2400 },
    AppRow { name: "Microsoft Teams", publisher: Publisher::Microsoft, created_days_ago: 2400 },
    AppRow { name: "Microsoft Teams Services", publisher: Publisher::Microsoft, created_days_ago: 2400 },
    AppRow { name: "Azure Portal", publisher: Publisher::Microsoft, created_days_ago: 2400 },
    AppRow { name: "Windows Azure Service Management API", publisher: Publisher::Microsoft, created_days_ago: 2400 },
    AppRow { name: "OfficeHome", publisher: Publisher::Microsoft, created_days_ago: 2400 },
    AppRow { name: FINANCE_PORTAL, publisher: Publisher::Woodgrove, created_days_ago: 820 },
    AppRow { name: TREASURY_FORECAST, publisher: Publisher::Woodgrove, created_days_ago: 0 },
    AppRow { name: PAYROLL_SYNC, publisher: Publisher::Woodgrove, created_days_ago: 610 },
    AppRow { name: HR_ONBOARDING, publisher: Publisher::Woodgrove, created_days_ago: 330 },
    AppRow { name: LEGACY_REPORTS, publisher: Publisher::Woodgrove, created_days_ago: 1900 },
    AppRow { name: SALES_CRM, publisher: Publisher::Gallery, created_days_ago: 540 },
    AppRow { name: WORKDAY_INBOUND, publisher: Publisher::Gallery, created_days_ago: 700 },
    AppRow { name: FABRIKAM_EXPENSE, publisher: Publisher::Fabrikam, created_days_ago: 3 },
    AppRow { name: CONTOSO_NOTES, publisher: Publisher::Contoso, created_days_ago: 400 },
];

/// The appId of an app by display name: Microsoft's real ids for first-party apps, a stable
/// UUIDv5 for the others.
pub fn app_id(name: &str) -> String {
    match name {
        "Office 365 Exchange Online" => EXCHANGE_ONLINE.into(),
        "Office 365 SharePoint Online" => SHAREPOINT_ONLINE.into(),
        "Microsoft Graph" => MICROSOFT_GRAPH.into(),
        "Microsoft Teams" => MICROSOFT_TEAMS.into(),
        "Microsoft Teams Services" => TEAMS_SERVICES.into(),
        "Azure Portal" => AZURE_PORTAL.into(),
        "Windows Azure Service Management API" => AZURE_MANAGEMENT.into(),
        "OfficeHome" => OFFICE_HOME.into(),
        other => ids::object_id("appId", other),
    }
}

/// The object id of the service principal of an app (by display name).
pub fn service_principal_id(name: &str) -> String {
    ids::object_id("servicePrincipal", name)
}

/// The object id of the application object of an app (by display name).
pub fn application_id(name: &str) -> String {
    ids::object_id("application", name)
}

/// Application (registration) objects: the apps whose registration lives in this tenant.
pub fn applications(clock: &Clock) -> Vec<Value> {
    APPS.iter()
        .filter(|a| matches!(a.publisher, Publisher::Woodgrove | Publisher::Gallery))
        .map(|a| {
            json!({
                "id": application_id(a.name),
                "appId": app_id(a.name),
                "displayName": a.name,
                "createdDateTime": created(clock, a),
                "signInAudience": "AzureADMyOrg",
                "publisherDomain": super::DOMAIN,
                "description": Value::Null,
                "tags": [],
                "passwordCredentials": password_credentials(a.name, clock),
                "keyCredentials": key_credentials(a.name, clock),
                "requiredResourceAccess": required_resource_access(a.name),
                "web": {"redirectUris": web_redirects(a.name), "homePageUrl": Value::Null},
                "verifiedPublisher": verified_publisher(a, clock),
            })
        })
        .collect()
}

/// Service principals (enterprise apps) for every app, Microsoft's included.
pub fn service_principals(clock: &Clock, tenant_id: &str) -> Vec<Value> {
    APPS.iter()
        .map(|a| {
            let owner_tenant = match a.publisher {
                Publisher::Microsoft => MICROSOFT_TENANT_ID.to_string(),
                Publisher::Woodgrove | Publisher::Gallery => tenant_id.to_string(),
                Publisher::Fabrikam => ids::fabrikam_tenant_id(),
                Publisher::Contoso => ids::object_id("tenant", "contoso.com"),
            };
            let publisher_name = match a.publisher {
                Publisher::Microsoft => "Microsoft Services",
                Publisher::Woodgrove | Publisher::Gallery => "Woodgrove Bank",
                Publisher::Fabrikam => "Fabrikam Partners",
                Publisher::Contoso => "Contoso Ltd",
            };
            let own = matches!(a.publisher, Publisher::Woodgrove | Publisher::Gallery);
            json!({
                "id": service_principal_id(a.name),
                "appId": app_id(a.name),
                "displayName": a.name,
                "appDisplayName": a.name,
                "appOwnerOrganizationId": owner_tenant,
                "servicePrincipalType": "Application",
                "accountEnabled": true,
                "appRoleAssignmentRequired": a.name == SALES_CRM || a.name == FINANCE_PORTAL,
                "publisherName": publisher_name,
                "verifiedPublisher": verified_publisher(a, clock),
                "signInAudience": if own { "AzureADMyOrg" } else { "AzureADMultipleOrgs" },
                "servicePrincipalNames": [app_id(a.name)],
                "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
                // An app registered here keeps its secrets and certificates on its application
                // object; a service principal holds its own only for SAML signing.
                "passwordCredentials": [],
                "keyCredentials": service_principal_key_credentials(a.name, clock),
                "createdDateTime": created(clock, a),
                "appRoles": if a.name == "Microsoft Graph" { graph_app_roles() } else { json!([]) },
                "oauth2PermissionScopes": if a.name == "Microsoft Graph" { graph_scopes() } else { json!([]) },
            })
        })
        .collect()
}

fn created(clock: &Clock, app: &AppRow) -> String {
    if app.name == TREASURY_FORECAST { clock.hours_ago(10) } else { clock.days_ago(app.created_days_ago) }
}

/// Gallery publishers are verified; Fabrikam's app is not, and the bank's own apps need not be.
fn verified_publisher(app: &AppRow, clock: &Clock) -> Value {
    match app.publisher {
        Publisher::Gallery => json!({
            "displayName": app.name,
            "verifiedPublisherId": "5412890",
            "addedDateTime": clock.days_ago(900),
        }),
        Publisher::Contoso => json!({
            "displayName": "Contoso Ltd",
            "verifiedPublisherId": "6021447",
            "addedDateTime": clock.days_ago(1200),
        }),
        _ => json!({"displayName": null, "verifiedPublisherId": null, "addedDateTime": null}),
    }
}

fn password_credentials(name: &str, clock: &Clock) -> Value {
    let secret = |display: &str, start: String, end: String, hint: &str| {
        json!({
            "keyId": ids::object_id("passwordCredential", &format!("{name}/{display}")),
            "displayName": display,
            "startDateTime": start,
            "endDateTime": end,
            "hint": hint,
            "customKeyIdentifier": null,
            "secretText": null,
        })
    };
    match name {
        PAYROLL_SYNC => json!([
            secret("payroll-2024", clock.days_ago(353), clock.days_ahead(12), "pQ8"),
            secret("payroll-rotation", clock.days_ago(4), clock.days_ahead(176), "x7L"),
        ]),
        LEGACY_REPORTS => json!([secret("reports-prod", clock.days_ago(770), clock.days_ago(40), "Rk2")]),
        HR_ONBOARDING => json!([secret("onboarding", clock.days_ago(120), clock.days_ahead(245), "h3N")]),
        SALES_CRM => json!([secret("scim-token", clock.days_ago(200), clock.days_ahead(165), "c9Q")]),
        // Added with the registration 10 hours ago, valid for two years.
        TREASURY_FORECAST => json!([secret("forecast-dev", clock.hours_ago(10), clock.days_ahead(730), "T4w")]),
        _ => json!([]),
    }
}

fn key_credentials(name: &str, clock: &Clock) -> Value {
    match name {
        WORKDAY_INBOUND | FINANCE_PORTAL => json!([{
            "keyId": ids::object_id("keyCredential", name),
            "displayName": format!("CN={name}"),
            "type": "AsymmetricX509Cert",
            "usage": "Verify",
            "startDateTime": clock.days_ago(300),
            "endDateTime": clock.days_ahead(430),
            "customKeyIdentifier": null,
        }]),
        _ => json!([]),
    }
}

/// The Microsoft Graph permissions the story's apps request: application permissions (app
/// role ids, `Role`) and delegated ones (scope ids, `Scope`).
fn required_resource_access(name: &str) -> Value {
    let (roles, scopes): (&[&str], &[&str]) = match name {
        PAYROLL_SYNC => (&["User.ReadWrite.All", "Mail.Send"], &[]),
        HR_ONBOARDING => (&["RoleManagement.ReadWrite.Directory"], &[]),
        LEGACY_REPORTS => (&["Reports.Read.All", "Directory.Read.All"], &[]),
        TREASURY_FORECAST => (&[], &["User.Read", "Files.Read.All", "offline_access"]),
        FINANCE_PORTAL => (&[], &["User.Read", "openid", "profile"]),
        SALES_CRM => (&[], &["User.Read"]),
        _ => (&[], &[]),
    };
    let mut access: Vec<Value> = Vec::new();
    access.extend(roles.iter().filter_map(|r| graph_app_role_id(r)).map(|id| json!({"id": id, "type": "Role"})));
    access.extend(scopes.iter().filter_map(|s| graph_scope_id(s)).map(|id| json!({"id": id, "type": "Scope"})));
    if access.is_empty() {
        return json!([]);
    }
    json!([{"resourceAppId": MICROSOFT_GRAPH, "resourceAccess": access}])
}

fn web_redirects(name: &str) -> Value {
    match name {
        FINANCE_PORTAL => json!(["https://finance.woodgrovebank.com/signin-oidc"]),
        TREASURY_FORECAST => json!(["https://localhost:5001/signin-oidc"]),
        LEGACY_REPORTS => json!(["http://reports.woodgrovebank.com/auth"]),
        _ => json!([]),
    }
}

/// Owners of the bank's own applications (by owner handle); Legacy Reports Portal has none.
pub fn application_owners(name: &str) -> Vec<String> {
    let handles: &[&str] = match name {
        FINANCE_PORTAL => &["daniel", "tom"],
        TREASURY_FORECAST => &["hannah.schmidt"],
        PAYROLL_SYNC => &["tom"],
        HR_ONBOARDING => &["claire.dubois", "elena"],
        SALES_CRM => &["alex"],
        WORKDAY_INBOUND => &["claire.dubois"],
        _ => &[],
    };
    handles.iter().map(|h| member_id(h)).collect()
}

/// Display names of the apps with an application object here (for owners lookups).
pub fn registered_app_names() -> impl Iterator<Item = &'static str> {
    APPS.iter().filter(|a| matches!(a.publisher, Publisher::Woodgrove | Publisher::Gallery)).map(|a| a.name)
}

/// Sales CRM signs its SAML tokens with a certificate of its own, which expires in 25 days.
fn service_principal_key_credentials(name: &str, clock: &Clock) -> Value {
    match name {
        SALES_CRM => json!([{
            "keyId": ids::object_id("keyCredential", &format!("{name}/saml-signing")),
            "displayName": "CN=Microsoft Azure Federated SSO Certificate",
            "type": "AsymmetricX509Cert",
            "usage": "Verify",
            "startDateTime": clock.days_ago(1070),
            "endDateTime": clock.days_ahead(25),
            "customKeyIdentifier": null,
        }]),
        _ => json!([]),
    }
}

/// Microsoft Graph's application permissions (app roles) the demo knows: value, id, as
/// Microsoft publishes them.
const GRAPH_APP_ROLES: &[(&str, &str)] = &[
    ("AppRoleAssignment.ReadWrite.All", "06b708a9-e830-4db3-a914-8e69da51d44f"),
    ("Application.Read.All", "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"),
    ("Application.ReadWrite.All", "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"),
    ("AuditLog.Read.All", "b0afded3-3588-46d8-8b3d-9842eff778da"),
    ("Directory.Read.All", "7ab1d382-f21e-4acd-a863-ba3e13f7da61"),
    ("Directory.ReadWrite.All", "19dbc75e-c2e2-444c-a770-ec69d8559fc7"),
    ("Domain.ReadWrite.All", "7e05723c-0bb0-42da-be95-ae9f08a6e53c"),
    ("Files.Read.All", "01d4889c-1287-42c6-ac1f-5d1e02578ef6"),
    ("Files.ReadWrite.All", "75359482-378d-4052-8f01-80520e7db3cd"),
    ("Group.ReadWrite.All", "62a82d76-70ea-41e2-9197-370581804d09"),
    ("GroupMember.ReadWrite.All", "dbaae8cf-10b5-4b86-a4a1-f871c94c6695"),
    ("Mail.Read", "810c84a8-4a9e-49e6-bf7d-12d183f40d01"),
    ("Mail.ReadWrite", "e2a3a72e-5f79-4c64-b1b1-878b674786c9"),
    ("Mail.Send", "b633e1c5-b582-4048-a93e-9f11b44c7e96"),
    ("Policy.ReadWrite.ConditionalAccess", "01c0a623-fc9b-48e9-b794-0756f8e8f067"),
    ("Policy.ReadWrite.PermissionGrant", "a402ca1c-2696-4531-972d-6e5ee4aa11ea"),
    ("Reports.Read.All", "230c1aed-a721-4c5d-9cb4-a90514e508ef"),
    ("RoleManagement.ReadWrite.Directory", "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"),
    ("User.Read.All", "df021288-bdef-4463-88db-98f22de89214"),
    ("User.ReadWrite.All", "741f803b-c850-494e-b5df-cde7c675a1ca"),
];

/// Microsoft Graph's delegated permissions (scopes) the demo knows: value, id, admin consent
/// required.
const GRAPH_SCOPES: &[(&str, &str, bool)] = &[
    ("Calendars.Read", "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42", false),
    ("Directory.AccessAsUser.All", "0e263e50-5827-48a4-b97c-d940288653c7", true),
    ("Directory.Read.All", "06da0dbc-49e2-44d2-8312-53f166ab848a", true),
    ("Directory.ReadWrite.All", "c5366453-9fb0-48a5-a156-24f0c49a4b84", true),
    ("Files.Read.All", "df85f4d6-205c-4ac5-a5ea-6bf408dba283", false),
    ("Mail.Read", "570282fd-fa5c-430d-a7fd-fc8dc98a9dca", false),
    ("Mail.Send", "e383f46e-2787-4529-855e-0e479a3ffac0", false),
    ("User.Read", "e1fe6dd8-ba31-4d61-89e7-88639da4683d", false),
    ("User.Read.All", "a154be20-db9c-4678-8ab7-66f6cc099a59", true),
    ("User.ReadWrite.All", "204e0828-b5ca-4ad8-b9f3-f32a958e7cc4", true),
    ("offline_access", "7427e0e9-2fba-42fe-b0c0-848c9e6a8182", false),
    ("openid", "37f7f235-527c-4136-accd-4a02d197296e", false),
    ("profile", "14dad69e-099b-42c9-810b-d002981feec1", false),
];

fn graph_app_role_id(value: &str) -> Option<&'static str> {
    GRAPH_APP_ROLES.iter().find(|(v, _)| *v == value).map(|(_, id)| *id)
}

fn graph_scope_id(value: &str) -> Option<&'static str> {
    GRAPH_SCOPES.iter().find(|(v, ..)| *v == value).map(|(_, id, _)| *id)
}

/// `appRoles` of Microsoft Graph's service principal, so assignments translate to names.
fn graph_app_roles() -> Value {
    GRAPH_APP_ROLES
        .iter()
        .map(|(value, id)| {
            json!({
                "id": id,
                "value": value,
                "displayName": value,
                "description": format!("Allows the app {value} without a signed-in user."),
                "allowedMemberTypes": ["Application"],
                "isEnabled": true,
                "origin": "Application",
            })
        })
        .collect()
}

/// `oauth2PermissionScopes` of Microsoft Graph's service principal.
fn graph_scopes() -> Value {
    GRAPH_SCOPES
        .iter()
        .map(|(value, id, admin)| {
            json!({
                "id": id,
                "value": value,
                "adminConsentDisplayName": value,
                "adminConsentDescription": format!("Allows the app {value} on behalf of the signed-in user."),
                "type": if *admin { "Admin" } else { "User" },
                "isEnabled": true,
            })
        })
        .collect()
}

/// Application permissions granted to the story's apps on Microsoft Graph (app role
/// assignments whose principal is the app): app, permission, days since granted.
const APP_PERMISSIONS: &[(&str, &str, i64)] = &[
    (PAYROLL_SYNC, "User.ReadWrite.All", 605),
    (PAYROLL_SYNC, "Mail.Send", 605),
    (HR_ONBOARDING, "RoleManagement.ReadWrite.Directory", 330),
    (LEGACY_REPORTS, "Reports.Read.All", 1890),
    (LEGACY_REPORTS, "Directory.Read.All", 1890),
    // Granted with the admin consent three days ago, beside the delegated Mail.Read.
    (FABRIKAM_EXPENSE, "Directory.ReadWrite.All", 3),
];

/// `appRoleAssignment`s by the service principal that holds them
/// (`/servicePrincipals/{id}/appRoleAssignments`).
pub fn app_role_assignments(clock: &Clock) -> Vec<(String, Vec<Value>)> {
    let graph = service_principal_id("Microsoft Graph");
    let mut by_app: Vec<(String, Vec<Value>)> = Vec::new();
    for &(app, permission, days) in APP_PERMISSIONS {
        let principal = service_principal_id(app);
        let assignment = json!({
            "id": ids::object_id("appRoleAssignment", &format!("{app}/{permission}")),
            "appRoleId": graph_app_role_id(permission).unwrap_or_default(),
            "principalId": principal,
            "principalDisplayName": app,
            "principalType": "ServicePrincipal",
            "resourceId": graph,
            "resourceDisplayName": "Microsoft Graph",
            "createdDateTime": clock.days_ago(days),
            "deletedDateTime": null,
        });
        match by_app.iter_mut().find(|(id, _)| *id == principal) {
            Some((_, list)) => list.push(assignment),
            None => by_app.push((principal, vec![assignment])),
        }
    }
    by_app
}

/// Delegated permission grants: client app, consent for all users (`None`) or one user
/// (handle), scopes on Microsoft Graph.
const GRANTS: &[(&str, Option<&str>, &str)] = &[
    // Priya's admin consent three days ago (the audit log records it).
    (FABRIKAM_EXPENSE, None, "Mail.Read offline_access"),
    (FINANCE_PORTAL, None, "User.Read openid profile"),
    (TREASURY_FORECAST, Some("hannah.schmidt"), "User.Read Files.Read.All offline_access"),
    (SALES_CRM, Some("alex"), "User.Read"),
    (SALES_CRM, Some("maria.garcia"), "User.Read"),
    (SALES_CRM, Some("noah.kim"), "User.Read"),
    (CONTOSO_NOTES, Some("karita"), "User.Read Calendars.Read"),
    (CONTOSO_NOTES, Some("wei.zhang"), "User.Read Calendars.Read"),
];

/// `oauth2PermissionGrant`s by client service principal
/// (`/servicePrincipals/{id}/oauth2PermissionGrants`).
pub fn oauth2_permission_grants() -> Vec<(String, Vec<Value>)> {
    let graph = service_principal_id("Microsoft Graph");
    let mut by_app: Vec<(String, Vec<Value>)> = Vec::new();
    for &(app, user, scope) in GRANTS {
        let client = service_principal_id(app);
        let grant = json!({
            "id": ids::object_id("oauth2PermissionGrant", &format!("{app}/{}", user.unwrap_or("all"))),
            "clientId": client,
            "consentType": if user.is_some() { "Principal" } else { "AllPrincipals" },
            "principalId": user.map(member_id),
            "resourceId": graph,
            "scope": scope,
        });
        match by_app.iter_mut().find(|(id, _)| *id == client) {
            Some((_, list)) => list.push(grant),
            None => by_app.push((client, vec![grant])),
        }
    }
    by_app
}

/// Owners of service principals (enterprise apps), by owner handle. Fabrikam Expense Sync,
/// registered in Fabrikam's tenant, has no owner here.
pub fn service_principal_owners() -> Vec<(String, Vec<String>)> {
    [(SALES_CRM, &["alex"][..]), (WORKDAY_INBOUND, &["claire.dubois"]), (FINANCE_PORTAL, &["daniel"])]
        .iter()
        .map(|(name, handles)| (service_principal_id(name), handles.iter().map(|h| member_id(h)).collect()))
        .collect()
}

/// Hours ago of each kind of last sign-in: delegated as client, delegated as resource,
/// app-only as client, app-only as resource. `None` when it never happened.
type Activity = (&'static str, [Option<i64>; 4]);

const SIGN_IN_ACTIVITY: &[Activity] = &[
    ("Microsoft Graph", [None, Some(0), None, Some(2)]),
    ("Office 365 Exchange Online", [None, Some(1), None, None]),
    ("Microsoft Teams", [Some(1), None, None, None]),
    ("Azure Portal", [Some(3), None, None, None]),
    (FINANCE_PORTAL, [Some(1), None, None, None]),
    (TREASURY_FORECAST, [Some(8), None, None, None]),
    (PAYROLL_SYNC, [None, None, Some(2), None]),
    (HR_ONBOARDING, [None, None, Some(6), None]),
    // Nothing since its last scheduled export, six months ago.
    (LEGACY_REPORTS, [Some(200 * 24), None, Some(180 * 24), None]),
    (SALES_CRM, [Some(3), None, Some(1), None]),
    (WORKDAY_INBOUND, [None, None, Some(1), None]),
    (FABRIKAM_EXPENSE, [Some(20), None, None, None]),
    (CONTOSO_NOTES, [Some(45 * 24), None, None, None]),
];

/// The beta report `/reports/servicePrincipalSignInActivities`: each app's last sign-in by
/// kind; the id is the appId in base64, as Graph makes it.
pub fn service_principal_sign_in_activities(g: &super::Generation<'_>) -> Vec<Value> {
    use base64::Engine as _;
    let clock = g.clock;
    let activity = |app: &str, kind: &str, hours: Option<i64>| match hours {
        Some(h) => json!({
            "lastSignInDateTime": clock.hours_ago(h),
            "lastSignInRequestId": ids::object_id("signInRequest", &format!("{app}/{kind}")),
        }),
        None => json!({"lastSignInDateTime": null, "lastSignInRequestId": null}),
    };
    SIGN_IN_ACTIVITY
        .iter()
        .map(|&(app, [delegated_client, delegated_resource, app_client, app_resource])| {
            let app_id = app_id(app);
            let kinds = [
                ("delegatedClient", delegated_client),
                ("delegatedResource", delegated_resource),
                ("appClient", app_client),
                ("appResource", app_resource),
            ];
            // The latest sign-in of any kind, with that sign-in's request id.
            let (last_kind, last) =
                kinds.into_iter().filter(|(_, h)| h.is_some()).min_by_key(|(_, h)| *h).unwrap_or(("none", None));
            json!({
                "id": base64::engine::general_purpose::STANDARD.encode(app_id.as_bytes()),
                "appId": app_id,
                "lastSignInActivity": activity(app, last_kind, last),
                "delegatedClientSignInActivity": activity(app, "delegatedClient", delegated_client),
                "delegatedResourceSignInActivity": activity(app, "delegatedResource", delegated_resource),
                "applicationAuthenticationClientSignInActivity": activity(app, "appClient", app_client),
                "applicationAuthenticationResourceSignInActivity": activity(app, "appResource", app_resource),
            })
        })
        .collect()
}
