//! What a host shows the model of the tools — each tool's name, description and input schema,
//! as compact JSON — stays within budget: 48 KB for the default list, 4 KB in discovery mode
//! whatever the catalog's size, and at most 40 tools by default (Copilot hosts refuse more than
//! 128 tools in a request, their own built-ins counted).

use entra_mcp::skills::Selection;
use serde_json::{Value, json};

const DEFAULT_BUDGET: usize = 48 * 1024;
const DISCOVERY_BUDGET: usize = 4 * 1024;
const DEFAULT_MAX_TOOLS: usize = 40;

/// The model-visible part of a tool list.
fn model_visible(tools: &[rmcp::model::Tool]) -> usize {
    let visible: Vec<Value> = tools
        .iter()
        .map(|t| json!({"name": t.name, "description": t.description, "inputSchema": t.input_schema.as_ref()}))
        .collect();
    serde_json::to_string(&visible).map(|s| s.len()).unwrap_or(usize::MAX)
}

#[test]
fn the_default_list_fits_beside_a_hosts_own_tools() {
    let tools: Vec<_> = Selection::default().skills().iter().map(|s| s.tool()).collect();
    assert!(!tools.is_empty());
    assert!(tools.len() <= DEFAULT_MAX_TOOLS, "{} tools by default", tools.len());
    let bytes = model_visible(&tools);
    assert!(bytes <= DEFAULT_BUDGET, "the default tools/list shows the model {bytes} bytes");
}

#[test]
fn the_default_list_stays_within_budget_with_every_write_allowed() {
    let selection = Selection { writes: entra_mcp::skill::Toolset::ALL.to_vec(), ..Selection::default() };
    let tools: Vec<_> = selection.skills().iter().map(|s| s.tool()).collect();
    assert!(tools.len() > Selection::default().skills().len(), "the curated writes are listed");
    assert!(tools.len() <= DEFAULT_MAX_TOOLS, "{} tools by default with writes on", tools.len());
    let bytes = model_visible(&tools);
    assert!(bytes <= DEFAULT_BUDGET, "the default tools/list with writes shows the model {bytes} bytes");
}

#[test]
fn discovery_stays_small_whatever_the_catalog() {
    let bytes = model_visible(&entra_mcp::discovery::tools());
    assert!(bytes <= DISCOVERY_BUDGET, "discovery mode shows the model {bytes} bytes");
}

#[test]
fn writes_are_listed_only_when_allowed() {
    let writes = |selection: &Selection| selection.skills().iter().filter(|s| s.is_write()).count();
    assert_eq!(writes(&Selection::default()), 0);
    let all = Selection { toolsets: Selection::everything().toolsets, ..Selection::default() };
    assert_eq!(writes(&all), 0, "every toolset, but no --allow-writes");
    assert!(writes(&Selection::everything()) >= 2);
    let users_only = Selection { writes: vec![entra_mcp::skill::Toolset::Users], ..Selection::default() };
    assert!(users_only.skills().iter().any(|s| s.name() == "revoke_user_sessions"));
    let groups_only = Selection { writes: vec![entra_mcp::skill::Toolset::Groups], ..Selection::default() };
    assert!(!groups_only.skills().iter().any(|s| s.name() == "revoke_user_sessions"));
}
