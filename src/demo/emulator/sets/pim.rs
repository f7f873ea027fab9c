//! Privileged Identity Management: the role management policies and their assignments (which
//! rules govern which directory role or PIM for Groups access), and what a self-service schedule
//! request does — for directory roles (`roleManagement/directory/roleAssignmentScheduleRequests`,
//! declared in `role_management.rs`) and for PIM for Groups
//! (`identityGovernance/privilegedAccess/group/assignmentScheduleRequests`).
//!
//! A request is judged the way PIM judges it, and refused with PIM's codes:
//! - the caller must be the principal of a `self*` request, and eligible (directly or through a
//!   group) for what it activates: otherwise `RoleAssignmentRequestPolicyValidationFailed`
//!   naming `EligibilityRule`;
//! - an activation already active is `RoleAssignmentExists`; one already waiting for approval
//!   is `PendingRoleAssignmentRequest`;
//! - the policy's rules: a duration above the maximum (`ExpirationRule`), a missing
//!   justification (`JustificationRule`) or ticket number (`TicketingRule`), all named at once;
//! - an authentication context (Security Administrator's `c1`): the demo's tokens satisfy none
//!   unless they say so (`Bearer demo:<object id>#acrs=c1`, see [`token_claims`]), so the server's
//!   own demo calls always get `RoleAssignmentRequestAcrsValidationFailed` with the claims
//!   challenge to sign in again with — a fixed rule, so the demo shows the refusal every time.
//!   The multi-factor rule (`MultiFactorAuthentication`) counts as met: the demo persona signed in
//!   with the Authenticator app.
//! - a policy with approval leaves the request `PendingApproval` and nothing active; otherwise it
//!   is `Provisioned` and the assignment is active at once (an activated
//!   `roleAssignmentScheduleInstance` and its `roleAssignment`; for a group, the membership or
//!   ownership itself).
//!
//! PIM also refuses to end an activation younger than five minutes (`ActiveDurationTooShort`);
//! the demo does not, so a test can activate and deactivate in one go. Expired activations stay
//! until deactivated: the emulator has no clock that ends them.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use crate::demo::tenant::{DirectoryRef, Tenant, format_instant, role_policies};
use crate::odata::{CmpOp, Expr};

use super::super::errors::{GraphError, GraphResult};
use super::super::listing::{Ctx, shape};
use super::super::query::{Expand, QueryOptions};
use super::super::schema::{self, Spec, Words};
use super::{CreateCall, EntitySet, Navigation, READ_ONLY, Source, Target, Writes};

const POLICIES: &str = "policies/roleManagementPolicies";
const POLICY_ASSIGNMENTS: &str = "policies/roleManagementPolicyAssignments";
const GROUP_REQUESTS: &str = "identityGovernance/privilegedAccess/group/assignmentScheduleRequests";
const GROUP_ELIGIBILITY: &str = "identityGovernance/privilegedAccess/group/eligibilityScheduleInstances";
const GROUP_ASSIGNMENTS: &str = "identityGovernance/privilegedAccess/group/assignmentScheduleInstances";

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: POLICIES,
        spec: &schema::ROLE_MANAGEMENT_POLICIES,
        source: Source::Generated(role_policies::role_management_policies),
        lookup: None,
        count_segment: false,
        navigations: &[Navigation {
            path: "rules",
            target: Target::Contained { spec: &schema::ROLE_MANAGEMENT_POLICY_RULES, rows: policy_rules },
        }],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: POLICY_ASSIGNMENTS,
        spec: &schema::ROLE_MANAGEMENT_POLICY_ASSIGNMENTS,
        source: Source::Generated(role_policies::role_management_policy_assignments),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: GROUP_REQUESTS,
        spec: &Spec {
            type_name: "microsoft.graph.privilegedAccessGroupAssignmentScheduleRequest",
            entity_set: GROUP_REQUESTS,
            directory: false,
            properties: Words(
                "id accessId action principalId groupId justification status createdDateTime completedDateTime \
                 approvalId createdBy scheduleInfo ticketInfo targetScheduleId isValidationOnly",
            ),
            default_properties: None,
            filterable: Words("id accessId action principalId groupId status targetScheduleId"),
            orderable: Words("createdDateTime"),
            searchable: Words(""),
            expandable: Words("group principal"),
            max_top: 999,
        },
        source: Source::Generated(crate::demo::tenant::pim_groups::assignment_schedule_requests),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: Writes {
            create: true,
            read_only: Words("id status createdDateTime completedDateTime approvalId createdBy"),
            required: Words("action principalId groupId accessId"),
            create_with: Some(group_request),
            ..READ_ONLY
        },
    },
];

/// The type a PIM navigation holds: a policy assignment's `policy`, a policy's `rules`.
pub fn navigation_spec(property: &str) -> Option<&'static Spec> {
    match property {
        "policy" => Some(&schema::ROLE_MANAGEMENT_POLICIES),
        "rules" => Some(&schema::ROLE_MANAGEMENT_POLICY_RULES),
        _ => None,
    }
}

/// Expands the policy a role management policy assignment points at (by `policyId`), and a
/// policy's rules (kept in its row, returned only when expanded).
pub fn expand_navigation(ctx: &Ctx<'_>, item: &Value, how: &Expand) -> Option<Value> {
    match how.property.as_str() {
        "policy" => {
            let policy = item.get("policyId").and_then(Value::as_str)?;
            let value = ctx.tenant.generated(POLICIES)?.get(policy)?;
            let spec = &schema::ROLE_MANAGEMENT_POLICIES;
            Some(shape(ctx, spec, value, None, how.select.as_deref(), &how.expand, false))
        }
        "rules" => item.get("rules").cloned(),
        _ => None,
    }
}

/// `policies/roleManagementPolicies/{id}/rules`.
fn policy_rules<'t>(tenant: &'t Tenant, id: &str) -> &'t [Value] {
    tenant
        .generated(POLICIES)
        .and_then(|policies| policies.get(id))
        .and_then(|policy| policy.get("rules"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

// ---------------------------------------------------------------------------------------------
// Which lists need which filter.

/// The properties a list must pin with `eq`, and whether all of them (rather than one): Graph
/// lists policies only for one scope, and PIM for Groups requests only for one group or
/// principal.
pub fn scope_rule(set: &EntitySet) -> Option<(&'static [&'static str], bool)> {
    match set.path {
        POLICIES | POLICY_ASSIGNMENTS => Some((&["scopeId", "scopeType"], true)),
        GROUP_REQUESTS => Some((&["groupId", "principalId"], false)),
        _ => None,
    }
}

pub fn check_policy_scope_filter(set: &EntitySet, q: &QueryOptions) -> GraphResult<()> {
    let Some((properties, all)) = scope_rule(set) else { return Ok(()) };
    let pinned = |p: &&str| q.filter.as_ref().is_some_and(|f| pins(f, p));
    let ok = if all { properties.iter().all(pinned) } else { properties.iter().any(pinned) };
    if ok {
        return Ok(());
    }
    let joined = properties.join(if all { " and " } else { " or " });
    Err(GraphError::bad_request(false, format!("The request requires a $filter on {joined} (eq).")))
}

/// Whether the filter pins `property` with `eq`, alone or in an `and`.
fn pins(filter: &Expr, property: &str) -> bool {
    match filter {
        Expr::Compare { path, op: CmpOp::Eq, .. } => matches!(path.segments(), [single] if single == property),
        Expr::And(a, b) => pins(a, property) || pins(b, property),
        _ => false,
    }
}

/// The authentication context classes a demo token satisfies: `Bearer demo:<id>#acrs=c1,c2`.
/// The server's own demo token source never adds them, as a token obtained without a claims
/// challenge carries none.
pub fn token_claims(headers: &axum::http::HeaderMap) -> Vec<String> {
    let value = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    value
        .split_once('#')
        .and_then(|(_, claims)| claims.strip_prefix("acrs="))
        .map(|classes| classes.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// What a policy asks of an activation.

/// The end-user activation rules of one policy.
#[derive(Debug, Default)]
struct Demands {
    max: Option<Duration>,
    expiration_required: bool,
    justification: bool,
    ticket: bool,
    authentication_context: Option<String>,
    approval: bool,
}

/// The rules of the policy assigned to `role` (a role id, or `member`/`owner`) at this scope.
fn demands(tenant: &Tenant, scope_type: &str, scope_id: &str, role: &str) -> Demands {
    let assignment = tenant.generated(POLICY_ASSIGNMENTS).and_then(|rows| {
        rows.items().iter().find(|a| {
            let is = |name: &str, value: &str| {
                a.get(name).and_then(Value::as_str).is_some_and(|v| v.eq_ignore_ascii_case(value))
            };
            is("scopeType", scope_type) && is("scopeId", scope_id) && is("roleDefinitionId", role)
        })
    });
    let Some(policy) = assignment.and_then(|a| a.get("policyId")).and_then(Value::as_str) else {
        return Demands::default();
    };
    let mut out = Demands::default();
    for rule in policy_rules(tenant, policy) {
        match rule.get("id").and_then(Value::as_str).unwrap_or_default() {
            "Expiration_EndUser_Assignment" => {
                out.expiration_required = rule.get("isExpirationRequired") == Some(&Value::Bool(true));
                out.max = rule.get("maximumDuration").and_then(Value::as_str).and_then(iso_duration);
            }
            "Enablement_EndUser_Assignment" => {
                let enabled: Vec<&str> = rule
                    .get("enabledRules")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                out.justification = enabled.contains(&"Justification");
                out.ticket = enabled.contains(&"Ticketing");
            }
            "AuthenticationContext_EndUser_Assignment" if rule.get("isEnabled") == Some(&Value::Bool(true)) => {
                out.authentication_context = rule.get("claimValue").and_then(Value::as_str).map(str::to_string);
            }
            "Approval_EndUser_Assignment" => {
                out.approval = rule.pointer("/setting/isApprovalRequired") == Some(&Value::Bool(true));
            }
            _ => {}
        }
    }
    out
}

/// An ISO 8601 duration of days, hours, minutes and seconds (`PT8H`, `PT1H30M`, `P1D`).
fn iso_duration(text: &str) -> Option<Duration> {
    let rest = text.trim().strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((days, time)) => (days, time),
        None => (rest, ""),
    };
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut parse = |part: &str, units: &[(char, i64)]| -> Option<()> {
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let seconds = units.iter().find(|(u, _)| *u == c)?.1;
            let n: i64 = std::mem::take(&mut number).parse().ok()?;
            total += Duration::seconds(n.checked_mul(seconds)?);
        }
        number.is_empty().then_some(())
    };
    parse(days, &[('D', 86_400), ('W', 604_800)])?;
    parse(time, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    (total > Duration::zero()).then_some(total)
}

fn text<'a>(body: &'a Map<String, Value>, name: &str) -> &'a str {
    body.get(name).and_then(Value::as_str).map(str::trim).unwrap_or_default()
}

/// The schedule a request asks for: its start (the time of the request when absent) and how
/// long it lasts, if it says.
fn schedule(body: &Map<String, Value>, at: &str) -> GraphResult<(DateTime<Utc>, Option<Duration>)> {
    let parse_time = |t: &str| DateTime::parse_from_rfc3339(t).map(|t| t.to_utc()).ok();
    let now = parse_time(at).unwrap_or_else(Utc::now);
    let info = body.get("scheduleInfo");
    let start = match info.and_then(|i| i.get("startDateTime")).and_then(Value::as_str) {
        Some(t) => parse_time(t).ok_or_else(|| {
            GraphError::bad_request(false, format!("Invalid value '{t}' for 'scheduleInfo.startDateTime'."))
        })?,
        None => now,
    };
    let expiration = info.and_then(|i| i.get("expiration"));
    let kind = expiration.and_then(|e| e.get("type")).and_then(Value::as_str).unwrap_or("noExpiration");
    let length = match kind {
        "afterDuration" => {
            let text = expiration.and_then(|e| e.get("duration")).and_then(Value::as_str).unwrap_or_default();
            Some(iso_duration(text).ok_or_else(|| {
                GraphError::bad_request(
                    false,
                    format!("Invalid value '{text}' for 'scheduleInfo.expiration.duration'."),
                )
            })?)
        }
        "afterDateTime" => {
            let text = expiration.and_then(|e| e.get("endDateTime")).and_then(Value::as_str).unwrap_or_default();
            let end = parse_time(text).ok_or_else(|| {
                GraphError::bad_request(
                    false,
                    format!("Invalid value '{text}' for 'scheduleInfo.expiration.endDateTime'."),
                )
            })?;
            Some(end - start)
        }
        "noExpiration" => None,
        other => {
            return Err(GraphError::bad_request(
                false,
                format!("Invalid value '{other}' for 'scheduleInfo.expiration.type'."),
            ));
        }
    };
    Ok((start, length))
}

fn policy_failed(rules: &[&str]) -> GraphError {
    let names = rules.iter().map(|r| format!("\"{r}\"")).collect::<Vec<_>>().join(",");
    GraphError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "RoleAssignmentRequestPolicyValidationFailed",
        format!("The following policy rules failed: [{names}]"),
    )
}

/// The claims challenge PIM answers when the token lacks the authentication context.
fn acrs_failed(claim: &str) -> GraphError {
    let claims = format!("{{\"access_token\":{{\"acrs\":{{\"essential\":true, \"value\":\"{claim}\"}}}}}}");
    // As a URL query component: unreserved characters stay as they are.
    const COMPONENT: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'_').remove(b'-').remove(b'.').remove(b'~');
    let encoded = percent_encoding::utf8_percent_encode(&claims, COMPONENT).to_string();
    GraphError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "RoleAssignmentRequestAcrsValidationFailed",
        format!("&claims={encoded}"),
    )
}

/// Checks an activation against the policy: what is missing is named all at once, as PIM does.
fn check_activation(
    d: &Demands,
    body: &Map<String, Value>,
    length: Option<Duration>,
    claims: &[String],
) -> GraphResult<()> {
    let mut failed = Vec::new();
    match (length, d.max) {
        (None, _) if d.expiration_required => failed.push("ExpirationRule"),
        (Some(length), Some(max)) if length > max || length <= Duration::zero() => failed.push("ExpirationRule"),
        _ => {}
    }
    if d.justification && text(body, "justification").is_empty() {
        failed.push("JustificationRule");
    }
    let ticket = body.get("ticketInfo").and_then(|t| t.get("ticketNumber")).and_then(Value::as_str).map(str::trim);
    if d.ticket && ticket.is_none_or(str::is_empty) {
        failed.push("TicketingRule");
    }
    if !failed.is_empty() {
        return Err(policy_failed(&failed));
    }
    match &d.authentication_context {
        Some(claim) if !claims.iter().any(|c| c == claim) => Err(acrs_failed(claim)),
        _ => Ok(()),
    }
}

fn derived_id(base: &str, what: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{base}/{what}").as_bytes()).to_string()
}

/// The principals whose eligibility a user may use: the user and the groups they are in.
fn principals(tenant: &Tenant, user: &str) -> Vec<String> {
    let mut out = tenant.transitive_member_of(user);
    out.push(user.to_string());
    out
}

fn is(row: &Value, name: &str, value: &str) -> bool {
    row.get(name).and_then(Value::as_str).is_some_and(|v| v.eq_ignore_ascii_case(value))
}

fn self_service(action: &str, principal: &str, caller: &str) -> GraphResult<()> {
    match action {
        "selfActivate" | "selfDeactivate" => {}
        "selfExtend" | "selfRenew" => {
            return Err(GraphError::bad_request(false, format!("The demo tenant does not model '{action}' requests.")));
        }
        a if a.starts_with("admin") => {
            return Err(GraphError::new(
                axum::http::StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ));
        }
        other => return Err(GraphError::bad_request(false, format!("Invalid value '{other}' for 'action'."))),
    }
    if !principal.eq_ignore_ascii_case(caller) {
        return Err(GraphError::bad_request(
            false,
            "The principalId of a self-service request must be the signed-in user's.",
        ));
    }
    Ok(())
}

/// The request's schedule as Graph stores it.
fn schedule_info(start: DateTime<Utc>, length: Option<Duration>) -> Value {
    match length {
        Some(length) => json!({
            "startDateTime": format_instant(start),
            "expiration": {"type": "afterDuration", "duration": iso_text(length), "endDateTime": null},
        }),
        None => json!({
            "startDateTime": format_instant(start),
            "expiration": {"type": "noExpiration", "duration": null, "endDateTime": null},
        }),
    }
}

/// `PT1H30M`.
fn iso_text(length: Duration) -> String {
    let minutes = length.num_minutes();
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("PT{h}H"),
        (0, m) => format!("PT{m}M"),
        (h, m) => format!("PT{h}H{m}M"),
    }
}

fn ticket_info(body: &Map<String, Value>) -> Value {
    let field = |name: &str| body.get("ticketInfo").and_then(|t| t.get(name)).cloned().unwrap_or(Value::Null);
    json!({"ticketNumber": field("ticketNumber"), "ticketSystem": field("ticketSystem")})
}

// ---------------------------------------------------------------------------------------------
// Directory roles.

/// `POST roleManagement/directory/roleAssignmentScheduleRequests`.
pub fn role_request(tenant: &mut Tenant, call: &CreateCall) -> GraphResult<Value> {
    let body = &call.body;
    let (action, principal) = (text(body, "action"), text(body, "principalId"));
    let (role, scope) = (text(body, "roleDefinitionId"), text(body, "directoryScopeId"));
    self_service(action, principal, &call.caller)?;
    if tenant.role_definitions.get(role).is_none() {
        return Err(GraphError::bad_request(false, format!("The role definition '{role}' does not exist.")));
    }
    let (start, length) = schedule(body, &call.at)?;
    let mine = |row: &Value| {
        is(row, "principalId", &call.caller) && is(row, "roleDefinitionId", role) && is(row, "directoryScopeId", scope)
    };
    let mut status = "Provisioned";
    let target_schedule: Value;
    let mut approval = Value::Null;
    if action == "selfActivate" {
        let principals = principals(tenant, &call.caller);
        let eligibility = tenant.role_eligibility_schedule_instances.items().iter().find(|row| {
            principals.iter().any(|p| is(row, "principalId", p))
                && is(row, "roleDefinitionId", role)
                && is(row, "directoryScopeId", scope)
        });
        let Some(eligibility) = eligibility else {
            return Err(policy_failed(&["EligibilityRule"]));
        };
        target_schedule = eligibility.get("roleEligibilityScheduleId").cloned().unwrap_or(Value::Null);
        if tenant.role_assignment_schedule_instances.items().iter().any(mine) {
            return Err(GraphError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "RoleAssignmentExists",
                "The Role assignment already exists.",
            ));
        }
        if tenant
            .role_assignment_schedule_requests
            .items()
            .iter()
            .any(|r| mine(r) && is(r, "status", "PendingApproval"))
        {
            return Err(GraphError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "PendingRoleAssignmentRequest",
                "There is already an existing pending Role assignment request.",
            ));
        }
        let demands = demands(tenant, "DirectoryRole", "/", role);
        check_activation(&demands, body, length, &call.claims)?;
        if demands.approval {
            status = "PendingApproval";
            approval = Value::from(derived_id(&call.id, "approval"));
        }
    } else {
        let activated = tenant
            .role_assignment_schedule_instances
            .items()
            .iter()
            .find(|row| mine(row) && is(row, "assignmentType", "Activated"))
            .cloned();
        let Some(activated) = activated else {
            return Err(GraphError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "RoleAssignmentDoesNotExist",
                "The Role assignment does not exist.",
            ));
        };
        status = "Revoked";
        target_schedule = activated.get("roleAssignmentScheduleId").cloned().unwrap_or(Value::Null);
        if body.get("isValidationOnly") != Some(&Value::Bool(true)) {
            let instance = activated.get("id").and_then(Value::as_str).unwrap_or_default();
            std::sync::Arc::make_mut(&mut tenant.role_assignment_schedule_instances).remove(instance);
            if let Some(origin) = activated.get("roleAssignmentOriginId").and_then(Value::as_str) {
                std::sync::Arc::make_mut(&mut tenant.role_assignments).remove(origin);
            }
        }
    }
    let request = json!({
        "id": call.id,
        "action": action,
        "principalId": call.caller,
        "roleDefinitionId": role,
        "directoryScopeId": scope,
        "appScopeId": null,
        "isValidationOnly": body.get("isValidationOnly") == Some(&Value::Bool(true)),
        "targetScheduleId": target_schedule,
        "justification": body.get("justification").cloned().unwrap_or(Value::Null),
        "status": status,
        "createdDateTime": call.at,
        "completedDateTime": if status == "PendingApproval" { Value::Null } else { Value::from(call.at.as_str()) },
        "approvalId": approval,
        "createdBy": {"user": {"id": call.caller}},
        "scheduleInfo": schedule_info(start, length),
        "ticketInfo": ticket_info(body),
    });
    if body.get("isValidationOnly") == Some(&Value::Bool(true)) {
        return Ok(request);
    }
    if action == "selfActivate" && status == "Provisioned" {
        let assignment = derived_id(&call.id, "roleAssignment");
        let schedule = derived_id(&call.id, "roleAssignmentSchedule");
        std::sync::Arc::make_mut(&mut tenant.role_assignments).push(json!({
            "id": assignment,
            "principalId": call.caller,
            "roleDefinitionId": role,
            "directoryScopeId": scope,
            "appScopeId": null,
            "condition": null,
        }));
        std::sync::Arc::make_mut(&mut tenant.role_assignment_schedule_instances).push(json!({
            "id": derived_id(&call.id, "roleAssignmentScheduleInstance"),
            "principalId": call.caller,
            "roleDefinitionId": role,
            "directoryScopeId": scope,
            "appScopeId": null,
            "startDateTime": format_instant(start),
            "endDateTime": length.map(|l| format_instant(start + l)),
            "assignmentType": "Activated",
            "memberType": "Direct",
            "roleAssignmentOriginId": assignment,
            "roleAssignmentScheduleId": schedule,
        }));
    }
    std::sync::Arc::make_mut(&mut tenant.role_assignment_schedule_requests).push(request.clone());
    Ok(request)
}

/// `POST roleManagement/directory/roleAssignmentScheduleRequests/{id}/cancel`: only a request
/// still waiting for approval can be withdrawn.
pub fn cancel_role_request(tenant: &mut Tenant, id: &str, at: &str) -> GraphResult<Value> {
    let requests = std::sync::Arc::make_mut(&mut tenant.role_assignment_schedule_requests);
    let Some(Value::Object(request)) = requests.get_mut(id) else {
        return Err(GraphError::not_found(id));
    };
    let status = request.get("status").and_then(Value::as_str).unwrap_or_default().to_string();
    if status != "PendingApproval" {
        return Err(GraphError::bad_request(
            false,
            format!("Only a request pending approval can be canceled; this one is '{status}'."),
        ));
    }
    request.insert("status".into(), Value::from("Canceled"));
    request.insert("completedDateTime".into(), Value::from(at));
    Ok(Value::Null)
}

// ---------------------------------------------------------------------------------------------
// PIM for Groups.

/// `POST identityGovernance/privilegedAccess/group/assignmentScheduleRequests`: a membership or
/// ownership activated is the membership or ownership itself, so the group's members (and the
/// roles the group holds) follow.
pub fn group_request(tenant: &mut Tenant, call: &CreateCall) -> GraphResult<Value> {
    let body = &call.body;
    let (action, principal) = (text(body, "action"), text(body, "principalId"));
    let (group, access) = (text(body, "groupId"), text(body, "accessId"));
    self_service(action, principal, &call.caller)?;
    if !matches!(access, "member" | "owner") {
        return Err(GraphError::bad_request(
            false,
            format!("Invalid value '{access}' for 'accessId'; expected 'member' or 'owner'."),
        ));
    }
    if tenant.groups.get(group).is_none() {
        return Err(GraphError::not_found(group));
    }
    let (start, length) = schedule(body, &call.at)?;
    let mine =
        |row: &Value| is(row, "principalId", &call.caller) && is(row, "groupId", group) && is(row, "accessId", access);
    let assignments =
        |tenant: &Tenant| tenant.generated(GROUP_ASSIGNMENTS).map(|c| c.items().to_vec()).unwrap_or_default();
    let validation_only = body.get("isValidationOnly") == Some(&Value::Bool(true));
    let mut status = "Provisioned";
    let mut approval = Value::Null;
    let target_schedule: Value;
    if action == "selfActivate" {
        let eligibility =
            tenant.generated(GROUP_ELIGIBILITY).and_then(|rows| rows.items().iter().find(|r| mine(r)).cloned());
        let Some(eligibility) = eligibility else {
            return Err(policy_failed(&["EligibilityRule"]));
        };
        target_schedule = eligibility.get("eligibilityScheduleId").cloned().unwrap_or(Value::Null);
        if assignments(tenant).iter().any(mine) {
            return Err(GraphError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "RoleAssignmentExists",
                "The Role assignment already exists.",
            ));
        }
        let demands = demands(tenant, "Group", group, access);
        check_activation(&demands, body, length, &call.claims)?;
        if demands.approval {
            status = "PendingApproval";
            approval = Value::from(derived_id(&call.id, "approval"));
        } else if !validation_only {
            let schedule = derived_id(&call.id, "groupAssignmentSchedule");
            std::sync::Arc::make_mut(tenant.generated_mut(GROUP_ASSIGNMENTS)).push(json!({
                "id": format!("{group}_{access}_{schedule}"),
                "principalId": call.caller,
                "groupId": group,
                "accessId": access,
                "memberType": "direct",
                "assignmentType": "activated",
                "startDateTime": format_instant(start),
                "endDateTime": length.map(|l| format_instant(start + l)),
                "assignmentScheduleId": schedule,
            }));
            grant(tenant, group, access, &call.caller, true);
        }
    } else {
        let activated = assignments(tenant).into_iter().find(|r| mine(r) && is(r, "assignmentType", "activated"));
        let Some(activated) = activated else {
            return Err(GraphError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "RoleAssignmentDoesNotExist",
                "The Role assignment does not exist.",
            ));
        };
        status = "Revoked";
        target_schedule = activated.get("assignmentScheduleId").cloned().unwrap_or(Value::Null);
        if !validation_only {
            let id = activated.get("id").and_then(Value::as_str).unwrap_or_default();
            std::sync::Arc::make_mut(tenant.generated_mut(GROUP_ASSIGNMENTS)).remove(id);
            grant(tenant, group, access, &call.caller, false);
        }
    }
    let request = json!({
        "id": call.id,
        "accessId": access,
        "action": action,
        "principalId": call.caller,
        "groupId": group,
        "justification": body.get("justification").cloned().unwrap_or(Value::Null),
        "status": status,
        "createdDateTime": call.at,
        "completedDateTime": if status == "PendingApproval" { Value::Null } else { Value::from(call.at.as_str()) },
        "approvalId": approval,
        "createdBy": {"user": {"id": call.caller}},
        "scheduleInfo": schedule_info(start, length),
        "ticketInfo": ticket_info(body),
        "targetScheduleId": target_schedule,
        "isValidationOnly": validation_only,
    });
    if !validation_only {
        std::sync::Arc::make_mut(tenant.generated_mut(GROUP_REQUESTS)).push(request.clone());
    }
    Ok(request)
}

/// Adds or removes the member or owner an activation grants.
fn grant(tenant: &mut Tenant, group: &str, access: &str, user: &str, add: bool) {
    match (access, add) {
        ("member", true) => {
            tenant.add_member(group, DirectoryRef::user(user.to_string()));
        }
        ("member", false) => {
            tenant.remove_member(group, user);
        }
        (_, true) => {
            let owners = std::sync::Arc::make_mut(&mut tenant.group_owners).entry(group.to_string()).or_default();
            if !owners.iter().any(|o| o.id.eq_ignore_ascii_case(user)) {
                owners.push(DirectoryRef::user(user.to_string()));
            }
        }
        (_, false) => {
            if let Some(owners) = std::sync::Arc::make_mut(&mut tenant.group_owners).get_mut(group) {
                owners.retain(|o| !o.id.eq_ignore_ascii_case(user));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations_read_as_pim_writes_them() {
        assert_eq!(iso_duration("PT8H"), Some(Duration::hours(8)));
        assert_eq!(iso_duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(iso_duration("P1D"), Some(Duration::days(1)));
        assert_eq!(iso_duration("P365D"), Some(Duration::days(365)));
        assert_eq!(iso_duration("8h"), None);
        assert_eq!(iso_duration("PT"), None);
        assert_eq!(iso_text(Duration::minutes(90)), "PT1H30M");
        assert_eq!(iso_text(Duration::minutes(45)), "PT45M");
    }

    #[test]
    fn the_claims_challenge_names_the_authentication_context() {
        let error = acrs_failed("c1");
        assert_eq!(error.code, "RoleAssignmentRequestAcrsValidationFailed");
        assert_eq!(
            error.message,
            "&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D"
        );
    }

    #[test]
    fn demo_tokens_carry_claims_only_when_they_say_so() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(axum::http::header::AUTHORIZATION, "Bearer demo:abc".parse().expect("header"));
        assert!(token_claims(&headers).is_empty());
        headers.insert(axum::http::header::AUTHORIZATION, "Bearer demo:abc#acrs=c1,c2".parse().expect("header"));
        assert_eq!(token_claims(&headers), ["c1", "c2"]);
    }
}
