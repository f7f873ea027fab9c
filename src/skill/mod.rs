//! What a skill is: its [`Declaration`], the context it runs in ([`Ctx`]), how its answer is
//! shaped ([`Render`], [`SkillReply`]), and [`Skill`], which binds a declaration to its code.
//! The catalog of concrete skills lives in `skills/`, which builds on this module; nothing here
//! knows any one skill.
//!
//! A read skill is `Skill::new(DECLARATION, run)`. A write skill is `Skill::write(DECLARATION,
//! prepare, apply)`: the framework, not the skill, runs the preview → confirmation → change
//! protocol of `write.rs`, so every write is gated the same way.

mod confirm;
pub mod example;
mod lenient;
pub mod portable;
mod schemas;
mod toolset;
pub mod write;

use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use crate::error::{ErrorKind, GraphFailure, SkillError};
pub use confirm::Confirmer;
pub use example::{Example, Fact};
pub use toolset::Toolset;
pub use write::{Approval, Approver, WriteGuard, WritePlan};

use crate::graph::{GraphCall, GraphClient};

/// Read, or a write of a confirmation tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    /// `tier`: 1 self-scoped and reversible, 2 a reversible change to an object, 3 removes
    /// access, locks someone out or signals a compromise (the human re-types the target).
    /// `idempotent`: repeating the same call leaves the tenant as one call did.
    Write {
        tier: u8,
        idempotent: bool,
    },
}

/// Everything about a skill that is not its code: the one place each fact is written.
#[derive(Debug, Clone, Copy)]
pub struct Declaration {
    pub name: &'static str,
    pub title: &'static str,
    /// Intent first, in an admin's words; then licence and least role.
    pub description: &'static str,
    pub toolset: Toolset,
    /// Least delegated Graph permissions.
    pub permissions: &'static [&'static str],
    /// Least-privileged Entra role ("none" when any member can).
    pub least_role: &'static str,
    pub access: Access,
    /// Calls Graph beta only: hidden unless beta is enabled.
    pub beta: bool,
    /// In the curated default list (at most 40 skills across all toolsets).
    pub default: bool,
    /// Demo-tenant calls and the facts their answers must hold; the end-to-end, fault and
    /// soak suites, the catalog page and `find_skills` all read them.
    pub examples: &'static [Example],
}

/// What a skill's output knows how to say in compact markdown.
pub trait Render {
    fn markdown(&self) -> String;

    /// A list answer's row count; `None` for an answer that is not a list.
    fn rows(&self) -> Option<usize> {
        None
    }

    /// Keeps the first `rows` rows and says the answer was cut (lists only).
    fn cut_to(&mut self, _rows: usize) {}
}

/// The largest answer (markdown and structured content together) any call returns: Claude Code
/// sets aside a tool result above about 25k tokens, Copilot Studio refuses a connector answer
/// above 500 KB. A list above it is cut to the rows that fit, and says so.
pub const MAX_ANSWER_BYTES: usize = 90 * 1024;

/// The context a skill runs in: a Graph client bound to the caller, the clock, notes that
/// travel with the answer (skipped sections, clipped windows), whether beta is on, and the
/// write guard rails. No transport, no token.
#[derive(Clone)]
pub struct Ctx {
    pub graph: GraphClient,
    pub now: DateTime<Utc>,
    pub guard: Arc<WriteGuard>,
    /// Asks the human directly before a confirmed write, where the client can (elicitation).
    pub approver: Option<Arc<dyn Approver>>,
    /// Beta is enabled (`--beta`): a read skill may add its "+beta" enrichments; otherwise it
    /// skips them with a note.
    pub beta: bool,
    /// `activate_my_role` is callable on this server: a `forbidden` for a missing role may name
    /// the activation that would lift it.
    pub activation_hints: bool,
    notes: Arc<Mutex<Vec<String>>>,
}

impl Ctx {
    pub fn new(graph: GraphClient, now: DateTime<Utc>, guard: Arc<WriteGuard>) -> Self {
        Ctx {
            graph,
            now,
            guard,
            approver: None,
            beta: false,
            activation_hints: false,
            notes: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn with_activation_hints(mut self, on: bool) -> Self {
        self.activation_hints = on;
        self
    }

    pub fn with_beta(mut self, beta: bool) -> Self {
        self.beta = beta;
        self
    }

    pub fn with_approver(mut self, approver: Option<Arc<dyn Approver>>) -> Self {
        self.approver = approver;
        self
    }

    /// Adds a note to the answer (shown to the model and kept in `notes`).
    pub fn note(&self, note: impl Into<String>) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(note.into());
        }
    }

    /// Runs an optional section of a composite: on failure the answer goes on without it and
    /// says why in a note, instead of failing as a whole.
    pub fn optional<T>(&self, section: &str, result: Result<T, SkillError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.note(format!("{section} skipped: {}", e.message));
                None
            }
        }
    }

    /// Runs a "+beta" enrichment of a v1.0 skill: only with beta on, otherwise skipped with a
    /// note; and, like any optional section, a failure becomes a note.
    pub async fn beta_part<T>(
        &self,
        section: &str,
        part: impl std::future::Future<Output = Result<T, SkillError>>,
    ) -> Option<T> {
        if !self.beta {
            self.note(format!(
                "{section} skipped: it is read from Graph beta, which this server calls only with --beta"
            ));
            return None;
        }
        self.optional(section, part.await)
    }

    fn take_notes(&self) -> Vec<String> {
        self.notes.lock().map(|mut n| std::mem::take(&mut *n)).unwrap_or_default()
    }
}

/// Who is calling, as the confirmation token binds it: tenant and object id, never a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerKey(pub String);

/// The answer of one call, in both forms: `structured` matches the output schema, `markdown`
/// carries the same facts for the model to read.
#[derive(Debug, Clone)]
pub struct SkillReply {
    pub is_error: bool,
    pub structured: Value,
    pub markdown: String,
    pub graph_requests: Vec<GraphCall>,
}

impl SkillReply {
    /// An error answer that made no Graph request.
    pub fn error(error: SkillError) -> SkillReply {
        SkillReply {
            is_error: true,
            markdown: error.to_markdown(),
            structured: serde_json::json!({ "error": error }),
            graph_requests: Vec::new(),
        }
    }
}

/// The outcome of a run before the envelope is added: structured value and markdown.
type Outcome = Result<(Value, String), SkillError>;
type Runner = dyn Fn(Ctx, Value, Option<&CallerKey>) -> BoxFuture<'static, Outcome> + Send + Sync;

/// A declared skill with its schemas and its type-erased run function.
///
/// The schemas are generated the first time they are asked for: a server lists a few dozen of
/// the catalog's skills, and generating every schema up front made start-up grow with the
/// catalog rather than with the list.
pub struct Skill {
    pub decl: Declaration,
    schemas: Schemas,
    run: Box<Runner>,
}

/// How to make a skill's input and output schemas (for a write, with the confirmation
/// arguments and preview fields), and each once made.
struct Schemas {
    write: bool,
    make_input: fn(bool) -> Arc<JsonObject>,
    make_output: fn(bool) -> Arc<JsonObject>,
    input: std::sync::OnceLock<Arc<JsonObject>>,
    output: std::sync::OnceLock<Arc<JsonObject>>,
}

impl Schemas {
    fn of<P: JsonSchema, O: JsonSchema>(write: bool) -> Schemas {
        Schemas {
            write,
            make_input: schemas::input::<P>,
            make_output: schemas::output::<O>,
            input: std::sync::OnceLock::new(),
            output: std::sync::OnceLock::new(),
        }
    }
}

impl Skill {
    /// Binds a read declaration to its run function. `P` is the parameters (a struct, so the
    /// input schema is an object), `O` the output.
    pub fn new<P, O, F, Fut>(decl: Declaration, run: F) -> Skill
    where
        P: DeserializeOwned + JsonSchema + Send + 'static,
        O: Serialize + JsonSchema + Render + 'static,
        F: Fn(Ctx, P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, SkillError>> + Send + 'static,
    {
        let run = Arc::new(run);
        let runner = move |ctx: Ctx, args: Value, _: Option<&CallerKey>| -> BoxFuture<'static, Outcome> {
            let run = run.clone();
            Box::pin(async move {
                let params: P = parse_arguments(args)?;
                let output = run(ctx, params).await?;
                encode_within(output, MAX_ANSWER_BYTES)
            })
        };
        Skill { decl, schemas: Schemas::of::<P, O>(false), run: Box::new(runner) }
    }

    /// Binds a write declaration to its two halves: `prepare` validates, resolves and reads the
    /// targets (no change), `apply` makes the change once the caller confirmed the preview.
    pub fn write<P, O, Fp, FpFut, Fa, FaFut>(decl: Declaration, prepare: Fp, apply: Fa) -> Skill
    where
        P: DeserializeOwned + JsonSchema + Send + Sync + 'static,
        O: Serialize + JsonSchema + Render + 'static,
        Fp: Fn(Ctx, Arc<P>) -> FpFut + Send + Sync + 'static,
        FpFut: Future<Output = Result<WritePlan, SkillError>> + Send + 'static,
        Fa: Fn(Ctx, Arc<P>, WritePlan) -> FaFut + Send + Sync + 'static,
        FaFut: Future<Output = Result<O, SkillError>> + Send + 'static,
    {
        let prepare = Arc::new(prepare);
        let apply = Arc::new(apply);
        let runner = move |ctx: Ctx, args: Value, caller: Option<&CallerKey>| -> BoxFuture<'static, Outcome> {
            let prepare = prepare.clone();
            let apply = apply.clone();
            let caller = caller.cloned().unwrap_or(CallerKey("local".into()));
            Box::pin(async move {
                let (args, confirmation) = write::split_confirmation(args)?;
                let params: Arc<P> = Arc::new(parse_arguments(Value::Object(args.clone()))?);
                let step = write::Step { decl: &decl, caller: &caller, args: &args, confirmation };
                write::run(step, ctx, params, &*prepare, &*apply).await
            })
        };
        Skill { decl, schemas: Schemas::of::<P, O>(true), run: Box::new(runner) }
    }

    pub fn name(&self) -> &'static str {
        self.decl.name
    }

    /// The input schema, in the portable subset every host reads.
    pub fn input_schema(&self) -> &Arc<JsonObject> {
        self.schemas.input.get_or_init(|| (self.schemas.make_input)(self.schemas.write))
    }

    /// The output schema (`structuredContent`), in the same subset.
    pub fn output_schema(&self) -> &Arc<JsonObject> {
        self.schemas.output.get_or_init(|| (self.schemas.make_output)(self.schemas.write))
    }

    pub fn is_write(&self) -> bool {
        matches!(self.decl.access, Access::Write { .. })
    }

    /// The MCP tool definition.
    pub fn tool(&self) -> Tool {
        let (read, destructive, idempotent) = match self.decl.access {
            Access::Read => (true, false, true),
            Access::Write { tier, idempotent } => (false, tier == 3, idempotent),
        };
        let annotations = ToolAnnotations::with_title(self.decl.title)
            .read_only(read)
            .destructive(destructive)
            .idempotent(idempotent)
            .open_world(true);
        Tool::new_with_raw(self.decl.name, Some(self.decl.description.into()), self.input_schema().clone())
            .with_raw_output_schema(self.output_schema().clone())
            .with_annotations(annotations)
    }

    /// Runs the skill on raw JSON arguments. Never panics on bad input: every failure becomes
    /// an error reply naming what to fix.
    pub async fn invoke(&self, ctx: Ctx, args: Option<JsonObject>, caller: Option<&CallerKey>) -> SkillReply {
        let mut args = args.unwrap_or_default();
        lenient::canonical(&mut args, self.input_schema());
        let args = Value::Object(args);
        let outcome = (self.run)(ctx.clone(), args, caller).await;
        let graph_requests = ctx.graph.calls();
        // The skill's notes, then the Graph client's own (a list it cut short and why).
        let mut notes = ctx.take_notes();
        notes.extend(ctx.graph.notes());
        match outcome {
            Ok((mut structured, mut markdown)) => {
                if let Value::Object(map) = &mut structured {
                    if !notes.is_empty() {
                        map.insert("notes".into(), Value::from(notes.clone()));
                    }
                    map.insert("graph_requests".into(), serde_json::to_value(&graph_requests).unwrap_or_default());
                }
                for note in &notes {
                    markdown.push_str("\nnote: ");
                    markdown.push_str(note);
                }
                SkillReply { is_error: false, structured, markdown, graph_requests }
            }
            Err(mut error) => {
                self.complete_remedy(&mut error);
                if ctx.activation_hints {
                    self.add_activation_hint(&ctx, &mut error).await;
                }
                // The eligibility read of the hint, if any, is one of the call's requests too.
                let graph_requests = ctx.graph.calls();
                let structured = serde_json::json!({
                    "error": error,
                    "graph_requests": graph_requests,
                });
                SkillReply { is_error: true, structured, markdown: error.to_markdown(), graph_requests }
            }
        }
    }

    /// A `forbidden` error names this skill's permissions and least role; the declaration is
    /// the only place that knows them.
    fn complete_remedy(&self, error: &mut SkillError) {
        if error.kind == ErrorKind::Forbidden && error.graph.as_ref().is_some_and(|g| g.status == 403) {
            error.remedy = Some(format!(
                "needs delegated permission {} (an admin must consent) and the role {} (or higher)",
                self.decl.permissions.join(", "),
                self.decl.least_role
            ));
        }
    }
}

impl Skill {
    /// A `forbidden` for a missing role (Graph's 403), on a server where the caller may
    /// self-activate roles: if the caller is eligible in PIM for a role the declaration names
    /// as least, the remedy ends with the exact `activate_my_role` call. The caller's
    /// eligibility is read only here, on the way out of a refused call.
    async fn add_activation_hint(&self, ctx: &Ctx, error: &mut SkillError) {
        if error.kind != ErrorKind::Forbidden || error.graph.as_ref().is_none_or(|g| g.status != 403) {
            return;
        }
        let least = least_role_names(self.decl.least_role);
        if least.is_empty() {
            return;
        }
        let request = crate::graph::GraphRequest::get(
            "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')",
        )
        .query(crate::graph::Query::new().expand("roleDefinition($select=id,displayName)"));
        let Ok(page) = ctx.graph.list::<EligibleRole>(request, 200).await else { return };
        let eligible: Vec<String> =
            page.items.into_iter().filter_map(|e| e.role_definition.and_then(|d| d.display_name)).collect();
        let hint = match least.iter().find(|role| eligible.iter().any(|e| e.eq_ignore_ascii_case(role))) {
            Some(role) => format!(
                "you are eligible for {role}: activate it with activate_my_role {{\"role\":\"{role}\",\"justification\":\"Needed for {}\",\"duration\":\"1h\"}}, then call {} again",
                self.decl.name, self.decl.name
            ),
            None => format!(
                "you are not eligible for {} in PIM: recommend_role_for_task names who can grant it",
                least.join(" or ")
            ),
        };
        error.remedy = Some(match error.remedy.take() {
            Some(remedy) => format!("{remedy}; {hint}"),
            None => hint,
        });
    }
}

/// A role eligibility as the activation hint reads it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EligibleRole {
    role_definition: Option<EligibleRoleName>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EligibleRoleName {
    display_name: Option<String>,
}

/// The role names in a declaration's `least_role`: "Helpdesk Administrator (privileged
/// targets: Privileged Authentication Administrator)" names two, "none (Reports Reader for
/// inactivity)" one, "none" none.
fn least_role_names(least_role: &str) -> Vec<String> {
    least_role
        .split(['(', ')', ',', ';', ':'])
        .flat_map(|part| part.split(" or "))
        .map(str::trim)
        .filter(|part| part.chars().next().is_some_and(char::is_uppercase))
        .map(|part| {
            // "Reports Reader for inactivity": the role, without what it is for.
            let cut = part.find(" for ").map(|i| &part[..i]).unwrap_or(part);
            cut.trim_end_matches('†').trim().to_string()
        })
        .collect()
}

/// The structured value (absent fields left out) and the markdown of an output.
fn encode<O: Serialize + Render>(output: &O) -> Outcome {
    let markdown = output.markdown();
    let mut value = serde_json::to_value(output)
        .map_err(|e| SkillError::new(ErrorKind::Upstream, format!("could not encode the answer: {e}")))?;
    drop_nulls(&mut value);
    Ok((value, markdown))
}

/// Encodes an answer; a list whose answer would pass `max` bytes keeps the rows that fit. Only
/// lists are measured: no other answer can grow with its arguments.
fn encode_within<O: Serialize + Render>(mut output: O, max: usize) -> Outcome {
    let mut encoded = encode(&output)?;
    // Each pass cuts in proportion to the excess, a little more to leave room for the note the
    // cut adds; rows are about the same size, so one or two passes suffice.
    for _ in 0..8 {
        let Some(rows) = output.rows().filter(|rows| *rows > 0) else { break };
        let size = encoded.1.len() + serde_json::to_string(&encoded.0).map(|s| s.len()).unwrap_or(usize::MAX);
        if size <= max {
            break;
        }
        let keep = ((rows as f64) * (max as f64 / size as f64) * 0.95) as usize;
        output.cut_to(keep.min(rows - 1));
        encoded = encode(&output)?;
    }
    Ok(encoded)
}

/// `structuredContent` leaves absent fields out rather than spelling them `null`: the schema
/// says which fields may be missing, and every `null` costs the model's context for nothing.
fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Deserialises tool arguments, naming the field at fault.
fn parse_arguments<P: DeserializeOwned>(args: Value) -> Result<P, SkillError> {
    serde_path_to_error::deserialize(args).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde's text already names unknown and missing fields and the accepted ones.
        let inner = inner.split(" at line ").next().unwrap_or(&inner).to_string();
        let inner = crate::render::trim(&inner, 300);
        let message = if path == "." { inner } else { format!("`{}`: {inner}", crate::render::trim(&path, 60)) };
        SkillError::new(ErrorKind::InvalidInput, format!("invalid arguments: {message}"))
            .with_remedy("see the tool's input schema for the accepted fields and forms")
    })
}

#[cfg(test)]
mod activation_hint_tests {
    use super::*;
    use crate::auth::Caller;
    use crate::auth::demo::DemoTokenSource;
    use crate::graph::{GraphRequest, GraphService, GraphSettings};
    use wiremock::matchers::{method, path, path_regex};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[derive(Debug, serde::Deserialize, JsonSchema)]
    struct NoParams {}

    #[derive(Debug, Serialize, JsonSchema)]
    struct Nothing {}

    impl Render for Nothing {
        fn markdown(&self) -> String {
            String::new()
        }
    }

    const REVOKE: Declaration = Declaration {
        name: "revoke_something",
        title: "t",
        description: "d",
        toolset: Toolset::Users,
        permissions: &["User.RevokeSessions.All"],
        least_role: "Helpdesk Administrator (privileged targets: Privileged Authentication Administrator)",
        access: Access::Read,
        beta: false,
        default: false,
        examples: &[],
    };

    async fn refused(ctx: Ctx, _: NoParams) -> Result<Nothing, SkillError> {
        ctx.graph.get::<Value>(GraphRequest::get("/users/x")).await?;
        Ok(Nothing {})
    }

    /// A Graph that refuses the skill's call with 403 and lists the caller's eligibility.
    async fn graph(eligible: &str) -> (MockServer, Ctx) {
        let server = MockServer::start().await;
        let denied = serde_json::json!({"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}});
        Mock::given(method("GET"))
            .and(path("/v1.0/users/x"))
            .respond_with(ResponseTemplate::new(403).set_body_json(denied))
            .mount(&server)
            .await;
        let listed = serde_json::json!({"value": [{"roleDefinition": {"id": "r1", "displayName": eligible}}]});
        Mock::given(method("GET"))
            .and(path_regex("roleEligibilityScheduleInstances/filterByCurrentUser"))
            .respond_with(ResponseTemplate::new(200).set_body_json(listed))
            .mount(&server)
            .await;
        let settings = GraphSettings { base_url: server.uri(), ..GraphSettings::default() };
        let service = GraphService::new(settings, Arc::new(DemoTokenSource::new("me"))).expect("graph");
        let ctx =
            Ctx::new(service.bind(Arc::new(Caller::default())), chrono::Utc::now(), Arc::new(WriteGuard::default()));
        (server, ctx)
    }

    #[tokio::test]
    async fn an_eligible_caller_is_told_the_exact_activation() {
        let skill = Skill::new(REVOKE, refused);
        let (_server, ctx) = graph("Helpdesk Administrator").await;
        let reply = skill.invoke(ctx.with_activation_hints(true), None, None).await;
        assert!(reply.is_error);
        let remedy = reply.structured["error"]["remedy"].as_str().unwrap_or_default();
        assert!(remedy.contains("the role Helpdesk Administrator"), "{remedy}");
        assert!(remedy.contains(r#"activate_my_role {"role":"Helpdesk Administrator","#), "{remedy}");
        assert!(reply.graph_requests.iter().any(|r| r.path.contains("filterByCurrentUser")), "the read is listed");
    }

    #[tokio::test]
    async fn without_self_activation_or_eligibility_no_call_is_named() {
        let skill = Skill::new(REVOKE, refused);
        let (_server, ctx) = graph("Helpdesk Administrator").await;
        let reply = skill.invoke(ctx, None, None).await;
        let remedy = reply.structured["error"]["remedy"].as_str().unwrap_or_default();
        assert!(!remedy.contains("activate_my_role"), "{remedy}");
        assert_eq!(reply.graph_requests.len(), 1, "eligibility is read only when the hint can be acted on");

        let (_server, ctx) = graph("Authentication Administrator").await;
        let reply = skill.invoke(ctx.with_activation_hints(true), None, None).await;
        let remedy = reply.structured["error"]["remedy"].as_str().unwrap_or_default();
        assert!(
            remedy.contains("not eligible for Helpdesk Administrator or Privileged Authentication Administrator"),
            "{remedy}"
        );
    }

    #[test]
    fn least_roles_are_read_from_the_declaration() {
        assert_eq!(
            least_role_names("Helpdesk Administrator (privileged targets: Privileged Authentication Administrator)"),
            ["Helpdesk Administrator", "Privileged Authentication Administrator"]
        );
        assert_eq!(least_role_names("none (Reports Reader for inactivity)"), ["Reports Reader"]);
        assert_eq!(
            least_role_names("Global Reader (Security Reader for ID Protection risk)"),
            ["Global Reader", "Security Reader"]
        );
        assert!(least_role_names("none").is_empty());
        assert!(least_role_names("none (eligible for the role)").is_empty());
    }
}
