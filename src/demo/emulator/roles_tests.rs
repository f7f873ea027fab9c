//! Directory roles as Graph serves them: `isPrivileged` on beta only, beta's
//! `transitiveRoleAssignments` (roles through groups, only with `ConsistencyLevel: eventual`),
//! the PIM schedules with one that has not started, and `filterByCurrentUser` on PIM for Groups.

use reqwest::StatusCode;
use serde_json::Value;

use super::tests::{Client, ids, start, urlencode};
use crate::demo::tenant::story;

const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const HELPDESK_ADMINISTRATOR: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

fn principal_ids(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .map(|rows| rows.iter().filter_map(|r| r["principalId"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn is_privileged_is_a_beta_property_of_role_definitions() {
    let graph = start().await;
    let client = Client::new(&graph);
    let path = "roleManagement/directory/roleDefinitions";
    let (status, error) = client.json(&format!("/v1.0/{path}?$select=id,isPrivileged")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert!(error["error"]["message"].as_str().is_some_and(|m| m.contains("isPrivileged")), "{error}");
    let (status, error) = client.json(&format!("/v1.0/{path}?$filter={}", urlencode("isPrivileged eq true"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");

    let (status, v1) = client.json(&format!("/v1.0/{path}/{GLOBAL_ADMINISTRATOR}")).await;
    assert_eq!(status, StatusCode::OK, "{v1}");
    assert!(v1.get("isPrivileged").is_none(), "v1.0 leaves the beta property out: {v1}");
    assert_eq!(v1["displayName"], "Global Administrator");

    let (status, beta) = client.json(&format!("/beta/{path}?$select=id,displayName,isPrivileged")).await;
    assert_eq!(status, StatusCode::OK, "{beta}");
    let rows = beta["value"].as_array().cloned().unwrap_or_default();
    assert!(rows.iter().any(|r| r["displayName"] == "Global Administrator" && r["isPrivileged"] == true));
    assert!(rows.iter().any(|r| r["displayName"] == "Reports Reader" && r["isPrivileged"] == false));
    // The custom roles: one enabled, one disabled.
    let (_, custom) = client.json(&format!("/v1.0/{path}?$filter={}", urlencode("isBuiltIn eq false"))).await;
    let enabled: Vec<(String, bool)> = custom["value"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| (r["displayName"].as_str().unwrap_or_default().to_string(), r["isEnabled"] == true))
        .collect();
    assert!(enabled.contains(&("Woodgrove Helpdesk Tier 1".to_string(), true)), "{enabled:?}");
    assert!(enabled.contains(&("Woodgrove Branch Directory Reader".to_string(), false)), "{enabled:?}");

    // An expanded role definition follows the same rule.
    let filter = urlencode(&format!("principalId eq '{}'", story::user_id("sam")));
    let assignments = format!("roleManagement/directory/roleAssignments?$filter={filter}");
    let (status, _) =
        client.json(&format!("/v1.0/{assignments}&$expand=roleDefinition($select=id,isPrivileged)")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, page) =
        client.json(&format!("/beta/{assignments}&$expand=roleDefinition($select=id,isPrivileged)")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["value"][0]["roleDefinition"]["isPrivileged"], true);
}

#[tokio::test]
async fn transitive_role_assignments_reach_roles_through_groups_on_beta_with_consistency() {
    let graph = start().await;
    let client = Client::new(&graph);
    let kevin = story::user_id("kevin.obi");
    let helpdesk = story::group_id("Helpdesk Operators");
    let filter = urlencode(&format!("principalId eq '{kevin}'"));
    let path = format!("roleManagement/directory/transitiveRoleAssignments?$count=true&$filter={filter}");

    let (status, _) = client.json(&format!("/beta/{path}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "without ConsistencyLevel Graph answers 404");
    let (status, _) = client.eventual(&format!("/v1.0/{path}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "beta only");
    let (status, page) = client.eventual(&format!("/beta/{path}&$expand=roleDefinition($select=id,displayName)")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(principal_ids(&page), [helpdesk], "the holder is the group");
    assert_eq!(page["value"][0]["roleDefinition"]["displayName"], "Helpdesk Administrator");
    assert_eq!(page["@odata.count"], 1);

    // The rest of the filter narrows as usual; a principal's own roles are there too.
    let other = urlencode(&format!("principalId eq '{kevin}' and roleDefinitionId eq '{GLOBAL_ADMINISTRATOR}'"));
    let (_, none) = client
        .eventual(&format!("/beta/roleManagement/directory/transitiveRoleAssignments?$count=true&$filter={other}"))
        .await;
    assert_eq!(ids(&none).len(), 0, "{none}");
    let jordan = urlencode(&format!("principalId eq '{}'", story::user_id("jordan")));
    let (_, own) = client
        .eventual(&format!("/beta/roleManagement/directory/transitiveRoleAssignments?$count=true&$filter={jordan}"))
        .await;
    assert_eq!(ids(&own).len(), 2, "{own}");

    let (status, error) = client.eventual("/beta/roleManagement/directory/transitiveRoleAssignments?$count=true").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let by_role = urlencode(&format!("roleDefinitionId eq '{HELPDESK_ADMINISTRATOR}'"));
    let (status, _) = client
        .eventual(&format!("/beta/roleManagement/directory/transitiveRoleAssignments?$count=true&$filter={by_role}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a principal is required");
}

#[tokio::test]
async fn schedules_hold_what_has_not_started_and_instances_what_has() {
    let graph = start().await;
    let client = Client::new(&graph);
    let samuel = urlencode(&format!("principalId eq '{}'", story::user_id("samuel.osei")));
    let (status, schedules) =
        client.json(&format!("/v1.0/roleManagement/directory/roleEligibilitySchedules?$filter={samuel}")).await;
    assert_eq!(status, StatusCode::OK, "{schedules}");
    let start = schedules["value"][0]["scheduleInfo"]["startDateTime"].as_str().unwrap_or_default().to_string();
    assert!(start.as_str() > "2026-11-26", "starts in a week: {start}");
    let (_, instances) =
        client.json(&format!("/v1.0/roleManagement/directory/roleEligibilityScheduleInstances?$filter={samuel}")).await;
    assert!(ids(&instances).is_empty(), "no instance before it starts: {instances}");

    let nadia = urlencode(&format!("principalId eq '{}'", story::user_id("nadia.rahman")));
    let (_, active) =
        client.json(&format!("/v1.0/roleManagement/directory/roleAssignmentScheduleInstances?$filter={nadia}")).await;
    assert_eq!(active["value"][0]["assignmentType"], "Activated", "{active}");
    let (_, assigned) =
        client.json(&format!("/v1.0/roleManagement/directory/roleAssignmentSchedules?$filter={nadia}")).await;
    assert_eq!(assigned["value"][0]["scheduleInfo"]["expiration"]["type"], "afterDateTime", "{assigned}");

    let dmitri = urlencode(&format!("principalId eq '{}'", story::user_id("dmitri.volkov")));
    let (_, held) = client.json(&format!("/v1.0/roleManagement/directory/roleAssignments?$filter={dmitri}")).await;
    assert_eq!(held["value"][0]["roleDefinitionId"], GLOBAL_ADMINISTRATOR, "{held}");
}

#[tokio::test]
async fn pim_for_groups_filters_by_the_current_user() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (status, mine) = client
        .json("/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances/filterByCurrentUser(on='principal')")
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(principal_ids(&mine), [crate::demo::persona_object_id()]);
    assert_eq!(mine["value"][0]["accessId"], "member");
    // Without it, Graph still wants a principal or a group.
    let (status, _) = client.json("/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
