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
