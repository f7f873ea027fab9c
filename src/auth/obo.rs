//! The on-behalf-of exchange: trades the caller's token for this server (already validated by
//! `jwt.rs`) for a Microsoft Graph token that never leaves the server.
//!
//! azure_identity has no OBO credential, so the exchange is a plain form POST to the caller's
//! own tenant's token endpoint (never `common`). Results are cached per SHA-256 of the caller's
//! token and the scope set, like MSAL partitions its OBO cache, so a conversation costs one
//! exchange an hour instead of one per tool call. Concurrent calls for the same key share one
//! exchange; failures are not cached. The same exchange, with Azure Resource Manager's scope,
//! gives the one ARM token a skill needs (cached under its own key). Entra's error answers become `SkillError`s an admin or a
//! host can act on: consent URL, Conditional Access claims challenge, sign in again.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{Context as DigestContext, SHA256};
use futures::FutureExt as _;
use futures::future::{BoxFuture, Shared};
use serde::Deserialize;

use super::credential::ClientCredential;
use super::{ARM_PERMISSION, AccessToken, Caller, TokenSource, opaque_error, random_uuid};
use crate::error::{ErrorKind, SkillError};

const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// An exchange still pending after this long was abandoned (every waiter was cancelled before
/// it finished): its slot may be reused or evicted.
const ABANDONED_AFTER: Duration = Duration::from_secs(2 * 60);

/// How the server exchanges callers' tokens.
#[derive(Debug)]
pub struct OboSettings {
    /// `https://login.microsoftonline.com` (or the national cloud's), `http://127.0.0.1:port` in tests.
    pub authority: String,
    /// The server's own app registration (client) id.
    pub client_id: String,
    pub credential: ClientCredential,
    /// e.g. `["https://graph.microsoft.com/.default"]`.
    pub scopes: Vec<String>,
    /// Azure Resource Manager's, e.g. `["https://management.azure.com/.default"]`.
    pub arm_scopes: Vec<String>,
    /// Most cached tokens kept; expired ones are evicted first, then the oldest.
    pub cache_capacity: usize,
    /// A cached token is re-exchanged this long before it expires.
    pub refresh_margin: Duration,
}

impl OboSettings {
    pub fn new(authority: impl Into<String>, client_id: impl Into<String>, credential: ClientCredential) -> Self {
        OboSettings {
            authority: authority.into(),
            client_id: client_id.into(),
            credential,
            scopes: vec!["https://graph.microsoft.com/.default".to_owned()],
            arm_scopes: vec!["https://management.azure.com/.default".to_owned()],
            cache_capacity: 10_000,
            refresh_margin: Duration::from_secs(5 * 60),
        }
    }
}

/// A [`TokenSource`] that performs (and caches) on-behalf-of exchanges.
pub struct OboTokenSource {
    exchanger: Arc<Exchanger>,
    graph: Arc<Api>,
    arm: Arc<Api>,
    /// A std mutex: only held for map operations, never across an await.
    cache: Mutex<TokenCache>,
    refresh_margin: Duration,
}

impl fmt::Debug for OboTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OboTokenSource")
            .field("authority", &self.exchanger.authority)
            .field("client_id", &self.exchanger.client_id)
            .field("credential", &self.exchanger.credential)
            .field("scope", &self.graph.scope)
            .field("arm_scope", &self.arm.scope)
            .finish_non_exhaustive()
    }
}

/// An API the server exchanges callers' tokens for.
#[derive(Debug)]
struct Api {
    /// How messages name it.
    name: &'static str,
    /// The scopes asked for, space-separated.
    scope: String,
    /// What an admin grants for it, as a consent error names it.
    permission: &'static str,
}

/// What one exchange needs. Shared with in-flight exchanges, which outlive any one caller.
struct Exchanger {
    authority: String,
    client_id: String,
    credential: ClientCredential,
    http: reqwest::Client,
    exchanges: AtomicU64,
}

#[derive(Clone)]
struct Granted {
    token: AccessToken,
    /// When Entra answered, so the cache lifetime does not start late.
    at: Instant,
    expires_in: Duration,
}

type InFlight = Shared<BoxFuture<'static, Result<Granted, SkillError>>>;

type CacheKey = [u8; 32];

enum Slot {
    Ready { token: AccessToken, refresh_at: Instant, seq: u64 },
    Pending { id: u64, exchange: InFlight, started: Instant },
}

struct TokenCache {
    slots: HashMap<CacheKey, Slot>,
    capacity: usize,
    next: u64,
}

impl OboTokenSource {
    pub fn new(settings: OboSettings, http: reqwest::Client) -> Self {
        let OboSettings { authority, client_id, credential, scopes, arm_scopes, cache_capacity, refresh_margin } =
            settings;
        OboTokenSource {
            exchanger: Arc::new(Exchanger {
                authority: authority.trim_end_matches('/').to_owned(),
                client_id,
                credential,
                http,
                exchanges: AtomicU64::new(0),
            }),
            graph: Arc::new(Api {
                name: "Microsoft Graph",
                scope: scopes.join(" "),
                permission: "the delegated Graph permissions `entra-mcp permissions` lists",
            }),
            arm: Arc::new(Api {
                name: "Azure Resource Manager",
                scope: arm_scopes.join(" "),
                permission: ARM_PERMISSION,
            }),
            cache: Mutex::new(TokenCache { slots: HashMap::new(), capacity: cache_capacity.max(1), next: 0 }),
            refresh_margin,
        }
    }

    /// How many requests went to the token endpoint (for tests and benchmarks).
    pub fn exchanges(&self) -> u64 {
        self.exchanger.exchanges.load(Ordering::Relaxed)
    }

    fn cache(&self) -> MutexGuard<'_, TokenCache> {
        // A panic while holding the lock cannot leave the map half-updated in a way that
        // matters: the worst case is a lost cache entry.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn token_for(&self, caller: &Caller, api: &Arc<Api>) -> Result<AccessToken, SkillError> {
        let (Some(tenant), Some(assertion)) = (caller.tenant_id.as_deref(), caller.assertion.as_ref()) else {
            return Err(SkillError::new(ErrorKind::Forbidden, "no signed-in user")
                .with_remedy("call the server over HTTP with an Entra access token for it"));
        };
        // The tenant becomes a URL path segment; it comes from a validated token, but a
        // malformed one must not be able to reshape the URL.
        if tenant.is_empty() || !tenant.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
            return Err(SkillError::new(
                ErrorKind::Forbidden,
                "no signed-in user: the caller's tenant id is not valid",
            ));
        }
        let key = cache_key(assertion.secret(), &api.scope);
        let (id, exchange) = {
            let mut cache = self.cache();
            match cache.slots.get(&key) {
                Some(Slot::Ready { token, refresh_at, .. }) if Instant::now() < *refresh_at => return Ok(token.clone()),
                Some(Slot::Pending { id, exchange, started }) if started.elapsed() < ABANDONED_AFTER => {
                    (*id, exchange.clone())
                }
                _ => {
                    let exchange = self.exchanger.clone().start(tenant.to_owned(), assertion.clone(), api.clone());
                    let id = cache.insert_pending(key, exchange.clone());
                    (id, exchange)
                }
            }
        };
        let result = exchange.await;
        // Whichever waiter finishes first settles the slot; the others find it settled.
        self.cache().settle(&key, id, &result, self.refresh_margin);
        result.map(|granted| granted.token)
    }
}

impl TokenSource for OboTokenSource {
    fn graph_token<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>> {
        Box::pin(self.token_for(caller, &self.graph))
    }

    fn arm_token<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, Result<AccessToken, SkillError>> {
        Box::pin(self.token_for(caller, &self.arm))
    }
}

impl TokenCache {
    fn insert_pending(&mut self, key: CacheKey, exchange: InFlight) -> u64 {
        if !self.slots.contains_key(&key) && self.slots.len() >= self.capacity {
            self.evict();
        }
        self.next += 1;
        let id = self.next;
        self.slots.insert(key, Slot::Pending { id, exchange, started: Instant::now() });
        id
    }

    /// Makes room for one entry: expired tokens and abandoned exchanges go first, then the
    /// oldest token. Live exchanges are never evicted (their waiters would just start another).
    fn evict(&mut self) {
        let now = Instant::now();
        self.slots.retain(|_, slot| match slot {
            Slot::Ready { refresh_at, .. } => *refresh_at > now,
            Slot::Pending { started, .. } => now.duration_since(*started) < ABANDONED_AFTER,
        });
        if self.slots.len() < self.capacity {
            return;
        }
        let oldest = self
            .slots
            .iter()
            .filter_map(|(key, slot)| match slot {
                Slot::Ready { seq, .. } => Some((*seq, *key)),
                Slot::Pending { .. } => None,
            })
            .min();
        if let Some((_, key)) = oldest {
            self.slots.remove(&key);
        }
    }

    fn settle(&mut self, key: &CacheKey, id: u64, result: &Result<Granted, SkillError>, margin: Duration) {
        if !matches!(self.slots.get(key), Some(Slot::Pending { id: pending, .. }) if *pending == id) {
            return;
        }
        match result {
            Ok(granted) if granted.expires_in > margin => {
                self.next += 1;
                let refresh_at = granted.at + (granted.expires_in - margin);
                self.slots.insert(*key, Slot::Ready { token: granted.token.clone(), refresh_at, seq: self.next });
            }
            // Too short-lived to cache, or failed: the next call exchanges again.
            _ => {
                self.slots.remove(key);
            }
        }
    }
}

/// SHA-256 over the caller's token and the scopes: the cache never holds the token itself.
fn cache_key(assertion: &str, scope: &str) -> CacheKey {
    let mut context = DigestContext::new(&SHA256);
    context.update(assertion.as_bytes());
    context.update(&[0]);
    context.update(scope.as_bytes());
    let mut key = [0u8; 32];
    key.copy_from_slice(context.finish().as_ref());
    key
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    /// A number in v2.0 answers, a string in some older ones.
    expires_in: serde_json::Value,
}

/// Entra's error answer (RFC 6749 §5.2 plus its own fields).
#[derive(Deserialize, Default)]
struct TokenErrorResponse {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u64>,
    suberror: Option<String>,
    claims: Option<String>,
    trace_id: Option<String>,
    correlation_id: Option<String>,
}

impl Exchanger {
    fn start(self: Arc<Self>, tenant: String, assertion: AccessToken, api: Arc<Api>) -> InFlight {
        async move { self.exchange(&tenant, &assertion, &api).await }.boxed().shared()
    }

    fn token_endpoint(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.authority)
    }

    async fn exchange(&self, tenant: &str, assertion: &AccessToken, api: &Api) -> Result<Granted, SkillError> {
        let endpoint = self.token_endpoint(tenant);
        let mut form = vec![
            ("grant_type", JWT_BEARER_GRANT.to_owned()),
            ("client_id", self.client_id.clone()),
            ("assertion", assertion.secret().to_owned()),
            ("scope", api.scope.clone()),
            ("requested_token_use", "on_behalf_of".to_owned()),
        ];
        form.extend(self.credential.form_fields(&endpoint).await?);

        self.exchanges.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(tenant, scope = %api.scope, "on-behalf-of exchange");
        // reqwest's errors name the endpoint URL; the caller only learns that Entra was not reached.
        let response = self.http.post(&endpoint).timeout(HTTP_TIMEOUT).form(&form).send().await.map_err(|e| {
            opaque_error(
                ErrorKind::Upstream,
                "the Entra token endpoint could not be reached",
                &format_args!("POST {endpoint}: {:#}", anyhow::Error::new(e)),
            )
            .with_remedy(
                "retry shortly; if it persists, an operator should check the server's network path to Entra \
                 and look up the correlation id in the server's log",
            )
        })?;
        let at = Instant::now();
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = response.bytes().await.map_err(|e| {
            opaque_error(
                ErrorKind::Upstream,
                "reading the Entra token endpoint's answer failed",
                &format_args!("POST {endpoint}: {:#}", anyhow::Error::new(e)),
            )
            .with_remedy("retry shortly")
        })?;

        if (200..300).contains(&status) {
            let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
                SkillError::new(ErrorKind::Upstream, "the Entra token endpoint answered without an access token")
            })?;
            let expires_in = match &parsed.expires_in {
                serde_json::Value::Number(n) => n.as_u64(),
                serde_json::Value::String(s) => s.trim().parse().ok(),
                _ => None,
            }
            .unwrap_or(0);
            return Ok(Granted {
                token: AccessToken::new(parsed.access_token),
                at,
                expires_in: Duration::from_secs(expires_in),
            });
        }

        let error: TokenErrorResponse = serde_json::from_slice(&body).unwrap_or_default();
        // Ours, not Entra's: it ties the caller's error to this log line and the one below.
        let correlation_id = random_uuid();
        let skill_error = self.map_error(tenant, api, status, retry_after, &error, &correlation_id);
        tracing::warn!(
            %correlation_id,
            tenant,
            status,
            error = error.error.as_deref().unwrap_or(""),
            codes = ?error.error_codes,
            entra_trace_id = error.trace_id.as_deref().unwrap_or(""),
            entra_correlation_id = error.correlation_id.as_deref().unwrap_or(""),
            "on-behalf-of exchange refused"
        );
        // Entra's free text can name the app, its credentials' key ids and the tenant's policy:
        // useful to the operator, not for the caller.
        tracing::debug!(
            %correlation_id,
            description = error.error_description.as_deref().unwrap_or(""),
            "on-behalf-of exchange refused: Entra's description"
        );
        Err(skill_error)
    }

    /// Turns Entra's error answer into the error the host and the model act on: the error
    /// code, AADSTS numbers, Entra's trace and correlation ids and ours, but not Entra's free
    /// text (that is logged under `correlation_id`).
    fn map_error(
        &self,
        tenant: &str,
        api: &Api,
        status: u16,
        retry_after: Option<u64>,
        e: &TokenErrorResponse,
        correlation_id: &str,
    ) -> SkillError {
        let code = e.error.as_deref().unwrap_or("");
        let codes = codes_of(e);
        let details = details(status, e, &codes, correlation_id);

        if codes.contains(&65001) || code == "consent_required" {
            let url = format!("{}/{tenant}/adminconsent?client_id={}", self.authority, self.client_id);
            return SkillError::new(
                ErrorKind::ConsentRequired,
                format!(
                    "the server has no consent to call {} ({}) for users of tenant {tenant} ({details})",
                    api.name, api.scope
                ),
            )
            .with_remedy(format!(
                "a Global or Privileged Role Administrator of the tenant grants admin consent ({}) at {url} \
                 (and the client app is listed in this API's knownClientApplications)",
                api.permission
            ));
        }
        if code == "interaction_required" {
            if let Some(claims) = e.claims.as_deref().filter(|c| !c.trim().is_empty()) {
                return SkillError::new(
                    ErrorKind::ConsentRequired,
                    format!(
                        "the user must sign in again to satisfy Conditional Access (for example MFA) before \
                         the server can act for them ({details})"
                    ),
                )
                .with_remedy(format!(
                    "sign in again, passing this claims challenge to the authorization request: {claims}"
                ));
            }
            return SkillError::new(ErrorKind::Forbidden, format!("your sign-in needs interaction ({details})"))
                .with_remedy("sign in again interactively");
        }
        if code == "invalid_grant" && (codes.contains(&500133) || codes.contains(&50013)) {
            return SkillError::new(ErrorKind::Forbidden, format!("your sign-in expired; sign in again ({details})"))
                .with_remedy("sign in again in the MCP client to get a fresh token for this server");
        }
        if status == 429 {
            let when = retry_after.map_or("in a minute".to_owned(), |s| format!("after {s} s"));
            return SkillError::new(ErrorKind::Throttled, format!("Entra throttled the token exchange ({details})"))
                .with_remedy(format!("retry {when}"));
        }
        if status >= 500 {
            return SkillError::new(ErrorKind::Upstream, format!("the Entra token endpoint failed ({details})"))
                .with_remedy("retry shortly; quote the trace and correlation ids to Microsoft support if it persists");
        }
        if code == "invalid_client" || code == "unauthorized_client" {
            return SkillError::new(
                ErrorKind::Upstream,
                format!("Entra refused the server's own credential for app {} ({details})", self.client_id),
            )
            .with_remedy(
                "an operator should check the app registration's secret, certificate or federated credential; \
                 the server's log has Entra's description under the correlation id",
            );
        }
        SkillError::new(ErrorKind::Upstream, format!("the on-behalf-of exchange failed ({details})"))
            .with_remedy("quote the AADSTS code and the trace and correlation ids to an admin")
    }
}

/// The AADSTS numbers: from `error_codes`, else from the description's `AADSTSnnnn:` prefix.
fn codes_of(e: &TokenErrorResponse) -> Vec<u64> {
    if !e.error_codes.is_empty() {
        return e.error_codes.clone();
    }
    e.error_description
        .as_deref()
        .and_then(|d| d.strip_prefix("AADSTS"))
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>())
        .and_then(|digits| digits.parse().ok())
        .into_iter()
        .collect()
}

/// `HTTP 400 invalid_grant (consent_required) AADSTS65001; Entra trace id …; Entra correlation
/// id …; correlation id …`: codes and ids only, which say what failed and let support find it.
fn details(status: u16, e: &TokenErrorResponse, codes: &[u64], correlation_id: &str) -> String {
    let mut text = format!("HTTP {status}");
    if let Some(error) = e.error.as_deref().filter(|x| is_code(x)) {
        text.push(' ');
        text.push_str(error);
    }
    if let Some(suberror) = e.suberror.as_deref().filter(|x| is_code(x)) {
        text.push_str(&format!(" ({suberror})"));
    }
    for code in codes {
        text.push_str(&format!(" AADSTS{code}"));
    }
    if let Some(trace) = e.trace_id.as_deref().filter(|x| is_code(x)) {
        text.push_str(&format!("; Entra trace id {trace}"));
    }
    if let Some(correlation) = e.correlation_id.as_deref().filter(|x| is_code(x)) {
        text.push_str(&format!("; Entra correlation id {correlation}"));
    }
    text.push_str(&format!("; correlation id {correlation_id}"));
    text
}

/// Entra's codes and ids are short tokens (`invalid_grant`, GUIDs); anything else in those
/// fields is free text and stays out of the caller's error.
fn is_code(value: &str) -> bool {
    !value.is_empty() && value.len() <= 64 && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use serde_json::json;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, Request, Respond, ResponseTemplate};

    use super::*;
    use crate::auth::credential::{CLIENT_ASSERTION_TYPE, CertificateCredential};
    use crate::auth::jwt::JwtValidator;
    use crate::auth::testing::{self, FakeEntra};

    const SECRET: &str = "client-secret-value-do-not-log";

    fn form_of(request: &Request) -> HashMap<String, String> {
        url::form_urlencoded::parse(&request.body).into_owned().collect()
    }

    fn source(fake: &FakeEntra, credential: ClientCredential) -> OboTokenSource {
        OboTokenSource::new(OboSettings::new(fake.authority(), testing::CLIENT_ID, credential), reqwest::Client::new())
    }

    fn caller_with(token: &str) -> Caller {
        Caller {
            tenant_id: Some(testing::TENANT.to_owned()),
            object_id: Some(testing::ALICE_OID.to_owned()),
            upn: None,
            assertion: Some(AccessToken::new(token)),
        }
    }

    /// Answers each assertion with the Graph token the test assigned to it, after a delay so
    /// that concurrent callers really overlap.
    struct PerUserTokens {
        graph_token_for: HashMap<String, String>,
        expires_in: u64,
    }

    impl Respond for PerUserTokens {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let form = form_of(request);
            match form.get("assertion").and_then(|a| self.graph_token_for.get(a)) {
                Some(token) => ResponseTemplate::new(200)
                    .set_body_json(
                        json!({"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token}),
                    )
                    .set_delay(Duration::from_millis(100)),
                None => ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"})),
            }
        }
    }

    async fn mount_per_user(fake: &FakeEntra, graph_token_for: HashMap<String, String>, expires_in: u64) {
        Mock::given(method("POST"))
            .and(path(FakeEntra::token_path(testing::TENANT)))
            .respond_with(PerUserTokens { graph_token_for, expires_in })
            .mount(&fake.server)
            .await;
    }

    async fn mount_error(fake: &FakeEntra, status: u16, body: serde_json::Value) {
        Mock::given(method("POST"))
            .and(path(FakeEntra::token_path(testing::TENANT)))
            .respond_with(ResponseTemplate::new(status).set_body_json(body).insert_header("retry-after", "7"))
            .mount(&fake.server)
            .await;
    }

    #[tokio::test]
    async fn validated_caller_is_exchanged_with_the_exact_form_fields() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        fake.mount_token_endpoint_success("graph-token-for-alice", 3600).await;
        let validator = JwtValidator::discover(fake.jwt_settings(), reqwest::Client::new()).await.expect("discovery");
        let incoming = testing::sign(testing::key_a(), &fake.user_claims(testing::ALICE_OID));
        let caller = validator.validate(&incoming).await.expect("valid");

        let obo = source(&fake, ClientCredential::Secret(SECRET.into()));
        let token = obo.graph_token(&caller).await.expect("exchange");
        assert_eq!(token.secret(), "graph-token-for-alice");

        let requests = fake.token_requests().await;
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].url.path(), format!("/{}/oauth2/v2.0/token", testing::TENANT));
        let form = form_of(&requests[0]);
        assert_eq!(form["grant_type"], "urn:ietf:params:oauth:grant-type:jwt-bearer");
        assert_eq!(form["client_id"], testing::CLIENT_ID);
        assert_eq!(form["assertion"], incoming);
        assert_eq!(form["scope"], "https://graph.microsoft.com/.default");
        assert_eq!(form["requested_token_use"], "on_behalf_of");
        assert_eq!(form["client_secret"], SECRET);
        assert_eq!(form.len(), 6, "no other fields: {:?}", form.keys().collect::<Vec<_>>());
        assert_eq!(obo.exchanges(), 1);
    }

    #[tokio::test]
    async fn certificate_credential_sends_a_signed_assertion_with_x5t() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        fake.mount_token_endpoint_success("graph-token", 3600).await;
        let certificate =
            CertificateCredential::from_pem(&testing::certificate_pem(&testing::key_b().pkcs8_pem), testing::CLIENT_ID)
                .expect("certificate");
        let x5t = certificate.thumbprint().to_owned();
        let obo = source(&fake, ClientCredential::Certificate(certificate));
        obo.graph_token(&caller_with("incoming-token")).await.expect("exchange");

        let form = form_of(&fake.token_requests().await[0]);
        assert!(!form.contains_key("client_secret"));
        assert_eq!(form["client_assertion_type"], CLIENT_ASSERTION_TYPE);
        assert_eq!(form["assertion"], "incoming-token");
        let client_assertion = &form["client_assertion"];
        let header = jsonwebtoken::decode_header(client_assertion).expect("JWT header");
        assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
        assert_eq!(header.x5t.as_deref(), Some(x5t.as_str()));
        let jwk = serde_json::from_value(testing::key_b().jwk.clone()).expect("JWK");
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        let endpoint = format!("{}/{}/oauth2/v2.0/token", fake.authority(), testing::TENANT);
        validation.set_audience(&[endpoint]);
        validation.set_issuer(&[testing::CLIENT_ID]);
        validation.sub = Some(testing::CLIENT_ID.to_owned());
        jsonwebtoken::decode::<serde_json::Value>(
            client_assertion,
            &jsonwebtoken::DecodingKey::from_jwk(&jwk).expect("key"),
            &validation,
        )
        .expect("assertion verifies against the certificate's key, for the token endpoint");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_exchange_per_user_and_never_crossed() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let alice = testing::sign(testing::key_a(), &fake.user_claims(testing::ALICE_OID));
        let bob = testing::sign(testing::key_a(), &fake.user_claims(testing::BOB_OID));
        let tokens = HashMap::from([(alice.clone(), "graph-alice".to_owned()), (bob.clone(), "graph-bob".to_owned())]);
        mount_per_user(&fake, tokens, 3600).await;
        let obo = Arc::new(source(&fake, ClientCredential::Secret(SECRET.into())));

        // 100 sequential calls by one user: one exchange.
        for _ in 0..100 {
            assert_eq!(obo.graph_token(&caller_with(&alice)).await.expect("alice").secret(), "graph-alice");
        }
        assert_eq!(obo.exchanges(), 1);

        // Two users, 50 concurrent tasks each: one more exchange for Bob, none crossed.
        let obo = Arc::new(source(&fake, ClientCredential::Secret(SECRET.into())));
        let mut tasks = Vec::new();
        for i in 0..100 {
            let (obo, incoming, expected) = if i % 2 == 0 {
                (obo.clone(), alice.clone(), "graph-alice")
            } else {
                (obo.clone(), bob.clone(), "graph-bob")
            };
            tasks.push(tokio::spawn(async move {
                let token = obo.graph_token(&caller_with(&incoming)).await.expect("token");
                assert_eq!(token.secret(), expected);
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        assert_eq!(obo.exchanges(), 2, "single flight per user");
    }

    #[tokio::test]
    async fn short_lived_tokens_are_exchanged_again() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        // 120 s is inside the 5 minute refresh margin: not worth caching.
        fake.mount_token_endpoint_success("short-lived", 120).await;
        let obo = source(&fake, ClientCredential::Secret(SECRET.into()));
        obo.graph_token(&caller_with("t1")).await.expect("first");
        obo.graph_token(&caller_with("t1")).await.expect("second");
        assert_eq!(obo.exchanges(), 2);

        // With a margin of 0 and 1 s lifetime, the token is cached, then expires.
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        fake.mount_token_endpoint_success("one-second", 1).await;
        let mut settings =
            OboSettings::new(fake.authority(), testing::CLIENT_ID, ClientCredential::Secret(SECRET.into()));
        settings.refresh_margin = Duration::ZERO;
        let obo = OboTokenSource::new(settings, reqwest::Client::new());
        obo.graph_token(&caller_with("t1")).await.expect("first");
        obo.graph_token(&caller_with("t1")).await.expect("cached");
        assert_eq!(obo.exchanges(), 1);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        obo.graph_token(&caller_with("t1")).await.expect("after expiry");
        assert_eq!(obo.exchanges(), 2);
    }

    #[tokio::test]
    async fn the_cache_is_bounded() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        fake.mount_token_endpoint_success("graph", 3600).await;
        let mut settings =
            OboSettings::new(fake.authority(), testing::CLIENT_ID, ClientCredential::Secret(SECRET.into()));
        settings.cache_capacity = 3;
        let obo = OboTokenSource::new(settings, reqwest::Client::new());
        for user in ["u1", "u2", "u3", "u4"] {
            obo.graph_token(&caller_with(user)).await.expect("token");
        }
        assert_eq!(obo.cache().slots.len(), 3);
        assert_eq!(obo.exchanges(), 4);
        // u1 was the oldest and was evicted; u4 is still cached.
        obo.graph_token(&caller_with("u4")).await.expect("cached");
        assert_eq!(obo.exchanges(), 4);
        obo.graph_token(&caller_with("u1")).await.expect("evicted");
        assert_eq!(obo.exchanges(), 5);
    }

    #[tokio::test]
    async fn callers_without_a_signed_in_user_are_refused_before_any_request() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let obo = source(&fake, ClientCredential::Secret(SECRET.into()));
        for caller in [
            Caller::default(),
            Caller { tenant_id: Some(testing::TENANT.into()), ..Caller::default() },
            Caller { assertion: Some(AccessToken::new("t")), ..Caller::default() },
            Caller { tenant_id: Some("../common".into()), assertion: Some(AccessToken::new("t")), ..Caller::default() },
        ] {
            let error = obo.graph_token(&caller).await.expect_err("refused");
            assert_eq!(error.kind, ErrorKind::Forbidden);
            assert!(error.message.starts_with("no signed-in user"));
        }
        assert!(fake.token_requests().await.is_empty());
    }

    #[tokio::test]
    async fn consent_required_names_the_admin_consent_url() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        mount_error(
            &fake,
            400,
            json!({
                "error": "invalid_grant",
                "error_description": "AADSTS65001: The user or administrator has not consented to use the \
                                      application with ID 'x'.\r\nTrace ID: t1\r\nCorrelation ID: c1",
                "error_codes": [65001],
                "suberror": "consent_required",
                "trace_id": "trace-123",
                "correlation_id": "corr-456",
            }),
        )
        .await;
        let obo = source(&fake, ClientCredential::Secret(SECRET.into()));
        let error = obo.graph_token(&caller_with("t1")).await.expect_err("consent");
        assert_eq!(error.kind, ErrorKind::ConsentRequired);
        let url = format!("{}/{}/adminconsent?client_id={}", fake.authority(), testing::TENANT, testing::CLIENT_ID);
        assert!(error.remedy.as_deref().is_some_and(|r| r.contains(&url)), "{error}");
        assert!(error.message.contains("AADSTS65001") && error.message.contains("trace-123"), "{error}");
        assert!(error.message.contains("https://graph.microsoft.com/.default"), "names the scopes: {error}");
        assert!(!error.message.contains("has not consented"), "no description text: {error}");
        // Failures are not cached.
        obo.graph_token(&caller_with("t1")).await.expect_err("again");
        assert_eq!(obo.exchanges(), 2);
    }

    #[tokio::test]
    async fn resource_manager_tokens_are_exchanged_for_their_own_scope_and_cached_apart() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        fake.mount_token_endpoint_success("a-token", 3600).await;
        let obo = source(&fake, ClientCredential::Secret(SECRET.into()));
        let caller = caller_with("t1");
        for _ in 0..3 {
            obo.graph_token(&caller).await.expect("Graph token");
            obo.arm_token(&caller).await.expect("ARM token");
        }
        let scopes: Vec<String> =
            fake.token_requests().await.iter().map(|r| form_of(r).remove("scope").unwrap_or_default()).collect();
        assert_eq!(scopes, ["https://graph.microsoft.com/.default", "https://management.azure.com/.default"]);
    }

    #[tokio::test]
    async fn resource_manager_consent_names_its_permission() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        mount_error(
            &fake,
            400,
            json!({"error": "invalid_grant", "error_codes": [65001], "suberror": "consent_required"}),
        )
        .await;
        let obo = source(&fake, ClientCredential::Secret(SECRET.into()));
        let error = obo.arm_token(&caller_with("t1")).await.expect_err("no consent");
        assert_eq!(error.kind, ErrorKind::ConsentRequired);
        assert!(error.message.contains("Azure Resource Manager (https://management.azure.com/.default)"), "{error}");
        assert!(error.remedy.as_deref().is_some_and(|r| r.contains("user_impersonation")), "{error}");
    }

    #[tokio::test]
    async fn conditional_access_step_up_carries_the_claims_challenge() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let claims = r#"{"access_token":{"capolids":{"essential":true,"values":["c1a2b3"]}}}"#;
        mount_error(
            &fake,
            400,
            json!({
                "error": "interaction_required",
                "error_description": "AADSTS50076: Due to a configuration change made by your administrator, \
                                      you must use multi-factor authentication.",
                "error_codes": [50076],
                "claims": claims,
            }),
        )
        .await;
        let obo = source(&fake, ClientCredential::Secret(SECRET.into()));
        let error = obo.graph_token(&caller_with("t1")).await.expect_err("step-up");
        assert_eq!(error.kind, ErrorKind::ConsentRequired);
        assert!(error.message.contains("sign in again to satisfy Conditional Access"), "{error}");
        assert!(error.remedy.as_deref().is_some_and(|r| r.contains(claims)), "{error}");
    }

    #[tokio::test]
    async fn other_token_endpoint_errors_map_to_their_kinds() {
        let cases = [
            (
                400,
                json!({
                    "error": "invalid_grant",
                    "error_description": "AADSTS500133: Assertion is not within its valid time range.",
                    "error_codes": [500133],
                }),
                ErrorKind::Forbidden,
                "your sign-in expired; sign in again",
            ),
            (
                400,
                json!({
                    "error": "invalid_grant",
                    "error_description": "AADSTS50013: Assertion failed signature validation.",
                    "error_codes": [50013],
                }),
                ErrorKind::Forbidden,
                "your sign-in expired; sign in again",
            ),
            (429, json!({"error": "temporarily_unavailable"}), ErrorKind::Throttled, "throttled"),
            (503, json!({"error": "temporarily_unavailable", "trace_id": "tr-9"}), ErrorKind::Upstream, "tr-9"),
            (
                401,
                json!({
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                    "error_codes": [7000215],
                    "correlation_id": "co-1",
                }),
                ErrorKind::Upstream,
                "AADSTS7000215",
            ),
            (
                400,
                json!({
                    "error": "invalid_request",
                    "error_description": "AADSTS90009: Application is requesting a token for itself.",
                    "error_codes": [90009],
                    "trace_id": "tr-1",
                    "correlation_id": "co-2",
                }),
                ErrorKind::Upstream,
                "AADSTS90009; Entra trace id tr-1; Entra correlation id co-2; correlation id ",
            ),
        ];
        for (status, body, kind, text) in cases {
            let fake = FakeEntra::start(&[testing::key_a()]).await;
            mount_error(&fake, status, body).await;
            let obo = source(&fake, ClientCredential::Secret(SECRET.into()));
            let error = obo.graph_token(&caller_with("t1")).await.expect_err("refused");
            assert_eq!(error.kind, kind, "{error}");
            assert!(error.to_string().contains(text), "`{error}` should contain `{text}`");
            assert!(!error.to_string().contains(SECRET));
            assert!(!error.to_string().contains("Invalid client secret provided"), "{error}");
            assert!(!error.to_string().contains("requesting a token for itself"), "{error}");
            if kind == ErrorKind::Throttled {
                assert!(error.remedy.as_deref().is_some_and(|r| r.contains("after 7 s")), "{error}");
            }
        }
    }

    /// The log line that carries `id` and `detail`, at debug level.
    fn logged_with(log: &str, id: &str, detail: &str) -> bool {
        log.lines().any(|line| line.contains("DEBUG") && line.contains(id) && line.contains(detail))
    }

    /// A caller-facing error must say what failed and carry a correlation id, but no Entra
    /// description text, file path, endpoint URL or OS error: those are in the log, at debug
    /// level, under the same id.
    #[tokio::test]
    async fn upstream_and_os_detail_stays_in_the_log_under_a_correlation_id() {
        let (logs, _guard) = testing::capture_logs();

        // Entra refuses the server's own credential.
        let description = "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the \
                           request is the client secret value, not the client secret ID, for a secret added to \
                           app 'aaaaaaaa-0000-4000-8000-00000000000a'.";
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        mount_error(
            &fake,
            401,
            json!({
                "error": "invalid_client",
                "error_description": description,
                "error_codes": [7000215],
                "trace_id": "tr-77",
                "correlation_id": "co-77",
            }),
        )
        .await;
        let error = source(&fake, ClientCredential::Secret(SECRET.into()))
            .graph_token(&caller_with("t1"))
            .await
            .expect_err("invalid_client");
        let text = error.to_string();
        assert_eq!(error.kind, ErrorKind::Upstream);
        assert!(text.contains("refused the server's own credential") && text.contains("AADSTS7000215"), "{text}");
        assert!(text.contains("tr-77"), "Entra's trace id is kept for support: {text}");
        assert!(!text.contains("Invalid client secret") && !text.contains("secret ID"), "{text}");
        let id = testing::correlation_id(&text).expect("a correlation id");
        assert!(logged_with(&logs.contents(), &id, "Invalid client secret provided"), "{}", logs.contents());

        // Entra is unreachable: nothing listens on the authority's port.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = closed.local_addr().expect("addr").port();
        drop(closed);
        let authority = format!("http://127.0.0.1:{port}");
        let settings = OboSettings::new(&authority, testing::CLIENT_ID, ClientCredential::Secret(SECRET.into()));
        let error = OboTokenSource::new(settings, reqwest::Client::new())
            .graph_token(&caller_with("t1"))
            .await
            .expect_err("unreachable");
        let text = error.to_string();
        assert_eq!(error.kind, ErrorKind::Upstream);
        assert!(text.contains("could not be reached"), "{text}");
        for internal in ["127.0.0.1", &port.to_string(), "oauth2", "http://", "onnect"] {
            assert!(!text.contains(internal), "`{internal}` in {text}");
        }
        let id = testing::correlation_id(&text).expect("a correlation id");
        let endpoint = format!("{authority}/{}/oauth2/v2.0/token", testing::TENANT);
        assert!(logged_with(&logs.contents(), &id, &endpoint), "{}", logs.contents());

        // The federated token file is missing.
        let missing = std::env::temp_dir().join(format!("entra-mcp-missing-{}", crate::auth::random_uuid()));
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        fake.mount_token_endpoint_success("never-issued", 3600).await;
        let error = source(&fake, ClientCredential::FederatedTokenFile(missing.clone()))
            .graph_token(&caller_with("t1"))
            .await
            .expect_err("missing file");
        let text = error.to_string();
        let shown = missing.display().to_string();
        let file_name = missing.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let os_error = std::fs::read_to_string(&missing).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(error.kind, ErrorKind::Upstream);
        assert!(text.contains("federated token file could not be read"), "{text}");
        assert!(!text.contains(&file_name) && !text.contains(&os_error), "{text}");
        let id = testing::correlation_id(&text).expect("a correlation id");
        let log = logs.contents();
        assert!(logged_with(&log, &id, &shown) && logged_with(&log, &id, &os_error), "{log}");
        assert!(fake.token_requests().await.is_empty(), "no exchange without the server's credential");

        // Each failure has its own id.
        let ids: std::collections::HashSet<&str> =
            log.lines().filter_map(|l| l.split("correlation_id=").nth(1)).filter_map(|r| r.get(..36)).collect();
        assert!(ids.len() >= 3, "{ids:?}");
    }

    /// Runs validation and OBO, successes and failures, with a TRACE subscriber on this thread,
    /// and checks that no token, secret or assertion reached the log or an error.
    #[tokio::test]
    async fn no_token_secret_or_assertion_is_ever_logged() {
        let (logs, _guard) = testing::capture_logs();
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let validator = JwtValidator::discover(fake.jwt_settings(), reqwest::Client::new()).await.expect("discovery");
        let incoming = testing::sign(testing::key_a(), &fake.user_claims(testing::ALICE_OID));
        let mut errors = Vec::new();

        // Validation: one good, a few bad (unknown kid forces a JWKS refresh to be logged).
        let caller = validator.validate(&incoming).await.expect("valid");
        let mut bad_claims = fake.user_claims(testing::ALICE_OID);
        bad_claims["aud"] = json!("api://other");
        let bad = [
            testing::sign(testing::key_a(), &bad_claims),
            testing::sign_as(testing::key_b(), "unknown-kid", &fake.user_claims(testing::ALICE_OID)),
            format!("{incoming}x"),
        ];
        for token in &bad {
            errors.push(validator.validate(token).await.expect_err("bad").to_string());
        }

        // OBO with a secret: success, then a failure; OBO with a certificate.
        fake.mount_token_endpoint_success("graph-secret-token-xyz", 3600).await;
        let obo = source(&fake, ClientCredential::Secret(SECRET.into()));
        let graph = obo.graph_token(&caller).await.expect("exchange");
        let certificate =
            CertificateCredential::from_pem(&testing::certificate_pem(&testing::key_b().pkcs8_pem), testing::CLIENT_ID)
                .expect("certificate");
        let obo_cert = source(&fake, ClientCredential::Certificate(certificate));
        obo_cert.graph_token(&caller).await.expect("certificate exchange");
        let client_assertion = form_of(&fake.token_requests().await[1])["client_assertion"].clone();

        let failing = FakeEntra::start(&[testing::key_a()]).await;
        mount_error(&failing, 400, json!({"error": "invalid_grant", "error_codes": [500133]})).await;
        let obo_failing = source(&failing, ClientCredential::Secret(SECRET.into()));
        errors.push(obo_failing.graph_token(&caller).await.expect_err("expired").to_string());
        errors.push(format!("{caller:?} {graph:?} {:?} {obo:?}", obo.graph_token(&caller).await));

        let log = logs.contents();
        assert!(log.contains("on-behalf-of exchange"), "the capture works: {log}");
        assert!(log.contains("bearer token rejected"), "the capture works: {log}");
        let signature = incoming.rsplit('.').next().expect("signature");
        let payload = incoming.split('.').nth(1).expect("payload");
        let key_line = testing::key_b().pkcs8_pem.lines().nth(1).expect("key body");
        let forbidden = [
            incoming.as_str(),
            signature,
            payload,
            SECRET,
            "graph-secret-token-xyz",
            client_assertion.as_str(),
            key_line,
        ];
        for text in errors.iter().map(String::as_str).chain([log.as_str()]) {
            for secret in forbidden {
                assert!(!text.contains(secret), "leaked into: {text}");
            }
        }
    }

    #[test]
    fn codes_and_ids_but_no_free_text() {
        let e = TokenErrorResponse {
            error: Some("invalid grant: see the description".into()),
            trace_id: Some("0b6a8f2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b".into()),
            ..Default::default()
        };
        assert_eq!(
            details(400, &e, &[50013], "c-1"),
            "HTTP 400 AADSTS50013; Entra trace id 0b6a8f2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b; correlation id c-1"
        );
        let e = TokenErrorResponse { error_description: Some("AADSTS50013: bad".into()), ..Default::default() };
        assert_eq!(codes_of(&e), vec![50013]);
    }
}
