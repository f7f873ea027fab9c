//! `draft_ca_policy`: turns an admin's intent into a validated Conditional Access policy and
//! writes nothing (SKILLS.md §4.7). Every name is resolved (a miss names the closest), the
//! policy's rules are checked, break-glass accounts are excluded automatically and the state is
//! always report-only. The answer is the exact `POST {CA}/policies` body, the policy in plain
//! words, the name → id table, warnings (the caller or every admin blocked), the existing
//! policies it overlaps and conflicts with (the rules of `find_ca_policy_conflicts`), and a
//! What-If for the caller, a member of each included group, a holder of each included role, a
//! guest and a break-glass account: the draft evaluated locally (Graph evaluates only saved
//! policies) and `POST {CA}/evaluate` for the existing policies that already apply.

use std::collections::BTreeSet;

use futures::stream::StreamExt;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::graph::GraphRequest;
use crate::graph::resources::{ConditionalAccessPolicy, PolicyState};
use crate::render::{fields, table};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};
use crate::what_if::{self, AuthenticationFlow, Directory, SignIn, SignInContext, WhatIfPage};

use super::analysis::{Estate, Finding, PolicyRef, findings_table, live, overlap};
use super::conflicts;
use super::intent::{self, PolicyIntent, ResolvedName};
use super::names::{self, Names};
use super::policies::list_policies;
use super::words::{self, PolicyWords};

const DRAFT_CA_POLICY: Declaration = Declaration {
    name: "draft_ca_policy",
    title: "Draft a Conditional Access policy",
    description: "Turn an intent (who, apps, conditions, grant, session) into a validated report-only Conditional Access policy, writing nothing: names resolved, break-glass excluded, the exact Graph body, plain words, overlaps and conflicts with existing policies, What-If for sample users. P1. Security Reader.",
    toolset: Toolset::Ca,
    permissions: &["Policy.Read.All", "Directory.Read.All", "RoleManagement.Read.Directory"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

/// The id a draft carries until it is saved.
const DRAFT_ID: &str = "draft";
const EXCHANGE_ONLINE: &str = "00000002-0000-0ff1-ce00-000000000000";
const AZURE_PORTAL: &str = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
/// Sample sign-ins evaluated.
const MAX_SAMPLES: usize = 6;

#[derive(Debug, Serialize, JsonSchema)]
pub struct CaPolicyDraft {
    /// Stable for this intent on this tenant; create_ca_policy_report_only shows the same.
    pub draft_id: String,
    pub name: String,
    #[serde(flatten)]
    pub words: PolicyWords,
    /// The exact `POST /identity/conditionalAccess/policies` body.
    pub body: Value,
    /// Every name of the intent and its id.
    pub names: Vec<ResolvedName>,
    /// Break-glass accounts added to the exclusions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub break_glass_excluded: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Existing policies evaluated on the same sign-ins, most users in common first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overlaps: Vec<Overlap>,
    /// Conflicts with existing policies (find_ca_policy_conflicts' rules).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Finding>,
    /// How the nearest existing policy differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nearest: Option<Nearest>,
    pub what_if: Vec<SampleSignIn>,
    /// What the created policy would be: always report-only.
    pub state: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Overlap {
    #[serde(flatten)]
    pub policy: PolicyRef,
    /// Users both cover today.
    pub users_in_common: usize,
    pub grant: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Nearest {
    #[serde(flatten)]
    pub policy: PolicyRef,
    /// `users: draft … / policy …`, for each part that differs.
    pub differences: Vec<String>,
}

/// One sample sign-in.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SampleSignIn {
    /// `caller`, `group member`, `role holder`, `guest`, `break-glass`.
    pub sample: String,
    pub user: String,
    pub user_id: String,
    /// The draft would apply.
    pub draft_applies: bool,
    /// Why not (What-If's reasons), or what it would require.
    pub outcome: String,
    /// Enforced or report-only policies that already apply (Graph's What-If).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub existing: Vec<String>,
}

/// The sign-in the samples describe: the draft's first app (or user action), and conditions
/// the draft asks for, so that only who signs in decides.
fn sample_sign_in(policy: &ConditionalAccessPolicy, user_id: &str) -> SignIn {
    let c = policy.conditions();
    let apps = c.applications.clone().unwrap_or_default();
    let mut sign_in = SignIn::user(user_id.to_string());
    sign_in.sign_in_context = Some(match apps.include_user_actions.first() {
        Some(action) => SignInContext::UserAction {
            user_action: if action.contains("registerdevice") {
                "registerOrJoinDevices"
            } else {
                "registerSecurityInformation"
            }
            .into(),
        },
        None => {
            let first = apps.include_applications.first().map(String::as_str).unwrap_or("All");
            let app = if first.eq_ignore_ascii_case("All") || first.eq_ignore_ascii_case("Office365") {
                // Exchange Online, unless the draft leaves it out.
                if apps.exclude_applications.iter().any(|e| e.eq_ignore_ascii_case(EXCHANGE_ONLINE)) {
                    AZURE_PORTAL
                } else {
                    EXCHANGE_ONLINE
                }
            } else if first.eq_ignore_ascii_case("MicrosoftAdminPortals") {
                AZURE_PORTAL
            } else {
                first
            };
            SignInContext::Applications { include_applications: vec![app.to_string()] }
        }
    });
    let given = &mut sign_in.sign_in_conditions;
    given.client_app_type = c.client_app_types.iter().find(|t| !t.eq_ignore_ascii_case("all")).cloned();
    given.device_platform =
        c.platforms.as_ref().and_then(|p| p.include_platforms.iter().find(|x| !x.eq_ignore_ascii_case("all")).cloned());
    given.sign_in_risk_level = c.sign_in_risk_levels.first().cloned();
    given.user_risk_level = c.user_risk_levels.first().cloned();
    given.authentication_flow = c
        .authentication_flows
        .as_ref()
        .and_then(|f| f.methods().first().map(|m| AuthenticationFlow { transfer_method: Some(m.to_string()) }));
    sign_in
}

async fn draft_ca_policy(ctx: Ctx, p: PolicyIntent) -> Result<CaPolicyDraft, SkillError> {
    let (draft, existing) = tokio::join!(intent::build(&ctx, &p), list_policies(&ctx));
    let mut draft = draft?;
    let existing = ctx.optional("existing policies (overlaps, conflicts)", existing).unwrap_or_default();
    let mut policy = draft.policy.clone();
    policy.id = DRAFT_ID.into();
    let mut all = existing.clone();
    all.push(policy.clone());

    let groups: Vec<String> = draft.names.iter().filter(|n| n.kind == "group").map(|n| n.id.clone()).collect();
    let (estate, names, locations) = tokio::join!(
        Estate::load_with_roles(&ctx, &all, &groups, &[GLOBAL_ADMINISTRATOR]),
        Names::resolve(&ctx, &all),
        names::named_locations(&ctx)
    );
    // The draft's own names were all resolved by `build`; the existing policies' unnamed ids
    // are get_ca_policy's business, not the draft's.
    let locations = ctx.optional("named locations", locations).unwrap_or_default();
    let covered = estate.coverage(&policy);

    // Lock-out warnings: the caller, every admin.
    if policy.blocks() {
        if let Some(caller) = draft.caller.as_deref().and_then(|c| estate.index_of(c))
            && covered.contains(&caller)
        {
            draft.warnings.push(format!(
                "it would block you ({}) under its conditions: once enabled you could lock yourself out",
                estate.users[caller].name()
            ));
        }
        let admins: BTreeSet<usize> = estate
            .role_holders(GLOBAL_ADMINISTRATOR)
            .into_iter()
            .filter(|&i| !ctx.guard.is_break_glass(&estate.users[i].id, estate.users[i].user_principal_name.as_deref()))
            .collect();
        if !admins.is_empty() && admins.is_subset(&covered) {
            draft.warnings.push(format!(
                "it would block every Global Administrator ({}) but the break-glass accounts under its conditions",
                admins.len()
            ));
        }
    }
    if covered.is_empty() && !estate.users.is_empty() {
        draft.warnings.push("it covers no one today (its groups or roles are empty)".into());
    }

    // Overlaps, conflicts and the nearest policy.
    let mut overlaps: Vec<Overlap> = existing
        .iter()
        .filter(|e| live(e))
        .filter_map(|e| {
            let both = overlap(&estate, &policy, e).len();
            (both > 0).then(|| Overlap {
                policy: PolicyRef::of(e),
                users_in_common: both,
                grant: words::grant_words(e, &names),
            })
        })
        .collect();
    overlaps.sort_by(|a, b| b.users_in_common.cmp(&a.users_in_common).then(a.policy.name.cmp(&b.policy.name)));
    overlaps.truncate(5);
    let conflicts = conflicts::find(&estate, &all, &names, Some(DRAFT_ID));
    let nearest = nearest(&estate, &policy, &existing, &names);

    // What-If for the samples: the draft locally, the existing policies by Graph.
    let samples = samples(&ctx, &estate, &policy, &draft, &groups);
    let mut what_if = Vec::new();
    let calls = samples.into_iter().map(|(sample, i)| {
        let person = &estate.users[i];
        let mut sign_in = sample_sign_in(&policy, &person.id);
        let request = GraphRequest::post("/identity/conditionalAccess/evaluate", {
            let mut body = sign_in.body();
            if let Some(map) = body.as_object_mut() {
                map.insert("appliedPoliciesOnly".into(), true.into());
            }
            body
        })
        .read_only();
        // What the directory says of the user, as far as the draft names groups and roles.
        sign_in.directory = Directory {
            groups: groups.iter().filter(|g| estate.group(g).is_some_and(|m| m.contains(&i))).cloned().collect(),
            roles: policy
                .conditions()
                .users
                .unwrap_or_default()
                .include_roles
                .iter()
                .chain(policy.conditions().users.unwrap_or_default().exclude_roles.iter())
                .filter(|r| estate.role_holders(r).contains(&i))
                .cloned()
                .collect(),
            guest_kind: person.guest().then(|| "b2bCollaborationGuest".to_string()),
            external_tenant_id: None,
        };
        let reasons = what_if::evaluate(&policy, &sign_in, &locations);
        let ctx = &ctx;
        async move { (sample, person, reasons, ctx.graph.get::<WhatIfPage>(request).await) }
    });
    let answers: Vec<_> = futures::stream::iter(calls).buffered(super::analysis::IN_FLIGHT).collect().await;
    let mut evaluate_failed = None;
    for (sample, person, reasons, answer) in answers {
        let existing_applying = match answer {
            Ok(page) => page
                .value
                .iter()
                .filter(|r| r.policy_applies && r.policy.policy_state() != PolicyState::Off)
                .map(|r| format!("{} ({})", r.policy.name(), r.policy.policy_state().words()))
                .collect(),
            Err(e) => {
                evaluate_failed = Some(e.message);
                Vec::new()
            }
        };
        let applies = reasons.is_empty();
        what_if.push(SampleSignIn {
            sample,
            user: person.name(),
            user_id: person.id.clone(),
            draft_applies: applies,
            outcome: if applies {
                format!("would {}", words::grant_words(&policy, &names))
            } else {
                reasons.iter().map(|r| r.words()).collect::<Vec<_>>().join("; ")
            },
            existing: existing_applying,
        });
    }
    if let Some(message) = evaluate_failed {
        ctx.note(format!("Graph's What-If for the existing policies skipped: {message}"));
    }
    ctx.note("What-If: the sample sign-ins meet the draft's own conditions (apps, client apps, platforms, risk), so who signs in decides; locations and devices are not described");

    let described = words::describe(&draft.policy, &names);
    Ok(CaPolicyDraft {
        draft_id: draft.draft_id(),
        name: draft.policy.name().to_string(),
        body: draft.body(),
        words: described,
        names: draft.names.clone(),
        break_glass_excluded: draft.break_glass.iter().map(|b| b.name.clone()).collect(),
        warnings: draft.warnings.clone(),
        overlaps,
        conflicts,
        nearest,
        what_if,
        state: "report-only".into(),
    })
}

/// The sample users: the caller, a member of each included group, a holder of each included
/// role, a guest, a break-glass account; each once, at most [`MAX_SAMPLES`].
fn samples(
    ctx: &Ctx,
    estate: &Estate,
    policy: &ConditionalAccessPolicy,
    draft: &intent::Draft,
    groups: &[String],
) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut push = |label: String, i: usize| {
        if out.len() < MAX_SAMPLES && !out.iter().any(|(_, j)| *j == i) {
            out.push((label, i));
        }
    };
    if let Some(i) = draft.caller.as_deref().and_then(|c| estate.index_of(c)) {
        push("caller".into(), i);
    }
    let users = policy.conditions().users.unwrap_or_default();
    for g in groups.iter().filter(|g| users.include_groups.iter().any(|x| x.eq_ignore_ascii_case(g))) {
        if let Some(&i) = estate.group(g).and_then(|m| m.iter().find(|&&i| estate.users[i].enabled())) {
            push("group member".into(), i);
        }
    }
    for r in &users.include_roles {
        if let Some(&i) = estate.role_holders(r).iter().find(|&&i| {
            let u = &estate.users[i];
            u.enabled() && !ctx.guard.is_break_glass(&u.id, u.user_principal_name.as_deref())
        }) {
            push("role holder".into(), i);
        }
    }
    if let Some(i) = estate.users.iter().position(|u| u.guest() && u.enabled()) {
        push("guest".into(), i);
    }
    if let Some(i) = estate.users.iter().position(|u| ctx.guard.is_break_glass(&u.id, u.user_principal_name.as_deref()))
    {
        push("break-glass".into(), i);
    }
    out
}

/// The existing policy closest to the draft (most users in common, then the same apps and
/// controls), and how they differ in words.
fn nearest(
    estate: &Estate,
    draft: &ConditionalAccessPolicy,
    existing: &[ConditionalAccessPolicy],
    names: &Names,
) -> Option<Nearest> {
    let mine = estate.coverage(draft);
    let draft_words = words::describe(draft, names);
    let score = |e: &ConditionalAccessPolicy| {
        let theirs = estate.coverage(e);
        let common = mine.intersection(&theirs).count();
        let union = mine.union(&theirs).count().max(1);
        let same_target = words::target_words(e, names) == draft_words.target;
        let same_grant = words::grant_words(e, names) == draft_words.grant;
        common * 100 / union + usize::from(same_target) * 30 + usize::from(same_grant) * 30
    };
    let best = existing.iter().filter(|e| e.conditions().users.is_some()).max_by_key(|e| score(e))?;
    if score(best) == 0 {
        return None;
    }
    let theirs = words::describe(best, names);
    let mut differences = Vec::new();
    let mut diff = |part: &str, a: &str, b: &str| {
        if a != b {
            differences.push(format!("{part}: draft {a} / {} {b}", best.name()));
        }
    };
    diff("users", &draft_words.users, &theirs.users);
    diff(
        "excluded",
        draft_words.excluded.as_deref().unwrap_or("no one"),
        theirs.excluded.as_deref().unwrap_or("no one"),
    );
    diff("apps", &draft_words.target, &theirs.target);
    diff("conditions", &draft_words.conditions.join(", "), &theirs.conditions.join(", "));
    diff("grant", &draft_words.grant, &theirs.grant);
    diff("session", &draft_words.session.join(", "), &theirs.session.join(", "));
    Some(Nearest { policy: PolicyRef::of(best), differences })
}

impl Render for CaPolicyDraft {
    fn markdown(&self) -> String {
        let mut out = format!("**draft — nothing was created** (report-only when created; draft {})\n", self.draft_id);
        out.push_str(&fields(&[
            ("name", Some(self.name.clone())),
            ("policy", Some(self.words.summary.clone())),
            ("covers", Some(self.words.users.clone())),
            ("excludes", self.words.excluded.clone()),
            (
                "break-glass excluded",
                (!self.break_glass_excluded.is_empty()).then(|| self.break_glass_excluded.join(", ")),
            ),
        ]));
        for w in &self.warnings {
            out.push_str(&format!("\nwarning: {w}"));
        }
        let names: Vec<Vec<String>> =
            self.names.iter().map(|n| vec![n.kind.clone(), n.given.clone(), n.name.clone(), n.id.clone()]).collect();
        if !names.is_empty() {
            out.push_str(&format!("\n{}", table(&["kind", "given", "name", "id"], &names)));
        }
        let samples: Vec<Vec<String>> = self
            .what_if
            .iter()
            .map(|s| {
                vec![
                    s.sample.clone(),
                    s.user.clone(),
                    if s.draft_applies { "applies" } else { "does not apply" }.into(),
                    s.outcome.clone(),
                    s.existing.join(", "),
                ]
            })
            .collect();
        out.push_str(&format!(
            "\nWhat-If\n{}",
            table(&["sample", "user", "draft", "outcome", "existing policies applying"], &samples)
        ));
        if !self.overlaps.is_empty() {
            let rows: Vec<Vec<String>> = self
                .overlaps
                .iter()
                .map(|o| {
                    vec![o.policy.name.clone(), o.policy.state.clone(), o.users_in_common.to_string(), o.grant.clone()]
                })
                .collect();
            out.push_str(&format!("\noverlaps\n{}", table(&["policy", "state", "users in common", "grant"], &rows)));
        }
        if !self.conflicts.is_empty() {
            out.push_str(&format!("\nconflicts\n{}", findings_table(&self.conflicts)));
        }
        if let Some(n) = &self.nearest {
            out.push_str(&format!("\nnearest: {} — {}", n.policy.name, n.differences.join("; ")));
        }
        out.push_str(&format!("\nbody: {}", self.body));
        out.push_str(
            "\nnext: create it with create_ca_policy_report_only and the same arguments, once the admin agrees",
        );
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Draft a policy requiring MFA for all admins outside trusted locations",
        args: r#"{"name":"MFA for admins outside trusted locations","include":{"roles":["Global Administrator","Security Administrator","User Administrator","Helpdesk Administrator"]},"apps":["all"],"conditions":{"locations":["all"],"exclude_locations":["trusted"]},"grant":{"controls":["mfa"]}}"#,
        facts: &[
            Fact::Every("state", "report-only"),
            Fact::Every("body/state", "enabledForReportingButNotEnforced"),
            Fact::Every("body/conditions/locations/excludeLocations/0", "AllTrusted"),
            Fact::Some("names/*/name", "Global Administrator"),
            Fact::Some("what_if/*/sample", "caller"),
            Fact::Some("what_if/*/sample", "role holder"),
            Fact::Some("overlaps/*/name", "CA001 MFA for admins"),
            Fact::Says("nothing was created"),
        ],
    },
    Example {
        question: "Draft a policy that sets a 4-hour sign-in frequency for the Finance Department on all apps, and turn it on",
        args: r#"{"name":"Finance sign-in frequency 4 hours","include":{"groups":["Finance Department"]},"apps":["all"],"session":{"sign_in_frequency_hours":4},"state":"enabled"}"#,
        facts: &[
            Fact::Every("body/state", "enabledForReportingButNotEnforced"),
            Fact::Some("warnings/*", "~report-only"),
            Fact::Some("conflicts/*/kind", "session_conflict"),
            Fact::Some("conflicts/*/policies/*/name", "CA008 Finance sign-in frequency 8 hours"),
            Fact::Some("what_if/*/sample", "group member"),
            Fact::Some("what_if/*/draft_applies", "true"),
            // Break-glass accounts are excluded automatically, and say so.
            Fact::Count("body/conditions/users/excludeUsers/*", 2),
            Fact::Some("break_glass_excluded/*", "~breakglass01"),
            Fact::Some("what_if/*/sample", "break-glass"),
        ],
    },
    Example {
        question: "Draft a block of guests from the Woodgrove Finance Portal",
        args: r#"{"name":"Block guests from the Finance Portal","include":{"guests":true},"apps":["Woodgrove Finance Portal"],"grant":{"controls":["block"]}}"#,
        facts: &[
            Fact::Some("names/*/name", "Woodgrove Finance Portal"),
            Fact::Some("what_if/*/sample", "guest"),
            Fact::Some("what_if/*/draft_applies", "true"),
            Fact::Every("body/grantControls/builtInControls/0", "block"),
        ],
    },
    Example {
        question: "Draft a block of the admin portals for everyone outside trusted locations",
        args: r#"{"name":"Block admin portals outside trusted locations","include":{"users":["all"]},"apps":["admin_portals"],"conditions":{"locations":["all"],"exclude_locations":["trusted"]},"grant":{"controls":["block"]}}"#,
        facts: &[
            Fact::Some("warnings/*", "~block you (Jordan Reyes)"),
            Fact::Some("warnings/*", "~every Global Administrator"),
            Fact::Some("what_if/*/sample", "break-glass"),
            Fact::Every("body/conditions/applications/includeApplications/0", "MicrosoftAdminPortals"),
        ],
    },
    Example {
        question: "Draft MFA for a group with a misspelt name",
        args: r#"{"name":"MFA for Finanse","include":{"groups":["Finanse Team"]},"apps":["all"],"grant":{"controls":["mfa"]}}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound), Fact::Says("closest: Finance Team")],
    },
    Example {
        question: "Draft a policy with nobody in it",
        args: r#"{"name":"Nobody","apps":["all"],"grant":{"controls":["mfa"]}}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("names no one")],
    },
    Example {
        question: "Draft a policy that blocks and requires MFA for everyone",
        args: r#"{"name":"Block and MFA","include":{"users":["all"]},"apps":["office365"],"grant":{"controls":["block","mfa"]}}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("stands alone")],
    },
];

pub fn skill() -> Skill {
    Skill::new(DRAFT_CA_POLICY, draft_ca_policy)
}
