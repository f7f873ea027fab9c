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
use crate::graph::GraphService;
use crate::skills::{self, Ctx, Selection, SkillReply};

/// What the model is told the server is for.
pub const INSTRUCTIONS: &str = "Microsoft Entra ID for identity and security admins: users, groups, \
sign-in logs and failure troubleshooting, directory audits, risky users and risk detections. Every \
call runs with the signed-in user's own delegated access. Results are compact markdown with ids for \
follow-ups; times are UTC. Start from a user (get_user, search_users), a failure \
(explain_sign_in_failure) or risk (list_risky_users, get_risky_user).";

/// One MCP server instance. Cheap to clone: the HTTP transport builds one per request.
#[derive(Clone)]
pub struct EntraServer {
    graph: Arc<GraphService>,
    selection: Arc<Selection>,
    /// The caller over stdio (the local signed-in user); HTTP callers come with each request.
    local_caller: Arc<Caller>,
}

impl EntraServer {
    pub fn new(graph: Arc<GraphService>, selection: Arc<Selection>, local_caller: Arc<Caller>) -> Self {
        EntraServer { graph, selection, local_caller }
    }

    /// The caller over stdio and from the shell.
    pub fn local_caller(&self) -> Arc<Caller> {
        self.local_caller.clone()
    }

    /// The enabled tools, in catalog order.
    pub fn tools(&self) -> Vec<Tool> {
        self.selection.skills().iter().map(|s| s.tool()).collect()
    }

    /// Runs a tool by name for a caller. An unknown tool or bad arguments come back as a tool
    /// error the model can read, never as a protocol error.
    pub async fn call(
        &self,
        name: &str,
        arguments: Option<rmcp::model::JsonObject>,
        caller: Arc<Caller>,
    ) -> SkillReply {
        let Some(skill) = skills::find(&self.selection, name) else {
            return unknown_tool(&self.selection, name);
        };
        let started = Instant::now();
        let argument_names: Vec<String> = arguments.as_ref().map(|a| a.keys().cloned().collect()).unwrap_or_default();
        let ctx = Ctx::new(self.graph.bind(caller.clone()), chrono::Utc::now());
        let reply = skill.invoke(ctx, arguments).await;
        // The audit trail: who, what, which Graph requests, how it went. Never a token.
        let request_ids: Vec<&str> = reply.graph_requests.iter().filter_map(|c| c.request_id.as_deref()).collect();
        tracing::info!(
            target: "entra_mcp::audit",
            tool = name,
            caller_oid = caller.object_id.as_deref().unwrap_or("local"),
            caller_tid = caller.tenant_id.as_deref().unwrap_or("-"),
            caller_upn = caller.upn.as_deref().unwrap_or("-"),
            arguments = ?argument_names,
            graph_request_ids = ?request_ids,
            outcome = if reply.is_error { reply.structured["error"]["kind"].as_str().unwrap_or("error") } else { "ok" },
            duration_ms = started.elapsed().as_millis() as u64,
            "tool call"
        );
        reply
    }
}

fn unknown_tool(selection: &Selection, name: &str) -> SkillReply {
    let known: Vec<&str> = selection.skills().iter().map(|s| s.name()).collect();
    let disabled = skills::catalog().iter().any(|s| s.name() == name);
    let message = if disabled {
        format!("tool `{}` is not enabled on this server", crate::render::trim(name, 60))
    } else {
        format!("there is no tool `{}`", crate::render::trim(name, 60))
    };
    let remedy = if disabled {
        "enable its toolset with --toolsets (or ENTRA_MCP_TOOLSETS)".to_string()
    } else {
        format!("use one of: {}", known.join(", "))
    };
    let error = skills::SkillError::new(skills::ErrorKind::InvalidInput, message).with_remedy(remedy);
    SkillReply {
        is_error: true,
        markdown: error.to_markdown(),
        structured: serde_json::json!({ "error": error }),
        graph_requests: Vec::new(),
    }
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
        skills::find(&self.selection, name).map(|s| s.tool())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let caller = caller_of(&ctx, &self.local_caller);
        let cancel = ctx.ct.clone();
        let call = self.call(&request.name, request.arguments, caller);
        tokio::select! {
            reply = call => Ok(to_call_tool_result(reply).into()),
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
        match crate::prompts::get(&request.name, &arguments) {
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
