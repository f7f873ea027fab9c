//! The OData query builder: `$select`, `$filter`, `$top`, `$orderby`, `$count`, `$search` and
//! `$expand`, encoded for a Graph URL.
//!
//! Field names are `&'static str` written in the code; the only values that come from a user are
//! filter literals (escaped by [`crate::odata::Literal`]'s printer), search terms (quoted and
//! escaped here) and path segments (percent-encoded by [`segment`]). There is no way to put raw
//! user text into a query.

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::odata::Expr;

/// Characters encoded in a query-string value. `+` and `&` must be, or Graph would read a space
/// or a new parameter; `'`, `(`, `)`, `,`, `/`, `:` and `$` stay readable.
const QUERY_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'=')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']')
    .add(b'?');

/// Characters encoded in one path segment: everything that could end or split the segment.
const PATH_SEGMENT: &AsciiSet = &QUERY_VALUE.add(b'/').add(b'\'').add(b';');

/// Percent-encodes one query-string value exactly as [`Query::encode`] does.
pub fn encode_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// Percent-encodes one path segment (an id or a UPN; a guest UPN's `#EXT#` becomes `%23EXT%23`).
pub fn segment(value: &str) -> String {
    utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

/// A Graph query. Build it with the chained setters; print it with [`Query::encode`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    select: Vec<&'static str>,
    filter: Option<Expr>,
    top: Option<usize>,
    orderby: Option<&'static str>,
    count: bool,
    search: Option<(&'static str, String)>,
    expand: Option<&'static str>,
}

impl Query {
    pub fn new() -> Self {
        Query::default()
    }

    /// `$select`: the fields the skill reads, and no more.
    pub fn select(mut self, fields: &[&'static str]) -> Self {
        self.select = fields.to_vec();
        self
    }

    pub fn filter(mut self, filter: Expr) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Sets the filter when there is one (e.g. from [`Expr::conjunction`]).
    pub fn filter_opt(mut self, filter: Option<Expr>) -> Self {
        self.filter = filter;
        self
    }

    pub fn top(mut self, top: usize) -> Self {
        self.top = Some(top);
        self
    }

    /// `$orderby`, e.g. `"createdDateTime desc"`.
    pub fn orderby(mut self, orderby: &'static str) -> Self {
        self.orderby = Some(orderby);
        self
    }

    /// `$count=true`: ask Graph for `@odata.count`.
    pub fn count(mut self) -> Self {
        self.count = true;
        self
    }

    /// `$search="property:term"`. The term is quoted; `"` and `\` inside it are escaped.
    pub fn search(mut self, property: &'static str, term: impl Into<String>) -> Self {
        self.search = Some((property, term.into()));
        self
    }

    /// `$expand`, e.g. `"manager($select=id,displayName,userPrincipalName)"`.
    pub fn expand(mut self, expand: &'static str) -> Self {
        self.expand = Some(expand);
        self
    }

    pub fn filter_expr(&self) -> Option<&Expr> {
        self.filter.as_ref()
    }

    /// Whether Graph's directory objects answer this only as an advanced query
    /// (`ConsistencyLevel: eventual` plus `$count=true`).
    pub fn is_advanced(&self) -> bool {
        self.search.is_some() || self.filter.as_ref().is_some_and(Expr::needs_advanced_query)
    }

    /// The parameters as (name, value) pairs, values unencoded: for display and replay.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if !self.select.is_empty() {
            pairs.push(("$select", self.select.join(",")));
        }
        if let Some(filter) = &self.filter {
            pairs.push(("$filter", filter.to_string()));
        }
        if let Some((property, term)) = &self.search {
            let escaped = term.replace('\\', "\\\\").replace('"', "\\\"");
            pairs.push(("$search", format!("\"{property}:{escaped}\"")));
        }
        if let Some(orderby) = self.orderby {
            pairs.push(("$orderby", orderby.to_string()));
        }
        if let Some(expand) = self.expand {
            pairs.push(("$expand", expand.to_string()));
        }
        if let Some(top) = self.top {
            pairs.push(("$top", top.to_string()));
        }
        if self.count {
            pairs.push(("$count", "true".to_string()));
        }
        pairs
    }

    /// The readable form, `$filter=userId eq '…'&$top=25`, as shown to admins.
    pub fn display(&self) -> String {
        self.pairs().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
    }

    /// The encoded query string (without `?`), ready for a URL.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (i, (name, value)) in self.pairs().iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            let _ = write!(out, "{name}={}", encode_value(value));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::{Expr, parse_filter};

    #[test]
    fn escapes_a_quote_in_a_filter_literal() {
        let q = Query::new().filter(Expr::eq("displayName", "Siobhan O'Brien"));
        assert_eq!(q.display(), "$filter=displayName eq 'Siobhan O''Brien'");
        assert_eq!(q.encode(), "$filter=displayName%20eq%20'Siobhan%20O''Brien'");
    }

    #[test]
    fn an_injection_attempt_stays_one_literal() {
        let hostile = "x' or userType eq 'Guest";
        let q = Query::new().filter(Expr::eq("userPrincipalName", hostile));
        let text = q.filter_expr().map(ToString::to_string).unwrap_or_default();
        assert_eq!(text, "userPrincipalName eq 'x'' or userType eq ''Guest'");
        // Parsing the printed filter gives back exactly one comparison with the hostile text.
        assert_eq!(parse_filter(&text).ok(), Some(Expr::eq("userPrincipalName", hostile)));
    }

    #[test]
    fn encodes_separators_that_would_split_the_query() {
        let q = Query::new().filter(Expr::eq("department", "R&D + Ops=1#"));
        assert_eq!(q.encode(), "$filter=department%20eq%20'R%26D%20%2B%20Ops%3D1%23'");
    }

    #[test]
    fn builds_select_top_orderby_count_in_a_stable_order() {
        let q = Query::new().select(&["id", "displayName"]).orderby("createdDateTime desc").top(25).count();
        assert_eq!(q.display(), "$select=id,displayName&$orderby=createdDateTime desc&$top=25&$count=true");
    }

    #[test]
    fn search_terms_are_quoted_and_escaped() {
        let q = Query::new().search("displayName", "ann \"x\" \\");
        assert_eq!(q.display(), "$search=\"displayName:ann \\\"x\\\" \\\\\"");
        assert!(q.is_advanced());
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(
            segment("ann_fabrikampartners.com#EXT#@woodgrovebank.onmicrosoft.com"),
            "ann_fabrikampartners.com%23EXT%23@woodgrovebank.onmicrosoft.com"
        );
        assert_eq!(segment("a/b?c d'e"), "a%2Fb%3Fc%20d%27e");
    }

    #[test]
    fn ne_filters_are_advanced_queries() {
        let q = Query::new().filter(Expr::ne("userType", "Member"));
        assert!(q.is_advanced());
        assert!(!Query::new().filter(Expr::eq("userType", "Member")).is_advanced());
    }
}
