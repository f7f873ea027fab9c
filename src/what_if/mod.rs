//! Conditional Access What-If, the one evaluation path: which policies would apply to a described
//! sign-in, and for those that would not, which conditions ruled them out.
//!
//! Pure: no Graph, no tenant. [`SignIn`] is the described sign-in, and its serde form is the body
//! of Graph's `POST /identity/conditionalAccess/evaluate`; [`evaluate`] applies Graph's rules to
//! one policy; [`WhatIfResult`] is Graph's `whatIfAnalysisResult`. The demo emulator answers
//! `evaluate` with these (after filling in the user's groups, roles and guest kind from its
//! tenant), and a draft policy that Graph cannot evaluate (it was never saved) is evaluated here
//! the same way.
//!
//! Graph's rules, as documented: a condition the request leaves out is not evaluated (it does not
//! rule a policy out), except the risk levels (sign-in, user, insider, service principal), which
//! default to `none`, and the authentication flow, which defaults to `none`. A disabled policy is
//! `policyNotEnabled` and nothing else.

mod device_filter;
mod rules;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::graph::resources::ConditionalAccessPolicy;

pub use device_filter::matches as device_filter_matches;
pub use rules::{ADMIN_PORTAL_APPS, OFFICE_365_APPS, app_entry_covers, cidr_contains, evaluate, evaluate_all};

/// A hypothetical sign-in: the `evaluate` request body, plus what the directory knows of the
/// user (never sent; the caller of [`evaluate`] fills it in).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    pub sign_in_identity: SignInIdentity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_context: Option<SignInContext>,
    #[serde(default)]
    pub sign_in_conditions: SignInConditions,
    /// Graph returns only the policies that apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_policies_only: Option<bool>,
    /// The user's groups, roles and guest kind, as the directory has them.
    #[serde(skip)]
    pub directory: Directory,
}

/// What the directory knows of the signing-in user; Graph looks it up itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    /// Groups the user is in, directly or through nesting (object ids).
    pub groups: Vec<String>,
    /// Directory roles the user holds actively (role template ids).
    pub roles: Vec<String>,
    /// The guest or external user kind (`b2bCollaborationGuest`, `internalGuest`, …), if any.
    pub guest_kind: Option<String>,
    /// The home tenant of an external user.
    pub external_tenant_id: Option<String>,
}

/// `signInIdentity`: a user (`userSignIn`) or a single-tenant service principal
/// (`servicePrincipalSignIn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "@odata.type")]
pub enum SignInIdentity {
    #[serde(rename = "#microsoft.graph.userSignIn", rename_all = "camelCase")]
    User {
        user_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_tenant_id: Option<String>,
        /// `conditionalAccessGuestOrExternalUserTypes`, when the user is external.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_user_type: Option<String>,
    },
    #[serde(rename = "#microsoft.graph.servicePrincipalSignIn", rename_all = "camelCase")]
    ServicePrincipal { service_principal_id: String },
}

impl Default for SignInIdentity {
    fn default() -> Self {
        SignInIdentity::User { user_id: String::new(), external_tenant_id: None, external_user_type: None }
    }
}

/// `signInContext`: the app(s) signed in to, a user action, or an authentication context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "@odata.type")]
pub enum SignInContext {
    #[serde(rename = "#microsoft.graph.applicationContext", rename_all = "camelCase")]
    Applications {
        /// appIds.
        #[serde(default)]
        include_applications: Vec<String>,
    },
    #[serde(rename = "#microsoft.graph.userActionContext", rename_all = "camelCase")]
    UserAction {
        /// `registerSecurityInformation` or `registerOrJoinDevices`.
        user_action: String,
    },
    #[serde(rename = "#microsoft.graph.authContext", rename_all = "camelCase")]
    AuthenticationContext {
        /// `c1` … `c99`.
        authentication_context_value: String,
    },
}

/// `signInConditions`; everything left out is not evaluated, risk defaults to `none`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInConditions {
    /// `android`, `iOS`, `windows`, `windowsPhone`, `macOS`, `linux`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_platform: Option<String>,
    /// `browser`, `mobileAppsAndDesktopClients`, `exchangeActiveSync`, `easSupported`, `other`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_app_type: Option<String>,
    /// Two-letter country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// `none`, `low`, `medium`, `high`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_risk_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_risk_level: Option<String>,
    /// `none`, `minor`, `moderate`, `elevated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insider_risk_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_principal_risk_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_info: Option<DeviceInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_flow: Option<AuthenticationFlow>,
}

/// `deviceInfo`: the device properties a device filter can name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeviceInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_compliant: Option<bool>,
    /// `AzureAD`, `ServerAD` (hybrid joined), `Workplace` (registered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operating_system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operating_system_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mdm_app_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrollment_profile_name: Option<String>,
    /// `personal`, `company`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ownership: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_attribute3: Option<String>,
}

/// `authenticationFlow`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthenticationFlow {
    /// `deviceCodeFlow` or `authenticationTransfer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_method: Option<String>,
}

impl SignIn {
    /// A user's sign-in, nothing else described yet.
    pub fn user(user_id: impl Into<String>) -> SignIn {
        SignIn {
            sign_in_identity: SignInIdentity::User {
                user_id: user_id.into(),
                external_tenant_id: None,
                external_user_type: None,
            },
            ..SignIn::default()
        }
    }

    /// A single-tenant service principal's sign-in.
    pub fn service_principal(id: impl Into<String>) -> SignIn {
        SignIn {
            sign_in_identity: SignInIdentity::ServicePrincipal { service_principal_id: id.into() },
            ..SignIn::default()
        }
    }

    /// To these apps (appIds).
    pub fn to_apps(mut self, app_ids: Vec<String>) -> SignIn {
        self.sign_in_context = Some(SignInContext::Applications { include_applications: app_ids });
        self
    }

    /// The user id, for a user's sign-in.
    pub fn user_id(&self) -> Option<&str> {
        match &self.sign_in_identity {
            SignInIdentity::User { user_id, .. } => Some(user_id),
            SignInIdentity::ServicePrincipal { .. } => None,
        }
    }

    /// The body Graph's `evaluate` takes.
    pub fn body(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// Why a policy does not apply: one flag of Graph's `whatIfAnalysisReasons`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    NotEnoughInformation,
    InvalidCondition,
    Users,
    WorkloadIdentities,
    Application,
    UserActions,
    AuthenticationContext,
    DevicePlatform,
    Devices,
    ClientApps,
    Location,
    SignInRisk,
    EmptyPolicy,
    InvalidPolicy,
    PolicyNotEnabled,
    UserRisk,
    Time,
    InsiderRisk,
    AuthenticationFlow,
}

const REASONS: &[(Reason, &str, &str)] = &[
    (Reason::NotEnoughInformation, "notEnoughInformation", "not enough information to evaluate it"),
    (Reason::InvalidCondition, "invalidCondition", "a condition is not valid"),
    (Reason::Users, "users", "the user is not in its scope (not included, or excluded)"),
    (Reason::WorkloadIdentities, "workloadIdentities", "the workload identity is not in its scope"),
    (Reason::Application, "application", "the app is not in its scope"),
    (Reason::UserActions, "userActions", "it targets other user actions"),
    (Reason::AuthenticationContext, "authenticationContext", "it targets another authentication context"),
    (Reason::DevicePlatform, "devicePlatform", "the device platform is not in its scope"),
    (Reason::Devices, "devices", "the device does not match its device filter"),
    (Reason::ClientApps, "clientApps", "the client app type is not in its scope"),
    (Reason::Location, "location", "the location is not in its scope"),
    (Reason::SignInRisk, "signInRisk", "the sign-in risk is not one of its levels"),
    (Reason::EmptyPolicy, "emptyPolicy", "the policy has no conditions"),
    (Reason::InvalidPolicy, "invalidPolicy", "the policy is not valid"),
    (Reason::PolicyNotEnabled, "policyNotEnabled", "the policy is off"),
    (Reason::UserRisk, "userRisk", "the user risk is not one of its levels"),
    (Reason::Time, "time", "the time is outside its scope"),
    (Reason::InsiderRisk, "insiderRisk", "the insider risk is not one of its levels"),
    (Reason::AuthenticationFlow, "authenticationFlow", "the authentication flow is not one it targets"),
];

impl Reason {
    /// Graph's flag name (`devicePlatform`).
    pub fn graph(self) -> &'static str {
        REASONS.iter().find(|(r, _, _)| *r == self).map(|(_, g, _)| *g).unwrap_or("notSet")
    }

    /// Why, in an admin's words.
    pub fn words(self) -> &'static str {
        REASONS.iter().find(|(r, _, _)| *r == self).map(|(_, _, w)| *w).unwrap_or("")
    }

    /// From Graph's flag name.
    pub fn from_graph(flag: &str) -> Option<Reason> {
        REASONS.iter().find(|(_, g, _)| g.eq_ignore_ascii_case(flag.trim())).map(|(r, _, _)| *r)
    }

    /// Graph's `analysisReasons` value for a list: `notSet` when empty, else the flags.
    pub fn flags(reasons: &[Reason]) -> String {
        if reasons.is_empty() {
            "notSet".into()
        } else {
            reasons.iter().map(|r| r.graph()).collect::<Vec<_>>().join(",")
        }
    }

    /// The reasons in a Graph `analysisReasons` value (`notSet` is none).
    pub fn parse_flags(flags: &str) -> Vec<Reason> {
        flags.split(',').filter_map(Reason::from_graph).collect()
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.graph())
    }
}

/// `whatIfAnalysisResult`: a policy, whether it applies, and why not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfResult {
    #[serde(flatten)]
    pub policy: ConditionalAccessPolicy,
    #[serde(default)]
    pub policy_applies: bool,
    /// `notSet` when the policy applies, else the flags (`users,location`).
    #[serde(default)]
    pub analysis_reasons: String,
}

impl WhatIfResult {
    pub fn new(policy: ConditionalAccessPolicy, reasons: &[Reason]) -> WhatIfResult {
        WhatIfResult { policy, policy_applies: reasons.is_empty(), analysis_reasons: Reason::flags(reasons) }
    }

    pub fn reasons(&self) -> Vec<Reason> {
        Reason::parse_flags(&self.analysis_reasons)
    }
}

/// The `evaluate` answer: `{"value": [whatIfAnalysisResult]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WhatIfPage {
    #[serde(default)]
    pub value: Vec<WhatIfResult>,
}
