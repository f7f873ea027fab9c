//! Who is asking, and how the server gets a Graph token for them.
//!
//! A [`Caller`] is attached to every tool call by the transport (over HTTP, by the bearer-token
//! middleware; over stdio, the local signed-in user). A [`TokenSource`] turns a caller into a
//! Graph access token: the on-behalf-of exchange in tenant HTTP mode, the developer login over
//! stdio, or the demo source. Skills never see either: they get a `GraphClient` already bound
//! to the caller. One skill (`get_entra_diagnostic_settings`) reads Azure Resource Manager, the
//! one other audience a source hands out tokens for ([`TokenSource::arm_token`]).

pub mod credential;
pub mod demo;
pub mod jwt;
pub mod local;
pub mod obo;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

use std::fmt;

use futures::future::BoxFuture;

use crate::error::{ErrorKind, SkillError};

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

/// The delegated permission an Azure Resource Manager token needs, as an admin finds it in an
/// app registration's API permissions.
pub const ARM_PERMISSION: &str = "Azure Service Management: user_impersonation";

/// Supplies Graph access tokens for a caller.
pub trait TokenSource: Send + Sync {
    /// A token for Microsoft Graph, valid for `caller`. Implementations cache.
    fn graph_token<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>>;

    /// A token for Azure Resource Manager (`https://management.azure.com/.default` or the
    /// cloud's), valid for `caller`: a second audience, asked for only by the few requests that
    /// go to ARM. A source that has no way to get one says which permission is missing.
    fn arm_token<'a>(&'a self, _caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>> {
        Box::pin(async { Err(arm_consent_required("this server has no Azure Resource Manager token source")) })
    }
}

/// `consent_required` for an Azure Resource Manager token: names the delegated permission an
/// admin must grant to the server's app registration.
pub fn arm_consent_required(why: &str) -> SkillError {
    SkillError::new(
        ErrorKind::ConsentRequired,
        format!("{why}: reading Azure Resource Manager needs the delegated permission {ARM_PERMISSION}"),
    )
    .with_remedy(format!(
        "add the delegated permission {ARM_PERMISSION} to the server's app registration and grant admin consent \
         (`entra-mcp permissions --json` lists it under its own resource)"
    ))
}

/// A failure whose detail must not reach the caller: Entra's free-text descriptions, file
/// paths, endpoint URLs and OS errors describe the server's deployment, and a caller (or the
/// model reading the answer) has no use for them and should not learn them. The caller gets
/// `message` and a fresh correlation id; the log gets the same id with the detail, at debug
/// level, so an operator can find it from the id the user quotes.
pub(crate) fn opaque_error(kind: ErrorKind, message: &str, detail: &dyn fmt::Display) -> SkillError {
    let correlation_id = random_uuid();
    tracing::warn!(%correlation_id, kind = kind.as_str(), "{message}");
    tracing::debug!(%correlation_id, detail = %detail, "{message}: detail");
    SkillError::new(kind, format!("{message} (correlation id {correlation_id})"))
}

/// A random (v4) UUID from aws-lc's generator: unpredictable, so it can be a `jti` or a
/// correlation id without revealing anything about the server.
pub(crate) fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    // The system generator does not fail in practice; a zero id is still well-formed.
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        tracing::warn!("the system random generator failed; the generated id is not random");
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}
