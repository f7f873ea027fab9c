//! What users hold in apps, seen from the user: app roles assigned to them directly
//! (`/users/{id}/appRoleAssignments`) and the delegated permissions they consented to for
//! themselves (`/users/{id}/oauth2PermissionGrants`, consent type `Principal`). Karita is
//! assigned the Woodgrove Finance Portal and, three days ago, Fabrikam Expense Sync, and she
//! consented to let the ten-hour-old Treasury Forecast Tool read her files; Alex is assigned
//! Sales CRM.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::apps::{FABRIKAM_EXPENSE, FINANCE_PORTAL, SALES_CRM, TREASURY_FORECAST, service_principal_id};
use super::cast::Cast;
use super::clock::Clock;
use super::ids;

/// The app role every app has for an assignment without a role of its own ("Default Access").
pub const DEFAULT_ACCESS: &str = "00000000-0000-0000-0000-000000000000";

/// A direct assignment: who, which app, which app role, days since it was made.
const APP_ROLE_ASSIGNMENTS: &[(&str, &str, &str, i64)] = &[
    ("karita", FINANCE_PORTAL, DEFAULT_ACCESS, 800),
    ("karita", FABRIKAM_EXPENSE, DEFAULT_ACCESS, 3),
    ("alex", SALES_CRM, DEFAULT_ACCESS, 520),
];

/// A user's own consent: who, the client app, the API it may call for them, the scopes.
const DELEGATED_GRANTS: &[(&str, &str, &str, &str)] =
    &[("karita", TREASURY_FORECAST, "Microsoft Graph", "User.Read Files.Read.All offline_access")];

/// App role assignments by user id.
pub fn app_role_assignments(cast: &Cast<'_>, clock: &Clock) -> HashMap<String, Vec<Value>> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    for &(handle, app, role, days) in APP_ROLE_ASSIGNMENTS {
        let Some(person) = cast.person(handle) else { continue };
        out.entry(person.id.clone()).or_default().push(json!({
            "id": ids::object_id("appRoleAssignment", &format!("{handle}/{app}/{role}")),
            "appRoleId": role,
            "createdDateTime": clock.days_ago(days),
            "deletedDateTime": null,
            "principalDisplayName": person.display_name,
            "principalId": person.id,
            "principalType": "User",
            "resourceDisplayName": app,
            "resourceId": service_principal_id(app),
        }));
    }
    out
}

/// Delegated permission grants a user consented to for themselves, by user id.
pub fn oauth2_permission_grants(cast: &Cast<'_>) -> HashMap<String, Vec<Value>> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    for &(handle, client, resource, scope) in DELEGATED_GRANTS {
        let Some(person) = cast.person(handle) else { continue };
        out.entry(person.id.clone()).or_default().push(json!({
            "id": ids::object_id("oauth2PermissionGrant", &format!("{handle}/{client}/{resource}")),
            "clientId": service_principal_id(client),
            "consentType": "Principal",
            "principalId": person.id,
            "resourceId": service_principal_id(resource),
            "scope": scope,
        }));
    }
    out
}
