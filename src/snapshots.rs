//! The `tools/` directory: one JSON snapshot per tool and the generated catalog page, both
//! derived from the skill declarations. A test compares them with the files on disk and fails
//! when they are stale; `ENTRA_MCP_UPDATE_SNAPSHOTS=1 cargo test` rewrites them on purpose.

use serde_json::json;

use crate::skill::{Access, Skill, Toolset};
use crate::skills::catalog;

/// The snapshot of one tool: what a host sees, plus the facts only the catalog carries.
pub fn tool_snapshot(skill: &Skill) -> String {
    let tool = skill.tool();
    let value = json!({
        "name": skill.decl.name,
        "title": skill.decl.title,
        "toolset": skill.decl.toolset,
        "access": access_text(skill.decl.access),
        "beta": skill.decl.beta,
        "default": skill.decl.default,
        "permissions": skill.decl.permissions,
        "least_role": skill.decl.least_role,
        "description": skill.decl.description,
        "annotations": tool.annotations,
        // The examples and their facts are the skill's tests: a dropped one shows here.
        "examples": skill.decl.examples.iter().map(|e| json!({
            "question": e.question,
            "args": e.args,
            "facts": e.facts.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "inputSchema": tool.input_schema,
        "outputSchema": tool.output_schema,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn access_text(access: Access) -> String {
    match access {
        Access::Read => "read".into(),
        Access::Write { tier, .. } => format!("write (C{tier})"),
    }
}

/// `tools/README.md`: the catalog page.
pub fn catalog_page() -> String {
    let mut page = String::from(
        "# Tool catalog\n\n\
         Generated from the skill declarations in `src/skills/`; do not edit by hand \
         (`ENTRA_MCP_UPDATE_SNAPSHOTS=1 cargo test` rewrites it). Each tool's full schema is in its JSON file.\n\n",
    );
    page.push_str("| tool | toolset | default | description | delegated permissions | least role | R/W |\n|---|---|---|---|---|---|---|\n");
    let mut skills: Vec<&Skill> = catalog().iter().collect();
    skills.sort_by_key(|s| (Toolset::ALL.iter().position(|t| *t == s.decl.toolset), s.decl.name));
    for s in skills {
        page.push_str(&format!(
            "| [`{name}`]({name}.json) | {toolset} | {default} | {description} | {permissions} | {role} | {access} |\n",
            name = s.decl.name,
            toolset = s.decl.toolset.name(),
            default = if s.decl.default { "yes" } else { "no" },
            description = s.decl.description.replace('|', "\\|"),
            permissions = s.decl.permissions.join(", "),
            role = s.decl.least_role,
            access = if matches!(s.decl.access, Access::Read) {
                "R".to_string()
            } else {
                format!("**W** {}", access_text(s.decl.access))
            },
        ));
    }
    page.push_str("\n## Try each tool on the demo tenant\n\nEach line is the tool's first example (`--json` prints the structured answer).\n\n```sh\n");
    for s in catalog() {
        page.push_str(&example_command(s));
        page.push('\n');
    }
    page.push_str("```\n");
    page
}

/// A skill's first example as a ready shell command.
pub fn example_command(skill: &Skill) -> String {
    let args = skill.decl.examples.first().map(|e| e.args).unwrap_or("{}");
    let flags = if skill.is_write() { " --allow-writes" } else { "" };
    let toolsets =
        if skill.decl.default { String::new() } else { format!(" --toolsets {}", skill.decl.toolset.name()) };
    // Single quotes for the shell, with any quote inside closed and reopened.
    format!("entra-mcp tools call {} --demo{flags}{toolsets} --args '{}'", skill.decl.name, args.replace('\'', "'\\''"))
}

/// Every file under `tools/` as (relative path, content).
pub fn expected_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> =
        catalog().iter().map(|s| (format!("{}.json", s.decl.name), tool_snapshot(s))).collect();
    files.push(("README.md".into(), catalog_page()));
    files
}
