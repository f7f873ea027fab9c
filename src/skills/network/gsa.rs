//! What the network skills share: the traffic log's rows as Graph returns them, the report
//! functions' window parameters, the Internet/Private Access licence named in errors, and
//! byte counts in words.

use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;
use crate::skill::SkillError;

/// Global Secure Access keeps traffic logs 30 days.
pub const TRAFFIC_RETENTION_DAYS: i64 = 30;

/// `GET /networkAccess/logs/traffic` (beta).
pub const TRAFFIC: &str = "/networkAccess/logs/traffic";

/// A report function's path with its window, as Graph takes DateTimeOffset parameters
/// (unquoted): `/networkAccess/reports/entitiesSummaries(startDateTime=…,endDateTime=…)`.
pub fn report(function: &str, start: DateTime<Utc>, end: DateTime<Utc>, extra: &[(&str, String)]) -> String {
    let mut parameters = format!("startDateTime={},endDateTime={}", instant(start), instant(end));
    for (name, value) in extra {
        parameters.push_str(&format!(",{name}={value}"));
    }
    format!("/networkAccess/reports/{function}({parameters})")
}

/// RFC 3339 with whole seconds and a `Z`.
pub fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A licence failure names the product it needs and what still works.
pub fn licensed(e: SkillError) -> SkillError {
    if e.kind == ErrorKind::LicenseRequired {
        e.with_remedy(
            "Global Secure Access data needs Microsoft Entra Internet Access or Private Access in the tenant; \
             sign-in logs (`list_sign_ins`) still show where users signed in from",
        )
    } else {
        e
    }
}

/// A web category as the traffic log names it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WebCategory {
    pub name: Option<String>,
    pub display_name: Option<String>,
}

impl WebCategory {
    pub fn label(&self) -> Option<String> {
        self.display_name.clone().or_else(|| self.name.clone())
    }
}

/// `networkAccessTraffic`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Traffic {
    pub transaction_id: Option<String>,
    pub created_date_time: Option<String>,
    pub user_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub action: Option<String>,
    pub traffic_type: Option<String>,
    #[serde(rename = "destinationFQDN")]
    pub destination_fqdn: Option<String>,
    pub destination_port: Option<i64>,
    pub destination_web_category: Option<WebCategory>,
    pub threat_type: Option<String>,
    pub policy_name: Option<String>,
    pub policy_rule_name: Option<String>,
    pub sent_bytes: Option<i64>,
    pub received_bytes: Option<i64>,
    pub resource_tenant_id: Option<String>,
    pub tenant_id: Option<String>,
}

impl Traffic {
    pub fn blocked(&self) -> bool {
        self.action.as_deref() == Some("block")
    }

    /// The resource's tenant, when it is not the caller's own.
    pub fn foreign_tenant(&self) -> Option<&str> {
        let resource = self.resource_tenant_id.as_deref().filter(|r| !r.is_empty())?;
        match self.tenant_id.as_deref() {
            Some(own) if own.eq_ignore_ascii_case(resource) => None,
            _ => Some(resource),
        }
    }

    pub fn user(&self) -> String {
        self.user_principal_name.clone().filter(|u| !u.is_empty()).or_else(|| self.user_id.clone()).unwrap_or_default()
    }
}

/// "12.4 MB".
pub fn bytes(n: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = n.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 { format!("{} B", n.max(0)) } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// A user's traffic volume in a window.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UserVolume {
    pub user: String,
    pub bytes_sent: i64,
    pub bytes_received: i64,
    pub total_bytes: i64,
    pub transactions: usize,
}
