//! `get_policies_for_user`: the Conditional Access policies whose users condition takes in a
//! user — directly, through a group (nested too), a directory role (held directly or through a
//! role-assignable group) or as a guest — and those that leave the user out, and why.

use std::collections::HashMap;

use futures::stream::{self, StreamExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::policies::list_policies;
use super::words;
use crate::graph::resources::{ConditionalAccessPolicy, Group, GuestsOrExternalUsers, User};
use crate::graph::{GraphRequest, Query};
use crate::render::{fields, table};
use crate::shared::roles::{RoleGrant, active_assignments};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_POLICIES_FOR_USER: Declaration = Declaration {
    name: "get_policies_for_user",
    title: "Conditional Access policies for a user",
    description: "Which Conditional Access policies take in a user and through what (directly, a group, a directory role, being a guest), and which leave them out and why (e.g. excluded via the CA Exclusions group). P1. Security Reader.",
    toolset: Toolset::Ca,
    permissions: &["Policy.Read.All", "User.Read.All", "GroupMember.Read.All", "RoleManagement.Read.Directory"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetPoliciesForUserParams {
    pub user: UserRef,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserPolicy {
    pub name: String,
    /// `on`, `report-only` or `off`.
    pub state: String,
    /// How the policy takes the user in: `all users`, `named directly`, `member of …`, `holds … (via …)`, `as a guest`.
    pub included_via: Vec<String>,
    /// How it leaves the user out (excluded policies only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_via: Vec<String>,
    /// The apps and conditions under which it acts, and what it requires.
    pub when: String,
    pub id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PoliciesForUser {
    pub user: String,
    pub user_id: String,
    pub guest: bool,
    /// Groups the user is in (nested included), by name.
    pub groups: usize,
    /// Active directory roles, with the group they come through.
    pub roles: Vec<String>,
    /// Policies that take the user in and do not exclude them.
    pub applies: Vec<UserPolicy>,
    /// Policies that would take the user in but exclude them.
    pub excluded: Vec<UserPolicy>,
    /// Policies whose users condition does not take the user in at all.
    pub not_targeted: usize,
}

/// The active roles of one principal (the user, or a group it is in: named), as read.
type RolesThrough = (Option<String>, Result<Vec<RoleGrant>, SkillError>);

/// What the directory says of the user, as a users condition reads it.
struct Subject {
    id: String,
    guest: bool,
    /// Group id → name.
    groups: HashMap<String, String>,
    /// Role template id → (role name, the group it comes through).
    roles: HashMap<String, (String, Option<String>)>,
}

fn has(list: &[String], item: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(item))
}

/// The kind Entra gives a B2B guest; the directory's `userType` says no more.
const GUEST_KIND: &str = "b2bCollaborationGuest";

fn guest_covered(guests: &Option<GuestsOrExternalUsers>) -> bool {
    guests.as_ref().is_some_and(|g| g.kinds().iter().any(|k| k.eq_ignore_ascii_case(GUEST_KIND)))
}

/// (how included, how excluded) by one policy's users condition.
fn reasons(policy: &ConditionalAccessPolicy, s: &Subject) -> (Vec<String>, Vec<String>) {
    let Some(users) = policy.conditions().users else { return (Vec::new(), Vec::new()) };
    let side = |users_list: &[String], groups: &[String], roles: &[String], guests: &Option<GuestsOrExternalUsers>| {
        let mut out = Vec::new();
        if has(users_list, "All") {
            out.push("all users".to_string());
        }
        if has(users_list, &s.id) {
            out.push("named directly".to_string());
        }
        if s.guest && (has(users_list, "GuestsOrExternalUsers") || guest_covered(guests)) {
            out.push("as a guest (B2B collaboration guest)".to_string());
        }
        for g in groups {
            if let Some((_, name)) = s.groups.iter().find(|(id, _)| id.eq_ignore_ascii_case(g)) {
                out.push(format!("member of {name}"));
            }
        }
        for r in roles {
            if let Some((_, (name, via))) = s.roles.iter().find(|(id, _)| id.eq_ignore_ascii_case(r)) {
                out.push(match via {
                    Some(group) => format!("holds {name} (via {group})"),
                    None => format!("holds {name}"),
                });
            }
        }
        out
    };
    (
        side(
            &users.include_users,
            &users.include_groups,
            &users.include_roles,
            &users.include_guests_or_external_users,
        ),
        side(
            &users.exclude_users,
            &users.exclude_groups,
            &users.exclude_roles,
            &users.exclude_guests_or_external_users,
        ),
    )
}

async fn get_policies_for_user(ctx: Ctx, p: GetPoliciesForUserParams) -> Result<PoliciesForUser, SkillError> {
    let key = p.user.parse("user")?;
    let user_request = GraphRequest::get(key.path()).query(Query::new().select(&[
        "id",
        "displayName",
        "userPrincipalName",
        "userType",
    ]));
    let groups_request = GraphRequest::get(format!("{}/transitiveMemberOf/microsoft.graph.group", key.path()))
        .query(Query::new().select(&["id", "displayName", "isAssignableToRole"]).count().top(999))
        .eventual();
    let (user, groups, policies) = tokio::join!(
        ctx.graph.get::<User>(user_request),
        ctx.graph.list::<Group>(groups_request, 2000),
        list_policies(&ctx),
    );
    let user = user?;
    let policies = policies?;
    let groups = groups?.items;
    // Roles held directly, and through each role-assignable group the user is in.
    let mut principals: Vec<(String, Option<String>)> = vec![(user.id.clone(), None)];
    principals.extend(
        groups
            .iter()
            .filter(|g| g.is_assignable_to_role == Some(true))
            .map(|g| (g.id.clone(), Some(g.display_name.clone().unwrap_or_else(|| g.id.clone())))),
    );
    let grants: Vec<RolesThrough> = stream::iter(principals)
        .map(|(id, via)| {
            let ctx = &ctx;
            async move { (via, ctx.graph.list::<RoleGrant>(active_assignments(&id), 200).await.map(|p| p.items)) }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let mut roles = HashMap::new();
    for (via, result) in grants {
        match result {
            Ok(list) => {
                for grant in list.into_iter().filter(|g| g.directory_scope_id.as_deref().is_none_or(|s| s == "/")) {
                    roles.entry(grant.role_id().to_string()).or_insert((grant.role_name(), via.clone()));
                }
            }
            Err(e) => ctx.note(format!(
                "roles held {} could not be read ({}); policies by role may be missing",
                via.as_deref().map(|g| format!("through {g}")).unwrap_or_else(|| "directly".into()),
                e.kind.as_str()
            )),
        }
    }
    let subject = Subject {
        id: user.id.clone(),
        guest: user.user_type.as_deref() == Some("Guest"),
        groups: groups.iter().map(|g| (g.id.clone(), g.display_name.clone().unwrap_or_else(|| g.id.clone()))).collect(),
        roles,
    };

    let mut hits: Vec<(ConditionalAccessPolicy, Vec<String>, Vec<String>)> = Vec::new();
    let mut not_targeted = 0;
    for policy in policies {
        let (included, excluded) = reasons(&policy, &subject);
        if included.is_empty() {
            not_targeted += 1;
        } else {
            hits.push((policy, included, excluded));
        }
    }
    hits.sort_by_key(|a| a.0.name().to_lowercase());
    let hit_policies: Vec<ConditionalAccessPolicy> = hits.iter().map(|(x, _, _)| x.clone()).collect();
    let names = Names::resolve(&ctx, &hit_policies).await;
    names.note_unresolved(&ctx);
    let mut applies = Vec::new();
    let mut excluded = Vec::new();
    for (policy, included_via, excluded_via) in hits {
        let mut when = words::target_words(&policy, &names);
        let conditions = words::conditions_words(&policy, &names);
        if !conditions.is_empty() {
            when.push_str(&format!(" · when {}", conditions.join(", ")));
        }
        when.push_str(&format!(" → {}", words::grant_words(&policy, &names)));
        let session = words::session_words(&policy);
        if !session.is_empty() {
            when.push_str(&format!("; {}", session.join(", ")));
        }
        let row = UserPolicy {
            name: policy.name().to_string(),
            state: policy.policy_state().words().to_string(),
            included_via,
            excluded_via,
            when,
            id: policy.id.clone(),
        };
        if row.excluded_via.is_empty() { applies.push(row) } else { excluded.push(row) }
    }
    let mut role_names: Vec<String> = subject
        .roles
        .values()
        .map(|(name, via)| match via {
            Some(group) => format!("{name} (via {group})"),
            None => name.clone(),
        })
        .collect();
    role_names.sort();
    ctx.note("a policy listed as applying acts only when its apps and conditions match the sign-in; use evaluate_ca_what_if for one sign-in");
    Ok(PoliciesForUser {
        user: match &user.user_principal_name {
            Some(upn) => format!("{} ({upn})", user.display_name.clone().unwrap_or_default()),
            None => user.display_name.clone().unwrap_or_else(|| user.id.clone()),
        },
        user_id: user.id,
        guest: subject.guest,
        groups: subject.groups.len(),
        roles: role_names,
        applies,
        excluded,
        not_targeted,
    })
}

impl Render for PoliciesForUser {
    fn markdown(&self) -> String {
        let mut text = fields(&[
            ("user", Some(self.user.clone())),
            ("id", Some(self.user_id.clone())),
            ("guest", Some(if self.guest { "yes" } else { "no" }.into())),
            ("groups (nested included)", Some(self.groups.to_string())),
            ("active roles", Some(if self.roles.is_empty() { "none".into() } else { self.roles.join(", ") })),
            ("policies not targeting the user", Some(self.not_targeted.to_string())),
        ]);
        let rows = |list: &[UserPolicy], excluded: bool| -> Vec<Vec<String>> {
            list.iter()
                .map(|x| {
                    let mut row = vec![x.name.clone(), x.state.clone(), x.included_via.join("; ")];
                    if excluded {
                        row.push(x.excluded_via.join("; "));
                    }
                    row.push(x.when.clone());
                    row.push(x.id.clone());
                    row
                })
                .collect()
        };
        text.push_str("\napplies to the user:\n");
        text.push_str(&table(&["policy", "state", "included as", "when", "id"], &rows(&self.applies, false)));
        if !self.excluded.is_empty() {
            text.push_str("\nleaves the user out:\n");
            text.push_str(&table(
                &["policy", "state", "included as", "excluded as", "when", "id"],
                &rows(&self.excluded, true),
            ));
        }
        text
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which Conditional Access policies apply to Karita, and through which groups?",
        args: r#"{"user":"karita@woodgrovebank.com"}"#,
        facts: &[
            Fact::Some("applies/*/name", "CA003 MFA for all users"),
            Fact::Some("applies/*/included_via/*", "member of Finance Department"),
            Fact::Some("applies/*/name", "~CA008"),
            Fact::No("applies/*/name", "~CA001"),
            Fact::Count("excluded/*", 0),
        ],
    },
    Example {
        question: "Is the break-glass account excluded from our Conditional Access policies?",
        args: r#"{"user":"breakglass01@woodgrovebank.onmicrosoft.com"}"#,
        facts: &[
            Fact::Some("applies/*/name", "CA006 Block restricted countries"),
            Fact::No("applies/*/name", "~CA003"),
            Fact::Some("excluded/*/name", "CA001 MFA for admins"),
            Fact::Some("excluded/*/included_via/*", "holds Global Administrator"),
            Fact::Every("excluded/*/excluded_via/*", "named directly"),
        ],
    },
    Example {
        question: "Which CA policies cover the helpdesk operator Kevin through his group's role?",
        args: r#"{"user":"kevin.obi@woodgrovebank.com"}"#,
        facts: &[
            Fact::Some("applies/*/included_via/*", "holds Helpdesk Administrator (via Helpdesk Operators)"),
            Fact::Some("roles/*", "Helpdesk Administrator (via Helpdesk Operators)"),
        ],
    },
    Example {
        question: "Why isn't the guest Lucia asked for MFA by the all-users policy?",
        args: r#"{"user":"lucia.romero_fabrikampartners.com#EXT#@woodgrovebank.onmicrosoft.com"}"#,
        facts: &[
            Fact::Every("guest", "true"),
            Fact::Some("excluded/*/name", "CA003 MFA for all users"),
            Fact::Some("excluded/*/excluded_via/*", "as a guest (B2B collaboration guest)"),
        ],
    },
    Example {
        question: "Not a user reference",
        args: r#"{"user":"karita at woodgrove"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_POLICIES_FOR_USER, get_policies_for_user)
}
