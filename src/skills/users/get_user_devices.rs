//! `get_user_devices`: the devices a user owns or is registered on.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Device;
use crate::graph::{GraphRequest, Query};
use crate::render::{or_dash, short_time, table, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

// get_user_devices

const GET_USER_DEVICES: Declaration = Declaration {
    name: "get_user_devices",
    title: "Get a user's devices",
    description: "A user's registered and owned devices: OS and version, join type, compliant, managed, last seen.",
    toolset: Toolset::Users,
    permissions: &["User.Read.All", "Device.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUserDevicesParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserDevice {
    #[serde(flatten)]
    pub device: DeviceRow,
    /// `owner`, `user`, or both.
    pub relation: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserDevices {
    pub devices: Vec<UserDevice>,
}

async fn get_user_devices(ctx: Ctx, p: GetUserDevicesParams) -> Result<UserDevices, SkillError> {
    let key = p.user.parse("user")?;
    let base = key.path();
    let query = || Query::new().select(DEVICE_FIELDS).top(100);
    let owned = GraphRequest::get(format!("{base}/ownedDevices")).query(query());
    let registered = GraphRequest::get(format!("{base}/registeredDevices")).query(query());
    let (owned, registered) =
        tokio::join!(ctx.graph.list::<Device>(owned, 500), ctx.graph.list::<Device>(registered, 500));
    let owned = owned.map_err(user_not_found(&key))?;
    let registered = registered.map_err(user_not_found(&key))?;
    let mut by_id: BTreeMap<String, UserDevice> = BTreeMap::new();
    for (relation, devices) in [("owner", owned.items), ("user", registered.items)] {
        for d in devices {
            by_id
                .entry(d.id.clone())
                .or_insert_with(|| UserDevice { device: DeviceRow::from(d), relation: Vec::new() })
                .relation
                .push(relation.to_string());
        }
    }
    let mut devices: Vec<UserDevice> = by_id.into_values().collect();
    devices.sort_by(|a, b| b.device.last_seen.cmp(&a.device.last_seen));
    Ok(UserDevices { devices })
}

impl Render for UserDevices {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .devices
            .iter()
            .map(|row| {
                let d = &row.device;
                vec![
                    or_dash(&d.display_name),
                    format!("{} {}", d.os.clone().unwrap_or_default(), d.os_version.clone().unwrap_or_default())
                        .trim()
                        .to_string(),
                    or_dash(&d.join_type),
                    yes_no(d.compliant).unwrap_or_else(|| "-".into()),
                    yes_no(d.managed).unwrap_or_else(|| "-".into()),
                    d.last_seen.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    row.relation.join("+"),
                    d.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} devices\n{}",
            self.devices.len(),
            table(&["device", "os", "join", "compliant", "managed", "last seen (UTC)", "relation", "id"], &rows)
        )
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "Which devices does Karita use, and are they compliant?",
    args: r#"{"user":"karita@woodgrovebank.com"}"#,
    facts: &[
        Fact::Count("devices/*", 2),
        Fact::Some("devices/*/os", "Windows"),
        Fact::Some("devices/*/os", "iOS"),
        Fact::Some("devices/*/join_type", "registered"),
        Fact::Some("devices/*/managed", "false"),
        Fact::Some("devices/*/compliant", "true"),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(GET_USER_DEVICES, get_user_devices)
}
