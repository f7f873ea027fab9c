//! Property tests of the one path user text takes to Graph: the `$filter` tree, its printer,
//! the query encoder, the evaluator the demo answers with, and the skills' allow-listed
//! `filter` parameter.
//!
//! - Any string put into any filter tree prints inside its quoted literal only: the printed
//!   text parses back to the same tree, its quoted literals are exactly the tree's strings, and
//!   the text outside them does not depend on what the strings are.
//! - The encoded query splits into exactly the parameters set, and `$filter` decodes and parses
//!   back to the same tree; a `$search` term cannot leave its quotes.
//! - `evaluate` agrees with a reference model written directly over typed records.
//! - The `filter` of `list_sign_ins` and `list_directory_audits` lets through exactly the
//!   filters made of allowed fields with `eq`, `ne`, `ge`, `le`, `startswith` and `and`.
//!
//! Case counts are modest so the file runs in seconds; failures are not persisted to disk.

use std::cmp::Ordering;
use std::sync::{Arc, LazyLock};

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use entra_mcp::auth::{AccessToken, Caller, TokenSource};
use entra_mcp::error::{ErrorKind, SkillError};
use entra_mcp::graph::{GraphService, GraphSettings, Query};
use entra_mcp::odata::{CmpOp, Expr, Literal, Path, evaluate, parse_filter};
use entra_mcp::server::EntraServer;
use entra_mcp::shared::{AUDIT_FILTER_FIELDS, SIGN_IN_FILTER_FIELDS};
use entra_mcp::skills::Selection;
use futures::future::BoxFuture;
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Value, json};
use uuid::Uuid;

/// The parser's length limit: a printed filter longer than this is not parsed again.
const MAX_LEN: usize = 4096;

fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: None, ..Config::default() }
}

// ---------------------------------------------------------------------------------------------
// Generated strings and trees

/// Text a model or an attacker might send: OData syntax, URL syntax, quotes, controls, unicode.
fn hostile_string() -> impl Strategy<Value = String> {
    let pieces = vec![
        "'", "''", "(", ")", " eq ", " or ", " and ", "not(", "$", "$top=1", "&", "#", "+", "%", "%27", "=", "?", "/",
        "\\", "\"", " ", ",", ":", "ü", "日本", "🚀", "\u{0}", "\n", "a", "Z", "1", "-",
    ];
    let piece = prop_oneof![3 => prop::sample::select(pieces).prop_map(str::to_owned), 1 => any::<char>().prop_map(String::from)];
    prop::collection::vec(piece, 0..10).prop_map(|p| p.concat())
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        1 => Just(Literal::Null),
        1 => any::<bool>().prop_map(Literal::Bool),
        1 => any::<i64>().prop_map(Literal::Int),
        1 => any::<f64>().prop_filter("NaN never equals itself", |x| !x.is_nan()).prop_map(Literal::Float),
        3 => hostile_string().prop_map(Literal::String),
        1 => any::<u128>().prop_map(|n| Literal::Guid(Uuid::from_u128(n))),
        1 => (0i64..253_402_300_799, 0u32..1_000_000_000)
            .prop_filter_map("a valid instant", |(s, n)| DateTime::from_timestamp(s, n).map(Literal::DateTime)),
    ]
}

/// Stands for "the innermost lambda's variable" until [`bind_lambdas`] names it.
const IT: &str = "it";

fn path() -> impl Strategy<Value = Path> {
    prop::sample::select(vec![
        "displayName",
        "status/errorCode",
        "assignedLicenses/$count",
        "location/city",
        IT,
        "it/id",
    ])
    .prop_map(|p| Path(p.split('/').map(str::to_owned).collect()))
}

fn op() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(vec![CmpOp::Eq, CmpOp::Ne, CmpOp::Gt, CmpOp::Ge, CmpOp::Lt, CmpOp::Le])
}

/// Any filter tree the printer accepts, with hostile strings in every literal position.
fn filter_tree() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        3 => (path(), op(), literal()).prop_map(|(path, op, value)| Expr::Compare { path, op, value }),
        1 => (path(), prop::collection::vec(literal(), 1..4)).prop_map(|(path, values)| Expr::In { path, values }),
        1 => (path(), hostile_string()).prop_map(|(path, prefix)| Expr::StartsWith { path, prefix }),
        1 => (path(), hostile_string()).prop_map(|(path, suffix)| Expr::EndsWith { path, suffix }),
        1 => (path(), hostile_string()).prop_map(|(path, text)| Expr::Contains { path, text }),
        1 => Just(Expr::Any { path: Path(vec!["targetResources".into()]), var: String::new(), body: None }),
    ];
    let tree = leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.and(b)),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.or(b)),
            inner.clone().prop_map(Expr::negate),
            (inner.clone(), any::<bool>()).prop_map(|(body, all)| {
                let path = Path(vec!["targetResources".into()]);
                let var = IT.to_string();
                if all {
                    Expr::All { path, var, body: Box::new(body) }
                } else {
                    Expr::Any { path, var, body: Some(Box::new(body)) }
                }
            }),
        ]
    });
    tree.prop_map(|e| bind_lambdas(e, 0))
}

/// Names each lambda's variable after its depth (`v0`, `v1`, …) so nested lambdas never clash,
/// and points the `it` placeholder at the innermost one — or, outside any lambda, at a plain
/// property.
fn bind_lambdas(expr: Expr, depth: usize) -> Expr {
    let rename = |path: Path| -> Path {
        let mut segments = path.0;
        if segments[0] == IT {
            segments[0] = if depth == 0 { "displayName".into() } else { format!("v{}", depth - 1) };
        }
        Path(segments)
    };
    let inner = |e: Box<Expr>| Box::new(bind_lambdas(*e, depth));
    match expr {
        Expr::Compare { path, op, value } => Expr::Compare { path: rename(path), op, value },
        Expr::In { path, values } => Expr::In { path: rename(path), values },
        Expr::StartsWith { path, prefix } => Expr::StartsWith { path: rename(path), prefix },
        Expr::EndsWith { path, suffix } => Expr::EndsWith { path: rename(path), suffix },
        Expr::Contains { path, text } => Expr::Contains { path: rename(path), text },
        Expr::And(a, b) => Expr::And(inner(a), inner(b)),
        Expr::Or(a, b) => Expr::Or(inner(a), inner(b)),
        Expr::Not(e) => Expr::Not(inner(e)),
        Expr::Any { path, body: None, .. } => Expr::Any { path: rename(path), var: String::new(), body: None },
        Expr::Any { path, body: Some(body), .. } => Expr::Any {
            path: rename(path),
            var: format!("v{depth}"),
            body: Some(Box::new(bind_lambdas(*body, depth + 1))),
        },
        Expr::All { path, body, .. } => {
            Expr::All { path: rename(path), var: format!("v{depth}"), body: Box::new(bind_lambdas(*body, depth + 1)) }
        }
    }
}

/// The tree's strings in printing order.
fn strings_of(expr: &Expr, out: &mut Vec<String>) {
    let literal = |l: &Literal, out: &mut Vec<String>| {
        if let Literal::String(s) = l {
            out.push(s.clone());
        }
    };
    match expr {
        Expr::Compare { value, .. } => literal(value, out),
        Expr::In { values, .. } => values.iter().for_each(|v| literal(v, out)),
        Expr::StartsWith { prefix: s, .. } | Expr::EndsWith { suffix: s, .. } | Expr::Contains { text: s, .. } => {
            out.push(s.clone())
        }
        Expr::And(a, b) | Expr::Or(a, b) => {
            strings_of(a, out);
            strings_of(b, out);
        }
        Expr::Not(e) => strings_of(e, out),
        Expr::Any { body: None, .. } => {}
        Expr::Any { body: Some(body), .. } | Expr::All { body, .. } => strings_of(body, out),
    }
}

/// The same tree with every string replaced by `x`.
fn with_plain_strings(expr: &Expr) -> Expr {
    let literal = |l: &Literal| match l {
        Literal::String(_) => Literal::String("x".into()),
        other => other.clone(),
    };
    let inner = |e: &Expr| Box::new(with_plain_strings(e));
    match expr {
        Expr::Compare { path, op, value } => Expr::Compare { path: path.clone(), op: *op, value: literal(value) },
        Expr::In { path, values } => Expr::In { path: path.clone(), values: values.iter().map(literal).collect() },
        Expr::StartsWith { path, .. } => Expr::StartsWith { path: path.clone(), prefix: "x".into() },
        Expr::EndsWith { path, .. } => Expr::EndsWith { path: path.clone(), suffix: "x".into() },
        Expr::Contains { path, .. } => Expr::Contains { path: path.clone(), text: "x".into() },
        Expr::And(a, b) => Expr::And(inner(a), inner(b)),
        Expr::Or(a, b) => Expr::Or(inner(a), inner(b)),
        Expr::Not(e) => Expr::Not(inner(e)),
        Expr::Any { path, var, body } => {
            Expr::Any { path: path.clone(), var: var.clone(), body: body.as_deref().map(inner) }
        }
        Expr::All { path, var, body } => Expr::All { path: path.clone(), var: var.clone(), body: inner(body) },
    }
}

/// Splits filter text into what lies outside quotes (each literal shown as `''`) and the
/// unescaped literals, the way OData's tokenizer reads quotes.
fn split_literals(text: &str) -> (String, Vec<String>) {
    let mut outside = String::new();
    let mut literals = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            outside.push(c);
            continue;
        }
        let mut literal = String::new();
        loop {
            match chars.next() {
                Some('\'') if chars.peek() == Some(&'\'') => {
                    chars.next();
                    literal.push('\'');
                }
                Some('\'') => break,
                Some(c) => literal.push(c),
                None => panic!("unterminated literal in {text}"),
            }
        }
        outside.push_str("''");
        literals.push(literal);
    }
    (outside, literals)
}

fn decode(value: &str) -> String {
    percent_decode_str(value).decode_utf8().expect("UTF-8 after decoding").into_owned()
}

proptest! {
    #![proptest_config(config(400))]

    /// (a) Strings stay inside their literals, and the tree reads back unchanged.
    #[test]
    fn user_strings_never_leave_their_literal(expr in filter_tree()) {
        let text = expr.to_string();
        let (outside, literals) = split_literals(&text);
        let mut strings = Vec::new();
        strings_of(&expr, &mut strings);
        prop_assert_eq!(&literals, &strings);
        let (plain_outside, _) = split_literals(&with_plain_strings(&expr).to_string());
        prop_assert_eq!(outside, plain_outside, "the text outside the literals depends on the strings: {}", text);
        if text.chars().count() <= MAX_LEN {
            prop_assert_eq!(parse_filter(&text).ok(), Some(expr), "{}", text);
        }
    }

    /// (b) The encoded query holds exactly its parameters; `$filter` reads back unchanged.
    #[test]
    fn encoded_queries_cannot_be_split_or_broken_out_of(expr in filter_tree(), term in hostile_string()) {
        let query = Query::new().select(&["id"]).filter(expr.clone()).search("displayName", term.clone()).top(3);
        let encoded = query.encode();
        for c in [' ', '#', '+', '"', '\n'] {
            prop_assert!(!encoded.contains(c), "{:?} unencoded in {}", c, encoded);
        }
        let pairs: Vec<(&str, String)> = encoded
            .split('&')
            .map(|pair| pair.split_once('=').map(|(k, v)| (k, decode(v))).unwrap_or((pair, String::new())))
            .collect();
        let names: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
        prop_assert_eq!(names, ["$select", "$filter", "$search", "$top"], "{}", encoded);
        prop_assert_eq!(&pairs[1].1, &expr.to_string());
        if pairs[1].1.chars().count() <= MAX_LEN {
            prop_assert_eq!(parse_filter(&pairs[1].1).ok(), Some(expr));
        }
        // `"displayName:…"` with `\` and `"` escaped: one term, whatever it holds.
        let inner = pairs[2].1.strip_prefix("\"displayName:").and_then(|v| v.strip_suffix('"'));
        prop_assert!(inner.is_some(), "{}", pairs[2].1);
        let mut unescaped = String::new();
        let mut chars = inner.unwrap_or_default().chars();
        while let Some(c) = chars.next() {
            prop_assert!(c != '"', "a quote ends the search term early: {}", pairs[2].1);
            unescaped.push(if c == '\\' { chars.next().unwrap_or('\\') } else { c });
        }
        prop_assert_eq!(unescaped, term);
    }
}

// ---------------------------------------------------------------------------------------------
// (c) The evaluator against a reference model

/// A record of a small schema, as typed values.
#[derive(Debug, Clone)]
struct Record {
    name: Option<String>,
    age: Option<i64>,
    enabled: Option<bool>,
    /// The instant and the offset it is written with (Graph writes `Z`; offsets must work too).
    created: Option<(DateTime<Utc>, bool)>,
    tags: Option<Vec<String>>,
    items: Option<Vec<(i64, String)>>,
    /// Absent values written as `null` rather than left out.
    explicit_nulls: bool,
}

impl Record {
    fn created_text(&self) -> Option<String> {
        self.created.map(|(t, offset)| match offset {
            true => t.with_timezone(&FixedOffset::east_opt(3600).expect("offset")).to_rfc3339(),
            false => t.to_rfc3339_opts(SecondsFormat::Secs, true),
        })
    }

    fn json(&self) -> Value {
        let mut map = serde_json::Map::new();
        let mut put = |key: &str, value: Option<Value>| match value {
            Some(v) => {
                map.insert(key.into(), v);
            }
            None if self.explicit_nulls => {
                map.insert(key.into(), Value::Null);
            }
            None => {}
        };
        put("name", self.name.clone().map(Value::from));
        put("age", self.age.map(Value::from));
        put("enabled", self.enabled.map(Value::from));
        put("created", self.created_text().map(Value::from));
        put("tags", self.tags.clone().map(Value::from));
        put(
            "items",
            self.items.as_ref().map(|items| items.iter().map(|(id, kind)| json!({"id": id, "kind": kind})).collect()),
        );
        Value::Object(map)
    }
}

/// Properties of the record, and of the element a lambda is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Age,
    Enabled,
    Created,
    TagCount,
    /// The tag a `tags/any(…)` lambda is at.
    Tag,
    ItemId,
    ItemKind,
}

/// The model's filter language.
#[derive(Debug, Clone)]
enum Model {
    Cmp(Field, CmpOp, Literal),
    In(Field, Vec<Literal>),
    StartsWith(Field, String),
    And(Box<Model>, Box<Model>),
    Or(Box<Model>, Box<Model>),
    Not(Box<Model>),
    /// `tags/any()` or `tags/any(t: body)`.
    AnyTag(Option<Box<Model>>),
    AnyItem(Box<Model>),
    AllItems(Box<Model>),
}

/// The element the innermost lambda is at.
#[derive(Debug, Clone, Copy)]
enum Element<'a> {
    Tag(&'a str),
    Item(i64, &'a str),
}

/// A value as the model reads it.
#[derive(Debug, Clone, PartialEq)]
enum Read {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
}

fn read(field: Field, record: &Record, element: Option<Element<'_>>) -> Read {
    match (field, element) {
        (Field::Name, _) => record.name.clone().map(Read::Text).unwrap_or(Read::Null),
        (Field::Age, _) => record.age.map(Read::Int).unwrap_or(Read::Null),
        (Field::Enabled, _) => record.enabled.map(Read::Bool).unwrap_or(Read::Null),
        (Field::Created, _) => record.created_text().map(Read::Text).unwrap_or(Read::Null),
        (Field::TagCount, _) => Read::Int(record.tags.as_ref().map_or(0, |t| t.len() as i64)),
        (Field::Tag, Some(Element::Tag(t))) => Read::Text(t.to_string()),
        (Field::ItemId, Some(Element::Item(id, _))) => Read::Int(id),
        (Field::ItemKind, Some(Element::Item(_, kind))) => Read::Text(kind.to_string()),
        _ => unreachable!("normalised models read element fields only inside their lambda"),
    }
}

fn instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// Graph's semantics, directly: text compares case-insensitively unless both sides are
/// instants; numbers by value; values of different types do not compare.
fn order(value: &Read, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (Read::Text(s), Literal::String(t)) => Some(match (instant(s), instant(t)) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => s.to_lowercase().cmp(&t.to_lowercase()),
        }),
        (Read::Text(s), Literal::DateTime(t)) => instant(s).map(|a| a.cmp(t)),
        (Read::Int(a), Literal::Int(b)) => Some(a.cmp(b)),
        (Read::Int(a), Literal::Float(x)) => (*a as f64).partial_cmp(x),
        (Read::Bool(a), Literal::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn compare(value: &Read, op: CmpOp, literal: &Literal) -> bool {
    if *literal == Literal::Null {
        return match op {
            CmpOp::Eq => *value == Read::Null,
            CmpOp::Ne => *value != Read::Null,
            _ => false,
        };
    }
    let order = order(value, literal);
    match op {
        CmpOp::Eq => order == Some(Ordering::Equal),
        CmpOp::Ne => order != Some(Ordering::Equal),
        CmpOp::Gt => order == Some(Ordering::Greater),
        CmpOp::Ge => matches!(order, Some(Ordering::Greater | Ordering::Equal)),
        CmpOp::Lt => order == Some(Ordering::Less),
        CmpOp::Le => matches!(order, Some(Ordering::Less | Ordering::Equal)),
    }
}

fn model_matches(model: &Model, record: &Record, element: Option<Element<'_>>) -> bool {
    match model {
        Model::Cmp(field, op, literal) => compare(&read(*field, record, element), *op, literal),
        Model::In(field, literals) => {
            let value = read(*field, record, element);
            literals.iter().any(|l| compare(&value, CmpOp::Eq, l))
        }
        Model::StartsWith(field, prefix) => match read(*field, record, element) {
            Read::Text(s) => s.to_lowercase().starts_with(&prefix.to_lowercase()),
            _ => false,
        },
        Model::And(a, b) => model_matches(a, record, element) && model_matches(b, record, element),
        Model::Or(a, b) => model_matches(a, record, element) || model_matches(b, record, element),
        Model::Not(inner) => !model_matches(inner, record, element),
        Model::AnyTag(None) => record.tags.as_ref().is_some_and(|t| !t.is_empty()),
        Model::AnyTag(Some(body)) => {
            record.tags.iter().flatten().any(|t| model_matches(body, record, Some(Element::Tag(t))))
        }
        Model::AnyItem(body) => {
            record.items.iter().flatten().any(|(id, kind)| model_matches(body, record, Some(Element::Item(*id, kind))))
        }
        Model::AllItems(body) => {
            record.items.iter().flatten().all(|(id, kind)| model_matches(body, record, Some(Element::Item(*id, kind))))
        }
    }
}

/// Element fields outside a lambda of their kind become record fields, so every model reads
/// only what exists where it stands.
fn normalise(model: Model, inside: Option<bool>) -> Model {
    // `inside`: None at the top, Some(true) in a tag lambda, Some(false) in an item lambda.
    let field = |f: Field| match (f, inside) {
        (Field::Tag, Some(true)) | (Field::ItemId | Field::ItemKind, Some(false)) => f,
        (Field::Tag | Field::ItemKind, _) => Field::Name,
        (Field::ItemId, _) => Field::Age,
        (other, _) => other,
    };
    let inner = |m: Box<Model>| Box::new(normalise(*m, inside));
    match model {
        Model::Cmp(f, op, l) => Model::Cmp(field(f), op, l),
        Model::In(f, ls) => Model::In(field(f), ls),
        Model::StartsWith(f, p) => Model::StartsWith(field(f), p),
        Model::And(a, b) => Model::And(inner(a), inner(b)),
        Model::Or(a, b) => Model::Or(inner(a), inner(b)),
        Model::Not(m) => Model::Not(inner(m)),
        Model::AnyTag(body) => Model::AnyTag(body.map(|b| Box::new(normalise(*b, Some(true))))),
        Model::AnyItem(body) => Model::AnyItem(Box::new(normalise(*body, Some(false)))),
        Model::AllItems(body) => Model::AllItems(Box::new(normalise(*body, Some(false)))),
    }
}

/// The model as a `$filter` tree; lambda variables are named after their depth.
fn to_expr(model: &Model, depth: usize) -> Expr {
    let var = || format!("v{}", depth.saturating_sub(1));
    let path = |f: Field| -> Path {
        let segments: Vec<String> = match f {
            Field::Name => vec!["name".into()],
            Field::Age => vec!["age".into()],
            Field::Enabled => vec!["enabled".into()],
            Field::Created => vec!["created".into()],
            Field::TagCount => vec!["tags".into(), "$count".into()],
            Field::Tag => vec![var()],
            Field::ItemId => vec![var(), "id".into()],
            Field::ItemKind => vec![var(), "kind".into()],
        };
        Path(segments)
    };
    let lambda = |collection: &str, body: &Model| {
        (Path(vec![collection.into()]), format!("v{depth}"), Box::new(to_expr(body, depth + 1)))
    };
    match model {
        Model::Cmp(f, op, l) => Expr::Compare { path: path(*f), op: *op, value: l.clone() },
        Model::In(f, ls) => Expr::In { path: path(*f), values: ls.clone() },
        Model::StartsWith(f, p) => Expr::StartsWith { path: path(*f), prefix: p.clone() },
        Model::And(a, b) => to_expr(a, depth).and(to_expr(b, depth)),
        Model::Or(a, b) => to_expr(a, depth).or(to_expr(b, depth)),
        Model::Not(m) => to_expr(m, depth).negate(),
        Model::AnyTag(None) => Expr::Any { path: Path(vec!["tags".into()]), var: String::new(), body: None },
        Model::AnyTag(Some(body)) => {
            let (path, var, body) = lambda("tags", body);
            Expr::Any { path, var, body: Some(body) }
        }
        Model::AnyItem(body) => {
            let (path, var, body) = lambda("items", body);
            Expr::Any { path, var, body: Some(body) }
        }
        Model::AllItems(body) => {
            let (path, var, body) = lambda("items", body);
            Expr::All { path, var, body }
        }
    }
}

/// Short text from a small alphabet, so equalities and prefixes actually occur; `É`/`é` and
/// `B`/`b` test case-insensitivity, `'` the escaping.
fn short_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec!['a', 'A', 'b', 'B', 'é', 'É', '\'', ' ']), 0..4)
        .prop_map(|c| c.into_iter().collect())
}

/// A few instants an hour apart, so comparisons hit equality too.
fn instant_value() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4).prop_map(|h| DateTime::from_timestamp(1_795_600_000 + h * 3600, 0).unwrap_or_default())
}

fn model_literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        1 => Just(Literal::Null),
        1 => any::<bool>().prop_map(Literal::Bool),
        1 => (-1i64..6).prop_map(Literal::Int),
        1 => (-2i32..12).prop_map(|h| Literal::Float(f64::from(h) / 2.0)),
        2 => short_text().prop_map(Literal::String),
        1 => instant_value().prop_map(Literal::DateTime),
        1 => // An instant written as text: compared as an instant against `created`.
        (instant_value(), any::<bool>()).prop_map(|(t, z)| Literal::String(if z {
            t.to_rfc3339_opts(SecondsFormat::Secs, true)
        } else {
            t.with_timezone(&FixedOffset::west_opt(7200).expect("offset")).to_rfc3339()
        })),
    ]
}

fn field() -> impl Strategy<Value = Field> {
    prop::sample::select(vec![
        Field::Name,
        Field::Age,
        Field::Enabled,
        Field::Created,
        Field::TagCount,
        Field::Tag,
        Field::ItemId,
        Field::ItemKind,
    ])
}

fn model() -> impl Strategy<Value = Model> {
    let leaf = prop_oneof![
        4 => (field(), op(), model_literal()).prop_map(|(f, op, l)| Model::Cmp(f, op, l)),
        1 => (field(), prop::collection::vec(model_literal(), 1..4)).prop_map(|(f, ls)| Model::In(f, ls)),
        1 => (field(), short_text()).prop_map(|(f, p)| Model::StartsWith(f, p)),
        1 => Just(Model::AnyTag(None)),
    ];
    leaf.prop_recursive(4, 20, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Model::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Model::Or(Box::new(a), Box::new(b))),
            inner.clone().prop_map(|m| Model::Not(Box::new(m))),
            inner.clone().prop_map(|m| Model::AnyTag(Some(Box::new(m)))),
            inner.clone().prop_map(|m| Model::AnyItem(Box::new(m))),
            inner.prop_map(|m| Model::AllItems(Box::new(m))),
        ]
    })
    .prop_map(|m| normalise(m, None))
}

fn record() -> impl Strategy<Value = Record> {
    (
        prop::option::of(short_text()),
        prop::option::of(0i64..5),
        prop::option::of(any::<bool>()),
        prop::option::of((instant_value(), any::<bool>())),
        prop::option::of(prop::collection::vec(short_text(), 0..3)),
        prop::option::of(prop::collection::vec((0i64..5, short_text()), 0..3)),
        any::<bool>(),
    )
        .prop_map(|(name, age, enabled, created, tags, items, explicit_nulls)| Record {
            name,
            age,
            enabled,
            created,
            tags,
            items,
            explicit_nulls,
        })
}

proptest! {
    #![proptest_config(config(1000))]

    /// (c) `evaluate` — on the tree and on the tree parsed back from its text — agrees with
    /// the model on every record.
    #[test]
    fn the_evaluator_agrees_with_the_reference_model(
        model in model(),
        records in prop::collection::vec(record(), 1..6),
    ) {
        let expr = to_expr(&model, 0);
        let text = expr.to_string();
        let reparsed = parse_filter(&text);
        prop_assert!(reparsed.is_ok(), "{}: {:?}", text, reparsed);
        let reparsed = reparsed.unwrap_or_else(|_| expr.clone());
        for record in &records {
            let expected = model_matches(&model, record, None);
            let json = record.json();
            prop_assert_eq!(evaluate(&expr, &json), expected, "{} on {}", text, json);
            prop_assert_eq!(evaluate(&reparsed, &json), expected, "{} (reparsed) on {}", text, json);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// (d) The allow-listed `filter` parameter

/// Refuses every Graph token: a filter that passes the skill's checks ends at its first Graph
/// request as `consent_required`, one that does not as `invalid_input`, and nothing leaves the
/// process.
struct NoGraph;

impl TokenSource for NoGraph {
    fn graph_token<'a>(&'a self, _caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>> {
        Box::pin(async { Err(SkillError::new(ErrorKind::ConsentRequired, "no Graph in this test")) })
    }
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    server: EntraServer,
}

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let settings = GraphSettings { base_url: "http://127.0.0.1:9".into(), ..GraphSettings::default() };
    let graph = GraphService::new(settings, Arc::new(NoGraph)).expect("graph service");
    let server = EntraServer::new(graph, Arc::new(Selection::everything()), Arc::new(Caller::default()));
    Harness { runtime, server }
});

/// Each skill's `filter` allow-list, from the one place it is written.
const SIGN_IN_FIELDS: &[&str] = SIGN_IN_FILTER_FIELDS;
const AUDIT_FIELDS: &[&str] = AUDIT_FILTER_FIELDS;
/// Fields neither skill allows, including near misses in case and path.
const OTHER_FIELDS: &[&str] =
    &["userId", "createdDateTime", "AppDisplayName", "status", "status/errorcode", "location", "id", "correlationId"];

/// Whether a tree keeps to the contract: allowed fields, `eq`/`ne`/`ge`/`le`/`startswith`,
/// joined by `and`, with plain literals.
fn keeps_to(expr: &Expr, allowed: &[&str]) -> bool {
    let field = |p: &Path| allowed.contains(&p.segments().join("/").as_str());
    // No control character in a text value, no INF or NaN.
    let plain_text = |t: &str| !t.chars().any(char::is_control);
    let literal = |v: &Literal| match v {
        Literal::String(t) => plain_text(t),
        Literal::Float(n) => n.is_finite(),
        _ => true,
    };
    match expr {
        Expr::Compare { path, op, value } => {
            matches!(op, CmpOp::Eq | CmpOp::Ne | CmpOp::Ge | CmpOp::Le) && field(path) && literal(value)
        }
        Expr::StartsWith { path, prefix } => field(path) && plain_text(prefix),
        Expr::And(a, b) => keeps_to(a, allowed) && keeps_to(b, allowed),
        _ => false,
    }
}

/// Filter trees over allowed and other fields with every operator.
fn candidate_filter(allowed: &'static [&'static str]) -> impl Strategy<Value = Expr> {
    let fields: Vec<&'static str> = allowed.iter().chain(OTHER_FIELDS).copied().collect();
    let path = prop::sample::select(fields).prop_map(|f| Path(f.split('/').map(str::to_owned).collect()));
    let value = prop_oneof![
        (0i64..100_000).prop_map(Literal::Int),
        hostile_string().prop_map(Literal::String),
        Just(Literal::Null)
    ];
    let leaf = prop_oneof![
        4 => (path.clone(), op(), value.clone()).prop_map(|(path, op, value)| Expr::Compare { path, op, value }),
        2 => (path.clone(), hostile_string()).prop_map(|(path, prefix)| Expr::StartsWith { path, prefix }),
        1 => (path.clone(), hostile_string()).prop_map(|(path, suffix)| Expr::EndsWith { path, suffix }),
        1 => (path.clone(), prop::collection::vec(value, 1..3)).prop_map(|(path, values)| Expr::In { path, values }),
        1 => path.prop_map(|path| Expr::Any { path, var: String::new(), body: None }),
    ];
    leaf.prop_recursive(3, 8, 2, |inner| {
        prop_oneof![
            4 => (inner.clone(), inner.clone()).prop_map(|(a, b)| a.and(b)),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| a.or(b)),
            1 => inner.prop_map(Expr::negate),
        ]
    })
}

/// Calls `skill` with `filter` and returns `Some(tree sent to Graph)` when the filter was
/// accepted, `None` when it was refused as invalid input.
fn run_filter(skill: &str, filter: &str) -> Result<Option<Expr>, String> {
    let args = json!({"filter": filter, "since": "7d"}).as_object().cloned();
    let reply =
        HARNESS.runtime.block_on(HARNESS.server.call(skill, args, Arc::new(Caller::default()))).expect("a known tool");
    let kind = reply.structured["error"]["kind"].as_str().unwrap_or_default().to_string();
    match kind.as_str() {
        "invalid_input" => {
            if !reply.markdown.contains("`filter`") || !reply.graph_requests.is_empty() {
                return Err(format!("refused without naming `filter`, or after a Graph request: {}", reply.markdown));
            }
            Ok(None)
        }
        "consent_required" => {
            let query = reply.graph_requests.first().map(|r| r.query.clone()).unwrap_or_default();
            // `$filter=…&$orderby=…`: the last `&$orderby=` ends the filter, whatever it holds.
            let sent = query
                .split_once("$filter=")
                .and_then(|(_, rest)| rest.rfind("&$orderby=").map(|end| rest[..end].to_string()))
                .ok_or_else(|| format!("no $filter in {query}"))?;
            let sent = parse_filter(&sent).map_err(|e| format!("sent filter does not parse ({e}): {sent}"))?;
            // The skill's own clauses come first; the caller's filter is the last conjunct.
            match sent {
                Expr::And(_, user) => Ok(Some(*user)),
                other => Err(format!("expected the window and the caller's filter, got {other}")),
            }
        }
        other => Err(format!("unexpected outcome {other}: {}", reply.markdown)),
    }
}

fn check_allow_list(skill: &str, allowed: &[&str], filter: &str, expected: Option<&Expr>) -> Result<(), TestCaseError> {
    let outcome = run_filter(skill, filter).map_err(TestCaseError::fail)?;
    if let Some(sent) = &outcome {
        prop_assert!(keeps_to(sent, allowed), "{} let through {}", skill, sent);
        let given = parse_filter(filter).ok();
        prop_assert_eq!(Some(sent), given.as_ref(), "{} changed the filter", skill);
    }
    if let Some(expr) = expected {
        prop_assert_eq!(outcome.is_some(), keeps_to(expr, allowed), "{}: {}", skill, filter);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(300))]

    /// (d) Exactly the filters that keep to the contract pass, unchanged; nothing else does.
    #[test]
    fn list_sign_ins_filter_lets_through_only_its_contract(expr in candidate_filter(SIGN_IN_FIELDS)) {
        check_allow_list("list_sign_ins", SIGN_IN_FIELDS, &expr.to_string(), Some(&expr))?;
    }

    #[test]
    fn list_directory_audits_filter_lets_through_only_its_contract(expr in candidate_filter(AUDIT_FIELDS)) {
        check_allow_list("list_directory_audits", AUDIT_FIELDS, &expr.to_string(), Some(&expr))?;
    }

    /// Text that is not a printed tree: whatever passes still keeps to the contract.
    #[test]
    fn arbitrary_filter_text_never_escapes_the_allow_list(text in hostile_string(), field in prop::sample::select(SIGN_IN_FIELDS)) {
        check_allow_list("list_sign_ins", SIGN_IN_FIELDS, &text, None)?;
        check_allow_list("list_sign_ins", SIGN_IN_FIELDS, &format!("{field} eq 'a' {text}"), None)?;
        check_allow_list("list_directory_audits", AUDIT_FIELDS, &format!("{text} and category eq 'x'"), None)?;
    }
}

// ---------------------------------------------------------------------------------------------
// (d, continued) The provisioning log's `filter`

const PROVISIONING_FIELDS: &[&str] = entra_mcp::shared::PROVISIONING_FILTER_FIELDS;

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn list_provisioning_events_filter_lets_through_only_its_contract(expr in candidate_filter(PROVISIONING_FIELDS)) {
        check_allow_list("list_provisioning_events", PROVISIONING_FIELDS, &expr.to_string(), Some(&expr))?;
    }

    #[test]
    fn arbitrary_provisioning_filter_text_never_escapes_the_allow_list(text in hostile_string()) {
        check_allow_list("list_provisioning_events", PROVISIONING_FIELDS, &text, None)?;
        check_allow_list("list_provisioning_events", PROVISIONING_FIELDS, &format!("jobId eq 'a' and {text}"), None)?;
    }
}
