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

/// The `$filter` of every risky list (users, service principals, agents): any of the given
/// states (default at risk and confirmed compromised, 1 to 5 of them) and, if given, one level.
/// `accepted` names the states this list takes, for the error.
pub fn risk_filter(
    states: Option<&[RiskState]>,
    level: Option<super::sign_ins::RiskLevel>,
    accepted: &str,
) -> Result<crate::odata::Expr, crate::error::SkillError> {
    use crate::error::SkillError;
    use crate::odata::Expr;
    let states = states.unwrap_or(&[RiskState::AtRisk, RiskState::ConfirmedCompromised]);
    if states.is_empty() || states.len() > 5 {
        return Err(SkillError::invalid_value("risk_state", "needs 1 to 5 states", accepted));
    }
    let filter = states
        .iter()
        .map(|s| Expr::eq("riskState", s.graph()))
        .reduce(Expr::or)
        .ok_or_else(|| SkillError::invalid("risk_state", "at least one state"))?;
    Ok(match level {
        Some(level) => filter.and(Expr::eq("riskLevel", level.graph())),
        None => filter,
    })
}
