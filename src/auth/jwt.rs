//! Validation of the Entra access tokens callers present over HTTP.
//!
//! The server is an OAuth resource server: a caller's token must be a delegated (user) token
//! that Entra issued for this server's own app registration. [`JwtValidator`] discovers the
//! issuer and signing keys from the tenant's OpenID configuration, keeps the keys in memory,
//! refreshes them when a token names a key it has not seen or fails verification under a key it
//! has (Entra may re-publish a `kid` with new material; both rate limited, so a flood of forged
//! tokens cannot hammer Entra), and turns a valid token into a [`Caller`]. With an allow-list of
//! client applications, a token obtained by any other client is refused: otherwise any app a
//! user consents to could call this server with that user's power (a confused deputy). Validation never
//! talks to the token endpoint: only the OBO exchange does, and only for tokens accepted here.
//!
//! Rejection reasons are `&'static str` on purpose: a reason can then never carry any part of
//! the token, so it is always safe to log and to return in `WWW-Authenticate`.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind as JwtErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::{AccessToken, Caller};

/// Stands for the tenant id in the issuer template, as in Entra's multi-tenant discovery doc.
const TENANT_PLACEHOLDER: &str = "{tenantid}";
/// Keys are re-read after this long even when no unknown `kid` shows up, so a key Entra has
/// withdrawn stops being accepted.
const JWKS_MAX_AGE: Duration = Duration::from_secs(6 * 60 * 60);
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Entra access tokens are a few KB; anything far larger is not one, and bounding the size
/// bounds the work an unauthenticated request can cause.
const MAX_TOKEN_LEN: usize = 16 * 1024;

pub const APP_ONLY_REASON: &str = "app-only tokens are not accepted; this server acts only on behalf of users";
pub const CLIENT_NOT_ALLOWED_REASON: &str = "the client application is not allowed to call this server";

/// How incoming tokens are checked. [`JwtSettings::new`] fills in the defaults.
#[derive(Debug, Clone)]
pub struct JwtSettings {
    /// `https://login.microsoftonline.com` (or the national cloud's), `http://127.0.0.1:port` in tests.
    pub authority: String,
    /// The server's home tenant; discovery is done against it.
    pub tenant_id: String,
    /// The server's app registration (client) id: an accepted audience.
    pub client_id: String,
    /// The Application ID URI (`api://…` or the public URL): the other accepted audience.
    pub app_id_uri: Option<String>,
    /// Tenants whose users may call; empty means the home tenant only.
    pub allowed_tenants: Vec<String>,
    /// The delegated scope a token must carry (`access_as_user`).
    pub required_scope: String,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway: Duration,
    /// At most one JWKS refresh (for an unknown key id, or a signature that fails under a
    /// known one) per this interval.
    pub jwks_min_refresh: Duration,
    /// Client applications (`azp` of v2 tokens, `appid` of v1 tokens) whose tokens are
    /// accepted; empty accepts any client the tenant issued a token to.
    pub allowed_clients: Vec<String>,
}

impl JwtSettings {
    pub fn new(authority: impl Into<String>, tenant_id: impl Into<String>, client_id: impl Into<String>) -> Self {
        let tenant_id = tenant_id.into();
        JwtSettings {
            authority: authority.into(),
            allowed_tenants: vec![tenant_id.clone()],
            tenant_id,
            client_id: client_id.into(),
            app_id_uri: None,
            required_scope: "access_as_user".to_owned(),
            leeway: Duration::from_secs(60),
            jwks_min_refresh: Duration::from_secs(60),
            allowed_clients: Vec::new(),
        }
    }
}

/// Why a bearer token was refused. Safe to log and to show: it never contains the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthRejection {
    /// The token is not a valid token for this server (HTTP 401, `invalid_token`).
    #[error("invalid token: {reason}")]
    InvalidToken { reason: &'static str },
    /// The token is valid but lacks the required delegated scope (HTTP 403, `insufficient_scope`).
    #[error("insufficient scope: the token must carry `{required}`")]
    InsufficientScope { required: String },
    /// The token is valid but was issued to a client application that is not on
    /// `ENTRA_MCP_ALLOWED_CLIENTS` (HTTP 403, `insufficient_scope`: signing in again with the
    /// same client cannot fix it, so it is not `invalid_token`).
    #[error("client not allowed: {CLIENT_NOT_ALLOWED_REASON}")]
    ClientNotAllowed,
}

impl AuthRejection {
    fn invalid(reason: &'static str) -> Self {
        AuthRejection::InvalidToken { reason }
    }

    /// The HTTP status to answer with (RFC 6750 §3.1).
    pub fn status(&self) -> u16 {
        match self {
            AuthRejection::InvalidToken { .. } => 401,
            AuthRejection::InsufficientScope { .. } | AuthRejection::ClientNotAllowed => 403,
        }
    }

    /// The RFC 6750 `error` code.
    pub fn error_code(&self) -> &'static str {
        match self {
            AuthRejection::InvalidToken { .. } => "invalid_token",
            AuthRejection::InsufficientScope { .. } | AuthRejection::ClientNotAllowed => "insufficient_scope",
        }
    }

    /// A `WWW-Authenticate` value pointing the client at the protected resource metadata
    /// (RFC 9728) and naming the scope to request.
    pub fn www_authenticate(&self, resource_metadata_url: &str, scope: &str) -> String {
        let description = match self {
            AuthRejection::InvalidToken { reason } => (*reason).to_owned(),
            AuthRejection::InsufficientScope { required } => format!("the token must carry {required}"),
            AuthRejection::ClientNotAllowed => CLIENT_NOT_ALLOWED_REASON.to_owned(),
        };
        format!(
            "Bearer resource_metadata=\"{resource_metadata_url}\", scope=\"{scope}\", error=\"{}\", \
             error_description=\"{}\"",
            self.error_code(),
            description.replace('"', "'")
        )
    }
}

/// Validates incoming bearer tokens against one tenant's OpenID configuration.
pub struct JwtValidator {
    /// `{authority}/{tenantid}/v2.0`: the concrete issuer with the tenant segment templated.
    issuer_template: String,
    jwks_uri: String,
    /// Lower-cased; tenant ids are GUIDs and compare case-insensitively.
    allowed_tenants: Vec<String>,
    required_scope: String,
    /// Lower-cased client ids; empty accepts any client.
    allowed_clients: Vec<String>,
    jwks_min_refresh: Duration,
    jwks_max_age: Duration,
    validation: Validation,
    http: reqwest::Client,
    /// A std lock: it is only held for map lookups and swaps, never across an await.
    keys: RwLock<KeyCache>,
    /// When the last refresh was attempted. A tokio mutex held across the JWKS fetch on
    /// purpose: concurrent requests with unknown key ids queue behind the one refresh and then
    /// see its result, instead of each starting their own.
    refresh: tokio::sync::Mutex<Option<Instant>>,
    authorization_server: String,
    /// The full scope a client requests: `{App ID URI}/{required_scope}`.
    client_scope: String,
}

impl std::fmt::Debug for JwtValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtValidator")
            .field("issuer_template", &self.issuer_template)
            .field("jwks_uri", &self.jwks_uri)
            .field("allowed_tenants", &self.allowed_tenants)
            .finish_non_exhaustive()
    }
}

struct KeyCache {
    by_kid: HashMap<String, Arc<DecodingKey>>,
    fetched_at: Instant,
}

#[derive(Deserialize)]
struct OpenIdConfiguration {
    issuer: String,
    jwks_uri: String,
}

/// The parts of the JOSE header looked at before any key is touched.
#[derive(Deserialize)]
struct RawHeader {
    alg: Option<String>,
    kid: Option<String>,
    /// RFC 7515 §4.1.11: extensions the recipient must understand. Entra sets none, and this
    /// server understands none, so any is a reason to refuse.
    crit: Option<serde_json::Value>,
}

/// The Entra claims the server uses; `exp`, `nbf` and `aud` are checked by jsonwebtoken.
#[derive(Deserialize)]
struct EntraClaims {
    iss: String,
    tid: Option<String>,
    oid: Option<String>,
    scp: Option<String>,
    roles: Option<Vec<String>>,
    idtyp: Option<String>,
    preferred_username: Option<String>,
    upn: Option<String>,
    /// The client application a v2.0 token was issued to.
    azp: Option<String>,
    /// The client application a v1.0 token was issued to.
    appid: Option<String>,
}

impl JwtValidator {
    /// Reads `{authority}/{tenant}/v2.0/.well-known/openid-configuration` and the JWKS it names.
    pub async fn discover(settings: JwtSettings, http: reqwest::Client) -> anyhow::Result<Arc<JwtValidator>> {
        let authority = settings.authority.trim_end_matches('/');
        let discovery_url = format!("{authority}/{}/v2.0/.well-known/openid-configuration", settings.tenant_id);
        let config: OpenIdConfiguration = get_json(&http, &discovery_url).await?;
        let (issuer_template, discovered_tenant) = issuer_template(&config.issuer)
            .with_context(|| format!("{discovery_url}: unexpected issuer shape `{}`", config.issuer))?;

        let mut allowed_tenants: Vec<String> = if settings.allowed_tenants.is_empty() {
            vec![settings.tenant_id.to_ascii_lowercase()]
        } else {
            settings.allowed_tenants.iter().map(|t| t.to_ascii_lowercase()).collect()
        };
        // A tenant configured by domain name (contoso.onmicrosoft.com) is discovered as its GUID,
        // and tokens carry the GUID in `tid`: accept the GUID the discovery doc names for it,
        // since Entra itself just told us they are the same tenant.
        let home = settings.tenant_id.to_ascii_lowercase();
        if discovered_tenant != TENANT_PLACEHOLDER
            && allowed_tenants.contains(&home)
            && !allowed_tenants.contains(&discovered_tenant)
        {
            allowed_tenants.push(discovered_tenant);
        }

        let by_kid = fetch_jwks(&http, &config.jwks_uri).await?;
        if by_kid.is_empty() {
            bail!("{}: no usable RS256 signing keys", config.jwks_uri);
        }
        tracing::info!(jwks_uri = %config.jwks_uri, keys = by_kid.len(), "loaded the tenant's signing keys");
        let allowed_clients: Vec<String> =
            settings.allowed_clients.iter().map(|c| c.trim().to_ascii_lowercase()).filter(|c| !c.is_empty()).collect();
        if allowed_clients.is_empty() {
            tracing::warn!(
                "ENTRA_MCP_ALLOWED_CLIENTS is not set: tokens from any client application the tenant issued one to \
                 are accepted, so any app a user consents to can call this server with that user's permissions; \
                 list the MCP clients' application ids"
            );
        } else {
            tracing::info!(clients = ?allowed_clients, "accepting tokens from these client applications only");
        }

        let mut validation = Validation::new(Algorithm::RS256);
        let mut audiences = vec![settings.client_id.clone()];
        audiences.extend(settings.app_id_uri.iter().cloned());
        validation.set_audience(&audiences);
        // `iss` depends on the token's own `tid` (multi-tenant), so it is compared by hand
        // after the signature check; here it is only required to be present.
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
        validation.validate_nbf = true;
        validation.leeway = settings.leeway.as_secs();

        let app_id_uri = settings.app_id_uri.clone().unwrap_or_else(|| format!("api://{}", settings.client_id));
        Ok(Arc::new(JwtValidator {
            authorization_server: format!("{authority}/{}/v2.0", settings.tenant_id),
            client_scope: format!("{}/{}", app_id_uri.trim_end_matches('/'), settings.required_scope),
            issuer_template,
            jwks_uri: config.jwks_uri,
            allowed_tenants,
            required_scope: settings.required_scope,
            allowed_clients,
            jwks_min_refresh: settings.jwks_min_refresh,
            jwks_max_age: JWKS_MAX_AGE,
            validation,
            http,
            keys: RwLock::new(KeyCache { by_kid, fetched_at: Instant::now() }),
            refresh: tokio::sync::Mutex::new(None),
        }))
    }

    /// The tenant's Entra v2.0 authority, for the protected resource metadata's
    /// `authorization_servers`.
    pub fn authorization_server(&self) -> &str {
        &self.authorization_server
    }

    /// The scope clients request for this server (`{App ID URI}/access_as_user`), for
    /// `WWW-Authenticate` and the metadata's `scopes_supported`.
    pub fn client_scope(&self) -> &str {
        &self.client_scope
    }

    /// The RFC 9728 protected resource metadata for `resource` (the server's public URL).
    pub fn resource_metadata(&self, resource: &str) -> serde_json::Value {
        serde_json::json!({
            "resource": resource,
            "authorization_servers": [self.authorization_server],
            "scopes_supported": [self.client_scope],
            "bearer_methods_supported": ["header"],
        })
    }

    /// Checks `bearer` (the token itself, without the `Bearer ` prefix) and returns the caller.
    pub async fn validate(&self, bearer: &str) -> Result<Caller, AuthRejection> {
        let result = self.validate_inner(bearer).await;
        if let Err(rejection) = &result {
            tracing::debug!(%rejection, "bearer token rejected");
        }
        result
    }

    async fn validate_inner(&self, bearer: &str) -> Result<Caller, AuthRejection> {
        let token = bearer.trim();
        if token.is_empty() {
            return Err(AuthRejection::invalid("empty token"));
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(AuthRejection::invalid("token too large"));
        }
        // The algorithm is decided before any key is looked up: `none`, HMAC keyed with the
        // public key, and every other algorithm are refused without touching the key cache.
        let header = raw_header(token).ok_or(AuthRejection::invalid("malformed token"))?;
        if header.alg.as_deref() != Some("RS256") {
            return Err(AuthRejection::invalid("unsupported signing algorithm; only RS256 is accepted"));
        }
        if header.crit.is_some() {
            return Err(AuthRejection::invalid("unsupported critical header parameters"));
        }
        let kid = header.kid.filter(|kid| !kid.is_empty()).ok_or(AuthRejection::invalid("token header has no kid"))?;
        let key = self.signing_key(&kid).await.ok_or(AuthRejection::invalid("unknown signing key (kid)"))?;
        let claims = match jsonwebtoken::decode::<EntraClaims>(token, &key, &self.validation) {
            Ok(data) => data.claims,
            // Entra may publish new material under a `kid` it already used: re-read the keys
            // (rate limited) and verify once more, against the refreshed key only.
            Err(e) if matches!(e.kind(), JwtErrorKind::InvalidSignature) => {
                let Some(refreshed) = self.refreshed_key(&kid, &key).await else {
                    return Err(AuthRejection::invalid(jwt_error_reason(e.kind())));
                };
                jsonwebtoken::decode::<EntraClaims>(token, &refreshed, &self.validation)
                    .map_err(|e| AuthRejection::invalid(jwt_error_reason(e.kind())))?
                    .claims
            }
            Err(e) => return Err(AuthRejection::invalid(jwt_error_reason(e.kind()))),
        };
        self.caller_from(claims, token)
    }

    /// Checks the claims jsonwebtoken leaves to the application.
    fn caller_from(&self, claims: EntraClaims, token: &str) -> Result<Caller, AuthRejection> {
        let tid = claims.tid.filter(|t| !t.is_empty()).ok_or(AuthRejection::invalid("missing claim `tid`"))?;
        let expected_issuer = self.issuer_template.replace(TENANT_PLACEHOLDER, &tid);
        if claims.iss != expected_issuer {
            return Err(AuthRejection::invalid("wrong issuer"));
        }
        if !self.allowed_tenants.contains(&tid.to_ascii_lowercase()) {
            return Err(AuthRejection::invalid("tenant not allowed"));
        }
        // An app-only token has no user to act for; OBO would fail anyway, and accepting it
        // would let a daemon borrow this server's Graph permissions.
        let app_only = claims.idtyp.as_deref() == Some("app") || (claims.scp.is_none() && claims.roles.is_some());
        if app_only {
            return Err(AuthRejection::invalid(APP_ONLY_REASON));
        }
        let oid = claims.oid.filter(|o| !o.is_empty()).ok_or(AuthRejection::invalid("missing claim `oid`"))?;
        let has_scope = claims.scp.as_deref().is_some_and(|scp| scp.split(' ').any(|s| s == self.required_scope));
        if !has_scope {
            return Err(AuthRejection::InsufficientScope { required: self.required_scope.clone() });
        }
        if !self.allowed_clients.is_empty() {
            // Entra sets `azp` in v2.0 tokens and `appid` in v1.0 ones, never both.
            let client = claims.azp.or(claims.appid).unwrap_or_default().to_ascii_lowercase();
            if !self.allowed_clients.contains(&client) {
                // Not secret, and what the operator needs to decide whether to allow it.
                tracing::info!(client, "token from a client application that is not allowed");
                return Err(AuthRejection::ClientNotAllowed);
            }
        }
        Ok(Caller {
            tenant_id: Some(tid),
            object_id: Some(oid),
            upn: claims.preferred_username.or(claims.upn),
            assertion: Some(AccessToken::new(token)),
        })
    }

    /// The key for `kid`, refreshing the JWKS when the kid is unknown or the keys are old.
    async fn signing_key(&self, kid: &str) -> Option<Arc<DecodingKey>> {
        let (key, fresh) = self.cached_key(kid);
        if key.is_some() {
            // Known but old: refresh in passing unless another request already is; a request
            // with a known key never queues behind someone else's refresh.
            if !fresh && let Ok(mut last_attempt) = self.refresh.try_lock() {
                self.refresh_keys(&mut last_attempt).await;
                return self.cached_key(kid).0;
            }
            return key;
        }
        let mut last_attempt = self.refresh.lock().await;
        // Another request may have refreshed while this one waited for the lock.
        if let (Some(key), _) = self.cached_key(kid) {
            return Some(key);
        }
        self.refresh_keys(&mut last_attempt).await;
        self.cached_key(kid).0
    }

    /// The key for `kid` after a refresh, when `stale` failed to verify a signature: `None`
    /// when no refresh happened (rate limited) or the refresh no longer lists `kid`.
    async fn refreshed_key(&self, kid: &str, stale: &Arc<DecodingKey>) -> Option<Arc<DecodingKey>> {
        let mut last_attempt = self.refresh.lock().await;
        // Another request may have refreshed while this one waited for the lock: every
        // refresh replaces every key, so a different `Arc` is a newer read.
        if let (Some(key), _) = self.cached_key(kid)
            && !Arc::ptr_eq(&key, stale)
        {
            return Some(key);
        }
        self.refresh_keys(&mut last_attempt).await;
        self.cached_key(kid).0.filter(|key| !Arc::ptr_eq(key, stale))
    }

    /// Re-reads the JWKS unless that was tried less than `jwks_min_refresh` ago (successful or
    /// not: a failing Entra must not be retried by every request either).
    async fn refresh_keys(&self, last_attempt: &mut Option<Instant>) {
        if last_attempt.is_some_and(|at| at.elapsed() < self.jwks_min_refresh) {
            return;
        }
        *last_attempt = Some(Instant::now());
        match fetch_jwks(&self.http, &self.jwks_uri).await {
            Ok(by_kid) if !by_kid.is_empty() => {
                let keys = by_kid.len();
                tracing::info!(jwks_uri = %self.jwks_uri, keys, "refreshed the tenant's signing keys");
                let mut cache = self.keys.write().unwrap_or_else(PoisonError::into_inner);
                *cache = KeyCache { by_kid, fetched_at: Instant::now() };
            }
            // Keep the keys we have: an Entra hiccup must not lock every user out.
            Ok(_) => tracing::warn!(jwks_uri = %self.jwks_uri, "JWKS refresh returned no usable keys"),
            Err(error) => tracing::warn!(error = %format!("{error:#}"), "JWKS refresh failed"),
        }
    }

    /// The cached key for `kid`, and whether the cache is younger than `jwks_max_age`.
    fn cached_key(&self, kid: &str) -> (Option<Arc<DecodingKey>>, bool) {
        let cache = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        (cache.by_kid.get(kid).cloned(), cache.fetched_at.elapsed() <= self.jwks_max_age)
    }
}

/// Turns the concrete issuer of a tenant's discovery doc into a template, and returns the
/// tenant segment it named (lower-cased).
fn issuer_template(issuer: &str) -> Option<(String, String)> {
    let base = issuer.strip_suffix("/v2.0")?;
    let (authority, tenant) = base.rsplit_once('/')?;
    if tenant.is_empty() || !authority.contains("://") {
        return None;
    }
    Some((format!("{authority}/{TENANT_PLACEHOLDER}/v2.0"), tenant.to_ascii_lowercase()))
}

fn raw_header(token: &str) -> Option<RawHeader> {
    let mut parts = token.split('.');
    let (header, _payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let json = URL_SAFE_NO_PAD.decode(header).ok()?;
    serde_json::from_slice(&json).ok()
}

fn jwt_error_reason(kind: &JwtErrorKind) -> &'static str {
    match kind {
        JwtErrorKind::InvalidSignature => "invalid signature",
        JwtErrorKind::ExpiredSignature => "token expired",
        JwtErrorKind::ImmatureSignature => "token not yet valid (nbf)",
        JwtErrorKind::InvalidAudience => "wrong audience",
        JwtErrorKind::InvalidIssuer => "wrong issuer",
        JwtErrorKind::InvalidAlgorithm => "unsupported signing algorithm; only RS256 is accepted",
        JwtErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
            "exp" => "missing claim `exp`",
            "aud" => "missing claim `aud`",
            "iss" => "missing claim `iss`",
            _ => "missing a required claim",
        },
        JwtErrorKind::InvalidClaimFormat(_) | JwtErrorKind::Json(_) => "malformed claims",
        JwtErrorKind::Base64(_) | JwtErrorKind::Utf8(_) | JwtErrorKind::InvalidToken => "malformed token",
        _ => "token could not be verified",
    }
}

async fn get_json<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: &str) -> anyhow::Result<T> {
    let response = http.get(url).timeout(HTTP_TIMEOUT).send().await.with_context(|| format!("GET {url} failed"))?;
    let status = response.status();
    if !status.is_success() {
        bail!("GET {url} answered HTTP {status}");
    }
    response.json::<T>().await.with_context(|| format!("GET {url}: the response is not the expected JSON"))
}

/// Fetches a JWKS and keeps the keys usable for RS256 signatures. A key the parser does not
/// understand is skipped rather than failing the whole set, since Entra may add new kinds.
async fn fetch_jwks(http: &reqwest::Client, jwks_uri: &str) -> anyhow::Result<HashMap<String, Arc<DecodingKey>>> {
    #[derive(Deserialize)]
    struct RawJwkSet {
        keys: Vec<serde_json::Value>,
    }
    let set: RawJwkSet = get_json(http, jwks_uri).await?;
    let mut by_kid = HashMap::new();
    for value in set.keys {
        let Ok(jwk) = serde_json::from_value::<Jwk>(value) else { continue };
        let Some(kid) = jwk.common.key_id.clone() else { continue };
        let for_signing = matches!(jwk.common.public_key_use, None | Some(PublicKeyUse::Signature));
        let rs256 = matches!(jwk.common.key_algorithm, None | Some(KeyAlgorithm::RS256));
        if !(for_signing && rs256 && matches!(jwk.algorithm, AlgorithmParameters::RSA(_))) {
            continue;
        }
        if let Ok(key) = DecodingKey::from_jwk(&jwk) {
            by_kid.insert(kid, Arc::new(key));
        }
    }
    Ok(by_kid)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;
    use crate::auth::testing::{self, FakeEntra};

    fn invalid(reason: &'static str) -> AuthRejection {
        AuthRejection::InvalidToken { reason }
    }

    async fn validator(fake: &FakeEntra, min_refresh: Duration) -> Arc<JwtValidator> {
        let mut settings = fake.jwt_settings();
        settings.jwks_min_refresh = min_refresh;
        JwtValidator::discover(settings, reqwest::Client::new()).await.expect("discovery")
    }

    fn unsigned(header: serde_json::Value, claims: &serde_json::Value) -> String {
        format!("{}.{}.", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()))
    }

    #[tokio::test]
    async fn valid_token_gives_the_caller() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let v = validator(&fake, Duration::from_secs(60)).await;
        let token = testing::sign(testing::key_a(), &fake.user_claims(testing::ALICE_OID));
        let caller = v.validate(&token).await.expect("valid token");
        let metadata = v.resource_metadata("https://mcp.example");
        assert_eq!(metadata["authorization_servers"][0], format!("{}/{}/v2.0", fake.authority(), testing::TENANT));
        assert_eq!(metadata["scopes_supported"][0], format!("{}/access_as_user", testing::APP_ID_URI));
        assert_eq!(caller.tenant_id.as_deref(), Some(testing::TENANT));
        assert_eq!(caller.object_id.as_deref(), Some(testing::ALICE_OID));
        assert_eq!(caller.upn.as_deref(), Some("alice@contoso.example"));
        assert_eq!(caller.assertion.as_ref().map(|a| a.secret()), Some(token.as_str()));

        // The App ID URI is the other accepted audience.
        let mut claims = fake.user_claims(testing::ALICE_OID);
        claims["aud"] = json!(testing::APP_ID_URI);
        v.validate(&testing::sign(testing::key_a(), &claims)).await.expect("App ID URI audience");
        // A second allowed tenant, with its own issuer.
        let mut claims = fake.user_claims(testing::ALICE_OID);
        claims["tid"] = json!(testing::PARTNER_TENANT);
        claims["iss"] = json!(fake.issuer(testing::PARTNER_TENANT));
        let caller = v.validate(&testing::sign(testing::key_a(), &claims)).await.expect("partner tenant");
        assert_eq!(caller.tenant_id.as_deref(), Some(testing::PARTNER_TENANT));
    }

    #[tokio::test]
    async fn bad_tokens_are_rejected_with_the_exact_reason_and_never_reach_the_token_endpoint() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        fake.mount_token_endpoint_success("should-never-be-issued", 3600).await;
        let v = validator(&fake, Duration::from_secs(60)).await;
        let a = testing::key_a();
        let good = || fake.user_claims(testing::ALICE_OID);
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let with = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut c = good();
            edit(&mut c);
            testing::sign(a, &c)
        };

        let mut cases: Vec<(&str, String, AuthRejection)> = Vec::new();
        // Signed by another key while claiming key A's kid.
        cases.push((
            "bad signature",
            testing::sign_as(testing::key_b(), &a.kid, &good()),
            invalid("invalid signature"),
        ));
        // Payload swapped after signing.
        let signed = testing::sign(a, &good());
        let mut parts: Vec<&str> = signed.split('.').collect();
        let forged_payload = URL_SAFE_NO_PAD.encode(fake.user_claims(testing::BOB_OID).to_string());
        parts[1] = &forged_payload;
        cases.push(("tampered payload", parts.join("."), invalid("invalid signature")));
        cases.push((
            "unknown kid",
            testing::sign_as(testing::key_b(), "kid-nobody-knows", &good()),
            invalid("unknown signing key (kid)"),
        ));
        cases.push((
            "alg none",
            unsigned(json!({"alg": "none", "typ": "JWT", "kid": a.kid}), &good()),
            invalid("unsupported signing algorithm; only RS256 is accepted"),
        ));
        let mut hs = Header::new(Algorithm::HS256);
        hs.kid = Some(a.kid.clone());
        let hs_token =
            jsonwebtoken::encode(&hs, &good(), &EncodingKey::from_secret(&a.public_der)).expect("HS256 token");
        cases.push((
            "HS256 keyed with the public key",
            hs_token,
            invalid("unsupported signing algorithm; only RS256 is accepted"),
        ));
        cases.push((
            "no kid",
            {
                let mut h = Header::new(Algorithm::RS256);
                h.kid = None;
                jsonwebtoken::encode(&h, &good(), &a.encoding).expect("token")
            },
            invalid("token header has no kid"),
        ));
        cases.push(("wrong audience", with(&|c| c["aud"] = json!("api://someone-else")), invalid("wrong audience")));
        cases.push((
            "v1 issuer",
            with(&|c| c["iss"] = json!(format!("https://sts.windows.net/{}/", testing::TENANT))),
            invalid("wrong issuer"),
        ));
        cases.push((
            "issuer of another tenant than tid",
            with(&|c| c["iss"] = json!(fake.issuer(testing::PARTNER_TENANT))),
            invalid("wrong issuer"),
        ));
        cases.push((
            "other tenant",
            with(&|c| {
                c["tid"] = json!(testing::STRANGER_TENANT);
                c["iss"] = json!(fake.issuer(testing::STRANGER_TENANT));
            }),
            invalid("tenant not allowed"),
        ));
        cases.push((
            "expired",
            with(&|c| {
                c["iat"] = json!(now - 4000);
                c["nbf"] = json!(now - 4000);
                c["exp"] = json!(now - 120);
            }),
            invalid("token expired"),
        ));
        cases.push(("not yet valid", with(&|c| c["nbf"] = json!(now + 600)), invalid("token not yet valid (nbf)")));
        cases.push((
            "missing scope",
            with(&|c| c["scp"] = json!("User.Read openid")),
            AuthRejection::InsufficientScope { required: "access_as_user".into() },
        ));
        cases.push((
            "scope only as a prefix",
            with(&|c| c["scp"] = json!("access_as_user_admin")),
            AuthRejection::InsufficientScope { required: "access_as_user".into() },
        ));
        cases.push((
            "app-only (idtyp)",
            with(&|c| {
                c.as_object_mut().map(|o| o.remove("scp"));
                c["idtyp"] = json!("app");
                c["roles"] = json!(["Directory.Read.All"]);
            }),
            invalid(APP_ONLY_REASON),
        ));
        cases.push((
            "app-only (roles, no scp)",
            with(&|c| {
                c.as_object_mut().map(|o| o.remove("scp"));
                c["roles"] = json!(["Directory.Read.All"]);
            }),
            invalid(APP_ONLY_REASON),
        ));
        cases.push((
            "missing oid",
            with(&|c| {
                c.as_object_mut().map(|o| o.remove("oid"));
            }),
            invalid("missing claim `oid`"),
        ));
        cases.push((
            "missing exp",
            with(&|c| {
                c.as_object_mut().map(|o| o.remove("exp"));
            }),
            invalid("missing claim `exp`"),
        ));
        cases.push((
            "missing tid",
            with(&|c| {
                c.as_object_mut().map(|o| o.remove("tid"));
            }),
            invalid("missing claim `tid`"),
        ));
        cases.push((
            "critical header extension",
            unsigned(json!({"alg": "RS256", "kid": a.kid, "crit": ["exp"], "exp": 1}), &good()),
            invalid("unsupported critical header parameters"),
        ));
        cases.push(("malformed", "not-a-jwt".to_owned(), invalid("malformed token")));
        cases.push(("malformed header", "e30x.e30.c2ln".to_owned(), invalid("malformed token")));
        cases.push(("four segments", format!("{signed}.extra"), invalid("malformed token")));
        cases.push(("empty", String::new(), invalid("empty token")));
        cases.push(("blank", "   ".to_owned(), invalid("empty token")));

        assert!(cases.len() >= 14);
        for (name, token, expected) in &cases {
            let got = v.validate(token).await.expect_err(name);
            assert_eq!(&got, expected, "case `{name}`");
            if !token.is_empty() {
                assert!(!got.to_string().contains(token.as_str()), "case `{name}` leaks the token");
            }
        }

        let requests = fake.server.received_requests().await.expect("request recording");
        assert!(
            requests.iter().all(|r| !r.url.path().ends_with("/oauth2/v2.0/token")),
            "validation must never call the token endpoint"
        );
        // Discovery + the initial JWKS + at most one refresh (for the unknown kid).
        assert!(fake.jwks_fetches().await <= 2);
    }

    #[tokio::test]
    async fn a_flood_of_unknown_kids_causes_at_most_one_refresh() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let v = validator(&fake, Duration::from_secs(60)).await;
        assert_eq!(fake.jwks_fetches().await, 1);
        let claims = fake.user_claims(testing::ALICE_OID);
        let tokens: Vec<String> =
            (0..50).map(|i| testing::sign_as(testing::key_b(), &format!("random-kid-{i}"), &claims)).collect();
        let results = futures::future::join_all(tokens.iter().map(|t| v.validate(t))).await;
        for result in results {
            assert_eq!(result.expect_err("unknown kid"), invalid("unknown signing key (kid)"));
        }
        for i in 50..60 {
            let token = testing::sign_as(testing::key_b(), &format!("random-kid-{i}"), &claims);
            assert!(v.validate(&token).await.is_err());
        }
        assert_eq!(fake.jwks_fetches().await, 2, "one initial fetch and one refresh");
        // Known keys keep working during the flood.
        v.validate(&testing::sign(testing::key_a(), &claims)).await.expect("known key still accepted");
    }

    #[tokio::test]
    async fn refreshes_again_once_the_rate_limit_window_has_passed() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let v = validator(&fake, Duration::from_millis(200)).await;
        let claims = fake.user_claims(testing::ALICE_OID);
        assert!(v.validate(&testing::sign_as(testing::key_b(), "x1", &claims)).await.is_err());
        assert!(v.validate(&testing::sign_as(testing::key_b(), "x2", &claims)).await.is_err());
        assert_eq!(fake.jwks_fetches().await, 2);
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(v.validate(&testing::sign_as(testing::key_b(), "x3", &claims)).await.is_err());
        assert_eq!(fake.jwks_fetches().await, 3);
    }

    #[tokio::test]
    async fn key_rotation_is_picked_up_on_the_next_unknown_kid() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let v = validator(&fake, Duration::from_secs(60)).await;
        let claims = fake.user_claims(testing::ALICE_OID);
        // Entra publishes the new key, then starts signing with it.
        fake.publish_keys(&[testing::key_a(), testing::key_b()]).await;
        let caller = v.validate(&testing::sign(testing::key_b(), &claims)).await.expect("rotated key accepted");
        assert_eq!(caller.object_id.as_deref(), Some(testing::ALICE_OID));
        v.validate(&testing::sign(testing::key_a(), &claims)).await.expect("old key still published");
        assert_eq!(fake.jwks_fetches().await, 2);
    }

    #[tokio::test]
    async fn old_keys_are_refreshed_and_a_withdrawn_key_stops_working() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let mut v = validator(&fake, Duration::from_secs(60)).await;
        Arc::get_mut(&mut v).expect("sole owner").jwks_max_age = Duration::ZERO;
        let claims = fake.user_claims(testing::ALICE_OID);
        let token_a = testing::sign(testing::key_a(), &claims);
        // Old keys: the first request refreshes in passing, the rest are rate limited.
        for _ in 0..5 {
            v.validate(&token_a).await.expect("key A");
        }
        assert_eq!(fake.jwks_fetches().await, 2);

        // Entra withdraws key A: once a refresh is allowed, tokens signed with it fail.
        let mut v = validator(&fake, Duration::ZERO).await;
        Arc::get_mut(&mut v).expect("sole owner").jwks_max_age = Duration::ZERO;
        v.validate(&token_a).await.expect("key A is still published");
        fake.publish_keys(&[testing::key_b()]).await;
        assert_eq!(v.validate(&token_a).await.expect_err("withdrawn"), invalid("unknown signing key (kid)"));
        v.validate(&testing::sign(testing::key_b(), &claims)).await.expect("key B");
    }

    #[tokio::test]
    async fn a_key_rotated_under_the_same_kid_is_accepted_after_one_refresh() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let v = validator(&fake, Duration::from_secs(60)).await;
        let claims = fake.user_claims(testing::ALICE_OID);
        v.validate(&testing::sign(testing::key_a(), &claims)).await.expect("key A");
        // Entra re-publishes `key-a` with new material and signs with it.
        fake.publish_key_as(testing::key_b(), &testing::key_a().kid).await;
        let rotated = testing::sign_as(testing::key_b(), &testing::key_a().kid, &claims);
        let caller = v.validate(&rotated).await.expect("new material under the known kid");
        assert_eq!(caller.object_id.as_deref(), Some(testing::ALICE_OID));
        assert_eq!(fake.jwks_fetches().await, 2, "one initial fetch and one refresh");
        v.validate(&rotated).await.expect("now cached");
        // The old material is gone; within the rate limit window that costs no further fetch.
        let old = testing::sign(testing::key_a(), &claims);
        assert_eq!(v.validate(&old).await.expect_err("withdrawn material"), invalid("invalid signature"));
        assert_eq!(fake.jwks_fetches().await, 2);
    }

    #[tokio::test]
    async fn forged_tokens_under_a_known_kid_fail_and_refresh_at_most_once_per_window() {
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let v = validator(&fake, Duration::from_millis(300)).await;
        let claims = fake.user_claims(testing::ALICE_OID);
        let forged: Vec<String> =
            (0..30).map(|_| testing::sign_as(testing::key_b(), &testing::key_a().kid, &claims)).collect();
        let results = futures::future::join_all(forged.iter().map(|t| v.validate(t))).await;
        for result in results {
            assert_eq!(result.expect_err("forged"), invalid("invalid signature"));
        }
        for token in &forged {
            assert_eq!(v.validate(token).await.expect_err("forged"), invalid("invalid signature"));
        }
        assert_eq!(fake.jwks_fetches().await, 2, "one initial fetch and one refresh for the whole flood");
        v.validate(&testing::sign(testing::key_a(), &claims)).await.expect("the genuine key still works");
        // After the window, one more refresh: still refused.
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert_eq!(v.validate(&forged[0]).await.expect_err("forged"), invalid("invalid signature"));
        assert_eq!(fake.jwks_fetches().await, 3);
    }

    #[tokio::test]
    async fn only_listed_client_applications_are_accepted() {
        const ALLOWED: &str = "c11e0000-0000-4000-8000-0000000000c1";
        const OTHER: &str = "0e4e0000-0000-4000-8000-0000000000e4";
        let fake = FakeEntra::start(&[testing::key_a()]).await;
        let token = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut claims = fake.user_claims(testing::ALICE_OID);
            edit(&mut claims);
            testing::sign(testing::key_a(), &claims)
        };
        let v2 = |client: &'static str| token(&|c| c["azp"] = json!(client));
        // A v1.0 token names its client in `appid` and has no `azp`.
        let v1 = |client: &'static str| {
            token(&|c| {
                c.as_object_mut().map(|o| o.remove("azp"));
                c["ver"] = json!("1.0");
                c["appid"] = json!(client);
            })
        };
        let no_client = token(&|c| {
            c.as_object_mut().map(|o| o.remove("azp"));
        });

        // Unset: any client, as before, with a warning at start-up.
        let (logs, guard) = testing::capture_logs();
        let open = validator(&fake, Duration::from_secs(60)).await;
        drop(guard);
        assert!(logs.contents().contains("ENTRA_MCP_ALLOWED_CLIENTS is not set"), "{}", logs.contents());
        for t in [v2(OTHER), v1(OTHER), no_client.clone()] {
            open.validate(&t).await.expect("no allow-list");
        }

        let mut settings = fake.jwt_settings();
        settings.allowed_clients = vec![ALLOWED.to_ascii_uppercase()];
        let (logs, guard) = testing::capture_logs();
        let v = JwtValidator::discover(settings, reqwest::Client::new()).await.expect("discovery");
        drop(guard);
        assert!(!logs.contents().contains("ENTRA_MCP_ALLOWED_CLIENTS is not set"));
        v.validate(&v2(ALLOWED)).await.expect("allowed v2 client");
        v.validate(&v1(ALLOWED)).await.expect("allowed v1 client");
        for (name, t) in [("v2 azp", v2(OTHER)), ("v1 appid", v1(OTHER)), ("no client claim", no_client)] {
            let rejection = v.validate(&t).await.expect_err(name);
            assert_eq!(rejection, AuthRejection::ClientNotAllowed, "{name}");
            assert_eq!(rejection.status(), 403);
            let header = rejection.www_authenticate("https://mcp.example/m", "api://x/access_as_user");
            assert!(header.contains("error=\"insufficient_scope\""), "{header}");
            assert!(header.contains(CLIENT_NOT_ALLOWED_REASON), "{header}");
        }
        // A disallowed client with another defect is refused for that defect first.
        let expired = token(&|c| {
            c["azp"] = json!(OTHER);
            c["exp"] = json!(1_000_000_000);
            c["nbf"] = json!(999_999_000);
        });
        assert_eq!(v.validate(&expired).await.expect_err("expired"), invalid("token expired"));
    }

    #[tokio::test]
    async fn discovery_errors_name_the_url() {
        let server = wiremock::MockServer::start().await;
        let settings = JwtSettings::new(server.uri(), testing::TENANT, testing::CLIENT_ID);
        let error = JwtValidator::discover(settings, reqwest::Client::new()).await.expect_err("no discovery doc");
        let text = format!("{error:#}");
        assert!(text.contains(&format!("/{}/v2.0/.well-known/openid-configuration", testing::TENANT)), "{text}");
    }

    #[test]
    fn issuer_template_and_www_authenticate() {
        let (template, tenant) =
            issuer_template("https://login.microsoftonline.com/72F988BF-86f1-41af-91ab-2d7cd011db47/v2.0")
                .expect("template");
        assert_eq!(template, "https://login.microsoftonline.com/{tenantid}/v2.0");
        assert_eq!(tenant, "72f988bf-86f1-41af-91ab-2d7cd011db47");
        assert!(issuer_template("https://sts.windows.net/x/").is_none());

        let header = AuthRejection::InsufficientScope { required: "access_as_user".into() }
            .www_authenticate("https://mcp.example/.well-known/oauth-protected-resource", "api://x/access_as_user");
        assert!(header.starts_with("Bearer resource_metadata=\"https://mcp.example/"));
        assert!(header.contains("error=\"insufficient_scope\""));
        assert_eq!(invalid("token expired").status(), 401);
    }
}
