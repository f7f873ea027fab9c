//! Writes end to end over HTTP: each one is made, then read back with plain Graph GETs.

use std::sync::Arc;

use chrono::DateTime;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::sets;
use super::tests::{Client, ids, send, start};
use crate::demo::tenant::story;
use crate::demo::{DemoGraph, Fault, FaultRule};

impl Client {
    fn patch(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.http.patch(format!("{}{path}", self.base)).bearer_auth("x").json(body)
    }

    fn post(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.http.post(format!("{}{path}", self.base)).bearer_auth("x").json(body)
    }

    fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.delete(format!("{}{path}", self.base)).bearer_auth("x")
    }
}

/// Sends a write that answers without a body.
async fn no_content(request: reqwest::RequestBuilder) -> StatusCode {
    let response = request.send().await.expect("response");
    let status = response.status();
    if status == StatusCode::NO_CONTENT {
        assert!(response.headers().contains_key("request-id"));
        assert!(response.bytes().await.expect("body").is_empty());
    }
    status
}

fn karita_path() -> String {
    format!("/v1.0/users/{}", story::karita_id())
}

fn incident_response() -> String {
    story::group_id("Incident Response Team")
}

fn odata_id(id: &str) -> Value {
    json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}")})
}

#[tokio::test]
async fn patch_account_enabled_is_read_back() {
    let graph = start().await;
    let client = Client::new(&graph);
    let select = format!("{}?$select=accountEnabled,displayName", karita_path());
    let (_, before) = client.json(&select).await;
    assert_eq!(before["accountEnabled"], true);

    let status = no_content(client.patch(&karita_path(), &json!({"accountEnabled": false}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, after) = client.json(&select).await;
    assert_eq!(after["accountEnabled"], false);
    assert_eq!(after["displayName"], "Karita Ahlberg", "other properties are left alone");
    // By user principal name too, and in filtered lists.
    let (_, by_upn) = client.json("/v1.0/users/karita@woodgrovebank.com?$select=accountEnabled").await;
    assert_eq!(by_upn["accountEnabled"], false);
    let (_, disabled) =
        client.eventual("/v1.0/users?$filter=accountEnabled%20eq%20false&$count=true&$select=id&$top=999").await;
    assert!(ids(&disabled).contains(&story::karita_id()));
    assert_eq!(graph.writes_applied(), 1);
}

#[tokio::test]
async fn patches_graph_refuses_change_nothing() {
    let graph = start().await;
    let client = Client::new(&graph);
    let select = format!("{}?$select=accountEnabled,department,createdDateTime", karita_path());
    let (_, before) = client.json(&select).await;

    let cases = [
        (
            json!({"department": "Risk", "shoeSize": 42}),
            "Property 'shoeSize' does not exist on type 'microsoft.graph.user'.",
        ),
        (json!({"id": "00000000-0000-0000-0000-000000000001"}), "Property 'id' is read-only and cannot be set."),
        (
            json!({"createdDateTime": "2020-01-01T00:00:00Z"}),
            "Property 'createdDateTime' is read-only and cannot be set.",
        ),
        (json!({"accountEnabled": "no"}), "Cannot convert the literal 'no' to the expected type 'Edm.Boolean'."),
        (json!({"department": true}), "Cannot convert the literal 'true' to the expected type 'Edm.String'."),
    ];
    for (body, message) in cases {
        let (status, error) = send(client.patch(&karita_path(), &body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error["error"]["code"], "Request_BadRequest", "{body}");
        assert_eq!(error["error"]["message"], message, "{body}");
    }
    let (status, error) = send(
        client
            .http
            .patch(format!("{}{}", client.base, karita_path()))
            .bearer_auth("x")
            .header("Content-Type", "application/json")
            .body("[1]"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let (status, _) = send(client.patch("/v1.0/users/00000000-0000-0000-0000-000000000001", &json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, after) = client.json(&select).await;
    assert_eq!(before, after);
    assert_eq!(graph.writes_applied(), 0);
}

#[tokio::test]
async fn revoke_sign_in_sessions_moves_the_valid_from_time() {
    let graph = start().await;
    let client = Client::new(&graph);
    let select = format!("{}?$select=signInSessionsValidFromDateTime", karita_path());
    let (_, before) = client.json(&select).await;
    let before = before["signInSessionsValidFromDateTime"].as_str().expect("a valid-from time").to_string();

    let (status, answer) = send(client.post(&format!("{}/revokeSignInSessions", karita_path()), &json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer,
        json!({"@odata.context": format!("{}/v1.0/$metadata#Edm.Boolean", graph.base_url()), "value": true})
    );
    let (_, after) = client.json(&select).await;
    let after = after["signInSessionsValidFromDateTime"].as_str().expect("a valid-from time").to_string();
    let parse = |t: &str| DateTime::parse_from_rfc3339(t).expect("RFC 3339").to_utc();
    assert!(parse(&after) > parse(&before), "{before} → {after}");
    assert!(after.ends_with('Z') && !after.contains('.'), "printed as the tenant prints instants: {after}");
    // The pinned anchor is 2026-11-20T12:00:00Z; the emulator's clock starts there.
    assert!(after.starts_with("2026-11-20T12:0"), "{after}");
}

#[tokio::test]
async fn member_refs_are_added_and_removed_in_every_view() {
    let graph = start().await;
    let client = Client::new(&graph);
    let group = incident_response();
    let karita = story::karita_id();
    let members = format!("/v1.0/groups/{group}/members?$select=id&$top=999");
    let member_of = format!("/v1.0/users/{karita}/memberOf?$select=id&$top=999");
    let transitive = format!("/v1.0/users/{karita}/transitiveMemberOf?$select=id&$top=999");
    let (_, listed) = client.json(&members).await;
    assert!(!ids(&listed).contains(&karita));
    let count = |graph: &DemoGraph| {
        let client = Client::new(graph);
        let path = format!("/v1.0/groups/{group}/members/$count");
        async move { send(client.get(&path).header("ConsistencyLevel", "eventual")).await.1 }
    };
    let count_before = count(&graph).await.as_u64().expect("a count");

    let add = format!("/v1.0/groups/{group}/members/$ref");
    assert_eq!(no_content(client.post(&add, &odata_id(&karita))).await, StatusCode::NO_CONTENT);
    assert!(ids(&client.json(&members).await.1).contains(&karita));
    assert!(ids(&client.json(&member_of).await.1).contains(&group));
    assert!(ids(&client.json(&transitive).await.1).contains(&group));
    assert_eq!(count(&graph).await.as_u64(), Some(count_before + 1));
    let check =
        send(client.post(&format!("/v1.0/users/{karita}/checkMemberGroups"), &json!({"groupIds": [group]}))).await;
    assert_eq!(check.1["value"], json!([group]));

    let (status, error) = send(client.post(&add, &odata_id(&karita))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error["error"]["message"],
        "One or more added object references already exist for the following modified properties: 'members'."
    );
    let (status, error) = send(client.post(&add, &odata_id("00000000-0000-0000-0000-000000000001"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{error}");
    assert_eq!(error["error"]["code"], "Request_ResourceNotFound");
    let (status, _) = send(client.post(&add, &json!({"id": karita}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the body must carry @odata.id");

    let remove = format!("/v1.0/groups/{group}/members/{karita}/$ref");
    assert_eq!(no_content(client.delete(&remove)).await, StatusCode::NO_CONTENT);
    assert!(!ids(&client.json(&members).await.1).contains(&karita));
    assert!(!ids(&client.json(&member_of).await.1).contains(&group));
    assert_eq!(count(&graph).await.as_u64(), Some(count_before));

    let (status, error) = send(client.delete(&remove)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not a member any more");
    assert_eq!(error["error"]["code"], "Request_ResourceNotFound");
    // Relationships without $ref writes refuse them.
    let (status, _) = send(client.post(&format!("/v1.0/users/{karita}/memberOf/$ref"), &odata_id(&group))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(graph.writes_applied(), 2);
}

#[tokio::test]
async fn created_objects_can_be_read_and_deleted_into_the_recycle_bin() {
    let graph = start().await;
    let client = Client::new(&graph);
    let user = json!({
        "accountEnabled": true,
        "displayName": "Ada Quinn",
        "mailNickname": "ada.quinn",
        "userPrincipalName": "ada.quinn@woodgrovebank.com",
        "department": "Treasury",
        "passwordProfile": {"forceChangePasswordNextSignIn": true, "password": "x"},
    });
    let (status, created) = send(client.post("/v1.0/users", &user)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().expect("an id").to_string();
    assert_eq!(id, crate::demo::tenant::created_object_id(0), "ids are deterministic");
    assert_eq!(created["@odata.context"], format!("{}/v1.0/$metadata#users/$entity", graph.base_url()));
    assert_eq!(created["displayName"], "Ada Quinn");

    let (status, read) =
        client.json("/v1.0/users/ada.quinn@woodgrovebank.com?$select=department,createdDateTime").await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["id"], id.as_str());
    assert_eq!(read["department"], "Treasury");
    assert!(read["createdDateTime"].is_string());
    // beta returns every stored property: the password was never stored.
    let (_, everything) = client.json(&format!("/beta/users/{id}")).await;
    assert_eq!(everything["mailNickname"], "ada.quinn");
    assert!(everything.get("passwordProfile").is_none(), "{everything}");

    let mut missing = user.clone();
    if let Some(fields) = missing.as_object_mut() {
        fields.remove("passwordProfile");
    }
    let (status, error) = send(client.post("/v1.0/users", &missing)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["message"], "Invalid value specified for property 'passwordProfile' of resource 'User'.");

    assert_eq!(no_content(client.delete(&format!("/v1.0/users/{id}"))).await, StatusCode::NO_CONTENT);
    let (status, _) = client.json(&format!("/v1.0/users/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, deleted) = client.json(&format!("/v1.0/directory/deletedItems/{id}?$select=deletedDateTime")).await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert!(deleted["deletedDateTime"].is_string());
    let (status, _) = send(client.delete(&format!("/v1.0/users/{id}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A deleted member leaves its groups.
    let group = incident_response();
    let karita = story::karita_id();
    let (_, policy) = send(client.post(
        "/v1.0/identity/conditionalAccess/namedLocations",
        &json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Lisbon office", "isTrusted": true}),
    ))
    .await;
    let location = policy["id"].as_str().expect("an id").to_string();
    assert_eq!(policy["createdDateTime"], policy["modifiedDateTime"]);
    let (_, read) = client.json(&format!("/v1.0/identity/conditionalAccess/namedLocations/{location}")).await;
    assert_eq!(read["displayName"], "Lisbon office");
    assert_eq!(
        no_content(client.post(&format!("/v1.0/groups/{group}/members/$ref"), &odata_id(&karita))).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(no_content(client.delete(&format!("/v1.0/groups/{group}"))).await, StatusCode::NO_CONTENT);
    let (_, member_of) = client.json(&format!("/v1.0/users/{karita}/memberOf?$select=id&$top=999")).await;
    assert!(!ids(&member_of).contains(&group));
}

#[tokio::test]
async fn writes_survive_re_anchoring() {
    let graph = start().await;
    let client = Client::new(&graph);
    let group = incident_response();
    let karita = story::karita_id();
    assert_eq!(
        no_content(client.patch(&karita_path(), &json!({"jobTitle": "Treasury Analyst"}))).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        no_content(client.post(&format!("/v1.0/groups/{group}/members/$ref"), &odata_id(&karita))).await,
        StatusCode::NO_CONTENT
    );
    let (_, revoked) = send(client.post(&format!("{}/revokeSignInSessions", karita_path()), &json!({}))).await;
    assert_eq!(revoked["value"], true);
    let select = format!("{}?$select=jobTitle,signInSessionsValidFromDateTime", karita_path());
    let (_, before) = client.json(&select).await;

    let old = graph.state.snapshot();
    let fresh = graph.state.regenerate().await.expect("a fresh tenant");
    assert!(!Arc::ptr_eq(&old, &fresh), "the tenant was built again");
    let (_, after) = client.json(&select).await;
    assert_eq!(after, before);
    assert_eq!(after["jobTitle"], "Treasury Analyst");
    let (_, members) = client.json(&format!("/v1.0/groups/{group}/members?$select=id&$top=999")).await;
    assert!(ids(&members).contains(&karita));
    assert_eq!(graph.writes_applied(), 3);
}

#[tokio::test]
async fn reads_never_change_the_tenant() {
    let graph = start().await;
    let client = Client::new(&graph);
    let before = graph.state.snapshot();
    // Under beta, which serves every set (some only there).
    for set in sets::all() {
        let (status, page) = client.json(&format!("/beta/{}?$top=5", set.path)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for id in ids(&page) {
            client.json(&format!("/beta/{}/{id}", set.path)).await;
        }
    }
    client.json(&format!("{}/revokeSignInSessions", karita_path())).await;
    client.json(&format!("/v1.0/groups/{}/members/$ref", incident_response())).await;
    let check = format!("{}/checkMemberGroups", karita_path());
    let (status, _) = send(client.post(&check, &json!({"groupIds": [incident_response()]}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(graph.writes_applied(), 0);
    assert!(Arc::ptr_eq(&before, &graph.state.snapshot()), "no read replaced the tenant");
}

#[tokio::test]
async fn a_faulted_write_is_not_applied() {
    let graph = start().await;
    let client = Client::new(&graph);
    for fault in [Fault::ServiceUnavailable, Fault::Throttle { retry_after: Some(1) }, Fault::MalformedJson] {
        graph.faults().push(FaultRule::new(fault).on_path("/users/"));
        let response = client.patch(&karita_path(), &json!({"accountEnabled": false})).send().await.expect("response");
        assert_ne!(response.status(), StatusCode::NO_CONTENT);
    }
    graph.faults().push(FaultRule::new(Fault::Reset).on_path("/revokeSignInSessions"));
    // The connection drops before any body: whatever the client makes of it, nothing changed.
    let reset = async {
        let response = client.post(&format!("{}/revokeSignInSessions", karita_path()), &json!({})).send().await?;
        response.bytes().await
    };
    assert!(reset.await.is_err());
    let (_, karita) = client.json(&format!("{}?$select=accountEnabled", karita_path())).await;
    assert_eq!(karita["accountEnabled"], true);
    assert_eq!(graph.writes_applied(), 0);
    // A delayed request is answered normally, so its write is applied.
    graph.faults().push(FaultRule::new(Fault::Delay { ms: 10 }).on_path("/users/"));
    assert_eq!(
        no_content(client.patch(&karita_path(), &json!({"accountEnabled": false}))).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(graph.writes_applied(), 1);
}
