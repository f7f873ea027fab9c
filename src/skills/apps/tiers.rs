//! The permission tiers of the app skills, in one place: which Graph permissions and which
//! directory roles open a path to tenant takeover (critical), to everyone's data or identity
//! settings (high), or read the directory or files widely (medium). Everything else an app
//! holds is low. The same lists apply to delegated and application permissions; only
//! `Directory.AccessAsUser.All` depends on the consent (critical when granted for all users).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How much an app could do with what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Low,
    Medium,
    High,
    Critical,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Low => "low",
            Tier::Medium => "medium",
            Tier::High => "high",
            Tier::Critical => "critical",
        }
    }

    /// The part of an app's risk score its highest tier contributes.
    pub fn base_score(self) -> u32 {
        match self {
            Tier::Critical => 70,
            Tier::High => 50,
            Tier::Medium => 30,
            Tier::Low => 10,
        }
    }
}

/// A path to tenant takeover.
const CRITICAL: &[&str] = &[
    "RoleManagement.ReadWrite.Directory",
    "AppRoleAssignment.ReadWrite.All",
    "Application.ReadWrite.All",
    "Directory.ReadWrite.All",
    "RoleAssignmentSchedule.ReadWrite.Directory",
    "RoleEligibilitySchedule.ReadWrite.Directory",
    "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
    "Policy.ReadWrite.PermissionGrant",
    "DelegatedPermissionGrant.ReadWrite.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "Domain.ReadWrite.All",
];

/// Everyone's data, or the tenant's identity and access settings.
const HIGH: &[&str] = &[
    "User.ReadWrite.All",
    "Group.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "Policy.ReadWrite.ConditionalAccess",
    "Policy.ReadWrite.AuthenticationMethod",
    "IdentityRiskyUser.ReadWrite.All",
    "Mail.Read",
    "Mail.ReadWrite",
    "Mail.Send",
    "Files.ReadWrite.All",
    "Sites.ReadWrite.All",
    "Sites.FullControl.All",
    "full_access_as_app",
];

/// Reads the directory, the logs or everyone's files.
const MEDIUM: &[&str] =
    &["Directory.Read.All", "User.Read.All", "AuditLog.Read.All", "Files.Read.All", "Sites.Read.All"];

/// Directory roles (by template id) that reach Global Administrator or every app's secrets.
const CRITICAL_ROLES: &[&str] = &[
    "62e90394-69f5-4237-9190-012177145e10", // Global Administrator
    "e8611ab8-c189-46e8-94e1-60213ab1f814", // Privileged Role Administrator
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", // Privileged Authentication Administrator
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", // Application Administrator
    "158c047a-c907-4556-b7ef-446551a6b5f7", // Cloud Application Administrator
];

/// Directory roles that manage users, groups, methods, policies or a workload's data.
const HIGH_ROLES: &[&str] = &[
    "fe930be7-5e62-47db-91af-98c3a49a38b1", // User Administrator
    "c4e39bd9-1100-46d3-8c65-fb160da0071f", // Authentication Administrator
    "729827e3-9c14-49f7-bb1b-9608f156bbb8", // Helpdesk Administrator
    "fdd7a751-b60b-444a-984c-02652fe8fa1c", // Groups Administrator
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", // Conditional Access Administrator
    "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", // Hybrid Identity Administrator
    "29232cdf-9323-42fd-ade2-1d097af3e4de", // Exchange Administrator
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", // SharePoint Administrator
    "3a2c62db-5318-420d-8d74-23affee5d9d5", // Intune Administrator
];

/// The tier of a permission by name. `tenant_wide` is true for application permissions and
/// for delegated grants consented for all users.
pub fn permission_tier(name: &str, tenant_wide: bool) -> Tier {
    let is = |list: &[&str]| list.iter().any(|p| p.eq_ignore_ascii_case(name));
    if is(CRITICAL) {
        Tier::Critical
    } else if name.eq_ignore_ascii_case("Directory.AccessAsUser.All") {
        // Acting as the user everywhere: for all users that includes every administrator.
        if tenant_wide { Tier::Critical } else { Tier::High }
    } else if is(HIGH) {
        Tier::High
    } else if is(MEDIUM) {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// The tier of holding a directory role (by template id). Any role not listed reads the
/// directory at least: medium.
pub fn role_tier(template_id: &str) -> Tier {
    let is = |list: &[&str]| list.iter().any(|r| r.eq_ignore_ascii_case(template_id));
    if is(CRITICAL_ROLES) {
        Tier::Critical
    } else if is(HIGH_ROLES) {
        Tier::High
    } else {
        Tier::Medium
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_decide_the_tier() {
        assert_eq!(permission_tier("RoleManagement.ReadWrite.Directory", true), Tier::Critical);
        assert_eq!(permission_tier("directory.readwrite.all", false), Tier::Critical);
        assert_eq!(permission_tier("Mail.Send", true), Tier::High);
        assert_eq!(permission_tier("Files.Read.All", false), Tier::Medium);
        assert_eq!(permission_tier("User.Read", true), Tier::Low);
        assert_eq!(permission_tier("Directory.AccessAsUser.All", true), Tier::Critical);
        assert_eq!(permission_tier("Directory.AccessAsUser.All", false), Tier::High);
        assert_eq!(role_tier("62e90394-69f5-4237-9190-012177145e10"), Tier::Critical);
        assert_eq!(role_tier("fe930be7-5e62-47db-91af-98c3a49a38b1"), Tier::High);
        assert_eq!(role_tier("88d8e3e3-8f55-4a1e-953a-9b9898b8876b"), Tier::Medium);
        assert!(Tier::Critical > Tier::High && Tier::High > Tier::Medium && Tier::Medium > Tier::Low);
    }

    #[test]
    fn no_permission_sits_in_two_tiers() {
        for name in CRITICAL.iter().chain(HIGH).chain(MEDIUM) {
            let places = [CRITICAL, HIGH, MEDIUM].iter().filter(|l| l.contains(name)).count();
            assert_eq!(places, 1, "{name}");
        }
    }
}
