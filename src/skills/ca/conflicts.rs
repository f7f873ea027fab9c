//! The rules that compare Conditional Access policies two by two (SKILLS.md §4.6), shared by
//! `find_ca_policy_conflicts` (the tenant's policies) and `draft_ca_policy` (a draft against
//! them). Only policies evaluated at sign-in (on or report-only) are compared.
//!
//! - `redundant`: two enforced policies, one's scope inside the other's, the same controls;
//! - `report_only_duplicate`: a report-only policy with an enforced one's controls, one's scope
//!   inside the other's;
//! - `block_shadows_grant`: an enforced block covers every sign-in a grant policy would ask
//!   something of, so the grant never matters;
//! - `session_conflict`: two policies meeting on the same sign-ins with different sign-in
//!   frequencies or persistent-browser modes (the strictest wins);
//! - `consolidation_candidate`: the same users, conditions, controls and state, different apps;
//! - `exclusion_hole`: a group (or the guests) an MFA policy excludes that no other enforced
//!   MFA policy covers (one that asks on ordinary sign-ins: `analysis::baseline_mfa`).

use std::collections::BTreeSet;

use crate::graph::resources::{ConditionalAccessPolicy, PolicyState};

use super::analysis::{
    Estate, Finding, ObjectRef, PolicyRef, baseline_mfa, controls_key, frequency_hours, grants, live, overlap,
    persistent_browser, users_key, within,
};
use super::intent::{Control, Grant, PolicyIntent, Who};
use super::names::Names;
use super::words;

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

fn hours_words(hours: i64) -> String {
    match hours {
        0 => "every time".into(),
        h if h % 24 == 0 && h >= 48 => format!("every {} days", h / 24),
        1 => "every hour".into(),
        h => format!("every {h} hours"),
    }
}

/// The apps a policy leaves out that another does not, by name.
fn extra_exclusions(narrow: &ConditionalAccessPolicy, wide: &ConditionalAccessPolicy, names: &Names) -> Vec<String> {
    let wide_out = wide.conditions().applications.unwrap_or_default().exclude_applications;
    narrow
        .conditions()
        .applications
        .unwrap_or_default()
        .exclude_applications
        .iter()
        .filter(|e| !wide_out.iter().any(|w| w.eq_ignore_ascii_case(e)))
        .map(|e| names.app(e))
        .collect()
}

/// Every finding among `policies`; with `focus`, only those involving the policy of that id.
pub fn find(estate: &Estate, policies: &[ConditionalAccessPolicy], names: &Names, focus: Option<&str>) -> Vec<Finding> {
    let live_policies: Vec<&ConditionalAccessPolicy> = policies.iter().filter(|p| live(p)).collect();
    let involved = |a: &ConditionalAccessPolicy, b: &ConditionalAccessPolicy| {
        focus.is_none_or(|f| a.id.eq_ignore_ascii_case(f) || b.id.eq_ignore_ascii_case(f))
    };
    let mut out = Vec::new();
    for (i, a) in live_policies.iter().enumerate() {
        for b in &live_policies[i + 1..] {
            if involved(a, b) {
                pair(estate, a, b, names, &mut out);
            }
        }
    }
    out.extend(exclusion_holes(estate, &live_policies, names, focus));
    out.sort_by_key(Finding::severity_rank);
    out
}

fn pair(
    estate: &Estate,
    a: &ConditionalAccessPolicy,
    b: &ConditionalAccessPolicy,
    names: &Names,
    out: &mut Vec<Finding>,
) {
    let (sa, sb) = (a.policy_state(), b.policy_state());
    let same_controls = controls_key(a) == controls_key(b);
    let a_in_b = within(estate, a, b);
    let b_in_a = within(estate, b, a);
    let mut redundant = false;

    if same_controls && sa == PolicyState::On && sb == PolicyState::On && (a_in_b || b_in_a) {
        redundant = true;
        let (inner, outer) = if a_in_b { (a, b) } else { (b, a) };
        let covered = estate.coverage(inner).len();
        let mut f = Finding::new(
            "redundant",
            "low",
            format!("{} does nothing {} does not already do", inner.name(), outer.name()),
        );
        f.policies = vec![PolicyRef::of(inner), PolicyRef::of(outer)];
        f.evidence = vec![
            format!(
                "{} covers {}, every one of them covered by {} today, for apps and conditions inside its own",
                inner.name(),
                plural(covered, "user", "users"),
                outer.name()
            ),
            format!("both {}", words::grant_words(inner, names)),
        ];
        f.fix = format!(
            "retire {} after checking nobody depends on it alone; {} already covers it",
            inner.name(),
            outer.name()
        );
        out.push(f);
    }

    let report_only_pair = match (sa, sb) {
        (PolicyState::ReportOnly, PolicyState::On) => Some((a, b)),
        (PolicyState::On, PolicyState::ReportOnly) => Some((b, a)),
        _ => None,
    };
    if let Some((report_only, enforced)) = report_only_pair
        && same_controls
        && (a_in_b || b_in_a)
    {
        let mut f = Finding::new(
            "report_only_duplicate",
            "medium",
            format!("{} (report-only) repeats {} (on)", report_only.name(), enforced.name()),
        );
        f.policies = vec![PolicyRef::of(report_only), PolicyRef::of(enforced)];
        let grant = words::grant_words(report_only, names);
        if within(estate, report_only, enforced) {
            f.evidence = vec![format!(
                "every sign-in {} covers, {} already covers with the same control ({grant})",
                report_only.name(),
                enforced.name()
            )];
            f.fix = format!("delete {}: enforcing it would add nothing", report_only.name());
        } else {
            let extra = extra_exclusions(enforced, report_only, names);
            let more = if extra.is_empty() {
                "and more".to_string()
            } else {
                format!("and also {} (which {} leaves out)", words::and_list(&extra), enforced.name())
            };
            f.evidence = vec![format!(
                "{} covers every sign-in {} does {more}, with the same control ({grant}), but only reports",
                report_only.name(),
                enforced.name()
            )];
            f.fix = format!(
                "review {}'s report-only results (get_ca_policy_impact), enable it, then retire {}",
                report_only.name(),
                enforced.name()
            );
        }
        out.push(f);
    }

    for (block, grant) in [(a, b), (b, a)] {
        if block.blocks() && block.policy_state() == PolicyState::On && grants(grant) && within(estate, grant, block) {
            let mut f = Finding::new(
                "block_shadows_grant",
                "low",
                format!(
                    "{} blocks every sign-in {} would ask to {}",
                    block.name(),
                    grant.name(),
                    words::grant_words(grant, names)
                ),
            );
            f.policies = vec![PolicyRef::of(block), PolicyRef::of(grant)];
            f.evidence = vec![format!(
                "the scope of {} ({}; {}) lies inside that of {}, which blocks access",
                grant.name(),
                plural(estate.coverage(grant).len(), "user", "users"),
                words::summary(grant, names),
                block.name()
            )];
            f.fix = format!("retire {}: its control is never reached while {} blocks", grant.name(), block.name());
            out.push(f);
        }
    }

    let both = overlap(estate, a, b);
    if !both.is_empty() {
        let (fa, fb) = (frequency_hours(a), frequency_hours(b));
        let (pa, pb) = (persistent_browser(a), persistent_browser(b));
        let frequencies = matches!((fa, fb), (Some(x), Some(y)) if x != y);
        let browsers = matches!((&pa, &pb), (Some(x), Some(y)) if !x.eq_ignore_ascii_case(y));
        if frequencies || browsers {
            let enforced = sa == PolicyState::On && sb == PolicyState::On;
            let mut f = Finding::new(
                "session_conflict",
                if enforced { "high" } else { "medium" },
                format!("{} and {} set different session controls for the same sign-ins", a.name(), b.name()),
            );
            f.policies = vec![PolicyRef::of(a), PolicyRef::of(b)];
            let mut people: Vec<ObjectRef> = both.iter().map(|&i| ObjectRef::person(&estate.users[i])).collect();
            people.sort_by(|x, y| x.name.cmp(&y.name));
            f = f.with_objects(people);
            if let (Some(x), Some(y)) = (fa, fb)
                && x != y
            {
                let (strict, strict_hours, lax, lax_hours) = if x < y { (a, x, b, y) } else { (b, y, a, x) };
                f.evidence.push(format!(
                    "sign-in frequency: {} asks {}, {} asks {}, for {} on {}",
                    a.name(),
                    hours_words(x),
                    b.name(),
                    hours_words(y),
                    plural(both.len(), "user", "users"),
                    words::target_words(a, names)
                ));
                let now = if strict.policy_state() == PolicyState::On {
                    format!("the strictest wins: {} ({}) applies", hours_words(strict_hours), strict.name())
                } else {
                    format!(
                        "the strictest wins once both are enforced: {} ({}); today {} is {}, so {} applies ({})",
                        hours_words(strict_hours),
                        strict.name(),
                        strict.name(),
                        strict.policy_state().words(),
                        lax.name(),
                        hours_words(lax_hours)
                    )
                };
                f.evidence.push(now);
            }
            if browsers {
                f.evidence.push(format!(
                    "persistent browser: {} says {}, {} says {}; `never` wins",
                    a.name(),
                    pa.clone().unwrap_or_default(),
                    b.name(),
                    pb.clone().unwrap_or_default()
                ));
            }
            f.fix = "decide on one value and keep it in one policy; retire or change the other".into();
            out.push(f);
        }
    }

    if !redundant
        && sa == sb
        && users_key(a) == users_key(b)
        && super::analysis::conditions_key(a) == super::analysis::conditions_key(b)
        && same_controls
    {
        let mut f = Finding::new(
            "consolidation_candidate",
            "low",
            format!("{} and {} differ only in their apps", a.name(), b.name()),
        );
        f.policies = vec![PolicyRef::of(a), PolicyRef::of(b)];
        f.evidence = vec![format!(
            "same users, conditions and controls ({}); apps: {} / {}",
            words::grant_words(a, names),
            words::target_words(a, names),
            words::target_words(b, names)
        )];
        f.fix = format!("merge them into one policy targeting both sets of apps, then retire {}", b.name());
        out.push(f);
    }
}

/// Excluded groups (and guests) of enforced MFA policies that no other enforced MFA policy
/// covers.
fn exclusion_holes(
    estate: &Estate,
    policies: &[&ConditionalAccessPolicy],
    names: &Names,
    focus: Option<&str>,
) -> Vec<Finding> {
    let mfa: Vec<&ConditionalAccessPolicy> = policies.iter().copied().filter(|p| baseline_mfa(p)).collect();
    // Who an enforced MFA policy covers, policy by policy.
    let covered: Vec<(String, BTreeSet<usize>)> =
        mfa.iter().map(|p| (p.id.to_ascii_lowercase(), estate.coverage(p))).collect();
    let covered_elsewhere = |members: &BTreeSet<usize>, excluding: &[&ConditionalAccessPolicy]| -> BTreeSet<usize> {
        let skip: BTreeSet<String> = excluding.iter().map(|p| p.id.to_ascii_lowercase()).collect();
        let mut out = BTreeSet::new();
        for (id, set) in &covered {
            if !skip.contains(id) {
                out.extend(members.intersection(set).copied());
            }
        }
        out
    };
    // Each excluded group once, with every policy that excludes it.
    let mut holes: Vec<(String, Vec<&ConditionalAccessPolicy>)> = Vec::new();
    for p in &mfa {
        let users = p.conditions().users.unwrap_or_default();
        let mut keys: Vec<String> = users.exclude_groups.iter().map(|g| g.to_ascii_lowercase()).collect();
        if users.exclude_guests_or_external_users.is_some() {
            keys.push("guests".into());
        }
        for key in keys {
            match holes.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(p),
                None => holes.push((key, vec![p])),
            }
        }
    }
    let mut out = Vec::new();
    for (key, excluding) in holes {
        if let Some(f) = focus
            && !excluding.iter().any(|p| p.id.eq_ignore_ascii_case(f))
        {
            continue;
        }
        let (members, label, id): (BTreeSet<usize>, String, String) = if key == "guests" {
            let guests = estate.users.iter().enumerate().filter(|(_, u)| u.guest()).map(|(i, _)| i).collect();
            (guests, "guests and external users".into(), "GuestsOrExternalUsers".into())
        } else {
            match estate.group(&key) {
                Some(m) => (m.clone(), names.group(&key), key.clone()),
                None => continue,
            }
        };
        if members.is_empty() {
            continue;
        }
        let elsewhere = covered_elsewhere(&members, &excluding);
        let uncovered: Vec<usize> = members.difference(&elsewhere).copied().collect();
        if uncovered.is_empty() {
            continue;
        }
        let policy_names: Vec<String> = excluding.iter().map(|p| p.name().to_string()).collect();
        let mut f = Finding::new(
            "exclusion_hole",
            "high",
            format!(
                "{label}: excluded from {}, covered by no other enforced MFA policy",
                words::and_list(&policy_names)
            ),
        );
        f.policies = excluding.iter().map(|p| PolicyRef::of(p)).collect();
        let mut objects = vec![ObjectRef {
            kind: if key == "guests" { "guests" } else { "group" }.into(),
            name: label.clone(),
            id: id.clone(),
        }];
        objects.extend(uncovered.iter().map(|&i| ObjectRef::person(&estate.users[i])));
        f = f.with_objects(objects);
        f.evidence = vec![if key == "guests" {
            format!(
                "{} of {} guests and external users sign in without any enforced MFA policy",
                uncovered.len(),
                members.len()
            )
        } else {
            format!(
                "{} of its {} sign in without any enforced MFA policy",
                uncovered.len(),
                plural(members.len(), "member", "members")
            )
        }];
        let mut who = Who::default();
        if key == "guests" {
            who.guests = true;
        } else {
            who.groups = vec![label.clone()];
        }
        f.fix = format!(
            "shrink the exclusion to who truly needs it (review it with an access review), and cover {label} with an \
             MFA policy of its own"
        );
        f.draft = Some(PolicyIntent {
            name: format!("MFA for {label}"),
            include: who,
            apps: vec!["all".into()],
            grant: Grant { controls: vec![Control::Mfa], ..Grant::default() },
            ..PolicyIntent::default()
        });
        out.push(f);
    }
    out
}
