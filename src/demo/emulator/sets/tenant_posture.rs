//! The tenant's posture as Graph v1.0 serves it: domains with their DNS verification records,
//! Secure Score and its control profiles, service health overviews with their issues (below
//! an overview, or with `$expand=issues`), and the authorization policy — a singleton, which
//! v1.0 answers as one object and beta as a one-row collection ([`route`]). The one Azure
//! Resource Manager collection, the Entra diagnostic settings, is kept here too and served by
//! `arm.rs`.

use serde_json::Value;

use crate::demo::tenant::tenant_posture;
use crate::demo::tenant::{Collection, Generator, Tenant};

use super::super::errors::GraphResult;
use super::super::listing::{Ctx, Row, Shape, shape};
use super::super::query::Expand;
use super::super::routes::Resolved;
use super::super::schema::{Spec, Words};
use super::{EntitySet, Navigation, READ_ONLY, Source, Target};

const AUTHORIZATION_POLICY_PATH: &str = "policies/authorizationPolicy";
/// Storage keys of what is not an entity set of its own; `#` keeps them apart from any path.
const VERIFICATION_RECORDS: &str = "domains#verificationDnsRecords";
pub const DIAGNOSTIC_SETTINGS: &str = "arm#diagnosticSettings";

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: "domains",
        spec: &DOMAINS,
        source: Source::Generated(tenant_posture::domains),
        lookup: None,
        count_segment: false,
        navigations: &[Navigation {
            path: "verificationDnsRecords",
            target: Target::Contained { spec: &DNS_RECORDS, rows: verification_records },
        }],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "security/secureScores",
        spec: &SECURE_SCORES,
        source: Source::Generated(tenant_posture::secure_scores),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "security/secureScoreControlProfiles",
        spec: &CONTROL_PROFILES,
        source: Source::Generated(tenant_posture::secure_score_control_profiles),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "admin/serviceAnnouncement/healthOverviews",
        spec: &HEALTH_OVERVIEWS,
        source: Source::Generated(tenant_posture::health_overviews),
        lookup: None,
        count_segment: false,
        navigations: &[Navigation { path: "issues", target: Target::Contained { spec: &ISSUES, rows: issues } }],
        actions: &[],
        writes: READ_ONLY,
    },
];

/// The collections kept for paths that are not a set, by storage key.
pub static CONTAINED: &[(&str, Generator)] = &[
    (VERIFICATION_RECORDS, tenant_posture::verification_records),
    (AUTHORIZATION_POLICY_PATH, tenant_posture::authorization_policy),
    (DIAGNOSTIC_SETTINGS, tenant_posture::diagnostic_settings),
];

/// `domain`: Graph documents no `$filter`, `$orderby` or `/$count` on domains.
static DOMAINS: Spec = Spec {
    type_name: "microsoft.graph.domain",
    entity_set: "domains",
    directory: true,
    properties: Words(
        "id authenticationType availabilityStatus isAdminManaged isDefault isInitial isRoot isVerified \
         passwordNotificationWindowInDays passwordValidityPeriodInDays supportedServices state",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// `domainDnsRecord` and its TXT and MX kinds' own properties.
static DNS_RECORDS: Spec = Spec {
    type_name: "microsoft.graph.domainDnsRecord",
    entity_set: "domains/verificationDnsRecords",
    directory: true,
    properties: Words("id isOptional label recordType supportedService ttl text mailExchange preference"),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

static SECURE_SCORES: Spec = Spec {
    type_name: "microsoft.graph.secureScore",
    entity_set: "security/secureScores",
    directory: false,
    properties: Words(
        "id azureTenantId activeUserCount createdDateTime currentScore enabledServices licensedUserCount \
         maxScore averageComparativeScores controlScores vendorInformation",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

static CONTROL_PROFILES: Spec = Spec {
    type_name: "microsoft.graph.secureScoreControlProfile",
    entity_set: "security/secureScoreControlProfiles",
    directory: false,
    properties: Words(
        "id actionType actionUrl azureTenantId complianceInformation controlCategory controlStateUpdates \
         deprecated implementationCost lastModifiedDateTime maxScore rank remediation remediationImpact \
         service threats tier title userImpact vendorInformation",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

/// `serviceHealth`: `issues` is a navigation, returned only when expanded.
static HEALTH_OVERVIEWS: Spec = Spec {
    type_name: "microsoft.graph.serviceHealth",
    entity_set: "admin/serviceAnnouncement/healthOverviews",
    directory: false,
    properties: Words("id service status"),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("issues"),
    max_top: 100,
};

static ISSUES: Spec = Spec {
    type_name: "microsoft.graph.serviceHealthIssue",
    entity_set: "admin/serviceAnnouncement/issues",
    directory: false,
    properties: Words(
        "id title impactDescription classification origin status service feature featureGroup isResolved \
         startDateTime endDateTime lastModifiedDateTime details posts",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 100,
};

static AUTHORIZATION_POLICY: Spec = Spec {
    type_name: "microsoft.graph.authorizationPolicy",
    entity_set: AUTHORIZATION_POLICY_PATH,
    directory: false,
    properties: Words(
        "id displayName description allowInvitesFrom allowedToSignUpEmailBasedSubscriptions allowedToUseSSPR \
         allowEmailVerifiedUsersToJoinOrganization allowUserConsentForRiskyApps blockMsolPowerShell \
         guestUserRoleId defaultUserRolePermissions",
    ),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 1,
};

fn rows<'t>(tenant: &'t Tenant, key: &str) -> &'t [Value] {
    tenant.generated(key).map(Collection::items).unwrap_or(&[])
}

/// A domain's verification records (the domain id is its name).
fn verification_records<'t>(tenant: &'t Tenant, domain: &str) -> &'t [Value] {
    tenant
        .generated(VERIFICATION_RECORDS)
        .and_then(|c| c.get(domain))
        .and_then(|row| row.get("records"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A service's health issues, kept in its overview row.
fn issues<'t>(tenant: &'t Tenant, service: &str) -> &'t [Value] {
    tenant
        .generated("admin/serviceAnnouncement/healthOverviews")
        .and_then(|c| c.get(service))
        .and_then(|row| row.get("issues"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The paths of this area that are not a set: the authorization policy singleton. `None` for
/// everything else.
pub fn route<'t>(tenant: &'t Tenant, segments: &[&str], beta: bool) -> Option<GraphResult<Resolved<'t>>> {
    let ["policies", "authorizationPolicy", rest @ ..] = segments else {
        return None;
    };
    let policies = rows(tenant, AUTHORIZATION_POLICY_PATH);
    Some(match rest {
        [] if beta => Ok(Resolved::List {
            spec: &AUTHORIZATION_POLICY,
            rows: policies.iter().map(Row::plain).collect(),
            mixed: false,
            shape: Shape::Page,
            set: None,
        }),
        [] => match policies.first() {
            Some(policy) => Ok(Resolved::Item { spec: &AUTHORIZATION_POLICY, row: Row::plain(policy), set: None }),
            None => Err(super::super::errors::GraphError::not_found("authorizationPolicy")),
        },
        // Beta addresses the one policy by its id too.
        [id] if beta => policies
            .iter()
            .find(|p| p.get("id").and_then(Value::as_str).is_some_and(|i| i.eq_ignore_ascii_case(id)))
            .map(|policy| Resolved::Item { spec: &AUTHORIZATION_POLICY, row: Row::plain(policy), set: None })
            .ok_or_else(|| super::super::errors::GraphError::not_found(id)),
        [next, ..] => Err(super::super::errors::GraphError::no_route(next)),
    })
}

/// The type an expanded navigation of these sets holds (`issues`).
pub fn navigation_spec(property: &str) -> Option<&'static Spec> {
    (property == "issues").then_some(&ISSUES)
}

/// `$expand=issues` on a health overview: the issues its row keeps.
pub fn expand_navigation(ctx: &Ctx<'_>, item: &Value, how: &Expand) -> Option<Value> {
    if how.property != "issues" {
        return None;
    }
    let kept = item.get("issues").and_then(Value::as_array)?;
    let shaped = kept.iter().map(|issue| shape(ctx, &ISSUES, issue, None, how.select.as_deref(), &[], false));
    Some(Value::Array(shaped.collect()))
}

/// The tenant's Entra diagnostic settings (for `arm.rs`).
pub fn diagnostic_settings(tenant: &Tenant) -> &[Value] {
    rows(tenant, DIAGNOSTIC_SETTINGS)
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::super::super::tests::{Client, start};

    #[tokio::test]
    async fn domains_and_their_verification_records() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (status, domains) = client.json("/v1.0/domains?$select=id,isVerified,isDefault").await;
        assert_eq!(status, StatusCode::OK, "{domains}");
        let unverified: Vec<&str> = domains["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["isVerified"] == false)
            .filter_map(|d| d["id"].as_str())
            .collect();
        assert_eq!(unverified, ["woodgrove-loans.com"]);
        let (status, records) = client.json("/v1.0/domains/Woodgrove-Loans.com/verificationDnsRecords").await;
        assert_eq!(status, StatusCode::OK, "{records}");
        let kinds: Vec<&str> =
            records["value"].as_array().into_iter().flatten().filter_map(|r| r["recordType"].as_str()).collect();
        assert_eq!(kinds, ["Txt", "Mx"]);
        assert!(records["value"][0]["text"].as_str().is_some_and(|t| t.starts_with("MS=ms")), "{records}");
        let (status, missing) = client.json("/v1.0/domains/contoso.com/verificationDnsRecords").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        let (status, refused) = client.json("/v1.0/domains?$filter=isVerified eq false").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "no $filter on domains: {refused}");
    }

    #[tokio::test]
    async fn the_authorization_policy_is_one_object_on_v1_and_a_collection_on_beta() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (status, policy) = client.json("/v1.0/policies/authorizationPolicy").await;
        assert_eq!(status, StatusCode::OK, "{policy}");
        assert_eq!(policy["id"], "authorizationPolicy");
        assert_eq!(policy["defaultUserRolePermissions"]["allowedToCreateApps"], true);
        let (status, selected) = client.json("/v1.0/policies/authorizationPolicy?$select=guestUserRoleId").await;
        assert_eq!(status, StatusCode::OK, "{selected}");
        assert!(selected.get("allowInvitesFrom").is_none(), "{selected}");
        let (status, beta) = client.json("/beta/policies/authorizationPolicy").await;
        assert_eq!(status, StatusCode::OK, "{beta}");
        assert_eq!(beta["value"].as_array().map(Vec::len), Some(1), "{beta}");
        let (status, _) = client.json("/v1.0/policies/authorizationPolicy/authorizationPolicy").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn health_overviews_show_issues_only_when_expanded() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (status, plain) = client.json("/v1.0/admin/serviceAnnouncement/healthOverviews").await;
        assert_eq!(status, StatusCode::OK, "{plain}");
        assert!(plain["value"].as_array().into_iter().flatten().all(|o| o.get("issues").is_none()), "{plain}");
        let (status, expanded) = client
            .json("/v1.0/admin/serviceAnnouncement/healthOverviews?$select=id,service,status&$expand=issues")
            .await;
        assert_eq!(status, StatusCode::OK, "{expanded}");
        let entra = expanded["value"].as_array().into_iter().flatten().find(|o| o["id"] == "OrgLiveID").cloned();
        let issues = entra.map(|e| e["issues"].clone()).unwrap_or_default();
        assert!(issues.as_array().is_some_and(|i| i.iter().any(|x| x["classification"] == "advisory")), "{issues}");
        let (status, below) = client.json("/v1.0/admin/serviceAnnouncement/healthOverviews/OrgLiveID/issues").await;
        assert_eq!(status, StatusCode::OK, "{below}");
        assert_eq!(below["value"].as_array().map(Vec::len), Some(2));
    }

    #[tokio::test]
    async fn secure_scores_are_listed_newest_first() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (status, scores) = client.json("/v1.0/security/secureScores?$top=90").await;
        assert_eq!(status, StatusCode::OK, "{scores}");
        let rows = scores["value"].as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len(), 90);
        let newest = rows[0]["createdDateTime"].as_str().unwrap_or_default().to_string();
        let oldest = rows[89]["createdDateTime"].as_str().unwrap_or_default().to_string();
        assert!(newest > oldest, "{newest} {oldest}");
    }
}
