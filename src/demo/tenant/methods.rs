//! Authentication methods: what each person has registered. Karita has password, Microsoft
//! Authenticator and SMS; Elena Petrova (a User Administrator) has only a password; admins
//! carry FIDO2 keys (Priya also a passkey in Microsoft Authenticator); Entra-joined laptops add
//! Windows Hello for Business; a handful of branch staff never registered MFA; Ruth Abebe has
//! only a phone for SMS; generated users get password and Authenticator.
//!
//! B2B guests register their methods in their home tenant, so they have none here.

use serde_json::{Value, json};

use super::clock::Clock;
use super::devices::{Device, Platform, TrustType};
use super::ids;
use super::people::{Activity, Person};

/// The fixed id Graph gives every password method.
pub const PASSWORD_METHOD_ID: &str = "28c10230-6103-485e-b985-444c60001490";
/// The fixed id Graph gives the mobile phone method.
pub const MOBILE_PHONE_METHOD_ID: &str = "3179e48a-750b-4051-897c-87b9720928f7";

/// People with a password and nothing else.
const PASSWORD_ONLY: &[&str] = &["elena", "victor.lindqvist", "kofi.mensah", "julia.costa", "peter.jansen"];

/// People with a password and a phone for SMS, and no app.
const PHONE_ONLY: &[&str] = &["ruth.abebe"];

/// The AAGUID of the passkey Microsoft Authenticator keeps on an iPhone.
const AUTHENTICATOR_PASSKEY_IOS: &str = "90a3ccdf-635c-4729-a248-9b709135078f";

/// People who carry a FIDO2 security key.
const FIDO2_HOLDERS: &[&str] =
    &["breakglass01", "breakglass02", "priya", "marcus", "tom", "jordan", "nadia.rahman", "rachel.cohen"];

/// People who also registered a phone for SMS and voice.
const PHONE_HOLDERS: &[&str] = &["karita", "daniel", "alex", "sam", "wei.zhang", "maria.garcia", "claire.dubois"];

/// The methods of every person, keyed by user id, in Graph's
/// `authenticationMethod` shape (with `@odata.type`, as the methods collection is mixed).
pub fn methods(people: &[Person], devices: &[Device], clock: &Clock) -> Vec<(String, Vec<Value>)> {
    // The phone and laptop of each person, to name their Authenticator and Hello registrations.
    let mut phone_of: Vec<Option<&Device>> = vec![None; people.len()];
    let mut laptop_of: Vec<Option<&Device>> = vec![None; people.len()];
    for device in devices {
        let slot = if device.is_laptop { &mut laptop_of[device.owner] } else { &mut phone_of[device.owner] };
        if slot.is_none() {
            *slot = Some(device);
        }
    }
    people
        .iter()
        .enumerate()
        .map(|(index, person)| {
            let list = if person.guest {
                Vec::new()
            } else {
                person_methods(person, index, phone_of[index], laptop_of[index], clock)
            };
            (person.id.clone(), list)
        })
        .collect()
}

fn person_methods(
    person: &Person,
    index: usize,
    phone: Option<&Device>,
    laptop: Option<&Device>,
    clock: &Clock,
) -> Vec<Value> {
    let handle = person.handle.as_str();
    let registered = (person.created_days_ago - 2).max(1);
    let mut out = vec![json!({
        "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
        "id": PASSWORD_METHOD_ID,
        "password": null,
        "createdDateTime": clock.days_ago(person.password_age_days),
    })];
    if PASSWORD_ONLY.contains(&handle) {
        return out;
    }
    if person.activity != Activity::BreakGlass && !PHONE_ONLY.contains(&handle) {
        let (device_name, app_version) = match phone {
            Some(d) if d.platform == Platform::Ios => (d.display_name.clone(), "6.8.16"),
            Some(d) => (d.display_name.clone(), "6.2410.7004"),
            None if index.is_multiple_of(2) => ("iPhone 15".to_string(), "6.8.16"),
            None => ("Pixel 8".to_string(), "6.2410.7004"),
        };
        out.push(json!({
            "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
            "id": ids::object_id("microsoftAuthenticatorMethod", &person.id),
            "displayName": device_name,
            "deviceTag": "SoftwareTokenActivated",
            "phoneAppVersion": app_version,
            "createdDateTime": clock.days_ago(registered.min(700)),
        }));
    }
    if person.is_generated() {
        return out;
    }
    if PHONE_HOLDERS.contains(&handle) || PHONE_ONLY.contains(&handle) {
        let phone_number =
            if handle == "karita" { "+1 2065550123".to_string() } else { format!("+1 20655501{:02}", 40 + index % 60) };
        out.push(json!({
            "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
            "id": MOBILE_PHONE_METHOD_ID,
            "phoneNumber": phone_number,
            "phoneType": "mobile",
            "smsSignInState": "notAllowedByPolicy",
        }));
    }
    if PHONE_ONLY.contains(&handle) {
        return out;
    }
    if FIDO2_HOLDERS.contains(&handle) {
        out.push(json!({
            "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
            "id": ids::object_id("fido2Method", &person.id),
            "displayName": "YubiKey 5 NFC",
            "model": "YubiKey 5 NFC",
            "aaGuid": "cb69481e-8ff7-4039-93ec-0a2729a154a8",
            "attestationLevel": "attested",
            "attestationCertificates": [],
            "createdDateTime": clock.days_ago(registered.min(400)),
        }));
    }
    if handle == "priya" {
        out.push(json!({
            "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
            "id": ids::object_id("authenticatorPasskey", &person.id),
            "displayName": "Passkey in Microsoft Authenticator",
            "model": "Microsoft Authenticator - iOS",
            "aaGuid": AUTHENTICATOR_PASSKEY_IOS,
            "attestationLevel": "notAttested",
            "attestationCertificates": [],
            "createdDateTime": clock.days_ago(21),
        }));
    }
    if let Some(laptop) = laptop
        && laptop.trust_type == TrustType::AzureAd
        && index % 2 == 1
        && handle != "karita"
    {
        out.push(json!({
            "@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
            "id": ids::object_id("windowsHelloMethod", &laptop.id),
            "displayName": laptop.display_name,
            "keyStrength": "normal",
            "createdDateTime": clock.days_ago(laptop.registered_days_ago),
        }));
    }
    out
}
