//! `tools/` must match the skill declarations: one JSON snapshot per tool and the catalog page.
//! Set `ENTRA_MCP_UPDATE_SNAPSHOTS=1` to rewrite them after an intended change.

use std::path::Path;

#[test]
fn tool_snapshots_and_catalog_page_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools");
    let expected = entra_mcp::snapshots::expected_files();
    if std::env::var_os("ENTRA_MCP_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(&dir).expect("create tools/");
        for entry in std::fs::read_dir(&dir).expect("read tools/").flatten() {
            std::fs::remove_file(entry.path()).expect("remove old snapshot");
        }
        for (name, content) in &expected {
            std::fs::write(dir.join(name), content).expect("write snapshot");
        }
        return;
    }
    let mut stale = Vec::new();
    for (name, content) in &expected {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(on_disk) if &on_disk == content => {}
            Ok(_) => stale.push(format!("{name} differs")),
            Err(_) => stale.push(format!("{name} is missing")),
        }
    }
    let known: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    for entry in std::fs::read_dir(&dir).map(|d| d.flatten().collect::<Vec<_>>()).unwrap_or_default() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !known.contains(&name.as_str()) {
            stale.push(format!("{name} has no tool"));
        }
    }
    assert!(
        stale.is_empty(),
        "tools/ is stale ({}); rerun with ENTRA_MCP_UPDATE_SNAPSHOTS=1 if the change is intended",
        stale.join(", ")
    );
}

#[test]
fn every_tool_is_annotated_and_has_an_object_schema() {
    for skill in entra_mcp::skills::catalog() {
        let tool = skill.tool();
        let annotations = tool.annotations.as_ref().expect("annotations");
        assert!(annotations.read_only_hint.is_some() && annotations.open_world_hint.is_some(), "{}", skill.decl.name);
        assert_eq!(tool.input_schema.get("type").and_then(|t| t.as_str()), Some("object"), "{}", skill.decl.name);
        assert_eq!(tool.output_schema.as_ref().and_then(|s| s.get("type")).and_then(|t| t.as_str()), Some("object"));
        assert!(!skill.decl.permissions.is_empty() && !skill.decl.least_role.is_empty());
        assert!(
            skill.decl.description.len() <= 400,
            "{} description is too long for a model's context",
            skill.decl.name
        );
    }
}

#[test]
fn every_declared_permission_has_a_delegated_id_for_the_manifest() {
    for skill in entra_mcp::skills::catalog() {
        for permission in skill.decl.permissions {
            assert!(
                entra_mcp::graph::permission_ids::delegated_id(permission).is_some(),
                "{}: {permission} has no delegated id in src/graph/permission_ids.rs",
                skill.decl.name
            );
        }
    }
}
