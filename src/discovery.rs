//! `--toolsets discover`: two tools instead of the catalog, for hosts that want every skill in
//! a small context. `find_skills` ranks the enabled skills for a question over their names,
//! titles, descriptions and example questions, and returns the best with their input schemas;
//! `run_skill` runs one by name through exactly the path a direct call takes.

use std::collections::HashSet;
use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use crate::skill::{Access, Skill};

pub const FIND_SKILLS: &str = "find_skills";
pub const RUN_SKILL: &str = "run_skill";

/// Words too common in questions to tell skills apart.
const STOPWORDS: &[&str] = &[
    "a", "an", "the", "of", "for", "to", "in", "on", "is", "are", "was", "were", "and", "or", "by", "with", "who",
    "what", "which", "why", "how", "did", "does", "do", "me", "my", "i", "this", "that", "it", "its", "be", "can",
    "from", "at", "as", "all", "any", "show", "list", "get", "give", "tell", "about", "there", "their", "they",
];

/// Lower-case word stems of a text: enough stemming that "sign-ins", "signin" and "signed in"
/// meet, no more.
pub fn terms(text: &str) -> Vec<String> {
    let text = text.to_lowercase().replace("sign-in", "signin").replace("sign in", "signin");
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 && !STOPWORDS.contains(w))
        .map(|w| {
            let w = w.strip_suffix("ies").map(|s| format!("{s}y")).unwrap_or_else(|| w.to_string());
            for suffix in ["ing", "ed", "es", "s"] {
                if let Some(stem) = w.strip_suffix(suffix)
                    && stem.len() >= 3
                {
                    return stem.to_string();
                }
            }
            w
        })
        .collect()
}

/// How well a skill answers a question.
fn score(skill: &Skill, question: &HashSet<String>) -> f64 {
    let weigh = |text: &str, weight: f64| -> f64 {
        let words: HashSet<String> = terms(text).into_iter().collect();
        question.iter().filter(|q| words.contains(*q)).count() as f64 * weight
    };
    let total = weigh(&skill.decl.name.replace('_', " "), 3.0)
        + weigh(skill.decl.title, 2.0)
        + weigh(skill.decl.description, 1.0)
        + weigh(skill.decl.toolset.name(), 1.0);
    // The example question most like this one counts, by how much of it the question covers:
    // one example met in full says more than a word shared with many, and many examples must
    // not outweigh a precise name.
    let best_example = skill
        .decl
        .examples
        .iter()
        .map(|e| {
            let words: HashSet<String> = terms(e.question).into_iter().collect();
            let met = words.iter().filter(|w| question.contains(*w)).count();
            if words.is_empty() { 0.0 } else { 8.0 * met as f64 / words.len() as f64 }
        })
        .fold(0.0, f64::max);
    total + best_example
}

/// The enabled skills best matching a question, best first.
pub fn rank<'a>(skills: &[&'a Skill], question: &str, limit: usize) -> Vec<&'a Skill> {
    let question: HashSet<String> = terms(question).into_iter().collect();
    let mut scored: Vec<(f64, &Skill)> =
        skills.iter().map(|s| (score(s, &question), *s)).filter(|(score, _)| *score > 0.0).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.decl.name.cmp(b.1.decl.name)));
    scored.into_iter().take(limit).map(|(_, s)| s).collect()
}

/// `find_skills`' answer for a question.
pub fn find(skills: &[&Skill], question: &str, limit: usize) -> (Value, String) {
    let found = rank(skills, question, limit);
    let rows: Vec<Value> = found
        .iter()
        .map(|s| {
            json!({
                "name": s.decl.name,
                "description": s.decl.description,
                "writes": matches!(s.decl.access, Access::Write { .. }),
                "input_schema": s.input_schema().as_ref(),
            })
        })
        .collect();
    let mut markdown = if found.is_empty() {
        "no enabled skill matches; rephrase with the object (user, group, sign-in, audit, risk …)".to_string()
    } else {
        format!("{} skills; run one with `run_skill` {{name, arguments}}\n", found.len())
    };
    for s in &found {
        markdown.push_str(&format!(
            "\n- `{}`: {}\n  input: {}",
            s.decl.name,
            s.decl.description,
            serde_json::to_string(s.input_schema().as_ref()).unwrap_or_default()
        ));
    }
    (json!({ "skills": rows }), markdown)
}

fn schema(value: Value) -> Arc<JsonObject> {
    match value {
        Value::Object(mut map) => {
            crate::skill::portable::normalise(&mut map);
            Arc::new(map)
        }
        _ => Arc::new(JsonObject::new()),
    }
}

/// The two tools of discovery mode.
pub fn tools() -> Vec<Tool> {
    let find = Tool::new_with_raw(
        FIND_SKILLS,
        Some("Find the Entra skills (users, groups, sign-ins, audits, risk …) that answer a question; returns their names and input schemas for run_skill.".into()),
        schema(json!({
            "type": "object",
            "properties": {
                "question": {"type": "string", "description": "the admin's question in their words"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 10, "description": "max skills (default 5)"}
            },
            "required": ["question"],
            "additionalProperties": false
        })),
    )
    .with_annotations(ToolAnnotations::with_title("Find skills").read_only(true).idempotent(true).open_world(false));
    let run = Tool::new_with_raw(
        RUN_SKILL,
        Some("Run an Entra skill found with find_skills, by name, with arguments matching its input schema.".into()),
        schema(json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "the skill's name"},
                "arguments": {"type": "object", "description": "the skill's arguments", "properties": {}}
            },
            "required": ["name"],
            "additionalProperties": false
        })),
    )
    .with_annotations(ToolAnnotations::with_title("Run skill").read_only(false).destructive(true).open_world(true));
    vec![find, run]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_meet() {
        assert_eq!(terms("Sign-ins"), terms("signin"));
        assert_eq!(terms("risky users"), ["risky", "user"]);
        assert_eq!(terms("policies"), ["policy"]);
    }
}
