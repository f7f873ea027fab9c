//! Conditional Access as Graph v1.0 spells it: `conditionalAccessPolicy` with its condition set,
//! grant and session controls, `namedLocation` and `authenticationStrengthPolicy`.
//!
//! Every field is optional or defaults to empty, and a JSON `null` (which Graph sends for every
//! condition a policy leaves unset) reads as absent, so any policy Graph returns parses. The
//! types serialize back to the same camelCase shape, leaving out what is absent, so a draft built
//! from them is a valid `POST /identity/conditionalAccess/policies` body.

use serde::{Deserialize, Deserializer, Serialize};

/// Reads a JSON `null` as the type's default (an empty list).
fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `microsoft.graph.conditionalAccessPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessPolicy {
    /// Empty in a draft that was never saved.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date_time: Option<String>,
    /// The Microsoft template the policy was created from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<ConditionSet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_controls: Option<GrantControls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_controls: Option<SessionControls>,
}

/// A policy's state as an admin says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyState {
    /// `enabled`: enforced.
    On,
    /// `enabledForReportingButNotEnforced`: evaluated and logged, never enforced.
    ReportOnly,
    /// `disabled`.
    Off,
}

impl PolicyState {
    /// From Graph's value; anything unknown counts as off (it enforces nothing).
    pub fn from_graph(state: Option<&str>) -> PolicyState {
        match state {
            Some("enabled") => PolicyState::On,
            Some("enabledForReportingButNotEnforced") => PolicyState::ReportOnly,
            _ => PolicyState::Off,
        }
    }

    /// Graph's value.
    pub fn graph(self) -> &'static str {
        match self {
            PolicyState::On => "enabled",
            PolicyState::ReportOnly => "enabledForReportingButNotEnforced",
            PolicyState::Off => "disabled",
        }
    }

    /// `on`, `report-only` or `off`.
    pub fn words(self) -> &'static str {
        match self {
            PolicyState::On => "on",
            PolicyState::ReportOnly => "report-only",
            PolicyState::Off => "off",
        }
    }
}

impl ConditionalAccessPolicy {
    pub fn policy_state(&self) -> PolicyState {
        PolicyState::from_graph(self.state.as_deref())
    }

    /// The display name, or the id when the name is hidden.
    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.id)
    }

    /// The condition set, empty when absent.
    pub fn conditions(&self) -> ConditionSet {
        self.conditions.clone().unwrap_or_default()
    }

    /// The built-in grant controls (`mfa`, `block`, `compliantDevice`, …).
    pub fn built_in_controls(&self) -> &[String] {
        self.grant_controls.as_ref().map(|g| g.built_in_controls.as_slice()).unwrap_or_default()
    }

    /// Whether the grant is a block.
    pub fn blocks(&self) -> bool {
        self.built_in_controls().iter().any(|c| c == "block")
    }

    /// Whether the grant asks for MFA: the `mfa` control or an authentication strength.
    pub fn requires_mfa(&self) -> bool {
        self.built_in_controls().iter().any(|c| c == "mfa")
            || self.grant_controls.as_ref().is_some_and(|g| g.authentication_strength.is_some())
    }
}

/// `conditionalAccessConditionSet`: a condition left out (`null`) is not evaluated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionSet {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<ConditionalAccessUsers>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applications: Option<ConditionalAccessApplications>,
    /// Workload identities (service principals, agents) the policy targets instead of users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_applications: Option<ConditionalAccessClientApplications>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platforms: Option<ConditionalAccessPlatforms>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locations: Option<ConditionalAccessLocations>,
    /// `all`, `browser`, `mobileAppsAndDesktopClients`, `exchangeActiveSync`, `easSupported`, `other`.
    #[serde(deserialize_with = "null_as_default")]
    pub client_app_types: Vec<String>,
    /// `low`, `medium`, `high`, `none`.
    #[serde(deserialize_with = "null_as_default")]
    pub sign_in_risk_levels: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub user_risk_levels: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub service_principal_risk_levels: Vec<String>,
    /// A flags value: `minor,moderate,elevated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insider_risk_levels: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub devices: Option<ConditionalAccessDevices>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_flows: Option<ConditionalAccessAuthenticationFlows>,
}

/// `conditionalAccessUsers`: ids, or `All`, `None`, `GuestsOrExternalUsers`; roles are role
/// template ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessUsers {
    #[serde(deserialize_with = "null_as_default")]
    pub include_users: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub exclude_users: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub include_groups: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub exclude_groups: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub include_roles: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub exclude_roles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_guests_or_external_users: Option<GuestsOrExternalUsers>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude_guests_or_external_users: Option<GuestsOrExternalUsers>,
}

/// `conditionalAccessGuestsOrExternalUsers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuestsOrExternalUsers {
    /// A flags value: `internalGuest,b2bCollaborationGuest,b2bCollaborationMember,
    /// b2bDirectConnectUser,otherExternalUser,serviceProvider`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_or_external_user_types: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_tenants: Option<ExternalTenants>,
}

impl GuestsOrExternalUsers {
    /// The guest kinds named.
    pub fn kinds(&self) -> Vec<&str> {
        self.guest_or_external_user_types
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .collect()
    }
}

/// `conditionalAccessExternalTenants`: all tenants, or the enumerated `members`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExternalTenants {
    #[serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")]
    pub odata_type: Option<String>,
    /// `all` or `enumerated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership_kind: Option<String>,
    /// Tenant ids, when enumerated.
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// `conditionalAccessApplications`: appIds or `All`, `None`, `Office365`,
/// `MicrosoftAdminPortals`; or user actions; or authentication contexts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessApplications {
    #[serde(deserialize_with = "null_as_default")]
    pub include_applications: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub exclude_applications: Vec<String>,
    /// `urn:user:registersecurityinfo`, `urn:user:registerdevice`.
    #[serde(deserialize_with = "null_as_default")]
    pub include_user_actions: Vec<String>,
    /// `c1` … `c99`.
    #[serde(deserialize_with = "null_as_default")]
    pub include_authentication_context_class_references: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_filter: Option<ConditionalAccessFilter>,
}

/// `conditionalAccessClientApplications`: service principal ids or `ServicePrincipalsInMyTenant`;
/// agent identities (beta).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessClientApplications {
    #[serde(deserialize_with = "null_as_default")]
    pub include_service_principals: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub exclude_service_principals: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_principal_filter: Option<ConditionalAccessFilter>,
    /// Beta: agent identity object ids (or `All`).
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub include_agent_id_service_principals: Vec<String>,
    /// Beta.
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub exclude_agent_id_service_principals: Vec<String>,
}

/// `conditionalAccessFilter`: a rule in the dynamic-device (or application, service principal)
/// syntax that includes or excludes what it matches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessFilter {
    /// `include` or `exclude`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// `conditionalAccessPlatforms`: `android`, `iOS`, `windows`, `windowsPhone`, `macOS`, `linux`, `all`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessPlatforms {
    #[serde(deserialize_with = "null_as_default")]
    pub include_platforms: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub exclude_platforms: Vec<String>,
}

/// `conditionalAccessLocations`: named location ids, `All` or `AllTrusted`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessLocations {
    #[serde(deserialize_with = "null_as_default")]
    pub include_locations: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub exclude_locations: Vec<String>,
}

/// `conditionalAccessDevices`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessDevices {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_filter: Option<ConditionalAccessFilter>,
}

/// `conditionalAccessAuthenticationFlows`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessAuthenticationFlows {
    /// A flags value: `deviceCodeFlow`, `authenticationTransfer` (comma-separated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_methods: Option<String>,
}

impl ConditionalAccessAuthenticationFlows {
    pub fn methods(&self) -> Vec<&str> {
        self.transfer_methods
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty() && *m != "none")
            .collect()
    }
}

/// `conditionalAccessGrantControls`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GrantControls {
    /// `AND` or `OR`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// `block`, `mfa`, `compliantDevice`, `domainJoinedDevice`, `approvedApplication`,
    /// `compliantApplication`, `passwordChange`.
    #[serde(deserialize_with = "null_as_default")]
    pub built_in_controls: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub custom_authentication_factors: Vec<String>,
    /// Terms of use agreement ids.
    #[serde(deserialize_with = "null_as_default")]
    pub terms_of_use: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_strength: Option<AuthenticationStrengthPolicy>,
}

/// `conditionalAccessSessionControls`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionControls {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_frequency: Option<SignInFrequencySessionControl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistent_browser: Option<PersistentBrowserSessionControl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_enforced_restrictions: Option<SessionControlToggle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_app_security: Option<CloudAppSecuritySessionControl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_resilience_defaults: Option<bool>,
}

impl SessionControls {
    /// Whether any control is set.
    pub fn any(&self) -> bool {
        self.sign_in_frequency.as_ref().is_some_and(|s| s.is_enabled != Some(false))
            || self.persistent_browser.as_ref().is_some_and(|s| s.is_enabled != Some(false))
            || self.application_enforced_restrictions.as_ref().is_some_and(|s| s.is_enabled != Some(false))
            || self.cloud_app_security.as_ref().is_some_and(|s| s.is_enabled != Some(false))
            || self.disable_resilience_defaults == Some(true)
    }
}

/// `signInFrequencySessionControl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInFrequencySessionControl {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_enabled: Option<bool>,
    /// `hours` or `days`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// `primaryAndSecondaryAuthentication` or `secondaryAuthentication`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<String>,
    /// `timeBased` or `everyTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_interval: Option<String>,
}

/// `persistentBrowserSessionControl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PersistentBrowserSessionControl {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_enabled: Option<bool>,
    /// `always` or `never`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// `applicationEnforcedRestrictionsSessionControl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionControlToggle {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_enabled: Option<bool>,
}

/// `cloudAppSecuritySessionControl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CloudAppSecuritySessionControl {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_enabled: Option<bool>,
    /// `mcasConfigured`, `monitorOnly`, `blockDownloads`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_app_security_type: Option<String>,
}

/// `authenticationStrengthPolicy` (as a policy's grant names it, or as listed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthenticationStrengthPolicy {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `builtIn` or `custom`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_type: Option<String>,
    /// `mfa` or `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirements_satisfied: Option<String>,
    /// Method combinations, e.g. `fido2`, `password,microsoftAuthenticatorPush`.
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub allowed_combinations: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date_time: Option<String>,
}

/// `authenticationStrengthUsage`: the policies that use a strength, split by whether they
/// require an MFA claim.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthenticationStrengthUsage {
    #[serde(deserialize_with = "null_as_default")]
    pub mfa: Vec<ConditionalAccessPolicy>,
    #[serde(deserialize_with = "null_as_default")]
    pub none: Vec<ConditionalAccessPolicy>,
}

/// `namedLocation`: an `ipNamedLocation` or a `countryNamedLocation`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NamedLocation {
    pub id: String,
    #[serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")]
    pub odata_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_date_time: Option<String>,
    /// IP locations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_trusted: Option<bool>,
    /// IP locations.
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub ip_ranges: Vec<IpRange>,
    /// Country locations: ISO 3166 two-letter codes.
    #[serde(deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub countries_and_regions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_unknown_countries_and_regions: Option<bool>,
    /// `clientIpAddress` or `authenticatorAppGps`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_lookup_method: Option<String>,
}

impl NamedLocation {
    pub fn is_country(&self) -> bool {
        self.odata_type.as_deref() == Some("#microsoft.graph.countryNamedLocation")
    }

    pub fn is_ip(&self) -> bool {
        self.odata_type.as_deref() == Some("#microsoft.graph.ipNamedLocation")
    }
}

/// `ipRange`: an `iPv4CidrRange` or `iPv6CidrRange`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IpRange {
    #[serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")]
    pub odata_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cidr_address: Option<String>,
}

/// `conditionalAccessTemplate`: a Microsoft policy template.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessTemplate {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A flags value: `new,secureFoundation,zeroTrust,remoteWork,protectAdmins,emergingThreats`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenarios: Option<String>,
    /// What the template would create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<ConditionalAccessPolicyDetail>,
}

/// `conditionalAccessPolicyDetail`: a template's policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessPolicyDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<ConditionSet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_controls: Option<GrantControls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_controls: Option<SessionControls>,
}

impl ConditionalAccessPolicyDetail {
    /// The template's policy as an unsaved policy, to describe with the same words.
    pub fn as_policy(&self, name: Option<String>) -> ConditionalAccessPolicy {
        ConditionalAccessPolicy {
            display_name: name,
            conditions: self.conditions.clone(),
            grant_controls: self.grant_controls.clone(),
            session_controls: self.session_controls.clone(),
            ..ConditionalAccessPolicy::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_policy_with_nulls_everywhere_parses_and_round_trips() {
        let graph = json!({
            "id": "p1", "displayName": "CA", "state": "enabledForReportingButNotEnforced",
            "templateId": null,
            "conditions": {
                "userRiskLevels": [], "signInRiskLevels": ["high"], "clientAppTypes": ["all"],
                "servicePrincipalRiskLevels": null, "insiderRiskLevels": null, "platforms": null,
                "locations": null, "devices": null, "clientApplications": null,
                "authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"},
                "applications": {"includeApplications": ["All"], "excludeApplications": [],
                    "includeUserActions": [], "includeAuthenticationContextClassReferences": [],
                    "applicationFilter": null, "networkAccess": null},
                "users": {"includeUsers": ["All"], "excludeUsers": null, "includeGroups": [],
                    "excludeGroups": [], "includeRoles": [], "excludeRoles": [],
                    "includeGuestsOrExternalUsers": null,
                    "excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
                        "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}}}
            },
            "grantControls": {"operator": "OR", "builtInControls": ["block"], "customAuthenticationFactors": [],
                "termsOfUse": [], "authenticationStrength": null},
            "sessionControls": null
        });
        let policy: ConditionalAccessPolicy = serde_json::from_value(graph).expect("parses");
        assert_eq!(policy.policy_state(), PolicyState::ReportOnly);
        assert!(policy.blocks());
        let conditions = policy.conditions();
        assert_eq!(conditions.sign_in_risk_levels, vec!["high"]);
        assert_eq!(
            conditions.authentication_flows.as_ref().map(|f| f.methods()),
            Some(vec!["deviceCodeFlow", "authenticationTransfer"])
        );
        let users = conditions.users.clone().unwrap_or_default();
        assert_eq!(
            users.exclude_guests_or_external_users.as_ref().map(|g| g.kinds()),
            Some(vec!["internalGuest", "b2bCollaborationGuest"])
        );
        let again: ConditionalAccessPolicy =
            serde_json::from_value(serde_json::to_value(&policy).expect("serializes")).expect("parses again");
        assert_eq!(again, policy);
    }

    #[test]
    fn anything_graph_adds_is_ignored() {
        let policy: ConditionalAccessPolicy =
            serde_json::from_value(json!({"id": "x", "newThing": {"a": 1}, "conditions": {"times": null}}))
                .expect("parses");
        assert_eq!(policy.policy_state(), PolicyState::Off);
    }
}
