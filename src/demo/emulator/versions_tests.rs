//! What beta serves that v1.0 does not: the beta-only sign-ins, beta's sign-in properties, the
//! app sign-in summary; and the provisioning jobs below a service principal.

use reqwest::StatusCode;
use serde_json::Value;

use super::tests::{Client, ids, start, urlencode};
use crate::demo::tenant::story;

fn event_types(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .flat_map(|r| r["signInEventTypes"].as_array().cloned().unwrap_or_default())
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn filtered(version: &str, filter: &str) -> String {
    format!("/{version}/auditLogs/signIns?$top=1000&$filter={}", urlencode(filter))
}

#[tokio::test]
async fn v1_lists_interactive_sign_ins_only_and_beta_adds_the_others_when_asked() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (status, v1) = client.json("/v1.0/auditLogs/signIns?$top=1000").await;
    assert_eq!(status, StatusCode::OK, "{v1}");
    let (status, beta) = client.json("/beta/auditLogs/signIns?$top=1000").await;
    assert_eq!(status, StatusCode::OK, "{beta}");
    // Without a filter on the event types, beta lists the same interactive sign-ins.
    assert_eq!(ids(&v1), ids(&beta));
    assert!(v1["value"][0].get("signInEventTypes").is_none(), "v1.0 does not know the beta properties");
    assert_eq!(beta["value"][0]["signInEventTypes"][0], "interactiveUser");

    // v1.0 refuses the beta property; beta answers with the beta-only sign-ins.
    let non_interactive = "signInEventTypes/any(t: t eq 'nonInteractiveUser')";
    let (status, error) = client.json(&filtered("v1.0", non_interactive)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let (status, page) = client.json(&filtered("beta", non_interactive)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!ids(&page).is_empty());
    assert!(event_types(&page).iter().all(|t| t == "nonInteractiveUser"));
    let revoked = story::extended_sign_in_id("karita/outlook-revoked-1");
    assert!(ids(&page).contains(&revoked));
    assert!(!ids(&v1).contains(&revoked));
    let times: Vec<&str> =
        page["value"].as_array().into_iter().flatten().filter_map(|r| r["createdDateTime"].as_str()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    for (kind, who) in [("servicePrincipal", "Payroll Sync"), ("managedIdentity", "woodgrove-recon-func")] {
        let (status, page) = client.json(&filtered("beta", &format!("signInEventTypes/any(t: t eq '{kind}')"))).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(event_types(&page).iter().all(|t| t == kind), "{kind}");
        assert!(page["value"].as_array().is_some_and(|rows| rows.iter().any(|r| r["servicePrincipalName"] == who)));
    }
    // Interactive sign-ins asked for by type are the v1.0 ones.
    let (_, interactive) = client.json(&filtered("beta", "signInEventTypes/any(t: t eq 'interactiveUser')")).await;
    assert_eq!(ids(&interactive), ids(&v1));

    // A beta-only sign-in exists on beta alone.
    let (status, _) = client.json(&format!("/v1.0/auditLogs/signIns/{revoked}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, one) = client.json(&format!("/beta/auditLogs/signIns/{revoked}")).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["status"]["errorCode"], 50173);
}

#[tokio::test]
async fn the_app_sign_in_summary_is_beta_only_and_counts_the_log() {
    let graph = start().await;
    let client = Client::new(&graph);
    let path = "/reports/getAzureADApplicationSignInSummary(period='D7')";
    let (status, page) = client.json(&format!("/beta{path}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let rows = page["value"].as_array().cloned().unwrap_or_default();
    let portal = rows.iter().find(|r| r["appDisplayName"] == "Woodgrove Finance Portal").expect("the portal");
    assert!(portal["failedSignInCount"].as_i64() >= Some(1), "Karita's iPhone was refused: {portal}");
    assert!(portal["successfulSignInCount"].as_i64() >= Some(1));
    let (_, month) = client.json("/beta/reports/getAzureADApplicationSignInSummary(period='D30')").await;
    let total = |p: &Value| -> i64 {
        p["value"].as_array().into_iter().flatten().filter_map(|r| r["successfulSignInCount"].as_i64()).sum()
    };
    assert!(total(&month) > total(&page));

    let (status, error) = client.json("/beta/reports/getAzureADApplicationSignInSummary(period='D1')").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let (status, _) = client.json(&format!("/v1.0{path}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn provisioning_jobs_hang_off_their_service_principal() {
    let graph = start().await;
    let client = Client::new(&graph);
    let (_, crm) = client.json("/v1.0/servicePrincipals?$filter=displayName%20eq%20'Sales%20CRM'&$select=id").await;
    let crm = crm["value"][0]["id"].as_str().expect("Sales CRM").to_string();
    let (status, jobs) = client.json(&format!("/v1.0/servicePrincipals/{crm}/synchronization/jobs")).await;
    assert_eq!(status, StatusCode::OK, "{jobs}");
    assert_eq!(jobs["value"][0]["status"]["code"], "Quarantine");
    assert_eq!(jobs["value"][0]["status"]["quarantine"]["reason"], "EncounteredQuarantineException");
    let job = jobs["value"][0]["id"].as_str().expect("job id").to_string();
    let (status, one) = client.json(&format!("/v1.0/servicePrincipals/{crm}/synchronization/jobs/{job}")).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["templateId"], "salesforce");
    let (status, _) = client.json(&format!("/v1.0/servicePrincipals/{crm}/synchronization/jobs/nope.1.2")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Its provisioning events failed since the quarantine began and succeeded before.
    let filter = urlencode(&format!("servicePrincipal/id eq '{crm}'"));
    let (status, events) = client.json(&format!("/v1.0/auditLogs/provisioning?$filter={filter}")).await;
    assert_eq!(status, StatusCode::OK, "{events}");
    let statuses: Vec<&str> = events["value"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["provisioningStatusInfo"]["status"].as_str())
        .collect();
    assert!(statuses.contains(&"failure") && statuses.contains(&"success"), "{statuses:?}");
    let actions: Vec<&str> =
        events["value"].as_array().into_iter().flatten().filter_map(|e| e["provisioningAction"].as_str()).collect();
    assert!(actions.contains(&"create") && actions.contains(&"delete"), "{actions:?}");
}
