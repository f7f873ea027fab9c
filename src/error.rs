//! The error vocabulary at the crate's ground: `SkillError`, the few kinds of failure a skill reports, each rendered as an actionable tool
//! error (`isError: true`) rather than a protocol error, because the model must read it and act.

use serde::Serialize;

/// What went wrong, in the words an admin acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    InvalidInput,
    NotFound,
    Ambiguous,
    Forbidden,
    LicenseRequired,
    ConsentRequired,
    Throttled,
    Upstream,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Ambiguous => "ambiguous",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::LicenseRequired => "license_required",
            ErrorKind::ConsentRequired => "consent_required",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Upstream => "upstream",
        }
    }
}

/// Graph's side of a failure, kept so an admin can quote it to support.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct GraphFailure {
    /// HTTP status Graph answered with.
    pub status: u16,
    /// Graph's `error.code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Graph's `request-id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Graph's `innerError.date`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// A failed skill call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SkillError {
    pub kind: ErrorKind,
    /// What happened.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    /// Boxed: errors travel through every `Result` in the crate, so keep them small.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub graph: Option<Box<GraphFailure>>,
}

impl SkillError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        SkillError { kind, message: message.into(), remedy: None, graph: None }
    }

    /// Bad input: names the field and the accepted forms.
    pub fn invalid(field: &str, accepted: &str) -> Self {
        SkillError::new(ErrorKind::InvalidInput, format!("`{field}` is not valid"))
            .with_remedy(format!("`{field}` accepts {accepted}"))
    }

    /// Bad input with a description of the value that was refused.
    pub fn invalid_value(field: &str, problem: impl std::fmt::Display, accepted: &str) -> Self {
        SkillError::new(ErrorKind::InvalidInput, format!("`{field}`: {problem}"))
            .with_remedy(format!("`{field}` accepts {accepted}"))
    }

    /// Nothing matched `what`; `search_skill` is the tool that can find candidates.
    pub fn not_found(what: impl std::fmt::Display, search_skill: &str) -> Self {
        SkillError::new(ErrorKind::NotFound, format!("no {what} found"))
            .with_remedy(format!("check the spelling, or find it with `{search_skill}`"))
    }

    pub fn with_remedy(mut self, remedy: impl Into<String>) -> Self {
        self.remedy = Some(remedy.into());
        self
    }

    pub fn with_graph(mut self, graph: GraphFailure) -> Self {
        self.graph = Some(Box::new(graph));
        self
    }

    /// The compact text the model reads.
    pub fn to_markdown(&self) -> String {
        let mut text = format!("**{}**: {}", self.kind.as_str(), self.message);
        if let Some(remedy) = &self.remedy {
            text.push_str("\nnext: ");
            text.push_str(remedy);
        }
        if let Some(g) = &self.graph {
            text.push_str(&format!("\ngraph: HTTP {}", g.status));
            if let Some(code) = &g.code {
                text.push_str(&format!(" {code}"));
            }
            if let Some(id) = &g.request_id {
                text.push_str(&format!(", request-id {id}"));
            }
            if let Some(date) = &g.date {
                text.push_str(&format!(", date {date}"));
            }
        }
        text
    }
}

impl std::fmt::Display for SkillError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_markdown())
    }
}

impl std::error::Error for SkillError {}
