//! A Conditional Access policy in plain words: who it covers, what it targets, under which
//! conditions, what it requires and its state, with every id named by [`Names`].

use schemars::JsonSchema;
use serde::Serialize;

use super::names::Names;
use crate::graph::resources::{
    ConditionalAccessPolicy, ConditionalAccessUsers, GuestsOrExternalUsers, PolicyState, SessionControls,
};

/// A policy in plain words.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PolicyWords {
    /// `on`, `report-only` or `off`.
    pub state: String,
    /// Who it covers (users, groups, roles, guests, workload identities).
    pub users: String,
    /// Who it leaves out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<String>,
    /// The apps, user action or authentication context it targets.
    pub target: String,
    /// The other conditions (platforms, locations, client apps, risk, device filter, flows).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// What it requires: `block access`, `require MFA`, …
    pub grant: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub session: Vec<String>,
    /// The whole policy in one line.
    pub summary: String,
}

/// An id the policy names, with its name.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
pub struct NamedId {
    /// `user`, `group`, `role`, `app`, `service_principal`, `location`, `authentication_strength`.
    pub kind: String,
    pub name: String,
    pub id: String,
    /// `include` or `exclude`.
    pub used_as: String,
    /// The id could not be named (deleted, or not visible to the caller).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unresolved: bool,
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    join(items, "and")
}

/// `a`, `a or b`, `a, b or c`.
pub fn or_list(items: &[String]) -> String {
    join(items, "or")
}

fn join(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

fn is(value: &str, keyword: &str) -> bool {
    value.eq_ignore_ascii_case(keyword)
}

/// A guest kind in words.
pub fn guest_kind_words(kind: &str) -> &str {
    match kind {
        "internalGuest" => "internal guests",
        "b2bCollaborationGuest" => "B2B collaboration guests",
        "b2bCollaborationMember" => "B2B collaboration members",
        "b2bDirectConnectUser" => "B2B direct connect users",
        "otherExternalUser" => "other external users",
        "serviceProvider" => "service provider users",
        other => other,
    }
}

/// Guests and external users as a policy names them.
pub fn guests_words(guests: &GuestsOrExternalUsers) -> String {
    let kinds = guests.kinds();
    let who = if kinds.len() >= 6 {
        "all guests and external users".to_string()
    } else {
        and_list(&kinds.iter().map(|k| guest_kind_words(k).to_string()).collect::<Vec<_>>())
    };
    match &guests.external_tenants {
        Some(t) if t.membership_kind.as_deref() == Some("enumerated") => {
            format!("{who} from {} named tenant(s)", t.members.len())
        }
        _ => who,
    }
}

/// `n things`, singular when one.
fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// A value that is neither an id nor a keyword, as templates write them.
fn placeholder_words(value: &str) -> String {
    if value.eq_ignore_ascii_case("Current administrator will be excluded") {
        "the admin who creates it".into()
    } else {
        value.to_string()
    }
}

/// Who a users condition includes and excludes, in full.
fn users_words(users: &ConditionalAccessUsers, names: &Names) -> (String, Option<String>) {
    let mut include = Vec::new();
    let mut all = false;
    for u in &users.include_users {
        if is(u, "All") {
            all = true;
            include.push("all users".to_string());
        } else if is(u, "None") {
            include.push("no one".to_string());
        } else if is(u, "GuestsOrExternalUsers") {
            include.push("all guests and external users".to_string());
        } else {
            include.push(names.user(u));
        }
    }
    if !all {
        if !users.include_groups.is_empty() {
            let groups: Vec<String> = users.include_groups.iter().map(|g| names.group(g)).collect();
            include.push(format!("members of {}", and_list(&groups)));
        }
        if !users.include_roles.is_empty() {
            let roles: Vec<String> = users.include_roles.iter().map(|r| names.role(r)).collect();
            include.push(format!("holders of {}", or_list(&roles)));
        }
        if let Some(guests) = &users.include_guests_or_external_users {
            include.push(guests_words(guests));
        }
    }
    let mut exclude = Vec::new();
    for u in &users.exclude_users {
        if is(u, "GuestsOrExternalUsers") {
            exclude.push("all guests and external users".to_string());
        } else if uuid::Uuid::try_parse(u).is_ok() {
            exclude.push(names.user(u));
        } else {
            exclude.push(placeholder_words(u));
        }
    }
    if !users.exclude_groups.is_empty() {
        let groups: Vec<String> = users.exclude_groups.iter().map(|g| names.group(g)).collect();
        exclude.push(format!("members of {}", and_list(&groups)));
    }
    if !users.exclude_roles.is_empty() {
        let roles: Vec<String> = users.exclude_roles.iter().map(|r| names.role(r)).collect();
        exclude.push(format!("holders of {}", or_list(&roles)));
    }
    if let Some(guests) = &users.exclude_guests_or_external_users {
        exclude.push(guests_words(guests));
    }
    let include = if include.is_empty() { "no one".to_string() } else { and_list(&include) };
    (include, (!exclude.is_empty()).then(|| and_list(&exclude)))
}

/// Who the policy covers, briefly (counts rather than names), for one-line summaries.
fn users_brief(policy: &ConditionalAccessPolicy, names: &Names) -> String {
    let c = policy.conditions();
    if let Some(clients) = c
        .client_applications
        .as_ref()
        .filter(|c| !c.include_service_principals.is_empty() || !c.include_agent_id_service_principals.is_empty())
    {
        let mut who = Vec::new();
        if !clients.include_service_principals.is_empty() {
            who.push(if clients.include_service_principals.iter().any(|s| is(s, "ServicePrincipalsInMyTenant")) {
                "all service principals".to_string()
            } else {
                count(clients.include_service_principals.len(), "service principal", "service principals")
            });
        }
        if !clients.include_agent_id_service_principals.is_empty() {
            who.push(if clients.include_agent_id_service_principals.iter().any(|s| is(s, "All")) {
                "all agents".to_string()
            } else {
                count(clients.include_agent_id_service_principals.len(), "agent", "agents")
            });
        }
        return and_list(&who);
    }
    let users = c.users.unwrap_or_default();
    let mut include = Vec::new();
    if users.include_users.iter().any(|u| is(u, "All")) {
        include.push("all users".to_string());
    } else {
        let direct: Vec<&String> = users.include_users.iter().filter(|u| !is(u, "None")).collect();
        match direct.as_slice() {
            [] => {}
            [one] if is(one, "GuestsOrExternalUsers") => include.push("guests".into()),
            [one] => include.push(names.directory_object(one)),
            many => include.push(count(many.len(), "user", "users")),
        }
        match users.include_groups.as_slice() {
            [] => {}
            [one] => include.push(names.group(one)),
            many => include.push(count(many.len(), "group", "groups")),
        }
        match users.include_roles.as_slice() {
            [] => {}
            [one] => include.push(names.role(one)),
            many => include.push(count(many.len(), "admin role", "admin roles")),
        }
        if users.include_guests_or_external_users.is_some() {
            include.push("guests".into());
        }
    }
    let mut exclude = Vec::new();
    // Templates name the admin who creates the policy in words, not by id.
    let (ids, words): (Vec<&String>, Vec<&String>) =
        users.exclude_users.iter().partition(|u| uuid::Uuid::try_parse(u).is_ok() || is(u, "GuestsOrExternalUsers"));
    if !ids.is_empty() {
        exclude.push(count(ids.len(), "user", "users"));
    }
    exclude.extend(words.iter().map(|w| placeholder_words(w)));
    match users.exclude_groups.as_slice() {
        [] => {}
        [one] => exclude.push(names.group(one)),
        many => exclude.push(count(many.len(), "group", "groups")),
    }
    if !users.exclude_roles.is_empty() {
        exclude.push(count(users.exclude_roles.len(), "role", "roles"));
    }
    if users.exclude_guests_or_external_users.is_some() {
        exclude.push("guests".into());
    }
    let include = if include.is_empty() { "no one".to_string() } else { and_list(&include) };
    if exclude.is_empty() { include } else { format!("{include} except {}", and_list(&exclude)) }
}

/// The workload identities a policy covers, in full.
fn clients_words(policy: &ConditionalAccessPolicy, names: &Names) -> Option<(String, Option<String>)> {
    let clients = policy.conditions().client_applications?;
    let name_all = |ids: &[String], all_word: &str| -> Vec<String> {
        ids.iter().map(|s| if is(s, "All") { all_word.to_string() } else { names.directory_object(s) }).collect()
    };
    let mut include = Vec::new();
    if !clients.include_service_principals.is_empty() {
        include.push(format!("service principals {}", and_list(&name_all(&clients.include_service_principals, "all"))));
    }
    if !clients.include_agent_id_service_principals.is_empty() {
        include.push(format!("agents {}", and_list(&name_all(&clients.include_agent_id_service_principals, "all"))));
    }
    if let Some(filter) = &clients.service_principal_filter {
        include.push(filter_words("service principals", filter.mode.as_deref(), filter.rule.as_deref()));
    }
    if include.is_empty() {
        return None;
    }
    let mut exclude = Vec::new();
    if !clients.exclude_service_principals.is_empty() {
        exclude.push(and_list(&name_all(&clients.exclude_service_principals, "all")));
    }
    if !clients.exclude_agent_id_service_principals.is_empty() {
        exclude.push(and_list(&name_all(&clients.exclude_agent_id_service_principals, "all")));
    }
    Some((and_list(&include), (!exclude.is_empty()).then(|| and_list(&exclude))))
}

fn filter_words(what: &str, mode: Option<&str>, rule: Option<&str>) -> String {
    let rule = rule.unwrap_or_default();
    if mode == Some("exclude") { format!("{what} not matching `{rule}`") } else { format!("{what} matching `{rule}`") }
}

/// A user action URN in words.
fn user_action_words(urn: &str) -> String {
    match urn.to_ascii_lowercase().as_str() {
        "urn:user:registersecurityinfo" => "registering security information".into(),
        "urn:user:registerdevice" => "registering or joining devices".into(),
        other => other.to_string(),
    }
}

/// The apps, user actions or authentication contexts a policy targets.
pub fn target_words(policy: &ConditionalAccessPolicy, names: &Names) -> String {
    let apps = policy.conditions().applications.unwrap_or_default();
    let mut parts = Vec::new();
    if !apps.include_user_actions.is_empty() {
        let actions: Vec<String> = apps.include_user_actions.iter().map(|a| user_action_words(a)).collect();
        parts.push(format!("user action: {}", or_list(&actions)));
    }
    if !apps.include_authentication_context_class_references.is_empty() {
        parts
            .push(format!("authentication context {}", or_list(&apps.include_authentication_context_class_references)));
    }
    if !apps.include_applications.is_empty() {
        let included: Vec<String> = apps.include_applications.iter().map(|a| names.app(a)).collect();
        let mut text = and_list(&included);
        if !apps.exclude_applications.is_empty() {
            let excluded: Vec<String> = apps.exclude_applications.iter().map(|a| names.app(a)).collect();
            text = format!("{text} except {}", and_list(&excluded));
        }
        parts.push(text);
    }
    if let Some(filter) = &apps.application_filter {
        parts.push(filter_words("apps", filter.mode.as_deref(), filter.rule.as_deref()));
    }
    if parts.is_empty() { "no apps".into() } else { parts.join("; ") }
}

/// A client app type in words.
pub fn client_app_words(kind: &str) -> &str {
    match kind {
        "browser" => "browser",
        "mobileAppsAndDesktopClients" => "mobile apps and desktop clients",
        "exchangeActiveSync" | "easSupported" => "Exchange ActiveSync",
        "other" => "other (legacy) clients",
        "all" => "any client app",
        other => other,
    }
}

/// A platform in words.
pub fn platform_words(platform: &str) -> &str {
    match platform {
        "android" => "Android",
        "iOS" => "iOS",
        "windows" => "Windows",
        "windowsPhone" => "Windows Phone",
        "macOS" => "macOS",
        "linux" => "Linux",
        "all" => "any platform",
        other => other,
    }
}

/// The conditions beyond users and apps, each in a few words.
pub fn conditions_words(policy: &ConditionalAccessPolicy, names: &Names) -> Vec<String> {
    let c = policy.conditions();
    let mut out = Vec::new();
    if let Some(p) = &c.platforms {
        let include: Vec<String> = p.include_platforms.iter().map(|x| platform_words(x).to_string()).collect();
        let mut text = format!("on {}", or_list(&include));
        if !p.exclude_platforms.is_empty() {
            let exclude: Vec<String> = p.exclude_platforms.iter().map(|x| platform_words(x).to_string()).collect();
            text = format!("{text} except {}", or_list(&exclude));
        }
        out.push(text);
    }
    if let Some(l) = &c.locations {
        let include: Vec<String> = l.include_locations.iter().map(|x| names.location(x)).collect();
        let mut text = format!("from {}", or_list(&include));
        if !l.exclude_locations.is_empty() {
            let exclude: Vec<String> = l.exclude_locations.iter().map(|x| names.location(x)).collect();
            text = format!("{text} except {}", or_list(&exclude));
        }
        out.push(text);
    }
    let clients: Vec<&String> = c.client_app_types.iter().filter(|t| !is(t, "all")).collect();
    if !clients.is_empty() {
        let words: Vec<String> = clients.iter().map(|t| client_app_words(t).to_string()).collect();
        out.push(format!("client apps: {}", or_list(&words)));
    }
    for (what, levels) in [
        ("sign-in risk", &c.sign_in_risk_levels),
        ("user risk", &c.user_risk_levels),
        ("service principal risk", &c.service_principal_risk_levels),
    ] {
        if !levels.is_empty() {
            out.push(format!("{what} {}", or_list(levels)));
        }
    }
    if let Some(insider) = c.insider_risk_levels.as_deref().filter(|l| !l.trim().is_empty()) {
        let levels: Vec<String> = insider.split(',').map(|l| l.trim().to_string()).collect();
        out.push(format!("insider risk {}", or_list(&levels)));
    }
    if let Some(filter) = c.devices.as_ref().and_then(|d| d.device_filter.as_ref()) {
        out.push(filter_words("devices", filter.mode.as_deref(), filter.rule.as_deref()));
    }
    if let Some(flows) = &c.authentication_flows {
        let methods: Vec<String> = flows
            .methods()
            .iter()
            .map(|m| match *m {
                "deviceCodeFlow" => "device code flow".to_string(),
                "authenticationTransfer" => "authentication transfer".to_string(),
                other => other.to_string(),
            })
            .collect();
        if !methods.is_empty() {
            out.push(format!("authentication flow: {}", or_list(&methods)));
        }
    }
    out
}

/// A built-in grant control in words.
pub fn control_words(control: &str) -> String {
    match control {
        "block" => "block access".into(),
        "mfa" => "require MFA".into(),
        "compliantDevice" => "require a compliant device".into(),
        "domainJoinedDevice" => "require a hybrid-joined device".into(),
        "approvedApplication" => "require an approved client app".into(),
        "compliantApplication" => "require an app protection policy".into(),
        "passwordChange" => "require a password change".into(),
        other => format!("require {other}"),
    }
}

/// What the policy requires.
pub fn grant_words(policy: &ConditionalAccessPolicy, names: &Names) -> String {
    let Some(grant) = &policy.grant_controls else {
        return if policy.session_controls.as_ref().is_some_and(SessionControls::any) {
            "grant access with session controls".into()
        } else {
            "no controls".into()
        };
    };
    let mut parts: Vec<String> = grant.built_in_controls.iter().map(|c| control_words(c)).collect();
    if let Some(strength) = &grant.authentication_strength {
        let name = strength.display_name.clone().unwrap_or_else(|| names.strength(&strength.id));
        parts.push(format!("require authentication strength '{name}'"));
    }
    if !grant.terms_of_use.is_empty() {
        parts.push(format!("require accepting {}", count(grant.terms_of_use.len(), "terms of use", "terms of use")));
    }
    for factor in &grant.custom_authentication_factors {
        parts.push(format!("require custom control {factor}"));
    }
    match parts.len() {
        0 => "grant access with session controls".into(),
        1 => parts.remove(0),
        _ if grant.operator.as_deref() == Some("AND") => format!("all of: {}", and_list(&parts)),
        _ => format!("one of: {}", or_list(&parts)),
    }
}

/// The session controls in words.
pub fn session_words(policy: &ConditionalAccessPolicy) -> Vec<String> {
    let Some(s) = &policy.session_controls else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(f) = s.sign_in_frequency.as_ref().filter(|f| f.is_enabled != Some(false)) {
        if f.frequency_interval.as_deref() == Some("everyTime") {
            out.push("sign in again every time".into());
        } else if let Some(value) = f.value {
            let unit = f.kind.as_deref().unwrap_or("hours");
            let unit = if value == 1 { unit.trim_end_matches('s') } else { unit };
            out.push(format!("sign-in frequency every {value} {unit}"));
        }
    }
    if let Some(b) = s.persistent_browser.as_ref().filter(|b| b.is_enabled != Some(false)) {
        out.push(format!("persistent browser session: {}", b.mode.as_deref().unwrap_or("set")));
    }
    if s.application_enforced_restrictions.as_ref().is_some_and(|a| a.is_enabled != Some(false)) {
        out.push("app-enforced restrictions".into());
    }
    if let Some(m) = s.cloud_app_security.as_ref().filter(|m| m.is_enabled != Some(false)) {
        let how = match m.cloud_app_security_type.as_deref() {
            Some("monitorOnly") => "monitor only",
            Some("blockDownloads") => "block downloads",
            _ => "custom policy",
        };
        out.push(format!("Defender for Cloud Apps session control ({how})"));
    }
    if s.disable_resilience_defaults == Some(true) {
        out.push("resilience defaults off".into());
    }
    out
}

/// The whole policy in words.
pub fn describe(policy: &ConditionalAccessPolicy, names: &Names) -> PolicyWords {
    let (users, excluded) = match clients_words(policy, names) {
        Some(clients) => clients,
        None => users_words(&policy.conditions().users.unwrap_or_default(), names),
    };
    let target = target_words(policy, names);
    let conditions = conditions_words(policy, names);
    let grant = grant_words(policy, names);
    let session = session_words(policy);
    PolicyWords {
        state: policy.policy_state().words().to_string(),
        summary: summary_with(policy, names, &target, &conditions, &grant, &session),
        users,
        excluded,
        target,
        conditions,
        grant,
        session,
    }
}

/// The policy in one line: who · what · when → grant; session.
pub fn summary(policy: &ConditionalAccessPolicy, names: &Names) -> String {
    summary_with(
        policy,
        names,
        &target_words(policy, names),
        &conditions_words(policy, names),
        &grant_words(policy, names),
        &session_words(policy),
    )
}

fn summary_with(
    policy: &ConditionalAccessPolicy,
    names: &Names,
    target: &str,
    conditions: &[String],
    grant: &str,
    session: &[String],
) -> String {
    let mut text = format!("{} · {target}", users_brief(policy, names));
    if !conditions.is_empty() {
        text.push_str(&format!(" · when {}", conditions.join(", ")));
    }
    text.push_str(&format!(" → {grant}"));
    if !session.is_empty() {
        text.push_str(&format!("; {}", session.join(", ")));
    }
    text
}

/// The state in words (`on`, `report-only`, `off`).
pub fn state_words(state: Option<&str>) -> &'static str {
    PolicyState::from_graph(state).words()
}

/// Every id the policy names, with its name and whether it includes or excludes.
pub fn named_ids(policy: &ConditionalAccessPolicy, names: &Names) -> Vec<NamedId> {
    let mut out = Vec::new();
    let guid = |v: &str| uuid::Uuid::try_parse(v).is_ok();
    let mut push = |kind: &str, name: String, id: &str, used_as: &str| {
        if guid(id) {
            let unresolved = !names.is_named(id);
            out.push(NamedId { kind: kind.into(), name, id: id.into(), used_as: used_as.into(), unresolved });
        }
    };
    let c = policy.conditions();
    if let Some(u) = &c.users {
        for (list, how) in [(&u.include_users, "include"), (&u.exclude_users, "exclude")] {
            for id in list {
                let kind = match names.kind(id) {
                    Some("group") => "group",
                    Some("servicePrincipal") => "service_principal",
                    _ => "user",
                };
                push(kind, names.directory_object(id), id, how);
            }
        }
        for (list, how) in [(&u.include_groups, "include"), (&u.exclude_groups, "exclude")] {
            for id in list {
                push("group", names.group(id), id, how);
            }
        }
        for (list, how) in [(&u.include_roles, "include"), (&u.exclude_roles, "exclude")] {
            for id in list {
                push("role", names.role(id), id, how);
            }
        }
    }
    if let Some(s) = &c.client_applications {
        for (list, how) in [
            (&s.include_service_principals, "include"),
            (&s.exclude_service_principals, "exclude"),
            (&s.include_agent_id_service_principals, "include"),
            (&s.exclude_agent_id_service_principals, "exclude"),
        ] {
            for id in list {
                push("service_principal", names.directory_object(id), id, how);
            }
        }
    }
    if let Some(a) = &c.applications {
        for (list, how) in [(&a.include_applications, "include"), (&a.exclude_applications, "exclude")] {
            for id in list {
                push("app", names.app(id), id, how);
            }
        }
    }
    if let Some(l) = &c.locations {
        for (list, how) in [(&l.include_locations, "include"), (&l.exclude_locations, "exclude")] {
            for id in list {
                push("location", names.location(id), id, how);
            }
        }
    }
    if let Some(s) = policy.grant_controls.as_ref().and_then(|g| g.authentication_strength.as_ref()) {
        let name = s.display_name.clone().unwrap_or_else(|| names.strength(&s.id));
        push("authentication_strength", name, &s.id, "grant");
    }
    out
}
