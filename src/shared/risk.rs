//! Identity Protection's risk states and retention, shared by the risk skills and the
//! composites that summarise a user's risk.

use schemars::JsonSchema;
use serde::Deserialize;

/// Risk detections are kept 90 days.
pub const DETECTION_RETENTION_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RiskState {
    AtRisk,
    ConfirmedCompromised,
    Remediated,
    Dismissed,
    ConfirmedSafe,
}

impl RiskState {
    pub fn graph(self) -> &'static str {
        match self {
            RiskState::AtRisk => "atRisk",
            RiskState::ConfirmedCompromised => "confirmedCompromised",
            RiskState::Remediated => "remediated",
            RiskState::Dismissed => "dismissed",
            RiskState::ConfirmedSafe => "confirmedSafe",
        }
    }
}

/// How many rows of each risk level (`unknown` where Graph gave none): the head line of every
/// risky list — users, service principals, agents.
pub fn count_by_level<'a>(
    levels: impl IntoIterator<Item = Option<&'a str>>,
) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for level in levels {
        *counts.entry(level.unwrap_or("unknown").to_string()).or_insert(0) += 1;
    }
    counts
}

/// `high 2, low 1`.
pub fn level_counts_words(counts: &std::collections::BTreeMap<String, usize>) -> String {
    counts.iter().map(|(level, n)| format!("{level} {n}")).collect::<Vec<_>>().join(", ")
}
