//! Evaluates a `$filter` against one JSON object the way Graph would, for the demo emulator's
//! synthetic tenant, and orders JSON values for its `$orderby`.
//!
//! Graph's semantics, as far as the demo needs them: string matching is case-insensitive,
//! strings holding date-times compare as instants, a missing property is `null`, and comparing
//! values of different types is false (so `ne` is true).

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::ast::{CmpOp, Expr, Literal, Path};

/// What a missing property reads as.
static NULL: Value = Value::Null;

/// Whether `item` (a Graph resource as JSON, camelCase keys) matches `expr`.
pub fn evaluate(expr: &Expr, item: &Value) -> bool {
    Scope { item, vars: Vec::new() }.test(expr)
}

/// The total order `$orderby` sorts by: `null`, then booleans, numbers, date-time strings (by
/// instant), other strings (case-insensitively), arrays, objects.
pub fn compare_json(a: &Value, b: &Value) -> Ordering {
    rank(a).cmp(&rank(b)).then_with(|| match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => float(x).total_cmp(&float(y)),
        },
        (Value::String(x), Value::String(y)) => {
            let by_value = match (instant(x), instant(y)) {
                (Some(s), Some(t)) => s.cmp(&t),
                _ => cmp_ignore_case(x, y),
            };
            // Ties broken by the exact text, so equal-looking values still sort the same way.
            by_value.then_with(|| x.cmp(y))
        }
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .map(|(a, b)| compare_json(a, b))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| x.len().cmp(&y.len())),
        _ => Ordering::Equal,
    })
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(s) if instant(s).is_some() => 3,
        Value::String(_) => 4,
        Value::Array(_) => 5,
        Value::Object(_) => 6,
    }
}

fn float(n: &serde_json::Number) -> f64 {
    n.as_f64().unwrap_or(f64::NAN)
}

/// The item being tested and the lambda variables bound around the current expression.
struct Scope<'a> {
    item: &'a Value,
    /// Innermost last; an inner lambda can read an outer one's variable.
    vars: Vec<(&'a str, &'a Value)>,
}

impl<'a> Scope<'a> {
    fn test(&mut self, expr: &'a Expr) -> bool {
        match expr {
            Expr::Compare { path, op, value } => compare(&self.resolve(path), *op, value),
            Expr::In { path, values } => {
                let actual = self.resolve(path);
                values.iter().any(|v| compare(&actual, CmpOp::Eq, v))
            }
            Expr::StartsWith { path, prefix } => {
                matches!(&*self.resolve(path), Value::String(s) if s.to_lowercase().starts_with(&prefix.to_lowercase()))
            }
            Expr::EndsWith { path, suffix } => {
                matches!(&*self.resolve(path), Value::String(s) if s.to_lowercase().ends_with(&suffix.to_lowercase()))
            }
            Expr::Contains { path, text } => {
                matches!(&*self.resolve(path), Value::String(s) if s.to_lowercase().contains(&text.to_lowercase()))
            }
            Expr::And(a, b) => self.test(a) && self.test(b),
            Expr::Or(a, b) => self.test(a) || self.test(b),
            Expr::Not(inner) => !self.test(inner),
            Expr::Any { path, body: None, .. } => !self.collection(path).is_empty(),
            Expr::Any { path, var, body: Some(body) } => {
                self.collection(path).iter().any(|element| self.with(var, element, body))
            }
            Expr::All { path, var, body } => self.collection(path).iter().all(|element| self.with(var, element, body)),
        }
    }

    /// Tests `body` with `var` bound to `value`.
    fn with(&mut self, var: &'a str, value: &'a Value, body: &'a Expr) -> bool {
        self.vars.push((var, value));
        let result = self.test(body);
        self.vars.pop();
        result
    }

    /// The elements a lambda ranges over; a missing or non-array property has none.
    fn collection(&self, path: &'a Path) -> &'a [Value] {
        match self.resolve(path) {
            Cow::Borrowed(Value::Array(items)) => items,
            _ => &[],
        }
    }

    /// Reads a path, starting at a lambda variable if the first segment names one in scope.
    fn resolve(&self, path: &'a Path) -> Cow<'a, Value> {
        let Some((first, rest)) = path.0.split_first() else {
            return Cow::Borrowed(&NULL);
        };
        let (mut current, rest) = match self.vars.iter().rev().find(|(var, _)| var == first) {
            Some(&(_, value)) => (value, rest),
            None => (self.item, &path.0[..]),
        };
        for segment in rest {
            if segment == "$count" {
                return Cow::Owned(match current {
                    Value::Array(items) => items.len().into(),
                    Value::Null => 0.into(),
                    _ => Value::Null,
                });
            }
            current = current.get(segment.as_str()).unwrap_or(&NULL);
        }
        Cow::Borrowed(current)
    }
}

fn compare(actual: &Value, op: CmpOp, expected: &Literal) -> bool {
    if *expected == Literal::Null {
        return match op {
            CmpOp::Eq => actual.is_null(),
            CmpOp::Ne => !actual.is_null(),
            _ => false,
        };
    }
    let order = order(actual, expected);
    match op {
        CmpOp::Eq => order == Some(Ordering::Equal),
        CmpOp::Ne => order != Some(Ordering::Equal),
        CmpOp::Gt => order == Some(Ordering::Greater),
        CmpOp::Ge => matches!(order, Some(Ordering::Greater | Ordering::Equal)),
        CmpOp::Lt => order == Some(Ordering::Less),
        CmpOp::Le => matches!(order, Some(Ordering::Less | Ordering::Equal)),
    }
}

/// How a JSON value orders against a literal, or `None` when their types don't compare.
fn order(actual: &Value, expected: &Literal) -> Option<Ordering> {
    match (actual, expected) {
        (Value::String(s), Literal::String(t)) => Some(match (instant(s), instant(t)) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => cmp_ignore_case(s, t),
        }),
        (Value::String(s), Literal::Guid(id)) => Some(match Uuid::parse_str(s) {
            Ok(actual) => actual.cmp(id),
            Err(_) => cmp_ignore_case(s, &id.to_string()),
        }),
        (Value::String(s), Literal::DateTime(t)) => instant(s).map(|a| a.cmp(t)),
        (Value::Number(n), Literal::Int(i)) => match n.as_i64() {
            Some(a) => Some(a.cmp(i)),
            None => float(n).partial_cmp(&(*i as f64)),
        },
        (Value::Number(n), Literal::Float(x)) => float(n).partial_cmp(x),
        (Value::Bool(a), Literal::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.to_utc())
}

fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    a.chars().flat_map(char::to_lowercase).cmp(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::parse_filter;
    use serde_json::json;

    fn sign_in() -> Value {
        json!({
            "id": "66ea54eb-6301-4ee5-be62-ff5a759b8100",
            "userPrincipalName": "Adele.Vance@contoso.com",
            "createdDateTime": "2026-11-20T08:30:00Z",
            "status": { "errorCode": 50126, "failureReason": "Invalid password" },
            "location": { "city": "Redmond", "countryOrRegion": "US" },
            "riskLevelDuringSignIn": null,
            "appliedConditionalAccessPolicies": [
                { "id": "0A0B0C0D-0000-4000-8000-000000000001", "result": "success",
                  "enforcedGrantControls": ["Mfa"] },
                { "id": "0a0b0c0d-0000-4000-8000-000000000002", "result": "notApplied",
                  "enforcedGrantControls": [] }
            ],
            "signInEventTypes": ["interactiveUser"],
            "assignedLicenses": []
        })
    }

    fn matches(filter: &str) -> bool {
        evaluate(&parse_filter(filter).expect(filter), &sign_in())
    }

    #[test]
    fn compares_nested_properties_numbers_and_strings() {
        assert!(matches("status/errorCode eq 50126"));
        assert!(matches("status/errorCode ne 0"));
        assert!(matches("status/errorCode gt 50000 and status/errorCode le 50126"));
        assert!(matches("location/city eq 'REDMOND'"));
        assert!(matches("startswith(userPrincipalName,'adele')"));
        assert!(matches("endswith(userPrincipalName,'@CONTOSO.com')"));
        assert!(matches("location/countryOrRegion in ('GB','us')"));
        assert!(!matches("location/city eq 'Seattle' or not(status/errorCode eq 50126)"));
    }

    #[test]
    fn dates_compare_as_instants() {
        assert!(matches("createdDateTime ge 2026-11-20T08:00:00Z"));
        assert!(matches("createdDateTime lt 2026-11-20T10:00:00+01:00"));
        assert!(!matches("createdDateTime gt 2026-11-20T08:30:00.000Z"));
        assert!(matches("createdDateTime eq 2026-11-20T09:30:00+01:00"));
        // Graph writes seven fractional digits.
        let item = json!({ "lastSignInDateTime": "2026-11-20T08:00:00.1234567Z" });
        let after = parse_filter("lastSignInDateTime gt 2026-11-20T08:00:00Z").unwrap();
        assert!(evaluate(&after, &item));
    }

    #[test]
    fn nulls_missing_properties_and_type_mismatches() {
        assert!(matches("riskLevelDuringSignIn eq null"));
        assert!(matches("deviceDetail/browser eq null"));
        assert!(matches("userPrincipalName ne null"));
        assert!(!matches("status/errorCode eq '50126'"));
        assert!(matches("status/errorCode ne '50126'"));
        assert!(!matches("status/errorCode gt null"));
    }

    #[test]
    fn lambdas_over_objects_and_primitives() {
        assert!(matches("appliedConditionalAccessPolicies/any(p:p/result eq 'success')"));
        assert!(matches("appliedConditionalAccessPolicies/any(p:p/id eq 0a0b0c0d-0000-4000-8000-000000000001)"));
        assert!(!matches("appliedConditionalAccessPolicies/all(p:p/result eq 'success')"));
        assert!(matches("signInEventTypes/any(t: t eq 'interactiveUser')"));
        assert!(!matches("signInEventTypes/any(t: t eq 'nonInteractiveUser')"));
        assert!(matches("appliedConditionalAccessPolicies/any()"));
        assert!(!matches("assignedLicenses/any()"));
        assert!(!matches("missing/any()"));
        assert!(matches("missing/all(m: m eq 1)"));
    }

    #[test]
    fn nested_lambdas_see_outer_variables() {
        assert!(matches(
            "appliedConditionalAccessPolicies/any(p: p/enforcedGrantControls/any(g: g eq 'mfa' and p/result eq 'success'))"
        ));
        assert!(!matches(
            "appliedConditionalAccessPolicies/any(p: p/enforcedGrantControls/any(g: g eq 'mfa' and p/result eq 'notApplied'))"
        ));
    }

    #[test]
    fn count_is_array_length() {
        assert!(matches("assignedLicenses/$count eq 0"));
        assert!(matches("appliedConditionalAccessPolicies/$count eq 2"));
        assert!(matches("noSuchCollection/$count eq 0"));
        assert!(matches("appliedConditionalAccessPolicies/any(p: p/enforcedGrantControls/$count ge 1)"));
    }

    #[test]
    fn compare_json_orders_for_orderby() {
        let mut values = vec![
            json!("banana"),
            json!("2026-11-20T09:00:00+02:00"),
            json!(10),
            json!("Apple"),
            json!(null),
            json!(2.5),
            json!(true),
            json!("2026-11-20T08:00:00Z"),
            json!(false),
        ];
        values.sort_by(compare_json);
        assert_eq!(
            values,
            [
                json!(null),
                json!(false),
                json!(true),
                json!(2.5),
                json!(10),
                json!("2026-11-20T09:00:00+02:00"),
                json!("2026-11-20T08:00:00Z"),
                json!("Apple"),
                json!("banana"),
            ]
        );
        assert_eq!(compare_json(&json!("abc"), &json!("ABC")), Ordering::Greater);
    }
}
