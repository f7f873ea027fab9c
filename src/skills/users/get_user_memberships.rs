//! `get_user_memberships`: a user's groups, nested included, each direct or inherited.
use std::collections::HashSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Group;
use crate::graph::{GraphRequest, Query};
use crate::render::{or_dash, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

// get_user_memberships

const GET_USER_MEMBERSHIPS: Declaration = Declaration {
    name: "get_user_memberships",
    title: "Get a user's groups",
    description: "The groups a user belongs to, nested included, each marked direct or inherited, with its kind (security, Microsoft 365, dynamic, role-assignable).",
    toolset: Toolset::Users,
    permissions: &["GroupMember.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUserMembershipsParams {
    pub user: UserRef,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Membership {
    pub id: String,
    pub display_name: Option<String>,
    /// `security`, `microsoft365`, `mail_enabled_security`, `distribution`.
    pub kind: String,
    pub dynamic: bool,
    pub role_assignable: bool,
    /// A direct member; otherwise inherited through a nested group.
    pub direct: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserMemberships {
    pub user: String,
    pub groups: Vec<Membership>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const GROUP_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "groupTypes",
    "securityEnabled",
    "mailEnabled",
    "isAssignableToRole",
    "membershipRuleProcessingState",
];

async fn get_user_memberships(ctx: Ctx, p: GetUserMembershipsParams) -> Result<UserMemberships, SkillError> {
    let key = p.user.parse("user")?;
    let limit = p.limit.get()?;
    let base = key.path();
    // Type-cast membership queries are advanced queries: ConsistencyLevel + $count.
    let transitive = GraphRequest::get(format!("{base}/transitiveMemberOf/microsoft.graph.group"))
        .query(Query::new().select(GROUP_FIELDS).count().top(limit.min(999)))
        .eventual();
    let direct = GraphRequest::get(format!("{base}/memberOf/microsoft.graph.group"))
        .query(Query::new().select(&["id"]).count().top(999))
        .eventual();
    let (transitive, direct) =
        tokio::join!(ctx.graph.list::<Group>(transitive, limit), ctx.graph.list::<Group>(direct, 5000));
    let transitive = transitive.map_err(user_not_found(&key))?;
    let direct: HashSet<String> = direct.map_err(user_not_found(&key))?.items.into_iter().map(|g| g.id).collect();
    let groups: Vec<Membership> = transitive
        .items
        .into_iter()
        .map(|g| Membership {
            direct: direct.contains(&g.id),
            kind: g.kind().to_string(),
            dynamic: g.is_dynamic(),
            role_assignable: g.is_assignable_to_role == Some(true),
            id: g.id,
            display_name: g.display_name,
        })
        .collect();
    let list = ListInfo::new(groups.len(), transitive.total, transitive.more, "`limit`");
    Ok(UserMemberships { user: key.label(), groups, list })
}

impl Render for UserMemberships {
    fn rows(&self) -> Option<usize> {
        Some(self.groups.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.groups.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .groups
            .iter()
            .map(|g| {
                let mut kind = g.kind.clone();
                if g.dynamic {
                    kind.push_str(", dynamic");
                }
                if g.role_assignable {
                    kind.push_str(", role-assignable");
                }
                vec![or_dash(&g.display_name), kind, if g.direct { "direct" } else { "nested" }.into(), g.id.clone()]
            })
            .collect();
        let total = self.list.total.unwrap_or(self.list.returned as u64);
        format!(
            "{} is in {total} groups\n{}{}",
            self.user,
            table(&["group", "kind", "membership", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "What groups is Karita in, including nested ones?",
    args: r#"{"user":"karita@woodgrovebank.com"}"#,
    facts: &[
        Fact::Some("groups/*/display_name", "Finance Department"),
        Fact::Some("groups/*/display_name", "Finance App Users"),
        Fact::Some("groups/*/kind", "microsoft365"),
        Fact::Some("groups/*/direct", "false"),
        Fact::Says("nested"),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(GET_USER_MEMBERSHIPS, get_user_memberships)
}
