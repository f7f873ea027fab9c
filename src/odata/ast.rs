//! The `$filter` syntax tree.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A property path such as `status/errorCode` or, inside a lambda, `p/id` (first segment is the
/// lambda variable). The last segment may be `$count` (`assignedLicenses/$count`).
/// Segments are plain OData identifiers; the printer refuses anything else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<String>);

/// A literal value. Strings are printed quoted with `'` doubled; GUIDs, date-times, numbers,
/// booleans and `null` are printed bare, as Graph expects them.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Guid(Uuid),
    DateTime(DateTime<Utc>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A boolean `$filter` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `path op literal`
    Compare { path: Path, op: CmpOp, value: Literal },
    /// `path in (lit, lit, …)`
    In { path: Path, values: Vec<Literal> },
    /// `startswith(path, 'prefix')`
    StartsWith { path: Path, prefix: String },
    /// `endswith(path, 'suffix')` (Graph supports it only with advanced queries)
    EndsWith { path: Path, suffix: String },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// `path/any(var: body)`; `path/any()` (no body) tests for a non-empty collection.
    Any { path: Path, var: String, body: Option<Box<Expr>> },
    /// `path/all(var: body)`
    All { path: Path, var: String, body: Box<Expr> },
}
