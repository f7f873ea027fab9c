//! The sign-ins only Graph beta returns, and only when asked for by `signInEventTypes`:
//! non-interactive user sign-ins (token refreshes), service principal sign-ins and managed
//! identity sign-ins of the last 7 days. v1.0 lists interactive sign-ins only, so these live
//! apart from the interactive log and the emulator adds them on beta alone.
//!
//! - Staff: Teams, Outlook and SharePoint refresh their tokens in the background. After the
//!   helpdesk reset Karita's password (28 hours ago), Outlook on her iPhone kept presenting a
//!   token the reset had revoked (50173) until she signed in again; since her sign-in an hour
//!   ago, Teams on her laptop refreshes as usual.
//! - Apps: Payroll Sync still authenticates with its secret that expires in 12 days although a
//!   new one was added four days ago; HR Onboarding Automation calls Graph every three hours;
//!   the Woodgrove Finance Portal uses its certificate; Treasury Forecast Tool, registered ten
//!   hours ago, keeps failing with a wrong secret (7000215).
//! - Managed identities: an Azure Function reconciling payments (system-assigned) reads Graph
//!   and Key Vault; a batch job's user-assigned identity writes to Storage.
//!
//! Only the story's people and apps sign in here, so the collection stays small at any scale.

use chrono::Duration;
use serde_json::{Value, json};

use super::apps::{self, FINANCE_PORTAL, HR_ONBOARDING, PAYROLL_SYNC, TREASURY_FORECAST};
use super::cast::Cast;
use super::clock::Clock;
use super::devices::Device;
use super::ids;
use super::people::Activity;
use super::places::{self, Place};
use super::rng::Rng;

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// The Azure resource a managed identity belongs to.
struct ManagedIdentity {
    name: &'static str,
    kind: &'static str,
    resource_id: &'static str,
}

const RECON_FUNCTION: ManagedIdentity = ManagedIdentity {
    name: "woodgrove-recon-func",
    kind: "systemAssigned",
    resource_id: "/subscriptions/5f1c9a2e-7d4b-4e8a-9c3f-1b2d3e4f5a6b/resourceGroups/rg-finance-prod/providers/Microsoft.Web/sites/woodgrove-recon-func",
};

const BATCH_IDENTITY: ManagedIdentity = ManagedIdentity {
    name: "id-payments-batch",
    kind: "userAssigned",
    resource_id: "/subscriptions/5f1c9a2e-7d4b-4e8a-9c3f-1b2d3e4f5a6b/resourceGroups/rg-finance-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-payments-batch",
};

/// The application id of a managed identity's service principal.
pub fn managed_identity_app_id(name: &str) -> String {
    ids::object_id("managedIdentityAppId", name)
}

/// The id of a story sign-in of this collection by key (`karita/outlook-revoked`).
pub fn extended_sign_in_id(key: &str) -> String {
    ids::object_id("extendedSignIn", key)
}

/// The beta-only sign-ins, newest first.
pub fn extended_sign_ins(cast: &Cast<'_>, devices: &[Device], clock: &Clock, tenant_id: &str) -> Vec<Value> {
    let mut out: Vec<(i64, Value)> = Vec::new();
    let log = Log { clock, tenant_id };
    staff_refreshes(cast, devices, &log, &mut out);
    app_sign_ins(&log, &mut out);
    out.sort_by_key(|(seconds_ago, _)| *seconds_ago);
    out.into_iter().map(|(_, v)| v).collect()
}

struct Log<'a> {
    clock: &'a Clock,
    tenant_id: &'a str,
}

/// Background token refreshes of the active staff, and Karita's revoked Outlook token.
fn staff_refreshes(cast: &Cast<'_>, devices: &[Device], log: &Log<'_>, out: &mut Vec<(i64, Value)>) {
    const APPS: &[(&str, &str)] = &[
        ("Microsoft Teams", "Microsoft Teams Services"),
        ("Office 365 Exchange Online", "Office 365 Exchange Online"),
        ("Office 365 SharePoint Online", "Office 365 SharePoint Online"),
    ];
    for (index, person) in cast.people.iter().enumerate() {
        if person.is_generated() || person.guest || person.activity != Activity::Active {
            continue;
        }
        let Some(laptop) = cast.laptop_index(index).and_then(|i| devices.get(i)) else { continue };
        let mut rng = Rng::new(0, 0xE715_0000 + index as u64);
        let place = places::office_place(person.office_location);
        // Karita's refreshes come from her laptop on the office network, never from the
        // attackers' addresses: the attempts on her account never got a token.
        let earliest = if person.handle == "karita" { 50 * MINUTE } else { 10 * MINUTE };
        for n in 0..3 {
            let (app, resource) = *rng.pick(APPS);
            let seconds_ago = rng.between(earliest, 7 * DAY);
            let key = format!("refresh/{}/{n}", person.handle);
            let sign_in = UserSignIn {
                key: &key,
                seconds_ago,
                person_id: &person.id,
                name: &person.display_name,
                upn: &person.user_principal_name,
                app,
                resource,
                ip: places::office_ip(person.office_location, index as u64),
                place,
                device: Some(laptop),
                error_code: 0,
                details: "MFA requirement satisfied by claim in the token",
                token: "primaryRefreshToken",
            };
            out.push((seconds_ago, log.user(&sign_in)));
        }
    }
    // The password reset 28 hours ago revoked her refresh tokens; Outlook on the iPhone tried
    // the old one until she signed in again.
    let Some(karita) = cast.index("karita") else { return };
    let person = &cast.people[karita];
    let phone = cast.phone_index(karita).and_then(|i| devices.get(i));
    for (n, seconds_ago) in [27 * HOUR + 50 * MINUTE, 27 * HOUR + 10 * MINUTE].into_iter().enumerate() {
        let key = format!("karita/outlook-revoked-{}", n + 1);
        let sign_in = UserSignIn {
            key: &key,
            seconds_ago,
            person_id: &person.id,
            name: &person.display_name,
            upn: &person.user_principal_name,
            app: "Office 365 Exchange Online",
            resource: "Office 365 Exchange Online",
            ip: "192.0.2.77".into(),
            place: places::SEATTLE,
            device: phone,
            error_code: 50173,
            details: "The provided grant has expired due to it being revoked; a fresh sign-in is needed.",
            token: "none",
        };
        out.push((seconds_ago, log.user(&sign_in)));
    }
    // Since her sign-in an hour ago, Teams on her laptop refreshes its token as usual.
    if let Some(laptop) = cast.laptop_index(karita).and_then(|i| devices.get(i)) {
        let sign_in = UserSignIn {
            key: "karita/teams-refresh",
            seconds_ago: 45 * MINUTE,
            person_id: &person.id,
            name: &person.display_name,
            upn: &person.user_principal_name,
            app: "Microsoft Teams",
            resource: "Microsoft Teams Services",
            ip: places::KARITA_OFFICE_IP.into(),
            place: places::SEATTLE,
            device: Some(laptop),
            error_code: 0,
            details: "MFA requirement satisfied by claim in the token",
            token: "primaryRefreshToken",
        };
        out.push((sign_in.seconds_ago, log.user(&sign_in)));
    }
}

/// Service principal and managed identity sign-ins.
fn app_sign_ins(log: &Log<'_>, out: &mut Vec<(i64, Value)>) {
    let graph = "Microsoft Graph";
    // Payroll Sync every 6 hours with the secret that expires in 12 days.
    for n in 0..28 {
        let seconds_ago = 40 * MINUTE + n * 6 * HOUR;
        let app = AppSignIn::secret(PAYROLL_SYNC, "payroll-2024", graph, "20.42.65.90", places::SEATTLE);
        out.push((seconds_ago, log.app(&format!("payroll/{n}"), seconds_ago, &app)));
    }
    // HR Onboarding Automation every 3 hours.
    for n in 0..56 {
        let seconds_ago = 95 * MINUTE + n * 3 * HOUR;
        let app = AppSignIn::secret(HR_ONBOARDING, "onboarding", graph, "20.42.65.91", places::SEATTLE);
        out.push((seconds_ago, log.app(&format!("onboarding/{n}"), seconds_ago, &app)));
    }
    // The Finance Portal's daily job, with its certificate.
    for n in 0..7 {
        let seconds_ago = 5 * HOUR + n * DAY;
        let mut app = AppSignIn::secret(FINANCE_PORTAL, "", graph, "20.42.65.92", places::SEATTLE);
        app.credential = "certificate";
        out.push((seconds_ago, log.app(&format!("finance-portal/{n}"), seconds_ago, &app)));
    }
    // Treasury Forecast Tool, registered ten hours ago, tries a secret it does not have.
    for n in 0..5 {
        let seconds_ago = 9 * HOUR - n * 100 * MINUTE;
        let mut app = AppSignIn::secret(TREASURY_FORECAST, "", graph, "192.0.2.131", places::SEATTLE);
        app.error_code = 7000215;
        out.push((seconds_ago, log.app(&format!("treasury/{n}"), seconds_ago, &app)));
    }
    // The reconciliation function every 4 hours (Graph and Key Vault), the batch job nightly.
    for n in 0..42 {
        let seconds_ago = 20 * MINUTE + n * 4 * HOUR;
        let resource = if n % 2 == 0 { graph } else { "Azure Key Vault" };
        let app = AppSignIn::managed(&RECON_FUNCTION, resource);
        out.push((seconds_ago, log.app(&format!("recon/{n}"), seconds_ago, &app)));
    }
    for n in 0..7 {
        let seconds_ago = 2 * HOUR + 15 * MINUTE + n * DAY;
        let app = AppSignIn::managed(&BATCH_IDENTITY, "Azure Storage");
        out.push((seconds_ago, log.app(&format!("batch/{n}"), seconds_ago, &app)));
    }
}

/// A non-interactive user sign-in.
struct UserSignIn<'a> {
    key: &'a str,
    seconds_ago: i64,
    person_id: &'a str,
    name: &'a str,
    upn: &'a str,
    app: &'static str,
    resource: &'static str,
    ip: String,
    place: Place,
    device: Option<&'a Device>,
    error_code: u32,
    details: &'static str,
    token: &'static str,
}

/// A service principal or managed identity sign-in.
struct AppSignIn {
    app: &'static str,
    app_id: String,
    service_principal_id: String,
    resource: &'static str,
    ip: &'static str,
    place: Place,
    /// `clientSecret`, `certificate`, `managedIdentity`.
    credential: &'static str,
    /// The secret used, by display name (empty for none).
    secret: &'static str,
    managed: Option<&'static ManagedIdentity>,
    error_code: u32,
}

impl AppSignIn {
    fn secret(app: &'static str, secret: &'static str, resource: &'static str, ip: &'static str, place: Place) -> Self {
        AppSignIn {
            app,
            app_id: apps::app_id(app),
            service_principal_id: apps::service_principal_id(app),
            resource,
            ip,
            place,
            credential: "clientSecret",
            secret,
            managed: None,
            error_code: 0,
        }
    }

    fn managed(identity: &'static ManagedIdentity, resource: &'static str) -> Self {
        AppSignIn {
            app: identity.name,
            app_id: managed_identity_app_id(identity.name),
            service_principal_id: ids::object_id("managedIdentity", identity.name),
            resource,
            // Managed identities sign in from inside Azure; Graph logs no client address.
            ip: "",
            place: places::SEATTLE,
            credential: "managedIdentity",
            secret: "",
            managed: Some(identity),
            error_code: 0,
        }
    }
}

fn failure_reason(code: u32) -> &'static str {
    match code {
        0 => "Other.",
        50173 => "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
        7000215 => {
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."
        }
        _ => "Other.",
    }
}

/// The properties every beta sign-in carries, empty where they do not apply.
fn base(id: String, seconds_ago: i64, clock: &Clock, tenant_id: &str) -> serde_json::Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id,
        "createdDateTime": clock.at(Duration::seconds(-seconds_ago)),
        "correlationId": ids::object_id("extendedCorrelation", &id),
        "isInteractive": false,
        "riskDetail": "none",
        "riskLevelAggregated": "none",
        "riskLevelDuringSignIn": "none",
        "riskState": "none",
        "riskEventTypes": [],
        "riskEventTypes_v2": [],
        "resourceTenantId": tenant_id,
        "conditionalAccessStatus": "notApplied",
        "appliedConditionalAccessPolicies": [],
        "tokenIssuerType": "AzureAD",
        "servicePrincipalCredentialKeyId": null,
        "servicePrincipalCredentialThumbprint": "",
        "clientCredentialType": "none",
        "managedServiceIdentity": {"msiType": "none", "associatedResourceId": null},
    }) else {
        return serde_json::Map::new();
    };
    map
}

impl Log<'_> {
    fn user(&self, s: &UserSignIn<'_>) -> Value {
        let id = extended_sign_in_id(s.key);
        let mut map = base(id, s.seconds_ago, self.clock, self.tenant_id);
        let device = match s.device {
            Some(d) => json!({
                "deviceId": d.device_id,
                "displayName": d.display_name,
                "operatingSystem": d.platform.sign_in_os(),
                "browser": "",
                "isCompliant": d.compliant,
                "isManaged": d.managed,
                "trustType": d.trust_type.as_sign_in_detail(),
            }),
            None => {
                json!({"deviceId": "", "displayName": "", "operatingSystem": "", "browser": "", "isCompliant": false, "isManaged": false, "trustType": ""})
            }
        };
        let extra = json!({
            "userDisplayName": s.name,
            "userPrincipalName": s.upn,
            "userId": s.person_id,
            "userType": "member",
            "homeTenantId": self.tenant_id,
            "appId": apps::app_id(s.app),
            "appDisplayName": s.app,
            "resourceDisplayName": s.resource,
            "resourceId": apps::app_id(s.resource),
            "ipAddress": s.ip,
            "clientAppUsed": "Mobile Apps and Desktop clients",
            "status": {
                "errorCode": s.error_code,
                "failureReason": failure_reason(s.error_code),
                "additionalDetails": s.details,
            },
            "deviceDetail": device,
            "location": places::sign_in_location(&s.place),
            "signInEventTypes": ["nonInteractiveUser"],
            "authenticationRequirement": "multiFactorAuthentication",
            "incomingTokenType": s.token,
            "servicePrincipalId": "",
            "servicePrincipalName": "",
        });
        merge(&mut map, extra);
        Value::Object(map)
    }

    fn app(&self, key: &str, seconds_ago: i64, s: &AppSignIn) -> Value {
        let id = extended_sign_in_id(key);
        let mut map = base(id, seconds_ago, self.clock, self.tenant_id);
        let (event_type, identity) = match s.managed {
            Some(m) => ("managedIdentity", json!({"msiType": m.kind, "associatedResourceId": m.resource_id})),
            None => ("servicePrincipal", json!({"msiType": "none", "associatedResourceId": null})),
        };
        // The keyId of the credential used, as the app's registration lists it.
        let key_id = match (s.credential, s.secret) {
            ("certificate", _) => Some(ids::object_id("keyCredential", s.app)),
            (_, "") => None,
            (_, secret) => Some(ids::object_id("passwordCredential", &format!("{}/{secret}", s.app))),
        };
        let thumbprint = if s.credential == "certificate" {
            ids::object_id("thumbprint", s.app).replace('-', "").to_uppercase()
        } else {
            String::new()
        };
        let extra = json!({
            "userDisplayName": "",
            "userPrincipalName": "",
            "userId": "",
            "appId": s.app_id,
            "appDisplayName": s.app,
            "servicePrincipalId": s.service_principal_id,
            "servicePrincipalName": s.app,
            "resourceDisplayName": s.resource,
            "resourceId": apps::app_id(s.resource),
            "ipAddress": s.ip,
            "clientAppUsed": "",
            "status": {
                "errorCode": s.error_code,
                "failureReason": failure_reason(s.error_code),
                "additionalDetails": null,
            },
            "deviceDetail": {"deviceId": "", "displayName": "", "operatingSystem": "", "browser": "", "isCompliant": false, "isManaged": false, "trustType": ""},
            "location": if s.ip.is_empty() { json!({"city": "", "state": "", "countryOrRegion": "", "geoCoordinates": null}) } else { places::sign_in_location(&s.place) },
            "signInEventTypes": [event_type],
            "authenticationRequirement": "singleFactorAuthentication",
            "incomingTokenType": "none",
            "clientCredentialType": s.credential,
            "servicePrincipalCredentialKeyId": key_id,
            "servicePrincipalCredentialThumbprint": thumbprint,
            "managedServiceIdentity": identity,
        });
        merge(&mut map, extra);
        Value::Object(map)
    }
}

fn merge(map: &mut serde_json::Map<String, Value>, extra: Value) {
    if let Value::Object(extra) = extra {
        map.extend(extra);
    }
}
