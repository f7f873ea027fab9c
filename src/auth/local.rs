//! The stdio token source for a real tenant: the developer's own sign-in through the Azure CLI
//! or, failing that, the Azure Developer CLI — the order of azure_identity's
//! `DeveloperToolsCredential`. That type cannot be pinned to a tenant, so the two credentials
//! are built here with the configured tenant: otherwise a developer signed in elsewhere would
//! silently query the wrong directory.
//!
//! The CLI credentials do not cache (each call runs `az`, which takes about a second), so each
//! token (Graph's, and Azure Resource Manager's when a skill needs it) is cached here until five
//! minutes before it expires; one refresh runs at a time.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use azure_core::credentials::TokenCredential;
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, AzureDeveloperCliCredential, AzureDeveloperCliCredentialOptions,
};
use futures::future::BoxFuture;

use super::{AccessToken, Caller, TokenSource};
use crate::error::{ErrorKind, SkillError};

const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// The public cloud's Azure Resource Manager scope; a national cloud sets its own.
const ARM_SCOPE: &str = "https://management.azure.com/.default";

/// Graph tokens for the developer signed in with `az login` (or `azd auth login`).
pub struct DeveloperTokenSource {
    /// Tried in order; the first that gives a token wins.
    credentials: Vec<Arc<dyn TokenCredential>>,
    scope: String,
    /// Azure Resource Manager's `.default` scope, for the requests that go there.
    arm_scope: String,
    tenant_id: Option<String>,
    /// Tokens and their expiry (Unix seconds) by scope. A tokio mutex held across the CLI call
    /// on purpose: concurrent skills wait for one `az` run instead of starting several.
    cached: tokio::sync::Mutex<HashMap<String, (AccessToken, i64)>>,
}

impl std::fmt::Debug for DeveloperTokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeveloperTokenSource")
            .field("scope", &self.scope)
            .field("arm_scope", &self.arm_scope)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

impl DeveloperTokenSource {
    /// `graph_scope` is the cloud's Graph `.default` scope (`{Cloud::graph_url}/.default`);
    /// `tenant_id` pins the sign-in to a tenant.
    pub fn new(graph_scope: &str, tenant_id: Option<&str>) -> anyhow::Result<Self> {
        let tenant = tenant_id.map(str::to_owned);
        let az: Arc<dyn TokenCredential> = AzureCliCredential::new(Some(AzureCliCredentialOptions {
            tenant_id: tenant.clone(),
            ..Default::default()
        }))?;
        let azd: Arc<dyn TokenCredential> =
            AzureDeveloperCliCredential::new(Some(AzureDeveloperCliCredentialOptions {
                tenant_id: tenant.clone(),
                ..Default::default()
            }))?;
        Ok(Self::with_credentials(vec![az, azd], graph_scope, tenant_id))
    }

    /// The same source over other credentials (tests, or a caller with its own chain).
    pub fn with_credentials(
        credentials: Vec<Arc<dyn TokenCredential>>,
        graph_scope: &str,
        tenant_id: Option<&str>,
    ) -> Self {
        DeveloperTokenSource {
            credentials,
            scope: graph_scope.to_owned(),
            arm_scope: ARM_SCOPE.to_owned(),
            tenant_id: tenant_id.map(str::to_owned),
            cached: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The cloud's Azure Resource Manager scope (`{Cloud::arm_url}/.default`), when it is not
    /// the public cloud's.
    pub fn with_arm_scope(mut self, arm_scope: &str) -> Self {
        self.arm_scope = arm_scope.to_owned();
        self
    }

    async fn token(&self, scope: &str) -> Result<AccessToken, SkillError> {
        let mut cached = self.cached.lock().await;
        let now = unix_now();
        if let Some((token, expires_on)) = cached.get(scope)
            && now + (REFRESH_MARGIN.as_secs() as i64) < *expires_on
        {
            return Ok(token.clone());
        }
        let mut failures = Vec::new();
        for credential in &self.credentials {
            match credential.get_token(&[scope], None).await {
                Ok(token) => {
                    let fresh = AccessToken::new(token.token.secret());
                    cached.insert(scope.to_owned(), (fresh.clone(), token.expires_on.unix_timestamp()));
                    return Ok(fresh);
                }
                // The CLIs' messages say what is wrong ("Please run 'az login'", "not found");
                // they never contain a token.
                Err(error) => failures.push(first_line(&error.to_string())),
            }
        }
        let tenant = self.tenant_id.as_deref().unwrap_or("<tenant id>");
        tracing::warn!(failures = ?failures, "no developer sign-in available");
        Err(SkillError::new(
            ErrorKind::Forbidden,
            format!("nobody is signed in for local use ({})", failures.join("; ")),
        )
        .with_remedy(format!(
            "run `az login --tenant {tenant}` (or `azd auth login --tenant-id {tenant}`) as a user who may read the \
             directory, then retry; or run with --demo"
        )))
    }
}

impl TokenSource for DeveloperTokenSource {
    /// Stdio has one user, the developer: the caller carries nothing to exchange.
    fn graph_token<'a>(&'a self, _caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>> {
        Box::pin(self.token(&self.scope))
    }

    /// The developer's own Azure Resource Manager token: the CLIs hand one out to anyone
    /// signed in, no consent involved.
    fn arm_token<'a>(&'a self, _caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>> {
        Box::pin(self.token(&self.arm_scope))
    }
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    line.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use azure_core::credentials::{AccessToken as AzureToken, TokenRequestOptions};
    use azure_core::time::{Duration as AzureDuration, OffsetDateTime};

    use super::*;

    const GRAPH_SCOPE_US_GOV: &str = "https://graph.microsoft.us/.default";

    #[derive(Debug)]
    struct FakeCli {
        calls: AtomicUsize,
        answer: Option<(&'static str, i64)>,
    }

    #[async_trait::async_trait]
    impl TokenCredential for FakeCli {
        async fn get_token(
            &self,
            scopes: &[&str],
            _: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AzureToken> {
            assert_eq!(scopes, [GRAPH_SCOPE_US_GOV]);
            self.calls.fetch_add(1, Ordering::SeqCst);
            match self.answer {
                Some((token, lifetime)) => {
                    Ok(AzureToken::new(token, OffsetDateTime::now_utc() + AzureDuration::seconds(lifetime)))
                }
                None => Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    "AzureCliCredential authentication failed. ERROR: Please run 'az login' to setup account.",
                )),
            }
        }
    }

    fn fake(answer: Option<(&'static str, i64)>) -> Arc<FakeCli> {
        Arc::new(FakeCli { calls: AtomicUsize::new(0), answer })
    }

    #[tokio::test]
    async fn falls_back_to_azd_and_caches_until_near_expiry() {
        let az = fake(None);
        let azd = fake(Some(("azd-graph-token", 3600)));
        let source = DeveloperTokenSource::with_credentials(vec![az.clone(), azd.clone()], GRAPH_SCOPE_US_GOV, None);
        for _ in 0..5 {
            assert_eq!(source.graph_token(&Caller::default()).await.expect("token").secret(), "azd-graph-token");
        }
        assert_eq!((az.calls.load(Ordering::SeqCst), azd.calls.load(Ordering::SeqCst)), (1, 1));

        // A token inside the refresh margin is fetched again on every call.
        let short = fake(Some(("short", 60)));
        let source = DeveloperTokenSource::with_credentials(vec![short.clone()], GRAPH_SCOPE_US_GOV, None);
        source.graph_token(&Caller::default()).await.expect("first");
        source.graph_token(&Caller::default()).await.expect("second");
        assert_eq!(short.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn nobody_signed_in_says_how_to_sign_in() {
        let source = DeveloperTokenSource::with_credentials(
            vec![fake(None), fake(None)],
            GRAPH_SCOPE_US_GOV,
            Some("11111111-1111-4111-8111-111111111111"),
        );
        let error = source.graph_token(&Caller::default()).await.expect_err("nobody signed in");
        assert_eq!(error.kind, ErrorKind::Forbidden);
        assert!(error.message.contains("az login"), "{error}");
        assert!(
            error
                .remedy
                .as_deref()
                .is_some_and(|r| r.contains("az login --tenant 11111111-1111-4111-8111-111111111111")),
            "{error}"
        );
    }

    /// Answers any scope with a token naming it, and records what was asked.
    #[derive(Debug, Default)]
    struct ScopeEcho {
        asked: std::sync::Mutex<Vec<String>>,
    }

    #[async_trait::async_trait]
    impl TokenCredential for ScopeEcho {
        async fn get_token(
            &self,
            scopes: &[&str],
            _: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AzureToken> {
            let scope = scopes.join(" ");
            self.asked.lock().expect("not poisoned").push(scope.clone());
            Ok(AzureToken::new(format!("token for {scope}"), OffsetDateTime::now_utc() + AzureDuration::seconds(3600)))
        }
    }

    #[tokio::test]
    async fn resource_manager_tokens_have_their_own_scope_and_cache() {
        const ARM_US_GOV: &str = "https://management.usgovcloudapi.net/.default";
        let cli = Arc::new(ScopeEcho::default());
        let source = DeveloperTokenSource::with_credentials(vec![cli.clone()], GRAPH_SCOPE_US_GOV, None)
            .with_arm_scope(ARM_US_GOV);
        for _ in 0..3 {
            let graph = source.graph_token(&Caller::default()).await.expect("graph token");
            let arm = source.arm_token(&Caller::default()).await.expect("ARM token");
            assert_eq!(graph.secret(), format!("token for {GRAPH_SCOPE_US_GOV}"));
            assert_eq!(arm.secret(), format!("token for {ARM_US_GOV}"));
        }
        assert_eq!(*cli.asked.lock().expect("not poisoned"), [GRAPH_SCOPE_US_GOV, ARM_US_GOV], "one CLI run each");
    }

    #[test]
    fn builds_without_the_clis_installed() {
        assert!(
            DeveloperTokenSource::new("https://graph.microsoft.com/.default", Some("contoso.onmicrosoft.com")).is_ok()
        );
    }
}
