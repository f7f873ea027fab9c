//! The Conditional Access part of a sign-in record: `appliedConditionalAccessPolicies` and
//! `conditionalAccessStatus`, derived from who signed in, to what, how and from where, by the
//! same rules as the policies of `conditional_access.rs` (CA001–CA018).
//!
//! The rules are restated here rather than read from the policy JSON because generating
//! 100,000 sign-ins must stay cheap; the What-If evaluator is the general one. A sign-in lists
//! only the policies that existed when it happened, as Entra's log does.

use serde_json::{Value, json};

use super::conditional_access::{POLICIES, policy_created_days_ago};
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
    /// Exchange Online: in the Office 365 app group (CA012), and left out of CA011's legacy
    /// block.
    ExchangeOnline,
    /// Teams, SharePoint Online and OfficeHome: the rest of the Office 365 app group (CA012).
    Office365,
    Other,
}

impl AppClass {
    fn office_365(self) -> bool {
        matches!(self, AppClass::ExchangeOnline | AppClass::Office365)
    }
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
    /// Seconds relative to the anchor (negative: in the past): policies created later are not
    /// listed.
    pub offset_seconds: i64,
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

/// One policy as a sign-in sees it.
struct Entry {
    code: &'static str,
    id: String,
    name: &'static str,
    /// When the policy was created, in seconds relative to the anchor.
    created_offset: i64,
}

/// Each policy's id, name and creation, computed once per tenant.
pub struct CaCatalog {
    entries: Vec<Entry>,
}

impl CaCatalog {
    pub fn new() -> CaCatalog {
        let entries = POLICIES
            .iter()
            .map(|&(code, name)| Entry {
                code,
                id: ids::ca_policy_id(code),
                name,
                created_offset: -policy_created_days_ago(code) * 24 * 3600,
            })
            .collect();
        CaCatalog { entries }
    }

    /// The applied policies and the overall `conditionalAccessStatus`.
    pub fn evaluate(&self, ctx: &CaContext) -> (Value, &'static str) {
        let mut any_failure = false;
        let mut any_success = false;
        let applied: Vec<Value> = self
            .entries
            .iter()
            .filter(|entry| entry.created_offset <= ctx.offset_seconds)
            .map(|entry| {
                let (id, name) = (&entry.id, entry.name);
                let (state, applies, requirement) = rule(entry.code, ctx);
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
                        } else if matches!(requirement, Requirement::Mfa) {
                            // The user would have been asked for MFA.
                            "reportOnlyInterrupted"
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

/// The policies' rules: state, whether the policy applies to this sign-in, and its
/// requirement.
fn rule(code: &str, c: &CaContext) -> (State, bool, Requirement) {
    let covered = !c.break_glass;
    let finance = covered && c.finance_department && c.app == AppClass::Finance;
    let guest_admin_app = covered && c.guest && c.app == AppClass::AzureManagement;
    match code {
        "CA001" => (State::Enabled, covered && c.admin, Requirement::Mfa),
        "CA002" => (State::ReportOnly, covered && c.legacy_client, Requirement::Block),
        "CA003" => {
            (State::Enabled, covered && !c.excluded && !c.guest && c.app != AppClass::LegacyReports, Requirement::Mfa)
        }
        "CA004" => (State::Enabled, covered && c.sign_in_risk == "high", Requirement::Block),
        "CA005" => (State::Enabled, covered && c.app == AppClass::Finance, Requirement::CompliantDevice),
        "CA006" => (State::Enabled, c.restricted_country, Requirement::Block),
        "CA007" => (State::ReportOnly, covered && c.user_risk_high, Requirement::MfaAndPasswordChange),
        "CA008" => (State::Enabled, finance, Requirement::SignInFrequency),
        "CA009" => (State::ReportOnly, finance, Requirement::SignInFrequency),
        "CA010" => (State::Disabled, c.app == AppClass::AzureManagement, Requirement::Mfa),
        "CA011" => {
            (State::Enabled, covered && c.legacy_client && c.app != AppClass::ExchangeOnline, Requirement::Block)
        }
        "CA012" => (State::Enabled, covered && !c.excluded && !c.guest && c.app.office_365(), Requirement::Mfa),
        "CA013" => (State::ReportOnly, covered && c.guest, Requirement::Mfa),
        "CA014" => (State::Enabled, covered && c.restricted_country, Requirement::Mfa),
        "CA015" | "CA016" => (State::Enabled, guest_admin_app, Requirement::Block),
        // Never switched on: listed as not enabled.
        "CA018" => (State::Disabled, covered && c.admin, Requirement::Mfa),
        // CA017 targets a deleted group: nobody.
        _ => (State::Enabled, false, Requirement::Mfa),
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
