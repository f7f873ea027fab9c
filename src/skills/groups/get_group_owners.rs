//! `get_group_owners`: who owns a group — users and service principals (apps that keep the
//! group) — and whether it has no owner left.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::{DirectoryObject, Group};
use crate::graph::{GraphRequest, Query, path};
use crate::render::{or_dash, table, yes_no};
use crate::shared::resolve::{self, GROUP};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::fields::GROUP_FIELDS;

const GET_GROUP_OWNERS: Declaration = Declaration {
    name: "get_group_owners",
    title: "Get group owners",
    description: "Who owns a group: the users and apps (service principals) that can manage it, with UPN or appId and whether each is enabled; says when a group is ownerless. For every ownerless group use find_ownerless_groups.",
    toolset: Toolset::Groups,
    permissions: &["GroupMember.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Graph keeps at most 100 owners per group.
const MAX_OWNERS: usize = 100;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetGroupOwnersParams {
    /// Object id or exact display name.
    pub group: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OwnerRow {
    pub id: String,
    /// `user` or `servicePrincipal`.
    pub kind: String,
    pub display_name: Option<String>,
    /// UPN for users, appId for service principals.
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupOwners {
    pub group: String,
    pub group_id: String,
    pub owners: Vec<OwnerRow>,
    /// No owner at all: nobody but an admin can manage the group or review its members.
    pub ownerless: bool,
}

async fn read_owners(ctx: &Ctx, id: &str) -> Result<Vec<DirectoryObject>, SkillError> {
    let request = GraphRequest::get(path("/groups/{}/owners", &[id])).query(
        Query::new()
            .select(&["id", "displayName", "userPrincipalName", "userType", "accountEnabled", "appId"])
            .top(MAX_OWNERS),
    );
    Ok(ctx.graph.list::<DirectoryObject>(request, MAX_OWNERS).await?.items)
}

async fn get_group_owners(ctx: Ctx, p: GetGroupOwnersParams) -> Result<GroupOwners, SkillError> {
    let (group, owners) = match given_id(&p.group) {
        Some(id) => {
            let (group, owners) =
                tokio::join!(resolve::resolve::<Group>(&ctx, &GROUP, &p.group, GROUP_FIELDS), read_owners(&ctx, &id));
            (group?, owners?)
        }
        None => {
            let group = resolve::resolve::<Group>(&ctx, &GROUP, &p.group, GROUP_FIELDS).await?;
            let owners = read_owners(&ctx, &group.id).await?;
            (group, owners)
        }
    };
    let owners: Vec<OwnerRow> = owners
        .into_iter()
        .map(|o| {
            let kind = o.kind().to_string();
            let key = if kind == "servicePrincipal" { o.app_id.clone() } else { o.user_principal_name.clone() };
            OwnerRow {
                id: o.id,
                kind,
                display_name: o.display_name,
                key,
                user_type: o.user_type,
                enabled: o.account_enabled,
            }
        })
        .collect();
    if owners.iter().any(|o| o.enabled == Some(false)) {
        ctx.note("a disabled owner cannot sign in to manage the group");
    }
    Ok(GroupOwners {
        ownerless: owners.is_empty(),
        group: group.display_name.unwrap_or_default(),
        group_id: group.id,
        owners,
    })
}

impl Render for GroupOwners {
    fn markdown(&self) -> String {
        if self.ownerless {
            return format!(
                "{} ({}) has no owners: only admins can manage it; assign an owner in the Entra admin center",
                self.group, self.group_id
            );
        }
        let rows: Vec<Vec<String>> = self
            .owners
            .iter()
            .map(|o| {
                vec![
                    or_dash(&o.display_name),
                    o.kind.clone(),
                    or_dash(&o.key),
                    yes_no(o.enabled).unwrap_or_else(|| "-".into()),
                    o.id.clone(),
                ]
            })
            .collect();
        format!(
            "{} ({}) has {} owners\n{}",
            self.group,
            self.group_id,
            self.owners.len(),
            table(&["owner", "type", "upn/appId", "enabled", "id"], &rows)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who owns the Finance Department group?",
        args: r#"{"group":"Finance Department"}"#,
        facts: &[
            Fact::Some("owners/*/key", "daniel@woodgrovebank.com"),
            Fact::Every("owners/*/kind", "user"),
            Fact::Every("ownerless", "false"),
        ],
    },
    Example {
        question: "Which users and apps own the New Hires group?",
        args: r#"{"group":"New Hires"}"#,
        facts: &[
            Fact::Some("owners/*/kind", "servicePrincipal"),
            Fact::Some("owners/*/display_name", "HR Onboarding Automation"),
            Fact::Some("owners/*/kind", "user"),
        ],
    },
    Example {
        question: "Does Project Falcon have an owner?",
        args: r#"{"group":"Project Falcon"}"#,
        facts: &[Fact::Every("ownerless", "true"), Fact::Count("owners/*", 0), Fact::Says("no owners")],
    },
    Example {
        question: "Owners of a group that does not exist",
        args: r#"{"group":"No Such Group"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_GROUP_OWNERS, get_group_owners)
}
