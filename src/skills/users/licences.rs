//! What the licence skills share: the slices of `subscribedSku`, `licenseDetails` and
//! `licenseAssignmentStates` they read, and the product names admins use for SKU part numbers
//! (Graph returns only the part number, `SPE_E5`; the admin centres say "Microsoft 365 E5").

use serde::Deserialize;

/// Product names for common SKU part numbers, from Microsoft's licensing service plan
/// reference. A SKU missing here is shown by its part number.
const PRODUCTS: &[(&str, &str)] = &[
    ("SPE_E5", "Microsoft 365 E5"),
    ("SPE_E3", "Microsoft 365 E3"),
    ("SPE_F1", "Microsoft 365 F3"),
    ("SPB", "Microsoft 365 Business Premium"),
    ("O365_BUSINESS_PREMIUM", "Microsoft 365 Business Standard"),
    ("O365_BUSINESS_ESSENTIALS", "Microsoft 365 Business Basic"),
    ("ENTERPRISEPREMIUM", "Office 365 E5"),
    ("ENTERPRISEPACK", "Office 365 E3"),
    ("STANDARDPACK", "Office 365 E1"),
    ("AAD_PREMIUM", "Microsoft Entra ID P1"),
    ("AAD_PREMIUM_P2", "Microsoft Entra ID P2"),
    ("Microsoft_Entra_ID_Governance", "Microsoft Entra ID Governance"),
    ("Microsoft_Entra_Suite", "Microsoft Entra Suite"),
    ("EMS", "Enterprise Mobility + Security E3"),
    ("EMSPREMIUM", "Enterprise Mobility + Security E5"),
    ("IDENTITY_THREAT_PROTECTION", "Microsoft 365 E5 Security"),
    ("INTUNE_A", "Microsoft Intune Plan 1"),
    ("POWER_BI_PRO", "Power BI Pro"),
    ("POWER_BI_STANDARD", "Microsoft Fabric (Free)"),
    ("FLOW_FREE", "Microsoft Power Automate Free"),
    ("EXCHANGESTANDARD", "Exchange Online (Plan 1)"),
    ("EXCHANGEENTERPRISE", "Exchange Online (Plan 2)"),
];

/// The product name of a SKU part number, matched case-insensitively.
pub fn product_name(part_number: &str) -> Option<&'static str> {
    PRODUCTS.iter().find(|(part, _)| part.eq_ignore_ascii_case(part_number)).map(|(_, name)| *name)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubscribedSku {
    pub sku_id: String,
    pub sku_part_number: Option<String>,
    pub capability_status: Option<String>,
    pub consumed_units: Option<u64>,
    pub prepaid_units: Option<PrepaidUnits>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PrepaidUnits {
    pub enabled: Option<u64>,
    pub suspended: Option<u64>,
    pub warning: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LicenseDetails {
    pub sku_id: String,
    pub sku_part_number: Option<String>,
    pub service_plans: Vec<ServicePlan>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServicePlan {
    pub service_plan_name: Option<String>,
    pub provisioning_status: Option<String>,
}

/// One way a user got a licence: directly, or through `assignedByGroup`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AssignmentState {
    pub sku_id: String,
    pub assigned_by_group: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub disabled_plans: Vec<String>,
}

/// `direct`, `group` or `direct+group`, from a user's assignment states for one SKU.
pub fn assignment_kind(states: &[AssignmentState], sku_id: &str) -> String {
    let of_sku = states.iter().filter(|s| s.sku_id.eq_ignore_ascii_case(sku_id));
    let (mut direct, mut group) = (false, false);
    for state in of_sku {
        match state.assigned_by_group {
            Some(_) => group = true,
            None => direct = true,
        }
    }
    match (direct, group) {
        (true, true) => "direct+group",
        (false, true) => "group",
        _ => "direct",
    }
    .to_string()
}
