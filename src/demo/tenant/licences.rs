//! Licences: the three products Woodgrove Bank subscribes to (Microsoft 365 E5, Microsoft Entra
//! ID P2, Microsoft Entra ID Governance) and who holds which, directly or through a group.
//!
//! - Microsoft 365 E5 goes to every licensed member: directly, except Sales staff, who get it
//!   through the dynamic *Sales Team* group (Alex Chen holds it both ways, a leftover direct
//!   assignment); Legal's copies have Teams switched off.
//! - Entra ID P2 is held directly by four identity and security people, bought before the E5
//!   upgrade (E5 already carries the same plans).
//! - Entra ID Governance goes to everyone in *Finance Department* through the group (access
//!   reviews of the finance apps), and directly to Priya Natarajan.
//!
//! Guests, the break-glass accounts and two branch staff (Paula Mendes, Kofi Mensah) hold no
//! licence; the disabled leavers still hold theirs.

use serde_json::{Value, json};

use super::clock::Clock;
use super::groups::{FINANCE_DEPARTMENT, SALES_TEAM};
use super::ids;
use super::people::Person;

/// One product the tenant subscribes to.
#[derive(Debug)]
pub struct Sku {
    pub sku_id: &'static str,
    pub part_number: &'static str,
    /// Seats bought, before scale adds more.
    pub seats: usize,
    /// Service plans: id, name.
    pub plans: &'static [(&'static str, &'static str)],
}

const EXCHANGE: (&str, &str) = ("efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE");
const SHAREPOINT: (&str, &str) = ("5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE");
const TEAMS: (&str, &str) = ("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1");
const OFFICE: (&str, &str) = ("43de0ff5-c92c-492b-9116-175376d08c38", "OFFICESUBSCRIPTION");
const INTUNE: (&str, &str) = ("c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A");
const ENTRA_P1: (&str, &str) = ("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM");
const ENTRA_P2: (&str, &str) = ("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2");
const MFA: (&str, &str) = ("8a256a2b-b617-496d-b51b-e76466e88db0", "MFA_PREMIUM");
const DEFENDER_O365: (&str, &str) = ("f20fedf3-f3c3-43c3-8267-2bfdd51c0939", "ATP_ENTERPRISE");
const CLOUD_APP_DISCOVERY: (&str, &str) = ("932ad362-64a8-4783-9106-97849a1a30b9", "ADALLOM_S_DISCOVERY");
const GOVERNANCE_PLAN: (&str, &str) = ("e866a266-3cff-43a3-acca-0c90a7e00c8b", "Entra_Identity_Governance");

pub const M365_E5: Sku = Sku {
    sku_id: "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
    part_number: "SPE_E5",
    seats: 75,
    plans: &[EXCHANGE, SHAREPOINT, TEAMS, OFFICE, INTUNE, ENTRA_P1, ENTRA_P2, MFA, DEFENDER_O365],
};

pub const ENTRA_ID_P2: Sku = Sku {
    sku_id: "84a661c4-e949-4bd2-a560-ed7766fcaf2b",
    part_number: "AAD_PREMIUM_P2",
    seats: 10,
    plans: &[ENTRA_P1, ENTRA_P2, MFA, CLOUD_APP_DISCOVERY],
};

pub const ENTRA_ID_GOVERNANCE: Sku = Sku {
    sku_id: "cf6b0d46-4093-4546-a0ab-0b1546dcc10e",
    part_number: "Microsoft_Entra_ID_Governance",
    seats: 25,
    plans: &[GOVERNANCE_PLAN],
};

pub const SKUS: [&Sku; 3] = [&M365_E5, &ENTRA_ID_P2, &ENTRA_ID_GOVERNANCE];

/// People who bought Entra ID P2 seats before the E5 upgrade.
const P2_HOLDERS: &[&str] = &["priya", "marcus", "jordan", "nadia.rahman"];

/// One licence assignment: the product, whether it comes through a group (its display name),
/// and the plans switched off.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub sku: &'static Sku,
    pub via_group: Option<&'static str>,
    pub disabled_plans: Vec<&'static str>,
}

impl Assignment {
    fn direct(sku: &'static Sku) -> Assignment {
        Assignment { sku, via_group: None, disabled_plans: Vec::new() }
    }

    fn via(sku: &'static Sku, group: &'static str) -> Assignment {
        Assignment { sku, via_group: Some(group), disabled_plans: Vec::new() }
    }
}

/// A person's licence assignments, direct ones first. Members of the groups that carry a
/// licence are decided as `groups.rs` decides them.
pub fn assignments(person: &Person) -> Vec<Assignment> {
    if person.guest {
        return Vec::new();
    }
    let department = person.department.as_deref();
    let story = !person.is_generated();
    let mut out = Vec::new();
    // Sales Team's rule is `user.department -eq "Sales"`: the group licenses everyone in it.
    let in_sales_team = department == Some("Sales");
    if person.licensed {
        if !in_sales_team || (story && person.handle == "alex") {
            let mut e5 = Assignment::direct(&M365_E5);
            if department == Some("Legal") {
                e5.disabled_plans.push(TEAMS.0);
            }
            out.push(e5);
        }
        if story && P2_HOLDERS.contains(&person.handle.as_str()) {
            out.push(Assignment::direct(&ENTRA_ID_P2));
        }
        if story && person.handle == "priya" {
            out.push(Assignment::direct(&ENTRA_ID_GOVERNANCE));
        }
    }
    if in_sales_team {
        out.push(Assignment::via(&M365_E5, SALES_TEAM));
    }
    // Finance Department holds the story's Finance staff.
    if story && department == Some("Finance") {
        out.push(Assignment::via(&ENTRA_ID_GOVERNANCE, FINANCE_DEPARTMENT));
    }
    out
}

/// The SKUs a person holds, each once, in the order first assigned.
fn held(assignments: &[Assignment]) -> Vec<&'static Sku> {
    let mut out: Vec<&'static Sku> = Vec::new();
    for a in assignments {
        if !out.iter().any(|s| s.sku_id == a.sku.sku_id) {
            out.push(a.sku);
        }
    }
    out
}

/// The user's `assignedLicenses`: one entry per product, whichever way it came. A plan is
/// off only if every assignment of the product switches it off.
pub fn assigned_licenses(assignments: &[Assignment]) -> Value {
    let licences: Vec<Value> = held(assignments)
        .into_iter()
        .map(|sku| json!({"skuId": sku.sku_id, "disabledPlans": disabled_everywhere(assignments, sku)}))
        .collect();
    Value::Array(licences)
}

fn disabled_everywhere(assignments: &[Assignment], sku: &Sku) -> Vec<&'static str> {
    let of_sku: Vec<&Assignment> = assignments.iter().filter(|a| a.sku.sku_id == sku.sku_id).collect();
    let Some(first) = of_sku.first() else { return Vec::new() };
    first.disabled_plans.iter().copied().filter(|plan| of_sku.iter().all(|a| a.disabled_plans.contains(plan))).collect()
}

/// The user's `licenseAssignmentStates`: one entry per assignment, naming the group that
/// carries it.
pub fn assignment_states(assignments: &[Assignment], person: &Person, clock: &Clock) -> Value {
    let states: Vec<Value> = assignments
        .iter()
        .map(|a| {
            json!({
                "skuId": a.sku.sku_id,
                "disabledPlans": a.disabled_plans,
                "assignedByGroup": a.via_group.map(ids::group_id),
                "state": "Active",
                "error": "None",
                "lastUpdatedDateTime": clock.days_ago((person.created_days_ago - 1).clamp(1, 900)),
            })
        })
        .collect();
    Value::Array(states)
}

/// `licenseDetails` of a user: one per product held, with its service plans and whether each
/// is provisioned or switched off.
pub fn license_details(person: &Person, assignments: &[Assignment]) -> Vec<Value> {
    held(assignments)
        .into_iter()
        .map(|sku| {
            let disabled = disabled_everywhere(assignments, sku);
            let plans: Vec<Value> = sku
                .plans
                .iter()
                .map(|&(id, name)| {
                    json!({
                        "servicePlanId": id,
                        "servicePlanName": name,
                        "provisioningStatus": if disabled.contains(&id) { "Disabled" } else { "Success" },
                        "appliesTo": "User",
                    })
                })
                .collect();
            json!({
                "id": ids::object_id("licenseDetails", &format!("{}/{}", person.id, sku.sku_id)),
                "skuId": sku.sku_id,
                "skuPartNumber": sku.part_number,
                "servicePlans": plans,
            })
        })
        .collect()
}

/// `subscribedSku` resources: seats bought and used. Scale buys more E5 seats, so the tenant
/// keeps a little headroom whatever its size.
pub fn subscribed_skus(people: &[Person], tenant_id: &str) -> Vec<Value> {
    SKUS.iter()
        .map(|sku| {
            let consumed =
                people.iter().filter(|p| assignments(p).iter().any(|a| a.sku.sku_id == sku.sku_id)).count();
            let enabled = if consumed > sku.seats { consumed.div_ceil(50) * 50 + 25 } else { sku.seats };
            let plans: Vec<Value> = sku
                .plans
                .iter()
                .map(|&(id, name)| {
                    json!({"servicePlanId": id, "servicePlanName": name, "provisioningStatus": "Success", "appliesTo": "User"})
                })
                .collect();
            json!({
                "id": format!("{tenant_id}_{}", sku.sku_id),
                "accountId": tenant_id,
                "accountName": "Woodgrove Bank",
                "appliesTo": "User",
                "capabilityStatus": "Enabled",
                "consumedUnits": consumed,
                "skuId": sku.sku_id,
                "skuPartNumber": sku.part_number,
                "subscriptionIds": [ids::object_id("subscription", sku.part_number)],
                "prepaidUnits": {"enabled": enabled, "suspended": 0, "warning": 0, "lockedOut": 0},
                "servicePlans": plans,
            })
        })
        .collect()
}

/// The service a plan belongs to, as the organization's `assignedPlans` name it.
fn plan_service(plan: &str) -> &'static str {
    match plan {
        "EXCHANGE_S_ENTERPRISE" | "ATP_ENTERPRISE" => "exchange",
        "SHAREPOINTENTERPRISE" => "SharePoint",
        "TEAMS1" => "TeamspaceAPI",
        "OFFICESUBSCRIPTION" => "MicrosoftOffice",
        "INTUNE_A" => "SCO",
        "MFA_PREMIUM" => "MultiFactorService",
        "ADALLOM_S_DISCOVERY" => "Adallom",
        _ => "AADPremiumService",
    }
}

/// The organization's `assignedPlans`: every plan of the products it subscribes to, once, and
/// the Yammer plan of a subscription it let lapse.
pub fn assigned_plans(clock: &Clock) -> Vec<Value> {
    let mut seen: Vec<&str> = Vec::new();
    let mut plans: Vec<Value> = Vec::new();
    for (sku, &(id, name)) in SKUS.iter().flat_map(|sku| sku.plans.iter().map(move |plan| (sku, plan))) {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let bought = if sku.sku_id == M365_E5.sku_id { 900 } else { 400 };
        plans.push(json!({
            "assignedDateTime": clock.days_ago(bought),
            "capabilityStatus": "Enabled",
            "service": plan_service(name),
            "servicePlanId": id,
        }));
    }
    plans.push(json!({
        "assignedDateTime": clock.days_ago(1400),
        "capabilityStatus": "Deleted",
        "service": "YammerEnterprise",
        "servicePlanId": "7547a3fe-08ee-4ccb-b430-5077c5041653",
    }));
    plans
}

/// The `subscribedSkus` collection, for the entity-set registry.
pub fn subscribed(g: &super::Generation<'_>) -> Vec<Value> {
    subscribed_skus(g.cast.people, g.tenant_id)
}

#[cfg(test)]
mod tests {
    use super::super::people::population;
    use super::*;

    fn person(handle: &str) -> Person {
        population(1, 0).into_iter().find(|p| p.handle == handle).expect(handle)
    }

    #[test]
    fn sales_get_e5_through_their_group_and_alex_both_ways() {
        let maria = assignments(&person("maria.garcia"));
        assert_eq!(maria.len(), 1);
        assert_eq!(maria[0].via_group, Some(SALES_TEAM));
        let alex = assignments(&person("alex"));
        assert_eq!(alex.len(), 2);
        assert_eq!(assigned_licenses(&alex).as_array().map(Vec::len), Some(1), "one product, two assignments");
    }

    #[test]
    fn finance_gets_governance_through_the_group_and_the_unlicensed_get_nothing() {
        let karita = assignments(&person("karita"));
        assert!(
            karita.iter().any(
                |a| a.sku.part_number == "Microsoft_Entra_ID_Governance" && a.via_group == Some(FINANCE_DEPARTMENT)
            )
        );
        assert!(assignments(&person("paula.mendes")).is_empty());
        assert!(assignments(&person("lucia.romero")).is_empty(), "guests hold no licence");
    }

    #[test]
    fn legal_has_teams_switched_off() {
        let lily = person("lily.foster");
        let details = license_details(&lily, &assignments(&lily));
        let teams = details[0]["servicePlans"]
            .as_array()
            .and_then(|plans| plans.iter().find(|p| p["servicePlanName"] == "TEAMS1"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(teams["provisioningStatus"], "Disabled");
    }

    #[test]
    fn seats_cover_consumption() {
        for sku in subscribed_skus(&population(1, 0), "t") {
            assert!(sku["consumedUnits"].as_u64() <= sku["prepaidUnits"]["enabled"].as_u64(), "{sku}");
        }
    }
}
