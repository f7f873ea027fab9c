//! Devices as answers show them, for the skills that read devices (the `devices` toolset, a
//! user's devices): the fields read, the row, and join types in an admin's words.

use schemars::JsonSchema;
use serde::Serialize;

use crate::graph::resources::Device;

pub const DEVICE_FIELDS: &[&str] = &[
    "id",
    "deviceId",
    "displayName",
    "operatingSystem",
    "operatingSystemVersion",
    "trustType",
    "isCompliant",
    "isManaged",
    "accountEnabled",
    "approximateLastSignInDateTime",
    "registrationDateTime",
];

/// One device as the device skills show it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DeviceRow {
    pub id: String,
    /// The device's own id (`deviceId`), as sign-in logs show it.
    pub device_id: Option<String>,
    pub display_name: Option<String>,
    pub os: Option<String>,
    pub os_version: Option<String>,
    /// `entra_joined`, `registered` (personal, workplace-joined) or `hybrid_joined`.
    pub join_type: Option<String>,
    pub compliant: Option<bool>,
    pub managed: Option<bool>,
    pub enabled: Option<bool>,
    pub last_seen: Option<String>,
    pub registered: Option<String>,
}

impl From<Device> for DeviceRow {
    fn from(d: Device) -> DeviceRow {
        DeviceRow {
            join_type: join_type(d.trust_type.as_deref()),
            id: d.id,
            device_id: d.device_id,
            display_name: d.display_name,
            os: d.operating_system,
            os_version: d.operating_system_version,
            compliant: d.is_compliant,
            managed: d.is_managed,
            enabled: d.account_enabled,
            last_seen: d.approximate_last_sign_in_date_time,
            registered: d.registration_date_time,
        }
    }
}

/// Graph's `trustType` as an admin says it.
pub fn join_type(trust_type: Option<&str>) -> Option<String> {
    trust_type.map(|t| match t {
        "AzureAd" => "entra_joined".to_string(),
        "Workplace" => "registered".to_string(),
        "ServerAd" => "hybrid_joined".to_string(),
        other => other.to_string(),
    })
}
