//! `update_ca_policy_assignments`: adds or removes the users, groups, roles and guests a
//! Conditional Access policy includes or excludes — `PATCH {CA}/policies/{id}` with only
//! `conditions.users`, so nothing else of the policy moves. It never removes a break-glass
//! exclusion and never leaves a policy that includes no one. Tier 3 on an enforced policy
//! (the human re-types its name), tier 2 on a report-only or disabled one.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::graph::resources::{
    ConditionalAccessPolicy, ConditionalAccessUsers, ExternalTenants, GuestsOrExternalUsers, PolicyState,
};
use crate::graph::{GraphRequest, path};
use crate::render::fields;
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::intent::{ALL_GUEST_TYPES, ResolvedName, Who, WhoIds, resolve_who};
use super::names::Names;
use super::policies::find_policy;
use super::words;

const UPDATE_CA_POLICY_ASSIGNMENTS: Declaration = Declaration {
    name: "update_ca_policy_assignments",
    title: "Change a Conditional Access policy's assignments",
    description: "Add or remove the users, groups, roles or guests a Conditional Access policy includes or excludes; nothing else of the policy changes, break-glass exclusions are never removed. Preview first, then confirm (enforced policies: re-type the name). Conditional Access Administrator.",
    toolset: Toolset::Ca,
    permissions: &["Policy.ReadWrite.ConditionalAccess", "Policy.Read.All", "Directory.Read.All"],
    least_role: "Conditional Access Administrator",
    access: Access::Write { tier: 3, idempotent: true },
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCaPolicyAssignmentsParams {
    /// Policy id, display name or code such as `CA003`.
    pub policy: String,
    /// Add to the included users, groups, roles or guests.
    #[serde(default)]
    pub include_add: Who,
    #[serde(default)]
    pub include_remove: Who,
    /// Add to the exclusions.
    #[serde(default)]
    pub exclude_add: Who,
    /// Remove from the exclusions (never a break-glass account).
    #[serde(default)]
    pub exclude_remove: Who,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UpdatedAssignments {
    pub policy: String,
    pub id: String,
    /// `on`, `report-only` or `off`.
    pub state: String,
    /// Each change made, e.g. `excluded user Karita Ahlberg`.
    pub changes: Vec<String>,
    /// Who the policy covers now.
    pub users: String,
    /// Who it leaves out now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<String>,
}

/// The PATCH body: only `conditions.users`, whole, with a guest setting that was taken away
/// sent as `null` (Graph keeps what a PATCH leaves out).
fn body(users: &ConditionalAccessUsers) -> serde_json::Value {
    let mut users_json = serde_json::to_value(users).unwrap_or_default();
    if let Some(map) = users_json.as_object_mut() {
        for field in ["includeGuestsOrExternalUsers", "excludeGuestsOrExternalUsers"] {
            map.entry(field).or_insert(serde_json::Value::Null);
        }
    }
    json!({"conditions": {"users": users_json}})
}

fn patch(id: &str, users: &ConditionalAccessUsers) -> GraphRequest {
    GraphRequest::patch(path("/identity/conditionalAccess/policies/{}", &[id]), body(users))
}

fn all_guests() -> GuestsOrExternalUsers {
    GuestsOrExternalUsers {
        guest_or_external_user_types: Some(ALL_GUEST_TYPES.to_string()),
        external_tenants: Some(ExternalTenants {
            odata_type: Some("#microsoft.graph.conditionalAccessAllExternalTenants".into()),
            membership_kind: Some("all".into()),
            members: Vec::new(),
        }),
    }
}

/// One list of the users condition and how to change it.
struct Edit<'a> {
    list: &'a mut Vec<String>,
    /// `included user`, `excluded group` …
    label: &'static str,
}

impl Edit<'_> {
    fn add(&mut self, rows: &[ResolvedName], changes: &mut Vec<String>, unchanged: &mut Vec<String>) {
        for row in rows {
            if self.list.iter().any(|id| id.eq_ignore_ascii_case(&row.id)) {
                unchanged.push(format!("{} is already an {}", row.name, self.label));
            } else {
                self.list.push(row.id.clone());
                changes.push(format!("{} {}", self.label, row.name));
            }
        }
    }

    fn remove(&mut self, rows: &[ResolvedName], changes: &mut Vec<String>, absent: &mut Vec<String>) {
        for row in rows {
            let before = self.list.len();
            self.list.retain(|id| !id.eq_ignore_ascii_case(&row.id));
            if self.list.len() == before {
                absent.push(format!("{} is not an {}", row.name, self.label));
            } else {
                changes.push(format!("no longer {} {}", self.label, row.name));
            }
        }
    }
}

/// The users condition after the changes, and the changes in words.
struct Planned {
    users: ConditionalAccessUsers,
    changes: Vec<String>,
    unchanged: Vec<String>,
}

fn apply_changes(
    current: &ConditionalAccessUsers,
    add_in: &WhoIds,
    remove_in: &WhoIds,
    add_out: &WhoIds,
    remove_out: &WhoIds,
) -> Result<Planned, SkillError> {
    let mut users = current.clone();
    let mut changes = Vec::new();
    let mut unchanged = Vec::new();
    let mut absent = Vec::new();
    Edit { list: &mut users.include_users, label: "included user" }.add(&add_in.users, &mut changes, &mut unchanged);
    Edit { list: &mut users.include_groups, label: "included group" }.add(&add_in.groups, &mut changes, &mut unchanged);
    Edit { list: &mut users.include_roles, label: "included role" }.add(&add_in.roles, &mut changes, &mut unchanged);
    Edit { list: &mut users.include_users, label: "included user" }.remove(&remove_in.users, &mut changes, &mut absent);
    Edit { list: &mut users.include_groups, label: "included group" }.remove(
        &remove_in.groups,
        &mut changes,
        &mut absent,
    );
    Edit { list: &mut users.include_roles, label: "included role" }.remove(&remove_in.roles, &mut changes, &mut absent);
    Edit { list: &mut users.exclude_users, label: "excluded user" }.add(&add_out.users, &mut changes, &mut unchanged);
    Edit { list: &mut users.exclude_groups, label: "excluded group" }.add(
        &add_out.groups,
        &mut changes,
        &mut unchanged,
    );
    Edit { list: &mut users.exclude_roles, label: "excluded role" }.add(&add_out.roles, &mut changes, &mut unchanged);
    Edit { list: &mut users.exclude_users, label: "excluded user" }.remove(
        &remove_out.users,
        &mut changes,
        &mut absent,
    );
    Edit { list: &mut users.exclude_groups, label: "excluded group" }.remove(
        &remove_out.groups,
        &mut changes,
        &mut absent,
    );
    Edit { list: &mut users.exclude_roles, label: "excluded role" }.remove(
        &remove_out.roles,
        &mut changes,
        &mut absent,
    );
    for (on, slot, label) in [
        (add_in.guests, &mut users.include_guests_or_external_users, "included"),
        (add_out.guests, &mut users.exclude_guests_or_external_users, "excluded"),
    ] {
        if on {
            if slot.is_some() {
                unchanged.push(format!("guests are already {label}"));
            } else {
                *slot = Some(all_guests());
                changes.push(format!("{label} all guests and external users"));
            }
        }
    }
    for (on, slot, label) in [
        (remove_in.guests, &mut users.include_guests_or_external_users, "included"),
        (remove_out.guests, &mut users.exclude_guests_or_external_users, "excluded"),
    ] {
        if on {
            if slot.take().is_some() {
                changes.push(format!("guests no longer {label}"));
            } else {
                absent.push(format!("guests are not {label}"));
            }
        }
    }
    if !absent.is_empty() {
        return Err(SkillError::invalid_value(
            "include_remove/exclude_remove",
            format!("nothing to remove: {}", absent.join("; ")),
            "users, groups or roles the policy names now (get_ca_policy lists them)",
        ));
    }
    if changes.is_empty() {
        return Err(SkillError::invalid_value(
            "include_add/exclude_add",
            format!("the policy already is as asked ({})", unchanged.join("; ")),
            "at least one change to the policy's users, groups, roles or guests",
        ));
    }
    let includes_anyone = !users.include_users.iter().all(|u| u.eq_ignore_ascii_case("None"))
        || !users.include_groups.is_empty()
        || !users.include_roles.is_empty()
        || users.include_guests_or_external_users.is_some();
    if !includes_anyone {
        return Err(SkillError::invalid_value(
            "include_remove",
            "the policy would include no one: Entra refuses a policy without an inclusion",
            "a change that leaves at least one included user, group, role or guests; to stop a policy, disable it in \
             the Entra admin center",
        ));
    }
    Ok(Planned { users, changes, unchanged })
}

async fn prepare(ctx: Ctx, p: Arc<UpdateCaPolicyAssignmentsParams>) -> Result<WritePlan, SkillError> {
    if p.include_add.is_empty()
        && p.include_remove.is_empty()
        && p.exclude_add.is_empty()
        && p.exclude_remove.is_empty()
    {
        return Err(SkillError::invalid_value(
            "include_add",
            "no change was asked",
            "users, groups, roles or guests in `include_add`, `include_remove`, `exclude_add` or `exclude_remove`",
        ));
    }
    let (policy, add_in, remove_in, add_out, remove_out) = tokio::join!(
        find_policy(&ctx, "policy", &p.policy),
        resolve_who(&ctx, &p.include_add, "include_add", true),
        resolve_who(&ctx, &p.include_remove, "include_remove", true),
        resolve_who(&ctx, &p.exclude_add, "exclude_add", false),
        resolve_who(&ctx, &p.exclude_remove, "exclude_remove", false),
    );
    let (policy, add_in, remove_in, add_out, remove_out) = (policy?, add_in?, remove_in?, add_out?, remove_out?);
    // A break-glass exclusion is the way back in when Conditional Access locks everyone out.
    let protected: Vec<&ResolvedName> =
        remove_out.users.iter().filter(|u| ctx.guard.is_break_glass(&u.id, upn_of(&u.name))).collect();
    if !protected.is_empty() {
        let who: Vec<&str> = protected.iter().map(|u| u.name.as_str()).collect();
        return Err(SkillError::invalid_value(
            "exclude_remove",
            format!(
                "{} is a break-glass (emergency access) account; its exclusion is never removed, so an emergency \
                 account can always sign in",
                who.join(", ")
            ),
            "users who are not break-glass accounts (ENTRA_MCP_BREAK_GLASS lists them)",
        ));
    }
    let current = policy.conditions().users.unwrap_or_default();
    let planned = apply_changes(&current, &add_in, &remove_in, &add_out, &remove_out)?;
    let state = policy.policy_state();
    let name = policy.name().to_string();
    let mut effect = format!("changes who `{name}` ({}) covers: {}", state.words(), planned.changes.join("; "));
    if !planned.unchanged.is_empty() {
        effect.push_str(&format!("; left as they are: {}", planned.unchanged.join("; ")));
    }
    effect.push_str(match state {
        PolicyState::On => "; the policy is enforced, so this takes effect at the next sign-in",
        PolicyState::ReportOnly => "; the policy is report-only, so no sign-in changes",
        PolicyState::Off => "; the policy is off, so no sign-in changes",
    });
    let breakglass_out = current.exclude_users.iter().any(|id| ctx.guard.is_break_glass(id, None));
    if !breakglass_out && !ctx.guard.break_glass().is_empty() {
        effect.push_str("; note: this policy does not exclude the break-glass accounts (exclude_add them)");
    }
    Ok(WritePlan {
        targets: vec![WriteTarget {
            name: name.clone(),
            id: policy.id.clone(),
            state: json!({"state": policy.state, "users": current}),
        }],
        requests: vec![format!("{} {}", patch(&policy.id, &planned.users).describe(), body(&planned.users))],
        effect,
        undo: "call update_ca_policy_assignments again with the opposite changes (add what was removed, remove what was added)"
            .into(),
        tier: if state == PolicyState::On { 3 } else { 2 },
        confirm_target: Some(name),
    })
}

/// The UPN in a "Name (upn)" label.
fn upn_of(label: &str) -> Option<&str> {
    label.rsplit_once('(').and_then(|(_, rest)| rest.strip_suffix(')'))
}

async fn apply(
    ctx: Ctx,
    p: Arc<UpdateCaPolicyAssignmentsParams>,
    plan: WritePlan,
) -> Result<UpdatedAssignments, SkillError> {
    let target = plan.targets.first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no policy to change"))?;
    let current: ConditionalAccessUsers =
        target.state.get("users").cloned().and_then(|u| serde_json::from_value(u).ok()).unwrap_or_default();
    let (add_in, remove_in, add_out, remove_out) = tokio::join!(
        resolve_who(&ctx, &p.include_add, "include_add", true),
        resolve_who(&ctx, &p.include_remove, "include_remove", true),
        resolve_who(&ctx, &p.exclude_add, "exclude_add", false),
        resolve_who(&ctx, &p.exclude_remove, "exclude_remove", false),
    );
    let planned = apply_changes(&current, &add_in?, &remove_in?, &add_out?, &remove_out?)?;
    ctx.graph.write(patch(&target.id, &planned.users)).await?;
    // Read back what Entra stored.
    let read = GraphRequest::get(path("/identity/conditionalAccess/policies/{}", &[&target.id]));
    let stored: ConditionalAccessPolicy = ctx.graph.get(read).await?;
    let names = Names::resolve(&ctx, std::slice::from_ref(&stored)).await;
    let described = words::describe(&stored, &names);
    Ok(UpdatedAssignments {
        policy: stored.name().to_string(),
        id: stored.id.clone(),
        state: stored.policy_state().words().to_string(),
        changes: planned.changes,
        users: described.users,
        excluded: described.excluded,
    })
}

impl Render for UpdatedAssignments {
    fn markdown(&self) -> String {
        fields(&[
            ("policy", Some(format!("{} ({})", self.policy, self.id))),
            ("state", Some(self.state.clone())),
            ("changed", Some(self.changes.join("; "))),
            ("covers now", Some(self.users.clone())),
            ("excludes now", self.excluded.clone()),
        ])
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Exclude Karita from the assignments of CA009, the Finance sign-in frequency policy",
        args: r#"{"policy":"CA009","exclude_add":{"users":["karita@woodgrovebank.com"]}}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C2"),
            Fact::Every("targets/0/name", "CA009 Finance sign-in frequency 1 hour"),
            Fact::Some("requests/*", "~PATCH v1.0 /identity/conditionalAccess/policies/"),
            Fact::Says("excluded user Karita Ahlberg"),
        ],
    },
    Example {
        question: "Include the Finance Team group in the assignments of CA003, the enforced MFA policy",
        args: r#"{"policy":"CA003","include_add":{"groups":["Finance Team"]}}"#,
        facts: &[
            Fact::Every("tier", "C3"),
            Fact::Every("confirm_target_required", "CA003 MFA for all users"),
            Fact::Says("included group Finance Team"),
        ],
    },
    Example {
        question: "Remove breakglass01 from the excluded assignments of policy CA001",
        args: r#"{"policy":"CA001","exclude_remove":{"users":["breakglass01@woodgrovebank.onmicrosoft.com"]}}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("break-glass")],
    },
    Example {
        question: "Remove Finance Department from the assignments of CA008, the only group that policy includes",
        args: r#"{"policy":"CA008","include_remove":{"groups":["Finance Department"]}}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("include no one")],
    },
    Example {
        question: "Exclude a misspelt group from the assignments of policy CA003",
        args: r#"{"policy":"CA003","exclude_add":{"groups":["Sales Teem"]}}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("Sales Team")],
    },
];

pub fn skill() -> Skill {
    Skill::write(UPDATE_CA_POLICY_ASSIGNMENTS, prepare, apply)
}
