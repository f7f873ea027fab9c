//! PIM settings: one role management policy per directory role, and one per PIM for Groups
//! access of Helpdesk Operators, with the rules an activation must meet.
//!
//! The story's roles differ on purpose, so every rule can be seen refusing something:
//!
//! | role | max | on activation | approval |
//! |---|---|---|---|
//! | Global Administrator | 8 h | MFA, justification | Tom Okafor (Privileged Role Administrator) |
//! | Security Administrator | 8 h | authentication context `c1`, justification, ticket | — |
//! | User Administrator | 8 h | justification | — |
//! | Conditional Access Administrator | 1 h | justification | Marcus Lee (Security Administrator) |
//! | Helpdesk Administrator | 8 h | nothing | — |
//! | every other role | 8 h | MFA, justification (Entra's defaults) | — |
//!
//! Helpdesk Operators membership activates for at most 4 h with a justification; ownership
//! keeps Entra's defaults.

use serde_json::{Value, json};

use super::Generation;
use super::groups::HELPDESK_OPERATORS;
use super::ids;
use super::people::member_id;
use super::roles::{
    CONDITIONAL_ACCESS_ADMINISTRATOR, GLOBAL_ADMINISTRATOR, HELPDESK_ADMINISTRATOR, SECURITY_ADMINISTRATOR,
    USER_ADMINISTRATOR, role_definitions,
};

/// The authentication context Security Administrator's activation requires.
pub const SECURITY_ADMINISTRATOR_AUTH_CONTEXT: &str = "c1";

/// What one policy asks of an activation.
struct Settings {
    max_duration: &'static str,
    /// `MultiFactorAuthentication`, `Justification`, `Ticketing`.
    enabled_rules: &'static [&'static str],
    authentication_context: Option<&'static str>,
    /// Story handles of the approvers; empty: no approval.
    approvers: &'static [&'static str],
}

const DEFAULT: Settings = Settings {
    max_duration: "PT8H",
    enabled_rules: &["MultiFactorAuthentication", "Justification"],
    authentication_context: None,
    approvers: &[],
};

fn role_settings(role_id: &str) -> Settings {
    match role_id {
        GLOBAL_ADMINISTRATOR => Settings { approvers: &["tom"], ..DEFAULT },
        SECURITY_ADMINISTRATOR => Settings {
            enabled_rules: &["Justification", "Ticketing"],
            authentication_context: Some(SECURITY_ADMINISTRATOR_AUTH_CONTEXT),
            ..DEFAULT
        },
        USER_ADMINISTRATOR => Settings { enabled_rules: &["Justification"], ..DEFAULT },
        CONDITIONAL_ACCESS_ADMINISTRATOR => {
            Settings { max_duration: "PT1H", enabled_rules: &["Justification"], approvers: &["marcus"], ..DEFAULT }
        }
        HELPDESK_ADMINISTRATOR => Settings { enabled_rules: &[], ..DEFAULT },
        _ => DEFAULT,
    }
}

fn group_settings(access: &str) -> Settings {
    match access {
        "member" => Settings { max_duration: "PT4H", enabled_rules: &["Justification"], ..DEFAULT },
        _ => DEFAULT,
    }
}

/// The policies' scopes: every directory role, then each access of the governed group.
fn scopes(g: &Generation<'_>) -> Vec<(String, &'static str, String, Settings)> {
    let mut out: Vec<(String, &'static str, String, Settings)> = role_definitions()
        .iter()
        .filter_map(|d| d.get("id").and_then(Value::as_str).map(str::to_string))
        .map(|role| {
            let policy = format!("DirectoryRole_{}_{}", g.tenant_id, ids::object_id("roleManagementPolicy", &role));
            let settings = role_settings(&role);
            (policy, "/", role, settings)
        })
        .collect();
    let group = ids::group_id(HELPDESK_OPERATORS);
    for access in ["member", "owner"] {
        let policy = format!("Group_{group}_{}", ids::object_id("roleManagementPolicy", &format!("{group}/{access}")));
        out.push((policy, "group", access.to_string(), group_settings(access)));
    }
    out
}

/// `unifiedRoleManagementPolicyAssignment` resources: `{policyId}_{roleDefinitionId}`.
pub fn role_management_policy_assignments(g: &Generation<'_>) -> Vec<Value> {
    let group = ids::group_id(HELPDESK_OPERATORS);
    scopes(g)
        .into_iter()
        .map(|(policy, scope, role, _)| {
            let (scope_id, scope_type) =
                if scope == "/" { ("/".to_string(), "DirectoryRole") } else { (group.clone(), "Group") };
            json!({
                "id": format!("{policy}_{role}"),
                "policyId": policy,
                "scopeId": scope_id,
                "scopeType": scope_type,
                "roleDefinitionId": role,
            })
        })
        .collect()
}

/// `unifiedRoleManagementPolicy` resources, each with its `rules` (served on `$expand=rules`).
pub fn role_management_policies(g: &Generation<'_>) -> Vec<Value> {
    let group = ids::group_id(HELPDESK_OPERATORS);
    scopes(g)
        .into_iter()
        .map(|(policy, scope, _, settings)| {
            let (scope_id, scope_type) =
                if scope == "/" { ("/".to_string(), "DirectoryRole") } else { (group.clone(), "Group") };
            json!({
                "id": policy,
                "displayName": scope_type,
                "description": scope_type,
                "isOrganizationDefault": false,
                "scopeId": scope_id,
                "scopeType": scope_type,
                "lastModifiedDateTime": g.clock.days_ago(60),
                "lastModifiedBy": {"displayName": "Tom Okafor", "id": member_id("tom")},
                "rules": rules(&settings),
            })
        })
        .collect()
}

fn target(caller: &str, level: &str) -> Value {
    json!({
        "caller": caller,
        "operations": ["All"],
        "level": level,
        "inheritableSettings": [],
        "enforcedSettings": [],
    })
}

fn rules(s: &Settings) -> Vec<Value> {
    let approvers: Vec<Value> = s
        .approvers
        .iter()
        .map(|handle| {
            json!({
                "@odata.type": "#microsoft.graph.singleUser",
                "isBackup": false,
                "userId": member_id(handle),
                "description": null,
            })
        })
        .collect();
    let approval = !approvers.is_empty();
    let stages = if approval {
        vec![json!({
            "approvalStageTimeOutInDays": 1,
            "isApproverJustificationRequired": true,
            "escalationTimeInMinutes": 0,
            "isEscalationEnabled": false,
            "primaryApprovers": approvers,
            "escalationApprovers": [],
        })]
    } else {
        Vec::new()
    };
    let notification = |id: &str, recipient: &str, recipients: &[&str]| {
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
            "id": id,
            "notificationType": "Email",
            "recipientType": recipient,
            "notificationLevel": "All",
            "isDefaultRecipientsEnabled": true,
            "notificationRecipients": recipients,
            "target": target("EndUser", "Assignment"),
        })
    };
    vec![
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "id": "Expiration_Admin_Eligibility",
            "isExpirationRequired": false,
            "maximumDuration": "P365D",
            "target": target("Admin", "Eligibility"),
        }),
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "id": "Expiration_EndUser_Assignment",
            "isExpirationRequired": true,
            "maximumDuration": s.max_duration,
            "target": target("EndUser", "Assignment"),
        }),
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
            "id": "Enablement_EndUser_Assignment",
            "enabledRules": s.enabled_rules,
            "target": target("EndUser", "Assignment"),
        }),
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
            "id": "AuthenticationContext_EndUser_Assignment",
            "isEnabled": s.authentication_context.is_some(),
            "claimValue": s.authentication_context,
            "target": target("EndUser", "Assignment"),
        }),
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
            "id": "Approval_EndUser_Assignment",
            "setting": {
                "isApprovalRequired": approval,
                "isApprovalRequiredForExtension": false,
                "isRequestorJustificationRequired": true,
                "approvalMode": if approval { "SingleStage" } else { "NoApproval" },
                "approvalStages": stages,
            },
            "target": target("EndUser", "Assignment"),
        }),
        notification("Notification_Admin_EndUser_Assignment", "Admin", &["security@woodgrovebank.com"]),
        notification("Notification_Requestor_EndUser_Assignment", "Requestor", &[]),
        notification("Notification_Approver_EndUser_Assignment", "Approver", &[]),
    ]
}
