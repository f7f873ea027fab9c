//! What the workload-identity risk skills share: risky service principals and their detections
//! as Graph returns them, the fields read, and risky service principals as rows.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::SignInLocation;
use crate::render::{or_dash, short_time, table};

pub const RISKY_SERVICE_PRINCIPAL_FIELDS: &[&str] =
    &["id", "appId", "displayName", "isEnabled", "riskLevel", "riskState", "riskDetail", "riskLastUpdatedDateTime"];

pub const SERVICE_PRINCIPAL_DETECTION_FIELDS: &[&str] = &[
    "id",
    "riskEventType",
    "riskLevel",
    "riskState",
    "riskDetail",
    "detectedDateTime",
    "activityDateTime",
    "ipAddress",
    "location",
    "detectionTimingType",
    "additionalInfo",
];

/// `riskyServicePrincipal` (and, with `activity` and `initiatedBy`, its history items).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RiskyServicePrincipal {
    pub id: String,
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    pub is_enabled: Option<bool>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub risk_last_updated_date_time: Option<String>,
    pub initiated_by: Option<String>,
    pub activity: Option<RiskActivity>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RiskActivity {
    pub risk_event_types: Vec<String>,
}

/// `servicePrincipalRiskDetection`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServicePrincipalDetection {
    pub id: String,
    pub risk_event_type: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub detected_date_time: Option<String>,
    pub activity_date_time: Option<String>,
    pub ip_address: Option<String>,
    pub location: Option<SignInLocation>,
    pub detection_timing_type: Option<String>,
    pub additional_info: Option<String>,
}

/// One risky service principal in a list or an answer.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskyAppRow {
    /// The service principal's object id.
    pub id: String,
    pub display_name: Option<String>,
    pub app_id: Option<String>,
    pub risk_level: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    /// When the risk last changed (UTC).
    pub updated: Option<String>,
}

impl From<RiskyServicePrincipal> for RiskyAppRow {
    fn from(r: RiskyServicePrincipal) -> Self {
        RiskyAppRow {
            id: r.id,
            display_name: r.display_name,
            app_id: r.app_id,
            risk_level: r.risk_level,
            risk_state: r.risk_state,
            risk_detail: r.risk_detail,
            updated: r.risk_last_updated_date_time,
        }
    }
}

pub fn app_table(rows: &[RiskyAppRow]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                or_dash(&r.display_name),
                or_dash(&r.risk_level),
                or_dash(&r.risk_state),
                or_dash(&r.risk_detail),
                r.updated.as_deref().map(short_time).unwrap_or_default(),
                or_dash(&r.app_id),
                r.id.clone(),
            ]
        })
        .collect();
    table(&["app", "level", "state", "detail", "updated (UTC)", "appId", "id"], &body)
}
