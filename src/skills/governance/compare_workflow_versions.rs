//! `compare_workflow_versions`: a lifecycle workflow's versions, and what changed between two
//! of them (by default the live version and the one before): trigger, scope, name and
//! settings, and tasks added, removed or changed (matched by the built-in task they run).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::Query;
use crate::render::{fields, short_time, table};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::workflow_model::*;

const COMPARE_WORKFLOW_VERSIONS: Declaration = Declaration {
    name: "compare_workflow_versions",
    title: "Compare lifecycle workflow versions",
    description: "A lifecycle workflow's version history and a diff of two versions (default: live vs previous): trigger and scope changes, tasks added, removed or changed. ID Governance. Global Reader.",
    toolset: Toolset::Governance,
    permissions: &["LifecycleWorkflows-Workflow.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareWorkflowVersionsParams {
    /// Workflow id or exact display name.
    pub workflow: String,
    /// The older version number (default: the one before `to`).
    pub from: Option<i64>,
    /// The newer version number (default: the live version).
    pub to: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct VersionRow {
    pub number: i64,
    pub name: Option<String>,
    pub modified: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FieldChange {
    /// `trigger`, `scope`, `name`, `description`, `enabled`, `scheduled`.
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskChange {
    pub task: String,
    /// What differs, in words.
    pub what: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct VersionComparison {
    pub workflow: String,
    pub workflow_id: String,
    /// Newest first.
    pub versions: Vec<VersionRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    /// Nothing differs between the two versions (or there is only one).
    pub identical: bool,
    pub changes: Vec<FieldChange>,
    pub tasks_added: Vec<String>,
    pub tasks_removed: Vec<String>,
    pub tasks_changed: Vec<TaskChange>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Version {
    version_number: i64,
    display_name: Option<String>,
    description: Option<String>,
    is_enabled: Option<bool>,
    is_scheduling_enabled: Option<bool>,
    last_modified_date_time: Option<String>,
    execution_conditions: Option<ExecutionConditions>,
    tasks: Option<Vec<Task>>,
}

fn flag(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => "unknown".into(),
    }
}

fn arguments(task: &TaskRow) -> String {
    let args: Vec<String> =
        task.arguments.iter().map(|a| format!("{}={}", a.name, a.value.as_deref().unwrap_or(""))).collect();
    if args.is_empty() { "none".into() } else { args.join(", ") }
}

/// The differences between two versions.
fn diff(before: &Version, after: &Version) -> (Vec<FieldChange>, Vec<String>, Vec<String>, Vec<TaskChange>) {
    let mut changes = Vec::new();
    let mut change = |field: &str, a: String, b: String| {
        if a != b {
            changes.push(FieldChange { field: field.into(), before: a, after: b });
        }
    };
    let (c1, c2) = (before.execution_conditions.as_ref(), after.execution_conditions.as_ref());
    change("trigger", trigger_info(c1).words, trigger_info(c2).words);
    // The rule as Graph holds it says exactly what changed; words only where there is none.
    let scope = |c| {
        let s = scope_info(c);
        s.rule.unwrap_or(s.words)
    };
    change("scope", scope(c1), scope(c2));
    change("name", before.display_name.clone().unwrap_or_default(), after.display_name.clone().unwrap_or_default());
    change(
        "description",
        crate::render::trim(before.description.as_deref().unwrap_or_default(), 120),
        crate::render::trim(after.description.as_deref().unwrap_or_default(), 120),
    );
    change("enabled", flag(before.is_enabled), flag(after.is_enabled));
    change("scheduled", flag(before.is_scheduling_enabled), flag(after.is_scheduling_enabled));

    let old = task_rows(before.tasks.as_deref().unwrap_or_default(), &[]);
    let new = task_rows(after.tasks.as_deref().unwrap_or_default(), &[]);
    let mut unmatched_old: Vec<Option<&TaskRow>> = old.iter().map(Some).collect();
    let (mut added, mut changed) = (Vec::new(), Vec::new());
    for task in &new {
        // The same built-in task, first unmatched occurrence.
        let matched = unmatched_old
            .iter_mut()
            .find(|o| o.is_some_and(|o| o.definition_id.is_some() && o.definition_id == task.definition_id));
        let Some(slot) = matched else {
            added.push(task_line(task));
            continue;
        };
        let Some(was) = slot.take() else { continue };
        let mut what = Vec::new();
        if was.name != task.name {
            what.push(format!("renamed from '{}'", was.name));
        }
        if was.order != task.order {
            what.push(format!("moved from step {} to {}", was.order, task.order));
        }
        if was.enabled != task.enabled {
            what.push(if task.enabled { "switched on".into() } else { "switched off".into() });
        }
        if was.continue_on_error != task.continue_on_error {
            what.push(if task.continue_on_error {
                "now continues on error".into()
            } else {
                "now stops the workflow on error".into()
            });
        }
        if was.arguments != task.arguments {
            what.push(format!("arguments {} → {}", arguments(was), arguments(task)));
        }
        if !what.is_empty() {
            changed.push(TaskChange { task: task.name.clone(), what });
        }
    }
    let removed = unmatched_old.into_iter().flatten().map(task_line).collect();
    (changes, added, removed, changed)
}

fn not_a_version(field: &str, number: i64, versions: &[Version]) -> SkillError {
    let known: Vec<String> = versions.iter().map(|v| v.version_number.to_string()).collect();
    SkillError::invalid_value(
        field,
        format!("version {number} does not exist"),
        &format!("one of this workflow's version numbers: {}", known.join(", ")),
    )
}

async fn compare_workflow_versions(
    ctx: Ctx,
    p: CompareWorkflowVersionsParams,
) -> Result<VersionComparison, SkillError> {
    let workflow = find_workflow(&ctx, &p.workflow, &["id", "displayName", "version"], None).await?;
    let path = workflow_path(&workflow.id)?;
    let request = lw_get(format!("{path}/versions")).query(
        Query::new()
            .select(&["versionNumber", "displayName", "lastModifiedDateTime"])
            .orderby("versionNumber desc")
            .top(100),
    );
    let mut versions = ctx.graph.list::<Version>(request, 100).await?.items;
    versions.sort_by_key(|v| std::cmp::Reverse(v.version_number));
    let rows: Vec<VersionRow> = versions
        .iter()
        .map(|v| VersionRow {
            number: v.version_number,
            name: v.display_name.clone(),
            modified: v.last_modified_date_time.clone(),
        })
        .collect();
    let latest = versions.first().map(|v| v.version_number).or(workflow.version).unwrap_or(1);
    let to = p.to.unwrap_or(latest);
    if !versions.iter().any(|v| v.version_number == to) {
        return Err(not_a_version("to", to, &versions));
    }
    let from = match p.from {
        Some(from) => Some(from),
        // The version before `to`.
        None => versions.iter().map(|v| v.version_number).filter(|n| *n < to).max(),
    };
    let mut answer = VersionComparison {
        workflow: workflow.name(),
        workflow_id: workflow.id.clone(),
        versions: rows,
        from,
        to: Some(to),
        identical: true,
        changes: Vec::new(),
        tasks_added: Vec::new(),
        tasks_removed: Vec::new(),
        tasks_changed: Vec::new(),
    };
    let Some(from) = from else {
        ctx.note(format!("version {to} is the workflow's only version, so there is nothing to compare it with"));
        return Ok(answer);
    };
    if !versions.iter().any(|v| v.version_number == from) {
        return Err(not_a_version("from", from, &versions));
    }
    if from == to {
        return Err(SkillError::invalid_value(
            "from",
            "is the same version as `to`",
            "a version number other than `to`",
        ));
    }
    let read = |number: i64| {
        let request = lw_get(format!("{path}/versions/{number}")).query(Query::new().expand("tasks"));
        ctx.graph.get::<Version>(request)
    };
    let (older, newer) = tokio::join!(read(from.min(to)), read(from.max(to)));
    let (older, newer) = (older?, newer?);
    let (before, after) = if from < to { (&older, &newer) } else { (&newer, &older) };
    let (changes, added, removed, changed) = diff(before, after);
    answer.identical = changes.is_empty() && added.is_empty() && removed.is_empty() && changed.is_empty();
    answer.changes = changes;
    answer.tasks_added = added;
    answer.tasks_removed = removed;
    answer.tasks_changed = changed;
    Ok(answer)
}

impl Render for VersionComparison {
    fn markdown(&self) -> String {
        let mut out = fields(&[
            ("workflow", Some(format!("{} ({})", self.workflow, self.workflow_id))),
            (
                "compared",
                match (self.from, self.to) {
                    (Some(from), Some(to)) => Some(format!("version {from} → version {to}")),
                    _ => None,
                },
            ),
        ]);
        let versions: Vec<Vec<String>> = self
            .versions
            .iter()
            .map(|v| {
                vec![
                    v.number.to_string(),
                    v.name.clone().unwrap_or_default(),
                    v.modified.as_deref().map(short_time).unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        out.push_str(&format!("\n\nversions\n{}", table(&["version", "name", "saved (UTC)"], &versions)));
        if self.from.is_none() {
            return out;
        }
        if self.identical {
            out.push_str("\n\nno differences");
            return out;
        }
        for c in &self.changes {
            out.push_str(&format!("\n{} changed: {} → {}", c.field, c.before, c.after));
        }
        for t in &self.tasks_added {
            out.push_str(&format!("\ntask added: {t}"));
        }
        for t in &self.tasks_removed {
            out.push_str(&format!("\ntask removed: {t}"));
        }
        for t in &self.tasks_changed {
            out.push_str(&format!("\ntask changed: {} — {}", t.task, t.what.join("; ")));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "What changed in the latest version of the department move workflow?",
        args: r#"{"workflow":"Department move notifications"}"#,
        facts: &[
            Fact::Count("versions/*", 2),
            Fact::Every("from", "1"),
            Fact::Every("to", "2"),
            Fact::Some("changes/*/field", "scope"),
            Fact::No("changes/*/field", "trigger"),
            Fact::Some("tasks_added/*", "~Remove user from selected groups"),
            Fact::Some("tasks_changed/*/what/*", "now continues on error"),
            Fact::Every("identical", "false"),
        ],
    },
    Example {
        question: "Compare versions of a workflow that has only one",
        args: r#"{"workflow":"Offboard leavers"}"#,
        facts: &[
            Fact::Count("versions/*", 1),
            Fact::Every("identical", "true"),
            Fact::Some("notes/*", "~only version"),
        ],
    },
    Example {
        question: "Compare against a workflow version that does not exist",
        args: r#"{"workflow":"Department move notifications","from":7}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`from`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(COMPARE_WORKFLOW_VERSIONS, compare_workflow_versions)
}
