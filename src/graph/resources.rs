//! The slices of Graph resources the skills read, as Graph spells them (camelCase). Every field
//! is optional: Graph omits what was not `$select`ed, hides what the caller may not see, and
//! adds fields over time.

use serde::Deserialize;
use serde_json::Value;

mod conditional_access;
pub use conditional_access::*;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    pub account_enabled: Option<bool>,
    pub user_type: Option<String>,
    pub department: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub office_location: Option<String>,
    pub created_date_time: Option<String>,
    pub last_password_change_date_time: Option<String>,
    pub on_premises_sync_enabled: Option<bool>,
    pub external_user_state: Option<String>,
    pub employee_leave_date_time: Option<String>,
    pub sign_in_sessions_valid_from_date_time: Option<String>,
    pub sign_in_activity: Option<SignInActivity>,
    pub assigned_licenses: Option<Vec<Value>>,
    pub manager: Option<DirectoryObject>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInActivity {
    pub last_sign_in_date_time: Option<String>,
    pub last_non_interactive_sign_in_date_time: Option<String>,
    pub last_successful_sign_in_date_time: Option<String>,
}

/// A member of a mixed collection (`memberOf`, `members`, `owners`, `manager`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DirectoryObject {
    pub id: String,
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    pub user_type: Option<String>,
    pub account_enabled: Option<bool>,
    pub app_id: Option<String>,
    pub device_id: Option<String>,
    pub operating_system: Option<String>,
}

impl DirectoryObject {
    /// `user`, `group`, `device`, `servicePrincipal`, … from `#microsoft.graph.user`.
    pub fn kind(&self) -> &str {
        self.odata_type.as_deref().and_then(|t| t.strip_prefix("#microsoft.graph.")).unwrap_or("directoryObject")
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Group {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub mail: Option<String>,
    pub mail_enabled: Option<bool>,
    pub security_enabled: Option<bool>,
    pub group_types: Option<Vec<String>>,
    pub membership_rule: Option<String>,
    pub membership_rule_processing_state: Option<String>,
    pub is_assignable_to_role: Option<bool>,
    pub created_date_time: Option<String>,
    pub visibility: Option<String>,
}

impl Group {
    /// The kind an admin names: Microsoft 365, security, mail-enabled security, distribution.
    pub fn kind(&self) -> &'static str {
        let types = self.group_types.as_deref().unwrap_or_default();
        if types.iter().any(|t| t == "Unified") {
            "microsoft365"
        } else if self.security_enabled == Some(true) && self.mail_enabled == Some(true) {
            "mail_enabled_security"
        } else if self.security_enabled == Some(true) {
            "security"
        } else if self.mail_enabled == Some(true) {
            "distribution"
        } else {
            "other"
        }
    }

    pub fn is_dynamic(&self) -> bool {
        self.group_types.as_deref().unwrap_or_default().iter().any(|t| t == "DynamicMembership")
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Device {
    pub id: String,
    pub device_id: Option<String>,
    pub display_name: Option<String>,
    pub operating_system: Option<String>,
    pub operating_system_version: Option<String>,
    pub trust_type: Option<String>,
    pub is_compliant: Option<bool>,
    pub is_managed: Option<bool>,
    pub account_enabled: Option<bool>,
    pub approximate_last_sign_in_date_time: Option<String>,
    pub registration_date_time: Option<String>,
}

/// An authentication method; its kind is in `@odata.type`, and its details vary by kind.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthenticationMethod {
    pub id: String,
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub display_name: Option<String>,
    pub created_date_time: Option<String>,
    pub phone_number: Option<String>,
    pub phone_type: Option<String>,
    pub model: Option<String>,
    pub device_tag: Option<String>,
    pub email_address: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignIn {
    pub id: String,
    pub created_date_time: Option<String>,
    pub user_display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub user_id: Option<String>,
    pub app_id: Option<String>,
    pub app_display_name: Option<String>,
    pub ip_address: Option<String>,
    pub client_app_used: Option<String>,
    pub correlation_id: Option<String>,
    pub conditional_access_status: Option<String>,
    pub is_interactive: Option<bool>,
    pub resource_display_name: Option<String>,
    pub risk_detail: Option<String>,
    pub risk_level_aggregated: Option<String>,
    pub risk_level_during_sign_in: Option<String>,
    pub risk_state: Option<String>,
    #[serde(rename = "riskEventTypes_v2")]
    pub risk_event_types_v2: Option<Vec<String>>,
    pub status: Option<SignInStatus>,
    pub device_detail: Option<DeviceDetail>,
    pub location: Option<SignInLocation>,
    pub applied_conditional_access_policies: Option<Vec<AppliedConditionalAccessPolicy>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInStatus {
    pub error_code: Option<i64>,
    pub failure_reason: Option<String>,
    pub additional_details: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeviceDetail {
    pub device_id: Option<String>,
    pub display_name: Option<String>,
    pub operating_system: Option<String>,
    pub browser: Option<String>,
    pub is_compliant: Option<bool>,
    pub is_managed: Option<bool>,
    pub trust_type: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInLocation {
    pub city: Option<String>,
    pub state: Option<String>,
    pub country_or_region: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppliedConditionalAccessPolicy {
    pub id: String,
    pub display_name: Option<String>,
    pub enforced_grant_controls: Option<Vec<String>>,
    pub enforced_session_controls: Option<Vec<String>>,
    pub result: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DirectoryAudit {
    pub id: String,
    pub category: Option<String>,
    pub correlation_id: Option<String>,
    pub result: Option<String>,
    pub result_reason: Option<String>,
    pub activity_display_name: Option<String>,
    pub activity_date_time: Option<String>,
    pub logged_by_service: Option<String>,
    pub operation_type: Option<String>,
    pub initiated_by: Option<AuditActivityInitiator>,
    pub target_resources: Option<Vec<TargetResource>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditActivityInitiator {
    pub user: Option<AuditUserIdentity>,
    pub app: Option<AuditAppIdentity>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditUserIdentity {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub ip_address: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditAppIdentity {
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    pub service_principal_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TargetResource {
    pub id: Option<String>,
    pub display_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub user_principal_name: Option<String>,
    pub modified_properties: Option<Vec<ModifiedProperty>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ModifiedProperty {
    pub display_name: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RiskyUser {
    pub id: String,
    pub user_display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub risk_last_updated_date_time: Option<String>,
    pub is_deleted: Option<bool>,
    pub is_processing: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RiskDetection {
    pub id: String,
    pub request_id: Option<String>,
    pub correlation_id: Option<String>,
    pub risk_event_type: Option<String>,
    pub risk_state: Option<String>,
    pub risk_level: Option<String>,
    pub risk_detail: Option<String>,
    pub source: Option<String>,
    pub detection_timing_type: Option<String>,
    pub activity: Option<String>,
    pub ip_address: Option<String>,
    pub activity_date_time: Option<String>,
    pub detected_date_time: Option<String>,
    pub user_id: Option<String>,
    pub user_display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub location: Option<SignInLocation>,
}

/// An app as a tenant sees it: the service principal of an app registration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    pub app_owner_organization_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleDefinition {
    pub id: String,
    pub display_name: Option<String>,
    pub is_built_in: Option<bool>,
}
