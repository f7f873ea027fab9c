//! The `groups` toolset: one group's facts, and its members by type, direct or nested.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::params::shorten;
use super::{Access, Ctx, Declaration, ErrorKind, Limit, ListInfo, Render, Skill, SkillError, Toolset};
use crate::graph::resources::{DirectoryObject, Group};
use crate::graph::{GraphRequest, Page, Query, path};
use crate::odata::Expr;
use crate::render::{fields, or_dash, table, trim_opt, yes_no};

pub(super) fn skills() -> Vec<Skill> {
    vec![Skill::new(GET_GROUP, get_group), Skill::new(LIST_GROUP_MEMBERS, list_group_members)]
}

const GROUP_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "description",
    "mail",
    "mailEnabled",
    "securityEnabled",
    "groupTypes",
    "membershipRule",
    "membershipRuleProcessingState",
    "isAssignableToRole",
    "createdDateTime",
    "visibility",
];

/// The object id a `group` argument gives, if it gives one. With an id, whatever hangs off the
/// group need not wait for the group's own lookup: both go out together, in one round trip.
fn group_id(group: &str) -> Option<String> {
    let group = group.trim();
    uuid::Uuid::try_parse(group).ok().filter(|_| group.len() == 36).map(|id| id.to_string())
}

/// Resolves a group given by id or exact display name. An id wins; a name must match exactly
/// one group, else `not_found` or `ambiguous` with the candidates.
async fn resolve_group(ctx: &Ctx, group: &str) -> Result<Group, SkillError> {
    let group = group.trim();
    if group.is_empty() || group.chars().count() > 256 || group.chars().any(char::is_control) {
        return Err(SkillError::invalid_value(
            "group",
            format!("`{}` is not a group name or id", shorten(group)),
            "a group's object id or its exact display name",
        ));
    }
    if let Ok(id) = uuid::Uuid::try_parse(group)
        && group.len() == 36
    {
        {
            let request =
                GraphRequest::get(path("/groups/{}", &[&id.to_string()])).query(Query::new().select(GROUP_FIELDS));
            return ctx.graph.get(request).await.map_err(|e| {
                if e.kind == ErrorKind::NotFound {
                    SkillError::not_found(format!("group {id}"), "get_user_memberships")
                        .with_remedy("check the id, or give the group's exact display name")
                } else {
                    e
                }
            });
        }
    }
    let request = GraphRequest::get("/groups")
        .query(Query::new().select(GROUP_FIELDS).filter(Expr::eq("displayName", group)).top(11));
    let mut matches = ctx.graph.list::<Group>(request, 11).await?.items;
    match matches.len() {
        0 => Err(SkillError::not_found(format!("group named '{}'", shorten(group)), "get_user_memberships")
            .with_remedy(
                "give the exact display name or the object id; a member's groups are listed by `get_user_memberships`",
            )),
        1 => Ok(matches.remove(0)),
        _ => {
            let candidates = matches
                .iter()
                .take(10)
                .map(|g| format!("{} ({}, {})", g.id, g.kind(), g.mail.clone().unwrap_or_else(|| "no mail".into())))
                .collect::<Vec<_>>()
                .join("; ");
            Err(SkillError::new(
                ErrorKind::Ambiguous,
                format!("{} groups are named '{}': {candidates}", matches.len(), shorten(group)),
            )
            .with_remedy("call again with the object id of the one you mean"))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// get_group

const GET_GROUP: Declaration = Declaration {
    name: "get_group",
    title: "Get group",
    description: "One group by name or id: kind (security, Microsoft 365, distribution), dynamic rule and processing state, role-assignable, member and owner counts. For its members use list_group_members.",
    toolset: Toolset::Groups,
    permissions: &["GroupMember.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetGroupParams {
    /// Object id or exact display name.
    pub group: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupDetail {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// `security`, `microsoft365`, `mail_enabled_security`, `distribution`.
    pub kind: String,
    pub mail: Option<String>,
    pub dynamic: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership_rule: Option<String>,
    /// `On` or `Paused` for dynamic groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_processing: Option<String>,
    pub role_assignable: bool,
    pub visibility: Option<String>,
    pub created: Option<String>,
    /// Direct members.
    pub member_count: Option<u64>,
    pub owner_count: Option<u64>,
}

/// A group's direct member and owner counts.
async fn member_and_owner_counts(ctx: &Ctx, id: &str) -> (Result<u64, SkillError>, Result<u64, SkillError>) {
    let members = GraphRequest::get(path("/groups/{}/members/$count", &[id]));
    let owners = GraphRequest::get(path("/groups/{}/owners/$count", &[id]));
    tokio::join!(ctx.graph.count(members), ctx.graph.count(owners))
}

async fn get_group(ctx: Ctx, p: GetGroupParams) -> Result<GroupDetail, SkillError> {
    let (group, (members, owners)) = match group_id(&p.group) {
        Some(id) => {
            let (group, counts) = tokio::join!(resolve_group(&ctx, &p.group), member_and_owner_counts(&ctx, &id));
            (group?, counts)
        }
        None => {
            let group = resolve_group(&ctx, &p.group).await?;
            let counts = member_and_owner_counts(&ctx, &group.id).await;
            (group, counts)
        }
    };
    let count = |r: Result<u64, SkillError>, what: &str| match r {
        Ok(n) => Some(n),
        Err(e) => {
            ctx.note(format!("{what} count unavailable: {}", e.kind.as_str()));
            None
        }
    };
    Ok(GroupDetail {
        member_count: count(members, "member"),
        owner_count: count(owners, "owner"),
        kind: group.kind().to_string(),
        dynamic: group.is_dynamic(),
        role_assignable: group.is_assignable_to_role == Some(true),
        id: group.id,
        display_name: group.display_name,
        description: trim_opt(group.description),
        mail: group.mail,
        membership_rule: trim_opt(group.membership_rule),
        rule_processing: group.membership_rule_processing_state,
        visibility: group.visibility,
        created: group.created_date_time,
    })
}

impl Render for GroupDetail {
    fn markdown(&self) -> String {
        let mut owners = self.owner_count.map(|n| n.to_string());
        if self.owner_count == Some(0) {
            owners = Some("0 (ownerless)".into());
        }
        fields(&[
            ("group", self.display_name.clone()),
            ("id", Some(self.id.clone())),
            ("kind", Some(self.kind.clone())),
            ("description", self.description.clone()),
            ("mail", self.mail.clone()),
            ("dynamic", Some(if self.dynamic { "yes" } else { "no" }.into())),
            ("rule", self.membership_rule.clone()),
            ("rule processing", self.rule_processing.clone()),
            ("role-assignable", yes_no(Some(self.role_assignable))),
            ("visibility", self.visibility.clone()),
            ("created", self.created.clone()),
            ("members (direct)", self.member_count.map(|n| n.to_string())),
            ("owners", owners),
        ])
    }
}

// ---------------------------------------------------------------------------------------------
// list_group_members

const LIST_GROUP_MEMBERS: Declaration = Declaration {
    name: "list_group_members",
    title: "List group members",
    description: "A group's members — users, groups, devices or apps — direct or nested, with counts per type. Use get_user_memberships for the reverse question.",
    toolset: Toolset::Groups,
    permissions: &["GroupMember.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
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
    let (group, (page, counts)) = match group_id(&p.group) {
        Some(id) => {
            let (group, read) = tokio::join!(resolve_group(&ctx, &p.group), read_members(&ctx, &id, &p, limit));
            (group?, read)
        }
        None => {
            let group = resolve_group(&ctx, &p.group).await?;
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
