//! `run_workflow_on_demand`: runs a lifecycle workflow now for 1 to 10 named users. A tier-3
//! write (a leaver workflow disables accounts and removes access): previewed, then confirmed
//! with the workflow's name re-typed.
//!
//! Graph runs an on-demand workflow's tasks for whoever it is given, whether or not they match
//! its scope. This skill keeps the scope as a guard rail: users outside a rule-based scope are
//! refused, naming them, unless `allow_out_of_scope` is set, and then the preview says who is
//! outside it. A group-based scope is not checked here, so such a workflow also needs
//! `allow_out_of_scope`. A disabled workflow, the caller and break-glass accounts are refused.
//! The preview's state includes the workflow's latest on-demand run, so a confirmation is used
//! once: the run it starts makes the token stale.

use std::sync::Arc;

use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::graph::resources::User;
use crate::graph::{GraphRequest, Query};
use crate::odata::{Expr, Literal};
use crate::render::{fields, short_time, table};
use crate::shared::*;
use crate::skill::write::WriteTarget;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset, WritePlan};

use super::workflow_model::*;

const RUN_WORKFLOW_ON_DEMAND: Declaration = Declaration {
    name: "run_workflow_on_demand",
    title: "Run a lifecycle workflow on demand",
    description: "Run a joiner, mover or leaver workflow now for 1 to 10 users (UPNs or ids) in its scope, then read the run back. Preview first, then confirm with the workflow's name re-typed. ID Governance. Lifecycle Workflows Administrator.",
    toolset: Toolset::Governance,
    permissions: &["LifecycleWorkflows-Workflow.Activate", "LifecycleWorkflows-Reports.Read.All", "User.Read.All"],
    least_role: "Lifecycle Workflows Administrator",
    access: Access::Write { tier: 3, idempotent: false },
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// How the preview names the workflow among its targets.
const WORKFLOW_TARGET: &str = "workflow ";

/// At most this many user lookups at once.
const IN_FLIGHT: usize = 8;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunWorkflowOnDemandParams {
    /// Workflow id or exact display name.
    pub workflow: String,
    /// 1 to 10 users: UPNs or object ids.
    pub users: Vec<UserRef>,
    /// Also run it for users outside the workflow's scope (Graph runs the tasks for whoever is named). Default false: they are refused.
    pub allow_out_of_scope: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserOutcome {
    pub user: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// The user's result in the run (`completed`, `failed`, `queued`, `inProgress` …), once Graph lists it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_task: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkflowRunStarted {
    pub workflow: String,
    pub workflow_id: String,
    /// Always true: Graph accepted the run.
    pub started: bool,
    /// The on-demand run, once Graph lists it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_started: Option<String>,
    pub users: Vec<UserOutcome>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Run {
    id: String,
    started_date_time: Option<String>,
    processing_status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UserResult {
    processing_status: Option<String>,
    subject: Option<UserStub>,
    task_processing_results: Option<Vec<TaskResult>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TaskResult {
    processing_status: Option<String>,
    failure_reason: Option<String>,
    task: Option<Task>,
}

fn parse_users(users: &[UserRef]) -> Result<Vec<UserKey>, SkillError> {
    let accepted = format!("a list of 1 to {MAX_ON_DEMAND_USERS} UPNs or object ids; run it again for the others");
    if users.is_empty() {
        return Err(SkillError::invalid_value("users", "is empty", &accepted));
    }
    if users.len() > MAX_ON_DEMAND_USERS {
        return Err(SkillError::invalid_value(
            "users",
            format!("names {} users; at most {MAX_ON_DEMAND_USERS} per on-demand run", users.len()),
            &accepted,
        ));
    }
    let mut keys: Vec<UserKey> = Vec::with_capacity(users.len());
    for user in users {
        let key = user.parse("users")?;
        let seen = keys.iter().any(|k| match (k, &key) {
            (UserKey::Upn(a), UserKey::Upn(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a == b,
        });
        if !seen {
            keys.push(key);
        }
    }
    Ok(keys)
}

async fn resolve_users(ctx: &Ctx, keys: &[UserKey]) -> Result<Vec<User>, SkillError> {
    let found: Vec<Result<User, SkillError>> =
        futures::stream::iter(keys.iter().cloned().map(|key| async move { user_target(ctx, &key, &[]).await }))
            .buffered(IN_FLIGHT)
            .collect()
            .await;
    let mut users: Vec<User> = Vec::with_capacity(found.len());
    for user in found {
        let user = user?;
        if !users.iter().any(|u| u.id.eq_ignore_ascii_case(&user.id)) {
            users.push(user);
        }
    }
    Ok(users)
}

/// Which of `users` the workflow's scope holds: `None` when this server cannot tell (a
/// group-based scope, a rule it cannot read).
async fn in_scope(ctx: &Ctx, workflow: &Workflow, users: &[User]) -> Result<Option<Vec<String>>, SkillError> {
    let conditions = workflow.execution_conditions.as_ref();
    let scope = scope_info(conditions);
    let Some(rule) = scope.rule else {
        // On-demand-only workflows have no scope: everyone is theirs to run for.
        let unscoped = scope.groups.is_empty() && trigger_info(conditions).kind == "on_demand_only";
        return Ok(unscoped.then(|| users.iter().map(|u| u.id.to_ascii_lowercase()).collect()));
    };
    let Ok(rule) = crate::odata::parse_filter(&rule) else {
        ctx.note("the workflow's scope rule could not be read, so the users' scope was not checked");
        return Ok(None);
    };
    let ids = users.iter().map(|u| Literal::String(u.id.clone())).collect();
    let request = GraphRequest::get("/users")
        .query(Query::new().select(&["id"]).filter(rule.and(Expr::is_in("id", ids))).count().top(MAX_ON_DEMAND_USERS))
        .eventual();
    let found = ctx.graph.list::<User>(request, MAX_ON_DEMAND_USERS).await?.items;
    Ok(Some(found.into_iter().map(|u| u.id.to_ascii_lowercase()).collect()))
}

/// The workflow's latest on-demand run: part of the preview's state, so a confirmed run makes
/// its token stale.
async fn latest_on_demand_run(ctx: &Ctx, path: &str) -> Result<Option<Run>, SkillError> {
    let request = lw_get(format!("{path}/runs")).query(
        Query::new()
            .select(&["id", "startedDateTime", "processingStatus"])
            .filter(Expr::eq("workflowExecutionType", "onDemand"))
            .orderby("startedDateTime desc")
            .top(1),
    );
    Ok(ctx.graph.list::<Run>(request, 1).await?.items.into_iter().next())
}

fn activate(id: &str, users: &[&str]) -> Result<GraphRequest, SkillError> {
    let subjects: Vec<serde_json::Value> = users.iter().map(|u| json!({ "id": u })).collect();
    Ok(GraphRequest::post(format!("{LW}{}/activate", workflow_path(id)?), json!({ "subjects": subjects })))
}

const SELECT: &[&str] = &["id", "displayName", "category", "isEnabled", "version", "executionConditions"];

async fn prepare(ctx: Ctx, p: Arc<RunWorkflowOnDemandParams>) -> Result<WritePlan, SkillError> {
    let keys = parse_users(&p.users)?;
    let (workflow, users, caller) = tokio::join!(
        find_workflow(&ctx, &p.workflow, SELECT, Some("tasks")),
        resolve_users(&ctx, &keys),
        caller_id(&ctx)
    );
    let (workflow, users, caller) = (workflow?, users?, caller?);
    let name = workflow.name();
    if workflow.is_enabled != Some(true) {
        return Err(SkillError::invalid_value(
            "workflow",
            format!("'{name}' is disabled, and Graph runs only enabled workflows"),
            "an enabled workflow (enable this one first, or find another with list_workflows)",
        ));
    }
    for user in &users {
        check_user_guard_rails(&ctx, RUN_WORKFLOW_ON_DEMAND.name, user, &caller, true, 3)?;
    }
    let path = workflow_path(&workflow.id)?;
    let (scoped, last_run) = tokio::join!(in_scope(&ctx, &workflow, &users), latest_on_demand_run(&ctx, &path));
    let (scoped, last_run) = (scoped?, last_run?);
    let conditions = workflow.execution_conditions.as_ref();
    let scope = scope_info(conditions);
    let is_in = |u: &User| scoped.as_ref().map(|s| s.contains(&u.id.to_ascii_lowercase()));
    let outside: Vec<String> = users.iter().filter(|u| is_in(u) != Some(true)).map(user_label).collect();
    let allowed = p.allow_out_of_scope == Some(true);
    if !outside.is_empty() && !allowed {
        let problem = match scoped {
            Some(_) => format!(
                "{} {} outside the scope of '{name}' ({}); Graph would run its tasks for them anyway",
                outside.join(", "),
                if outside.len() == 1 { "is" } else { "are" },
                scope.words
            ),
            None => {
                format!("the scope of '{name}' ({}) cannot be checked here for {}", scope.words, outside.join(", "))
            }
        };
        return Err(SkillError::invalid_value(
            "users",
            problem,
            "users in the workflow's scope; or `allow_out_of_scope: true` when running it for them is intended",
        ));
    }

    let definitions = Vec::new();
    let tasks: Vec<TaskRow> = task_rows(workflow.tasks.as_deref().unwrap_or_default(), &definitions)
        .into_iter()
        .filter(|t| t.enabled)
        .collect();
    let steps = tasks.iter().map(|t| format!("{}. {}", t.order, t.name)).collect::<Vec<_>>().join("; ");
    let names: Vec<String> = users.iter().map(user_label).collect();
    let mut effect = format!(
        "runs the {} enabled task{} of '{name}' ({}) now for {}: {steps}",
        tasks.len(),
        if tasks.len() == 1 { "" } else { "s" },
        workflow.category.as_deref().unwrap_or("workflow"),
        names.join(", ")
    );
    if !outside.is_empty() {
        effect.push_str(&format!(". Outside its scope ({}), run anyway as asked: {}", scope.words, outside.join(", ")));
    }
    let mut targets = vec![WriteTarget {
        name: format!("{WORKFLOW_TARGET}{name}"),
        id: workflow.id.clone(),
        state: json!({
            "enabled": workflow.is_enabled,
            "version": workflow.version,
            "last_on_demand_run": last_run.as_ref().map(|r| r.id.clone()),
        }),
    }];
    targets.extend(users.iter().map(|u| WriteTarget {
        name: user_label(u),
        id: u.id.clone(),
        state: json!({ "in_scope": is_in(u) }),
    }));
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    Ok(WritePlan {
        targets,
        requests: vec![activate(&workflow.id, &ids)?.describe()],
        effect,
        undo: "a run cannot be undone: reverse what its tasks did one by one (enable the account again, add back \
               group memberships and licences, restore a deleted user within 30 days)"
            .into(),
        tier: 3,
        confirm_target: Some(name),
    })
}

async fn apply(
    ctx: Ctx,
    _p: Arc<RunWorkflowOnDemandParams>,
    plan: WritePlan,
) -> Result<WorkflowRunStarted, SkillError> {
    let (workflow, users) =
        plan.targets.split_first().ok_or_else(|| SkillError::new(ErrorKind::Upstream, "no workflow to run"))?;
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    ctx.graph.write(activate(&workflow.id, &ids)?).await?;

    // Graph queues the run; read back the newest on-demand run and each user's result in it.
    let path = workflow_path(&workflow.id)?;
    let before = workflow.state.get("last_on_demand_run").and_then(|r| r.as_str()).map(str::to_string);
    let run = ctx
        .optional("the run", latest_on_demand_run(&ctx, &path).await)
        .flatten()
        .filter(|r| Some(&r.id) != before.as_ref());
    let results = match &run {
        Some(run) => {
            let request = lw_get(format!("{path}/runs/{}/userProcessingResults", crate::graph::segment(&run.id)))
                .query(
                    Query::new()
                        .select(&["id", "processingStatus", "subject"])
                        .expand("subject($select=id,displayName,userPrincipalName),taskProcessingResults")
                        .top(MAX_ON_DEMAND_USERS),
                );
            ctx.optional("the users' results", ctx.graph.list::<UserResult>(request, MAX_ON_DEMAND_USERS).await)
                .map(|p| p.items)
                .unwrap_or_default()
        }
        None => {
            ctx.note("Graph has not listed the run yet; check it in a few minutes with get_workflow_run_report");
            Vec::new()
        }
    };
    let outcomes = users
        .iter()
        .map(|target| {
            let result =
                results.iter().find(|r| r.subject.as_ref().is_some_and(|s| s.id.eq_ignore_ascii_case(&target.id)));
            let failure = result.and_then(|r| {
                r.task_processing_results.as_ref()?.iter().find(|t| t.processing_status.as_deref() == Some("failed"))
            });
            let subject = result.and_then(|r| r.subject.clone());
            UserOutcome {
                user: subject.as_ref().and_then(|s| s.display_name.clone()).unwrap_or_else(|| target.name.clone()),
                upn: subject.and_then(|s| s.user_principal_name),
                id: target.id.clone(),
                status: result.and_then(|r| r.processing_status.clone()),
                failed_task: failure.and_then(|f| f.task.as_ref()).and_then(|t| t.display_name.clone()),
                error: failure.and_then(|f| f.failure_reason.clone()),
            }
        })
        .collect();
    Ok(WorkflowRunStarted {
        workflow: workflow.name.strip_prefix(WORKFLOW_TARGET).unwrap_or(&workflow.name).to_string(),
        workflow_id: workflow.id.clone(),
        started: true,
        run_status: run.as_ref().and_then(|r| r.processing_status.clone()),
        run_started: run.as_ref().and_then(|r| r.started_date_time.clone()),
        run_id: run.map(|r| r.id),
        users: outcomes,
    })
}

impl Render for WorkflowRunStarted {
    fn markdown(&self) -> String {
        let mut out = fields(&[
            ("workflow", Some(format!("{} ({})", self.workflow, self.workflow_id))),
            ("run", self.run_id.clone()),
            ("status", self.run_status.clone()),
            ("started", self.run_started.as_deref().map(short_time)),
        ]);
        let rows: Vec<Vec<String>> = self
            .users
            .iter()
            .map(|u| {
                vec![
                    u.user.clone(),
                    u.upn.clone().unwrap_or_else(|| u.id.clone()),
                    u.status.clone().unwrap_or_else(|| "not listed yet".into()),
                    u.failed_task.clone().unwrap_or_else(|| "-".into()),
                    u.error.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        out.push_str(&format!("\n\n{}", table(&["user", "upn", "status", "failed task", "error"], &rows)));
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Run the offboarding workflow now for Frank Li and Brian Walsh, who left before it existed",
        args: r#"{"workflow":"Offboard leavers","users":["frank.li@woodgrovebank.com","brian.walsh@woodgrovebank.com"]}"#,
        facts: &[
            Fact::Every("pending_confirmation", "true"),
            Fact::Every("tier", "C3"),
            Fact::Every("confirm_target_required", "Offboard leavers"),
            Fact::Count("targets/*", 3),
            Fact::Some("targets/*/state/in_scope", "true"),
            Fact::Some("requests/*", "~/activate"),
            Fact::Says("Disable user account"),
        ],
    },
    Example {
        question: "Run a workflow on demand for eleven users at once",
        args: r#"{"workflow":"Offboard leavers","users":["a1@woodgrovebank.com","a2@woodgrovebank.com","a3@woodgrovebank.com","a4@woodgrovebank.com","a5@woodgrovebank.com","a6@woodgrovebank.com","a7@woodgrovebank.com","a8@woodgrovebank.com","a9@woodgrovebank.com","a10@woodgrovebank.com","a11@woodgrovebank.com"]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("at most 10"), Fact::Says("`users`")],
    },
    Example {
        question: "Run the onboarding workflow for a Fabrikam guest, outside its scope",
        args: r#"{"workflow":"Onboard new hires","users":["lucia.romero_fabrikampartners.com#EXT#@woodgrovebank.onmicrosoft.com"]}"#,
        facts: &[
            Fact::Fails(ErrorKind::InvalidInput),
            Fact::Says("outside the scope"),
            Fact::Says("allow_out_of_scope"),
        ],
    },
    Example {
        question: "Run the disabled account deletion workflow on demand",
        args: r#"{"workflow":"Delete leaver accounts after 30 days","users":["frank.li@woodgrovebank.com"]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("disabled")],
    },
];

pub fn skill() -> Skill {
    Skill::write(RUN_WORKFLOW_ON_DEMAND, prepare, apply)
}
