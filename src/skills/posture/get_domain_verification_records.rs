//! `get_domain_verification_records`: the DNS records that prove the tenant owns a domain —
//! the TXT (or MX) record to publish at the registrar — and whether the domain is verified
//! already. An unknown domain is `not_found` naming the tenant's domains.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query, path};
use crate::render::{fields, table};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::list_domains::{DOMAIN_FIELDS, Domain};

const GET_DOMAIN_VERIFICATION_RECORDS: Declaration = Declaration {
    name: "get_domain_verification_records",
    title: "Get domain verification DNS records",
    description: "The DNS records to publish at the registrar to verify a custom domain (the MS= TXT record, or the MX alternative: label, value, TTL), and whether the domain is verified already. Directory Readers.",
    toolset: Toolset::Posture,
    permissions: &["Domain.Read.All"],
    least_role: "Directory Readers",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// The longest DNS name (RFC 1035).
const MAX_NAME: usize = 253;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetDomainVerificationRecordsParams {
    /// The domain's fully qualified name, e.g. `contoso.com`.
    pub domain: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DnsRecord {
    label: Option<String>,
    record_type: Option<String>,
    ttl: Option<i64>,
    is_optional: Option<bool>,
    text: Option<String>,
    mail_exchange: Option<String>,
    preference: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RecordRow {
    /// `TXT` or `MX`.
    pub record_type: String,
    /// The host the record is published at (the domain itself for verification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What to publish: the TXT text (`MS=ms…`), or the MX target and its preference.
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
    /// Either record verifies the domain; only one is needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct VerificationRecords {
    pub domain: String,
    pub verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    pub records: Vec<RecordRow>,
    /// What to do next.
    pub next_step: String,
}

/// A DNS name as Entra accepts one: labels of letters, digits and inner hyphens, at least two
/// of them, at most 253 characters. Anything else is refused before it reaches a URL.
fn domain_name(value: &str) -> Result<String, SkillError> {
    let name = value.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let labels: Vec<&str> = name.split('.').collect();
    if name.len() > MAX_NAME || labels.len() < 2 || !labels.iter().all(|l| label_ok(l)) {
        return Err(SkillError::invalid_value(
            "domain",
            format!("`{}` is not a domain name", crate::render::trim(value, 80)),
            "a fully qualified domain name such as `contoso.com` (letters, digits and hyphens; no scheme, path or spaces)",
        ));
    }
    Ok(name)
}

/// `not_found` naming the tenant's domains (read once more, for the message).
async fn unknown_domain(ctx: &Ctx, name: &str) -> SkillError {
    let request = GraphRequest::get("/domains").query(Query::new().select(&["id"]));
    let known = match ctx.graph.list::<Domain>(request, 50).await {
        Ok(page) => page.items.into_iter().map(|d| d.id).collect::<Vec<_>>().join(", "),
        Err(_) => String::new(),
    };
    let remedy = if known.is_empty() {
        "check the spelling, or list the tenant's domains with `list_domains`".to_string()
    } else {
        format!("the tenant's domains are: {known}; add a new one in the Entra admin center first")
    };
    SkillError::new(ErrorKind::NotFound, format!("no domain `{name}` in this tenant")).with_remedy(remedy)
}

async fn get_domain_verification_records(
    ctx: Ctx,
    p: GetDomainVerificationRecordsParams,
) -> Result<VerificationRecords, SkillError> {
    let name = domain_name(&p.domain)?;
    let domain = GraphRequest::get(path("/domains/{}", &[&name])).query(Query::new().select(DOMAIN_FIELDS));
    let records = GraphRequest::get(path("/domains/{}/verificationDnsRecords", &[&name]));
    let (domain, records) = tokio::join!(ctx.graph.get::<Domain>(domain), ctx.graph.list::<DnsRecord>(records, 20));
    let domain = match domain {
        Ok(domain) => domain,
        Err(e) if e.kind == ErrorKind::NotFound => return Err(unknown_domain(&ctx, &name).await),
        Err(e) => return Err(e),
    };
    let records = records?;
    let verified = domain.is_verified == Some(true);
    let rows: Vec<RecordRow> = records
        .items
        .into_iter()
        .map(|r| {
            let kind = r.record_type.unwrap_or_else(|| "?".into()).to_ascii_uppercase();
            let value = match kind.as_str() {
                "MX" => format!(
                    "{} (preference {})",
                    r.mail_exchange.unwrap_or_default(),
                    r.preference.map_or("-".into(), |p| p.to_string())
                ),
                _ => r.text.unwrap_or_default(),
            };
            RecordRow { record_type: kind, label: r.label, value, ttl: r.ttl, optional: r.is_optional }
        })
        .collect();
    let next_step = if verified {
        format!("{} is verified; the records may stay in DNS or be removed", domain.id)
    } else if rows.is_empty() {
        "Graph returned no verification records; add the domain again in the Entra admin center".to_string()
    } else {
        format!(
            "publish one of these records at {}'s DNS host, wait for it to propagate, then select Verify in the Entra admin center (Domain names)",
            domain.id
        )
    };
    Ok(VerificationRecords { default: domain.is_default, domain: domain.id, verified, records: rows, next_step })
}

impl Render for VerificationRecords {
    fn markdown(&self) -> String {
        let head = fields(&[
            ("domain", Some(self.domain.clone())),
            ("verified", Some(if self.verified { "yes" } else { "no" }.into())),
        ]);
        let rows: Vec<Vec<String>> = self
            .records
            .iter()
            .map(|r| {
                vec![
                    r.record_type.clone(),
                    r.label.clone().unwrap_or_else(|| "@".into()),
                    r.value.clone(),
                    r.ttl.map_or("-".into(), |t| t.to_string()),
                ]
            })
            .collect();
        format!("{head}\n{}\nnext: {}", table(&["type", "host", "value", "TTL"], &rows), self.next_step)
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What DNS TXT record do I need to publish to verify woodgrove-loans.com?",
        args: r#"{"domain":"woodgrove-loans.com"}"#,
        facts: &[
            Fact::Every("verified", "false"),
            Fact::Some("records/*/record_type", "TXT"),
            Fact::Some("records/*/value", "~MS=ms"),
            Fact::Some("records/*/ttl", "3600"),
            Fact::Says("publish one of these records"),
        ],
    },
    Example {
        question: "Verification records of a domain that is not in the tenant",
        args: r#"{"domain":"contoso.com"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
    Example {
        question: "Verification records for something that is not a domain name",
        args: r#"{"domain":"woodgrove-loans.com/../users?$top=1"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_DOMAIN_VERIFICATION_RECORDS, get_domain_verification_records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names_are_checked_before_they_reach_a_url() {
        assert_eq!(domain_name(" Woodgrove-Loans.COM. ").ok().as_deref(), Some("woodgrove-loans.com"));
        assert!(domain_name("sub.contoso.co.uk").is_ok());
        for bad in
            ["contoso", "-contoso.com", "con toso.com", "contoso.com/x", "a..b", "https://contoso.com", "%2e.com"]
        {
            assert!(domain_name(bad).is_err(), "{bad}");
        }
    }
}
