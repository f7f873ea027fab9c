//! `get_device_users`: who owns a device and who is registered on it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::{Device, DirectoryObject};
use crate::graph::{GraphRequest, Query};
use crate::render::{or_dash, table};
use crate::shared::DEVICE_FIELDS;
use crate::shared::PersonRef;
use crate::shared::resolve::{self, DEVICE};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_DEVICE_USERS: Declaration = Declaration {
    name: "get_device_users",
    title: "Get a device's owners and users",
    description: "Who owns a device and who is registered on it, by device name, object id or device id. For the reverse (a user's devices) use get_user_devices.",
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
pub struct GetDeviceUsersParams {
    /// Exact display name, object id, or device id.
    pub device: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeviceUsers {
    pub device: String,
    pub id: String,
    pub owners: Vec<PersonRef>,
    pub users: Vec<PersonRef>,
}

/// The most owners or users read of one device.
const PEOPLE_CAP: usize = 100;

fn people(objects: Vec<DirectoryObject>) -> Vec<PersonRef> {
    objects
        .into_iter()
        .map(|o| PersonRef { id: o.id, display_name: o.display_name, upn: o.user_principal_name })
        .collect()
}

async fn get_device_users(ctx: Ctx, p: GetDeviceUsersParams) -> Result<DeviceUsers, SkillError> {
    let device: Device = resolve::resolve(&ctx, &DEVICE, &p.device, DEVICE_FIELDS).await?;
    let read = |relation: &str| {
        GraphRequest::get(format!("/devices/{}/{relation}", device.id))
            .query(Query::new().select(&["id", "displayName", "userPrincipalName"]).top(PEOPLE_CAP))
    };
    let (owners, users) = tokio::join!(
        ctx.graph.list::<DirectoryObject>(read("registeredOwners"), PEOPLE_CAP),
        ctx.graph.list::<DirectoryObject>(read("registeredUsers"), PEOPLE_CAP)
    );
    Ok(DeviceUsers {
        device: device.display_name.clone().unwrap_or_else(|| device.id.clone()),
        id: device.id,
        owners: people(owners?.items),
        users: people(users?.items),
    })
}

impl Render for DeviceUsers {
    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = [("owner", &self.owners), ("user", &self.users)]
            .into_iter()
            .flat_map(|(relation, list)| {
                list.iter()
                    .map(move |p| vec![relation.to_string(), or_dash(&p.display_name), or_dash(&p.upn), p.id.clone()])
            })
            .collect();
        format!("{} ({})\n{}", self.device, self.id, table(&["relation", "name", "upn", "id"], &rows))
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who owns Karita's iPhone?",
        args: r#"{"device":"Karita's iPhone"}"#,
        facts: &[
            Fact::Some("owners/*/upn", "karita@woodgrovebank.com"),
            Fact::Some("users/*/upn", "karita@woodgrovebank.com"),
            Fact::Says("owner"),
        ],
    },
    Example {
        question: "Owners of a device given by a malformed name",
        args: r#"{"device":""}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`device`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_DEVICE_USERS, get_device_users)
}
