//! Compact markdown shared by every skill: tables for lists, `key: value` lines for one object,
//! trimmed text and short UTC times. The reader is a model with a limited context window.

use std::fmt::Write as _;

/// Longest text kept in one field.
pub const MAX_TEXT: usize = 200;
/// Longest text kept in a table cell.
const MAX_CELL: usize = 80;

/// Trims text to `max` characters, marking the cut.
pub fn trim(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Trims optional text to [`MAX_TEXT`].
pub fn trim_opt(text: Option<String>) -> Option<String> {
    text.map(|t| trim(&t, MAX_TEXT))
}

/// `2026-11-21T08:05:31Z` → `2026-11-21 08:05` (UTC, minutes are enough to read a timeline).
pub fn short_time(time: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(time) {
        Ok(t) => t.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => time.to_string(),
    }
}

fn cell(text: &str) -> String {
    trim(text, MAX_CELL).replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// A markdown table. Cells are trimmed and escaped; an empty list renders as `none`.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return "none".to_string();
    }
    let mut out = String::new();
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.pop();
    out
}

/// `key: value` lines, skipping absent values.
pub fn fields(pairs: &[(&str, Option<String>)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if let Some(value) = value {
            let _ = writeln!(out, "{key}: {}", trim(value, MAX_TEXT).replace('\n', " "));
        }
    }
    out.pop();
    out
}

/// `yes`/`no` for a known flag.
pub fn yes_no(flag: Option<bool>) -> Option<String> {
    flag.map(|f| if f { "yes" } else { "no" }.to_string())
}

/// Optional text, or `-` in a table cell.
pub fn or_dash(text: &Option<String>) -> String {
    text.clone().unwrap_or_else(|| "-".to_string())
}

/// Keeps at most `max` items and says how many were dropped.
pub fn cap_list<T>(mut items: Vec<T>, max: usize) -> (Vec<T>, usize) {
    let dropped = items.len().saturating_sub(max);
    items.truncate(max);
    (items, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_escape_pipes_and_newlines_and_trim() {
        let long = "x".repeat(100);
        let t = table(&["a", "b"], &[vec!["1|2".into(), format!("line\n{long}")]]);
        assert_eq!(t.lines().count(), 3);
        assert!(t.contains("1\\|2"));
        assert!(t.contains('…'));
        assert!(!t.lines().nth(2).unwrap_or_default().contains('\n'));
        assert_eq!(table(&["a"], &[]), "none");
    }

    #[test]
    fn fields_skip_absent_values() {
        assert_eq!(fields(&[("id", Some("1".into())), ("mail", None), ("ok", yes_no(Some(true)))]), "id: 1\nok: yes");
    }

    #[test]
    fn times_are_short_utc() {
        assert_eq!(short_time("2026-11-21T08:05:31Z"), "2026-11-21 08:05");
        assert_eq!(short_time("2026-11-21T09:05:31+01:00"), "2026-11-21 08:05");
        assert_eq!(short_time("garbage"), "garbage");
    }

    #[test]
    fn trims_long_text() {
        assert_eq!(trim("abcdef", 4), "abc…");
        assert_eq!(trim("abc", 4), "abc");
    }
}
