//! `add_group_members`: adds up to 20 users to a security or Microsoft 365 group. A tier-2
//! write: previewed, then confirmed. Users already in the group are left as they are; dynamic
//! groups, Exchange-managed groups and (without Privileged Role Administrator) role-assignable
//! groups are refused before anything is sent.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Group;
use crate::render::fields;
use crate::shared::resolve::{self, GROUP};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::fields::GROUP_FIELDS;
use super::membership::*;

const ADD_GROUP_MEMBERS: Declaration = Declaration {
    name: "add_group_members",
    title: "Add users to a group",
    description: "Add up to 20 users (UPNs or ids) to a security or Microsoft 365 group; users already in it are skipped. Preview first, then confirm. Groups Administrator (role-assignable groups: Privileged Role Administrator).",
    toolset: Toolset::Groups,
    permissions: &[
        "GroupMember.ReadWrite.All",
        "RoleAssignmentSchedule.Read.Directory",
        "RoleEligibilitySchedule.Read.Directory",
    ],
    least_role: "Groups Administrator (role-assignable groups: Privileged Role Administrator)",
    access: Access::Write { tier: 2, idempotent: true },
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddGroupMembersParams {
    /// Object id or exact display name.
    pub group: String,
    /// 1 to 20 users: UPNs or object ids.
    pub users: Vec<UserRef>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MembersAdded {
    pub group: String,
    pub group_id: String,
    pub added: Vec<MemberChange>,
    /// Named but already direct members: left as they were.
    pub already_members: Vec<MemberUnchanged>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<MemberFailed>,
    /// Direct members after the change.
    pub member_count: Option<u64>,
}

async fn prepare(ctx: Ctx, p: Arc<AddGroupMembersParams>) -> Result<WritePlan, SkillError> {
    let keys = parse_users(&p.users)?;
    let (group, users) =
        tokio::join!(resolve::resolve::<Group>(&ctx, &GROUP, &p.group, GROUP_FIELDS), resolve_users(&ctx, &keys));
    let (group, users) = (group?, users?);
    check_group(&ctx, &group).await?;
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    let (members, count) = tokio::join!(direct_members(&ctx, &group.id, &ids), member_count(&ctx, &group.id));
    let members = members?;

    let mut targets = vec![group_target(&group)];
    targets.extend(users.iter().map(|u| user_target_row(u, members.contains(&u.id.to_ascii_lowercase()))));
    let planned = planned_users(&targets[1..]);
    let to_add: Vec<&_> = planned.iter().filter(|(_, member)| !member).map(|(t, _)| *t).collect();
    let already: Vec<&_> = planned.iter().filter(|(_, member)| *member).map(|(t, _)| *t).collect();
    let name = group.display_name.clone().unwrap_or_else(|| group.id.clone());
    let mut effect = if to_add.is_empty() {
        format!("every user named is already a direct member of {name}; confirming changes nothing")
    } else {
        let now = count.map(|n| format!(" ({n} direct members now, {} after)", n + to_add.len() as u64));
        format!(
            "adds {} to {name}{}: they get whatever the group grants (app access, licences, policies that target it)",
            names(&to_add),
            now.unwrap_or_default()
        )
    };
    if !already.is_empty() && !to_add.is_empty() {
        effect.push_str(&format!("; already members, left as they are: {}", names(&already)));
    }
    let undo = if to_add.is_empty() {
        "nothing to undo".to_string()
    } else {
        format!("remove_group_members with group `{name}` and the users added")
    };
    Ok(WritePlan {
        requests: to_add.iter().map(|t| add_request(&group.id, &t.id).describe()).collect(),
        targets,
        effect,
        undo,
        tier: 2,
        confirm_target: None,
    })
}

async fn apply(ctx: Ctx, _p: Arc<AddGroupMembersParams>, plan: WritePlan) -> Result<MembersAdded, SkillError> {
    let (group, users) =
        plan.targets.split_first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no group to change"))?;
    let applied = apply_each(&ctx, group, users, true).await?;
    Ok(MembersAdded {
        group: group.name.clone(),
        group_id: group.id.clone(),
        added: applied.changed,
        already_members: applied.unchanged,
        failed: applied.failed,
        member_count: applied.member_count,
    })
}

impl Render for MembersAdded {
    fn markdown(&self) -> String {
        format!(
            "{}\n{}",
            fields(&[
                ("group", Some(format!("{} ({})", self.group, self.group_id))),
                ("added", Some(self.added.len().to_string())),
                ("direct members now", self.member_count.map(|n| n.to_string())),
            ]),
            rows_table(&self.added, "added", &self.already_members, "already a member", &self.failed)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Add Arjun Mehta and Priya Natarajan to the Project Falcon group",
        args: r#"{"group":"Project Falcon","users":["arjun.mehta@woodgrovebank.com","priya@woodgrovebank.com","tom@woodgrovebank.com"]}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C2"),
            Fact::Every("targets/0/name", "Project Falcon"),
            Fact::Some("targets/*/name", "~Priya Natarajan"),
            Fact::Count("requests/*", 1),
            Fact::Every("requests/*", "~/members/$ref"),
            Fact::Says("already members, left as they are: Arjun Mehta"),
        ],
    },
    Example {
        question: "Add a user to the dynamic Sales Team group",
        args: r#"{"group":"Sales Team","users":["karita@woodgrovebank.com"]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("dynamic")],
    },
    Example {
        question: "Add Arjun Mehta to the role-assignable Helpdesk Operators group",
        args: r#"{"group":"Helpdesk Operators","users":["arjun.mehta@woodgrovebank.com"]}"#,
        facts: &[
            Fact::Fails(ErrorKind::Forbidden),
            Fact::Says("Privileged Role Administrator"),
            Fact::Says("Security Reader"),
        ],
    },
    Example {
        question: "Add someone to the Branch Managers distribution list",
        args: r#"{"group":"Branch Managers","users":["zara.ali@woodgrovebank.com"]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("Exchange")],
    },
    Example {
        question: "Add 21 users to a group at once",
        args: r#"{"group":"Project Falcon","users":["u01@woodgrovebank.com","u02@woodgrovebank.com","u03@woodgrovebank.com","u04@woodgrovebank.com","u05@woodgrovebank.com","u06@woodgrovebank.com","u07@woodgrovebank.com","u08@woodgrovebank.com","u09@woodgrovebank.com","u10@woodgrovebank.com","u11@woodgrovebank.com","u12@woodgrovebank.com","u13@woodgrovebank.com","u14@woodgrovebank.com","u15@woodgrovebank.com","u16@woodgrovebank.com","u17@woodgrovebank.com","u18@woodgrovebank.com","u19@woodgrovebank.com","u20@woodgrovebank.com","u21@woodgrovebank.com"]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`users`"), Fact::Says("at most 20")],
    },
];

pub fn skill() -> Skill {
    Skill::write(ADD_GROUP_MEMBERS, prepare, apply)
}
