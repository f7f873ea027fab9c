//! An app's secrets and certificates as the app skills show them: one row per credential with
//! its lifetime and days left, and a summary (how many of each, the nearest expiry).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::model::{CredentialKind, KeyCredential, PasswordCredential};
use crate::render::trim;

/// One secret or certificate.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CredentialRow {
    pub kind: CredentialKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Days until it expires; negative once expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    /// Days from start to end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime_days: Option<i64>,
}

impl CredentialRow {
    pub fn expired(&self) -> bool {
        self.days_left.is_some_and(|d| d < 0)
    }

    /// `secret payroll-2024` — how a factor or a table names it.
    pub fn label(&self) -> String {
        let kind = match self.kind {
            CredentialKind::Secret => "secret",
            CredentialKind::Certificate => "certificate",
        };
        match &self.name {
            Some(name) => format!("{kind} {name}"),
            None => format!("{kind} {}", self.key_id.as_deref().unwrap_or("(no name)")),
        }
    }
}

fn parse(time: &Option<String>) -> Option<DateTime<Utc>> {
    time.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
}

fn row(
    kind: CredentialKind,
    name: &Option<String>,
    key_id: &Option<String>,
    start: &Option<String>,
    end: &Option<String>,
    now: DateTime<Utc>,
) -> CredentialRow {
    let (start_at, end_at) = (parse(start), parse(end));
    CredentialRow {
        kind,
        name: name.as_deref().filter(|n| !n.is_empty()).map(|n| trim(n, 80)),
        key_id: key_id.clone(),
        start: start.clone(),
        end: end.clone(),
        // Whole days, rounded down: a secret ending in 10 hours has 0 days left, not expired.
        days_left: end_at.map(|e| (e - now).num_seconds().div_euclid(86_400)),
        lifetime_days: start_at.zip(end_at).map(|(s, e)| (e - s).num_days()),
    }
}

/// Every secret and certificate, soonest end first.
pub fn rows(
    secrets: Option<&[PasswordCredential]>,
    certificates: Option<&[KeyCredential]>,
    now: DateTime<Utc>,
) -> Vec<CredentialRow> {
    let mut out: Vec<CredentialRow> = secrets
        .unwrap_or_default()
        .iter()
        .map(|s| row(CredentialKind::Secret, &s.display_name, &s.key_id, &s.start_date_time, &s.end_date_time, now))
        .chain(certificates.unwrap_or_default().iter().map(|c| {
            row(CredentialKind::Certificate, &c.display_name, &c.key_id, &c.start_date_time, &c.end_date_time, now)
        }))
        .collect();
    out.sort_by_key(|r| r.days_left.unwrap_or(i64::MAX));
    out
}

/// How many secrets and certificates an app has, and which ends next.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct CredentialSummary {
    pub secrets: usize,
    pub certificates: usize,
    /// Expired credentials still present.
    pub expired: usize,
    /// End of the credential that expires next (expired ones left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_expiry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_expiry_days: Option<i64>,
}

impl CredentialSummary {
    pub fn of(rows: &[CredentialRow]) -> CredentialSummary {
        let next = rows.iter().filter(|r| !r.expired() && r.days_left.is_some()).min_by_key(|r| r.days_left);
        CredentialSummary {
            secrets: rows.iter().filter(|r| r.kind == CredentialKind::Secret).count(),
            certificates: rows.iter().filter(|r| r.kind == CredentialKind::Certificate).count(),
            expired: rows.iter().filter(|r| r.expired()).count(),
            next_expiry: next.and_then(|r| r.end.clone()),
            next_expiry_days: next.and_then(|r| r.days_left),
        }
    }

    /// `2 secrets, 0 certificates; next expiry 2026-12-02 (in 12 d); 1 expired`.
    pub fn describe(&self) -> String {
        let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
        let mut text = format!("{}, {}", plural(self.secrets, "secret"), plural(self.certificates, "certificate"));
        if let (Some(end), Some(days)) = (&self.next_expiry, self.next_expiry_days) {
            text.push_str(&format!("; next expiry {} (in {days} d)", crate::render::short_time(end)));
        }
        if self.expired > 0 {
            text.push_str(&format!("; {} expired still present", self.expired));
        }
        text
    }
}
