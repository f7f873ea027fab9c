//! Tasks in an admin's words matched to the tenant's built-in task definitions, for
//! `draft_lifecycle_workflow`: "send welcome email" is *Send welcome email to new hire*,
//! "generate TAP" is *Generate Temporary Access Pass and send via email to user's manager*,
//! "remove from all groups" is *Remove user from all groups*.
//!
//! Both sides are cut into words, spelling variants and abbreviations are brought to one form
//! (`TAP`, `licence`, `e-mail`, `deactivate`), filler words are dropped, and the definition
//! sharing the most words wins; a tie goes to the definition with fewer words of its own (the
//! more specific). A phrase matches only if at least half of its words are found.

use super::workflow_model::TaskDefinition;

/// Words that say nothing about which task is meant.
const FILLER: &[&str] = &[
    "a",
    "an",
    "the",
    "to",
    "from",
    "for",
    "of",
    "and",
    "via",
    "s",
    "user",
    "users",
    "their",
    "his",
    "her",
    "them",
    "on",
    "in",
    "with",
    "by",
    "it",
    "new",
    "hire",
    "hires",
    "employee",
    "employees",
    "please",
    "also",
    "then",
];

/// One word in its matching form, or several for an abbreviation.
fn canonical(word: &str) -> Vec<&'static str> {
    let one = |w: &'static str| vec![w];
    match word {
        "tap" => vec!["temporary", "access", "pass"],
        "licence" | "licences" | "license" | "licenses" | "licensing" => one("license"),
        "mail" | "email" | "emails" | "e" => one("email"),
        "group" | "groups" => one("groups"),
        "team" | "teams" => one("teams"),
        "deactivate" | "block" | "disable" | "disabled" => one("disable"),
        "activate" | "unblock" | "enable" | "enabled" => one("enable"),
        "remove" | "revoke" | "strip" | "drop" | "take" => one("remove"),
        "delete" | "deleted" | "erase" => one("delete"),
        "accounts" | "account" => one("account"),
        "notify" | "tell" | "inform" => one("notify"),
        "moves" | "move" | "mover" | "transfer" => one("move"),
        "packages" | "package" => one("package"),
        "assignments" | "assignment" => one("assignment"),
        "requests" | "request" => one("request"),
        "extension" | "extensions" | "logic" | "app" => one("extension"),
        "reminder" | "remind" => one("reminder"),
        "last" => one("last"),
        "day" | "days" => one("day"),
        "manager" | "managers" => one("manager"),
        _ => Vec::new(),
    }
}

/// The matching words of a text, filler left out, each once.
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let lower = text.to_lowercase().replace("e-mail", "email").replace("'s", "");
    for raw in lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if FILLER.contains(&raw) {
            continue;
        }
        let mapped = canonical(raw);
        let mapped: Vec<String> =
            if mapped.is_empty() { vec![raw.to_string()] } else { mapped.into_iter().map(str::to_string).collect() };
        for word in mapped {
            if !out.contains(&word) {
                out.push(word);
            }
        }
    }
    out
}

/// The definition a phrase means, if one matches well enough.
pub fn best_match<'d>(phrase: &str, definitions: &'d [TaskDefinition]) -> Option<&'d TaskDefinition> {
    let wanted = words(phrase);
    if wanted.is_empty() {
        return None;
    }
    let mut best: Option<(usize, usize, &TaskDefinition)> = None;
    for definition in definitions {
        let own = words(&definition.name());
        let hits = wanted.iter().filter(|w| own.contains(w)).count();
        if hits == 0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((best_hits, best_len, _)) => hits > best_hits || (hits == best_hits && own.len() < best_len),
        };
        if better {
            best = Some((hits, own.len(), definition));
        }
    }
    best.filter(|(hits, _, _)| hits * 2 >= wanted.len()).map(|(_, _, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definitions() -> Vec<TaskDefinition> {
        [
            ("1", "Send welcome email to new hire"),
            ("2", "Send onboarding reminder email"),
            ("3", "Generate Temporary Access Pass and send via email to user's manager"),
            ("4", "Add user to groups"),
            ("5", "Add user to teams"),
            ("6", "Enable user account"),
            ("7", "Disable user account"),
            ("8", "Remove user from selected groups"),
            ("9", "Remove user from all groups"),
            ("10", "Remove user from all Teams"),
            ("11", "Remove all licenses for user"),
            ("12", "Delete user"),
            ("13", "Send email to notify manager of user move"),
            ("14", "Send email before user's last day"),
            ("15", "Send email on user's last day"),
            ("16", "Request user access package assignment"),
        ]
        .into_iter()
        .map(|(id, name)| TaskDefinition {
            id: id.into(),
            display_name: Some(name.into()),
            ..TaskDefinition::default()
        })
        .collect()
    }

    fn matched(phrase: &str) -> Option<String> {
        best_match(phrase, &definitions()).map(TaskDefinition::name)
    }

    #[test]
    fn admin_words_find_the_built_in_task() {
        assert_eq!(matched("send welcome email").as_deref(), Some("Send welcome email to new hire"));
        assert_eq!(matched("disable account").as_deref(), Some("Disable user account"));
        assert_eq!(matched("remove from all groups").as_deref(), Some("Remove user from all groups"));
        assert_eq!(
            matched("generate TAP").as_deref(),
            Some("Generate Temporary Access Pass and send via email to user's manager")
        );
        assert_eq!(matched("remove licences").as_deref(), Some("Remove all licenses for user"));
        assert_eq!(matched("delete the account").as_deref(), Some("Delete user"));
        assert_eq!(matched("add them to groups").as_deref(), Some("Add user to groups"));
        assert_eq!(
            matched("notify the manager of the move").as_deref(),
            Some("Send email to notify manager of user move")
        );
        assert_eq!(
            matched("email the manager before the last day").as_deref(),
            Some("Send email before user's last day")
        );
        assert_eq!(matched("block sign-in").as_deref(), Some("Disable user account"));
        assert_eq!(matched("archive mailbox and notify payroll"), None, "half of the words must match");
        assert_eq!(matched("order a laptop"), None);
        assert_eq!(matched("the"), None);
    }
}
