//! `recommend_role_for_task` (SKILLS.md §4.8): from a task in the admin's words, the
//! least-privileged built-in role(s) that allow it, from the project's task table
//! (`tasks.rs`), and how the caller gets it: they hold it (or a role that also does it), they
//! are eligible (the exact `activate_my_role` arguments, at most 1 h, with the role's rules), or
//! neither (who to ask: the Privileged Role Administrators).

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::RoleDefinition;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{fields, table};
use crate::shared::roles::{RoleGrant, privileged_flags, privileged_flags_request};
use crate::shared::text;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::pim::{self, ActivationRules, RoleRequest};
use super::tasks::{self, Task};

const RECOMMEND_ROLE_FOR_TASK: Declaration = Declaration {
    name: "recommend_role_for_task",
    title: "Least-privileged role for a task",
    description: "Which least-privileged built-in Entra role an admin task needs (reset a password, read sign-in logs, manage Conditional Access, create an app registration, access packages …), its alternatives, and whether I hold it, can activate it in PIM (with the exact activate_my_role call and the role's rules) or must ask a Privileged Role Administrator. No admin role.",
    toolset: Toolset::Roles,
    permissions: &[
        "RoleManagement.Read.Directory",
        "RoleEligibilitySchedule.Read.Directory",
        "RoleAssignmentSchedule.Read.Directory",
        "RoleManagementPolicy.Read.Directory",
    ],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendRoleForTaskParams {
    /// The task in the admin's words: "reset a user's password", "read sign-in logs",
    /// "create a Conditional Access policy".
    pub task: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MatchedTask {
    pub task: String,
    pub area: String,
    pub least_role: String,
    /// How many of the admin's words matched (higher is closer).
    pub score: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RoleAdvice {
    pub role: String,
    pub role_id: String,
    /// Entra labels the role privileged.
    pub privileged: bool,
    /// `active` (you hold it now), `eligible` (activate it in PIM) or `none`.
    pub you: String,
}

/// The arguments of the `activate_my_role` call that gets the role.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ActivateArguments {
    pub role: String,
    pub justification: String,
    pub duration: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RoleRecommendation {
    /// Up to 3 tasks of the table matching the words, best first.
    pub matched_tasks: Vec<MatchedTask>,
    /// The least-privileged role for the best task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub least_role: Option<RoleAdvice>,
    /// Roles that can also do it, more broadly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<RoleAdvice>,
    /// `holds_it`, `holds_alternative`, `eligible`, `eligible_alternative`, `pending` or
    /// `neither`.
    pub verdict: String,
    /// Call activate_my_role with these (add `ticket_number` when the rules want a ticket).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activate_with: Option<ActivateArguments>,
    /// The rules of the role to activate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_rules: Option<ActivationRules>,
    /// Privileged Role Administrators to ask, when you can get the role no other way.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ask: Vec<String>,
    pub next: String,
}

/// A principal expanded on an assignment or eligibility.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Holder {
    principal: Option<Principal>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Principal {
    display_name: Option<String>,
    user_principal_name: Option<String>,
}

/// Who holds (or may activate) Privileged Role Administrator, by name.
async fn role_administrators(ctx: &Ctx) -> Vec<String> {
    let pra = tasks::built_in("Privileged Role Administrator").map(|r| r.template_id).unwrap_or_default();
    let query = || {
        Query::new()
            .filter(Expr::eq("roleDefinitionId", pra.to_string()))
            .expand("principal($select=id,displayName,userPrincipalName)")
    };
    let active = GraphRequest::get(format!("{}/roleAssignments", pim::BASE)).query(query());
    let eligible = GraphRequest::get(format!("{}/roleEligibilityScheduleInstances", pim::BASE)).query(query());
    let (active, eligible) = tokio::join!(ctx.graph.list::<Holder>(active, 20), ctx.graph.list::<Holder>(eligible, 20));
    let name = |h: &Holder, state: &str| {
        let p = h.principal.as_ref()?;
        let who = match (&p.display_name, &p.user_principal_name) {
            (Some(n), Some(u)) => format!("{n} <{u}>"),
            (Some(n), None) => n.clone(),
            (None, Some(u)) => u.clone(),
            (None, None) => return None,
        };
        Some(format!("{who} ({state})"))
    };
    let mut out: Vec<String> = Vec::new();
    for h in ctx.optional("Privileged Role Administrators", active).map(|p| p.items).unwrap_or_default() {
        out.extend(name(&h, "active"));
    }
    for h in ctx.optional("eligible Privileged Role Administrators", eligible).map(|p| p.items).unwrap_or_default() {
        out.extend(name(&h, "eligible"));
    }
    out
}

fn you(role_id: &str, active: &[RoleGrant], eligible: &[RoleGrant]) -> &'static str {
    if active.iter().any(|g| pim::is_role(g, role_id)) {
        "active"
    } else if eligible.iter().any(|g| pim::is_role(g, role_id)) {
        "eligible"
    } else {
        "none"
    }
}

/// "reset the password of …" → "Needed to reset the password of …".
fn justification(task: &Task) -> String {
    format!("Needed to {}", task.task)
}

async fn recommend_role_for_task(ctx: Ctx, p: RecommendRoleForTaskParams) -> Result<RoleRecommendation, SkillError> {
    let asked = text("task", &p.task, 300)?;
    let matches = tasks::matching(&asked, 3);
    let matched_tasks: Vec<MatchedTask> = matches
        .iter()
        .map(|(t, score)| MatchedTask {
            task: t.task.into(),
            area: t.area.into(),
            least_role: t.least.into(),
            score: *score,
        })
        .collect();
    let Some((best, _)) = matches.first() else {
        return Err(SkillError::new(
            ErrorKind::NotFound,
            format!("no task of the table matches '{}'", crate::shared::shorten(&asked)),
        )
        .with_remedy(
            "describe the action and its object, e.g. \"reset a password\", \"read sign-in logs\", \"edit a \
                 Conditional Access policy\", \"create an app registration\", \"manage access packages\"",
        ));
    };

    let definitions =
        GraphRequest::get(format!("{}/roleDefinitions", pim::BASE)).query(Query::new().select(pim::ROLE_SELECT));
    let (definitions, active, eligible, requests, flags) = tokio::join!(
        ctx.graph.list::<RoleDefinition>(definitions, 1000),
        pim::my_active(&ctx),
        pim::my_eligible(&ctx),
        pim::my_requests(&ctx, 200),
        async { if ctx.beta { Some(ctx.graph.list(privileged_flags_request(), 1000).await) } else { None } }
    );
    // The anchor: the tenant's roles and the caller's own, without which nothing can be said
    // about how the caller gets the role. Built-in roles have their template id as id in every
    // tenant; the tenant's list confirms it.
    let ids: HashMap<String, String> =
        definitions?.items.into_iter().filter_map(|d| Some((d.display_name?.to_lowercase(), d.id))).collect();
    let (active, eligible) = (active?, eligible?);
    let flags = flags.map(|listed| privileged_flags(&ctx, listed)).unwrap_or_default();
    let advice = |name: &str| -> RoleAdvice {
        let built_in = tasks::built_in(name);
        let role_id = ids
            .get(&name.to_lowercase())
            .cloned()
            .or_else(|| built_in.map(|r| r.template_id.to_string()))
            .unwrap_or_default();
        let privileged = crate::shared::roles::is_privileged(&flags, &role_id)
            .unwrap_or_else(|| built_in.is_some_and(|r| r.privileged));
        RoleAdvice { you: you(&role_id, &active, &eligible).into(), role: name.into(), role_id, privileged }
    };
    let least = advice(best.least);
    let alternatives: Vec<RoleAdvice> = best.also.iter().map(|r| advice(r)).collect();

    let held_alternative = alternatives.iter().find(|a| a.you == "active");
    let to_activate = if least.you == "eligible" {
        Some(&least)
    } else if least.you == "active" || held_alternative.is_some() {
        None
    } else {
        alternatives.iter().find(|a| a.you == "eligible")
    };
    let pending: Option<RoleRequest> = to_activate.and_then(|role| {
        ctx.optional("your pending requests", requests).and_then(|page| {
            page.items
                .into_iter()
                .find(|r| r.is_pending() && r.role_definition_id.as_deref() == Some(role.role_id.as_str()))
        })
    });
    let rules = match to_activate {
        Some(role) if pending.is_none() => ctx
            .optional("activation rules", pim::read_rules(&ctx, pim::role_rules_request(&role.role_id)).await)
            .flatten(),
        _ => None,
    };

    let (verdict, activate_with, ask, next) = if least.you == "active" {
        ("holds_it", None, Vec::new(), format!("you hold {} now: go ahead", least.role))
    } else if let Some(held) = held_alternative {
        (
            "holds_alternative",
            None,
            Vec::new(),
            format!("you hold {} now, which also allows it (more broadly than {})", held.role, least.role),
        )
    } else if let (Some(role), Some(pending)) = (to_activate, &pending) {
        (
            "pending",
            None,
            Vec::new(),
            format!(
                "you asked to activate {} already (request {}, pending approval): wait for the approver, or withdraw it \
                 with cancel_my_role_request",
                role.role, pending.id
            ),
        )
    } else if let Some(role) = to_activate {
        let max = rules.as_ref().and_then(|r| r.max_minutes).unwrap_or(60);
        let minutes = max.min(60);
        let args = ActivateArguments {
            role: role.role.clone(),
            justification: justification(best),
            duration: if minutes % 60 == 0 { format!("{}h", minutes / 60) } else { format!("{minutes}m") },
        };
        let ticket =
            if rules.as_ref().is_some_and(|r| r.ticket_required) { " and add `ticket_number` (required)" } else { "" };
        let broader = if role.role == least.role {
            String::new()
        } else {
            format!(" (broader than {}, which you are not eligible for)", least.role)
        };
        let rules_text = rules.as_ref().map(|r| format!("; its rules: {}", r.summary())).unwrap_or_default();
        let next = format!(
            "you are eligible for {}{broader}: call activate_my_role with these arguments{ticket}{rules_text}",
            role.role
        );
        (if role.role == least.role { "eligible" } else { "eligible_alternative" }, Some(args), Vec::new(), next)
    } else {
        let ask = role_administrators(&ctx).await;
        let who = if ask.is_empty() {
            "a Privileged Role Administrator".to_string()
        } else {
            format!("a Privileged Role Administrator — {}", ask.join(", "))
        };
        let next = format!(
            "you neither hold nor may activate {} or its alternatives: ask {who} to assign it to you or make you \
             eligible (an eligible administrator activates the role first)",
            least.role
        );
        ("neither", None, ask, next)
    };
    Ok(RoleRecommendation {
        matched_tasks,
        least_role: Some(least),
        alternatives,
        verdict: verdict.into(),
        activate_with,
        activation_rules: rules,
        ask,
        next,
    })
}

impl Render for RoleRecommendation {
    fn markdown(&self) -> String {
        let tasks: Vec<Vec<String>> = self
            .matched_tasks
            .iter()
            .map(|t| vec![t.task.clone(), t.least_role.clone(), t.area.clone(), t.score.to_string()])
            .collect();
        let roles: Vec<Vec<String>> = self
            .least_role
            .iter()
            .map(|r| (r, "least"))
            .chain(self.alternatives.iter().map(|r| (r, "alternative")))
            .map(|(r, kind)| {
                vec![
                    r.role.clone(),
                    kind.to_string(),
                    if r.privileged { "yes" } else { "no" }.into(),
                    r.you.clone(),
                    r.role_id.clone(),
                ]
            })
            .collect();
        let mut out = format!("matched tasks:\n{}", table(&["task", "least role", "area", "score"], &tasks));
        if !roles.is_empty() {
            out.push_str(&format!("\nroles:\n{}", table(&["role", "", "privileged", "you", "role id"], &roles)));
        }
        let activate = self.activate_with.as_ref().map(|a| {
            format!(
                "activate_my_role {{\"role\":\"{}\",\"justification\":\"{}\",\"duration\":\"{}\"}}",
                a.role, a.justification, a.duration
            )
        });
        out.push('\n');
        out.push_str(&fields(&[
            ("verdict", Some(self.verdict.clone())),
            ("call", activate),
            ("rules", self.activation_rules.as_ref().map(ActivationRules::summary)),
            ("ask", (!self.ask.is_empty()).then(|| self.ask.join("; "))),
            ("next", Some(self.next.clone())),
        ]));
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which least-privileged role do I need to reset a user's password, and can I get it?",
        args: r#"{"task":"reset a user's password"}"#,
        facts: &[
            Fact::Every("least_role/role", "Password Administrator"),
            Fact::Every("least_role/you", "none"),
            Fact::Some("alternatives/*/role", "Helpdesk Administrator"),
            Fact::Every("verdict", "eligible_alternative"),
            Fact::Every("activate_with/role", "User Administrator"),
            Fact::Every("activate_with/duration", "1h"),
            Fact::Says("activate_my_role"),
        ],
    },
    Example {
        question: "What is the least privileged role for reading sign-in logs?",
        args: r#"{"task":"read sign-in logs"}"#,
        facts: &[
            Fact::Every("least_role/role", "Reports Reader"),
            Fact::Every("least_role/role_id", "4a5d8f65-41da-4de4-8968-e035b65339cf"),
            Fact::Every("least_role/you", "active"),
            Fact::Every("verdict", "holds_it"),
        ],
    },
    Example {
        question: "Recommend the role for the task: grant admin consent to Microsoft Graph application permissions",
        args: r#"{"task":"grant admin consent to Microsoft Graph application permissions"}"#,
        facts: &[
            Fact::Every("least_role/role", "Privileged Role Administrator"),
            Fact::Every("least_role/privileged", "true"),
            Fact::Every("verdict", "neither"),
            Fact::Some("ask/*", "~Tom Okafor"),
        ],
    },
    Example {
        question: "Least role for a task I need to do: edit a Conditional Access policy",
        args: r#"{"task":"edit a Conditional Access policy"}"#,
        facts: &[Fact::Every("least_role/role", "Conditional Access Administrator"), Fact::Every("verdict", "pending")],
    },
    Example {
        question: "Least role to manage Security Administrator duties like configuring risk policies",
        args: r#"{"task":"configure the user risk policy"}"#,
        facts: &[
            Fact::Every("least_role/role", "Security Administrator"),
            Fact::Every("verdict", "eligible"),
            Fact::Every("activation_rules/ticket_required", "true"),
            Fact::Says("ticket_number"),
        ],
    },
    Example {
        question: "Which role recommendation for a task the table does not know",
        args: r#"{"task":"bake a birthday cake"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("reset a password")],
    },
    Example {
        question: "Recommend a role for an empty task",
        args: r#"{"task":""}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(RECOMMEND_ROLE_FOR_TASK, recommend_role_for_task)
}
