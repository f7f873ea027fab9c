//! What the PIM skills of this toolset share: a role's activation rules read from its role
//! management policy (with the approvers' names), the caller's own eligible and active role
//! instances and requests (`filterByCurrentUser`), activation durations as admins write them,
//! and Graph's refusals of a self-service request turned into what to do next.

use std::collections::HashMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrorKind, SkillError};
use crate::graph::resources::RoleDefinition;
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::render::short_time;
use crate::shared::resolve::Named;
use crate::shared::roles::RoleGrant;
use crate::skill::Ctx;

pub const BASE: &str = "/roleManagement/directory";
const ROLE_EXPAND: &str = "roleDefinition($select=id,displayName)";
const POLICY_EXPAND: &str = "policy($expand=rules)";
pub const ROLE_SELECT: &[&str] = &["id", "displayName", "isBuiltIn"];

/// A role argument resolved by id or tolerant name.
pub async fn role(ctx: &Ctx, value: &str) -> Result<RoleDefinition, SkillError> {
    crate::shared::roles::resolve_role(ctx, value).await
}

pub fn role_name(role: &RoleDefinition) -> String {
    role.name().unwrap_or(&role.id).to_string()
}

// ---------------------------------------------------------------------------------------------
// Activation rules.

/// Who approves an activation.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ApproverRef {
    pub id: String,
    /// `user` or `group` (every member of the group may approve).
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
}

impl ApproverRef {
    pub fn label(&self) -> String {
        match (&self.name, &self.upn) {
            (Some(name), Some(upn)) => format!("{name} ({upn})"),
            (Some(name), None) => format!("{name} ({} {})", self.kind, self.id),
            (None, _) => format!("{} {}", self.kind, self.id),
        }
    }
}

/// Who PIM emails about an activation.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NotificationRule {
    /// `Admin`, `Requestor` or `Approver`.
    pub recipient: String,
    /// `All` or `Critical`.
    pub level: String,
    /// The default recipients (the role's admins, the requestor, the approvers) are notified.
    pub default_recipients: bool,
    /// Further addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra_recipients: Vec<String>,
}

/// What an activation of one role (or PIM for Groups access) must meet.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct ActivationRules {
    /// The longest activation, ISO 8601 (`PT8H`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<String>,
    /// The same in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_minutes: Option<i64>,
    /// Multi-factor authentication on activation.
    pub mfa_required: bool,
    /// A Conditional Access authentication context (`c1`) the session must satisfy; Graph
    /// answers a claims challenge without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_context: Option<String>,
    pub justification_required: bool,
    /// A ticket number (and system) on activation.
    pub ticket_required: bool,
    /// An approver must approve: the request waits as `PendingApproval`.
    pub approval_required: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<ApproverRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<NotificationRule>,
    /// The role management policy these rules come from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
}

impl ActivationRules {
    /// "at most 8 h; MFA; justification; ticket; approval by Tom Okafor".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(minutes) = self.max_minutes {
            parts.push(format!("at most {}", minutes_text(minutes)));
        }
        if self.mfa_required {
            parts.push("MFA".to_string());
        }
        if let Some(context) = &self.authentication_context {
            parts.push(format!("authentication context {context}"));
        }
        if self.justification_required {
            parts.push("justification".to_string());
        }
        if self.ticket_required {
            parts.push("ticket".to_string());
        }
        if self.approval_required {
            parts.push(format!("approval by {}", self.approvers_text()));
        }
        parts.join("; ")
    }

    pub fn approvers_text(&self) -> String {
        if self.approvers.is_empty() {
            // PIM's default when a policy names none.
            "Privileged Role Administrators and Global Administrators".to_string()
        } else {
            self.approvers.iter().map(ApproverRef::label).collect::<Vec<_>>().join(", ")
        }
    }
}

/// `480` → `8 h`, `90` → `1 h 30 min`.
pub fn minutes_text(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PolicyAssignment {
    policy_id: Option<String>,
    policy: Option<Policy>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Policy {
    rules: Vec<Value>,
}

/// `GET /policies/roleManagementPolicyAssignments` for one directory role, policy and rules
/// expanded.
pub fn role_rules_request(role_id: &str) -> GraphRequest {
    let filter = Expr::eq("scopeId", "/")
        .and(Expr::eq("scopeType", "DirectoryRole"))
        .and(Expr::eq("roleDefinitionId", role_id.to_string()));
    GraphRequest::get("/policies/roleManagementPolicyAssignments")
        .query(Query::new().filter(filter).expand(POLICY_EXPAND))
}

/// The same for one PIM for Groups access (`member` or `owner`) of a group.
pub fn group_rules_request(group_id: &str, access: &str) -> GraphRequest {
    let filter = Expr::eq("scopeId", group_id.to_string())
        .and(Expr::eq("scopeType", "Group"))
        .and(Expr::eq("roleDefinitionId", access.to_string()));
    GraphRequest::get("/policies/roleManagementPolicyAssignments")
        .query(Query::new().filter(filter).expand(POLICY_EXPAND))
}

/// The rules of the policy the request finds, approvers named; `None` when no policy governs it.
pub async fn read_rules(ctx: &Ctx, request: GraphRequest) -> Result<Option<ActivationRules>, SkillError> {
    let assignments = ctx.graph.list::<PolicyAssignment>(request, 5).await?.items;
    let Some(assignment) = assignments.into_iter().next() else {
        return Ok(None);
    };
    let mut rules = parse_rules(assignment.policy.map(|p| p.rules).unwrap_or_default().as_slice());
    rules.policy_id = assignment.policy_id;
    name_approvers(ctx, &mut rules.approvers).await;
    Ok(Some(rules))
}

/// The end-user activation rules among a policy's rules.
pub fn parse_rules(rules: &[Value]) -> ActivationRules {
    let mut out = ActivationRules::default();
    for rule in rules {
        let text = |name: &str| rule.get(name).and_then(Value::as_str).map(str::to_string);
        let flag = |pointer: &str| rule.pointer(pointer).and_then(Value::as_bool).unwrap_or(false);
        match rule.get("id").and_then(Value::as_str).unwrap_or_default() {
            "Expiration_EndUser_Assignment" => {
                out.max_duration = text("maximumDuration");
                out.max_minutes = out.max_duration.as_deref().and_then(iso_minutes);
            }
            "Enablement_EndUser_Assignment" => {
                let enabled: Vec<&str> = rule
                    .get("enabledRules")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                out.mfa_required = enabled.contains(&"MultiFactorAuthentication");
                out.justification_required = enabled.contains(&"Justification");
                out.ticket_required = enabled.contains(&"Ticketing");
            }
            "AuthenticationContext_EndUser_Assignment" if flag("/isEnabled") => {
                out.authentication_context = text("claimValue");
            }
            "Approval_EndUser_Assignment" => {
                out.approval_required = flag("/setting/isApprovalRequired");
                let stages = rule.pointer("/setting/approvalStages").and_then(Value::as_array);
                for approver in
                    stages.into_iter().flatten().filter_map(|s| s.get("primaryApprovers")?.as_array()).flatten()
                {
                    let kind = approver.get("@odata.type").and_then(Value::as_str).unwrap_or_default();
                    let (kind, id) = if kind.ends_with("groupMembers") {
                        ("group", approver.get("groupId"))
                    } else {
                        ("user", approver.get("userId"))
                    };
                    if let Some(id) = id.and_then(Value::as_str) {
                        out.approvers.push(ApproverRef {
                            id: id.to_string(),
                            kind: kind.to_string(),
                            name: approver.get("description").and_then(Value::as_str).map(str::to_string),
                            upn: None,
                        });
                    }
                }
            }
            id if id.starts_with("Notification_") && id.ends_with("_EndUser_Assignment") => {
                out.notifications.push(NotificationRule {
                    recipient: text("recipientType").unwrap_or_default(),
                    level: text("notificationLevel").unwrap_or_default(),
                    default_recipients: flag("/isDefaultRecipientsEnabled"),
                    extra_recipients: rule
                        .get("notificationRecipients")
                        .and_then(Value::as_array)
                        .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
                        .unwrap_or_default(),
                });
            }
            _ => {}
        }
    }
    out
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Principal {
    display_name: Option<String>,
    user_principal_name: Option<String>,
}

/// Names each approver (one small read each, concurrently); an approver that cannot be read
/// keeps its id.
async fn name_approvers(ctx: &Ctx, approvers: &mut [ApproverRef]) {
    let reads = approvers.iter().take(8).map(|a| {
        let request = if a.kind == "group" {
            GraphRequest::get(path("/groups/{}", &[&a.id])).query(Query::new().select(&["id", "displayName"]))
        } else {
            GraphRequest::get(path("/users/{}", &[&a.id])).query(Query::new().select(&[
                "id",
                "displayName",
                "userPrincipalName",
            ]))
        };
        ctx.graph.get::<Principal>(request)
    });
    let named = futures::future::join_all(reads).await;
    for (approver, found) in approvers.iter_mut().zip(named) {
        if let Ok(found) = found {
            approver.name = found.display_name.or(approver.name.take());
            approver.upn = found.user_principal_name;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The caller's own roles and requests.

/// The caller's role schedule instances from one `filterByCurrentUser` list, role names
/// expanded: `roleEligibilityScheduleInstances` (what they may activate) or
/// `roleAssignmentScheduleInstances` (what is active now).
pub async fn my_instances(ctx: &Ctx, set: &str) -> Result<Vec<RoleGrant>, SkillError> {
    let request = GraphRequest::get(format!("{BASE}/{set}/filterByCurrentUser(on='principal')"))
        .query(Query::new().expand(ROLE_EXPAND));
    Ok(ctx.graph.list::<RoleGrant>(request, 200).await?.items)
}

pub async fn my_eligible(ctx: &Ctx) -> Result<Vec<RoleGrant>, SkillError> {
    my_instances(ctx, "roleEligibilityScheduleInstances").await
}

pub async fn my_active(ctx: &Ctx) -> Result<Vec<RoleGrant>, SkillError> {
    my_instances(ctx, "roleAssignmentScheduleInstances").await
}

/// One of the caller's role requests.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleRequest {
    pub id: String,
    pub action: Option<String>,
    pub role_definition_id: Option<String>,
    pub directory_scope_id: Option<String>,
    pub status: Option<String>,
    pub created_date_time: Option<String>,
    pub completed_date_time: Option<String>,
    pub justification: Option<String>,
    pub ticket_info: Option<TicketInfo>,
    pub schedule_info: Option<ScheduleInfo>,
    pub role_definition: Option<crate::shared::roles::RoleName>,
}

impl RoleRequest {
    pub fn role_name(&self) -> String {
        self.role_definition
            .as_ref()
            .and_then(|d| d.display_name.clone())
            .or_else(|| self.role_definition_id.clone())
            .unwrap_or_default()
    }

    pub fn is_pending(&self) -> bool {
        self.status.as_deref().is_some_and(|s| s.starts_with("Pending"))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TicketInfo {
    pub ticket_number: Option<String>,
    pub ticket_system: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ScheduleInfo {
    pub start_date_time: Option<String>,
    pub expiration: Option<Expiration>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Expiration {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub duration: Option<String>,
    pub end_date_time: Option<String>,
}

/// `roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')`, role names expanded.
pub async fn my_requests(ctx: &Ctx, cap: usize) -> Result<crate::graph::Page<RoleRequest>, SkillError> {
    let request =
        GraphRequest::get(format!("{BASE}/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')"))
            .query(Query::new().expand(ROLE_EXPAND));
    ctx.graph.list::<RoleRequest>(request, cap).await
}

/// Whether an instance is of this role at the tenant scope.
pub fn is_role(grant: &RoleGrant, role_id: &str) -> bool {
    grant.role_id().eq_ignore_ascii_case(role_id) && matches!(grant.directory_scope_id.as_deref(), None | Some("/"))
}

// ---------------------------------------------------------------------------------------------
// Durations.

/// The shortest and longest activation asked for.
const MIN_MINUTES: i64 = 5;
const MAX_MINUTES: i64 = 24 * 60;
pub const DURATION_FORMS: &str =
    "a duration such as `30m`, `1h`, `1h30m`, `90m` or ISO 8601 `PT2H` (5 minutes to 24 hours)";

/// `1h`, `90m`, `1h30m`, `PT2H`, `PT1H30M` → minutes.
pub fn parse_duration(field: &str, text: &str) -> Result<i64, SkillError> {
    let trimmed = text.trim();
    let invalid = || {
        SkillError::invalid_value(
            field,
            format!("`{}` is not a duration", crate::shared::shorten(trimmed)),
            DURATION_FORMS,
        )
    };
    let upper = trimmed.to_ascii_uppercase();
    let minutes = if upper.starts_with('P') {
        iso_minutes(&upper).ok_or_else(invalid)?
    } else {
        let mut total = 0i64;
        let mut number = String::new();
        for c in upper.chars().filter(|c| !c.is_whitespace()) {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let n: i64 = std::mem::take(&mut number).parse().map_err(|_| invalid())?;
            total += match c {
                'H' => n.checked_mul(60).ok_or_else(invalid)?,
                'M' => n,
                _ => return Err(invalid()),
            };
        }
        if !number.is_empty() {
            return Err(invalid());
        }
        total
    };
    if !(MIN_MINUTES..=MAX_MINUTES).contains(&minutes) {
        return Err(SkillError::invalid_value(
            field,
            format!("{} is out of range", minutes_text(minutes)),
            DURATION_FORMS,
        ));
    }
    Ok(minutes)
}

/// ISO 8601 days, hours, minutes (and seconds, rounded down) → minutes.
pub fn iso_minutes(text: &str) -> Option<i64> {
    let rest = text.trim().strip_prefix('P')?;
    let (days, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut seconds = 0i64;
    for (part, units) in
        [(days, &[('D', 86_400i64), ('W', 604_800)][..]), (time, &[('H', 3_600), ('M', 60), ('S', 1)][..])]
    {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let unit = units.iter().find(|(u, _)| *u == c)?.1;
            seconds += std::mem::take(&mut number).parse::<i64>().ok()?.checked_mul(unit)?;
        }
        if !number.is_empty() {
            return None;
        }
    }
    (seconds > 0).then_some(seconds / 60)
}

/// `PT1H30M`.
pub fn iso_duration(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("PT{h}H"),
        (0, m) => format!("PT{m}M"),
        (h, m) => format!("PT{h}H{m}M"),
    }
}

/// When an activation of `minutes` starting now ends, UTC.
pub fn ends_at(ctx: &Ctx, minutes: i64) -> String {
    short_time(&(ctx.now + Duration::minutes(minutes)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

// ---------------------------------------------------------------------------------------------
// Checking a request against the rules before Graph sees it.

/// What a self-service activation carries.
pub struct Asked<'a> {
    pub minutes: i64,
    pub justification: Option<&'a str>,
    pub ticket_number: Option<&'a str>,
}

/// Everything the rules want that the request lacks, named at once: a duration above the
/// maximum, a missing justification or ticket.
pub fn check_against_rules(what: &str, rules: &ActivationRules, asked: &Asked<'_>) -> Result<(), SkillError> {
    let mut missing = Vec::new();
    let mut fields = Vec::new();
    if let Some(max) = rules.max_minutes
        && asked.minutes > max
    {
        missing.push(format!("{} is longer than the {} {what} allows", minutes_text(asked.minutes), minutes_text(max)));
        fields.push(format!("`duration` of at most {}", minutes_text(max)));
    }
    if rules.justification_required && asked.justification.is_none_or(|j| j.trim().is_empty()) {
        missing.push(format!("{what} needs a justification"));
        fields.push("`justification`: why you need it, in a sentence".to_string());
    }
    if rules.ticket_required && asked.ticket_number.is_none_or(|t| t.trim().is_empty()) {
        missing.push(format!("{what} needs a ticket number"));
        fields.push("`ticket_number` (and `ticket_system`)".to_string());
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(SkillError::new(ErrorKind::InvalidInput, format!("refused before calling Graph: {}", missing.join("; ")))
        .with_remedy(format!("call again with {}", fields.join(", "))))
}

/// Checks free text the caller gives for a request.
pub fn request_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, SkillError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if v.chars().count() > max || v.chars().any(char::is_control) => Err(SkillError::invalid_value(
            field,
            format!("is longer than {max} characters or holds control characters"),
            &format!("plain text of at most {max} characters"),
        )),
        Some(v) => Ok(Some(v.to_string())),
    }
}

// ---------------------------------------------------------------------------------------------
// Graph's refusals of a self-service request.

/// The claims challenge in `RoleAssignmentRequestAcrsValidationFailed`'s message
/// (`&claims=%7B…%7D`), decoded.
pub fn claims_challenge(message: &str) -> Option<String> {
    let encoded = message.split("claims=").nth(1)?;
    let encoded = encoded.split(['&', ' ', '"']).next()?;
    let decoded = percent_encoding::percent_decode_str(encoded).decode_utf8().ok()?.to_string();
    decoded.starts_with('{').then_some(decoded)
}

/// Turns Graph's refusal of a self-service request into what the caller can do about it;
/// other failures pass through unchanged. `what` names the role or access.
pub fn explain_refusal(error: SkillError, what: &str, tool: &str) -> SkillError {
    let code = error.graph.as_ref().and_then(|g| g.code.clone()).unwrap_or_default();
    let graph = error.graph.clone();
    let explained = |kind: ErrorKind, message: String, remedy: String| {
        let mut e = SkillError::new(kind, message).with_remedy(remedy);
        e.graph = graph.clone();
        e
    };
    match code.as_str() {
        "RoleAssignmentRequestAcrsValidationFailed" => {
            let claims = claims_challenge(&error.message);
            explained(
                ErrorKind::ConsentRequired,
                format!(
                    "activating {what} needs a stronger sign-in in this session (a Conditional Access authentication \
                     context); nothing was activated"
                ),
                match claims {
                    Some(claims) => format!(
                        "sign in again with the claims challenge {claims} (the host passes it to its sign-in as \
                         `claims`), then call {tool} again"
                    ),
                    None => format!("sign in again with multi-factor authentication, then call {tool} again"),
                },
            )
        }
        "RoleAssignmentRequestPolicyValidationFailed" => {
            let message = error.message.clone();
            if message.contains("MfaRule") {
                return explained(
                    ErrorKind::ConsentRequired,
                    format!(
                        "activating {what} needs multi-factor authentication in this session; nothing was activated"
                    ),
                    format!(
                        "sign in again with the claims challenge {{\"access_token\":{{\"amr\":{{\"essential\":true,\"values\":[\"mfa\"]}}}}}}, then call {tool} again"
                    ),
                );
            }
            let rules = rule_words(&message);
            explained(
                ErrorKind::InvalidInput,
                format!("PIM refused the request for {what}: {rules}; nothing was changed"),
                "check the rules with get_role_activation_rules (and your eligibility with get_me), then call again"
                    .to_string(),
            )
        }
        "RoleAssignmentExists" => explained(
            ErrorKind::InvalidInput,
            format!("{what} is already active for you; nothing was changed"),
            "nothing to do; end it early with deactivate_my_role".to_string(),
        ),
        "PendingRoleAssignmentRequest" => explained(
            ErrorKind::InvalidInput,
            format!("a request for {what} is already waiting for approval; nothing was changed"),
            "wait for the approver, or withdraw it with cancel_my_role_request".to_string(),
        ),
        "RoleAssignmentDoesNotExist" => explained(
            ErrorKind::InvalidInput,
            format!("{what} has no activation of yours to end; nothing was changed"),
            "list what is active with get_me".to_string(),
        ),
        "ActiveDurationTooShort" => explained(
            ErrorKind::InvalidInput,
            format!("{what} was activated less than 5 minutes ago, and PIM ends an activation only after that"),
            format!("call {tool} again in a few minutes"),
        ),
        _ => error,
    }
}

/// `["ExpirationRule","JustificationRule"]` in admin words.
fn rule_words(message: &str) -> String {
    let words: HashMap<&str, &str> = HashMap::from([
        ("EligibilityRule", "you are not eligible for it"),
        ("ExpirationRule", "the duration is longer than the role allows"),
        ("JustificationRule", "a justification is required"),
        ("TicketingRule", "a ticket number is required"),
        ("MfaRule", "multi-factor authentication is required"),
        ("ApprovalRule", "an approval is required"),
    ]);
    let found: Vec<&str> = words.iter().filter(|(rule, _)| message.contains(*rule)).map(|(_, w)| *w).collect();
    if found.is_empty() {
        crate::render::trim(message, 200)
    } else {
        let mut found = found;
        found.sort_unstable();
        found.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::GraphFailure;

    #[test]
    fn durations_in_the_forms_admins_write() {
        for (text, minutes) in [("1h", 60), ("90m", 90), ("1h30m", 90), ("PT2H", 120), ("pt1h30m", 90), ("2 h", 120)] {
            assert_eq!(parse_duration("duration", text).ok(), Some(minutes), "{text}");
        }
        for bad in ["", "1d", "h", "25h", "2m", "PT", "1.5h", "-1h"] {
            assert!(parse_duration("duration", bad).is_err(), "{bad}");
        }
        assert_eq!(iso_duration(90), "PT1H30M");
        assert_eq!(iso_duration(45), "PT45M");
        assert_eq!(iso_minutes("P365D"), Some(365 * 24 * 60));
        assert_eq!(minutes_text(480), "8 h");
    }

    #[test]
    fn missing_rules_are_named_at_once() {
        let rules = ActivationRules {
            max_minutes: Some(480),
            justification_required: true,
            ticket_required: true,
            ..ActivationRules::default()
        };
        let asked = Asked { minutes: 600, justification: Some("  "), ticket_number: None };
        let error = check_against_rules("Security Administrator", &rules, &asked).expect_err("refused");
        assert_eq!(error.kind, ErrorKind::InvalidInput);
        for says in ["10 h is longer than the 8 h", "needs a justification", "needs a ticket number"] {
            assert!(error.message.contains(says), "{says}: {}", error.message);
        }
        let asked = Asked { minutes: 60, justification: Some("Triage"), ticket_number: Some("INC-7") };
        assert!(check_against_rules("Security Administrator", &rules, &asked).is_ok());
    }

    #[test]
    fn the_claims_challenge_is_decoded_for_the_host() {
        let message = "&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D";
        let claims = claims_challenge(message).expect("claims");
        assert_eq!(claims, r#"{"access_token":{"acrs":{"essential":true, "value":"c1"}}}"#);
        let error = SkillError::new(ErrorKind::Upstream, message).with_graph(GraphFailure {
            status: 400,
            code: Some("RoleAssignmentRequestAcrsValidationFailed".into()),
            ..GraphFailure::default()
        });
        let explained = explain_refusal(error, "Security Administrator", "activate_my_role");
        assert_eq!(explained.kind, ErrorKind::ConsentRequired);
        assert!(explained.remedy.as_deref().is_some_and(|r| r.contains(r#""value":"c1""#)), "{explained}");
    }

    #[test]
    fn approval_rules_name_their_approvers() {
        let rules = serde_json::json!([{
            "id": "Approval_EndUser_Assignment",
            "setting": {"isApprovalRequired": true, "approvalStages": [{"primaryApprovers": [
                {"@odata.type": "#microsoft.graph.singleUser", "userId": "u1"},
                {"@odata.type": "#microsoft.graph.groupMembers", "groupId": "g1", "description": "PIM approvers"}
            ]}]}
        }, {"id": "Enablement_EndUser_Assignment", "enabledRules": ["MultiFactorAuthentication", "Justification"]}]);
        let parsed = parse_rules(rules.as_array().map(Vec::as_slice).unwrap_or_default());
        assert!(parsed.approval_required && parsed.mfa_required && parsed.justification_required);
        assert_eq!(parsed.approvers.iter().map(|a| a.kind.as_str()).collect::<Vec<_>>(), ["user", "group"]);
        assert!(parsed.summary().contains("approval by user u1, PIM approvers (group g1)"), "{}", parsed.summary());
        assert_eq!(
            ActivationRules { approval_required: true, ..Default::default() }.approvers_text(),
            "Privileged Role Administrators and Global Administrators"
        );
    }
}
