//! A Conditional Access policy as an admin states it — who, which apps, under which conditions,
//! what it requires — turned into the exact Graph body: the rules of a valid policy checked
//! first (no Graph call for a malformed intent), then every name resolved to an id (a miss names
//! the closest objects), the tenant's break-glass accounts added to the exclusions, and the
//! state always `enabledForReportingButNotEnforced`, whatever the intent asked.
//!
//! `draft_ca_policy` shows the result and `create_ca_policy_report_only` posts it: both go
//! through [`build`], so what was drafted is exactly what is created.

use std::collections::BTreeSet;

use futures::FutureExt;
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::graph::resources::{
    AuthenticationStrengthPolicy, ConditionSet, ConditionalAccessApplications, ConditionalAccessAuthenticationFlows,
    ConditionalAccessDevices, ConditionalAccessFilter, ConditionalAccessLocations, ConditionalAccessPlatforms,
    ConditionalAccessPolicy, ConditionalAccessUsers, ExternalTenants, GrantControls, Group, GuestsOrExternalUsers,
    NamedLocation, PersistentBrowserSessionControl, RoleDefinition, ServicePrincipal, SessionControls,
    SignInFrequencySessionControl, User,
};
use crate::graph::{GraphRequest, Query};
use crate::render::trim;
use crate::shared::resolve::{self, APP, GROUP, ROLE};
use crate::shared::*;
use crate::skill::{Ctx, ErrorKind, SkillError};

use super::policies::distance;

/// Graph's value for a policy that is evaluated and logged but never enforced.
pub const REPORT_ONLY: &str = "enabledForReportingButNotEnforced";

/// Every kind of guest and external user, as Entra lists them for "all guests".
pub const ALL_GUEST_TYPES: &str =
    "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider";

/// The most names one intent may give in all.
const MAX_NAMES: usize = 60;
/// Lookups in flight at once.
const IN_FLIGHT: usize = 8;

/// What a new policy should do, in an admin's terms.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyIntent {
    /// Display name of the policy.
    pub name: String,
    /// Who it covers.
    #[serde(default)]
    pub include: Who,
    /// Who it leaves out (break-glass accounts are always added).
    #[serde(default, skip_serializing_if = "Who::is_empty")]
    pub exclude: Who,
    /// `all`, `office365`, `admin_portals`, app names or appIds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<String>,
    /// Apps left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_apps: Vec<String>,
    /// Instead of apps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_actions: Vec<UserAction>,
    #[serde(default, skip_serializing_if = "Conditions::is_empty")]
    pub conditions: Conditions,
    #[serde(default)]
    pub grant: Grant,
    #[serde(default, skip_serializing_if = "Session::is_empty")]
    pub session: Session,
    /// Ignored: a new policy is always report-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<RequestedState>,
}

/// Users, groups, roles and guests.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Who {
    /// UPNs, object ids, `me`; `all` (include only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// Group names or ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Directory role names or ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// All guests and external users.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub guests: bool,
}

impl Who {
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.groups.is_empty() && self.roles.is_empty() && !self.guests
    }

    fn names(&self) -> usize {
        self.users.len() + self.groups.len() + self.roles.len()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserAction {
    RegisterSecurityInfo,
    RegisterOrJoinDevices,
}

impl UserAction {
    fn graph(self) -> &'static str {
        match self {
            UserAction::RegisterSecurityInfo => "urn:user:registersecurityinfo",
            UserAction::RegisterOrJoinDevices => "urn:user:registerdevice",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestedState {
    Enabled,
    ReportOnly,
    Disabled,
}

/// Conditions; each one left empty is not evaluated.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<Platform>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_platforms: Vec<Platform>,
    /// Named locations (names or ids), `trusted` or `all`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_locations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_apps: Vec<ClientApp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sign_in_risk: Vec<RiskLevel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_risk: Vec<RiskLevel>,
    /// Only devices in this state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceState>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth_flows: Vec<AuthFlow>,
}

impl Conditions {
    pub fn is_empty(&self) -> bool {
        !self.any()
    }

    /// Whether any condition narrows the policy.
    fn any(&self) -> bool {
        !self.platforms.is_empty()
            || !self.exclude_platforms.is_empty()
            || !self.locations.is_empty()
            || !self.exclude_locations.is_empty()
            || !self.client_apps.is_empty()
            || !self.sign_in_risk.is_empty()
            || !self.user_risk.is_empty()
            || self.device.is_some()
            || !self.auth_flows.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Android,
    Ios,
    Windows,
    Macos,
    Linux,
}

impl Platform {
    fn graph(self) -> &'static str {
        match self {
            Platform::Android => "android",
            Platform::Ios => "iOS",
            Platform::Windows => "windows",
            Platform::Macos => "macOS",
            Platform::Linux => "linux",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientApp {
    Browser,
    MobileAppsAndDesktopClients,
    ExchangeActiveSync,
    /// Other legacy clients (IMAP, POP, SMTP …).
    Other,
}

impl ClientApp {
    fn graph(self) -> &'static str {
        match self {
            ClientApp::Browser => "browser",
            ClientApp::MobileAppsAndDesktopClients => "mobileAppsAndDesktopClients",
            ClientApp::ExchangeActiveSync => "exchangeActiveSync",
            ClientApp::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl RiskLevel {
    fn graph(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    Compliant,
    NotCompliant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthFlow {
    DeviceCodeFlow,
    AuthenticationTransfer,
}

impl AuthFlow {
    fn graph(self) -> &'static str {
        match self {
            AuthFlow::DeviceCodeFlow => "deviceCodeFlow",
            AuthFlow::AuthenticationTransfer => "authenticationTransfer",
        }
    }
}

/// What the policy requires.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<Control>,
    /// Authentication strength name or id (instead of `mfa`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_strength: Option<String>,
    /// `or` (default): any one control; `and`: all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<Operator>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    Block,
    Mfa,
    CompliantDevice,
    HybridJoinedDevice,
    ApprovedApp,
    CompliantApp,
    PasswordChange,
}

impl Control {
    fn graph(self) -> &'static str {
        match self {
            Control::Block => "block",
            Control::Mfa => "mfa",
            Control::CompliantDevice => "compliantDevice",
            Control::HybridJoinedDevice => "domainJoinedDevice",
            Control::ApprovedApp => "approvedApplication",
            Control::CompliantApp => "compliantApplication",
            Control::PasswordChange => "passwordChange",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    And,
    Or,
}

/// Session controls.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Sign in again after this many hours (1–23, or whole days up to 365 × 24).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_frequency_hours: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistent_browser: Option<PersistentBrowser>,
}

impl Session {
    pub fn is_empty(&self) -> bool {
        self.sign_in_frequency_hours.is_none() && self.persistent_browser.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersistentBrowser {
    Always,
    Never,
}

/// One name of the intent and the object it resolved to.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResolvedName {
    /// `user`, `group`, `role`, `app`, `location`, `authentication_strength`.
    pub kind: String,
    /// As the intent gave it.
    pub given: String,
    pub name: String,
    pub id: String,
}

/// The intent as a policy: the exact body, and what was done to get there.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The `POST {CA}/policies` body.
    pub policy: ConditionalAccessPolicy,
    pub names: Vec<ResolvedName>,
    /// Break-glass accounts added to the exclusions.
    pub break_glass: Vec<ResolvedName>,
    /// What deserves a second look (none of it stops the draft).
    pub warnings: Vec<String>,
    /// The intent asked for a state other than report-only.
    pub state_overridden: Option<String>,
    /// The signed-in caller's object id, when it could be read.
    pub caller: Option<String>,
}

impl Draft {
    /// The exact JSON sent to Graph.
    pub fn body(&self) -> Value {
        serde_json::to_value(&self.policy).unwrap_or_default()
    }

    /// A stable id of the body: the same intent against the same tenant gives the same id, so
    /// a preview of the creation can be matched with the draft the admin reviewed.
    pub fn draft_id(&self) -> String {
        let text = serde_json::to_string(&self.body()).unwrap_or_default();
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, text.as_bytes()).to_string()
    }
}

/// Accepted spellings: `Office 365`, `office365`, `admin-portals` …
fn key(value: &str) -> String {
    value.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_ascii_lowercase()
}

fn is_all(value: &str) -> bool {
    key(value) == "all"
}

fn invalid(problems: Vec<String>) -> SkillError {
    SkillError::new(ErrorKind::InvalidInput, format!("not a valid Conditional Access policy: {}", problems.join("; ")))
        .with_remedy(
            "fix the intent: at least one user, group, role or `guests` to include; `apps` or `user_actions`; a grant \
         control or a session control; `block` alone",
        )
}

/// The rules a policy must keep, checked before any lookup: a malformed intent costs no Graph
/// call. Returns the warnings for what is allowed but deserves a second look.
pub fn check(intent: &PolicyIntent) -> Result<Vec<String>, SkillError> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let name = intent.name.trim();
    if name.is_empty() || name.chars().count() > 256 || name.chars().any(char::is_control) {
        problems.push("`name` must be 1–256 printable characters".to_string());
    }
    if intent.include.is_empty() {
        problems.push("`include` names no one: add users, groups, roles or `guests`".into());
    }
    if intent.exclude.users.iter().any(|u| is_all(u)) {
        problems.push("`exclude.users` cannot be `all`".into());
    }
    if intent.include.names()
        + intent.exclude.names()
        + intent.apps.len()
        + intent.exclude_apps.len()
        + intent.conditions.locations.len()
        + intent.conditions.exclude_locations.len()
        > MAX_NAMES
    {
        problems.push(format!("at most {MAX_NAMES} names in one policy; use groups rather than many users"));
    }
    match (intent.apps.is_empty(), intent.user_actions.is_empty()) {
        (true, true) => problems.push("no `apps` and no `user_actions`: say what the policy protects".into()),
        (false, false) => problems.push("`apps` and `user_actions` cannot be combined".into()),
        _ => {}
    }
    if intent.user_actions.len() > 1 {
        problems.push("one user action per policy".into());
    }
    if !intent.exclude_apps.is_empty() && intent.apps.is_empty() {
        problems.push("`exclude_apps` needs `apps`".into());
    }
    let grant = &intent.grant;
    let controls: BTreeSet<Control> = grant.controls.iter().copied().collect();
    let session = &intent.session;
    let has_session = session.sign_in_frequency_hours.is_some() || session.persistent_browser.is_some();
    if controls.is_empty() && grant.authentication_strength.is_none() && !has_session {
        problems.push("no control: give `grant.controls`, an `authentication_strength` or a `session` control".into());
    }
    if controls.contains(&Control::Block) && (controls.len() > 1 || grant.authentication_strength.is_some()) {
        problems.push("`block` stands alone: it cannot be combined with other grant controls".into());
    }
    if controls.contains(&Control::Block) && has_session {
        problems.push("a session control means nothing on a policy that blocks".into());
    }
    if controls.contains(&Control::Mfa) && grant.authentication_strength.is_some() {
        problems
            .push("`mfa` and an `authentication_strength` cannot both be required; the strength already is MFA".into());
    }
    if controls.contains(&Control::PasswordChange) {
        let with_mfa = controls.contains(&Control::Mfa) || grant.authentication_strength.is_some();
        if intent.conditions.user_risk.is_empty() || !with_mfa || grant.operator != Some(Operator::And) {
            problems.push(
                "`password_change` needs a `user_risk` condition and `mfa` (or a strength) with operator `and`".into(),
            );
        }
        if !(intent.apps.len() == 1 && is_all(&intent.apps[0])) {
            problems.push("`password_change` needs `apps` to be `all`".into());
        }
    }
    if let Some(hours) = session.sign_in_frequency_hours
        && (hours == 0 || (hours > 23 && (hours % 24 != 0 || hours / 24 > 365)))
    {
        problems.push("`sign_in_frequency_hours` must be 1–23, or whole days (24, 48 …) up to 365 days".into());
    }
    if session.persistent_browser.is_some() && !(intent.apps.len() == 1 && is_all(&intent.apps[0])) {
        problems.push("`persistent_browser` needs `apps` to be `all`".into());
    }
    let all_users = intent.include.users.iter().any(|u| is_all(u));
    let all_apps = intent.apps.iter().any(|a| is_all(a));
    if controls.contains(&Control::Block) && all_users && all_apps && !intent.conditions.any() {
        problems.push(
            "it would block every user from every app with no condition: it locks the whole tenant out (break-glass \
             accounts aside)"
                .into(),
        );
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    if controls.contains(&Control::Block) && all_users {
        warnings.push(
            "it blocks all users under its conditions, admins included: check the What-If and the report-only results \
             before anyone enables it"
                .into(),
        );
    }
    if controls.len() > 1 && grant.operator.is_none() {
        warnings.push("several controls and no operator: any one of them satisfies the policy (`or`)".into());
    }
    Ok(warnings)
}

/// A name to resolve, and where its id goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    IncludeUser,
    ExcludeUser,
    IncludeGroup,
    ExcludeGroup,
    IncludeRole,
    ExcludeRole,
    IncludeApp,
    ExcludeApp,
    IncludeLocation,
    ExcludeLocation,
    Strength,
    BreakGlass,
}

impl Slot {
    fn kind(self) -> &'static str {
        match self {
            Slot::IncludeUser | Slot::ExcludeUser | Slot::BreakGlass => "user",
            Slot::IncludeGroup | Slot::ExcludeGroup => "group",
            Slot::IncludeRole | Slot::ExcludeRole => "role",
            Slot::IncludeApp | Slot::ExcludeApp => "app",
            Slot::IncludeLocation | Slot::ExcludeLocation => "location",
            Slot::Strength => "authentication_strength",
        }
    }
}

/// What one lookup found: the name and id, or a miss with the closest names.
enum Found {
    One(ResolvedName),
    /// A keyword (`All`, `Office365`, `AllTrusted` …): no lookup.
    Keyword(String),
    Missing(String),
    Failed(SkillError),
}

/// The tenant's small lists, read once when the intent names something in them.
#[derive(Default)]
struct Lists {
    locations: Vec<NamedLocation>,
    strengths: Vec<AuthenticationStrengthPolicy>,
}

/// Checks the intent, resolves every name, adds the break-glass exclusions and forces the
/// state: the policy to post. Unknown names are one `not_found` naming each with its closest
/// matches; an invalid intent is `invalid_input` naming every problem.
pub async fn build(ctx: &Ctx, intent: &PolicyIntent) -> Result<Draft, SkillError> {
    let mut warnings = check(intent)?;
    let mut wanted: Vec<(Slot, String)> = Vec::new();
    let push_all = |wanted: &mut Vec<(Slot, String)>, slot: Slot, values: &[String]| {
        for v in values {
            let v = v.trim().to_string();
            if !wanted.iter().any(|(s, w)| *s == slot && w.eq_ignore_ascii_case(&v)) {
                wanted.push((slot, v));
            }
        }
    };
    push_all(&mut wanted, Slot::IncludeUser, &intent.include.users);
    push_all(&mut wanted, Slot::ExcludeUser, &intent.exclude.users);
    push_all(&mut wanted, Slot::IncludeGroup, &intent.include.groups);
    push_all(&mut wanted, Slot::ExcludeGroup, &intent.exclude.groups);
    push_all(&mut wanted, Slot::IncludeRole, &intent.include.roles);
    push_all(&mut wanted, Slot::ExcludeRole, &intent.exclude.roles);
    push_all(&mut wanted, Slot::IncludeApp, &intent.apps);
    push_all(&mut wanted, Slot::ExcludeApp, &intent.exclude_apps);
    push_all(&mut wanted, Slot::IncludeLocation, &intent.conditions.locations);
    push_all(&mut wanted, Slot::ExcludeLocation, &intent.conditions.exclude_locations);
    if let Some(strength) = &intent.grant.authentication_strength {
        push_all(&mut wanted, Slot::Strength, std::slice::from_ref(strength));
    }
    push_all(&mut wanted, Slot::BreakGlass, ctx.guard.break_glass());

    let needs_locations = wanted.iter().any(|(s, v)| {
        matches!(s, Slot::IncludeLocation | Slot::ExcludeLocation) && !matches!(key(v).as_str(), "all" | "trusted")
    });
    let needs_strengths = wanted.iter().any(|(s, _)| *s == Slot::Strength);
    let (lists, caller) = tokio::join!(read_lists(ctx, needs_locations, needs_strengths), caller_id(ctx));
    let lists = lists?;
    let caller = ctx.optional("the caller's id (the lock-out check)", caller);

    let lookups: Vec<BoxFuture<'_, (Slot, String, Found)>> = wanted
        .iter()
        .cloned()
        .map(|(slot, given)| {
            let lists = &lists;
            async move {
                let found = lookup(ctx, slot, &given, lists).await;
                (slot, given, found)
            }
            .boxed()
        })
        .collect();
    let found: Vec<(Slot, String, Found)> = stream::iter(lookups).buffered(IN_FLIGHT).collect().await;

    let mut missing = Vec::new();
    let mut ids: Vec<(Slot, String)> = Vec::new();
    let mut names = Vec::new();
    let mut break_glass = Vec::new();
    for (slot, given, result) in found {
        match result {
            Found::One(row) => {
                ids.push((slot, row.id.clone()));
                if slot == Slot::BreakGlass {
                    break_glass.push(row);
                } else if !names.contains(&row) {
                    names.push(row);
                }
            }
            Found::Keyword(word) => ids.push((slot, word)),
            Found::Missing(_) if slot == Slot::BreakGlass => warnings.push(format!(
                "the break-glass account `{}` (ENTRA_MCP_BREAK_GLASS) was not found, so it could not be excluded",
                trim(&given, 80)
            )),
            Found::Missing(text) => missing.push(text),
            Found::Failed(e) => return Err(e),
        }
    }
    if !missing.is_empty() {
        return Err(SkillError::new(ErrorKind::NotFound, format!("not found: {}", missing.join("; ")))
            .with_remedy("correct the names (the closest are listed), or give object ids; then draft again"));
    }
    let of = |slot: Slot| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (s, id) in &ids {
            if *s == slot && !out.iter().any(|o| o.eq_ignore_ascii_case(id)) {
                out.push(id.clone());
            }
        }
        out
    };

    // Break-glass accounts are always excluded, whatever the intent says.
    let mut exclude_users = of(Slot::ExcludeUser);
    let mut added = Vec::new();
    for row in &break_glass {
        if !exclude_users.iter().any(|u| u.eq_ignore_ascii_case(&row.id)) {
            exclude_users.push(row.id.clone());
            added.push(row.clone());
        }
        if of(Slot::IncludeUser).iter().any(|u| u.eq_ignore_ascii_case(&row.id)) {
            warnings.push(format!("{} is a break-glass account: named in `include`, it stays excluded", row.name));
        }
    }
    if ctx.guard.break_glass().is_empty() {
        warnings.push(
            "no break-glass accounts are configured (ENTRA_MCP_BREAK_GLASS): exclude your emergency accounts by hand"
                .into(),
        );
    }

    let state_overridden = match intent.state {
        Some(RequestedState::Enabled) => Some("enabled".to_string()),
        Some(RequestedState::Disabled) => Some("disabled".to_string()),
        _ => None,
    };
    if let Some(asked) = &state_overridden {
        warnings.push(format!(
            "the intent asked for state `{asked}`; the policy is report-only (enabledForReportingButNotEnforced), as \
             every policy this server creates: enable it in the Entra admin center once its report-only results are \
             reviewed"
        ));
    }

    let guests = || GuestsOrExternalUsers {
        guest_or_external_user_types: Some(ALL_GUEST_TYPES.to_string()),
        external_tenants: Some(ExternalTenants {
            odata_type: Some("#microsoft.graph.conditionalAccessAllExternalTenants".into()),
            membership_kind: Some("all".into()),
            members: Vec::new(),
        }),
    };
    let users = ConditionalAccessUsers {
        include_users: of(Slot::IncludeUser),
        exclude_users,
        include_groups: of(Slot::IncludeGroup),
        exclude_groups: of(Slot::ExcludeGroup),
        include_roles: of(Slot::IncludeRole),
        exclude_roles: of(Slot::ExcludeRole),
        include_guests_or_external_users: intent.include.guests.then(guests),
        exclude_guests_or_external_users: intent.exclude.guests.then(guests),
    };
    let applications = ConditionalAccessApplications {
        include_applications: of(Slot::IncludeApp),
        exclude_applications: of(Slot::ExcludeApp),
        include_user_actions: intent.user_actions.iter().map(|a| a.graph().to_string()).collect(),
        ..ConditionalAccessApplications::default()
    };
    let c = &intent.conditions;
    let platforms = (!c.platforms.is_empty() || !c.exclude_platforms.is_empty()).then(|| ConditionalAccessPlatforms {
        include_platforms: if c.platforms.is_empty() {
            vec!["all".to_string()]
        } else {
            c.platforms.iter().map(|p| p.graph().to_string()).collect()
        },
        exclude_platforms: c.exclude_platforms.iter().map(|p| p.graph().to_string()).collect(),
    });
    let include_locations = of(Slot::IncludeLocation);
    let exclude_locations = of(Slot::ExcludeLocation);
    let locations =
        (!include_locations.is_empty() || !exclude_locations.is_empty()).then(|| ConditionalAccessLocations {
            include_locations: if include_locations.is_empty() { vec!["All".to_string()] } else { include_locations },
            exclude_locations,
        });
    let client_app_types = if c.client_apps.is_empty() {
        vec!["all".to_string()]
    } else {
        c.client_apps.iter().map(|a| a.graph().to_string()).collect()
    };
    let devices = c.device.map(|state| ConditionalAccessDevices {
        device_filter: Some(ConditionalAccessFilter {
            mode: Some("include".into()),
            rule: Some(
                match state {
                    DeviceState::Compliant => "device.isCompliant -eq True",
                    DeviceState::NotCompliant => "device.isCompliant -ne True",
                }
                .into(),
            ),
        }),
    });
    let authentication_flows = (!c.auth_flows.is_empty()).then(|| ConditionalAccessAuthenticationFlows {
        transfer_methods: Some(c.auth_flows.iter().map(|f| f.graph()).collect::<Vec<_>>().join(",")),
    });
    let conditions = ConditionSet {
        users: Some(users),
        applications: Some(applications),
        platforms,
        locations,
        client_app_types,
        sign_in_risk_levels: c.sign_in_risk.iter().map(|r| r.graph().to_string()).collect(),
        user_risk_levels: c.user_risk.iter().map(|r| r.graph().to_string()).collect(),
        devices,
        authentication_flows,
        ..ConditionSet::default()
    };
    let strength = of(Slot::Strength).into_iter().next();
    let grant_controls = (!intent.grant.controls.is_empty() || strength.is_some()).then(|| GrantControls {
        operator: Some(if intent.grant.operator == Some(Operator::And) { "AND" } else { "OR" }.to_string()),
        built_in_controls: intent.grant.controls.iter().map(|c| c.graph().to_string()).collect(),
        authentication_strength: strength.map(|id| AuthenticationStrengthPolicy { id, ..Default::default() }),
        ..GrantControls::default()
    });
    let session = &intent.session;
    let session_controls =
        (session.sign_in_frequency_hours.is_some() || session.persistent_browser.is_some()).then(|| SessionControls {
            sign_in_frequency: session.sign_in_frequency_hours.map(|hours| {
                let (kind, value) = if hours < 24 { ("hours", hours) } else { ("days", hours / 24) };
                SignInFrequencySessionControl {
                    is_enabled: Some(true),
                    kind: Some(kind.into()),
                    value: Some(i64::from(value)),
                    authentication_type: Some("primaryAndSecondaryAuthentication".into()),
                    frequency_interval: Some("timeBased".into()),
                }
            }),
            persistent_browser: session.persistent_browser.map(|mode| PersistentBrowserSessionControl {
                is_enabled: Some(true),
                mode: Some(if mode == PersistentBrowser::Always { "always" } else { "never" }.into()),
            }),
            ..SessionControls::default()
        });
    let policy = ConditionalAccessPolicy {
        display_name: Some(intent.name.trim().to_string()),
        state: Some(REPORT_ONLY.to_string()),
        conditions: Some(conditions),
        grant_controls,
        session_controls,
        ..ConditionalAccessPolicy::default()
    };
    names.sort();
    Ok(Draft { policy, names, break_glass: added, warnings, state_overridden, caller })
}

async fn read_lists(ctx: &Ctx, locations: bool, strengths: bool) -> Result<Lists, SkillError> {
    let read_locations = async { if locations { super::names::named_locations(ctx).await } else { Ok(Vec::new()) } };
    let read_strengths =
        async {
            if strengths {
                let request = GraphRequest::get("/policies/authenticationStrengthPolicies")
                    .query(Query::new().select(&["id", "displayName", "policyType", "allowedCombinations"]));
                Ok(ctx.graph.list::<AuthenticationStrengthPolicy>(request, 200).await?.items)
            } else {
                Ok(Vec::new())
            }
        };
    let (locations, strengths) = tokio::join!(read_locations, read_strengths);
    Ok(Lists { locations: locations?, strengths: strengths? })
}

/// Up to three names closest to `given`: most words in common, then fewest edits.
pub fn closest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let wanted = given.to_lowercase();
    let words: Vec<&str> = wanted.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 1).collect();
    let mut scored: Vec<(std::cmp::Reverse<usize>, usize, String)> = candidates
        .into_iter()
        .map(|name| {
            let lower = name.to_lowercase();
            let common = words.iter().filter(|w| lower.contains(*w)).count();
            (std::cmp::Reverse(common), distance(&lower, &wanted), name.to_string())
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.2 == b.2);
    scored.into_iter().take(3).map(|(_, _, n)| n).collect()
}

fn missing(kind: &str, given: &str, near: Vec<String>) -> Found {
    let shown = trim(given, 80);
    Found::Missing(if near.is_empty() {
        format!("{kind} `{shown}` (nothing with a similar name)")
    } else {
        format!("{kind} `{shown}` (closest: {})", near.join(", "))
    })
}

/// Candidates for a name that matched nothing: the objects whose name has a word starting like
/// the given name's first word (Graph's `$search`, an advanced query).
async fn near_by_search(ctx: &Ctx, collection: &'static str, property: &'static str, given: &str) -> Vec<String> {
    let prefix: String = given
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| w.chars().count() >= 3)
        .map(|w| w.chars().take(3).collect())
        .unwrap_or_default();
    if prefix.is_empty() {
        return Vec::new();
    }
    let request = GraphRequest::get(collection)
        .query(Query::new().select(&["id", property]).search(property, prefix).count().top(25))
        .eventual();
    let Ok(page) = ctx.graph.list::<Value>(request, 25).await else { return Vec::new() };
    let candidates: Vec<String> =
        page.items.iter().filter_map(|v| v.get(property).and_then(Value::as_str).map(str::to_string)).collect();
    closest(given, candidates.iter().map(String::as_str))
}

async fn lookup(ctx: &Ctx, slot: Slot, given: &str, lists: &Lists) -> Found {
    let kind = slot.kind();
    match slot {
        Slot::IncludeUser | Slot::ExcludeUser | Slot::BreakGlass => {
            if is_all(given) && slot == Slot::IncludeUser {
                return Found::Keyword("All".into());
            }
            let key = match UserRef::new(given).parse("users") {
                Ok(key) => key,
                Err(e) => return Found::Failed(e),
            };
            match user_target(ctx, &key, &[]).await {
                Ok(user) => Found::One(user_row(given, &user)),
                Err(e) if e.kind == ErrorKind::NotFound => {
                    let near = match &key {
                        UserKey::Upn(upn) => near_by_search(ctx, "/users", "userPrincipalName", upn).await,
                        _ => Vec::new(),
                    };
                    missing(kind, given, near)
                }
                Err(e) => Found::Failed(e),
            }
        }
        Slot::IncludeGroup | Slot::ExcludeGroup => {
            match resolve::resolve::<Group>(ctx, &GROUP, given, &["id", "displayName", "groupTypes", "mail"]).await {
                Ok(group) => Found::One(ResolvedName {
                    kind: kind.into(),
                    given: given.into(),
                    name: group.display_name.clone().unwrap_or_else(|| group.id.clone()),
                    id: group.id,
                }),
                Err(e) if e.kind == ErrorKind::NotFound => {
                    missing(kind, given, near_by_search(ctx, "/groups", "displayName", given).await)
                }
                Err(e) => Found::Failed(with_field(e, "groups")),
            }
        }
        Slot::IncludeRole | Slot::ExcludeRole => {
            match resolve::resolve::<RoleDefinition>(ctx, &ROLE, given, &["id", "displayName", "isBuiltIn"]).await {
                Ok(role) => Found::One(ResolvedName {
                    kind: kind.into(),
                    given: given.into(),
                    name: role.display_name.clone().unwrap_or_else(|| role.id.clone()),
                    id: role.id,
                }),
                // The role resolver already names the closest roles.
                Err(e) if e.kind == ErrorKind::NotFound => {
                    Found::Missing(format!("role `{}`: {}", trim(given, 80), e.message))
                }
                Err(e) => Found::Failed(with_field(e, "roles")),
            }
        }
        Slot::IncludeApp | Slot::ExcludeApp => {
            match key(given).as_str() {
                "all" => return Found::Keyword("All".into()),
                "office365" => return Found::Keyword("Office365".into()),
                "adminportals" | "microsoftadminportals" => return Found::Keyword("MicrosoftAdminPortals".into()),
                _ => {}
            }
            match resolve::resolve::<ServicePrincipal>(ctx, &APP, given, &["id", "displayName", "appId"]).await {
                Ok(app) => match app.app_id {
                    Some(app_id) => Found::One(ResolvedName {
                        kind: kind.into(),
                        given: given.into(),
                        name: app.display_name.unwrap_or_else(|| app_id.clone()),
                        id: app_id,
                    }),
                    None => missing(kind, given, Vec::new()),
                },
                Err(e) if e.kind == ErrorKind::NotFound => {
                    missing(kind, given, near_by_search(ctx, "/servicePrincipals", "displayName", given).await)
                }
                Err(e) => Found::Failed(with_field(e, "apps")),
            }
        }
        Slot::IncludeLocation | Slot::ExcludeLocation => {
            match key(given).as_str() {
                "all" | "anywhere" => return Found::Keyword("All".into()),
                "trusted" | "alltrusted" => return Found::Keyword("AllTrusted".into()),
                _ => {}
            }
            let hit = lists.locations.iter().find(|l| {
                l.id.eq_ignore_ascii_case(given)
                    || l.display_name.as_deref().is_some_and(|n| n.trim().eq_ignore_ascii_case(given))
            });
            match hit {
                Some(l) => Found::One(ResolvedName {
                    kind: kind.into(),
                    given: given.into(),
                    name: l.display_name.clone().unwrap_or_else(|| l.id.clone()),
                    id: l.id.clone(),
                }),
                None => {
                    let mut near = closest(given, lists.locations.iter().filter_map(|l| l.display_name.as_deref()));
                    near.push("trusted".into());
                    missing("named location", given, near)
                }
            }
        }
        Slot::Strength => {
            let hit = lists.strengths.iter().find(|s| {
                s.id.eq_ignore_ascii_case(given)
                    || s.display_name.as_deref().is_some_and(|n| n.trim().eq_ignore_ascii_case(given))
            });
            match hit {
                Some(s) => Found::One(ResolvedName {
                    kind: kind.into(),
                    given: given.into(),
                    name: s.display_name.clone().unwrap_or_else(|| s.id.clone()),
                    id: s.id.clone(),
                }),
                None => missing(
                    "authentication strength",
                    given,
                    closest(given, lists.strengths.iter().filter_map(|s| s.display_name.as_deref())),
                ),
            }
        }
    }
}

/// Users, groups and roles of a [`Who`], resolved: ids with their names (`All` for `all` users).
#[derive(Debug, Clone, Default)]
pub struct WhoIds {
    pub users: Vec<ResolvedName>,
    pub groups: Vec<ResolvedName>,
    pub roles: Vec<ResolvedName>,
    pub guests: bool,
}

/// Resolves a [`Who`]: every user, group and role to its id, at most eight lookups at once;
/// misses are one `not_found` naming each with its closest matches. `all` is a user only when
/// `all_users` allows it.
pub async fn resolve_who(ctx: &Ctx, who: &Who, field: &str, all_users: bool) -> Result<WhoIds, SkillError> {
    if who.names() > MAX_NAMES {
        return Err(SkillError::invalid_value(
            field,
            format!("names {} users, groups and roles", who.names()),
            &format!("at most {MAX_NAMES} names; use groups rather than many users"),
        ));
    }
    if !all_users && who.users.iter().any(|u| is_all(u)) {
        return Err(SkillError::invalid_value(field, "`all` is not a user here", "UPNs, object ids or `me`"));
    }
    let mut wanted: Vec<(Slot, String)> = Vec::new();
    for (slot, list) in
        [(Slot::IncludeUser, &who.users), (Slot::IncludeGroup, &who.groups), (Slot::IncludeRole, &who.roles)]
    {
        for v in list {
            let v = v.trim().to_string();
            if !wanted.iter().any(|(s, w)| *s == slot && w.eq_ignore_ascii_case(&v)) {
                wanted.push((slot, v));
            }
        }
    }
    let lists = Lists::default();
    let lookups: Vec<BoxFuture<'_, (Slot, String, Found)>> = wanted
        .into_iter()
        .map(|(slot, given)| {
            let lists = &lists;
            async move {
                let found = lookup(ctx, slot, &given, lists).await;
                (slot, given, found)
            }
            .boxed()
        })
        .collect();
    let found: Vec<(Slot, String, Found)> = stream::iter(lookups).buffered(IN_FLIGHT).collect().await;
    let mut out = WhoIds { guests: who.guests, ..WhoIds::default() };
    let mut missing = Vec::new();
    for (slot, given, result) in found {
        let row = match result {
            Found::One(row) => row,
            Found::Keyword(word) => {
                ResolvedName { kind: "user".into(), given: given.clone(), name: "all users".into(), id: word }
            }
            Found::Missing(text) => {
                missing.push(text);
                continue;
            }
            Found::Failed(e) => return Err(e),
        };
        match slot {
            Slot::IncludeGroup => out.groups.push(row),
            Slot::IncludeRole => out.roles.push(row),
            _ => out.users.push(row),
        }
    }
    if !missing.is_empty() {
        return Err(SkillError::new(ErrorKind::NotFound, format!("`{field}`: not found: {}", missing.join("; ")))
            .with_remedy("correct the names (the closest are listed), or give object ids"));
    }
    Ok(out)
}

fn user_row(given: &str, user: &User) -> ResolvedName {
    ResolvedName { kind: "user".into(), given: given.into(), name: user_label(user), id: user.id.clone() }
}

/// The shared resolvers name their own field (`group`); the intent's is plural.
fn with_field(mut e: SkillError, field: &str) -> SkillError {
    if e.kind == ErrorKind::InvalidInput {
        e.message = format!("`{field}`: {}", e.message);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(json: serde_json::Value) -> PolicyIntent {
        serde_json::from_value(json).expect("an intent")
    }

    fn problems(json: serde_json::Value) -> String {
        check(&intent(json)).err().map(|e| e.message).unwrap_or_default()
    }

    #[test]
    fn the_rules_of_a_valid_policy() {
        let ok = serde_json::json!({"name": "MFA for Finance", "include": {"groups": ["Finance Department"]},
            "apps": ["all"], "grant": {"controls": ["mfa"]}});
        assert!(check(&intent(ok)).is_ok());
        assert!(
            problems(serde_json::json!({"name": "x", "apps": ["all"], "grant": {"controls": ["mfa"]}}))
                .contains("names no one")
        );
        assert!(
            problems(serde_json::json!({"name": "x", "include": {"guests": true}, "grant": {"controls": ["mfa"]}}))
                .contains("no `apps`")
        );
        assert!(
            problems(serde_json::json!({"name": "x", "include": {"guests": true}, "apps": ["all"]}))
                .contains("no control")
        );
        assert!(
            problems(serde_json::json!({"name": "x", "include": {"guests": true}, "apps": ["all"],
            "grant": {"controls": ["block", "mfa"]}}))
            .contains("stands alone")
        );
        assert!(
            problems(serde_json::json!({"name": "x", "include": {"users": ["all"]}, "apps": ["all"],
            "grant": {"controls": ["block"]}}))
            .contains("locks the whole tenant out")
        );
        assert!(
            problems(serde_json::json!({"name": "x", "include": {"users": ["all"]}, "apps": ["all"],
            "grant": {"controls": ["mfa", "password_change"]}}))
            .contains("`password_change` needs")
        );
        // With a condition, blocking everyone is a legitimate policy (legacy clients).
        let legacy = serde_json::json!({"name": "x", "include": {"users": ["all"]}, "apps": ["all"],
            "conditions": {"client_apps": ["exchange_active_sync", "other"]}, "grant": {"controls": ["block"]}});
        assert!(check(&intent(legacy)).is_ok());
    }

    #[test]
    fn closest_names_share_words_then_letters() {
        let names = ["Finance Department", "Finance Team", "Sales Team", "CA Exclusions"];
        assert_eq!(closest("Finanse Team", names)[0], "Finance Team");
        assert_eq!(closest("Sales Teem", names)[0], "Sales Team");
    }
}
