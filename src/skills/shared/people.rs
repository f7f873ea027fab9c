//! People and devices named in answers: [`PersonRef`], resolving a `user` argument to its id
//! and UPN, Graph's 404 on a user turned into a `not_found` that points at `search_users`, and
//! the device join types as admins say them.

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

/// Graph's `trustType` as an admin says it.
pub fn join_type(trust_type: Option<&str>) -> Option<String> {
    trust_type.map(|t| match t {
        "AzureAd" => "entra_joined".to_string(),
        "Workplace" => "registered".to_string(),
        "ServerAd" => "hybrid_joined".to_string(),
        other => other.to_string(),
    })
}
