//! `list_group_members`: a group's members by type, direct or nested, with counts per type.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::{DirectoryObject, Group};
use crate::graph::{GraphRequest, Page, Query, path};
use crate::render::{or_dash, table, yes_no};
use crate::shared::resolve::{self, GROUP};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

use super::fields::GROUP_FIELDS;

const LIST_GROUP_MEMBERS: Declaration = Declaration {
    name: "list_group_members",
    title: "List group members",
    description: "A group's members — users, groups, devices or apps — direct or nested, with counts per type. Use get_user_memberships for the reverse question.",
    toolset: Toolset::Groups,
    permissions: &["GroupMember.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MemberType {
    #[default]
    All,
    User,
    Group,
    Device,
    ServicePrincipal,
}

impl MemberType {
    fn cast(self) -> Option<&'static str> {
        match self {
            MemberType::All => None,
            MemberType::User => Some("microsoft.graph.user"),
            MemberType::Group => Some("microsoft.graph.group"),
            MemberType::Device => Some("microsoft.graph.device"),
            MemberType::ServicePrincipal => Some("microsoft.graph.servicePrincipal"),
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListGroupMembersParams {
    /// Object id or exact display name.
    pub group: String,
    #[serde(default)]
    pub member_type: MemberType,
    /// Include members of nested groups.
    #[serde(default)]
    pub nested: bool,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MemberRow {
    pub id: String,
    /// `user`, `group`, `device`, `servicePrincipal`.
    pub kind: String,
    pub display_name: Option<String>,
    /// UPN for users, appId for apps, deviceId for devices.
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupMembers {
    pub group: String,
    pub group_id: String,
    pub nested: bool,
    /// Members per type (direct, or nested when `nested`).
    pub counts: BTreeMap<String, u64>,
    pub members: Vec<MemberRow>,
    #[serde(flatten)]
    pub list: ListInfo,
}

impl MemberType {
    /// `$select` for the listing: a type cast narrows the entity, and Graph refuses properties
    /// the narrowed type does not have.
    fn fields(self) -> &'static [&'static str] {
        match self {
            MemberType::All => {
                &["id", "displayName", "userPrincipalName", "userType", "accountEnabled", "appId", "deviceId"]
            }
            MemberType::User => &["id", "displayName", "userPrincipalName", "userType", "accountEnabled"],
            MemberType::Group => &["id", "displayName", "mail"],
            MemberType::Device => &["id", "displayName", "deviceId", "accountEnabled"],
            MemberType::ServicePrincipal => &["id", "displayName", "appId", "accountEnabled"],
        }
    }
}

/// The member types counted, in the order `read_members` returns their counts.
const COUNTED: [MemberType; 4] =
    [MemberType::User, MemberType::Group, MemberType::Device, MemberType::ServicePrincipal];

type MembersRead = (Result<Page<DirectoryObject>, SkillError>, Vec<Result<u64, SkillError>>);

/// One page of a group's members and their counts per type (`COUNTED`), read concurrently.
async fn read_members(ctx: &Ctx, id: &str, p: &ListGroupMembersParams, limit: usize) -> MembersRead {
    let relation = if p.nested { "transitiveMembers" } else { "members" };
    let base = format!("{}/{relation}", path("/groups/{}", &[id]));
    let list_path = match p.member_type.cast() {
        Some(cast) => format!("{base}/{cast}"),
        None => base.clone(),
    };
    // Type casts and $count on members are advanced queries.
    let listing = GraphRequest::get(list_path)
        .query(Query::new().select(p.member_type.fields()).count().top(limit.min(999)))
        .eventual();
    let counts = futures::future::join_all(COUNTED.iter().map(|k| {
        let cast = k.cast().unwrap_or_default();
        ctx.graph.count(GraphRequest::get(format!("{base}/{cast}/$count")))
    }));
    tokio::join!(ctx.graph.list::<DirectoryObject>(listing, limit), counts)
}

async fn list_group_members(ctx: Ctx, p: ListGroupMembersParams) -> Result<GroupMembers, SkillError> {
    let limit = p.limit.get()?;
    let (group, (page, counts)) = match given_id(&p.group) {
        Some(id) => {
            let (group, read) = tokio::join!(
                resolve::resolve::<Group>(&ctx, &GROUP, &p.group, GROUP_FIELDS),
                read_members(&ctx, &id, &p, limit)
            );
            (group?, read)
        }
        None => {
            let group = resolve::resolve::<Group>(&ctx, &GROUP, &p.group, GROUP_FIELDS).await?;
            let read = read_members(&ctx, &group.id, &p, limit).await;
            (group, read)
        }
    };
    let page = page?;
    let mut by_type = BTreeMap::new();
    for (kind, count) in COUNTED.iter().zip(counts) {
        let name = kind.cast().unwrap_or_default().trim_start_matches("microsoft.graph.").to_string();
        match count {
            Ok(n) => {
                by_type.insert(name, n);
            }
            Err(e) => ctx.note(format!("{name} count unavailable: {}", e.kind.as_str())),
        }
    }
    let members: Vec<MemberRow> = page
        .items
        .into_iter()
        .map(|m| {
            let kind = m.kind().to_string();
            let key = match kind.as_str() {
                "user" => m.user_principal_name.clone(),
                "servicePrincipal" => m.app_id.clone(),
                "device" => m.device_id.clone(),
                _ => None,
            };
            MemberRow {
                id: m.id,
                kind,
                display_name: m.display_name,
                key,
                user_type: m.user_type,
                enabled: m.account_enabled,
            }
        })
        .collect();
    let list = ListInfo::new(members.len(), page.total, page.more, "`member_type` or `limit`");
    Ok(GroupMembers {
        group: group.display_name.unwrap_or_default(),
        group_id: group.id,
        nested: p.nested,
        counts: by_type,
        members,
        list,
    })
}

impl Render for GroupMembers {
    fn rows(&self) -> Option<usize> {
        Some(self.members.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.members.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let counts = self.counts.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        let rows: Vec<Vec<String>> = self
            .members
            .iter()
            .map(|m| {
                vec![
                    or_dash(&m.display_name),
                    m.kind.clone(),
                    or_dash(&m.key),
                    or_dash(&m.user_type),
                    yes_no(m.enabled).unwrap_or_else(|| "-".into()),
                    m.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} ({}) {} members: {counts}\n{}{}",
            self.group,
            self.group_id,
            if self.nested { "nested" } else { "direct" },
            table(&["member", "type", "upn/appId/deviceId", "user type", "enabled", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who are the direct members of Finance App Users?",
        args: r#"{"group":"Finance App Users"}"#,
        facts: &[
            Fact::Some("members/*/display_name", "Finance Department"),
            Fact::No("members/*/key", "karita@woodgrovebank.com"),
        ],
    },
    Example {
        question: "All users in Finance App Users, nested groups included",
        args: r#"{"group":"Finance App Users","nested":true,"member_type":"user","limit":200}"#,
        facts: &[Fact::Some("members/*/key", "karita@woodgrovebank.com"), Fact::AtLeast("counts/user", 1)],
    },
    Example {
        question: "Which devices are in Finance Laptops?",
        args: r#"{"group":"Finance Laptops","member_type":"device"}"#,
        facts: &[Fact::AtLeast("counts/device", 1)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_GROUP_MEMBERS, list_group_members)
}
