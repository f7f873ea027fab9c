//! `draft_lifecycle_workflow`: a joiner, mover or leaver workflow drafted from intent — the
//! category, what sets it off (a date attribute and an offset, or a change of attribute), who
//! it is for (conditions over department, job title, company, country or employee type) and its
//! tasks in plain words — into a workflow body Graph would take, built from the tenant's own
//! template and task definitions, shown as Graph JSON and in plain words, with the users its
//! scope matches today. It writes nothing.
//!
//! The scope rule is built here from structured conditions (never from text the model wrote)
//! and printed by the OData printer, which quotes every value. Task words that match no
//! built-in task are named, with the tasks that exist; tasks of another category, missing
//! group ids and out-of-range offsets make the draft invalid and say why.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::graph::resources::{Group, User};
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table};
use crate::shared::resolve::{self, GROUP};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::workflow_match::best_match;
use super::workflow_model::*;

const DRAFT_LIFECYCLE_WORKFLOW: Declaration = Declaration {
    name: "draft_lifecycle_workflow",
    title: "Draft a lifecycle workflow",
    description: "Draft a joiner, mover or leaver workflow from intent: trigger (hire date, last day or account creation plus days, or an attribute change), scope conditions, tasks in plain words. Returns a validated Graph body from the tenant's templates and tasks, in plain words, with the users it matches today. Writes nothing. ID Governance. Global Reader.",
    toolset: Toolset::Governance,
    permissions: &["LifecycleWorkflows.Read.All", "User.Read.All", "GroupMember.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Graph's bounds on a time-based trigger's offset.
const MAX_OFFSET_DAYS: i64 = 180;
/// Graph's limit on a workflow's tasks.
const MAX_TASKS: usize = 25;
/// Users shown of those the scope matches.
const USERS_SHOWN: usize = 5;

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TriggerAttribute {
    EmployeeHireDate,
    EmployeeLeaveDateTime,
    CreatedDateTime,
}

impl TriggerAttribute {
    fn graph(self) -> &'static str {
        match self {
            TriggerAttribute::EmployeeHireDate => "employeeHireDate",
            TriggerAttribute::EmployeeLeaveDateTime => "employeeLeaveDateTime",
            TriggerAttribute::CreatedDateTime => "createdDateTime",
        }
    }
}

/// A user attribute a scope condition or a mover trigger reads.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum UserAttribute {
    Department,
    JobTitle,
    CompanyName,
    Country,
    EmployeeType,
}

impl UserAttribute {
    fn graph(self) -> &'static str {
        match self {
            UserAttribute::Department => "department",
            UserAttribute::JobTitle => "jobTitle",
            UserAttribute::CompanyName => "companyName",
            UserAttribute::Country => "country",
            UserAttribute::EmployeeType => "employeeType",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    #[default]
    Equals,
    NotEquals,
    StartsWith,
}

/// One condition of the scope; conditions are joined with `and`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub attribute: UserAttribute,
    /// Default `equals`.
    pub operator: Option<Operator>,
    /// 1 to 10 values: any of them matches (`not_equals`: none of them).
    pub values: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftLifecycleWorkflowParams {
    pub category: Category,
    /// The workflow's display name (default: from the template).
    pub name: Option<String>,
    /// Joiner: `employee_hire_date` (default) or `created_date_time`; leaver: `employee_leave_date_time` (default). Not for movers.
    pub trigger_attribute: Option<TriggerAttribute>,
    /// Days from that date, −180 to 180 (negative: before it). Default 0.
    pub offset_days: Option<i64>,
    /// Mover only: the attributes whose change sets it off (default `department`).
    pub changed_attributes: Option<Vec<UserAttribute>>,
    /// 1 to 10 conditions on the users it is for, joined with `and`.
    pub scope: Vec<Condition>,
    /// 1 to 25 tasks in plain words, in order (`send welcome email`, `generate TAP`, `disable account`, `remove from all groups`).
    pub tasks: Vec<String>,
    /// Groups (names or ids) for tasks that add to or remove from selected groups.
    pub groups: Option<Vec<String>>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DraftTask {
    pub order: usize,
    /// The words given.
    pub asked: String,
    /// The built-in task it became.
    pub task: String,
    pub definition_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<KeyValue>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TemplateRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MatchedUser {
    pub name: Option<String>,
    pub upn: Option<String>,
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hire_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leave_date: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkflowDraft {
    /// Graph would accept the body as it is.
    pub valid: bool,
    /// What stops it being valid.
    pub problems: Vec<String>,
    /// What to fill in before creating it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to_complete: Vec<String>,
    /// The draft in plain words.
    pub summary: String,
    pub name: String,
    pub category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateRef>,
    pub trigger: TriggerInfo,
    /// The scope rule as Graph will hold it.
    pub scope_rule: String,
    pub scope_words: String,
    pub tasks: Vec<DraftTask>,
    /// Task words no built-in task matched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_tasks: Vec<String>,
    /// The built-in tasks this category may use, listed when a task did not match or fit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub available_tasks: Vec<String>,
    /// `POST /identityGovernance/lifecycleWorkflows/workflows` body, as JSON text.
    pub body_json: String,
    /// Users the scope matches today (when Graph counted them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users_in_scope: Option<u64>,
    /// The first of them.
    pub users: Vec<MatchedUser>,
}

/// One scope condition as a filter expression, and the same for Graph's rule.
fn condition_expr(condition: &Condition) -> Result<Expr, SkillError> {
    if condition.values.is_empty() || condition.values.len() > 10 {
        return Err(SkillError::invalid_value(
            "scope",
            format!("a condition on {} has {} values", condition.attribute.graph(), condition.values.len()),
            "1 to 10 values per condition",
        ));
    }
    let path = condition.attribute.graph();
    let values = condition.values.iter().map(|v| text("scope", v, 120)).collect::<Result<Vec<_>, _>>()?;
    let terms = values.into_iter().map(|v| match condition.operator.unwrap_or_default() {
        Operator::Equals => Expr::eq(path, v),
        Operator::NotEquals => Expr::ne(path, v),
        Operator::StartsWith => Expr::starts_with(path, v),
    });
    let joined = match condition.operator.unwrap_or_default() {
        Operator::NotEquals => terms.reduce(Expr::and),
        _ => terms.reduce(Expr::or),
    };
    joined
        .ok_or_else(|| SkillError::invalid_value("scope", "a condition has no values", "1 to 10 values per condition"))
}

/// What sets the workflow off, checked against what Graph allows for its category.
fn trigger(p: &DraftLifecycleWorkflowParams) -> Result<Value, SkillError> {
    let category = p.category;
    if category == Category::Mover {
        if p.trigger_attribute.is_some() || p.offset_days.is_some() {
            return Err(SkillError::invalid_value(
                "trigger_attribute",
                "a mover workflow is set off by a change of attribute, not by a date",
                "`changed_attributes` for a mover (or category joiner/leaver for a date trigger)",
            ));
        }
        let attributes = p.changed_attributes.clone().unwrap_or_else(|| vec![UserAttribute::Department]);
        if attributes.is_empty() || attributes.len() > 5 {
            return Err(SkillError::invalid_value(
                "changed_attributes",
                "needs 1 to 5 attributes",
                "1 to 5 attributes",
            ));
        }
        let mut names: Vec<&str> = Vec::new();
        for a in attributes {
            if !names.contains(&a.graph()) {
                names.push(a.graph());
            }
        }
        return Ok(json!({
            "@odata.type": "#microsoft.graph.identityGovernance.attributeChangeTrigger",
            "triggerAttributes": names.iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
        }));
    }
    if p.changed_attributes.is_some() {
        return Err(SkillError::invalid_value(
            "changed_attributes",
            format!("a {} workflow is set off by a date, not by a change", category.graph()),
            "`trigger_attribute` and `offset_days` (or category mover for an attribute change)",
        ));
    }
    let (attribute, allowed) = match category {
        Category::Joiner => (
            p.trigger_attribute.unwrap_or(TriggerAttribute::EmployeeHireDate),
            "`employee_hire_date` or `created_date_time` for a joiner",
        ),
        _ => (
            p.trigger_attribute.unwrap_or(TriggerAttribute::EmployeeLeaveDateTime),
            "`employee_leave_date_time` for a leaver",
        ),
    };
    let fits = match category {
        Category::Joiner => attribute != TriggerAttribute::EmployeeLeaveDateTime,
        _ => attribute == TriggerAttribute::EmployeeLeaveDateTime,
    };
    if !fits {
        return Err(SkillError::invalid_value(
            "trigger_attribute",
            format!("`{}` cannot set off a {} workflow", attribute.graph(), category.graph()),
            allowed,
        ));
    }
    let offset = p.offset_days.unwrap_or(0);
    if offset.abs() > MAX_OFFSET_DAYS {
        return Err(SkillError::invalid_value(
            "offset_days",
            format!("{offset} is out of range"),
            "a whole number of days from −180 to 180 (negative: before the date)",
        ));
    }
    Ok(json!({
        "@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger",
        "timeBasedAttribute": attribute.graph(),
        "offsetInDays": offset,
    }))
}

/// The template that fits best: same category, and for a date trigger the same attribute on
/// the same side of the date (before, on, after).
fn pick_template<'t>(templates: &'t [WorkflowTemplate], trigger: &TriggerInfo) -> Option<&'t WorkflowTemplate> {
    let side = |offset: Option<i64>| offset.map(i64::signum);
    let score = |t: &WorkflowTemplate| {
        let info = trigger_info(t.execution_conditions.as_ref());
        let mut score = 0;
        if info.kind == trigger.kind {
            score += 1;
            if info.attribute == trigger.attribute {
                score += 2;
                if side(info.offset_days) == side(trigger.offset_days) {
                    score += 4;
                }
            }
        }
        score
    };
    templates.iter().filter(|t| score(t) > 0).max_by_key(|t| score(t))
}

/// Parameters that need ids only the admin can give.
const ID_PARAMETERS: &[&str] =
    &["teamID", "customTaskExtensionID", "accessPackageId", "assignmentPolicyId", "licenses", "cc"];

async fn group_ids(ctx: &Ctx, groups: &[String]) -> Result<Vec<(String, String)>, SkillError> {
    if groups.len() > 10 {
        return Err(SkillError::invalid_value("groups", "names more than 10 groups", "1 to 10 group names or ids"));
    }
    let found = futures::future::join_all(
        groups.iter().map(|g| resolve::resolve::<Group>(ctx, &GROUP, g, &["id", "displayName"])),
    )
    .await;
    found.into_iter().map(|g| g.map(|g| (g.display_name.clone().unwrap_or_else(|| g.id.clone()), g.id))).collect()
}

async fn draft_lifecycle_workflow(ctx: Ctx, p: DraftLifecycleWorkflowParams) -> Result<WorkflowDraft, SkillError> {
    let category = p.category.graph();
    let trigger_json = trigger(&p)?;
    if p.scope.is_empty() || p.scope.len() > 10 {
        return Err(SkillError::invalid_value(
            "scope",
            format!("has {} conditions", p.scope.len()),
            "1 to 10 conditions such as {\"attribute\":\"department\",\"values\":[\"Sales\"]}",
        ));
    }
    if p.tasks.is_empty() || p.tasks.len() > MAX_TASKS {
        return Err(SkillError::invalid_value(
            "tasks",
            format!("has {} tasks", p.tasks.len()),
            "1 to 25 tasks in plain words, such as \"send welcome email\"",
        ));
    }
    let phrases = p.tasks.iter().map(|t| text("tasks", t, 200)).collect::<Result<Vec<_>, _>>()?;
    let name = p.name.as_deref().map(|n| text("name", n, 200)).transpose()?;
    let conditions = p.scope.iter().map(condition_expr).collect::<Result<Vec<_>, _>>()?;
    // Each condition in parentheses, joined with `and`: the form Graph's own rules take.
    let rule = conditions.iter().map(|c| format!("({c})")).collect::<Vec<_>>().join(" and ");
    let filter = Expr::conjunction(conditions).ok_or_else(|| SkillError::invalid("scope", "1 to 10 conditions"))?;

    let templates = lw_get("/workflowTemplates").query(
        Query::new()
            .select(&["id", "displayName", "description", "category", "executionConditions", "tasks"])
            .filter(Expr::eq("category", category)),
    );
    let users = GraphRequest::get("/users")
        .query(
            Query::new()
                .select(&[
                    "id",
                    "displayName",
                    "userPrincipalName",
                    "department",
                    "employeeHireDate",
                    "employeeLeaveDateTime",
                ])
                .filter(filter)
                .count()
                .top(USERS_SHOWN),
        )
        .eventual()
        .max_pages(1);
    let groups = p.groups.clone().unwrap_or_default();
    let (templates, definitions, users, groups) = tokio::join!(
        ctx.graph.list::<WorkflowTemplate>(templates, 50),
        task_definitions(&ctx),
        ctx.graph.list::<UserWithDates>(users, USERS_SHOWN),
        group_ids(&ctx, &groups),
    );
    let (templates, definitions, groups) = (templates?.items, definitions?, groups?);
    let users = ctx.optional("users in scope", users);

    let conditions_json = json!({
        "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
        "scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": rule},
        "trigger": trigger_json,
    });
    let conditions: ExecutionConditions = serde_json::from_value(conditions_json.clone()).unwrap_or_default();
    let trigger = trigger_info(Some(&conditions));
    let template = pick_template(&templates, &trigger);

    let mut problems = Vec::new();
    let mut to_complete = Vec::new();
    let mut unmatched = Vec::new();
    let mut tasks = Vec::new();
    let mut body_tasks = Vec::new();
    for phrase in &phrases {
        let Some(definition) = best_match(phrase, &definitions) else {
            unmatched.push(phrase.clone());
            continue;
        };
        if !definition.allows(category) {
            problems.push(format!(
                "'{}' ({phrase}) is a {} task; a {category} workflow cannot run it",
                definition.name(),
                definition.category.as_deref().unwrap_or("other")
            ));
        }
        // Arguments: the template's for the same task, the groups given, and placeholders for
        // the ids only the admin knows.
        let from_template = template
            .and_then(|t| t.tasks.as_ref())
            .and_then(|tasks| tasks.iter().find(|t| t.task_definition_id.as_deref() == Some(definition.id.as_str())))
            .and_then(|t| t.arguments.clone())
            .unwrap_or_default();
        let mut arguments: Vec<KeyValue> =
            from_template.into_iter().filter(|a| a.value.as_deref().is_some_and(|v| !v.is_empty())).collect();
        for parameter in definition.parameters.as_deref().unwrap_or_default() {
            if arguments.iter().any(|a| a.name == parameter.name) {
                continue;
            }
            if parameter.name == "groupID" {
                if groups.is_empty() {
                    to_complete.push(format!("{}: the groups (`groups`)", definition.name()));
                    problems
                        .push(format!("'{}' needs the groups it acts on: give them as `groups`", definition.name()));
                    arguments.push(KeyValue { name: "groupID".into(), value: Some(String::new()) });
                } else {
                    let ids = groups.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>().join(",");
                    arguments.push(KeyValue { name: "groupID".into(), value: Some(ids) });
                }
            } else if ID_PARAMETERS.contains(&parameter.name.as_str()) && parameter.name != "cc" {
                to_complete.push(format!("{}: {}", definition.name(), parameter.name));
                problems.push(format!(
                    "'{}' needs `{}`, which this draft cannot fill in",
                    definition.name(),
                    parameter.name
                ));
                arguments.push(KeyValue { name: parameter.name.clone(), value: Some(String::new()) });
            }
        }
        body_tasks.push(json!({
            "category": definition.category,
            "continueOnError": false,
            "description": definition.description,
            "displayName": definition.name(),
            "executionSequence": body_tasks.len() + 1,
            "isEnabled": true,
            "taskDefinitionId": definition.id,
            "arguments": arguments.iter().map(|a| json!({"name": a.name, "value": a.value.clone().unwrap_or_default()})).collect::<Vec<_>>(),
        }));
        tasks.push(DraftTask {
            order: tasks.len() + 1,
            asked: phrase.clone(),
            task: definition.name(),
            definition_id: definition.id.clone(),
            arguments,
        });
    }
    let mut available = Vec::new();
    if !unmatched.is_empty() {
        problems.push(format!(
            "no built-in task matches {}",
            unmatched.iter().map(|u| format!("'{u}'")).collect::<Vec<_>>().join(", ")
        ));
    }
    if !unmatched.is_empty() || problems.iter().any(|p| p.contains("task; a")) {
        available = definitions.iter().filter(|d| d.allows(category)).map(TaskDefinition::name).collect();
    }

    let name = name
        .or_else(|| template.and_then(|t| t.display_name.clone()))
        .unwrap_or_else(|| format!("{category} workflow"));
    let description = template
        .and_then(|t| t.description.clone())
        .unwrap_or_else(|| format!("{} workflow drafted from intent", category));
    let body = json!({
        "category": category,
        "displayName": name,
        "description": description,
        "isEnabled": true,
        // A draft starts off the schedule, so it can be tried on demand first.
        "isSchedulingEnabled": false,
        "executionConditions": conditions_json,
        "tasks": body_tasks,
    });
    let scope_words = rule_words(&rule);
    let task_words = tasks.iter().map(|t| t.task.clone()).collect::<Vec<_>>().join(", then ");
    let summary = format!(
        "A {category} workflow '{name}' that runs {} for users whose {scope_words}{}{}.",
        trigger.words,
        if task_words.is_empty() { String::new() } else { format!(": {task_words}") },
        template
            .and_then(|t| t.display_name.as_ref())
            .map(|t| format!(" (from the template '{t}')"))
            .unwrap_or_default()
    );
    let (users_in_scope, users) = match users {
        Some(page) => (
            page.total,
            page.items
                .into_iter()
                .map(|u| MatchedUser {
                    name: u.user.display_name,
                    upn: u.user.user_principal_name,
                    department: u.user.department,
                    // The date this category's trigger reads.
                    hire_date: u.employee_hire_date.filter(|_| p.category == Category::Joiner),
                    leave_date: u.employee_leave_date_time.filter(|_| p.category == Category::Leaver),
                })
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    Ok(WorkflowDraft {
        valid: problems.is_empty(),
        problems,
        to_complete,
        summary,
        category: category.into(),
        template: template.map(|t| TemplateRef { id: t.id.clone(), name: t.display_name.clone().unwrap_or_default() }),
        trigger,
        scope_rule: rule,
        scope_words,
        tasks,
        unmatched_tasks: unmatched,
        available_tasks: available,
        body_json: serde_json::to_string_pretty(&body).unwrap_or_default(),
        users_in_scope,
        users,
        name,
    })
}

/// A user with the HR dates a lifecycle workflow triggers on.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UserWithDates {
    #[serde(flatten)]
    user: User,
    employee_hire_date: Option<String>,
    employee_leave_date_time: Option<String>,
}

impl Render for WorkflowDraft {
    fn markdown(&self) -> String {
        let mut out = format!(
            "**draft — nothing was created** ({})\n{}",
            if self.valid { "valid" } else { "not valid yet" },
            self.summary
        );
        for problem in &self.problems {
            out.push_str(&format!("\nproblem: {problem}"));
        }
        if !self.available_tasks.is_empty() {
            out.push_str(&format!(
                "\nbuilt-in tasks a {} workflow may use: {}",
                self.category,
                self.available_tasks.join("; ")
            ));
        }
        out.push_str(&format!("\nscope rule: {}", self.scope_rule));
        let rows: Vec<Vec<String>> = self
            .tasks
            .iter()
            .map(|t| {
                let args = t
                    .arguments
                    .iter()
                    .map(|a| format!("{}={}", a.name, a.value.as_deref().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(", ");
                vec![t.order.to_string(), t.asked.clone(), t.task.clone(), args]
            })
            .collect();
        out.push_str(&format!("\n\ntasks\n{}", table(&["step", "asked", "built-in task", "arguments"], &rows)));
        let users: Vec<Vec<String>> = self
            .users
            .iter()
            .map(|u| {
                vec![
                    or_dash(&u.name),
                    or_dash(&u.upn),
                    or_dash(&u.department),
                    u.hire_date.as_deref().or(u.leave_date.as_deref()).map(short_time).unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        let count = self.users_in_scope.map(|n| format!("{n} users")).unwrap_or_else(|| "users".into());
        out.push_str(&format!(
            "\n\n{count} in scope today (first {})\n{}",
            self.users.len(),
            table(&["name", "upn", "department", "hire / leave date (UTC)"], &users)
        ));
        out.push_str(&format!(
            "\n\nGraph body (POST /identityGovernance/lifecycleWorkflows/workflows):\n```json\n{}\n```",
            self.body_json
        ));
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Draft a joiner workflow for new Sales hires: three days before they start, generate a TAP, send the welcome email and add them to New Hires",
        args: r#"{"category":"joiner","offset_days":-3,"scope":[{"attribute":"department","values":["Sales"]}],"tasks":["generate TAP","send welcome email","add to groups"],"groups":["New Hires"]}"#,
        facts: &[
            Fact::Every("valid", "true"),
            Fact::Every("template/name", "Onboard pre-hire employee"),
            Fact::Every("scope_rule", "(department eq 'Sales')"),
            Fact::Every("trigger/offset_days", "-3"),
            Fact::Count("tasks/*", 3),
            Fact::Some("tasks/*/definition_id", "70b29d51-b59a-4773-9280-8841dfd3f2ea"),
            Fact::AtLeast("users_in_scope", 8),
            Fact::Every("body_json", "~\"timeBasedAttribute\": \"employeeHireDate\""),
            Fact::Says("3 days before the hire date"),
        ],
    },
    Example {
        question: "Draft a leaver workflow for Operations in the United Kingdom: disable the account, remove from all groups and remove licences on the last day",
        args: r#"{"category":"leaver","scope":[{"attribute":"department","values":["Operations"]},{"attribute":"country","values":["United Kingdom"]}],"tasks":["disable account","remove from all groups","remove licences"]}"#,
        facts: &[
            Fact::Every("valid", "true"),
            Fact::Every("template/name", "Offboard an employee"),
            Fact::Every("scope_rule", "(department eq 'Operations') and (country eq 'United Kingdom')"),
            Fact::Some("tasks/*/task", "Remove all licenses for user"),
            Fact::Some("users/*/upn", "samuel.osei@woodgrovebank.com"),
            Fact::AtLeast("users_in_scope", 6),
        ],
    },
    Example {
        question: "Draft an offboarding workflow with a task no built-in task does",
        args: r#"{"category":"leaver","scope":[{"attribute":"company_name","values":["Woodgrove Bank"]}],"tasks":["disable account","archive mailbox to tape"]}"#,
        facts: &[
            Fact::Every("valid", "false"),
            Fact::Every("unmatched_tasks/*", "archive mailbox to tape"),
            Fact::Some("available_tasks/*", "Delete user"),
            Fact::Says("no built-in task matches"),
        ],
    },
    Example {
        question: "Draft a mover workflow set off by a hire date",
        args: r#"{"category":"mover","trigger_attribute":"employee_hire_date","scope":[{"attribute":"department","values":["Sales"]}],"tasks":["notify manager of move"]}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("trigger_attribute")],
    },
];

pub fn skill() -> Skill {
    Skill::new(DRAFT_LIFECYCLE_WORKFLOW, draft_lifecycle_workflow)
}
