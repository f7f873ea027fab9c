//! People named in answers: [`PersonRef`], resolving a `user` argument to its id and UPN,
//! Graph's 404 on a user turned into a `not_found` that points at `search_users`, and users as
//! the targets of writes.

use schemars::JsonSchema;
use serde::Serialize;

use super::params::UserKey;
use crate::error::{ErrorKind, SkillError};
use crate::graph::resources::User;
use crate::graph::{GraphRequest, Query};
use crate::skill::Ctx;

/// A person named in another object's answer, with the id needed to follow up.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PersonRef {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
}

/// Turns Graph's 404 on `/users/{key}` into a `not_found` that points at `search_users`.
pub fn user_not_found(key: &UserKey) -> impl Fn(SkillError) -> SkillError + '_ {
    move |e| {
        if e.kind == ErrorKind::NotFound {
            let mut nf = SkillError::not_found(key.describe(), "search_users");
            nf.graph = e.graph;
            nf
        } else {
            e
        }
    }
}

/// Resolves a user reference to (object id, UPN, display name) with one small GET.
pub async fn resolve_user(ctx: &Ctx, key: &UserKey) -> Result<PersonRef, SkillError> {
    let request = GraphRequest::get(key.path()).query(Query::new().select(&["id", "displayName", "userPrincipalName"]));
    let user: User = ctx.graph.get(request).await.map_err(user_not_found(key))?;
    Ok(PersonRef { id: user.id, display_name: user.display_name, upn: user.user_principal_name })
}

// ---------------------------------------------------------------------------------------------

/// "Name (UPN)", as a write names its target.
pub fn user_label(user: &User) -> String {
    match (&user.display_name, &user.user_principal_name) {
        (Some(name), Some(upn)) => format!("{name} ({upn})"),
        (None, Some(upn)) => upn.clone(),
        (Some(name), None) => name.clone(),
        (None, None) => user.id.clone(),
    }
}

/// The signed-in caller's object id, for the guard rails that protect the caller from
/// locking themselves out.
pub async fn caller_id(ctx: &Ctx) -> Result<String, SkillError> {
    let request = GraphRequest::get("/me").query(Query::new().select(&["id"]));
    let me: User = ctx.graph.get(request).await?;
    Ok(me.id)
}

/// A user as the target of a write: who, and the properties the change depends on.
pub async fn user_target(ctx: &Ctx, key: &UserKey, state: &'static [&'static str]) -> Result<User, SkillError> {
    let mut select = vec!["id", "displayName", "userPrincipalName"];
    select.extend_from_slice(state);
    let request = GraphRequest::get(key.path()).query(Query::new().select(&select));
    ctx.graph.get(request).await.map_err(user_not_found(key))
}

/// The guard rails every write on a user keeps: never the caller (when `not_self`), and
/// never a break-glass account for a change that removes access (tier 3).
pub fn check_user_guard_rails(
    ctx: &Ctx,
    tool: &str,
    target: &User,
    caller: &str,
    not_self: bool,
    tier: u8,
) -> Result<(), SkillError> {
    let upn = target.user_principal_name.as_deref();
    let who = upn.unwrap_or(&target.id);
    if not_self && target.id.eq_ignore_ascii_case(caller) {
        return Err(SkillError::invalid_value(
            "user",
            format!("`{who}` is the signed-in caller; {tool} is refused on yourself"),
            "another user's UPN or object id",
        ));
    }
    if tier >= 3 && ctx.guard.is_break_glass(&target.id, upn) {
        return Err(SkillError::invalid_value(
            "user",
            format!(
                "`{who}` is a break-glass (emergency access) account, which no change that removes access may target"
            ),
            "a user who is not a break-glass account (ENTRA_MCP_BREAK_GLASS lists them)",
        ));
    }
    Ok(())
}
