//! Every answer fits the strictest host: an answer to default arguments (every example without
//! its `limit`) stays under 40 KB, about 10k tokens, where Claude Code starts to warn; an answer
//! to any arguments (every example with `limit: 500` over the longest window) under 90 KB,
//! about 25k tokens, past which Claude Code sets the result aside — a list cut by size says
//! so. Prints the largest answers (`--nocapture`) for BENCHMARKS.md.

mod common;

use entra_mcp::demo::DemoOptions;
use entra_mcp::skill::MAX_ANSWER_BYTES;
use entra_mcp::skills::Selection;
use serde_json::{Value, json};

const DEFAULT_BUDGET: usize = 40 * 1024;

#[tokio::test]
async fn answers_stay_within_what_hosts_accept() {
    // A larger tenant than the story's, so the longest lists are long.
    let (_demo, server, caller) =
        common::demo_server(DemoOptions { scale: 2_000, ..DemoOptions::default() }, Selection::everything()).await;
    let mut sizes: Vec<(usize, String, bool)> = Vec::new();
    for skill in Selection::everything().skills() {
        let properties = skill.input_schema().get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let required = skill.input_schema().get("required").and_then(Value::as_array).is_some_and(|r| !r.is_empty());
        // With no required argument, the widest call of all: nothing but the limit and window.
        let unfiltered = (!required).then_some(entra_mcp::skill::Example { question: "", args: "{}", facts: &[] });
        for example in skill.decl.examples.iter().chain(unfiltered.iter()) {
            let mut defaults = example.arguments().expect("arguments");
            defaults.remove("limit");
            let mut widest = defaults.clone();
            if properties.contains_key("limit") {
                widest.insert("limit".into(), json!(500));
            }
            if properties.contains_key("since") {
                widest.insert("since".into(), json!("30d"));
            }
            for (args, budget) in [(defaults, DEFAULT_BUDGET), (widest, MAX_ANSWER_BYTES)] {
                let shown = Value::Object(args.clone()).to_string();
                let reply = server.call(skill.name(), Some(args), caller.clone()).await.expect("a known tool");
                let bytes = reply.markdown.len() + reply.structured.to_string().len();
                assert!(bytes <= budget, "{} {shown}: {bytes} bytes, over {budget}", skill.name());
                let cut = reply.structured["narrow_hint"].as_str().is_some_and(|h| h.contains("cut to"));
                if cut {
                    assert_eq!(reply.structured["more"], true, "{}: a cut list says more exist", skill.name());
                    assert!(reply.markdown.contains("cut to"), "{}: the text says it was cut", skill.name());
                }
                sizes.push((bytes, format!("{} {shown}", skill.name()), cut));
            }
        }
    }
    sizes.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (bytes, call, cut) in sizes.iter().take(5) {
        eprintln!("{bytes:>7} bytes (~{} tokens){}  {call}", bytes / 4, if *cut { ", cut" } else { "" });
    }
    assert!(sizes.iter().any(|(_, _, cut)| *cut), "the widest sign-in list is cut to fit");
}
