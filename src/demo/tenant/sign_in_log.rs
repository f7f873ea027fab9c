//! The sign-in log as Graph sees it: compact sign-in events rendered as `signIn` resources on
//! demand — the whole resource for a page of results, or only the properties a `$filter` reads
//! — including the Conditional Access outcome of each sign-in.

use std::sync::Arc;

use chrono::Duration;
use serde_json::{Map, Value, json};

use super::apps;
use super::clock::Clock;
use super::devices::Device;
use super::ids;
use super::people::{Activity, Person};
use super::places;
use super::records::RecordSource;
use super::sign_in_ca::{AppClass, CaCatalog, CaContext};
use super::sign_ins::{AppUse, Event, Membership, Seen};

/// How the Conditional Access rules see an app.
fn app_class(app: &AppUse) -> AppClass {
    match app.app {
        apps::FINANCE_PORTAL | apps::TREASURY_FORECAST => AppClass::Finance,
        "Azure Portal" => AppClass::AzureManagement,
        apps::LEGACY_REPORTS => AppClass::LegacyReports,
        "Office 365 Exchange Online" => AppClass::ExchangeOnline,
        "Microsoft Teams" | "Office 365 SharePoint Online" | "OfficeHome" => AppClass::Office365,
        _ => AppClass::Other,
    }
}

/// The app id a sign-in reports; an unknown app (700016) reports the id it asked for.
fn app_id_of(app: &AppUse) -> String {
    if app.app.is_empty() { ids::object_id("appId", "unregistered client") } else { apps::app_id(app.app) }
}

/// `status.failureReason` for the codes the demo uses.
fn failure_reason(code: u32) -> &'static str {
    match code {
        0 => "Other.",
        50126 => "Error validating credentials due to invalid username or password.",
        50074 => "Strong Authentication is required.",
        50076 => {
            "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource."
        }
        500121 => "Authentication failed during strong authentication request.",
        53003 => {
            "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."
        }
        53000 => {
            "Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant. The user must enroll their device with an approved MDM provider like Intune."
        }
        50105 => "The signed in user is not assigned to a role for the application.",
        65001 => "The user or administrator has not consented to use the application.",
        700016 => {
            "Application with identifier was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
        }
        50053 => {
            "Account is locked because user tried to sign in too many times with an incorrect user ID or password."
        }
        50055 => "The password is expired.",
        50057 => "User account is disabled. The account has been disabled by an administrator.",
        50140 => "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.",
        _ => "Other.",
    }
}

/// Legacy-protocol clients, which Conditional Access calls `exchangeActiveSync` and `other`.
fn is_legacy(client_app_used: &str) -> bool {
    matches!(client_app_used, "IMAP4" | "POP3" | "Authenticated SMTP" | "Exchange ActiveSync" | "Other clients")
}

/// What the Conditional Access rules need to know about a person.
struct PersonFlags {
    admin: bool,
    excluded: bool,
    finance_department: bool,
}

/// The sign-in log: compact events rendered as Graph `signIn` resources on demand.
pub struct SignInLog {
    events: Vec<Event>,
    people: Arc<[Person]>,
    devices: Arc<[Device]>,
    flags: Vec<PersonFlags>,
    catalog: CaCatalog,
    clock: Clock,
    tenant_id: String,
    guest_home_tenant_id: String,
}

/// The properties of a sign-in, in Graph's order; `appliedConditionalAccessPolicies` last.
const FIELDS: &[&str] = &[
    "id",
    "createdDateTime",
    "userDisplayName",
    "userPrincipalName",
    "userId",
    "appId",
    "appDisplayName",
    "ipAddress",
    "clientAppUsed",
    "correlationId",
    "conditionalAccessStatus",
    "isInteractive",
    "riskDetail",
    "riskLevelAggregated",
    "riskLevelDuringSignIn",
    "riskState",
    "riskEventTypes",
    "riskEventTypes_v2",
    "resourceDisplayName",
    "resourceId",
    "resourceTenantId",
    "homeTenantId",
    "status",
    "deviceDetail",
    "location",
    // Beta only (the emulator leaves them out on v1.0).
    "signInEventTypes",
    "authenticationRequirement",
    "userType",
    "appliedConditionalAccessPolicies",
];

impl RecordSource for SignInLog {
    fn len(&self) -> usize {
        self.events.len()
    }

    fn id(&self, index: usize) -> &str {
        &self.events[index].id
    }

    fn json(&self, index: usize) -> Value {
        self.render(index, |_| true)
    }

    fn partial(&self, index: usize, properties: &[&str]) -> Value {
        self.render(index, |name| properties.contains(&name))
    }
}

impl SignInLog {
    pub fn new(
        events: Vec<Event>,
        people: Arc<[Person]>,
        devices: Arc<[Device]>,
        membership: &Membership,
        clock: Clock,
    ) -> SignInLog {
        let flags = people
            .iter()
            .map(|p| PersonFlags {
                admin: membership.admins.contains(&p.id),
                excluded: membership.excluded.contains(&p.id),
                finance_department: membership.finance_department.contains(&p.id),
            })
            .collect();
        SignInLog {
            events,
            people,
            devices,
            flags,
            catalog: CaCatalog::new(),
            clock,
            tenant_id: ids::tenant_id(),
            guest_home_tenant_id: ids::fabrikam_tenant_id(),
        }
    }

    fn render(&self, index: usize, wanted: impl Fn(&str) -> bool) -> Value {
        let e = &self.events[index];
        let person = &self.people[e.person];
        let device = match e.seen {
            Seen::Known(d) => self.devices.get(d),
            _ => None,
        };
        let mut ca: Option<(Value, &'static str)> = None;
        let mut map = Map::new();
        for &name in FIELDS {
            if !wanted(name) {
                continue;
            }
            let value = match name {
                "id" => e.id.as_str().into(),
                "createdDateTime" => self.clock.at(Duration::seconds(e.offset_seconds)).into(),
                "userDisplayName" => person.display_name.as_str().into(),
                "userPrincipalName" => person.user_principal_name.as_str().into(),
                "userId" => person.id.as_str().into(),
                "appId" => app_id_of(&e.app).into(),
                "appDisplayName" => e.app.app.into(),
                "ipAddress" => e.ip.as_str().into(),
                "clientAppUsed" => e.client_app_used.into(),
                "correlationId" => e.correlation_id.as_str().into(),
                "conditionalAccessStatus" => ca.get_or_insert_with(|| self.conditional_access(e, device)).1.into(),
                "isInteractive" => true.into(),
                "riskDetail" => "none".into(),
                "riskLevelAggregated" | "riskLevelDuringSignIn" => e.risk_level.into(),
                "riskState" => if e.risk_level == "none" { "none" } else { "atRisk" }.into(),
                // The deprecated list has no value for newer detection types.
                "riskEventTypes" => e.risk_event_types.iter().copied().filter(|t| *t != "passwordSpray").collect(),
                "riskEventTypes_v2" => e.risk_event_types.iter().copied().collect(),
                "resourceDisplayName" => e.app.resource.into(),
                "resourceId" => match e.app.resource {
                    "" => Value::Null,
                    resource => apps::app_id(resource).into(),
                },
                "resourceTenantId" => self.tenant_id.as_str().into(),
                "homeTenantId" => {
                    if person.guest { &self.guest_home_tenant_id } else { &self.tenant_id }.as_str().into()
                }
                "status" => json!({
                    "errorCode": e.error_code,
                    "failureReason": failure_reason(e.error_code),
                    "additionalDetails": e.additional_details,
                }),
                "deviceDetail" => device_detail(e, device),
                "location" => places::sign_in_location(&e.place),
                "signInEventTypes" => json!(["interactiveUser"]),
                // The strongest authentication the sign-in was asked for: MFA when it was
                // performed or demanded.
                "authenticationRequirement" => {
                    if e.mfa_done || matches!(e.error_code, 50074 | 50076 | 500121) {
                        "multiFactorAuthentication"
                    } else {
                        "singleFactorAuthentication"
                    }
                }
                .into(),
                "userType" => if person.guest { "guest" } else { "member" }.into(),
                _ => match ca.take() {
                    Some((applied, _)) => applied,
                    None => self.conditional_access(e, device).0,
                },
            };
            map.insert(name.to_string(), value);
        }
        Value::Object(map)
    }

    /// `appliedConditionalAccessPolicies` and `conditionalAccessStatus` of one sign-in.
    fn conditional_access(&self, e: &Event, device: Option<&Device>) -> (Value, &'static str) {
        let person = &self.people[e.person];
        let flags = &self.flags[e.person];
        let ctx = CaContext {
            break_glass: person.activity == Activity::BreakGlass,
            admin: flags.admin,
            excluded: flags.excluded,
            guest: person.guest,
            finance_department: flags.finance_department,
            app: app_class(&e.app),
            legacy_client: is_legacy(e.client_app_used),
            restricted_country: super::conditional_access::RESTRICTED_COUNTRY_CODES.contains(&e.place.country),
            sign_in_risk: e.risk_level,
            user_risk_high: e.user_risk_high,
            mfa_done: e.mfa_done,
            device_compliant: device.is_some_and(|d| d.compliant),
            primary_failed: matches!(e.error_code, 50126 | 50053 | 50055 | 50057 | 700016),
            offset_seconds: e.offset_seconds,
        };
        self.catalog.evaluate(&ctx)
    }
}

fn device_detail(e: &Event, device: Option<&Device>) -> Value {
    match (e.seen, device) {
        (Seen::Known(_), Some(d)) => json!({
            "deviceId": d.device_id,
            "displayName": d.display_name,
            "operatingSystem": d.platform.sign_in_os(),
            "browser": if e.client_app_used == "Browser" { d.platform.browser() } else { "" },
            "isCompliant": d.compliant,
            "isManaged": d.managed,
            "trustType": d.trust_type.as_sign_in_detail(),
        }),
        (Seen::Unknown { os, browser }, _) => json!({
            "deviceId": "", "displayName": "", "operatingSystem": os, "browser": browser,
            "isCompliant": false, "isManaged": false, "trustType": "",
        }),
        _ => json!({
            "deviceId": "", "displayName": "", "operatingSystem": "", "browser": "",
            "isCompliant": false, "isManaged": false, "trustType": "",
        }),
    }
}
