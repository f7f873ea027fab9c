//! Access reviews: the review series (`identityGovernance/accessReviews/definitions`) as an
//! entity set, and what Graph serves below one series, which the registry's navigations do not
//! reach: its instances, each instance's decisions, contacted reviewers and stages, the
//! reviewer's own `filterByCurrentUser(on='reviewer')`, and three writes:
//!
//! - `PATCH …/instances/{id}/decisions/{id}` records a decision. Graph takes it only from a
//!   reviewer the instance contacted (403 otherwise), only while the instance is in progress,
//!   and, where the series requires it, only with a justification for an approval.
//! - `POST …/instances/{id}/stop` ends an instance in progress: `Completed`, its end moved to
//!   now; undecided items take the series' default decision, if it has one, and the decisions
//!   apply themselves if the series applies them automatically.
//! - `POST …/instances/{id}/applyDecisions` applies a completed instance's decisions: a denied
//!   member leaves the group under review (an app assignment or a role assignment is removed
//!   likewise), every decision records the result, and the instance reads `Applied`.
//!
//! Instances, decisions and the per-instance details (definition, contacted reviewers,
//! stages) are kept in collections of their own (see [`CONTAINED`]), never served at a path of
//! their own.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::demo::tenant::access_reviews;
use crate::demo::tenant::{Collection, Generator, Tenant};

use super::super::errors::{GraphError, GraphResult};
use super::super::listing::{Row, Shape};
use super::super::routes::Resolved;
use super::super::schema::{Spec, Words};
use super::super::writes::{AreaCall, AreaWrite, Change};
use super::{EntitySet, READ_ONLY, Source};

const DEFINITIONS: &str = "identityGovernance/accessReviews/definitions";
/// Storage keys of the collections below a definition; `#` keeps them apart from any path.
const INSTANCES: &str = "accessReviews#instances";
const DECISIONS: &str = "accessReviews#decisions";
const DETAILS: &str = "accessReviews#instanceDetails";

const NOBODY: &str = "00000000-0000-0000-0000-000000000000";

pub static SETS: &[EntitySet] = &[EntitySet {
    path: DEFINITIONS,
    spec: &DEFINITION,
    source: Source::Generated(access_reviews::definitions),
    lookup: None,
    count_segment: false,
    navigations: &[],
    actions: &[],
    writes: READ_ONLY,
}];

/// The collections kept for the paths below a definition, by storage key.
pub static CONTAINED: &[(&str, Generator)] = &[
    (INSTANCES, access_reviews::instances),
    (DECISIONS, access_reviews::decisions),
    (DETAILS, access_reviews::instance_details),
];

static DEFINITION: Spec = Spec {
    type_name: "microsoft.graph.accessReviewScheduleDefinition",
    entity_set: DEFINITIONS,
    directory: false,
    properties: Words(
        "id displayName createdDateTime lastModifiedDateTime status descriptionForAdmins \
         descriptionForReviewers createdBy scope instanceEnumerationScope reviewers fallbackReviewers \
         backupReviewers additionalNotificationRecipients settings stageSettings",
    ),
    default_properties: None,
    filterable: Words("status"),
    orderable: Words("displayName createdDateTime status"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 100,
};

static INSTANCE: Spec = Spec {
    type_name: "microsoft.graph.accessReviewInstance",
    entity_set: "identityGovernance/accessReviews/definitions/instances",
    directory: false,
    properties: Words("id startDateTime endDateTime status scope reviewers fallbackReviewers"),
    default_properties: None,
    filterable: Words("status"),
    orderable: Words("status"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 100,
};

static DECISION: Spec = Spec {
    type_name: "microsoft.graph.accessReviewInstanceDecisionItem",
    entity_set: "identityGovernance/accessReviews/definitions/instances/decisions",
    directory: false,
    properties: Words(
        "id accessReviewId reviewedBy reviewedDateTime decision justification appliedBy appliedDateTime \
         applyResult recommendation principal principalLink resource resourceLink",
    ),
    default_properties: None,
    filterable: Words("decision recommendation applyResult"),
    orderable: Words("decision recommendation applyResult"),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 100,
};

static REVIEWER: Spec = Spec {
    type_name: "microsoft.graph.accessReviewReviewer",
    entity_set: "identityGovernance/accessReviews/definitions/instances/contactedReviewers",
    directory: false,
    properties: Words("id displayName userPrincipalName createdDateTime"),
    default_properties: None,
    filterable: Words(""),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 100,
};

static STAGE: Spec = Spec {
    type_name: "microsoft.graph.accessReviewStage",
    entity_set: "identityGovernance/accessReviews/definitions/instances/stages",
    directory: false,
    properties: Words("id startDateTime endDateTime status reviewers fallbackReviewers"),
    default_properties: None,
    filterable: Words("status"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 100,
};

/// Whether the segments after `definitions` are this module's (the generic routes answer the
/// definitions themselves).
pub fn serves(rest: &[&str]) -> bool {
    matches!(rest, [function] if function.starts_with("filterByCurrentUser")) || matches!(rest, [_, "instances", ..])
}

/// Resolves the segments after `definitions`.
pub fn resolve<'t>(tenant: &'t Tenant, caller: &str, rest: &[&str]) -> GraphResult<Resolved<'t>> {
    match rest {
        [function] => filter_by_current_user(tenant, caller, function),
        [definition, "instances", rest @ ..] => {
            let definition = rows(tenant, DEFINITIONS)
                .iter()
                .find(|d| id_of(d).eq_ignore_ascii_case(definition))
                .ok_or_else(|| GraphError::not_found(definition))?;
            below_definition(tenant, id_of(definition), rest)
        }
        [first, ..] => Err(GraphError::no_route(first)),
        [] => Err(GraphError::no_route("definitions")),
    }
}

fn rows<'t>(tenant: &'t Tenant, key: &str) -> &'t [Value] {
    tenant.generated(key).map(Collection::items).unwrap_or(&[])
}

fn id_of(value: &Value) -> &str {
    value.get("id").and_then(Value::as_str).unwrap_or_default()
}

fn text<'v>(value: &'v Value, name: &str) -> &'v str {
    value.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn list<'t>(spec: &'static Spec, items: impl Iterator<Item = &'t Value>) -> Resolved<'t> {
    Resolved::List { spec, rows: items.map(Row::plain).collect(), mixed: false, shape: Shape::Page, set: None }
}

/// The details row of an instance: its definition, contacted reviewers and stages.
fn details<'t>(tenant: &'t Tenant, instance: &str) -> Option<&'t Value> {
    tenant.generated(DETAILS)?.get(instance)
}

fn contacted<'t>(tenant: &'t Tenant, instance: &str) -> &'t [Value] {
    details(tenant, instance)
        .and_then(|d| d.get("contactedReviewers"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `definitions/filterByCurrentUser(on='reviewer')`: the series in which the caller reviews
/// one or more instances.
fn filter_by_current_user<'t>(tenant: &'t Tenant, caller: &str, function: &str) -> GraphResult<Resolved<'t>> {
    let on = function
        .strip_prefix("filterByCurrentUser(on='")
        .and_then(|rest| rest.strip_suffix("')"))
        .ok_or_else(|| GraphError::no_route(function))?;
    if on != "reviewer" {
        return Err(GraphError::bad_request(
            false,
            format!("Invalid value '{on}' for parameter 'on' of function 'filterByCurrentUser'."),
        ));
    }
    let mine: Vec<&str> = rows(tenant, DETAILS)
        .iter()
        .filter(|d| {
            d.get("contactedReviewers")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|r| id_of(r).eq_ignore_ascii_case(caller)))
        })
        .map(|d| text(d, "definitionId"))
        .collect();
    let definitions =
        rows(tenant, DEFINITIONS).iter().filter(|d| mine.iter().any(|m| m.eq_ignore_ascii_case(id_of(d))));
    Ok(list(&DEFINITION, definitions))
}

fn below_definition<'t>(tenant: &'t Tenant, definition: &str, rest: &[&str]) -> GraphResult<Resolved<'t>> {
    let of_definition = |instance: &&Value| {
        details(tenant, id_of(instance)).is_some_and(|d| text(d, "definitionId").eq_ignore_ascii_case(definition))
    };
    let [key, rest @ ..] = rest else {
        return Ok(list(&INSTANCE, rows(tenant, INSTANCES).iter().filter(of_definition)));
    };
    let instance = rows(tenant, INSTANCES)
        .iter()
        .filter(of_definition)
        .find(|i| id_of(i).eq_ignore_ascii_case(key))
        .ok_or_else(|| GraphError::not_found(key))?;
    let instance_id = id_of(instance).to_string();
    let decisions = || rows(tenant, DECISIONS).iter().filter(|d| text(d, "accessReviewId") == instance_id);
    let ids = |extra: Option<&str>| {
        let mut ids = vec![definition.to_string(), instance_id.clone()];
        ids.extend(extra.map(str::to_string));
        ids
    };
    match rest {
        [] => Ok(Resolved::Item { spec: &INSTANCE, row: Row::plain(instance), set: None }),
        ["decisions"] => Ok(list(&DECISION, decisions())),
        ["decisions", decision] => {
            let row = decisions()
                .find(|d| id_of(d).eq_ignore_ascii_case(decision))
                .ok_or_else(|| GraphError::not_found(decision))?;
            Ok(Resolved::Area {
                read: Some(Box::new(Resolved::Item { spec: &DECISION, row: Row::plain(row), set: None })),
                write: Some(AreaWrite { method: Method::PATCH, ids: ids(Some(id_of(row))), plan: plan_decision }),
            })
        }
        ["contactedReviewers"] => Ok(list(&REVIEWER, contacted(tenant, &instance_id).iter())),
        ["stages", rest @ ..] => {
            let stages = details(tenant, &instance_id)
                .and_then(|d| d.get("stages"))
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            match rest {
                [] => Ok(list(&STAGE, stages.iter())),
                [stage] => stages
                    .iter()
                    .find(|s| id_of(s).eq_ignore_ascii_case(stage))
                    .map(|s| Resolved::Item { spec: &STAGE, row: Row::plain(s), set: None })
                    .ok_or_else(|| GraphError::not_found(stage)),
                [_, next, ..] => Err(GraphError::no_route(next)),
            }
        }
        ["stop"] => Ok(Resolved::Area {
            read: None,
            write: Some(AreaWrite { method: Method::POST, ids: ids(None), plan: plan_stop }),
        }),
        ["applyDecisions"] => Ok(Resolved::Area {
            read: None,
            write: Some(AreaWrite { method: Method::POST, ids: ids(None), plan: plan_apply }),
        }),
        [next, ..] => Err(GraphError::no_route(next)),
    }
}

// ---------------------------------------------------------------------------------------------
// Writes

fn instance_mut<'t>(tenant: &'t mut Tenant, id: &str) -> GraphResult<&'t mut Map<String, Value>> {
    match Arc::make_mut(tenant.generated_mut(INSTANCES)).get_mut(id) {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(GraphError::not_found(id)),
    }
}

fn status_of(tenant: &Tenant, instance: &str) -> String {
    tenant.generated(INSTANCES).and_then(|c| c.get(instance)).map(|i| text(i, "status").to_string()).unwrap_or_default()
}

/// The settings of the series an instance belongs to.
fn settings_of(tenant: &Tenant, definition: &str) -> Value {
    tenant
        .generated(DEFINITIONS)
        .and_then(|c| c.get(definition))
        .and_then(|d| d.get("settings"))
        .cloned()
        .unwrap_or(Value::Null)
}

fn identity_of(tenant: &Tenant, user: Option<&str>) -> Value {
    match user.and_then(|id| tenant.user(id)) {
        Some(u) => {
            json!({"id": id_of(u), "displayName": text(u, "displayName"), "userPrincipalName": text(u, "userPrincipalName")})
        }
        None => json!({"id": NOBODY, "displayName": "", "userPrincipalName": ""}),
    }
}

fn conflict(message: &str) -> GraphError {
    GraphError::bad_request(false, message.to_string())
}

/// The ids of an instance's decisions, in stored order.
fn decision_ids(tenant: &Tenant, instance: &str) -> Vec<String> {
    rows(tenant, DECISIONS)
        .iter()
        .filter(|d| text(d, "accessReviewId") == instance)
        .map(|d| id_of(d).to_string())
        .collect()
}

fn with_decision(tenant: &mut Tenant, id: &str, change: impl FnOnce(&mut Map<String, Value>)) {
    if let Some(Value::Object(row)) = Arc::make_mut(tenant.generated_mut(DECISIONS)).get_mut(id) {
        change(row);
    }
}

/// `PATCH …/decisions/{id}` with `{"decision": "…", "justification": "…"}`.
fn plan_decision(call: &AreaCall<'_>) -> GraphResult<Change> {
    let [_, instance, decision] = call.ids else { return Err(GraphError::no_route("decisions")) };
    let body = match serde_json::from_slice::<Value>(call.body) {
        Ok(Value::Object(map)) => map,
        _ => return Err(GraphError::bad_request(false, "The request body must be a JSON object.")),
    };
    let mut value = None;
    let mut justification: Option<String> = None;
    for (name, given) in &body {
        match name.as_str() {
            "decision" => value = given.as_str().map(str::to_string),
            "justification" => justification = Some(given.as_str().unwrap_or_default().to_string()),
            other if other.starts_with("@odata.") => {}
            other if DECISION.has_property(other) => {
                return Err(GraphError::bad_request(
                    false,
                    format!("Property '{other}' is read-only and cannot be set."),
                ));
            }
            other => {
                return Err(GraphError::bad_request(
                    false,
                    format!("Property '{other}' does not exist on type '{}'.", DECISION.type_name),
                ));
            }
        }
    }
    let value =
        value.filter(|v| ["Approve", "Deny", "NotReviewed", "DontKnow"].contains(&v.as_str())).ok_or_else(|| {
            GraphError::bad_request(false, "The decision must be one of Approve, Deny, NotReviewed, DontKnow.")
        })?;
    let (instance, decision, caller, at) =
        (instance.clone(), decision.clone(), call.caller.to_string(), call.at.to_string());
    Ok(Change::Area(Arc::new(move |tenant: &mut Tenant| {
        if status_of(tenant, &instance) != "InProgress" {
            return Err(conflict("Decisions can be recorded only while the access review instance is in progress."));
        }
        if !contacted(tenant, &instance).iter().any(|r| id_of(r).eq_ignore_ascii_case(&caller)) {
            return Err(GraphError::new(
                StatusCode::FORBIDDEN,
                "Forbidden",
                "The caller is not a reviewer of this access review instance.",
            ));
        }
        let definition = details(tenant, &instance).map(|d| text(d, "definitionId").to_string()).unwrap_or_default();
        let settings = settings_of(tenant, &definition);
        if value == "Approve"
            && justification.as_deref().is_none_or(|j| j.trim().is_empty())
            && settings.get("justificationRequiredOnApproval") == Some(&Value::Bool(true))
        {
            return Err(conflict("A justification is required to approve access in this access review."));
        }
        let reviewer = identity_of(tenant, Some(&caller));
        with_decision(tenant, &decision, |row| {
            row.insert("decision".into(), Value::from(value.as_str()));
            // A PATCH changes what it names: a decision without a reason keeps the one given.
            if let Some(justification) = &justification {
                row.insert("justification".into(), Value::from(justification.as_str()));
            }
            row.insert("reviewedBy".into(), reviewer);
            row.insert("reviewedDateTime".into(), Value::from(at.as_str()));
        });
        Ok(())
    })))
}

/// `POST …/stop`.
fn plan_stop(call: &AreaCall<'_>) -> GraphResult<Change> {
    let [definition, instance] = call.ids else { return Err(GraphError::no_route("stop")) };
    let (definition, instance, at) = (definition.clone(), instance.clone(), call.at.to_string());
    Ok(Change::Area(Arc::new(move |tenant: &mut Tenant| {
        if status_of(tenant, &instance) != "InProgress" {
            return Err(conflict("Only an access review instance in progress can be stopped."));
        }
        let settings = settings_of(tenant, &definition);
        let default = settings
            .get("defaultDecisionEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            .then(|| text(&settings, "defaultDecision").to_string());
        for id in decision_ids(tenant, &instance) {
            let Some(default) = default.as_deref() else { break };
            with_decision(tenant, &id, |row| {
                if row.get("decision").and_then(Value::as_str) != Some("NotReviewed") {
                    return;
                }
                let recommendation = row.get("recommendation").and_then(Value::as_str).unwrap_or_default().to_string();
                let decided = match default {
                    "Approve" | "Deny" => default.to_string(),
                    "Recommendation" if recommendation == "Approve" || recommendation == "Deny" => recommendation,
                    _ => return,
                };
                row.insert("decision".into(), Value::from(decided));
                row.insert("reviewedDateTime".into(), Value::from(at.as_str()));
            });
        }
        let map = instance_mut(tenant, &instance)?;
        map.insert("status".into(), Value::from("Completed"));
        map.insert("endDateTime".into(), Value::from(at.as_str()));
        if settings.get("autoApplyDecisionsEnabled") == Some(&Value::Bool(true)) {
            apply_decisions(tenant, &instance, None, &at);
        }
        Ok(())
    })))
}

/// `POST …/applyDecisions`.
fn plan_apply(call: &AreaCall<'_>) -> GraphResult<Change> {
    let [_, instance] = call.ids else { return Err(GraphError::no_route("applyDecisions")) };
    let (instance, caller, at) = (instance.clone(), call.caller.to_string(), call.at.to_string());
    Ok(Change::Area(Arc::new(move |tenant: &mut Tenant| {
        if status_of(tenant, &instance) != "Completed" {
            return Err(conflict("The access review instance must be Completed before its decisions are applied."));
        }
        apply_decisions(tenant, &instance, Some(&caller), &at);
        Ok(())
    })))
}

/// Applies an instance's approvals and denials: a denial removes the principal's access to the
/// resource under review. `by` is the admin who applied them (`None`: the service itself).
fn apply_decisions(tenant: &mut Tenant, instance: &str, by: Option<&str>, at: &str) {
    let applier = identity_of(tenant, by);
    for id in decision_ids(tenant, instance) {
        let Some(row) = tenant.generated(DECISIONS).and_then(|c| c.get(&id)).cloned() else { continue };
        if text(&row, "applyResult") != "New" {
            continue;
        }
        let result = match text(&row, "decision") {
            "Approve" => "AppliedSuccessfully",
            "Deny" => {
                let principal = row.pointer("/principal/id").and_then(Value::as_str).unwrap_or_default();
                let resource = row.pointer("/resource/id").and_then(Value::as_str).unwrap_or_default();
                let kind = row.pointer("/resource/type").and_then(Value::as_str).unwrap_or_default();
                if remove_access(tenant, kind, resource, principal) {
                    "AppliedSuccessfully"
                } else {
                    "AppliedSuccessfullyButObjectNotFound"
                }
            }
            _ => continue,
        };
        let applier = applier.clone();
        with_decision(tenant, &id, |row| {
            row.insert("applyResult".into(), Value::from(result));
            row.insert("appliedBy".into(), applier);
            row.insert("appliedDateTime".into(), Value::from(at));
        });
    }
    if let Ok(map) = instance_mut(tenant, instance) {
        map.insert("status".into(), Value::from("Applied"));
    }
}

/// Takes a principal's access to a group, app or directory role away; `false` if it had none.
fn remove_access(tenant: &mut Tenant, kind: &str, resource: &str, principal: &str) -> bool {
    match kind {
        "Group" => tenant.remove_member(resource, principal),
        "ServicePrincipal" => {
            let Some(assignments) = Arc::make_mut(&mut tenant.user_app_role_assignments).get_mut(principal) else {
                return false;
            };
            let before = assignments.len();
            assignments.retain(|a| !text(a, "resourceId").eq_ignore_ascii_case(resource));
            assignments.len() < before
        }
        "DirectoryRole" => {
            let held: Vec<String> = tenant
                .role_assignments
                .items()
                .iter()
                .filter(|a| {
                    text(a, "principalId").eq_ignore_ascii_case(principal) && text(a, "roleDefinitionId") == resource
                })
                .map(|a| id_of(a).to_string())
                .collect();
            let assignments = Arc::make_mut(&mut tenant.role_assignments);
            held.iter().filter(|id| assignments.remove(id).is_some()).count() > 0
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde_json::{Value, json};

    use super::super::super::tests::{Client, start};
    use crate::demo::tenant::{access_reviews, story};

    const BASE: &str = "/v1.0/identityGovernance/accessReviews/definitions";

    fn instance_path(review: &str, instance: &str) -> String {
        format!(
            "{BASE}/{}/instances/{}",
            access_reviews::definition_id(review),
            access_reviews::instance_id(review, instance)
        )
    }

    /// A request as `who` (a story handle); the status and the body, if any.
    async fn call(
        client: &Client,
        method: reqwest::Method,
        who: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = client
            .http
            .request(method, format!("{}{path}", client.base))
            .bearer_auth(format!("demo:{}", story::user_id(who)));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("response");
        let status = response.status();
        (status, response.json::<Value>().await.unwrap_or(Value::Null))
    }

    async fn get(client: &Client, who: &str, path: &str) -> Value {
        let (status, body) = call(client, reqwest::Method::GET, who, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    fn decision_of<'v>(page: &'v Value, handle: &str) -> &'v Value {
        let id = story::user_id(handle);
        page["value"]
            .as_array()
            .and_then(|v| v.iter().find(|d| d["principal"]["id"] == id.as_str()))
            .unwrap_or(&Value::Null)
    }

    #[tokio::test]
    async fn series_instances_decisions_reviewers_and_stages_are_served_below_their_definition() {
        let graph = start().await;
        let client = Client::new(&graph);
        let page = get(&client, "jordan", &format!("{BASE}?$select=displayName,status&$orderby=displayName")).await;
        let names: Vec<&str> =
            page["value"].as_array().into_iter().flatten().filter_map(|d| d["displayName"].as_str()).collect();
        assert_eq!(
            names,
            [
                "Finance Microsoft 365 Groups Q4",
                "Guests in Microsoft 365 Groups",
                "Privileged Roles Review Q3",
                "Sales App Access Q4"
            ]
        );
        let finance = access_reviews::definition_id(access_reviews::FINANCE_REVIEW);
        let page =
            get(&client, "jordan", &format!("{BASE}/{finance}/instances?$filter=status%20eq%20'InProgress'")).await;
        assert_eq!(page["value"].as_array().map(Vec::len), Some(1), "{page}");
        let current = instance_path(access_reviews::FINANCE_REVIEW, "current");
        let denied = get(&client, "jordan", &format!("{current}/decisions?$filter=decision%20eq%20'Deny'")).await;
        assert_eq!(denied["value"][0]["principal"]["displayName"], "Wei Zhang");
        let reviewers = get(&client, "jordan", &format!("{current}/contactedReviewers")).await;
        assert_eq!(reviewers["value"].as_array().map(Vec::len), Some(2));
        let stages =
            get(&client, "jordan", &format!("{}/stages", instance_path(access_reviews::ROLES_REVIEW, "only"))).await;
        assert_eq!(stages["value"].as_array().map(Vec::len), Some(2));

        // An instance of another series, an unknown segment and an undocumented filter are refused.
        let sales = access_reviews::instance_id(access_reviews::SALES_REVIEW, "current");
        let (status, _) =
            call(&client, reqwest::Method::GET, "jordan", &format!("{BASE}/{finance}/instances/{sales}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) =
            call(&client, reqwest::Method::GET, "jordan", &format!("{current}/insightsOfNothing"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = call(
            &client,
            reqwest::Method::GET,
            "jordan",
            &format!("{current}/decisions?$filter=justification%20eq%20'x'"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // Actions are POST only.
        let (status, _) = call(&client, reqwest::Method::GET, "jordan", &format!("{current}/stop"), None).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(graph.writes_applied(), 0);
    }

    #[tokio::test]
    async fn filter_by_current_user_lists_the_reviews_the_caller_reviews() {
        let graph = start().await;
        let client = Client::new(&graph);
        let names = |page: &Value| -> Vec<String> {
            page["value"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d["displayName"].as_str().map(str::to_string))
                .collect()
        };
        let path = format!("{BASE}/filterByCurrentUser(on='reviewer')");
        assert_eq!(names(&get(&client, "jordan", &path).await), ["Sales App Access Q4"]);
        assert_eq!(names(&get(&client, "daniel", &path).await), ["Finance Microsoft 365 Groups Q4"]);
        assert!(names(&get(&client, "karita", &path).await).is_empty());
        let (status, _) =
            call(&client, reqwest::Method::GET, "jordan", &format!("{BASE}/filterByCurrentUser(on='principal')"), None)
                .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn only_a_contacted_reviewer_records_decisions_and_only_while_in_progress() {
        let graph = start().await;
        let client = Client::new(&graph);
        let current = instance_path(access_reviews::SALES_REVIEW, "current");
        let page = get(&client, "jordan", &format!("{current}/decisions")).await;
        let carla = decision_of(&page, "carla.ruiz")["id"].as_str().expect("Carla's decision").to_string();
        let item = format!("{current}/decisions/{carla}");
        let patch = |who: &'static str, body: Value| call(&client, reqwest::Method::PATCH, who, &item, Some(body));

        // Not a reviewer of this instance: 403. A bad value or a read-only property: 400.
        let (status, body) = patch("karita", json!({"decision": "Deny"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(patch("jordan", json!({"decision": "Maybe"})).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(
            patch("jordan", json!({"decision": "Deny", "recommendation": "Deny"})).await.0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(graph.writes_applied(), 0);

        let (status, body) = patch("jordan", json!({"decision": "Deny", "justification": "Left the bank"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let decision = get(&client, "jordan", &item).await;
        assert_eq!(decision["decision"], "Deny");
        assert_eq!(decision["reviewedBy"]["displayName"], "Jordan Reyes");
        assert_eq!(decision["justification"], "Left the bank");

        // Stopped: the default decision (the recommendation) fills the items nobody reviewed,
        // and the review applies itself.
        let (status, body) =
            call(&client, reqwest::Method::POST, "jordan", &format!("{current}/stop"), Some(json!({}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let instance = get(&client, "jordan", &current).await;
        assert_eq!(instance["status"], "Applied");
        let page = get(&client, "jordan", &format!("{current}/decisions")).await;
        assert_eq!(decision_of(&page, "olivia.brown")["decision"], "Approve");
        assert_eq!(decision_of(&page, "carla.ruiz")["applyResult"], "AppliedSuccessfullyButObjectNotFound");
        let (status, _) = patch("jordan", json!({"decision": "Approve"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "no decision once the review has ended");
        let (status, _) =
            call(&client, reqwest::Method::POST, "jordan", &format!("{current}/stop"), Some(json!({}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "a review stops once");
        assert_eq!(graph.writes_applied(), 2);
    }

    #[tokio::test]
    async fn applying_a_stopped_review_removes_denied_members_and_survives_re_anchoring() {
        let graph = start().await;
        let client = Client::new(&graph);
        let current = instance_path(access_reviews::FINANCE_REVIEW, "current");
        let team = format!("/v1.0/groups/{}/members?$select=id", story::group_id("Finance Team"));
        let wei = story::user_id("wei.zhang");
        let has = |page: &Value, id: &str| page["value"].as_array().is_some_and(|v| v.iter().any(|m| m["id"] == id));
        assert!(has(&get(&client, "jordan", &team).await, &wei));

        let post = |path: String| {
            let client = &client;
            async move { call(client, reqwest::Method::POST, "jordan", &path, Some(json!({}))).await }
        };
        assert_eq!(post(format!("{current}/applyDecisions")).await.0, StatusCode::BAD_REQUEST, "not completed yet");
        assert_eq!(post(format!("{current}/stop")).await.0, StatusCode::NO_CONTENT);
        assert_eq!(get(&client, "jordan", &current).await["status"], "Completed");
        assert!(has(&get(&client, "jordan", &team).await, &wei), "this review does not apply itself");
        assert_eq!(post(format!("{current}/applyDecisions")).await.0, StatusCode::NO_CONTENT);
        assert_eq!(get(&client, "jordan", &current).await["status"], "Applied");
        let members = get(&client, "jordan", &team).await;
        assert!(!has(&members, &wei));
        assert!(has(&members, &story::user_id("brian.walsh")), "an approval keeps the access");
        let page = get(&client, "jordan", &format!("{current}/decisions")).await;
        assert_eq!(decision_of(&page, "wei.zhang")["appliedBy"]["displayName"], "Jordan Reyes");
        assert_eq!(decision_of(&page, "robert.king")["applyResult"], "New", "an item nobody reviewed is left alone");

        // The journal replays both writes on a re-anchored tenant.
        graph.state().regenerate().await.expect("a fresh tenant");
        assert_eq!(get(&client, "jordan", &current).await["status"], "Applied");
        assert!(!has(&get(&client, "jordan", &team).await, &wei));
        assert_eq!(graph.writes_applied(), 2);
    }
}
