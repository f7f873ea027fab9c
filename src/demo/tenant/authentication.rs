//! How people sign in, as the tenant's policy and reports see it: the authentication methods
//! policy, the `userRegistrationDetails` report derived from each person's registered methods,
//! and each user's per-user MFA state and sign-in preferences (Graph beta).
//!
//! - The policy allows passkeys (FIDO2), Microsoft Authenticator and Temporary Access Pass for
//!   everyone, SMS only for *Finance Department*, third-party OATH only for the *Incident
//!   Response Team*; voice, email OTP for members and certificates are off. The registration
//!   campaign nudges everyone but *CA Exclusions* to set up Authenticator; system-preferred MFA
//!   and suspicious-activity reporting are on (both are beta-only properties).
//! - So Ruth Abebe, whose only second factor is SMS, is MFA registered but not MFA capable;
//!   Elena Petrova, a permanent User Administrator, has no MFA at all; the break-glass accounts
//!   hold passkeys and nothing else.
//! - George Adams and Mei Lin are still on legacy per-user MFA (enforced, enabled).
//! - Disabled accounts are not in the registration report, as in Graph.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::clock::Clock;
use super::groups::{CA_EXCLUSIONS, FINANCE_DEPARTMENT, INCIDENT_RESPONSE};
use super::ids;
use super::people::{Person, member_id};

/// The id Graph uses for "all users" in method targets.
pub const ALL_USERS: &str = "all_users";

/// Users still on legacy per-user MFA, and their state.
const PER_USER_MFA: &[(&str, &str)] = &[("george.adams", "enforced"), ("mei.lin", "enabled")];

/// The tenant's authentication methods policy, as beta returns it; v1.0 leaves out
/// `systemCredentialPreferences` and `reportSuspiciousActivitySettings`.
pub fn methods_policy(clock: &Clock) -> Value {
    let all = || json!([{"targetType": "group", "id": ALL_USERS, "isRegistrationRequired": false}]);
    let group =
        |name: &str| json!([{"targetType": "group", "id": ids::group_id(name), "isRegistrationRequired": false}]);
    json!({
        "id": "authenticationMethodsPolicy",
        "displayName": "Authentication Methods Policy",
        "description": "The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings",
        "lastModifiedDateTime": clock.days_ago(16),
        "policyVersion": "1.5",
        "policyMigrationState": "migrationComplete",
        "reconfirmationInDays": 180,
        "registrationEnforcement": {
            "authenticationMethodsRegistrationCampaign": {
                "snoozeDurationInDays": 1,
                "enforceRegistrationAfterAllowedSnoozes": true,
                "state": "enabled",
                "excludeTargets": [{"id": ids::group_id(CA_EXCLUSIONS), "targetType": "group"}],
                "includeTargets": [{"id": ALL_USERS, "targetType": "group", "targetedAuthenticationMethod": "microsoftAuthenticator"}],
            }
        },
        "reportSuspiciousActivitySettings": {
            "state": "enabled",
            "includeTarget": {"targetType": "group", "id": ALL_USERS},
            "voiceReportingCode": 0,
        },
        "systemCredentialPreferences": {
            "state": "enabled",
            "excludeTargets": [],
            "includeTargets": [{"id": ALL_USERS, "targetType": "group"}],
        },
        "authenticationMethodConfigurations": [
            {
                "@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration",
                "id": "Fido2",
                "state": "enabled",
                "isSelfServiceRegistrationAllowed": true,
                "isAttestationEnforced": false,
                "keyRestrictions": {"isEnforced": false, "enforcementType": "block", "aaGuids": []},
                "excludeTargets": [],
                "includeTargets": all(),
            },
            {
                "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration",
                "id": "MicrosoftAuthenticator",
                "state": "enabled",
                "isSoftwareOathEnabled": true,
                "featureSettings": {
                    "displayAppInformationRequiredState": {"state": "enabled", "includeTarget": {"targetType": "group", "id": ALL_USERS}, "excludeTarget": {"targetType": "group", "id": "00000000-0000-0000-0000-000000000000"}},
                    "displayLocationInformationRequiredState": {"state": "enabled", "includeTarget": {"targetType": "group", "id": ALL_USERS}, "excludeTarget": {"targetType": "group", "id": "00000000-0000-0000-0000-000000000000"}},
                },
                "excludeTargets": [],
                "includeTargets": [{"targetType": "group", "id": ALL_USERS, "isRegistrationRequired": false, "authenticationMode": "any"}],
            },
            {
                "@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration",
                "id": "Sms",
                "state": "enabled",
                "excludeTargets": [],
                "includeTargets": [{"targetType": "group", "id": ids::group_id(FINANCE_DEPARTMENT), "isRegistrationRequired": false, "isUsableForSignIn": false}],
            },
            {
                "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
                "id": "TemporaryAccessPass",
                "state": "enabled",
                "defaultLifetimeInMinutes": 60,
                "defaultLength": 8,
                "minimumLifetimeInMinutes": 60,
                "maximumLifetimeInMinutes": 480,
                "isUsableOnce": true,
                "excludeTargets": [],
                "includeTargets": all(),
            },
            {
                "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethodConfiguration",
                "id": "SoftwareOath",
                "state": "enabled",
                "excludeTargets": [],
                "includeTargets": group(INCIDENT_RESPONSE),
            },
            {
                "@odata.type": "#microsoft.graph.voiceAuthenticationMethodConfiguration",
                "id": "Voice",
                "state": "disabled",
                "isOfficePhoneAllowed": false,
                "excludeTargets": [],
                "includeTargets": all(),
            },
            {
                "@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration",
                "id": "Email",
                "state": "disabled",
                "allowExternalIdToUseEmailOtp": "enabled",
                "excludeTargets": [],
                "includeTargets": all(),
            },
            {
                "@odata.type": "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration",
                "id": "X509Certificate",
                "state": "disabled",
                "excludeTargets": [],
                "includeTargets": all(),
            },
        ],
    })
}

/// What a person's registered methods amount to, in the report's words.
#[derive(Debug, Default)]
struct Registered {
    /// `methodsRegistered` values, password left out as the report leaves it out.
    methods: Vec<&'static str>,
    authenticator: bool,
    phone: bool,
    passkey: bool,
    hello: bool,
}

fn registered(methods: &[Value]) -> Registered {
    let mut out = Registered::default();
    let add = |out: &mut Registered, name: &'static str| {
        if !out.methods.contains(&name) {
            out.methods.push(name);
        }
    };
    for method in methods {
        let kind = method.get("@odata.type").and_then(Value::as_str).unwrap_or_default();
        match kind.trim_start_matches("#microsoft.graph.") {
            "microsoftAuthenticatorAuthenticationMethod" => {
                out.authenticator = true;
                add(&mut out, "microsoftAuthenticatorPush");
                add(&mut out, "softwareOneTimePasscode");
            }
            "phoneAuthenticationMethod" => {
                out.phone = true;
                add(&mut out, "mobilePhone");
            }
            "fido2AuthenticationMethod" => {
                out.passkey = true;
                let in_authenticator = method
                    .get("model")
                    .and_then(Value::as_str)
                    .is_some_and(|m| m.starts_with("Microsoft Authenticator"));
                add(&mut out, if in_authenticator { "passKeyDeviceBoundAuthenticator" } else { "passKeyDeviceBound" });
            }
            "windowsHelloForBusinessAuthenticationMethod" => {
                out.hello = true;
                add(&mut out, "windowsHelloForBusiness");
            }
            "emailAuthenticationMethod" => add(&mut out, "email"),
            "temporaryAccessPassAuthenticationMethod" => add(&mut out, "temporaryAccessPass"),
            _ => {}
        }
    }
    out
}

impl Registered {
    /// The second factor the user picked: the app if they have it, else the phone.
    fn preferred(&self) -> &'static str {
        if self.authenticator {
            "push"
        } else if self.phone {
            "sms"
        } else {
            "none"
        }
    }

    /// The strongest method the system would prompt for.
    fn system_preferred(&self) -> Vec<&'static str> {
        if self.passkey {
            vec!["Fido2"]
        } else if self.authenticator {
            vec!["push"]
        } else if self.phone {
            vec!["sms"]
        } else {
            Vec::new()
        }
    }
}

/// What the report needs besides the people and their methods.
pub struct ReportInputs<'a> {
    /// Authentication methods by user id.
    pub methods: &'a HashMap<String, Vec<Value>>,
    /// Users holding or eligible for a directory role, directly or through a group.
    pub admins: &'a HashSet<String>,
    /// Users the SMS method is allowed for (members of its target groups).
    pub sms_allowed: &'a HashSet<String>,
}

/// `userRegistrationDetails`: one row per enabled user.
pub fn registration_details(people: &[Person], inputs: &ReportInputs<'_>, clock: &Clock) -> Vec<Value> {
    people
        .iter()
        .filter(|p| p.enabled())
        .map(|person| {
            let methods = inputs.methods.get(&person.id).map(Vec::as_slice).unwrap_or(&[]);
            let r = registered(methods);
            let sms_usable = r.phone && inputs.sms_allowed.contains(&person.id);
            let mfa_registered = r.authenticator || r.passkey || r.hello || r.phone;
            let mfa_capable = r.authenticator || r.passkey || r.hello || sms_usable;
            let passwordless = r.passkey || r.hello;
            // SSPR is on for every member and needs one method besides the password.
            let sspr_enabled = !person.guest;
            let sspr_registered = r.authenticator || r.phone;
            json!({
                "id": person.id,
                "userPrincipalName": person.user_principal_name,
                "userDisplayName": person.display_name,
                "userType": if person.guest { "guest" } else { "member" },
                "isAdmin": inputs.admins.contains(&person.id),
                "isMfaRegistered": mfa_registered,
                "isMfaCapable": mfa_capable,
                "isPasswordlessCapable": passwordless,
                "isSsprEnabled": sspr_enabled,
                "isSsprRegistered": sspr_registered,
                "isSsprCapable": sspr_enabled && sspr_registered,
                "isSystemPreferredAuthenticationMethodEnabled": true,
                "systemPreferredAuthenticationMethods": r.system_preferred(),
                "userPreferredMethodForSecondaryAuthentication": r.preferred(),
                "methodsRegistered": r.methods,
                "lastUpdatedDateTime": clock.hours_ago(5),
            })
        })
        .collect()
}

/// Each user's beta `authentication` states: `requirements` (per-user MFA) and
/// `signInPreferences`, by user id.
pub fn user_states(people: &[Person], methods: &HashMap<String, Vec<Value>>) -> HashMap<String, Value> {
    let per_user: HashMap<String, &str> = PER_USER_MFA.iter().map(|(h, s)| (member_id(h), *s)).collect();
    people
        .iter()
        .map(|person| {
            let r = registered(methods.get(&person.id).map(Vec::as_slice).unwrap_or(&[]));
            let state = per_user.get(&person.id).copied().unwrap_or("disabled");
            let value = json!({
                "requirements": {"perUserMfaState": state},
                "signInPreferences": {
                    "isSystemPreferredAuthenticationMethodEnabled": true,
                    "userPreferredMethodForSecondaryAuthentication": r.preferred(),
                },
            });
            (person.id.clone(), value)
        })
        .collect()
}

/// `usersRegisteredByMethod` and `usersRegisteredByFeature` over the report's rows.
pub mod summaries {
    use serde_json::{Value, json};

    /// Whether a row falls within the function's `includedUserTypes` and `includedUserRoles`.
    /// `privilegedAdmin` is approximated by `admin`: the report carries only `isAdmin`.
    fn included(row: &Value, user_types: &str, user_roles: &str) -> bool {
        let kind = row.get("userType").and_then(Value::as_str).unwrap_or_default();
        let admin = row.get("isAdmin").and_then(Value::as_bool).unwrap_or(false);
        let type_ok = user_types == "all" || kind.eq_ignore_ascii_case(user_types);
        let role_ok = match user_roles {
            "admin" | "privilegedAdmin" => admin,
            "user" => !admin,
            _ => true,
        };
        type_ok && role_ok
    }

    /// `userRegistrationMethodSummary`: users per registered method, password included.
    pub fn by_method(rows: &[Value], user_types: &str, user_roles: &str) -> Value {
        let rows: Vec<&Value> = rows.iter().filter(|r| included(r, user_types, user_roles)).collect();
        let mut counts: Vec<(String, u64)> = vec![("password".into(), rows.len() as u64)];
        for row in &rows {
            for method in row.get("methodsRegistered").and_then(Value::as_array).into_iter().flatten() {
                let Some(method) = method.as_str() else { continue };
                match counts.iter_mut().find(|(m, _)| m == method) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((method.to_string(), 1)),
                }
            }
        }
        let counts: Vec<Value> =
            counts.into_iter().map(|(m, n)| json!({"authenticationMethod": m, "userCount": n})).collect();
        json!({
            "@odata.type": "#microsoft.graph.userRegistrationMethodSummary",
            "totalUserCount": rows.len(),
            "userTypes": user_types,
            "userRoles": user_roles,
            "userRegistrationMethodCounts": counts,
        })
    }

    /// `userRegistrationFeatureSummary`: users registered or capable per feature.
    pub fn by_feature(rows: &[Value], user_types: &str, user_roles: &str) -> Value {
        let rows: Vec<&Value> = rows.iter().filter(|r| included(r, user_types, user_roles)).collect();
        let count = |flag: &str| rows.iter().filter(|r| r.get(flag).and_then(Value::as_bool) == Some(true)).count();
        let features = [
            ("ssprRegistered", "isSsprRegistered"),
            ("ssprEnabled", "isSsprEnabled"),
            ("ssprCapable", "isSsprCapable"),
            ("passwordlessCapable", "isPasswordlessCapable"),
            ("mfaCapable", "isMfaCapable"),
        ];
        let counts: Vec<Value> =
            features.iter().map(|(feature, flag)| json!({"feature": feature, "userCount": count(flag)})).collect();
        json!({
            "@odata.type": "#microsoft.graph.userRegistrationFeatureSummary",
            "totalUserCount": rows.len(),
            "userTypes": user_types,
            "userRoles": user_roles,
            "userRegistrationFeatureCounts": counts,
        })
    }
}
