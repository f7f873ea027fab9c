//! `get_tenant_info`: the tenant itself — id, name, technical, security and privacy contacts,
//! the service plans it holds summarised by service, its verified domains and whether (and
//! when last) the on-premises directory syncs into it.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::render::{fields, short_time, table};
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_TENANT_INFO: Declaration = Declaration {
    name: "get_tenant_info",
    title: "Get tenant information",
    description: "The tenant itself: tenant id and name, technical, security and privacy contacts, the service plans it holds summarised by service, its verified domains, and whether on-premises directory sync (Entra Connect) is on and when it last ran. Any member (Organization.Read.All for every field).",
    toolset: Toolset::Posture,
    permissions: &["User.Read"],
    least_role: "none (Global Reader to see every contact)",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Hours without a sync after which a synced tenant is flagged (Entra Connect syncs every 30
/// minutes by default).
const STALE_SYNC_HOURS: i64 = 3;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTenantInfoParams {}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Organization {
    id: String,
    display_name: Option<String>,
    tenant_type: Option<String>,
    created_date_time: Option<String>,
    country_letter_code: Option<String>,
    #[serde(default)]
    technical_notification_mails: Option<Vec<String>>,
    #[serde(default)]
    security_compliance_notification_mails: Option<Vec<String>>,
    #[serde(default)]
    security_compliance_notification_phones: Option<Vec<String>>,
    #[serde(default)]
    marketing_notification_emails: Option<Vec<String>>,
    privacy_profile: Option<PrivacyProfile>,
    #[serde(default)]
    verified_domains: Option<Vec<VerifiedDomainJson>>,
    #[serde(default)]
    assigned_plans: Option<Vec<AssignedPlan>>,
    on_premises_sync_enabled: Option<bool>,
    on_premises_last_sync_date_time: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrivacyProfile {
    contact_email: Option<String>,
    statement_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifiedDomainJson {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    is_default: Option<bool>,
    is_initial: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssignedPlan {
    service: Option<String>,
    capability_status: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TenantDomain {
    pub name: String,
    /// `Managed` or `Federated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub default: bool,
    pub initial: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PlanSummary {
    /// The service the plans belong to (`exchange`, `AADPremiumService`, `MultiFactorService` …).
    pub service: String,
    /// Plans of this service that are on.
    pub enabled: usize,
    /// The others by status (`1 deleted`, `2 suspended`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DirectorySync {
    /// On-premises directory synchronisation is on.
    pub enabled: bool,
    /// When the last sync cycle finished (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sync: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes_since_last_sync: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TenantInfo {
    /// The tenant id.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `AAD` for a workforce tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Who gets technical notifications about the tenant.
    pub technical_contacts: Vec<String>,
    /// Who gets security and compliance notifications.
    pub security_contacts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_phones: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub marketing_contacts: Vec<String>,
    /// The privacy contact users see.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy_statement: Option<String>,
    pub domains: Vec<TenantDomain>,
    /// Assigned service plans by service.
    pub plans: Vec<PlanSummary>,
    pub sync: DirectorySync,
    /// What an admin should look at (missing contacts, a sync that stopped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

/// Plans by service, each service once, in name order.
fn summarise(plans: Vec<AssignedPlan>) -> Vec<PlanSummary> {
    let mut by_service: std::collections::BTreeMap<String, (usize, std::collections::BTreeMap<String, usize>)> =
        std::collections::BTreeMap::new();
    for plan in plans {
        let service = plan.service.unwrap_or_else(|| "unknown".into());
        let status = plan.capability_status.unwrap_or_else(|| "unknown".into());
        let entry = by_service.entry(service).or_default();
        if status.eq_ignore_ascii_case("enabled") {
            entry.0 += 1;
        } else {
            *entry.1.entry(status.to_ascii_lowercase()).or_default() += 1;
        }
    }
    by_service
        .into_iter()
        .map(|(service, (enabled, other))| PlanSummary {
            service,
            enabled,
            other: other.into_iter().map(|(status, n)| format!("{n} {status}")).collect(),
        })
        .collect()
}

fn minutes_since(time: Option<&str>, now: DateTime<Utc>) -> Option<i64> {
    let t = DateTime::parse_from_rfc3339(time?).ok()?.with_timezone(&Utc);
    Some((now - t).num_minutes().max(0))
}

async fn get_tenant_info(ctx: Ctx, _: GetTenantInfoParams) -> Result<TenantInfo, SkillError> {
    let request = GraphRequest::get("/organization").query(Query::new().select(&[
        "id",
        "displayName",
        "tenantType",
        "createdDateTime",
        "countryLetterCode",
        "technicalNotificationMails",
        "securityComplianceNotificationMails",
        "securityComplianceNotificationPhones",
        "marketingNotificationEmails",
        "privacyProfile",
        "verifiedDomains",
        "assignedPlans",
        "onPremisesSyncEnabled",
        "onPremisesLastSyncDateTime",
    ]));
    let page = ctx.graph.list::<Organization>(request, 1).await?;
    let org = page.items.into_iter().next().ok_or_else(|| {
        SkillError::new(crate::skill::ErrorKind::Upstream, "Graph listed no organization for this tenant")
            .with_remedy("retry; if it persists, check that the signed-in account belongs to the tenant")
    })?;

    let contacts_hidden =
        org.technical_notification_mails.is_none() && org.security_compliance_notification_mails.is_none();
    if contacts_hidden {
        ctx.note("contacts not returned: reading them needs Organization.Read.All (or a Global Reader)");
    }
    let technical_contacts = org.technical_notification_mails.unwrap_or_default();
    let security_contacts = org.security_compliance_notification_mails.unwrap_or_default();
    let privacy = org.privacy_profile;
    let privacy_contact = privacy.as_ref().and_then(|p| p.contact_email.clone()).filter(|c| !c.is_empty());
    let privacy_statement = privacy.and_then(|p| p.statement_url).filter(|s| !s.is_empty());

    let mut domains: Vec<TenantDomain> = org
        .verified_domains
        .unwrap_or_default()
        .into_iter()
        .filter_map(|d| {
            Some(TenantDomain {
                name: d.name?,
                kind: d.kind,
                default: d.is_default == Some(true),
                initial: d.is_initial == Some(true),
            })
        })
        .collect();
    domains.sort_by(|a, b| b.default.cmp(&a.default).then(b.initial.cmp(&a.initial)).then(a.name.cmp(&b.name)));

    let sync_enabled = org.on_premises_sync_enabled == Some(true);
    let minutes = minutes_since(org.on_premises_last_sync_date_time.as_deref(), ctx.now);
    let mut findings = Vec::new();
    if !contacts_hidden {
        if technical_contacts.is_empty() {
            findings.push("no technical contact: Microsoft's notices about the tenant reach no one".to_string());
        }
        if security_contacts.is_empty() {
            findings.push("no security and compliance contact".to_string());
        }
    }
    if privacy_contact.is_none() {
        findings.push("no privacy contact set (users and guests see none)".to_string());
    }
    match (sync_enabled, minutes) {
        (true, None) => findings.push("directory sync is on but has never completed a cycle".to_string()),
        (true, Some(m)) if m > STALE_SYNC_HOURS * 60 => findings.push(format!(
            "directory sync is on but last ran {} h ago (Entra Connect normally syncs every 30 minutes)",
            m / 60
        )),
        _ => {}
    }

    Ok(TenantInfo {
        id: org.id,
        name: org.display_name,
        tenant_type: org.tenant_type,
        created: org.created_date_time,
        country: org.country_letter_code,
        technical_contacts,
        security_contacts,
        security_phones: org.security_compliance_notification_phones.unwrap_or_default(),
        marketing_contacts: org.marketing_notification_emails.unwrap_or_default(),
        privacy_contact,
        privacy_statement,
        domains,
        plans: summarise(org.assigned_plans.unwrap_or_default()),
        sync: DirectorySync {
            enabled: sync_enabled,
            last_sync: org.on_premises_last_sync_date_time,
            minutes_since_last_sync: minutes,
        },
        findings,
    })
}

impl Render for TenantInfo {
    fn markdown(&self) -> String {
        let list = |items: &[String]| (!items.is_empty()).then(|| items.join(", "));
        let sync = if self.sync.enabled {
            match (&self.sync.last_sync, self.sync.minutes_since_last_sync) {
                (Some(at), Some(m)) => format!("on; last sync {} UTC ({m} min ago)", short_time(at)),
                _ => "on; never synced".to_string(),
            }
        } else {
            "off (cloud-only)".to_string()
        };
        let mut out = fields(&[
            ("tenant", self.name.clone()),
            ("id", Some(self.id.clone())),
            ("type", self.tenant_type.clone()),
            ("created", self.created.as_deref().map(short_time)),
            ("country", self.country.clone()),
            ("technical contacts", list(&self.technical_contacts).or(Some("none".into()))),
            ("security contacts", list(&self.security_contacts).or(Some("none".into()))),
            ("security phones", list(&self.security_phones)),
            ("marketing contacts", list(&self.marketing_contacts)),
            ("privacy contact", self.privacy_contact.clone().or(Some("none".into()))),
            ("privacy statement", self.privacy_statement.clone()),
            ("directory sync", Some(sync)),
        ]);
        let domains: Vec<Vec<String>> = self
            .domains
            .iter()
            .map(|d| {
                let mut marks = Vec::new();
                if d.default {
                    marks.push("default");
                }
                if d.initial {
                    marks.push("initial");
                }
                let role = if marks.is_empty() { "-".to_string() } else { marks.join(", ") };
                vec![d.name.clone(), d.kind.clone().unwrap_or_else(|| "-".into()), role]
            })
            .collect();
        out.push_str(&format!("\n\nverified domains\n{}", table(&["domain", "type", "role"], &domains)));
        let plans: Vec<Vec<String>> =
            self.plans.iter().map(|p| vec![p.service.clone(), p.enabled.to_string(), p.other.join(", ")]).collect();
        out.push_str(&format!("\n\nservice plans by service\n{}", table(&["service", "enabled", "other"], &plans)));
        if !self.findings.is_empty() {
            out.push_str("\n\nfindings\n");
            out.push_str(&self.findings.iter().map(|f| format!("- {f}")).collect::<Vec<_>>().join("\n"));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "Who are our tenant's technical and privacy contacts, and when did Entra Connect directory sync last run?",
    args: r#"{}"#,
    facts: &[
        Fact::Every("name", "Woodgrove Bank"),
        Fact::Some("technical_contacts/*", "it-security@woodgrovebank.com"),
        Fact::Every("privacy_contact", "privacy@woodgrovebank.com"),
        Fact::Every("sync/enabled", "true"),
        Fact::Some("domains/*/name", "woodgrovebank.onmicrosoft.com"),
        Fact::Some("plans/*/service", "AADPremiumService"),
        Fact::Some("plans/*/other/*", "1 deleted"),
        Fact::Says("last sync"),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(GET_TENANT_INFO, get_tenant_info)
}
