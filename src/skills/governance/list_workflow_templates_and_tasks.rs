//! `list_workflow_templates_and_tasks`: what a new lifecycle workflow can be built from — the
//! templates (category, trigger, tasks), the built-in task definitions (which categories may
//! use them, their parameters) — and the tenant's lifecycle settings (how often scheduled
//! workflows run, which domain their email comes from).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::Query;
use crate::odata::Expr;
use crate::render::{fields, or_dash, table, yes_no};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::workflow_model::*;

const LIST_WORKFLOW_TEMPLATES_AND_TASKS: Declaration = Declaration {
    name: "list_workflow_templates_and_tasks",
    title: "Lifecycle workflow templates and tasks",
    description: "What lifecycle workflows are built from: the templates (category, trigger, tasks), the built-in task definitions (categories, parameters) and the tenant settings (schedule interval, email sender domain). ID Governance. Global Reader.",
    toolset: Toolset::Governance,
    permissions: &["LifecycleWorkflows.Read.All"],
    least_role: "Global Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListWorkflowTemplatesAndTasksParams {
    /// Only templates of this category, and task definitions it may use.
    pub category: Option<Category>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TemplateRow {
    pub id: String,
    pub name: String,
    pub category: Option<String>,
    /// What sets a workflow made from it off, in words.
    pub trigger: String,
    /// Its tasks' names, in order.
    pub tasks: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DefinitionRow {
    pub id: String,
    pub name: String,
    /// The categories that may use it (`joiner,leaver`).
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LifecycleSettings {
    /// How often scheduled workflows run.
    pub schedule_interval_hours: Option<i64>,
    /// The domain workflow email is sent from.
    pub email_sender_domain: Option<String>,
    pub company_branding: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TemplatesAndTasks {
    pub templates: Vec<TemplateRow>,
    pub task_definitions: Vec<DefinitionRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<LifecycleSettings>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Settings {
    workflow_schedule_interval_in_hours: Option<i64>,
    email_settings: Option<EmailSettings>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EmailSettings {
    sender_domain: Option<String>,
    use_company_branding: Option<bool>,
}

async fn list_templates_and_tasks(
    ctx: Ctx,
    p: ListWorkflowTemplatesAndTasksParams,
) -> Result<TemplatesAndTasks, SkillError> {
    let mut query = Query::new().select(&["id", "displayName", "category", "executionConditions", "tasks"]);
    if let Some(category) = p.category {
        query = query.filter(Expr::eq("category", category.graph()));
    }
    let templates = ctx.graph.list::<WorkflowTemplate>(lw_get("/workflowTemplates").query(query), 100);
    let settings = ctx.graph.get::<Settings>(lw_get("/settings"));
    let (templates, definitions, settings) = tokio::join!(templates, task_definitions(&ctx), settings);
    let (templates, definitions) = (templates?.items, definitions?);
    let templates = templates
        .into_iter()
        .map(|t| TemplateRow {
            name: t.display_name.clone().unwrap_or_else(|| t.id.clone()),
            trigger: trigger_info(t.execution_conditions.as_ref()).words,
            tasks: task_rows(t.tasks.as_deref().unwrap_or_default(), &definitions)
                .into_iter()
                .map(|r| r.name)
                .collect(),
            category: t.category,
            id: t.id,
        })
        .collect();
    // Definitions carry a set of categories (`joiner,leaver`), which Graph filters with `has`;
    // the list is short, so it is read whole and matched here.
    let task_definitions = definitions
        .into_iter()
        .filter(|d| p.category.is_none_or(|c| d.allows(c.graph())))
        .map(|d| DefinitionRow {
            name: d.name(),
            parameters: d.parameters.unwrap_or_default().into_iter().map(|p| p.name).collect(),
            category: d.category,
            id: d.id,
        })
        .collect();
    let settings = ctx.optional("lifecycle settings", settings).map(|s| LifecycleSettings {
        schedule_interval_hours: s.workflow_schedule_interval_in_hours,
        email_sender_domain: s.email_settings.as_ref().and_then(|e| e.sender_domain.clone()),
        company_branding: s.email_settings.as_ref().and_then(|e| e.use_company_branding),
    });
    Ok(TemplatesAndTasks { templates, task_definitions, settings })
}

impl Render for TemplatesAndTasks {
    fn markdown(&self) -> String {
        let templates: Vec<Vec<String>> = self
            .templates
            .iter()
            .map(|t| vec![t.name.clone(), or_dash(&t.category), t.trigger.clone(), t.tasks.join("; "), t.id.clone()])
            .collect();
        let definitions: Vec<Vec<String>> = self
            .task_definitions
            .iter()
            .map(|d| vec![d.name.clone(), or_dash(&d.category), d.parameters.join(", "), d.id.clone()])
            .collect();
        let mut out = format!(
            "{} templates\n{}\n\n{} task definitions\n{}",
            self.templates.len(),
            table(&["template", "category", "trigger", "tasks", "id"], &templates),
            self.task_definitions.len(),
            table(&["task", "categories", "parameters", "id"], &definitions)
        );
        if let Some(s) = &self.settings {
            out.push_str("\n\n");
            out.push_str(&fields(&[
                ("scheduled workflows run every", s.schedule_interval_hours.map(|h| format!("{h} h"))),
                ("email sent from", s.email_sender_domain.clone()),
                ("company branding in email", yes_no(s.company_branding)),
            ]));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which templates and built-in tasks can a new lifecycle workflow use, and how often do workflows run?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("templates/*/name", "Onboard pre-hire employee"),
            Fact::Some("templates/*/id", "e821c59e-d28c-44d7-902f-5fed05e926f1"),
            Fact::AtLeast("task_definitions/*", 20),
            Fact::Some("task_definitions/*/id", "70b29d51-b59a-4773-9280-8841dfd3f2ea"),
            Fact::Every("settings/schedule_interval_hours", "24"),
            Fact::Every("settings/email_sender_domain", "woodgrovebank.com"),
        ],
    },
    Example {
        question: "Offboarding templates and the tasks a leaver workflow may run",
        args: r#"{"category":"leaver"}"#,
        facts: &[
            Fact::Every("templates/*/category", "leaver"),
            Fact::Some("task_definitions/*/name", "Remove all licenses for user"),
            Fact::No("task_definitions/*/name", "Send welcome email to new hire"),
        ],
    },
    Example {
        question: "Templates for a category lifecycle workflows do not have",
        args: r#"{"category":"contractor"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_WORKFLOW_TEMPLATES_AND_TASKS, list_templates_and_tasks)
}
