//! `list_domains`: the tenant's domains — default and initial, verified or not, managed or
//! federated, the services each supports and how long passwords stay valid on it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::render::table;
use crate::shared::ListInfo;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_DOMAINS: Declaration = Declaration {
    name: "list_domains",
    title: "List domains",
    description: "The tenant's custom and initial domains: which is the default, which are verified, managed or federated, the services each supports (Email, Intune …) and the password expiry on it. For the DNS records that verify a domain use get_domain_verification_records. Directory Readers.",
    toolset: Toolset::Posture,
    permissions: &["Domain.Read.All"],
    least_role: "Directory Readers",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Domains one tenant may hold at most.
const MAX_DOMAINS: usize = 5000;
/// Graph's `passwordValidityPeriodInDays` for passwords that never expire.
const NEVER_EXPIRES: i64 = 2_147_483_647;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListDomainsParams {
    /// Only the domains not yet verified.
    #[serde(default)]
    pub unverified_only: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Domain {
    pub id: String,
    pub authentication_type: Option<String>,
    pub is_default: Option<bool>,
    pub is_initial: Option<bool>,
    pub is_root: Option<bool>,
    pub is_verified: Option<bool>,
    #[serde(default)]
    pub supported_services: Option<Vec<String>>,
    pub password_validity_period_in_days: Option<i64>,
    pub password_notification_window_in_days: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DomainRow {
    pub name: String,
    pub default: bool,
    pub initial: bool,
    pub verified: bool,
    /// `Managed` (cloud authentication) or `Federated` (sign-in at another identity provider).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication: Option<String>,
    /// A root domain rather than a subdomain of another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Days a password stays valid; absent when passwords never expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_expires_after_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_notice_days: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DomainList {
    pub domains: Vec<DomainRow>,
    #[serde(flatten)]
    pub list: ListInfo,
    /// Unverified domains, federated ones, passwords that expire.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

pub(super) const DOMAIN_FIELDS: &[&str] = &[
    "id",
    "authenticationType",
    "isDefault",
    "isInitial",
    "isRoot",
    "isVerified",
    "supportedServices",
    "passwordValidityPeriodInDays",
    "passwordNotificationWindowInDays",
];

fn row(d: Domain) -> DomainRow {
    DomainRow {
        default: d.is_default == Some(true),
        initial: d.is_initial == Some(true),
        verified: d.is_verified == Some(true),
        authentication: d.authentication_type,
        root: d.is_root,
        services: d.supported_services.unwrap_or_default(),
        password_expires_after_days: d
            .password_validity_period_in_days
            .filter(|&days| days > 0 && days < NEVER_EXPIRES),
        password_notice_days: d.password_notification_window_in_days,
        name: d.id,
    }
}

async fn list_domains(ctx: Ctx, p: ListDomainsParams) -> Result<DomainList, SkillError> {
    let request = GraphRequest::get("/domains").query(Query::new().select(DOMAIN_FIELDS));
    let page = ctx.graph.list::<Domain>(request, MAX_DOMAINS).await?;
    let mut domains: Vec<DomainRow> = page.items.into_iter().map(row).collect();
    let mut findings = Vec::new();
    for d in &domains {
        if !d.verified {
            findings.push(format!(
                "{} is not verified: nobody can use it for sign-in or mail until its DNS records are published (get_domain_verification_records)",
                d.name
            ));
        }
        if d.authentication.as_deref().is_some_and(|a| a.eq_ignore_ascii_case("federated")) {
            findings.push(format!("{} is federated: its users sign in at another identity provider", d.name));
        }
        if let Some(days) = d.password_expires_after_days {
            findings.push(format!(
                "passwords on {} expire after {days} days; current guidance is to let them not expire and rely on MFA",
                d.name
            ));
        }
    }
    if p.unverified_only {
        domains.retain(|d| !d.verified);
    }
    domains.sort_by(|a, b| b.default.cmp(&a.default).then(b.initial.cmp(&a.initial)).then(a.name.cmp(&b.name)));
    let list = ListInfo::new(domains.len(), None, page.more, "`unverified_only`");
    Ok(DomainList { domains, list, findings })
}

impl Render for DomainList {
    fn rows(&self) -> Option<usize> {
        Some(self.domains.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.domains.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
        let rows: Vec<Vec<String>> = self
            .domains
            .iter()
            .map(|d| {
                vec![
                    d.name.clone(),
                    yes(d.default),
                    yes(d.initial),
                    yes(d.verified),
                    d.authentication.clone().unwrap_or_else(|| "-".into()),
                    if d.services.is_empty() { "-".into() } else { d.services.join(", ") },
                    d.password_expires_after_days.map_or("never".into(), |n| format!("{n} d")),
                ]
            })
            .collect();
        let mut out = format!(
            "{} domains\n{}{}",
            self.list.returned,
            table(
                &["domain", "default", "initial", "verified", "authentication", "services", "passwords expire"],
                &rows
            ),
            self.list.footer()
        );
        if !self.findings.is_empty() {
            out.push_str("\n\nfindings\n");
            out.push_str(&self.findings.iter().map(|f| format!("- {f}")).collect::<Vec<_>>().join("\n"));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which domains does the tenant have, which is the default, and are any of them unverified or federated?",
        args: r#"{}"#,
        facts: &[
            Fact::Count("domains/*", 3),
            Fact::Some("domains/*/name", "woodgrove-loans.com"),
            Fact::Some("findings/*", "~woodgrove-loans.com is not verified"),
            Fact::Some("domains/*/password_expires_after_days", "90"),
            Fact::Every("domains/0/name", "woodgrovebank.com"),
            Fact::Every("domains/0/default", "true"),
        ],
    },
    Example {
        question: "Which of our domains are still unverified?",
        args: r#"{"unverified_only":true}"#,
        facts: &[Fact::Count("domains/*", 1), Fact::Every("domains/*/name", "woodgrove-loans.com")],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_DOMAINS, list_domains)
}
