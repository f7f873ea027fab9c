//! The emulator over real HTTP on 127.0.0.1, driven by reqwest as the Graph client would.

use std::collections::HashSet;

use chrono::DateTime;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::demo::tenant::story;
use crate::demo::{DemoGraph, DemoOptions, Fault, FaultRule};

pub(super) async fn start() -> DemoGraph {
    let now = DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z").expect("valid time").to_utc();
    DemoGraph::start(DemoOptions { now: Some(now), ..DemoOptions::default() }).await.expect("emulator starts")
}

pub(super) struct Client {
    pub(super) http: reqwest::Client,
    pub(super) base: String,
}

impl Client {
    pub(super) fn new(graph: &DemoGraph) -> Client {
        Client { http: reqwest::Client::new(), base: graph.base_url() }
    }

    pub(super) fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(format!("{}{path}", self.base)).bearer_auth(format!("demo:{}", crate::demo::persona_object_id()))
    }

    pub(super) async fn json(&self, path: &str) -> (StatusCode, Value) {
        send(self.get(path)).await
    }

    pub(super) async fn eventual(&self, path: &str) -> (StatusCode, Value) {
        send(self.get(path).header("ConsistencyLevel", "eventual")).await
    }
}

pub(super) async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("response");
    let status = response.status();
    let body = response.json::<Value>().await.expect("JSON body");
    (status, body)
}

pub(super) fn ids(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v["id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn select_returns_only_the_listed_properties_and_id() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (status, karita) =
        client.json(&format!("/v1.0/users/{}?$select=displayName,department", story::karita_id())).await;
    assert_eq!(status, StatusCode::OK);
    let mut keys: Vec<&str> = karita.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(keys, ["@odata.context", "department", "displayName", "id"]);
    assert_eq!(karita["department"], "Finance");

    // Without $select, v1.0 returns the default set, never signInActivity.
    let (_, default) = client.json(&format!("/v1.0/users/{}", story::karita_id())).await;
    assert!(default.get("userPrincipalName").is_some());
    assert!(default.get("department").is_none());
    assert!(default.get("signInActivity").is_none());

    let (status, error) = client.json("/v1.0/users?$select=displayName,shoeSize").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"]["message"].as_str().unwrap_or_default().contains("shoeSize"));
}

#[tokio::test]
async fn upns_with_ext_and_apostrophes_work_end_to_end() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (status, guest) = client
        .json("/v1.0/users/lucia.romero_fabrikampartners.com%23EXT%23%40woodgrovebank.onmicrosoft.com?$select=userType,externalUserState")
        .await;
    assert_eq!(status, StatusCode::OK, "{guest}");
    assert_eq!(guest["userType"], "Guest");
    let (status, page) = client.json("/v1.0/users?$filter=surname%20eq%20'O''Brien'&$select=displayName").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["value"][0]["displayName"], "Siobhan O'Brien");
    let (_, me) = client.json("/v1.0/me?$select=displayName").await;
    assert_eq!(me["displayName"], "Jordan Reyes");
}

#[tokio::test]
async fn filter_with_any_on_applied_policies_finds_the_tor_sign_in() {
    let graph = start().await;
    let client = Client::new(&graph);
    let ca004 = story::ca_policy_id("CA004");
    let filter = format!("appliedConditionalAccessPolicies/any(p:p/id eq '{ca004}' and p/result eq 'failure')");
    let url = format!("/v1.0/auditLogs/signIns?$filter={}", urlencode(&filter));
    let (status, page) = client.json(&url).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(ids(&page), [story::karita_tor_sign_in_id()]);
    assert_eq!(page["value"][0]["status"]["errorCode"], 53003);

    // A property outside the allow-list is refused like Graph refuses it.
    let (status, error) = client.json("/v1.0/auditLogs/signIns?$filter=mfaDetail/authMethod%20eq%20'x'").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"]["message"].as_str().unwrap_or_default().contains("mfaDetail/authMethod"));
}

pub(super) fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn paging_with_next_link_returns_every_item_exactly_once() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (_, counted) = client.eventual("/v1.0/users?$count=true&$top=1&$select=id").await;
    let total = counted["@odata.count"].as_u64().expect("count") as usize;
    let mut seen = HashSet::new();
    let mut next = Some(format!("{}/v1.0/users?$top=7&$select=id,displayName", graph.base_url()));
    let mut pages = 0;
    while let Some(url) = next {
        let (status, page) = send(client.http.get(&url).bearer_auth("anything")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for id in ids(&page) {
            assert!(seen.insert(id), "an item came twice");
        }
        next = page["@odata.nextLink"].as_str().map(str::to_string);
        if let Some(link) = &next {
            assert!(link.contains("$top=7") && link.contains("$select=id,displayName") && link.contains("$skiptoken="));
        }
        pages += 1;
    }
    assert_eq!(seen.len(), total);
    assert_eq!(pages, total.div_ceil(7));
}

#[tokio::test]
async fn consistency_level_is_demanded_where_graph_demands_it() {
    let graph = start().await;
    let client = Client::new(&graph);
    let response = client.get("/v1.0/users/$count").send().await.expect("response");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["message"], "Count is not currently supported.");

    let count = client
        .get("/v1.0/users/$count?$filter=userType%20eq%20'Guest'")
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .expect("response");
    assert_eq!(count.status(), StatusCode::OK);
    assert!(count.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap_or_default().starts_with("text/plain"));
    assert_eq!(count.text().await.expect("text"), "25");

    for path in [
        "/v1.0/users?$search=%22displayName:kar%22",
        "/v1.0/users?$filter=accountEnabled%20ne%20true",
        "/v1.0/users?$count=true",
        "/v1.0/groups?$filter=owners/$count%20eq%200&$count=true",
    ] {
        let (status, body) = client.json(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(body["error"]["code"], "Request_UnsupportedQuery", "{path}");
    }
    let (status, page) = client.eventual("/v1.0/users?$search=%22displayName:kar%22&$select=displayName").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["value"][0]["displayName"], "Karita Ahlberg");
    let (status, page) =
        client.eventual("/v1.0/groups?$filter=owners/$count%20eq%200&$count=true&$select=displayName").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["@odata.count"], 3);
    // Audit logs never need it.
    let (status, _) = client.json("/v1.0/auditLogs/directoryAudits?$filter=result%20ne%20'success'").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_or_unsupported_query_options_are_refused() {
    let graph = start().await;
    let client = Client::new(&graph);
    for path in [
        "/v1.0/users?$skip=5",
        "/v1.0/users?foo=bar",
        "/v1.0/users?$top=1000",
        "/v1.0/users?$top=ten",
        "/v1.0/auditLogs/signIns?$top=1001",
        "/v1.0/auditLogs/signIns?$orderby=userDisplayName",
        "/v1.0/auditLogs/signIns?$search=%22userDisplayName:kar%22",
        "/v1.0/users?$expand=department",
    ] {
        let (status, body) = client.json(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(body["error"]["message"].is_string());
    }
}

#[tokio::test]
async fn not_found_errors_have_graphs_shape_and_request_ids() {
    let graph = start().await;
    let client = Client::new(&graph);
    let missing = "00000000-0000-0000-0000-000000000001";
    let response = client
        .get(&format!("/v1.0/users/{missing}"))
        .header("client-request-id", "11111111-2222-3333-4444-555555555555")
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let request_id = response.headers()["request-id"].to_str().unwrap_or_default().to_string();
    let body: Value = response.json().await.expect("JSON");
    let error = &body["error"];
    assert_eq!(error["code"], "Request_ResourceNotFound");
    assert_eq!(
        error["message"],
        format!(
            "Resource '{missing}' does not exist or one of its queried reference-property objects are not present."
        )
    );
    assert_eq!(error["innerError"]["request-id"], request_id.as_str());
    assert_eq!(error["innerError"]["client-request-id"], "11111111-2222-3333-4444-555555555555");
    assert!(DateTime::parse_from_rfc3339(error["innerError"]["date"].as_str().unwrap_or_default()).is_ok());

    let (status, body) = client.json("/v1.0/nonsense").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"]["code"].is_string());
    let unauthenticated =
        reqwest::Client::new().get(format!("{}/v1.0/users", graph.base_url())).send().await.expect("response");
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    let body: Value = unauthenticated.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    let wrong_method =
        client.http.delete(format!("{}/v1.0/users", graph.base_url())).bearer_auth("x").send().await.expect("response");
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    // Successes carry a request id too.
    let ok = client.get("/v1.0/me").send().await.expect("response");
    assert!(ok.headers().contains_key("request-id"));
}

#[tokio::test]
async fn report_only_results_need_prefer() {
    let graph = start().await;
    let client = Client::new(&graph);
    let imap = story::karita_sign_in_id("imap-1");
    let ca002 = story::ca_policy_id("CA002");
    let result = |sign_in: &Value| -> String {
        sign_in["appliedConditionalAccessPolicies"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["id"] == ca002.as_str()))
            .and_then(|p| p["result"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let (_, plain) = client.json(&format!("/v1.0/auditLogs/signIns/{imap}")).await;
    assert_eq!(result(&plain), "unknownFutureValue");
    let (_, preferred) =
        send(client.get(&format!("/v1.0/auditLogs/signIns/{imap}")).header("Prefer", "include-unknown-enum-members"))
            .await;
    assert_eq!(result(&preferred), "reportOnlyFailure");
}

#[tokio::test]
async fn injected_faults_behave_like_graph_and_the_network() {
    let graph = start().await;
    let client = Client::new(&graph);
    graph.faults().push(FaultRule::new(Fault::Throttle { retry_after: Some(2) }).on_path("/users"));
    let throttled = client.get("/v1.0/users").send().await.expect("response");
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers()["retry-after"], "2");
    let body: Value = throttled.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "TooManyRequests");
    let (status, _) = client.json("/v1.0/users").await;
    assert_eq!(status, StatusCode::OK, "the rule is used up");

    // Over HTTP too, when the emulator was started to allow it.
    let refused = reqwest::Client::new()
        .post(format!("{}/_emulator/faults", graph.base_url()))
        .header("Content-Type", "application/json")
        .body("[]")
        .send()
        .await
        .expect("response");
    assert_eq!(refused.status(), StatusCode::NOT_FOUND, "control is off unless asked for");
    let now = DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z").expect("valid time").to_utc();
    let graph = DemoGraph::start(DemoOptions { now: Some(now), control: true, ..DemoOptions::default() })
        .await
        .expect("emulator starts");
    let client = Client::new(&graph);
    let control = reqwest::Client::new()
        .post(format!("{}/_emulator/faults", graph.base_url()))
        .header("Content-Type", "application/json")
        .body(r#"[{"path_contains": "signIns", "fault": 503}, {"path_contains": "riskyUsers", "fault": "reset"}]"#)
        .send()
        .await
        .expect("response");
    assert_eq!(control.status(), StatusCode::NO_CONTENT);
    let (status, _) = client.json("/v1.0/auditLogs/signIns?$top=1").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let reset = async {
        let response = client.get("/v1.0/identityProtection/riskyUsers").send().await?;
        response.bytes().await
    };
    assert!(reset.await.is_err(), "the connection is dropped");
    let before = graph.request_count();
    let (status, _) = client.json("/v1.0/identityProtection/riskyUsers").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(graph.request_count(), before + 1);
}

#[tokio::test]
async fn what_if_for_karita_from_the_netherlands_with_high_risk() {
    let graph = start().await;
    let client = Client::new(&graph);
    let body = json!({
        "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": story::karita_id()},
        "signInContext": {"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": [story::EXCHANGE_ONLINE]},
        "signInConditions": {"devicePlatform": "iOS", "clientAppType": "browser", "country": "NL",
                             "ipAddress": "203.0.113.45", "signInRiskLevel": "high", "deviceInfo": {"isCompliant": false}},
    });
    let (status, answer) = send(
        client
            .http
            .post(format!("{}/v1.0/identity/conditionalAccess/evaluate", graph.base_url()))
            .bearer_auth("x")
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let by_code = |code: &str| -> Value {
        let id = story::ca_policy_id(code);
        answer["value"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["id"] == id.as_str()).cloned())
            .unwrap_or(Value::Null)
    };
    assert_eq!(by_code("CA004")["policyApplies"], true);
    assert_eq!(by_code("CA004")["analysisReasons"], "notSet");
    assert_eq!(by_code("CA003")["policyApplies"], true);
    assert_eq!(by_code("CA001")["analysisReasons"], "users");
    assert_eq!(by_code("CA005")["analysisReasons"], "application");
    assert_eq!(by_code("CA006")["analysisReasons"], "location");
    assert_eq!(by_code("CA007")["analysisReasons"], "userRisk");
    assert_eq!(by_code("CA010")["analysisReasons"], "policyNotEnabled");
    assert_eq!(by_code("CA013")["analysisReasons"], "users");
    assert_eq!(by_code("CA012")["policyApplies"], true);
    assert_eq!(by_code("CA018")["analysisReasons"], "policyNotEnabled");
    assert_eq!(answer["value"].as_array().map(Vec::len), Some(18));
}

#[tokio::test]
async fn relationships_casts_counts_and_expand() {
    let graph = start().await;
    let client = Client::new(&graph);
    let karita = story::karita_id();
    let (status, groups) = client
        .eventual(&format!(
            "/v1.0/users/{karita}/transitiveMemberOf/microsoft.graph.group?$count=true&$select=displayName"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{groups}");
    let names: Vec<&str> =
        groups["value"].as_array().into_iter().flatten().filter_map(|g| g["displayName"].as_str()).collect();
    assert!(
        names.contains(&"Finance App Users")
            && names.contains(&"Finance Department")
            && names.contains(&"Finance Team")
    );
    assert_eq!(groups["@odata.count"], names.len());
    assert_eq!(groups["value"][0]["@odata.type"], "#microsoft.graph.group");

    let (_, members) = client.json(&format!("/v1.0/groups/{}/members", story::finance_app_users_id())).await;
    let types: HashSet<&str> =
        members["value"].as_array().into_iter().flatten().filter_map(|m| m["@odata.type"].as_str()).collect();
    assert!(types.contains("#microsoft.graph.group") && types.contains("#microsoft.graph.user"));

    let (status, with_manager) = client
        .json(&format!(
            "/v1.0/users/{karita}?$select=displayName&$expand=manager($select=id,displayName,userPrincipalName)"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{with_manager}");
    assert_eq!(with_manager["manager"]["displayName"], "Daniel Moreau");
    assert!(with_manager["manager"].get("jobTitle").is_none());

    let (_, devices) =
        client.json(&format!("/v1.0/users/{karita}/registeredDevices?$select=displayName,isCompliant")).await;
    assert_eq!(devices["value"].as_array().map(Vec::len), Some(2));
    let (_, methods) = client.json(&format!("/v1.0/users/{karita}/authentication/methods")).await;
    assert_eq!(methods["value"].as_array().map(Vec::len), Some(3));
    let (status, history) = client.json(&format!("/v1.0/identityProtection/riskyUsers/{karita}/history")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(history["value"].as_array().map(Vec::len), Some(3));
    let check = send(
        client
            .http
            .post(format!("{}/v1.0/users/{karita}/checkMemberGroups", graph.base_url()))
            .bearer_auth("x")
            .json(&json!({"groupIds": [story::finance_app_users_id(), story::group_id("Sales Team")]})),
    )
    .await;
    assert_eq!(check.1["value"], json!([story::finance_app_users_id()]));
    let chain = client
        .get(&format!(
            "/v1.0/users/{karita}?$select=id&$expand=manager($levels=max;$select=id,displayName)&$count=true"
        ))
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .expect("response");
    let chain: Value = chain.json().await.expect("JSON");
    assert_eq!(chain["manager"]["manager"]["manager"]["displayName"], "Henrik Larsen", "{chain}");
    let (status, _) = client.json(&format!("/v1.0/users/{karita}?$expand=manager($levels=max)")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "levels=max needs ConsistencyLevel");
    let deleted = client
        .get("/v1.0/directory/deletedItems/microsoft.graph.user/$count")
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .expect("response");
    assert_eq!(deleted.text().await.expect("text"), "2");
    let (_, mine) = client
        .json("/v1.0/roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')")
        .await;
    assert_eq!(mine["value"].as_array().map(Vec::len), Some(2), "Jordan's two active roles");
}

#[tokio::test]
async fn the_demo_token_picks_the_caller_and_their_visibility() {
    let graph = start().await;
    let client = Client::new(&graph);
    let as_karita = |path: &str| {
        client.http.get(format!("{}{path}", graph.base_url())).bearer_auth(format!("demo:{}", story::karita_id()))
    };
    let (_, me) = send(as_karita("/v1.0/me?$select=displayName")).await;
    assert_eq!(me["displayName"], "Karita Ahlberg");
    // Karita holds no Conditional Access reader role, so Graph leaves the applied policies out.
    let tor = format!("/v1.0/auditLogs/signIns/{}", story::karita_tor_sign_in_id());
    let (_, hidden) = send(as_karita(&tor)).await;
    assert!(hidden.get("appliedConditionalAccessPolicies").is_none());
    let (_, shown) = client.json(&tor).await;
    assert!(shown["appliedConditionalAccessPolicies"].is_array());
    let (status, _) = send(client.http.get(format!("{}/v1.0/me", graph.base_url())).bearer_auth("demo:nobody")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_floating_anchor_is_moved_forward_once_it_is_an_hour_old() {
    let old = chrono::Utc::now() - chrono::Duration::hours(3);
    let tenant = crate::demo::tenant::generate_at(old, 0, 1);
    let state = super::EmulatorState::new(DemoOptions::default(), tenant, "http://127.0.0.1:1".into());
    let fresh = state.current_tenant().await;
    assert!(chrono::Utc::now() - fresh.anchor < chrono::Duration::minutes(1));
    // Pinned anchors never move.
    let pinned = DemoOptions { now: Some(old), ..DemoOptions::default() };
    let state =
        super::EmulatorState::new(pinned, crate::demo::tenant::generate_at(old, 0, 1), "http://127.0.0.1:1".into());
    assert_eq!(state.current_tenant().await.anchor.timestamp(), old.timestamp());
}

#[tokio::test]
async fn only_its_own_process_on_loopback_reaches_the_emulator() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (status, _) = client.json("/v1.0/users?$top=1").await;
    assert_eq!(status, StatusCode::OK);
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host.
    let rebinding = client.get("/v1.0/users?$top=1").header("Host", "evil.example:80").send().await.expect("response");
    assert_eq!(rebinding.status(), StatusCode::FORBIDDEN);
    // A cross-site request carries an Origin.
    let cross_site =
        client.get("/v1.0/users?$top=1").header("Origin", "https://evil.example").send().await.expect("response");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    // A form post needs no preflight; the emulator takes JSON only.
    let karita = story::karita_id();
    let form = client
        .http
        .patch(format!("{}/v1.0/users/{karita}", client.base))
        .bearer_auth(format!("demo:{}", crate::demo::persona_object_id()))
        .header("Content-Type", "text/plain")
        .body(r#"{"accountEnabled": false}"#)
        .send()
        .await
        .expect("response");
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(graph.writes_applied(), 0, "nothing was changed");
    // And the control endpoint does not exist unless fault injection over HTTP was asked for.
    let faults = client
        .http
        .post(format!("{}/_emulator/faults", client.base))
        .header("Content-Type", "text/plain")
        .body(r#"[{"fault": 503}]"#)
        .send()
        .await
        .expect("response");
    assert_eq!(faults.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(graph.faults().pending(), 0);
}

// Licences and authentication methods: subscribed SKUs, licence details, the methods policy on
// v1.0 and beta, the registration report and its summaries, per-user MFA on beta only.

#[tokio::test]
async fn licences_are_listed_per_product_and_per_user() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (status, skus) = client.json("/v1.0/subscribedSkus?$select=skuId,skuPartNumber,consumedUnits").await;
    assert_eq!(status, StatusCode::OK, "{skus}");
    let parts: Vec<&str> =
        skus["value"].as_array().into_iter().flatten().filter_map(|s| s["skuPartNumber"].as_str()).collect();
    assert_eq!(parts, ["SPE_E5", "AAD_PREMIUM_P2", "Microsoft_Entra_ID_Governance"]);
    let (status, _) = client.json("/v1.0/subscribedSkus?$filter=skuPartNumber eq 'SPE_E5'").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "Graph does not filter subscribed SKUs");

    let (status, details) = client.json(&format!("/v1.0/users/{}/licenseDetails", story::karita_id())).await;
    assert_eq!(status, StatusCode::OK);
    let parts: Vec<&str> =
        details["value"].as_array().into_iter().flatten().filter_map(|s| s["skuPartNumber"].as_str()).collect();
    assert_eq!(parts, ["SPE_E5", "Microsoft_Entra_ID_Governance"]);

    let (_, karita) = client.json(&format!("/v1.0/users/{}?$select=licenseAssignmentStates", story::karita_id())).await;
    let via_group = karita["licenseAssignmentStates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["assignedByGroup"] == story::finance_department_id().as_str())
        .count();
    assert_eq!(via_group, 1, "{karita}");

    let e5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
    let (status, holders) =
        client.json(&format!("/v1.0/users?$filter=assignedLicenses/any(l:l/skuId eq {e5})&$select=id")).await;
    assert_eq!(status, StatusCode::OK, "{holders}");
    assert!(ids(&holders).len() > 50);
}

#[tokio::test]
async fn the_methods_policy_keeps_beta_settings_to_beta() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (status, v1) = client.json("/v1.0/policies/authenticationMethodsPolicy").await;
    assert_eq!(status, StatusCode::OK, "{v1}");
    assert!(v1["authenticationMethodConfigurations"].as_array().is_some_and(|c| c.len() >= 8));
    assert!(v1.get("systemCredentialPreferences").is_none());
    assert!(v1.get("reportSuspiciousActivitySettings").is_none());
    let (status, beta) =
        client.json("/beta/policies/authenticationMethodsPolicy?$select=systemCredentialPreferences").await;
    assert_eq!(status, StatusCode::OK, "{beta}");
    assert_eq!(beta["systemCredentialPreferences"]["state"], "enabled");
    let (status, _) =
        client.json("/v1.0/policies/authenticationMethodsPolicy?$select=systemCredentialPreferences").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_registration_report_filters_and_sums_up() {
    let graph = start().await;
    let client = Client::new(&graph);
    let report = "/v1.0/reports/authenticationMethods/userRegistrationDetails";
    let (status, admins) = client.json(&format!("{report}?$filter=isAdmin eq true and isMfaRegistered eq false")).await;
    assert_eq!(status, StatusCode::OK, "{admins}");
    let names: Vec<&str> =
        admins["value"].as_array().into_iter().flatten().filter_map(|r| r["userDisplayName"].as_str()).collect();
    assert_eq!(names, ["Elena Petrova"]);

    let (_, passkeys) =
        client.json(&format!("{report}?$filter=methodsRegistered/any(m:m eq 'passKeyDeviceBound')")).await;
    assert!(ids(&passkeys).contains(&story::user_id("breakglass01")), "{passkeys}");

    let (status, ruth) = client.json(&format!("{report}/{}", story::user_id("ruth.abebe"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((ruth["isMfaRegistered"].as_bool(), ruth["isMfaCapable"].as_bool()), (Some(true), Some(false)));

    let (status, leaver) = client.json(&format!("{report}/{}", story::user_id("brian.walsh"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "disabled users are not in the report: {leaver}");

    let (status, summary) = client
        .json("/v1.0/reports/authenticationMethods/usersRegisteredByMethod(includedUserTypes='member',includedUserRoles='all')")
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert!(summary["totalUserCount"].as_u64().is_some_and(|n| n > 40));
    let (status, _) =
        client.json("/v1.0/reports/authenticationMethods/usersRegisteredByFeature(includedUserTypes='robots')").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn per_user_mfa_and_sign_in_preferences_are_beta_only() {
    let graph = start().await;
    let client = Client::new(&graph);
    let george = story::user_id("george.adams");
    let (status, _) = client.json(&format!("/v1.0/users/{george}/authentication/requirements")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, requirements) = client.json(&format!("/beta/users/{george}/authentication/requirements")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(requirements["perUserMfaState"], "enforced");
    let (status, preferences) =
        client.json(&format!("/beta/users/{}/authentication/signInPreferences", story::karita_id())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preferences["userPreferredMethodForSecondaryAuthentication"], "push");
}

// ---------------------------------------------------------------------------------------------
// Apps: owner counts, what an app holds, and the beta sign-in activity report

#[tokio::test]
async fn apps_are_filtered_by_owner_count_and_carry_their_grants_and_permissions() {
    let graph = start().await;
    let client = Client::new(&graph);
    let names = |page: &Value| -> Vec<String> {
        page["value"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v["displayName"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };

    // `owners/$count` is an advanced query: refused without ConsistencyLevel and $count.
    let (status, _) = client.json("/v1.0/applications?$filter=owners/$count eq 0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, ownerless) =
        client.eventual("/v1.0/applications?$filter=owners/$count eq 0&$count=true&$select=id,displayName").await;
    assert_eq!(status, StatusCode::OK, "{ownerless}");
    assert_eq!(names(&ownerless), ["Legacy Reports Portal"]);
    let (_, external) = client
        .eventual("/v1.0/servicePrincipals?$filter=owners/$count eq 0 and appOwnerOrganizationId ne 'f8cdef31-a31e-4b4a-93e4-5f571e91255a'&$count=true&$select=id,displayName")
        .await;
    assert!(names(&external).contains(&"Fabrikam Expense Sync".to_string()), "{external}");
    assert!(!names(&external).contains(&"Sales CRM".to_string()), "Sales CRM's enterprise app has an owner");

    let fabrikam = crate::demo::tenant::apps::service_principal_id(crate::demo::tenant::apps::FABRIKAM_EXPENSE);
    let (status, grants) = client.json(&format!("/v1.0/servicePrincipals/{fabrikam}/oauth2PermissionGrants")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(grants["value"][0]["consentType"], "AllPrincipals");
    assert_eq!(grants["value"][0]["scope"], "Mail.Read offline_access");
    let (_, held) = client.json(&format!("/v1.0/servicePrincipals/{fabrikam}/appRoleAssignments")).await;
    let role = held["value"][0]["appRoleId"].as_str().unwrap_or_default().to_string();
    // The id translates to a name through Microsoft Graph's own app roles.
    let (_, resource) = client
        .json("/v1.0/servicePrincipals?$filter=appId eq '00000003-0000-0000-c000-000000000000'&$select=id,appRoles")
        .await;
    let roles = resource["value"][0]["appRoles"].as_array().cloned().unwrap_or_default();
    let value = roles.iter().find(|r| r["id"] == role.as_str()).map(|r| r["value"].clone());
    assert_eq!(value, Some(json!("Directory.ReadWrite.All")));
}

#[tokio::test]
async fn the_sign_in_activity_report_is_served_under_beta_only() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (status, error) = client.json("/v1.0/reports/servicePrincipalSignInActivities").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{error}");
    let legacy = crate::demo::tenant::apps::app_id(crate::demo::tenant::apps::LEGACY_REPORTS);
    let (status, page) =
        client.json(&format!("/beta/reports/servicePrincipalSignInActivities?$filter=appId eq '{legacy}'")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let last = page["value"][0]["lastSignInActivity"]["lastSignInDateTime"].as_str().unwrap_or_default();
    let last = DateTime::parse_from_rfc3339(last).expect("a time").to_utc();
    let anchor = DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z").expect("valid time").to_utc();
    assert_eq!((anchor - last).num_days(), 180, "Legacy Reports Portal has been idle for 180 days");
    let (status, _) = client.json("/beta/reports/servicePrincipalSignInActivities?$filter=lastSignInActivity/lastSignInDateTime le 2026-01-01T00:00:00Z").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "only appId is a documented filter");
}
