//! `list_expiring_app_credentials`: client secrets and certificates that expire within N days
//! or have expired, on app registrations and on service principals (SAML signing), soonest
//! first. Graph cannot filter on credential dates, so both collections are paged (bounded)
//! with only the credential fields selected, and judged here.

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::credentials::{self, CredentialRow};
use super::model::{Application, CredentialKind, ServicePrincipal};
use crate::graph::{GraphRequest, Query};
use crate::render::{or_dash, short_time, table};
use crate::shared::{Limit, ListInfo};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_EXPIRING_APP_CREDENTIALS: Declaration = Declaration {
    name: "list_expiring_app_credentials",
    title: "List expiring app credentials",
    description: "Client secrets and certificates of app registrations and enterprise apps (SAML signing) that expire within N days (default 30) or already expired, soonest first, with the app, the credential's name and days left. To rotate before an outage. Global Reader.",
    toolset: Toolset::Apps,
    permissions: &["Application.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Objects read from each collection, at most.
const MAX_OBJECTS: usize = 5000;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListExpiringAppCredentialsParams {
    /// Expiring within this many days (default 30, 1–365).
    pub days: Option<i64>,
    /// Include credentials that already expired (default true).
    pub include_expired: Option<bool>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExpiringCredential {
    pub app: Option<String>,
    /// `application` (app registration) or `service_principal` (enterprise app).
    pub object: String,
    /// The object id of that application or service principal.
    pub object_id: String,
    pub app_id: Option<String>,
    pub kind: CredentialKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    pub end: Option<String>,
    /// Negative once expired.
    pub days_left: i64,
    pub expired: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExpiringCredentials {
    pub days: i64,
    /// Of all rows found (before `limit`).
    pub expired_count: usize,
    pub expiring_count: usize,
    /// Soonest end first; expired ones lead.
    pub credentials: Vec<ExpiringCredential>,
    #[serde(flatten)]
    pub list: ListInfo,
}

const FIELDS: &[&str] = &["id", "appId", "displayName", "passwordCredentials", "keyCredentials"];

async fn list_expiring_app_credentials(
    ctx: Ctx,
    p: ListExpiringAppCredentialsParams,
) -> Result<ExpiringCredentials, SkillError> {
    let limit = p.limit.get()?;
    let days = p.days.unwrap_or(30);
    if !(1..=365).contains(&days) {
        return Err(SkillError::invalid_value(
            "days",
            format!("{days} is out of range"),
            "a whole number of days from 1 to 365",
        ));
    }
    let include_expired = p.include_expired.unwrap_or(true);
    let applications = GraphRequest::get("/applications").query(Query::new().select(FIELDS).top(999));
    let principals = GraphRequest::get("/servicePrincipals").query(Query::new().select(FIELDS).top(999));
    let (applications, principals) = tokio::join!(
        ctx.graph.list::<Application>(applications, MAX_OBJECTS),
        ctx.graph.list::<ServicePrincipal>(principals, MAX_OBJECTS)
    );
    let applications = applications?;
    let principals = match principals {
        Ok(page) => Some(page),
        Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
        Err(e) => {
            ctx.note(format!("service principals' certificates skipped: {}", e.message));
            None
        }
    };
    if applications.more || principals.as_ref().is_some_and(|p| p.more) {
        ctx.note(format!("read the first {MAX_OBJECTS} app registrations and service principals only"));
    }
    let horizon = ctx.now + Duration::days(days);
    let within = |row: &CredentialRow| -> bool {
        match row.days_left {
            Some(d) if d < 0 => include_expired,
            Some(_) => row
                .end
                .as_deref()
                .and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok())
                .is_some_and(|e| e <= horizon),
            None => false,
        }
    };
    let mut found: Vec<ExpiringCredential> = Vec::new();
    let mut push = |object: &str, id: &str, app: &Option<String>, app_id: &Option<String>, rows: Vec<CredentialRow>| {
        for row in rows.into_iter().filter(&within) {
            // A key listed twice (a SAML certificate's Sign and Verify halves) counts once.
            if found.iter().any(|f| f.object_id == id && f.key_id.is_some() && f.key_id == row.key_id) {
                continue;
            }
            let days_left = row.days_left.unwrap_or_default();
            found.push(ExpiringCredential {
                app: app.clone(),
                object: object.into(),
                object_id: id.into(),
                app_id: app_id.clone(),
                kind: row.kind,
                name: row.name,
                key_id: row.key_id,
                end: row.end,
                days_left,
                expired: days_left < 0,
            });
        }
    };
    for a in &applications.items {
        let rows = credentials::rows(a.password_credentials.as_deref(), a.key_credentials.as_deref(), ctx.now);
        push("application", &a.id, &a.display_name, &a.app_id, rows);
    }
    for sp in principals.iter().flat_map(|p| &p.items) {
        let rows = credentials::rows(sp.password_credentials.as_deref(), sp.key_credentials.as_deref(), ctx.now);
        push("service_principal", &sp.id, &sp.display_name, &sp.app_id, rows);
    }
    found.sort_by(|a, b| a.end.cmp(&b.end).then_with(|| a.app.cmp(&b.app)));
    let expired_count = found.iter().filter(|c| c.expired).count();
    let expiring_count = found.len() - expired_count;
    let total = found.len();
    found.truncate(limit);
    Ok(ExpiringCredentials {
        days,
        expired_count,
        expiring_count,
        list: ListInfo::new(found.len(), Some(total as u64), false, "`days`, `include_expired` or `limit`"),
        credentials: found,
    })
}

impl Render for ExpiringCredentials {
    fn rows(&self) -> Option<usize> {
        Some(self.credentials.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.credentials.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .credentials
            .iter()
            .map(|c| {
                let kind = match c.kind {
                    CredentialKind::Secret => "secret",
                    CredentialKind::Certificate => "certificate",
                };
                let when =
                    if c.expired { format!("expired {} d ago", -c.days_left) } else { format!("{} d", c.days_left) };
                vec![
                    or_dash(&c.app),
                    c.object.replace('_', " "),
                    kind.into(),
                    or_dash(&c.name),
                    c.end.as_deref().map(short_time).unwrap_or_default(),
                    when,
                    c.object_id.clone(),
                ]
            })
            .collect();
        format!(
            "{} expiring within {} days, {} expired\n{}{}",
            self.expiring_count,
            self.days,
            self.expired_count,
            table(&["app", "on", "kind", "name", "ends (UTC)", "left", "object id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which app secrets and certificates expire in the next 30 days or have already expired?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("credentials/*/app", "Payroll Sync"),
            Fact::Some("credentials/*/app", "Legacy Reports Portal"),
            Fact::Some("credentials/*/object", "service_principal"),
            Fact::AtLeast("expired_count", 1),
            Fact::No("credentials/*/name", "payroll-rotation"),
        ],
    },
    Example {
        question: "Secrets expiring within two weeks, not counting expired ones",
        args: r#"{"days":14,"include_expired":false}"#,
        facts: &[
            Fact::Every("credentials/*/expired", "false"),
            Fact::Some("credentials/*/name", "payroll-2024"),
            Fact::Count("credentials/*", 1),
        ],
    },
    Example {
        question: "Credentials expiring in an impossible window",
        args: r#"{"days":0}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_EXPIRING_APP_CREDENTIALS, list_expiring_app_credentials)
}
