//! Where beta answers what v1.0 does not.
//!
//! - Sign-ins: v1.0 lists interactive user sign-ins only. Beta lists them too, with beta's own
//!   properties (`signInEventTypes`, `authenticationRequirement`, …), and adds non-interactive,
//!   service principal and managed identity sign-ins — but only when the filter names
//!   `signInEventTypes`, as Graph does. A beta-only sign-in is also found by id on beta alone.
//! - `reports/getAzureADApplicationSignInSummary(period='D7')`: success and failure counts per
//!   app over 7 or 30 days, computed from the sign-in log; beta only.
//! - `roleManagement/directory/transitiveRoleAssignments`: the role assignments of a principal
//!   and of every group it is in (each with the holder as `principalId`), for the principal the
//!   `$filter` names with `principalId eq`; beta only, and only with `ConsistencyLevel:
//!   eventual` and `$count=true` (404 without the header, as Graph answers).
//! - `isPrivileged` of role definitions (`spec` picks beta's rules; v1.0 refuses and omits it).
//! - Tenant posture's own paths (recommendation actions, alert updates, service activity
//!   signals, SLA attainment, premium licence insight): `sets/posture_beta.rs`.
//!
//! v1.0 requests never reach anything here, so what v1.0 answers does not depend on it.

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::{Value, json};

use crate::demo::tenant::{Tenant, format_instant};
use crate::odata::{CmpOp, Expr, Literal, evaluate};

use super::errors::{GraphError, GraphResult};
use super::listing::Row;
use super::query;
use super::routes::Resolved;
use super::schema::{self, Spec, Words};

const BETA: &str = "beta";
const SIGN_IN_SUMMARY: &str = "getAzureADApplicationSignInSummary";

/// A path only beta serves, or `None` for the ordinary routes. `query` is the raw query
/// string and `eventual` whether `ConsistencyLevel: eventual` was sent, for the functions whose
/// rows depend on them.
pub fn resolve<'t>(
    tenant: &'t Tenant,
    version: &str,
    segments: &[&str],
    query: Option<&str>,
    eventual: bool,
) -> Option<GraphResult<Resolved<'t>>> {
    if version != BETA {
        return None;
    }
    if let Some(resolved) = super::sets::posture_beta::route(tenant, segments) {
        return Some(resolved);
    }
    match segments {
        ["roleManagement", "directory", TRANSITIVE] => Some(transitive_role_assignments(tenant, query, eventual)),
        ["auditLogs", "signIns", id] => {
            let value = tenant.beta_sign_ins.get(id)?;
            Some(Ok(Resolved::Item { spec: &schema::SIGN_INS_BETA, row: Row::plain(value), set: None }))
        }
        ["reports", function] if function.starts_with(SIGN_IN_SUMMARY) => Some(sign_in_summary(tenant, function)),
        _ => None,
    }
}

/// The rules of a collection in this version: beta's sign-ins and role definitions have more
/// properties.
pub fn spec(spec: &'static Spec, version: &str) -> &'static Spec {
    if version != BETA {
        spec
    } else if std::ptr::eq(spec, &schema::SIGN_INS) {
        &schema::SIGN_INS_BETA
    } else if std::ptr::eq(spec, &schema::ROLE_DEFINITIONS) {
        &schema::ROLE_DEFINITIONS_BETA
    } else {
        spec
    }
}

/// The rows of a collection in this version: on beta, a sign-in query that names
/// `signInEventTypes` also reads the beta-only sign-ins, merged newest first.
pub fn rows<'t>(tenant: &'t Tenant, spec: &Spec, filter: Option<&Expr>, rows: Vec<Row<'t>>) -> Vec<Row<'t>> {
    let names_event_types = filter.is_some_and(|f| f.property_paths().iter().any(|p| p == "signInEventTypes"));
    if !std::ptr::eq(spec, &schema::SIGN_INS_BETA) || !names_event_types {
        return rows;
    }
    let keyed = |row: Row<'t>| {
        let time =
            row.item.partial(&["createdDateTime"]).get("createdDateTime").and_then(Value::as_str).map(str::to_string);
        (time.unwrap_or_default(), row)
    };
    let mut logged = rows.into_iter().map(keyed).peekable();
    let mut extra = tenant.beta_sign_ins.items().iter().map(Row::plain).map(keyed).peekable();
    let mut out = Vec::new();
    loop {
        let take_logged = match (logged.peek(), extra.peek()) {
            (Some((a, _)), Some((b, _))) => a >= b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_logged { logged.next() } else { extra.next() };
        out.extend(next.map(|(_, row)| row));
    }
    out
}

/// `getAzureADApplicationSignInSummary(period='D7')`: per app, the user sign-ins (interactive
/// and not) that succeeded and failed in the last 7 or 30 days.
fn sign_in_summary<'t>(tenant: &'t Tenant, function: &str) -> GraphResult<Resolved<'t>> {
    let period = function
        .strip_prefix(SIGN_IN_SUMMARY)
        .and_then(|rest| rest.strip_prefix("(period='"))
        .and_then(|rest| rest.strip_suffix("')"))
        .ok_or_else(|| GraphError::bad_request(false, format!("The function call '{function}' is not valid.")))?;
    let days = match period {
        "D7" => 7,
        "D30" => 30,
        other => {
            return Err(GraphError::bad_request(
                false,
                format!("Invalid period '{other}'. Supported values are 'D7' and 'D30'."),
            ));
        }
    };
    let since = format_instant(tenant.anchor - Duration::days(days));
    // appId → (name, successes, failures)
    let mut apps: BTreeMap<String, (String, i64, i64)> = BTreeMap::new();
    let mut count = |sign_in: &Value| {
        let text = |name: &str| sign_in.get(name).and_then(Value::as_str).unwrap_or_default();
        if text("createdDateTime") < since.as_str() {
            return;
        }
        let failed = sign_in.pointer("/status/errorCode").and_then(Value::as_i64).unwrap_or(0) != 0;
        let entry = apps.entry(text("appId").to_string()).or_insert_with(|| (text("appDisplayName").to_string(), 0, 0));
        if failed {
            entry.2 += 1;
        } else {
            entry.1 += 1;
        }
    };
    for item in tenant.sign_ins.iter() {
        count(&item.partial(&["appId", "appDisplayName", "createdDateTime", "status"]));
    }
    let non_interactive = |s: &&Value| {
        s.get("signInEventTypes")
            .and_then(Value::as_array)
            .is_some_and(|types| types.iter().any(|t| t == "nonInteractiveUser"))
    };
    for sign_in in tenant.beta_sign_ins.items().iter().filter(non_interactive) {
        count(sign_in);
    }
    let mut rows: Vec<Value> = apps
        .into_iter()
        .map(|(app_id, (name, succeeded, failed))| {
            let total = succeeded + failed;
            let percentage = if total == 0 { 0 } else { (succeeded * 100 + total / 2) / total };
            json!({
                "id": app_id,
                "appId": app_id,
                "appDisplayName": name,
                "successfulSignInCount": succeeded,
                "failedSignInCount": failed,
                "successPercentage": percentage,
            })
        })
        .collect();
    rows.sort_by(|a, b| a["appDisplayName"].as_str().cmp(&b["appDisplayName"].as_str()));
    Ok(Resolved::ComputedRows { spec: &schema::APPLICATION_SIGN_IN_SUMMARY, rows, filtered: false })
}

const TRANSITIVE: &str = "transitiveRoleAssignments";

/// `unifiedRoleAssignment` as `transitiveRoleAssignments` lists it.
pub static TRANSITIVE_ROLE_ASSIGNMENTS: Spec = Spec {
    type_name: "microsoft.graph.unifiedRoleAssignment",
    entity_set: "roleManagement/directory/transitiveRoleAssignments",
    directory: false,
    properties: Words("id principalId roleDefinitionId directoryScopeId appScopeId condition"),
    default_properties: None,
    filterable: Words("principalId roleDefinitionId directoryScopeId"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words("principal roleDefinition"),
    max_top: 999,
};

/// The assignments that give the `principalId eq` of the filter a role: its own and those of
/// the groups it is in, directly or through nesting; the rest of the filter (`roleDefinitionId`,
/// `directoryScopeId`) applies as usual.
fn transitive_role_assignments<'t>(
    tenant: &'t Tenant,
    query: Option<&str>,
    eventual: bool,
) -> GraphResult<Resolved<'t>> {
    if !eventual {
        return Err(GraphError::no_route(TRANSITIVE));
    }
    let q = query::parse(query, false)?;
    if !q.count {
        return Err(GraphError::bad_request(false, "$count=true is required with ConsistencyLevel: eventual."));
    }
    let principal = q
        .filter
        .as_ref()
        .and_then(principal_of)
        .ok_or_else(|| GraphError::bad_request(false, "The request requires a $filter on principalId (eq)."))?;
    let mut holders = tenant.transitive_member_of(&principal);
    holders.push(principal);
    let rest = q.filter.as_ref().and_then(without_principal);
    let rows = tenant
        .role_assignments
        .items()
        .iter()
        .filter(|a| {
            a.get("principalId")
                .and_then(Value::as_str)
                .is_some_and(|p| holders.iter().any(|h| h.eq_ignore_ascii_case(p)))
        })
        .filter(|a| rest.as_ref().is_none_or(|f| evaluate(f, a)))
        .cloned()
        .collect();
    Ok(Resolved::ComputedRows { spec: &TRANSITIVE_ROLE_ASSIGNMENTS, rows, filtered: true })
}

/// The principal an `eq` on `principalId` names, alone or in an `and`.
fn principal_of(filter: &Expr) -> Option<String> {
    match filter {
        Expr::Compare { path, op: CmpOp::Eq, value } if is_principal(path.segments()) => match value {
            Literal::String(id) => Some(id.clone()),
            Literal::Guid(id) => Some(id.to_string()),
            _ => None,
        },
        Expr::And(a, b) => principal_of(a).or_else(|| principal_of(b)),
        _ => None,
    }
}

fn is_principal(segments: &[String]) -> bool {
    matches!(segments, [single] if single == "principalId")
}

/// The filter without its `principalId` comparisons (`None` if nothing else is left).
fn without_principal(filter: &Expr) -> Option<Expr> {
    match filter {
        Expr::Compare { path, .. } if is_principal(path.segments()) => None,
        Expr::And(a, b) => match (without_principal(a), without_principal(b)) {
            (Some(a), Some(b)) => Some(Expr::And(Box::new(a), Box::new(b))),
            (one, other) => one.or(other),
        },
        other => Some(other.clone()),
    }
}
