//! Conditional Access reference paths over HTTP: `directoryObjects/getByIds`, authentication
//! strengths and their usage, templates, and What-If for guests, service principals and bad
//! bodies.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::tests::{Client, send, start};
use crate::demo::tenant::story;

fn post(client: &Client, path: &str, body: &Value) -> reqwest::RequestBuilder {
    client.http.post(format!("{}{path}", client.base)).bearer_auth("x").json(body)
}

#[tokio::test]
async fn get_by_ids_answers_the_known_ids_with_their_types() {
    let graph = start().await;
    let client = Client::new(&graph);
    let karita = story::karita_id();
    let finance = story::finance_department_id();
    let unknown = "00000000-0000-0000-0000-00000000abcd";
    let body = json!({"ids": [karita, finance, unknown], "types": ["user", "group"]});
    let (status, page) = send(post(&client, "/v1.0/directoryObjects/getByIds", &body)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let value = page["value"].as_array().cloned().unwrap_or_default();
    assert_eq!(value.len(), 2, "the unknown id is left out: {page}");
    assert_eq!(value[0]["@odata.type"], "#microsoft.graph.user");
    assert_eq!(value[0]["displayName"], "Karita Ahlberg");
    assert_eq!(value[1]["@odata.type"], "#microsoft.graph.group");
    let only_groups = json!({"ids": [karita, finance], "types": ["group"]});
    let (_, page) = send(post(&client, "/v1.0/directoryObjects/getByIds", &only_groups)).await;
    assert_eq!(page["value"].as_array().map(Vec::len), Some(1));
    for bad in [json!({"ids": []}), json!({"ids": [karita], "types": ["planet"]}), json!({"names": [karita]})] {
        let (status, answer) = send(post(&client, "/v1.0/directoryObjects/getByIds", &bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {answer}");
    }
    let (status, _) = client.json("/v1.0/directoryObjects/getByIds").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn strength_usage_follows_the_policies() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (status, page) =
        client.json("/v1.0/policies/authenticationStrengthPolicies?$filter=policyType eq 'custom'").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let custom = page["value"][0]["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(page["value"][0]["allowedCombinations"], json!(["fido2"]));
    let usage_path = format!("/v1.0/policies/authenticationStrengthPolicies/{custom}/usage");
    let (status, usage) = client.json(&usage_path).await;
    assert_eq!(status, StatusCode::OK, "{usage}");
    assert!(usage["@odata.context"].as_str().is_some_and(|c| c.ends_with("authenticationStrengthUsage")));
    let before = usage["mfa"].as_array().map(Vec::len).unwrap_or_default();
    let policy = json!({
        "displayName": "Treasury needs FIDO2 keys",
        "state": "enabledForReportingButNotEnforced",
        "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]},
                       "clientAppTypes": ["all"]},
        "grantControls": {"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": custom}},
    });
    let (status, created) = send(post(&client, "/v1.0/identity/conditionalAccess/policies", &policy)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (_, usage) = client.json(&usage_path).await;
    assert_eq!(usage["mfa"].as_array().map(Vec::len), Some(before + 1), "{usage}");
    assert_eq!(usage["none"], json!([]));
    let (status, _) = client.json("/v1.0/policies/authenticationStrengthPolicies/nope/usage").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn templates_are_microsofts() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (status, page) = client.json("/v1.0/identity/conditionalAccess/templates?$select=id,name,scenarios").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let names: Vec<&str> = page["value"].as_array().into_iter().flatten().filter_map(|t| t["name"].as_str()).collect();
    assert!(names.contains(&"Block legacy authentication"), "{names:?}");
    let (_, one) = client.json("/v1.0/identity/conditionalAccess/templates/0b2282f9-2862-4178-88b5-d79340b36cb8").await;
    assert_eq!(one["details"]["grantControls"]["builtInControls"], json!(["block"]));
    // Templates are read-only in Graph.
    let (status, _) = send(post(&client, "/v1.0/identity/conditionalAccess/templates", &json!({"name": "x"}))).await;
    assert!(status.is_client_error(), "{status}");
}

#[tokio::test]
async fn what_if_knows_guests_and_refuses_bad_bodies() {
    let graph = start().await;
    let client = Client::new(&graph);
    let evaluate = "/v1.0/identity/conditionalAccess/evaluate";
    let guest = json!({
        "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": story::guest_id("lucia.romero")},
        "signInContext": {"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": [story::EXCHANGE_ONLINE]},
        "signInConditions": {"country": "ES", "clientAppType": "browser"},
    });
    let (status, answer) = send(post(&client, evaluate, &guest)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let ca003 = story::ca_policy_id("CA003");
    let result = answer["value"].as_array().into_iter().flatten().find(|p| p["id"] == ca003.as_str()).cloned();
    assert_eq!(result.map(|r| r["analysisReasons"].clone()), Some(json!("users")), "guests are excluded from CA003");
    let sp = json!({
        "signInIdentity": {"@odata.type": "#microsoft.graph.servicePrincipalSignIn",
                           "servicePrincipalId": story::service_principal_id("Payroll Sync")},
        "signInContext": {"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": [story::EXCHANGE_ONLINE]},
        "appliedPoliciesOnly": true,
    });
    let (status, answer) = send(post(&client, evaluate, &sp)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["value"], json!([]), "no policy of the tenant targets workload identities");
    for bad in [
        json!({"signInContext": {}}),
        json!({"signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": story::karita_id()},
               "signInConditions": {"ipAddress": "not-an-ip"}}),
        json!({"signInIdentity": {"@odata.type": "#microsoft.graph.robotSignIn"}}),
    ] {
        let (status, answer) = send(post(&client, evaluate, &bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {answer}");
    }
    let missing = json!({"signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn",
                                            "userId": "00000000-0000-0000-0000-00000000abcd"}});
    let (status, _) = send(post(&client, evaluate, &missing)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
