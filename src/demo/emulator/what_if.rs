//! Conditional Access What-If (`POST /identity/conditionalAccess/evaluate`): which of the
//! tenant's own policies would apply to a described sign-in, and for those that would not,
//! which conditions ruled them out.
//!
//! Conditions the request leaves out are not evaluated (they match), except risk levels, which
//! default to `none`, as Graph documents.

use std::net::IpAddr;

use serde_json::{Value, json};

use crate::demo::tenant::Tenant;

use super::errors::{GraphError, GraphResult};
use super::listing::Ctx;

/// Apps the `Office365` app group covers.
const OFFICE_365_APPS: &[&str] = &[
    "00000002-0000-0ff1-ce00-000000000000", // Exchange Online
    "00000003-0000-0ff1-ce00-000000000000", // SharePoint Online
    "1fec8e78-bce4-4aaf-ab1b-5451cc387264", // Microsoft Teams
    "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", // Microsoft Teams Services
    "4765445b-32c6-49b0-83e6-1d93765276ca", // OfficeHome
];

/// Apps the `MicrosoftAdminPortals` app group covers.
const ADMIN_PORTALS: &[&str] = &[
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", // Azure Portal
];

/// The sign-in being described.
struct Described<'a> {
    user_id: Option<String>,
    guest: bool,
    groups: Vec<String>,
    roles: Vec<String>,
    apps: Vec<String>,
    platform: Option<&'a str>,
    client_app_type: Option<&'a str>,
    country: Option<&'a str>,
    ip: Option<IpAddr>,
    sign_in_risk: &'a str,
    user_risk: &'a str,
}

pub fn evaluate(ctx: &Ctx<'_>, body: &[u8]) -> GraphResult<Value> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| GraphError::bad_request(false, format!("Invalid request body: {e}")))?;
    let described = describe(ctx.tenant, &request)?;
    let applied_only = request.get("appliedPoliciesOnly").and_then(Value::as_bool).unwrap_or(false);
    let results: Vec<Value> = ctx
        .tenant
        .conditional_access_policies
        .items()
        .iter()
        .filter_map(|policy| {
            let reasons = reasons(ctx.tenant, policy, &described);
            let applies = reasons.is_empty();
            if applied_only && !applies {
                return None;
            }
            let mut result = policy.as_object().cloned().unwrap_or_default();
            result.insert("policyApplies".into(), applies.into());
            result.insert("analysisReasons".into(), if applies { "notSet".into() } else { reasons.join(",").into() });
            Some(Value::Object(result))
        })
        .collect();
    Ok(json!({
        "@odata.context": format!("{}/{}/$metadata#Collection(microsoft.graph.whatIfAnalysisResult)", ctx.base_url, ctx.version),
        "value": results,
    }))
}

fn describe<'a>(tenant: &Tenant, request: &'a Value) -> GraphResult<Described<'a>> {
    let identity = request
        .get("signInIdentity")
        .and_then(Value::as_object)
        .ok_or_else(|| GraphError::bad_request(false, "signInIdentity is required."))?;
    let (user_id, guest, groups, roles) = match identity.get("userId").and_then(Value::as_str) {
        Some(id) => {
            let user = tenant.user(id).ok_or_else(|| GraphError::not_found(id))?;
            let id = user.get("id").and_then(Value::as_str).unwrap_or(id).to_string();
            let guest = user.get("userType").and_then(Value::as_str) == Some("Guest");
            (Some(id.clone()), guest, tenant.transitive_member_of(&id), tenant.active_roles(&id))
        }
        // A service principal: the user conditions of the tenant's policies never match it.
        None if identity.contains_key("servicePrincipalId") => (None, false, Vec::new(), Vec::new()),
        None => return Err(GraphError::bad_request(false, "signInIdentity needs a userId or a servicePrincipalId.")),
    };
    let apps = request
        .pointer("/signInContext/includeApplications")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect())
        .unwrap_or_default();
    let text = |pointer: &str| request.pointer(&format!("/signInConditions{pointer}")).and_then(Value::as_str);
    let ip = match text("/ipAddress") {
        Some(ip) => Some(
            ip.parse::<IpAddr>()
                .map_err(|_| GraphError::bad_request(false, format!("'{ip}' is not a valid IP address.")))?,
        ),
        None => None,
    };
    Ok(Described {
        user_id,
        guest,
        groups,
        roles,
        apps,
        platform: text("/devicePlatform"),
        client_app_type: text("/clientAppType"),
        country: text("/country"),
        ip,
        sign_in_risk: text("/signInRiskLevel").unwrap_or("none"),
        user_risk: text("/userRiskLevel").unwrap_or("none"),
    })
}

fn strings<'v>(value: &'v Value, pointer: &str) -> Vec<&'v str> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn contains_ci(list: &[&str], item: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(item))
}

/// Why the policy does not apply; empty when it does.
fn reasons(tenant: &Tenant, policy: &Value, d: &Described<'_>) -> Vec<&'static str> {
    if policy.get("state").and_then(Value::as_str) == Some("disabled") {
        return vec!["policyNotEnabled"];
    }
    let mut out = Vec::new();
    if !users_match(policy, d) {
        out.push("users");
    }
    if !apps_match(policy, d) {
        out.push("application");
    }
    if let Some(platform) = d.platform
        && policy.pointer("/conditions/platforms").is_some_and(|p| !p.is_null())
    {
        let include = strings(policy, "/conditions/platforms/includePlatforms");
        let exclude = strings(policy, "/conditions/platforms/excludePlatforms");
        let included = contains_ci(&include, "all") || contains_ci(&include, platform);
        if !included || contains_ci(&exclude, platform) {
            out.push("devicePlatform");
        }
    }
    if let Some(client) = d.client_app_type {
        let types = strings(policy, "/conditions/clientAppTypes");
        let legacy_alias = client.eq_ignore_ascii_case("easSupported") && contains_ci(&types, "exchangeActiveSync");
        if !types.is_empty() && !contains_ci(&types, "all") && !contains_ci(&types, client) && !legacy_alias {
            out.push("clientApps");
        }
    }
    if !locations_match(tenant, policy, d) {
        out.push("location");
    }
    let sign_in_levels = strings(policy, "/conditions/signInRiskLevels");
    if !sign_in_levels.is_empty() && !contains_ci(&sign_in_levels, d.sign_in_risk) {
        out.push("signInRisk");
    }
    let user_levels = strings(policy, "/conditions/userRiskLevels");
    if !user_levels.is_empty() && !contains_ci(&user_levels, d.user_risk) {
        out.push("userRisk");
    }
    out
}

fn users_match(policy: &Value, d: &Described<'_>) -> bool {
    let Some(user_id) = d.user_id.as_deref() else {
        return false;
    };
    let users = |field: &str| strings(policy, &format!("/conditions/users/{field}"));
    let guests = |field: &str| policy.pointer(&format!("/conditions/users/{field}")).is_some_and(|g| !g.is_null());
    let any_in = |list: Vec<&str>, mine: &[String]| list.iter().any(|x| mine.iter().any(|m| m.eq_ignore_ascii_case(x)));
    let include_users = users("includeUsers");
    let included = contains_ci(&include_users, "All")
        || contains_ci(&include_users, user_id)
        || (d.guest
            && (contains_ci(&include_users, "GuestsOrExternalUsers") || guests("includeGuestsOrExternalUsers")))
        || any_in(users("includeGroups"), &d.groups)
        || any_in(users("includeRoles"), &d.roles);
    let exclude_users = users("excludeUsers");
    let excluded = contains_ci(&exclude_users, user_id)
        || (d.guest
            && (contains_ci(&exclude_users, "GuestsOrExternalUsers") || guests("excludeGuestsOrExternalUsers")))
        || any_in(users("excludeGroups"), &d.groups)
        || any_in(users("excludeRoles"), &d.roles);
    included && !excluded
}

/// Whether an app-group or app-id entry of a policy covers an app id.
fn covers(entry: &str, app: &str) -> bool {
    entry.eq_ignore_ascii_case("All")
        || entry.eq_ignore_ascii_case(app)
        || (entry.eq_ignore_ascii_case("Office365") && OFFICE_365_APPS.contains(&app))
        || (entry.eq_ignore_ascii_case("MicrosoftAdminPortals") && ADMIN_PORTALS.contains(&app))
}

fn apps_match(policy: &Value, d: &Described<'_>) -> bool {
    let include = strings(policy, "/conditions/applications/includeApplications");
    let exclude = strings(policy, "/conditions/applications/excludeApplications");
    d.apps.iter().any(|app| include.iter().any(|e| covers(e, app)) && !exclude.iter().any(|e| covers(e, app)))
}

fn locations_match(tenant: &Tenant, policy: &Value, d: &Described<'_>) -> bool {
    if policy.pointer("/conditions/locations").is_none_or(Value::is_null) {
        return true;
    }
    if d.country.is_none() && d.ip.is_none() {
        // Not described, so not evaluated.
        return true;
    }
    let matched: Vec<(&str, bool)> = tenant
        .named_locations
        .items()
        .iter()
        .filter(|location| location_contains(location, d))
        .filter_map(|location| {
            let id = location.get("id").and_then(Value::as_str)?;
            let trusted = location.get("isTrusted").and_then(Value::as_bool).unwrap_or(false);
            Some((id, trusted))
        })
        .collect();
    let hits = |entries: Vec<&str>| {
        entries.iter().any(|entry| {
            entry.eq_ignore_ascii_case("All")
                || (entry.eq_ignore_ascii_case("AllTrusted") && matched.iter().any(|(_, trusted)| *trusted))
                || matched.iter().any(|(id, _)| id.eq_ignore_ascii_case(entry))
        })
    };
    hits(strings(policy, "/conditions/locations/includeLocations"))
        && !hits(strings(policy, "/conditions/locations/excludeLocations"))
}

fn location_contains(location: &Value, d: &Described<'_>) -> bool {
    match location.get("@odata.type").and_then(Value::as_str) {
        Some("#microsoft.graph.countryNamedLocation") => d.country.is_some_and(|country| {
            strings(location, "/countriesAndRegions").iter().any(|c| c.eq_ignore_ascii_case(country))
        }),
        Some("#microsoft.graph.ipNamedLocation") => d.ip.is_some_and(|ip| {
            location
                .get("ipRanges")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("cidrAddress").and_then(Value::as_str))
                .any(|cidr| cidr_contains(cidr, ip))
        }),
        _ => false,
    }
}

/// Whether `ip` lies in `cidr` (`192.0.2.0/24`, IPv4 or IPv6).
fn cidr_contains(cidr: &str, ip: IpAddr) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_matching() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert!(cidr_contains("192.0.2.0/24", ip("192.0.2.14")));
        assert!(!cidr_contains("192.0.2.0/24", ip("192.0.3.14")));
        assert!(cidr_contains("0.0.0.0/0", ip("203.0.113.45")));
        assert!(!cidr_contains("2001:db8::/32", ip("192.0.2.1")));
    }
}
