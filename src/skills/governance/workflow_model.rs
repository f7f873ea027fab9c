//! What the lifecycle workflow skills read of Graph — workflows, their versions, tasks and
//! execution conditions, task definitions and templates — and what they share: a `workflow`
//! argument resolved to one workflow, the report window, and triggers and scope rules told in
//! plain words.
//!
//! Every read sends `Prefer: include-unknown-enum-members`: `mover` joined the category enum
//! after `unknownFutureValue`, and without the header Graph names a mover workflow
//! `unknownFutureValue`.

use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query, segment};
use crate::odata::{CmpOp, Expr, Literal};
use crate::shared::{guid, shorten};
use crate::skill::{Ctx, ErrorKind, SkillError};

/// `{LW}`: where Graph keeps lifecycle workflows.
pub const LW: &str = "/identityGovernance/lifecycleWorkflows";

/// The skill that lists workflows, named when one is not found.
pub const LIST_WORKFLOWS: &str = "list_workflows";

/// Graph keeps a deleted workflow this many days before it is gone for good.
pub const DELETED_RETENTION_DAYS: i64 = 30;

/// The most users one on-demand run takes.
pub const MAX_ON_DEMAND_USERS: usize = 10;

/// A GET below `{LW}` that names mover workflows by name.
pub fn lw_get(path: impl Into<String>) -> GraphRequest {
    GraphRequest::get(format!("{LW}{}", path.into())).prefer_unknown_enums()
}

/// A workflow's category.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Joiner,
    Mover,
    Leaver,
}

impl Category {
    pub fn graph(self) -> &'static str {
        match self {
            Category::Joiner => "joiner",
            Category::Mover => "mover",
            Category::Leaver => "leaver",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Workflow {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub is_enabled: Option<bool>,
    pub is_scheduling_enabled: Option<bool>,
    pub created_date_time: Option<String>,
    pub last_modified_date_time: Option<String>,
    pub deleted_date_time: Option<String>,
    pub version: Option<i64>,
    pub next_schedule_run_date_time: Option<String>,
    pub execution_conditions: Option<ExecutionConditions>,
    pub tasks: Option<Vec<Task>>,
    pub created_by: Option<UserStub>,
    pub last_modified_by: Option<UserStub>,
}

impl Workflow {
    pub fn name(&self) -> String {
        self.display_name.clone().unwrap_or_else(|| self.id.clone())
    }
}

/// A user as a workflow's `createdBy`, `lastModifiedBy` or a result's `subject` names them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserStub {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
}

impl UserStub {
    /// "Name (UPN)", or whatever is known.
    pub fn label(&self) -> String {
        match (&self.display_name, &self.user_principal_name) {
            (Some(name), Some(upn)) => format!("{name} ({upn})"),
            (Some(name), None) => name.clone(),
            (None, Some(upn)) => upn.clone(),
            (None, None) => self.id.clone(),
        }
    }
}

/// When a workflow runs and for whom.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExecutionConditions {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub scope: Option<Scope>,
    pub trigger: Option<Trigger>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Scope {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    /// A rule-based scope's rule.
    pub rule: Option<String>,
    /// A group-based scope's groups.
    pub groups: Option<Vec<GroupStub>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupStub {
    pub id: String,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Trigger {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub time_based_attribute: Option<String>,
    pub offset_in_days: Option<i64>,
    pub trigger_attributes: Option<Vec<NameOnly>>,
    pub change_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NameOnly {
    pub name: String,
}

/// A task of a workflow, a version or a template.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Task {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub continue_on_error: Option<bool>,
    pub is_enabled: Option<bool>,
    pub execution_sequence: Option<i64>,
    pub task_definition_id: Option<String>,
    pub arguments: Option<Vec<KeyValue>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyValue {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A built-in task a workflow's tasks are made from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskDefinition {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub continue_on_error: Option<bool>,
    pub parameters: Option<Vec<Parameter>>,
}

impl TaskDefinition {
    pub fn name(&self) -> String {
        self.display_name.clone().unwrap_or_else(|| self.id.clone())
    }

    /// Whether a workflow of `category` may use this task (`joiner,leaver` allows both).
    pub fn allows(&self, category: &str) -> bool {
        self.category.as_deref().is_some_and(|c| c.split(',').any(|m| m.trim().eq_ignore_ascii_case(category)))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Parameter {
    pub name: String,
    pub values: Option<Vec<String>>,
    pub value_type: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkflowTemplate {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub execution_conditions: Option<ExecutionConditions>,
    pub tasks: Option<Vec<Task>>,
}

/// The task definitions' names by id, for answers that name a task's definition.
pub async fn task_definitions(ctx: &Ctx) -> Result<Vec<TaskDefinition>, SkillError> {
    let request = lw_get("/taskDefinitions").query(Query::new().select(&[
        "id",
        "displayName",
        "description",
        "category",
        "continueOnError",
        "parameters",
    ]));
    Ok(ctx.graph.list::<TaskDefinition>(request, 200).await?.items)
}

/// The name of the task definition with this id, among `definitions`.
pub fn definition_name(definitions: &[TaskDefinition], id: Option<&str>) -> Option<String> {
    let id = id?;
    definitions.iter().find(|d| d.id.eq_ignore_ascii_case(id)).map(TaskDefinition::name)
}

/// Checks a `workflow` argument before it goes anywhere near Graph.
fn checked(value: &str) -> Result<&str, SkillError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 256 || value.chars().any(char::is_control) {
        return Err(SkillError::invalid_value(
            "workflow",
            format!("`{}` is not a workflow name or id", shorten(value)),
            "a workflow's id or its exact display name",
        ));
    }
    Ok(value)
}

fn not_found(what: &str) -> SkillError {
    SkillError::not_found(what, LIST_WORKFLOWS).with_remedy(format!(
        "give the exact display name or the id as `workflow`, or find it with `{LIST_WORKFLOWS}` (deleted ones with `list_deleted_workflows`)"
    ))
}

/// Resolves a `workflow` argument (an id, or the exact display name, case-insensitively) to
/// one workflow, read with `select` (and `expand`, if any).
pub async fn find_workflow(
    ctx: &Ctx,
    value: &str,
    select: &'static [&'static str],
    expand: Option<&'static str>,
) -> Result<Workflow, SkillError> {
    let value = checked(value)?;
    let by_id = |id: String| {
        let mut query = Query::new().select(select);
        if let Some(expand) = expand {
            query = query.expand(expand);
        }
        lw_get(format!("/workflows/{}", segment(&id))).query(query)
    };
    if let Some(id) = guid(value) {
        let id = id.to_string();
        return ctx.graph.get::<Workflow>(by_id(id.clone())).await.map_err(|e| {
            if e.kind == ErrorKind::NotFound {
                let mut missing = not_found(&format!("workflow {id}"));
                missing.graph = e.graph;
                missing
            } else {
                e
            }
        });
    }
    let request = lw_get("/workflows")
        .query(Query::new().select(&["id", "displayName", "category"]).filter(Expr::eq("displayName", value)));
    let listed = ctx.graph.list::<Workflow>(request, 11).await?.items;
    let mut matches: Vec<Workflow> = listed
        .into_iter()
        .filter(|w| w.display_name.as_deref().is_some_and(|n| n.trim().eq_ignore_ascii_case(value)))
        .collect();
    match matches.len() {
        0 => Err(not_found(&format!("workflow named '{}'", shorten(value)))),
        1 => {
            let found = matches.remove(0);
            ctx.graph.get::<Workflow>(by_id(found.id)).await
        }
        n => {
            let candidates = matches
                .iter()
                .take(10)
                .map(|w| format!("{} ({})", w.id, w.category.as_deref().unwrap_or("no category")))
                .collect::<Vec<_>>()
                .join("; ");
            Err(SkillError::new(
                ErrorKind::Ambiguous,
                format!("{n} workflows are named '{}': {candidates}", shorten(value)),
            )
            .with_remedy("call again with the id of the one you mean as `workflow`"))
        }
    }
}

/// A workflow's id as a path segment: Graph's ids are GUIDs, and nothing else goes into a path.
pub fn workflow_path(id: &str) -> Result<String, SkillError> {
    let id = guid(id)
        .ok_or_else(|| SkillError::new(ErrorKind::Upstream, "Graph returned a workflow id that is not a GUID"))?;
    Ok(format!("/workflows/{id}"))
}

/// `name(startDateTime=…,endDateTime=…)`, the form of Graph's report functions.
pub fn windowed(function: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    format!(
        "{function}(startDateTime={},endDateTime={})",
        start.to_rfc3339_opts(SecondsFormat::Secs, true),
        end.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
}

/// What sets a workflow off, as data and in words.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TriggerInfo {
    /// `time_based`, `attribute_change`, `group_membership`, `on_demand_only` or `unknown`.
    pub kind: String,
    /// The date attribute of a time-based trigger (`employeeHireDate`, `employeeLeaveDateTime`, `createdDateTime`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// Days from that date (negative: before it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset_days: Option<i64>,
    /// The attributes whose change sets a mover workflow off.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed_attributes: Vec<String>,
    /// `add` or `remove`, for a group membership trigger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_type: Option<String>,
    pub words: String,
}

/// Who a workflow runs for, as Graph holds it and in words.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScopeInfo {
    /// A rule-based scope's rule, as Graph holds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// A group-based scope's group ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    pub words: String,
}

fn type_is(odata_type: &Option<String>, name: &str) -> bool {
    odata_type.as_deref().is_some_and(|t| t.trim_start_matches('#').ends_with(name))
}

/// A user attribute in an admin's words.
pub fn attribute_words(attribute: &str) -> String {
    match attribute {
        "employeeHireDate" => "hire date".into(),
        "employeeLeaveDateTime" => "last working day".into(),
        "createdDateTime" => "account creation".into(),
        "lastSignInDateTime" => "last sign-in".into(),
        "jobTitle" => "job title".into(),
        "companyName" => "company".into(),
        "employeeType" => "employee type".into(),
        "officeLocation" => "office".into(),
        "employeeId" => "employee id".into(),
        "userType" => "user type".into(),
        other => other.to_string(),
    }
}

/// `2 days before the hire date`, `on the last working day`, `30 days after the …`.
pub fn offset_words(attribute: &str, offset: i64) -> String {
    let days = |n: i64| if n == 1 { "1 day".to_string() } else { format!("{n} days") };
    let what = attribute_words(attribute);
    match offset {
        0 => format!("on the {what}"),
        n if n < 0 => format!("{} before the {what}", days(-n)),
        n => format!("{} after the {what}", days(n)),
    }
}

/// The trigger of a workflow's execution conditions.
pub fn trigger_info(conditions: Option<&ExecutionConditions>) -> TriggerInfo {
    let unknown = |words: &str| TriggerInfo {
        kind: "unknown".into(),
        attribute: None,
        offset_days: None,
        changed_attributes: Vec::new(),
        change_type: None,
        words: words.into(),
    };
    let Some(conditions) = conditions else {
        return unknown("no execution conditions");
    };
    if type_is(&conditions.odata_type, "onDemandExecutionOnly") {
        return TriggerInfo { kind: "on_demand_only".into(), words: "only when run on demand".into(), ..unknown("") };
    }
    let Some(trigger) = &conditions.trigger else {
        return unknown("no trigger");
    };
    if let Some(attribute) = &trigger.time_based_attribute {
        let offset = trigger.offset_in_days.unwrap_or(0);
        return TriggerInfo {
            kind: "time_based".into(),
            attribute: Some(attribute.clone()),
            offset_days: Some(offset),
            words: offset_words(attribute, offset),
            ..unknown("")
        };
    }
    if let Some(attributes) = trigger.trigger_attributes.as_ref().filter(|a| !a.is_empty()) {
        let names: Vec<String> = attributes.iter().map(|a| a.name.clone()).collect();
        let words = names.iter().map(|n| attribute_words(n)).collect::<Vec<_>>().join(" or ");
        return TriggerInfo {
            kind: "attribute_change".into(),
            changed_attributes: names,
            words: format!("when the user's {words} changes"),
            ..unknown("")
        };
    }
    if type_is(&trigger.odata_type, "membershipChangeTrigger") {
        let change = trigger.change_type.clone().unwrap_or_else(|| "add".into());
        let words = if change == "remove" {
            "when a user is removed from one of the scope's groups"
        } else {
            "when a user is added to one of the scope's groups"
        };
        return TriggerInfo {
            kind: "group_membership".into(),
            change_type: Some(change),
            words: words.into(),
            ..unknown("")
        };
    }
    unknown("a trigger this server does not describe")
}

/// The scope of a workflow's execution conditions.
pub fn scope_info(conditions: Option<&ExecutionConditions>) -> ScopeInfo {
    let scope = conditions.and_then(|c| c.scope.as_ref());
    let groups: Vec<String> =
        scope.and_then(|s| s.groups.as_ref()).map(|g| g.iter().map(|g| g.id.clone()).collect()).unwrap_or_default();
    let rule = scope.and_then(|s| s.rule.clone()).filter(|r| !r.trim().is_empty());
    let words = match (&rule, groups.len()) {
        (Some(rule), _) => rule_words(rule),
        (None, n) if n > 0 => format!("members of {n} group{}", if n == 1 { "" } else { "s" }),
        _ if conditions.is_some_and(|c| type_is(&c.odata_type, "onDemandExecutionOnly")) => {
            "whoever it is run for".into()
        }
        _ => "no scope".into(),
    };
    ScopeInfo { rule, groups, words }
}

/// A scope rule in plain words (`department is 'Sales' and employee type is 'Employee'`);
/// a rule this server cannot parse is given as Graph holds it.
pub fn rule_words(rule: &str) -> String {
    match crate::odata::parse_filter(rule) {
        Ok(expr) => expr_words(&expr, false),
        Err(_) => rule.to_string(),
    }
}

fn literal_words(value: &Literal) -> String {
    match value {
        Literal::String(s) => format!("'{s}'"),
        Literal::Null => "empty".into(),
        other => other.to_string(),
    }
}

fn expr_words(expr: &Expr, nested: bool) -> String {
    let path = |p: &crate::odata::Path| attribute_words(&p.segments().join("/"));
    match expr {
        Expr::Compare { path: p, op, value } => {
            let verb = match op {
                CmpOp::Eq => "is",
                CmpOp::Ne => "is not",
                CmpOp::Gt => "is after",
                CmpOp::Ge => "is on or after",
                CmpOp::Lt => "is before",
                CmpOp::Le => "is on or before",
            };
            format!("{} {verb} {}", path(p), literal_words(value))
        }
        Expr::In { path: p, values } => {
            format!("{} is one of {}", path(p), values.iter().map(literal_words).collect::<Vec<_>>().join(", "))
        }
        Expr::StartsWith { path: p, prefix } => format!("{} starts with '{prefix}'", path(p)),
        Expr::EndsWith { path: p, suffix } => format!("{} ends with '{suffix}'", path(p)),
        Expr::Contains { path: p, text } => format!("{} contains '{text}'", path(p)),
        Expr::And(a, b) => format!("{} and {}", expr_words(a, true), expr_words(b, true)),
        Expr::Or(a, b) => {
            let text = format!("{} or {}", expr_words(a, true), expr_words(b, true));
            if nested { format!("({text})") } else { text }
        }
        Expr::Not(inner) => format!("not ({})", expr_words(inner, false)),
        Expr::Any { .. } | Expr::All { .. } => expr.to_string(),
    }
}

/// A task of a workflow, a version or a template, as the answers show it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaskRow {
    pub order: i64,
    pub name: String,
    /// The built-in task it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition_id: Option<String>,
    pub enabled: bool,
    pub continue_on_error: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<KeyValue>,
}

/// The tasks in the order they run.
pub fn task_rows(tasks: &[Task], definitions: &[TaskDefinition]) -> Vec<TaskRow> {
    let mut rows: Vec<TaskRow> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| TaskRow {
            order: t.execution_sequence.unwrap_or(i as i64 + 1),
            name: t.display_name.clone().unwrap_or_else(|| t.id.clone()),
            definition: definition_name(definitions, t.task_definition_id.as_deref()),
            definition_id: t.task_definition_id.clone(),
            enabled: t.is_enabled != Some(false),
            continue_on_error: t.continue_on_error == Some(true),
            arguments: t
                .arguments
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|a| KeyValue { name: a.name, value: a.value.map(|v| crate::render::trim(&v, 120)) })
                .collect(),
        })
        .collect();
    rows.sort_by_key(|t| t.order);
    rows
}

/// One task in a line: `1. Send welcome email (off, continues on error)`.
pub fn task_line(task: &TaskRow) -> String {
    let mut flags = Vec::new();
    if !task.enabled {
        flags.push("off".to_string());
    }
    if task.continue_on_error {
        flags.push("continues on error".to_string());
    }
    if !task.arguments.is_empty() {
        let args: Vec<String> =
            task.arguments.iter().map(|a| format!("{}={}", a.name, a.value.as_deref().unwrap_or(""))).collect();
        flags.push(args.join(", "));
    }
    let flags = if flags.is_empty() { String::new() } else { format!(" ({})", flags.join("; ")) };
    format!("{}. {}{flags}", task.order, task.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_and_triggers_read_as_words() {
        assert_eq!(
            rule_words("(companyName eq 'Woodgrove Bank') and (employeeType eq 'Employee')"),
            "company is 'Woodgrove Bank' and employee type is 'Employee'"
        );
        assert_eq!(
            rule_words("(department eq 'Sales' or department eq 'Finance') and country ne 'France'"),
            "(department is 'Sales' or department is 'Finance') and country is not 'France'"
        );
        assert_eq!(rule_words("not a rule ((("), "not a rule (((");
        assert_eq!(offset_words("employeeHireDate", -2), "2 days before the hire date");
        assert_eq!(offset_words("employeeLeaveDateTime", 0), "on the last working day");
        assert_eq!(offset_words("employeeLeaveDateTime", 1), "1 day after the last working day");
    }

    #[test]
    fn report_functions_carry_their_window() {
        let start = DateTime::parse_from_rfc3339("2026-11-15T10:00:00Z").map(|t| t.to_utc()).unwrap_or_default();
        let end = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").map(|t| t.to_utc()).unwrap_or_default();
        assert_eq!(
            windowed("summary", start, end),
            "summary(startDateTime=2026-11-15T10:00:00Z,endDateTime=2026-11-22T10:00:00Z)"
        );
    }
}
