//! Entitlement management as Graph returns it (catalogs, access packages, policies,
//! assignments, requests, connected organizations), how a `catalog`, `access_package` or
//! `organization` argument is resolved, and the plain words the skills put them in.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::shared::Named;
use crate::shared::resolve::Kind;

/// `{EM}`: where entitlement management lives in Graph.
pub const EM: &str = "/identityGovernance/entitlementManagement";

pub const CATALOG: Kind = Kind {
    noun: "catalog",
    field: "catalog",
    collection: "/identityGovernance/entitlementManagement/catalogs",
    name_property: "displayName",
    alternate_key: None,
    filter_by_name: true,
    search_skill: "list_catalogs",
};

pub const ACCESS_PACKAGE: Kind = Kind {
    noun: "access package",
    field: "access_package",
    collection: "/identityGovernance/entitlementManagement/accessPackages",
    name_property: "displayName",
    alternate_key: None,
    filter_by_name: true,
    search_skill: "list_access_packages",
};

pub const CONNECTED_ORGANIZATION: Kind = Kind {
    noun: "connected organization",
    field: "organization",
    collection: "/identityGovernance/entitlementManagement/connectedOrganizations",
    name_property: "displayName",
    alternate_key: None,
    filter_by_name: true,
    search_skill: "get_connected_organization",
};

/// A reference to another object, as an expanded navigation property with `$select=id,displayName`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Reference {
    pub id: String,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Catalog {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub catalog_type: Option<String>,
    pub state: Option<String>,
    pub is_externally_visible: Option<bool>,
    pub created_date_time: Option<String>,
    pub access_packages: Option<Vec<Reference>>,
}

impl Named for Catalog {
    fn object_id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
    fn distinguishing(&self) -> String {
        catalog_kind(self.catalog_type.as_deref()).to_string()
    }
}

/// `user_managed`, `service_default` (the built-in General catalog), `service_managed`.
pub fn catalog_kind(graph: Option<&str>) -> &'static str {
    match graph {
        Some("serviceDefault") => "service_default",
        Some("serviceManaged") => "service_managed",
        Some("userManaged") => "user_managed",
        _ => "unknown",
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Resource {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub origin_system: Option<String>,
    pub origin_id: Option<String>,
    pub created_date_time: Option<String>,
    pub roles: Option<Vec<Reference>>,
}

/// `group`, `application`, `sharepoint_site`, or Graph's origin system for anything else.
pub fn resource_kind(origin_system: Option<&str>) -> String {
    match origin_system {
        Some("AadGroup") => "group".into(),
        Some("AadApplication") => "application".into(),
        Some("SharePointOnline") => "sharepoint_site".into(),
        Some(other) => other.to_string(),
        None => "unknown".into(),
    }
}

/// A custom workflow extension (a Logic App entitlement management calls).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomExtension {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub endpoint_configuration: Option<Endpoint>,
    pub callback_configuration: Option<Callback>,
    pub created_date_time: Option<String>,
    pub last_modified_date_time: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Endpoint {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub subscription_id: Option<String>,
    pub resource_group_name: Option<String>,
    pub logic_app_workflow_name: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Callback {
    pub duration_before_timeout: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AccessPackage {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub is_hidden: Option<bool>,
    pub created_date_time: Option<String>,
    pub modified_date_time: Option<String>,
    pub catalog: Option<Reference>,
    pub resource_role_scopes: Option<Vec<RoleScope>>,
    pub assignment_policies: Option<Vec<Policy>>,
}

impl Named for AccessPackage {
    fn object_id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
    fn distinguishing(&self) -> String {
        match self.catalog.as_ref().and_then(|c| c.display_name.as_deref()) {
            Some(catalog) => format!("catalog {catalog}"),
            None => "access package".into(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleScope {
    pub id: String,
    pub role: Option<ResourceRole>,
    pub scope: Option<ResourceScope>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceRole {
    pub id: String,
    pub display_name: Option<String>,
    pub origin_system: Option<String>,
    pub origin_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceScope {
    pub id: String,
    pub display_name: Option<String>,
    pub origin_system: Option<String>,
    pub origin_id: Option<String>,
    pub is_root_scope: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Policy {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub allowed_target_scope: Option<String>,
    pub specific_allowed_targets: Option<Vec<SubjectSet>>,
    pub automatic_request_settings: Option<serde_json::Value>,
    pub requestor_settings: Option<RequestorSettings>,
    pub request_approval_settings: Option<ApprovalSettings>,
    pub expiration: Option<Expiration>,
    pub review_settings: Option<ReviewSettings>,
    pub custom_extension_stage_settings: Option<Vec<StageSetting>>,
    pub access_package: Option<Reference>,
    pub catalog: Option<Reference>,
}

/// Who a policy names: a user, a group's members, the requestor's manager, sponsors, a
/// connected organization's users.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubjectSet {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub user_id: Option<String>,
    pub group_id: Option<String>,
    pub connected_organization_id: Option<String>,
    pub manager_level: Option<i64>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestorSettings {
    pub enable_targets_to_self_add_access: Option<bool>,
    pub enable_on_behalf_requestors_to_add_access: Option<bool>,
    pub on_behalf_requestors: Option<Vec<SubjectSet>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApprovalSettings {
    pub is_approval_required_for_add: Option<bool>,
    pub stages: Option<Vec<ApprovalStage>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApprovalStage {
    pub duration_before_automatic_denial: Option<String>,
    pub is_approver_justification_required: Option<bool>,
    pub is_escalation_enabled: Option<bool>,
    pub duration_before_escalation: Option<String>,
    pub primary_approvers: Option<Vec<SubjectSet>>,
    pub fallback_primary_approvers: Option<Vec<SubjectSet>>,
    pub escalation_approvers: Option<Vec<SubjectSet>>,
}

/// `expirationPattern`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Expiration {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub duration: Option<String>,
    pub end_date_time: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReviewSettings {
    pub is_enabled: Option<bool>,
    pub expiration_behavior: Option<String>,
    pub is_recommendation_enabled: Option<bool>,
    pub is_reviewer_justification_required: Option<bool>,
    pub is_self_review: Option<bool>,
    pub schedule: Option<Schedule>,
    pub primary_reviewers: Option<Vec<SubjectSet>>,
    pub fallback_reviewers: Option<Vec<SubjectSet>>,
}

/// `entitlementManagementSchedule`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Schedule {
    pub start_date_time: Option<String>,
    pub expiration: Option<Expiration>,
    pub recurrence: Option<Recurrence>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Recurrence {
    pub pattern: Option<Pattern>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Pattern {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub interval: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StageSetting {
    pub id: String,
    pub stage: Option<String>,
    pub custom_extension: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Assignment {
    pub id: String,
    pub state: Option<String>,
    pub status: Option<String>,
    pub expired_date_time: Option<String>,
    pub schedule: Option<Schedule>,
    pub target: Option<Subject>,
    pub access_package: Option<Reference>,
    pub assignment_policy: Option<Reference>,
}

impl Assignment {
    /// When the assignment ends (or ended): the schedule's end, else when it expired.
    pub fn ends(&self) -> Option<String> {
        self.schedule
            .as_ref()
            .and_then(|s| s.expiration.as_ref())
            .and_then(|e| e.end_date_time.clone())
            .or_else(|| self.expired_date_time.clone())
    }

    pub fn starts(&self) -> Option<String> {
        self.schedule.as_ref().and_then(|s| s.start_date_time.clone())
    }
}

/// `accessPackageSubject`: who an assignment is for or who asked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Subject {
    pub id: String,
    pub object_id: Option<String>,
    pub display_name: Option<String>,
    pub principal_name: Option<String>,
    pub email: Option<String>,
    pub subject_type: Option<String>,
    pub connected_organization: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Request {
    pub id: String,
    pub request_type: Option<String>,
    pub state: Option<String>,
    pub status: Option<String>,
    pub created_date_time: Option<String>,
    pub completed_date_time: Option<String>,
    pub requestor: Option<Subject>,
    pub access_package: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectedOrganization {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub identity_sources: Option<Vec<IdentitySource>>,
    pub state: Option<String>,
    pub created_date_time: Option<String>,
    pub modified_date_time: Option<String>,
}

impl Named for ConnectedOrganization {
    fn object_id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
    fn distinguishing(&self) -> String {
        format!("state {}", self.state.as_deref().unwrap_or("unknown"))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IdentitySource {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub tenant_id: Option<String>,
    pub domain_name: Option<String>,
    pub display_name: Option<String>,
}

/// An access package or catalog named in another answer, with the id needed to follow up.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NamedRef {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

impl NamedRef {
    pub fn from(reference: &Option<Reference>) -> Option<NamedRef> {
        reference.as_ref().map(|r| NamedRef { id: r.id.clone(), display_name: r.display_name.clone() })
    }

    /// "Name" or the id when the name is unknown.
    pub fn label(&self) -> String {
        self.display_name.clone().unwrap_or_else(|| self.id.clone())
    }
}

/// The label of an optional reference, or `-`.
pub fn label(reference: &Option<NamedRef>) -> String {
    reference.as_ref().map(NamedRef::label).unwrap_or_else(|| "-".into())
}

/// An ISO 8601 duration in words: `P90D` → `90 days`, `PT1H` → `1 hour`, `P1Y2M` → `1 year
/// 2 months`. Anything else is returned as given.
pub fn duration_words(iso: &str) -> String {
    let Some(rest) = iso.strip_prefix('P') else { return iso.to_string() };
    let mut parts = Vec::new();
    let mut number = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            'T' if number.is_empty() => in_time = true,
            '0'..='9' | '.' => number.push(c),
            unit => {
                let unit = match (unit, in_time) {
                    ('Y', false) => "year",
                    ('M', false) => "month",
                    ('W', false) => "week",
                    ('D', false) => "day",
                    ('H', true) => "hour",
                    ('M', true) => "minute",
                    ('S', true) => "second",
                    _ => return iso.to_string(),
                };
                // Fractions (`P1.5D`) are rare enough to show as Graph wrote them.
                match number.parse::<u64>() {
                    Ok(0) => {}
                    Ok(1) => parts.push(format!("1 {unit}")),
                    Ok(n) => parts.push(format!("{n} {unit}s")),
                    Err(_) => return iso.to_string(),
                }
                number.clear();
            }
        }
    }
    if !number.is_empty() {
        return iso.to_string();
    }
    if parts.is_empty() { "no time".to_string() } else { parts.join(" ") }
}

/// Days from `now` until `time`, to the nearest day (negative when past), if it is a time.
pub fn days_until(time: &str, now: DateTime<Utc>) -> Option<i64> {
    let t = DateTime::parse_from_rfc3339(time).ok()?.with_timezone(&Utc);
    let seconds = (t - now).num_seconds();
    Some((seconds + 43_200).div_euclid(86_400))
}

/// A request or assignment state in the answers' snake_case: `pendingApproval` →
/// `pending_approval`.
pub fn snake(graph: &str) -> String {
    let mut out = String::with_capacity(graph.len() + 4);
    for (i, c) in graph.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The host of a Logic App trigger URL, without its path or query (which may carry a key).
pub fn endpoint_host(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed.host_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_words("P90D"), "90 days");
        assert_eq!(duration_words("P1D"), "1 day");
        assert_eq!(duration_words("PT1H"), "1 hour");
        assert_eq!(duration_words("PT8H30M"), "8 hours 30 minutes");
        assert_eq!(duration_words("P1Y2M"), "1 year 2 months");
        assert_eq!(duration_words("PT0S"), "no time");
        assert_eq!(duration_words("P2W"), "2 weeks");
        assert_eq!(duration_words("90 days"), "90 days");
        assert_eq!(duration_words("P5X"), "P5X");
        assert_eq!(duration_words("P5"), "P5");
        assert_eq!(duration_words("P1.5D"), "P1.5D");
    }

    #[test]
    fn days_until_counts_whole_days() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z").map(|t| t.with_timezone(&Utc)).ok();
        let now = now.unwrap_or_default();
        assert_eq!(days_until("2026-11-27T12:00:00Z", now), Some(5));
        assert_eq!(days_until("2026-11-27T11:00:00Z", now), Some(5));
        assert_eq!(days_until("2026-11-27T00:30:00Z", now), Some(5));
        assert_eq!(days_until("2026-11-26T23:30:00Z", now), Some(4));
        assert_eq!(days_until("2026-11-20T12:00:00Z", now), Some(-2));
        assert_eq!(days_until("soon", now), None);
    }

    #[test]
    fn states_and_hosts() {
        assert_eq!(snake("pendingApproval"), "pending_approval");
        assert_eq!(snake("delivered"), "delivered");
        assert_eq!(
            endpoint_host("https://prod-07.westeurope.logic.azure.com:443/workflows/x/triggers?sig=secret").as_deref(),
            Some("prod-07.westeurope.logic.azure.com")
        );
        assert_eq!(resource_kind(Some("SharePointOnline")), "sharepoint_site");
        assert_eq!(catalog_kind(Some("serviceDefault")), "service_default");
    }
}
