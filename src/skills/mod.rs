//! Skills: one MCP tool each. This file holds the `Skill` description type, the toolsets, the
//! context a skill runs in, and the catalog; each toolset file (`users.rs`, `signins.rs`, …)
//! declares its skills next to their code.
//!
//! Adding a skill means writing, in its toolset file, a params struct, an output struct with a
//! [`Render`] impl, a [`Declaration`], and an async `run` function, and listing
//! `Skill::new(DECLARATION, run)` in that file's `skills()`. The tool list, the `tools/`
//! snapshots, the catalog page and the error hints all derive from that declaration.

mod aadsts;
mod audit;
mod error;
mod groups;
mod params;
mod risk;
mod signins;
mod users;

use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use error::{ErrorKind, GraphFailure, SkillError};
pub use params::{Limit, ListInfo, Since, UserRef};

/// Validates a GUID argument outside a skill (prompt arguments).
pub fn parse_guid_arg(field: &str, value: &str) -> Result<uuid::Uuid, SkillError> {
    params::parse_guid(field, value)
}

use crate::graph::{GraphCall, GraphClient};

/// A group of related skills, switched on and off together with `--toolsets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Toolset {
    Users,
    Groups,
    Devices,
    Authmethods,
    Signins,
    Audit,
    Risk,
    Apps,
    Roles,
    Ca,
    Governance,
    Posture,
    Agents,
    Network,
}

impl Toolset {
    pub const ALL: [Toolset; 14] = [
        Toolset::Users,
        Toolset::Groups,
        Toolset::Devices,
        Toolset::Authmethods,
        Toolset::Signins,
        Toolset::Audit,
        Toolset::Risk,
        Toolset::Apps,
        Toolset::Roles,
        Toolset::Ca,
        Toolset::Governance,
        Toolset::Posture,
        Toolset::Agents,
        Toolset::Network,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Toolset::Users => "users",
            Toolset::Groups => "groups",
            Toolset::Devices => "devices",
            Toolset::Authmethods => "authmethods",
            Toolset::Signins => "signins",
            Toolset::Audit => "audit",
            Toolset::Risk => "risk",
            Toolset::Apps => "apps",
            Toolset::Roles => "roles",
            Toolset::Ca => "ca",
            Toolset::Governance => "governance",
            Toolset::Posture => "posture",
            Toolset::Agents => "agents",
            Toolset::Network => "network",
        }
    }

    /// On unless `--toolsets` says otherwise (SKILLS.md §2).
    pub fn is_default(self) -> bool {
        !matches!(self, Toolset::Devices | Toolset::Authmethods | Toolset::Posture | Toolset::Agents | Toolset::Network)
    }

    pub fn parse(name: &str) -> Option<Toolset> {
        Toolset::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// Read, or a write of a confirmation tier (SKILLS.md §1, "Writes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    /// C1 self-scoped and reversible, C2 a reversible change, C3 removes access.
    Write {
        tier: u8,
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
}

/// What a skill's output knows how to say in compact markdown.
pub trait Render {
    fn markdown(&self) -> String;
}

/// The context a skill runs in: a Graph client bound to the caller, the clock, and notes that
/// travel with the answer (skipped sections, clipped windows). No transport, no token.
#[derive(Clone)]
pub struct Ctx {
    pub graph: GraphClient,
    pub now: DateTime<Utc>,
    notes: Arc<Mutex<Vec<String>>>,
}

impl Ctx {
    pub fn new(graph: GraphClient, now: DateTime<Utc>) -> Self {
        Ctx { graph, now, notes: Arc::new(Mutex::new(Vec::new())) }
    }

    /// Adds a note to the answer (shown to the model and kept in `notes`).
    pub fn note(&self, note: impl Into<String>) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(note.into());
        }
    }

    fn take_notes(&self) -> Vec<String> {
        self.notes.lock().map(|mut n| std::mem::take(&mut *n)).unwrap_or_default()
    }
}

/// The answer of one call, in both forms: `structured` matches the output schema, `markdown`
/// carries the same facts for the model to read.
#[derive(Debug, Clone)]
pub struct SkillReply {
    pub is_error: bool,
    pub structured: Value,
    pub markdown: String,
    pub graph_requests: Vec<GraphCall>,
}

type Runner = dyn Fn(Ctx, Value) -> BoxFuture<'static, Result<(Value, String), SkillError>> + Send + Sync;

/// A declared skill with its schemas and its type-erased run function.
pub struct Skill {
    pub decl: Declaration,
    pub input_schema: Arc<JsonObject>,
    pub output_schema: Arc<JsonObject>,
    run: Box<Runner>,
}

impl Skill {
    /// Binds a declaration to its run function. `P` is the parameters (a struct, so the input
    /// schema is an object), `O` the output.
    pub fn new<P, O, F, Fut>(decl: Declaration, run: F) -> Skill
    where
        P: DeserializeOwned + JsonSchema + Send + 'static,
        O: Serialize + JsonSchema + Render + 'static,
        F: Fn(Ctx, P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, SkillError>> + Send + 'static,
    {
        let run = Arc::new(run);
        let runner = move |ctx: Ctx, args: Value| -> BoxFuture<'static, Result<(Value, String), SkillError>> {
            let run = run.clone();
            Box::pin(async move {
                let params: P = parse_arguments(args)?;
                let output = run(ctx, params).await?;
                let markdown = output.markdown();
                let value = serde_json::to_value(&output)
                    .map_err(|e| SkillError::new(ErrorKind::Upstream, format!("could not encode the answer: {e}")))?;
                Ok((value, markdown))
            })
        };
        Skill {
            decl,
            input_schema: schemas::input::<P>(),
            output_schema: schemas::output::<O>(),
            run: Box::new(runner),
        }
    }

    pub fn name(&self) -> &'static str {
        self.decl.name
    }

    pub fn is_write(&self) -> bool {
        matches!(self.decl.access, Access::Write { .. })
    }

    /// The MCP tool definition.
    pub fn tool(&self) -> Tool {
        let read = !self.is_write();
        let destructive = matches!(self.decl.access, Access::Write { tier: 3 });
        let annotations = ToolAnnotations::with_title(self.decl.title)
            .read_only(read)
            .destructive(destructive)
            .idempotent(read)
            .open_world(true);
        Tool::new_with_raw(self.decl.name, Some(self.decl.description.into()), self.input_schema.clone())
            .with_raw_output_schema(self.output_schema.clone())
            .with_annotations(annotations)
    }

    /// Runs the skill on raw JSON arguments. Never panics on bad input: every failure becomes
    /// an error reply naming what to fix.
    pub async fn invoke(&self, ctx: Ctx, args: Option<JsonObject>) -> SkillReply {
        let args = Value::Object(args.unwrap_or_default());
        let outcome = (self.run)(ctx.clone(), args).await;
        let graph_requests = ctx.graph.calls();
        let notes = ctx.take_notes();
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

/// Deserialises tool arguments, naming the field at fault.
fn parse_arguments<P: DeserializeOwned>(args: Value) -> Result<P, SkillError> {
    serde_path_to_error::deserialize(args).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde's text already names unknown and missing fields and the accepted ones.
        let inner = inner.split(" at line ").next().unwrap_or(&inner).to_string();
        let message = if path == "." { inner } else { format!("`{path}`: {inner}") };
        SkillError::new(ErrorKind::InvalidInput, format!("invalid arguments: {message}"))
            .with_remedy("see the tool's input schema for the accepted fields and forms")
    })
}

/// JSON schemas as MCP hosts want them: draft 2020-12, inlined, without the `$schema` and
/// `title` noise that would cost every host context on every tool.
mod schemas {
    use super::*;
    use schemars::generate::SchemaSettings;

    fn generate<T: JsonSchema>(for_output: bool) -> JsonObject {
        let mut settings = SchemaSettings::draft2020_12().with(|s| {
            s.meta_schema = None;
        });
        if for_output {
            settings = settings.for_serialize();
        }
        let schema = settings.into_generator().into_root_schema_for::<T>();
        let mut object = match serde_json::to_value(schema) {
            Ok(Value::Object(object)) => object,
            _ => JsonObject::new(),
        };
        object.remove("title");
        let mut value = Value::Object(object);
        strip_numeric_formats(&mut value);
        match value {
            Value::Object(object) => object,
            _ => JsonObject::new(),
        }
    }

    /// schemars marks Rust integer widths as `format: uint16`, `int64`, …: not JSON Schema
    /// formats, so validators warn on them, and they cost every host bytes. `minimum` stays.
    fn strip_numeric_formats(value: &mut Value) {
        match value {
            Value::Object(map) => {
                let numeric = map
                    .get("format")
                    .and_then(Value::as_str)
                    .is_some_and(|f| f.starts_with("int") || f.starts_with("uint") || f == "float" || f == "double");
                if numeric {
                    map.remove("format");
                }
                map.values_mut().for_each(strip_numeric_formats);
            }
            Value::Array(items) => items.iter_mut().for_each(strip_numeric_formats),
            _ => {}
        }
    }

    pub fn input<T: JsonSchema>() -> Arc<JsonObject> {
        let mut object = generate::<T>(false);
        object.remove("description");
        Arc::new(object)
    }

    /// The output schema also carries the envelope every answer has: `graph_requests`,
    /// optional `notes`, and, on failure, `error` instead of the skill's own fields.
    pub fn output<T: JsonSchema>() -> Arc<JsonObject> {
        let mut object = generate::<T>(true);
        object.remove("description");
        let mut call = generate::<GraphCall>(true);
        let mut error = generate::<SkillError>(true);
        // `$ref`s point at the root's `$defs`, so the envelope's definitions move there.
        for part in [&mut call, &mut error] {
            if let Some(Value::Object(defs)) = part.remove("$defs") {
                let root = object.entry("$defs").or_insert_with(|| Value::Object(JsonObject::new()));
                if let Value::Object(root) = root {
                    root.extend(defs);
                }
            }
        }
        let required = object.remove("required");
        if let Some(Value::Object(props)) = object.get_mut("properties") {
            props.insert("graph_requests".into(), serde_json::json!({"type": "array", "items": call}));
            props.insert("notes".into(), serde_json::json!({"type": "array", "items": {"type": "string"}}));
            props.insert("error".into(), Value::Object(error));
        }
        // An answer is either the skill's own fields or an error.
        let own = required.unwrap_or_else(|| Value::Array(vec![]));
        object.insert("anyOf".into(), serde_json::json!([{"required": own}, {"required": ["error"]}]));
        Arc::new(object)
    }
}

static CATALOG: LazyLock<Vec<Skill>> = LazyLock::new(|| {
    let mut skills = Vec::new();
    skills.extend(users::skills());
    skills.extend(groups::skills());
    skills.extend(signins::skills());
    skills.extend(audit::skills());
    skills.extend(risk::skills());
    skills
});

/// Every skill this build knows, in catalog order.
pub fn catalog() -> &'static [Skill] {
    &CATALOG
}

/// Which skills a server exposes.
#[derive(Debug, Clone)]
pub struct Selection {
    pub toolsets: Vec<Toolset>,
    pub allow_writes: bool,
    pub beta: bool,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            toolsets: Toolset::ALL.into_iter().filter(|t| t.is_default()).collect(),
            allow_writes: false,
            beta: false,
        }
    }
}

impl Selection {
    pub fn includes(&self, skill: &Skill) -> bool {
        self.toolsets.contains(&skill.decl.toolset)
            && (self.allow_writes || !skill.is_write())
            && (self.beta || !skill.decl.beta)
    }

    pub fn skills(&self) -> Vec<&'static Skill> {
        catalog().iter().filter(|s| self.includes(s)).collect()
    }
}

/// Looks a skill up among the enabled ones.
pub fn find(selection: &Selection, name: &str) -> Option<&'static Skill> {
    catalog().iter().find(|s| s.decl.name == name && selection.includes(s))
}
