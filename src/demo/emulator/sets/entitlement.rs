//! Entitlement management (`identityGovernance/entitlementManagement`): catalogs, access
//! packages, assignment policies, assignments, assignment requests and connected
//! organizations, all read-only here.
//!
//! Their relationships are navigation properties, kept in the rows under their Graph names (a
//! reference as `{"id": …}`, a contained object in full) and returned only through `$expand`,
//! nested ones included (`resourceRoleScopes($expand=role,scope)`), as Graph documents them.
//! The filters are the documented ones: `displayName` (`eq`, and `contains` on packages and
//! catalogs), `catalog/id` on packages, `target/objectId`, `accessPackage/id`,
//! `assignmentPolicy/id` and `state` on assignments, `state` and `accessPackage/id` on
//! requests.

use serde_json::Value;

use crate::demo::tenant::{DirectoryRef, Tenant, entitlement};

use super::super::listing::{Ctx, shape};
use super::super::query::Expand;
use super::super::schema::{self, Spec, Words};
use super::{EntitySet, Navigation, READ_ONLY, Source, Target};

const CATALOGS: &str = "identityGovernance/entitlementManagement/catalogs";
const ACCESS_PACKAGES: &str = "identityGovernance/entitlementManagement/accessPackages";
const ASSIGNMENT_POLICIES: &str = "identityGovernance/entitlementManagement/assignmentPolicies";
const ASSIGNMENTS: &str = "identityGovernance/entitlementManagement/assignments";
const ASSIGNMENT_REQUESTS: &str = "identityGovernance/entitlementManagement/assignmentRequests";
const CONNECTED_ORGANIZATIONS: &str = "identityGovernance/entitlementManagement/connectedOrganizations";

static CATALOG: Spec = Spec {
    type_name: "microsoft.graph.accessPackageCatalog",
    entity_set: CATALOGS,
    directory: false,
    properties: Words(
        "id displayName description catalogType state isExternallyVisible createdDateTime modifiedDateTime",
    ),
    default_properties: None,
    filterable: Words("id displayName catalogType state isExternallyVisible"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("accessPackages resources customWorkflowExtensions"),
    max_top: 999,
};

static ACCESS_PACKAGE: Spec = Spec {
    type_name: "microsoft.graph.accessPackage",
    entity_set: ACCESS_PACKAGES,
    directory: false,
    properties: Words("id displayName description isHidden createdDateTime modifiedDateTime"),
    default_properties: None,
    filterable: Words("id displayName isHidden catalog/id"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("catalog resourceRoleScopes assignmentPolicies"),
    max_top: 999,
};

static ASSIGNMENT_POLICY: Spec = Spec {
    type_name: "microsoft.graph.accessPackageAssignmentPolicy",
    entity_set: ASSIGNMENT_POLICIES,
    directory: false,
    properties: Words(
        "id displayName description allowedTargetScope specificAllowedTargets automaticRequestSettings \
         requestorSettings requestApprovalSettings expiration reviewSettings createdDateTime modifiedDateTime",
    ),
    default_properties: None,
    filterable: Words("id displayName accessPackage/id"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("accessPackage catalog customExtensionStageSettings"),
    max_top: 999,
};

static ASSIGNMENT: Spec = Spec {
    type_name: "microsoft.graph.accessPackageAssignment",
    entity_set: ASSIGNMENTS,
    directory: false,
    properties: Words("id state status expiredDateTime schedule customExtensionCalloutInstances"),
    default_properties: None,
    filterable: Words("id state target/objectId accessPackage/id assignmentPolicy/id"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("target accessPackage assignmentPolicy"),
    max_top: 999,
};

static ASSIGNMENT_REQUEST: Spec = Spec {
    type_name: "microsoft.graph.accessPackageAssignmentRequest",
    entity_set: ASSIGNMENT_REQUESTS,
    directory: false,
    properties: Words("id requestType state status createdDateTime completedDateTime schedule"),
    default_properties: None,
    filterable: Words("id state createdDateTime accessPackage/id"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("accessPackage requestor assignment"),
    max_top: 999,
};

static CONNECTED_ORGANIZATION: Spec = Spec {
    type_name: "microsoft.graph.connectedOrganization",
    entity_set: CONNECTED_ORGANIZATIONS,
    directory: false,
    properties: Words("id displayName description identitySources state createdDateTime modifiedDateTime"),
    default_properties: None,
    filterable: Words("id displayName state"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("internalSponsors externalSponsors"),
    max_top: 999,
};

static RESOURCE: Spec = Spec {
    type_name: "microsoft.graph.accessPackageResource",
    entity_set: "identityGovernance/entitlementManagement/catalogs/resources",
    directory: false,
    properties: Words("id displayName description originSystem originId createdDateTime modifiedDateTime"),
    default_properties: None,
    filterable: Words("id displayName originSystem originId"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("roles scopes"),
    max_top: 999,
};

static RESOURCE_ROLE: Spec = Spec {
    type_name: "microsoft.graph.accessPackageResourceRole",
    entity_set: "identityGovernance/entitlementManagement/catalogs/resourceRoles",
    directory: false,
    properties: Words("id displayName description originSystem originId"),
    default_properties: None,
    filterable: Words("id displayName originSystem originId"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

static RESOURCE_SCOPE: Spec = Spec {
    type_name: "microsoft.graph.accessPackageResourceScope",
    entity_set: "identityGovernance/entitlementManagement/catalogs/resourceScopes",
    directory: false,
    properties: Words("id displayName description originSystem originId isRootScope"),
    default_properties: None,
    filterable: Words("id displayName originSystem originId"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

static RESOURCE_ROLE_SCOPE: Spec = Spec {
    type_name: "microsoft.graph.accessPackageResourceRoleScope",
    entity_set: "identityGovernance/entitlementManagement/accessPackages/resourceRoleScopes",
    directory: false,
    properties: Words("id createdDateTime"),
    default_properties: None,
    filterable: Words("id"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("role scope"),
    max_top: 999,
};

/// Custom extensions of both kinds (`accessPackageAssignmentRequestWorkflowExtension`,
/// `accessPackageAssignmentWorkflowExtension`), each row saying which with `@odata.type`.
static CUSTOM_EXTENSION: Spec = Spec {
    type_name: "microsoft.graph.customCalloutExtension",
    entity_set: "identityGovernance/entitlementManagement/catalogs/customWorkflowExtensions",
    directory: false,
    properties: Words(
        "id displayName description createdDateTime lastModifiedDateTime clientConfiguration \
         endpointConfiguration authenticationConfiguration callbackConfiguration",
    ),
    default_properties: None,
    filterable: Words("id displayName"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

static STAGE_SETTING: Spec = Spec {
    type_name: "microsoft.graph.customExtensionStageSetting",
    entity_set: "identityGovernance/entitlementManagement/assignmentPolicies/customExtensionStageSettings",
    directory: false,
    properties: Words("id stage"),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("customExtension"),
    max_top: 999,
};

static SUBJECT: Spec = Spec {
    type_name: "microsoft.graph.accessPackageSubject",
    entity_set: "identityGovernance/entitlementManagement/subjects",
    directory: false,
    properties: Words("id objectId displayName principalName email subjectType onPremisesSecurityIdentifier"),
    default_properties: None,
    filterable: Words("id objectId"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("connectedOrganization"),
    max_top: 999,
};

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: CATALOGS,
        spec: &CATALOG,
        source: Source::Generated(entitlement::catalogs),
        lookup: None,
        count_segment: false,
        navigations: &[
            Navigation { path: "resources", target: Target::Contained { spec: &RESOURCE, rows: catalog_resources } },
            Navigation {
                path: "customWorkflowExtensions",
                target: Target::Contained { spec: &CUSTOM_EXTENSION, rows: catalog_extensions },
            },
        ],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: ACCESS_PACKAGES,
        spec: &ACCESS_PACKAGE,
        source: Source::Generated(entitlement::access_packages),
        lookup: None,
        count_segment: false,
        navigations: &[Navigation {
            path: "resourceRoleScopes",
            target: Target::Contained { spec: &RESOURCE_ROLE_SCOPE, rows: package_role_scopes },
        }],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: ASSIGNMENT_POLICIES,
        spec: &ASSIGNMENT_POLICY,
        source: Source::Generated(entitlement::assignment_policies),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: ASSIGNMENTS,
        spec: &ASSIGNMENT,
        source: Source::Generated(entitlement::assignments),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: ASSIGNMENT_REQUESTS,
        spec: &ASSIGNMENT_REQUEST,
        source: Source::Generated(entitlement::assignment_requests),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: CONNECTED_ORGANIZATIONS,
        spec: &CONNECTED_ORGANIZATION,
        source: Source::Generated(entitlement::connected_organizations),
        lookup: None,
        count_segment: false,
        navigations: &[
            Navigation {
                path: "internalSponsors",
                target: Target::References { related: internal_sponsors, refs: None },
            },
            Navigation {
                path: "externalSponsors",
                target: Target::References { related: external_sponsors, refs: None },
            },
        ],
        actions: &[],
        writes: READ_ONLY,
    },
];

/// The array a row keeps under a navigation property (empty when the row or the property is
/// missing).
fn contained<'t>(tenant: &'t Tenant, set: &str, id: &str, property: &str) -> &'t [Value] {
    tenant
        .generated(set)
        .and_then(|rows| rows.get(id))
        .and_then(|row| row.get(property))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn catalog_resources<'t>(tenant: &'t Tenant, id: &str) -> &'t [Value] {
    contained(tenant, CATALOGS, id, "resources")
}

fn catalog_extensions<'t>(tenant: &'t Tenant, id: &str) -> &'t [Value] {
    contained(tenant, CATALOGS, id, "customWorkflowExtensions")
}

fn package_role_scopes<'t>(tenant: &'t Tenant, id: &str) -> &'t [Value] {
    contained(tenant, ACCESS_PACKAGES, id, "resourceRoleScopes")
}

/// Sponsors are users or groups, kept as references.
fn sponsors(tenant: &Tenant, id: &str, property: &str) -> Vec<DirectoryRef> {
    contained(tenant, CONNECTED_ORGANIZATIONS, id, property)
        .iter()
        .filter_map(|r| r.get("id").and_then(Value::as_str))
        .filter_map(|id| {
            let (kind, _) = tenant.directory_object(id)?;
            Some(DirectoryRef { kind, id: id.to_string() })
        })
        .collect()
}

fn internal_sponsors(tenant: &Tenant, id: &str) -> Vec<DirectoryRef> {
    sponsors(tenant, id, "internalSponsors")
}

fn external_sponsors(tenant: &Tenant, id: &str) -> Vec<DirectoryRef> {
    sponsors(tenant, id, "externalSponsors")
}

/// Where a navigation's objects come from.
enum Objects {
    /// Kept in full in the row.
    Contained,
    /// Referenced by id; the objects are rows of this set.
    InSet(&'static str),
    /// A catalog's custom extension, referenced by id.
    CustomExtension,
    /// Directory objects, referenced by id.
    Directory,
}

/// The type a navigation property holds and where its objects come from.
fn navigation(property: &str) -> Option<(&'static Spec, Objects)> {
    Some(match property {
        "catalog" => (&CATALOG, Objects::InSet(CATALOGS)),
        "accessPackage" | "accessPackages" => (&ACCESS_PACKAGE, Objects::InSet(ACCESS_PACKAGES)),
        "assignmentPolicy" | "assignmentPolicies" => (&ASSIGNMENT_POLICY, Objects::InSet(ASSIGNMENT_POLICIES)),
        "assignment" => (&ASSIGNMENT, Objects::InSet(ASSIGNMENTS)),
        "connectedOrganization" => (&CONNECTED_ORGANIZATION, Objects::InSet(CONNECTED_ORGANIZATIONS)),
        "resources" => (&RESOURCE, Objects::Contained),
        "roles" | "role" => (&RESOURCE_ROLE, Objects::Contained),
        "scopes" | "scope" => (&RESOURCE_SCOPE, Objects::Contained),
        "resourceRoleScopes" => (&RESOURCE_ROLE_SCOPE, Objects::Contained),
        "customWorkflowExtensions" => (&CUSTOM_EXTENSION, Objects::Contained),
        "customExtensionStageSettings" => (&STAGE_SETTING, Objects::Contained),
        "customExtension" => (&CUSTOM_EXTENSION, Objects::CustomExtension),
        "target" | "requestor" => (&SUBJECT, Objects::Contained),
        "internalSponsors" | "externalSponsors" => (&schema::DIRECTORY_OBJECTS, Objects::Directory),
        _ => return None,
    })
}

/// The type an expanded navigation property of these sets holds, for checking a nested
/// `$select` and `$expand`.
pub fn navigation_spec(property: &str) -> Option<&'static Spec> {
    navigation(property).map(|(spec, _)| spec)
}

/// Expands a navigation property the row keeps: `None` when the row has none (Graph leaves the
/// property out).
pub fn expand_navigation(ctx: &Ctx<'_>, item: &Value, how: &Expand) -> Option<Value> {
    let (spec, objects) = navigation(&how.property)?;
    let kept = item.get(&how.property)?;
    let tenant = ctx.tenant;
    let one = |value: &Value| shape(ctx, spec, value, None, how.select.as_deref(), &how.expand, false);
    let find = |reference: &Value| -> Option<Value> {
        let id = reference.get("id").and_then(Value::as_str)?;
        match objects {
            Objects::Contained => Some(one(reference)),
            Objects::InSet(path) => super::by_path(path)?.collection(tenant)?.get(id).map(one),
            Objects::CustomExtension => tenant
                .generated(CATALOGS)?
                .items()
                .iter()
                .filter_map(|catalog| catalog.get("customWorkflowExtensions").and_then(Value::as_array))
                .flatten()
                .find(|extension| extension.get("id").and_then(Value::as_str) == Some(id))
                .map(one),
            Objects::Directory => {
                let (kind, value) = tenant.directory_object(id)?;
                Some(shape(ctx, schema::of_kind(kind), value, Some(kind), how.select.as_deref(), &[], true))
            }
        }
    };
    match kept {
        Value::Array(items) => Some(Value::Array(items.iter().filter_map(find).collect())),
        Value::Object(_) => find(kept),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde_json::Value;

    use super::super::super::tests::{Client, start};
    use crate::demo::tenant::{entitlement, story};

    const EM: &str = "/v1.0/identityGovernance/entitlementManagement";

    fn names(page: &Value) -> Vec<&str> {
        page["value"]
            .as_array()
            .map(|v| v.iter().filter_map(|r| r["displayName"].as_str()).collect())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn navigation_properties_come_only_when_expanded() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (status, page) = client.json(&format!("{EM}/accessPackages")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let first = &page["value"][0];
        for navigation in ["catalog", "resourceRoleScopes", "assignmentPolicies"] {
            assert!(first.get(navigation).is_none(), "{navigation} without $expand: {first}");
        }
        let id = entitlement::access_package_id(entitlement::SALES_PARTNER_ACCESS);
        let (status, package) = client
            .json(&format!(
                "{EM}/accessPackages/{id}?$expand=catalog($select=displayName),resourceRoleScopes($expand=role,scope)"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{package}");
        assert_eq!(package["catalog"]["displayName"], "Sales Resources", "{package}");
        assert!(package["catalog"].get("catalogType").is_none(), "a nested $select: {package}");
        let scopes = package["resourceRoleScopes"].as_array().expect("scopes");
        assert_eq!(scopes.len(), 2, "{package}");
        assert!(scopes.iter().all(|s| s["role"]["displayName"].is_string() && s["scope"]["isRootScope"] == true));
        // Without the nested $expand, a role scope is its id and creation time.
        let (_, package) = client.json(&format!("{EM}/accessPackages/{id}?$expand=resourceRoleScopes")).await;
        assert!(package["resourceRoleScopes"][0].get("role").is_none(), "{package}");
        assert!(package["resourceRoleScopes"][0]["createdDateTime"].is_string(), "{package}");
    }

    #[tokio::test]
    async fn packages_filter_by_catalog_and_by_a_word_in_their_name() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (status, page) = client.json(&format!("{EM}/accessPackages?$filter=contains(displayName,'sales')")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(names(&page), ["Sales Enablement", "Sales Partner Access"]);
        let finance = entitlement::catalog_id(entitlement::FINANCE_RESOURCES);
        let (status, page) = client.json(&format!("{EM}/accessPackages?$filter=catalog/id%20eq%20'{finance}'")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(names(&page), ["Finance Analyst Toolkit", "Treasury Forecast Pilot"]);
        // `contains` is not a directory filter, and not every entitlement property filters.
        let (status, body) = client.eventual("/v1.0/users?$filter=contains(displayName,'a')&$count=true").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = client.json(&format!("{EM}/accessPackages?$filter=description%20eq%20'x'")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = client.json(&format!("{EM}/assignments?$filter=contains(status,'Deliv')")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }

    #[tokio::test]
    async fn assignments_filter_by_target_and_expand_the_subject_s_organization() {
        let graph = start().await;
        let client = Client::new(&graph);
        let karita = story::karita_id();
        let (status, page) = client
            .json(&format!(
                "{EM}/assignments?$filter=target/objectId%20eq%20'{karita}'&$expand=accessPackage($select=displayName)"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["value"][0]["accessPackage"]["displayName"], "Finance Analyst Toolkit", "{page}");
        assert!(page["value"][0].get("target").is_none(), "{page}");
        let (status, page) = client
            .json(&format!(
                "{EM}/assignments?$filter=state%20eq%20'delivered'&$expand=target($expand=connectedOrganization($select=id,displayName))"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let fabrikam = page["value"].as_array().map(|rows| {
            rows.iter().filter(|r| r["target"]["connectedOrganization"]["displayName"] == "Fabrikam Partners").count()
        });
        assert_eq!(fabrikam, Some(4), "{page}");
        // Nested $expand only where the emulator expands below the first level.
        let (status, body) = client.json(&format!("/v1.0/users/{karita}?$expand=manager($expand=manager)")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }

    #[tokio::test]
    async fn sponsors_are_directory_objects_and_catalogs_contain_resources_and_extensions() {
        let graph = start().await;
        let client = Client::new(&graph);
        let fabrikam = entitlement::connected_organization_id(entitlement::FABRIKAM_PARTNERS);
        let (status, page) = client
            .json(&format!("{EM}/connectedOrganizations/{fabrikam}/internalSponsors?$select=id,displayName"))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["value"][0]["displayName"], "Alex Chen", "{page}");
        assert_eq!(page["value"][0]["@odata.type"], "#microsoft.graph.user", "{page}");
        let finance = entitlement::catalog_id(entitlement::FINANCE_RESOURCES);
        let (status, page) =
            client.json(&format!("{EM}/catalogs/{finance}/resources?$expand=roles($select=displayName)")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(names(&page).contains(&"Finance App Users"), "{page}");
        assert!(page["value"][0].get("scopes").is_none(), "{page}");
        let (status, page) = client.json(&format!("{EM}/catalogs/{finance}/customWorkflowExtensions")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(names(&page), ["Notify Finance Ops", "Provision Finance Sandbox"]);
        assert!(page["value"][0]["@odata.type"].as_str().is_some_and(|t| t.ends_with("RequestWorkflowExtension")));
        let (status, page) = client
            .json(&format!(
                "{EM}/assignmentPolicies?$select=id,displayName&$expand=customExtensionStageSettings($expand=customExtension($select=displayName))"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let hooked: Vec<&Value> = page["value"]
            .as_array()
            .map(|rows| {
                rows.iter().flat_map(|r| r["customExtensionStageSettings"].as_array().into_iter().flatten()).collect()
            })
            .unwrap_or_default();
        assert_eq!(hooked.len(), 1, "{page}");
        assert_eq!(hooked[0]["customExtension"]["displayName"], "Notify Finance Ops", "{page}");
        assert_eq!(hooked[0]["stage"], "assignmentRequestGranted", "{page}");
    }
}
