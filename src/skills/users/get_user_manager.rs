//! `get_user_manager`: a user's manager, or the whole management chain up to the top.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::render::{fields, or_dash, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_USER_MANAGER: Declaration = Declaration {
    name: "get_user_manager",
    title: "Get a user's manager or management chain",
    description: "Who a user reports to: their manager, or with `chain` the whole management chain up to the top of the organisation (manager's manager and so on). Any member.",
    toolset: Toolset::Users,
    permissions: &["User.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUserManagerParams {
    pub user: UserRef,
    /// The whole chain up to the top, not only the direct manager.
    #[serde(default)]
    pub chain: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ManagerRow {
    /// 1 is the direct manager, 2 the manager's manager, and so on.
    pub level: usize,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserManagers {
    pub user: PersonRef,
    /// The direct manager first, then up the chain; empty when the user has no manager.
    pub managers: Vec<ManagerRow>,
    /// Whether the whole chain was asked for.
    pub chain: bool,
}

/// A user with their manager expanded, possibly nested up the chain.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Node {
    id: String,
    display_name: Option<String>,
    user_principal_name: Option<String>,
    job_title: Option<String>,
    department: Option<String>,
    manager: Option<Box<Node>>,
}

/// The most levels walked: no real organisation is deeper, and a cycle cannot loop forever.
const MAX_LEVELS: usize = 30;

async fn get_user_manager(ctx: Ctx, p: GetUserManagerParams) -> Result<UserManagers, SkillError> {
    let key = p.user.parse("user")?;
    const FIELDS: &[&str] = &["id", "displayName", "userPrincipalName"];
    // One request: the user with the manager expanded. The whole chain (`$levels=max`) is an
    // advanced query, so it needs `ConsistencyLevel: eventual` and `$count=true`.
    let request = if p.chain {
        GraphRequest::get(key.path())
            .query(
                Query::new()
                    .select(FIELDS)
                    .expand("manager($levels=max;$select=id,displayName,userPrincipalName,jobTitle,department)")
                    .count(),
            )
            .eventual()
    } else {
        GraphRequest::get(key.path()).query(
            Query::new().select(FIELDS).expand("manager($select=id,displayName,userPrincipalName,jobTitle,department)"),
        )
    };
    let user: Node = ctx.graph.get(request).await.map_err(user_not_found(&key))?;
    let mut managers = Vec::new();
    let mut next = user.manager;
    while let Some(node) = next {
        if managers.len() >= MAX_LEVELS {
            ctx.note(format!("the chain was cut at {MAX_LEVELS} levels"));
            break;
        }
        // A chain that comes back to a person already seen is broken data; stop there.
        if node.id == user.id || managers.iter().any(|m: &ManagerRow| m.id == node.id) {
            ctx.note("the management chain loops back on itself; stopped at the repeat");
            break;
        }
        let node = *node;
        managers.push(ManagerRow {
            level: managers.len() + 1,
            id: node.id,
            display_name: node.display_name,
            upn: node.user_principal_name,
            job_title: node.job_title,
            department: node.department,
        });
        next = if p.chain { node.manager } else { None };
    }
    Ok(UserManagers {
        user: PersonRef { id: user.id, display_name: user.display_name, upn: user.user_principal_name },
        managers,
        chain: p.chain,
    })
}

impl Render for UserManagers {
    fn markdown(&self) -> String {
        let who = self.user.display_name.clone().or(self.user.upn.clone()).unwrap_or_else(|| self.user.id.clone());
        if self.managers.is_empty() {
            return format!("{who} has no manager set (top of the organisation, or never set)");
        }
        if !self.chain {
            let m = &self.managers[0];
            return fields(&[
                ("user", Some(who)),
                ("manager", m.display_name.clone()),
                ("upn", m.upn.clone()),
                ("id", Some(m.id.clone())),
                ("job title", m.job_title.clone()),
                ("department", m.department.clone()),
            ]);
        }
        let rows: Vec<Vec<String>> = self
            .managers
            .iter()
            .map(|m| {
                vec![
                    m.level.to_string(),
                    or_dash(&m.display_name),
                    or_dash(&m.upn),
                    or_dash(&m.job_title),
                    or_dash(&m.department),
                    m.id.clone(),
                ]
            })
            .collect();
        format!(
            "management chain of {who} ({} levels)\n{}",
            self.managers.len(),
            table(&["level", "name", "upn", "job title", "department", "id"], &rows)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Show Karita's full management chain up to the CEO",
        args: r#"{"user":"karita@woodgrovebank.com","chain":true}"#,
        facts: &[
            Fact::Every("managers/0/display_name", "Daniel Moreau"),
            Fact::Every("managers/1/display_name", "Grace Whitfield"),
            Fact::Every("managers/2/display_name", "Henrik Larsen"),
            Fact::Count("managers/*", 3),
            Fact::Says("Chief Executive Officer"),
        ],
    },
    Example {
        question: "Who is Elena Petrova's manager?",
        args: r#"{"user":"elena@woodgrovebank.com"}"#,
        facts: &[Fact::Every("managers/0/display_name", "Tom Okafor"), Fact::Count("managers/*", 1)],
    },
    Example {
        question: "Who does the CEO report to?",
        args: r#"{"user":"henrik.larsen@woodgrovebank.com","chain":true}"#,
        facts: &[Fact::Count("managers/*", 0), Fact::Says("no manager")],
    },
    Example {
        question: "Manager of someone who does not exist",
        args: r#"{"user":"nobody@woodgrovebank.com"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_USER_MANAGER, get_user_manager)
}
