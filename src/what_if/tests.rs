use serde_json::{Value, json};

use super::*;
use crate::graph::resources::{ConditionalAccessPolicy, NamedLocation};

const USER: &str = "11111111-1111-1111-1111-111111111111";
const GROUP: &str = "22222222-2222-2222-2222-222222222222";
const ROLE: &str = "62e90394-69f5-4237-9190-012177145e10";
const APP: &str = "33333333-3333-3333-3333-333333333333";
const HQ: &str = "44444444-4444-4444-4444-444444444444";
const BLOCKED: &str = "55555555-5555-5555-5555-555555555555";
const EXCHANGE: &str = "00000002-0000-0ff1-ce00-000000000000";

/// A policy for all users and apps, with `conditions` merged over that.
fn policy(conditions: Value) -> ConditionalAccessPolicy {
    let mut base = json!({
        "users": {"includeUsers": ["All"]},
        "applications": {"includeApplications": ["All"]},
        "clientAppTypes": ["all"],
    });
    if let (Some(base), Some(extra)) = (base.as_object_mut(), conditions.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(json!({"id": "p", "state": "enabled", "conditions": base,
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}))
    .expect("policy")
}

fn locations() -> Vec<NamedLocation> {
    serde_json::from_value(json!([
        {"@odata.type": "#microsoft.graph.ipNamedLocation", "id": HQ, "displayName": "HQ", "isTrusted": true,
         "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "192.0.2.0/24"}]},
        {"@odata.type": "#microsoft.graph.countryNamedLocation", "id": BLOCKED, "displayName": "Blocked",
         "countriesAndRegions": ["RU", "KP"]},
    ]))
    .expect("locations")
}

fn sign_in() -> SignIn {
    SignIn::user(USER).to_apps(vec![APP.into()])
}

fn reasons(p: &ConditionalAccessPolicy, s: &SignIn) -> Vec<Reason> {
    evaluate(p, s, &locations())
}

#[test]
fn the_body_is_graphs_evaluate_body() {
    let mut s = sign_in();
    s.sign_in_conditions.country = Some("NL".into());
    s.sign_in_conditions.device_info = Some(DeviceInfo { is_compliant: Some(false), ..DeviceInfo::default() });
    s.directory.groups = vec![GROUP.into()];
    let body = s.body();
    assert_eq!(
        body,
        json!({
            "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": USER},
            "signInContext": {"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": [APP]},
            "signInConditions": {"country": "NL", "deviceInfo": {"isCompliant": false}},
        })
    );
    let back: SignIn = serde_json::from_value(body).expect("parses");
    assert_eq!(back.sign_in_conditions.country.as_deref(), Some("NL"));
    assert!(back.directory.groups.is_empty(), "the directory part is never sent");
    let action: SignIn = serde_json::from_value(json!({
        "signInIdentity": {"@odata.type": "#microsoft.graph.servicePrincipalSignIn", "servicePrincipalId": APP},
        "signInContext": {"@odata.type": "#microsoft.graph.userActionContext", "userAction": "registerSecurityInformation"},
    }))
    .expect("parses");
    assert_eq!(action.user_id(), None);
}

#[test]
fn a_disabled_policy_is_only_not_enabled() {
    let mut p = policy(json!({"users": {"includeUsers": ["None"]}}));
    p.state = Some("disabled".into());
    assert_eq!(reasons(&p, &sign_in()), vec![Reason::PolicyNotEnabled]);
    p.state = Some("enabledForReportingButNotEnforced".into());
    assert_eq!(reasons(&p, &sign_in()), vec![Reason::Users], "report-only policies are evaluated");
}

#[test]
fn users_groups_roles_and_exclusions() {
    let s = {
        let mut s = sign_in();
        s.directory.groups = vec![GROUP.into()];
        s.directory.roles = vec![ROLE.into()];
        s
    };
    assert!(reasons(&policy(json!({})), &s).is_empty());
    assert!(reasons(&policy(json!({"users": {"includeGroups": [GROUP]}})), &s).is_empty());
    assert!(reasons(&policy(json!({"users": {"includeRoles": [ROLE]}})), &s).is_empty());
    assert!(reasons(&policy(json!({"users": {"includeUsers": [USER]}})), &s).is_empty());
    assert_eq!(reasons(&policy(json!({"users": {"includeRoles": [APP]}})), &s), vec![Reason::Users]);
    assert_eq!(
        reasons(&policy(json!({"users": {"includeUsers": ["All"], "excludeGroups": [GROUP]}})), &s),
        vec![Reason::Users]
    );
    assert_eq!(
        reasons(&policy(json!({"users": {"includeUsers": ["All"], "excludeUsers": [USER]}})), &s),
        vec![Reason::Users]
    );
    assert_eq!(reasons(&policy(json!({"users": {"includeUsers": ["None"]}})), &s), vec![Reason::Users]);
}

#[test]
fn guests_by_kind_and_tenant() {
    let guests = json!({"guestOrExternalUserTypes": "b2bCollaborationGuest,internalGuest",
        "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}});
    let excluding = policy(json!({"users": {"includeUsers": ["All"], "excludeGuestsOrExternalUsers": guests}}));
    let mut guest = sign_in();
    guest.directory.guest_kind = Some("b2bCollaborationGuest".into());
    assert_eq!(reasons(&excluding, &guest), vec![Reason::Users]);
    assert!(reasons(&excluding, &sign_in()).is_empty(), "a member is not a guest");
    let mut provider = sign_in();
    provider.directory.guest_kind = Some("serviceProvider".into());
    assert!(reasons(&excluding, &provider).is_empty(), "another guest kind is not excluded");
    let only_fabrikam = json!({"guestOrExternalUserTypes": "b2bCollaborationGuest",
        "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                            "membershipKind": "enumerated", "members": ["fabrikam-tenant"]}});
    let including = policy(json!({"users": {"includeGuestsOrExternalUsers": only_fabrikam}}));
    assert_eq!(reasons(&including, &guest), vec![Reason::Users], "home tenant unknown");
    guest.directory.external_tenant_id = Some("fabrikam-tenant".into());
    assert!(reasons(&including, &guest).is_empty());
}

#[test]
fn workload_identities() {
    let sp = SignIn::service_principal(APP).to_apps(vec![EXCHANGE.into()]);
    assert_eq!(reasons(&policy(json!({})), &sp), vec![Reason::WorkloadIdentities]);
    let for_sps = policy(json!({"users": {"includeUsers": ["None"]},
        "clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"]}}));
    assert!(reasons(&for_sps, &sp).is_empty());
    assert_eq!(reasons(&for_sps, &sign_in()), vec![Reason::Users]);
    let excluding = policy(json!({"clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"],
        "excludeServicePrincipals": [APP]}}));
    assert_eq!(reasons(&excluding, &sp), vec![Reason::WorkloadIdentities]);
}

#[test]
fn apps_app_groups_user_actions_and_auth_contexts() {
    let office = policy(json!({"applications": {"includeApplications": ["Office365"]}}));
    assert!(reasons(&office, &SignIn::user(USER).to_apps(vec![EXCHANGE.into()])).is_empty());
    assert_eq!(reasons(&office, &sign_in()), vec![Reason::Application]);
    let excluded = policy(json!({"applications": {"includeApplications": ["All"], "excludeApplications": [APP]}}));
    assert_eq!(reasons(&excluded, &sign_in()), vec![Reason::Application]);
    let mut register = SignIn::user(USER);
    register.sign_in_context = Some(SignInContext::UserAction { user_action: "registerSecurityInformation".into() });
    let action = policy(json!({"applications": {"includeUserActions": ["urn:user:registersecurityinfo"]}}));
    assert!(reasons(&action, &register).is_empty());
    assert_eq!(reasons(&policy(json!({})), &register), vec![Reason::UserActions]);
    let mut context = SignIn::user(USER);
    context.sign_in_context = Some(SignInContext::AuthenticationContext { authentication_context_value: "c1".into() });
    let by_context = policy(json!({"applications": {"includeAuthenticationContextClassReferences": ["c1"]}}));
    assert!(reasons(&by_context, &context).is_empty());
    assert_eq!(reasons(&policy(json!({})), &context), vec![Reason::AuthenticationContext]);
    assert!(reasons(&policy(json!({})), &SignIn::user(USER)).is_empty(), "no context: not evaluated");
}

#[test]
fn platforms() {
    let ios_only = policy(json!({"platforms": {"includePlatforms": ["iOS", "android"], "excludePlatforms": []}}));
    let mut s = sign_in();
    assert!(reasons(&ios_only, &s).is_empty(), "not described: not evaluated");
    s.sign_in_conditions.device_platform = Some("windows".into());
    assert_eq!(reasons(&ios_only, &s), vec![Reason::DevicePlatform]);
    s.sign_in_conditions.device_platform = Some("iOS".into());
    assert!(reasons(&ios_only, &s).is_empty());
    let all_but_ios = policy(json!({"platforms": {"includePlatforms": ["all"], "excludePlatforms": ["iOS"]}}));
    assert_eq!(reasons(&all_but_ios, &s), vec![Reason::DevicePlatform]);
}

#[test]
fn client_apps() {
    let legacy = policy(json!({"clientAppTypes": ["exchangeActiveSync", "other"]}));
    let mut s = sign_in();
    assert!(reasons(&legacy, &s).is_empty(), "not described: not evaluated");
    s.sign_in_conditions.client_app_type = Some("browser".into());
    assert_eq!(reasons(&legacy, &s), vec![Reason::ClientApps]);
    s.sign_in_conditions.client_app_type = Some("easSupported".into());
    assert!(reasons(&legacy, &s).is_empty());
    s.sign_in_conditions.client_app_type = Some("other".into());
    assert!(reasons(&legacy, &s).is_empty());
}

#[test]
fn locations_by_country_ip_and_trust() {
    let blocked = policy(json!({"locations": {"includeLocations": [BLOCKED]}}));
    let outside_trusted =
        policy(json!({"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}));
    let mut s = sign_in();
    assert!(reasons(&blocked, &s).is_empty(), "not described: not evaluated");
    s.sign_in_conditions.country = Some("RU".into());
    assert!(reasons(&blocked, &s).is_empty());
    assert!(reasons(&outside_trusted, &s).is_empty());
    s.sign_in_conditions.country = Some("NL".into());
    assert_eq!(reasons(&blocked, &s), vec![Reason::Location]);
    s.sign_in_conditions.ip_address = Some("192.0.2.14".into());
    assert_eq!(reasons(&outside_trusted, &s), vec![Reason::Location], "inside HQ, a trusted location");
    s.sign_in_conditions.ip_address = Some("203.0.113.9".into());
    assert!(reasons(&outside_trusted, &s).is_empty());
}

#[test]
fn risk_levels_default_to_none() {
    let high = policy(json!({"signInRiskLevels": ["high"]}));
    let user_high = policy(json!({"userRiskLevels": ["high"]}));
    let insider = policy(json!({"insiderRiskLevels": "elevated"}));
    let mut s = sign_in();
    assert_eq!(reasons(&high, &s), vec![Reason::SignInRisk]);
    assert_eq!(reasons(&user_high, &s), vec![Reason::UserRisk]);
    assert_eq!(reasons(&insider, &s), vec![Reason::InsiderRisk]);
    s.sign_in_conditions.sign_in_risk_level = Some("high".into());
    s.sign_in_conditions.user_risk_level = Some("high".into());
    s.sign_in_conditions.insider_risk_level = Some("elevated".into());
    assert!(reasons(&high, &s).is_empty());
    assert!(reasons(&user_high, &s).is_empty());
    assert!(reasons(&insider, &s).is_empty());
    s.sign_in_conditions.sign_in_risk_level = Some("medium".into());
    assert_eq!(reasons(&high, &s), vec![Reason::SignInRisk]);
}

#[test]
fn device_filters() {
    let saw = policy(json!({"devices": {"deviceFilter": {"mode": "include",
        "rule": "device.extensionAttribute1 -eq \"SAW\" -and (device.trustType -in [\"AzureAD\",\"ServerAD\"])"}}}));
    let not_compliant =
        policy(json!({"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}}));
    let mut s = sign_in();
    assert!(reasons(&saw, &s).is_empty(), "no device described: not evaluated");
    s.sign_in_conditions.device_info = Some(DeviceInfo {
        extension_attribute1: Some("SAW".into()),
        trust_type: Some("AzureAD".into()),
        is_compliant: Some(true),
        ..DeviceInfo::default()
    });
    assert!(reasons(&saw, &s).is_empty());
    assert_eq!(reasons(&not_compliant, &s), vec![Reason::Devices], "compliant devices are excluded");
    s.sign_in_conditions.device_info = Some(DeviceInfo { is_compliant: Some(false), ..DeviceInfo::default() });
    assert_eq!(reasons(&saw, &s), vec![Reason::Devices]);
    assert!(reasons(&not_compliant, &s).is_empty());
    let unreadable = policy(json!({"devices": {"deviceFilter": {"mode": "include", "rule": "device.model -wat"}}}));
    assert_eq!(reasons(&unreadable, &s), vec![Reason::NotEnoughInformation]);
}

#[test]
fn authentication_flows_default_to_none() {
    let device_code = policy(json!({"authenticationFlows": {"transferMethods": "deviceCodeFlow"}}));
    let mut s = sign_in();
    assert_eq!(reasons(&device_code, &s), vec![Reason::AuthenticationFlow]);
    s.sign_in_conditions.authentication_flow =
        Some(AuthenticationFlow { transfer_method: Some("deviceCodeFlow".into()) });
    assert!(reasons(&device_code, &s).is_empty());
    s.sign_in_conditions.authentication_flow =
        Some(AuthenticationFlow { transfer_method: Some("authenticationTransfer".into()) });
    assert_eq!(reasons(&device_code, &s), vec![Reason::AuthenticationFlow]);
}

#[test]
fn several_reasons_and_the_graph_flags() {
    let p = policy(json!({"users": {"includeUsers": ["None"]}, "signInRiskLevels": ["high"]}));
    let r = reasons(&p, &sign_in());
    assert_eq!(Reason::flags(&r), "users,signInRisk");
    assert_eq!(Reason::parse_flags("users,signInRisk"), r);
    assert_eq!(Reason::flags(&[]), "notSet");
    assert!(Reason::parse_flags("notSet").is_empty());
    let results = evaluate_all(&[p.clone(), policy(json!({}))], &sign_in(), &locations());
    assert_eq!(results.len(), 2);
    assert!(!results[0].policy_applies && results[1].policy_applies);
    let as_graph = serde_json::to_value(&results[0]).expect("serializes");
    assert_eq!(as_graph["analysisReasons"], "users,signInRisk");
    assert_eq!(as_graph["id"], "p");
    let back: WhatIfResult = serde_json::from_value(as_graph).expect("parses");
    assert_eq!(back.reasons(), r);
    let mut only = sign_in();
    only.applied_policies_only = Some(true);
    assert_eq!(evaluate_all(&[p, policy(json!({}))], &only, &locations()).len(), 1);
}

#[test]
fn cidr_matching() {
    let ip = |s: &str| s.parse::<std::net::IpAddr>().expect("ip");
    assert!(cidr_contains("192.0.2.0/24", ip("192.0.2.14")));
    assert!(!cidr_contains("192.0.2.0/24", ip("192.0.3.14")));
    assert!(cidr_contains("0.0.0.0/0", ip("203.0.113.45")));
    assert!(!cidr_contains("2001:db8::/32", ip("192.0.2.1")));
}
