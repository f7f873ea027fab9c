//! `get_entra_diagnostic_settings`: whether the tenant's sign-in, audit, provisioning and risk
//! logs leave Entra (which otherwise keeps them 7 to 30 days) and where to — a Log Analytics
//! workspace, a storage account, an event hub — and which log categories go nowhere. Read
//! from Azure Resource Manager, with the caller's ARM token (a second token audience).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::GraphRequest;
use crate::graph::permission_ids::ARM_USER_IMPERSONATION;
use crate::render::table;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_ENTRA_DIAGNOSTIC_SETTINGS: Declaration = Declaration {
    name: "get_entra_diagnostic_settings",
    title: "Get Entra diagnostic settings (log export)",
    description: "Do our Entra sign-in and audit logs leave the tenant, and where to? The diagnostic settings exporting Entra logs to a Log Analytics workspace, storage account or event hub, and which log categories (non-interactive or service principal sign-ins, provisioning, risk events …) are not exported. Reads Azure Resource Manager. Security Reader.",
    toolset: Toolset::Posture,
    permissions: &[ARM_USER_IMPERSONATION],
    least_role: "Security Reader (Security Administrator to change them)",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

const SETTINGS: &str = "/providers/microsoft.aadiam/diagnosticSettings";
const API_VERSION: &str = "2017-04-01";

/// The categories an identity team wants out of the tenant, in the words of the Entra admin
/// center; each is judged whether or not a setting lists it.
const KEY_CATEGORIES: &[(&str, &str)] = &[
    ("SignInLogs", "interactive user sign-ins"),
    ("AuditLogs", "audit logs"),
    ("NonInteractiveUserSignInLogs", "non-interactive user sign-ins"),
    ("ServicePrincipalSignInLogs", "service principal sign-ins"),
    ("ManagedIdentitySignInLogs", "managed identity sign-ins"),
    ("ProvisioningLogs", "provisioning logs"),
    ("RiskyUsers", "risky users"),
    ("UserRiskEvents", "user risk events"),
    ("RiskyServicePrincipals", "risky service principals"),
    ("ServicePrincipalRiskEvents", "service principal risk events"),
    ("MicrosoftGraphActivityLogs", "Microsoft Graph activity logs"),
];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetEntraDiagnosticSettingsParams {}

#[derive(Debug, Deserialize)]
struct SettingsList {
    #[serde(default)]
    value: Vec<Setting>,
}

#[derive(Debug, Deserialize)]
struct Setting {
    name: Option<String>,
    properties: Option<Properties>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Properties {
    workspace_id: Option<String>,
    storage_account_id: Option<String>,
    event_hub_authorization_rule_id: Option<String>,
    event_hub_name: Option<String>,
    /// A partner solution (`marketplacePartnerId`).
    marketplace_partner_id: Option<String>,
    #[serde(default)]
    logs: Option<Vec<Log>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Log {
    category: Option<String>,
    category_group: Option<String>,
    enabled: Option<bool>,
    retention_policy: Option<Retention>,
}

#[derive(Debug, Deserialize)]
struct Retention {
    enabled: Option<bool>,
    days: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Destination {
    /// `log_analytics`, `storage_account`, `event_hub` or `partner`.
    pub kind: String,
    /// The resource's name (the last segment of its id).
    pub name: String,
    /// Its full Azure resource id.
    pub resource_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SettingRow {
    pub name: String,
    pub destinations: Vec<Destination>,
    /// The log categories it exports.
    pub exported: Vec<String>,
    /// Days a storage account keeps them, where a retention policy is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CategoryRow {
    /// The category as Azure Monitor names it (`SignInLogs`).
    pub category: String,
    /// In words.
    pub label: String,
    pub exported: bool,
    /// The settings that export it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DiagnosticSettings {
    pub settings: Vec<SettingRow>,
    /// Each key category: exported or not, and by which setting.
    pub categories: Vec<CategoryRow>,
    /// The key categories no setting exports.
    pub not_exported: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

/// The last segment of an Azure resource id.
fn resource_name(id: &str) -> String {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id).to_string()
}

fn destinations(p: &Properties) -> Vec<Destination> {
    let mut out = Vec::new();
    let mut add = |kind: &str, id: Option<&String>, name: Option<String>| {
        if let Some(id) = id.filter(|i| !i.trim().is_empty()) {
            out.push(Destination {
                kind: kind.into(),
                name: name.unwrap_or_else(|| resource_name(id)),
                resource_id: id.clone(),
            });
        }
    };
    add("log_analytics", p.workspace_id.as_ref(), None);
    add("storage_account", p.storage_account_id.as_ref(), None);
    let hub_name = p.event_hub_name.clone().filter(|n| !n.is_empty());
    add("event_hub", p.event_hub_authorization_rule_id.as_ref(), hub_name);
    add("partner", p.marketplace_partner_id.as_ref(), None);
    out
}

fn label(category: &str) -> String {
    KEY_CATEGORIES.iter().find(|(c, _)| c.eq_ignore_ascii_case(category)).map_or(category, |(_, l)| l).to_string()
}

async fn get_entra_diagnostic_settings(
    ctx: Ctx,
    _: GetEntraDiagnosticSettingsParams,
) -> Result<DiagnosticSettings, SkillError> {
    let list: SettingsList = ctx.graph.get(GraphRequest::arm(SETTINGS, API_VERSION)).await?;
    let mut settings = Vec::new();
    for setting in list.value {
        let name = setting.name.unwrap_or_else(|| "(unnamed)".into());
        let Some(properties) = setting.properties else { continue };
        let logs = properties.logs.as_deref().unwrap_or_default();
        let enabled: Vec<&Log> = logs.iter().filter(|l| l.enabled == Some(true)).collect();
        let mut exported: Vec<String> = enabled
            .iter()
            .filter_map(|l| l.category.clone().or_else(|| l.category_group.clone().map(|g| format!("group:{g}"))))
            .collect();
        exported.sort();
        let retention_days = enabled
            .iter()
            .filter_map(|l| l.retention_policy.as_ref())
            .filter(|r| r.enabled == Some(true))
            .filter_map(|r| r.days)
            .max();
        settings.push(SettingRow { destinations: destinations(&properties), name, exported, retention_days });
    }
    // `allLogs` as a category group exports every category.
    let all_logs: Vec<&str> = settings
        .iter()
        .filter(|s| s.exported.iter().any(|c| c.eq_ignore_ascii_case("group:allLogs")))
        .map(|s| s.name.as_str())
        .collect();
    let categories: Vec<CategoryRow> = KEY_CATEGORIES
        .iter()
        .map(|(category, words)| {
            let mut by: Vec<String> = settings
                .iter()
                .filter(|s| !s.destinations.is_empty() && s.exported.iter().any(|c| c.eq_ignore_ascii_case(category)))
                .map(|s| s.name.clone())
                .collect();
            by.extend(all_logs.iter().map(|s| s.to_string()));
            by.dedup();
            CategoryRow { category: category.to_string(), label: words.to_string(), exported: !by.is_empty(), by }
        })
        .collect();
    let not_exported: Vec<String> = categories.iter().filter(|c| !c.exported).map(|c| c.category.clone()).collect();

    let mut findings = Vec::new();
    if settings.is_empty() {
        findings.push(
            "no diagnostic setting: sign-in and audit logs stay in Entra only (7 days on Free, 30 days with P1/P2) and \
             no SIEM sees them"
                .to_string(),
        );
    } else {
        for s in settings.iter().filter(|s| s.destinations.is_empty()) {
            findings.push(format!("{} exports to no destination", s.name));
        }
        for c in categories.iter().filter(|c| !c.exported) {
            let why = match c.category.as_str() {
                "SignInLogs" | "AuditLogs" => " — the core identity logs",
                "NonInteractiveUserSignInLogs" => " — token refreshes, where stolen session tokens show up",
                "ServicePrincipalSignInLogs" | "ManagedIdentitySignInLogs" => {
                    " — app and workload sign-ins, where compromised credentials show up"
                }
                "MicrosoftGraphActivityLogs" => " — what apps and users read and change through Graph",
                _ => "",
            };
            findings.push(format!("{} ({}) are not exported{why}", label(&c.category), c.category));
        }
    }
    Ok(DiagnosticSettings { settings, categories, not_exported, findings })
}

impl Render for DiagnosticSettings {
    fn markdown(&self) -> String {
        let settings: Vec<Vec<String>> = self
            .settings
            .iter()
            .map(|s| {
                let to = s
                    .destinations
                    .iter()
                    .map(|d| format!("{} {}", d.kind.replace('_', " "), d.name))
                    .collect::<Vec<_>>();
                vec![
                    s.name.clone(),
                    if to.is_empty() { "none".into() } else { to.join(", ") },
                    s.exported.join(", "),
                    s.retention_days.map_or("-".into(), |d| format!("{d} d")),
                ]
            })
            .collect();
        let categories: Vec<Vec<String>> = self
            .categories
            .iter()
            .map(|c| {
                vec![
                    c.label.clone(),
                    c.category.clone(),
                    if c.exported { "yes".into() } else { "no".into() },
                    c.by.join(", "),
                ]
            })
            .collect();
        let mut out = format!(
            "{} diagnostic settings\n{}\n\nlog categories\n{}",
            self.settings.len(),
            table(&["setting", "destinations", "exports", "retention"], &settings),
            table(&["log", "category", "exported", "by"], &categories)
        );
        if !self.findings.is_empty() {
            out.push_str("\n\nfindings\n");
            out.push_str(&self.findings.iter().map(|f| format!("- {f}")).collect::<Vec<_>>().join("\n"));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "Are our Entra sign-in and audit logs exported to a SIEM or Log Analytics workspace, and which log categories are not?",
    args: r#"{}"#,
    facts: &[
        Fact::Count("settings/*", 1),
        Fact::Every("settings/*/destinations/*/kind", "log_analytics"),
        Fact::Every("settings/*/destinations/*/name", "law-woodgrove-security"),
        Fact::Some("settings/*/exported/*", "SignInLogs"),
        Fact::Some("settings/*/exported/*", "AuditLogs"),
        Fact::Some("not_exported/*", "NonInteractiveUserSignInLogs"),
        Fact::Some("not_exported/*", "ServicePrincipalSignInLogs"),
        Fact::No("not_exported/*", "SignInLogs"),
        Fact::Some("findings/*", "~non-interactive user sign-ins"),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(GET_ENTRA_DIAGNOSTIC_SETTINGS, get_entra_diagnostic_settings)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use serde_json::json;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, Request, Respond, ResponseTemplate};

    use crate::auth::credential::ClientCredential;
    use crate::auth::obo::{OboSettings, OboTokenSource};
    use crate::auth::testing::{self, FakeEntra};
    use crate::auth::{AccessToken, Caller};
    use crate::demo::{DemoGraph, DemoOptions};
    use crate::graph::{GraphService, GraphSettings};
    use crate::server::EntraServer;
    use crate::skill::SkillReply;
    use crate::skills::Selection;

    /// Entra's token endpoint: a token for every scope asked, except Azure Resource Manager's
    /// when the tenant never consented to it (AADSTS65001).
    struct TokenEndpoint {
        arm_consented: bool,
    }

    impl Respond for TokenEndpoint {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let form: HashMap<String, String> = url::form_urlencoded::parse(&request.body).into_owned().collect();
            let scope = form.get("scope").cloned().unwrap_or_default();
            if scope.starts_with("https://management.azure.com/") && !self.arm_consented {
                return ResponseTemplate::new(400).set_body_json(
                    json!({"error": "invalid_grant", "error_codes": [65001], "suberror": "consent_required"}),
                );
            }
            ResponseTemplate::new(200).set_body_json(
                json!({"token_type": "Bearer", "expires_in": 3600, "access_token": format!("for {scope}")}),
            )
        }
    }

    /// The skill over the on-behalf-of path of HTTP mode, against the demo emulator, and the
    /// scopes the server asked Entra for.
    async fn call_on_behalf_of(arm_consented: bool) -> (SkillReply, Vec<String>) {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        Mock::given(method("POST"))
            .and(path(FakeEntra::token_path(testing::TENANT)))
            .respond_with(TokenEndpoint { arm_consented })
            .mount(&fake.server)
            .await;
        let demo = DemoGraph::start(DemoOptions::default()).await.expect("emulator");
        let obo = OboSettings::new(fake.authority(), testing::CLIENT_ID, ClientCredential::Secret("secret".into()));
        let tokens = Arc::new(OboTokenSource::new(obo, reqwest::Client::new()));
        let settings = GraphSettings { base_url: demo.base_url(), ..GraphSettings::default() };
        let graph = GraphService::new(settings, tokens).expect("graph");
        let caller = Arc::new(Caller {
            tenant_id: Some(testing::TENANT.into()),
            object_id: Some(testing::ALICE_OID.into()),
            upn: None,
            assertion: Some(AccessToken::new("the caller's token for the server")),
        });
        let server = EntraServer::new(graph, Arc::new(Selection::everything()), caller.clone());
        let reply = server.call("get_entra_diagnostic_settings", None, caller).await.expect("a known tool");
        let scopes = fake
            .token_requests()
            .await
            .iter()
            .filter_map(|r| {
                url::form_urlencoded::parse(&r.body).find(|(k, _)| k == "scope").map(|(_, v)| v.into_owned())
            })
            .collect();
        (reply, scopes)
    }

    #[tokio::test]
    async fn over_http_the_settings_are_read_with_an_arm_token_on_behalf_of_the_caller() {
        let (reply, scopes) = call_on_behalf_of(true).await;
        assert!(!reply.is_error, "{}", reply.markdown);
        assert_eq!(scopes, ["https://management.azure.com/.default"], "one exchange, for ARM only");
        assert_eq!(reply.structured["settings"][0]["name"], "sentinel-export");
        let call = &reply.graph_requests[0];
        assert_eq!((call.version.as_str(), call.query.as_str()), ("arm", "api-version=2017-04-01"));
        assert!(!reply.markdown.contains("for https://"), "no token in the answer");
    }

    #[tokio::test]
    async fn without_consent_to_arm_the_skill_names_the_permission() {
        let (reply, _) = call_on_behalf_of(false).await;
        assert!(reply.is_error, "{}", reply.markdown);
        let error = &reply.structured["error"];
        assert_eq!(error["kind"], "consent_required", "{error}");
        assert!(error["message"].as_str().is_some_and(|m| m.contains("Azure Resource Manager")), "{error}");
        assert!(error["remedy"].as_str().is_some_and(|r| r.contains("user_impersonation")), "{error}");
    }
}
