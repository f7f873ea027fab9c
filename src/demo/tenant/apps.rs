//! Applications and service principals: Microsoft's first-party apps the sign-ins use, the
//! bank's own registrations from the story (Payroll Sync, HR Onboarding Automation, Legacy
//! Reports Portal, Treasury Forecast Tool, Woodgrove Finance Portal), gallery apps (Sales CRM,
//! Workday Inbound) and the external, unverified Fabrikam Expense Sync.

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
            };
            let publisher_name = match a.publisher {
                Publisher::Microsoft => "Microsoft Services",
                Publisher::Woodgrove | Publisher::Gallery => "Woodgrove Bank",
                Publisher::Fabrikam => "Fabrikam Partners",
            };
            let verified_publisher = match a.publisher {
                Publisher::Gallery => json!({
                    "displayName": a.name,
                    "verifiedPublisherId": "5412890",
                    "addedDateTime": clock.days_ago(900),
                }),
                _ => json!({"displayName": null, "verifiedPublisherId": null, "addedDateTime": null}),
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
                "verifiedPublisher": verified_publisher,
                "signInAudience": if own { "AzureADMyOrg" } else { "AzureADMultipleOrgs" },
                "servicePrincipalNames": [app_id(a.name)],
                "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
                "passwordCredentials": if own { password_credentials(a.name, clock) } else { json!([]) },
                "keyCredentials": if own { key_credentials(a.name, clock) } else { json!([]) },
                "createdDateTime": created(clock, a),
            })
        })
        .collect()
}

fn created(clock: &Clock, app: &AppRow) -> String {
    if app.name == TREASURY_FORECAST { clock.hours_ago(10) } else { clock.days_ago(app.created_days_ago) }
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

/// Microsoft Graph application permissions (app role ids) the story's apps request.
fn required_resource_access(name: &str) -> Value {
    let roles: &[&str] = match name {
        // User.ReadWrite.All, Mail.Send
        PAYROLL_SYNC => &["741f803b-c850-494e-b5df-cde7c675a1ca", "b633e1c5-b582-4048-a93e-9f11b44c7e96"],
        // RoleManagement.ReadWrite.Directory
        HR_ONBOARDING => &["9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"],
        // Reports.Read.All
        LEGACY_REPORTS => &["230c1aed-a721-4c5d-9cb4-a90514e508ef"],
        _ => &[],
    };
    if roles.is_empty() {
        return json!([]);
    }
    let access: Vec<Value> = roles.iter().map(|id| json!({"id": id, "type": "Role"})).collect();
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
