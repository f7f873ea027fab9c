//! `search_devices`: devices by compliance, management, join type, OS, name or staleness.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Device;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const SEARCH_DEVICES: Declaration = Declaration {
    name: "search_devices",
    title: "Search devices",
    description: "Find devices: non-compliant, unmanaged, by join type (Entra joined, registered, hybrid), OS, name prefix, or stale (not seen since). Use get_device for one known device.",
    toolset: Toolset::Devices,
    permissions: &["Device.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JoinType {
    EntraJoined,
    Registered,
    HybridJoined,
}

impl JoinType {
    fn trust_type(self) -> &'static str {
        match self {
            JoinType::EntraJoined => "AzureAd",
            JoinType::Registered => "Workplace",
            JoinType::HybridJoined => "ServerAd",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchDevicesParams {
    /// Start of the display name.
    pub name: Option<String>,
    pub compliant: Option<bool>,
    /// Managed by an MDM (Intune).
    pub managed: Option<bool>,
    pub join_type: Option<JoinType>,
    /// Operating system (exact), e.g. Windows, iOS, Android, MacMDM.
    pub os: Option<String>,
    /// Not seen since this time: stale devices.
    pub stale_since: Option<Since>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeviceSearch {
    pub devices: Vec<DeviceRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

async fn search_devices(ctx: Ctx, p: SearchDevicesParams) -> Result<DeviceSearch, SkillError> {
    let limit = p.limit.get()?;
    let mut clauses = Vec::new();
    if let Some(name) = &p.name {
        clauses.push(Expr::starts_with("displayName", text("name", name, 120)?));
    }
    if let Some(compliant) = p.compliant {
        clauses.push(Expr::eq("isCompliant", compliant));
    }
    if let Some(managed) = p.managed {
        clauses.push(Expr::eq("isManaged", managed));
    }
    if let Some(join) = p.join_type {
        clauses.push(Expr::eq("trustType", join.trust_type()));
    }
    if let Some(os) = &p.os {
        clauses.push(Expr::eq("operatingSystem", text("os", os, 60)?));
    }
    if let Some(since) = &p.stale_since {
        clauses.push(Expr::le("approximateLastSignInDateTime", since.resolve("stale_since", ctx.now)?));
    }
    // `$count` next to `$filter` is an advanced query on devices: ConsistencyLevel.
    let query = Query::new().select(DEVICE_FIELDS).filter_opt(Expr::conjunction(clauses)).count().top(limit.min(999));
    let request = GraphRequest::get("/devices").query(query).eventual();
    let page = ctx.graph.list::<Device>(request, limit).await?;
    let devices: Vec<DeviceRow> = page.items.into_iter().map(DeviceRow::from).collect();
    let list =
        ListInfo::new(devices.len(), page.total, page.more, "`compliant`, `managed`, `join_type`, `os` or `name`");
    Ok(DeviceSearch { devices, list })
}

impl Render for DeviceSearch {
    fn rows(&self) -> Option<usize> {
        Some(self.devices.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.devices.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .devices
            .iter()
            .map(|d| {
                vec![
                    or_dash(&d.display_name),
                    or_dash(&d.os),
                    or_dash(&d.join_type),
                    yes_no(d.compliant).unwrap_or_else(|| "-".into()),
                    yes_no(d.managed).unwrap_or_else(|| "-".into()),
                    d.last_seen.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                    d.id.clone(),
                ]
            })
            .collect();
        let total = self.list.total.map(|t| format!(" of {t}")).unwrap_or_default();
        format!(
            "{} devices{total}\n{}{}",
            self.list.returned,
            table(&["device", "os", "join", "compliant", "managed", "last seen (UTC)", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which personal (registered) devices are not compliant?",
        args: r#"{"compliant":false,"join_type":"registered","limit":100}"#,
        facts: &[
            Fact::Some("devices/*/display_name", "Karita's iPhone"),
            Fact::Every("devices/*/compliant", "false"),
            Fact::Every("devices/*/join_type", "registered"),
        ],
    },
    Example {
        question: "List the Windows laptops whose name starts with WGB-LT",
        args: r#"{"name":"WGB-LT","os":"Windows"}"#,
        facts: &[
            Fact::AtLeast("devices/*", 5),
            Fact::Every("devices/*/os", "Windows"),
            Fact::Every("devices/*/display_name", "~WGB-LT"),
        ],
    },
    Example {
        question: "Devices with an unknown join type",
        args: r#"{"join_type":"cloud"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("join_type")],
    },
];

pub fn skill() -> Skill {
    Skill::new(SEARCH_DEVICES, search_devices)
}
