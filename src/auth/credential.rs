//! The server's own credential at the Entra token endpoint, as the form fields an OBO request
//! carries: a client secret, or a signed client assertion from a certificate, a federated
//! token file (AKS workload identity) or a managed identity used as a federated credential.
//!
//! The certificate assertion is signed here with jsonwebtoken rather than with azure_identity's
//! `ClientCertificateCredential`, because that one needs OpenSSL. Every `Debug` impl redacts
//! secrets, and no error message carries key material or a token.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use azure_core::credentials::TokenCredential;
use azure_identity::{ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use super::{opaque_error, random_uuid};
use crate::error::{ErrorKind, SkillError};

pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The audience a managed identity token must have to be accepted as a federated credential,
/// per cloud.
pub const TOKEN_EXCHANGE_AUDIENCE_PUBLIC: &str = "api://AzureADTokenExchange";
pub const TOKEN_EXCHANGE_AUDIENCE_US_GOV: &str = "api://AzureADTokenExchangeUSGov";
pub const TOKEN_EXCHANGE_AUDIENCE_CHINA: &str = "api://AzureADTokenExchangeChina";

/// Lifetime of a certificate client assertion: it is used once, right away.
const ASSERTION_LIFETIME_SECS: u64 = 10 * 60;

/// How the server proves its own identity to the token endpoint.
pub enum ClientCredential {
    Secret(String),
    Certificate(CertificateCredential),
    /// A federated token (e.g. the AKS projected service-account token). Re-read on every use,
    /// because the kubelet rotates the file.
    FederatedTokenFile(PathBuf),
    /// A managed identity token for `audience` (the cloud's token-exchange audience), used as
    /// the client assertion of an app that trusts the identity through a federated credential.
    ManagedIdentity {
        credential: Arc<dyn TokenCredential>,
        audience: String,
    },
}

impl fmt::Debug for ClientCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientCredential::Secret(_) => f.write_str("Secret(<redacted>)"),
            ClientCredential::Certificate(certificate) => f.debug_tuple("Certificate").field(certificate).finish(),
            ClientCredential::FederatedTokenFile(path) => f.debug_tuple("FederatedTokenFile").field(path).finish(),
            ClientCredential::ManagedIdentity { audience, .. } => {
                f.debug_struct("ManagedIdentity").field("audience", audience).finish_non_exhaustive()
            }
        }
    }
}

impl ClientCredential {
    /// The form fields that authenticate the server in a request to `token_endpoint` (which is
    /// also the audience of a signed assertion).
    pub async fn form_fields(&self, token_endpoint: &str) -> Result<Vec<(&'static str, String)>, SkillError> {
        let assertion = match self {
            ClientCredential::Secret(secret) => return Ok(vec![("client_secret", secret.clone())]),
            ClientCredential::Certificate(certificate) => certificate
                .assertion(token_endpoint)
                .map_err(|e| credential_error("the certificate client assertion could not be signed", &e))?,
            ClientCredential::FederatedTokenFile(path) => read_federated_token(path.clone()).await?,
            ClientCredential::ManagedIdentity { credential, audience } => {
                let scope = format!("{audience}/.default");
                let token = credential.get_token(&[scope.as_str()], None).await.map_err(|e| {
                    // azure_identity's messages name the IMDS or identity endpoint it tried.
                    credential_error(
                        "the managed identity token could not be obtained",
                        &format_args!("audience {audience}: {e}"),
                    )
                })?;
                token.token.secret().to_owned()
            }
        };
        Ok(vec![("client_assertion_type", CLIENT_ASSERTION_TYPE.to_owned()), ("client_assertion", assertion)])
    }
}

/// A managed identity (system-assigned, or user-assigned by client id) as the server's
/// credential. `exchange_audience` is the cloud's `TOKEN_EXCHANGE_AUDIENCE_*`.
pub fn managed_identity(client_id: Option<&str>, exchange_audience: &str) -> anyhow::Result<ClientCredential> {
    let options = ManagedIdentityCredentialOptions {
        user_assigned_id: client_id.map(|id| UserAssignedId::ClientId(id.to_owned())),
        ..Default::default()
    };
    let credential = ManagedIdentityCredential::new(Some(options)).context("the managed identity is not available")?;
    Ok(ClientCredential::ManagedIdentity { credential, audience: exchange_audience.to_owned() })
}

/// An RSA private key and its certificate, for signing client assertions.
pub struct CertificateCredential {
    client_id: String,
    key: EncodingKey,
    /// base64url(SHA-1(certificate DER)): how Entra finds the certificate on the app.
    x5t: String,
}

impl fmt::Debug for CertificateCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateCredential")
            .field("client_id", &self.client_id)
            .field("x5t", &self.x5t)
            .field("key", &"<redacted>")
            .finish()
    }
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    aud: &'a str,
    iss: &'a str,
    sub: &'a str,
    jti: String,
    iat: u64,
    nbf: u64,
    exp: u64,
}

impl CertificateCredential {
    /// Loads a PEM holding the private key (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`)
    /// and the certificate (the first `CERTIFICATE` block is the app's; any others are chain).
    pub fn from_pem(pem: &str, client_id: &str) -> anyhow::Result<Self> {
        let mut key = None;
        let mut certificate = None;
        for block in pem_blocks(pem)? {
            match block.label {
                "PRIVATE KEY" | "RSA PRIVATE KEY" if key.is_none() => {
                    // jsonwebtoken unwraps PKCS#8 to the PKCS#1 form aws-lc signs with; it
                    // only reads the first PEM block, so it gets this block alone.
                    let single = format!("-----BEGIN {0}-----\n{1}\n-----END {0}-----\n", block.label, block.body);
                    let encoding = EncodingKey::from_rsa_pem(single.as_bytes())
                        .map_err(|_| anyhow::anyhow!("the private key is not an RSA key in PKCS#8 or PKCS#1 form"))?;
                    aws_lc_rs::signature::RsaKeyPair::from_der(encoding.as_bytes())
                        .map_err(|_| anyhow::anyhow!("the RSA private key could not be loaded"))?;
                    key = Some(encoding);
                }
                "ENCRYPTED PRIVATE KEY" => bail!("the private key is encrypted; provide it without a passphrase"),
                "EC PRIVATE KEY" => bail!("the private key is an EC key; only RSA certificates are supported"),
                "CERTIFICATE" if certificate.is_none() => certificate = Some(block.der),
                _ => {}
            }
        }
        let key = key.context("the PEM has no private key")?;
        let certificate = certificate.context("the PEM has no certificate")?;
        // A DER certificate is an ASN.1 SEQUENCE.
        if certificate.first() != Some(&0x30) {
            bail!("the certificate is not DER-encoded X.509");
        }
        let x5t = URL_SAFE_NO_PAD.encode(digest(&SHA1_FOR_LEGACY_USE_ONLY, &certificate));
        Ok(CertificateCredential { client_id: client_id.to_owned(), key, x5t })
    }

    /// The certificate thumbprint (`x5t`), as shown in the app registration.
    pub fn thumbprint(&self) -> &str {
        &self.x5t
    }

    /// A fresh client assertion for `audience` (the token endpoint URL).
    pub fn assertion(&self, audience: &str) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.x5t = Some(self.x5t.clone());
        let now = jsonwebtoken::get_current_timestamp();
        let claims = AssertionClaims {
            aud: audience,
            iss: &self.client_id,
            sub: &self.client_id,
            jti: random_uuid(),
            iat: now,
            nbf: now,
            exp: now + ASSERTION_LIFETIME_SECS,
        };
        jsonwebtoken::encode(&header, &claims, &self.key)
    }
}

struct PemBlock<'a> {
    label: &'a str,
    /// The base64 body, as written.
    body: String,
    der: Vec<u8>,
}

/// Splits a PEM file into its blocks. Key material never reaches an error message.
fn pem_blocks(pem: &str) -> anyhow::Result<Vec<PemBlock<'_>>> {
    let mut blocks = Vec::new();
    let mut current: Option<(&str, String)> = None;
    for line in pem.lines().map(str::trim) {
        if let Some(label) = line.strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")) {
            current = Some((label, String::new()));
        } else if let Some(label) = line.strip_prefix("-----END ").and_then(|l| l.strip_suffix("-----")) {
            let Some((open, body)) = current.take() else { bail!("the PEM has an END line without a BEGIN line") };
            if open != label {
                bail!("the PEM block `{open}` ends as `{label}`");
            }
            let der = STANDARD.decode(&body).map_err(|_| anyhow::anyhow!("the PEM block `{label}` is not base64"))?;
            blocks.push(PemBlock { label: open, body, der });
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    if blocks.is_empty() {
        bail!("no PEM blocks found");
    }
    Ok(blocks)
}

async fn read_federated_token(path: PathBuf) -> Result<String, SkillError> {
    let shown = path.display().to_string();
    // The file is tiny, but a slow volume must not stall a runtime worker.
    let read = tokio::task::spawn_blocking(move || std::fs::read_to_string(path)).await;
    // The path and the OS error describe the deployment: they go to the log, not the caller.
    let text = match read {
        Ok(Ok(text)) => text,
        Ok(Err(e)) => {
            return Err(credential_error(
                "the federated token file could not be read",
                &format_args!("AZURE_FEDERATED_TOKEN_FILE {shown}: {e}"),
            ));
        }
        Err(e) => {
            return Err(credential_error(
                "reading the federated token file was interrupted",
                &format_args!("AZURE_FEDERATED_TOKEN_FILE {shown}: {e}"),
            ));
        }
    };
    let token = text.trim();
    if token.is_empty() {
        return Err(credential_error(
            "the federated token file is empty",
            &format_args!("AZURE_FEDERATED_TOKEN_FILE {shown}"),
        ));
    }
    Ok(token.to_owned())
}

/// The server's own credential failed: the caller learns that and whom to ask, with a
/// correlation id; what failed where is only in the log (see [`opaque_error`]).
fn credential_error(what: &str, detail: &dyn fmt::Display) -> SkillError {
    opaque_error(ErrorKind::Upstream, &format!("the server could not authenticate itself to Entra: {what}"), detail)
        .with_remedy(
            "an operator should check the server's credential configuration (AZURE_CLIENT_SECRET, \
         AZURE_CLIENT_CERTIFICATE_PATH, AZURE_FEDERATED_TOKEN_FILE or ENTRA_MCP_MANAGED_IDENTITY) \
         and look up the correlation id in the server's log",
        )
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use azure_core::credentials::{AccessToken as AzureToken, TokenRequestOptions};
    use jsonwebtoken::{DecodingKey, Validation};

    use super::*;
    use crate::auth::testing::{self, FAKE_CERT_DER, certificate_pem, pem_encode};

    #[test]
    fn certificate_assertion_is_rs256_with_x5t_and_the_right_claims() {
        let key = testing::key_a();
        let credential = CertificateCredential::from_pem(&certificate_pem(&key.pkcs8_pem), testing::CLIENT_ID)
            .expect("PKCS#8 key + certificate");
        let expected_x5t = URL_SAFE_NO_PAD.encode(digest(&SHA1_FOR_LEGACY_USE_ONLY, FAKE_CERT_DER));
        assert_eq!(credential.thumbprint(), expected_x5t);

        let endpoint = "https://login.example/tenant/oauth2/v2.0/token";
        let assertion = credential.assertion(endpoint).expect("assertion");
        let header = jsonwebtoken::decode_header(&assertion).expect("header");
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.x5t.as_deref(), Some(expected_x5t.as_str()));

        let jwk = serde_json::from_value(key.jwk.clone()).expect("JWK");
        let public = DecodingKey::from_jwk(&jwk).expect("public key");
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[endpoint]);
        validation.set_issuer(&[testing::CLIENT_ID]);
        validation.sub = Some(testing::CLIENT_ID.to_owned());
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub", "nbf"]);
        let claims = jsonwebtoken::decode::<serde_json::Value>(&assertion, &public, &validation).expect("verifies");
        let claims = claims.claims;
        let lifetime = claims["exp"].as_u64().unwrap_or(0) - claims["nbf"].as_u64().unwrap_or(0);
        assert_eq!(lifetime, 600);
        let jti = claims["jti"].as_str().expect("jti");
        assert_eq!(uuid::Uuid::parse_str(jti).expect("uuid").get_version_num(), 4);
        assert_ne!(credential.assertion(endpoint).expect("second"), assertion, "jti is fresh each time");
    }

    #[test]
    fn pkcs1_keys_and_key_first_order_load_too() {
        let key = testing::key_b();
        let pkcs1 = pem_encode("RSA PRIVATE KEY", key.encoding.as_bytes());
        let pem = format!("{pkcs1}{}", pem_encode("CERTIFICATE", FAKE_CERT_DER));
        let credential = CertificateCredential::from_pem(&pem, testing::CLIENT_ID).expect("PKCS#1 key");
        assert!(credential.assertion("https://aud").is_ok());
    }

    #[test]
    fn bad_pems_give_errors_without_key_material() {
        let key = testing::key_a();
        let cases = [
            (key.pkcs8_pem.clone(), "no certificate"),
            (pem_encode("CERTIFICATE", FAKE_CERT_DER), "no private key"),
            (certificate_pem(&pem_encode("ENCRYPTED PRIVATE KEY", &[0x30, 0x00])), "encrypted"),
            (certificate_pem(&pem_encode("PRIVATE KEY", &[0x30, 0x03, 0x02, 0x01, 0x00])), "not an RSA key"),
            ("hello".to_owned(), "no PEM blocks"),
        ];
        for (pem, expected) in cases {
            let error = CertificateCredential::from_pem(&pem, testing::CLIENT_ID).expect_err(expected).to_string();
            assert!(error.contains(expected), "`{error}` should say `{expected}`");
            assert!(!error.contains("MII"), "no base64 key material in `{error}`");
        }
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let secret = ClientCredential::Secret("s3cr3t-value".into());
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        let key = testing::key_a();
        let certificate = ClientCredential::Certificate(
            CertificateCredential::from_pem(&certificate_pem(&key.pkcs8_pem), testing::CLIENT_ID).expect("cert"),
        );
        let shown = format!("{certificate:?}");
        assert!(shown.contains("x5t") && shown.contains("<redacted>"), "{shown}");
        let body_line = key.pkcs8_pem.lines().nth(1).expect("PEM body");
        assert!(!shown.contains(body_line));
    }

    #[tokio::test]
    async fn secret_and_federated_file_fields() {
        let fields = ClientCredential::Secret("the-secret".into()).form_fields("https://x").await.expect("fields");
        assert_eq!(fields, vec![("client_secret", "the-secret".to_owned())]);

        let path = std::env::temp_dir().join(format!("entra-mcp-federated-{}", random_uuid()));
        std::fs::write(&path, "first-token\n").expect("write");
        let credential = ClientCredential::FederatedTokenFile(path.clone());
        let fields = credential.form_fields("https://x").await.expect("fields");
        assert_eq!(fields[0], ("client_assertion_type", CLIENT_ASSERTION_TYPE.to_owned()));
        assert_eq!(fields[1], ("client_assertion", "first-token".to_owned()));
        // The kubelet rotates the file: the next use sees the new token.
        std::fs::write(&path, "rotated-token").expect("rewrite");
        let fields = credential.form_fields("https://x").await.expect("fields");
        assert_eq!(fields[1].1, "rotated-token");
        std::fs::write(&path, "  \n").expect("blank");
        let error = credential.form_fields("https://x").await.expect_err("empty file");
        assert!(error.message.contains("is empty"));
        std::fs::remove_file(&path).expect("cleanup");
        let error = credential.form_fields("https://x").await.expect_err("missing file");
        assert_eq!(error.kind, ErrorKind::Upstream);
        assert!(error.message.contains("could not be read"));
        assert!(!error.to_string().contains(&path.display().to_string()), "no path: {error}");
    }

    #[derive(Debug, Default)]
    struct FakeManagedIdentity {
        scopes: Mutex<Vec<String>>,
    }

    #[async_trait::async_trait]
    impl TokenCredential for FakeManagedIdentity {
        async fn get_token(
            &self,
            scopes: &[&str],
            _: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AzureToken> {
            self.scopes.lock().expect("lock").extend(scopes.iter().map(|s| s.to_string()));
            Ok(AzureToken::new(
                "mi-token-for-exchange",
                azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::hours(1),
            ))
        }
    }

    #[tokio::test]
    async fn managed_identity_token_is_the_assertion_for_the_exchange_audience() {
        let fake = Arc::new(FakeManagedIdentity::default());
        let credential = ClientCredential::ManagedIdentity {
            credential: fake.clone(),
            audience: TOKEN_EXCHANGE_AUDIENCE_US_GOV.to_owned(),
        };
        let fields = credential.form_fields("https://x").await.expect("fields");
        assert_eq!(fields[1], ("client_assertion", "mi-token-for-exchange".to_owned()));
        assert_eq!(*fake.scopes.lock().expect("lock"), vec!["api://AzureADTokenExchangeUSGov/.default".to_owned()]);
        assert!(!format!("{credential:?}").contains("mi-token"));
        // Constructing the real one needs no Azure host (IMDS is only contacted on use).
        assert!(managed_identity(Some("cccccccc-0000-4000-8000-00000000000c"), TOKEN_EXCHANGE_AUDIENCE_PUBLIC).is_ok());
    }
}
