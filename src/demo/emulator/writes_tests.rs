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

    let old = graph.state().snapshot();
    let fresh = graph.state().regenerate().await.expect("a fresh tenant");
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
    let before = graph.state().snapshot();
    // Under beta, which serves every set (some only there).
    for set in sets::all() {
        // A set Graph lists only for one principal, group or policy scope is read for its
        // first row's.
        let scope = sets::scope_properties(set).and_then(|(properties, all)| {
            let row = set.rows(&before).first()?.item.json();
            let pinned = if all { properties } else { &properties[..1] };
            let clauses = pinned
                .iter()
                .map(|p| Some(format!("{p}%20eq%20'{}'", row.get(*p)?.as_str()?)))
                .collect::<Option<Vec<_>>>()?;
            Some(format!("$filter={}&", clauses.join("%20and%20")))
        });
        let (status, page) = client.json(&format!("/beta/{}?{}$top=5", set.path, scope.unwrap_or_default())).await;
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
    assert!(Arc::ptr_eq(&before, &graph.state().snapshot()), "no read replaced the tenant");
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

#[tokio::test]
async fn members_of_dynamic_and_exchange_managed_groups_are_not_graphs_to_change() {
    let graph = start().await;
    let client = Client::new(&graph);
    let karita = story::karita_id();
    let members = |group: &str| format!("/v1.0/groups/{}/members?$select=id&$top=999", story::group_id(group));
    for (group, status, code, member) in [
        ("Sales Team", StatusCode::FORBIDDEN, "Authorization_RequestDenied", story::user_id("alex")),
        ("Treasury Alerts", StatusCode::BAD_REQUEST, "Request_BadRequest", story::user_id("diego.alvarez")),
        ("Branch Managers", StatusCode::BAD_REQUEST, "Request_BadRequest", story::user_id("mei.lin")),
    ] {
        let id = story::group_id(group);
        let (_, before) = client.json(&members(group)).await;
        assert!(ids(&before).contains(&member), "{group}");
        let (got, error) = send(client.post(&format!("/v1.0/groups/{id}/members/$ref"), &odata_id(&karita))).await;
        assert_eq!((got, error["error"]["code"].as_str()), (status, Some(code)), "{group}: {error}");
        let (got, error) = send(client.delete(&format!("/v1.0/groups/{id}/members/{member}/$ref"))).await;
        assert_eq!((got, error["error"]["code"].as_str()), (status, Some(code)), "{group}: {error}");
        assert_eq!(client.json(&members(group)).await.1, before, "{group}: nothing changed");
    }
    assert_eq!(graph.writes_applied(), 0);
}

// ---------------------------------------------------------------------------------------------
// Actions bound to a collection: Identity Protection's verdicts on risky users, risky service
// principals and sign-ins.

fn risky_user_path(id: &str) -> String {
    format!("/v1.0/identityProtection/riskyUsers/{id}")
}

/// Level, state and detail, with the evolvable `riskDetail` members asked for.
async fn risk_of(client: &Client, path: &str) -> (Value, Value, Value) {
    let (status, item) = send(client.get(path).header("Prefer", "include-unknown-enum-members")).await;
    assert_eq!(status, StatusCode::OK, "{path}: {item}");
    (item["riskLevel"].clone(), item["riskState"].clone(), item["riskDetail"].clone())
}

#[tokio::test]
async fn dismissing_user_risk_clears_it_and_adds_history() {
    let graph = start().await;
    let client = Client::new(&graph);
    let nikolai = story::user_id("nikolai.ivanov");
    let (_, history_before) = client.json(&format!("{}/history", risky_user_path(&nikolai))).await;
    let items_before = ids(&history_before).len();
    assert_eq!(risk_of(&client, &risky_user_path(&nikolai)).await, (json!("medium"), json!("atRisk"), json!("none")));

    let body = json!({"userIds": [nikolai.to_uppercase(), nikolai]});
    let status = no_content(client.post("/v1.0/identityProtection/riskyUsers/dismiss", &body)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        risk_of(&client, &risky_user_path(&nikolai)).await,
        (json!("none"), json!("dismissed"), json!("adminDismissedAllRiskForUser"))
    );
    let (_, history) = client.json(&format!("{}/history", risky_user_path(&nikolai))).await;
    let items = history["value"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), items_before + 1, "one history item for the one user, named twice");
    let last = items.last().cloned().unwrap_or_default();
    assert_eq!(last["riskState"], "dismissed");
    assert_eq!(last["initiatedBy"], crate::demo::persona_object_id().as_str(), "the caller made the change");
    // The user's open detections are dismissed with them, and lists filter on the new state.
    let (_, detections) = client
        .json(&format!("/v1.0/identityProtection/riskDetections?$filter=userId%20eq%20'{nikolai}'&$select=riskState"))
        .await;
    assert!(
        detections["value"]
            .as_array()
            .is_some_and(|d| !d.is_empty() && d.iter().all(|d| d["riskState"] == "dismissed"))
    );
    let (_, dismissed) =
        client.json("/v1.0/identityProtection/riskyUsers?$filter=riskState%20eq%20'dismissed'&$select=id").await;
    assert!(ids(&dismissed).contains(&nikolai));
    assert_eq!(graph.writes_applied(), 1);
}

#[tokio::test]
async fn confirming_users_compromised_or_safe_moves_their_risk() {
    let graph = start().await;
    let client = Client::new(&graph);
    let karita = story::karita_id();
    let lucia = story::guest_id("lucia.romero");
    let lily = story::user_id("lily.foster");
    let (status, _) = client.json(&risky_user_path(&lily)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "Lily was never flagged");

    let path = "/v1.0/identityProtection/riskyUsers/confirmCompromised";
    assert_eq!(no_content(client.post(path, &json!({"userIds": [karita, lily]}))).await, StatusCode::NO_CONTENT);
    for id in [&karita, &lily] {
        assert_eq!(
            risk_of(&client, &risky_user_path(id)).await,
            (json!("high"), json!("confirmedCompromised"), json!("adminConfirmedUserCompromised"))
        );
    }
    let (_, lily_record) = client.json(&risky_user_path(&lily)).await;
    assert_eq!(lily_record["userPrincipalName"], "lily.foster@woodgrovebank.com");
    let (_, confirmed) = client
        .json(&format!(
            "/v1.0/identityProtection/riskDetections?$filter=userId%20eq%20'{karita}'%20and%20riskEventType%20eq%20'adminConfirmedUserCompromised'"
        ))
        .await;
    assert_eq!(ids(&confirmed).len(), 1, "{confirmed}");

    let path = "/v1.0/identityProtection/riskyUsers/confirmSafe";
    assert_eq!(no_content(client.post(path, &json!({"userIds": [lucia]}))).await, StatusCode::NO_CONTENT);
    assert_eq!(
        risk_of(&client, &risky_user_path(&lucia)).await,
        (json!("none"), json!("confirmedSafe"), json!("adminConfirmedAccountSafe"))
    );
    // A member added after `unknownFutureValue` needs the Prefer header to be named.
    let (_, plain) = client.json(&risky_user_path(&lucia)).await;
    assert_eq!(plain["riskDetail"], "unknownFutureValue");
    assert_eq!(graph.writes_applied(), 2);
}

#[tokio::test]
async fn collection_action_bodies_graph_refuses_change_nothing() {
    let graph = start().await;
    let client = Client::new(&graph);
    let karita = story::karita_id();
    let before = risk_of(&client, &risky_user_path(&karita)).await;
    let many: Vec<String> = (0..61).map(|n| format!("00000000-0000-0000-0000-{n:012}")).collect();
    let path = "/v1.0/identityProtection/riskyUsers/dismiss";
    let cases = [
        (json!({}), "'userIds' is required"),
        (json!({"userIds": karita}), "'userIds' is required"),
        (json!({"userIds": []}), "between 1 and 60"),
        (json!({"userIds": many}), "between 1 and 60"),
        (json!({"userIds": ["karita@woodgrovebank.com"]}), "Invalid id 'karita@woodgrovebank.com'"),
        (json!({"userIds": [42]}), "Invalid id '42'"),
        (json!({"userIds": [karita], "reason": "fine"}), "'reason' in the request payload is not a valid parameter"),
    ];
    for (body, message) in cases {
        let (status, error) = send(client.post(path, &body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error["error"]["code"], "BadRequest", "{body}");
        assert!(error["error"]["message"].as_str().is_some_and(|m| m.contains(message)), "{body}: {error}");
    }
    // Only POST; the action is the set's, not an item's.
    let (status, _) = client.json(path).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, _) =
        send(client.post(&format!("{}/dismiss", risky_user_path(&karita)), &json!({"userIds": [karita]}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(risk_of(&client, &risky_user_path(&karita)).await, before);
    assert_eq!(graph.writes_applied(), 0);

    // Ids that name no risky user are passed over, as Graph does.
    let nobody = json!({"userIds": ["00000000-0000-0000-0000-000000000001"]});
    assert_eq!(no_content(client.post(path, &nobody)).await, StatusCode::NO_CONTENT);
    let (status, _) = client.json(&risky_user_path("00000000-0000-0000-0000-000000000001")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(risk_of(&client, &risky_user_path(&karita)).await, before);
}

#[tokio::test]
async fn risky_service_principals_are_dismissed_or_confirmed_compromised() {
    let graph = start().await;
    let client = Client::new(&graph);
    let fabrikam = story::service_principal_id("Fabrikam Expense Sync");
    let payroll = story::service_principal_id("Payroll Sync");
    let item = |id: &str| format!("/v1.0/identityProtection/riskyServicePrincipals/{id}");
    assert_eq!(risk_of(&client, &item(&fabrikam)).await, (json!("high"), json!("atRisk"), json!("none")));
    let (_, detections) = client
        .json(&format!(
            "/v1.0/identityProtection/servicePrincipalRiskDetections?$filter=servicePrincipalId%20eq%20'{fabrikam}'"
        ))
        .await;
    assert_eq!(ids(&detections).len(), 3, "{detections}");

    let confirm = "/v1.0/identityProtection/riskyServicePrincipals/confirmCompromised";
    assert_eq!(
        no_content(client.post(confirm, &json!({"servicePrincipalIds": [fabrikam]}))).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        risk_of(&client, &item(&fabrikam)).await,
        (json!("high"), json!("confirmedCompromised"), json!("adminConfirmedServicePrincipalCompromised"))
    );
    let (_, history) = client.json(&format!("{}/history", item(&fabrikam))).await;
    let last = history["value"].as_array().and_then(|h| h.last().cloned()).unwrap_or_default();
    assert_eq!(last["riskState"], "confirmedCompromised");
    assert_eq!(last["initiatedBy"], crate::demo::persona_object_id().as_str());

    let dismiss = "/v1.0/identityProtection/riskyServicePrincipals/dismiss";
    assert_eq!(
        no_content(client.post(dismiss, &json!({"servicePrincipalIds": [payroll]}))).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        risk_of(&client, &item(&payroll)).await,
        (json!("none"), json!("dismissed"), json!("adminDismissedAllRiskForServicePrincipal"))
    );
    let (status, error) = send(client.post(dismiss, &json!({"userIds": [payroll]}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(graph.writes_applied(), 2);
}

#[tokio::test]
async fn sign_ins_confirmed_safe_or_compromised_keep_the_verdict() {
    let graph = start().await;
    let client = Client::new(&graph);
    let tor = story::karita_tor_sign_in_id();
    let imap = story::karita_sign_in_id("imap-4");
    let sign_in = |id: &str| format!("/v1.0/auditLogs/signIns/{id}");
    let (_, before) = client.json(&sign_in(&tor)).await;
    assert_eq!(before["riskState"], "atRisk");

    let path = "/v1.0/auditLogs/signIns/confirmCompromised";
    assert_eq!(no_content(client.post(path, &json!({"requestIds": [tor]}))).await, StatusCode::NO_CONTENT);
    let (_, after) = client.json(&sign_in(&tor)).await;
    assert_eq!(after["riskState"], "confirmedCompromised");
    assert_eq!(after["riskDetail"], "adminConfirmedSigninCompromised");
    assert_eq!(after["riskLevelAggregated"], "high");
    assert_eq!(after["appDisplayName"], before["appDisplayName"], "the rest of the record is as generated");
    let karita = story::karita_id();
    assert_eq!(
        risk_of(&client, &risky_user_path(&karita)).await,
        (json!("high"), json!("confirmedCompromised"), json!("adminConfirmedSigninCompromised"))
    );

    let path = "/v1.0/auditLogs/signIns/confirmSafe";
    assert_eq!(no_content(client.post(path, &json!({"requestIds": [imap]}))).await, StatusCode::NO_CONTENT);
    let (_, safe) = client.json(&sign_in(&imap)).await;
    assert_eq!(safe["riskState"], "confirmedSafe");
    // Filters see the verdict too.
    let filter =
        format!("/v1.0/auditLogs/signIns?$filter=userId%20eq%20'{karita}'%20and%20riskState%20eq%20'confirmedSafe'");
    assert_eq!(ids(&client.json(&filter).await.1), vec![imap.clone()]);
    let (status, _) = send(client.post(path, &json!({"requestIds": ["not-a-guid"]}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(graph.writes_applied(), 2);
}

#[tokio::test]
async fn collection_actions_survive_re_anchoring() {
    let graph = start().await;
    let client = Client::new(&graph);
    let nikolai = story::user_id("nikolai.ivanov");
    let fabrikam = story::service_principal_id("Fabrikam Expense Sync");
    let tor = story::karita_tor_sign_in_id();
    let posts = [
        ("/v1.0/identityProtection/riskyUsers/dismiss", json!({"userIds": [nikolai]})),
        ("/v1.0/identityProtection/riskyServicePrincipals/dismiss", json!({"servicePrincipalIds": [fabrikam]})),
        ("/v1.0/auditLogs/signIns/confirmSafe", json!({"requestIds": [tor]})),
    ];
    for (path, body) in &posts {
        assert_eq!(no_content(client.post(path, body)).await, StatusCode::NO_CONTENT, "{path}");
    }
    let reads = [
        risky_user_path(&nikolai),
        format!("{}/history", risky_user_path(&nikolai)),
        format!("/v1.0/identityProtection/riskyServicePrincipals/{fabrikam}"),
        format!("/v1.0/identityProtection/riskyServicePrincipals/{fabrikam}/history"),
        format!("/v1.0/auditLogs/signIns/{tor}?$select=riskState,riskDetail"),
    ];
    let mut before = Vec::new();
    for path in &reads {
        before.push(client.json(path).await.1);
    }
    graph.state().regenerate().await.expect("a fresh tenant");
    for (path, expected) in reads.iter().zip(&before) {
        assert_eq!(&client.json(path).await.1, expected, "{path}");
    }
    assert_eq!(before[4]["riskState"], "confirmedSafe");
    assert_eq!(graph.writes_applied(), 3);
}

/// Graph keeps every condition a policy PATCH leaves out: only `conditions.users` changes.
#[tokio::test]
async fn a_policy_patch_merges_into_its_conditions() {
    let graph = start().await;
    let client = Client::new(&graph);
    let path = format!("/v1.0/identity/conditionalAccess/policies/{}", story::ca_policy_id("CA009"));
    let (_, before) = client.json(&path).await;
    let mut users = before["conditions"]["users"].clone();
    users["excludeUsers"] = json!([story::user_id("breakglass01"), story::user_id("breakglass02"), story::karita_id()]);
    let status = no_content(client.patch(&path, &json!({"conditions": {"users": users}}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, after) = client.json(&path).await;
    assert_eq!(after["conditions"]["users"]["excludeUsers"].as_array().map(Vec::len), Some(3));
    assert_eq!(after["conditions"]["applications"], before["conditions"]["applications"], "apps are kept");
    assert_eq!(after["sessionControls"], before["sessionControls"]);
    assert_eq!(after["state"], "enabledForReportingButNotEnforced");
    assert_ne!(after["modifiedDateTime"], before["modifiedDateTime"]);
}
