//! `get_ca_coverage_gaps`: what the tenant's Conditional Access leaves open (SKILLS.md §4.5) —
//! users and apps no enforced MFA policy covers (new users apart), legacy authentication and
//! the device code flow not blocked, break-glass accounts a policy does not exclude, privileged
//! role holders held to MFA that can be phished, exclusion sprawl, report-only policies never
//! enforced (with the sign-ins they would have stopped), disabled policies, missing risk
//! policies, and policies that match no one. Each finding names the objects, the evidence and
//! a fix, as a `draft_ca_policy` intent where a new policy closes it.
//!
//! Only the policies are the anchor; every other section that Graph refuses (permission, role,
//! licence) becomes a note and its findings are left out. At most eight calls in flight.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use futures::FutureExt;
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::{AuthenticationStrengthPolicy, ConditionalAccessPolicy, PolicyState};
use crate::graph::{GraphRequest, Query, path};
use crate::odata::{Expr, Literal};
use crate::render::{fields, table};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};
use crate::what_if::{SignIn, WhatIfPage};

use super::analysis::{
    Estate, Finding, IN_FLIGHT, ObjectRef, PolicyRef, SHOWN, baseline_mfa, days_since, findings_table, live,
};
use super::intent::{AuthFlow, ClientApp, Conditions, Control, Grant, Operator, PolicyIntent, RiskLevel, Who};
use super::names::Names;
use super::policies::list_policies;
use super::words;

const GET_CA_COVERAGE_GAPS: Declaration = Declaration {
    name: "get_ca_coverage_gaps",
    title: "Find Conditional Access coverage gaps",
    description: "What Conditional Access leaves open: users and apps outside every enforced MFA policy, legacy authentication and device code flow not blocked, break-glass exclusions, admins without phishing-resistant MFA, exclusion sprawl, stale report-only and disabled policies, missing risk policies; each with evidence and a fix as a draft. P1. Security Reader.",
    toolset: Toolset::Ca,
    permissions: &[
        "Policy.Read.All",
        "User.Read.All",
        "GroupMember.Read.All",
        "Application.Read.All",
        "RoleManagement.Read.Directory",
        "AuditLog.Read.All",
    ],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

/// Report-only results are weighed over this many days.
const EVIDENCE_DAYS: i64 = 14;
/// A report-only policy older than this many days is stale.
const STALE_DAYS: i64 = 30;
/// Users created within this many days are new.
const NEW_DAYS: i64 = 30;
/// Sign-ins read per report-only policy.
const MAX_RESULTS: usize = 500;
/// What-If samples that confirm the MFA gap.
const SAMPLES: usize = 3;

/// Methods that cannot be phished.
const PHISHING_RESISTANT: &[&str] = &[
    "fido2",
    "windowsHelloForBusiness",
    "passKeyDeviceBound",
    "passKeyDeviceBoundAuthenticator",
    "passKeyDeviceBoundWindowsHello",
    "x509CertificateMultiFactor",
];

const EXCHANGE_ONLINE: &str = "00000002-0000-0ff1-ce00-000000000000";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

/// The privileged roles a phishing-resistant policy protects when the tenant has no admin
/// policy to copy them from.
const ADMIN_ROLES: &[&str] = &[
    "Global Administrator",
    "Privileged Role Administrator",
    "Security Administrator",
    "Conditional Access Administrator",
    "User Administrator",
    "Helpdesk Administrator",
    "Privileged Authentication Administrator",
    "Application Administrator",
    "Cloud Application Administrator",
    "Authentication Administrator",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    High,
    Medium,
    Low,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCaCoverageGapsParams {
    /// Only findings at least this severe (default `low`: all).
    pub min_severity: Option<Severity>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CaCoverageGaps {
    /// Policies read.
    pub policies: usize,
    /// Users the coverage was sized on.
    pub users: usize,
    pub findings: Vec<Finding>,
    /// Users created in the last 30 days that no enforced MFA policy covers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_users_in_gap: Vec<ObjectRef>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AppRow {
    id: String,
    app_id: Option<String>,
    display_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Registration {
    id: String,
    user_principal_name: Option<String>,
    user_display_name: Option<String>,
    methods_registered: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ResultRow {
    user_id: Option<String>,
    user_display_name: Option<String>,
    user_principal_name: Option<String>,
    app_display_name: Option<String>,
    client_app_used: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ScheduleInstance {
    role_definition_id: String,
    end_date_time: Option<String>,
    assignment_type: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Deleted {
    display_name: Option<String>,
    deleted_date_time: Option<String>,
}

/// What the optional sections brought back.
#[derive(Default)]
struct Reads {
    apps: Option<Vec<AppRow>>,
    admins: Option<Vec<Registration>>,
    strengths: Vec<AuthenticationStrengthPolicy>,
    /// Report-only policy id → the sign-ins it would have blocked or interrupted.
    results: BTreeMap<String, Vec<ResultRow>>,
}

enum Part {
    Apps(Result<Vec<AppRow>, SkillError>),
    Admins(Result<Vec<Registration>, SkillError>),
    Strengths(Result<Vec<AuthenticationStrengthPolicy>, SkillError>),
    Results(String, Result<Vec<ResultRow>, SkillError>),
}

async fn read_sections(ctx: &Ctx, policies: &[ConditionalAccessPolicy]) -> Reads {
    let mut calls: Vec<BoxFuture<'_, Part>> = Vec::new();
    calls.push(
        async move {
            let request = GraphRequest::get("/servicePrincipals").query(
                Query::new()
                    .select(&["id", "appId", "displayName"])
                    .filter(Expr::eq("servicePrincipalType", "Application"))
                    .top(999),
            );
            Part::Apps(ctx.graph.list::<AppRow>(request, 5000).await.map(|p| p.items))
        }
        .boxed(),
    );
    calls.push(
        async move {
            let request = GraphRequest::get("/reports/authenticationMethods/userRegistrationDetails").query(
                Query::new()
                    .select(&["id", "userPrincipalName", "userDisplayName", "methodsRegistered"])
                    .filter(Expr::eq("isAdmin", true))
                    .top(999),
            );
            Part::Admins(ctx.graph.list::<Registration>(request, 2000).await.map(|p| p.items))
        }
        .boxed(),
    );
    calls.push(
        async move {
            let request = GraphRequest::get("/policies/authenticationStrengthPolicies").query(Query::new().select(&[
                "id",
                "displayName",
                "allowedCombinations",
            ]));
            Part::Strengths(ctx.graph.list::<AuthenticationStrengthPolicy>(request, 200).await.map(|p| p.items))
        }
        .boxed(),
    );
    let since = ctx.now - Duration::days(EVIDENCE_DAYS);
    for policy in policies.iter().filter(|p| p.policy_state() == PolicyState::ReportOnly) {
        let id = policy.id.clone();
        calls.push(
            async move {
                let result =
                    Expr::eq("p/result", "reportOnlyFailure").or(Expr::eq("p/result", "reportOnlyInterrupted"));
                let filter = Expr::ge("createdDateTime", Literal::DateTime(since)).and(Expr::any(
                    "appliedConditionalAccessPolicies",
                    "p",
                    Expr::eq("p/id", id.clone()).and(result),
                ));
                let request = GraphRequest::get("/auditLogs/signIns")
                    .query(
                        Query::new()
                            .select(&[
                                "id",
                                "userId",
                                "userDisplayName",
                                "userPrincipalName",
                                "appDisplayName",
                                "clientAppUsed",
                            ])
                            .filter(filter)
                            .top(MAX_RESULTS),
                    )
                    .prefer_unknown_enums();
                Part::Results(id, ctx.graph.list::<ResultRow>(request, MAX_RESULTS).await.map(|p| p.items))
            }
            .boxed(),
        );
    }
    let parts: Vec<Part> = stream::iter(calls).buffer_unordered(IN_FLIGHT).collect().await;
    let mut reads = Reads::default();
    let mut results_refused = None;
    for part in parts {
        match part {
            Part::Apps(r) => reads.apps = ctx.optional("apps outside MFA (mfa_gap_apps)", r),
            Part::Admins(r) => {
                reads.admins = ctx.optional("admins' methods (privileged_without_phishing_resistant)", r)
            }
            Part::Strengths(r) => reads.strengths = ctx.optional("authentication strengths", r).unwrap_or_default(),
            Part::Results(id, Ok(rows)) => {
                reads.results.insert(id, rows);
            }
            Part::Results(_, Err(e)) => results_refused = Some(e),
        }
    }
    if let Some(e) = results_refused {
        ctx.note(format!(
            "report-only results from the sign-in logs skipped: {} (they need AuditLog.Read.All and a CA reader role)",
            e.message
        ));
    }
    reads
}

/// "a, b, c and 4 more".
fn some_names(names: &[String], max: usize) -> String {
    let shown: Vec<String> = names.iter().take(max).cloned().collect();
    let more = names.len().saturating_sub(max);
    let list = words::and_list(&shown);
    if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { list }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

fn all_users() -> Who {
    Who { users: vec!["all".into()], ..Who::default() }
}

async fn get_ca_coverage_gaps(ctx: Ctx, p: GetCaCoverageGapsParams) -> Result<CaCoverageGaps, SkillError> {
    let policies = list_policies(&ctx).await?;
    let (estate, names, reads) = tokio::join!(
        Estate::load(&ctx, &policies, &[]),
        Names::resolve(&ctx, &policies),
        read_sections(&ctx, &policies)
    );
    names.note_unresolved(&ctx);
    let break_glass = break_glass_accounts(&ctx, &estate);

    let mut findings = Vec::new();
    let mut new_users = Vec::new();
    if let Some(f) = mfa_gap_users(&ctx, &estate, &policies, &break_glass, &names, &mut new_users).await {
        findings.push(f);
    }
    if let Some(apps) = &reads.apps
        && let Some(f) = mfa_gap_apps(apps, &policies)
    {
        findings.push(f);
    }
    if let Some(f) = legacy_auth(&estate, &policies, &names, &reads) {
        findings.push(f);
    }
    if let Some(f) = device_code_flow(&policies) {
        findings.push(f);
    }
    findings.extend(break_glass_findings(&ctx, &estate, &policies, &break_glass).await);
    if let Some(admins) = &reads.admins
        && let Some(f) = privileged(&estate, &policies, &names, admins, &reads.strengths)
    {
        findings.push(f);
    }
    findings.extend(exclusion_sprawl(&estate, &policies, &break_glass, &names));
    findings.extend(report_only_stale(&ctx, &policies, &reads, &names));
    if let Some(f) = disabled(&ctx, &policies) {
        findings.push(f);
    }
    if let Some(f) = risk_policies(&policies) {
        findings.push(f);
    }
    findings.extend(matches_no_one(&ctx, &estate, &policies, &names).await);

    let floor = p.min_severity.unwrap_or(Severity::Low);
    let rank = |s: &str| match s {
        "high" => Severity::High,
        "medium" => Severity::Medium,
        _ => Severity::Low,
    };
    findings.retain(|f| rank(&f.severity) <= floor);
    findings.sort_by_key(Finding::severity_rank);
    Ok(CaCoverageGaps { policies: policies.len(), users: estate.users.len(), findings, new_users_in_gap: new_users })
}

/// The configured break-glass accounts found among the users (indexes).
fn break_glass_accounts(ctx: &Ctx, estate: &Estate) -> BTreeSet<usize> {
    let configured = ctx.guard.break_glass();
    if configured.is_empty() {
        ctx.note("no break-glass accounts are configured (ENTRA_MCP_BREAK_GLASS): their exclusions are not checked");
    }
    estate
        .users
        .iter()
        .enumerate()
        .filter(|(_, u)| ctx.guard.is_break_glass(&u.id, u.user_principal_name.as_deref()))
        .map(|(i, _)| i)
        .collect()
}

async fn mfa_gap_users(
    ctx: &Ctx,
    estate: &Estate,
    policies: &[ConditionalAccessPolicy],
    break_glass: &BTreeSet<usize>,
    names: &Names,
    new_users: &mut Vec<ObjectRef>,
) -> Option<Finding> {
    if estate.users.is_empty() {
        return None;
    }
    let baseline: Vec<&ConditionalAccessPolicy> = policies.iter().filter(|p| baseline_mfa(p)).collect();
    let mut covered = BTreeSet::new();
    for p in &baseline {
        covered.extend(estate.coverage(p));
    }
    let gap: Vec<usize> = (0..estate.users.len())
        .filter(|i| !covered.contains(i) && !break_glass.contains(i) && estate.users[*i].enabled())
        .collect();
    if gap.is_empty() {
        return None;
    }
    // Why each is outside: the first exclusion that takes them out of a baseline policy.
    let mut reasons: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
    let mut groups_to_cover: Vec<String> = Vec::new();
    let mut guests_in_gap = false;
    for &i in &gap {
        let person = &estate.users[i];
        let mut why = None;
        for p in &baseline {
            let users = p.conditions().users.unwrap_or_default();
            if person.guest() && users.exclude_guests_or_external_users.is_some() {
                why = Some(("guests and external users".to_string(), p.name().to_string()));
                guests_in_gap = true;
                break;
            }
            if let Some(g) = users.exclude_groups.iter().find(|g| estate.group(g).is_some_and(|m| m.contains(&i))) {
                let group = names.group(g);
                if !groups_to_cover.contains(&group) {
                    groups_to_cover.push(group.clone());
                }
                why = Some((format!("members of {group}"), p.name().to_string()));
                break;
            }
            if users.exclude_users.iter().any(|u| u.eq_ignore_ascii_case(&person.id)) {
                why = Some(("excluded by name".to_string(), p.name().to_string()));
                break;
            }
        }
        let (label, _) = why.unwrap_or_else(|| ("included by no MFA policy".into(), String::new()));
        let entry = reasons.entry(label).or_default();
        entry.0 += 1;
        // Every baseline policy that takes them out, whichever way.
        for p in &baseline {
            if estate.excluded_from(p).contains(&i) {
                entry.1.insert(p.name().to_string());
            }
        }
    }
    let members = gap.iter().filter(|&&i| !estate.users[i].guest()).count();
    let mut ordered = gap.clone();
    ordered.sort_by_key(|&i| (estate.users[i].guest(), estate.users[i].name()));
    for &i in &ordered {
        let person = &estate.users[i];
        if days_since(ctx.now, person.created_date_time.as_deref()).is_some_and(|d| d <= NEW_DAYS) {
            new_users.push(ObjectRef::person(person));
        }
    }
    let report_only_mfa: Vec<String> = policies
        .iter()
        .filter(|p| p.policy_state() == PolicyState::ReportOnly && p.requires_mfa())
        .map(|p| p.name().to_string())
        .collect();
    let mut f = Finding::new(
        "mfa_gap_users",
        if members > 0 { "high" } else { "medium" },
        format!(
            "{} of {} enabled users sign in with no enforced MFA policy covering them",
            gap.len(),
            estate.users.iter().filter(|u| u.enabled()).count()
        ),
    );
    f.policies = baseline.iter().map(|p| PolicyRef::of(p)).collect();
    let mut reasons: Vec<(String, (usize, BTreeSet<String>))> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    f.evidence = reasons
        .iter()
        .map(|(label, (n, by))| {
            if by.is_empty() {
                format!("{n} {label}")
            } else {
                format!("{n}: {label}, excluded from {}", words::and_list(&by.iter().cloned().collect::<Vec<_>>()))
            }
        })
        .collect();
    if !report_only_mfa.is_empty() {
        f.evidence.push(format!("report-only, so not counted: {}", report_only_mfa.join(", ")));
    }
    if !new_users.is_empty() {
        f.evidence.push(format!("{} of them created in the last {NEW_DAYS} days (listed apart)", new_users.len()));
    }
    f.evidence.extend(confirm_by_what_if(ctx, estate, &reasons_sample(estate, &ordered)).await);
    f = f.with_objects(ordered.iter().map(|&i| ObjectRef::person(&estate.users[i])).collect());
    f.fix =
        "cover them: shrink the exclusions to who truly needs them, and give guests an enforced MFA policy (enable \
             the report-only one once its results are reviewed)"
            .into();
    f.draft = Some(PolicyIntent {
        name: "MFA for users outside every MFA policy".into(),
        include: Who { groups: groups_to_cover, guests: guests_in_gap, ..Who::default() },
        apps: vec!["all".into()],
        grant: Grant { controls: vec![Control::Mfa], ..Grant::default() },
        ..PolicyIntent::default()
    });
    if f.draft.as_ref().is_some_and(|d| d.include.is_empty()) {
        f.draft = None;
    }
    Some(f)
}

/// Up to [`SAMPLES`] users in the gap, one per kind (members first, then guests).
fn reasons_sample(estate: &Estate, ordered: &[usize]) -> Vec<usize> {
    let mut out = Vec::new();
    if let Some(&m) = ordered.iter().find(|&&i| !estate.users[i].guest()) {
        out.push(m);
    }
    if let Some(&g) = ordered.iter().find(|&&i| estate.users[i].guest()) {
        out.push(g);
    }
    for &i in ordered {
        if out.len() >= SAMPLES {
            break;
        }
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Asks Graph's What-If for a few users in the gap signing in to Exchange Online, to confirm
/// that no policy asking for MFA applies.
async fn confirm_by_what_if(ctx: &Ctx, estate: &Estate, sample: &[usize]) -> Vec<String> {
    let calls: Vec<BoxFuture<'_, (String, Result<WhatIfPage, SkillError>)>> = sample
        .iter()
        .map(|&i| {
            let person = &estate.users[i];
            let body = SignIn::user(person.id.clone()).to_apps(vec![EXCHANGE_ONLINE.to_string()]);
            let mut body = body.body();
            if let Some(map) = body.as_object_mut() {
                map.insert("appliedPoliciesOnly".into(), true.into());
            }
            let request = GraphRequest::post("/identity/conditionalAccess/evaluate", body).read_only();
            async move { (person.name(), ctx.graph.get::<WhatIfPage>(request).await) }.boxed()
        })
        .collect();
    let answers: Vec<(String, Result<WhatIfPage, SkillError>)> =
        stream::iter(calls).buffered(IN_FLIGHT).collect().await;
    let mut out = Vec::new();
    for (who, answer) in answers {
        match answer {
            Ok(page) => {
                let applying: Vec<String> = page
                    .value
                    .iter()
                    .filter(|r| r.policy_applies && r.policy.policy_state() == PolicyState::On)
                    .map(|r| r.policy.name().to_string())
                    .collect();
                // Conditions the request leaves out are not evaluated, so a policy for some
                // sign-ins only (restricted countries) "applies" too: only one asking on
                // ordinary sign-ins would close the gap.
                let mfa = page.value.iter().any(|r| r.policy_applies && baseline_mfa(&r.policy));
                if !mfa {
                    out.push(format!(
                        "What-If, {who} to Exchange Online: {}; none asks for MFA on an ordinary sign-in",
                        if applying.is_empty() {
                            "no enforced policy applies".to_string()
                        } else {
                            format!("{} apply", applying.join(", "))
                        }
                    ));
                }
            }
            Err(e) => {
                ctx.note(format!("What-If confirmation skipped: {}", e.message));
                break;
            }
        }
    }
    out
}

fn mfa_gap_apps(apps: &[AppRow], policies: &[ConditionalAccessPolicy]) -> Option<Finding> {
    // An app is covered when an MFA policy for everyone covers it; one for admins only leaves
    // everybody else signing in to it without MFA.
    let everyone = |p: &&ConditionalAccessPolicy| {
        p.conditions().users.unwrap_or_default().include_users.iter().any(|u| u.eq_ignore_ascii_case("All"))
    };
    let narrow: Vec<&ConditionalAccessPolicy> =
        policies.iter().filter(|p| baseline_mfa(p)).filter(|p| !everyone(p)).collect();
    let baseline: Vec<&ConditionalAccessPolicy> =
        policies.iter().filter(|p| baseline_mfa(p)).filter(everyone).collect();
    if baseline.is_empty() {
        return None;
    }
    let covers = |p: &ConditionalAccessPolicy, app: &str| {
        let a = p.conditions().applications.unwrap_or_default();
        a.include_applications.iter().any(|e| crate::what_if::app_entry_covers(e, app))
            && !a.exclude_applications.iter().any(|e| crate::what_if::app_entry_covers(e, app))
    };
    let mut outside: Vec<(&AppRow, Vec<String>)> = Vec::new();
    for app in apps {
        let Some(app_id) = app.app_id.as_deref() else { continue };
        if baseline.iter().any(|p| covers(p, app_id)) {
            continue;
        }
        let excluded_by: Vec<String> = baseline
            .iter()
            .filter(|p| {
                p.conditions()
                    .applications
                    .unwrap_or_default()
                    .exclude_applications
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(app_id))
            })
            .map(|p| p.name().to_string())
            .collect();
        outside.push((app, excluded_by));
    }
    if outside.is_empty() {
        return None;
    }
    let app_names: Vec<String> =
        outside.iter().map(|(a, _)| a.display_name.clone().unwrap_or_else(|| a.id.clone())).collect();
    let mut f = Finding::new(
        "mfa_gap_apps",
        "medium",
        format!(
            "{} outside every enforced MFA policy: {}",
            plural(outside.len(), "app is", "apps are"),
            some_names(&app_names, 3)
        ),
    );
    f.evidence = outside
        .iter()
        .map(|(a, by)| {
            let name = a.display_name.clone().unwrap_or_else(|| a.id.clone());
            let only: Vec<String> = narrow
                .iter()
                .filter(|p| a.app_id.as_deref().is_some_and(|id| covers(p, id)))
                .map(|p| p.name().to_string())
                .collect();
            let mut line = if by.is_empty() {
                format!("{name}: no MFA policy for all users includes it")
            } else {
                format!("{name}: excluded from {}", words::and_list(by))
            };
            if !only.is_empty() {
                line.push_str(&format!(
                    "; only {} asks for MFA there, for the users it targets",
                    words::and_list(&only)
                ));
            }
            line
        })
        .collect();
    let named: BTreeSet<String> = outside.iter().flat_map(|(_, by)| by.clone()).collect();
    f.policies = baseline.iter().filter(|p| named.contains(p.name())).map(|p| PolicyRef::of(p)).collect();
    f = f.with_objects(
        outside
            .iter()
            .map(|(a, _)| ObjectRef {
                kind: "app".into(),
                name: a.display_name.clone().unwrap_or_default(),
                id: a.app_id.clone().unwrap_or_default(),
            })
            .collect(),
    );
    f.fix = "require MFA for these apps too (or retire them if nobody uses them)".into();
    f.draft = Some(PolicyIntent {
        name: format!("MFA for {}", some_names(&app_names, 2)),
        include: all_users(),
        apps: app_names.into_iter().take(SHOWN).collect(),
        grant: Grant { controls: vec![Control::Mfa], ..Grant::default() },
        ..PolicyIntent::default()
    });
    Some(f)
}

fn legacy_clients(p: &ConditionalAccessPolicy) -> bool {
    let types = p.conditions().client_app_types;
    types.iter().any(|t| {
        t.eq_ignore_ascii_case("exchangeActiveSync")
            || t.eq_ignore_ascii_case("easSupported")
            || t.eq_ignore_ascii_case("other")
    })
}

fn legacy_auth(estate: &Estate, policies: &[ConditionalAccessPolicy], names: &Names, reads: &Reads) -> Option<Finding> {
    let blocks: Vec<&ConditionalAccessPolicy> = policies.iter().filter(|p| p.blocks() && legacy_clients(p)).collect();
    let enforced: Vec<&&ConditionalAccessPolicy> =
        blocks.iter().filter(|p| p.policy_state() == PolicyState::On).collect();
    let report_only: Vec<&&ConditionalAccessPolicy> =
        blocks.iter().filter(|p| p.policy_state() == PolicyState::ReportOnly).collect();
    // Fully blocked: an enforced block for all users and all apps, nothing excluded but break-glass.
    let full = enforced.iter().any(|p| {
        let c = p.conditions();
        let apps = c.applications.unwrap_or_default();
        let users = c.users.unwrap_or_default();
        apps.include_applications.iter().any(|a| a.eq_ignore_ascii_case("All"))
            && apps.exclude_applications.is_empty()
            && users.include_users.iter().any(|u| u.eq_ignore_ascii_case("All"))
            && users.exclude_groups.is_empty()
            && users.exclude_roles.is_empty()
            && c.locations.is_none()
            && c.platforms.is_none()
    });
    if full {
        return None;
    }
    let mut left_out: Vec<ObjectRef> = Vec::new();
    for p in &enforced {
        for app in p.conditions().applications.unwrap_or_default().exclude_applications {
            if !left_out.iter().any(|o| o.id.eq_ignore_ascii_case(&app)) {
                left_out.push(ObjectRef { kind: "app".into(), name: names.app(&app), id: app.clone() });
            }
        }
    }
    let title = if enforced.is_empty() {
        "Legacy authentication (IMAP, POP, SMTP, ActiveSync) is not blocked by any enforced policy".to_string()
    } else if !left_out.is_empty() {
        let apps: Vec<String> = left_out.iter().map(|o| o.name.clone()).collect();
        format!(
            "Legacy authentication is not blocked for {}: {} leaves it out",
            words::and_list(&apps),
            words::and_list(&enforced.iter().map(|p| p.name().to_string()).collect::<Vec<_>>())
        )
    } else {
        "Legacy authentication is blocked only for some users or under some conditions".to_string()
    };
    let mut f = Finding::new("legacy_auth_not_blocked", "high", title);
    f.policies = enforced.iter().chain(&report_only).map(|p| PolicyRef::of(p)).collect();
    for p in &enforced {
        f.evidence.push(format!("{} (on): {}", p.name(), words::summary(p, names)));
    }
    let mut users_seen: Vec<ObjectRef> = Vec::new();
    for p in &report_only {
        let rows = reads.results.get(&p.id);
        let line = match rows {
            Some(rows) if !rows.is_empty() => {
                let mut who: Vec<String> = Vec::new();
                for r in rows {
                    let name =
                        r.user_display_name.clone().or_else(|| r.user_principal_name.clone()).unwrap_or_default();
                    if !who.contains(&name) {
                        who.push(name);
                    }
                    if let Some(id) = &r.user_id
                        && !users_seen.iter().any(|o| o.id.eq_ignore_ascii_case(id))
                        && let Some(person) = estate.user(id)
                    {
                        users_seen.push(ObjectRef::person(person));
                    }
                }
                let clients: BTreeSet<String> = rows.iter().filter_map(|r| r.client_app_used.clone()).collect();
                format!(
                    "{} would block it but only reports: in {EVIDENCE_DAYS} days it would have blocked {} by {} ({}; {})",
                    p.name(),
                    plural(rows.len(), "legacy sign-in", "legacy sign-ins"),
                    plural(who.len(), "user", "users"),
                    some_names(&who, 4),
                    clients.into_iter().collect::<Vec<_>>().join(", ")
                )
            }
            _ => format!("{} would block it but only reports", p.name()),
        };
        f.evidence.push(line);
    }
    let mut objects = left_out;
    objects.extend(users_seen);
    f = f.with_objects(objects);
    f.fix = match (report_only.first(), enforced.first()) {
        (Some(ro), Some(on)) => format!(
            "move the users in its report-only results off legacy clients, then enable {} and retire {} (or remove \
             its app exclusions)",
            ro.name(),
            on.name()
        ),
        (Some(ro), None) => {
            format!("move the users in its report-only results off legacy clients, then enable {}", ro.name())
        }
        _ => "block legacy authentication for all users and apps".into(),
    };
    f.draft = Some(PolicyIntent {
        name: "Block legacy authentication".into(),
        include: all_users(),
        apps: vec!["all".into()],
        conditions: Conditions {
            client_apps: vec![ClientApp::ExchangeActiveSync, ClientApp::Other],
            ..Conditions::default()
        },
        grant: Grant { controls: vec![Control::Block], ..Grant::default() },
        ..PolicyIntent::default()
    });
    Some(f)
}

fn device_code_flow(policies: &[ConditionalAccessPolicy]) -> Option<Finding> {
    let blocking = |p: &ConditionalAccessPolicy| {
        p.blocks()
            && p.conditions()
                .authentication_flows
                .as_ref()
                .is_some_and(|f| f.methods().iter().any(|m| m.eq_ignore_ascii_case("deviceCodeFlow")))
    };
    if policies.iter().any(|p| blocking(p) && p.policy_state() == PolicyState::On) {
        return None;
    }
    let report_only: Vec<&ConditionalAccessPolicy> =
        policies.iter().filter(|p| blocking(p) && p.policy_state() == PolicyState::ReportOnly).collect();
    let mut f = Finding::new(
        "device_code_flow_not_blocked",
        "medium",
        "No enforced policy blocks the device code flow, which phishing campaigns use to take over sessions",
    );
    f.policies = report_only.iter().map(|p| PolicyRef::of(p)).collect();
    f.evidence = vec![if report_only.is_empty() {
        "no policy has an authentication flows condition on the device code flow".to_string()
    } else {
        format!("only report-only: {}", report_only.iter().map(|p| p.name()).collect::<Vec<_>>().join(", "))
    }];
    f.fix = "block the device code flow for everyone (exclude the few devices that need it, such as meeting-room \
             consoles, by group)"
        .into();
    f.draft = Some(PolicyIntent {
        name: "Block device code flow".into(),
        include: all_users(),
        apps: vec!["all".into()],
        conditions: Conditions { auth_flows: vec![AuthFlow::DeviceCodeFlow], ..Conditions::default() },
        grant: Grant { controls: vec![Control::Block], ..Grant::default() },
        ..PolicyIntent::default()
    });
    Some(f)
}

async fn break_glass_findings(
    ctx: &Ctx,
    estate: &Estate,
    policies: &[ConditionalAccessPolicy],
    break_glass: &BTreeSet<usize>,
) -> Vec<Finding> {
    if break_glass.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let gated = |p: &&ConditionalAccessPolicy| live(p) && (p.blocks() || super::analysis::grants(p));
    let missing: Vec<&ConditionalAccessPolicy> = policies
        .iter()
        .filter(gated)
        .filter(|p| {
            let covered = estate.coverage(p);
            break_glass.iter().any(|i| covered.contains(i))
        })
        .collect();
    let accounts: Vec<ObjectRef> = break_glass.iter().map(|&i| ObjectRef::person(&estate.users[i])).collect();
    let upns: Vec<String> = break_glass.iter().filter_map(|&i| estate.users[i].user_principal_name.clone()).collect();
    if !missing.is_empty() {
        let blocks = missing.iter().any(|p| p.blocks());
        let mut f = Finding::new(
            "break_glass",
            if blocks { "high" } else { "medium" },
            format!(
                "{} not exclude the break-glass accounts",
                if missing.len() == 1 {
                    format!("{} does", missing[0].name())
                } else {
                    format!("{} policies do", missing.len())
                }
            ),
        );
        f.policies = missing.iter().map(|p| PolicyRef::of(p)).collect();
        f.evidence = missing
            .iter()
            .map(|p| {
                format!(
                    "{} ({}) applies to the emergency accounts: if it misfires they are locked out too",
                    p.name(),
                    p.policy_state().words()
                )
            })
            .collect();
        f = f.with_objects(accounts.clone());
        f.fix = format!(
            "exclude them: update_ca_policy_assignments {{\"policy\":\"{}\",\"exclude_add\":{{\"users\":[{}]}}}}",
            missing[0].name(),
            upns.iter().map(|u| format!("\"{u}\"")).collect::<Vec<_>>().join(",")
        );
        out.push(f);
    }
    // Each emergency account should hold Global Administrator permanently.
    type Answer<'a> = (&'a super::analysis::Person, Result<crate::graph::Page<ScheduleInstance>, SkillError>);
    let calls: Vec<BoxFuture<'_, Answer<'_>>> = break_glass
        .iter()
        .map(|&i| {
            let person = &estate.users[i];
            let request = crate::shared::roles::assignment_instances(&person.id);
            async move { (person, ctx.graph.list::<ScheduleInstance>(request, 100).await) }.boxed()
        })
        .collect();
    let answers: Vec<Answer<'_>> = stream::iter(calls).buffered(IN_FLIGHT).collect().await;
    let mut not_permanent = Vec::new();
    for (person, answer) in answers {
        match answer {
            Ok(page) => {
                let permanent = page.items.iter().any(|s| {
                    s.role_definition_id.eq_ignore_ascii_case(GLOBAL_ADMINISTRATOR)
                        && s.end_date_time.is_none()
                        && s.assignment_type.as_deref() == Some("Assigned")
                });
                if !permanent {
                    not_permanent.push(ObjectRef::person(person));
                }
            }
            Err(e) => {
                ctx.note(format!(
                    "whether the break-glass accounts are permanent Global Administrators was not checked: {}",
                    e.message
                ));
                return out;
            }
        }
    }
    if !not_permanent.is_empty() {
        let mut f = Finding::new(
            "break_glass",
            "high",
            format!(
                "{} not a permanent Global Administrator",
                plural(not_permanent.len(), "break-glass account is", "break-glass accounts are")
            ),
        );
        f.evidence = vec!["an emergency account must work when PIM or the admins' MFA does not".into()];
        f = f.with_objects(not_permanent);
        f.fix = "assign Global Administrator to each break-glass account permanently (active, no end date)".into();
        out.push(f);
    }
    out
}

/// Whether a strength allows only phishing-resistant methods.
fn phishing_resistant(strength: &AuthenticationStrengthPolicy) -> bool {
    !strength.allowed_combinations.is_empty()
        && strength
            .allowed_combinations
            .iter()
            .all(|c| c.split(',').all(|m| PHISHING_RESISTANT.iter().any(|p| p.eq_ignore_ascii_case(m.trim()))))
}

fn privileged(
    estate: &Estate,
    policies: &[ConditionalAccessPolicy],
    names: &Names,
    admins: &[Registration],
    strengths: &[AuthenticationStrengthPolicy],
) -> Option<Finding> {
    let strict: Vec<&ConditionalAccessPolicy> = policies
        .iter()
        .filter(|p| p.policy_state() == PolicyState::On)
        .filter(|p| {
            p.grant_controls.as_ref().and_then(|g| g.authentication_strength.as_ref()).is_some_and(|s| {
                let full = strengths.iter().find(|x| x.id.eq_ignore_ascii_case(&s.id)).unwrap_or(s);
                phishing_resistant(full)
            })
        })
        .collect();
    let required = |admin: &Registration| {
        estate.index_of(&admin.id).is_some_and(|i| strict.iter().any(|p| estate.coverage(p).contains(&i)))
    };
    let exposed: Vec<&Registration> = admins.iter().filter(|a| !required(a)).collect();
    if exposed.is_empty() {
        return None;
    }
    let capable = |a: &Registration| {
        a.methods_registered.iter().any(|m| PHISHING_RESISTANT.iter().any(|p| p.eq_ignore_ascii_case(m)))
    };
    let mut without: Vec<&&Registration> = exposed.iter().filter(|a| !capable(a)).collect();
    without.sort_by_key(|a| a.user_display_name.clone());
    let with = exposed.len() - without.len();
    let admin_policies: Vec<&ConditionalAccessPolicy> = policies
        .iter()
        .filter(|p| p.policy_state() == PolicyState::On && p.requires_mfa())
        .filter(|p| !p.conditions().users.unwrap_or_default().include_roles.is_empty())
        .collect();
    let mut f = Finding::new(
        "privileged_without_phishing_resistant",
        "high",
        format!(
            "{} privileged role holders are not required to use phishing-resistant MFA; {} have no phishing-resistant method",
            exposed.len(),
            without.len()
        ),
    );
    f.policies = admin_policies.iter().map(|p| PolicyRef::of(p)).collect();
    for p in &admin_policies {
        f.evidence.push(format!(
            "{} asks them for {}: any MFA method, phishable ones included",
            p.name(),
            words::grant_words(p, names)
        ));
    }
    if strict.is_empty() {
        f.evidence.push("no enforced policy requires a phishing-resistant authentication strength".into());
    }
    f.evidence.push(format!(
        "{with} of them have a FIDO2 key, passkey, Windows Hello or certificate they are never required to use"
    ));
    let mut objects: Vec<ObjectRef> = without
        .iter()
        .map(|a| ObjectRef {
            kind: "user".into(),
            name: match (&a.user_display_name, &a.user_principal_name) {
                (Some(n), Some(u)) => format!("{n} ({u})"),
                (n, u) => n.clone().or(u.clone()).unwrap_or_else(|| a.id.clone()),
            },
            id: a.id.clone(),
        })
        .collect();
    if objects.is_empty() {
        objects = exposed
            .iter()
            .map(|a| ObjectRef {
                kind: "user".into(),
                name: a.user_display_name.clone().unwrap_or_else(|| a.id.clone()),
                id: a.id.clone(),
            })
            .collect();
    }
    f = f.with_objects(objects);
    f.fix = "register a FIDO2 key or passkey for each admin without one, then require the Phishing-resistant MFA \
             strength for admin roles (report-only first)"
        .into();
    let mut roles: Vec<String> = admin_policies
        .iter()
        .flat_map(|p| p.conditions().users.unwrap_or_default().include_roles)
        .map(|r| names.role(&r))
        .filter(|r| uuid::Uuid::try_parse(r).is_err())
        .collect();
    let mut seen = BTreeSet::new();
    roles.retain(|r| seen.insert(r.clone()));
    if roles.is_empty() {
        roles = ADMIN_ROLES.iter().map(|r| r.to_string()).collect();
    }
    let strength = strengths
        .iter()
        .filter(|s| phishing_resistant(s))
        .filter_map(|s| s.display_name.clone())
        .next()
        .unwrap_or_else(|| "Phishing-resistant MFA".into());
    f.draft = Some(PolicyIntent {
        name: "Phishing-resistant MFA for admins".into(),
        include: Who { roles, ..Who::default() },
        apps: vec!["all".into()],
        grant: Grant { authentication_strength: Some(strength), ..Grant::default() },
        ..PolicyIntent::default()
    });
    Some(f)
}

fn exclusion_sprawl(
    estate: &Estate,
    policies: &[ConditionalAccessPolicy],
    break_glass: &BTreeSet<usize>,
    names: &Names,
) -> Vec<Finding> {
    let total = estate.users.len().max(1);
    let mut out: Vec<Finding> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for p in policies.iter().filter(|p| live(p)) {
        let users = p.conditions().users.unwrap_or_default();
        let principals =
            users.exclude_users.iter().filter(|u| estate.index_of(u).is_none_or(|i| !break_glass.contains(&i))).count()
                + users.exclude_groups.len()
                + users.exclude_roles.len()
                + usize::from(users.exclude_guests_or_external_users.is_some());
        let left_out: BTreeSet<usize> =
            estate.excluded_from(p).into_iter().filter(|i| !break_glass.contains(i)).collect();
        let share = left_out.len() * 100 / total;
        if principals <= 20 && left_out.len() * 20 <= total {
            continue;
        }
        // Policies excluding the same people are one finding.
        let key = format!("{left_out:?}");
        if let Some(i) = keys.iter().position(|k| *k == key) {
            let f: &mut Finding = &mut out[i];
            f.policies.push(PolicyRef::of(p));
            let named: Vec<String> = f.policies.iter().map(|r| r.name.clone()).collect();
            f.title = format!(
                "{} leave out the same {} users ({share}% of the tenant)",
                words::and_list(&named),
                left_out.len()
            );
            continue;
        }
        keys.push(key);
        let mut parts: Vec<String> = users
            .exclude_groups
            .iter()
            .map(|g| format!("{} ({})", names.group(g), estate.group(g).map_or(0, BTreeSet::len)))
            .collect();
        if users.exclude_guests_or_external_users.is_some() {
            parts.push(format!("guests ({})", estate.users.iter().filter(|u| u.guest()).count()));
        }
        let mut f = Finding::new(
            "exclusion_sprawl",
            "medium",
            format!("{} leaves out {} users ({share}% of the tenant)", p.name(), left_out.len()),
        );
        f.policies = vec![PolicyRef::of(p)];
        f.evidence = vec![format!(
            "excluded: {} — {} principals named, {} users in all (threshold: 5% of users or 20 principals)",
            if parts.is_empty() { "users by name".to_string() } else { parts.join(", ") },
            principals,
            left_out.len()
        )];
        let mut objects: Vec<ObjectRef> = users
            .exclude_groups
            .iter()
            .map(|g| ObjectRef { kind: "group".into(), name: names.group(g), id: g.clone() })
            .collect();
        objects.extend(left_out.iter().map(|&i| ObjectRef::person(&estate.users[i])));
        f = f.with_objects(objects);
        f.fix = "review each exclusion (an access review of the excluded group), keep only time-bound ones with an \
                 owner, and cover the rest with their own policy"
            .into();
        out.push(f);
    }
    out
}

fn report_only_stale(ctx: &Ctx, policies: &[ConditionalAccessPolicy], reads: &Reads, names: &Names) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in policies.iter().filter(|p| p.policy_state() == PolicyState::ReportOnly) {
        let Some(age) = days_since(ctx.now, p.modified_date_time.as_deref().or(p.created_date_time.as_deref())) else {
            continue;
        };
        if age <= STALE_DAYS {
            continue;
        }
        let mut f = Finding::new(
            "report_only_stale",
            "medium",
            format!("{} has been report-only for {age} days without being enforced", p.name()),
        );
        f.policies = vec![PolicyRef::of(p)];
        f.evidence.push(format!("it would: {}", words::summary(p, names)));
        let mut who: Vec<ObjectRef> = Vec::new();
        match reads.results.get(&p.id) {
            Some(rows) if !rows.is_empty() => {
                for r in rows {
                    let id = r.user_id.clone().unwrap_or_default();
                    if !who.iter().any(|o| o.id.eq_ignore_ascii_case(&id)) {
                        let name = match (&r.user_display_name, &r.user_principal_name) {
                            (Some(n), Some(u)) => format!("{n} ({u})"),
                            (n, u) => n.clone().or(u.clone()).unwrap_or_else(|| id.clone()),
                        };
                        who.push(ObjectRef { kind: "user".into(), name, id });
                    }
                }
                let apps: BTreeSet<String> = rows.iter().filter_map(|r| r.app_display_name.clone()).collect();
                f.evidence.push(format!(
                    "in the last {EVIDENCE_DAYS} days it would have {} {} by {} ({})",
                    if p.blocks() { "blocked" } else { "challenged" },
                    plural(rows.len(), "sign-in", "sign-ins"),
                    plural(who.len(), "user", "users"),
                    apps.into_iter().take(4).collect::<Vec<_>>().join(", ")
                ));
            }
            Some(_) => f.evidence.push(format!("in the last {EVIDENCE_DAYS} days it would have stopped no sign-in")),
            None => {}
        }
        f = f.with_objects(who);
        f.fix = format!(
            "review what it would do (get_ca_policy_impact {{\"policy\":\"{}\"}}), then enable it in the Entra admin \
             center — or delete it",
            p.name()
        );
        out.push(f);
    }
    out
}

fn disabled(ctx: &Ctx, policies: &[ConditionalAccessPolicy]) -> Option<Finding> {
    let off: Vec<&ConditionalAccessPolicy> = policies.iter().filter(|p| p.policy_state() == PolicyState::Off).collect();
    if off.is_empty() {
        return None;
    }
    let mut f =
        Finding::new("disabled_policies", "low", format!("{} off", plural(off.len(), "policy is", "policies are")));
    f.policies = off.iter().map(|p| PolicyRef::of(p)).collect();
    f.evidence = off
        .iter()
        .map(|p| match days_since(ctx.now, p.modified_date_time.as_deref()) {
            Some(days) => format!("{}: off, last changed {days} days ago", p.name()),
            None => format!("{}: off", p.name()),
        })
        .collect();
    f.fix = "delete what is no longer needed; test what is meant to return in report-only before enabling it".into();
    Some(f)
}

fn risk_policies(policies: &[ConditionalAccessPolicy]) -> Option<Finding> {
    let on = |p: &&ConditionalAccessPolicy| p.policy_state() == PolicyState::On;
    let sign_in: Vec<&ConditionalAccessPolicy> =
        policies.iter().filter(|p| !p.conditions().sign_in_risk_levels.is_empty()).collect();
    let user: Vec<&ConditionalAccessPolicy> =
        policies.iter().filter(|p| !p.conditions().user_risk_levels.is_empty()).collect();
    let sign_in_on = sign_in.iter().any(on);
    let user_on = user.iter().any(on);
    if sign_in_on && user_on {
        return None;
    }
    let missing: Vec<&str> =
        [(!sign_in_on).then_some("sign-in risk"), (!user_on).then_some("user risk")].into_iter().flatten().collect();
    let mut f = Finding::new(
        "risk_policies_missing",
        "medium",
        format!("No enforced {} policy (needs P2)", missing.join(" or ")),
    );
    for (list, kind) in [(&sign_in, "sign-in risk"), (&user, "user risk")] {
        for p in list.iter() {
            f.policies.push(PolicyRef::of(p));
            f.evidence.push(format!("{kind}: {} is {}", p.name(), p.policy_state().words()));
        }
    }
    if f.evidence.is_empty() {
        f.evidence.push("no policy has a risk condition".into());
    }
    f.fix = if !user_on {
        "require a secure password change with MFA on high user risk (enable the report-only one once reviewed)".into()
    } else {
        "require MFA on medium and high sign-in risk".into()
    };
    f.draft = Some(if !user_on {
        PolicyIntent {
            name: "Password change on high user risk".into(),
            include: all_users(),
            apps: vec!["all".into()],
            conditions: Conditions { user_risk: vec![RiskLevel::High], ..Conditions::default() },
            grant: Grant {
                controls: vec![Control::Mfa, Control::PasswordChange],
                operator: Some(Operator::And),
                ..Grant::default()
            },
            ..PolicyIntent::default()
        }
    } else {
        PolicyIntent {
            name: "MFA on medium or high sign-in risk".into(),
            include: all_users(),
            apps: vec!["all".into()],
            conditions: Conditions { sign_in_risk: vec![RiskLevel::Medium, RiskLevel::High], ..Conditions::default() },
            grant: Grant { controls: vec![Control::Mfa], ..Grant::default() },
            ..PolicyIntent::default()
        }
    });
    Some(f)
}

async fn matches_no_one(
    ctx: &Ctx,
    estate: &Estate,
    policies: &[ConditionalAccessPolicy],
    names: &Names,
) -> Vec<Finding> {
    if estate.users.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for p in policies.iter().filter(|p| live(p)) {
        let c = p.conditions();
        if c.client_applications.is_some() || c.users.is_none() || !estate.coverage(p).is_empty() {
            continue;
        }
        let users = c.users.unwrap_or_default();
        let mut evidence = Vec::new();
        let mut objects = Vec::new();
        for g in &users.include_groups {
            if estate.group_missing(g) {
                let request = GraphRequest::get(path("/directory/deletedItems/{}", &[g]))
                    .query(Query::new().select(&["id", "displayName", "deletedDateTime"]));
                let line = match ctx.graph.get::<Deleted>(request).await {
                    Ok(d) => {
                        let name = d.display_name.unwrap_or_else(|| g.clone());
                        objects.push(ObjectRef { kind: "group".into(), name: name.clone(), id: g.clone() });
                        match days_since(ctx.now, d.deleted_date_time.as_deref()) {
                            Some(days) => format!("its group {name} was deleted {days} days ago"),
                            None => format!("its group {name} was deleted"),
                        }
                    }
                    Err(_) => {
                        objects.push(ObjectRef { kind: "group".into(), name: g.clone(), id: g.clone() });
                        format!("its group {g} no longer exists (or is hidden from you)")
                    }
                };
                evidence.push(line);
            } else {
                objects.push(ObjectRef { kind: "group".into(), name: names.group(g), id: g.clone() });
                evidence.push(format!("its group {} has no members", names.group(g)));
            }
        }
        if evidence.is_empty() {
            evidence.push("everyone it includes is also excluded, or no longer exists".into());
        }
        let mut f = Finding::new("matches_no_one", "low", format!("{} covers no one", p.name()));
        f.policies = vec![PolicyRef::of(p)];
        f.evidence = evidence;
        f = f.with_objects(objects);
        f.fix = "delete it, or point it at the group that took over (update_ca_policy_assignments)".into();
        out.push(f);
    }
    out
}

impl Render for CaCoverageGaps {
    fn rows(&self) -> Option<usize> {
        Some(self.findings.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.findings.truncate(rows);
    }

    fn markdown(&self) -> String {
        let mut out = fields(&[
            ("policies", Some(self.policies.to_string())),
            ("users sized", Some(self.users.to_string())),
            ("findings", Some(self.findings.len().to_string())),
        ]);
        out.push('\n');
        out.push_str(&findings_table(&self.findings));
        for f in &self.findings {
            let mut lines: Vec<String> = f.evidence.iter().skip(1).cloned().collect();
            if !f.objects.is_empty() {
                let named: Vec<&str> = f.objects.iter().map(|o| o.name.as_str()).collect();
                let more = f.more_objects.map(|n| format!(" and {n} more")).unwrap_or_default();
                lines.push(format!("concerns: {}{more}", named.join(", ")));
            }
            if !lines.is_empty() {
                out.push_str(&format!("\n{}: {}", f.kind, lines.join("; ")));
            }
        }
        if !self.new_users_in_gap.is_empty() {
            let rows: Vec<Vec<String>> =
                self.new_users_in_gap.iter().map(|u| vec![u.name.clone(), u.kind.clone(), u.id.clone()]).collect();
            out.push_str(&format!("\nnew users in the MFA gap\n{}", table(&["user", "kind", "id"], &rows)));
        }
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Where are the gaps in our Conditional Access coverage?",
        args: r#"{}"#,
        facts: &[
            Fact::Some("findings/*/kind", "mfa_gap_users"),
            Fact::Some("findings/*/kind", "mfa_gap_apps"),
            Fact::Some("findings/*/kind", "legacy_auth_not_blocked"),
            Fact::Some("findings/*/kind", "device_code_flow_not_blocked"),
            Fact::Some("findings/*/kind", "privileged_without_phishing_resistant"),
            Fact::Some("findings/*/kind", "report_only_stale"),
            Fact::Some("findings/*/kind", "matches_no_one"),
            Fact::Some("findings/*/policies/*/name", "CA002 Block legacy authentication"),
            Fact::Some("findings/*/objects/*/name", "Legacy Reports Portal"),
            Fact::Some("findings/*/objects/*/name", "~Elena Petrova"),
            Fact::Some("new_users_in_gap/*/name", "~Sara Lindgren"),
            Fact::Some("findings/*/title", "~CA002 Block legacy authentication has been report-only for 120 days"),
            Fact::Says("Office 365 Exchange Online"),
            Fact::Says("What-If"),
        ],
    },
    Example {
        question: "Only the high-severity Conditional Access gaps, break-glass exclusions included",
        args: r#"{"min_severity":"high"}"#,
        facts: &[
            Fact::Every("findings/*/severity", "high"),
            Fact::Some("findings/*/kind", "legacy_auth_not_blocked"),
            Fact::Some("findings/*/kind", "break_glass"),
            Fact::Some("findings/*/policies/*/name", "CA006 Block restricted countries"),
            Fact::Some("findings/*/objects/*/name", "~breakglass01@woodgrovebank.onmicrosoft.com"),
            Fact::No("findings/*/kind", "disabled_policies"),
        ],
    },
    Example {
        question: "Coverage gaps at an unknown severity",
        args: r#"{"min_severity":"urgent"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_CA_COVERAGE_GAPS, get_ca_coverage_gaps)
}
