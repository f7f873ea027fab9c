//! What the risk skills share: detections as rows and as a table, and the fields read of
//! risky users and detections.

use schemars::JsonSchema;
use serde::Serialize;

use crate::graph::resources::RiskDetection;
use crate::render::{or_dash, short_time, table};

pub const DETECTION_FIELDS: &[&str] = &[
    "id",
    "riskEventType",
    "riskLevel",
    "riskState",
    "detectedDateTime",
    "ipAddress",
    "location",
    "userPrincipalName",
    "detectionTimingType",
];

pub const RISKY_USER_FIELDS: &[&str] =
    &["id", "userDisplayName", "userPrincipalName", "riskLevel", "riskState", "riskDetail", "riskLastUpdatedDateTime"];

#[derive(Debug, Serialize, JsonSchema)]
pub struct DetectionRow {
    pub id: String,
    /// e.g. `passwordSpray`, `anonymizedIPAddress`, `unlikelyTravel`, `unfamiliarFeatures`.
    pub risk_event_type: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub detected: Option<String>,
    pub ip_address: Option<String>,
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `realtime` or `offline`.
    pub timing: Option<String>,
}

impl From<RiskDetection> for DetectionRow {
    fn from(d: RiskDetection) -> Self {
        let location = d.location.as_ref().map(|l| {
            [l.city.clone(), l.country_or_region.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ")
        });
        DetectionRow {
            id: d.id,
            risk_event_type: d.risk_event_type,
            risk_level: d.risk_level,
            risk_state: d.risk_state,
            detected: d.detected_date_time,
            ip_address: d.ip_address,
            location: location.filter(|l| !l.is_empty()),
            user: d.user_principal_name,
            timing: d.detection_timing_type,
        }
    }
}

pub fn detection_table(rows: &[DetectionRow], with_user: bool) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|d| {
            let mut row = vec![
                d.detected.as_deref().map(short_time).unwrap_or_default(),
                or_dash(&d.risk_event_type),
                or_dash(&d.risk_level),
                or_dash(&d.risk_state),
                or_dash(&d.ip_address),
                or_dash(&d.location),
            ];
            if with_user {
                row.insert(1, or_dash(&d.user));
            }
            row.push(d.id.clone());
            row
        })
        .collect();
    let mut headers = vec!["detected (UTC)", "type", "level", "state", "ip", "place", "id"];
    if with_user {
        headers.insert(1, "user");
    }
    table(&headers, &body)
}
