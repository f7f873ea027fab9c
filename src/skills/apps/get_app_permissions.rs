//! `get_app_permissions`: what one app may do — delegated grants (for all users or per user),
//! application permissions and directory roles held — each with its risk tier.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::access::{PermissionRow, Resources, read_access};
use super::model::resolve_app;
use super::tiers::Tier;
use crate::render::{fields, short_time, table};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_APP_PERMISSIONS: Declaration = Declaration {
    name: "get_app_permissions",
    title: "Get app permissions",
    description: "What an app has been granted, by app name, object id or appId: delegated permissions consented for all users or per user, application permissions (app roles), and directory roles it holds, each tiered critical/high/medium/low. For an overall risk verdict use analyze_app_permission_risk. Directory Readers.",
    toolset: Toolset::Apps,
    permissions: &["Application.Read.All", "Directory.Read.All", "RoleManagement.Read.Directory"],
    least_role: "Directory Readers",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetAppPermissionsParams {
    /// Exact display name, service principal object id, or appId.
    pub app: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AppPermissions {
    pub app: String,
    /// The service principal's object id.
    pub id: String,
    pub app_id: Option<String>,
    /// The highest tier of anything held; absent when the app holds nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highest_tier: Option<Tier>,
    /// Highest tier first.
    pub permissions: Vec<PermissionRow>,
}

async fn get_app_permissions(ctx: Ctx, p: GetAppPermissionsParams) -> Result<AppPermissions, SkillError> {
    let sp = resolve_app(&ctx, &p.app, &["id", "appId", "displayName"]).await?;
    let permissions = read_access(&ctx, &sp.id, &Resources::default()).await?;
    Ok(AppPermissions {
        app: sp.name(),
        highest_tier: permissions.iter().map(|p| p.tier).max(),
        permissions,
        id: sp.id,
        app_id: sp.app_id,
    })
}

impl Render for AppPermissions {
    fn markdown(&self) -> String {
        let head = fields(&[
            ("app", Some(self.app.clone())),
            ("service principal id", Some(self.id.clone())),
            ("appId", self.app_id.clone()),
            ("highest tier", Some(self.highest_tier.map(Tier::as_str).unwrap_or("none (nothing granted)").into())),
        ]);
        let rows: Vec<Vec<String>> = self
            .permissions
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.how(),
                    p.resource.clone(),
                    p.tier.as_str().into(),
                    p.granted.as_deref().map(short_time).unwrap_or_default(),
                ]
            })
            .collect();
        format!("{head}\n{}", table(&["permission or role", "kind", "API", "tier", "granted"], &rows))
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What permissions and admin roles does HR Onboarding Automation hold?",
        args: r#"{"app":"HR Onboarding Automation"}"#,
        facts: &[
            Fact::Some("permissions/*/name", "RoleManagement.ReadWrite.Directory"),
            Fact::Some("permissions/*/name", "User Administrator"),
            Fact::Some("permissions/*/kind", "directory_role"),
            Fact::Every("highest_tier", "critical"),
        ],
    },
    Example {
        question: "Which delegated grants and application permissions were consented to Fabrikam Expense Sync?",
        args: r#"{"app":"Fabrikam Expense Sync"}"#,
        facts: &[
            Fact::Some("permissions/*/name", "Mail.Read"),
            Fact::Some("permissions/*/consent", "all_users"),
            Fact::Some("permissions/*/name", "Directory.ReadWrite.All"),
            Fact::Says("delegated, all users"),
        ],
    },
    Example {
        question: "Permissions granted to Sales CRM, per-user consents included",
        args: r#"{"app":"Sales CRM"}"#,
        facts: &[Fact::Some("permissions/*/users", "3"), Fact::Every("permissions/*/consent", "per_user")],
    },
    Example {
        question: "Permissions of an app that does not exist",
        args: r#"{"app":"No Such App"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_APP_PERMISSIONS, get_app_permissions)
}
