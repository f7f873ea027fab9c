//! MCP prompts: investigation playbooks that chain the skills in the order an experienced admin
//! would, so a host can offer "investigate this user" as one action.
//!
//! A playbook is a list of steps, each naming the skill it calls. The text is written for the
//! server's own selection: a step whose skill is not enabled says how to enable it (a write,
//! that it needs `--allow-writes`) instead of sending the model to a tool it cannot see, and in
//! discovery mode the model is told to reach each skill through `run_skill`.

use rmcp::model::{GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage, Role};

use crate::discovery::RUN_SKILL;
use crate::error::SkillError;
use crate::shared::{Since, UserRef, parse_guid};
use crate::skills::{self, Selection};

struct Playbook {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    arguments: &'static [(&'static str, &'static str, bool)],
    /// What the model is asked to do, before the steps; `{user}` is replaced.
    task: &'static str,
    steps: &'static [Step],
    /// How the answer should end; `{user}` is replaced.
    conclusion: &'static str,
    /// The writes the answer ends with, as tool calls.
    remediation: &'static [Step],
}

/// One step: the skill it calls and what to call it with and look for (`{user}`, `{sign_in}`
/// are replaced).
struct Step {
    skill: &'static str,
    text: &'static str,
}

const fn step(skill: &'static str, text: &'static str) -> Step {
    Step { skill, text }
}

const PLAYBOOKS: &[&Playbook] =
    &[&INVESTIGATE_USER, &INVESTIGATE_RISKY_USER, &TRIAGE_FAILED_SIGN_IN, &ACCESS_AUDIT, &REVIEW_CONDITIONAL_ACCESS];

const INVESTIGATE_USER: Playbook = Playbook {
    name: "investigate_user",
    title: "Investigate a user",
    description: "Who this user is, what they signed in to and from where, their risk, what changed, what they can access, and what to do now.",
    arguments: &[("user", "UPN or object id of the user", true)],
    task: "Investigate the Entra ID account {user}: profile, sign-ins, risk, recent changes and access, then say what to do.",
    steps: &[
        step(
            "get_user",
            "Call get_user with user={user}: enabled or blocked, member or guest, department, manager, synced or cloud, last sign-in and last password change.",
        ),
        step(
            "list_sign_ins",
            "Call list_sign_ins with user={user} and since=7d: failures and their codes, new countries, IPs, apps and devices, and any success right after a failure or a risky sign-in.",
        ),
        step(
            "explain_sign_in_failure",
            "For the latest failure, call explain_sign_in_failure with user={user}: the cause, the Conditional Access policies involved and the fix.",
        ),
        step(
            "summarize_user_risk",
            "Call summarize_user_risk with user={user}: level, state, detections, the timeline and the remediation it proposes.",
        ),
        step(
            "list_directory_audits",
            "Call list_directory_audits with user={user} and since=7d: changes made by or to the account (password resets, new methods, role or group changes).",
        ),
        step(
            "list_user_auth_methods",
            "Call list_user_auth_methods with user={user}: was a method added recently, is there a phishing-resistant one?",
        ),
        step(
            "get_user_devices",
            "Call get_user_devices with user={user}: are the devices known, compliant and managed?",
        ),
        step(
            "get_user_access_summary",
            "Call get_user_access_summary with user={user}: directory roles (direct, through groups, PIM eligible), app access and consents — what an attacker holding this account could reach.",
        ),
    ],
    conclusion: "End with: a timeline (UTC) of what happened; whether the account looks compromised and the facts that say so; what it can reach; and the remediation as tool calls in order, each previewed then confirmed by the admin:",
    remediation: REMEDIATION,
};

const INVESTIGATE_RISKY_USER: Playbook = Playbook {
    name: "investigate_risky_user",
    title: "Investigate a risky user",
    description: "Why is this user risky, was the account used by someone else, and what should be done.",
    arguments: &[("user", "UPN or object id of the user", true)],
    task: "Investigate the Entra ID risk of user {user}.",
    steps: &[
        step(
            "get_risky_user",
            "Call get_risky_user with user={user}: note the risk level, state, detection types and risky sign-ins.",
        ),
        step(
            "list_risk_detections",
            "Call list_risk_detections with user={user} and since=30d for the full detection history; for a password spray, call list_risk_detections with risk_event_type=passwordSpray to see who else the same IP hit.",
        ),
        step(
            "list_sign_ins",
            "Call list_sign_ins with user={user}, since=7d: look for a success after a detection (possible compromise), MFA passed or denied (500121), and new devices or countries.",
        ),
        step("get_user_devices", "Call get_user_devices for {user}: is the device known and compliant?"),
        step(
            "list_user_auth_methods",
            "Call list_user_auth_methods for {user}: does the user have a phishing-resistant method?",
        ),
        step(
            "get_user_memberships",
            "Call get_user_memberships for {user}: is the user in privileged or sensitive groups?",
        ),
    ],
    conclusion: "Conclude with: what happened (timeline, UTC), whether the account is likely compromised, and the remediation (reset the password outside this server, then the tool calls below). Quote ids.",
    remediation: REMEDIATION,
};

const TRIAGE_FAILED_SIGN_IN: Playbook = Playbook {
    name: "triage_failed_sign_in",
    title: "Triage a failed sign-in",
    description: "Why a user's sign-in failed and what to change, from the log and today's policies.",
    arguments: &[
        ("user", "UPN or object id of the user who could not sign in", true),
        ("sign_in_id", "the failed sign-in's id, if known", false),
    ],
    task: "Find out why {user} could not sign in and what to change.",
    steps: &[
        step(
            "explain_sign_in_failure",
            "Call explain_sign_in_failure with {sign_in}: read the error's meaning, the failing Conditional Access policies and their unmet controls, the What-If replay and the next step. If it was an interrupt (50074/50076) followed by a success, there is nothing to fix.",
        ),
        step("get_user_devices", "If a policy requires a compliant device, call get_user_devices for {user}."),
        step("list_user_auth_methods", "If a policy requires MFA, call list_user_auth_methods for {user}."),
        step("get_risky_user", "If risk blocked the sign-in, call get_risky_user for {user}."),
        step(
            "list_sign_ins",
            "Call list_sign_ins with user={user}, outcome=failure, since=7d to see whether the failure repeats.",
        ),
    ],
    conclusion: "Answer with the cause in one sentence, the evidence (sign-in id, policy names, codes), and the fix.",
    remediation: &[],
};

/// The access audit a manager reads: who holds privileged roles and how, how reviewers decided,
/// who has access through packages (partners included), and which lifecycle workflows failed.
const ACCESS_AUDIT: Playbook = Playbook {
    name: "prepare_access_audit",
    title: "Prepare an access audit",
    description: "Privileged roles (permanent, eligible, expiring), pending and overridden access reviews, access packages and partner access, failed lifecycle workflows: a report a manager can read.",
    arguments: &[(
        "since",
        "how far back to read workflow runs and review activity: `30d` (default), `90d` or an RFC 3339 time",
        false,
    )],
    task: "Prepare an access audit of this Entra ID tenant covering {since} up to now, for a manager who is not an identity specialist.",
    steps: &[
        step(
            "list_role_assignments",
            "Call list_role_assignments with role=Global Administrator, then Privileged Role Administrator, Privileged Authentication Administrator, Security Administrator and User Administrator: who holds each, permanently or through a group.",
        ),
        step(
            "list_eligible_roles",
            "Call list_eligible_roles for the same roles: who may activate them, and until when.",
        ),
        step(
            "list_scheduled_roles",
            "Call list_scheduled_roles: assignments ending soon and schedules starting in the future.",
        ),
        step(
            "get_user_access_summary",
            "For every permanent Global Administrator who is not a break-glass account, and every holder flagged above, call get_user_access_summary: the sources of their power and the flags.",
        ),
        step(
            "list_access_reviews",
            "Call list_access_reviews: the reviews in progress ordered by due date, and the completed ones in the window.",
        ),
        step(
            "analyze_review_decisions",
            "For each review in progress or completed in the window, call analyze_review_decisions: decisions against the recommendation (who, why), reviewers who have not acted, what applying would remove.",
        ),
        step(
            "list_access_packages",
            "Call list_access_packages: what each package grants; then get_access_package for those open to external partners.",
        ),
        step(
            "get_connected_organization",
            "For each connected organization the packages name, call get_connected_organization: sponsors and the external users holding access, with expiry.",
        ),
        step(
            "get_workflow_run_report",
            "Call list_workflows, then get_workflow_run_report with since={since} for each joiner, mover and leaver workflow: failed users and the task that failed.",
        ),
        step(
            "get_workflow_insights",
            "Call get_workflow_insights with since={since}: the most failing workflows and tasks.",
        ),
    ],
    conclusion: "Write the report in plain words with these sections: 1. Privileged roles (holders, permanent vs just-in-time, what should change); 2. Access reviews (overdue, overridden recommendations, inactive reviewers); 3. Access packages and partner access; 4. Lifecycle workflow failures; 5. Actions, each with its owner and the tool that performs it where there is one. Quote names and ids; state facts, not guesses.",
    remediation: &[],
};

/// A review of the tenant's Conditional Access: read the policies, find the gaps and
/// conflicts, weigh the report-only ones by their results, test key users, and propose fixes
/// as drafts — created, report-only, only when the admin agrees.
const REVIEW_CONDITIONAL_ACCESS: Playbook = Playbook {
    name: "review_conditional_access",
    title: "Review my Conditional Access",
    description: "Read every Conditional Access policy in plain words, find the coverage gaps and conflicts, weigh the report-only policies by what they would have done, test key users with What-If, and propose fixes as report-only drafts.",
    arguments: &[],
    task: "Review this tenant's Conditional Access for an identity admin: what it enforces, what it leaves open, what contradicts itself, and what to change.",
    steps: &[
        step(
            "list_ca_policies",
            "Call list_ca_policies: every policy in plain words (who, apps, conditions, grant, state). Note which are on, report-only and off.",
        ),
        step(
            "get_ca_coverage_gaps",
            "Call get_ca_coverage_gaps: users and apps outside every enforced MFA policy, legacy authentication and the device code flow not blocked, break-glass exclusions, admins without phishing-resistant MFA, exclusion sprawl, stale report-only and disabled policies, missing risk policies. Keep each finding's evidence and its draft.",
        ),
        step(
            "find_ca_policy_conflicts",
            "Call find_ca_policy_conflicts: redundant and duplicated policies, blocks that shadow a grant, different sign-in frequencies for the same people (the strictest wins), policies to merge, exclusions no other policy covers.",
        ),
        step(
            "get_ca_policy_impact",
            "For each report-only policy, call get_ca_policy_impact with its name: who it would have blocked or challenged, per day — is it safe to enable?",
        ),
        step(
            "evaluate_ca_what_if",
            "Call evaluate_ca_what_if for a few key users (a Global Administrator, a member of the largest excluded group, a guest, a break-glass account) signing in to Exchange Online: which policies apply and why the others do not.",
        ),
        step(
            "draft_ca_policy",
            "For each gap worth closing, call draft_ca_policy with the finding's draft (adjusted to the tenant): check its warnings, conflicts and What-If before proposing it.",
        ),
    ],
    conclusion: "Write the review in plain words: 1. What Conditional Access enforces today; 2. Gaps, most severe first, each with its evidence; 3. Conflicts and clean-up; 4. Report-only policies: enable, change or delete, with their results; 5. Proposed policies, each as the draft's summary and its name → id table. Then offer these changes; make none until the admin agrees, and show each preview first:",
    remediation: &[
        step(
            "create_ca_policy_report_only",
            "create_ca_policy_report_only with a reviewed draft's arguments — creates it in report-only state only, never enforced",
        ),
        step(
            "update_ca_policy_assignments",
            "update_ca_policy_assignments with policy=<name> and exclude_add={\"users\":[<break-glass UPNs>]} — for a policy that does not exclude the break-glass accounts",
        ),
    ],
};

/// The remediation steps offered at the end of a user investigation, in the order an incident
/// responder takes them.
const REMEDIATION: &[Step] = &[
    step(
        "revoke_user_sessions",
        "revoke_user_sessions with user={user} — signs the account out everywhere (after the password is reset outside this server)",
    ),
    step(
        "confirm_user_compromised",
        "confirm_user_compromised with users=[\"{user}\"] — raises the risk to high so risk policies act",
    ),
    step(
        "set_user_account_enabled",
        "set_user_account_enabled with user={user} and enabled=false — blocks sign-in while you investigate",
    ),
    step(
        "dismiss_user_risk",
        "dismiss_user_risk with users=[\"{user}\"] — only if the user confirms it was them and no success followed a detection",
    ),
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

/// Renders one prompt for the server's selection, or says what is wrong with its arguments.
pub fn get(name: &str, arguments: &JsonObject, selection: &Selection) -> Result<Option<GetPromptResult>, SkillError> {
    let Some(playbook) = PLAYBOOKS.iter().find(|p| p.name == name) else { return Ok(None) };
    let user = if playbook.arguments.iter().any(|(name, _, _)| *name == "user") {
        user_argument(arguments)?
    } else {
        String::new()
    };
    let since = match arguments.get("since").and_then(|v| v.as_str()) {
        Some(since) if !since.trim().is_empty() => {
            Since::new(since).resolve("since", chrono::Utc::now())?;
            since.trim().to_string()
        }
        _ => "30d".to_string(),
    };
    let sign_in = match arguments.get("sign_in_id").and_then(|v| v.as_str()) {
        Some(id) if !id.trim().is_empty() => format!("sign_in_id={}", parse_guid("sign_in_id", id)?),
        _ => format!("user={user}"),
    };
    let fill = |text: &str| text.replace("{user}", &user).replace("{sign_in}", &sign_in).replace("{since}", &since);

    let mut text = fill(playbook.task);
    if selection.discover {
        text.push_str(&format!(
            "\nThe skills below are reached through {RUN_SKILL}: call it with name=<skill> and the arguments given."
        ));
    }
    for (number, step) in (1..).zip(playbook.steps) {
        text.push_str(&format!("\n{number}. {}", availability(step, selection).unwrap_or_else(|| fill(step.text))));
    }
    text.push('\n');
    text.push_str(&fill(playbook.conclusion));
    if !playbook.remediation.is_empty() {
        for step in playbook.remediation {
            let line = match availability(step, selection) {
                Some(missing) => missing,
                None => fill(step.text),
            };
            text.push_str(&format!("\n- {line}"));
        }
        text.push_str("\nNever call a write before the admin has read its preview and agreed.");
    }
    Ok(Some(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]).with_description(playbook.description),
    ))
}

/// `None` when the step's skill can be called here; otherwise what to say instead.
fn availability(step: &Step, selection: &Selection) -> Option<String> {
    if skills::find(selection, step.skill).is_some() {
        return None;
    }
    let skill = skills::catalog().iter().find(|s| s.decl.name == step.skill)?;
    let toolset = skill.decl.toolset.name();
    Some(if skill.is_write() {
        format!(
            "{} — not available: this server runs without `--allow-writes {toolset}`; do it in the Entra admin center or restart with it",
            step.skill
        )
    } else if skill.decl.beta && !selection.beta {
        format!("{} is beta-only and not enabled (`--beta`); skip this step", step.skill)
    } else {
        format!("{} is not enabled (`--toolsets` without `{toolset}`); skip this step", step.skill)
    })
}

fn user_argument(arguments: &JsonObject) -> Result<String, SkillError> {
    let raw = arguments.get("user").and_then(|v| v.as_str()).unwrap_or_default();
    UserRef::new(raw).parse("user")?;
    Ok(raw.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skill::Toolset;

    fn args(pairs: &[(&str, &str)]) -> JsonObject {
        pairs.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(*v))).collect()
    }

    fn text(name: &str, pairs: &[(&str, &str)], selection: &Selection) -> String {
        let result = get(name, &args(pairs), selection).ok().flatten().expect("the prompt renders");
        format!("{:?}", result.messages)
    }

    #[test]
    fn every_step_names_a_skill_of_the_catalog() {
        for playbook in PLAYBOOKS {
            for step in playbook.steps.iter().chain(playbook.remediation) {
                assert!(
                    skills::catalog().iter().any(|s| s.decl.name == step.skill),
                    "{} names {}, which is not a skill",
                    playbook.name,
                    step.skill
                );
                assert!(step.text.contains(step.skill), "the step for {} does not name it", step.skill);
            }
        }
    }

    #[test]
    fn investigate_user_walks_profile_sign_ins_risk_changes_access_then_remediation() {
        let karita = [("user", "karita@woodgrovebank.com")];
        let all = text("investigate_user", &karita, &Selection::everything());
        let order = [
            "get_user with",
            "list_sign_ins with",
            "summarize_user_risk",
            "list_directory_audits",
            "get_user_access_summary",
            "revoke_user_sessions with user=karita@woodgrovebank.com",
            "confirm_user_compromised with",
        ];
        let positions: Vec<usize> =
            order.iter().map(|s| all.find(s).unwrap_or_else(|| panic!("{s} missing"))).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "steps out of order: {positions:?}");

        // Without writes, the remediation says how to get them instead of naming a hidden tool call.
        let reads = Selection { writes: vec![], ..Selection::everything() };
        let text = text("investigate_user", &karita, &reads);
        assert!(text.contains("without `--allow-writes users`"));
        assert!(!text.contains("revoke_user_sessions with user="));

        // A toolset left out is named, not called.
        let no_audit = Selection {
            toolsets: Some(Toolset::ALL.iter().copied().filter(|t| *t != Toolset::Audit).collect()),
            ..Selection::everything()
        };
        assert!(text_contains(&no_audit, "list_directory_audits is not enabled"));
        let discover = Selection { discover: true, ..Selection::everything() };
        assert!(text_contains(&discover, "through run_skill"));
    }

    fn text_contains(selection: &Selection, needle: &str) -> bool {
        text("investigate_user", &[("user", "karita@woodgrovebank.com")], selection).contains(needle)
    }

    #[test]
    fn the_access_audit_walks_roles_reviews_packages_and_workflows() {
        let text = text("prepare_access_audit", &[("since", "90d")], &Selection::everything());
        let order = [
            "list_role_assignments with role=Global Administrator",
            "list_eligible_roles",
            "list_access_reviews",
            "analyze_review_decisions",
            "list_access_packages",
            "get_workflow_run_report with since=90d",
        ];
        let positions: Vec<usize> =
            order.iter().map(|s| text.find(s).unwrap_or_else(|| panic!("{s} missing: {text}"))).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "steps out of order: {positions:?}");
        assert!(text_with_default_window().contains("since=30d"));
        let all = Selection::everything();
        assert!(get("prepare_access_audit", &args(&[("since", "last quarter")]), &all).is_err());
    }

    fn text_with_default_window() -> String {
        text("prepare_access_audit", &[], &Selection::everything())
    }

    #[test]
    fn playbooks_chain_the_skills_for_the_user() {
        let text = text("investigate_risky_user", &[("user", "karita@woodgrovebank.com")], &Selection::everything());
        assert!(text.contains("get_risky_user with user=karita@woodgrovebank.com"));
        assert!(text.contains("list_risk_detections"));
    }

    #[test]
    fn the_ca_review_reads_finds_tests_then_drafts_and_creates_only_report_only() {
        let text = text("review_conditional_access", &[], &Selection::everything());
        let order = [
            "list_ca_policies",
            "get_ca_coverage_gaps",
            "find_ca_policy_conflicts",
            "get_ca_policy_impact",
            "evaluate_ca_what_if",
            "draft_ca_policy with",
            "create_ca_policy_report_only with",
        ];
        let positions: Vec<usize> =
            order.iter().map(|s| text.find(s).unwrap_or_else(|| panic!("{s} missing: {text}"))).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "steps out of order: {positions:?}");
        assert!(text.contains("report-only state only"));
        let reads = Selection { writes: vec![], ..Selection::everything() };
        assert!(self::text("review_conditional_access", &[], &reads).contains("without `--allow-writes ca`"));
    }

    #[test]
    fn bad_prompt_arguments_are_refused() {
        let all = Selection::everything();
        assert!(get("investigate_user", &args(&[("user", "not a user")]), &all).is_err());
        assert!(get("triage_failed_sign_in", &args(&[("user", "me"), ("sign_in_id", "x' or 1 eq 1")]), &all).is_err());
        assert!(matches!(get("no_such_prompt", &JsonObject::new(), &all), Ok(None)));
    }
}
