//! `get_sign_in`: one sign-in in full, by id or correlation id.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::lookup::{correlated, sign_in_by_id};
use crate::graph::resources::SignIn;
use crate::render::{fields, or_dash, short_time, table, trim_opt, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_SIGN_IN: Declaration = Declaration {
    name: "get_sign_in",
    title: "Get a sign-in",
    description: "One sign-in in full — status, Conditional Access policies and their results, device, place, risk — by sign-in id, or every event sharing a correlation id. P1. Reports Reader (CA detail: Security Reader).",
    toolset: Toolset::Signins,
    permissions: &["AuditLog.Read.All"],
    least_role: "Reports Reader (CA detail: Security Reader)",
    access: Access::Read,
    beta: false,
    default: true,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetSignInParams {
    /// Sign-in id (request id).
    pub id: Option<String>,
    /// Correlation id: returns every event of that sign-in attempt.
    pub correlation_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PolicyResult {
    pub id: String,
    pub name: Option<String>,
    /// `success`, `failure`, `notApplied`, `notEnabled`, or `reportOnly…`.
    pub result: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grant_controls: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub session_controls: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SignInDetail {
    #[serde(flatten)]
    pub row: SignInRow,
    pub user_id: Option<String>,
    pub app_id: Option<String>,
    pub resource: Option<String>,
    pub interactive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_details: Option<String>,
    pub device_compliant: Option<bool>,
    pub device_managed: Option<bool>,
    /// `entra_joined`, `registered`, `hybrid_joined`.
    pub device_join_type: Option<String>,
    pub device_name: Option<String>,
    pub risk_state: Option<String>,
    pub risk_detail: Option<String>,
    pub risk_level_aggregated: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub risk_event_types: Vec<String>,
    /// Applied policies that did something (not-applied ones are counted, not listed).
    pub policies: Vec<PolicyResult>,
    pub policies_not_applied: usize,
    /// False when the caller cannot see Conditional Access detail.
    pub ca_visible: bool,
}

impl SignInDetail {
    pub(super) fn from_sign_in(s: SignIn) -> SignInDetail {
        let device = s.device_detail.clone().unwrap_or_default();
        let status = s.status.clone().unwrap_or_default();
        let applied = s.applied_conditional_access_policies.clone();
        let ca_visible = applied.is_some();
        let applied = applied.unwrap_or_default();
        let not_applied = |r: Option<&str>| matches!(r, Some("notApplied" | "notEnabled" | "reportOnlyNotApplied"));
        let policies_not_applied = applied.iter().filter(|p| not_applied(p.result.as_deref())).count();
        let policies = applied
            .into_iter()
            .filter(|p| !not_applied(p.result.as_deref()))
            .map(|p| PolicyResult {
                id: p.id,
                name: p.display_name,
                result: p.result,
                grant_controls: p.enforced_grant_controls.unwrap_or_default(),
                session_controls: p.enforced_session_controls.unwrap_or_default(),
            })
            .collect();
        SignInDetail {
            user_id: s.user_id.clone(),
            app_id: s.app_id.clone(),
            resource: s.resource_display_name.clone(),
            interactive: s.is_interactive,
            additional_details: trim_opt(status.additional_details),
            device_compliant: device.is_compliant,
            device_managed: device.is_managed,
            device_join_type: join_type(device.trust_type.as_deref().filter(|t| !t.is_empty())),
            device_name: device.display_name.filter(|n| !n.is_empty()),
            risk_state: s.risk_state.clone(),
            risk_detail: s.risk_detail.clone(),
            risk_level_aggregated: s.risk_level_aggregated.clone(),
            risk_event_types: s.risk_event_types_v2.clone().unwrap_or_default(),
            policies,
            policies_not_applied,
            ca_visible,
            row: SignInRow::from_sign_in(s),
        }
    }

    fn markdown(&self) -> String {
        let r = &self.row;
        let result = match r.error_code {
            Some(0) => "success".to_string(),
            Some(code) => format!("{code} {}", r.failure_reason.clone().unwrap_or_default()),
            None => "-".into(),
        };
        let mut text = fields(&[
            ("sign-in", Some(r.id.clone())),
            ("time", r.time.as_deref().map(|t| format!("{} UTC", short_time(t)))),
            ("user", r.user.clone().map(|u| format!("{u} ({})", self.user_id.clone().unwrap_or_default()))),
            ("app", r.app.clone().map(|a| format!("{a} ({})", self.app_id.clone().unwrap_or_default()))),
            ("result", Some(result)),
            ("details", self.additional_details.clone()),
            ("client", r.client_app.clone()),
            ("ip", r.ip_address.clone()),
            ("place", r.location.clone()),
            (
                "device",
                Some(format!(
                    "{} {}; compliant {}; managed {}; {}",
                    self.device_name.clone().unwrap_or_else(|| "unregistered".into()),
                    r.device.clone().unwrap_or_default(),
                    yes_no(self.device_compliant).unwrap_or_else(|| "-".into()),
                    yes_no(self.device_managed).unwrap_or_else(|| "-".into()),
                    self.device_join_type.clone().unwrap_or_else(|| "not joined".into())
                )),
            ),
            (
                "risk",
                Some(format!(
                    "{} (aggregated {}, state {}){}",
                    r.risk_level.clone().unwrap_or_else(|| "-".into()),
                    self.risk_level_aggregated.clone().unwrap_or_else(|| "-".into()),
                    self.risk_state.clone().unwrap_or_else(|| "-".into()),
                    if self.risk_event_types.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", self.risk_event_types.join(", "))
                    }
                )),
            ),
            ("CA status", r.ca_status.clone()),
            ("correlation", r.correlation_id.clone()),
        ]);
        if self.ca_visible {
            let rows: Vec<Vec<String>> = self
                .policies
                .iter()
                .map(|p| {
                    vec![
                        or_dash(&p.name),
                        or_dash(&p.result),
                        [p.grant_controls.clone(), p.session_controls.clone()].concat().join(", "),
                        p.id.clone(),
                    ]
                })
                .collect();
            text.push_str(&format!(
                "\npolicies ({} more not applied):\n{}",
                self.policies_not_applied,
                table(&["policy", "result", "controls", "id"], &rows)
            ));
        } else {
            text.push_str("\npolicies: hidden from this caller");
        }
        text
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SignInDetails {
    pub sign_ins: Vec<SignInDetail>,
}

async fn get_sign_in(ctx: Ctx, p: GetSignInParams) -> Result<SignInDetails, SkillError> {
    let sign_ins = match (&p.id, &p.correlation_id) {
        (Some(id), None) => {
            vec![sign_in_by_id(&ctx, "id", id).await?]
        }
        (None, Some(correlation)) => {
            let correlation = parse_guid("correlation_id", correlation)?;
            let found = correlated(&ctx, &correlation.to_string(), 20).await?;
            if found.is_empty() {
                return Err(SkillError::not_found(
                    format!("sign-in with correlation id {correlation} in the last 30 days"),
                    "list_sign_ins",
                ));
            }
            found
        }
        _ => {
            return Err(SkillError::invalid_value(
                "id",
                "give exactly one of `id` or `correlation_id`",
                "a sign-in id, or a correlation id (GUIDs)",
            ));
        }
    };
    note_ca_visibility(&ctx, &sign_ins);
    Ok(SignInDetails { sign_ins: sign_ins.into_iter().map(SignInDetail::from_sign_in).collect() })
}

impl Render for SignInDetails {
    fn markdown(&self) -> String {
        self.sign_ins.iter().map(SignInDetail::markdown).collect::<Vec<_>>().join("\n\n")
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Show the sign-in Karita made through Tor in full",
        args: r#"{"id":"626c3711-960e-540c-8b85-e418bafb3c48"}"#,
        facts: &[
            Fact::Every("sign_ins/0/error_code", "53003"),
            Fact::Some("sign_ins/0/policies/*/name", "~CA004"),
            Fact::Some("sign_ins/0/policies/*/result", "failure"),
        ],
    },
    Example {
        question: "Every event of one sign-in attempt, by correlation id",
        args: r#"{"correlation_id":"d8f3f29d-b606-5591-83b8-e95ed6550f26"}"#,
        facts: &[
            Fact::Count("sign_ins/*", 2),
            Fact::Every("sign_ins/0/error_code", "50074"),
            Fact::Every("sign_ins/1/error_code", "500121"),
        ],
    },
    Example {
        question: "A sign-in id that is not a GUID",
        args: r#"{"id":"' or 1 eq 1"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("`id`")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_SIGN_IN, get_sign_in)
}
