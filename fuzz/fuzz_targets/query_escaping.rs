//! Fuzzes the query builder's escaping with arbitrary text as filter literals, a `$search` term
//! and a path segment: the encoded query splits into exactly the parameters the builder set,
//! `$filter` decodes and parses back to the same tree, the search term cannot leave its quotes,
//! and the path segment decodes to the text and cannot split the path.

#![no_main]

use entra_mcp::graph::{Query, segment};
use entra_mcp::odata::{Expr, Literal, parse_filter};
use libfuzzer_sys::fuzz_target;
use percent_encoding::percent_decode_str;

const MAX_LEN: usize = 4096;
const NAMES: [&str; 6] = ["$select", "$filter", "$search", "$orderby", "$top", "$count"];

fn decode(value: &str) -> String {
    percent_decode_str(value).decode_utf8().unwrap_or_else(|e| panic!("not UTF-8 after decoding: {e}")).into_owned()
}

/// The term inside `"displayName:…"`, unescaped; panics if a quote could end it early.
fn search_term(value: &str) -> String {
    let inner = value
        .strip_prefix("\"displayName:")
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or_else(|| panic!("search value is not one quoted term: {value}"));
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next().unwrap_or_else(|| panic!("dangling escape in {value}"))),
            '"' => panic!("an unescaped quote ends the search term early: {value}"),
            c => out.push(c),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let split = text.char_indices().nth(text.chars().count() / 2).map(|(i, _)| i).unwrap_or(0);
    let (first, second) = text.split_at(split);

    let filter = Expr::eq("displayName", first)
        .and(Expr::starts_with("mail", second))
        .or(Expr::is_in("department", vec![Literal::from(second), Literal::from(&*text)]).negate())
        .and(Expr::any("targetResources", "t", Expr::ne("t/displayName", &*text)));
    let query = Query::new()
        .select(&["id", "displayName"])
        .filter(filter.clone())
        .search("displayName", &*text)
        .orderby("displayName")
        .top(5)
        .count();
    let encoded = query.encode();
    for c in [' ', '#', '+', '"', '\n'] {
        assert!(!encoded.contains(c), "{c:?} left unencoded: {encoded}");
    }
    let pairs: Vec<(&str, String)> = encoded
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or_else(|| panic!("a parameter without '=': {pair}"));
            assert!(!value.contains('='), "'=' left unencoded in {name}: {value}");
            (name, decode(value))
        })
        .collect();
    let names: Vec<&str> = pairs.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, NAMES, "the text split or added a parameter: {encoded}");

    let printed = &pairs[1].1;
    assert_eq!(printed, &filter.to_string());
    if printed.chars().count() <= MAX_LEN {
        let parsed = parse_filter(printed).unwrap_or_else(|e| panic!("$filter does not parse: {e}\n{printed}"));
        assert_eq!(parsed, filter, "$filter reads back differently: {printed}");
    }
    assert_eq!(search_term(&pairs[2].1), *text);

    let seg = segment(&text);
    for c in ['/', '?', '#', ' ', '\'', '&', '\\'] {
        assert!(!seg.contains(c), "{c:?} left in a path segment: {seg}");
    }
    assert_eq!(decode(&seg), *text);
});
