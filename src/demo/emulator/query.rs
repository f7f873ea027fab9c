//! Parsing of the OData system query options Graph accepts (`$select`, `$filter`, `$top`,
//! `$orderby`, `$count`, `$search`, `$expand`, `$skiptoken`). Every other option is refused:
//! silently ignoring one would let a skill believe Graph honoured it.
//!
//! Parsing here is independent of the collection; `listing.rs` checks the result against the
//! collection's allow-lists.

use crate::odata::{Expr, parse_filter};

use super::errors::{GraphError, GraphResult};

/// One `$orderby` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    pub path: String,
    pub descending: bool,
}

/// One `$expand` item, e.g. `manager($select=id,displayName;$levels=max)` or
/// `resourceRoleScopes($expand=role,scope)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expand {
    pub property: String,
    pub select: Option<Vec<String>>,
    pub levels_max: bool,
    /// A nested `$expand` of the expanded objects; `listing.rs` accepts it only where the
    /// emulator expands below the first level.
    pub expand: Vec<Expand>,
}

/// A `$search` expression: `"property:words"` clauses combined with `AND` / `OR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    Clause { property: String, text: String },
    And(Box<Search>, Box<Search>),
    Or(Box<Search>, Box<Search>),
}

impl Search {
    pub fn properties(&self) -> Vec<&str> {
        match self {
            Search::Clause { property, .. } => vec![property.as_str()],
            Search::And(a, b) | Search::Or(a, b) => {
                let mut out = a.properties();
                out.extend(b.properties());
                out
            }
        }
    }
}

/// The query options of one request.
#[derive(Debug, Default)]
pub struct QueryOptions {
    pub select: Option<Vec<String>>,
    pub filter: Option<Expr>,
    pub top: Option<usize>,
    pub orderby: Vec<OrderBy>,
    pub count: bool,
    pub search: Option<Search>,
    pub expand: Vec<Expand>,
    pub skip: usize,
    pub has_skiptoken: bool,
    /// The raw `name=value` pairs other than `$skiptoken`, as received, for `@odata.nextLink`.
    pub raw_without_skiptoken: Vec<String>,
}

impl QueryOptions {
    /// Whether an option only a collection accepts was given. `$count` is not one of them:
    /// Graph takes `$count=true` on a single object to allow `$expand=manager($levels=max)`.
    pub fn has_collection_options(&self) -> bool {
        self.filter.is_some()
            || self.top.is_some()
            || !self.orderby.is_empty()
            || self.search.is_some()
            || self.has_skiptoken
    }
}

const KNOWN: &[&str] = &["$select", "$filter", "$top", "$orderby", "$count", "$search", "$expand", "$skiptoken"];

/// Parses a raw query string (`None` = no query).
pub fn parse(raw: Option<&str>, directory: bool) -> GraphResult<QueryOptions> {
    let mut options = QueryOptions::default();
    let Some(raw) = raw else {
        return Ok(options);
    };
    let mut seen: Vec<String> = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let mut decoded = url::form_urlencoded::parse(pair.as_bytes());
        let Some((name, value)) = decoded.next() else {
            continue;
        };
        let name = name.trim().to_string();
        // Graph matches option names case-insensitively.
        let key = name.to_ascii_lowercase();
        if !KNOWN.contains(&key.as_str()) {
            return Err(GraphError::bad_request(directory, format!("Query option '{name}' is not supported.")));
        }
        if seen.contains(&key) {
            return Err(GraphError::bad_request(
                directory,
                format!("Query option '{name}' was specified more than once, but it must be specified at most once."),
            ));
        }
        seen.push(key.clone());
        if key != "$skiptoken" {
            options.raw_without_skiptoken.push(pair.to_string());
        }
        let value = value.trim();
        match key.as_str() {
            "$select" => options.select = Some(parse_select(value, directory)?),
            "$filter" => {
                let expr = parse_filter(value)
                    .map_err(|e| GraphError::bad_request(directory, format!("Invalid filter clause: {e}")))?;
                options.filter = Some(expr);
            }
            "$top" => options.top = Some(parse_top(value, directory)?),
            "$orderby" => options.orderby = parse_orderby(value, directory)?,
            "$count" => {
                options.count = match value {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(GraphError::bad_request(
                            directory,
                            format!("Invalid value '{value}' for the $count query option; expected 'true' or 'false'."),
                        ));
                    }
                }
            }
            "$search" => options.search = Some(parse_search(value, directory)?),
            "$expand" => options.expand = parse_expand(value, directory)?,
            _ => {
                options.skip =
                    decode_skiptoken(value).ok_or_else(|| GraphError::bad_request(directory, "Invalid skip token."))?;
                options.has_skiptoken = true;
            }
        }
    }
    Ok(options)
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@' || c == '.')
}

fn parse_select(value: &str, directory: bool) -> GraphResult<Vec<String>> {
    let names: Vec<String> = value.split(',').map(|s| s.trim().to_string()).collect();
    if names.iter().any(|n| !is_identifier(n)) {
        return Err(GraphError::bad_request(directory, format!("Syntax error in $select: '{value}'.")));
    }
    Ok(names)
}

fn parse_top(value: &str, directory: bool) -> GraphResult<usize> {
    value.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
        GraphError::bad_request(
            directory,
            format!("Invalid value '{value}' for the $top query option; expected a positive integer."),
        )
    })
}

fn parse_orderby(value: &str, directory: bool) -> GraphResult<Vec<OrderBy>> {
    value
        .split(',')
        .map(|item| {
            let mut words = item.split_whitespace();
            let path = words.next().unwrap_or_default();
            let descending = match words.next() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(GraphError::bad_request(
                        directory,
                        format!("Syntax error in $orderby: unexpected '{other}'."),
                    ));
                }
            };
            if path.is_empty() || words.next().is_some() || !path.split('/').all(is_identifier) {
                return Err(GraphError::bad_request(directory, format!("Syntax error in $orderby: '{value}'.")));
            }
            Ok(OrderBy { path: path.to_string(), descending })
        })
        .collect()
}

/// Splits at commas that are not inside parentheses.
fn split_top_level(value: &str, separator: char) -> Option<Vec<&str>> {
    let mut depth = 0i32;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            c if c == separator && depth == 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return None;
    }
    parts.push(&value[start..]);
    Some(parts)
}

fn parse_expand(value: &str, directory: bool) -> GraphResult<Vec<Expand>> {
    let syntax = || GraphError::bad_request(directory, format!("Syntax error in $expand: '{value}'."));
    let items = split_top_level(value, ',').ok_or_else(syntax)?;
    items
        .into_iter()
        .map(|item| {
            let item = item.trim();
            let (property, nested) = match item.find('(') {
                Some(open) if item.ends_with(')') => (&item[..open], Some(&item[open + 1..item.len() - 1])),
                Some(_) => return Err(syntax()),
                None => (item, None),
            };
            if !is_identifier(property) {
                return Err(syntax());
            }
            let mut expand =
                Expand { property: property.to_string(), select: None, levels_max: false, expand: Vec::new() };
            let options = match nested {
                Some(nested) => split_top_level(nested, ';').ok_or_else(syntax)?,
                None => Vec::new(),
            };
            for option in options {
                let (name, val) = option.split_once('=').ok_or_else(syntax)?;
                match name.trim().to_ascii_lowercase().as_str() {
                    "$select" => expand.select = Some(parse_select(val.trim(), directory)?),
                    "$levels" if val.trim() == "max" => expand.levels_max = true,
                    "$expand" if expand.expand.is_empty() => expand.expand = parse_expand(val.trim(), directory)?,
                    _ => {
                        return Err(GraphError::bad_request(
                            directory,
                            format!("Query option '{}' is not supported inside $expand.", name.trim()),
                        ));
                    }
                }
            }
            Ok(expand)
        })
        .collect()
}

/// `"displayName:kar" OR "mail:kar"`; `AND` binds tighter than `OR`.
fn parse_search(value: &str, directory: bool) -> GraphResult<Search> {
    let syntax = |why: &str| GraphError::bad_request(directory, format!("Syntax error in $search: {why}."));
    let mut tokens: Vec<SearchToken> = Vec::new();
    let mut rest = value.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            let close = after.find('"').ok_or_else(|| syntax("unterminated quote"))?;
            let clause = &after[..close];
            let (property, text) =
                clause.split_once(':').ok_or_else(|| syntax("each clause must have the form \"property:text\""))?;
            if !is_identifier(property.trim()) || text.trim().is_empty() {
                return Err(syntax("each clause must have the form \"property:text\""));
            }
            tokens.push(SearchToken::Clause(Search::Clause {
                property: property.trim().to_string(),
                text: text.trim().to_string(),
            }));
            rest = after[close + 1..].trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            match &rest[..end] {
                "AND" => tokens.push(SearchToken::And),
                "OR" => tokens.push(SearchToken::Or),
                other => return Err(syntax(&format!("unexpected '{other}'; clauses must be quoted"))),
            }
            rest = rest[end..].trim_start();
        }
    }
    let mut position = 0;
    let search = parse_or(&tokens, &mut position).ok_or_else(|| syntax("incomplete expression"))?;
    if position != tokens.len() {
        return Err(syntax("clauses must be joined by AND or OR"));
    }
    Ok(search)
}

enum SearchToken {
    Clause(Search),
    And,
    Or,
}

fn parse_or(tokens: &[SearchToken], position: &mut usize) -> Option<Search> {
    let mut left = parse_and(tokens, position)?;
    while let Some(SearchToken::Or) = tokens.get(*position) {
        *position += 1;
        let right = parse_and(tokens, position)?;
        left = Search::Or(Box::new(left), Box::new(right));
    }
    Some(left)
}

fn parse_and(tokens: &[SearchToken], position: &mut usize) -> Option<Search> {
    let mut left = clause(tokens, position)?;
    while let Some(SearchToken::And) = tokens.get(*position) {
        *position += 1;
        let right = clause(tokens, position)?;
        left = Search::And(Box::new(left), Box::new(right));
    }
    Some(left)
}

fn clause(tokens: &[SearchToken], position: &mut usize) -> Option<Search> {
    match tokens.get(*position) {
        Some(SearchToken::Clause(c)) => {
            *position += 1;
            Some(c.clone())
        }
        _ => None,
    }
}

/// Tokenised prefix matching, as Graph's `$search` on directory objects: every word of the
/// search text must start some word of the property value (words split at non-alphanumeric
/// characters and lower-to-upper case changes), ignoring case.
pub fn search_matches(search: &Search, item: &serde_json::Value) -> bool {
    match search {
        Search::And(a, b) => search_matches(a, item) && search_matches(b, item),
        Search::Or(a, b) => search_matches(a, item) || search_matches(b, item),
        Search::Clause { property, text } => {
            let Some(value) = item.get(property).and_then(serde_json::Value::as_str) else {
                return false;
            };
            let words = tokenize(value);
            tokenize(text).iter().all(|term| words.iter().any(|w| w.starts_with(term.as_str())))
        }
    }
}

fn tokenize(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// An opaque paging token for an offset into a collection.
pub fn encode_skiptoken(offset: usize) -> String {
    let check = (offset as u64).wrapping_mul(0x9E37_79B9) ^ 0x5EED;
    format!("RFNwdAIA{offset:x}x{check:x}")
}

fn decode_skiptoken(token: &str) -> Option<usize> {
    let body = token.strip_prefix("RFNwdAIA")?;
    let (offset, check) = body.split_once('x')?;
    let offset = usize::from_str_radix(offset, 16).ok()?;
    let expected = (offset as u64).wrapping_mul(0x9E37_79B9) ^ 0x5EED;
    (u64::from_str_radix(check, 16).ok()? == expected).then_some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_options_graph_accepts() {
        let q = parse(
            Some("$select=id,displayName&$top=5&$orderby=displayName%20desc&$count=true&$expand=manager($select=id,displayName;$levels=max)&$filter=accountEnabled%20eq%20true"),
            true,
        )
        .expect("valid");
        assert_eq!(q.select, Some(vec!["id".to_string(), "displayName".to_string()]));
        assert_eq!(q.top, Some(5));
        assert_eq!(q.orderby, vec![OrderBy { path: "displayName".into(), descending: true }]);
        assert!(q.count);
        assert_eq!(q.expand[0].property, "manager");
        assert!(q.expand[0].levels_max);
        assert!(q.filter.is_some());
        assert_eq!(q.raw_without_skiptoken.len(), 6);
    }

    #[test]
    fn parses_a_nested_expand() {
        let q = parse(
            Some("$expand=resourceRoleScopes($expand=role,scope($select=id)),catalog($select=id;$expand=x)"),
            false,
        )
        .expect("valid");
        assert_eq!(q.expand.len(), 2);
        assert_eq!(q.expand[0].expand.len(), 2);
        assert_eq!(q.expand[0].expand[1].property, "scope");
        assert_eq!(q.expand[0].expand[1].select, Some(vec!["id".to_string()]));
        assert_eq!(q.expand[1].expand[0].property, "x");
        assert!(parse(Some("$expand=a($expand=b;$expand=c)"), false).is_err(), "one nested $expand per item");
        assert!(parse(Some("$expand=a($expand=b(c)"), false).is_err());
    }

    #[test]
    fn refuses_unknown_duplicate_and_malformed_options() {
        for bad in [
            "$skip=2",
            "foo=bar",
            "$top=0",
            "$top=x",
            "$count=yes",
            "$top=1&$top=2",
            "$filter=displayName%20eq",
            "$search=kar",
            "$skiptoken=abc",
        ] {
            let err = parse(Some(bad), true).expect_err(bad);
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    #[test]
    fn skiptokens_round_trip_and_reject_tampering() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(300)), Some(300));
        assert_eq!(decode_skiptoken("RFNwdAIA12cx0"), None);
    }

    #[test]
    fn search_is_tokenised_prefix_matching() {
        let s = parse_search("\"displayName:kar\" OR \"mail:zzz\"", true).expect("valid");
        let karita = serde_json::json!({"displayName": "Karita Ahlberg", "mail": "karita@woodgrovebank.com"});
        assert!(search_matches(&s, &karita));
        let s = parse_search("\"displayName:ahl\"", true).expect("valid");
        assert!(search_matches(&s, &karita));
        let s = parse_search("\"displayName:rita\"", true).expect("valid");
        assert!(!search_matches(&s, &karita));
        let s = parse_search("\"displayName:o'brien\"", true).expect("valid");
        assert!(search_matches(&s, &serde_json::json!({"displayName": "Siobhan O'Brien"})));
    }
}
