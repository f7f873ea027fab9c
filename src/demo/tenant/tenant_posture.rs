//! Woodgrove Bank's posture as Graph v1.0 and Azure Resource Manager report it: its domains
//! and their DNS verification records, the user settings of its authorization policy, 90 days
//! of Microsoft Secure Score with the control profiles behind it, service health, and the one
//! Entra diagnostic setting.
//!
//! - Domains: `woodgrovebank.com` (default; passwords there expire after 90 days),
//!   `woodgrovebank.onmicrosoft.com` (initial) and `woodgrove-loans.com`, bought for the loans
//!   business and never verified: its TXT and MX records are waiting to be added.
//! - User settings: members may register applications and create security groups and invite
//!   guests; guests have the limited guest role; no one joins by email verification.
//! - Secure Score climbs from 52 % to 61 % over 90 days, with a dip three weeks ago when
//!   Microsoft added controls. Identity controls are in every state: MFA for admins and
//!   sign-in risk done, MFA for everyone partly (CA003's exclusions), legacy authentication and
//!   user risk still to do (CA002 and CA007 are report-only), password expiry to do (the
//!   domain's 90 days), one control ignored and one handled by a third party.
//! - Service health: an open advisory on Microsoft Entra, an incident there resolved last
//!   week, and an open Microsoft Teams incident that is not about identity.
//! - Diagnostic settings: sign-in, audit, provisioning and risk logs go to a Log Analytics
//!   workspace; non-interactive, service principal and managed identity sign-ins and Graph
//!   activity logs go nowhere.

use chrono::Duration;
use serde_json::{Value, json};

use super::{DOMAIN, Generation, INITIAL_DOMAIN, ids};

/// The domain bought for the loans business and never verified.
pub const UNVERIFIED_DOMAIN: &str = "woodgrove-loans.com";

/// Graph's `passwordValidityPeriodInDays` for passwords that never expire.
const NEVER_EXPIRES: i64 = 2_147_483_647;

/// The `domain` resources.
pub fn domains(_: &Generation<'_>) -> Vec<Value> {
    vec![
        json!({
            "id": DOMAIN,
            "authenticationType": "Managed",
            "availabilityStatus": null,
            "isAdminManaged": true,
            "isDefault": true,
            "isInitial": false,
            "isRoot": true,
            "isVerified": true,
            "passwordNotificationWindowInDays": 14,
            "passwordValidityPeriodInDays": 90,
            "supportedServices": ["Email", "OfficeCommunicationsOnline", "Intune"],
            "state": null,
        }),
        json!({
            "id": INITIAL_DOMAIN,
            "authenticationType": "Managed",
            "availabilityStatus": null,
            "isAdminManaged": true,
            "isDefault": false,
            "isInitial": true,
            "isRoot": true,
            "isVerified": true,
            "passwordNotificationWindowInDays": 14,
            "passwordValidityPeriodInDays": NEVER_EXPIRES,
            "supportedServices": ["Email", "OfficeCommunicationsOnline"],
            "state": null,
        }),
        json!({
            "id": UNVERIFIED_DOMAIN,
            "authenticationType": "Managed",
            "availabilityStatus": null,
            "isAdminManaged": true,
            "isDefault": false,
            "isInitial": false,
            "isRoot": true,
            "isVerified": false,
            "passwordNotificationWindowInDays": 14,
            "passwordValidityPeriodInDays": NEVER_EXPIRES,
            "supportedServices": [],
            "state": null,
        }),
    ]
}

/// The value of the `MS=` TXT record Entra asks a domain's owner to publish.
fn verification_code(domain: &str) -> String {
    let id = ids::object_id("domainVerification", domain);
    let digits: String = id.chars().filter(char::is_ascii_digit).take(8).collect();
    format!("ms{digits:0<8}")
}

/// Each domain's `verificationDnsRecords`, kept as one row per domain (`id` is the domain,
/// `records` its records), in the order Graph lists them: the TXT record, then the MX.
pub fn verification_records(g: &Generation<'_>) -> Vec<Value> {
    domains(g)
        .iter()
        .filter_map(|d| d.get("id").and_then(Value::as_str))
        .map(|domain| {
            let code = verification_code(domain);
            json!({
                "id": domain,
                "records": [
                    {
                        "@odata.type": "#microsoft.graph.domainDnsTxtRecord",
                        "id": ids::object_id("domainDnsRecord", &format!("{domain}/txt")),
                        "isOptional": false,
                        "label": domain,
                        "recordType": "Txt",
                        "supportedService": "Email",
                        "ttl": 3600,
                        "text": format!("MS={code}"),
                    },
                    {
                        "@odata.type": "#microsoft.graph.domainDnsMxRecord",
                        "id": ids::object_id("domainDnsRecord", &format!("{domain}/mx")),
                        "isOptional": false,
                        "label": domain,
                        "recordType": "Mx",
                        "supportedService": "Email",
                        "ttl": 3600,
                        "mailExchange": format!("{code}.msv1.invalid"),
                        "preference": 32767,
                    },
                ],
            })
        })
        .collect()
}

/// The tenant's `authorizationPolicy` (a singleton; one row).
pub fn authorization_policy(_: &Generation<'_>) -> Vec<Value> {
    vec![json!({
        "id": "authorizationPolicy",
        "displayName": "Authorization Policy",
        "description": "Used to manage authorization related settings across the company.",
        "allowInvitesFrom": "adminsGuestInvitersAndAllMembers",
        "allowedToSignUpEmailBasedSubscriptions": false,
        "allowedToUseSSPR": true,
        "allowEmailVerifiedUsersToJoinOrganization": false,
        "allowUserConsentForRiskyApps": false,
        "blockMsolPowerShell": true,
        "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3",
        "defaultUserRolePermissions": {
            "allowedToCreateApps": true,
            "allowedToCreateSecurityGroups": true,
            "allowedToCreateTenants": false,
            "allowedToReadBitlockerKeysForOwnedDevice": true,
            "allowedToReadOtherUsers": true,
            "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-low"],
        },
    })]
}

/// One Secure Score control: id, category, title, the most it is worth, its score today, the
/// state an admin set (`Default`, `Ignored`, `ThirdParty`, `Reviewed`) and why, the day it
/// was completed (before that it scored nothing), and what the profile says to do.
struct Control {
    id: &'static str,
    category: &'static str,
    title: &'static str,
    max: f64,
    score: f64,
    state: (&'static str, &'static str),
    done_days_ago: Option<i64>,
    remediation: &'static str,
    user_impact: &'static str,
    cost: &'static str,
    tier: &'static str,
    rank: i64,
}

const CONTROLS: &[Control] = &[
    Control {
        id: "AdminMFAV2",
        category: "Identity",
        title: "Ensure multifactor authentication is enabled for all users in administrative roles",
        max: 10.0,
        score: 10.0,
        state: ("Default", ""),
        done_days_ago: Some(60),
        remediation: "<p>Require multifactor authentication for every directory role holder with a Conditional Access policy targeting the administrative roles.</p>",
        user_impact: "Low",
        cost: "Low",
        tier: "Core",
        rank: 1,
    },
    Control {
        id: "MFARegistrationV2",
        category: "Identity",
        title: "Ensure multifactor authentication is enabled for all users",
        max: 9.0,
        score: 6.3,
        state: ("Default", ""),
        done_days_ago: None,
        remediation: "<p>Require multifactor authentication for all users with Conditional Access, and close the exclusions that leave users out.</p>",
        user_impact: "Moderate",
        cost: "Moderate",
        tier: "Core",
        rank: 2,
    },
    Control {
        id: "BlockLegacyAuthentication",
        category: "Identity",
        title: "Enable Conditional Access policies to block legacy authentication",
        max: 8.0,
        score: 0.0,
        state: ("Default", ""),
        done_days_ago: None,
        remediation: "<p>Turn the report-only policy that blocks legacy authentication (Exchange ActiveSync and other clients) on, after checking its report-only results.</p>",
        user_impact: "Moderate",
        cost: "Low",
        tier: "Core",
        rank: 3,
    },
    Control {
        id: "SigninRiskPolicy",
        category: "Identity",
        title: "Ensure sign-in risk policy is enabled",
        max: 7.0,
        score: 7.0,
        state: ("Default", ""),
        done_days_ago: Some(40),
        remediation: "<p>Block or require multifactor authentication for medium and high sign-in risk with a Conditional Access policy.</p>",
        user_impact: "Low",
        cost: "Moderate",
        tier: "Core",
        rank: 4,
    },
    Control {
        id: "UserRiskPolicy",
        category: "Identity",
        title: "Ensure user risk policy is enabled",
        max: 7.0,
        score: 0.0,
        state: ("Reviewed", "CA007 runs report-only until the helpdesk is ready for forced password changes"),
        done_days_ago: None,
        remediation: "<p>Require a secure password change for high user risk with a Conditional Access policy.</p>",
        user_impact: "Moderate",
        cost: "Moderate",
        tier: "Core",
        rank: 5,
    },
    Control {
        id: "PWAgePolicyNew",
        category: "Identity",
        title: "Ensure user passwords are set to never expire",
        max: 8.0,
        score: 0.0,
        state: ("Default", ""),
        done_days_ago: None,
        remediation: "<p>Set the password expiration policy of your domains to never expire; forced periodic changes lead users to weaker passwords.</p>",
        user_impact: "Low",
        cost: "Low",
        tier: "Core",
        rank: 6,
    },
    Control {
        id: "SelfServicePasswordReset",
        category: "Identity",
        title: "Enable self-service password reset",
        max: 1.0,
        score: 1.0,
        state: ("Default", ""),
        done_days_ago: Some(20),
        remediation: "<p>Turn self-service password reset on for all users.</p>",
        user_impact: "Low",
        cost: "Low",
        tier: "Defense in Depth",
        rank: 7,
    },
    Control {
        id: "OneAdmin",
        category: "Identity",
        title: "Designate more than one Global Administrator",
        max: 1.0,
        score: 1.0,
        state: ("Default", ""),
        done_days_ago: None,
        remediation: "<p>Keep between two and four Global Administrators, break-glass accounts included.</p>",
        user_impact: "Low",
        cost: "Low",
        tier: "Core",
        rank: 8,
    },
    Control {
        id: "RoleOverlap",
        category: "Identity",
        title: "Use least privileged administrative roles",
        max: 1.0,
        score: 0.0,
        state: ("Ignored", "accepted risk: HR Onboarding Automation keeps User Administrator until the Workday move"),
        done_days_ago: None,
        remediation: "<p>Replace Global Administrator and other broad roles with the least privileged role each task needs.</p>",
        user_impact: "Low",
        cost: "Moderate",
        tier: "Defense in Depth",
        rank: 9,
    },
    Control {
        id: "aad_admin_consent_workflow",
        category: "Identity",
        title: "Ensure the admin consent workflow is enabled",
        max: 1.0,
        score: 0.0,
        state: ("ThirdParty", "app consent requests go through the ServiceNow catalog"),
        done_days_ago: None,
        remediation: "<p>Turn the admin consent workflow on so users can ask for the apps they cannot consent to.</p>",
        user_impact: "Low",
        cost: "Low",
        tier: "Defense in Depth",
        rank: 10,
    },
    Control {
        id: "IntegratedApps",
        category: "Identity",
        title: "Do not allow users to grant consent to unreliable applications",
        max: 4.0,
        score: 4.0,
        state: ("Default", ""),
        done_days_ago: None,
        remediation: "<p>Allow user consent only to verified publishers for low-risk permissions.</p>",
        user_impact: "Moderate",
        cost: "Low",
        tier: "Core",
        rank: 11,
    },
    Control {
        id: "mdo_safelinksforOfficeApps",
        category: "Apps",
        title: "Turn on Safe Links for Office applications",
        max: 8.0,
        score: 8.0,
        state: ("Default", ""),
        done_days_ago: None,
        remediation: "<p>Turn Safe Links on for Office apps in Microsoft Defender for Office 365.</p>",
        user_impact: "Low",
        cost: "Low",
        tier: "Core",
        rank: 12,
    },
    Control {
        id: "mip_autosensitivitylabelspolicies",
        category: "Data",
        title: "Apply sensitivity labels automatically",
        max: 5.0,
        score: 0.0,
        state: ("Default", ""),
        done_days_ago: None,
        remediation: "<p>Create auto-labeling policies for the sensitive information types the bank handles.</p>",
        user_impact: "Low",
        cost: "High",
        tier: "Advanced",
        rank: 13,
    },
    Control {
        id: "IntuneCompliancePolicy",
        category: "Device",
        title: "Create a device compliance policy for every platform",
        max: 9.0,
        score: 9.0,
        state: ("Default", ""),
        done_days_ago: None,
        remediation: "<p>Create Intune compliance policies for Windows, macOS, iOS and Android.</p>",
        user_impact: "Low",
        cost: "Moderate",
        tier: "Core",
        rank: 14,
    },
];

/// The tenant's score on a day (days ago), and the most it could score then: 52 % for the
/// first month, then the steps of the controls completed, a dip three weeks ago when Microsoft
/// added controls (the maximum grew), and 61 % for the last week.
fn score_on(days_ago: i64) -> (f64, f64) {
    let (percent, max): (f64, f64) = match days_ago {
        60.. => (52.0, 300.0),
        40..=59 => (55.0, 300.0),
        25..=39 => (57.5, 300.0),
        18..=24 => (50.5, 330.0),
        8..=17 => (58.0, 330.0),
        _ => (61.0, 330.0),
    };
    ((percent * max / 100.0 * 100.0).round() / 100.0, max)
}

/// What a control scored on a day: its score today once completed, nothing before.
fn control_score(control: &Control, days_ago: i64) -> f64 {
    match control.done_days_ago {
        Some(done) if days_ago > done => 0.0,
        _ => control.score,
    }
}

/// `secureScores`: one a day for 90 days, newest first, as Graph keeps them.
pub fn secure_scores(g: &Generation<'_>) -> Vec<Value> {
    let (clock, tenant) = (g.clock, g.tenant_id);
    (0..90)
        .map(|days_ago| {
            let (current, max) = score_on(days_ago);
            let created = clock.at(Duration::days(-days_ago) - Duration::hours(2));
            let controls: Vec<Value> = CONTROLS
                .iter()
                .map(|c| {
                    json!({
                        "controlCategory": c.category,
                        "controlName": c.id,
                        "description": c.title,
                        "score": control_score(c, days_ago),
                    })
                })
                .collect();
            json!({
                "id": format!("{tenant}_{}", created.get(..10).unwrap_or(&created)),
                "azureTenantId": tenant,
                "activeUserCount": 84,
                "createdDateTime": created,
                "currentScore": current,
                "maxScore": max,
                "enabledServices": ["HasExchange", "HasSharePoint", "HasOD4B", "HasMCAS", "HasEntra"],
                "licensedUserCount": 92,
                "averageComparativeScores": [
                    {"basis": "AllTenants", "averageScore": (max * 0.43 * 100.0).round() / 100.0},
                    {"basis": "TotalSeats", "averageScore": (max * 0.48 * 100.0).round() / 100.0},
                    {"basis": "IndustryTypes", "averageScore": (max * 0.55 * 100.0).round() / 100.0},
                ],
                "controlScores": controls,
                "vendorInformation": {"provider": "SecureScore", "vendor": "Microsoft", "providerVersion": null, "subProvider": null},
            })
        })
        .collect()
}

/// `secureScoreControlProfiles`.
pub fn secure_score_control_profiles(g: &Generation<'_>) -> Vec<Value> {
    let (clock, tenant) = (g.clock, g.tenant_id);
    CONTROLS
        .iter()
        .map(|c| {
            let (state, comment) = c.state;
            let updates = if state == "Default" {
                json!([])
            } else {
                json!([{
                    "assignedTo": "",
                    "comment": comment,
                    "state": state,
                    "updatedBy": "marcus@woodgrovebank.com",
                    "updatedDateTime": clock.days_ago(12),
                }])
            };
            json!({
                "id": c.id,
                "azureTenantId": tenant,
                "actionType": "Config",
                "actionUrl": format!("https://security.microsoft.com/securescore?viewid=actions&actionId={}", c.id),
                "complianceInformation": [],
                "controlCategory": c.category,
                "controlStateUpdates": updates,
                "deprecated": false,
                "implementationCost": c.cost,
                "lastModifiedDateTime": clock.days_ago(30),
                "maxScore": c.max,
                "rank": c.rank,
                "remediation": c.remediation,
                "remediationImpact": "Users in scope are affected as the control describes.",
                "service": match c.category {
                    "Identity" => "AzureAD",
                    "Apps" => "MDO",
                    "Data" => "MIP",
                    _ => "Intune",
                },
                "threats": ["AccountBreach", "ElevationOfPrivilege"],
                "tier": c.tier,
                "title": c.title,
                "userImpact": c.user_impact,
                "vendorInformation": {"provider": "SecureScore", "vendor": "Microsoft", "providerVersion": null, "subProvider": null},
            })
        })
        .collect()
}

/// A service health issue's post.
fn post(at: &str, text: &str) -> Value {
    json!({"createdDateTime": at, "postType": "regular", "description": {"contentType": "html", "content": text}})
}

/// `healthOverviews`, each with its `issues` (served only when expanded).
pub fn health_overviews(g: &Generation<'_>) -> Vec<Value> {
    let clock = g.clock;
    let entra_advisory = json!({
        "id": "EN912044",
        "title": "Some users may see delays registering security information",
        "impactDescription": "Users registering an authentication method in My Security Info may wait up to 15 minutes before the method can be used.",
        "classification": "advisory",
        "origin": "microsoft",
        "status": "serviceDegradation",
        "service": "Microsoft Entra",
        "feature": "Multifactor authentication",
        "featureGroup": "Authentication",
        "isResolved": false,
        "startDateTime": clock.hours_ago(9),
        "endDateTime": null,
        "lastModifiedDateTime": clock.hours_ago(2),
        "details": [],
        "posts": [
            post(&clock.hours_ago(9), "We're investigating reports of delays when users register security information."),
            post(&clock.hours_ago(2), "A fix is rolling out; we expect it to reach all regions within eight hours."),
        ],
    });
    let entra_incident = json!({
        "id": "EN908311",
        "title": "Users couldn't sign in to some SAML applications",
        "impactDescription": "Users in the Europe region could not sign in to some SAML-based applications.",
        "classification": "incident",
        "origin": "microsoft",
        "status": "serviceRestored",
        "service": "Microsoft Entra",
        "feature": "Single sign-on",
        "featureGroup": "Sign-in",
        "isResolved": true,
        "startDateTime": clock.days_ago(6),
        "endDateTime": clock.at(Duration::days(-6) + Duration::hours(3)),
        "lastModifiedDateTime": clock.days_ago(5),
        "details": [],
        "posts": [post(&clock.days_ago(5), "A configuration change was rolled back and sign-ins recovered.")],
    });
    let teams_incident = json!({
        "id": "TM913870",
        "title": "Some users can't join meetings from the Teams web app",
        "impactDescription": "Users joining meetings from the web app may see an endless loading screen.",
        "classification": "incident",
        "origin": "microsoft",
        "status": "serviceInterruption",
        "service": "Microsoft Teams",
        "feature": "Meetings",
        "featureGroup": "Teams Components",
        "isResolved": false,
        "startDateTime": clock.hours_ago(4),
        "endDateTime": null,
        "lastModifiedDateTime": clock.hours_ago(1),
        "details": [],
        "posts": [post(&clock.hours_ago(1), "We're reviewing service logs to find the cause.")],
    });
    vec![
        json!({"id": "Exchange", "service": "Exchange Online", "status": "serviceOperational", "issues": []}),
        json!({"id": "OrgLiveID", "service": "Microsoft Entra", "status": "serviceDegradation", "issues": [entra_advisory, entra_incident]}),
        json!({"id": "Intune", "service": "Microsoft Intune", "status": "serviceOperational", "issues": []}),
        json!({"id": "microsoftteams", "service": "Microsoft Teams", "status": "serviceInterruption", "issues": [teams_incident]}),
        json!({"id": "OSDPPlatform", "service": "Microsoft 365 suite", "status": "serviceOperational", "issues": []}),
        json!({"id": "SharePoint", "service": "SharePoint Online", "status": "serviceOperational", "issues": []}),
    ]
}

/// The log categories Entra can export, as ARM lists them in every diagnostic setting.
pub const LOG_CATEGORIES: &[&str] = &[
    "AuditLogs",
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
    "ProvisioningLogs",
    "ADFSSignInLogs",
    "RiskyUsers",
    "UserRiskEvents",
    "NetworkAccessTrafficLogs",
    "RiskyServicePrincipals",
    "ServicePrincipalRiskEvents",
    "EnrichedOffice365AuditLogs",
    "MicrosoftGraphActivityLogs",
    "RemoteNetworkHealthLogs",
    "NetworkAccessAlerts",
];

/// The categories the one setting exports.
const EXPORTED: &[&str] = &["AuditLogs", "SignInLogs", "ProvisioningLogs", "RiskyUsers", "UserRiskEvents"];

/// The Log Analytics workspace Woodgrove's security team queries (and Sentinel reads).
pub const WORKSPACE: &str = "law-woodgrove-security";

/// The tenant's Entra diagnostic settings, as ARM's `diagnosticSettings` list answers them.
pub fn diagnostic_settings(_: &Generation<'_>) -> Vec<Value> {
    let subscription = ids::object_id("azureSubscription", "Woodgrove Security");
    let name = "sentinel-export";
    let logs: Vec<Value> = LOG_CATEGORIES
        .iter()
        .map(|category| {
            json!({
                "category": category,
                "categoryGroup": null,
                "enabled": EXPORTED.contains(category),
                "retentionPolicy": {"enabled": false, "days": 0},
            })
        })
        .collect();
    vec![json!({
        "id": format!("/providers/microsoft.aadiam/diagnosticSettings/{name}"),
        "type": null,
        "name": name,
        "location": null,
        "kind": null,
        "tags": null,
        "properties": {
            "storageAccountId": null,
            "serviceBusRuleId": null,
            "workspaceId": format!(
                "/subscriptions/{subscription}/resourceGroups/rg-security/providers/Microsoft.OperationalInsights/workspaces/{WORKSPACE}"
            ),
            "eventHubAuthorizationRuleId": null,
            "eventHubName": null,
            "metrics": [],
            "logs": logs,
            "logAnalyticsDestinationType": null,
        },
        "identity": null,
    })]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_climbs_from_52_to_61_percent_with_a_dip() {
        let percent = |d: i64| {
            let (current, max) = score_on(d);
            (current / max * 1000.0).round() / 10.0
        };
        assert_eq!(percent(89), 52.0);
        assert_eq!(percent(0), 61.0);
        let all: Vec<f64> = (0..90).map(percent).collect();
        assert_eq!(all.iter().copied().fold(f64::MAX, f64::min), 50.5);
        assert_eq!(all.iter().copied().fold(f64::MIN, f64::max), 61.0);
    }

    #[test]
    fn verification_codes_are_stable_and_shaped_like_entra_s() {
        let code = verification_code(UNVERIFIED_DOMAIN);
        assert_eq!(code, verification_code(UNVERIFIED_DOMAIN));
        assert!(code.starts_with("ms") && code.len() == 10 && code[2..].bytes().all(|b| b.is_ascii_digit()), "{code}");
    }
}
