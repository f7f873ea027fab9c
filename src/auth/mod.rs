//! Who is asking, and how the server gets a Graph token for them.
//!
//! A [`Caller`] is attached to every tool call by the transport (over HTTP, by the bearer-token
//! middleware; over stdio, the local signed-in user). A [`TokenSource`] turns a caller into a
//! Graph access token: the on-behalf-of exchange in tenant HTTP mode, the developer login over
//! stdio, or the demo source. Skills never see either: they get a `GraphClient` already bound
//! to the caller.

pub mod credential;
pub mod demo;
pub mod jwt;
pub mod local;
pub mod obo;
#[cfg(test)]
pub(crate) mod testing;

use std::fmt;

use futures::future::BoxFuture;

use crate::error::SkillError;

/// A bearer token. Its `Debug` and `Display` never print the value, so it cannot leak into a
/// log line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(value: impl Into<String>) -> Self {
        AccessToken(value.into())
    }

    /// The raw value, for the one place that needs it: the `Authorization` header.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// The signed-in user a tool call acts for.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// Entra tenant id (`tid`).
    pub tenant_id: Option<String>,
    /// Object id (`oid`).
    pub object_id: Option<String>,
    /// `preferred_username` / UPN, for the audit trail.
    pub upn: Option<String>,
    /// The caller's own token for this server; only ever used as the `assertion` of an
    /// on-behalf-of exchange, never sent to Graph.
    pub assertion: Option<AccessToken>,
}

/// Supplies Graph access tokens for a caller.
pub trait TokenSource: Send + Sync {
    /// A token for Microsoft Graph, valid for `caller`. Implementations cache.
    fn graph_token<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>>;
}
