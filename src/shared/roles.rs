//! Directory roles as more than one toolset reads them: a principal's active assignments and
//! PIM schedule instances, each with its role's name (expanded, so no second lookup), which
//! roles Entra marks privileged, and how a scope reads.
//!
//! `isPrivileged` is a beta property of `unifiedRoleDefinition`: v1.0 refuses it in `$select`.
//! It is read once per call from beta, beside the v1.0 reads, and a failure there only loses
//! the flag.
//!
//! Role names are matched tolerantly, for every toolset that takes a `role` (through
//! `resolve::ROLE`): case, spacing and punctuation do not matter, the usual short forms are
//! understood ("Global Admin", "helpdesk admin", "CA admin", "PRA"), a unique role containing
//! every word given wins ("helpdesk"), and so does a unique near miss (one typo). Anything else
//! is `not_found` naming the closest roles, or `ambiguous` naming the candidates.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::params::shorten;
use super::resolve::{self, CANDIDATES, Kind, Named, ROLE};
use crate::error::{ErrorKind, SkillError};
use crate::graph::resources::{DirectoryObject, RoleDefinition};
use crate::graph::{GraphRequest, Page, Query};
use crate::odata::Expr;
use crate::skill::Ctx;

/// Global Administrator's template id (built-in roles use it as their id).
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

/// The role definition as an expanded assignment carries it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleName {
    pub id: String,
    pub display_name: Option<String>,
    /// Beta only.
    pub is_privileged: Option<bool>,
}

/// An active role assignment or a PIM schedule instance (active or eligible): the fields they
/// share, and the two only an assignment schedule instance has.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleGrant {
    pub id: String,
    pub principal_id: Option<String>,
    pub role_definition_id: Option<String>,
    pub directory_scope_id: Option<String>,
    pub start_date_time: Option<String>,
    pub end_date_time: Option<String>,
    /// `Assigned` or `Activated` (assignment schedule instances only).
    pub assignment_type: Option<String>,
    /// `Direct`, `Group` or `Inherited` (schedule instances only).
    pub member_type: Option<String>,
    pub role_definition: Option<RoleName>,
    /// The holder, when expanded (`$expand=principal`).
    pub principal: Option<DirectoryObject>,
    /// When a PIM schedule (not an instance) starts and ends.
    pub schedule_info: Option<ScheduleInfo>,
}

/// A PIM schedule's `scheduleInfo`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ScheduleInfo {
    pub start_date_time: Option<String>,
    pub expiration: Option<Expiration>,
}

/// `noExpiration`, `afterDateTime` (with `endDateTime`) or `afterDuration` (with `duration`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Expiration {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub end_date_time: Option<String>,
    pub duration: Option<String>,
}

impl RoleGrant {
    pub fn role_id(&self) -> &str {
        self.role_definition_id.as_deref().unwrap_or_default()
    }

    /// The role's display name, or its id when the definition was not expanded.
    pub fn role_name(&self) -> String {
        self.role_definition.as_ref().and_then(|d| d.display_name.clone()).unwrap_or_else(|| self.role_id().to_string())
    }

    pub fn scope(&self) -> String {
        scope_label(self.directory_scope_id.as_deref())
    }

    /// When it starts: an instance's `startDateTime`, or its schedule's.
    pub fn start(&self) -> Option<DateTime<Utc>> {
        let schedule = self.schedule_info.as_ref().and_then(|s| s.start_date_time.as_deref());
        instant(self.start_date_time.as_deref().or(schedule))
    }

    /// When it ends, `None` for no end: an instance's `endDateTime`, or its schedule's end (a
    /// duration counted from the start).
    pub fn end(&self) -> Option<DateTime<Utc>> {
        if let Some(end) = instant(self.end_date_time.as_deref()) {
            return Some(end);
        }
        let expiration = self.schedule_info.as_ref()?.expiration.as_ref()?;
        match expiration.kind.as_deref() {
            Some("afterDateTime") => instant(expiration.end_date_time.as_deref()),
            Some("afterDuration") => Some(self.start()? + iso_duration(expiration.duration.as_deref()?)?),
            _ => None,
        }
    }

    /// The holder's kind: `user`, `group`, `service_principal` (or `unknown` unexpanded).
    pub fn principal_kind(&self) -> &'static str {
        principal_kind(self.principal.as_ref().and_then(|p| p.odata_type.as_deref()))
    }
}

/// A Graph time, read.
pub fn instant(text: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text?).ok().map(|t| t.with_timezone(&Utc))
}

/// An ISO 8601 duration as PIM writes them (`PT8H`, `P1D`, `PT30M`, `P1DT12H`); weeks, months
/// and years are not used.
pub fn iso_duration(text: &str) -> Option<Duration> {
    let rest = text.strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((days, time)) => (days, time),
        None => (rest, ""),
    };
    let mut total = Duration::zero();
    if !days.is_empty() {
        total += Duration::days(days.strip_suffix('D')?.parse().ok()?);
    }
    let mut number = String::new();
    for c in time.chars() {
        match c {
            '0'..='9' => number.push(c),
            'H' | 'M' | 'S' => {
                let n: i64 = std::mem::take(&mut number).parse().ok()?;
                total += match c {
                    'H' => Duration::hours(n),
                    'M' => Duration::minutes(n),
                    _ => Duration::seconds(n),
                };
            }
            _ => return None,
        }
    }
    number.is_empty().then_some(total)
}

/// `#microsoft.graph.user` → `user`, and so on.
pub fn principal_kind(odata_type: Option<&str>) -> &'static str {
    match odata_type.map(|t| t.trim_start_matches("#microsoft.graph.")) {
        Some("user") => "user",
        Some("group") => "group",
        Some("servicePrincipal") => "service_principal",
        Some("device") => "device",
        _ => "unknown",
    }
}

/// A list of a `roleManagement/directory` set (`roleAssignments`,
/// `roleEligibilityScheduleInstances`, `roleEligibilitySchedules`, …), filtered, with the holder
/// and the role's name expanded.
pub fn list_with_holders(set: &str, filter: Option<Expr>, select: &'static [&'static str]) -> GraphRequest {
    GraphRequest::get(format!("{BASE}/{set}"))
        .query(Query::new().select(select).filter_opt(filter).expand(HOLDER_AND_ROLE_NAME))
}

/// The holder's fields an answer names (a user's UPN and state, a service principal's appId).
const HOLDER_AND_ROLE_NAME: &str =
    "principal($select=id,displayName,userPrincipalName,appId,accountEnabled),roleDefinition($select=id,displayName)";

const ROLE_NAME: &str = "roleDefinition($select=id,displayName)";
const BASE: &str = "/roleManagement/directory";

fn of_principal(set: &str, principal: &str, select: &'static [&'static str]) -> GraphRequest {
    // principalId is a string property: Graph wants it quoted, not as a bare GUID.
    GraphRequest::get(format!("{BASE}/{set}"))
        .query(Query::new().select(select).filter(Expr::eq("principalId", principal.to_string())).expand(ROLE_NAME))
}

/// `roleAssignments` of one principal (active now: permanent, time-bound or activated).
pub fn active_assignments(principal: &str) -> GraphRequest {
    of_principal("roleAssignments", principal, &["id", "principalId", "roleDefinitionId", "directoryScopeId"])
}

/// `roleAssignmentScheduleInstances` of one principal: the active ones as PIM sees them, with
/// start, end and whether they were assigned or activated. Needs P2.
pub fn assignment_instances(principal: &str) -> GraphRequest {
    of_principal(
        "roleAssignmentScheduleInstances",
        principal,
        &[
            "id",
            "principalId",
            "roleDefinitionId",
            "directoryScopeId",
            "startDateTime",
            "endDateTime",
            "assignmentType",
            "memberType",
        ],
    )
}

/// `roleEligibilityScheduleInstances` of one principal: what it may activate. Needs P2.
pub fn eligibility_instances(principal: &str) -> GraphRequest {
    of_principal(
        "roleEligibilityScheduleInstances",
        principal,
        &["id", "principalId", "roleDefinitionId", "directoryScopeId", "startDateTime", "endDateTime", "memberType"],
    )
}

/// Every role definition's `isPrivileged` flag (beta), by role id.
pub fn privileged_flags_request() -> GraphRequest {
    GraphRequest::get(format!("{BASE}/roleDefinitions")).beta().query(Query::new().select(&[
        "id",
        "displayName",
        "isPrivileged",
    ]))
}

/// How many role definitions a tenant has at most worth reading (built-in ones are about 130).
pub const ROLE_DEFINITIONS_CAP: usize = 1000;

/// The flags of [`privileged_flags_request`]'s answer; on failure a note says the flag is
/// unknown, and the answer goes on without it.
pub fn privileged_flags(ctx: &Ctx, listed: Result<Page<RoleName>, SkillError>) -> HashMap<String, bool> {
    match listed {
        Ok(page) => {
            page.items.into_iter().filter_map(|d| Some((d.id.to_ascii_lowercase(), d.is_privileged?))).collect()
        }
        Err(e) => {
            ctx.note(format!("privileged flags unavailable (beta roleDefinitions: {})", e.kind.as_str()));
            HashMap::new()
        }
    }
}

/// Whether a role is privileged, when known. Global Administrator always is.
pub fn is_privileged(flags: &HashMap<String, bool>, role_id: &str) -> Option<bool> {
    flags
        .get(&role_id.to_ascii_lowercase())
        .copied()
        .or_else(|| role_id.eq_ignore_ascii_case(GLOBAL_ADMINISTRATOR).then_some(true))
}

/// `/` is the whole tenant; `/administrativeUnits/{id}` an administrative unit; `/{id}` one
/// object (an app registration, a group).
pub fn scope_label(scope: Option<&str>) -> String {
    match scope {
        None | Some("/") | Some("") => "tenant".to_string(),
        Some(scope) => match scope.strip_prefix("/administrativeUnits/") {
            Some(unit) => format!("administrative unit {unit}"),
            None => format!("object {}", scope.trim_start_matches('/')),
        },
    }
}

/// A role by display name (matched tolerantly) or id: id, name and whether it is built in.
pub async fn resolve_role(ctx: &Ctx, value: &str) -> Result<RoleDefinition, SkillError> {
    resolve::resolve(ctx, &ROLE, value, &["id", "displayName", "isBuiltIn"]).await
}

/// Short forms admins use, and the words they stand for.
const SHORT_FORMS: &[(&str, &[&str])] = &[
    ("admin", &["administrator"]),
    ("adm", &["administrator"]),
    ("administrators", &["administrator"]),
    ("admins", &["administrator"]),
    ("app", &["application"]),
    ("apps", &["application"]),
    ("auth", &["authentication"]),
    ("ca", &["conditional", "access"]),
    ("dir", &["directory"]),
    ("ga", &["global", "administrator"]),
    ("id", &["identity"]),
    ("pra", &["privileged", "role", "administrator"]),
    ("paa", &["privileged", "authentication", "administrator"]),
    ("pwd", &["password"]),
    ("sec", &["security"]),
];

/// A name as words: lower case, split at anything not a letter or digit, short forms written
/// out, a plural `s` dropped ("Directory Readers" and "directory reader" are one name).
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let word = word.to_lowercase();
        match SHORT_FORMS.iter().find(|(short, _)| *short == word) {
            Some((_, long)) => out.extend(long.iter().map(|w| w.to_string())),
            None if word.chars().count() > 3 && word.ends_with('s') && !word.ends_with("ss") => {
                out.push(word[..word.len() - 1].to_string())
            }
            None => out.push(word),
        }
    }
    out
}

/// Whether two role names are the same name as admins type them: case, spacing, punctuation,
/// short forms and a plural `s` aside ("global admin" is Global Administrator).
pub fn same_role_name(a: &str, b: &str) -> bool {
    let (a, b) = (words(a).concat(), words(b).concat());
    !a.is_empty() && a == b
}

/// How a name given by an admin matched a list of role names (indexes into it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch {
    One(usize),
    /// Several roles fit equally well.
    Several(Vec<usize>),
    /// None fits; the closest, best first.
    Closest(Vec<usize>),
}

/// Matches `given` against `names`: the same words (spacing and short forms aside), else the
/// only name holding every word given, else the only name one or two typos away.
pub fn match_role_name(given: &str, names: &[&str]) -> NameMatch {
    let wanted = words(given);
    let key = wanted.concat();
    let keyed: Vec<(Vec<String>, String)> = names
        .iter()
        .map(|n| {
            let w = words(n);
            let k = w.concat();
            (w, k)
        })
        .collect();
    let pick = |hits: Vec<usize>| match hits.len() {
        0 => None,
        1 => Some(NameMatch::One(hits[0])),
        _ => Some(NameMatch::Several(hits)),
    };
    if key.is_empty() {
        return NameMatch::Closest(Vec::new());
    }
    let same: Vec<usize> = (0..names.len()).filter(|&i| keyed[i].1 == key).collect();
    if let Some(found) = pick(same) {
        return found;
    }
    let holding: Vec<usize> = (0..names.len())
        .filter(|&i| wanted.iter().all(|w| keyed[i].0.contains(w)) || keyed[i].1.contains(&key))
        .collect();
    if let Some(found) = pick(holding) {
        return found;
    }
    let distances: Vec<usize> = keyed.iter().map(|(_, k)| edit_distance(&key, k)).collect();
    if key.chars().count() >= 8 {
        let near: Vec<usize> = (0..names.len()).filter(|&i| distances[i] <= 2).collect();
        if let Some(found) = pick(near) {
            return found;
        }
    }
    // Closest: most words in common, then fewest edits.
    let mut order: Vec<usize> = (0..names.len()).collect();
    let shared = |i: usize| wanted.iter().filter(|w| keyed[i].0.contains(w)).count();
    order.sort_by_key(|&i| (std::cmp::Reverse(shared(i)), distances[i]));
    order.truncate(5);
    NameMatch::Closest(order)
}

/// Levenshtein distance, over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// A role name that is not the exact display name: every role definition is read (they are
/// few) and matched with [`match_role_name`]; a tolerant match is said in a note.
pub(super) async fn resolve_loosely<T: Named>(
    ctx: &Ctx,
    kind: &Kind,
    value: &str,
    select: &'static [&'static str],
) -> Result<T, SkillError> {
    let request = GraphRequest::get(kind.collection).query(Query::new().select(select));
    let mut listed = ctx.graph.list::<T>(request, ROLE_DEFINITIONS_CAP).await?.items;
    let names: Vec<&str> = listed.iter().map(|r| r.name().unwrap_or_default()).collect();
    match match_role_name(value, &names) {
        NameMatch::One(i) => {
            let found = listed.swap_remove(i);
            ctx.note(format!(
                "{} `{}` read as {}",
                kind.field,
                shorten(value.trim()),
                found.name().unwrap_or_else(|| found.object_id())
            ));
            Ok(found)
        }
        NameMatch::Several(hits) => {
            let candidates = hits
                .iter()
                .take(CANDIDATES)
                .map(|&i| format!("{} ({}, {})", names[i], listed[i].object_id(), listed[i].distinguishing()))
                .collect::<Vec<_>>()
                .join("; ");
            Err(SkillError::new(
                ErrorKind::Ambiguous,
                format!("{} roles match '{}': {candidates}", hits.len(), shorten(value.trim())),
            )
            .with_remedy(format!("call again with the full name or the id of the one you mean as `{}`", kind.field)))
        }
        NameMatch::Closest(closest) => {
            let mut error = resolve::not_found(kind, &format!("{} named '{}'", kind.noun, shorten(value.trim())));
            if !closest.is_empty() {
                let near = closest.iter().map(|&i| names[i]).collect::<Vec<_>>().join(", ");
                error.message = format!("{}; the closest roles are {near}", error.message);
            }
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &[
        "Global Administrator",
        "Global Reader",
        "Helpdesk Administrator",
        "Security Administrator",
        "Security Reader",
        "Directory Readers",
        "Conditional Access Administrator",
        "Privileged Role Administrator",
        "Privileged Authentication Administrator",
        "Application Administrator",
        "Cloud Application Administrator",
    ];

    fn matched(given: &str) -> NameMatch {
        match_role_name(given, NAMES)
    }

    fn name(m: &NameMatch) -> &'static str {
        match m {
            NameMatch::One(i) => NAMES[*i],
            _ => "",
        }
    }

    #[test]
    fn role_names_match_whatever_the_case_spacing_and_short_forms() {
        for (given, expected) in [
            ("Global Admin", "Global Administrator"),
            ("global administrator", "Global Administrator"),
            ("GA", "Global Administrator"),
            ("helpdesk admin", "Helpdesk Administrator"),
            ("Help Desk Administrator", "Helpdesk Administrator"),
            ("helpdesk", "Helpdesk Administrator"),
            ("directory reader", "Directory Readers"),
            ("CA admin", "Conditional Access Administrator"),
            ("pra", "Privileged Role Administrator"),
            ("app admin", "Application Administrator"),
            ("Secuirty Reader", "Security Reader"),
            ("  SECURITY-administrator ", "Security Administrator"),
        ] {
            assert_eq!(name(&matched(given)), expected, "{given}");
        }
    }

    #[test]
    fn several_fits_are_ambiguous_and_none_names_the_closest() {
        let NameMatch::Several(hits) = matched("global") else { panic!("global is ambiguous") };
        assert_eq!(hits.len(), 2);
        assert!(matches!(matched("security"), NameMatch::Several(_)));
        let NameMatch::Closest(closest) = matched("Billing Administrator") else { panic!("no billing role") };
        assert!(!closest.is_empty() && closest.len() <= 5);
        assert!(NAMES[closest[0]].ends_with("Administrator"));
        assert_eq!(matched("   "), NameMatch::Closest(Vec::new()));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn pim_durations_and_schedule_ends_read_as_times() {
        assert_eq!(iso_duration("PT8H"), Some(Duration::hours(8)));
        assert_eq!(iso_duration("P1DT12H"), Some(Duration::hours(36)));
        assert_eq!(iso_duration("PT30M"), Some(Duration::minutes(30)));
        assert_eq!(iso_duration("P2D"), Some(Duration::days(2)));
        assert_eq!(iso_duration("8 hours"), None);
        assert_eq!(iso_duration("PT8"), None);
        let grant = RoleGrant {
            schedule_info: Some(ScheduleInfo {
                start_date_time: Some("2026-11-20T10:00:00Z".into()),
                expiration: Some(Expiration {
                    kind: Some("afterDuration".into()),
                    end_date_time: None,
                    duration: Some("PT8H".into()),
                }),
            }),
            ..RoleGrant::default()
        };
        assert_eq!(grant.end(), instant(Some("2026-11-20T18:00:00Z")));
        let permanent = RoleGrant { start_date_time: Some("2026-11-20T10:00:00Z".into()), ..RoleGrant::default() };
        assert_eq!(permanent.end(), None);
        assert_eq!(principal_kind(Some("#microsoft.graph.servicePrincipal")), "service_principal");
    }

    #[test]
    fn scopes_read_as_an_admin_names_them() {
        assert_eq!(scope_label(None), "tenant");
        assert_eq!(scope_label(Some("/")), "tenant");
        assert_eq!(scope_label(Some("/administrativeUnits/42")), "administrative unit 42");
        assert_eq!(scope_label(Some("/5b1a-app")), "object 5b1a-app");
    }

    #[test]
    fn global_administrator_is_privileged_even_without_the_beta_flags() {
        let none = HashMap::new();
        assert_eq!(is_privileged(&none, &GLOBAL_ADMINISTRATOR.to_uppercase()), Some(true));
        assert_eq!(is_privileged(&none, "4a5d8f65-41da-4de4-8968-e035b65339cf"), None);
        let flags = HashMap::from([("4a5d8f65-41da-4de4-8968-e035b65339cf".to_string(), false)]);
        assert_eq!(is_privileged(&flags, "4A5D8F65-41DA-4DE4-8968-E035B65339CF"), Some(false));
    }

    #[test]
    fn principal_filters_quote_the_id_and_expand_the_role_name() {
        let request = active_assignments("c563c437-0241-5d5e-ba18-cb29b082a4b5");
        let described = request.describe();
        assert!(described.contains("principalId eq 'c563c437-0241-5d5e-ba18-cb29b082a4b5'"), "{described}");
        assert!(described.contains("$expand=roleDefinition($select=id,displayName)"), "{described}");
        assert!(privileged_flags_request().describe().starts_with("GET beta "));
    }
}
