//! `get_tenant_user_settings`: what ordinary members and guests may do in the tenant, from the
//! authorization policy — register apps, create tenants and security groups, read other users,
//! the guest role in words, who may invite guests, email-verified self-service join, user
//! consent — and which of those settings an identity team usually tightens.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::render::{fields, yes_no};
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_TENANT_USER_SETTINGS: Declaration = Declaration {
    name: "get_tenant_user_settings",
    title: "Get tenant user settings",
    description: "What members and guests may do by default (the authorization policy): can users register applications, create tenants or security groups, read other users; the guest access level in words; who may invite guests; email-verified self-service join; user consent to apps; with findings to tighten. Global Reader.",
    toolset: Toolset::Posture,
    permissions: &["Policy.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Guest role template ids (`guestUserRoleId`).
const GUEST_SAME_AS_MEMBERS: &str = "a0b1b346-4d3e-4e8b-98f8-753987be4970";
const GUEST_LIMITED: &str = "10dae51f-b6af-4016-8d66-8c2a99b929b3";
const GUEST_RESTRICTED: &str = "2af84b1e-32c8-42b7-82bc-daa82404023b";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTenantUserSettingsParams {}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizationPolicy {
    allow_invites_from: Option<String>,
    allowed_to_sign_up_email_based_subscriptions: Option<bool>,
    #[serde(rename = "allowedToUseSSPR")]
    allowed_to_use_sspr: Option<bool>,
    allow_email_verified_users_to_join_organization: Option<bool>,
    allow_user_consent_for_risky_apps: Option<bool>,
    block_msol_power_shell: Option<bool>,
    guest_user_role_id: Option<String>,
    default_user_role_permissions: Option<DefaultPermissions>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DefaultPermissions {
    allowed_to_create_apps: Option<bool>,
    allowed_to_create_security_groups: Option<bool>,
    allowed_to_create_tenants: Option<bool>,
    allowed_to_read_bitlocker_keys_for_owned_device: Option<bool>,
    allowed_to_read_other_users: Option<bool>,
    #[serde(default)]
    permission_grant_policies_assigned: Option<Vec<String>>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserSettings {
    /// Members may register applications (app registrations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_can_register_apps: Option<bool>,
    /// Members may create new Entra tenants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_can_create_tenants: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_can_create_security_groups: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_can_read_other_users: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_can_read_own_bitlocker_keys: Option<bool>,
    /// What guests can see, in words: `same as members`, `limited` or `restricted`.
    pub guest_access: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_role_id: Option<String>,
    /// Who may invite guests, in words.
    pub guest_inviters: String,
    /// Graph's `allowInvitesFrom`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_invites_from: Option<String>,
    /// Anyone with a verified email of the tenant's domains can join it on their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified_join: Option<bool>,
    /// Users may sign up for email-based subscriptions (self-service trials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_based_subscriptions: Option<bool>,
    /// Administrators may use self-service password reset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admins_can_use_sspr: Option<bool>,
    /// What users may consent to, in words.
    pub user_consent: String,
    /// The permission grant policies behind it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consent_policies: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risky_app_consent: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msol_powershell_blocked: Option<bool>,
    /// Settings more open than an identity team usually leaves them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

fn guest_access(role: Option<&str>) -> String {
    match role.map(str::to_ascii_lowercase).as_deref() {
        Some(GUEST_SAME_AS_MEMBERS) => "same as members (guests can read the whole directory)".into(),
        Some(GUEST_LIMITED) => "limited (guests see their own profile and the groups they belong to)".into(),
        Some(GUEST_RESTRICTED) => "restricted (guests see only their own directory objects)".into(),
        Some(other) => format!("unknown guest role {other}"),
        None => "unknown (not returned)".into(),
    }
}

fn guest_inviters(value: Option<&str>) -> String {
    match value {
        Some("none") => "no one, not even admins".into(),
        Some("adminsAndGuestInviters") => "admins and the Guest Inviter role only".into(),
        Some("adminsGuestInvitersAndAllMembers") => "admins, Guest Inviters and every member".into(),
        Some("everyone") => "everyone, guests included".into(),
        Some(other) => other.to_string(),
        None => "unknown (not returned)".into(),
    }
}

fn user_consent(policies: &[String]) -> String {
    let has = |suffix: &str| policies.iter().any(|p| p.to_ascii_lowercase().ends_with(suffix));
    if policies.is_empty() {
        "none: only admins consent to apps".into()
    } else if has("microsoft-user-default-legacy") {
        "users may consent to any app for permissions that need no admin consent".into()
    } else if has("microsoft-user-default-low") {
        "users may consent to apps of verified publishers for low-risk permissions".into()
    } else {
        format!("custom permission grant policies ({})", policies.join(", "))
    }
}

fn findings(s: &UserSettings) -> Vec<String> {
    let mut out = Vec::new();
    if s.members_can_register_apps == Some(true) {
        out.push(
            "any member can register applications; consider restricting it to the Application Developer role".into(),
        );
    }
    if s.members_can_create_tenants == Some(true) {
        out.push("any member can create new tenants, outside this tenant's policies".into());
    }
    if s.guest_role_id.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(GUEST_SAME_AS_MEMBERS)) {
        out.push("guests have the same directory access as members".into());
    }
    if s.allow_invites_from.as_deref() == Some("everyone") {
        out.push("guests can invite other guests".into());
    }
    if s.email_verified_join == Some(true) {
        out.push("anyone with a verified email at the tenant's domains can join it without an invitation".into());
    }
    if s.risky_app_consent == Some(true) {
        out.push("users may consent to apps Microsoft flags as risky".into());
    }
    if s.consent_policies.iter().any(|p| p.to_ascii_lowercase().ends_with("microsoft-user-default-legacy")) {
        out.push("users may consent to any app (legacy consent setting); restrict to verified publishers".into());
    }
    if s.msol_powershell_blocked == Some(false) {
        out.push("the retired MSOnline PowerShell is not blocked".into());
    }
    out
}

async fn get_tenant_user_settings(ctx: Ctx, _: GetTenantUserSettingsParams) -> Result<UserSettings, SkillError> {
    let request = GraphRequest::get("/policies/authorizationPolicy").query(Query::new().select(&[
        "allowInvitesFrom",
        "allowedToSignUpEmailBasedSubscriptions",
        "allowedToUseSSPR",
        "allowEmailVerifiedUsersToJoinOrganization",
        "allowUserConsentForRiskyApps",
        "blockMsolPowerShell",
        "guestUserRoleId",
        "defaultUserRolePermissions",
    ]));
    let policy: AuthorizationPolicy = ctx.graph.get(request).await?;
    let defaults = policy.default_user_role_permissions;
    let consent_policies =
        defaults.as_ref().and_then(|d| d.permission_grant_policies_assigned.clone()).unwrap_or_default();
    let mut settings = UserSettings {
        members_can_register_apps: defaults.as_ref().and_then(|d| d.allowed_to_create_apps),
        members_can_create_tenants: defaults.as_ref().and_then(|d| d.allowed_to_create_tenants),
        members_can_create_security_groups: defaults.as_ref().and_then(|d| d.allowed_to_create_security_groups),
        members_can_read_other_users: defaults.as_ref().and_then(|d| d.allowed_to_read_other_users),
        members_can_read_own_bitlocker_keys: defaults
            .as_ref()
            .and_then(|d| d.allowed_to_read_bitlocker_keys_for_owned_device),
        guest_access: guest_access(policy.guest_user_role_id.as_deref()),
        guest_role_id: policy.guest_user_role_id,
        guest_inviters: guest_inviters(policy.allow_invites_from.as_deref()),
        allow_invites_from: policy.allow_invites_from,
        email_verified_join: policy.allow_email_verified_users_to_join_organization,
        email_based_subscriptions: policy.allowed_to_sign_up_email_based_subscriptions,
        admins_can_use_sspr: policy.allowed_to_use_sspr,
        user_consent: user_consent(&consent_policies),
        consent_policies,
        risky_app_consent: policy.allow_user_consent_for_risky_apps,
        msol_powershell_blocked: policy.block_msol_power_shell,
        findings: Vec::new(),
    };
    settings.findings = findings(&settings);
    Ok(settings)
}

impl Render for UserSettings {
    fn markdown(&self) -> String {
        let mut out = fields(&[
            ("members can register apps", yes_no(self.members_can_register_apps)),
            ("members can create tenants", yes_no(self.members_can_create_tenants)),
            ("members can create security groups", yes_no(self.members_can_create_security_groups)),
            ("members can read other users", yes_no(self.members_can_read_other_users)),
            ("members can read their devices' BitLocker keys", yes_no(self.members_can_read_own_bitlocker_keys)),
            ("guest access", Some(self.guest_access.clone())),
            ("who can invite guests", Some(self.guest_inviters.clone())),
            ("email-verified users can join", yes_no(self.email_verified_join)),
            ("self-service email-based subscriptions", yes_no(self.email_based_subscriptions)),
            ("admins can use SSPR", yes_no(self.admins_can_use_sspr)),
            ("user consent", Some(self.user_consent.clone())),
            ("consent to risky apps", yes_no(self.risky_app_consent)),
            ("MSOnline PowerShell blocked", yes_no(self.msol_powershell_blocked)),
        ]);
        if !self.findings.is_empty() {
            out.push_str("\n\nfindings\n");
            out.push_str(&self.findings.iter().map(|f| format!("- {f}")).collect::<Vec<_>>().join("\n"));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "Can ordinary users register applications or create new tenants, and how much of the directory can guests see?",
    args: r#"{}"#,
    facts: &[
        Fact::Every("members_can_register_apps", "true"),
        Fact::Every("members_can_create_tenants", "false"),
        Fact::Every("guest_access", "~limited"),
        Fact::Every("allow_invites_from", "adminsGuestInvitersAndAllMembers"),
        Fact::Every("email_verified_join", "false"),
        Fact::Some("findings/*", "~register applications"),
        Fact::Says("verified publishers"),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(GET_TENANT_USER_SETTINGS, get_tenant_user_settings)
}
