//! The `ca` toolset: Conditional Access in plain words — the policies (all, one, those that hit a
//! user), named locations, authentication strengths and templates, What-If for a hypothetical
//! sign-in, and what a policy did or would have done in the sign-in logs.
//!
//! Shared by the toolset's skills: `policies.rs` (reading policies, one by id, code or name),
//! `names.rs` (every id a set of policies mentions, named in few calls) and `words.rs` (a policy
//! in plain words). The What-If rules themselves live in `crate::what_if`, pure, for the emulator
//! and for drafts alike.

pub mod names;
pub mod policies;
pub mod words;

// Coverage, conflicts, drafts and the CA writes: `analysis.rs` (who a policy covers today, how
// two policies compare), `conflicts.rs` (the pairwise rules), `intent.rs` (an admin's intent
// as a valid report-only policy body).
pub mod analysis;
pub mod conflicts;
pub mod intent;

crate::toolset! {
    list_ca_policies,
    get_ca_policy,
    get_policies_for_user,
    evaluate_ca_what_if,
    list_named_locations,
    list_authentication_strengths,
    list_ca_templates,
    get_ca_policy_impact,
    get_ca_coverage_gaps,
    find_ca_policy_conflicts,
    draft_ca_policy,
    create_ca_policy_report_only,
    update_ca_policy_assignments,
}
