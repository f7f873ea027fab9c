//! `get_group`: one group's facts: kind, dynamic rule, role-assignable, member and owner counts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Group;
use crate::graph::{GraphRequest, path};
use crate::render::{fields, trim_opt, yes_no};
use crate::shared::resolve::{self, GROUP};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::fields::GROUP_FIELDS;

const GET_GROUP: Declaration = Declaration {
    name: "get_group",
    title: "Get group",
    description: "One group by name or id: kind (security, Microsoft 365, distribution), dynamic rule and processing state, role-assignable, member and owner counts. For its members use list_group_members.",
    toolset: Toolset::Groups,
    permissions: &["GroupMember.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
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
    let (group, (members, owners)) = match given_id(&p.group) {
        Some(id) => {
            let (group, counts) = tokio::join!(
                resolve::resolve::<Group>(&ctx, &GROUP, &p.group, GROUP_FIELDS),
                member_and_owner_counts(&ctx, &id)
            );
            (group?, counts)
        }
        None => {
            let group = resolve::resolve::<Group>(&ctx, &GROUP, &p.group, GROUP_FIELDS).await?;
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

const EXAMPLES: &[Example] = &[
    Example {
        question: "Tell me about the Finance Department group",
        args: r#"{"group":"Finance Department"}"#,
        facts: &[Fact::Every("kind", "security"), Fact::AtLeast("member_count", 3), Fact::Says("Finance Department")],
    },
    Example {
        question: "Group names are matched case-insensitively",
        args: r#"{"group":"finance department"}"#,
        facts: &[Fact::Every("display_name", "Finance Department")],
    },
    Example {
        question: "A group that does not exist",
        args: r#"{"group":"No Such Group"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_GROUP, get_group)
}
