//! `set_user_account_enabled`: blocks or unblocks a user's sign-in. Blocking is tier 3 (it
//! locks someone out: re-typed by the human, never on the caller, a break-glass account or the
//! last enabled Global Administrator); unblocking is tier 2.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::graph::resources::User;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{fields, yes_no};
use crate::shared::*;
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

const SET_USER_ACCOUNT_ENABLED: Declaration = Declaration {
    name: "set_user_account_enabled",
    title: "Block or unblock sign-in",
    description: "Block a user from signing in (disable the account) or unblock them. Preview first, then confirm; blocking also needs the UPN re-typed. User Administrator (privileged users: Privileged Authentication Administrator).",
    toolset: Toolset::Users,
    permissions: &["User.EnableDisableAccount.All"],
    least_role: "User Administrator (privileged targets: Privileged Authentication Administrator)",
    access: Access::Write { tier: 3, idempotent: true },
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetUserAccountEnabledParams {
    pub user: UserRef,
    /// `false` blocks sign-in, `true` allows it again.
    pub enabled: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AccountState {
    pub user: String,
    pub id: String,
    /// The account's state as Graph reads it after the change.
    pub enabled: Option<bool>,
}

/// The Global Administrator role's template id, the same in every tenant.
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
/// The most role holders read to tell whether another enabled Global Administrator remains.
const HOLDERS_READ: usize = 50;

const STATE: &[&str] = &["accountEnabled"];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RoleAssignment {
    principal_id: String,
}

fn request(id: &str, enabled: bool) -> GraphRequest {
    GraphRequest::patch(format!("/users/{id}"), json!({"accountEnabled": enabled}))
}

/// Who holds Global Administrator directly; read beside the target, since it does not depend
/// on it.
async fn global_administrators(ctx: &Ctx) -> Result<Vec<RoleAssignment>, SkillError> {
    let request = GraphRequest::get("/roleManagement/directory/roleAssignments").query(
        Query::new()
            .select(&["principalId"])
            .filter(Expr::eq("roleDefinitionId", GLOBAL_ADMINISTRATOR))
            .top(HOLDERS_READ),
    );
    Ok(ctx.graph.list::<RoleAssignment>(request, HOLDERS_READ).await?.items)
}

/// Refuses to disable the last enabled user who holds Global Administrator directly: the
/// tenant would have no one left to undo it.
async fn check_last_global_administrator(
    ctx: &Ctx,
    target: &User,
    holders: &[RoleAssignment],
) -> Result<(), SkillError> {
    if !holders.iter().any(|h| h.principal_id.eq_ignore_ascii_case(&target.id)) {
        return Ok(());
    }
    let others: Vec<&str> = holders
        .iter()
        .map(|h| h.principal_id.as_str())
        .filter(|p| !p.eq_ignore_ascii_case(&target.id))
        .filter_map(|p| guid(p).map(|_| p))
        .collect();
    let reads = others.iter().map(|id| {
        let request = GraphRequest::get(format!("/users/{id}")).query(Query::new().select(&["id", "accountEnabled"]));
        ctx.graph.get::<User>(request)
    });
    // A holder that is not a user (a group, an app) or cannot be read is not counted: the
    // check errs on the side of refusing.
    let others_enabled = futures::future::join_all(reads)
        .await
        .into_iter()
        .filter_map(Result::ok)
        .filter(|u| u.account_enabled == Some(true))
        .count();
    if others_enabled == 0 {
        return Err(SkillError::invalid_value(
            "user",
            format!(
                "`{}` is the last enabled Global Administrator; blocking them would leave no one to undo it",
                target.user_principal_name.as_deref().unwrap_or(&target.id)
            ),
            "another user, or first enable or assign a second Global Administrator",
        ));
    }
    Ok(())
}

async fn prepare(ctx: Ctx, p: Arc<SetUserAccountEnabledParams>) -> Result<WritePlan, SkillError> {
    let key = p.user.parse("user")?;
    // Blocking also needs the Global Administrators; all three reads go out together.
    let holders = async { if p.enabled { Ok(Vec::new()) } else { global_administrators(&ctx).await } };
    let (target, caller, holders) = tokio::join!(user_target(&ctx, &key, STATE), caller_id(&ctx), holders);
    let (target, caller) = (target?, caller?);
    let tier = if p.enabled { 2 } else { 3 };
    check_user_guard_rails(&ctx, SET_USER_ACCOUNT_ENABLED.name, &target, &caller, true, tier)?;
    if !p.enabled {
        check_last_global_administrator(&ctx, &target, &holders?).await?;
    }
    let name = user_label(&target);
    let effect = match (p.enabled, target.account_enabled) {
        (true, Some(true)) => format!("{name} can already sign in; confirming changes nothing"),
        (false, Some(false)) => format!("{name} is already blocked; confirming changes nothing"),
        (true, _) => format!("allows {name} to sign in again"),
        (false, _) => format!(
            "blocks {name} from signing in: new sign-ins fail with AADSTS50057; sessions already open last until \
             their tokens expire (revoke them with revoke_user_sessions)"
        ),
    };
    let undo = if p.enabled {
        "call again with `enabled: false` to block sign-in again"
    } else {
        "call again with `enabled: true` to allow sign-in again"
    };
    Ok(WritePlan {
        targets: vec![WriteTarget { name, id: target.id.clone(), state: json!({"enabled": target.account_enabled}) }],
        requests: vec![request(&target.id, p.enabled).describe()],
        effect,
        undo: undo.into(),
        tier,
        confirm_target: target.user_principal_name.clone().or(Some(target.id.clone())),
    })
}

async fn apply(ctx: Ctx, p: Arc<SetUserAccountEnabledParams>, plan: WritePlan) -> Result<AccountState, SkillError> {
    let target = plan.targets.first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no target to change"))?;
    ctx.graph.write(request(&target.id, p.enabled)).await?;
    let key = UserKey::Id(parse_guid("user", &target.id)?);
    let after = ctx.optional("read-back", user_target(&ctx, &key, STATE).await);
    Ok(AccountState {
        user: target.name.clone(),
        id: target.id.clone(),
        enabled: after.and_then(|u| u.account_enabled),
    })
}

impl Render for AccountState {
    fn markdown(&self) -> String {
        fields(&[
            ("user", Some(self.user.clone())),
            ("id", Some(self.id.clone())),
            ("can sign in", yes_no(self.enabled)),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Block karita@woodgrovebank.com from signing in",
        args: r#"{"user":"karita@woodgrovebank.com","enabled":false}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C3"),
            Fact::Every("targets/0/state/enabled", "true"),
            Fact::Every("confirm_target_required", "karita@woodgrovebank.com"),
            Fact::Some("requests/*", "~PATCH v1.0 /users/"),
            Fact::Says("AADSTS50057"),
        ],
    },
    Example {
        question: "Let a user who was blocked sign in again",
        args: r#"{"user":"karita@woodgrovebank.com","enabled":true}"#,
        facts: &[Fact::Every("tier", "C2"), Fact::No("confirm_target_required", "karita@woodgrovebank.com")],
    },
    Example {
        question: "Disable my own account",
        args: r#"{"user":"me","enabled":false}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("yourself")],
    },
    Example {
        question: "Disable a break-glass account",
        args: r#"{"user":"breakglass02@woodgrovebank.onmicrosoft.com","enabled":false}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("break-glass")],
    },
];

pub fn skill() -> Skill {
    Skill::write(SET_USER_ACCOUNT_ENABLED, prepare, apply)
}
