//! The demo tenant's token source: the emulator accepts `demo:<object id>` and treats that
//! object as the signed-in user, so `/me` and role checks behave as for a real persona. The
//! emulator serves the one Azure Resource Manager path too, with the same token.

use futures::future::BoxFuture;

use super::{AccessToken, Caller, TokenSource};
use crate::error::SkillError;

/// Issues demo tokens for the persona (or for the caller's own object id when one is known).
pub struct DemoTokenSource {
    persona_object_id: String,
}

impl DemoTokenSource {
    pub fn new(persona_object_id: impl Into<String>) -> Self {
        DemoTokenSource { persona_object_id: persona_object_id.into() }
    }
}

impl TokenSource for DemoTokenSource {
    fn graph_token<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>> {
        let oid = caller.object_id.as_deref().unwrap_or(&self.persona_object_id);
        let token = AccessToken::new(format!("demo:{oid}"));
        Box::pin(async move { Ok(token) })
    }

    fn arm_token<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>> {
        self.graph_token(caller)
    }
}
