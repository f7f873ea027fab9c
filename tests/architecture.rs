//! The module graph of `src/` keeps the shape ARCHITECTURE.md describes: no import circles
//! between modules, nothing at the ground (`error`, `graph`, `auth`, `odata`, `render`) reaching
//! up into the skills, and no toolset importing another. Read from the source text, so a new
//! arrow in the wrong direction fails this test the day it is written.
//!
//! A node is a top-level module of the crate (`graph`, `server` …), except below `skills/`,
//! where each toolset folder is a node of its own. An arrow is a `crate::…` or
//! `super::…` path, or a `mod` declaration, in product code (test modules and test-only files
//! are left out: they may reach anywhere).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/skills/users/get_user.rs` → `skills::users::get_user`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> =
        relative.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The graph node a module path belongs to.
fn node(src: &Path, module: &[String]) -> Option<String> {
    let first = module.first()?;
    let top = src.join(first);
    if !top.is_dir() && !src.join(format!("{first}.rs")).is_file() {
        return None;
    }
    if first == "skills"
        && let Some(second) = module.get(1)
        && src.join("skills").join(second).is_dir()
    {
        return Some(format!("skills::{second}"));
    }
    Some(first.clone())
}

/// Product code only: what precedes the file's `#[cfg(test)]` module.
fn product_code(text: &str) -> String {
    let cut = text
        .find("#[cfg(test)]\nmod tests")
        .or_else(|| text.find("#[cfg(test)]\npub(crate) mod"))
        .unwrap_or(text.len());
    text[..cut].lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

fn idents_after<'a>(text: &'a str, prefix: &str) -> Vec<(usize, &'a str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(prefix) {
        let start = from + at + prefix.len();
        let rest = &text[start..];
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
        out.push((from + at, &rest[..end]));
        from = start;
    }
    out
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if name == "tests.rs" || name == "testing.rs" || name == "main.rs" || name == "lib.rs" {
            continue;
        }
        let module = module_of(&src, &file);
        let Some(from) = node(&src, &module) else { continue };
        let text = product_code(&std::fs::read_to_string(&file).unwrap_or_default());
        let mut targets: Vec<Vec<String>> = Vec::new();
        for (_, path) in idents_after(&text, "crate::") {
            targets.push(path.split("::").filter(|s| !s.is_empty()).map(str::to_string).collect());
        }
        for (at, path) in idents_after(&text, "super::") {
            // Count the whole run of `super::` once, from its first occurrence.
            if at >= 7 && &text[at - 7..at] == "super::" {
                continue;
            }
            let ups = 1 + path.matches("super::").count();
            let rest: Vec<String> =
                path.split("::").filter(|s| !s.is_empty() && *s != "super").map(str::to_string).collect();
            // `module_of` gives `a/mod.rs` the path `a` and `a/b.rs` the path `a::b`, so
            // `super` is one step up from either.
            let mut base = module.clone();
            for _ in 0..ups {
                base.pop();
            }
            base.extend(rest);
            targets.push(base);
        }
        for line in text.lines() {
            let line = line.trim();
            if let Some(child) = line.strip_prefix("mod ").or_else(|| line.strip_prefix("pub mod ")) {
                let child = child.trim_end_matches(';').trim();
                let mut path = module.clone();
                path.push(child.to_string());
                targets.push(path);
            }
        }
        for target in targets {
            if let Some(to) = node(&src, &target)
                && to != from
            {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
        graph.entry(from).or_default();
    }
    graph
}

/// A circle through `start`, if any.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        graph: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut found = stack[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(graph, next, stack, done) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(graph, n, &mut Vec::new(), &mut done))
}

#[test]
fn the_module_graph_has_no_circle() {
    let graph = module_graph();
    assert!(graph.contains_key("skills::users") && graph.contains_key("graph"), "the graph was read: {graph:?}");
    if let Some(found) = circle(&graph) {
        panic!("import circle: {}", found.join(" → "));
    }
}

#[test]
fn the_ground_never_reaches_up_into_the_skills() {
    let graph = module_graph();
    for ground in ["error", "graph", "auth", "odata", "render", "demo"] {
        let up: Vec<&String> = graph
            .get(ground)
            .into_iter()
            .flatten()
            .filter(|to| to.as_str() == "skill" || to.starts_with("skills"))
            .collect();
        assert!(up.is_empty(), "`{ground}` imports {up:?}");
    }
}

#[test]
fn no_toolset_imports_another() {
    let graph = module_graph();
    let toolsets: Vec<&String> = graph.keys().filter(|n| n.starts_with("skills::")).collect();
    assert!(toolsets.len() >= 5, "{toolsets:?}");
    for toolset in &toolsets {
        let others: Vec<&String> = graph[*toolset].iter().filter(|to| toolsets.contains(to)).collect();
        assert!(others.is_empty(), "{toolset} imports {others:?}");
    }
    // And the shared module below them reaches up into none of them, nor the catalog.
    let shared: Vec<&String> = graph["shared"].iter().filter(|to| to.starts_with("skills")).collect();
    assert!(shared.is_empty(), "shared imports {shared:?}");
}

#[test]
fn the_checker_sees_a_planted_circle() {
    let mut graph = module_graph();
    graph.entry("graph".into()).or_default().insert("server".into());
    assert!(circle(&graph).is_some(), "server reaches graph, so graph → server closes a circle");
}
