//! Entra recommendations (Graph beta `directory/recommendations`): what Microsoft's daily check
//! of Woodgrove Bank found, in every status, each with the objects of the story it is about.
//!
//! - Active: renew the expiring credentials of *Payroll Sync* (12 days left) and *Legacy
//!   Reports Portal* (already expired); remove the unused *Legacy Reports Portal*; give it an
//!   owner; require MFA for admin roles (Elena Petrova, a permanent User Administrator with a
//!   password only); block legacy authentication (Karita and the eight colleagues the spray
//!   reached over IMAP, since CA002 is still report-only); use least privileged roles (the
//!   leaver Dmitri Volkov is still a permanent Global Administrator, Priya may activate it);
//!   remove inactive guests (the two who never signed in).
//! - Postponed by Marcus Lee: convert the two per-user MFA users (George Adams, Mei Lin) to
//!   Conditional Access MFA, until three weeks from now.
//! - Completed by the system: more than one Global Administrator; a sign-in risk policy (CA004).
//! - Completed by Marcus: self-service password reset; unused app credentials removed.
//! - Dismissed by Marcus: migrating AD FS apps (the bank runs no AD FS).
//!
//! Ids are `{tenantId}_Microsoft.Identity.IAM.Insights.{Name}`, as Entra forms them. The
//! impacted resources are kept in each row under `impactedResources`, the navigation the
//! emulator serves and expands.

use serde_json::{Value, json};

use super::Generation;
use super::apps::{self, LEGACY_REPORTS, PAYROLL_SYNC};
use super::people::{guest_id, member_id};
use super::sign_ins::SPRAY_VICTIMS;

/// Who changed a recommendation's status, and how many days ago.
#[derive(Clone, Copy)]
struct Modified {
    by: &'static str,
    days_ago: i64,
}

/// One object a recommendation is about.
struct Resource {
    id: String,
    subject_id: String,
    display_name: String,
    resource_type: &'static str,
    status: &'static str,
    added_days_ago: i64,
    portal_url: String,
    details: Vec<(&'static str, String)>,
}

struct Recommendation {
    name: &'static str,
    kind: &'static str,
    display_name: &'static str,
    category: &'static str,
    priority: &'static str,
    status: &'static str,
    impact_type: &'static str,
    feature_areas: &'static [&'static str],
    /// Secure Score points (current, max); identitySecureScore recommendations only.
    score: Option<(f64, f64)>,
    created_days_ago: i64,
    insights: String,
    benefits: &'static str,
    remediation_impact: &'static str,
    /// Text, link name, link.
    steps: &'static [(&'static str, &'static str, &'static str)],
    modified: Option<Modified>,
    /// Days from now until a postponed recommendation is active again.
    postponed_for_days: Option<i64>,
    resources: Vec<Resource>,
}

const PORTAL: &str = "https://entra.microsoft.com/#view/Microsoft_AAD_IAM";

fn app_resource(
    name: &str,
    status: &'static str,
    added_days_ago: i64,
    details: Vec<(&'static str, String)>,
) -> Resource {
    let app_id = apps::app_id(name);
    Resource {
        id: apps::application_id(name),
        portal_url: format!("{PORTAL}/ApplicationMenuBlade/~/Credentials/appId/{app_id}"),
        subject_id: app_id,
        display_name: name.to_string(),
        resource_type: "app",
        status,
        added_days_ago,
        details,
    }
}

fn user_resource(
    g: &Generation<'_>,
    id: String,
    handle: &str,
    added_days_ago: i64,
    details: Vec<(&'static str, String)>,
) -> Option<Resource> {
    let person = g.cast.person(handle)?;
    Some(Resource {
        portal_url: format!("{PORTAL}/UserDetailsMenuBlade/~/overview/userId/{id}"),
        subject_id: id.clone(),
        id,
        display_name: person.display_name.clone(),
        resource_type: "user",
        status: "active",
        added_days_ago,
        details,
    })
}

fn member(
    g: &Generation<'_>,
    handle: &str,
    added_days_ago: i64,
    details: Vec<(&'static str, String)>,
) -> Option<Resource> {
    user_resource(g, member_id(handle), handle, added_days_ago, details)
}

fn detail(key: &'static str, value: impl Into<String>) -> (&'static str, String) {
    (key, value.into())
}

const MARCUS: &str = "marcus";

fn story(g: &Generation<'_>) -> Vec<Recommendation> {
    let legacy_auth: Vec<Resource> = std::iter::once("karita")
        .chain(SPRAY_VICTIMS.iter().copied())
        .filter_map(|h| member(g, h, 1, vec![detail("ClientApp", "IMAP4"), detail("LegacySignInsLast30Days", "4")]))
        .collect();
    let legacy_auth_count = legacy_auth.len();
    vec![
        Recommendation {
            name: "ApplicationCredentialExpiry",
            kind: "applicationCredentialExpiry",
            display_name: "Renew expiring application credentials",
            category: "identityBestPractice",
            priority: "high",
            status: "active",
            impact_type: "apps",
            feature_areas: &["applications"],
            score: None,
            created_days_ago: 18,
            insights: "2 applications have client secrets that have expired or expire within 30 days. Apps whose \
                       credentials expire stop authenticating, which interrupts the business processes that rely on them."
                .into(),
            benefits: "Avoid outages of the integrations that sign in with these credentials, and replace long-lived \
                       secrets with certificates or managed identities.",
            remediation_impact: "",
            steps: &[
                (
                    "1. Review the credentials of each affected application and identify the ones still in use.",
                    "App registrations",
                    "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade",
                ),
                (
                    "2. Add a new certificate or client secret, update the application's configuration, then remove the old credential.",
                    "Add a credential to an application",
                    "https://learn.microsoft.com/entra/identity-platform/how-to-add-credentials",
                ),
                (
                    "3. Consider moving workloads that run in Azure to managed identities, which have no credential to renew.",
                    "Managed identities",
                    "https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/overview",
                ),
            ],
            modified: None,
            postponed_for_days: None,
            resources: vec![
                app_resource(
                    PAYROLL_SYNC,
                    "active",
                    18,
                    vec![detail("ExpiringCredentialsCount", "1"), detail("ExpiresInDays", "12")],
                ),
                app_resource(LEGACY_REPORTS, "active", 18, vec![detail("ExpiredCredentialsCount", "1")]),
            ],
        },
        Recommendation {
            name: "StaleApps",
            kind: "staleApps",
            display_name: "Remove unused applications",
            category: "identityBestPractice",
            priority: "medium",
            status: "active",
            impact_type: "apps",
            feature_areas: &["applications"],
            score: None,
            created_days_ago: 60,
            insights: "1 application has had no sign-in for more than 90 days. Unused applications with credentials \
                       and permissions are an attack surface nobody watches."
                .into(),
            benefits: "Reduce the attack surface of the tenant and the effort of reviewing permissions.",
            remediation_impact: "",
            steps: &[
                (
                    "1. Confirm with the business owner that the application is no longer needed.",
                    "Enterprise applications",
                    "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/StartboardApplicationsMenuBlade",
                ),
                (
                    "2. Disable sign-in for the application for a grace period, then delete it.",
                    "Disable user sign-in for an application",
                    "https://learn.microsoft.com/entra/identity/enterprise-apps/disable-user-sign-in-portal",
                ),
            ],
            modified: None,
            postponed_for_days: None,
            resources: vec![app_resource(
                LEGACY_REPORTS,
                "active",
                60,
                vec![detail("LastSignInDaysAgo", "180"), detail("CredentialsCount", "1")],
            )],
        },
        Recommendation {
            name: "OwnerlessApps",
            kind: "ownerlessApps",
            display_name: "Assign owners to applications",
            category: "identityBestPractice",
            priority: "low",
            status: "active",
            impact_type: "apps",
            feature_areas: &["applications", "governance"],
            score: None,
            created_days_ago: 45,
            insights: "1 application has no owner. Nobody is accountable for its credentials and permissions.".into(),
            benefits: "Every application has someone who renews its credentials and answers for its permissions.",
            remediation_impact: "",
            steps: &[(
                "1. Add at least two owners to each application without one.",
                "Assign application owners",
                "https://learn.microsoft.com/entra/identity/enterprise-apps/assign-app-owners",
            )],
            modified: None,
            postponed_for_days: None,
            resources: vec![app_resource(LEGACY_REPORTS, "active", 45, vec![detail("OwnersCount", "0")])],
        },
        Recommendation {
            name: "AdminMFAV2",
            kind: "adminMFAV2",
            display_name: "Require multifactor authentication for administrative roles",
            category: "identitySecureScore",
            priority: "high",
            status: "active",
            impact_type: "users",
            feature_areas: &["users", "conditionalAccess"],
            score: Some((7.5, 10.0)),
            created_days_ago: 120,
            insights: "1 user holding an administrative role cannot complete multifactor authentication: no method \
                       other than a password is registered."
                .into(),
            benefits: "Administrative accounts are the most valuable target. MFA blocks almost all attacks on them.",
            remediation_impact: "Administrators are asked for a second factor when they sign in.",
            steps: &[
                (
                    "1. Make sure every administrator has registered a phishing-resistant or Authenticator method.",
                    "Authentication methods activity",
                    "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/AuthenticationMethodsMenuBlade/~/AuthMethodsActivity",
                ),
                (
                    "2. Require MFA for directory roles with a Conditional Access policy that excludes only the emergency access accounts.",
                    "Require MFA for administrators",
                    "https://learn.microsoft.com/entra/identity/conditional-access/policy-old-require-mfa-admin",
                ),
            ],
            modified: None,
            postponed_for_days: None,
            resources: member(
                g,
                "elena",
                120,
                vec![detail("Role", "User Administrator"), detail("RegisteredMethods", "password")],
            )
            .into_iter()
            .collect(),
        },
        Recommendation {
            name: "BlockLegacyAuthentication",
            kind: "blockLegacyAuthentication",
            display_name: "Block legacy authentication",
            category: "identitySecureScore",
            priority: "high",
            status: "active",
            impact_type: "users",
            feature_areas: &["conditionalAccess"],
            score: Some((0.0, 8.0)),
            created_days_ago: 150,
            insights: format!(
                "{legacy_auth_count} users signed in with legacy authentication protocols in the last 30 days, and no \
                 enabled Conditional Access policy blocks them (CA002 is in report-only mode). Legacy protocols cannot \
                 do MFA and are the channel of most password spray attacks."
            ),
            benefits: "Password spray and credential stuffing attacks against IMAP, POP and SMTP stop working.",
            remediation_impact: "Mail clients that use basic authentication stop connecting until they move to modern authentication.",
            steps: &[
                (
                    "1. Find the users and apps still using legacy authentication in the sign-in logs (client app column).",
                    "Sign-in logs",
                    "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/SignInEventsV3Blade",
                ),
                (
                    "2. Switch the report-only policy that blocks legacy authentication on, once nobody needs it.",
                    "Block legacy authentication",
                    "https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication",
                ),
            ],
            modified: None,
            postponed_for_days: None,
            resources: legacy_auth,
        },
        Recommendation {
            name: "RoleOverlap",
            kind: "roleOverlap",
            display_name: "Use least privileged administrative roles",
            category: "identitySecureScore",
            priority: "medium",
            status: "active",
            impact_type: "users",
            feature_areas: &["users", "governance"],
            score: Some((0.0, 1.0)),
            created_days_ago: 40,
            insights: "2 users hold or may activate the Global Administrator role while a less privileged role \
                       would do; one of them left the organization and keeps a permanent assignment."
                .into(),
            benefits: "Fewer Global Administrators means fewer accounts that can take over the whole tenant.",
            remediation_impact: "",
            steps: &[
                (
                    "1. Review who holds Global Administrator and remove the assignments that are not needed.",
                    "Roles and administrators",
                    "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/AllRolesBlade",
                ),
                (
                    "2. Give the remaining administrators the least privileged role for their tasks, eligible in PIM rather than permanent.",
                    "Least privileged roles by task",
                    "https://learn.microsoft.com/entra/identity/role-based-access-control/delegate-by-task",
                ),
            ],
            modified: None,
            postponed_for_days: None,
            resources: [
                member(
                    g,
                    "dmitri.volkov",
                    40,
                    vec![
                        detail("Role", "Global Administrator"),
                        detail("Assignment", "permanent active"),
                        detail("AccountEnabled", "false"),
                    ],
                ),
                member(g, "priya", 40, vec![detail("Role", "Global Administrator"), detail("Assignment", "eligible")]),
            ]
            .into_iter()
            .flatten()
            .collect(),
        },
        Recommendation {
            name: "InactiveGuests",
            kind: "inactiveGuests",
            display_name: "Remove guests who never signed in",
            category: "identityBestPractice",
            priority: "low",
            status: "active",
            impact_type: "users",
            feature_areas: &["users", "governance"],
            score: None,
            created_days_ago: 30,
            insights: "2 guest accounts accepted their invitation but never signed in.".into(),
            benefits: "Guest accounts nobody uses still hold access to the resources they were given.",
            remediation_impact: "",
            steps: &[(
                "1. Ask each guest's sponsor whether the access is still needed, then remove the guests who no longer need it, for instance with an access review of inactive guests.",
                "Review inactive guests",
                "https://learn.microsoft.com/entra/id-governance/review-recommendations-access-reviews",
            )],
            modified: None,
            postponed_for_days: None,
            resources: ["alan.moore", "ella.ward"]
                .into_iter()
                .filter_map(|h| user_resource(g, guest_id(h), h, 30, vec![detail("LastSignIn", "never")]))
                .collect(),
        },
        Recommendation {
            name: "TurnOffPerUserMFA",
            kind: "turnOffPerUserMFA",
            display_name: "Convert from per-user MFA to Conditional Access MFA",
            category: "identityBestPractice",
            priority: "medium",
            status: "postponed",
            impact_type: "users",
            feature_areas: &["users", "conditionalAccess"],
            score: None,
            created_days_ago: 95,
            insights: "2 users are configured for per-user multifactor authentication, which supersedes the MFA \
                       settings of Conditional Access policies and prompts them more often than needed."
                .into(),
            benefits: "Fewer MFA prompts, and one place (Conditional Access) that decides when MFA is required.",
            remediation_impact: "",
            steps: &[
                (
                    "1. Confirm that a Conditional Access policy requires MFA for these users.",
                    "Conditional Access policies",
                    "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade/~/Policies",
                ),
                (
                    "2. Turn per-user MFA off for each of them.",
                    "Per-user MFA settings",
                    "https://learn.microsoft.com/entra/identity/authentication/howto-mfa-userstates",
                ),
            ],
            modified: Some(Modified { by: MARCUS, days_ago: 9 }),
            postponed_for_days: Some(21),
            resources: [
                member(g, "george.adams", 95, vec![detail("PerUserMfaState", "enforced")]),
                member(g, "mei.lin", 95, vec![detail("PerUserMfaState", "enabled")]),
            ]
            .into_iter()
            .flatten()
            .collect(),
        },
        Recommendation {
            name: "OneAdmin",
            kind: "oneAdmin",
            display_name: "Designate more than one global admin",
            category: "identitySecureScore",
            priority: "low",
            status: "completedBySystem",
            impact_type: "tenantLevel",
            feature_areas: &["users"],
            score: Some((1.0, 1.0)),
            created_days_ago: 400,
            insights: "The tenant has more than one Global Administrator, so it cannot be locked out by losing one account."
                .into(),
            benefits: "Another administrator can act if one is unavailable or compromised.",
            remediation_impact: "",
            steps: &[(
                "1. Keep at least two emergency access accounts with the Global Administrator role.",
                "Emergency access accounts",
                "https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access",
            )],
            modified: None,
            postponed_for_days: None,
            resources: Vec::new(),
        },
        Recommendation {
            name: "SigninRiskPolicy",
            kind: "signinRiskPolicy",
            display_name: "Protect all users with a sign-in risk policy",
            category: "identitySecureScore",
            priority: "high",
            status: "completedBySystem",
            impact_type: "tenantLevel",
            feature_areas: &["conditionalAccess"],
            score: Some((7.0, 7.0)),
            created_days_ago: 300,
            insights: "An enabled Conditional Access policy (CA004) blocks high-risk sign-ins for all users.".into(),
            benefits: "Sign-ins Identity Protection finds risky are stopped before they reach your apps.",
            remediation_impact: "",
            steps: &[(
                "1. Keep a Conditional Access policy that acts on sign-in risk for all users.",
                "Sign-in risk policy",
                "https://learn.microsoft.com/entra/id-protection/howto-identity-protection-configure-risk-policies",
            )],
            modified: None,
            postponed_for_days: None,
            resources: Vec::new(),
        },
        Recommendation {
            name: "SelfServicePasswordReset",
            kind: "selfServicePasswordReset",
            display_name: "Enable self-service password reset",
            category: "identitySecureScore",
            priority: "medium",
            status: "completedByUser",
            impact_type: "tenantLevel",
            feature_areas: &["users"],
            score: Some((1.0, 1.0)),
            created_days_ago: 200,
            insights: "Self-service password reset lets users unblock themselves without calling the helpdesk.".into(),
            benefits: "Fewer helpdesk calls, and a password reset that needs the user's own methods.",
            remediation_impact: "",
            steps: &[(
                "1. Enable self-service password reset for all users.",
                "Password reset",
                "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/PasswordResetMenuBlade",
            )],
            modified: Some(Modified { by: MARCUS, days_ago: 20 }),
            postponed_for_days: None,
            resources: Vec::new(),
        },
        Recommendation {
            name: "StaleAppCreds",
            kind: "staleAppCreds",
            display_name: "Remove unused credentials from applications",
            category: "identityBestPractice",
            priority: "medium",
            status: "completedByUser",
            impact_type: "apps",
            feature_areas: &["applications"],
            score: None,
            created_days_ago: 70,
            insights: "1 application had a client secret unused for more than 30 days.".into(),
            benefits: "An unused secret can only be used by someone who should not have it.",
            remediation_impact: "",
            steps: &[(
                "1. Remove the credentials no workload uses.",
                "App registrations",
                "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade",
            )],
            modified: Some(Modified { by: MARCUS, days_ago: 5 }),
            postponed_for_days: None,
            resources: vec![app_resource(PAYROLL_SYNC, "completedByUser", 70, vec![detail("UnusedCredentialsCount", "1")])],
        },
        Recommendation {
            name: "AdfsAppsMigration",
            kind: "adfsAppsMigration",
            display_name: "Migrate apps from AD FS to Microsoft Entra ID",
            category: "identityBestPractice",
            priority: "low",
            status: "dismissed",
            impact_type: "apps",
            feature_areas: &["applications"],
            score: None,
            created_days_ago: 240,
            insights: "Applications federated with AD FS can move to Microsoft Entra ID single sign-on.".into(),
            benefits: "One identity provider to secure and monitor, with Conditional Access for every app.",
            remediation_impact: "",
            steps: &[(
                "1. Review the AD FS application activity report and migrate the apps it marks ready.",
                "AD FS application activity",
                "https://learn.microsoft.com/entra/identity/enterprise-apps/migrate-adfs-application-activity",
            )],
            modified: Some(Modified { by: MARCUS, days_ago: 40 }),
            postponed_for_days: None,
            resources: Vec::new(),
        },
    ]
}

/// The id Entra gives a recommendation of this name in this tenant.
pub fn recommendation_id(tenant_id: &str, name: &str) -> String {
    format!("{tenant_id}_Microsoft.Identity.IAM.Insights.{name}")
}

/// `recommendation` resources, each with its `impactedResources`.
pub fn recommendations(g: &Generation<'_>) -> Vec<Value> {
    let clock = g.clock;
    story(g)
        .into_iter()
        .map(|r| {
            let id = recommendation_id(g.tenant_id, r.name);
            let (current, max) = r.score.unwrap_or((0.0, 0.0));
            let modified_by = r.modified.map(|m| Value::from(member_id(m.by))).unwrap_or(Value::Null);
            let modified_at = match r.modified {
                Some(m) => clock.days_ago(m.days_ago),
                None => clock.days_ago(r.created_days_ago),
            };
            let resources: Vec<Value> = r
                .resources
                .iter()
                .enumerate()
                .map(|(rank, res)| {
                    let changed = res.status != "active";
                    json!({
                        "id": res.id,
                        "subjectId": res.subject_id,
                        "recommendationId": id,
                        "resourceType": res.resource_type,
                        "addedDateTime": clock.days_ago(res.added_days_ago),
                        "postponeUntilDateTime": Value::Null,
                        "lastModifiedDateTime": if changed { modified_at.clone() } else { clock.days_ago(res.added_days_ago) },
                        "lastModifiedBy": if changed { modified_by.clone() } else { Value::Null },
                        "displayName": res.display_name,
                        "owner": Value::Null,
                        "rank": rank + 1,
                        "portalUrl": res.portal_url,
                        "apiUrl": Value::Null,
                        "status": res.status,
                        "additionalDetails": res
                            .details
                            .iter()
                            .map(|(key, value)| json!({"key": key, "value": value}))
                            .collect::<Vec<_>>(),
                    })
                })
                .collect();
            let steps: Vec<Value> = r
                .steps
                .iter()
                .enumerate()
                .map(|(i, (text, name, url))| {
                    json!({"stepNumber": i + 1, "text": text, "actionUrl": {"displayName": name, "url": url}})
                })
                .collect();
            json!({
                "id": id,
                "recommendationType": r.kind,
                "displayName": r.display_name,
                "category": r.category,
                "priority": r.priority,
                "status": r.status,
                "impactType": r.impact_type,
                "featureAreas": r.feature_areas,
                "releaseType": "generallyAvailable",
                "createdDateTime": clock.days_ago(r.created_days_ago),
                "impactStartDateTime": clock.days_ago(r.created_days_ago),
                "lastCheckedDateTime": clock.hours_ago(3),
                "lastModifiedDateTime": modified_at,
                "lastModifiedBy": modified_by,
                "postponeUntilDateTime": r.postponed_for_days.map(|d| Value::from(clock.days_ahead(d))).unwrap_or(Value::Null),
                "currentScore": current,
                "maxScore": max,
                "insights": r.insights,
                "benefits": r.benefits,
                "remediationImpact": r.remediation_impact,
                "actionSteps": steps,
                "impactedResources": resources,
            })
        })
        .collect()
}
