//! Conditional Access reference data: authentication strengths (with the `usage` function,
//! answered from the policies as they are) and Microsoft's policy templates. Graph serves no
//! `/$count` on either.

use serde_json::{Value, json};

use crate::demo::tenant::{Tenant, ca_catalog};

use super::super::errors::{GraphError, GraphResult};
use super::super::routes::Resolved;
use super::super::schema::{Spec, Words};
use super::{EntitySet, READ_ONLY, Source};

pub const STRENGTHS: &str = "policies/authenticationStrengthPolicies";

pub static STRENGTH_SPEC: Spec = Spec {
    type_name: "microsoft.graph.authenticationStrengthPolicy",
    entity_set: STRENGTHS,
    directory: false,
    properties: Words(
        "id displayName description policyType requirementsSatisfied allowedCombinations \
         combinationConfigurations createdDateTime modifiedDateTime",
    ),
    default_properties: None,
    // Graph documents filtering the list by policyType.
    filterable: Words("policyType"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

pub static TEMPLATE_SPEC: Spec = Spec {
    type_name: "microsoft.graph.conditionalAccessTemplate",
    entity_set: "identity/conditionalAccess/templates",
    directory: false,
    properties: Words("id name description scenarios details"),
    default_properties: None,
    filterable: Words("id name"),
    orderable: Words(""),
    searchable: Words(""),
    expandable: Words(""),
    max_top: 999,
};

pub static SETS: &[EntitySet] = &[
    EntitySet {
        path: STRENGTHS,
        spec: &STRENGTH_SPEC,
        source: Source::Generated(ca_catalog::authentication_strengths),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
    EntitySet {
        path: "identity/conditionalAccess/templates",
        spec: &TEMPLATE_SPEC,
        source: Source::Generated(ca_catalog::ca_templates),
        lookup: None,
        count_segment: false,
        navigations: &[],
        actions: &[],
        writes: READ_ONLY,
    },
];

/// `GET /policies/authenticationStrengthPolicies/{id}/usage`: the policies whose grant names the
/// strength, under `mfa` when the strength satisfies MFA, else under `none`.
pub fn usage<'t>(tenant: &'t Tenant, id: &str) -> GraphResult<Resolved<'t>> {
    let strength = tenant.generated(STRENGTHS).and_then(|c| c.get(id)).ok_or_else(|| GraphError::not_found(id))?;
    let mfa = strength.get("requirementsSatisfied").and_then(Value::as_str) == Some("mfa");
    let using: Vec<Value> = tenant
        .conditional_access_policies
        .items()
        .iter()
        .filter(|p| {
            p.pointer("/grantControls/authenticationStrength/id")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(id))
        })
        .cloned()
        .collect();
    let (mfa, none) = if mfa { (using, Vec::new()) } else { (Vec::new(), using) };
    Ok(Resolved::Computed(json!({
        "@odata.type": "#microsoft.graph.authenticationStrengthUsage",
        "mfa": mfa,
        "none": none,
    })))
}
