//! Test fixtures for the auth modules: RSA keys generated once per test binary, a wiremock
//! fake of an Entra tenant (discovery, JWKS, token endpoint), token minting, and a tracing
//! capture used to prove that no token or secret is ever logged.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::jwt::JwtSettings;

pub const TENANT: &str = "11111111-1111-4111-8111-111111111111";
pub const PARTNER_TENANT: &str = "22222222-2222-4222-8222-222222222222";
pub const STRANGER_TENANT: &str = "33333333-3333-4333-8333-333333333333";
pub const CLIENT_ID: &str = "aaaaaaaa-0000-4000-8000-00000000000a";
pub const APP_ID_URI: &str = "api://entra-mcp.example";
pub const ALICE_OID: &str = "a11ce000-0000-4000-8000-000000000001";
pub const BOB_OID: &str = "b0b00000-0000-4000-8000-000000000002";

/// An RSA signing key with the forms the tests need.
pub struct TestKey {
    pub kid: String,
    pub encoding: EncodingKey,
    /// SubjectPublicKeyInfo DER: what an HS256 key-confusion attack would use as the secret.
    pub public_der: Vec<u8>,
    /// PKCS#8 PEM of the private key.
    pub pkcs8_pem: String,
    pub jwk: serde_json::Value,
}

impl TestKey {
    fn generate(kid: &str) -> TestKey {
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        let pkcs8 = pair.as_der().expect("PKCS#8 encoding");
        let pkcs8_pem = pem_encode("PRIVATE KEY", pkcs8.as_ref());
        let encoding = EncodingKey::from_rsa_pem(pkcs8_pem.as_bytes()).expect("encoding key");
        let public_der = pair.public_key().as_der().expect("SPKI encoding").as_ref().to_vec();
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256).expect("JWK");
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let jwk = serde_json::to_value(jwk).expect("JWK JSON");
        TestKey { kid: kid.to_owned(), encoding, public_der, pkcs8_pem, jwk }
    }
}

/// RSA generation is slow without optimisation, so each key is made once per test binary.
pub fn key_a() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| TestKey::generate("key-a"))
}

pub fn key_b() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| TestKey::generate("key-b"))
}

pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

/// A DER SEQUENCE standing in for an X.509 certificate: the server only hashes its bytes.
pub const FAKE_CERT_DER: &[u8] = &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02];

/// A certificate credential PEM: the certificate first, then the key (either order works).
pub fn certificate_pem(key_pem: &str) -> String {
    format!("{}{key_pem}", pem_encode("CERTIFICATE", FAKE_CERT_DER))
}

pub fn sign(key: &TestKey, claims: &serde_json::Value) -> String {
    sign_as(key, &key.kid, claims)
}

/// Signs with `key` but names `kid` in the header.
pub fn sign_as(key: &TestKey, kid: &str, claims: &serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key.encoding).expect("signing")
}

/// A fake Entra tenant on loopback.
pub struct FakeEntra {
    pub server: MockServer,
    /// wiremock prefers the mock with the lowest priority number: each newly published key
    /// set gets a lower number than the last, so it wins.
    next_priority: AtomicU8,
}

impl FakeEntra {
    pub async fn start(keys: &[&TestKey]) -> FakeEntra {
        let fake = FakeEntra { server: MockServer::start().await, next_priority: AtomicU8::new(100) };
        let uri = fake.server.uri();
        Mock::given(method("GET"))
            .and(path(format!("/{TENANT}/v2.0/.well-known/openid-configuration")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issuer": format!("{uri}/{TENANT}/v2.0"),
                "jwks_uri": format!("{uri}{}", Self::jwks_path()),
                "token_endpoint": format!("{uri}/{TENANT}/oauth2/v2.0/token"),
                "id_token_signing_alg_values_supported": ["RS256"],
            })))
            .mount(&fake.server)
            .await;
        fake.publish_keys(keys).await;
        fake
    }

    fn jwks_path() -> String {
        format!("/{TENANT}/discovery/v2.0/keys")
    }

    pub fn authority(&self) -> String {
        self.server.uri()
    }

    pub fn issuer(&self, tenant: &str) -> String {
        format!("{}/{tenant}/v2.0", self.server.uri())
    }

    pub fn token_path(tenant: &str) -> String {
        format!("/{tenant}/oauth2/v2.0/token")
    }

    pub fn jwt_settings(&self) -> JwtSettings {
        let mut settings = JwtSettings::new(self.authority(), TENANT, CLIENT_ID);
        settings.app_id_uri = Some(APP_ID_URI.to_owned());
        settings.allowed_tenants = vec![TENANT.to_owned(), PARTNER_TENANT.to_owned()];
        settings
    }

    pub async fn publish_keys(&self, keys: &[&TestKey]) {
        self.publish_jwks(keys.iter().map(|k| k.jwk.clone()).collect()).await;
    }

    /// Publishes `key`'s public half under another key id, as Entra does when it rotates the
    /// material behind a `kid`.
    pub async fn publish_key_as(&self, key: &TestKey, kid: &str) {
        let mut jwk = key.jwk.clone();
        jwk["kid"] = json!(kid);
        self.publish_jwks(vec![jwk]).await;
    }

    async fn publish_jwks(&self, keys: Vec<serde_json::Value>) {
        let priority = self.next_priority.fetch_sub(1, Ordering::SeqCst);
        let jwks = json!({ "keys": keys });
        Mock::given(method("GET"))
            .and(path(Self::jwks_path()))
            .respond_with(ResponseTemplate::new(200).set_body_json(jwks))
            .with_priority(priority)
            .mount(&self.server)
            .await;
    }

    pub async fn jwks_fetches(&self) -> usize {
        let requests = self.server.received_requests().await.expect("request recording");
        requests.iter().filter(|r| r.url.path() == Self::jwks_path()).count()
    }

    pub async fn token_requests(&self) -> Vec<wiremock::Request> {
        let requests = self.server.received_requests().await.expect("request recording");
        requests.into_iter().filter(|r| r.url.path().ends_with("/oauth2/v2.0/token")).collect()
    }

    pub async fn mount_token_endpoint_success(&self, access_token: &str, expires_in: u64) {
        Mock::given(method("POST"))
            .and(path(Self::token_path(TENANT)))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "token_type": "Bearer",
                "scope": "https://graph.microsoft.com/.default",
                "expires_in": expires_in,
                "ext_expires_in": expires_in,
                "access_token": access_token,
            })))
            .mount(&self.server)
            .await;
    }

    /// The claims of a valid delegated v2.0 token for this server.
    pub fn user_claims(&self, oid: &str) -> serde_json::Value {
        let now = jsonwebtoken::get_current_timestamp();
        let name = if oid == BOB_OID { "bob" } else { "alice" };
        json!({
            "aud": CLIENT_ID,
            "iss": self.issuer(TENANT),
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "ver": "2.0",
            "tid": TENANT,
            "oid": oid,
            "sub": format!("sub-{oid}"),
            "azp": "bbbbbbbb-0000-4000-8000-00000000000b",
            "scp": "access_as_user User.Read",
            "preferred_username": format!("{name}@contoso.example"),
            "name": name,
        })
    }
}

/// The correlation id (a UUID) a caller-facing error carries, if it carries one.
pub fn correlation_id(error: &str) -> Option<String> {
    error.match_indices("correlation id ").find_map(|(at, prefix)| {
        let id = error.get(at + prefix.len()..at + prefix.len() + 36)?;
        uuid::Uuid::parse_str(id).ok().map(|_| id.to_owned())
    })
}

/// Everything the tracing subscriber wrote.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Captures every event at every level on this thread (use a current-thread test runtime).
pub fn capture_logs() -> (LogBuffer, tracing::subscriber::DefaultGuard) {
    let buffer = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(buffer.clone())
        .finish();
    // With exactly one dispatcher registered, tracing-core computes the interest of a callsite
    // first hit on another thread from that thread's default (none), caches `never`, and this
    // thread then misses the event. A second, permanent dispatcher makes it ask every
    // registered dispatcher instead, so callsites shared with concurrent tests stay visible.
    static SECOND_DISPATCHER: OnceLock<tracing::Dispatch> = OnceLock::new();
    SECOND_DISPATCHER.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
    let guard = tracing::subscriber::set_default(subscriber);
    (buffer, guard)
}
