//! Confirmation tokens for writes: an HMAC-SHA256 over the caller, the tool, the canonical
//! arguments, an expiry and a fingerprint of the targets' state as the preview read it.
//!
//! Stateless, so any replica holding the same key (`ENTRA_MCP_CONFIRM_KEY`) accepts a token
//! another one issued, and single-use in effect: once the change is applied the targets' state
//! no longer matches the fingerprint. The payload carries digests of what it binds, not the
//! values, so a refusal can say *why* (another caller, other arguments, expired, stale) without
//! the token revealing anything.

use aws_lc_rs::{digest, hmac, rand};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How long a preview's token stays valid.
pub const TOKEN_LIFETIME_SECONDS: i64 = 300;

/// Issues and checks confirmation tokens with one key. The key is made on first use, so a
/// process that never writes never initialises the crypto library's random generator (which
/// would add to every start).
pub struct Confirmer {
    secret: Option<Vec<u8>>,
    key: std::sync::OnceLock<hmac::Key>,
}

impl std::fmt::Debug for Confirmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Confirmer(<key redacted>)")
    }
}

/// What one token binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding<'a> {
    pub caller: &'a str,
    pub tool: &'a str,
    /// The arguments as canonical JSON (sorted keys, no confirmation fields).
    pub args: &'a str,
    /// The targets' state as read for the preview, as canonical JSON.
    pub state: &'a str,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    v: u8,
    tool: String,
    caller: String,
    args: String,
    state: String,
    exp: i64,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Malformed,
    Altered,
    Expired,
    OtherCaller,
    OtherTool,
    OtherArguments,
    Stale,
}

impl Refusal {
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::Malformed => "the confirmation token is not one this server issued",
            Refusal::Altered => "the confirmation token was altered or signed with another key",
            Refusal::Expired => "the confirmation token has expired (tokens last 5 minutes)",
            Refusal::OtherCaller => "the confirmation token was issued to another caller",
            Refusal::OtherTool => "the confirmation token was issued for another tool",
            Refusal::OtherArguments => "the confirmation token was issued for other arguments",
            Refusal::Stale => "the target changed since the preview, so the preview no longer describes this change",
        }
    }
}

fn fingerprint(text: &str) -> String {
    let d = digest::digest(&digest::SHA256, text.as_bytes());
    URL_SAFE_NO_PAD.encode(&d.as_ref()[..16])
}

impl Confirmer {
    /// From a shared secret (at least 32 bytes, as replicas behind one Service share it).
    pub fn with_key(secret: &[u8]) -> Confirmer {
        Confirmer { secret: Some(secret.to_vec()), key: std::sync::OnceLock::new() }
    }

    /// A random key for this process only.
    pub fn random() -> Confirmer {
        Confirmer { secret: None, key: std::sync::OnceLock::new() }
    }

    fn key(&self) -> &hmac::Key {
        self.key.get_or_init(|| match &self.secret {
            Some(secret) => hmac::Key::new(hmac::HMAC_SHA256, secret),
            None => {
                let mut secret = [0u8; 32];
                // The system generator does not fail on supported platforms; were it to, a
                // zeroed key would still be this process's own, and tokens would still bind
                // everything they bind.
                let _ = rand::fill(&mut secret);
                hmac::Key::new(hmac::HMAC_SHA256, &secret)
            }
        })
    }

    pub fn issue(&self, binding: &Binding<'_>, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        let expires = now + chrono::Duration::seconds(TOKEN_LIFETIME_SECONDS);
        let payload = Payload {
            v: 1,
            tool: binding.tool.to_string(),
            caller: fingerprint(binding.caller),
            args: fingerprint(binding.args),
            state: fingerprint(binding.state),
            exp: expires.timestamp(),
        };
        let json = serde_json::to_vec(&payload).unwrap_or_default();
        let tag = hmac::sign(self.key(), &json);
        (format!("{}.{}", URL_SAFE_NO_PAD.encode(&json), URL_SAFE_NO_PAD.encode(tag.as_ref())), expires)
    }

    /// Checks everything a token binds except the targets' state, which needs a fresh read:
    /// nothing is sent to Graph for a token that fails here.
    pub fn check(&self, token: &str, binding: &Binding<'_>, now: DateTime<Utc>) -> Result<(), Refusal> {
        let payload = self.open(token)?;
        if payload.exp < now.timestamp() {
            return Err(Refusal::Expired);
        }
        if payload.tool != binding.tool {
            return Err(Refusal::OtherTool);
        }
        if payload.caller != fingerprint(binding.caller) {
            return Err(Refusal::OtherCaller);
        }
        if payload.args != fingerprint(binding.args) {
            return Err(Refusal::OtherArguments);
        }
        Ok(())
    }

    /// After a fresh read: is the targets' state still the one the preview showed?
    pub fn check_state(&self, token: &str, state: &str) -> Result<(), Refusal> {
        let payload = self.open(token)?;
        if payload.state == fingerprint(state) { Ok(()) } else { Err(Refusal::Stale) }
    }

    fn open(&self, token: &str) -> Result<Payload, Refusal> {
        if token.len() > 2048 {
            return Err(Refusal::Malformed);
        }
        let (body, tag) = token.trim().split_once('.').ok_or(Refusal::Malformed)?;
        let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| Refusal::Malformed)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| Refusal::Malformed)?;
        hmac::verify(self.key(), &json, &tag).map_err(|_| Refusal::Altered)?;
        serde_json::from_slice(&json).map_err(|_| Refusal::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding<'a>(caller: &'a str, tool: &'a str, args: &'a str) -> Binding<'a> {
        Binding { caller, tool, args, state: "{\"enabled\":true}" }
    }

    #[test]
    fn a_token_checks_only_for_what_it_binds() {
        let confirmer = Confirmer::with_key(b"0123456789abcdef0123456789abcdef");
        let now = Utc::now();
        let good = binding("t/alice", "revoke_user_sessions", "{\"user\":\"karita@woodgrovebank.com\"}");
        let (token, expires) = confirmer.issue(&good, now);
        assert_eq!(expires, now + chrono::Duration::seconds(300));
        assert_eq!(confirmer.check(&token, &good, now), Ok(()));
        assert_eq!(confirmer.check_state(&token, "{\"enabled\":true}"), Ok(()));
        assert_eq!(confirmer.check_state(&token, "{\"enabled\":false}"), Err(Refusal::Stale));
        let other_caller = binding("t/bob", good.tool, good.args);
        assert_eq!(confirmer.check(&token, &other_caller, now), Err(Refusal::OtherCaller));
        let other_tool = binding(good.caller, "set_user_account_enabled", good.args);
        assert_eq!(confirmer.check(&token, &other_tool, now), Err(Refusal::OtherTool));
        let other_args = binding(good.caller, good.tool, "{\"user\":\"marcus@woodgrovebank.com\"}");
        assert_eq!(confirmer.check(&token, &other_args, now), Err(Refusal::OtherArguments));
        let later = now + chrono::Duration::seconds(301);
        assert_eq!(confirmer.check(&token, &good, later), Err(Refusal::Expired));
        let other_key = Confirmer::with_key(b"another key of at least 32 bytes!");
        assert_eq!(other_key.check(&token, &good, now), Err(Refusal::Altered));
        let mut altered = token.clone().into_bytes();
        altered[3] = if altered[3] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap_or_default();
        assert!(matches!(confirmer.check(&altered, &good, now), Err(Refusal::Altered | Refusal::Malformed)));
        assert_eq!(confirmer.check("nonsense", &good, now), Err(Refusal::Malformed));
    }
}
