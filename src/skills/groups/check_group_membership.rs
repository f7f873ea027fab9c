//! `check_group_membership`: is a user in a group, directly or through nested groups — and if
//! nested, through which of the user's own groups.
//!
//! Graph's `checkMemberGroups` answers the transitive question in one call. Whether the
//! membership is direct, and which nested group carries it, come from two lists read beside
//! it: the user's direct groups and the groups nested (at any depth) inside the group. A
//! group the user belongs to directly that sits inside the target group is the path.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::graph::resources::{DirectoryObject, Group};
use crate::graph::{GraphRequest, Query, path};
use crate::render::fields;
use crate::shared::resolve::{self, GROUP};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::fields::GROUP_FIELDS;

const CHECK_GROUP_MEMBERSHIP: Declaration = Declaration {
    name: "check_group_membership",
    title: "Check group membership",
    description: "Is this user a member of this group — directly, or nested through another group (and which one)? Answers yes/no for one user and one group. For all of a user's groups use get_user_memberships.",
    toolset: Toolset::Groups,
    permissions: &["GroupMember.Read.All", "User.ReadBasic.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// The most groups read on either side to tell a direct from a nested membership.
const SIDE_CAP: usize = 500;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckGroupMembershipParams {
    pub user: UserRef,
    /// Object id or exact display name.
    pub group: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupRef {
    pub id: String,
    pub display_name: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MembershipCheck {
    pub user: PersonRef,
    pub group: GroupRef,
    /// Member directly or through nesting (Graph's `checkMemberGroups`).
    pub member: bool,
    /// `direct`, `nested`, `direct_and_nested`, `not_member`, or `member` when the direct
    /// memberships could not be read to tell.
    pub how: String,
    /// For a nested membership: the user's own groups that sit inside the group.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<GroupRef>,
    /// The group's membership follows a rule; it changes with the user's attributes.
    pub dynamic: bool,
}

#[derive(Debug, Default, Deserialize)]
struct StringList {
    #[serde(default)]
    value: Vec<String>,
}

async fn check_group_membership(ctx: Ctx, p: CheckGroupMembershipParams) -> Result<MembershipCheck, SkillError> {
    let key = p.user.parse("user")?;
    let (user, group) =
        tokio::join!(resolve_user(&ctx, &key), resolve::resolve::<Group>(&ctx, &GROUP, &p.group, GROUP_FIELDS));
    let (user, group) = (user?, group?);

    // checkMemberGroups is a POST that changes nothing: retried like a read.
    let check = GraphRequest::post(path("/users/{}/checkMemberGroups", &[&user.id]), json!({"groupIds": [group.id]}))
        .read_only();
    // The type casts are advanced queries: ConsistencyLevel and `$count`.
    let users_groups = GraphRequest::get(path("/users/{}/memberOf/microsoft.graph.group", &[&user.id]))
        .query(Query::new().select(&["id", "displayName"]).count().top(SIDE_CAP))
        .eventual();
    let nested_groups = GraphRequest::get(path("/groups/{}/transitiveMembers/microsoft.graph.group", &[&group.id]))
        .query(Query::new().select(&["id", "displayName"]).count().top(SIDE_CAP))
        .eventual();
    let (check, direct_of_user, nested_in_group) = tokio::join!(
        ctx.graph.get::<StringList>(check),
        ctx.graph.list::<DirectoryObject>(users_groups, SIDE_CAP),
        ctx.graph.list::<DirectoryObject>(nested_groups, SIDE_CAP)
    );
    let member = check?.value.iter().any(|id| id.eq_ignore_ascii_case(&group.id));

    // Direct or nested is detail on top of the answer: without it the answer still stands.
    let direct_of_user = ctx.optional("direct memberships", direct_of_user);
    let nested_in_group = ctx.optional("nested groups", nested_in_group);
    let direct = direct_of_user.as_ref().map(|page| page.items.iter().any(|g| g.id.eq_ignore_ascii_case(&group.id)));
    let via: Vec<GroupRef> = match (&direct_of_user, &nested_in_group) {
        (Some(mine), Some(inside)) => mine
            .items
            .iter()
            .filter(|g| inside.items.iter().any(|n| n.id.eq_ignore_ascii_case(&g.id)))
            .map(|g| GroupRef { id: g.id.clone(), display_name: g.display_name.clone() })
            .collect(),
        _ => Vec::new(),
    };
    if direct_of_user.as_ref().is_some_and(|p| p.more) || nested_in_group.as_ref().is_some_and(|p| p.more) {
        ctx.note(format!("more than {SIDE_CAP} groups on one side: the nesting path may be incomplete"));
    }
    let how = match (member, direct, via.is_empty()) {
        (false, _, _) => "not_member",
        (true, Some(true), false) => "direct_and_nested",
        (true, Some(true), true) => "direct",
        (true, Some(false), _) => "nested",
        // The direct memberships could not be read: member, but how is unknown.
        (true, None, _) => "member",
    };
    Ok(MembershipCheck {
        user,
        dynamic: group.is_dynamic(),
        group: GroupRef { id: group.id, display_name: group.display_name },
        member,
        how: how.to_string(),
        via,
    })
}

impl Render for MembershipCheck {
    fn markdown(&self) -> String {
        let who = self.user.upn.clone().or(self.user.display_name.clone()).unwrap_or_else(|| self.user.id.clone());
        let group = self.group.display_name.clone().unwrap_or_else(|| self.group.id.clone());
        let answer = match self.how.as_str() {
            "direct" => "yes, a direct member",
            "nested" => "yes, through a nested group",
            "direct_and_nested" => "yes, directly and through a nested group",
            "member" => "yes (direct or nested not known)",
            _ => "no",
        };
        let via = (!self.via.is_empty()).then(|| {
            self.via
                .iter()
                .map(|g| format!("{} ({})", g.display_name.as_deref().unwrap_or("-"), g.id))
                .collect::<Vec<_>>()
                .join(", ")
        });
        fields(&[
            ("member", Some(answer.to_string())),
            ("user", Some(format!("{who} ({})", self.user.id))),
            ("group", Some(format!("{group} ({})", self.group.id))),
            ("via", via),
            ("dynamic group", self.dynamic.then(|| "yes: membership follows the group's rule".to_string())),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Check whether karita@woodgrovebank.com is a member of Finance App Users, nested membership included",
        args: r#"{"user":"karita@woodgrovebank.com","group":"Finance App Users"}"#,
        facts: &[
            Fact::Every("member", "true"),
            Fact::Every("how", "nested"),
            Fact::Some("via/*/display_name", "Finance Department"),
            Fact::Says("through a nested group"),
        ],
    },
    Example {
        question: "Check Karita's membership of Finance Department: direct or nested?",
        args: r#"{"user":"karita@woodgrovebank.com","group":"Finance Department"}"#,
        facts: &[Fact::Every("member", "true"), Fact::Every("how", "direct")],
    },
    Example {
        question: "Does Alex Chen belong to Helpdesk Operators?",
        args: r#"{"user":"alex@woodgrovebank.com","group":"Helpdesk Operators"}"#,
        facts: &[Fact::Every("member", "false"), Fact::Every("how", "not_member"), Fact::Says("no")],
    },
    Example {
        question: "Check membership with a user that is not a UPN",
        args: r#"{"user":"karita","group":"Finance Department"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(CHECK_GROUP_MEMBERSHIP, check_group_membership)
}
