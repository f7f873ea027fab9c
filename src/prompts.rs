//! MCP prompts: investigation playbooks that chain the skills in the order an experienced admin
//! would, so a host can offer "investigate this user" as one action.

use rmcp::model::{GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage, Role};

use crate::error::SkillError;
use crate::shared::{UserRef, parse_guid};

struct Playbook {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    arguments: &'static [(&'static str, &'static str, bool)],
    build: fn(&JsonObject) -> Result<String, SkillError>,
}

const PLAYBOOKS: &[Playbook] = &[
    Playbook {
        name: "investigate_risky_user",
        title: "Investigate a risky user",
        description: "Why is this user risky, was the account used by someone else, and what should be done.",
        arguments: &[("user", "UPN or object id of the user", true)],
        build: investigate_risky_user,
    },
    Playbook {
        name: "triage_failed_sign_in",
        title: "Triage a failed sign-in",
        description: "Why a user's sign-in failed and what to change, from the log and today's policies.",
        arguments: &[
            ("user", "UPN or object id of the user who could not sign in", true),
            ("sign_in_id", "the failed sign-in's id, if known", false),
        ],
        build: triage_failed_sign_in,
    },
];

/// The prompts the server lists.
pub fn list() -> Vec<Prompt> {
    PLAYBOOKS
        .iter()
        .map(|p| {
            let args = p
                .arguments
                .iter()
                .map(|(name, description, required)| {
                    PromptArgument::new(*name).with_description(*description).with_required(*required)
                })
                .collect();
            let mut prompt = Prompt::new(p.name, Some(p.description), Some(args));
            prompt.title = Some(p.title.to_string());
            prompt
        })
        .collect()
}

/// Renders one prompt, or says what is wrong with its arguments.
pub fn get(name: &str, arguments: &JsonObject) -> Result<Option<GetPromptResult>, SkillError> {
    let Some(playbook) = PLAYBOOKS.iter().find(|p| p.name == name) else { return Ok(None) };
    let text = (playbook.build)(arguments)?;
    Ok(Some(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]).with_description(playbook.description),
    ))
}

fn user_argument(arguments: &JsonObject) -> Result<String, SkillError> {
    let raw = arguments.get("user").and_then(|v| v.as_str()).unwrap_or_default();
    UserRef::new(raw).parse("user")?;
    Ok(raw.trim().to_string())
}

fn investigate_risky_user(arguments: &JsonObject) -> Result<String, SkillError> {
    let user = user_argument(arguments)?;
    Ok(format!(
        "Investigate the Entra ID risk of user {user}.\n\
         1. Call get_risky_user with user={user}: note the risk level, state, detection types and risky sign-ins.\n\
         2. Call list_risk_detections with user={user} and since=30d for the full detection history; for a password spray, \
         call list_risk_detections with risk_event_type=passwordSpray to see who else the same IP hit.\n\
         3. Call list_sign_ins with user={user}, since=7d: look for a success after a detection (possible compromise), \
         MFA passed or denied (500121), and new devices or countries.\n\
         4. Call get_user_devices and list_user_auth_methods for {user}: is the device known and compliant, does the user have a phishing-resistant method?\n\
         5. Call get_user_memberships for {user}: is the user in privileged or sensitive groups?\n\
         Conclude with: what happened (timeline, UTC), whether the account is likely compromised, and the remediation \
         (reset password and revoke sessions; confirm compromised or dismiss; register a strong method). Quote ids."
    ))
}

fn triage_failed_sign_in(arguments: &JsonObject) -> Result<String, SkillError> {
    let user = user_argument(arguments)?;
    let sign_in = match arguments.get("sign_in_id").and_then(|v| v.as_str()) {
        Some(id) if !id.trim().is_empty() => {
            parse_guid("sign_in_id", id)?;
            format!("sign_in_id={}", id.trim())
        }
        _ => format!("user={user}"),
    };
    Ok(format!(
        "Find out why {user} could not sign in and what to change.\n\
         1. Call explain_sign_in_failure with {sign_in}: read the error's meaning, the failing Conditional Access policies and their unmet controls, the What-If replay and the next step.\n\
         2. If it was an interrupt (50074/50076) check whether the same attempt later succeeded; if so there is nothing to fix.\n\
         3. If a policy requires a compliant device, call get_user_devices for {user}; if it requires MFA, call list_user_auth_methods.\n\
         4. If risk blocked the sign-in, call get_risky_user for {user}.\n\
         5. Call list_sign_ins with user={user}, outcome=failure, since=7d to see whether the failure repeats.\n\
         Answer with the cause in one sentence, the evidence (sign-in id, policy names, codes), and the fix."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> JsonObject {
        pairs.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(*v))).collect()
    }

    #[test]
    fn playbooks_chain_the_skills_for_the_user() {
        let result = get("investigate_risky_user", &args(&[("user", "karita@woodgrovebank.com")]));
        let text = format!("{:?}", result.ok().flatten().map(|r| r.messages));
        assert!(text.contains("get_risky_user with user=karita@woodgrovebank.com"));
        assert!(text.contains("list_risk_detections"));
    }

    #[test]
    fn bad_prompt_arguments_are_refused() {
        assert!(get("investigate_risky_user", &args(&[("user", "not a user")])).is_err());
        assert!(get("triage_failed_sign_in", &args(&[("user", "me"), ("sign_in_id", "x' or 1 eq 1")])).is_err());
        assert!(matches!(get("no_such_prompt", &JsonObject::new()), Ok(None)));
    }
}
