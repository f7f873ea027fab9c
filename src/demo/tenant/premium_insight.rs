//! `reports/azureADPremiumLicenseInsight` (Graph beta): the Entra ID P1 and P2 seats the tenant
//! is entitled to, against how many users used the premium features in the last 30 days.
//!
//! Computed from the tenant as it is at the time of the request, as Entra computes it from its
//! own records: entitlement from the subscribed products that carry the Entra ID P1 or P2 plan,
//! use from the sign-in log — a user used Conditional Access when an enforced policy applied to
//! one of their sign-ins, and risk-based Conditional Access when that policy has sign-in or
//! user risk conditions. Members and guests are counted apart.

use std::collections::HashSet;

use chrono::Duration;
use serde_json::{Value, json};

use super::{Tenant, format_instant};

const P1_PLAN: &str = "AAD_PREMIUM";
const P2_PLAN: &str = "AAD_PREMIUM_P2";

/// The days of sign-ins the insight looks back over.
const WINDOW_DAYS: i64 = 30;

fn plans(sku: &Value) -> Vec<&str> {
    sku.get("servicePlans")
        .and_then(Value::as_array)
        .map(|plans| plans.iter().filter_map(|p| p.get("servicePlanName").and_then(Value::as_str)).collect())
        .unwrap_or_default()
}

/// The policies that act on sign-in or user risk.
fn risk_based(tenant: &Tenant) -> HashSet<String> {
    let has = |policy: &Value, condition: &str| {
        policy
            .pointer(&format!("/conditions/{condition}"))
            .and_then(Value::as_array)
            .is_some_and(|levels| !levels.is_empty())
    };
    tenant
        .conditional_access_policies
        .items()
        .iter()
        .filter(|p| has(p, "signInRiskLevels") || has(p, "userRiskLevels"))
        .filter_map(|p| p.get("id").and_then(Value::as_str).map(str::to_ascii_lowercase))
        .collect()
}

pub fn premium_license_insight(tenant: &Tenant) -> Value {
    let (mut p1, mut p2) = (0u64, 0u64);
    for sku in tenant.generated("subscribedSkus").map(|c| c.items()).unwrap_or(&[]) {
        let seats = sku.pointer("/prepaidUnits/enabled").and_then(Value::as_u64).unwrap_or(0);
        let plans = plans(sku);
        if plans.contains(&P2_PLAN) {
            p2 += seats;
        } else if plans.contains(&P1_PLAN) {
            p1 += seats;
        }
    }
    let risk_policies = risk_based(tenant);
    let since = format_instant(tenant.anchor - Duration::days(WINDOW_DAYS));
    let (mut ca, mut risk): (HashSet<String>, HashSet<String>) = (HashSet::new(), HashSet::new());
    for sign_in in tenant.sign_ins.iter() {
        let sign_in = sign_in.partial(&["userId", "createdDateTime", "appliedConditionalAccessPolicies"]);
        let text = |name: &str| sign_in.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
        if text("createdDateTime") < since {
            continue;
        }
        let user = text("userId").to_ascii_lowercase();
        let applied = sign_in.get("appliedConditionalAccessPolicies").and_then(Value::as_array);
        for policy in applied.into_iter().flatten() {
            let result = policy.get("result").and_then(Value::as_str).unwrap_or_default();
            if result != "success" && result != "failure" {
                continue;
            }
            ca.insert(user.clone());
            let id = policy.get("id").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
            if risk_policies.contains(&id) {
                risk.insert(user.clone());
            }
        }
    }
    let guest = |id: &String| {
        tenant.user(id).and_then(|u| u.get("userType")).and_then(Value::as_str).is_some_and(|t| t == "Guest")
    };
    let split = |users: &HashSet<String>| {
        let guests = users.iter().filter(|u| guest(u)).count();
        (users.len() - guests, guests)
    };
    let (ca_members, ca_guests) = split(&ca);
    let (risk_members, risk_guests) = split(&risk);
    json!({
        "@odata.type": "#microsoft.graph.azureADPremiumLicenseInsight",
        "id": tenant.tenant_id,
        "entitledP1LicenseCount": p1,
        "entitledP2LicenseCount": p2,
        "entitledTotalLicenseCount": p1 + p2,
        "p1FeatureUtilizations": {
            "conditionalAccess": {"userCount": ca_members},
            "conditionalAccessGuestUsers": {"userCount": ca_guests},
        },
        "p2FeatureUtilizations": {
            "riskBasedConditionalAccess": {"userCount": risk_members},
            "riskBasedConditionalAccessGuestUsers": {"userCount": risk_guests},
        },
    })
}
