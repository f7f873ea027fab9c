//! `get_role_definition`: one directory role by name or id — built-in or custom, enabled, what
//! it may do (its resource actions) and, from beta, whether Entra marks it privileged. The name
//! is matched tolerantly ("Global Admin", "helpdesk admin"), and a miss names the closest roles.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query, path};
use crate::render::{MAX_TEXT, fields, trim, trim_opt, yes_no};
use crate::shared::roles::{self, RoleName};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_ROLE_DEFINITION: Declaration = Declaration {
    name: "get_role_definition",
    title: "Get a directory role definition (id, permissions, privileged)",
    description: "One Entra directory role by name or id, names matched loosely (\"Global Admin\", \"helpdesk admin\"): its id and template id, built-in or custom, enabled, description, the resource actions (permissions) it grants, and (with beta) whether Entra marks it privileged. Any member.",
    toolset: Toolset::Roles,
    permissions: &["RoleManagement.Read.Directory"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetRoleDefinitionParams {
    /// The role's display name (loosely: "Global Admin", "helpdesk admin") or its id.
    pub role: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RoleDefinitionDetail {
    pub id: String,
    pub display_name: String,
    /// Built-in roles keep the same template id in every tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// `built_in` or `custom`.
    pub kind: String,
    /// A disabled custom role cannot be assigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The resource actions it allows (the first 10).
    pub permissions: Vec<String>,
    /// How many resource actions it allows in all.
    pub permission_count: usize,
    /// Entra marks the role privileged (beta; absent when beta is off or unreadable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Definition {
    id: String,
    display_name: Option<String>,
    template_id: Option<String>,
    description: Option<String>,
    is_built_in: Option<bool>,
    is_enabled: Option<bool>,
    role_permissions: Vec<Permission>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Permission {
    allowed_resource_actions: Vec<String>,
}

const FIELDS: &[&str] =
    &["id", "displayName", "templateId", "description", "isBuiltIn", "isEnabled", "rolePermissions"];
/// Resource actions shown; the rest are counted.
const SHOWN: usize = 10;

async fn get_role_definition(ctx: Ctx, p: GetRoleDefinitionParams) -> Result<RoleDefinitionDetail, SkillError> {
    // An id is read directly; a name is matched first (tolerantly) and then read by its id.
    let id = match given_id(&p.role) {
        Some(id) => id,
        None => roles::resolve_role(&ctx, &p.role).await?.id,
    };
    let full = GraphRequest::get(path("/roleManagement/directory/roleDefinitions/{}", &[&id]))
        .query(Query::new().select(FIELDS));
    let flag = async {
        if !ctx.beta {
            return None;
        }
        let request = GraphRequest::get(path("/roleManagement/directory/roleDefinitions/{}", &[&id]))
            .beta()
            .query(Query::new().select(&["id", "isPrivileged"]));
        Some(ctx.graph.get::<RoleName>(request).await)
    };
    let (definition, flag) = tokio::join!(ctx.graph.get::<Definition>(full), flag);
    let definition = definition.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            let mut missing = SkillError::not_found(format!("role {id}"), "get_role_definition")
                .with_remedy("give the role's display name or its id as `role`");
            missing.graph = e.graph;
            missing
        } else {
            e
        }
    })?;
    let privileged = match flag {
        None => {
            ctx.note("privileged flag not read: `isPrivileged` is a beta property (start the server with --beta)");
            None
        }
        Some(Ok(role)) => role.is_privileged,
        Some(Err(e)) if e.kind == ErrorKind::Throttled => return Err(e),
        Some(Err(e)) => {
            ctx.note(format!("privileged flag unavailable (beta roleDefinitions: {})", e.kind.as_str()));
            None
        }
    };
    let actions: Vec<String> =
        definition.role_permissions.into_iter().flat_map(|p| p.allowed_resource_actions).collect();
    let permission_count = actions.len();
    let built_in = definition.is_built_in.unwrap_or(true);
    Ok(RoleDefinitionDetail {
        display_name: definition.display_name.unwrap_or_else(|| definition.id.clone()),
        id: definition.id,
        template_id: definition.template_id,
        kind: if built_in { "built_in" } else { "custom" }.to_string(),
        enabled: definition.is_enabled,
        description: trim_opt(definition.description),
        permissions: actions.into_iter().take(SHOWN).map(|a| trim(&a, MAX_TEXT)).collect(),
        permission_count,
        privileged,
    })
}

impl Render for RoleDefinitionDetail {
    fn markdown(&self) -> String {
        let more = self.permission_count.saturating_sub(self.permissions.len());
        let mut permissions = self.permissions.join(", ");
        if more > 0 {
            permissions.push_str(&format!(" … and {more} more"));
        }
        fields(&[
            ("role", Some(self.display_name.clone())),
            ("id", Some(self.id.clone())),
            ("template id", self.template_id.clone()),
            ("kind", Some(self.kind.replace('_', "-"))),
            ("enabled", yes_no(self.enabled)),
            ("privileged", yes_no(self.privileged)),
            ("description", self.description.clone()),
            ("permissions", Some(format!("{} resource actions", self.permission_count))),
        ]) + &format!("\n{}", if permissions.is_empty() { "none".to_string() } else { permissions })
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What is the role id and template id of Global Admin, and is it privileged?",
        args: r#"{"role":"Global Admin"}"#,
        facts: &[
            Fact::Every("display_name", "Global Administrator"),
            Fact::Every("id", "62e90394-69f5-4237-9190-012177145e10"),
            Fact::Every("kind", "built_in"),
            Fact::Every("privileged", "true"),
            Fact::Says("`Global Admin` read as Global Administrator"),
        ],
    },
    Example {
        question: "What permissions does our custom Woodgrove Helpdesk Tier 1 role grant?",
        args: r#"{"role":"woodgrove helpdesk tier 1"}"#,
        facts: &[
            Fact::Every("kind", "custom"),
            Fact::Every("enabled", "true"),
            Fact::Some("permissions/*", "microsoft.directory/users/password/update"),
            Fact::Count("permissions/*", 10),
            Fact::Every("permission_count", "12"),
            Fact::Says("and 2 more"),
        ],
    },
    Example {
        question: "Is the Woodgrove Branch Directory Reader custom role still enabled?",
        args: r#"{"role":"8b3242c0-47b7-590e-a252-624cd3f6e633"}"#,
        facts: &[
            Fact::Every("display_name", "Woodgrove Branch Directory Reader"),
            Fact::Every("enabled", "false"),
            Fact::Every("privileged", "false"),
        ],
    },
    Example {
        question: "Role definition of the helpdesk admin role",
        args: r#"{"role":"helpdesk admin"}"#,
        facts: &[Fact::Every("display_name", "Helpdesk Administrator"), Fact::Every("kind", "built_in")],
    },
    Example {
        question: "A role that does not exist names the closest ones",
        args: r#"{"role":"Billing Wizard Administrator"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("closest roles")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_ROLE_DEFINITION, get_role_definition)
}
