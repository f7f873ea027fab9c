//! Shared end-to-end checks: every wave-1 skill called through a real MCP client, asserting
//! facts of the Woodgrove Bank demo tenant. Used by the stdio and the HTTP tests, so both
//! transports are held to the same answers.

#![allow(dead_code)]

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RoleClient, RunningService};
use serde_json::{Value, json};

pub type Client = RunningService<RoleClient, ()>;

/// One tool call's answer.
pub struct Answer {
    pub is_error: bool,
    pub structured: Value,
    pub text: String,
}

pub async fn call(client: &Client, name: &str, args: Value) -> Answer {
    let arguments = args.as_object().cloned().unwrap_or_default();
    let result: CallToolResult = client
        .call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(arguments))
        .await
        .unwrap_or_else(|e| panic!("{name}: a bad call must be a tool error, not a protocol error: {e}"));
    let text = result.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect::<Vec<_>>().join("\n");
    Answer {
        is_error: result.is_error == Some(true),
        structured: result.structured_content.unwrap_or(Value::Null),
        text,
    }
}

/// A successful call's structured answer.
pub async fn ok(client: &Client, name: &str, args: Value) -> Value {
    let answer = call(client, name, args.clone()).await;
    assert!(!answer.is_error, "{name} {args} failed: {}", answer.text);
    assert!(
        answer.structured["graph_requests"].as_array().is_some_and(|r| !r.is_empty()),
        "{name} lists its Graph requests"
    );
    answer.structured
}

/// A failed call's error kind and text.
pub async fn err(client: &Client, name: &str, args: Value) -> (String, String) {
    let answer = call(client, name, args.clone()).await;
    assert!(answer.is_error, "{name} {args} should fail: {}", answer.text);
    (answer.structured["error"]["kind"].as_str().unwrap_or_default().to_string(), answer.text)
}

fn strings<'a>(rows: &'a Value, field: &str) -> Vec<&'a str> {
    rows.as_array().map(|a| a.iter().filter_map(|r| r[field].as_str()).collect()).unwrap_or_default()
}

const KARITA: &str = "karita@woodgrovebank.com";

/// The user skills.
pub async fn check_users(client: &Client) {
    let karita = ok(client, "get_user", json!({"user": KARITA})).await;
    assert_eq!(karita["upn"], KARITA);
    assert_eq!(karita["display_name"], "Karita Ahlberg");
    assert_eq!(karita["department"], "Finance");
    assert_eq!(karita["enabled"], true);
    assert_eq!(karita["manager"]["display_name"], "Daniel Moreau");
    let id = karita["id"].as_str().expect("id").to_string();
    assert_eq!(id.len(), 36);
    let by_id = ok(client, "get_user", json!({"user": id})).await;
    assert_eq!(by_id["upn"], KARITA, "the object id leads back to the same user");

    let (kind, text) = err(client, "get_user", json!({"user": "nobody@woodgrovebank.com"})).await;
    assert_eq!(kind, "not_found");
    assert!(text.contains("search_users"), "{text}");

    let found = ok(client, "search_users", json!({"name": "Karita"})).await;
    assert!(strings(&found["users"], "upn").contains(&KARITA));
    let guests = ok(client, "search_users", json!({"user_type": "guest", "limit": 100})).await;
    let guest_types = strings(&guests["users"], "user_type");
    assert!(guest_types.len() >= 20 && guest_types.iter().all(|t| *t == "Guest"), "{guest_types:?}");
    assert_eq!(guests["total"].as_u64(), Some(guest_types.len() as u64));
    // A quote in a name reaches Graph escaped, and finds the one person it names.
    let obrien = ok(client, "search_users", json!({"name": "Siobhan O'Brien"})).await;
    assert_eq!(strings(&obrien["users"], "display_name"), ["Siobhan O'Brien"]);
    // An injection attempt is one literal: it matches nobody and fails nothing.
    let injected = ok(client, "search_users", json!({"name": "x' or userType eq 'Guest"})).await;
    assert_eq!(injected["returned"], 0);
    let disabled = ok(client, "search_users", json!({"enabled": false, "limit": 50})).await;
    assert!(disabled["returned"].as_u64().is_some_and(|n| n >= 6), "the leavers are disabled");

    let groups = ok(client, "get_user_memberships", json!({"user": KARITA})).await;
    let rows = groups["groups"].as_array().expect("groups");
    let find = |name: &str| rows.iter().find(|g| g["display_name"] == name).cloned().unwrap_or(Value::Null);
    assert_eq!(find("Finance Department")["direct"], true);
    assert_eq!(find("Finance App Users")["direct"], false, "inherited through Finance Department");
    assert_eq!(find("Finance Team")["kind"], "microsoft365");

    let devices = ok(client, "get_user_devices", json!({"user": KARITA})).await;
    let devices = devices["devices"].as_array().expect("devices");
    assert_eq!(devices.len(), 2);
    assert!(devices.iter().any(|d| d["os"] == "Windows" && d["compliant"] == true && d["managed"] == true));
    assert!(devices.iter().any(|d| d["os"] == "iOS" && d["managed"] == false && d["join_type"] == "registered"));

    let methods = ok(client, "list_user_auth_methods", json!({"user": KARITA})).await;
    let kinds = strings(&methods["methods"], "kind");
    for expected in ["password", "microsoft_authenticator", "phone"] {
        assert!(kinds.contains(&expected), "{kinds:?}");
    }
    assert_eq!(methods["mfa_capable"], true);
    assert_eq!(methods["phishing_resistant"], false);
}

/// The group skills.
pub async fn check_groups(client: &Client) {
    let group = ok(client, "get_group", json!({"group": "Finance Department"})).await;
    assert_eq!(group["kind"], "security");
    assert!(group["member_count"].as_u64().is_some_and(|n| n >= 3));
    let id = group["id"].as_str().expect("id").to_string();
    let same = ok(client, "get_group", json!({"group": id})).await;
    assert_eq!(same["display_name"], "Finance Department");
    let (kind, _) = err(client, "get_group", json!({"group": "No Such Group"})).await;
    assert_eq!(kind, "not_found");

    let direct = ok(client, "list_group_members", json!({"group": "Finance App Users"})).await;
    assert!(!strings(&direct["members"], "key").contains(&KARITA), "Karita is not a direct member");
    assert!(strings(&direct["members"], "display_name").contains(&"Finance Department"));
    let nested = ok(
        client,
        "list_group_members",
        json!({"group": "Finance App Users", "nested": true, "member_type": "user", "limit": 200}),
    )
    .await;
    assert!(strings(&nested["members"], "key").contains(&KARITA), "Karita is a nested member");
    assert!(nested["counts"]["user"].as_u64().is_some_and(|n| n >= 1));

    let laptops = ok(client, "list_group_members", json!({"group": "Finance Laptops", "member_type": "device"})).await;
    assert!(laptops["counts"]["device"].as_u64().is_some_and(|n| n >= 1));
}

/// The sign-in skills; returns nothing, asserts Karita's story.
pub async fn check_sign_ins(client: &Client) {
    let list = ok(client, "list_sign_ins", json!({"user": KARITA, "since": "48h", "limit": 50})).await;
    let rows = list["sign_ins"].as_array().expect("rows");
    let codes: Vec<i64> = rows.iter().filter_map(|r| r["error_code"].as_i64()).collect();
    assert_eq!(codes.iter().filter(|c| **c == 50126).count(), 4, "four IMAP password failures: {codes:?}");
    for code in [53003, 50074, 500121, 53000, 0] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let tor = rows.iter().find(|r| r["error_code"] == 53003).expect("the Tor sign-in").clone();
    assert!(
        tor["ca_failed"]
            .as_array()
            .is_some_and(|p| p.iter().any(|n| n.as_str().is_some_and(|n| n.starts_with("CA004")))),
        "{tor}"
    );
    let imap = rows.iter().find(|r| r["error_code"] == 50126).expect("an IMAP failure");
    assert!(
        imap["ca_failed"].as_array().is_some_and(|p| p
            .iter()
            .any(|n| n.as_str().is_some_and(|n| n.contains("CA002") && n.contains("report-only")))),
        "{imap}"
    );

    let blocked = ok(client, "list_sign_ins", json!({"error_code": 53003, "since": "48h"})).await;
    assert!(strings(&blocked["sign_ins"], "id").contains(&tor["id"].as_str().unwrap_or_default()));
    let failures = ok(client, "list_sign_ins", json!({"user": KARITA, "outcome": "failure", "since": "48h"})).await;
    assert!(failures["sign_ins"].as_array().is_some_and(|r| r.iter().all(|s| s["error_code"] != 0)));
    let imap_only =
        ok(client, "list_sign_ins", json!({"user": KARITA, "since": "48h", "filter": "clientAppUsed eq 'IMAP4'"}))
            .await;
    assert_eq!(imap_only["returned"], 4);

    let detail = ok(client, "get_sign_in", json!({"id": tor["id"]})).await;
    let sign_in = &detail["sign_ins"][0];
    let ca004 = sign_in["policies"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"].as_str().is_some_and(|n| n.starts_with("CA004"))))
        .cloned()
        .expect("CA004 applied");
    assert_eq!(ca004["result"], "failure");
    let by_policy =
        ok(client, "list_sign_ins", json!({"ca_policy": ca004["id"], "ca_policy_result": "failure", "since": "48h"}))
            .await;
    assert!(
        strings(&by_policy["sign_ins"], "id").contains(&tor["id"].as_str().unwrap_or_default()),
        "CA004's sign-ins include the Tor one"
    );

    let tor_why = ok(client, "explain_sign_in_failure", json!({"sign_in_id": tor["id"]})).await;
    assert_eq!(tor_why["error_code"], 53003);
    assert_eq!(tor_why["category"], "ca");
    let policy = &tor_why["blocking_policies"][0];
    assert!(policy["name"].as_str().is_some_and(|n| n.starts_with("CA004")));
    assert!(policy["unmet_controls"].as_array().is_some_and(|c| c.iter().any(|c| c == "block")));
    assert!(
        tor_why["what_if"]["applying_now"]
            .as_array()
            .is_some_and(|a| a.iter().any(|p| p.as_str().is_some_and(|p| p.starts_with("CA004")))),
        "{}",
        tor_why["what_if"]
    );

    let latest = ok(client, "explain_sign_in_failure", json!({"user": KARITA, "since": "3h"})).await;
    assert_eq!(latest["error_code"], 53000);
    assert!(latest["blocking_policies"][0]["name"].as_str().is_some_and(|n| n.starts_with("CA005")));
    assert!(latest["next_step"].as_str().is_some_and(|s| s.contains("compliant")));

    let mfa = rows.iter().find(|r| r["error_code"] == 50074).expect("the MFA interrupt");
    let chain = ok(client, "get_sign_in", json!({"correlation_id": mfa["correlation_id"]})).await;
    let chain_codes: Vec<i64> = chain["sign_ins"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["error_code"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(chain_codes, [50074, 500121], "interrupt, then MFA denied, in one attempt");
    let denied = ok(client, "explain_sign_in_failure", json!({"correlation_id": mfa["correlation_id"]})).await;
    assert_eq!(denied["error_code"], 500121);
    assert_eq!(denied["outcome"], "failure");
    assert_eq!(denied["resolved_by_retry"], false);
}

/// The audit skill.
pub async fn check_audits(client: &Client) {
    let audits = ok(client, "list_directory_audits", json!({"since": "7d", "limit": 200})).await;
    let rows = audits["audits"].as_array().expect("audits");
    assert!(rows.len() >= 5);
    let ca003 = rows
        .iter()
        .find(|a| {
            a["targets"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t["name"].as_str().is_some_and(|n| n.starts_with("CA003"))))
        })
        .expect("the CA003 edit");
    assert_eq!(ca003["category"], "Policy");
    assert!(rows.iter().any(|a| a["result"] == "failure"), "failures are logged too");
    let by_marcus =
        ok(client, "list_directory_audits", json!({"initiated_by": "marcus@woodgrovebank.com", "since": "30d"})).await;
    assert!(
        by_marcus["audits"]
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|r| r["initiated_by"] == "marcus@woodgrovebank.com"))
    );
    let target = ca003["targets"][0]["id"].clone();
    let on_target = ok(client, "list_directory_audits", json!({"target": target, "since": "30d"})).await;
    assert!(strings(&on_target["audits"], "id").contains(&ca003["id"].as_str().unwrap_or_default()));
}

/// The risk skills.
pub async fn check_risk(client: &Client) {
    let risky = ok(client, "list_risky_users", json!({})).await;
    let karita = risky["users"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["upn"] == KARITA))
        .cloned()
        .expect("Karita is at risk");
    assert_eq!(karita["risk_level"], "high");
    assert_eq!(karita["risk_state"], "atRisk");
    let high = ok(client, "list_risky_users", json!({"risk_level": "high"})).await;
    assert!(high["users"].as_array().is_some_and(|u| u.iter().all(|u| u["risk_level"] == "high")));

    let detail = ok(client, "get_risky_user", json!({"user": KARITA})).await;
    assert_eq!(detail["risk_level"], "high");
    let types: Vec<&str> =
        detail["detection_types"].as_array().map(|a| a.iter().filter_map(|t| t.as_str()).collect()).unwrap_or_default();
    let known = ["passwordSpray", "anonymizedIPAddress", "unlikelyTravel", "unfamiliarFeatures"];
    assert!(known.iter().filter(|k| types.contains(k)).count() >= 2, "{types:?}");
    assert!(detail["risky_sign_ins"].as_array().is_some_and(|s| s.len() >= 3), "the 30/20/12 h sign-ins carry risk");
    // The composite's three reads are concurrent and need no user lookup first.
    assert_eq!(detail["graph_requests"].as_array().map(|r| r.len()), Some(3));

    let spray = ok(client, "list_risk_detections", json!({"risk_event_type": "passwordSpray", "since": "7d"})).await;
    let users = strings(&spray["detections"], "user");
    assert!(users.contains(&KARITA));
    let ips: std::collections::BTreeSet<&str> = strings(&spray["detections"], "ip_address").into_iter().collect();
    assert!(users.len() >= 9 && ips.len() == 1, "one IP sprayed Karita and 8 colleagues: {users:?} {ips:?}");
}

/// Bad input: tool errors that name the field, never protocol errors.
pub async fn check_bad_input(client: &Client) {
    let cases = [
        ("get_user", json!({"user": "karita"}), "`user`"),
        ("get_user", json!({}), "missing field `user`"),
        ("get_user", json!({"user": KARITA, "extra": 1}), "unknown field `extra`"),
        ("get_user", json!({"user": 42}), "`user`"),
        ("list_sign_ins", json!({"limit": 600}), "`limit`"),
        ("list_sign_ins", json!({"limit": "ten"}), "`limit`"),
        ("list_sign_ins", json!({"since": "yesterday"}), "`since`"),
        ("list_sign_ins", json!({"ca_policy": "CA004"}), "`ca_policy`"),
        ("list_sign_ins", json!({"ip_address": "1.2.3"}), "`ip_address`"),
        ("list_sign_ins", json!({"filter": "userId eq 'x' or 1 eq 1"}), "`filter`"),
        ("list_sign_ins", json!({"outcome": "maybe"}), "`outcome`"),
        ("get_sign_in", json!({"id": "' or 1 eq 1"}), "`id`"),
        ("get_sign_in", json!({}), "exactly one"),
        ("list_directory_audits", json!({"target": "not-a-guid"}), "`target`"),
        ("list_risk_detections", json!({"risk_event_type": "spray' or 'a'='a"}), "`risk_event_type`"),
        ("explain_sign_in_failure", json!({"user": KARITA, "sign_in_id": "x"}), "exactly one"),
    ];
    for (tool, args, names) in cases {
        let (kind, text) = err(client, tool, args.clone()).await;
        assert_eq!(kind, "invalid_input", "{tool} {args}: {text}");
        assert!(text.contains(names), "{tool} {args}: `{text}` should name {names}");
    }
    let (kind, text) = err(client, "no_such_tool", json!({})).await;
    assert_eq!(kind, "invalid_input");
    assert!(text.contains("get_user"), "lists the known tools: {text}");
}

/// Everything, in one go.
pub async fn check_every_skill(client: &Client) {
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names.len(), 14, "{names:?}");
    check_users(client).await;
    check_groups(client).await;
    check_sign_ins(client).await;
    check_audits(client).await;
    check_risk(client).await;
    check_bad_input(client).await;
}
