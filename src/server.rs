//! The MCP server: tools from the skill catalog, the investigation prompts, and server info.
//!
//! The handler is written by hand rather than with `#[tool_router]` so that the catalog in
//! `skills/` stays the single source of every tool: adding a skill never touches this file.

use std::sync::Arc;
use std::time::Instant;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestMethod, CompleteRequestParams,
    CompleteResult, ContentBlock, GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult,
    ListResourceTemplatesRequestMethod, ListResourceTemplatesResult, ListResourcesRequestMethod, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};

use crate::auth::Caller;
use crate::discovery;
use crate::graph::GraphService;
use crate::skill::{Approval, Approver, CallerKey, Ctx, SkillReply, WriteGuard};
use crate::skills::{self, Selection};

/// What the model is told the server is for.
pub const INSTRUCTIONS: &str = "Microsoft Entra ID for identity and security admins: users, groups, \
sign-in logs and failure troubleshooting, directory audits, risky users and risk detections. Every \
call runs with the signed-in user's own delegated access. Results are compact markdown with ids for \
follow-ups; times are UTC. Start from a user (get_user, search_users), a failure \
(explain_sign_in_failure) or risk (list_risky_users, get_risky_user).";

/// The self-activation skill a `forbidden` remedy may point at.
const ACTIVATE_MY_ROLE: &str = "activate_my_role";

/// One MCP server instance. Cheap to clone: the HTTP transport builds one per request.
#[derive(Clone)]
pub struct EntraServer {
    graph: Arc<GraphService>,
    selection: Arc<Selection>,
    /// The caller over stdio (the local signed-in user); HTTP callers come with each request.
    local_caller: Arc<Caller>,
    guard: Arc<WriteGuard>,
}

impl EntraServer {
    pub fn new(graph: Arc<GraphService>, selection: Arc<Selection>, local_caller: Arc<Caller>) -> Self {
        EntraServer { graph, selection, local_caller, guard: Arc::new(WriteGuard::default()) }
    }

    /// The write guard rails and confirmation key (the default: a random key, no break-glass
    /// accounts).
    pub fn with_guard(mut self, guard: Arc<WriteGuard>) -> Self {
        self.guard = guard;
        self
    }

    /// The caller over stdio and from the shell.
    pub fn local_caller(&self) -> Arc<Caller> {
        self.local_caller.clone()
    }

    /// The listed tools: the enabled skills in catalog order, or the two discovery tools.
    pub fn tools(&self) -> Vec<Tool> {
        if self.selection.discover {
            return discovery::tools();
        }
        self.selection.skills().iter().map(|s| s.tool()).collect()
    }

    /// Runs a tool by name for a caller. Bad arguments come back as a tool error the model can
    /// read; an unknown tool name is the protocol error `-32602`, as MCP defines it.
    pub async fn call(
        &self,
        name: &str,
        arguments: Option<rmcp::model::JsonObject>,
        caller: Arc<Caller>,
    ) -> Result<SkillReply, McpError> {
        self.call_with(name, arguments, caller, None).await
    }

    /// As [`EntraServer::call`], with a way to ask the human directly before a confirmed write.
    pub async fn call_with(
        &self,
        name: &str,
        arguments: Option<rmcp::model::JsonObject>,
        caller: Arc<Caller>,
        approver: Option<Arc<dyn Approver>>,
    ) -> Result<SkillReply, McpError> {
        if self.selection.discover {
            match name {
                discovery::FIND_SKILLS => return Ok(self.find_skills(arguments)),
                discovery::RUN_SKILL => {
                    let (name, arguments) = match run_skill_arguments(arguments) {
                        Ok(parts) => parts,
                        Err(reply) => return Ok(*reply),
                    };
                    return self.call_skill(&name, arguments, caller, approver).await;
                }
                _ => {}
            }
        }
        self.call_skill(name, arguments, caller, approver).await
    }

    async fn call_skill(
        &self,
        name: &str,
        arguments: Option<rmcp::model::JsonObject>,
        caller: Arc<Caller>,
        approver: Option<Arc<dyn Approver>>,
    ) -> Result<SkillReply, McpError> {
        let Some(skill) = skills::find(&self.selection, name) else {
            return Err(unknown_tool(&self.selection, name));
        };
        let started = Instant::now();
        let argument_names: Vec<String> = arguments
            .as_ref()
            .map(|a| a.keys().take(20).map(|k| crate::render::trim(k, 40)).collect())
            .unwrap_or_default();
        let confirmed = arguments.as_ref().is_some_and(|a| a.contains_key("confirm"));
        let ctx = Ctx::new(self.graph.bind(caller.clone()), chrono::Utc::now(), self.guard.clone())
            .with_approver(approver.filter(|_| skill.is_write()))
            .with_beta(self.selection.beta)
            // A role missing for a call can be named with the activation that lifts it only
            // where the caller can make that activation here.
            .with_activation_hints(skills::find(&self.selection, ACTIVATE_MY_ROLE).is_some());
        let key = caller_key(&caller);
        let reply = skill.invoke(ctx, arguments, Some(&key)).await;
        // The audit trail: who, what, which Graph requests, how it went. Never a token.
        let request_ids: Vec<&str> = reply.graph_requests.iter().filter_map(|c| c.request_id.as_deref()).collect();
        let outcome = if reply.is_error {
            reply.structured["error"]["kind"].as_str().unwrap_or("error")
        } else if reply.structured.get("pending_confirmation").is_some() {
            "preview"
        } else {
            "ok"
        };
        tracing::info!(
            target: "entra_mcp::audit",
            tool = name,
            write = skill.is_write(),
            confirmed,
            caller_oid = caller.object_id.as_deref().unwrap_or("local"),
            caller_tid = caller.tenant_id.as_deref().unwrap_or("-"),
            caller_upn = caller.upn.as_deref().unwrap_or("-"),
            arguments = ?argument_names,
            graph_request_ids = ?request_ids,
            outcome,
            duration_ms = started.elapsed().as_millis() as u64,
            "tool call"
        );
        Ok(reply)
    }

    fn find_skills(&self, arguments: Option<rmcp::model::JsonObject>) -> SkillReply {
        let args = arguments.unwrap_or_default();
        let question = match args.get("question").and_then(|q| q.as_str()).map(str::trim) {
            Some(q) if !q.is_empty() && q.chars().count() <= 500 => q.to_string(),
            _ => {
                return SkillReply::error(crate::error::SkillError::invalid(
                    "question",
                    "the admin's question, 1–500 characters",
                ));
            }
        };
        let limit = match args.get("limit") {
            None => 5,
            Some(v) => match v.as_u64() {
                Some(n @ 1..=10) => n as usize,
                _ => return SkillReply::error(crate::error::SkillError::invalid("limit", "an integer from 1 to 10")),
            },
        };
        if let Some(extra) = args.keys().find(|k| *k != "question" && *k != "limit") {
            return SkillReply::error(crate::error::SkillError::invalid_value(
                &crate::render::trim(extra, 40),
                "is not an argument of find_skills",
                "`question` and `limit`",
            ));
        }
        let (structured, markdown) = discovery::find(&self.selection.skills(), &question, limit);
        SkillReply { is_error: false, structured, markdown, graph_requests: Vec::new() }
    }
}

/// `run_skill`'s `name` and `arguments`.
fn run_skill_arguments(
    arguments: Option<rmcp::model::JsonObject>,
) -> Result<(String, Option<rmcp::model::JsonObject>), Box<SkillReply>> {
    let mut args = arguments.unwrap_or_default();
    let invalid =
        |field: &str, accepted: &str| Box::new(SkillReply::error(crate::error::SkillError::invalid(field, accepted)));
    let name = match args.remove("name") {
        Some(serde_json::Value::String(name)) => name,
        _ => return Err(invalid("name", "the name of a skill from find_skills")),
    };
    let inner = match args.remove("arguments") {
        None => None,
        Some(serde_json::Value::Object(map)) => Some(map),
        Some(_) => return Err(invalid("arguments", "a JSON object of the skill's arguments")),
    };
    if let Some(extra) = args.keys().next() {
        return Err(Box::new(SkillReply::error(crate::error::SkillError::invalid_value(
            &crate::render::trim(extra, 40),
            "is not an argument of run_skill",
            "`name` and `arguments`",
        ))));
    }
    Ok((name, inner))
}

/// What a confirmation token binds of the caller: tenant and object id.
fn caller_key(caller: &Caller) -> CallerKey {
    CallerKey(format!(
        "{}/{}",
        caller.tenant_id.as_deref().unwrap_or("-"),
        caller.object_id.as_deref().unwrap_or("local")
    ))
}

/// The protocol error for a tool this server does not serve, naming the closest ones.
fn unknown_tool(selection: &Selection, name: &str) -> McpError {
    let shown = crate::render::trim(name, 60);
    let mut known: Vec<&str> = selection.skills().iter().map(|s| s.name()).collect();
    if selection.discover {
        known.extend([discovery::FIND_SKILLS, discovery::RUN_SKILL]);
    }
    // A disabled read is named as such; a write without --allow-writes is simply unknown.
    let disabled_read = skills::catalog().iter().find(|s| s.name() == name && !s.is_write());
    let message = match disabled_read {
        Some(skill) => format!(
            "tool `{shown}` is not enabled on this server; enable the `{}` toolset with --toolsets (ENTRA_MCP_TOOLSETS)",
            skill.decl.toolset.name()
        ),
        None => {
            let closest = closest(&known, name);
            if closest.is_empty() {
                format!("there is no tool `{shown}`")
            } else {
                format!("there is no tool `{shown}`; closest: {}", closest.join(", "))
            }
        }
    };
    McpError::invalid_params(message, None)
}

/// Up to three names nearest to `name`, by edit distance and shared words.
fn closest<'a>(known: &[&'a str], name: &str) -> Vec<&'a str> {
    let name: String = name.chars().take(80).collect::<String>().to_lowercase();
    let words: Vec<&str> = name.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2).collect();
    let mut scored: Vec<(usize, &str)> = known
        .iter()
        .map(|k| {
            let shared = words.iter().filter(|w| k.contains(*w)).count();
            (edit_distance(&name, k).saturating_sub(4 * shared), *k)
        })
        .collect();
    scored.sort();
    let limit = name.len().max(6);
    scored.into_iter().filter(|(d, _)| *d <= limit).take(3).map(|(_, k)| k).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push((previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The MCP result: markdown for the model, the same facts as `structuredContent`.
pub fn to_call_tool_result(reply: SkillReply) -> CallToolResult {
    // Not `CallToolResult::structured`: it serializes the whole answer into a text block that
    // the markdown would replace at once, a cost paid on every call for nothing.
    let content = vec![ContentBlock::text(reply.markdown)];
    let mut result = if reply.is_error { CallToolResult::error(content) } else { CallToolResult::success(content) };
    result.structured_content = Some(reply.structured);
    result
}

/// The human's yes or no to a change, as the client's elicitation form asks it.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct ApproveChange {
    /// Apply this change?
    approve: bool,
}

rmcp::elicit_safe!(ApproveChange);

/// How long a person has to answer the client's prompt.
const APPROVAL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Asks through the client's elicitation.
struct Elicitation(rmcp::Peer<RoleServer>);

impl Approver for Elicitation {
    fn approve(&self, message: String) -> futures::future::BoxFuture<'_, Approval> {
        Box::pin(async move {
            match self.0.elicit_with_timeout::<ApproveChange>(message, Some(APPROVAL_TIMEOUT)).await {
                Ok(Some(ApproveChange { approve: true })) => Approval::Approved,
                Ok(_) => Approval::Declined,
                Err(rmcp::service::ElicitationError::UserDeclined | rmcp::service::ElicitationError::UserCancelled) => {
                    Approval::Declined
                }
                // The client could not ask (or the revision forbids asking mid-call): the
                // confirmation token, which the human already gave, stands alone.
                Err(error) => {
                    tracing::debug!(%error, "elicitation unavailable");
                    Approval::Unavailable
                }
            }
        })
    }
}

/// An approver for this request when the client declared elicitation and the transport can
/// carry a request back to it mid-call (stdio; the HTTP transport here is stateless).
fn elicitation(ctx: &RequestContext<RoleServer>) -> Option<Arc<dyn Approver>> {
    let over_http = ctx.extensions.get::<axum::http::request::Parts>().is_some();
    let declared = ctx.peer.peer_info().is_some_and(|info| info.capabilities.elicitation.is_some());
    (declared && !over_http).then(|| Arc::new(Elicitation(ctx.peer.clone())) as Arc<dyn Approver>)
}

/// The caller of this request: over HTTP, the identity the auth middleware attached to the
/// request; otherwise the local user.
fn caller_of(ctx: &RequestContext<RoleServer>, local: &Arc<Caller>) -> Arc<Caller> {
    ctx.extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Arc<Caller>>())
        .cloned()
        .unwrap_or_else(|| local.clone())
}

impl ServerHandler for EntraServer {
    fn get_info(&self) -> ServerConfig {
        // Exactly the capabilities served: tools and prompts, no resources.
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_prompts().build())
            .with_server_info(Implementation::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        if self.selection.discover {
            return discovery::tools().into_iter().find(|t| t.name == name);
        }
        skills::find(&self.selection, name).map(|s| s.tool())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let caller = caller_of(&ctx, &self.local_caller);
        let cancel = ctx.ct.clone();
        let approver = elicitation(&ctx);
        let call = self.call_with(&request.name, request.arguments, caller, approver);
        tokio::select! {
            reply = call => Ok(to_call_tool_result(reply?).into()),
            _ = cancel.cancelled() => Err(McpError::internal_error("cancelled by the client", None)),
        }
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::with_all_items(crate::prompts::list()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let arguments = request.arguments.unwrap_or_default();
        match crate::prompts::get(&request.name, &arguments, &self.selection) {
            Ok(Some(result)) => Ok(result.into()),
            Ok(None) => Err(McpError::invalid_params(
                format!("unknown prompt `{}`", crate::render::trim(&request.name, 60)),
                None,
            )),
            Err(e) => Err(McpError::invalid_params(e.to_markdown(), None)),
        }
    }

    // Only tools and prompts are declared, so the methods of undeclared capabilities answer
    // "method not found" instead of rmcp's empty defaults (the 2026-07-28 rules require it).
    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Err(McpError::method_not_found::<ListResourcesRequestMethod>())
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Err(McpError::method_not_found::<ListResourceTemplatesRequestMethod>())
    }

    async fn complete(
        &self,
        _request: CompleteRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        Err(McpError::method_not_found::<CompleteRequestMethod>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::demo::DemoTokenSource;
    use crate::auth::testing::capture_logs;
    use crate::demo::{DemoGraph, DemoOptions};
    use crate::graph::GraphSettings;

    /// A confirmed write leaves an audit line naming it as a confirmed write, with the Graph
    /// request-id of the change; no token appears in it.
    #[tokio::test(flavor = "current_thread")]
    async fn a_confirmed_write_is_audited_with_its_graph_request_id() {
        let demo = DemoGraph::start(DemoOptions::default()).await.expect("emulator");
        let persona = crate::demo::persona_object_id();
        let tokens = Arc::new(DemoTokenSource::new(persona.clone()));
        let graph = GraphService::new(GraphSettings { base_url: demo.base_url(), ..GraphSettings::default() }, tokens)
            .expect("graph");
        let caller = Arc::new(Caller { object_id: Some(persona), ..Caller::default() });
        let server = EntraServer::new(graph, Arc::new(Selection::everything()), caller.clone());
        let args = |extra: serde_json::Value| {
            let mut args = serde_json::json!({"user": "karita@woodgrovebank.com"});
            if let (Some(args), Some(extra)) = (args.as_object_mut(), extra.as_object()) {
                args.extend(extra.clone());
            }
            args.as_object().cloned()
        };
        let preview = server.call("revoke_user_sessions", args(serde_json::json!({})), caller.clone()).await;
        let token = preview.expect("known").structured["confirmation"].as_str().unwrap_or_default().to_string();
        let (logs, _guard) = capture_logs();
        let confirmed = serde_json::json!({"confirm": token, "confirm_target": "karita@woodgrovebank.com"});
        let reply = server.call("revoke_user_sessions", args(confirmed), caller).await.expect("known");
        assert!(!reply.is_error, "{}", reply.markdown);
        let write = reply.graph_requests.iter().find(|r| r.method == "POST").expect("the change");
        let request_id = write.request_id.clone().expect("Graph's request-id");
        let audit = logs.contents();
        let line = audit.lines().find(|l| l.contains("tool call")).expect("an audit line");
        for expected in ["tool=\"revoke_user_sessions\"", "write=true", "confirmed=true", "outcome=\"ok\"", &request_id]
        {
            assert!(line.contains(expected), "{expected} in {line}");
        }
        assert!(!audit.contains(&token), "the confirmation token is not logged");
        assert!(!audit.contains("demo:"), "no bearer token is logged");
    }

    /// Caller-supplied text is echoed bounded: a 1 MB argument name, value or tool name gives a
    /// short answer and a short audit line, each saying it was cut.
    #[tokio::test(flavor = "current_thread")]
    async fn huge_caller_text_is_echoed_bounded() {
        let demo = DemoGraph::start(DemoOptions::default()).await.expect("emulator");
        let persona = crate::demo::persona_object_id();
        let tokens = Arc::new(DemoTokenSource::new(persona.clone()));
        let graph = GraphService::new(GraphSettings { base_url: demo.base_url(), ..GraphSettings::default() }, tokens)
            .expect("graph");
        let caller = Arc::new(Caller { object_id: Some(persona), ..Caller::default() });
        let server = EntraServer::new(graph, Arc::new(Selection::everything()), caller.clone());
        let huge = "x".repeat(1 << 20);
        let (logs, _guard) = capture_logs();
        let mut args = serde_json::Map::new();
        args.insert(huge.clone(), serde_json::json!(1));
        args.insert("user".into(), serde_json::json!(huge.clone()));
        let reply = server.call("get_user", Some(args), caller.clone()).await.expect("a known tool");
        assert!(reply.is_error);
        let answer = reply.markdown.len() + reply.structured.to_string().len();
        assert!(answer < 2_000, "{answer} bytes answered");
        assert!(reply.markdown.contains('…'), "the echo says it was cut: {}", reply.markdown);
        let audit = logs.contents();
        assert!(audit.len() < 2_000, "{} bytes logged", audit.len());
        assert!(audit.contains('…'), "the audit line says the name was cut: {audit}");
        let unknown = server.call(&huge, None, caller).await.expect_err("an unknown tool");
        assert!(unknown.message.len() < 300, "{} bytes", unknown.message.len());
    }
}
