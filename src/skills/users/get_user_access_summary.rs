//! `get_user_access_summary`: every source of a user's power in one answer — directory roles
//! held directly, activated, through role-assignable groups and through PIM for Groups, active
//! and eligible; app role assignments; the delegated permissions they consented to; what they
//! own — and a flag line naming what an admin should look at first.
//!
//! The reads keyed by the user run at once (at most 8 in flight), so a user given by object id
//! costs one round trip; a UPN or `me` is resolved first, because PIM filters take the object
//! id only. A second round reads the roles of the groups found in the first (a group's roles
//! are assignments to the group) and the names of the apps behind the consents. Only the
//! direct role assignments are required: every other section the caller may not read (no P2,
//! a missing role) is left out with a note.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::graph::{GraphRequest, Page, Query};
use crate::odata::{Expr, Literal};
use crate::render::{fields, or_dash, short_time, table, yes_no};
use crate::shared::roles::{self, RoleGrant, RoleName};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_USER_ACCESS_SUMMARY: Declaration = Declaration {
    name: "get_user_access_summary",
    title: "Summarise a user's access and privileges",
    description: "Every source of a user's power in one answer: directory roles held directly, activated, through role-assignable groups or PIM for Groups, active and eligible, with scope, end and privileged flag; app role assignments; apps they consented to; apps and groups they own; and flags such as a permanent Global Administrator. PIM parts need P2. Global Reader.",
    toolset: Toolset::Users,
    permissions: &[
        "RoleManagement.Read.Directory",
        "RoleEligibilitySchedule.Read.Directory",
        "RoleAssignmentSchedule.Read.Directory",
        "PrivilegedEligibilitySchedule.Read.AzureADGroup",
        "PrivilegedAssignmentSchedule.Read.AzureADGroup",
        "GroupMember.Read.All",
        "Directory.Read.All",
    ],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUserAccessSummaryParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RoleRow {
    pub role: String,
    pub role_id: String,
    /// `active` (held now) or `eligible` (may be activated through PIM).
    pub state: String,
    /// `direct` (assigned to the user), `activation` (an eligible role activated now), `group`
    /// (assigned to a role-assignable group the user is in) or `pim_group` (held by a group the
    /// user may activate membership of).
    pub source: String,
    /// The group a `group` or `pim_group` role comes through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// `tenant`, an administrative unit or one object.
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// No end date; absent when PIM's schedule could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permanent: Option<bool>,
    /// Entra marks the role privileged; absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    /// The latest activation or a pending request for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PimGroupRow {
    pub group: String,
    pub group_id: String,
    /// `member` or `owner`.
    pub access: String,
    /// `eligible` or `active`.
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    pub role_assignable: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AppAccessRow {
    pub app: String,
    /// The app's service principal.
    pub app_id: String,
    /// The app role's name, `Default Access`, or its id when the app does not say.
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ConsentRow {
    /// The app that may act as the user.
    pub client: String,
    pub client_id: String,
    /// The API it may call as them.
    pub resource: String,
    pub resource_id: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OwnedRow {
    /// `group`, `application`, `servicePrincipal`, `device`, …
    pub kind: String,
    pub name: String,
    pub id: String,
    /// A role-assignable group: its owner decides who holds its roles.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub role_assignable: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserAccessSummary {
    pub user: PersonRef,
    /// What to look at first: permanent or group-inherited privileged roles, privileged
    /// eligibilities, pending activations, ownership of role-assignable groups.
    pub flags: Vec<String>,
    /// Active roles first, privileged first.
    pub roles: Vec<RoleRow>,
    /// Membership or ownership of groups governed by PIM for Groups.
    pub pim_groups: Vec<PimGroupRow>,
    /// App roles assigned to the user directly.
    pub app_access: Vec<AppAccessRow>,
    /// Delegated permissions the user consented to for themselves.
    pub consents: Vec<ConsentRow>,
    pub owned: Vec<OwnedRow>,
}

/// At most this many Graph requests of one call are in flight.
const MAX_IN_FLIGHT: usize = 8;
/// Rows read per section; a longer section is cut with a note.
const CAP: usize = 100;
/// Groups whose roles are read in the second round.
const MAX_GROUPS: usize = 20;
/// Ids per `id in (…)` filter, as Graph allows.
const IDS_PER_FILTER: usize = 15;
const DEFAULT_ACCESS: &str = "00000000-0000-0000-0000-000000000000";
const PIM_GROUPS: &str = "/identityGovernance/privilegedAccess/group";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GroupName {
    id: String,
    display_name: Option<String>,
    is_assignable_to_role: Option<bool>,
}

/// A PIM for Groups eligibility or assignment schedule instance, with its group expanded.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PimGroupInstance {
    group_id: Option<String>,
    access_id: Option<String>,
    end_date_time: Option<String>,
    group: Option<GroupName>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ScheduleRequest {
    role_definition_id: Option<String>,
    action: Option<String>,
    status: Option<String>,
    created_date_time: Option<String>,
    schedule_info: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AppRoleAssignment {
    app_role_id: Option<String>,
    created_date_time: Option<String>,
    resource_display_name: Option<String>,
    resource_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PermissionGrant {
    client_id: Option<String>,
    consent_type: Option<String>,
    resource_id: Option<String>,
    scope: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AppRole {
    id: String,
    display_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ServicePrincipalName {
    id: String,
    display_name: Option<String>,
    app_roles: Option<Vec<AppRole>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct OwnedObject {
    id: String,
    #[serde(rename = "@odata.type")]
    odata_type: Option<String>,
    display_name: Option<String>,
    is_assignable_to_role: Option<bool>,
}

/// Runs `work` once fewer than [`MAX_IN_FLIGHT`] requests of this call are in flight.
async fn gated<F: Future>(gate: &Semaphore, work: F) -> F::Output {
    // The semaphore is never closed; were it, the request would simply go out ungated.
    let _permit = gate.acquire().await.ok();
    work.await
}

/// A section other than the direct roles: on failure the answer goes on without it and a note
/// says why; throttling still fails the call, as a retry would help.
fn optional<T>(ctx: &Ctx, section: &str, result: Result<Page<T>, SkillError>) -> Result<Option<Page<T>>, SkillError> {
    match result {
        Ok(page) => {
            if page.more {
                ctx.note(format!("{section}: only the first {CAP} are shown"));
            }
            Ok(Some(page))
        }
        Err(e) if e.kind == ErrorKind::Throttled => Err(e),
        Err(e) => {
            ctx.note(format!("{section} unavailable: {}", e.kind.as_str()));
            Ok(None)
        }
    }
}

fn of_user(id: &str, path: &str, query: Query) -> GraphRequest {
    GraphRequest::get(format!("/users/{id}/{path}")).query(query)
}

fn pim_groups_of(set: &str, id: &str) -> GraphRequest {
    GraphRequest::get(format!("{PIM_GROUPS}/{set}")).query(
        Query::new()
            .select(&["id", "principalId", "groupId", "accessId", "startDateTime", "endDateTime"])
            .filter(Expr::eq("principalId", id.to_string()))
            .expand("group($select=id,displayName,isAssignableToRole)"),
    )
}

/// A group whose roles the user gets: one they are in, or one they may activate membership of.
struct RoleGroup {
    id: String,
    name: String,
    /// Through PIM for Groups, until this end (`None`: no end).
    pim_eligible: Option<Option<String>>,
}

async fn get_user_access_summary(ctx: Ctx, p: GetUserAccessSummaryParams) -> Result<UserAccessSummary, SkillError> {
    let key = p.user.parse("user")?;
    // PIM takes object ids only: a UPN or `me` is resolved first; an id needs no lookup round.
    let (id, known) = match &key {
        UserKey::Id(id) => (id.to_string(), None),
        other => {
            let person = resolve_user(&ctx, other).await?;
            (parse_guid("user", &person.id)?.to_string(), Some(person))
        }
    };
    let gate = &Semaphore::new(MAX_IN_FLIGHT);
    let g = &ctx.graph;
    let person = async {
        match &known {
            Some(person) => Ok(person.clone()),
            None => resolve_user(&ctx, &key).await,
        }
    };
    let requests = GraphRequest::get("/roleManagement/directory/roleAssignmentScheduleRequests").query(
        Query::new()
            .select(&["id", "roleDefinitionId", "action", "status", "createdDateTime", "scheduleInfo"])
            .filter(Expr::eq("principalId", id.clone())),
    );
    let memberships = of_user(
        &id,
        "transitiveMemberOf/microsoft.graph.group",
        Query::new()
            .select(&["id", "displayName", "isAssignableToRole"])
            .filter(Expr::eq("isAssignableToRole", true))
            .count()
            .top(CAP),
    )
    .eventual();
    let app_roles = of_user(
        &id,
        "appRoleAssignments",
        Query::new().select(&["id", "appRoleId", "createdDateTime", "resourceDisplayName", "resourceId"]).top(CAP),
    );
    let grants = of_user(
        &id,
        "oauth2PermissionGrants",
        Query::new().select(&["id", "clientId", "consentType", "resourceId", "scope"]).top(CAP),
    );
    let owned =
        of_user(&id, "ownedObjects", Query::new().select(&["id", "displayName", "isAssignableToRole"]).top(CAP));
    let (
        person,
        direct,
        instances,
        eligible,
        requests,
        pim_eligible,
        pim_assigned,
        memberships,
        app_roles,
        grants,
        owned,
        flags,
    ) = tokio::join!(
        gated(gate, person),
        gated(gate, g.list::<RoleGrant>(roles::active_assignments(&id), CAP)),
        gated(gate, g.list::<RoleGrant>(roles::assignment_instances(&id), CAP)),
        gated(gate, g.list::<RoleGrant>(roles::eligibility_instances(&id), CAP)),
        gated(gate, g.list::<ScheduleRequest>(requests, CAP)),
        gated(gate, g.list::<PimGroupInstance>(pim_groups_of("eligibilityScheduleInstances", &id), CAP)),
        gated(gate, g.list::<PimGroupInstance>(pim_groups_of("assignmentScheduleInstances", &id), CAP)),
        gated(gate, g.list::<GroupName>(memberships, CAP)),
        gated(gate, g.list::<AppRoleAssignment>(app_roles, CAP)),
        gated(gate, g.list::<PermissionGrant>(grants, CAP)),
        gated(gate, g.list::<OwnedObject>(owned, CAP)),
        gated(gate, g.list::<RoleName>(roles::privileged_flags_request(), roles::ROLE_DEFINITIONS_CAP)),
    );
    let person = person?;
    let direct = direct.map_err(user_not_found(&key))?;
    let instances = optional(&ctx, "PIM active assignments", instances)?;
    let eligible = optional(&ctx, "PIM eligibilities", eligible)?;
    let requests = optional(&ctx, "PIM activation requests", requests)?;
    let pim_eligible = optional(&ctx, "PIM for Groups eligibilities", pim_eligible)?;
    let pim_assigned = optional(&ctx, "PIM for Groups assignments", pim_assigned)?;
    let memberships = optional(&ctx, "role-assignable group memberships", memberships)?;
    let app_roles = optional(&ctx, "app role assignments", app_roles)?;
    let grants = optional(&ctx, "consents", grants)?;
    let owned = optional(&ctx, "owned objects", owned)?;
    let flags = roles::privileged_flags(&ctx, flags);

    // The groups whose roles the user holds or may activate.
    let mut groups: Vec<RoleGroup> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for group in memberships.iter().flat_map(|p| p.items.iter()) {
        if seen.insert(group.id.to_ascii_lowercase()) {
            groups.push(RoleGroup { id: group.id.clone(), name: group_name(group), pim_eligible: None });
        }
    }
    let pim_rows = pim_group_rows(pim_eligible, pim_assigned);
    for row in pim_rows.iter().filter(|r| r.state == "eligible" && r.access == "member" && r.role_assignable) {
        if seen.insert(row.group_id.to_ascii_lowercase()) {
            groups.push(RoleGroup {
                id: row.group_id.clone(),
                name: row.group.clone(),
                pim_eligible: Some(row.end.clone()),
            });
        }
    }
    if groups.len() > MAX_GROUPS {
        ctx.note(format!("roles of only the first {MAX_GROUPS} of {} role-assignable groups are read", groups.len()));
        groups.truncate(MAX_GROUPS);
    }

    // Second round: each group's roles, and the names of the apps behind consents and roles.
    let app_roles = app_roles.map(|p| p.items).unwrap_or_default();
    let grants: Vec<PermissionGrant> = grants
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .filter(|g| g.consent_type.as_deref() != Some("AllPrincipals"))
        .collect();
    let mut wanted: Vec<String> = Vec::new();
    for sp in grants
        .iter()
        .flat_map(|g| [g.client_id.clone(), g.resource_id.clone()])
        .chain(
            app_roles
                .iter()
                .filter(|a| a.app_role_id.as_deref() != Some(DEFAULT_ACCESS))
                .map(|a| a.resource_id.clone()),
        )
        .flatten()
    {
        if guid(&sp).is_some() && !wanted.iter().any(|w| w.eq_ignore_ascii_case(&sp)) {
            wanted.push(sp);
        }
    }
    if wanted.len() > 3 * IDS_PER_FILTER {
        ctx.note(format!("names of only {} of {} apps are read", 3 * IDS_PER_FILTER, wanted.len()));
    }
    let name_reads = wanted.chunks(IDS_PER_FILTER).take(3).map(|chunk| {
        let ids: Vec<Literal> = chunk.iter().map(|id| Literal::from(id.as_str())).collect();
        let request = GraphRequest::get("/servicePrincipals")
            .query(Query::new().select(&["id", "displayName", "appRoles"]).filter(Expr::is_in("id", ids)));
        gated(gate, g.list::<ServicePrincipalName>(request, IDS_PER_FILTER))
    });
    let group_reads = groups.iter().map(|group| async move {
        tokio::join!(
            gated(gate, g.list::<RoleGrant>(roles::active_assignments(&group.id), CAP)),
            gated(gate, g.list::<RoleGrant>(roles::eligibility_instances(&group.id), CAP)),
        )
    });
    let (group_roles, names) =
        tokio::join!(futures::future::join_all(group_reads), futures::future::join_all(name_reads));

    let mut rows = direct_rows(direct.items, instances.map(|p| p.items), &flags);
    rows.extend(eligible.map(|p| p.items).unwrap_or_default().iter().filter(|e| is_direct(e)).map(|e| RoleRow {
        state: "eligible".into(),
        permanent: Some(e.end_date_time.is_none()),
        ..role_row(e, "direct", &flags)
    }));
    for (group, (active, eligible)) in groups.iter().zip(group_roles) {
        let (source, state_of_active) =
            if group.pim_eligible.is_some() { ("pim_group", "eligible") } else { ("group", "active") };
        let active = optional(&ctx, &format!("roles of group {}", group.name), active)?;
        let eligible = optional(&ctx, &format!("PIM eligibilities of group {}", group.name), eligible)?;
        let grants = active
            .map(|p| p.items)
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a, state_of_active))
            .chain(eligible.map(|p| p.items).unwrap_or_default().into_iter().map(|e| (e, "eligible")));
        for (grant, state) in grants {
            // Through PIM for Groups, the role lasts as long as the membership eligibility.
            let end = match &group.pim_eligible {
                Some(end) => end.clone(),
                None => grant.end_date_time.clone(),
            };
            let known_end = group.pim_eligible.is_some() || state == "eligible";
            rows.push(RoleRow {
                state: state.to_string(),
                group: Some(group.name.clone()),
                group_id: Some(group.id.clone()),
                permanent: known_end.then_some(end.is_none()),
                end,
                ..role_row(&grant, source, &flags)
            });
        }
    }
    attach_requests(&mut rows, requests.map(|p| p.items).unwrap_or_default());
    rows.sort_by(|a, b| {
        (a.state != "active", a.privileged != Some(true), &a.role).cmp(&(
            b.state != "active",
            b.privileged != Some(true),
            &b.role,
        ))
    });

    let mut names_by_id: HashMap<String, ServicePrincipalName> = HashMap::new();
    for read in names {
        match read {
            Ok(page) => names_by_id.extend(page.items.into_iter().map(|sp| (sp.id.to_ascii_lowercase(), sp))),
            Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
            Err(e) => ctx.note(format!("app names unavailable: {}", e.kind.as_str())),
        }
    }
    let name_of = |id: &Option<String>| -> String {
        let id = id.clone().unwrap_or_default();
        names_by_id.get(&id.to_ascii_lowercase()).and_then(|sp| sp.display_name.clone()).unwrap_or(id)
    };
    let app_access = app_roles
        .iter()
        .map(|a| {
            let role_id = a.app_role_id.clone().unwrap_or_else(|| DEFAULT_ACCESS.into());
            let role = if role_id == DEFAULT_ACCESS {
                "Default Access".to_string()
            } else {
                names_by_id
                    .get(&a.resource_id.clone().unwrap_or_default().to_ascii_lowercase())
                    .and_then(|sp| sp.app_roles.as_ref()?.iter().find(|r| r.id.eq_ignore_ascii_case(&role_id)))
                    .and_then(|r| r.display_name.clone())
                    .unwrap_or(role_id)
            };
            AppAccessRow {
                app: a.resource_display_name.clone().unwrap_or_else(|| name_of(&a.resource_id)),
                app_id: a.resource_id.clone().unwrap_or_default(),
                role,
                assigned: a.created_date_time.clone(),
            }
        })
        .collect();
    let consents = grants
        .iter()
        .map(|c| ConsentRow {
            client: name_of(&c.client_id),
            client_id: c.client_id.clone().unwrap_or_default(),
            resource: name_of(&c.resource_id),
            resource_id: c.resource_id.clone().unwrap_or_default(),
            scopes: c.scope.as_deref().unwrap_or_default().split_whitespace().map(str::to_string).collect(),
        })
        .collect();
    let owned: Vec<OwnedRow> = owned
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .map(|o| OwnedRow {
            kind: o
                .odata_type
                .as_deref()
                .and_then(|t| t.strip_prefix("#microsoft.graph."))
                .unwrap_or("directoryObject")
                .to_string(),
            name: o.display_name.clone().unwrap_or_else(|| o.id.clone()),
            role_assignable: o.is_assignable_to_role == Some(true),
            id: o.id,
        })
        .collect();
    Ok(UserAccessSummary {
        flags: flag_lines(&rows, &owned),
        user: person,
        roles: rows,
        pim_groups: pim_rows,
        app_access,
        consents,
        owned,
    })
}

fn group_name(group: &GroupName) -> String {
    group.display_name.clone().unwrap_or_else(|| group.id.clone())
}

/// A schedule instance assigned to the user themselves (not inherited through a group, which
/// the group's own reads cover).
fn is_direct(grant: &RoleGrant) -> bool {
    grant.member_type.as_deref().is_none_or(|m| m.eq_ignore_ascii_case("direct"))
}

fn role_row(grant: &RoleGrant, source: &str, flags: &HashMap<String, bool>) -> RoleRow {
    RoleRow {
        role: grant.role_name(),
        role_id: grant.role_id().to_string(),
        state: "active".into(),
        source: source.into(),
        group: None,
        group_id: None,
        scope: grant.scope(),
        start: grant.start_date_time.clone(),
        end: grant.end_date_time.clone(),
        permanent: None,
        privileged: roles::is_privileged(flags, grant.role_id()),
        activation: None,
    }
}

/// The user's own active roles: `roleAssignments` says what they hold, PIM's instances (when
/// readable) since when, until when, and whether it was assigned or activated.
fn direct_rows(
    assignments: Vec<RoleGrant>,
    instances: Option<Vec<RoleGrant>>,
    flags: &HashMap<String, bool>,
) -> Vec<RoleRow> {
    let key = |g: &RoleGrant| (g.role_id().to_ascii_lowercase(), g.scope());
    let known = instances.is_some();
    let mut instances: Vec<RoleGrant> = instances.unwrap_or_default().into_iter().filter(is_direct).collect();
    let mut rows = Vec::new();
    for assignment in assignments {
        let position = instances.iter().position(|i| key(i) == key(&assignment));
        let row = match position.map(|p| instances.remove(p)) {
            Some(instance) => instance_row(&instance, flags),
            None => RoleRow { permanent: None, ..role_row(&assignment, "direct", flags) },
        };
        rows.push(row);
    }
    // PIM may know an assignment `roleAssignments` did not list yet.
    rows.extend(instances.iter().map(|i| instance_row(i, flags)));
    if !known {
        for row in &mut rows {
            row.permanent = None;
        }
    }
    rows
}

fn instance_row(instance: &RoleGrant, flags: &HashMap<String, bool>) -> RoleRow {
    let activated = instance.assignment_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("activated"));
    RoleRow {
        permanent: Some(instance.end_date_time.is_none()),
        ..role_row(instance, if activated { "activation" } else { "direct" }, flags)
    }
}

/// Adds to each eligible role its latest activation or its pending request.
fn attach_requests(rows: &mut [RoleRow], mut requests: Vec<ScheduleRequest>) {
    requests.retain(|r| r.action.as_deref().is_some_and(|a| a.eq_ignore_ascii_case("selfActivate")));
    requests.sort_by(|a, b| b.created_date_time.cmp(&a.created_date_time));
    for row in rows.iter_mut().filter(|r| r.source == "direct") {
        let Some(request) = requests
            .iter()
            .find(|r| r.role_definition_id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(&row.role_id)))
        else {
            continue;
        };
        let when = request.created_date_time.as_deref().map(short_time).unwrap_or_default();
        row.activation = match request.status.as_deref() {
            Some("PendingApproval") => Some(format!("activation requested {when} UTC, pending approval")),
            Some("Provisioned") | Some("Granted") => {
                let duration = request
                    .schedule_info
                    .as_ref()
                    .and_then(|s| s.pointer("/expiration/duration"))
                    .and_then(serde_json::Value::as_str)
                    .map(|d| format!(" for {}", d.trim_start_matches("PT").to_ascii_lowercase()))
                    .unwrap_or_default();
                Some(format!("last activated {when} UTC{duration}"))
            }
            Some(other) => Some(format!("activation requested {when} UTC: {other}")),
            None => None,
        };
    }
}

/// PIM for Groups rows from the eligibility and assignment instances.
fn pim_group_rows(
    eligible: Option<Page<PimGroupInstance>>,
    assigned: Option<Page<PimGroupInstance>>,
) -> Vec<PimGroupRow> {
    let rows = |page: Option<Page<PimGroupInstance>>, state: &'static str| {
        page.map(|p| p.items).unwrap_or_default().into_iter().map(move |i| {
            let group = i.group.unwrap_or_default();
            PimGroupRow {
                group: i.group_id.clone().map(|id| group.display_name.clone().unwrap_or(id)).unwrap_or_default(),
                group_id: i.group_id.unwrap_or_default(),
                access: i.access_id.unwrap_or_else(|| "member".into()),
                state: state.into(),
                end: i.end_date_time,
                role_assignable: group.is_assignable_to_role == Some(true),
            }
        })
    };
    rows(assigned, "active").chain(rows(eligible, "eligible")).collect()
}

/// The lines an admin reads first.
fn flag_lines(rows: &[RoleRow], owned: &[OwnedRow]) -> Vec<String> {
    let mut flags: Vec<String> = Vec::new();
    for r in rows.iter().filter(|r| r.privileged == Some(true)) {
        let through = r.group.as_deref().unwrap_or_default();
        let line = match (r.state.as_str(), r.source.as_str()) {
            ("active", "direct") if r.permanent == Some(true) => format!("permanent {}", r.role),
            ("active", "activation") => {
                format!("{} activated until {}", r.role, r.end.as_deref().map(short_time).unwrap_or_default())
            }
            ("active", "group") => format!("privileged role {} through group {through}", r.role),
            ("eligible", "direct") => match &r.activation {
                Some(activation) => format!("eligible for {} ({activation})", r.role),
                None => format!("eligible for {}", r.role),
            },
            ("eligible", "group") => format!("eligible for {} through group {through}", r.role),
            ("eligible", "pim_group") => format!("eligible for {} through PIM group {through}", r.role),
            _ => continue,
        };
        if !flags.contains(&line) {
            flags.push(line);
        }
    }
    for o in owned.iter().filter(|o| o.role_assignable) {
        flags.push(format!("owns role-assignable group {}, so decides who holds its roles", o.name));
    }
    flags.truncate(12);
    flags
}

impl Render for UserAccessSummary {
    fn markdown(&self) -> String {
        let who = match (&self.user.display_name, &self.user.upn) {
            (Some(name), Some(upn)) => format!("{name} ({upn})"),
            (Some(name), None) => name.clone(),
            (None, Some(upn)) => upn.clone(),
            (None, None) => self.user.id.clone(),
        };
        let mut text = fields(&[("user", Some(who)), ("id", Some(self.user.id.clone()))]);
        if self.flags.is_empty() {
            text.push_str("\nflags: none");
        } else {
            text.push_str("\nflags:");
            for flag in &self.flags {
                text.push_str(&format!("\n- {flag}"));
            }
        }
        let roles: Vec<Vec<String>> = self
            .roles
            .iter()
            .map(|r| {
                let through = r.group.as_deref().unwrap_or_default();
                let source = match r.source.as_str() {
                    "group" => format!("group {through}"),
                    "pim_group" => format!("PIM group {through}"),
                    "activation" => "PIM activation".to_string(),
                    _ => "direct".to_string(),
                };
                let ends = match (&r.end, r.permanent) {
                    (Some(end), _) => short_time(end),
                    (None, Some(true)) => "permanent".to_string(),
                    _ => "-".to_string(),
                };
                vec![
                    r.role.clone(),
                    r.state.clone(),
                    source,
                    r.scope.clone(),
                    ends,
                    yes_no(r.privileged).unwrap_or_else(|| "-".into()),
                    or_dash(&r.activation),
                    r.role_id.clone(),
                ]
            })
            .collect();
        text.push_str(&format!(
            "\ndirectory roles ({}):\n{}",
            self.roles.len(),
            table(&["role", "state", "source", "scope", "ends (UTC)", "privileged", "activation", "role id"], &roles)
        ));
        if !self.pim_groups.is_empty() {
            let rows: Vec<Vec<String>> = self
                .pim_groups
                .iter()
                .map(|g| {
                    vec![
                        g.group.clone(),
                        g.access.clone(),
                        g.state.clone(),
                        g.end.as_deref().map(short_time).unwrap_or_else(|| "permanent".into()),
                        yes_no(Some(g.role_assignable)).unwrap_or_default(),
                        g.group_id.clone(),
                    ]
                })
                .collect();
            text.push_str(&format!(
                "\nPIM for Groups ({}):\n{}",
                self.pim_groups.len(),
                table(&["group", "access", "state", "ends (UTC)", "role-assignable", "group id"], &rows)
            ));
        }
        let apps: Vec<Vec<String>> = self
            .app_access
            .iter()
            .map(|a| {
                vec![
                    a.app.clone(),
                    a.role.clone(),
                    a.assigned.as_deref().map(short_time).unwrap_or_default(),
                    a.app_id.clone(),
                ]
            })
            .collect();
        text.push_str(&format!(
            "\napp access ({}):\n{}",
            self.app_access.len(),
            table(&["app", "app role", "assigned (UTC)", "service principal id"], &apps)
        ));
        let consents: Vec<Vec<String>> = self
            .consents
            .iter()
            .map(|c| vec![c.client.clone(), c.resource.clone(), c.scopes.join(" "), c.client_id.clone()])
            .collect();
        text.push_str(&format!(
            "\nconsents given by the user ({}):\n{}",
            self.consents.len(),
            table(&["client app", "API", "scopes", "client id"], &consents)
        ));
        let owned: Vec<Vec<String>> = self
            .owned
            .iter()
            .map(|o| {
                let kind = if o.role_assignable { format!("{} (role-assignable)", o.kind) } else { o.kind.clone() };
                vec![kind, o.name.clone(), o.id.clone()]
            })
            .collect();
        text.push_str(&format!("\nowns ({}):\n{}", self.owned.len(), table(&["kind", "name", "id"], &owned)));
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What admin access and privileges does jordan@woodgrovebank.com have, from every source?",
        args: r#"{"user":"jordan@woodgrovebank.com"}"#,
        facts: &[
            Fact::Some("roles/*/role", "Security Reader"),
            Fact::Some("roles/*/role", "Reports Reader"),
            Fact::Some("flags/*", "eligible for Security Administrator"),
            Fact::Some("flags/*", "eligible for User Administrator"),
            Fact::Some("flags/*", "~Conditional Access Administrator (activation requested"),
            Fact::Some("flags/*", "eligible for Helpdesk Administrator through PIM group Helpdesk Operators"),
            Fact::Some("roles/*/source", "pim_group"),
            Fact::Some("pim_groups/*/group", "Helpdesk Operators"),
            Fact::Says("PIM group Helpdesk Operators"),
        ],
    },
    Example {
        question: "Is Priya Natarajan a Global Administrator, and when did she last use it?",
        args: r#"{"user":"priya@woodgrovebank.com"}"#,
        facts: &[
            Fact::Some("roles/*/role", "Global Administrator"),
            Fact::Every("roles/*/state", "eligible"),
            Fact::Some("roles/*/activation", "~last activated"),
            Fact::Some("flags/*", "~eligible for Global Administrator (last activated"),
        ],
    },
    Example {
        question: "Does the break-glass account hold permanent Global Administrator?",
        args: r#"{"user":"breakglass01@woodgrovebank.onmicrosoft.com"}"#,
        facts: &[
            Fact::Some("flags/*", "permanent Global Administrator"),
            Fact::Some("roles/*/permanent", "true"),
            Fact::Every("roles/*/source", "direct"),
        ],
    },
    Example {
        question: "Where does Kevin Obi's helpdesk admin power come from?",
        args: r#"{"user":"kevin.obi@woodgrovebank.com"}"#,
        facts: &[
            Fact::Some("flags/*", "privileged role Helpdesk Administrator through group Helpdesk Operators"),
            Fact::Some("flags/*", "eligible for Authentication Administrator through group Helpdesk Operators"),
            Fact::Every("roles/*/source", "group"),
            Fact::Some("pim_groups/*/state", "active"),
        ],
    },
    Example {
        question: "Access summary for Karita: her app role assignments and her own consents",
        args: r#"{"user":"karita@woodgrovebank.com"}"#,
        facts: &[
            Fact::Count("roles/*", 0),
            Fact::Some("app_access/*/app", "Woodgrove Finance Portal"),
            Fact::Some("app_access/*/role", "Default Access"),
            Fact::Some("consents/*/client", "Treasury Forecast Tool"),
            Fact::Some("consents/*/resource", "Microsoft Graph"),
            Fact::Some("consents/*/scopes/*", "Files.Read.All"),
        ],
    },
    Example {
        question: "Full access summary for Tom Okafor: roles, app access and owned objects",
        args: r#"{"user":"f49c4912-8b12-57db-8142-86b257371952"}"#,
        facts: &[
            Fact::Some("owned/*/name", "Helpdesk Operators"),
            Fact::Some("owned/*/kind", "application"),
            Fact::Some("flags/*", "~owns role-assignable group Helpdesk Operators"),
            Fact::Some("flags/*", "eligible for Privileged Role Administrator"),
            // Given an object id, the first round needs no lookup: twelve reads, no second round.
            Fact::Count("graph_requests/*", 12),
        ],
    },
    Example {
        question: "Access summary of someone who does not exist",
        args: r#"{"user":"nobody@woodgrovebank.com"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_USER_ACCESS_SUMMARY, get_user_access_summary)
}
