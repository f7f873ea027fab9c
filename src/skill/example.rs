//! Examples: a skill's demo-tenant calls and the facts each answer must hold. They are the
//! skill's tests (the end-to-end suites over stdio and HTTP, the fault matrix and the soak run
//! every example of every enabled skill), its documentation (the catalog page shows the first
//! as a ready command) and `find_skills`' vocabulary (the question an admin would ask).
//!
//! A fact names a place in `structuredContent` with a path of field names and `*` for every
//! element of an array (`users/*/upn`), and a JSON value it must hold; a value written as
//! `"~text"` matches any string containing `text`.

use serde_json::Value;

use crate::error::ErrorKind;

/// One demo-tenant call of a skill.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// The question as an admin would ask it.
    pub question: &'static str,
    /// The arguments, as a JSON object.
    pub args: &'static str,
    /// What the answer must (and must not) contain.
    pub facts: &'static [Fact],
}

/// Something an example's answer must hold.
#[derive(Debug, Clone, Copy)]
pub enum Fact {
    /// The markdown contains this text.
    Says(&'static str),
    /// The markdown does not contain this text.
    NeverSays(&'static str),
    /// Every value at the path equals this JSON (and there is at least one).
    Every(&'static str, &'static str),
    /// Some value at the path equals this JSON.
    Some(&'static str, &'static str),
    /// No value at the path equals this JSON.
    No(&'static str, &'static str),
    /// At least this many values at the path (an array's `*`), or a number at least this big.
    AtLeast(&'static str, u64),
    /// Exactly this many values at the path.
    Count(&'static str, usize),
    /// The call fails with this error kind.
    Fails(ErrorKind),
}

/// The values a path reaches: `a/b` for fields, `*` for every element of an array.
pub fn values_at<'v>(value: &'v Value, path: &str) -> Vec<&'v Value> {
    let mut current = vec![value];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let mut next = Vec::new();
        for v in current {
            match (segment, v) {
                ("*", Value::Array(items)) => next.extend(items.iter()),
                (index, Value::Array(items)) if index.parse::<usize>().is_ok() => {
                    next.extend(index.parse::<usize>().ok().and_then(|i| items.get(i)));
                }
                (field, Value::Object(map)) => next.extend(map.get(field)),
                _ => {}
            }
        }
        current = next;
    }
    current
}

fn matches(actual: &Value, expected: &str) -> bool {
    if let Some(part) = expected.strip_prefix('~') {
        return actual.as_str().is_some_and(|s| s.contains(part));
    }
    match serde_json::from_str::<Value>(expected) {
        Ok(expected) => *actual == expected,
        // A bare word is a string.
        Err(_) => actual.as_str() == Some(expected),
    }
}

impl Fact {
    /// Checks the fact on an answer; `Err` says what is missing.
    pub fn check(&self, is_error: bool, structured: &Value, markdown: &str) -> Result<(), String> {
        let kind = structured.get("error").and_then(|e| e.get("kind")).and_then(Value::as_str);
        if let Fact::Fails(expected) = self {
            return if is_error && kind == Some(expected.as_str()) {
                Ok(())
            } else {
                Err(format!("expected a `{}` error, got {}", expected.as_str(), kind.unwrap_or("success")))
            };
        }
        // Text facts hold of an error's text too; the others need an answer.
        if is_error && !matches!(self, Fact::Says(_) | Fact::NeverSays(_)) {
            return Err(format!("the call failed: {markdown}"));
        }
        let ok = match *self {
            Fact::Says(text) => markdown.contains(text),
            Fact::NeverSays(text) => !markdown.contains(text),
            Fact::Every(path, expected) => {
                let values = values_at(structured, path);
                !values.is_empty() && values.iter().all(|v| matches(v, expected))
            }
            Fact::Some(path, expected) => values_at(structured, path).iter().any(|v| matches(v, expected)),
            Fact::No(path, expected) => !values_at(structured, path).iter().any(|v| matches(v, expected)),
            Fact::AtLeast(path, n) => {
                let values = values_at(structured, path);
                match values.as_slice() {
                    [single] if single.is_number() => single.as_u64().is_some_and(|v| v >= n),
                    _ => values.len() as u64 >= n,
                }
            }
            Fact::Count(path, n) => values_at(structured, path).len() == n,
            Fact::Fails(_) => true,
        };
        if ok { Ok(()) } else { Err(format!("{self:?} does not hold")) }
    }
}

impl Example {
    /// The arguments as a JSON object (an example with bad JSON fails its tests).
    pub fn arguments(&self) -> Result<serde_json::Map<String, Value>, String> {
        match serde_json::from_str::<Value>(self.args) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(format!("example args are not a JSON object: {}", self.args)),
        }
    }

    /// Every fact that does not hold, with the question it belongs to.
    pub fn check(&self, is_error: bool, structured: &Value, markdown: &str) -> Vec<String> {
        self.facts
            .iter()
            .filter_map(|f| f.check(is_error, structured, markdown).err())
            .map(|e| format!("\"{}\" {}: {e}", self.question, self.args))
            .collect()
    }

    /// Whether this example shows a refusal rather than an answer.
    pub fn expects_failure(&self) -> bool {
        self.facts.iter().any(|f| matches!(f, Fact::Fails(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_reach_fields_and_array_elements() {
        let answer = json!({"users": [{"upn": "a@x.com", "n": 3}, {"upn": "b@x.com", "n": 5}], "total": 2});
        assert_eq!(values_at(&answer, "users/*/upn").len(), 2);
        assert_eq!(values_at(&answer, "users/1/upn"), [&json!("b@x.com")]);
        assert!(Fact::Some("users/*/upn", "a@x.com").check(false, &answer, "").is_ok());
        assert!(Fact::Some("users/*/upn", "c@x.com").check(false, &answer, "").is_err());
        assert!(Fact::Every("users/*/upn", "~@x.com").check(false, &answer, "").is_ok());
        assert!(Fact::No("users/*/upn", "b@x.com").check(false, &answer, "").is_err());
        assert!(Fact::AtLeast("total", 2).check(false, &answer, "").is_ok());
        assert!(Fact::AtLeast("total", 3).check(false, &answer, "").is_err());
        assert!(Fact::AtLeast("users/*", 2).check(false, &answer, "").is_ok());
        assert!(Fact::Count("users/*", 2).check(false, &answer, "").is_ok());
        assert!(Fact::Every("missing", "1").check(false, &answer, "").is_err(), "no value is not every value");
        assert!(Fact::Says("Karita").check(false, &answer, "Karita Ahlberg").is_ok());
        assert!(Fact::NeverSays("Karita").check(false, &answer, "Karita Ahlberg").is_err());
    }

    #[test]
    fn failures_are_facts_only_when_declared() {
        let error = json!({"error": {"kind": "not_found"}});
        assert!(Fact::Fails(ErrorKind::NotFound).check(true, &error, "").is_ok());
        assert!(Fact::Fails(ErrorKind::InvalidInput).check(true, &error, "").is_err());
        assert!(Fact::Some("kind", "x").check(true, &error, "x").is_err(), "a failed call holds no answer facts");
        assert!(Fact::Says("next").check(true, &error, "next: x").is_ok(), "an error's text is checked");
    }
}
