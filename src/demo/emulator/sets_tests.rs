//! The generic routes on every registered entity set, found by walking the registry rather
//! than a list kept by hand: a set added later is tested the day it is registered.

use reqwest::StatusCode;
use serde_json::Value;

use super::sets::{self, EntitySet, Target};
use super::tests::{Client, send, start};

/// The rows a set holds in the emulator's current tenant: how many, and the first one's id.
fn rows_of(graph: &crate::demo::DemoGraph, set: &EntitySet) -> (usize, Option<String>) {
    let tenant = graph.state().snapshot();
    let rows = set.rows(&tenant);
    let first = rows.first().and_then(|row| row.item.json().get("id").and_then(Value::as_str).map(str::to_string));
    (rows.len(), first)
}

/// The filter a set's lists need when Graph lists it only for one principal, group or policy
/// scope (as `?$filter=…&`, pinning the first row's values), and how many rows it leaves;
/// otherwise no filter and every row.
fn scope_of(graph: &crate::demo::DemoGraph, set: &EntitySet) -> (String, usize) {
    let tenant = graph.state().snapshot();
    let rows = set.rows(&tenant);
    let Some((properties, all)) = sets::scope_properties(set) else {
        return (String::new(), rows.len());
    };
    let pinned: &[&str] = if all { properties } else { &properties[..1] };
    let first = rows.first().map(|row| row.item.json().into_owned()).unwrap_or(Value::Null);
    let value = |property: &str| first.get(property).and_then(Value::as_str).unwrap_or_default().to_string();
    let matching = rows
        .iter()
        .filter(|row| pinned.iter().all(|p| row.item.json().get(*p).and_then(Value::as_str) == Some(&value(p))))
        .count();
    let clauses: Vec<String> = pinned.iter().map(|p| format!("{p}%20eq%20'{}'", value(p))).collect();
    (format!("?$filter={}&", clauses.join("%20and%20")), matching)
}

/// The version a set is served under: `beta` for the beta-only ones, else `v1.0`.
fn version_of(set: &EntitySet) -> &'static str {
    let segments: Vec<&str> = set.path.split('/').collect();
    if sets::beta_only(&segments) { "beta" } else { "v1.0" }
}

fn is_graph_error(body: &Value) -> bool {
    body["error"]["code"].is_string()
        && body["error"]["message"].is_string()
        && body["error"]["innerError"]["request-id"].is_string()
}

#[tokio::test]
async fn every_set_lists_gets_counts_pages_and_refuses_unknown_properties() {
    let graph = start().await;
    let client = Client::new(&graph);
    let mut checked = 0;
    for set in sets::all() {
        let path = set.path;
        let (all, first) = rows_of(&graph, set);
        assert!(all > 0, "{path}: the demo tenant has rows in every set");
        // `scope` is `?` or `?$filter=…&`, so options follow it directly.
        let (scope, total) = scope_of(&graph, set);
        let scope = if scope.is_empty() { "?".to_string() } else { scope };
        let version = version_of(set);

        let (status, page) = client.json(&format!("/{version}/{path}{scope}")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
        let listed = page["value"].as_array().map(Vec::len).expect("a value array");
        assert_eq!(listed, total.min(100), "{path}");
        assert!(page["@odata.context"].as_str().is_some_and(|c| c.ends_with(set.spec.entity_set)), "{path}: {page}");

        let first = first.expect("a first row");
        let (status, item) = client.json(&format!("/{version}/{path}/{first}")).await;
        assert_eq!(status, StatusCode::OK, "{path}/{first}: {item}");
        assert_eq!(item["id"], first.as_str(), "{path}");
        assert!(item["@odata.context"].as_str().is_some_and(|c| c.ends_with("/$entity")), "{path}");

        let response = client
            .get(&format!("/{version}/{path}/$count"))
            .header("ConsistencyLevel", "eventual")
            .send()
            .await
            .expect("response");
        if set.count_segment {
            assert_eq!(response.status(), StatusCode::OK, "{path}/$count");
            assert_eq!(response.text().await.expect("text"), all.to_string(), "{path}/$count");
        } else {
            assert!(
                matches!(response.status(), StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST),
                "{path}/$count: {}",
                response.status()
            );
            let body: Value = response.json().await.expect("JSON");
            assert!(is_graph_error(&body), "{path}/$count: {body}");
        }

        if total > 1 {
            let (status, page) = client.json(&format!("/{version}/{path}{scope}$top=1")).await;
            assert_eq!(status, StatusCode::OK, "{path}?$top=1: {page}");
            let next = page["@odata.nextLink"].as_str().expect("a next link").to_string();
            let (status, second) = send(client.http.get(&next).bearer_auth("x")).await;
            assert_eq!(status, StatusCode::OK, "{next}: {second}");
            let ids = |p: &Value| p["value"][0]["id"].as_str().map(str::to_string);
            assert!(ids(&second).is_some() && ids(&second) != ids(&page), "{path}: the second page moves on");
        }

        let (status, error) = client.json(&format!("/{version}/{path}{scope}$select=shoeSize")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(is_graph_error(&error), "{path}: {error}");
        assert_eq!(
            error["error"]["message"],
            format!("Could not find a property named 'shoeSize' on type '{}'.", set.spec.type_name),
            "{path}"
        );
        checked += 1;
    }
    assert!(checked >= 18, "the registry holds every collection");
}

#[tokio::test]
async fn every_navigation_and_action_of_every_set_answers() {
    let graph = start().await;
    let client = Client::new(&graph);
    for set in sets::all() {
        let (_, first) = rows_of(&graph, set);
        let Some(first) = first else { continue };
        for navigation in set.navigations {
            // A navigation Graph serves on beta alone (`users/{id}/transitiveReports`) is asked
            // for there, after checking v1.0 does not know it.
            let below = format!("{}/{first}/{}", set.path, navigation.path);
            let segments: Vec<&str> = below.split('/').collect();
            let version = if sets::beta_only(&segments) {
                let (status, _) = client.json(&format!("/v1.0/{below}")).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{below} is beta only");
                "beta"
            } else {
                version_of(set)
            };
            let path = format!("/{version}/{below}");
            let (status, body) = client.json(&path).await;
            match navigation.target {
                // The first row may have no manager; Graph says so with a 404.
                Target::Single(_) => {
                    assert!(status == StatusCode::OK || status == StatusCode::NOT_FOUND, "{path}: {body}");
                }
                Target::References { .. } | Target::Contained { .. } => {
                    assert_eq!(status, StatusCode::OK, "{path}: {body}");
                    assert!(body["value"].is_array(), "{path}: {body}");
                }
                // An object (beta-only ones are asked for on beta, above).
                Target::Object { .. } => {
                    assert_eq!(status, StatusCode::OK, "{path}: {body}");
                    assert!(body.is_object() && body.get("value").is_none(), "{path}: {body}");
                }
            }
            if let Target::References { .. } = navigation.target {
                let (status, count) = send(
                    client.get(&format!("{path}/microsoft.graph.user/$count")).header("ConsistencyLevel", "eventual"),
                )
                .await;
                assert_eq!(status, StatusCode::OK, "{path}: type cast and /$count");
                assert!(count.is_u64(), "{path}: {count}");
            }
        }
        for action in set.actions {
            let path = if action.on_collection() {
                format!("/{}/{}/{}", version_of(set), set.path, action.name)
            } else {
                format!("/{}/{}/{first}/{}", version_of(set), set.path, action.name)
            };
            let (status, body) = client.json(&path).await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{path}: actions are POST only: {body}");
        }
    }
}

#[tokio::test]
async fn methods_a_set_does_not_accept_are_refused_with_405() {
    let graph = start().await;
    let client = Client::new(&graph);
    for set in sets::all() {
        let (_, first) = rows_of(&graph, set);
        let first = first.expect("a first row");
        let version = version_of(set);
        let item = format!("{}/{version}/{}/{first}", graph.base_url(), set.path);
        let collection = format!("{}/{version}/{}", graph.base_url(), set.path);
        let refused = [
            (!set.writes.update).then(|| client.http.patch(&item).json(&serde_json::json!({}))),
            (!set.writes.delete).then(|| client.http.delete(&item)),
            (!set.writes.create).then(|| client.http.post(&collection).json(&serde_json::json!({}))),
            Some(client.http.put(&item).json(&serde_json::json!({}))),
            Some(client.http.delete(&collection)),
        ];
        for request in refused.into_iter().flatten() {
            let (status, body) = send(request.bearer_auth("x")).await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{}: {body}", set.path);
            assert!(is_graph_error(&body), "{}: {body}", set.path);
        }
    }
    assert_eq!(graph.writes_applied(), 0);
}

#[tokio::test]
async fn pim_for_groups_instances_are_listed_only_for_one_principal_or_group() {
    let graph = start().await;
    let client = Client::new(&graph);
    let jordan = crate::demo::tenant::story::user_id("jordan");
    let helpdesk = crate::demo::tenant::story::group_id("Helpdesk Operators");
    for set in ["eligibilityScheduleInstances", "assignmentScheduleInstances"] {
        let path = format!("/v1.0/identityGovernance/privilegedAccess/group/{set}");
        let (status, body) = client.json(&path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(is_graph_error(&body), "{path}: {body}");
        let (status, body) = client.json(&format!("{path}?$filter=accessId%20eq%20'member'")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} filtered on accessId only: {body}");
        let (status, body) = client
            .json(&format!("{path}?$filter=groupId%20eq%20'{helpdesk}'&$expand=group($select=id,displayName)"))
            .await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let rows = body["value"].as_array().expect("a value array");
        assert!(!rows.is_empty(), "{path}: Helpdesk Operators is governed by PIM");
        assert!(rows.iter().all(|r| r["group"]["displayName"] == "Helpdesk Operators"), "{path}: {body}");
    }
    let path = format!(
        "/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances?$filter=principalId%20eq%20'{jordan}'%20and%20accessId%20eq%20'member'"
    );
    let (status, body) = client.json(&path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    assert_eq!(body["value"][0]["groupId"], helpdesk.as_str(), "{body}");
}

#[tokio::test]
async fn a_user_s_app_roles_consents_and_owned_objects_are_navigations() {
    let graph = start().await;
    let client = Client::new(&graph);
    let karita = crate::demo::tenant::story::karita_id();
    let (status, body) = client.json(&format!("/v1.0/users/{karita}/appRoleAssignments")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["value"]
            .as_array()
            .is_some_and(|v| v.iter().any(|a| a["resourceDisplayName"] == "Woodgrove Finance Portal")),
        "{body}"
    );
    let (status, body) = client.json(&format!("/v1.0/users/{karita}/oauth2PermissionGrants")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["value"][0]["consentType"], "Principal", "{body}");
    let tom = crate::demo::tenant::story::user_id("tom");
    let (status, body) =
        client.json(&format!("/v1.0/users/{tom}/ownedObjects?$select=id,displayName,isAssignableToRole")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let owned = body["value"].as_array().expect("a value array");
    assert!(
        owned.iter().any(|o| o["@odata.type"] == "#microsoft.graph.group" && o["displayName"] == "Helpdesk Operators"),
        "{body}"
    );
    assert!(owned.iter().any(|o| o["@odata.type"] == "#microsoft.graph.application"), "{body}");
}
