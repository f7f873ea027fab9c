//! Global Secure Access (beta only): the traffic log (`networkAccess/logs/traffic`, keyed by
//! `transactionId`, so served by [`route`] rather than as an entity set), the report functions
//! computed from it (`entitiesSummaries`, `getApplicationUsageAnalytics`,
//! `getCloudApplicationReport`, `getCrossTenantSummary`, `crossTenantAccessReport`), and the
//! alerts (an entity set).
//!
//! Report functions take their window as unquoted DateTimeOffset parameters; a parameter
//! missing, unknown or not a time is a 400, as Graph answers. Graph documents no query options
//! on them; the collections among them accept none but `$top`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::demo::tenant::{Generator, Tenant, network};

use super::super::errors::{GraphError, GraphResult};
use super::super::listing::{Row, Shape};
use super::super::routes::Resolved;
use super::super::schema::{Spec, Words};
use super::{EntitySet, READ_ONLY, Source};

const ALERTS: &str = "networkAccess/alerts";

/// The traffic log, kept by the tenant under its path and served by [`route`].
pub static CONTAINED: &[(&str, Generator)] = &[(network::TRAFFIC, network::traffic)];

pub static SETS: &[EntitySet] = &[EntitySet {
    path: ALERTS,
    spec: &Spec {
        type_name: "microsoft.graph.networkaccess.alert",
        entity_set: ALERTS,
        directory: false,
        properties: ALERT_PROPERTIES,
        default_properties: None,
        // The List page: every property filterable and orderable.
        filterable: ALERT_PROPERTIES,
        orderable: ALERT_PROPERTIES,
        searchable: Words(""),
        expandable: Words("policy"),
        max_top: 500,
    },
    source: Source::Generated(network::alerts),
    lookup: None,
    count_segment: false,
    navigations: &[],
    actions: &[],
    writes: READ_ONLY,
}];

const ALERT_PROPERTIES: Words = Words(
    "id actions alertType categories componentName creationDateTime description detectionTechnology displayName \
     extendedProperties firstActivityDateTime isPreview lastActivityDateTime productName relatedResources severity \
     subTechniques techniques vendorName",
);

/// `networkAccessTraffic`: every property filterable and orderable (the List page says so).
static TRAFFIC: Spec = Spec {
    type_name: "microsoft.graph.networkaccess.networkAccessTraffic",
    entity_set: "networkAccess/logs/traffic",
    directory: false,
    properties: TRAFFIC_PROPERTIES,
    default_properties: None,
    filterable: TRAFFIC_PROPERTIES,
    orderable: TRAFFIC_PROPERTIES,
    searchable: Words(""),
    expandable: Words(""),
    max_top: 1000,
};

const TRAFFIC_PROPERTIES: Words = Words(
    "transactionId createdDateTime tenantId connectionId sessionId trafficType deviceCategory destinationIp \
     destinationPort destinationFQDN destinationUrl destinationWebCategory sourceIp sourcePort \
     deviceOperatingSystem deviceOperatingSystemVersion agentVersion deviceId userId userPrincipalName \
     transportProtocol networkProtocol action policyId policyName policyRuleId policyRuleName \
     filteringProfileId filteringProfileName sentBytes receivedBytes resourceTenantId threatType description \
     initiatingProcessName operationStatus popProcessingRegion vendorNames headers httpMethod responseCode \
     remoteNetworkId applicationSnapshot privateAccessDetails cloudApplicationMetadata",
);

const fn report(type_name: &'static str, entity_set: &'static str, properties: &'static str) -> Spec {
    Spec {
        type_name,
        entity_set,
        directory: false,
        properties: Words(properties),
        default_properties: None,
        filterable: Words(""),
        orderable: Words(""),
        searchable: Words(""),
        expandable: Words(""),
        max_top: 1000,
    }
}

static ENTITIES_SUMMARY: Spec = report(
    "microsoft.graph.networkaccess.entitiesSummary",
    "Collection(microsoft.graph.networkaccess.entitiesSummary)",
    "trafficType userCount deviceCount workloadCount",
);

static USAGE_POINT: Spec = report(
    "microsoft.graph.networkaccess.applicationAnalyticsUsagePoint",
    "Collection(microsoft.graph.networkaccess.applicationAnalyticsUsagePoint)",
    "timeStampDateTime totalCount enterpriseAppsCount cloudAppsCount",
);

static CLOUD_APPLICATION_REPORT: Spec = report(
    "microsoft.graph.networkaccess.cloudApplicationReport",
    "Collection(microsoft.graph.networkaccess.cloudApplicationReport)",
    "trafficType firstAccessDateTime lastAccessDateTime transactionCount userCount deviceCount totalBytesSent \
     totalBytesReceived cloudApplicationCatalogId name generalScore riskScore complianceScore legalScore \
     categories securityScore",
);

static CROSS_TENANT_ACCESS: Spec = report(
    "microsoft.graph.networkaccess.crossTenantAccess",
    "Collection(microsoft.graph.networkaccess.crossTenantAccess)",
    "resourceTenantId resourceTenantName resourceTenantPrimaryDomain usageStatus userCount deviceCount \
     lastAccessDateTime",
);

/// The paths below `networkAccess` that are not an entity set; `None` for the others.
pub fn route<'t>(tenant: &'t Tenant, segments: &[&str]) -> Option<GraphResult<Resolved<'t>>> {
    let ["networkAccess", rest @ ..] = segments else { return None };
    let traffic = || tenant.generated(network::TRAFFIC).map(|c| c.items()).unwrap_or(&[]);
    Some(match rest {
        ["logs", "traffic"] => Ok(Resolved::List {
            spec: &TRAFFIC,
            rows: traffic().iter().map(Row::plain).collect(),
            mixed: false,
            shape: Shape::Page,
            set: None,
        }),
        ["logs", "traffic", key] => traffic()
            .iter()
            .find(|row| row.get("transactionId").and_then(Value::as_str) == Some(*key))
            .map(|row| Resolved::Item { spec: &TRAFFIC, row: Row::plain(row), set: None })
            .ok_or_else(|| GraphError::not_found(key)),
        ["logs", "traffic", _, next, ..] => Err(GraphError::no_route(next)),
        ["reports", function] => reports(tenant, traffic(), function),
        _ => return None,
    })
}

/// A report function's name and parameters, each checked against those it takes.
struct Call {
    name: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    others: BTreeMap<String, String>,
}

fn parse(function: &str, takes: &[&str]) -> GraphResult<Call> {
    let invalid = |why: &str| GraphError::bad_request(false, format!("Invalid function call '{function}': {why}."));
    let (name, arguments) =
        function.split_once('(').ok_or_else(|| invalid("startDateTime and endDateTime are required"))?;
    let arguments = arguments.strip_suffix(')').ok_or_else(|| invalid("the parameter list is not closed"))?;
    let (mut start, mut end, mut others) = (None, None, BTreeMap::new());
    for argument in arguments.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        let (key, value) = argument.split_once('=').ok_or_else(|| invalid("a parameter has no value"))?;
        let (key, value) = (key.trim(), value.trim().trim_matches('\''));
        let instant = || {
            DateTime::parse_from_rfc3339(value)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| invalid(&format!("'{value}' is not a DateTimeOffset")))
        };
        match key {
            "startDateTime" => start = Some(instant()?),
            "endDateTime" => end = Some(instant()?),
            other if takes.contains(&other) => {
                others.insert(other.to_string(), value.to_string());
            }
            other => return Err(invalid(&format!("'{other}' is not a parameter of the function"))),
        }
    }
    match (start, end) {
        (Some(start), Some(end)) if start < end => Ok(Call { name: name.to_string(), start, end, others }),
        (Some(_), Some(_)) => Err(invalid("startDateTime must be before endDateTime")),
        _ => Err(invalid("startDateTime and endDateTime are required")),
    }
}

fn time(row: &Value, field: &str) -> Option<DateTime<Utc>> {
    let text = row.get(field).and_then(Value::as_str)?;
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

fn text<'v>(row: &'v Value, field: &str) -> &'v str {
    row.get(field).and_then(Value::as_str).unwrap_or_default()
}

fn number(row: &Value, field: &str) -> i64 {
    row.get(field).and_then(Value::as_i64).unwrap_or(0)
}

fn computed<'t>(spec: &'static Spec, rows: Vec<Value>) -> GraphResult<Resolved<'t>> {
    Ok(Resolved::ComputedRows { spec, rows, filtered: false })
}

/// The report functions, computed from the traffic rows inside their window.
fn reports<'t>(tenant: &Tenant, traffic: &[Value], function: &str) -> GraphResult<Resolved<'t>> {
    let name = function.split('(').next().unwrap_or(function);
    let takes: &[&str] = match name {
        "entitiesSummaries" => &[],
        "getApplicationUsageAnalytics" => &["aggregatedBy"],
        "getCloudApplicationReport" => &["userId"],
        "getCrossTenantSummary" => &["discoveryPivotDateTime"],
        "crossTenantAccessReport" => &[],
        _ => return Err(GraphError::no_route(name)),
    };
    let call = parse(function, takes)?;
    let inside: Vec<&Value> = traffic
        .iter()
        .filter(|r| time(r, "createdDateTime").is_some_and(|t| t >= call.start && t <= call.end))
        .collect();
    match call.name.as_str() {
        "entitiesSummaries" => computed(&ENTITIES_SUMMARY, entities_summaries(&inside)),
        "getApplicationUsageAnalytics" => {
            let by = call.others.get("aggregatedBy").map(String::as_str).unwrap_or("transactions");
            computed(&USAGE_POINT, usage_analytics(&inside, &call, by)?)
        }
        "getCloudApplicationReport" => {
            let user = call.others.get("userId").cloned();
            computed(&CLOUD_APPLICATION_REPORT, cloud_applications(&inside, user.as_deref()))
        }
        "getCrossTenantSummary" => cross_tenant_summary(tenant, &inside, &call),
        _ => computed(&CROSS_TENANT_ACCESS, cross_tenant_access(tenant, &inside)),
    }
}

/// Distinct users, devices and destinations (workloads, †) per traffic type.
fn entities_summaries(rows: &[&Value]) -> Vec<Value> {
    let mut by_type: BTreeMap<&str, [BTreeSet<&str>; 3]> = BTreeMap::new();
    for row in rows {
        let sets = by_type.entry(text(row, "trafficType")).or_default();
        sets[0].insert(text(row, "userId"));
        sets[1].insert(text(row, "deviceId"));
        sets[2].insert(text(row, "destinationFQDN"));
    }
    by_type
        .into_iter()
        .map(|(traffic_type, [users, devices, workloads])| {
            json!({
                "trafficType": traffic_type,
                "userCount": users.len(),
                "deviceCount": devices.len(),
                "workloadCount": workloads.len(),
            })
        })
        .collect()
}

/// One point per day: cloud apps (internet and Microsoft 365 traffic) against enterprise apps
/// (Private Access), counted as `aggregatedBy` says.
fn usage_analytics(rows: &[&Value], call: &Call, by: &str) -> GraphResult<Vec<Value>> {
    if !["transactions", "users", "devices", "bytesSent", "bytesReceived", "totalBytes"].contains(&by) {
        return Err(GraphError::bad_request(false, format!("Invalid value '{by}' for parameter 'aggregatedBy'.")));
    }
    // (cloud, enterprise) per day, each as a count and a set of distinct users or devices.
    let mut days: BTreeMap<String, [(i64, BTreeSet<&str>); 2]> = BTreeMap::new();
    let mut day = call.start.date_naive();
    while day <= call.end.date_naive() {
        days.entry(format!("{day}T00:00:00Z")).or_default();
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    for row in rows {
        let Some(t) = time(row, "createdDateTime") else { continue };
        let slot = usize::from(text(row, "trafficType") == "private");
        let entry = &mut days.entry(format!("{}T00:00:00Z", t.date_naive())).or_default()[slot];
        match by {
            "users" => {
                entry.1.insert(text(row, "userId"));
            }
            "devices" => {
                entry.1.insert(text(row, "deviceId"));
            }
            "bytesSent" => entry.0 += number(row, "sentBytes"),
            "bytesReceived" => entry.0 += number(row, "receivedBytes"),
            "totalBytes" => entry.0 += number(row, "sentBytes") + number(row, "receivedBytes"),
            _ => entry.0 += 1,
        }
    }
    Ok(days
        .into_iter()
        .map(|(day, [cloud, enterprise])| {
            let count =
                |(n, distinct): (i64, BTreeSet<&str>)| if distinct.is_empty() { n } else { distinct.len() as i64 };
            let (cloud, enterprise) = (count(cloud), count(enterprise));
            json!({
                "timeStampDateTime": day,
                "totalCount": cloud + enterprise,
                "cloudAppsCount": cloud,
                "enterpriseAppsCount": enterprise,
            })
        })
        .collect())
}

/// Per cloud app the catalog knows: transactions, users, devices and bytes in the window.
fn cloud_applications(rows: &[&Value], user: Option<&str>) -> Vec<Value> {
    struct App<'r> {
        category: &'static str,
        traffic_type: &'r str,
        first: &'r str,
        last: &'r str,
        transactions: i64,
        users: BTreeSet<&'r str>,
        devices: BTreeSet<&'r str>,
        sent: i64,
        received: i64,
    }
    let mut apps: BTreeMap<&str, App<'_>> = BTreeMap::new();
    for row in rows {
        if user.is_some_and(|u| !text(row, "userId").eq_ignore_ascii_case(u)) || text(row, "action") == "block" {
            continue;
        }
        let Some((name, category)) = network::cloud_app(text(row, "destinationFQDN")) else { continue };
        let created = text(row, "createdDateTime");
        let app = apps.entry(name).or_insert_with(|| App {
            category,
            traffic_type: text(row, "trafficType"),
            first: created,
            last: created,
            transactions: 0,
            users: BTreeSet::new(),
            devices: BTreeSet::new(),
            sent: 0,
            received: 0,
        });
        app.first = app.first.min(created);
        app.last = app.last.max(created);
        app.transactions += 1;
        app.users.insert(text(row, "userId"));
        app.devices.insert(text(row, "deviceId"));
        app.sent += number(row, "sentBytes");
        app.received += number(row, "receivedBytes");
    }
    apps.into_iter()
        .map(|(name, app)| {
            json!({
                "name": name,
                "categories": [app.category],
                "cloudApplicationCatalogId": network::catalog_id(name),
                "trafficType": app.traffic_type,
                "firstAccessDateTime": app.first,
                "lastAccessDateTime": app.last,
                "transactionCount": app.transactions,
                "userCount": app.users.len(),
                "deviceCount": app.devices.len(),
                "totalBytesSent": app.sent,
                "totalBytesReceived": app.received,
                "riskScore": if name == "GitHub" { 3 } else { 1 },
            })
        })
        .collect()
}

/// Traffic to resources in other tenants, with the tenant it reached.
fn foreign<'r>(tenant: &Tenant, rows: &[&'r Value]) -> Vec<(&'r str, &'r Value)> {
    rows.iter()
        .filter_map(|row| {
            let resource = text(row, "resourceTenantId");
            (!resource.is_empty() && !resource.eq_ignore_ascii_case(&tenant.tenant_id)).then_some((resource, *row))
        })
        .collect()
}

/// A tenant reached at most this many times in the window is rarely used (†).
const RARELY: usize = 3;

/// `getCrossTenantSummary`: transactions, tenants (new ones after the pivot, rarely used ones),
/// users and devices of cross-tenant traffic.
fn cross_tenant_summary<'t>(tenant: &Tenant, rows: &[&Value], call: &Call) -> GraphResult<Resolved<'t>> {
    let pivot = match call.others.get("discoveryPivotDateTime") {
        Some(value) => DateTime::parse_from_rfc3339(value).map(|t| t.with_timezone(&Utc)).map_err(|_| {
            GraphError::bad_request(false, format!("'{value}' is not a DateTimeOffset for discoveryPivotDateTime."))
        })?,
        None => return Err(GraphError::bad_request(false, "The parameter 'discoveryPivotDateTime' is required.")),
    };
    let foreign = foreign(tenant, rows);
    let mut tenants: BTreeMap<&str, (usize, bool, bool)> = BTreeMap::new();
    for (id, row) in &foreign {
        let entry = tenants.entry(id).or_default();
        entry.0 += 1;
        match time(row, "createdDateTime") {
            Some(t) if t >= pivot => entry.1 = true,
            _ => entry.2 = true,
        }
    }
    let users: BTreeSet<&str> = foreign.iter().map(|(_, r)| text(r, "userId")).collect();
    let devices: BTreeSet<&str> = foreign.iter().map(|(_, r)| text(r, "deviceId")).collect();
    Ok(Resolved::Computed(json!({
        "@odata.type": "#microsoft.graph.networkaccess.crossTenantSummary",
        "authTransactionCount": foreign.len(),
        "tenantCount": tenants.len(),
        "newTenantCount": tenants.values().filter(|(_, after, before)| *after && !*before).count(),
        "rarelyUsedTenantCount": tenants.values().filter(|(n, _, _)| *n <= RARELY).count(),
        "userCount": users.len(),
        "deviceCount": devices.len(),
    })))
}

/// `crossTenantAccessReport`: each other tenant reached, by whom and how often.
fn cross_tenant_access(tenant: &Tenant, rows: &[&Value]) -> Vec<Value> {
    /// Transactions, users, devices and the last access of one tenant.
    type Reached<'r> = (usize, BTreeSet<&'r str>, BTreeSet<&'r str>, &'r str);
    let mut tenants: BTreeMap<&str, Reached<'_>> = BTreeMap::new();
    for (id, row) in foreign(tenant, rows) {
        let entry = tenants.entry(id).or_default();
        entry.0 += 1;
        entry.1.insert(text(row, "userId"));
        entry.2.insert(text(row, "deviceId"));
        entry.3 = entry.3.max(text(row, "createdDateTime"));
    }
    tenants
        .into_iter()
        .map(|(id, (transactions, users, devices, last))| {
            let (name, domain) = network::tenant_name(id).unwrap_or(("", ""));
            json!({
                "resourceTenantId": id,
                "resourceTenantName": name,
                "resourceTenantPrimaryDomain": domain,
                "usageStatus": if transactions <= RARELY { "rarelyUsed" } else { "frequentlyUsed" },
                "userCount": users.len(),
                "deviceCount": devices.len(),
                "lastAccessDateTime": last,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde_json::Value;

    use super::super::super::tests::{Client, start, urlencode};

    const WINDOW: &str = "startDateTime=2026-11-13T12:00:00Z,endDateTime=2026-11-20T12:00:00Z";

    #[tokio::test]
    async fn the_traffic_log_is_beta_only_keyed_by_transaction_and_filters_documented_properties() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (status, _) = client.json("/v1.0/networkAccess/logs/traffic").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "Global Secure Access is beta only");
        let filter = urlencode("action eq 'block' and createdDateTime ge 2026-11-13T12:00:00Z");
        let (status, page) = client.json(&format!("/beta/networkAccess/logs/traffic?$filter={filter}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let rows = page["value"].as_array().expect("a value array");
        assert!(rows.len() >= 6 && rows.iter().all(|r| r["action"] == "block"), "{page}");
        let key = rows[0]["transactionId"].as_str().expect("a transaction id");
        let (status, row) = client.json(&format!("/beta/networkAccess/logs/traffic/{key}")).await;
        assert_eq!(status, StatusCode::OK, "{row}");
        assert_eq!(row["transactionId"], key);
        let (status, _) =
            client.json(&format!("/beta/networkAccess/logs/traffic?$filter={}", urlencode("shoeSize eq 1"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn report_functions_take_their_window_and_refuse_what_they_do_not_know() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (status, page) = client.json(&format!("/beta/networkAccess/reports/entitiesSummaries({WINDOW})")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let types: Vec<&str> =
            page["value"].as_array().into_iter().flatten().filter_map(|r| r["trafficType"].as_str()).collect();
        assert_eq!(types, ["internet", "microsoft365", "private"]);
        let missing = "/beta/networkAccess/reports/entitiesSummaries(startDateTime=2026-11-13T12:00:00Z)";
        assert_eq!(client.json(missing).await.0, StatusCode::BAD_REQUEST);
        let unknown = format!("/beta/networkAccess/reports/entitiesSummaries({WINDOW},colour=blue)");
        assert_eq!(client.json(&unknown).await.0, StatusCode::BAD_REQUEST);
        let (status, summary) =
            client.json(&format!("/beta/networkAccess/reports/getCrossTenantSummary({WINDOW})")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "the pivot is required: {summary}");
        let (status, summary) = client
            .json(&format!(
                "/beta/networkAccess/reports/getCrossTenantSummary({WINDOW},discoveryPivotDateTime=2026-11-16T12:00:00Z)"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{summary}");
        assert_eq!(summary["tenantCount"], 2, "{summary}");
        assert_eq!(summary["newTenantCount"], 1, "Contoso Payments was first reached after the pivot: {summary}");
        let (status, apps) = client
            .json(&format!("/beta/networkAccess/reports/getApplicationUsageAnalytics({WINDOW},aggregatedBy='users')"))
            .await;
        assert_eq!(status, StatusCode::OK, "{apps}");
        assert!(apps["value"].as_array().is_some_and(|d| d.iter().any(|p| p["enterpriseAppsCount"] == 3)), "{apps}");
        let (status, tenants) =
            client.json(&format!("/beta/networkAccess/reports/crossTenantAccessReport({WINDOW})")).await;
        assert_eq!(status, StatusCode::OK, "{tenants}");
        let names: Vec<&str> = tenants["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["resourceTenantName"].as_str())
            .collect();
        assert_eq!(names.len(), 2, "{tenants}");
        assert!(names.contains(&"Contoso Payments") && names.contains(&"Fabrikam Partners"));
        let (status, _) = client.json(&format!("/beta/networkAccess/reports/usageTea({WINDOW})")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let value: Value =
            client.json(&format!("/beta/networkAccess/reports/getCloudApplicationReport({WINDOW})")).await.1;
        assert!(value["value"].as_array().is_some_and(|a| a.iter().any(|r| r["name"] == "GitHub")), "{value}");
    }
}
