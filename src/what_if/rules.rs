//! Graph's What-If rules, one condition at a time.

use std::net::IpAddr;

use super::{Reason, SignIn, SignInContext, SignInIdentity, WhatIfResult, device_filter};
use crate::graph::resources::{
    ConditionSet, ConditionalAccessPolicy, GuestsOrExternalUsers, NamedLocation, PolicyState,
};

/// The apps the `Office365` app group covers (the ones a sign-in is likely to name).
pub const OFFICE_365_APPS: &[&str] = &[
    "00000002-0000-0ff1-ce00-000000000000", // Exchange Online
    "00000003-0000-0ff1-ce00-000000000000", // SharePoint Online
    "1fec8e78-bce4-4aaf-ab1b-5451cc387264", // Microsoft Teams
    "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", // Microsoft Teams Services
    "4765445b-32c6-49b0-83e6-1d93765276ca", // OfficeHome
];

/// The apps the `MicrosoftAdminPortals` app group covers.
pub const ADMIN_PORTAL_APPS: &[&str] = &[
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", // Azure Portal
];

/// The policy URN of each user action a sign-in context names.
const USER_ACTIONS: &[(&str, &str)] = &[
    ("registerSecurityInformation", "urn:user:registersecurityinfo"),
    ("registerOrJoinDevices", "urn:user:registerdevice"),
];

fn contains_ci(list: &[String], item: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(item))
}

/// Why `policy` would not apply to `sign_in` (empty: it applies), given the tenant's named
/// locations.
pub fn evaluate(policy: &ConditionalAccessPolicy, sign_in: &SignIn, locations: &[NamedLocation]) -> Vec<Reason> {
    if policy.policy_state() == PolicyState::Off {
        return vec![Reason::PolicyNotEnabled];
    }
    let conditions = policy.conditions();
    let mut out = Vec::new();
    if let Some(reason) = identity(&conditions, sign_in) {
        out.push(reason);
    }
    if let Some(reason) = context(&conditions, sign_in) {
        out.push(reason);
    }
    let given = &sign_in.sign_in_conditions;
    if let (Some(platform), Some(platforms)) = (&given.device_platform, &conditions.platforms) {
        let included =
            contains_ci(&platforms.include_platforms, "all") || contains_ci(&platforms.include_platforms, platform);
        if !included || contains_ci(&platforms.exclude_platforms, platform) {
            out.push(Reason::DevicePlatform);
        }
    }
    if let Some(device) = &given.device_info
        && let Some(filter) = conditions.devices.as_ref().and_then(|d| d.device_filter.as_ref())
    {
        match device_filter::matches(filter.rule.as_deref().unwrap_or_default(), device) {
            Some(matched) => {
                let include = !filter.mode.as_deref().is_some_and(|m| m.eq_ignore_ascii_case("exclude"));
                if matched != include {
                    out.push(Reason::Devices);
                }
            }
            None => out.push(Reason::NotEnoughInformation),
        }
    }
    if let Some(client) = &given.client_app_type {
        let types = &conditions.client_app_types;
        // `easSupported` is what older policies call Exchange ActiveSync.
        let alias = (client.eq_ignore_ascii_case("easSupported") && contains_ci(types, "exchangeActiveSync"))
            || (client.eq_ignore_ascii_case("exchangeActiveSync") && contains_ci(types, "easSupported"));
        if !types.is_empty() && !contains_ci(types, "all") && !contains_ci(types, client) && !alias {
            out.push(Reason::ClientApps);
        }
    }
    if !location_matches(&conditions, sign_in, locations) {
        out.push(Reason::Location);
    }
    let level = |given: &Option<String>| given.clone().unwrap_or_else(|| "none".into());
    if !conditions.sign_in_risk_levels.is_empty()
        && !contains_ci(&conditions.sign_in_risk_levels, &level(&given.sign_in_risk_level))
    {
        out.push(Reason::SignInRisk);
    }
    if !conditions.user_risk_levels.is_empty()
        && !contains_ci(&conditions.user_risk_levels, &level(&given.user_risk_level))
    {
        out.push(Reason::UserRisk);
    }
    let insider: Vec<String> = conditions
        .insider_risk_levels
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if !insider.is_empty() && !contains_ci(&insider, &level(&given.insider_risk_level)) {
        out.push(Reason::InsiderRisk);
    }
    if let Some(flows) = &conditions.authentication_flows {
        let methods: Vec<String> = flows.methods().into_iter().map(str::to_string).collect();
        let method = given.authentication_flow.as_ref().and_then(|f| f.transfer_method.clone());
        if !methods.is_empty() && !method.is_some_and(|m| contains_ci(&methods, &m)) {
            out.push(Reason::AuthenticationFlow);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Evaluates every policy; with `appliedPoliciesOnly`, only those that apply are kept.
pub fn evaluate_all(
    policies: &[ConditionalAccessPolicy],
    sign_in: &SignIn,
    locations: &[NamedLocation],
) -> Vec<WhatIfResult> {
    let only_applied = sign_in.applied_policies_only == Some(true);
    policies
        .iter()
        .map(|policy| WhatIfResult::new(policy.clone(), &evaluate(policy, sign_in, locations)))
        .filter(|result| !only_applied || result.policy_applies)
        .collect()
}

/// The user or workload identity condition.
fn identity(conditions: &ConditionSet, sign_in: &SignIn) -> Option<Reason> {
    match &sign_in.sign_in_identity {
        SignInIdentity::User { user_id, external_user_type, external_tenant_id } => {
            let Some(users) = &conditions.users else {
                return Some(Reason::Users);
            };
            let d = &sign_in.directory;
            let guest_kind = external_user_type.as_deref().or(d.guest_kind.as_deref());
            let tenant = external_tenant_id.as_deref().or(d.external_tenant_id.as_deref());
            let any_in = |list: &[String], mine: &[String]| list.iter().any(|x| contains_ci(mine, x));
            let guest_in =
                |g: &Option<GuestsOrExternalUsers>| g.as_ref().is_some_and(|g| guest_covers(g, guest_kind, tenant));
            let included = contains_ci(&users.include_users, "All")
                || contains_ci(&users.include_users, user_id)
                || (guest_kind.is_some() && contains_ci(&users.include_users, "GuestsOrExternalUsers"))
                || guest_in(&users.include_guests_or_external_users)
                || any_in(&users.include_groups, &d.groups)
                || any_in(&users.include_roles, &d.roles);
            let excluded = contains_ci(&users.exclude_users, user_id)
                || (guest_kind.is_some() && contains_ci(&users.exclude_users, "GuestsOrExternalUsers"))
                || guest_in(&users.exclude_guests_or_external_users)
                || any_in(&users.exclude_groups, &d.groups)
                || any_in(&users.exclude_roles, &d.roles);
            (!included || excluded).then_some(Reason::Users)
        }
        SignInIdentity::ServicePrincipal { service_principal_id } => {
            let Some(clients) = &conditions.client_applications else {
                return Some(Reason::WorkloadIdentities);
            };
            let included = contains_ci(&clients.include_service_principals, "ServicePrincipalsInMyTenant")
                || contains_ci(&clients.include_service_principals, service_principal_id);
            let excluded = contains_ci(&clients.exclude_service_principals, service_principal_id);
            let risk = sign_in.sign_in_conditions.service_principal_risk_level.clone().unwrap_or_else(|| "none".into());
            let risky = conditions.service_principal_risk_levels.is_empty()
                || contains_ci(&conditions.service_principal_risk_levels, &risk);
            (!included || excluded || !risky).then_some(Reason::WorkloadIdentities)
        }
    }
}

/// Whether a guest or external user of this kind (from this tenant) is covered.
fn guest_covers(guests: &GuestsOrExternalUsers, kind: Option<&str>, tenant: Option<&str>) -> bool {
    let Some(kind) = kind else { return false };
    if !guests.kinds().iter().any(|k| k.eq_ignore_ascii_case(kind)) {
        return false;
    }
    match &guests.external_tenants {
        Some(t) if t.membership_kind.as_deref() == Some("enumerated") => {
            tenant.is_some_and(|tenant| contains_ci(&t.members, tenant))
        }
        _ => true,
    }
}

/// Whether an `includeApplications`/`excludeApplications` entry covers an appId.
pub fn app_entry_covers(entry: &str, app: &str) -> bool {
    entry.eq_ignore_ascii_case("All")
        || entry.eq_ignore_ascii_case(app)
        || (entry.eq_ignore_ascii_case("Office365") && OFFICE_365_APPS.iter().any(|a| a.eq_ignore_ascii_case(app)))
        || (entry.eq_ignore_ascii_case("MicrosoftAdminPortals")
            && ADMIN_PORTAL_APPS.iter().any(|a| a.eq_ignore_ascii_case(app)))
}

/// The app, user action or authentication context condition.
fn context(conditions: &ConditionSet, sign_in: &SignIn) -> Option<Reason> {
    // Workload identity policies target apps too; a missing applications condition matches nothing.
    let apps = conditions.applications.clone().unwrap_or_default();
    match sign_in.sign_in_context.as_ref()? {
        SignInContext::Applications { include_applications } => {
            let covered = include_applications.iter().any(|app| {
                apps.include_applications.iter().any(|e| app_entry_covers(e, app))
                    && !apps.exclude_applications.iter().any(|e| app_entry_covers(e, app))
            });
            (!covered).then_some(Reason::Application)
        }
        SignInContext::UserAction { user_action } => {
            let urn = USER_ACTIONS
                .iter()
                .find(|(action, _)| action.eq_ignore_ascii_case(user_action))
                .map(|(_, urn)| *urn)
                .unwrap_or(user_action.as_str());
            (!contains_ci(&apps.include_user_actions, urn)).then_some(Reason::UserActions)
        }
        SignInContext::AuthenticationContext { authentication_context_value } => {
            (!contains_ci(&apps.include_authentication_context_class_references, authentication_context_value))
                .then_some(Reason::AuthenticationContext)
        }
    }
}

fn location_matches(conditions: &ConditionSet, sign_in: &SignIn, locations: &[NamedLocation]) -> bool {
    let Some(condition) = &conditions.locations else {
        return true;
    };
    let given = &sign_in.sign_in_conditions;
    let ip = given.ip_address.as_deref().and_then(|ip| ip.trim().parse::<IpAddr>().ok());
    let country = given.country.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if country.is_none() && ip.is_none() {
        // Not described, so not evaluated.
        return true;
    }
    let inside: Vec<&NamedLocation> = locations.iter().filter(|l| location_contains(l, country, ip)).collect();
    let hits = |entries: &[String]| {
        entries.iter().any(|entry| {
            entry.eq_ignore_ascii_case("All")
                || (entry.eq_ignore_ascii_case("AllTrusted") && inside.iter().any(|l| l.is_trusted == Some(true)))
                || inside.iter().any(|l| l.id.eq_ignore_ascii_case(entry))
        })
    };
    hits(&condition.include_locations) && !hits(&condition.exclude_locations)
}

fn location_contains(location: &NamedLocation, country: Option<&str>, ip: Option<IpAddr>) -> bool {
    if location.is_country() {
        return match country {
            Some(country) => location.countries_and_regions.iter().any(|c| c.eq_ignore_ascii_case(country)),
            None => false,
        };
    }
    if location.is_ip() {
        return ip.is_some_and(|ip| {
            location.ip_ranges.iter().filter_map(|r| r.cidr_address.as_deref()).any(|cidr| cidr_contains(cidr, ip))
        });
    }
    false
}

/// Whether `ip` lies in `cidr` (`192.0.2.0/24`, IPv4 or IPv6).
pub fn cidr_contains(cidr: &str, ip: IpAddr) -> bool {
    let Some((network, bits)) = cidr.split_once('/') else {
        return false;
    };
    let (Ok(network), Ok(bits)) = (network.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    let (network, address, width) = match (network, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => (u128::from(u32::from(n)), u128::from(u32::from(a)), 32),
        (IpAddr::V6(n), IpAddr::V6(a)) => (u128::from(n), u128::from(a), 128),
        _ => return false,
    };
    if bits > width {
        return false;
    }
    let shift = width - bits;
    shift >= 128 || (network >> shift) == (address >> shift)
}
