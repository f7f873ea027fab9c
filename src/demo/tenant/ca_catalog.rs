//! Conditional Access reference data: the authentication strengths (Microsoft's three built-in
//! ones and Woodgrove's custom FIDO2 strength of the story) and a handful of Microsoft's policy
//! templates, with their real ids, names, scenarios and the policy each would create.
//!
//! Which policies use a strength is not stored: the emulator answers `/{id}/usage` from the
//! policies as they are, so a policy created or changed through Graph shows at once.

use serde_json::{Value, json};

use super::Generation;
use super::apps::AZURE_MANAGEMENT;
use super::ids;
use super::roles;

/// The built-in strengths' fixed ids, as in every tenant.
pub const MFA_STRENGTH: &str = "00000000-0000-0000-0000-000000000002";
pub const PASSWORDLESS_STRENGTH: &str = "00000000-0000-0000-0000-000000000003";
pub const PHISHING_RESISTANT_STRENGTH: &str = "00000000-0000-0000-0000-000000000004";

/// Woodgrove's own strength: FIDO2 security keys only.
pub const FIDO2_STRENGTH_NAME: &str = "Woodgrove FIDO2 security keys";

/// The custom FIDO2 strength's id.
pub fn fido2_strength_id() -> String {
    ids::object_id("authenticationStrengthPolicy", FIDO2_STRENGTH_NAME)
}

/// When Microsoft created the built-in strengths.
const BUILT_IN_CREATED: &str = "2021-12-01T08:00:00Z";

const MFA_COMBINATIONS: &[&str] = &[
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "password,microsoftAuthenticatorPush",
    "password,softwareOath",
    "password,hardwareOath",
    "password,x509CertificateSingleFactor",
    "password,x509CertificateMultiFactor",
    "password,sms",
    "password,voice",
    "federatedMultiFactor",
    "microsoftAuthenticatorPush,federatedSingleFactor",
    "softwareOath,federatedSingleFactor",
    "hardwareOath,federatedSingleFactor",
    "sms,federatedSingleFactor",
    "voice,federatedSingleFactor",
];

/// `GET /policies/authenticationStrengthPolicies`.
pub fn authentication_strengths(g: &Generation<'_>) -> Vec<Value> {
    let built_in = |id: &str, name: &str, description: &str, combinations: &[&str]| {
        json!({
            "id": id,
            "createdDateTime": BUILT_IN_CREATED,
            "modifiedDateTime": BUILT_IN_CREATED,
            "displayName": name,
            "description": description,
            "policyType": "builtIn",
            "requirementsSatisfied": "mfa",
            "allowedCombinations": combinations,
            "combinationConfigurations": [],
        })
    };
    let fido2 = fido2_strength_id();
    vec![
        built_in(
            MFA_STRENGTH,
            "Multifactor authentication",
            "Combinations of methods that satisfy strong authentication, such as a password + SMS",
            MFA_COMBINATIONS,
        ),
        built_in(
            PASSWORDLESS_STRENGTH,
            "Passwordless MFA",
            "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator",
            &["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush"],
        ),
        built_in(
            PHISHING_RESISTANT_STRENGTH,
            "Phishing-resistant MFA",
            "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
            &["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
        ),
        json!({
            "id": fido2,
            "createdDateTime": g.clock.days_ago(150),
            "modifiedDateTime": g.clock.days_ago(40),
            "displayName": FIDO2_STRENGTH_NAME,
            "description": "FIDO2 security keys of the models the bank issues, for privileged and treasury access",
            "policyType": "custom",
            "requirementsSatisfied": "mfa",
            "allowedCombinations": ["fido2"],
            "combinationConfigurations": [{
                "@odata.type": "#microsoft.graph.fido2CombinationConfiguration",
                "id": ids::object_id("authenticationCombinationConfiguration", FIDO2_STRENGTH_NAME),
                "appliesToCombinations": ["fido2"],
                // YubiKey 5 series (USB-A, NFC) and YubiKey 5Ci.
                "allowedAAGUIDs": ["cb69481e-8ff7-4039-93ec-0a2729a154a8", "c5ef55ff-ad9a-4b9f-b580-adebafe026d0"],
            }],
        }),
    ]
}

/// The roles Microsoft's admin templates target (as in the templates themselves).
const TEMPLATE_ADMIN_ROLES: &[&str] = &[
    roles::GLOBAL_ADMINISTRATOR,
    roles::SECURITY_ADMINISTRATOR,
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", // SharePoint Administrator
    "29232cdf-9323-42fd-ade2-1d097af3e4de", // Exchange Administrator
    roles::CONDITIONAL_ACCESS_ADMINISTRATOR,
    roles::HELPDESK_ADMINISTRATOR,
    "b0f54661-2d74-4c50-afa3-1ec803f12efe", // Billing Administrator
    roles::USER_ADMINISTRATOR,
    roles::AUTHENTICATION_ADMINISTRATOR,
    roles::APPLICATION_ADMINISTRATOR,
    roles::CLOUD_APPLICATION_ADMINISTRATOR,
    "966707d0-3269-4727-9be2-8c3a10f19b9d", // Password Administrator
    roles::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    roles::PRIVILEGED_ROLE_ADMINISTRATOR,
];

/// Directory Synchronization Accounts, which the all-users templates leave out.
const DIRECTORY_SYNCHRONIZATION_ACCOUNTS: &str = "d29b2b05-8046-44ba-8758-1e26182fcf32";

/// What templates exclude in place of the admin who creates the policy.
const CURRENT_ADMIN: &str = "Current administrator will be excluded";

/// One template's policy: users, apps and extra conditions, grant, session.
struct Template {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    scenarios: &'static str,
    users: Value,
    applications: Value,
    conditions: Value,
    grant: Value,
    session: Value,
}

fn all_users() -> Value {
    json!({"includeUsers": ["All"], "excludeUsers": [CURRENT_ADMIN], "includeGroups": [], "excludeGroups": [],
           "includeRoles": [], "excludeRoles": [], "includeGuestsOrExternalUsers": null, "excludeGuestsOrExternalUsers": null})
}

fn admins() -> Value {
    json!({"includeUsers": [], "excludeUsers": [CURRENT_ADMIN], "includeGroups": [], "excludeGroups": [],
           "includeRoles": TEMPLATE_ADMIN_ROLES, "excludeRoles": [], "includeGuestsOrExternalUsers": null,
           "excludeGuestsOrExternalUsers": null})
}

fn apps(include: &[&str]) -> Value {
    json!({"includeApplications": include, "excludeApplications": [], "includeUserActions": [],
           "includeAuthenticationContextClassReferences": [], "applicationFilter": null})
}

fn grant(operator: &str, controls: &[&str]) -> Value {
    json!({"operator": operator, "builtInControls": controls, "customAuthenticationFactors": [], "termsOfUse": [],
           "authenticationStrength": null})
}

fn every_time() -> Value {
    json!({"signInFrequency": {"value": null, "type": null, "authenticationType": "primaryAndSecondaryAuthentication",
                               "frequencyInterval": "everyTime", "isEnabled": true}})
}

fn templates_list() -> Vec<Template> {
    let mut all_but_sync = all_users();
    all_but_sync["excludeRoles"] = json!([DIRECTORY_SYNCHRONIZATION_ACCOUNTS]);
    let mut registration_users = all_users();
    registration_users["excludeUsers"] = json!(["GuestsOrExternalUsers", CURRENT_ADMIN]);
    registration_users["excludeRoles"] = json!([roles::GLOBAL_ADMINISTRATOR]);
    let mut guests = all_users();
    guests["includeUsers"] = json!(["GuestsOrExternalUsers"]);
    let mut phishing_resistant = grant("AND", &[]);
    phishing_resistant["authenticationStrength"] = json!({
        "id": PHISHING_RESISTANT_STRENGTH, "displayName": "Phishing-resistant MFA", "policyType": "builtIn",
        "requirementsSatisfied": "mfa", "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
    });
    vec![
        Template {
            id: "c7503427-338e-4c5e-902d-abe252abfb43",
            name: "Require multifactor authentication for admins",
            description: "Require multifactor authentication for privileged administrative accounts to reduce risk of compromise. This policy will target the same roles as security defaults.",
            scenarios: "secureFoundation,zeroTrust,protectAdmins",
            users: admins(),
            applications: apps(&["All"]),
            conditions: json!({}),
            grant: grant("OR", &["mfa"]),
            session: Value::Null,
        },
        Template {
            id: "b8bda7f8-6584-4446-bce9-d871480e53fa",
            name: "Securing security info registration",
            description: "Secure when and how users register for Microsoft Entra multifactor authentication and self-service password reset.",
            scenarios: "secureFoundation,zeroTrust,remoteWork",
            users: registration_users,
            applications: json!({"includeApplications": [], "excludeApplications": [],
                "includeUserActions": ["urn:user:registersecurityinfo"],
                "includeAuthenticationContextClassReferences": [], "applicationFilter": null}),
            conditions: json!({"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}),
            grant: grant("OR", &["mfa"]),
            session: Value::Null,
        },
        Template {
            id: "0b2282f9-2862-4178-88b5-d79340b36cb8",
            name: "Block legacy authentication",
            description: "Block legacy authentication endpoints that can be used to bypass multifactor authentication.",
            scenarios: "secureFoundation,zeroTrust,remoteWork,protectAdmins",
            users: all_users(),
            applications: apps(&["All"]),
            conditions: json!({"clientAppTypes": ["exchangeActiveSync", "other"]}),
            grant: grant("OR", &["block"]),
            session: Value::Null,
        },
        Template {
            id: "a3d0a415-b068-4326-9251-f9cdf9feeb64",
            name: "Require multifactor authentication for all users",
            description: "Require multifactor authentication for all user accounts to reduce risk of compromise. Directory Synchronization Accounts are excluded for on-premises directory synchronization tasks.",
            scenarios: "secureFoundation,zeroTrust,remoteWork",
            users: all_but_sync,
            applications: apps(&["All"]),
            conditions: json!({}),
            grant: grant("OR", &["mfa"]),
            session: Value::Null,
        },
        Template {
            id: "a4072ac0-722b-4991-981b-7f9755daef14",
            name: "Require multifactor authentication for guest access",
            description: "Require guest users perform multifactor authentication when accessing your company resources.",
            scenarios: "zeroTrust,remoteWork",
            users: guests,
            applications: apps(&["All"]),
            conditions: json!({}),
            grant: grant("OR", &["mfa"]),
            session: Value::Null,
        },
        Template {
            id: "d8c51a9a-e6b1-454d-86af-554e7872e2c1",
            name: "Require multifactor authentication for Azure management",
            description: "Require multifactor authentication to protect privileged access to Azure management.",
            scenarios: "secureFoundation,zeroTrust,protectAdmins",
            users: all_users(),
            applications: apps(&[AZURE_MANAGEMENT]),
            conditions: json!({}),
            grant: grant("OR", &["mfa"]),
            session: Value::Null,
        },
        Template {
            id: "6b619f55-792e-45dc-9711-d83ec9d7ae90",
            name: "Require multifactor authentication for risky sign-ins",
            description: "Require multifactor authentication if the sign-in risk is detected to be medium or high. (Requires a Microsoft Entra ID P2 license)",
            scenarios: "zeroTrust,remoteWork",
            users: all_users(),
            applications: apps(&["All"]),
            conditions: json!({"signInRiskLevels": ["high", "medium"]}),
            grant: grant("OR", &["mfa"]),
            session: every_time(),
        },
        Template {
            id: "634b6de7-c38d-4357-a2c7-3842706eedd7",
            name: "Require password change for high-risk users",
            description: "Require the user to change their password if the user risk is detected to be high. (Requires a Microsoft Entra ID P2 license)",
            scenarios: "zeroTrust,remoteWork",
            users: all_users(),
            applications: apps(&["All"]),
            conditions: json!({"userRiskLevels": ["high"]}),
            grant: grant("AND", &["mfa", "passwordChange"]),
            session: every_time(),
        },
        Template {
            id: "76c03f19-ea37-4656-a772-a183b4ddb81d",
            name: "Require phishing-resistant multifactor authentication for admins",
            description: "Require phishing-resistant multifactor authentication for privileged administrative accounts to reduce risk of compromise and phishing attacks. This policy requires admins to have at least one phishing resistant authentication method registered.",
            scenarios: "protectAdmins,emergingThreats",
            users: admins(),
            applications: apps(&["All"]),
            conditions: json!({}),
            grant: phishing_resistant,
            session: Value::Null,
        },
        Template {
            id: "6364131e-bc4a-47c4-a20b-33492d1fff6c",
            name: "Require multifactor authentication for Microsoft admin portals",
            description: "Use this template to protect sign-ins to admin portals if you are unable to use the \"Require MFA for admins\" template.",
            scenarios: "zeroTrust,protectAdmins",
            users: admins(),
            applications: apps(&["MicrosoftAdminPortals"]),
            conditions: json!({}),
            grant: grant("OR", &["mfa"]),
            session: Value::Null,
        },
    ]
}

/// `GET /identity/conditionalAccess/templates`.
pub fn ca_templates(_: &Generation<'_>) -> Vec<Value> {
    templates_list()
        .into_iter()
        .map(|t| {
            let mut conditions = json!({
                "userRiskLevels": [], "signInRiskLevels": [], "clientAppTypes": ["all"],
                "servicePrincipalRiskLevels": [], "insiderRiskLevels": null, "platforms": null,
                "locations": null, "devices": null, "clientApplications": null, "authenticationFlows": null,
                "applications": t.applications, "users": t.users,
            });
            if let (Some(base), Some(extra)) = (conditions.as_object_mut(), t.conditions.as_object()) {
                for (k, v) in extra {
                    base.insert(k.clone(), v.clone());
                }
            }
            json!({
                "id": t.id,
                "name": t.name,
                "description": t.description,
                "scenarios": t.scenarios,
                "details": {"conditions": conditions, "grantControls": t.grant, "sessionControls": t.session},
            })
        })
        .collect()
}
