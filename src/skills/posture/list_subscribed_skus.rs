//! `list_subscribed_skus`: the products the tenant subscribes to, by friendly name, seats
//! bought (enabled, suspended, in warning) against seats assigned, and which identity
//! capabilities they carry (Entra ID P1 and P2, ID Governance, Workload ID, Internet and
//! Private Access).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::render::table;
use crate::shared::ListInfo;
use crate::skill::{Access, Ctx, Declaration, Example, Fact, Render, Skill, SkillError, Toolset};

const LIST_SUBSCRIBED_SKUS: Declaration = Declaration {
    name: "list_subscribed_skus",
    title: "List subscribed licences",
    description: "The licence products (SKUs) the tenant subscribes to, by friendly name: seats bought, suspended or expiring (warning) against seats assigned, and which identity capabilities they carry (Entra ID P1/P2, ID Governance, Workload ID, Internet and Private Access), with over-assignment and expiry findings. Global Reader.",
    toolset: Toolset::Posture,
    permissions: &["LicenseAssignment.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// A tenant holds a few dozen products at most.
const MAX_SKUS: usize = 500;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListSubscribedSkusParams {}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscribedSku {
    sku_id: Option<String>,
    sku_part_number: Option<String>,
    applies_to: Option<String>,
    capability_status: Option<String>,
    consumed_units: Option<i64>,
    prepaid_units: Option<PrepaidUnits>,
    #[serde(default)]
    service_plans: Option<Vec<ServicePlan>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrepaidUnits {
    enabled: Option<i64>,
    suspended: Option<i64>,
    warning: Option<i64>,
    locked_out: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServicePlan {
    service_plan_name: Option<String>,
    provisioning_status: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SkuRow {
    /// The product's friendly name (its part number when unknown).
    pub name: String,
    pub part_number: String,
    pub sku_id: String,
    /// `Enabled`, `Warning` (expiring), `Suspended`, `Deleted` or `LockedOut`.
    pub status: String,
    /// `User` or `Company`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<String>,
    /// Seats active.
    pub enabled: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub suspended: i64,
    /// Seats of a subscription about to lapse.
    #[serde(skip_serializing_if = "is_zero")]
    pub warning: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub locked_out: i64,
    /// Seats assigned.
    pub consumed: i64,
    /// `enabled − consumed` (negative when over-assigned).
    pub available: i64,
    /// The identity capabilities among its service plans.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identity_plans: Vec<String>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Capability {
    /// `Microsoft Entra ID P1`, `Microsoft Entra ID P2`, `Microsoft Entra ID Governance`,
    /// `Workload ID Premium`, `Internet Access`, `Private Access`.
    pub capability: String,
    /// Some subscribed product carries it.
    pub subscribed: bool,
    /// Active seats of the products carrying it.
    pub seats: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Subscriptions {
    pub products: Vec<SkuRow>,
    #[serde(flatten)]
    pub list: ListInfo,
    pub identity_capabilities: Vec<Capability>,
    /// Over-assigned, expiring or suspended products; identity capabilities missing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

/// Friendly names of the products identity teams meet most.
fn friendly_name(part: &str) -> Option<&'static str> {
    Some(match part.to_ascii_uppercase().as_str() {
        "SPE_E5" => "Microsoft 365 E5",
        "SPE_E3" => "Microsoft 365 E3",
        "SPE_F1" => "Microsoft 365 F3",
        "SPB" => "Microsoft 365 Business Premium",
        "ENTERPRISEPACK" => "Office 365 E3",
        "ENTERPRISEPREMIUM" => "Office 365 E5",
        "EMS" => "Enterprise Mobility + Security E3",
        "EMSPREMIUM" => "Enterprise Mobility + Security E5",
        "AAD_PREMIUM" => "Microsoft Entra ID P1",
        "AAD_PREMIUM_P2" => "Microsoft Entra ID P2",
        "MICROSOFT_ENTRA_ID_GOVERNANCE" => "Microsoft Entra ID Governance",
        "MICROSOFT_ENTRA_SUITE" => "Microsoft Entra Suite",
        "WORKLOAD_IDENTITIES_PREMIUM" => "Microsoft Entra Workload ID",
        "POWER_BI_STANDARD" => "Power BI (free)",
        "FLOW_FREE" => "Power Automate (free)",
        _ => return None,
    })
}

/// The identity capabilities, and how a service plan name shows each.
const CAPABILITIES: &[(&str, &[&str])] = &[
    ("Microsoft Entra ID P1", &["AAD_PREMIUM"]),
    ("Microsoft Entra ID P2", &["AAD_PREMIUM_P2"]),
    ("Microsoft Entra ID Governance", &["IDENTITY_GOVERNANCE"]),
    ("Workload ID Premium", &["WRKLDID", "WORKLOAD_ID"]),
    ("Internet Access", &["INTERNET_ACCESS"]),
    ("Private Access", &["PRIVATE_ACCESS"]),
];

/// The capability a service plan stands for. `AAD_PREMIUM` is P1 only as an exact name
/// (`AAD_PREMIUM_P2` contains it).
fn capability_of(plan: &str) -> Option<&'static str> {
    let plan = plan.to_ascii_uppercase();
    CAPABILITIES.iter().find_map(|(name, marks)| {
        let hit = marks.iter().any(|m| if *m == "AAD_PREMIUM" { plan == *m } else { plan.contains(m) });
        hit.then_some(*name)
    })
}

/// What a missing capability costs, in the words of the skills it feeds.
fn missing_means(capability: &str) -> &'static str {
    match capability {
        "Microsoft Entra ID P1" => "Conditional Access and sign-in logs need",
        "Microsoft Entra ID P2" => "Identity Protection risk data and PIM need",
        "Microsoft Entra ID Governance" => "lifecycle workflows need",
        "Workload ID Premium" => "risky workload identities and Conditional Access for workload identities need",
        _ => "Global Secure Access traffic (the network toolset) needs",
    }
}

async fn list_subscribed_skus(ctx: Ctx, _: ListSubscribedSkusParams) -> Result<Subscriptions, SkillError> {
    let request = GraphRequest::get("/subscribedSkus").query(Query::new().select(&[
        "skuId",
        "skuPartNumber",
        "appliesTo",
        "capabilityStatus",
        "consumedUnits",
        "prepaidUnits",
        "servicePlans",
    ]));
    let page = ctx.graph.list::<SubscribedSku>(request, MAX_SKUS).await?;
    let mut products: Vec<SkuRow> = page
        .items
        .into_iter()
        .map(|s| {
            let part = s.sku_part_number.unwrap_or_else(|| "unknown".into());
            let units = s.prepaid_units.unwrap_or_default();
            let enabled = units.enabled.unwrap_or(0);
            let consumed = s.consumed_units.unwrap_or(0);
            let mut identity_plans: Vec<String> = Vec::new();
            for plan in s.service_plans.unwrap_or_default() {
                let off = plan.provisioning_status.as_deref().is_some_and(|st| st.eq_ignore_ascii_case("disabled"));
                if let Some(capability) = plan.service_plan_name.as_deref().and_then(capability_of)
                    && !off
                    && !identity_plans.iter().any(|c| c == capability)
                {
                    identity_plans.push(capability.to_string());
                }
            }
            SkuRow {
                name: friendly_name(&part).map_or_else(|| part.clone(), str::to_string),
                sku_id: s.sku_id.unwrap_or_default(),
                status: s.capability_status.unwrap_or_else(|| "unknown".into()),
                applies_to: s.applies_to,
                enabled,
                suspended: units.suspended.unwrap_or(0),
                warning: units.warning.unwrap_or(0),
                locked_out: units.locked_out.unwrap_or(0),
                consumed,
                available: enabled - consumed,
                identity_plans,
                part_number: part,
            }
        })
        .collect();
    products.sort_by(|a, b| a.name.cmp(&b.name));

    let mut capabilities: BTreeMap<&str, (i64, Vec<String>)> = BTreeMap::new();
    for p in &products {
        let active = p.status.eq_ignore_ascii_case("enabled") || p.status.eq_ignore_ascii_case("warning");
        for capability in &p.identity_plans {
            if let Some((name, _)) = CAPABILITIES.iter().find(|(name, _)| name == capability) {
                let entry = capabilities.entry(name).or_default();
                if active {
                    entry.0 += p.enabled + p.warning;
                }
                entry.1.push(p.name.clone());
            }
        }
    }
    let identity_capabilities: Vec<Capability> = CAPABILITIES
        .iter()
        .map(|(name, _)| {
            let (seats, products) = capabilities.remove(name).unwrap_or_default();
            Capability { capability: name.to_string(), subscribed: !products.is_empty(), seats, products }
        })
        .collect();

    let mut findings = Vec::new();
    for p in &products {
        if p.consumed > p.enabled && p.enabled + p.warning > 0 {
            findings.push(format!("{}: {} assigned on {} active seats", p.name, p.consumed, p.enabled));
        } else if p.enabled > 0 && p.available == 0 {
            findings.push(format!("{}: every seat is assigned ({} of {})", p.name, p.consumed, p.enabled));
        }
        if p.warning > 0 || p.status.eq_ignore_ascii_case("warning") {
            findings.push(format!("{}: {} seats in warning (the subscription is lapsing)", p.name, p.warning));
        }
        if p.suspended > 0 || p.status.eq_ignore_ascii_case("suspended") || p.status.eq_ignore_ascii_case("lockedout") {
            findings.push(format!("{}: {} ({} seats suspended)", p.name, p.status, p.suspended + p.locked_out));
        }
    }
    for c in identity_capabilities.iter().filter(|c| !c.subscribed) {
        findings.push(format!(
            "no subscribed product carries {}, which {}",
            c.capability,
            missing_means(&c.capability)
        ));
    }
    let list = ListInfo::new(products.len(), None, page.more, "");
    Ok(Subscriptions { products, list, identity_capabilities, findings })
}

impl Render for Subscriptions {
    fn rows(&self) -> Option<usize> {
        Some(self.products.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.products.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .products
            .iter()
            .map(|p| {
                let mut seats = p.enabled.to_string();
                if p.warning > 0 {
                    seats.push_str(&format!(" (+{} warning)", p.warning));
                }
                if p.suspended > 0 {
                    seats.push_str(&format!(" ({} suspended)", p.suspended));
                }
                vec![
                    p.name.clone(),
                    p.status.clone(),
                    seats,
                    p.consumed.to_string(),
                    p.available.to_string(),
                    if p.identity_plans.is_empty() { "-".into() } else { p.identity_plans.join(", ") },
                ]
            })
            .collect();
        let capabilities: Vec<Vec<String>> = self
            .identity_capabilities
            .iter()
            .map(|c| {
                vec![
                    c.capability.clone(),
                    if c.subscribed { format!("yes ({} seats)", c.seats) } else { "no".into() },
                    c.products.join(", "),
                ]
            })
            .collect();
        let mut out = format!(
            "{} products\n{}{}\n\nidentity capabilities\n{}",
            self.list.returned,
            table(&["product", "status", "seats", "assigned", "available", "identity plans"], &rows),
            self.list.footer(),
            table(&["capability", "subscribed", "from"], &capabilities)
        );
        if !self.findings.is_empty() {
            out.push_str("\n\nfindings\n");
            out.push_str(&self.findings.iter().map(|f| format!("- {f}")).collect::<Vec<_>>().join("\n"));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[Example {
    question: "Which licence products (SKUs) do we subscribe to, how many seats are used, and do we own Entra ID P2 or ID Governance?",
    args: r#"{}"#,
    facts: &[
        Fact::Count("products/*", 3),
        Fact::Some("products/*/name", "Microsoft 365 E5"),
        Fact::Some("products/*/name", "Microsoft Entra ID Governance"),
        Fact::AtLeast("products/*/consumed", 1),
        Fact::Some("identity_capabilities/*/products/*", "Microsoft Entra ID Governance"),
        Fact::Some("products/*/identity_plans/*", "Microsoft Entra ID P2"),
        Fact::Some("findings/*", "~no subscribed product carries Workload ID Premium"),
    ],
}];

pub fn skill() -> Skill {
    Skill::new(LIST_SUBSCRIBED_SKUS, list_subscribed_skus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_plans_map_to_identity_capabilities() {
        assert_eq!(capability_of("AAD_PREMIUM"), Some("Microsoft Entra ID P1"));
        assert_eq!(capability_of("AAD_PREMIUM_P2"), Some("Microsoft Entra ID P2"));
        assert_eq!(capability_of("Entra_Identity_Governance"), Some("Microsoft Entra ID Governance"));
        assert_eq!(capability_of("AAD_WRKLDID_P2"), Some("Workload ID Premium"));
        assert_eq!(capability_of("Entra_Premium_Internet_Access"), Some("Internet Access"));
        assert_eq!(capability_of("EXCHANGE_S_ENTERPRISE"), None);
    }
}
