//! Conditional Access: the policies CA001–CA010 of the story, exactly as its table, the
//! estate that grew around them (CA011–CA018), and the named locations they use (trusted HQ
//! and Branches, Restricted countries).
//!
//! The policies are real Graph `conditionalAccessPolicy` resources, so the What-If evaluator
//! reads its rules straight from them and a policy change here changes every answer.
//!
//! The estate carries, on purpose, every finding an admin's review should make:
//! - break-glass accounts excluded everywhere but CA006;
//! - legacy authentication blocked only in report-only (CA002, for 120 days) and, enforced, by
//!   CA011, which leaves Exchange Online out — where every legacy sign-in goes;
//! - admins held to plain MFA (CA001), not a phishing-resistant strength;
//! - nothing blocks the device code flow;
//! - CA008 (8 h) and CA009 (1 h, report-only) set different sign-in frequencies for Finance;
//! - CA012 lies inside CA003 with the same grant (redundant);
//! - CA014's MFA from restricted countries never matters: CA006 blocks those sign-ins;
//! - CA015 and CA016 differ only in their apps (one policy would do);
//! - CA017 targets Project Phoenix, a group deleted nine days ago, so it matches no one;
//! - CA018, off, would hold Global Administrators outside the trusted locations to the custom
//!   FIDO2 strength — the only policy using a strength or a trusted-location exclusion;
//! - CA013 asks guests for MFA in report-only since three weeks ago; no enforced MFA covers
//!   guests or the 40 members of *CA Exclusions*.

use serde_json::{Value, json};

use super::apps::{self, AZURE_MANAGEMENT};
use super::clock::Clock;
use super::groups::{CA_EXCLUSIONS, DELETED_GROUP, FINANCE_DEPARTMENT};
use super::ids;
use super::people::member_id;
use super::roles;

pub const HQ: &str = "HQ";
pub const BRANCHES: &str = "Branches";
pub const RESTRICTED_COUNTRIES: &str = "Restricted countries";

/// Address ranges of the trusted locations (documentation ranges, never routable).
pub const HQ_RANGE: &str = "192.0.2.0/24";
pub const BRANCHES_RANGE: &str = "198.51.100.0/24";
pub const RESTRICTED_COUNTRY_CODES: &[&str] = &["KP", "IR", "SY", "CU", "RU", "BY"];

/// Display names by short code, as the story's table names them.
pub const POLICIES: &[(&str, &str)] = &[
    ("CA001", "CA001 MFA for admins"),
    ("CA002", "CA002 Block legacy authentication"),
    ("CA003", "CA003 MFA for all users"),
    ("CA004", "CA004 Block high sign-in risk"),
    ("CA005", "CA005 Compliant device for Finance apps"),
    ("CA006", "CA006 Block restricted countries"),
    ("CA007", "CA007 Password change on high user risk"),
    ("CA008", "CA008 Finance sign-in frequency 8 hours"),
    ("CA009", "CA009 Finance sign-in frequency 1 hour"),
    ("CA010", "CA010 MFA for Azure management"),
    ("CA011", "CA011 Block legacy authentication except Exchange"),
    ("CA012", "CA012 MFA for Microsoft 365 apps"),
    ("CA013", "CA013 MFA for guests"),
    ("CA014", "CA014 MFA from restricted countries"),
    ("CA015", "CA015 Block guests from Azure management"),
    ("CA016", "CA016 Block guests from admin portals"),
    ("CA017", "CA017 MFA for Project Phoenix"),
    ("CA018", "CA018 Phishing-resistant MFA for Global Administrators"),
];

/// The display name of a policy by code (`CA004`).
pub fn policy_name(code: &str) -> &'static str {
    POLICIES.iter().find(|(c, _)| *c == code).map(|(_, name)| *name).unwrap_or("")
}

/// The roles CA001 protects.
const ADMIN_ROLES: &[&str] = &[
    roles::GLOBAL_ADMINISTRATOR,
    roles::PRIVILEGED_ROLE_ADMINISTRATOR,
    roles::SECURITY_ADMINISTRATOR,
    roles::USER_ADMINISTRATOR,
    roles::CONDITIONAL_ACCESS_ADMINISTRATOR,
    roles::HELPDESK_ADMINISTRATOR,
    roles::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    roles::APPLICATION_ADMINISTRATOR,
    roles::CLOUD_APPLICATION_ADMINISTRATOR,
    roles::AUTHENTICATION_ADMINISTRATOR,
];

/// The apps the Finance policies target.
pub fn finance_apps() -> Vec<String> {
    vec![apps::app_id(apps::FINANCE_PORTAL), apps::app_id(apps::TREASURY_FORECAST)]
}

fn break_glass() -> Vec<String> {
    vec![member_id("breakglass01"), member_id("breakglass02")]
}

/// Days since the policy with this code was created (0 for an unknown code): a sign-in older
/// than its policy does not list it.
pub fn policy_created_days_ago(code: &str) -> i64 {
    rules().into_iter().find(|r| r.code == code).map_or(0, |r| r.created_days_ago)
}

/// Everything that varies between the policies; the rest of the resource is boilerplate.
struct Rule {
    code: &'static str,
    state: &'static str,
    created_days_ago: i64,
    modified_days_ago: i64,
    include_users: Vec<String>,
    exclude_users: Vec<String>,
    include_groups: Vec<String>,
    exclude_groups: Vec<String>,
    include_roles: Vec<String>,
    exclude_guests: bool,
    /// Targets every kind of guest and external user (instead of `include_users`).
    include_guests: bool,
    include_applications: Vec<String>,
    exclude_applications: Vec<String>,
    client_app_types: Vec<&'static str>,
    locations: Option<Value>,
    sign_in_risk: Vec<&'static str>,
    user_risk: Vec<&'static str>,
    grant: Option<(&'static str, Vec<&'static str>)>,
    /// An authentication strength required instead of built-in controls: (id, name).
    strength: Option<(String, &'static str)>,
    sign_in_frequency_hours: Option<u32>,
}

impl Rule {
    fn new(code: &'static str, state: &'static str, created: i64, modified: i64) -> Rule {
        Rule {
            code,
            state,
            created_days_ago: created,
            modified_days_ago: modified,
            include_users: vec!["All".into()],
            exclude_users: break_glass(),
            include_groups: Vec::new(),
            exclude_groups: Vec::new(),
            include_roles: Vec::new(),
            exclude_guests: false,
            include_guests: false,
            include_applications: vec!["All".into()],
            exclude_applications: Vec::new(),
            client_app_types: vec!["all"],
            locations: None,
            sign_in_risk: Vec::new(),
            user_risk: Vec::new(),
            grant: None,
            strength: None,
            sign_in_frequency_hours: None,
        }
    }
}

fn rules() -> Vec<Rule> {
    let mut ca001 = Rule::new("CA001", "enabled", 900, 300);
    ca001.include_users = Vec::new();
    ca001.include_roles = ADMIN_ROLES.iter().map(|r| r.to_string()).collect();
    ca001.grant = Some(("OR", vec!["mfa"]));

    let mut ca002 = Rule::new("CA002", "enabledForReportingButNotEnforced", 120, 120);
    ca002.client_app_types = vec!["exchangeActiveSync", "other"];
    ca002.grant = Some(("OR", vec!["block"]));

    let mut ca003 = Rule::new("CA003", "enabled", 800, 2);
    ca003.exclude_groups = vec![ids::group_id(CA_EXCLUSIONS)];
    ca003.exclude_guests = true;
    ca003.exclude_applications = vec![apps::app_id(apps::LEGACY_REPORTS)];
    ca003.grant = Some(("OR", vec!["mfa"]));

    let mut ca004 = Rule::new("CA004", "enabled", 500, 200);
    ca004.sign_in_risk = vec!["high"];
    ca004.grant = Some(("OR", vec!["block"]));

    let mut ca005 = Rule::new("CA005", "enabled", 400, 90);
    ca005.include_applications = finance_apps();
    ca005.grant = Some(("OR", vec!["compliantDevice"]));

    // The one policy without a break-glass exclusion, as the story requires.
    let mut ca006 = Rule::new("CA006", "enabled", 600, 45);
    ca006.exclude_users = Vec::new();
    ca006.locations = Some(json!({
        "includeLocations": [ids::named_location_id(RESTRICTED_COUNTRIES)],
        "excludeLocations": [],
    }));
    ca006.grant = Some(("OR", vec!["block"]));

    let mut ca007 = Rule::new("CA007", "enabledForReportingButNotEnforced", 60, 60);
    ca007.user_risk = vec!["high"];
    ca007.grant = Some(("AND", vec!["mfa", "passwordChange"]));

    let mut ca008 = Rule::new("CA008", "enabled", 300, 100);
    ca008.include_users = Vec::new();
    ca008.include_groups = vec![ids::group_id(FINANCE_DEPARTMENT)];
    ca008.include_applications = finance_apps();
    ca008.sign_in_frequency_hours = Some(8);

    let mut ca009 = Rule::new("CA009", "enabledForReportingButNotEnforced", 6, 6);
    ca009.include_users = Vec::new();
    ca009.include_groups = vec![ids::group_id(FINANCE_DEPARTMENT)];
    ca009.include_applications = finance_apps();
    ca009.sign_in_frequency_hours = Some(1);

    let mut ca010 = Rule::new("CA010", "disabled", 200, 200);
    ca010.include_applications = vec![AZURE_MANAGEMENT.into()];
    ca010.grant = Some(("OR", vec!["mfa"]));

    // Enforced for every app but Exchange Online, which the branches' old ActiveSync phones
    // still need: the one app every legacy client signs in to stays open.
    let mut ca011 = Rule::new("CA011", "enabled", 150, 150);
    ca011.client_app_types = vec!["exchangeActiveSync", "other"];
    ca011.exclude_applications = vec![apps::EXCHANGE_ONLINE.into()];
    ca011.grant = Some(("OR", vec!["block"]));

    // Older than CA003 and never retired: the same people, a subset of its apps, the same grant.
    let mut ca012 = Rule::new("CA012", "enabled", 900, 400);
    ca012.exclude_groups = vec![ids::group_id(CA_EXCLUSIONS)];
    ca012.exclude_guests = true;
    ca012.include_applications = vec!["Office365".into()];
    ca012.grant = Some(("OR", vec!["mfa"]));

    let mut ca013 = Rule::new("CA013", "enabledForReportingButNotEnforced", 21, 21);
    ca013.include_users = Vec::new();
    ca013.include_guests = true;
    ca013.grant = Some(("OR", vec!["mfa"]));

    // Written before CA006 blocked the same sign-ins outright.
    let mut ca014 = Rule::new("CA014", "enabled", 700, 650);
    ca014.locations = Some(json!({
        "includeLocations": [ids::named_location_id(RESTRICTED_COUNTRIES)],
        "excludeLocations": [],
    }));
    ca014.grant = Some(("OR", vec!["mfa"]));

    let mut ca015 = Rule::new("CA015", "enabled", 350, 350);
    ca015.include_users = Vec::new();
    ca015.include_guests = true;
    ca015.include_applications = vec![AZURE_MANAGEMENT.into()];
    ca015.grant = Some(("OR", vec!["block"]));

    let mut ca016 = Rule::new("CA016", "enabled", 180, 180);
    ca016.include_users = Vec::new();
    ca016.include_guests = true;
    ca016.include_applications = vec!["MicrosoftAdminPortals".into()];
    ca016.grant = Some(("OR", vec!["block"]));

    // The pilot group was deleted nine days ago; Entra keeps its id in the policy.
    let mut ca017 = Rule::new("CA017", "enabled", 280, 280);
    ca017.include_users = Vec::new();
    ca017.include_groups = vec![ids::group_id(DELETED_GROUP)];
    ca017.grant = Some(("OR", vec!["mfa"]));

    // Drafted by Marcus Lee last week and never switched on: Global Administrators outside the
    // trusted locations would need the custom FIDO2 strength.
    let mut ca018 = Rule::new("CA018", "disabled", 5, 5);
    ca018.include_users = Vec::new();
    ca018.include_roles = vec![roles::GLOBAL_ADMINISTRATOR.to_string()];
    ca018.locations = Some(json!({"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}));
    ca018.grant = Some(("OR", Vec::new()));
    ca018.strength = Some((super::ca_catalog::fido2_strength_id(), super::ca_catalog::FIDO2_STRENGTH_NAME));

    vec![
        ca001, ca002, ca003, ca004, ca005, ca006, ca007, ca008, ca009, ca010, ca011, ca012, ca013, ca014, ca015, ca016,
        ca017, ca018,
    ]
}

/// The guest types Entra lists when a policy targets "all guest and external users".
const ALL_GUEST_TYPES: &str =
    "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider";

/// The policies as Graph `conditionalAccessPolicy` resources.
pub fn policies(clock: &Clock) -> Vec<Value> {
    rules().into_iter().map(|rule| policy_json(&rule, clock)).collect()
}

fn policy_json(rule: &Rule, clock: &Clock) -> Value {
    let guests = if rule.exclude_guests {
        json!({
            "guestOrExternalUserTypes": ALL_GUEST_TYPES,
            "externalTenants": {
                "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
                "membershipKind": "all",
            },
        })
    } else {
        Value::Null
    };
    let include_guests = if rule.include_guests {
        json!({
            "guestOrExternalUserTypes": ALL_GUEST_TYPES,
            "externalTenants": {
                "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
                "membershipKind": "all",
            },
        })
    } else {
        Value::Null
    };
    let grant = match &rule.grant {
        Some((operator, controls)) => json!({
            "operator": operator,
            "builtInControls": controls,
            "customAuthenticationFactors": [],
            "termsOfUse": [],
            "authenticationStrength": match &rule.strength {
                Some((id, name)) => json!({"id": id, "displayName": name, "policyType": "custom"}),
                None => Value::Null,
            },
        }),
        None => Value::Null,
    };
    let session = match rule.sign_in_frequency_hours {
        Some(hours) => json!({
            "disableResilienceDefaults": null,
            "applicationEnforcedRestrictions": null,
            "cloudAppSecurity": null,
            "persistentBrowser": null,
            "continuousAccessEvaluation": null,
            "secureSignInSession": null,
            "signInFrequency": {
                "value": hours,
                "type": "hours",
                "authenticationType": "primaryAndSecondaryAuthentication",
                "frequencyInterval": "timeBased",
                "isEnabled": true,
            },
        }),
        None => Value::Null,
    };
    json!({
        "id": ids::ca_policy_id(rule.code),
        "templateId": null,
        "displayName": policy_name(rule.code),
        "createdDateTime": clock.days_ago(rule.created_days_ago),
        "modifiedDateTime": clock.days_ago(rule.modified_days_ago),
        "state": rule.state,
        "conditions": {
            "userRiskLevels": rule.user_risk,
            "signInRiskLevels": rule.sign_in_risk,
            "clientAppTypes": rule.client_app_types,
            "servicePrincipalRiskLevels": [],
            "insiderRiskLevels": null,
            "platforms": null,
            "locations": rule.locations,
            "devices": null,
            "clientApplications": null,
            "authenticationFlows": null,
            "applications": {
                "includeApplications": rule.include_applications,
                "excludeApplications": rule.exclude_applications,
                "includeUserActions": [],
                "includeAuthenticationContextClassReferences": [],
                "applicationFilter": null,
            },
            "users": {
                "includeUsers": rule.include_users,
                "excludeUsers": rule.exclude_users,
                "includeGroups": rule.include_groups,
                "excludeGroups": rule.exclude_groups,
                "includeRoles": rule.include_roles,
                "excludeRoles": [],
                "includeGuestsOrExternalUsers": include_guests,
                "excludeGuestsOrExternalUsers": guests,
            },
        },
        "grantControls": grant,
        "sessionControls": session,
    })
}

/// Named locations: two trusted IP ranges and a country list.
pub fn named_locations(clock: &Clock) -> Vec<Value> {
    let ip = |name: &str, range: &str, created: i64| {
        json!({
            "@odata.type": "#microsoft.graph.ipNamedLocation",
            "id": ids::named_location_id(name),
            "displayName": name,
            "createdDateTime": clock.days_ago(created),
            "modifiedDateTime": clock.days_ago(created / 2),
            "isTrusted": true,
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": range}],
        })
    };
    vec![
        ip(HQ, HQ_RANGE, 1000),
        ip(BRANCHES, BRANCHES_RANGE, 900),
        json!({
            "@odata.type": "#microsoft.graph.countryNamedLocation",
            "id": ids::named_location_id(RESTRICTED_COUNTRIES),
            "displayName": RESTRICTED_COUNTRIES,
            "createdDateTime": clock.days_ago(600),
            "modifiedDateTime": clock.days_ago(45),
            "countriesAndRegions": RESTRICTED_COUNTRY_CODES,
            "includeUnknownCountriesAndRegions": false,
            "countryLookupMethod": "clientIpAddress",
        }),
    ]
}
