//! The collection pipeline shared by every list endpoint — validate the query against the
//! collection's rules, filter, search, order, count, page, then shape each item (`$select`,
//! default properties, `$expand`, `@odata.type` in mixed collections, enum and visibility
//! rules) — and the same shaping for single objects.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use crate::demo::tenant::{Item, ObjectKind, Tenant};
use crate::odata::{Expr, compare_json, evaluate};

use super::errors::{GraphError, GraphResult};
use super::query::{Expand, QueryOptions, encode_skiptoken, search_matches};
use super::schema::{self, Spec};

/// Items per page when `$top` is not given.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// What a request carries besides its query options.
pub struct Ctx<'a> {
    pub tenant: &'a Tenant,
    /// `v1.0` or `beta`.
    pub version: &'a str,
    pub base_url: &'a str,
    /// The request path as received (still percent-encoded), for `@odata.nextLink`.
    pub raw_path: &'a str,
    pub consistency_eventual: bool,
    pub prefer_unknown_enum_members: bool,
    /// Whether the caller may see `appliedConditionalAccessPolicies` (Graph omits the field for
    /// callers without a Conditional Access reader role).
    pub show_ca_details: bool,
}

/// One item of a collection; `kind` is set in mixed directory-object collections.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub item: Item<'a>,
    pub kind: Option<ObjectKind>,
}

impl<'a> Row<'a> {
    pub fn plain(value: &'a Value) -> Row<'a> {
        Row { item: Item::Stored(value), kind: None }
    }

    pub fn of_kind(value: &'a Value, kind: ObjectKind) -> Row<'a> {
        Row { item: Item::Stored(value), kind: Some(kind) }
    }
}

/// How the collection is addressed: a page of items, or the `/$count` segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Page,
    CountSegment,
}

const SEARCH_NEEDS_CL: &str = "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'";

/// Checks the query against the collection's rules, as Graph does before running it.
pub fn validate_collection(ctx: &Ctx<'_>, q: &QueryOptions, spec: &Spec, mixed: bool, shape: Shape) -> GraphResult<()> {
    let dir = spec.directory;
    if let Some(select) = &q.select {
        validate_select(select, spec, mixed)?;
    }
    if let Some(filter) = &q.filter {
        for path in filter.property_paths() {
            if !spec.filterable.contains(&path) {
                return Err(GraphError::unsupported_query(
                    dir,
                    format!(
                        "Unsupported or invalid query filter clause specified for property '{path}' of resource '{}'.",
                        short_type(spec)
                    ),
                ));
            }
        }
        if !dir && uses_endswith(filter) {
            return Err(GraphError::bad_request(
                dir,
                "Invalid filter clause: endswith is not supported for this resource.",
            ));
        }
        if uses_contains(filter) && !CONTAINS_TYPES.contains(&spec.type_name) {
            return Err(GraphError::bad_request(
                dir,
                "Invalid filter clause: contains is not supported for this resource.",
            ));
        }
    }
    for order in &q.orderby {
        if !spec.orderable.contains(&order.path) {
            return Err(GraphError::unsupported_query(
                dir,
                format!("Order by not supported for property '{}' of resource '{}'.", order.path, short_type(spec)),
            ));
        }
    }
    if let Some(search) = &q.search {
        if spec.searchable.is_empty() {
            return Err(GraphError::bad_request(
                dir,
                format!("$search is not supported on resource '{}'.", short_type(spec)),
            ));
        }
        if let Some(p) = search.properties().into_iter().find(|p| !spec.searchable.contains(p)) {
            return Err(GraphError::unsupported_query(dir, format!("Unsupported property '{p}' in $search.")));
        }
    }
    if let Some(top) = q.top
        && top > spec.max_top
    {
        return Err(GraphError::bad_request(
            dir,
            format!("Invalid page size specified: '{top}'. Must be between 1 and {} inclusive.", spec.max_top),
        ));
    }
    validate_expand(ctx, &q.expand, spec)?;
    if dir {
        consistency_rules(ctx, q, spec, shape)?;
    }
    Ok(())
}

/// Where Graph's directory needs `ConsistencyLevel: eventual` (and, for advanced filters,
/// `$count=true` too).
fn consistency_rules(ctx: &Ctx<'_>, q: &QueryOptions, spec: &Spec, shape: Shape) -> GraphResult<()> {
    let eventual = ctx.consistency_eventual;
    if shape == Shape::CountSegment && !eventual {
        return Err(GraphError::bad_request(true, "Count is not currently supported."));
    }
    if q.search.is_some() && !eventual {
        return Err(GraphError::unsupported_query(true, SEARCH_NEEDS_CL));
    }
    let advanced = eventual && (q.count || shape == Shape::CountSegment);
    if q.count && !eventual {
        return Err(GraphError::unsupported_query(true, "Unsupported Query."));
    }
    if q.filter.as_ref().is_some_and(Expr::needs_advanced_query) && !advanced {
        return Err(GraphError::unsupported_query(true, "Unsupported Query."));
    }
    if spec.entity_set == "users" && q.filter.is_some() && !q.orderby.is_empty() && !advanced {
        return Err(GraphError::unsupported_query(true, "Sorting not supported for current query."));
    }
    if q.expand.iter().any(|e| e.levels_max) && !advanced {
        return Err(GraphError::unsupported_query(true, "Unsupported Query."));
    }
    Ok(())
}

/// Checks the options a single-object request may carry (`$select`, `$expand`).
pub fn validate_single(ctx: &Ctx<'_>, q: &QueryOptions, spec: &Spec, kind_known: bool) -> GraphResult<()> {
    if q.has_collection_options() {
        return Err(GraphError::bad_request(
            spec.directory,
            "Only $select, $expand and $count are supported when reading a single object.",
        ));
    }
    if let Some(select) = &q.select {
        validate_select(select, spec, !kind_known)?;
    }
    validate_expand(ctx, &q.expand, spec)?;
    if spec.directory && q.expand.iter().any(|e| e.levels_max) && !(ctx.consistency_eventual && q.count) {
        return Err(GraphError::unsupported_query(true, "Unsupported Query."));
    }
    Ok(())
}

fn validate_select(select: &[String], spec: &Spec, mixed: bool) -> GraphResult<()> {
    for name in select {
        let known = if mixed && spec.properties.is_empty() {
            schema::is_directory_object_property(name)
        } else {
            spec.has_property(name)
        };
        if !known {
            return Err(GraphError::bad_request(
                spec.directory,
                format!("Could not find a property named '{name}' on type '{}'.", spec.type_name),
            ));
        }
    }
    Ok(())
}

fn validate_expand(ctx: &Ctx<'_>, expand: &[Expand], spec: &Spec) -> GraphResult<()> {
    for item in expand {
        if spec.expandable.contains(&item.property) {
            let target = super::versions::spec(expand_target_spec(&item.property), ctx.version);
            if let Some(select) = &item.select {
                validate_select(select, target, target.properties.is_empty())?;
            }
            if !item.expand.is_empty() {
                // Only the navigations the registry declares expand below the first level.
                if super::sets::navigation_spec(&item.property).is_none() {
                    return Err(GraphError::bad_request(
                        spec.directory,
                        "Query option '$expand' is not supported inside $expand.",
                    ));
                }
                validate_expand(ctx, &item.expand, target)?;
            }
            continue;
        }
        let message = if spec.has_property(&item.property) {
            format!(
                "Property '{}' on type '{}' is not a navigation property or complex property. Only navigation properties can be expanded.",
                item.property, spec.type_name
            )
        } else {
            format!("Could not find a property named '{}' on type '{}'.", item.property, spec.type_name)
        };
        return Err(GraphError::bad_request(spec.directory, message));
    }
    Ok(())
}

/// The type an expanded navigation property holds, for checking its nested `$select`.
fn expand_target_spec(property: &str) -> &'static Spec {
    match property {
        "manager" | "directReports" | "registeredOwners" | "registeredUsers" => &schema::USERS,
        // Lifecycle workflows: who a result is about, who created or changed a workflow.
        "subject" | "createdBy" | "lastModifiedBy" => &schema::USERS,
        "roleDefinition" => &schema::ROLE_DEFINITIONS,
        other => super::sets::navigation_spec(other).unwrap_or(&schema::DIRECTORY_OBJECTS),
    }
}

/// The types whose lists Graph filters with `contains` (on their display names).
const CONTAINS_TYPES: &[&str] = &[
    "microsoft.graph.accessPackage",
    "microsoft.graph.accessPackageCatalog",
    "microsoft.graph.customCalloutExtension",
];

fn uses_contains(expr: &Expr) -> bool {
    match expr {
        Expr::Contains { .. } => true,
        Expr::And(a, b) | Expr::Or(a, b) => uses_contains(a) || uses_contains(b),
        Expr::Not(inner) => uses_contains(inner),
        Expr::Any { body, .. } => body.as_deref().is_some_and(uses_contains),
        Expr::All { body, .. } => uses_contains(body),
        _ => false,
    }
}

fn short_type(spec: &Spec) -> String {
    let name = spec.type_name.rsplit('.').next().unwrap_or(spec.type_name);
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn uses_endswith(expr: &Expr) -> bool {
    match expr {
        Expr::EndsWith { .. } => true,
        Expr::And(a, b) | Expr::Or(a, b) => uses_endswith(a) || uses_endswith(b),
        Expr::Not(inner) => uses_endswith(inner),
        Expr::Any { body, .. } => body.as_deref().is_some_and(uses_endswith),
        Expr::All { body, .. } => uses_endswith(body),
        _ => false,
    }
}

/// Runs filter, search and order; returns the matching rows.
pub fn select_rows<'a>(ctx: &Ctx<'_>, q: &QueryOptions, rows: Vec<Row<'a>>) -> Vec<Row<'a>> {
    let filter_paths = q.filter.as_ref().map(Expr::property_paths).unwrap_or_default();
    // `owners/$count` and `members/$count` read relationships, which the stored groups, apps and
    // service principals do not carry, so those filters see a copy with the relationship ids
    // attached.
    let needs_relationships = filter_paths.iter().any(|p| p.starts_with("owners") || p.starts_with("members"));
    let mut read: Vec<&str> = top_level(filter_paths.iter().map(String::as_str));
    if let Some(search) = &q.search {
        read.extend(search.properties());
    }
    let rows = rows.into_iter().filter(|row| {
        if q.filter.is_none() && q.search.is_none() {
            return true;
        }
        let value = row.item.partial(&read);
        let passes_filter = match &q.filter {
            None => true,
            Some(filter) if needs_relationships => evaluate(filter, &with_relationships(ctx.tenant, &value)),
            Some(filter) => evaluate(filter, &value),
        };
        passes_filter && q.search.as_ref().is_none_or(|s| search_matches(s, &value))
    });
    if q.orderby.is_empty() {
        return rows.collect();
    }
    // Sort keys are read once per row, not once per comparison.
    let sort_fields = top_level(q.orderby.iter().map(|o| o.path.as_str()));
    let mut keyed: Vec<(Vec<Value>, Row<'a>)> = rows
        .map(|row| {
            let value = row.item.partial(&sort_fields);
            let keys = q.orderby.iter().map(|o| read_path(&value, &o.path).clone()).collect();
            (keys, row)
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        q.orderby
            .iter()
            .zip(a.iter().zip(b))
            .map(|(o, (x, y))| {
                let order = compare_json(x, y);
                if o.descending { order.reverse() } else { order }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    keyed.into_iter().map(|(_, row)| row).collect()
}

/// The distinct first segments of property paths (`status/errorCode` → `status`).
fn top_level<'p>(paths: impl Iterator<Item = &'p str>) -> Vec<&'p str> {
    let mut out: Vec<&str> = Vec::new();
    for path in paths {
        let first = path.split('/').next().unwrap_or(path);
        if !out.contains(&first) {
            out.push(first);
        }
    }
    out
}

fn with_relationships(tenant: &Tenant, group: &Value) -> Value {
    let mut copy = group.clone();
    let id = group.get("id").and_then(Value::as_str).unwrap_or_default();
    let ids = |list: Option<&Vec<crate::demo::tenant::DirectoryRef>>| -> Value {
        list.map(|l| l.iter().map(|r| Value::from(r.id.clone())).collect()).unwrap_or_else(|| json!([]))
    };
    // Applications and service principals keep their owners as user ids.
    let user_ids = |list: Option<&Vec<String>>| -> Option<Value> {
        list.map(|l| l.iter().map(|id| Value::from(id.clone())).collect())
    };
    let owners = match tenant.group_owners.get(id) {
        Some(owners) => ids(Some(owners)),
        None => user_ids(tenant.application_owners.get(id))
            .or_else(|| user_ids(tenant.service_principal_owners.get(id)))
            .unwrap_or_else(|| json!([])),
    };
    if let Value::Object(map) = &mut copy {
        map.insert("owners".into(), owners);
        map.insert("members".into(), ids(tenant.group_members.get(id)));
    }
    copy
}

static NULL: Value = Value::Null;

fn read_path<'v>(value: &'v Value, path: &str) -> &'v Value {
    path.split('/').try_fold(value, |v, segment| v.get(segment)).unwrap_or(&NULL)
}

/// A page of a collection as Graph's JSON body.
pub fn page(ctx: &Ctx<'_>, q: &QueryOptions, spec: &Spec, rows: &[Row<'_>], mixed: bool) -> Value {
    let total = rows.len();
    let size = q.top.unwrap_or(DEFAULT_PAGE_SIZE);
    let start = q.skip.min(total);
    let end = start.saturating_add(size).min(total);
    let value: Vec<Value> = rows[start..end]
        .iter()
        .map(|row| shape(ctx, spec, &row.item.json(), row.kind, q.select.as_deref(), &q.expand, mixed))
        .collect();
    let mut body = Map::new();
    body.insert("@odata.context".into(), context_url(ctx, spec, q.select.as_deref()).into());
    if q.count {
        body.insert("@odata.count".into(), total.into());
    }
    if end < total {
        body.insert("@odata.nextLink".into(), next_link(ctx, q, end).into());
    }
    body.insert("value".into(), Value::Array(value));
    Value::Object(body)
}

/// A single object as Graph's JSON body.
pub fn single(ctx: &Ctx<'_>, q: &QueryOptions, spec: &Spec, row: &Row<'_>) -> Value {
    let mut value = shape(ctx, spec, &row.item.json(), row.kind, q.select.as_deref(), &q.expand, row.kind.is_some());
    if let Value::Object(map) = &mut value {
        map.insert("@odata.context".into(), format!("{}/$entity", context_url(ctx, spec, q.select.as_deref())).into());
    }
    value
}

fn context_url(ctx: &Ctx<'_>, spec: &Spec, select: Option<&[String]>) -> String {
    let mut url = format!("{}/{}/$metadata#{}", ctx.base_url, ctx.version, spec.entity_set);
    if let Some(select) = select {
        url.push('(');
        url.push_str(&select.join(","));
        url.push(')');
    }
    url
}

fn next_link(ctx: &Ctx<'_>, q: &QueryOptions, offset: usize) -> String {
    let mut pairs = q.raw_without_skiptoken.clone();
    pairs.push(format!("$skiptoken={}", encode_skiptoken(offset)));
    format!("{}{}?{}", ctx.base_url, ctx.raw_path, pairs.join("&"))
}

/// One item as the client sees it.
pub fn shape(
    ctx: &Ctx<'_>,
    spec: &Spec,
    value: &Value,
    kind: Option<ObjectKind>,
    select: Option<&[String]>,
    expand: &[Expand],
    mixed: bool,
) -> Value {
    let item_spec = kind.map(schema::of_kind).unwrap_or(spec);
    let Value::Object(source) = value else {
        return value.clone();
    };
    let mut out = Map::new();
    match select {
        Some(names) => {
            if let Some(id) = source.get("id") {
                out.insert("id".into(), id.clone());
            }
            for name in names {
                // In a mixed collection a property another kind lacks is left out, not null.
                if kind.is_some() && !item_spec.has_property(name) {
                    continue;
                }
                out.insert(name.clone(), source.get(name).cloned().unwrap_or(Value::Null));
            }
        }
        None => match item_spec.default_properties {
            Some(defaults) if ctx.version == "v1.0" => {
                for name in defaults.iter() {
                    out.insert(name.into(), source.get(name).cloned().unwrap_or(Value::Null));
                }
            }
            _ => {
                for (name, value) in source {
                    // `signInActivity` is only ever returned when selected, and a navigation
                    // property a row keeps (an entitlement's `catalog`, an assignment's
                    // `target`, a policy's `rules`) only when expanded.
                    if name != "signInActivity" && !item_spec.expandable.contains(name) {
                        out.insert(name.clone(), value.clone());
                    }
                }
            }
        },
    }
    if mixed && let Some(kind) = kind {
        out.insert("@odata.type".into(), kind.odata_type().into());
    }
    if spec.type_name == schema::SIGN_INS.type_name {
        sign_in_rules(ctx, &mut out);
    }
    // The tenant keeps beta's `isPrivileged` on every role definition; v1.0 does not know it.
    if spec.type_name == schema::ROLE_DEFINITIONS.type_name && ctx.version != "beta" {
        for name in schema::ROLE_DEFINITION_BETA_ONLY.iter() {
            out.remove(name);
        }
    }
    evolvable_risk_detail(ctx, &mut out);
    super::sets::lifecycle::evolvable_category(ctx, item_spec, &mut out);
    super::sets::posture_beta::evolvable(ctx, item_spec, &mut out);
    for item in expand {
        if let Some(expanded) = super::expand::expand(ctx, value, item) {
            out.insert(item.property.clone(), expanded);
        }
    }
    Value::Object(out)
}

/// `riskDetail` members added after `unknownFutureValue` (an admin confirming an account safe,
/// verdicts on service principals) read as `unknownFutureValue` without
/// `Prefer: include-unknown-enum-members`, on every resource that carries the property.
const EVOLVABLE_RISK_DETAILS: &[&str] = &[
    "m365DAdminDismissedDetection",
    "adminConfirmedServicePrincipalCompromised",
    "adminDismissedAllRiskForServicePrincipal",
    "userChangedPasswordOnPremises",
    "adminDismissedRiskForSignIn",
    "adminConfirmedAccountSafe",
    "adminConfirmedAgentSafe",
    "adminConfirmedAgentCompromised",
    "adminDismissedRiskForAgent",
];

fn evolvable_risk_detail(ctx: &Ctx<'_>, out: &mut Map<String, Value>) {
    if ctx.prefer_unknown_enum_members {
        return;
    }
    if let Some(detail) = out.get_mut("riskDetail")
        && detail.as_str().is_some_and(|d| EVOLVABLE_RISK_DETAILS.contains(&d))
    {
        *detail = Value::from("unknownFutureValue");
    }
}

/// Report-only results need `Prefer: include-unknown-enum-members`; applied policies are
/// hidden from callers without a Conditional Access reader role; beta's own properties are
/// left out on v1.0.
fn sign_in_rules(ctx: &Ctx<'_>, out: &mut Map<String, Value>) {
    // The log renders beta's properties too; v1.0 does not know them.
    if ctx.version == "v1.0" {
        for name in schema::SIGN_IN_BETA_ONLY.iter() {
            out.remove(name);
        }
    }
    if !ctx.show_ca_details {
        out.remove("appliedConditionalAccessPolicies");
        return;
    }
    if ctx.prefer_unknown_enum_members {
        return;
    }
    if let Some(Value::Array(policies)) = out.get_mut("appliedConditionalAccessPolicies") {
        for policy in policies {
            if let Some(result) = policy.get_mut("result")
                && result.as_str().is_some_and(|r| r.starts_with("reportOnly"))
            {
                *result = Value::from("unknownFutureValue");
            }
        }
    }
}
