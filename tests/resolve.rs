//! Name resolution, the one way every skill turns a name or an id into an object: an id wins (an
//! appId or deviceId too), else the exact name case-insensitively; none is `not_found` naming
//! the skill that searches; several is `ambiguous` with the candidates. Against the demo
//! emulator for each kind, and against a Graph fake for the cases the demo has no data for.

use std::sync::Arc;

use entra_mcp::auth::Caller;
use entra_mcp::auth::demo::DemoTokenSource;
use entra_mcp::demo::{DemoGraph, DemoOptions};
use entra_mcp::error::ErrorKind;
use entra_mcp::graph::resources::{
    ConditionalAccessPolicy, Device, Group, NamedLocation, RoleDefinition, ServicePrincipal,
};
use entra_mcp::graph::{GraphService, GraphSettings};
use entra_mcp::shared::resolve::{self, APP, DEVICE, GROUP, LOCATION, POLICY, ROLE};
use entra_mcp::skill::{Ctx, WriteGuard};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ctx(base_url: String) -> Ctx {
    let tokens = Arc::new(DemoTokenSource::new(entra_mcp::demo::persona_object_id()));
    let graph = GraphService::new(GraphSettings { base_url, ..GraphSettings::default() }, tokens).expect("graph");
    let caller = Arc::new(Caller { object_id: Some(entra_mcp::demo::persona_object_id()), ..Caller::default() });
    Ctx::new(graph.bind(caller), chrono::Utc::now(), Arc::new(WriteGuard::default()))
}

#[tokio::test]
async fn every_kind_resolves_by_name_and_by_id_on_the_demo_tenant() {
    let demo = DemoGraph::start(DemoOptions::default()).await.expect("emulator");
    let ctx = ctx(demo.base_url());

    let group: Group =
        resolve::resolve(&ctx, &GROUP, "FINANCE department", &["id", "displayName"]).await.expect("group");
    assert_eq!(group.display_name.as_deref(), Some("Finance Department"));
    let again: Group = resolve::resolve(&ctx, &GROUP, &group.id, &["id", "displayName"]).await.expect("by id");
    assert_eq!(again.id, group.id);

    let policy: ConditionalAccessPolicy =
        resolve::resolve(&ctx, &POLICY, "ca004 block high sign-in risk", &["id", "displayName", "state"])
            .await
            .expect("policy by name, read and matched here");
    assert_eq!(policy.display_name.as_deref(), Some("CA004 Block high sign-in risk"));

    let exchange: ServicePrincipal =
        resolve::resolve(&ctx, &APP, entra_mcp::demo::tenant::story::EXCHANGE_ONLINE, &["id", "appId", "displayName"])
            .await
            .expect("app by appId");
    assert_eq!(exchange.app_id.as_deref(), Some(entra_mcp::demo::tenant::story::EXCHANGE_ONLINE));
    let by_name: ServicePrincipal = resolve::resolve(
        &ctx,
        &APP,
        exchange.display_name.as_deref().unwrap_or_default(),
        &["id", "appId", "displayName"],
    )
    .await
    .expect("app by name");
    assert_eq!(by_name.id, exchange.id);

    let role: RoleDefinition =
        resolve::resolve(&ctx, &ROLE, "global administrator", &["id", "displayName", "isBuiltIn"]).await.expect("role");
    assert_eq!(role.id, "62e90394-69f5-4237-9190-012177145e10");

    let locations = ctx
        .graph
        .list::<NamedLocation>(entra_mcp::graph::GraphRequest::get("/identity/conditionalAccess/namedLocations"), 50)
        .await
        .expect("named locations");
    let first = locations.items.first().and_then(|l| l.display_name.clone()).expect("a named location");
    let location: NamedLocation =
        resolve::resolve(&ctx, &LOCATION, &first.to_uppercase(), &["id", "displayName"]).await.expect("location");
    assert_eq!(location.display_name.as_deref(), Some(first.as_str()));

    let devices = ctx
        .graph
        .list::<Device>(
            entra_mcp::graph::GraphRequest::get("/devices")
                .query(entra_mcp::graph::Query::new().select(&["id", "deviceId", "displayName"]).top(1)),
            1,
        )
        .await
        .expect("devices");
    let device = devices.items.first().expect("a device");
    let by_device_id: Device = resolve::resolve(
        &ctx,
        &DEVICE,
        device.device_id.as_deref().unwrap_or_default(),
        &["id", "deviceId", "displayName", "operatingSystem"],
    )
    .await
    .expect("device by deviceId");
    assert_eq!(by_device_id.id, device.id);

    for (kind, value, search) in [
        (&GROUP, "No Such Group", "get_user_memberships"),
        (&POLICY, "CA999 Nothing", "list_sign_ins"),
        (&GROUP, "00000000-0000-0000-0000-000000000001", "get_user_memberships"),
    ] {
        let e = resolve::resolve::<Group>(&ctx, kind, value, &["id", "displayName"]).await.expect_err("nothing");
        assert_eq!(e.kind, ErrorKind::NotFound, "{value}");
        assert!(e.remedy.as_deref().is_some_and(|r| r.contains(search) && r.contains(kind.field)), "{e:?}");
    }
    for bad in [String::new(), "   ".to_string(), "a\u{7}b".to_string()] {
        let e = resolve::resolve::<Group>(&ctx, &GROUP, &bad, &["id"]).await.expect_err("refused");
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("`group`"), "{}", e.message);
    }
}

#[tokio::test]
async fn several_matches_are_ambiguous_with_their_candidates() {
    let graph = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.0/groups"))
        .and(query_param("$filter", "displayName eq 'Project Phoenix'"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [
            {"id": "11111111-1111-1111-1111-111111111111", "displayName": "Project Phoenix", "securityEnabled": true, "mailEnabled": false, "groupTypes": []},
            {"id": "22222222-2222-2222-2222-222222222222", "displayName": "project phoenix", "mail": "phoenix@contoso.example", "mailEnabled": true, "securityEnabled": false, "groupTypes": ["Unified"]},
            {"id": "33333333-3333-3333-3333-333333333333", "displayName": "Project Phoenix Archive", "groupTypes": []}
        ]})))
        .mount(&graph)
        .await;
    let ctx = ctx(graph.uri());
    let e = resolve::resolve::<Group>(&ctx, &GROUP, "Project Phoenix", &["id", "displayName"]).await.expect_err("two");
    assert_eq!(e.kind, ErrorKind::Ambiguous);
    assert!(e.message.starts_with("2 groups are named"), "only exact names count: {}", e.message);
    assert!(e.message.contains("11111111-1111-1111-1111-111111111111 (security"), "{}", e.message);
    assert!(e.message.contains("22222222-2222-2222-2222-222222222222 (microsoft365, phoenix@contoso.example)"));
    assert!(e.remedy.as_deref().is_some_and(|r| r.contains("`group`")));
    // The lookup is in the request trail like any other.
    assert_eq!(ctx.graph.calls().len(), 1);
    assert_eq!(ctx.graph.calls()[0].path, "/groups");
}

#[tokio::test]
async fn role_names_match_loosely_and_a_miss_names_the_closest_roles() {
    let demo = DemoGraph::start(DemoOptions::default()).await.expect("emulator");
    let ctx = ctx(demo.base_url());
    let select = &["id", "displayName", "isBuiltIn"];
    for (given, expected) in [
        ("Global Admin", "Global Administrator"),
        ("helpdesk admin", "Helpdesk Administrator"),
        ("Conditional-Access admin", "Conditional Access Administrator"),
        ("woodgrove HELPDESK tier 1", "Woodgrove Helpdesk Tier 1"),
    ] {
        let role: RoleDefinition = resolve::resolve(&ctx, &ROLE, given, select).await.expect(given);
        assert_eq!(role.display_name.as_deref(), Some(expected), "{given}");
    }
    // The exact name needs one request; a loose one reads every role once more.
    let exact = ctx.graph.calls().len();
    let _: RoleDefinition = resolve::resolve(&ctx, &ROLE, "Security Reader", select).await.expect("exact");
    assert_eq!(ctx.graph.calls().len(), exact + 1);

    let e = resolve::resolve::<RoleDefinition>(&ctx, &ROLE, "Global", select).await.expect_err("two globals");
    assert_eq!(e.kind, ErrorKind::Ambiguous);
    assert!(e.message.contains("Global Administrator") && e.message.contains("Global Reader"), "{}", e.message);
    let e = resolve::resolve::<RoleDefinition>(&ctx, &ROLE, "Treasury Wizard", select).await.expect_err("none");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains("the closest roles are"), "{}", e.message);
    assert!(e.remedy.as_deref().is_some_and(|r| r.contains("get_role_definition")), "{e:?}");
}
