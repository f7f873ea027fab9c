//! Conditional Access What-If (`POST /identity/conditionalAccess/evaluate`) over the tenant's own
//! policies. The rules are `crate::what_if`'s, the one evaluation path; this file only reads the
//! body as Graph does, fills in what Graph looks up itself (the user's transitive groups, active
//! role templates, guest kind and home tenant), and answers every policy as Graph does.

use serde_json::{Value, json};

use crate::demo::tenant::Tenant;
use crate::graph::resources::{ConditionalAccessPolicy, NamedLocation};
use crate::what_if::{self, SignIn, SignInIdentity};

use super::errors::{GraphError, GraphResult};
use super::listing::Ctx;

/// The kind Entra gives a B2B guest invited from another tenant.
const B2B_GUEST: &str = "b2bCollaborationGuest";

pub fn evaluate(ctx: &Ctx<'_>, body: &[u8]) -> GraphResult<Value> {
    let mut sign_in: SignIn = serde_json::from_slice(body)
        .map_err(|e| GraphError::bad_request(false, format!("Invalid request body: {e}")))?;
    fill_directory(ctx.tenant, &mut sign_in)?;
    if let Some(ip) = sign_in.sign_in_conditions.ip_address.as_deref()
        && ip.trim().parse::<std::net::IpAddr>().is_err()
    {
        return Err(GraphError::bad_request(false, format!("'{ip}' is not a valid IP address.")));
    }
    let locations: Vec<NamedLocation> =
        ctx.tenant.named_locations.items().iter().filter_map(|l| serde_json::from_value(l.clone()).ok()).collect();
    let only_applied = sign_in.applied_policies_only == Some(true);
    let results: Vec<Value> = ctx
        .tenant
        .conditional_access_policies
        .items()
        .iter()
        .filter_map(|stored| {
            let policy: ConditionalAccessPolicy = serde_json::from_value(stored.clone()).ok()?;
            let reasons = what_if::evaluate(&policy, &sign_in, &locations);
            if only_applied && !reasons.is_empty() {
                return None;
            }
            // The stored resource as it is, plus the two What-If properties.
            let mut result = stored.as_object().cloned().unwrap_or_default();
            result.insert("policyApplies".into(), reasons.is_empty().into());
            result.insert("analysisReasons".into(), what_if::Reason::flags(&reasons).into());
            Some(Value::Object(result))
        })
        .collect();
    Ok(json!({
        "@odata.context": format!("{}/{}/$metadata#Collection(microsoft.graph.whatIfAnalysisResult)", ctx.base_url, ctx.version),
        "value": results,
    }))
}

/// What Graph knows of the user and looks up itself: a user that does not exist is a 404.
fn fill_directory(tenant: &Tenant, sign_in: &mut SignIn) -> GraphResult<()> {
    let SignInIdentity::User { user_id, .. } = &mut sign_in.sign_in_identity else {
        return Ok(());
    };
    if user_id.trim().is_empty() {
        return Err(GraphError::bad_request(false, "signInIdentity needs a userId or a servicePrincipalId."));
    }
    let user = tenant.user(user_id).ok_or_else(|| GraphError::not_found(user_id))?;
    let id = user.get("id").and_then(Value::as_str).unwrap_or(user_id).to_string();
    let guest = user.get("userType").and_then(Value::as_str) == Some("Guest");
    sign_in.directory.groups = tenant.transitive_member_of(&id);
    sign_in.directory.roles = tenant.active_roles(&id);
    if guest {
        sign_in.directory.guest_kind = Some(B2B_GUEST.into());
        sign_in.directory.external_tenant_id = Some(crate::demo::tenant::story::guest_home_tenant_id());
    }
    *user_id = id;
    Ok(())
}
