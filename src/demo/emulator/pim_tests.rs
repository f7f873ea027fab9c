//! PIM in the emulator: the policies and their rules as `$expand=policy($expand=rules)` serves
//! them, and self-service requests judged by those rules — activations that become active,
//! wait for approval or are refused (each refusal changing nothing), deactivation,
//! cancellation, the claims challenge, and PIM for Groups.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::tests::{Client, send, start};
use crate::demo::DemoGraph;
use crate::demo::tenant::story;

const REQUESTS: &str = "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests";
const GROUP_REQUESTS: &str = "/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests";
const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const SECURITY_ADMINISTRATOR: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const CONDITIONAL_ACCESS_ADMINISTRATOR: &str = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9";

/// POSTs a body as the user with this object id (and token suffix, for claims).
async fn post(graph: &DemoGraph, path: &str, bearer: &str, body: Value) -> (StatusCode, Value) {
    let client = Client::new(graph);
    let request = client.http.post(format!("{}{path}", client.base)).bearer_auth(format!("demo:{bearer}")).json(&body);
    let response = request.send().await.expect("response");
    let status = response.status();
    let body = if status == StatusCode::NO_CONTENT { Value::Null } else { response.json().await.expect("JSON") };
    (status, body)
}

fn activation(principal: &str, role: &str, duration: &str, justification: Option<&str>, ticket: Option<&str>) -> Value {
    json!({
        "action": "selfActivate",
        "principalId": principal,
        "roleDefinitionId": role,
        "directoryScopeId": "/",
        "justification": justification,
        "ticketInfo": {"ticketNumber": ticket, "ticketSystem": ticket.map(|_| "ServiceNow")},
        "scheduleInfo": {"startDateTime": null, "expiration": {"type": "afterDuration", "duration": duration}},
    })
}

async fn active_roles(client: &Client, user: &str) -> Vec<String> {
    let (_, page) = client
        .json(&format!(
            "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances?$filter=principalId%20eq%20'{user}'"
        ))
        .await;
    page["value"]
        .as_array()
        .map(|v| v.iter().filter_map(|i| i["roleDefinitionId"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn policies_are_listed_per_scope_and_expand_to_their_rules() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (status, body) = client.json("/v1.0/policies/roleManagementPolicyAssignments").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a scope filter is required: {body}");
    let path = format!(
        "/v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId%20eq%20'/'%20and%20scopeType%20eq%20'DirectoryRole'%20and%20roleDefinitionId%20eq%20'{SECURITY_ADMINISTRATOR}'&$expand=policy($expand=rules)"
    );
    let (status, body) = client.json(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rules = body["value"][0]["policy"]["rules"].as_array().expect("the rules expanded");
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).cloned().unwrap_or_default();
    assert_eq!(rule("Expiration_EndUser_Assignment")["maximumDuration"], "PT8H");
    assert_eq!(rule("Enablement_EndUser_Assignment")["enabledRules"], json!(["Justification", "Ticketing"]));
    assert_eq!(rule("AuthenticationContext_EndUser_Assignment")["claimValue"], "c1");

    // Without the nested $expand the policy comes without its rules.
    let (_, body) = client.json(&path.replace("policy($expand=rules)", "policy")).await;
    assert!(
        body["value"][0]["policy"]["id"].is_string() && body["value"][0]["policy"].get("rules").is_none(),
        "{body}"
    );
    let policy = body["value"][0]["policyId"].as_str().expect("a policy id").to_string();
    let (status, rules) = client.json(&format!("/v1.0/policies/roleManagementPolicies/{policy}/rules")).await;
    assert_eq!(status, StatusCode::OK, "{rules}");
    assert!(rules["value"].as_array().is_some_and(|r| r.len() >= 5), "{rules}");
    let (status, _) = client.json(&path.replace("policy($expand=rules)", "policy($expand=shoeSize)")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_activation_within_the_rules_is_active_at_once_and_ends_on_deactivation() {
    let graph = start().await;
    let client = Client::new(&graph);
    let jordan = story::user_id("jordan");
    let body = activation(&jordan, USER_ADMINISTRATOR, "PT2H", Some("Onboard the new Finance analysts"), None);
    let (status, request) = post(&graph, REQUESTS, &jordan, body).await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    assert_eq!(request["status"], "Provisioned");
    assert!(active_roles(&client, &jordan).await.contains(&USER_ADMINISTRATOR.to_string()));
    let (_, mine) = client
        .json("/v1.0/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')")
        .await;
    assert!(mine["value"].as_array().is_some_and(|v| v.iter().any(|r| r["id"] == request["id"])), "{mine}");

    // Activating it again is refused: it is active.
    let again = activation(&jordan, USER_ADMINISTRATOR, "PT2H", Some("again"), None);
    let (status, error) = post(&graph, REQUESTS, &jordan, again).await;
    assert_eq!((status, error["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("RoleAssignmentExists")));

    let deactivate = json!({"action": "selfDeactivate", "principalId": jordan, "roleDefinitionId": USER_ADMINISTRATOR, "directoryScopeId": "/"});
    let (status, request) = post(&graph, REQUESTS, &jordan, deactivate.clone()).await;
    assert_eq!((status, request["status"].as_str()), (StatusCode::CREATED, Some("Revoked")), "{request}");
    assert!(!active_roles(&client, &jordan).await.contains(&USER_ADMINISTRATOR.to_string()));
    // A permanent assignment is not the caller's to end.
    let permanent = json!({"action": "selfDeactivate", "principalId": jordan, "roleDefinitionId": "5d6b6bb7-de71-4623-b4af-96380a352509", "directoryScopeId": "/"});
    let (status, error) = post(&graph, REQUESTS, &jordan, permanent).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("RoleAssignmentDoesNotExist"))
    );
    assert_eq!(graph.writes_applied(), 2);
}

#[tokio::test]
async fn activations_against_the_rules_are_refused_and_change_nothing() {
    let graph = start().await;
    let client = Client::new(&graph);
    let jordan = story::user_id("jordan");
    let before = active_roles(&client, &jordan).await;
    let cases = [
        (
            activation(&jordan, USER_ADMINISTRATOR, "PT9H", Some("x"), None),
            "RoleAssignmentRequestPolicyValidationFailed",
            "ExpirationRule",
        ),
        (
            activation(&jordan, USER_ADMINISTRATOR, "PT1H", None, None),
            "RoleAssignmentRequestPolicyValidationFailed",
            "JustificationRule",
        ),
        (
            activation(&jordan, SECURITY_ADMINISTRATOR, "PT1H", Some("x"), None),
            "RoleAssignmentRequestPolicyValidationFailed",
            "TicketingRule",
        ),
        (
            activation(&jordan, GLOBAL_ADMINISTRATOR, "PT1H", Some("x"), None),
            "RoleAssignmentRequestPolicyValidationFailed",
            "EligibilityRule",
        ),
        (
            activation(&jordan, SECURITY_ADMINISTRATOR, "PT1H", Some("x"), Some("INC-1")),
            "RoleAssignmentRequestAcrsValidationFailed",
            "claims=%7B%22access_token%22",
        ),
        (
            activation(&jordan, CONDITIONAL_ACCESS_ADMINISTRATOR, "PT1H", Some("x"), None),
            "PendingRoleAssignmentRequest",
            "pending",
        ),
        (
            activation(&story::user_id("karita"), USER_ADMINISTRATOR, "PT1H", Some("x"), None),
            "BadRequest",
            "signed-in user",
        ),
    ];
    for (body, code, says) in cases {
        let (status, error) = post(&graph, REQUESTS, &jordan, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["error"]["code"], code, "{error}");
        assert!(error["error"]["message"].as_str().is_some_and(|m| m.contains(says)), "{says}: {error}");
    }
    assert_eq!(active_roles(&client, &jordan).await, before);
    assert_eq!(graph.writes_applied(), 0);

    // With the authentication context in the token, Security Administrator activates.
    let body = activation(&jordan, SECURITY_ADMINISTRATOR, "PT1H", Some("Triage Karita"), Some("INC-1"));
    let (status, request) = post(&graph, REQUESTS, &format!("{jordan}#acrs=c1"), body).await;
    assert_eq!((status, request["status"].as_str()), (StatusCode::CREATED, Some("Provisioned")), "{request}");
}

#[tokio::test]
async fn an_activation_needing_approval_waits_and_can_be_canceled() {
    let graph = start().await;
    let client = Client::new(&graph);
    let priya = story::user_id("priya");
    let body = activation(&priya, GLOBAL_ADMINISTRATOR, "PT4H", Some("Approve the Fabrikam consent"), None);
    let (status, request) = post(&graph, REQUESTS, &priya, body).await;
    assert_eq!((status, request["status"].as_str()), (StatusCode::CREATED, Some("PendingApproval")), "{request}");
    assert!(request["approvalId"].is_string());
    assert!(!active_roles(&client, &priya).await.contains(&GLOBAL_ADMINISTRATOR.to_string()), "nothing active yet");

    let id = request["id"].as_str().expect("an id");
    let (status, _) = post(&graph, &format!("{REQUESTS}/{id}/cancel"), &priya, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, request) = client.json(&format!("{REQUESTS}/{id}")).await;
    assert_eq!(request["status"], "Canceled");
    let (status, error) = post(&graph, &format!("{REQUESTS}/{id}/cancel"), &priya, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "only a pending request can be canceled: {error}");
}

#[tokio::test]
async fn pim_for_groups_activation_makes_jordan_a_member() {
    let graph = start().await;
    let client = Client::new(&graph);
    let jordan = story::user_id("jordan");
    let helpdesk = story::group_id("Helpdesk Operators");
    let members =
        |page: &Value| page["value"].as_array().map(|m| m.iter().any(|u| u["id"] == jordan.as_str())).unwrap_or(false);
    let (_, page) = client.json(&format!("/v1.0/groups/{helpdesk}/members?$select=id")).await;
    assert!(!members(&page));
    let (status, listed) = client.json(GROUP_REQUESTS).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a filter is required: {listed}");

    let body = |duration: &str, justification: Option<&str>| {
        json!({
            "action": "selfActivate", "accessId": "member", "principalId": jordan, "groupId": helpdesk,
            "justification": justification,
            "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": duration}},
        })
    };
    let (status, error) = post(&graph, GROUP_REQUESTS, &jordan, body("PT5H", Some("queue"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "4 h at most: {error}");
    let (status, error) = post(&graph, GROUP_REQUESTS, &jordan, body("PT2H", None)).await;
    assert!(
        status == StatusCode::BAD_REQUEST
            && error["error"]["message"].as_str().is_some_and(|m| m.contains("JustificationRule"))
    );
    assert_eq!(graph.writes_applied(), 0);

    let (status, request) = post(&graph, GROUP_REQUESTS, &jordan, body("PT2H", Some("Cover the queue"))).await;
    assert_eq!((status, request["status"].as_str()), (StatusCode::CREATED, Some("Provisioned")), "{request}");
    let (_, page) = client.json(&format!("/v1.0/groups/{helpdesk}/members?$select=id")).await;
    assert!(members(&page), "the activation is the membership");
    let (_, mine) = send(client.get(&format!("{GROUP_REQUESTS}?$filter=principalId%20eq%20'{jordan}'"))).await;
    assert_eq!(mine["value"].as_array().map(Vec::len), Some(2), "{mine}");
}
