//! The write path end to end, over streamable HTTP with an rmcp client against the demo
//! tenant, reading the emulator's state back after every step: a preview changes nothing; a
//! confirmed call applies exactly the change previewed; every refusal (altered, foreign,
//! misdirected, stale or unconfirmed tokens, a missing re-typed target, the guard rails)
//! changes nothing; and without `--allow-writes` the writes are not there at all.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use entra_mcp::app::{App, Mode};
use entra_mcp::auth::Caller;
use entra_mcp::config::{Cloud, DemoSettings, Settings};
use entra_mcp::skills::Selection;
use rmcp::ServiceExt;
use rmcp::service::ServiceError;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

const KARITA: &str = "karita@woodgrovebank.com";

struct Running {
    app: App,
    client: common::Client,
    cancel: CancellationToken,
    http: reqwest::Client,
}

async fn start(selection: Selection, env: &[(&str, &str)]) -> Running {
    let vars: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let demo = Some(DemoSettings { scale: 1, latency_ms: 0 });
    let settings =
        Settings::with_env(demo, Cloud::Public, None, selection, |name| vars.get(name).cloned()).expect("settings");
    let app = App::start(&settings, Mode::Http).await.expect("app starts");
    let listener = entra_mcp::http::bind("127.0.0.1:0".parse().expect("addr")).await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let cancel = CancellationToken::new();
    let router =
        entra_mcp::http::router(app.server.clone(), None, entra_mcp::http::allowed_hosts(&[], None), cancel.clone());
    tokio::spawn(entra_mcp::http::serve(listener, router, cancel.clone()));
    let transport = StreamableHttpClientTransport::from_config(StreamableHttpClientTransportConfig::with_uri(format!(
        "http://{addr}/mcp"
    )));
    let client = ().serve(transport).await.expect("initialize over HTTP");
    Running { app, client, cancel, http: reqwest::Client::new() }
}

impl Running {
    fn demo(&self) -> &entra_mcp::demo::DemoGraph {
        self.app.demo.as_ref().expect("the demo tenant")
    }

    /// A user's state as the emulator holds it, read the way Graph is read.
    async fn user(&self, upn: &str) -> Value {
        let url = format!(
            "{}/v1.0/users/{upn}?$select=id,accountEnabled,signInSessionsValidFromDateTime",
            self.demo().base_url()
        );
        let bearer = format!("demo:{}", entra_mcp::demo::persona_object_id());
        self.http.get(url).bearer_auth(bearer).send().await.expect("read back").json().await.expect("JSON")
    }

    async fn call(&self, tool: &str, args: Value) -> common::Answer {
        common::call(&self.client, tool, args).await
    }

    async fn stop(self) {
        self.client.cancel().await.expect("close");
        self.cancel.cancel();
    }
}

fn token(preview: &common::Answer) -> String {
    assert!(!preview.is_error, "{}", preview.text);
    assert_eq!(preview.structured["pending_confirmation"], true, "{}", preview.text);
    preview.structured["confirmation"].as_str().expect("a confirmation token").to_string()
}

/// A refusal of a confirmation: `invalid_input` naming why, and no Graph write.
fn refused(answer: &common::Answer, why: &str) {
    assert!(answer.is_error, "should be refused: {}", answer.text);
    assert_eq!(answer.structured["error"]["kind"], "invalid_input", "{}", answer.text);
    assert!(answer.text.contains(why), "`{}` should say {why}", answer.text);
    let methods: Vec<&str> = answer.structured["graph_requests"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["method"].as_str()).collect())
        .unwrap_or_default();
    assert!(methods.iter().all(|m| *m == "GET"), "nothing but reads was sent: {methods:?}");
}

#[tokio::test]
async fn without_allow_writes_the_writes_do_not_exist() {
    let running = start(Selection { toolsets: Selection::everything().toolsets, ..Selection::default() }, &[]).await;
    let tools = running.client.list_all_tools().await.expect("tools/list");
    assert!(!tools.iter().any(|t| t.name == "revoke_user_sessions" || t.name == "set_user_account_enabled"));
    match common::try_call(&running.client, "revoke_user_sessions", json!({"user": KARITA})).await {
        Err(ServiceError::McpError(error)) => {
            assert_eq!(error.code.0, -32602);
            assert!(error.message.contains("there is no tool"), "{}", error.message);
        }
        other => panic!("a write without --allow-writes is unknown: {:?}", other.map(|a| a.text)),
    }
    assert_eq!(running.demo().writes_applied(), 0);
    running.stop().await;
}

#[tokio::test]
async fn revoke_user_sessions_previews_refuses_and_applies() {
    let running = start(Selection::everything(), &[]).await;
    let before = running.user(KARITA).await;
    let args = json!({"user": KARITA});

    // The preview changes nothing.
    let preview = running.call("revoke_user_sessions", args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["confirm_target_required"], KARITA);
    assert_eq!(running.user(KARITA).await, before, "a preview changes nothing");
    assert_eq!(running.demo().writes_applied(), 0);

    // Refusals, each changing nothing.
    let mut altered = confirmation.clone().into_bytes();
    let last = altered.len() - 2;
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).expect("ASCII");
    let answer = running
        .call("revoke_user_sessions", json!({"user": KARITA, "confirm": altered, "confirm_target": KARITA}))
        .await;
    refused(&answer, "altered");
    assert!(answer.structured["graph_requests"].as_array().is_none_or(Vec::is_empty), "refused before any request");

    let other = json!({"user": "marcus@woodgrovebank.com", "confirm": confirmation, "confirm_target": "marcus@woodgrovebank.com"});
    refused(&running.call("revoke_user_sessions", other).await, "other arguments");

    let other_tool = json!({"user": KARITA, "enabled": false, "confirm": confirmation, "confirm_target": KARITA});
    refused(&running.call("set_user_account_enabled", other_tool).await, "another tool");

    refused(
        &running.call("revoke_user_sessions", json!({"user": KARITA, "confirm": confirmation})).await,
        "confirm_target",
    );
    refused(
        &running
            .call("revoke_user_sessions", json!({"user": KARITA, "confirm": confirmation, "confirm_target": "karita"}))
            .await,
        "does not match",
    );
    refused(
        &running.call("revoke_user_sessions", json!({"user": KARITA, "confirm": "made-up"})).await,
        "not one this server issued",
    );

    // Another caller cannot use this caller's token (in process: the demo has one persona).
    let someone_else =
        Arc::new(Caller { object_id: Some(entra_mcp::demo::tenant::story::user_id("marcus")), ..Caller::default() });
    let confirmed = json!({"user": KARITA, "confirm": confirmation, "confirm_target": KARITA});
    let reply = running
        .app
        .server
        .call("revoke_user_sessions", confirmed.as_object().cloned(), someone_else)
        .await
        .expect("a known tool");
    assert!(reply.is_error && reply.markdown.contains("another caller"), "{}", reply.markdown);
    assert_eq!(running.user(KARITA).await, before, "no refusal changed anything");
    assert_eq!(running.demo().writes_applied(), 0);

    // The confirmed call applies exactly the previewed change.
    let applied = running.call("revoke_user_sessions", confirmed.clone()).await;
    assert!(!applied.is_error, "{}", applied.text);
    assert_eq!(applied.structured["revoked"], true);
    let after = running.user(KARITA).await;
    assert_ne!(after["signInSessionsValidFromDateTime"], before["signInSessionsValidFromDateTime"]);
    assert_eq!(applied.structured["sessions_valid_from"], after["signInSessionsValidFromDateTime"]);
    assert_eq!(running.demo().writes_applied(), 1);
    let methods: Vec<&str> = applied.structured["graph_requests"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["method"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(methods.iter().filter(|m| **m == "POST").count(), 1, "one write: {methods:?}");

    // The same token again is stale: the target moved on.
    refused(&running.call("revoke_user_sessions", confirmed).await, "changed since the preview");
    assert_eq!(running.demo().writes_applied(), 1);

    // Guard rails: never the caller, never a break-glass account.
    refused(&running.call("revoke_user_sessions", json!({"user": "me"})).await, "yourself");
    refused(
        &running.call("revoke_user_sessions", json!({"user": "breakglass01@woodgrovebank.onmicrosoft.com"})).await,
        "break-glass",
    );
    assert_eq!(running.demo().writes_applied(), 1);
    running.stop().await;
}

#[tokio::test]
async fn set_user_account_enabled_blocks_unblocks_and_goes_stale() {
    let running = start(Selection::everything(), &[]).await;
    assert_eq!(running.user(KARITA).await["accountEnabled"], true);

    let disable = json!({"user": KARITA, "enabled": false});
    let preview = running.call("set_user_account_enabled", disable.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C3");
    assert_eq!(running.user(KARITA).await["accountEnabled"], true, "a preview changes nothing");

    // Another change to Karita that leaves `accountEnabled` alone does not spoil the block's
    // token: the token binds the state the change depends on.
    let other_preview = running.call("revoke_user_sessions", json!({"user": KARITA})).await;
    let other_token = token(&other_preview);
    let revoked = running
        .call("revoke_user_sessions", json!({"user": KARITA, "confirm": other_token, "confirm_target": KARITA}))
        .await;
    assert!(!revoked.is_error, "{}", revoked.text);
    let mut confirmed = disable.clone();
    confirmed["confirm"] = json!(confirmation);
    confirmed["confirm_target"] = json!(KARITA);
    let blocked = running.call("set_user_account_enabled", confirmed.clone()).await;
    assert!(!blocked.is_error, "{}", blocked.text);
    assert_eq!(blocked.structured["enabled"], false);
    assert_eq!(running.user(KARITA).await["accountEnabled"], false);

    // Unblocking is tier 2: confirmed without re-typing the target.
    let enable = json!({"user": KARITA, "enabled": true});
    let preview = running.call("set_user_account_enabled", enable.clone()).await;
    assert_eq!(preview.structured["tier"], "C2");
    assert!(preview.structured.get("confirm_target_required").is_none());
    let mut confirmed_enable = enable;
    confirmed_enable["confirm"] = json!(token(&preview));
    let unblocked = running.call("set_user_account_enabled", confirmed_enable).await;
    assert!(!unblocked.is_error, "{}", unblocked.text);
    assert_eq!(running.user(KARITA).await["accountEnabled"], true);

    // A token is single-use in effect: once its change is applied the state it was issued
    // for is gone, and replaying it is refused as stale.
    let preview = running.call("set_user_account_enabled", disable.clone()).await;
    let stale_token = token(&preview);
    let mut block_again = confirmed.clone();
    block_again["confirm"] = json!(stale_token.clone());
    assert!(!running.call("set_user_account_enabled", block_again).await.is_error);
    let mut replay = disable;
    replay["confirm"] = json!(stale_token);
    replay["confirm_target"] = json!(KARITA);
    refused(&running.call("set_user_account_enabled", replay).await, "changed since the preview");
    assert_eq!(running.user(KARITA).await["accountEnabled"], false);
    running.stop().await;
}

#[tokio::test]
async fn the_last_enabled_global_administrator_is_never_blocked() {
    // With no break-glass list, the two emergency accounts are ordinary Global Administrators.
    let running = start(Selection::everything(), &[("ENTRA_MCP_BREAK_GLASS", "")]).await;
    let first = "breakglass01@woodgrovebank.onmicrosoft.com";
    let second = "breakglass02@woodgrovebank.onmicrosoft.com";

    let preview = running.call("set_user_account_enabled", json!({"user": first, "enabled": false})).await;
    let confirmation = token(&preview);
    let applied = running
        .call(
            "set_user_account_enabled",
            json!({"user": first, "enabled": false, "confirm": confirmation, "confirm_target": first}),
        )
        .await;
    assert!(!applied.is_error, "{}", applied.text);
    assert_eq!(running.user(first).await["accountEnabled"], false);

    let last = running.call("set_user_account_enabled", json!({"user": second, "enabled": false})).await;
    refused(&last, "last enabled Global Administrator");
    assert_eq!(running.user(second).await["accountEnabled"], true);
    assert_eq!(running.demo().writes_applied(), 1);
    running.stop().await;
}

/// A client that declares elicitation and answers every prompt the same way, counting them.
struct Human {
    approve: bool,
    asked: Arc<std::sync::atomic::AtomicUsize>,
}

impl rmcp::ClientHandler for Human {
    async fn create_elicitation(
        &self,
        request: rmcp::model::ElicitRequestParams,
        _context: rmcp::service::RequestContext<rmcp::RoleClient>,
    ) -> Result<rmcp::model::ElicitResult, rmcp::ErrorData> {
        use rmcp::model::{ElicitRequestParams, ElicitResult, ElicitationAction};
        self.asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let ElicitRequestParams::FormElicitationParams { message, .. } = request else {
            return Ok(ElicitResult::new(ElicitationAction::Decline));
        };
        assert!(message.contains("Karita Ahlberg") && message.contains("Undo"), "{message}");
        Ok(ElicitResult::new(ElicitationAction::Accept).with_content(json!({"approve": self.approve})))
    }

    fn get_info(&self) -> rmcp::model::ClientConfig {
        use rmcp::model::{ClientCapabilities, ElicitationCapability, FormElicitationCapability, Implementation};
        rmcp::model::ClientConfig::new(
            ClientCapabilities::builder()
                .enable_elicitation_with(ElicitationCapability::new().with_form(FormElicitationCapability::new()))
                .build(),
            Implementation::new("writes-test", "1.0.0"),
        )
    }
}

#[tokio::test]
async fn over_stdio_a_client_with_elicitation_asks_the_human_too() {
    use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
    for approve in [false, true] {
        let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let transport =
            TokioChildProcess::new(tokio::process::Command::new(env!("CARGO_BIN_EXE_entra-mcp")).configure(|c| {
                c.args(["stdio", "--demo", "--allow-writes=users"]).env("ENTRA_MCP_LOG", "error");
            }))
            .expect("spawn entra-mcp");
        let client = Human { approve, asked: asked.clone() }.serve(transport).await.expect("initialize over stdio");
        let call = |args: Value| {
            let client = &client;
            async move {
                let arguments = args.as_object().cloned().unwrap_or_default();
                let result = client
                    .call_tool(
                        rmcp::model::CallToolRequestParams::new("revoke_user_sessions").with_arguments(arguments),
                    )
                    .await
                    .expect("a tool result");
                (result.is_error == Some(true), result.structured_content.unwrap_or_default())
            }
        };
        let (failed, preview) = call(json!({"user": KARITA})).await;
        assert!(!failed, "{preview}");
        assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 0, "a preview asks no one");
        let confirmation = preview["confirmation"].clone();
        let (failed, answer) = call(json!({"user": KARITA, "confirm": confirmation, "confirm_target": KARITA})).await;
        assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1, "the human is asked once");
        if approve {
            assert!(!failed, "{answer}");
            assert_eq!(answer["revoked"], true);
        } else {
            assert!(failed, "{answer}");
            assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("declined")), "{answer}");
            let writes = answer["graph_requests"].as_array().map(|r| r.iter().filter(|r| r["method"] != "GET").count());
            assert_eq!(writes, Some(0), "nothing was changed: {answer}");
        }
        client.cancel().await.expect("shutdown");
    }
}

// ---------------------------------------------------------------------------------------------
// Group membership: add_group_members (C2) and remove_group_members (C3), read back from the
// emulator after every step; each refusal (too many users, a role-assignable group without
// Privileged Role Administrator, a dynamic group, a mis-typed confirm_target) changes nothing.
// ---------------------------------------------------------------------------------------------

const INCIDENT_RESPONSE: &str = "Incident Response Team";
const HELPDESK_OPERATORS: &str = "Helpdesk Operators";

fn upn(handle: &str) -> String {
    format!("{handle}@woodgrovebank.com")
}

impl Running {
    /// A group's direct members (ids, sorted) as the emulator holds them.
    async fn members(&self, group: &str) -> Vec<String> {
        let id = entra_mcp::demo::tenant::story::group_id(group);
        let url = format!("{}/v1.0/groups/{id}/members?$select=id&$top=999", self.demo().base_url());
        let bearer = format!("demo:{}", entra_mcp::demo::persona_object_id());
        let page: Value =
            self.http.get(url).bearer_auth(bearer).send().await.expect("read back").json().await.expect("JSON");
        let mut ids: Vec<String> = page["value"]
            .as_array()
            .map(|v| v.iter().filter_map(|m| m["id"].as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        ids.sort();
        ids
    }
}

fn user_id(handle: &str) -> String {
    entra_mcp::demo::tenant::story::user_id(handle)
}

/// A refusal of a membership change: the error kind, the reason, and no Graph write sent.
fn refused_as(answer: &common::Answer, kind: &str, why: &str) {
    assert!(answer.is_error, "should be refused: {}", answer.text);
    assert_eq!(answer.structured["error"]["kind"], kind, "{}", answer.text);
    assert!(answer.text.contains(why), "`{}` should say {why}", answer.text);
    let methods: Vec<&str> = answer.structured["graph_requests"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["method"].as_str()).collect())
        .unwrap_or_default();
    assert!(methods.iter().all(|m| *m == "GET"), "nothing but reads was sent: {methods:?}");
}

#[tokio::test]
async fn add_group_members_previews_applies_and_reads_back() {
    let running = start(Selection::everything(), &[]).await;
    let before = running.members(INCIDENT_RESPONSE).await;
    assert!(before.contains(&user_id("marcus")) && !before.contains(&user_id("kevin.obi")));
    let args = json!({"group": INCIDENT_RESPONSE, "users": [upn("kevin.obi"), upn("arjun.mehta"), upn("marcus")]});

    // The preview changes nothing, and says Marcus is a member already.
    let preview = running.call("add_group_members", args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C2");
    assert_eq!(preview.structured["requests"].as_array().map(Vec::len), Some(2), "{}", preview.text);
    assert!(preview.text.contains("already members, left as they are: Marcus Lee"), "{}", preview.text);
    assert_eq!(running.members(INCIDENT_RESPONSE).await, before, "a preview changes nothing");
    assert_eq!(running.demo().writes_applied(), 0);

    // Confirmed: two additions, read back from the emulator and in the answer.
    let mut confirmed = args.clone();
    confirmed["confirm"] = json!(confirmation);
    let applied = running.call("add_group_members", confirmed.clone()).await;
    assert!(!applied.is_error, "{}", applied.text);
    let after = running.members(INCIDENT_RESPONSE).await;
    assert_eq!(after.len(), before.len() + 2);
    assert!(after.contains(&user_id("kevin.obi")) && after.contains(&user_id("arjun.mehta")));
    assert_eq!(running.demo().writes_applied(), 2);
    assert_eq!(applied.structured["member_count"], after.len());
    let added: Vec<&str> =
        applied.structured["added"].as_array().map(|a| a.iter().filter_map(|r| r["id"].as_str()).collect()).unwrap();
    assert_eq!(added.len(), 2, "{}", applied.text);
    assert!(applied.structured["added"].as_array().is_some_and(|a| a.iter().all(|r| r["member_now"] == true)));
    assert_eq!(applied.structured["already_members"][0]["id"], user_id("marcus"));

    // The same token again is stale: the users are members now.
    refused(&running.call("add_group_members", confirmed).await, "changed since the preview");
    // A fresh preview has nothing left to do.
    let again = running.call("add_group_members", args).await;
    assert!(again.text.contains("already a direct member"), "{}", again.text);
    assert_eq!(again.structured["requests"].as_array().map(Vec::len), Some(0));
    assert_eq!(running.demo().writes_applied(), 2);
    running.stop().await;
}

#[tokio::test]
async fn remove_group_members_needs_the_group_name_retyped() {
    let running = start(Selection::everything(), &[]).await;
    let before = running.members(INCIDENT_RESPONSE).await;
    let args = json!({"group": INCIDENT_RESPONSE, "users": [upn("nadia.rahman"), upn("kevin.obi")]});

    let preview = running.call("remove_group_members", args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C3");
    assert_eq!(preview.structured["confirm_target_required"], INCIDENT_RESPONSE);
    assert_eq!(preview.structured["requests"].as_array().map(Vec::len), Some(1), "Kevin is not a member");
    assert_eq!(running.members(INCIDENT_RESPONSE).await, before, "a preview changes nothing");

    // Without the re-typed name, or with the wrong one: refused, nothing changed.
    let mut confirmed = args.clone();
    confirmed["confirm"] = json!(confirmation);
    refused(&running.call("remove_group_members", confirmed.clone()).await, "confirm_target");
    confirmed["confirm_target"] = json!("Incident Response");
    refused(&running.call("remove_group_members", confirmed.clone()).await, "does not match");
    confirmed["confirm_target"] = json!("2");
    refused(&running.call("remove_group_members", confirmed.clone()).await, "does not match");
    assert_eq!(running.members(INCIDENT_RESPONSE).await, before);
    assert_eq!(running.demo().writes_applied(), 0);

    // Re-typed (case does not matter): Nadia is removed, and the answer reads it back.
    confirmed["confirm_target"] = json!("incident response team");
    let applied = running.call("remove_group_members", confirmed).await;
    assert!(!applied.is_error, "{}", applied.text);
    let after = running.members(INCIDENT_RESPONSE).await;
    assert_eq!(after.len(), before.len() - 1);
    assert!(!after.contains(&user_id("nadia.rahman")) && after.contains(&user_id("marcus")));
    assert_eq!(applied.structured["removed"][0]["id"], user_id("nadia.rahman"));
    assert_eq!(applied.structured["removed"][0]["member_now"], false);
    assert_eq!(applied.structured["not_members"][0]["id"], user_id("kevin.obi"));
    assert_eq!(applied.structured["member_count"], after.len());
    assert_eq!(running.demo().writes_applied(), 1);

    // Undo with add_group_members puts her back.
    let undo = json!({"group": INCIDENT_RESPONSE, "users": [upn("nadia.rahman")]});
    let mut undo_confirmed = undo.clone();
    undo_confirmed["confirm"] = json!(token(&running.call("add_group_members", undo).await));
    assert!(!running.call("add_group_members", undo_confirmed).await.is_error);
    assert_eq!(running.members(INCIDENT_RESPONSE).await, before);
    running.stop().await;
}

#[tokio::test]
async fn membership_changes_outside_the_rails_change_nothing() {
    let running = start(Selection::everything(), &[]).await;
    let helpdesk = running.members(HELPDESK_OPERATORS).await;
    let sales = running.members("Sales Team").await;
    let incident = running.members(INCIDENT_RESPONSE).await;

    // More than 20 users: refused naming the field and the limit, before any request.
    let many: Vec<String> = (1..=21).map(|n| upn(&format!("user{n:02}"))).collect();
    let answer = running.call("add_group_members", json!({"group": INCIDENT_RESPONSE, "users": many})).await;
    refused_as(&answer, "invalid_input", "`users`");
    assert!(answer.text.contains("at most 20"), "{}", answer.text);
    assert!(answer.structured["graph_requests"].as_array().is_none_or(Vec::is_empty), "refused before any request");
    let answer = running.call("remove_group_members", json!({"group": INCIDENT_RESPONSE, "users": many})).await;
    refused_as(&answer, "invalid_input", "at most 20");

    // A role-assignable group, as Jordan (Security Reader and Reports Reader only).
    for tool in ["add_group_members", "remove_group_members"] {
        let answer = running
            .call(tool, json!({"group": HELPDESK_OPERATORS, "users": [upn("arjun.mehta"), upn("kevin.obi")]}))
            .await;
        refused_as(&answer, "forbidden", "Privileged Role Administrator");
        assert!(answer.text.contains("Security Reader"), "{}", answer.text);
    }

    // A dynamic group: membership follows its rule.
    for tool in ["add_group_members", "remove_group_members"] {
        let answer = running.call(tool, json!({"group": "Sales Team", "users": [upn("maria.garcia")]})).await;
        refused_as(&answer, "invalid_input", "dynamic");
    }

    // An Exchange-managed group, and a break-glass account on a removal.
    let answer =
        running.call("add_group_members", json!({"group": "Treasury Alerts", "users": [upn("wei.zhang")]})).await;
    refused_as(&answer, "invalid_input", "Exchange");
    let break_glass = "breakglass01@woodgrovebank.onmicrosoft.com";
    let answer =
        running.call("remove_group_members", json!({"group": INCIDENT_RESPONSE, "users": [break_glass]})).await;
    refused_as(&answer, "invalid_input", "break-glass");

    // A confirmation cannot carry a refused call through either.
    let forged = json!({"group": HELPDESK_OPERATORS, "users": [upn("arjun.mehta")], "confirm": "made-up"});
    refused(&running.call("add_group_members", forged).await, "not one this server issued");

    assert_eq!(running.members(HELPDESK_OPERATORS).await, helpdesk);
    assert_eq!(running.members("Sales Team").await, sales);
    assert_eq!(running.members(INCIDENT_RESPONSE).await, incident);
    assert_eq!(running.demo().writes_applied(), 0);
    running.stop().await;
}

// =============================================================================================
// Identity Protection verdicts: dismiss_user_risk, confirm_user_safe, confirm_user_compromised,
// triage_risky_service_principal and confirm_sign_in, each previewed (nothing changes),
// confirmed, and read back from the emulator's riskyUsers, riskyServicePrincipals and signIns;
// refusals (a missing re-typed target, a break-glass account, more than 20 targets) change
// nothing. Then the headline flow: is Karita compromised → sign her out → confirm it.
// =============================================================================================

use entra_mcp::demo::tenant::story;

const NIKOLAI: &str = "nikolai.ivanov@woodgrovebank.com";
const LUCIA: &str = "lucia.romero_fabrikampartners.com#EXT#@woodgrovebank.onmicrosoft.com";
const BREAK_GLASS: &str = "breakglass01@woodgrovebank.onmicrosoft.com";
/// Nikolai's sign-in from Amsterdam that ID Protection found unfamiliar.
const NIKOLAI_SIGN_IN: &str = "cdf829f4-42ab-517f-ae5a-5306b0aa0366";
/// A break-glass account's monthly check sign-in.
const BREAK_GLASS_SIGN_IN: &str = "17d5afa8-3f9d-5285-b489-d5afccd1a461";

impl Running {
    /// Any emulator path, read the way Graph is read: the status and the body.
    async fn graph(&self, path: &str) -> (u16, Value) {
        let url = format!("{}/v1.0{path}", self.demo().base_url());
        let bearer = format!("demo:{}", entra_mcp::demo::persona_object_id());
        let response = self.http.get(url).bearer_auth(bearer).send().await.expect("read back");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A risky user's (level, state) as the emulator holds it; `None` when not flagged.
    async fn user_risk(&self, user_id: &str) -> Option<(String, String)> {
        let (status, body) = self.graph(&format!("/identityProtection/riskyUsers/{user_id}")).await;
        (status == 200).then(|| (text(&body["riskLevel"]), text(&body["riskState"])))
    }

    async fn app_risk(&self, id: &str) -> (String, String) {
        let (_, body) = self.graph(&format!("/identityProtection/riskyServicePrincipals/{id}")).await;
        (text(&body["riskLevel"]), text(&body["riskState"]))
    }

    async fn sign_in_risk(&self, id: &str) -> String {
        let (_, body) = self.graph(&format!("/auditLogs/signIns/{id}?$select=riskState")).await;
        text(&body["riskState"])
    }

    async fn history_len(&self, user_id: &str) -> usize {
        let (_, body) = self.graph(&format!("/identityProtection/riskyUsers/{user_id}/history")).await;
        body["value"].as_array().map(Vec::len).unwrap_or_default()
    }

    /// Previews, then confirms with the preview's token (and `confirm_target` when given).
    async fn preview_and_confirm(&self, tool: &str, args: Value, target: Option<&str>) -> (Value, common::Answer) {
        let preview = self.call(tool, args.clone()).await;
        let confirmation = token(&preview);
        let mut confirmed = args;
        confirmed["confirm"] = json!(confirmation);
        if let Some(target) = target {
            confirmed["confirm_target"] = json!(target);
        }
        let applied = self.call(tool, confirmed).await;
        assert!(!applied.is_error, "{tool}: {}", applied.text);
        (preview.structured, applied)
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn pair(level: &str, state: &str) -> Option<(String, String)> {
    Some((level.to_string(), state.to_string()))
}

/// 21 distinct UPNs: one more than a write takes.
fn twenty_one_users() -> Vec<String> {
    (1..=21).map(|n| format!("user{n}@woodgrovebank.com")).collect()
}

#[tokio::test]
async fn dismiss_user_risk_previews_confirms_and_refuses() {
    let running = start(Selection::everything(), &[]).await;
    let nikolai = story::user_id("nikolai.ivanov");
    assert_eq!(running.user_risk(&nikolai).await, pair("medium", "atRisk"));
    let history = running.history_len(&nikolai).await;

    let args = json!({"users": [NIKOLAI]});
    let preview = running.call("dismiss_user_risk", args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C2");
    assert!(preview.structured.get("confirm_target_required").is_none(), "tier 2 needs no re-typed target");
    assert_eq!(running.user_risk(&nikolai).await, pair("medium", "atRisk"), "a preview changes nothing");
    assert_eq!(running.demo().writes_applied(), 0);

    // Refusals change nothing: more than 20 users, the caller themself.
    refused(&running.call("dismiss_user_risk", json!({"users": twenty_one_users()})).await, "1 to 20");
    refused(&running.call("dismiss_user_risk", json!({"users": ["me"]})).await, "yourself");
    assert_eq!(running.demo().writes_applied(), 0);

    let applied = running.call("dismiss_user_risk", json!({"users": [NIKOLAI], "confirm": confirmation})).await;
    assert!(!applied.is_error, "{}", applied.text);
    assert_eq!(applied.structured["users"][0]["risk_state"], "dismissed");
    assert_eq!(running.user_risk(&nikolai).await, pair("none", "dismissed"));
    assert_eq!(running.history_len(&nikolai).await, history + 1, "the dismissal is in the history");
    assert_eq!(running.demo().writes_applied(), 1);
    // The history skill tells who did it.
    let steps = running.call("get_risky_user_history", json!({"user": NIKOLAI})).await;
    assert_eq!(steps.structured["current_state"], "dismissed");
    assert!(
        steps.structured["steps"]
            .as_array()
            .and_then(|s| s.last())
            .is_some_and(|s| s["changed_by"].as_str().is_some_and(|c| c.contains("Jordan Reyes")))
    );
    running.stop().await;
}

#[tokio::test]
async fn confirm_user_safe_previews_then_marks_the_guest_safe() {
    let running = start(Selection::everything(), &[]).await;
    let lucia = story::guest_id("lucia.romero");
    assert_eq!(running.user_risk(&lucia).await, pair("medium", "atRisk"));
    let args = json!({"users": [LUCIA]});
    let (preview, applied) = running.preview_and_confirm("confirm_user_safe", args, None).await;
    assert_eq!(preview["tier"], "C2");
    assert_eq!(preview["targets"][0]["state"]["risk_state"], "atRisk", "the preview read the state before");
    assert_eq!(applied.structured["users"][0]["risk_state"], "confirmedSafe");
    assert_eq!(running.user_risk(&lucia).await, pair("none", "confirmedSafe"));
    refused(&running.call("confirm_user_safe", json!({"users": twenty_one_users()})).await, "1 to 20");
    assert_eq!(running.demo().writes_applied(), 1);
    running.stop().await;
}

#[tokio::test]
async fn confirm_user_compromised_needs_the_target_and_spares_break_glass() {
    let running = start(Selection::everything(), &[]).await;
    let karita = story::karita_id();
    let lily = story::user_id("lily.foster");
    let break_glass = running.user(BREAK_GLASS).await["id"].as_str().unwrap_or_default().to_string();
    let break_glass_before = running.user_risk(&break_glass).await;

    // Break-glass accounts are refused at the preview, alone or among others.
    refused(&running.call("confirm_user_compromised", json!({"users": [BREAK_GLASS]})).await, "break-glass");
    refused(&running.call("confirm_user_compromised", json!({"users": [KARITA, BREAK_GLASS]})).await, "break-glass");
    refused(&running.call("confirm_user_compromised", json!({"users": twenty_one_users()})).await, "1 to 20");
    assert_eq!(running.user_risk(&break_glass).await, break_glass_before);
    assert_eq!(running.user_risk(&karita).await, pair("high", "atRisk"));

    // Two users: the human re-types the count.
    let args = json!({"users": [KARITA, "lily.foster@woodgrovebank.com"]});
    let preview = running.call("confirm_user_compromised", args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C3");
    assert_eq!(preview.structured["confirm_target_required"], "2");
    assert_eq!(running.user_risk(&lily).await, None, "a preview flags no one");
    let mut confirmed = args.clone();
    confirmed["confirm"] = json!(confirmation);
    refused(&running.call("confirm_user_compromised", confirmed.clone()).await, "confirm_target");
    confirmed["confirm_target"] = json!(KARITA);
    refused(&running.call("confirm_user_compromised", confirmed.clone()).await, "does not match");
    assert_eq!(running.demo().writes_applied(), 0);

    confirmed["confirm_target"] = json!("2");
    let applied = running.call("confirm_user_compromised", confirmed).await;
    assert!(!applied.is_error, "{}", applied.text);
    assert_eq!(running.user_risk(&karita).await, pair("high", "confirmedCompromised"));
    assert_eq!(running.user_risk(&lily).await, pair("high", "confirmedCompromised"), "an unflagged user is flagged");
    assert_eq!(applied.structured["users"].as_array().map(Vec::len), Some(2));
    assert_eq!(running.demo().writes_applied(), 1);
    running.stop().await;
}

#[tokio::test]
async fn triage_risky_service_principal_dismisses_at_c2_and_confirms_at_c3() {
    let running = start(Selection::everything(), &[]).await;
    let fabrikam = story::service_principal_id("Fabrikam Expense Sync");
    let payroll = story::service_principal_id("Payroll Sync");
    assert_eq!(running.app_risk(&payroll).await, ("medium".into(), "atRisk".into()));

    let dismiss = json!({"apps": ["Payroll Sync"], "action": "dismiss"});
    let (preview, applied) = running.preview_and_confirm("triage_risky_service_principal", dismiss, None).await;
    assert_eq!(preview["tier"], "C2");
    assert_eq!(applied.structured["apps"][0]["risk_state"], "dismissed");
    assert_eq!(running.app_risk(&payroll).await, ("none".into(), "dismissed".into()));

    let confirm = json!({"apps": ["Fabrikam Expense Sync"], "action": "confirm_compromised"});
    let preview = running.call("triage_risky_service_principal", confirm.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C3");
    assert_eq!(preview.structured["confirm_target_required"], "Fabrikam Expense Sync");
    assert_eq!(running.app_risk(&fabrikam).await, ("high".into(), "atRisk".into()), "a preview changes nothing");
    let mut confirmed = confirm;
    confirmed["confirm"] = json!(confirmation);
    refused(&running.call("triage_risky_service_principal", confirmed.clone()).await, "confirm_target");
    assert_eq!(running.demo().writes_applied(), 1);
    confirmed["confirm_target"] = json!("fabrikam expense sync");
    let applied = running.call("triage_risky_service_principal", confirmed).await;
    assert!(!applied.is_error, "{}", applied.text);
    assert_eq!(running.app_risk(&fabrikam).await, ("high".into(), "confirmedCompromised".into()));
    let (_, history) = running.graph(&format!("/identityProtection/riskyServicePrincipals/{fabrikam}/history")).await;
    assert_eq!(history["value"].as_array().map(Vec::len), Some(3), "the verdict is in the app's history");

    let many: Vec<String> = (1..=21).map(|n| format!("App {n}")).collect();
    refused(
        &running.call("triage_risky_service_principal", json!({"apps": many, "action": "dismiss"})).await,
        "1 to 20",
    );
    assert_eq!(running.demo().writes_applied(), 2);
    running.stop().await;
}

#[tokio::test]
async fn confirm_sign_in_reports_safe_and_compromised_sign_ins() {
    let running = start(Selection::everything(), &[]).await;
    let tor = story::karita_tor_sign_in_id();
    let karita = story::karita_id();
    assert_eq!(running.sign_in_risk(NIKOLAI_SIGN_IN).await, "atRisk");

    // Safe: tier 2.
    let safe = json!({"sign_ins": [NIKOLAI_SIGN_IN], "verdict": "safe"});
    let (preview, applied) = running.preview_and_confirm("confirm_sign_in", safe, None).await;
    assert_eq!(preview["tier"], "C2");
    assert_eq!(applied.structured["sign_ins"][0]["risk_state"], "confirmedSafe");
    assert_eq!(running.sign_in_risk(NIKOLAI_SIGN_IN).await, "confirmedSafe");

    // Compromised: tier 3, never a break-glass account's sign-in, never more than 20.
    refused(
        &running.call("confirm_sign_in", json!({"sign_ins": [BREAK_GLASS_SIGN_IN], "verdict": "compromised"})).await,
        "break-glass",
    );
    let many: Vec<String> = (1..=21).map(|n| format!("00000000-0000-0000-0000-{n:012}")).collect();
    refused(&running.call("confirm_sign_in", json!({"sign_ins": many, "verdict": "safe"})).await, "1 to 20");
    assert_eq!(running.sign_in_risk(BREAK_GLASS_SIGN_IN).await, "none");

    let compromised = json!({"sign_ins": [tor], "verdict": "compromised"});
    let preview = running.call("confirm_sign_in", compromised.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["confirm_target_required"], KARITA);
    assert_eq!(running.sign_in_risk(&tor).await, "atRisk", "a preview changes nothing");
    let mut confirmed = compromised;
    confirmed["confirm"] = json!(confirmation);
    refused(&running.call("confirm_sign_in", confirmed.clone()).await, "confirm_target");
    assert_eq!(running.demo().writes_applied(), 1);
    confirmed["confirm_target"] = json!(KARITA);
    let applied = running.call("confirm_sign_in", confirmed).await;
    assert!(!applied.is_error, "{}", applied.text);
    assert_eq!(running.sign_in_risk(&tor).await, "confirmedCompromised");
    assert_eq!(running.user_risk(&karita).await, pair("high", "confirmedCompromised"));
    assert_eq!(applied.structured["users"][0]["risk_state"], "confirmedCompromised");
    assert_eq!(running.demo().writes_applied(), 2);
    running.stop().await;
}

#[tokio::test]
async fn is_karita_compromised_then_sign_her_out_and_confirm_it() {
    let running = start(Selection::everything(), &[]).await;
    let karita = story::karita_id();

    // "Is Karita compromised?" — the evidence.
    let risk = running.call("get_risky_user", json!({"user": KARITA})).await;
    assert!(!risk.is_error, "{}", risk.text);
    assert_eq!(risk.structured["risk_level"], "high");
    assert!(risk.structured["detection_types"].as_array().is_some_and(|t| t.contains(&json!("anonymizedIPAddress"))));
    let before = running.user(KARITA).await;

    // Sign her out everywhere.
    let (preview, revoked) =
        running.preview_and_confirm("revoke_user_sessions", json!({"user": KARITA}), Some(KARITA)).await;
    assert_eq!(preview["tier"], "C3");
    assert_eq!(revoked.structured["revoked"], true);
    let after = running.user(KARITA).await;
    assert_ne!(after["signInSessionsValidFromDateTime"], before["signInSessionsValidFromDateTime"]);
    assert_eq!(running.user_risk(&karita).await, pair("high", "atRisk"), "revoking sessions leaves the risk alone");

    // Then confirm the compromise.
    let (preview, confirmed) =
        running.preview_and_confirm("confirm_user_compromised", json!({"users": [KARITA]}), Some(KARITA)).await;
    assert_eq!(preview["confirm_target_required"], KARITA);
    assert_eq!(confirmed.structured["users"][0]["risk_state"], "confirmedCompromised");
    assert_eq!(running.user_risk(&karita).await, pair("high", "confirmedCompromised"));
    let (_, detections) = running
        .graph(&format!(
            "/identityProtection/riskDetections?$filter=userId%20eq%20'{karita}'%20and%20riskEventType%20eq%20'adminConfirmedUserCompromised'"
        ))
        .await;
    assert_eq!(detections["value"].as_array().map(Vec::len), Some(1), "{detections}");
    assert_eq!(running.demo().writes_applied(), 2);
    running.stop().await;
}

// =============================================================================================
// PIM self-service: activate_my_role, deactivate_my_role, cancel_my_role_request and
// activate_my_group_access, previewed (nothing changes), confirmed, and read back from the
// emulator's role schedule instances, requests and group members. Jordan activates User
// Administrator, sees it in get_me and list_my_role_requests, and drops it; every refusal (too
// long, no justification, no ticket, not eligible, an unknown role, already pending, a stronger
// sign-in needed) changes nothing; Priya's Global Administrator activation waits for Tom's
// approval and is withdrawn; Jordan's PIM for Groups membership makes him a member.
// =============================================================================================

const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

impl Running {
    /// The roles active for a user, as the emulator's PIM holds them: (role id, assignment type).
    async fn active_roles_of(&self, user: &str) -> Vec<(String, String)> {
        let (status, page) = self
            .graph(&format!(
                "/roleManagement/directory/roleAssignmentScheduleInstances?$filter=principalId%20eq%20'{user}'"
            ))
            .await;
        assert_eq!(status, 200, "{page}");
        let mut roles: Vec<(String, String)> = page["value"]
            .as_array()
            .map(|v| v.iter().map(|i| (text(&i["roleDefinitionId"]), text(&i["assignmentType"]))).collect())
            .unwrap_or_default();
        roles.sort();
        roles
    }

    /// The statuses of a user's role requests, by role id.
    async fn role_requests_of(&self, user: &str) -> Vec<(String, String)> {
        let (_, page) = self
            .graph(&format!(
                "/roleManagement/directory/roleAssignmentScheduleRequests?$filter=principalId%20eq%20'{user}'"
            ))
            .await;
        let mut requests: Vec<(String, String)> = page["value"]
            .as_array()
            .map(|v| v.iter().map(|r| (text(&r["roleDefinitionId"]), text(&r["status"]))).collect())
            .unwrap_or_default();
        requests.sort();
        requests
    }
}

/// A refusal before any write: the error kind, what it says, and reads only.
fn refused_before_graph(answer: &common::Answer, kind: &str, says: &str) {
    refused_as(answer, kind, says);
}

#[tokio::test]
async fn jordan_activates_user_administrator_sees_it_and_drops_it() {
    let running = start(Selection::everything(), &[]).await;
    let jordan = user_id("jordan");
    let before = running.active_roles_of(&jordan).await;
    assert!(!before.iter().any(|(role, _)| role == USER_ADMINISTRATOR));

    let args = json!({"role": "user admin", "justification": "Onboard the new Finance analysts", "duration": "2h"});
    let preview = running.call("activate_my_role", args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C1");
    assert!(preview.text.contains("activates User Administrator for you for 2 h"), "{}", preview.text);
    assert_eq!(running.active_roles_of(&jordan).await, before, "a preview changes nothing");
    assert_eq!(running.demo().writes_applied(), 0);

    let mut confirmed = args.clone();
    confirmed["confirm"] = json!(confirmation);
    let applied = running.call("activate_my_role", confirmed.clone()).await;
    assert!(!applied.is_error, "{}", applied.text);
    assert_eq!(applied.structured["status"], "Provisioned");
    assert_eq!(applied.structured["active"], true);
    let until = applied.structured["active_until"].as_str().expect("an end").to_string();
    let after = running.active_roles_of(&jordan).await;
    assert!(after.contains(&(USER_ADMINISTRATOR.to_string(), "Activated".to_string())), "{after:?}");

    // "Which roles are active for me" now names it, and so does the list of my requests.
    let me = running.call("get_me", json!({})).await;
    let active: Vec<&str> = me.structured["active_roles"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["role"].as_str()).collect())
        .unwrap_or_default();
    assert!(active.contains(&"User Administrator"), "{}", me.text);
    let requests = running.call("list_my_role_requests", json!({})).await;
    let newest = &requests.structured["requests"][0];
    assert_eq!((newest["role"].as_str(), newest["status"].as_str()), (Some("User Administrator"), Some("Provisioned")));
    assert_eq!(newest["duration"], "PT2H");
    assert!(until > text(&newest["start"]), "ends after it starts");

    // The same confirmation cannot activate it twice: the state it was issued for is gone.
    refused(&running.call("activate_my_role", confirmed).await, "already active");
    assert_eq!(running.demo().writes_applied(), 1);

    // Done: drop it.
    let (preview, dropped) =
        running.preview_and_confirm("deactivate_my_role", json!({"role": "User Administrator"}), None).await;
    assert_eq!(preview["targets"][0]["state"]["active"], true);
    assert_eq!(dropped.structured["status"], "Revoked");
    assert_eq!(dropped.structured["ended"], true);
    assert_eq!(running.active_roles_of(&jordan).await, before, "gone again");
    let me = running.call("get_me", json!({})).await;
    assert!(!me.text.contains("User Administrator | active"), "{}", me.text);
    assert_eq!(running.demo().writes_applied(), 2);
    running.stop().await;
}

#[tokio::test]
async fn activations_against_the_rules_are_refused_and_change_nothing() {
    let running = start(Selection::everything(), &[]).await;
    let jordan = user_id("jordan");
    let roles = running.active_roles_of(&jordan).await;
    let requests = running.role_requests_of(&jordan).await;

    let cases = [
        (
            json!({"role": "User Administrator", "justification": "x", "duration": "9h"}),
            "invalid_input",
            "longer than the 8 h",
        ),
        (json!({"role": "User Administrator", "duration": "1h"}), "invalid_input", "needs a justification"),
        (
            json!({"role": "Security Administrator", "justification": "Triage"}),
            "invalid_input",
            "needs a ticket number",
        ),
        (
            json!({"role": "Global Administrator", "justification": "x"}),
            "invalid_input",
            "not eligible for Global Administrator",
        ),
        (json!({"role": "Security Auditor", "justification": "x"}), "not_found", "closest roles are Security"),
        (
            json!({"role": "Conditional Access Administrator", "justification": "x"}),
            "invalid_input",
            "already waiting for approval",
        ),
        (json!({"role": "Reports Reader", "justification": "x"}), "invalid_input", "already active"),
        (json!({"role": "User Administrator", "justification": "x", "duration": "1d"}), "invalid_input", "`duration`"),
    ];
    for (args, kind, says) in cases {
        let answer = running.call("activate_my_role", args).await;
        refused_before_graph(&answer, kind, says);
    }
    // A role Jordan holds outright, and one not active, cannot be deactivated; nor can a
    // request that is not pending be withdrawn.
    refused_before_graph(
        &running.call("deactivate_my_role", json!({"role": "Security Reader"})).await,
        "invalid_input",
        "outright",
    );
    refused_before_graph(
        &running.call("deactivate_my_role", json!({"role": "User Administrator"})).await,
        "invalid_input",
        "not active",
    );
    refused_before_graph(
        &running.call("cancel_my_role_request", json!({"request": "Reports Reader"})).await,
        "not_found",
        "pending:",
    );

    // Everything in order, but Security Administrator needs a stronger sign-in: PIM refuses
    // with a claims challenge, which comes back as consent_required with the claims.
    let args = json!({"role": "Security Administrator", "justification": "Triage Karita", "ticket_number": "INC-4711", "ticket_system": "ServiceNow"});
    let preview = running.call("activate_my_role", args.clone()).await;
    assert!(preview.text.contains("authentication context c1"), "{}", preview.text);
    let mut confirmed = args;
    confirmed["confirm"] = json!(token(&preview));
    let answer = running.call("activate_my_role", confirmed).await;
    assert!(answer.is_error, "{}", answer.text);
    assert_eq!(answer.structured["error"]["kind"], "consent_required", "{}", answer.text);
    assert_eq!(answer.structured["error"]["code"], "RoleAssignmentRequestAcrsValidationFailed");
    assert!(answer.text.contains(r#""acrs":{"essential":true, "value":"c1"}"#), "{}", answer.text);

    assert_eq!(running.active_roles_of(&jordan).await, roles);
    assert_eq!(running.role_requests_of(&jordan).await, requests);
    assert_eq!(running.demo().writes_applied(), 0);
    running.stop().await;
}

#[tokio::test]
async fn a_global_administrator_activation_waits_for_approval_and_can_be_withdrawn() {
    // Priya is eligible for Global Administrator, which needs Tom Okafor's approval.
    let (demo, server, _) = common::demo_server(entra_mcp::demo::DemoOptions::default(), Selection::everything()).await;
    let priya = Arc::new(Caller { object_id: Some(user_id("priya")), ..Caller::default() });
    let call = |tool: &'static str, args: Value| {
        let (server, priya) = (server.clone(), priya.clone());
        async move { server.call(tool, args.as_object().cloned(), priya).await.expect("a known tool") }
    };
    let args =
        json!({"role": "Global Administrator", "justification": "Approve the Fabrikam consent", "duration": "1h"});
    let preview = call("activate_my_role", args.clone()).await;
    assert!(!preview.is_error, "{}", preview.markdown);
    assert!(preview.markdown.contains("needs approval by Tom Okafor"), "{}", preview.markdown);
    let mut confirmed = args;
    confirmed["confirm"] = preview.structured["confirmation"].clone();
    let pending = call("activate_my_role", confirmed).await;
    assert!(!pending.is_error, "{}", pending.markdown);
    assert_eq!(pending.structured["status"], "PendingApproval");
    assert_eq!(pending.structured["active"], false);
    assert!(
        pending.structured["approvers"][0].as_str().is_some_and(|a| a.contains("Tom Okafor")),
        "{}",
        pending.markdown
    );

    // Nothing is active; the request waits, and Priya withdraws it.
    let read = |path: String| {
        let url = format!("{}/v1.0{path}", demo.base_url());
        async move {
            let bearer = format!("demo:{}", user_id("priya"));
            let page: Value = reqwest::Client::new()
                .get(url)
                .bearer_auth(bearer)
                .send()
                .await
                .expect("read")
                .json()
                .await
                .expect("JSON");
            page
        }
    };
    let instances =
        read("/roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')".into())
            .await;
    assert!(
        !instances["value"].as_array().is_some_and(|v| v.iter().any(|i| i["roleDefinitionId"] == GLOBAL_ADMINISTRATOR)),
        "{instances}"
    );
    let preview = call("cancel_my_role_request", json!({"request": "Global Admin"})).await;
    assert!(!preview.is_error, "{}", preview.markdown);
    let confirmed = json!({"request": "Global Admin", "confirm": preview.structured["confirmation"].clone()});
    let canceled = call("cancel_my_role_request", confirmed).await;
    assert_eq!(canceled.structured["status"], "Canceled", "{}", canceled.markdown);
    let requests =
        read("/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')".into())
            .await;
    let statuses: Vec<&str> = requests["value"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter(|r| r["roleDefinitionId"] == GLOBAL_ADMINISTRATOR)
                .filter_map(|r| r["status"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(statuses.contains(&"Canceled") && !statuses.contains(&"PendingApproval"), "{statuses:?}");
    assert_eq!(demo.writes_applied(), 2);
}

#[tokio::test]
async fn jordan_activates_helpdesk_operators_membership_through_pim_for_groups() {
    let running = start(Selection::everything(), &[]).await;
    let jordan = user_id("jordan");
    let before = running.members(HELPDESK_OPERATORS).await;
    assert!(!before.contains(&jordan));

    let too_long = running
        .call(
            "activate_my_group_access",
            json!({"group": HELPDESK_OPERATORS, "justification": "Queue", "duration": "5h"}),
        )
        .await;
    refused_before_graph(&too_long, "invalid_input", "longer than the 4 h");
    let owner = running
        .call("activate_my_group_access", json!({"group": HELPDESK_OPERATORS, "access": "owner", "justification": "x"}))
        .await;
    refused_before_graph(&owner, "invalid_input", "not eligible");
    assert_eq!(running.members(HELPDESK_OPERATORS).await, before);

    let args = json!({"group": HELPDESK_OPERATORS, "justification": "Cover the Helpdesk queue this afternoon", "duration": "2h"});
    let (preview, applied) = running.preview_and_confirm("activate_my_group_access", args, None).await;
    assert!(text(&preview["effect"]).contains("Helpdesk Administrator"), "{preview}");
    assert_eq!(applied.structured["status"], "Provisioned");
    assert_eq!(applied.structured["active"], true);
    assert_eq!(applied.structured["grants_roles"], json!(["Helpdesk Administrator"]));
    assert!(running.members(HELPDESK_OPERATORS).await.contains(&jordan), "the activation is the membership");
    assert_eq!(running.demo().writes_applied(), 1);
    running.stop().await;
}

// =============================================================================================
// Access reviews: record_review_decision (C2) as Jordan, a reviewer of the Sales CRM review —
// a decision against the recommendation without a justification, and any decision in a review
// he does not review, refused with nothing changed; previewed, confirmed and read back from the
// emulator's decisions. stop_or_apply_review (C3) on the Finance groups review: applying before
// stopping refused, the review's name re-typed, stopped, then applied — and the member it
// denied has left Finance Team while the approved ones stay.
// =============================================================================================

impl Running {
    /// The ids of a review series (by the start of its name) and of its instance in progress.
    async fn review_ids(&self, name: &str) -> (String, String) {
        let (_, series) = self.graph("/identityGovernance/accessReviews/definitions?$select=id,displayName").await;
        let definition = series["value"]
            .as_array()
            .and_then(|v| v.iter().find(|d| d["displayName"].as_str().is_some_and(|n| n.starts_with(name))))
            .and_then(|d| d["id"].as_str())
            .expect("the review")
            .to_string();
        let (_, instances) = self
            .graph(&format!(
                "/identityGovernance/accessReviews/definitions/{definition}/instances?$filter=status%20eq%20'InProgress'"
            ))
            .await;
        let instance = instances["value"][0]["id"].as_str().expect("an instance in progress").to_string();
        (definition, instance)
    }

    /// An instance's decisions as the emulator holds them, by the reviewed person's id.
    async fn review_decisions(&self, definition: &str, instance: &str) -> HashMap<String, Value> {
        let (_, page) = self
            .graph(&format!(
                "/identityGovernance/accessReviews/definitions/{definition}/instances/{instance}/decisions"
            ))
            .await;
        page["value"]
            .as_array()
            .map(|v| v.iter().map(|d| (text(&d["principal"]["id"]), d.clone())).collect())
            .unwrap_or_default()
    }

    async fn instance_status(&self, definition: &str, instance: &str) -> String {
        let (_, body) = self
            .graph(&format!("/identityGovernance/accessReviews/definitions/{definition}/instances/{instance}"))
            .await;
        text(&body["status"])
    }
}

const SALES_REVIEW: &str = "Sales App Access";
const FINANCE_REVIEW: &str = "Finance Microsoft 365 Groups";

#[tokio::test]
async fn record_review_decision_previews_confirms_and_refuses() {
    let running = start(Selection::everything(), &[]).await;
    let (definition, instance) = running.review_ids(SALES_REVIEW).await;
    let (carla, james) = (user_id("carla.ruiz"), user_id("james.wilson"));
    let before = running.review_decisions(&definition, &instance).await;
    assert_eq!(before[&carla]["decision"], "NotReviewed");
    assert_eq!(before[&carla]["recommendation"], "Deny");

    // Refused before Graph: approving against the recommendation without a reason, and any
    // decision in a review Jordan does not review.
    let against = json!({"review": SALES_REVIEW, "decisions": [{"principal": "Carla Ruiz", "decision": "approve"}]});
    refused(&running.call("record_review_decision", against).await, "against the recommendation");
    let finance = json!({"review": FINANCE_REVIEW, "decisions": [{"principal": "Robert King", "decision": "deny"}]});
    refused_as(&running.call("record_review_decision", finance).await, "forbidden", "not a reviewer");
    assert_eq!(running.review_decisions(&definition, &instance).await, before, "refusals change nothing");
    assert_eq!(running.demo().writes_applied(), 0);

    // The preview changes nothing.
    let args = json!({"review": SALES_REVIEW, "decisions": [
        {"principal": "carla.ruiz@woodgrovebank.com", "decision": "deny"},
        {"principal": "James Wilson", "decision": "approve"},
    ]});
    let preview = running.call("record_review_decision", args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C2");
    assert_eq!(preview.structured["requests"].as_array().map(Vec::len), Some(2), "{}", preview.text);
    assert_eq!(running.review_decisions(&definition, &instance).await, before, "a preview changes nothing");

    // Confirmed: both decisions recorded as Jordan, read back from the emulator.
    let mut confirmed = args;
    confirmed["confirm"] = json!(confirmation);
    let applied = running.call("record_review_decision", confirmed).await;
    assert!(!applied.is_error, "{}", applied.text);
    let after = running.review_decisions(&definition, &instance).await;
    assert_eq!(after[&carla]["decision"], "Deny");
    assert_eq!(after[&james]["decision"], "Approve");
    assert_eq!(after[&carla]["reviewedBy"]["userPrincipalName"], "jordan@woodgrovebank.com");
    assert_eq!(applied.structured["decisions"][0]["reviewed_by"], "Jordan Reyes");
    assert_eq!(running.demo().writes_applied(), 2);

    // With a justification, overriding the recommendation goes through.
    let reasoned = json!({"review": SALES_REVIEW, "decisions": [
        {"principal": "Carla Ruiz", "decision": "approve", "justification": "Rehired as a contractor"},
    ]});
    let (_, applied) = running.preview_and_confirm("record_review_decision", reasoned, None).await;
    assert_eq!(applied.structured["decisions"][0]["decision"], "approve");
    let after = running.review_decisions(&definition, &instance).await;
    assert_eq!(after[&carla]["justification"], "Rehired as a contractor");
    assert_eq!(running.demo().writes_applied(), 3);
    running.stop().await;
}

#[tokio::test]
async fn stop_then_apply_review_removes_the_denied_member() {
    let running = start(Selection::everything(), &[]).await;
    let (definition, instance) = running.review_ids(FINANCE_REVIEW).await;
    let (wei, brian) = (user_id("wei.zhang"), user_id("brian.walsh"));
    let members = running.members("Finance Team").await;
    assert!(members.contains(&wei) && members.contains(&brian));

    // Nothing to apply while the review runs.
    let apply = json!({"review": FINANCE_REVIEW, "action": "apply"});
    refused_as(&running.call("stop_or_apply_review", apply.clone()).await, "not_found", "stop the instance");

    // Stop: previewed with what applying would remove; the review's name re-typed.
    let stop = json!({"review": FINANCE_REVIEW, "action": "stop"});
    let preview = running.call("stop_or_apply_review", stop.clone()).await;
    let confirmation = token(&preview);
    let name = text(&preview.structured["confirm_target_required"]);
    assert!(name.starts_with(FINANCE_REVIEW), "{}", preview.text);
    assert!(preview.text.contains("Wei Zhang from Finance Team"), "{}", preview.text);
    assert_eq!(running.instance_status(&definition, &instance).await, "InProgress", "a preview changes nothing");
    let mut confirmed = stop;
    confirmed["confirm"] = json!(confirmation);
    refused(&running.call("stop_or_apply_review", confirmed.clone()).await, "confirm_target");
    confirmed["confirm_target"] = json!("Sales App Access");
    refused(&running.call("stop_or_apply_review", confirmed.clone()).await, "does not match");
    assert_eq!(running.demo().writes_applied(), 0);
    confirmed["confirm_target"] = json!(name.to_lowercase());
    let stopped = running.call("stop_or_apply_review", confirmed).await;
    assert!(!stopped.is_error, "{}", stopped.text);
    assert_eq!(running.instance_status(&definition, &instance).await, "Completed");
    assert_eq!(stopped.structured["instance"]["status"], "Completed");
    assert!(running.members("Finance Team").await.contains(&wei), "this review does not apply itself");
    assert_eq!(running.demo().writes_applied(), 1);

    // Apply: the denied member leaves the group; the approved ones stay.
    let (preview, applied) = running.preview_and_confirm("stop_or_apply_review", apply, Some(&name)).await;
    assert!(preview["effect"].as_str().is_some_and(|e| e.contains("Wei Zhang from Finance Team")), "{preview}");
    assert_eq!(preview["targets"][0]["state"]["removes"], json!([wei]));
    assert_eq!(running.instance_status(&definition, &instance).await, "Applied");
    let members = running.members("Finance Team").await;
    assert!(!members.contains(&wei), "the denied member was removed");
    assert!(members.contains(&brian), "the approved members stay");
    let decisions = running.review_decisions(&definition, &instance).await;
    assert_eq!(decisions[&wei]["applyResult"], "AppliedSuccessfully");
    assert_eq!(applied.structured["removed"][0]["principal"], "Wei Zhang");
    assert_eq!(running.demo().writes_applied(), 2);

    // Applied once: a second apply finds nothing left to apply.
    let again = running.call("stop_or_apply_review", json!({"review": FINANCE_REVIEW, "action": "apply"})).await;
    refused_as(&again, "not_found", "completed instance");
    assert_eq!(running.demo().writes_applied(), 2);
    running.stop().await;
}

// =============================================================================================
// Lifecycle workflows: run_workflow_on_demand previewed (nothing runs), confirmed with the
// workflow's name re-typed, and read back from the emulator's runs and per-user results; a
// wrong or missing re-typed name, more than 10 users, a user outside the workflow's scope and a
// disabled workflow are refused, each leaving the workflow's runs as they were; the token is
// used once.
// =============================================================================================

const OFFBOARD_LEAVERS: &str = "Offboard leavers";
const FRANK: &str = "frank.li@woodgrovebank.com";
const BRIAN: &str = "brian.walsh@woodgrovebank.com";

impl Running {
    /// A workflow's on-demand runs as the emulator holds them, newest first.
    async fn on_demand_runs(&self, workflow_id: &str) -> Vec<Value> {
        let (status, body) = self
            .graph(&format!(
                "/identityGovernance/lifecycleWorkflows/workflows/{workflow_id}/runs?$filter=workflowExecutionType%20eq%20'onDemand'&$orderby=startedDateTime%20desc"
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        body["value"].as_array().cloned().unwrap_or_default()
    }
}

#[tokio::test]
async fn run_workflow_on_demand_previews_refuses_and_runs_for_the_named_leavers() {
    let running = start(Selection::everything(), &[]).await;
    let args = json!({"workflow": OFFBOARD_LEAVERS, "users": [FRANK, BRIAN]});

    // The preview runs nothing.
    let preview = running.call("run_workflow_on_demand", args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C3");
    assert_eq!(preview.structured["confirm_target_required"], OFFBOARD_LEAVERS);
    assert!(preview.text.contains("Disable user account"), "{}", preview.text);
    let workflow_id = preview.structured["targets"][0]["id"].as_str().expect("the workflow's id").to_string();
    let before = running.on_demand_runs(&workflow_id).await;
    assert_eq!(running.demo().writes_applied(), 0);

    // Refusals, each running nothing.
    let mut confirmed = args.clone();
    confirmed["confirm"] = json!(confirmation);
    let mut wrong = confirmed.clone();
    wrong["confirm_target"] = json!("Onboard new hires");
    refused(&running.call("run_workflow_on_demand", wrong).await, "does not match");
    refused(&running.call("run_workflow_on_demand", confirmed.clone()).await, "confirm_target");
    let eleven: Vec<String> = (1..=11).map(|n| format!("leaver{n}@woodgrovebank.com")).collect();
    let too_many = running.call("run_workflow_on_demand", json!({"workflow": OFFBOARD_LEAVERS, "users": eleven})).await;
    refused(&too_many, "at most 10");
    assert!(too_many.text.contains("`users`"), "{}", too_many.text);
    let guest =
        running.call("run_workflow_on_demand", json!({"workflow": OFFBOARD_LEAVERS, "users": [FRANK, LUCIA]})).await;
    refused(&guest, "outside the scope");
    assert!(guest.text.contains("Lucia Romero"), "{}", guest.text);
    let disabled = json!({"workflow": "Delete leaver accounts after 30 days", "users": [FRANK]});
    refused(&running.call("run_workflow_on_demand", disabled).await, "disabled");
    assert_eq!(running.on_demand_runs(&workflow_id).await, before, "no refusal ran the workflow");
    assert_eq!(running.demo().writes_applied(), 0);

    // Outside the scope on purpose: the preview says so, and still runs nothing.
    let anyway = running
        .call(
            "run_workflow_on_demand",
            json!({"workflow": OFFBOARD_LEAVERS, "users": [LUCIA], "allow_out_of_scope": true}),
        )
        .await;
    token(&anyway);
    assert!(anyway.text.contains("Outside its scope"), "{}", anyway.text);
    assert_eq!(running.demo().writes_applied(), 0);

    // Confirmed: one run for exactly the two leavers, read back by the skill and the emulator.
    confirmed["confirm_target"] = json!(OFFBOARD_LEAVERS);
    let applied = running.call("run_workflow_on_demand", confirmed.clone()).await;
    assert!(!applied.is_error, "{}", applied.text);
    assert_eq!(running.demo().writes_applied(), 1);
    let after = running.on_demand_runs(&workflow_id).await;
    assert_eq!(after.len(), before.len() + 1);
    let run = &after[0];
    assert_eq!(run["totalUsersCount"], 2);
    assert_eq!(run["processingStatus"], "completed");
    assert_eq!(applied.structured["run_id"], run["id"]);
    let run_id = run["id"].as_str().expect("a run id");
    let (_, results) = running
        .graph(&format!(
            "/identityGovernance/lifecycleWorkflows/workflows/{workflow_id}/runs/{run_id}/userProcessingResults?$expand=subject"
        ))
        .await;
    let mut subjects: Vec<String> = results["value"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["subject"]["id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    subjects.sort();
    let mut expected = vec![story::user_id("frank.li"), story::user_id("brian.walsh")];
    expected.sort();
    assert_eq!(subjects, expected);
    let statuses: Vec<&str> = applied.structured["users"]
        .as_array()
        .map(|u| u.iter().filter_map(|u| u["status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(statuses, ["completed", "completed"], "{}", applied.text);
    let methods: Vec<&str> = applied.structured["graph_requests"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["method"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(methods.iter().filter(|m| **m == "POST").count(), 1, "one run started: {methods:?}");

    // The same token again is stale: the run it started moved the workflow on.
    refused(&running.call("run_workflow_on_demand", confirmed).await, "changed since the preview");
    assert_eq!(running.on_demand_runs(&workflow_id).await.len(), after.len());
    assert_eq!(running.demo().writes_applied(), 1);
    running.stop().await;
}

// =============================================================================================
// Tenant posture (beta): update_recommendation_status (C1) postpones, completes, dismisses and
// reactivates Entra recommendations, read back from the emulator's beta recommendations with
// Jordan recorded as who changed them; a postponement beyond a year or in the past, a dismissal
// without a reason, an unknown recommendation and a change to the status it already has are
// refused with nothing changed. update_health_alert (C2) resolves the active MFA-failure alert
// and reopens it; resolving the resolved one is refused.
// =============================================================================================

const PER_USER_MFA: &str = "TurnOffPerUserMFA";
const MFA_ALERT: &str = "45d3bfa2-95de-5c2f-a108-8008f3d1b82d";

impl Running {
    /// A Graph beta path as the emulator answers it.
    async fn beta(&self, path: &str) -> (u16, Value) {
        let url = format!("{}/beta{path}", self.demo().base_url());
        let bearer = format!("demo:{}", entra_mcp::demo::persona_object_id());
        let response = self
            .http
            .get(url)
            .bearer_auth(bearer)
            .header("Prefer", "include-unknown-enum-members")
            .send()
            .await
            .expect("read back");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Every recommendation as the emulator holds it, by short name.
    async fn recommendations(&self) -> HashMap<String, Value> {
        let (status, page) = self.beta("/directory/recommendations").await;
        assert_eq!(status, 200, "{page}");
        page["value"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|r| {
                        let id = text(&r["id"]);
                        let name = id.rsplit('.').next().unwrap_or_default().to_string();
                        (name, r.clone())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    async fn alert_state(&self, id: &str) -> String {
        let (status, alert) = self.beta(&format!("/reports/healthMonitoring/alerts/{id}")).await;
        assert_eq!(status, 200, "{alert}");
        text(&alert["state"])
    }
}

#[tokio::test]
async fn update_recommendation_status_previews_refuses_and_applies() {
    let running = start(Selection::everything(), &[]).await;
    let before = running.recommendations().await;
    assert_eq!(before[PER_USER_MFA]["status"], "postponed");
    let jordan = user_id("jordan");

    // Refused before any change: too far ahead, in the past, no reason, unknown, already so.
    let tool = "update_recommendation_status";
    let far = json!({"recommendation": PER_USER_MFA, "action": "postpone", "postpone_until": "400d"});
    refused(&running.call(tool, far).await, "more than a year ahead");
    let past = json!({"recommendation": PER_USER_MFA, "action": "postpone", "postpone_until": "2020-01-01"});
    refused(&running.call(tool, past).await, "not in the future");
    let no_reason = json!({"recommendation": "StaleApps", "action": "dismiss"});
    refused(&running.call(tool, no_reason).await, "`reason`");
    let unknown = running.call(tool, json!({"recommendation": "EnableQuantumLogin", "action": "complete"})).await;
    refused_as(&unknown, "not_found", "EnableQuantumLogin");
    let again = json!({"recommendation": "SelfServicePasswordReset", "action": "complete"});
    refused(&running.call(tool, again).await, "already completed by user");
    assert_eq!(running.recommendations().await, before, "refusals change nothing");
    assert_eq!(running.demo().writes_applied(), 0);

    // Postpone by 60 days: the preview changes nothing, the confirmation does.
    let args = json!({"recommendation": PER_USER_MFA, "action": "postpone", "postpone_until": "60d"});
    let preview = running.call(tool, args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C1");
    assert_eq!(running.recommendations().await, before, "a preview changes nothing");
    let mut confirmed = args;
    confirmed["confirm"] = json!(confirmation);
    let applied = running.call(tool, confirmed.clone()).await;
    assert!(!applied.is_error, "{}", applied.text);
    let after = running.recommendations().await;
    let postponed = &after[PER_USER_MFA];
    assert_eq!(postponed["status"], "postponed");
    assert_ne!(postponed["postponeUntilDateTime"], before[PER_USER_MFA]["postponeUntilDateTime"]);
    assert_eq!(postponed["lastModifiedBy"], jordan.as_str());
    assert_eq!(applied.structured["postponed_until"], postponed["postponeUntilDateTime"]);
    assert_eq!(running.demo().writes_applied(), 1);
    // The same token again is stale: the postponement moved the recommendation on.
    refused(&running.call(tool, confirmed).await, "changed since the preview");
    assert_eq!(running.demo().writes_applied(), 1);

    // Complete an active one, then reactivate it.
    let complete = json!({"recommendation": "Block legacy authentication", "action": "complete"});
    let (_, applied) = running.preview_and_confirm(tool, complete, None).await;
    assert_eq!(applied.structured["status"], "completed by user");
    assert_eq!(applied.structured["status_before"], "active");
    let after = running.recommendations().await;
    assert_eq!(after["BlockLegacyAuthentication"]["status"], "completedByUser");
    assert!(after["BlockLegacyAuthentication"]["postponeUntilDateTime"].is_null());
    let reactivate = json!({"recommendation": "BlockLegacyAuthentication", "action": "reactivate"});
    running.preview_and_confirm(tool, reactivate, None).await;
    assert_eq!(running.recommendations().await["BlockLegacyAuthentication"]["status"], "active");

    // Dismiss with a reason.
    let dismiss =
        json!({"recommendation": "InactiveGuests", "action": "dismiss", "reason": "Guests are reviewed quarterly"});
    running.preview_and_confirm(tool, dismiss, None).await;
    let after = running.recommendations().await;
    assert_eq!(after["InactiveGuests"]["status"], "dismissed");
    assert_eq!(after["InactiveGuests"]["lastModifiedBy"], jordan.as_str());
    assert_eq!(running.demo().writes_applied(), 4);
    // Nothing else moved.
    assert_eq!(after["StaleApps"], before["StaleApps"]);
    running.stop().await;
}

#[tokio::test]
async fn update_health_alert_resolves_and_reopens_the_mfa_alert() {
    let running = start(Selection::everything(), &[]).await;
    let tool = "update_health_alert";
    assert_eq!(running.alert_state(MFA_ALERT).await, "active");

    // The resolved alert is already resolved; an id that is not a GUID never reaches Graph.
    let resolved = "f58038f7-d586-5dfd-a20f-1a715375784f";
    refused(&running.call(tool, json!({"alert": resolved, "state": "resolved"})).await, "already resolved");
    refused(&running.call(tool, json!({"alert": "mfa-alert"})).await, "GUID");
    assert_eq!(running.alert_state(resolved).await, "resolved");

    // Preview, then resolve.
    let args = json!({"alert": MFA_ALERT, "state": "resolved"});
    let preview = running.call(tool, args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C2");
    assert_eq!(running.alert_state(MFA_ALERT).await, "active", "a preview changes nothing");
    assert_eq!(running.demo().writes_applied(), 0);
    let mut confirmed = args;
    confirmed["confirm"] = json!(confirmation);
    let applied = running.call(tool, confirmed).await;
    assert!(!applied.is_error, "{}", applied.text);
    assert_eq!(applied.structured["state"], "resolved");
    assert_eq!(applied.structured["state_before"], "active");
    assert_eq!(running.alert_state(MFA_ALERT).await, "resolved");
    let listed = running.call("list_health_alerts", json!({"state": "active"})).await;
    assert_eq!(listed.structured["alerts"].as_array().map(Vec::len), Some(0), "{}", listed.text);

    // Reopen it.
    running.preview_and_confirm(tool, json!({"alert": MFA_ALERT, "state": "active"}), None).await;
    assert_eq!(running.alert_state(MFA_ALERT).await, "active");
    assert_eq!(running.demo().writes_applied(), 2);
    running.stop().await;
}

// =============================================================================================
// Agent ID: triage_risky_agent (beta) dismisses (C2), confirms safe (C2) and confirms compromised
// (C3, the agent's name re-typed), each previewed (nothing changes), confirmed, and read back
// from the emulator's beta riskyAgents and agentRiskDetections; refusals (a missing re-typed
// name, more than 20 agents, an agent ID Protection never flagged) change nothing.
// =============================================================================================

const RECONCILIATION_AGENT: &str = "Invoice Reconciliation Agent";
const MONTH_END_AGENT: &str = "Month-End Close Agent";

impl Running {
    /// Any beta path of the emulator, read the way Graph is read: the status and the body.
    async fn graph_beta(&self, path: &str) -> (u16, Value) {
        let url = format!("{}/beta{path}", self.demo().base_url());
        let bearer = format!("demo:{}", entra_mcp::demo::persona_object_id());
        let response = self
            .http
            .get(url)
            .bearer_auth(bearer)
            .header("Prefer", "include-unknown-enum-members")
            .send()
            .await
            .expect("read back");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A risky agent's (level, state) as the emulator holds it.
    async fn agent_risk(&self, name: &str) -> (String, String) {
        let id = story::agent_id(name);
        let (status, body) = self.graph_beta(&format!("/identityProtection/riskyAgents/{id}")).await;
        assert_eq!(status, 200, "{body}");
        (text(&body["riskLevel"]), text(&body["riskState"]))
    }

    /// The agent's detections, by risk event type.
    async fn agent_detections(&self, name: &str) -> Vec<(String, String)> {
        let (_, body) = self.graph_beta("/identityProtection/agentRiskDetections?$top=500").await;
        let id = story::agent_id(name);
        body["value"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .filter(|d| d["agentId"] == id.as_str())
                    .map(|d| (text(&d["riskEventType"]), text(&d["riskState"])))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[tokio::test]
async fn triage_risky_agent_dismisses_at_c2_and_confirms_compromised_at_c3() {
    let running = start(Selection::everything(), &[]).await;
    assert_eq!(running.agent_risk(MONTH_END_AGENT).await, ("low".into(), "atRisk".into()));
    assert_eq!(running.agent_risk(RECONCILIATION_AGENT).await, ("high".into(), "atRisk".into()));

    // Dismiss (tier 2): previewed, then applied, read back by the skill and the emulator.
    let dismiss = json!({"agents": [MONTH_END_AGENT], "action": "dismiss"});
    let preview = running.call("triage_risky_agent", dismiss.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C2");
    assert!(preview.structured.get("confirm_target_required").is_none(), "tier 2 needs no re-typed target");
    assert_eq!(running.agent_risk(MONTH_END_AGENT).await, ("low".into(), "atRisk".into()), "a preview changes nothing");
    assert_eq!(running.demo().writes_applied(), 0);
    let mut confirmed = dismiss;
    confirmed["confirm"] = json!(confirmation);
    let applied = running.call("triage_risky_agent", confirmed).await;
    assert!(!applied.is_error, "{}", applied.text);
    assert_eq!(applied.structured["agents"][0]["risk_state"], "dismissed");
    assert_eq!(running.agent_risk(MONTH_END_AGENT).await, ("none".into(), "dismissed".into()));
    assert!(
        running.agent_detections(MONTH_END_AGENT).await.iter().all(|(_, state)| state == "dismissed"),
        "its open detections are closed"
    );
    assert_eq!(running.demo().writes_applied(), 1);

    // Confirm compromised (tier 3): the agent's name must be re-typed.
    let compromised = json!({"agents": [RECONCILIATION_AGENT], "action": "confirm_compromised"});
    let preview = running.call("triage_risky_agent", compromised.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C3");
    assert_eq!(preview.structured["confirm_target_required"], RECONCILIATION_AGENT);
    let mut confirmed = compromised;
    confirmed["confirm"] = json!(confirmation);
    refused(&running.call("triage_risky_agent", confirmed.clone()).await, "confirm_target");
    assert_eq!(running.agent_risk(RECONCILIATION_AGENT).await, ("high".into(), "atRisk".into()));
    assert_eq!(running.demo().writes_applied(), 1);
    confirmed["confirm_target"] = json!("invoice reconciliation agent");
    let applied = running.call("triage_risky_agent", confirmed).await;
    assert!(!applied.is_error, "{}", applied.text);
    assert_eq!(applied.structured["agents"][0]["risk_state"], "confirmedCompromised");
    assert_eq!(running.agent_risk(RECONCILIATION_AGENT).await, ("high".into(), "confirmedCompromised".into()));
    let detections = running.agent_detections(RECONCILIATION_AGENT).await;
    assert!(
        detections.contains(&("adminConfirmedAgentCompromised".into(), "confirmedCompromised".into())),
        "the admin's confirmation is a detection: {detections:?}"
    );
    assert_eq!(running.demo().writes_applied(), 2);

    // Refusals change nothing: more than 20 agents, an agent ID Protection never flagged.
    let many: Vec<String> = (1..=21).map(|n| format!("Agent {n}")).collect();
    refused(&running.call("triage_risky_agent", json!({"agents": many, "action": "dismiss"})).await, "1 to 20");
    let unflagged =
        running.call("triage_risky_agent", json!({"agents": ["Contoso Robot"], "action": "confirm_safe"})).await;
    refused_as(&unflagged, "not_found", "no risk record");
    assert_eq!(running.demo().writes_applied(), 2);
    running.stop().await;
}

#[tokio::test]
async fn triage_risky_agent_confirms_safe_and_is_beta_only() {
    let running = start(Selection::everything(), &[]).await;
    let args = json!({"agents": [MONTH_END_AGENT], "action": "confirm_safe"});
    let (preview, applied) = running.preview_and_confirm("triage_risky_agent", args, None).await;
    assert_eq!(preview["tier"], "C2");
    assert_eq!(applied.structured["agents"][0]["risk_detail"], "adminConfirmedAgentSafe");
    assert_eq!(running.agent_risk(MONTH_END_AGENT).await, ("none".into(), "confirmedSafe".into()));
    let (status, _) =
        running.graph(&format!("/identityProtection/riskyAgents/{}", story::agent_id(MONTH_END_AGENT))).await;
    assert_eq!(status, 404, "risky agents are served on beta only");
    running.stop().await;

    // Without --beta the write is not listed at all.
    let running = start(Selection { beta: false, ..Selection::everything() }, &[]).await;
    let tools = running.client.list_all_tools().await.expect("tools/list");
    assert!(!tools.iter().any(|t| t.name == "triage_risky_agent"));
    running.stop().await;
}

// =============================================================================================
// Conditional Access writes: create_ca_policy_report_only previewed (no policy appears), then
// confirmed — the policy is created report-only even though the intent asked for `enabled`,
// with the break-glass accounts excluded, and list_ca_policies shows it; unknown names, an
// invalid policy, an altered token and a replayed one change nothing. update_ca_policy_assignments
// changes only `conditions.users` of a report-only policy at C2 and of an enforced one at C3
// (the name re-typed); a break-glass exclusion is never removed.
// =============================================================================================

impl Running {
    /// The tenant's Conditional Access policies as the emulator holds them.
    async fn ca_policies(&self) -> Vec<Value> {
        let (status, body) = self.graph("/identity/conditionalAccess/policies").await;
        assert_eq!(status, 200, "{body}");
        body["value"].as_array().cloned().unwrap_or_default()
    }

    async fn ca_policy(&self, code: &str) -> Value {
        let id = entra_mcp::demo::tenant::story::ca_policy_id(code);
        let (status, body) = self.graph(&format!("/identity/conditionalAccess/policies/{id}")).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

/// A refusal that is not about the token: the given error kind, and no Graph write.
fn ca_refused(answer: &common::Answer, kind: &str, says: &str) {
    assert!(answer.is_error, "should be refused: {}", answer.text);
    assert_eq!(answer.structured["error"]["kind"], kind, "{}", answer.text);
    assert!(answer.text.contains(says), "`{}` should say {says}", answer.text);
    let writes = answer.structured["graph_requests"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter(|r| !matches!(r["method"].as_str(), Some("GET")))
                .filter(|r| {
                    // What-If and getByIds are reads sent as POST.
                    !r["path"].as_str().is_some_and(|p| p.ends_with("/evaluate") || p.ends_with("/getByIds"))
                })
                .count()
        })
        .unwrap_or(0);
    assert_eq!(writes, 0, "nothing was written: {}", answer.structured["graph_requests"]);
}

#[tokio::test]
async fn create_ca_policy_report_only_creates_report_only_even_when_enabled_is_asked() {
    let running = start(Selection::everything(), &[]).await;
    let before = running.ca_policies().await;
    let args = json!({
        "name": "CA100 MFA for Finance outside trusted locations",
        "include": {"groups": ["Finance Department"]},
        "apps": ["all"],
        "conditions": {"exclude_locations": ["trusted"]},
        "grant": {"controls": ["mfa"]},
        "state": "enabled",
    });

    // The preview creates nothing and says the state will be report-only.
    let preview = running.call("create_ca_policy_report_only", args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C2");
    assert!(preview.text.contains("created report-only"), "{}", preview.text);
    assert!(preview.text.contains("\"state\":\"enabledForReportingButNotEnforced\""), "{}", preview.text);
    assert_eq!(running.ca_policies().await, before, "a preview changes nothing");
    assert_eq!(running.demo().writes_applied(), 0);

    // Refusals, each leaving the policies as they were.
    let mut altered = confirmation.clone().into_bytes();
    let last = altered.len() - 2;
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    let mut forged = args.clone();
    forged["confirm"] = json!(String::from_utf8(altered).expect("ASCII"));
    refused(&running.call("create_ca_policy_report_only", forged).await, "altered");
    let mut other = args.clone();
    other["name"] = json!("CA101 Something else");
    other["confirm"] = json!(confirmation);
    refused(&running.call("create_ca_policy_report_only", other).await, "other arguments");
    ca_refused(
        &running
            .call(
                "create_ca_policy_report_only",
                json!({"name": "CA102", "include": {"groups": ["Finanse Team"]}, "apps": ["all"], "grant": {"controls": ["mfa"]}}),
            )
            .await,
        "not_found",
        "Finance Team",
    );
    ca_refused(
        &running
            .call(
                "create_ca_policy_report_only",
                json!({"name": "CA103", "include": {"users": ["all"]}, "apps": ["all"], "grant": {"controls": ["block"]}}),
            )
            .await,
        "invalid_input",
        "locks the whole tenant out",
    );
    ca_refused(
        &running
            .call(
                "create_ca_policy_report_only",
                json!({"name": "CA104", "apps": ["all"], "grant": {"controls": ["mfa"]}}),
            )
            .await,
        "invalid_input",
        "names no one",
    );
    assert_eq!(running.ca_policies().await, before, "no refusal changed anything");
    assert_eq!(running.demo().writes_applied(), 0);

    // Confirmed: one policy more, report-only, break-glass accounts excluded.
    let mut confirmed = args.clone();
    confirmed["confirm"] = json!(confirmation);
    let created = running.call("create_ca_policy_report_only", confirmed.clone()).await;
    assert!(!created.is_error, "{}", created.text);
    assert_eq!(created.structured["state"], "report-only");
    assert!(created.structured["state_note"].as_str().is_some_and(|n| n.contains("`enabled`")), "{}", created.text);
    assert_eq!(running.demo().writes_applied(), 1);
    let after = running.ca_policies().await;
    assert_eq!(after.len(), before.len() + 1);
    let new = after
        .iter()
        .find(|p| p["displayName"] == "CA100 MFA for Finance outside trusted locations")
        .expect("the created policy");
    assert_eq!(new["state"], "enabledForReportingButNotEnforced");
    assert_eq!(new["id"], created.structured["id"]);
    let excluded: Vec<&str> = new["conditions"]["users"]["excludeUsers"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let story = entra_mcp::demo::tenant::story::user_id;
    assert!(excluded.contains(&story("breakglass01").as_str()) && excluded.contains(&story("breakglass02").as_str()));
    assert_eq!(new["conditions"]["locations"]["excludeLocations"], json!(["AllTrusted"]));

    // It is listed like any other policy.
    let listed = running.call("list_ca_policies", json!({})).await;
    assert!(!listed.is_error, "{}", listed.text);
    assert!(listed.text.contains("CA100 MFA for Finance outside trusted locations"), "{}", listed.text);

    // The same confirmation again creates nothing more.
    let again = running.call("create_ca_policy_report_only", confirmed).await;
    assert!(again.is_error, "{}", again.text);
    assert_eq!(running.ca_policies().await.len(), before.len() + 1);
    assert_eq!(running.demo().writes_applied(), 1);
    running.stop().await;
}

#[tokio::test]
async fn update_ca_policy_assignments_changes_only_users_and_keeps_break_glass_excluded() {
    let running = start(Selection::everything(), &[]).await;
    let story = entra_mcp::demo::tenant::story::user_id;

    // A report-only policy: C2, no re-typed name.
    let ca009 = running.ca_policy("CA009").await;
    let args = json!({"policy": "CA009", "exclude_add": {"users": [KARITA]}});
    let preview = running.call("update_ca_policy_assignments", args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C2");
    assert_eq!(running.ca_policy("CA009").await, ca009, "a preview changes nothing");
    let mut confirmed = args.clone();
    confirmed["confirm"] = json!(confirmation);
    let applied = running.call("update_ca_policy_assignments", confirmed.clone()).await;
    assert!(!applied.is_error, "{}", applied.text);
    let after = running.ca_policy("CA009").await;
    let excluded = after["conditions"]["users"]["excludeUsers"].as_array().cloned().unwrap_or_default();
    assert!(excluded.contains(&json!(story("karita"))), "{after}");
    assert!(excluded.contains(&json!(story("breakglass01"))), "break-glass stays excluded");
    assert_eq!(after["conditions"]["applications"], ca009["conditions"]["applications"], "only users change");
    assert_eq!(after["sessionControls"], ca009["sessionControls"]);
    assert_eq!(after["state"], "enabledForReportingButNotEnforced");
    assert_eq!(running.demo().writes_applied(), 1);
    // Used once: Karita is excluded now, so the same change has nothing left to do.
    refused(&running.call("update_ca_policy_assignments", confirmed).await, "already");

    // An enforced policy: C3, the name re-typed.
    let ca003 = running.ca_policy("CA003").await;
    let args = json!({"policy": "CA003", "include_add": {"groups": ["Finance Team"]}});
    let preview = running.call("update_ca_policy_assignments", args.clone()).await;
    let confirmation = token(&preview);
    assert_eq!(preview.structured["tier"], "C3");
    assert_eq!(preview.structured["confirm_target_required"], "CA003 MFA for all users");
    let mut confirmed = args.clone();
    confirmed["confirm"] = json!(confirmation);
    refused(&running.call("update_ca_policy_assignments", confirmed.clone()).await, "confirm_target");
    confirmed["confirm_target"] = json!("CA003");
    refused(&running.call("update_ca_policy_assignments", confirmed.clone()).await, "does not match");
    assert_eq!(running.ca_policy("CA003").await, ca003, "refusals change nothing");

    // Never a break-glass exclusion removed; never a policy left without an inclusion; never an
    // unknown name.
    let ca001 = running.ca_policy("CA001").await;
    ca_refused(
        &running
            .call(
                "update_ca_policy_assignments",
                json!({"policy": "CA001", "exclude_remove": {"users": ["breakglass01@woodgrovebank.onmicrosoft.com"]}}),
            )
            .await,
        "invalid_input",
        "break-glass",
    );
    ca_refused(
        &running
            .call(
                "update_ca_policy_assignments",
                json!({"policy": "CA008", "include_remove": {"groups": ["Finance Department"]}}),
            )
            .await,
        "invalid_input",
        "include no one",
    );
    ca_refused(
        &running
            .call("update_ca_policy_assignments", json!({"policy": "CA001", "exclude_add": {"groups": ["Sales Teem"]}}))
            .await,
        "not_found",
        "Sales Team",
    );
    assert_eq!(running.ca_policy("CA001").await, ca001);
    assert_eq!(running.demo().writes_applied(), 1);

    // The right name re-typed applies it.
    confirmed["confirm_target"] = json!("CA003 MFA for all users");
    let applied = running.call("update_ca_policy_assignments", confirmed).await;
    assert!(!applied.is_error, "{}", applied.text);
    let after = running.ca_policy("CA003").await;
    let finance_team = entra_mcp::demo::tenant::story::group_id("Finance Team");
    assert!(after["conditions"]["users"]["includeGroups"].as_array().is_some_and(|g| g.contains(&json!(finance_team))));
    assert_eq!(after["conditions"]["users"]["excludeGroups"], ca003["conditions"]["users"]["excludeGroups"]);
    assert_eq!(running.demo().writes_applied(), 2);
    running.stop().await;
}
