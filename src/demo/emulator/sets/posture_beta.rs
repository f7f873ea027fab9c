//! Tenant posture as Graph beta alone serves it: Entra recommendations with their impacted
//! resources and status actions, health monitoring alerts, the service activity signals behind
//! them, the authentication SLA attainment and the premium licence insight. Every path here is
//! beta-only (`sets::BETA_ONLY`).
//!
//! - `directory/recommendations`: a set; `$filter` (`eq`) on id, category, featureAreas,
//!   priority, recommendationType and status, `$expand=impactedResources`; the impacted
//!   resources are a navigation that takes `$select` only. `POST …/{id}/complete`, `dismiss`
//!   (with a `dismissReason`), `postpone` (with a future `postponeUntilDateTime`) and
//!   `reactivate` change the status and record who did it and when.
//! - `reports/healthMonitoring/alerts`: a set (`$filter` on alertType, state and
//!   createdDateTime, `$orderby` createdDateTime, at most 100 a page); `PATCH …/{id}` takes
//!   `state` only, `active` or `resolved`.
//! - `reports/serviceActivity/getMetricsFor…(inclusiveIntervalStartDateTime=…,
//!   exclusiveIntervalEndDateTime=…, aggregationIntervalInMinutes=…)`: a series, the start no
//!   earlier than 30 days ago, the interval 5, 10, 15 or 30 minutes (default 15).
//! - `reports/sla/azureADAuthentication` and `reports/azureADPremiumLicenseInsight`: one
//!   computed object each, without query options.
//!
//! Members Graph added to these enums after `unknownFutureValue` read as `unknownFutureValue`
//! without `Prefer: include-unknown-enum-members` ([`evolvable`]).
//!
//! Graph answers the recommendation actions and the alert update with the changed object
//! (200); the emulator answers 204, as for every area write, and the object reads back changed.

use std::sync::Arc;

use axum::http::Method;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use crate::demo::tenant::{Tenant, format_instant, health, premium_insight, recommendations};

use super::super::errors::{GraphError, GraphResult};
use super::super::listing::{Ctx, Row, shape};
use super::super::query::Expand;
use super::super::routes::Resolved;
use super::super::schema::{Spec, Words};
use super::super::writes::{AreaCall, AreaWrite, Change};
use super::{EntitySet, Navigation, READ_ONLY, Source, Target, Writes};

pub const RECOMMENDATIONS: &str = "directory/recommendations";
pub const ALERTS: &str = "reports/healthMonitoring/alerts";

/// The paths below the version that only beta serves.
pub const BETA_ONLY: &[&str] = &[
    RECOMMENDATIONS,
    "reports/healthMonitoring",
    "reports/serviceActivity",
    "reports/sla",
    "reports/azureADPremiumLicenseInsight",
];

static RECOMMENDATION: Spec = Spec {
    type_name: "microsoft.graph.recommendation",
    entity_set: RECOMMENDATIONS,
    directory: false,
    properties: Words(
        "id actionSteps benefits category createdDateTime currentScore displayName featureAreas \
         impactStartDateTime impactType insights lastCheckedDateTime lastModifiedBy lastModifiedDateTime \
         maxScore postponeUntilDateTime priority recommendationType releaseType remediationImpact status",
    ),
    default_properties: None,
    // Graph documents `eq` on these (and filters by id in its own examples).
    filterable: Words("id category featureAreas priority recommendationType status"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("impactedResources"),
    max_top: 999,
};

static IMPACTED_RESOURCE: Spec = Spec {
    type_name: "microsoft.graph.impactedResource",
    entity_set: "directory/recommendations/impactedResources",
    directory: false,
    properties: Words(
        "id addedDateTime additionalDetails apiUrl displayName lastModifiedBy lastModifiedDateTime owner \
         portalUrl postponeUntilDateTime rank recommendationId resourceType status subjectId",
    ),
    default_properties: None,
    // Graph lists impacted resources with `$select` only.
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

static ALERT: Spec = Spec {
    type_name: "microsoft.graph.healthMonitoring.alert",
    entity_set: ALERTS,
    directory: false,
    properties: Words("id alertType scenario category createdDateTime state enrichment signals documentation"),
    default_properties: None,
    filterable: Words("alertType state createdDateTime"),
    orderable: Words("createdDateTime"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 100,
};

static METRIC: Spec = Spec {
    type_name: "microsoft.graph.serviceActivityValueMetric",
    entity_set: "Collection(microsoft.graph.serviceActivityValueMetric)",
    directory: false,
    properties: Words("intervalStartDateTime value"),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 10_000,
};

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: RECOMMENDATIONS,
        spec: &RECOMMENDATION,
        source: Source::Generated(recommendations::recommendations),
        lookup: None,
        count_segment: false,
        navigations: &[Navigation {
            path: "impactedResources",
            target: Target::Contained { spec: &IMPACTED_RESOURCE, rows: impacted_resources },
        }],
        // The status actions are this module's own route (they record the caller).
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: ALERTS,
        spec: &ALERT,
        source: Source::Generated(health::alerts),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        // `PATCH {id}` is this module's own route: Graph takes `state` only, and only its values.
        writes: Writes { update: true, ..READ_ONLY },
    },
];

fn impacted_resources<'t>(tenant: &'t Tenant, id: &str) -> &'t [Value] {
    tenant
        .generated(RECOMMENDATIONS)
        .and_then(|c| c.get(id))
        .and_then(|r| r.get("impactedResources"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The type an expanded navigation of this area holds.
pub fn navigation_spec(property: &str) -> Option<&'static Spec> {
    (property == "impactedResources").then_some(&IMPACTED_RESOURCE)
}

/// `$expand=impactedResources` (with its own `$select`).
pub fn expand_navigation(ctx: &Ctx<'_>, item: &Value, how: &Expand) -> Option<Value> {
    navigation_spec(&how.property)?;
    let resources = item.get("impactedResources").and_then(Value::as_array)?;
    let shaped =
        resources.iter().map(|r| shape(ctx, &IMPACTED_RESOURCE, r, None, how.select.as_deref(), &[], false)).collect();
    Some(Value::Array(shaped))
}

/// This area's paths that are not a set's generic ones; `None` for the rest.
pub fn route<'t>(tenant: &'t Tenant, segments: &[&str]) -> Option<GraphResult<Resolved<'t>>> {
    match segments {
        ["directory", "recommendations", id, action @ ("complete" | "dismiss" | "postpone" | "reactivate")] => {
            Some(recommendation_action(tenant, id, action))
        }
        ["reports", "healthMonitoring", "alerts", id] if !id.starts_with('$') => Some(alert(tenant, id)),
        ["reports", "serviceActivity", function] => Some(metrics(tenant, function)),
        ["reports", "sla", "azureADAuthentication"] => {
            Some(Ok(Resolved::Computed(health::sla_attainment(tenant.anchor))))
        }
        ["reports", "azureADPremiumLicenseInsight"] => {
            Some(Ok(Resolved::Computed(premium_insight::premium_license_insight(tenant))))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Recommendations

fn recommendation_action<'t>(tenant: &'t Tenant, id: &str, action: &str) -> GraphResult<Resolved<'t>> {
    let found = tenant.generated(RECOMMENDATIONS).and_then(|c| c.get(id)).ok_or_else(|| GraphError::not_found(id))?;
    let id = found.get("id").and_then(Value::as_str).unwrap_or(id).to_string();
    Ok(Resolved::Area {
        read: None,
        write: Some(AreaWrite { method: Method::POST, ids: vec![id, action.to_string()], plan: plan_action }),
    })
}

/// The body of an action: a JSON object with exactly the parameters it takes (an empty body
/// for an action that takes none).
fn parameters(body: &[u8], action: &str, allowed: &[&str]) -> GraphResult<Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(GraphError::bad_request(false, "The request body must be a JSON object."));
    };
    if let Some(other) = map.keys().find(|k| !allowed.contains(&k.as_str()) && !k.starts_with("@odata.")) {
        return Err(GraphError::bad_request(
            false,
            format!(
                "The parameter '{other}' in the request payload is not a valid parameter for the operation '{action}'."
            ),
        ));
    }
    Ok(map)
}

fn required_text(map: &Map<String, Value>, name: &str, action: &str) -> GraphResult<String> {
    match map.get(name).and_then(Value::as_str).map(str::trim) {
        Some(text) if !text.is_empty() => Ok(text.to_string()),
        _ => Err(GraphError::bad_request(
            false,
            format!("The parameter '{name}' is required for the operation '{action}' and must be a non-empty string."),
        )),
    }
}

fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.with_timezone(&Utc))
}

fn plan_action(call: &AreaCall<'_>) -> GraphResult<Change> {
    let [id, action] = call.ids else { return Err(GraphError::no_route("recommendations")) };
    let (status, postpone_until) = match action.as_str() {
        "complete" => {
            parameters(call.body, action, &[])?;
            ("completedByUser", None)
        }
        "reactivate" => {
            parameters(call.body, action, &[])?;
            ("active", None)
        }
        "dismiss" => {
            let map = parameters(call.body, action, &["dismissReason"])?;
            required_text(&map, "dismissReason", action)?;
            ("dismissed", None)
        }
        "postpone" => {
            let map = parameters(call.body, action, &["postponeUntilDateTime"])?;
            let until = required_text(&map, "postponeUntilDateTime", action)?;
            let until = parse_instant(&until).ok_or_else(|| {
                GraphError::bad_request(
                    false,
                    format!("Cannot convert the literal '{until}' to the expected type 'Edm.DateTimeOffset'."),
                )
            })?;
            if parse_instant(call.at).is_some_and(|now| until <= now) {
                return Err(GraphError::bad_request(
                    false,
                    "The postponeUntilDateTime must be a future date and time.",
                ));
            }
            ("postponed", Some(format_instant(until)))
        }
        other => return Err(GraphError::no_route(other)),
    };
    let (id, caller, at) = (id.clone(), call.caller.to_string(), call.at.to_string());
    Ok(Change::Area(Arc::new(move |tenant: &mut Tenant| {
        let rows = Arc::make_mut(tenant.generated_mut(RECOMMENDATIONS));
        let Some(Value::Object(row)) = rows.get_mut(&id) else { return Err(GraphError::not_found(&id)) };
        row.insert("status".into(), Value::from(status));
        row.insert("postponeUntilDateTime".into(), postpone_until.clone().map(Value::from).unwrap_or(Value::Null));
        row.insert("lastModifiedBy".into(), Value::from(caller.as_str()));
        row.insert("lastModifiedDateTime".into(), Value::from(at.as_str()));
        Ok(())
    })))
}

// ---------------------------------------------------------------------------------------------
// Health monitoring alerts

fn alert<'t>(tenant: &'t Tenant, id: &str) -> GraphResult<Resolved<'t>> {
    let set = SETS.iter().find(|s| s.path == ALERTS).ok_or_else(|| GraphError::no_route("alerts"))?;
    let row = tenant.generated(ALERTS).and_then(|c| c.get(id)).ok_or_else(|| GraphError::not_found(id))?;
    let id = row.get("id").and_then(Value::as_str).unwrap_or(id).to_string();
    Ok(Resolved::Area {
        read: Some(Box::new(Resolved::Item { spec: &ALERT, row: Row::plain(row), set: Some(set) })),
        write: Some(AreaWrite { method: Method::PATCH, ids: vec![id], plan: plan_alert_update }),
    })
}

fn plan_alert_update(call: &AreaCall<'_>) -> GraphResult<Change> {
    let [id] = call.ids else { return Err(GraphError::no_route("alerts")) };
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(call.body) else {
        return Err(GraphError::bad_request(false, "The request body must be a JSON object."));
    };
    let mut state = None;
    for (name, value) in &body {
        match name.as_str() {
            "state" => state = Some(value),
            other if other.starts_with("@odata.") => {}
            other if ALERT.has_property(other) => {
                return Err(GraphError::bad_request(
                    false,
                    format!("Property '{other}' is read-only and cannot be set."),
                ));
            }
            other => {
                return Err(GraphError::bad_request(
                    false,
                    format!("Property '{other}' does not exist on type '{}'.", ALERT.type_name),
                ));
            }
        }
    }
    let state = match state.and_then(Value::as_str) {
        Some(s @ ("active" | "resolved")) => s.to_string(),
        Some(other) => {
            return Err(GraphError::bad_request(
                false,
                format!("The value '{other}' is not valid for property 'state'. Valid values are: active, resolved."),
            ));
        }
        None => return Err(GraphError::bad_request(false, "The property 'state' is required.")),
    };
    let id = id.clone();
    Ok(Change::Area(Arc::new(move |tenant: &mut Tenant| {
        let rows = Arc::make_mut(tenant.generated_mut(ALERTS));
        let Some(Value::Object(row)) = rows.get_mut(&id) else { return Err(GraphError::not_found(&id)) };
        row.insert("state".into(), Value::from(state.as_str()));
        Ok(())
    })))
}

// ---------------------------------------------------------------------------------------------
// Service activity signals

/// The intervals Graph aggregates a series into, in minutes.
const INTERVALS: &[i64] = &[5, 10, 15, 30];
const DEFAULT_INTERVAL: i64 = 15;
/// How far back a series may start.
const HISTORY_DAYS: i64 = 30;

fn metrics<'t>(tenant: &'t Tenant, function: &str) -> GraphResult<Resolved<'t>> {
    let invalid = |why: &str| GraphError::bad_request(false, format!("Invalid function call '{function}': {why}"));
    let (name, arguments) = match function.split_once('(') {
        Some((name, rest)) => (name, rest.strip_suffix(')').ok_or_else(|| invalid("unbalanced parentheses"))?),
        None => (function, ""),
    };
    let metric = health::Metric::by_function(name).ok_or_else(|| GraphError::no_route(name))?;
    let (mut start, mut end, mut interval) = (None, None, DEFAULT_INTERVAL);
    for argument in arguments.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        let (key, value) = argument.split_once('=').ok_or_else(|| invalid("a parameter has no value"))?;
        let value = value.trim().trim_matches('\'');
        match key.trim() {
            "inclusiveIntervalStartDateTime" => {
                start = Some(
                    parse_instant(value)
                        .ok_or_else(|| invalid("inclusiveIntervalStartDateTime is not a DateTimeOffset"))?,
                )
            }
            "exclusiveIntervalEndDateTime" => {
                end = Some(
                    parse_instant(value)
                        .ok_or_else(|| invalid("exclusiveIntervalEndDateTime is not a DateTimeOffset"))?,
                )
            }
            "aggregationIntervalInMinutes" => {
                interval = value
                    .parse()
                    .ok()
                    .filter(|m| INTERVALS.contains(m))
                    .ok_or_else(|| invalid("aggregationIntervalInMinutes must be 5, 10, 15 or 30"))?
            }
            other => return Err(invalid(&format!("unknown parameter '{other}'"))),
        }
    }
    let start = start.ok_or_else(|| invalid("inclusiveIntervalStartDateTime is required"))?;
    let end = end.ok_or_else(|| invalid("exclusiveIntervalEndDateTime is required"))?;
    if end <= start {
        return Err(invalid("exclusiveIntervalEndDateTime must be later than inclusiveIntervalStartDateTime"));
    }
    if start < tenant.anchor - Duration::days(HISTORY_DAYS) {
        return Err(invalid("the earliest start time allowed is 30 days in the past"));
    }
    // Intervals start on their own boundaries, as Graph aligns them.
    let step = interval * 60;
    let first = start.timestamp().div_euclid(step) * step;
    let slots_per_interval = interval / health::SLOT_MINUTES;
    let mut rows = Vec::new();
    let mut at = first;
    while at < end.timestamp() {
        let Some(interval_start) = DateTime::from_timestamp(at, 0) else { break };
        let value: i64 = (0..slots_per_interval)
            .map(|i| interval_start + Duration::minutes(i * health::SLOT_MINUTES))
            .map(|slot| health::slot_value(metric, slot, tenant.anchor))
            .sum();
        rows.push(json!({"intervalStartDateTime": format_instant(interval_start), "value": value}));
        at += step;
    }
    Ok(Resolved::ComputedRows { spec: &METRIC, rows, filtered: false })
}

// ---------------------------------------------------------------------------------------------
// Evolvable enumerations

const EVOLVABLE_RECOMMENDATION_TYPES: &[&str] = &[
    "longLivedCredentials",
    "aadConnectDeprecated",
    "adalToMsalMigration",
    "ownerlessApps",
    "inactiveGuests",
    "aadGraphDeprecationApplication",
    "aadGraphDeprecationServicePrincipal",
    "mfaServerDeprecation",
];
const EVOLVABLE_STATUSES: &[&str] =
    &["riskAccepted", "thirdParty", "planned", "alternateMitigation", "needsMoreAction"];
const EVOLVABLE_CATEGORIES: &[&str] = &["mdiSecureScore"];
const EVOLVABLE_ALERT_TYPES: &[&str] = &["conditionalAccessBlockedSignIn", "samlSignInFailure"];
const EVOLVABLE_SCENARIOS: &[&str] = &["conditionalAccess", "saml"];

/// Without `Prefer: include-unknown-enum-members`, members added after `unknownFutureValue`
/// read as `unknownFutureValue`.
pub fn evolvable(ctx: &Ctx<'_>, spec: &Spec, out: &mut Map<String, Value>) {
    if ctx.prefer_unknown_enum_members {
        return;
    }
    let rules: &[(&str, &[&str])] = if spec.type_name == RECOMMENDATION.type_name {
        &[
            ("recommendationType", EVOLVABLE_RECOMMENDATION_TYPES),
            ("status", EVOLVABLE_STATUSES),
            ("category", EVOLVABLE_CATEGORIES),
        ]
    } else if spec.type_name == IMPACTED_RESOURCE.type_name {
        &[("status", EVOLVABLE_STATUSES)]
    } else if spec.type_name == ALERT.type_name {
        &[("alertType", EVOLVABLE_ALERT_TYPES), ("scenario", EVOLVABLE_SCENARIOS)]
    } else {
        return;
    };
    for (field, members) in rules {
        if let Some(value) = out.get_mut(*field)
            && value.as_str().is_some_and(|v| members.contains(&v))
        {
            *value = Value::from("unknownFutureValue");
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde_json::{Value, json};

    use super::super::super::tests::{Client, send, start};
    use crate::demo::tenant::story;

    fn recommendation(name: &str) -> String {
        format!("{}_Microsoft.Identity.IAM.Insights.{name}", story::tenant_id())
    }

    impl Client {
        /// A write's status (204 has no body).
        async fn write(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
            let request = self
                .http
                .request(method, format!("{}{path}", self.base))
                .bearer_auth(format!("demo:{}", crate::demo::persona_object_id()));
            let request = match body {
                Some(body) => request.json(&body),
                None => request,
            };
            let response = request.send().await.expect("response");
            let status = response.status();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }

        async fn preferring(&self, path: &str) -> (StatusCode, Value) {
            send(self.get(path).header("Prefer", "include-unknown-enum-members")).await
        }
    }

    const METRICS: &str = "/beta/reports/serviceActivity/getMetricsForMfaSignInFailure";

    #[tokio::test]
    async fn posture_paths_are_served_on_beta_only() {
        let graph = start().await;
        let client = Client::new(&graph);
        let window =
            "(inclusiveIntervalStartDateTime=2026-11-20T00:00:00Z,exclusiveIntervalEndDateTime=2026-11-20T01:00:00Z)";
        for path in [
            "/directory/recommendations".to_string(),
            format!("/directory/recommendations/{}/impactedResources", recommendation("StaleApps")),
            "/reports/healthMonitoring/alerts".to_string(),
            format!("/reports/serviceActivity/getMetricsForMfaSignInFailure{window}"),
            "/reports/sla/azureADAuthentication".to_string(),
            "/reports/azureADPremiumLicenseInsight".to_string(),
        ] {
            let (status, body) = client.json(&format!("/v1.0{path}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "v1.0{path}: {body}");
            let (status, body) = client.json(&format!("/beta{path}")).await;
            assert_eq!(status, StatusCode::OK, "beta{path}: {body}");
        }
    }

    #[tokio::test]
    async fn recommendations_filter_expand_and_read_evolvable_members_as_graph_does() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (status, page) = client.json("/beta/directory/recommendations?$filter=status%20eq%20'postponed'").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["value"][0]["id"], recommendation("TurnOffPerUserMFA").as_str());
        assert!(page["value"][0].get("impactedResources").is_none(), "a navigation only when expanded");
        let (status, page) = client
            .json("/beta/directory/recommendations?$filter=featureAreas/any(a:a%20eq%20'applications')&$expand=impactedResources($select=id,status)")
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let stale = page["value"].as_array().into_iter().flatten().find(|r| r["recommendationType"] == "staleApps");
        let resources = stale.and_then(|r| r["impactedResources"].as_array()).cloned().unwrap_or_default();
        assert_eq!(resources.len(), 1);
        let mut keys: Vec<&str> =
            resources[0].as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        keys.sort_unstable();
        assert_eq!(keys, ["id", "status"]);
        // impactType is not filterable; impacted resources take $select only.
        let (status, _) = client.json("/beta/directory/recommendations?$filter=impactType%20eq%20'users'").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let path = format!("/beta/directory/recommendations/{}/impactedResources", recommendation("StaleApps"));
        let (status, _) = client.json(&format!("{path}?$filter=status%20eq%20'active'")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // ownerlessApps came after unknownFutureValue: Graph names it only when asked to.
        let owners = format!("/beta/directory/recommendations/{}", recommendation("OwnerlessApps"));
        let (_, plain) = client.json(&owners).await;
        assert_eq!(plain["recommendationType"], "unknownFutureValue");
        let (_, preferred) = client.preferring(&owners).await;
        assert_eq!(preferred["recommendationType"], "ownerlessApps");
    }

    #[tokio::test]
    async fn status_actions_check_their_parameters_and_record_the_caller() {
        let graph = start().await;
        let client = Client::new(&graph);
        let stale = format!("/beta/directory/recommendations/{}", recommendation("StaleApps"));
        let post = reqwest::Method::POST;
        for (action, body) in [
            ("postpone", None),
            ("postpone", Some(json!({"postponeUntilDateTime": "2020-01-01T00:00:00Z"}))),
            ("postpone", Some(json!({"postponeUntilDateTime": "soon"}))),
            ("dismiss", Some(json!({}))),
            ("complete", Some(json!({"reason": "done"}))),
        ] {
            let (status, error) = client.write(post.clone(), &format!("{stale}/{action}"), body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{action}: {error}");
        }
        let (status, _) = client.json(&format!("{stale}/complete")).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "actions are POST only");
        let (status, _) = client.write(post.clone(), "/beta/directory/recommendations/nope/complete", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let v1 = stale.replacen("/beta/", "/v1.0/", 1);
        let (status, _) = client.write(post.clone(), &format!("{v1}/complete"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "beta only");
        assert_eq!(graph.writes_applied(), 0);

        let until = "2026-12-20T00:00:00Z";
        let (status, _) = client
            .write(post.clone(), &format!("{stale}/postpone"), Some(json!({"postponeUntilDateTime": until})))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, row) = client.json(&stale).await;
        assert_eq!(row["status"], "postponed");
        assert_eq!(row["postponeUntilDateTime"], until);
        assert_eq!(row["lastModifiedBy"], crate::demo::persona_object_id().as_str());
        let (status, _) = client.write(post, &format!("{stale}/reactivate"), Some(json!({}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, row) = client.json(&stale).await;
        assert_eq!(row["status"], "active");
        assert!(row["postponeUntilDateTime"].is_null());
        assert_eq!(graph.writes_applied(), 2);
    }

    #[tokio::test]
    async fn alerts_take_a_state_only_and_only_its_values() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (_, page) = client.json("/beta/reports/healthMonitoring/alerts?$filter=state%20eq%20'active'").await;
        let id = page["value"][0]["id"].as_str().expect("the active alert").to_string();
        let path = format!("/beta/reports/healthMonitoring/alerts/{id}");
        let patch = reqwest::Method::PATCH;
        for body in
            [json!({"state": "closed"}), json!({"alertType": "samlSignInFailure"}), json!({"colour": "red"}), json!({})]
        {
            let (status, error) = client.write(patch.clone(), &path, Some(body.clone())).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {error}");
        }
        assert_eq!(graph.writes_applied(), 0);
        let (status, _) = client.write(patch, &path, Some(json!({"state": "resolved"}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, alert) = client.json(&path).await;
        assert_eq!(alert["state"], "resolved");
        let (status, _) = client.write(reqwest::Method::DELETE, &path, None).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    }

    #[tokio::test]
    async fn signals_check_the_window_and_show_the_spike_of_the_alert() {
        let graph = start().await;
        let client = Client::new(&graph);
        // The demo's anchor is 2026-11-20T12:00Z: the spike is about 12 hours before.
        let call = |args: &str| format!("{METRICS}({args})");
        for bad in [
            "exclusiveIntervalEndDateTime=2026-11-20T12:00:00Z",
            "inclusiveIntervalStartDateTime=2026-11-20T00:00:00Z,exclusiveIntervalEndDateTime=2026-11-20T12:00:00Z,aggregationIntervalInMinutes=7",
            "inclusiveIntervalStartDateTime=2026-10-01T00:00:00Z,exclusiveIntervalEndDateTime=2026-10-02T00:00:00Z",
            "inclusiveIntervalStartDateTime=2026-11-20T12:00:00Z,exclusiveIntervalEndDateTime=2026-11-20T00:00:00Z",
        ] {
            let (status, error) = client.json(&call(bad)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {error}");
        }
        let (status, page) = client
            .json(&call("inclusiveIntervalStartDateTime=2026-11-19T12:00:00Z,exclusiveIntervalEndDateTime=2026-11-20T12:00:00Z,aggregationIntervalInMinutes=15"))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let points: Vec<(String, i64)> = page["value"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (p["intervalStartDateTime"].as_str().unwrap_or_default().to_string(), p["value"].as_i64().unwrap_or(0))
            })
            .collect();
        assert_eq!(points.len(), 96);
        let (peak_at, peak) = points.iter().max_by_key(|(_, v)| *v).cloned().unwrap_or_default();
        assert!(peak >= 40, "{points:?}");
        assert!(("2026-11-19T23:45:00Z".."2026-11-20T00:45:00Z").contains(&peak_at.as_str()), "{peak_at}");
        let usual = points.iter().filter(|(at, _)| at.as_str() < "2026-11-19T20:00:00Z").map(|(_, v)| *v).max();
        assert!(usual.is_some_and(|u| u < 20), "{usual:?}");
    }

    #[tokio::test]
    async fn the_sla_has_one_month_below_and_the_licence_insight_counts_p2_seats() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (_, sla) = client.json("/beta/reports/sla/azureADAuthentication").await;
        let scores: Vec<f64> =
            sla["attainments"].as_array().into_iter().flatten().filter_map(|a| a["score"].as_f64()).collect();
        assert_eq!(scores.len(), 12);
        assert_eq!(scores.iter().filter(|s| **s < 99.99).count(), 1);
        assert_eq!(sla["attainments"][0]["startDate"], "2026-10-01");
        let (status, _) = client.json("/beta/reports/sla/azureADAuthentication?$select=attainments").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "the function takes no query options");
        let (_, insight) = client.json("/beta/reports/azureADPremiumLicenseInsight").await;
        assert_eq!(insight["entitledP2LicenseCount"], 85);
        assert!(insight["p1FeatureUtilizations"]["conditionalAccess"]["userCount"].as_u64().is_some_and(|n| n > 0));
        assert!(
            insight["p2FeatureUtilizations"]["riskBasedConditionalAccess"]["userCount"]
                .as_u64()
                .is_some_and(|n| n >= 1)
        );
    }
}
