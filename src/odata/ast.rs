//! The `$filter` syntax tree, plus the constructors the Graph query builder uses and the two
//! questions asked of a filter before sending it: which properties it reads, and whether Graph
//! will only accept it as an advanced query.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::parse::{ParseError, is_identifier, parse_path};

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
    Compare {
        path: Path,
        op: CmpOp,
        value: Literal,
    },
    /// `path in (lit, lit, …)`
    In {
        path: Path,
        values: Vec<Literal>,
    },
    /// `startswith(path, 'prefix')`
    StartsWith {
        path: Path,
        prefix: String,
    },
    /// `endswith(path, 'suffix')` (Graph supports it only with advanced queries)
    EndsWith {
        path: Path,
        suffix: String,
    },
    /// `contains(path, 'text')` (a few non-directory collections, such as access packages)
    Contains {
        path: Path,
        text: String,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// `path/any(var: body)`; `path/any()` (no body) tests for a non-empty collection.
    Any {
        path: Path,
        var: String,
        body: Option<Box<Expr>>,
    },
    /// `path/all(var: body)`
    All {
        path: Path,
        var: String,
        body: Box<Expr>,
    },
}

impl Path {
    /// Parses untrusted text such as `status/errorCode` (no spaces, no lambda).
    pub fn parse(s: &str) -> Result<Path, ParseError> {
        parse_path(s).map(Path)
    }

    /// A path written by a programmer, e.g. `Path::of("location/city")`.
    pub fn of(s: &'static str) -> Path {
        let segments: Vec<String> = s.split('/').map(str::to_owned).collect();
        debug_assert!(segments.iter().all(|seg| is_identifier(seg) || seg == "$count"), "invalid OData path {s:?}");
        Path(segments)
    }

    pub fn segments(&self) -> &[String] {
        &self.0
    }

    fn has_count(&self) -> bool {
        self.0.iter().any(|seg| seg == "$count")
    }
}

impl Expr {
    pub fn cmp(path: &'static str, op: CmpOp, value: impl Into<Literal>) -> Expr {
        Expr::Compare { path: Path::of(path), op, value: value.into() }
    }

    pub fn eq(path: &'static str, value: impl Into<Literal>) -> Expr {
        Expr::cmp(path, CmpOp::Eq, value)
    }

    pub fn ne(path: &'static str, value: impl Into<Literal>) -> Expr {
        Expr::cmp(path, CmpOp::Ne, value)
    }

    pub fn gt(path: &'static str, value: impl Into<Literal>) -> Expr {
        Expr::cmp(path, CmpOp::Gt, value)
    }

    pub fn ge(path: &'static str, value: impl Into<Literal>) -> Expr {
        Expr::cmp(path, CmpOp::Ge, value)
    }

    pub fn lt(path: &'static str, value: impl Into<Literal>) -> Expr {
        Expr::cmp(path, CmpOp::Lt, value)
    }

    pub fn le(path: &'static str, value: impl Into<Literal>) -> Expr {
        Expr::cmp(path, CmpOp::Le, value)
    }

    pub fn is_in(path: &'static str, values: Vec<Literal>) -> Expr {
        Expr::In { path: Path::of(path), values }
    }

    pub fn starts_with(path: &'static str, prefix: impl Into<String>) -> Expr {
        Expr::StartsWith { path: Path::of(path), prefix: prefix.into() }
    }

    /// `contains(path, 'text')`.
    pub fn contains(path: &'static str, text: impl Into<String>) -> Expr {
        Expr::Contains { path: Path::of(path), text: text.into() }
    }

    /// `path/any(var: body)`; `body` refers to each element through `var`.
    pub fn any(path: &'static str, var: &'static str, body: Expr) -> Expr {
        debug_assert!(is_identifier(var), "invalid lambda variable {var:?}");
        Expr::Any { path: Path::of(path), var: var.to_owned(), body: Some(Box::new(body)) }
    }

    /// `path/any()`: the collection has at least one element.
    pub fn any_nonempty(path: &'static str) -> Expr {
        Expr::Any { path: Path::of(path), var: String::new(), body: None }
    }

    pub fn and(self, other: Expr) -> Expr {
        Expr::And(Box::new(self), Box::new(other))
    }

    pub fn or(self, other: Expr) -> Expr {
        Expr::Or(Box::new(self), Box::new(other))
    }

    pub fn negate(self) -> Expr {
        Expr::Not(Box::new(self))
    }

    /// `a and b and c`, built left-associated as the parser would; `None` for no terms.
    pub fn conjunction(exprs: impl IntoIterator<Item = Expr>) -> Option<Expr> {
        exprs.into_iter().reduce(Expr::and)
    }

    /// The collection's own properties this filter reads, as `a/b` strings, each once, in order
    /// of appearance. Lambda variables are replaced by the collection they range over, so
    /// `x/any(p: p/id eq 1)` reads `x/id` and `groupTypes/any(c: c eq 'Unified')` reads
    /// `groupTypes`.
    pub fn property_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_paths(self, &mut Vec::new(), &mut out);
        out
    }

    /// Whether Graph's directory objects accept this filter only as an advanced query
    /// (`ConsistencyLevel: eventual` plus `$count=true`): it uses `ne`, `not`, `endswith`,
    /// `$count`, or compares with `null`.
    pub fn needs_advanced_query(&self) -> bool {
        match self {
            Expr::Compare { path, op, value } => *op == CmpOp::Ne || *value == Literal::Null || path.has_count(),
            Expr::In { path, .. } | Expr::StartsWith { path, .. } | Expr::Contains { path, .. } => path.has_count(),
            Expr::EndsWith { .. } | Expr::Not(_) => true,
            Expr::And(a, b) | Expr::Or(a, b) => a.needs_advanced_query() || b.needs_advanced_query(),
            Expr::Any { path, body, .. } => path.has_count() || body.as_ref().is_some_and(|b| b.needs_advanced_query()),
            Expr::All { path, body, .. } => path.has_count() || body.needs_advanced_query(),
        }
    }
}

/// A lambda variable in scope while collecting paths: its name, the collection path it stands
/// for, and whether the body used it (if not, the collection itself is still read).
struct Binding<'a> {
    var: &'a str,
    collection: Vec<String>,
    used: bool,
}

fn collect_paths<'a>(expr: &'a Expr, scope: &mut Vec<Binding<'a>>, out: &mut Vec<String>) {
    match expr {
        Expr::Compare { path, .. }
        | Expr::In { path, .. }
        | Expr::StartsWith { path, .. }
        | Expr::EndsWith { path, .. }
        | Expr::Contains { path, .. } => push_unique(out, resolve(path, scope).join("/")),
        Expr::And(a, b) | Expr::Or(a, b) => {
            collect_paths(a, scope, out);
            collect_paths(b, scope, out);
        }
        Expr::Not(inner) => collect_paths(inner, scope, out),
        Expr::Any { path, body: None, .. } => push_unique(out, resolve(path, scope).join("/")),
        Expr::Any { path, var, body: Some(body) } | Expr::All { path, var, body } => {
            let collection = resolve(path, scope);
            scope.push(Binding { var, collection, used: false });
            collect_paths(body, scope, out);
            if let Some(binding) = scope.pop()
                && !binding.used
            {
                push_unique(out, binding.collection.join("/"));
            }
        }
    }
}

/// Replaces a leading lambda variable by its collection path, marking the binding used.
fn resolve(path: &Path, scope: &mut [Binding<'_>]) -> Vec<String> {
    let Some((first, rest)) = path.0.split_first() else {
        return Vec::new();
    };
    match scope.iter_mut().rev().find(|b| b.var == first) {
        Some(binding) => {
            binding.used = true;
            binding.collection.iter().chain(rest).cloned().collect()
        }
        None => path.0.clone(),
    }
}

fn push_unique(out: &mut Vec<String>, path: String) {
    if !out.contains(&path) {
        out.push(path);
    }
}

impl From<&str> for Literal {
    fn from(s: &str) -> Self {
        Literal::String(s.to_owned())
    }
}

impl From<String> for Literal {
    fn from(s: String) -> Self {
        Literal::String(s)
    }
}

impl From<bool> for Literal {
    fn from(b: bool) -> Self {
        Literal::Bool(b)
    }
}

impl From<i64> for Literal {
    fn from(n: i64) -> Self {
        Literal::Int(n)
    }
}

impl From<i32> for Literal {
    fn from(n: i32) -> Self {
        Literal::Int(n.into())
    }
}

impl From<f64> for Literal {
    fn from(x: f64) -> Self {
        Literal::Float(x)
    }
}

impl From<Uuid> for Literal {
    fn from(id: Uuid) -> Self {
        Literal::Guid(id)
    }
}

impl From<DateTime<Utc>> for Literal {
    fn from(t: DateTime<Utc>) -> Self {
        Literal::DateTime(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::parse_filter;

    fn paths(filter: &str) -> Vec<String> {
        parse_filter(filter).expect(filter).property_paths()
    }

    #[test]
    fn constructors_build_the_expected_tree() {
        let e = Expr::eq("status/errorCode", 0).and(Expr::starts_with("userPrincipalName", "a"));
        assert_eq!(
            e,
            Expr::And(
                Box::new(Expr::Compare {
                    path: Path(vec!["status".into(), "errorCode".into()]),
                    op: CmpOp::Eq,
                    value: Literal::Int(0),
                }),
                Box::new(Expr::StartsWith { path: Path(vec!["userPrincipalName".into()]), prefix: "a".into() }),
            )
        );
        assert_eq!(Path::of("assignedLicenses/$count").segments(), ["assignedLicenses", "$count"]);
    }

    #[test]
    fn conjunction_is_left_associated_and_none_when_empty() {
        assert_eq!(Expr::conjunction(Vec::new()), None);
        let (a, b, c) = (Expr::eq("a", 1), Expr::eq("b", 2), Expr::eq("c", 3));
        let all = Expr::conjunction([a.clone(), b.clone(), c.clone()]);
        assert_eq!(all, Some(a.and(b).and(c)));
    }

    #[test]
    fn path_parse_accepts_paths_and_rejects_anything_else() {
        assert_eq!(Path::parse("location/city"), Ok(Path::of("location/city")));
        assert!(Path::parse("").is_err());
        assert!(Path::parse("a//b").is_err());
        assert!(Path::parse("a b").is_err());
        assert!(Path::parse("a/").is_err());
        assert!(Path::parse("$count").is_err());
        assert!(Path::parse("a/$count/b").is_err());
        assert!(Path::parse("a'b").is_err());
    }

    #[test]
    fn property_paths_resolve_lambda_variables() {
        assert_eq!(
            paths("appliedConditionalAccessPolicies/any(p:p/id eq 'x') and status/errorCode eq 0"),
            ["appliedConditionalAccessPolicies/id", "status/errorCode"]
        );
        assert_eq!(paths("groupTypes/any(c:c eq 'Unified')"), ["groupTypes"]);
        assert_eq!(paths("assignedLicenses/$count eq 0"), ["assignedLicenses/$count"]);
        assert_eq!(paths("a eq 1 or a eq 2 or not(b/c eq 3)"), ["a", "b/c"]);
        assert_eq!(paths("x/any()"), ["x"]);
        assert_eq!(paths("x/any(p: p/tags/any(t: t eq 'a' and p/id eq 1))"), ["x/tags", "x/id"]);
    }

    #[test]
    fn needs_advanced_query_flags_graph_advanced_operators() {
        let advanced = |f: &str| parse_filter(f).expect(f).needs_advanced_query();
        assert!(!advanced("displayName eq 'a' and startswith(mail,'b')"));
        assert!(!advanced("assignedLicenses/any(x:x/skuId eq 6fd2c87f-b296-42f0-b197-1e91e994b900)"));
        assert!(advanced("displayName ne 'a'"));
        assert!(advanced("not(displayName eq 'a')"));
        assert!(advanced("endswith(mail,'@contoso.com')"));
        assert!(!advanced("contains(displayName,'Sales')"));
        assert!(advanced("assignedLicenses/$count eq 0"));
        assert!(advanced("manager eq null"));
        assert!(advanced("a eq 1 or x/any(p: p/id ne 2)"));
    }
}
