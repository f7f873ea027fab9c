//! The Conditional Access part of a sign-in record: `appliedConditionalAccessPolicies` and
//! `conditionalAccessStatus`, derived from who signed in, to what, how and from where, by the
//! same rules as the story's CA001–CA010 table.
//!
//! The rules are restated here rather than read from the policy JSON because generating
//! 100,000 sign-ins must stay cheap; the What-If evaluator is the general one.

use serde_json::{Value, json};

use super::conditional_access::POLICIES;
use super::ids;

/// The kind of app signed in to, as far as the policies distinguish apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppClass {
    /// Woodgrove Finance Portal, Treasury Forecast Tool (CA005, CA008, CA009).
    Finance,
    /// Azure management (CA010).
    AzureManagement,
    /// Legacy Reports Portal (excluded from CA003).
    LegacyReports,
    Other,
}

/// What the policies look at in one sign-in.
#[derive(Debug, Clone, Copy)]
pub struct CaContext {
    pub break_glass: bool,
    /// Holds one of the roles CA001 targets.
    pub admin: bool,
    /// Member of CA Exclusions.
    pub excluded: bool,
    pub guest: bool,
    /// Member of Finance Department (CA008, CA009).
    pub finance_department: bool,
    pub app: AppClass,
    /// IMAP, POP, SMTP, Exchange ActiveSync and other legacy clients.
    pub legacy_client: bool,
    pub restricted_country: bool,
    pub sign_in_risk: &'static str,
    pub user_risk_high: bool,
    /// Multifactor authentication was performed or satisfied by a claim.
    pub mfa_done: bool,
    pub device_compliant: bool,
    /// The password was wrong (or the account unusable): enforced policies are not reached,
    /// report-only policies are still evaluated.
    pub primary_failed: bool,
}

/// The requirement a policy imposes when it applies.
#[derive(Clone, Copy)]
enum Requirement {
    Mfa,
    Block,
    CompliantDevice,
    MfaAndPasswordChange,
    SignInFrequency,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Enabled,
    ReportOnly,
    Disabled,
}

/// One policy's id and name, computed once per tenant.
pub struct CaCatalog {
    entries: Vec<(String, &'static str)>,
}

impl CaCatalog {
    pub fn new() -> CaCatalog {
        CaCatalog { entries: POLICIES.iter().map(|(code, name)| (ids::ca_policy_id(code), *name)).collect() }
    }

    /// The applied policies and the overall `conditionalAccessStatus`.
    pub fn evaluate(&self, ctx: &CaContext) -> (Value, &'static str) {
        let mut any_failure = false;
        let mut any_success = false;
        let applied: Vec<Value> = self
            .entries
            .iter()
            .enumerate()
            .map(|(index, (id, name))| {
                let (state, applies, requirement) = rule(index, ctx);
                let result = match state {
                    State::Disabled => "notEnabled",
                    State::Enabled if !applies || ctx.primary_failed => "notApplied",
                    State::ReportOnly if !applies => "reportOnlyNotApplied",
                    State::Enabled => {
                        if satisfied(requirement, ctx) {
                            any_success = true;
                            "success"
                        } else {
                            any_failure = true;
                            "failure"
                        }
                    }
                    State::ReportOnly => {
                        if satisfied(requirement, ctx) {
                            "reportOnlySuccess"
                        } else {
                            "reportOnlyFailure"
                        }
                    }
                };
                let evaluated = applies && state != State::Disabled;
                let (grant, session): (&[&str], &[&str]) = match (evaluated, requirement) {
                    (false, _) => (&[], &[]),
                    (true, Requirement::Mfa) => (&["Mfa"], &[]),
                    (true, Requirement::Block) => (&["Block"], &[]),
                    (true, Requirement::CompliantDevice) => (&["RequireCompliantDevice"], &[]),
                    (true, Requirement::MfaAndPasswordChange) => (&["Mfa", "RequirePasswordChange"], &[]),
                    (true, Requirement::SignInFrequency) => (&[], &["SignInFrequency"]),
                };
                json!({
                    "id": id,
                    "displayName": name,
                    "enforcedGrantControls": grant,
                    "enforcedSessionControls": session,
                    "result": result,
                })
            })
            .collect();
        let status = if any_failure {
            "failure"
        } else if any_success {
            "success"
        } else {
            "notApplied"
        };
        (Value::Array(applied), status)
    }
}

impl Default for CaCatalog {
    fn default() -> Self {
        CaCatalog::new()
    }
}

/// The story's table: state, whether the policy applies to this sign-in, and its requirement.
fn rule(index: usize, c: &CaContext) -> (State, bool, Requirement) {
    let covered = !c.break_glass;
    match index {
        0 => (State::Enabled, covered && c.admin, Requirement::Mfa),
        1 => (State::ReportOnly, covered && c.legacy_client, Requirement::Block),
        2 => (State::Enabled, covered && !c.excluded && !c.guest && c.app != AppClass::LegacyReports, Requirement::Mfa),
        3 => (State::Enabled, covered && c.sign_in_risk == "high", Requirement::Block),
        4 => (State::Enabled, covered && c.app == AppClass::Finance, Requirement::CompliantDevice),
        5 => (State::Enabled, c.restricted_country, Requirement::Block),
        6 => (State::ReportOnly, covered && c.user_risk_high, Requirement::MfaAndPasswordChange),
        7 => (
            State::Enabled,
            covered && c.finance_department && c.app == AppClass::Finance,
            Requirement::SignInFrequency,
        ),
        8 => (
            State::ReportOnly,
            covered && c.finance_department && c.app == AppClass::Finance,
            Requirement::SignInFrequency,
        ),
        _ => (State::Disabled, c.app == AppClass::AzureManagement, Requirement::Mfa),
    }
}

fn satisfied(requirement: Requirement, c: &CaContext) -> bool {
    match requirement {
        Requirement::Mfa => c.mfa_done,
        Requirement::Block | Requirement::MfaAndPasswordChange => false,
        Requirement::CompliantDevice => c.device_compliant,
        Requirement::SignInFrequency => true,
    }
}
