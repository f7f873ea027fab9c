//! Fault injection for the Graph emulator: queued rules that make matching requests fail the
//! way Graph and the network do (throttling with `Retry-After`, 503, 504, slowness, a dropped
//! connection, a truncated body), so retry and error paths can be tested against the demo.
//!
//! Rules are set in-process through [`FaultInjector`] or over HTTP with
//! `POST /_emulator/faults` (a JSON list of rules) and cleared with `DELETE /_emulator/faults`.

use std::sync::{Arc, Mutex};

use serde::Deserialize;

/// What happens to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with an optional `Retry-After` (seconds).
    Throttle { retry_after: Option<u64> },
    /// 503.
    ServiceUnavailable,
    /// 504.
    GatewayTimeout,
    /// The normal answer, this many milliseconds late.
    Delay { ms: u64 },
    /// The connection is dropped without an answer.
    Reset,
    /// 200 with a JSON body cut short.
    MalformedJson,
}

/// A queued rule: the next `times` requests whose path and query contain `path_contains`
/// (all requests when `None`) get `fault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub path_contains: Option<String>,
    pub times: u32,
    pub fault: Fault,
}

impl FaultRule {
    /// One occurrence of `fault` on any request.
    pub fn new(fault: Fault) -> FaultRule {
        FaultRule { path_contains: None, times: 1, fault }
    }

    pub fn on_path(mut self, fragment: &str) -> FaultRule {
        self.path_contains = Some(fragment.to_string());
        self
    }

    pub fn times(mut self, times: u32) -> FaultRule {
        self.times = times;
        self
    }
}

/// The queue of rules. Cloning shares the queue.
#[derive(Debug, Clone, Default)]
pub struct FaultInjector {
    // A std mutex: the critical sections are a few instructions and never await.
    rules: Arc<Mutex<Vec<FaultRule>>>,
}

impl FaultInjector {
    pub fn push(&self, rule: FaultRule) {
        if rule.times > 0 {
            self.lock().push(rule);
        }
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Rules with occurrences left.
    pub fn pending(&self) -> usize {
        self.lock().len()
    }

    /// Consumes one occurrence of the first rule matching this path and query.
    pub fn take(&self, path_and_query: &str) -> Option<Fault> {
        let mut rules = self.lock();
        let index = rules
            .iter()
            .position(|r| r.path_contains.as_deref().is_none_or(|fragment| path_and_query.contains(fragment)))?;
        let fault = rules[index].fault.clone();
        rules[index].times -= 1;
        if rules[index].times == 0 {
            rules.remove(index);
        }
        Some(fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        // A panic while holding the lock leaves a plain Vec behind; it is still usable.
        self.rules.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The JSON form of a rule: `{"path_contains": "signIns", "times": 2, "fault": F}` where `F`
/// is `429`, `503`, `504`, `{"status": 429, "retry_after": 2}`, `{"delay_ms": 500}`, `"reset"`
/// or `"malformed_json"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleJson {
    path_contains: Option<String>,
    #[serde(default = "one")]
    times: u32,
    fault: FaultJson,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FaultJson {
    Status(u16),
    WithStatus { status: u16, retry_after: Option<u64> },
    Delay { delay_ms: u64 },
    Named(NamedFault),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum NamedFault {
    Reset,
    MalformedJson,
}

/// Parses a JSON list of rules (or a single rule).
pub fn parse_rules(body: &[u8]) -> Result<Vec<FaultRule>, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let list = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    list.into_iter()
        .map(|item| {
            let rule: RuleJson = serde_json::from_value(item).map_err(|e| format!("invalid fault rule: {e}"))?;
            let fault = match rule.fault {
                FaultJson::Status(status) => status_fault(status, None)?,
                FaultJson::WithStatus { status, retry_after } => status_fault(status, retry_after)?,
                FaultJson::Delay { delay_ms } => Fault::Delay { ms: delay_ms },
                FaultJson::Named(NamedFault::Reset) => Fault::Reset,
                FaultJson::Named(NamedFault::MalformedJson) => Fault::MalformedJson,
            };
            Ok(FaultRule { path_contains: rule.path_contains, times: rule.times, fault })
        })
        .collect()
}

fn status_fault(status: u16, retry_after: Option<u64>) -> Result<Fault, String> {
    match status {
        429 => Ok(Fault::Throttle { retry_after }),
        503 => Ok(Fault::ServiceUnavailable),
        504 => Ok(Fault::GatewayTimeout),
        other => Err(format!("unsupported fault status {other}; use 429, 503 or 504")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_by_path_and_run_out() {
        let faults = FaultInjector::default();
        faults.push(FaultRule::new(Fault::ServiceUnavailable).on_path("signIns").times(2));
        assert_eq!(faults.take("/v1.0/users"), None);
        assert_eq!(faults.take("/v1.0/auditLogs/signIns?$top=1"), Some(Fault::ServiceUnavailable));
        assert_eq!(faults.take("/v1.0/auditLogs/signIns"), Some(Fault::ServiceUnavailable));
        assert_eq!(faults.take("/v1.0/auditLogs/signIns"), None);
        assert_eq!(faults.pending(), 0);
    }

    #[test]
    fn parses_every_json_form() {
        let rules = parse_rules(
            br#"[{"fault": 429}, {"path_contains": "users", "times": 3, "fault": {"status": 429, "retry_after": 2}},
                 {"fault": 504}, {"fault": {"delay_ms": 50}}, {"fault": "reset"}, {"fault": "malformed_json"}]"#,
        )
        .expect("valid rules");
        assert_eq!(rules.len(), 6);
        assert_eq!(rules[1].fault, Fault::Throttle { retry_after: Some(2) });
        assert_eq!(rules[1].times, 3);
        assert_eq!(rules[3].fault, Fault::Delay { ms: 50 });
        assert_eq!(rules[4].fault, Fault::Reset);
        assert!(parse_rules(br#"{"fault": 500}"#).is_err());
        assert!(parse_rules(br#"{"fault": "explode"}"#).is_err());
    }
}
