//! `get_device`: one device by name, object id or device id: OS, join type, compliance,
//! management, last seen.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::graph::resources::Device;
use crate::render::{fields, short_time, yes_no};
use crate::shared::resolve::{self, DEVICE};
use crate::shared::{DEVICE_FIELDS, DeviceRow};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_DEVICE: Declaration = Declaration {
    name: "get_device",
    title: "Get device",
    description: "One device by name, object id or device id (as sign-in logs show it): OS and version, join type, compliant, managed, enabled, last seen. For a user's devices use get_user_devices.",
    toolset: Toolset::Devices,
    permissions: &["Device.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetDeviceParams {
    /// Exact display name, object id, or device id.
    pub device: String,
}

async fn get_device(ctx: Ctx, p: GetDeviceParams) -> Result<DeviceRow, SkillError> {
    let device: Device = resolve::resolve(&ctx, &DEVICE, &p.device, DEVICE_FIELDS).await?;
    Ok(DeviceRow::from(device))
}

impl Render for DeviceRow {
    fn markdown(&self) -> String {
        let os = format!("{} {}", self.os.clone().unwrap_or_default(), self.os_version.clone().unwrap_or_default());
        fields(&[
            ("device", self.display_name.clone()),
            ("id", Some(self.id.clone())),
            ("device id", self.device_id.clone()),
            ("os", Some(os.trim().to_string()).filter(|o| !o.is_empty())),
            ("join", self.join_type.clone()),
            ("compliant", yes_no(self.compliant)),
            ("managed", yes_no(self.managed)),
            ("enabled", yes_no(self.enabled)),
            ("last seen", self.last_seen.as_deref().map(short_time)),
            ("registered", self.registered.as_deref().map(short_time)),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Is Karita's iPhone compliant and managed?",
        args: r#"{"device":"Karita's iPhone"}"#,
        facts: &[
            Fact::Every("os", "iOS"),
            Fact::Every("join_type", "registered"),
            Fact::Every("compliant", "false"),
            Fact::Every("managed", "false"),
            Fact::Says("Karita's iPhone"),
        ],
    },
    Example {
        question: "Show the laptop WGB-LT-KAHLBERG",
        args: r#"{"device":"wgb-lt-kahlberg"}"#,
        facts: &[
            Fact::Every("os", "Windows"),
            Fact::Every("join_type", "entra_joined"),
            Fact::Every("compliant", "true"),
        ],
    },
    Example {
        question: "A device that does not exist",
        args: r#"{"device":"No Such Device"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("get_user_devices")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_DEVICE, get_device)
}
