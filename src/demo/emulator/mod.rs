//! The Graph emulator: an axum server on 127.0.0.1 answering Graph's paths under `/v1.0` and
//! `/beta` from the demo tenant, with Graph's authentication, query, consistency, paging and
//! error behaviour, writes, emulated latency, injected faults and hourly re-anchoring.
//!
//! Collections are entity sets declared in `sets/`; `routes.rs` resolves paths through them,
//! `listing.rs` runs the query options and paging, `writes.rs` plans and applies writes, and
//! `versions.rs` holds what only beta serves.
//!
//! # Adding a collection
//!
//! 1. Write its generator in the tenant area it belongs to (`tenant/<area>.rs`), as
//!    `pub fn name(g: &Generation<'_>) -> Vec<Value>` returning Graph JSON with an `id` on
//!    every row; make the area module visible to the emulator (`pub(in crate::demo) mod`).
//! 2. Add one [`sets::EntitySet`] to the `SETS` of the area's file in `sets/` (a new area
//!    is a new file there, listed in `sets::all`): its `path` below the version, a `spec`
//!    (`&Spec { … }` written in place, or a static in `schema.rs` when type casts or
//!    `$expand` refer to it too), `source: Source::Generated(tenant::<area>::name)`,
//!    `lookup: None`, `count_segment` (Graph has no `/$count` on logs, risk and policy sets),
//!    its `navigations`, `actions` and `writes` (`READ_ONLY`, `READ_WRITE`, or a `Writes`
//!    naming the read-only, required and stamped properties).
//!
//! Nothing else changes: the tenant generator builds the rows and stores them under the path;
//! the routes, query options, paging, `/$count`, writes and the registry-wide tests in
//! `tests.rs` pick the set up from the registry.
//!
//! # Writes
//!
//! The tenant is shared copy-on-write: a request reads an `Arc<Tenant>` snapshot, and a
//! write, under the write lock, changes the current tenant through `Arc::make_mut` (each
//! collection and relationship map has its own `Arc`, so only what the write touches is
//! copied, and only while a reader still holds it). Applied writes are journaled and
//! replayed on the tenant that hourly re-anchoring builds. A GET never writes, and a request
//! answered by an injected fault never reaches the tenant.

mod errors;
mod expand;
mod listing;
mod query;
mod routes;
mod schema;
pub(in crate::demo) mod sets;
mod versions;
mod what_if;
mod writes;

#[cfg(test)]
mod ca_tests;
#[cfg(test)]
mod pim_tests;
#[cfg(test)]
mod roles_tests;
#[cfg(test)]
mod sets_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod versions_tests;
#[cfg(test)]
mod writes_tests;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::DemoOptions;
use super::faults::{Fault, FaultInjector, parse_rules};
use super::tenant::{self, Tenant, format_instant};
use errors::{GraphError, GraphResult};
use listing::{Ctx, Row, Shape};
use routes::Resolved;
use sets::Run;
use writes::{Change, Write};

/// The largest request body accepted (What-If bodies are a few hundred bytes).
const MAX_BODY: usize = 1 << 20;

/// Roles whose holders see `appliedConditionalAccessPolicies` in sign-in logs.
const CA_READER_ROLES: &[&str] = &[
    "62e90394-69f5-4237-9190-012177145e10", // Global Administrator
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451", // Global Reader
    "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
    "5d6b6bb7-de71-4623-b4af-96380a352509", // Security Reader
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", // Conditional Access Administrator
];

/// Shared state of one emulator.
pub struct EmulatorState {
    opts: DemoOptions,
    live: RwLock<Live>,
    regenerating: AtomicBool,
    pub faults: FaultInjector,
    pub requests: AtomicU64,
    sequence: AtomicU64,
    /// Objects created so far, for their ids.
    created: AtomicU64,
    started: Instant,
    pub base_url: String,
}

/// The tenant being served and the writes applied to it since the emulator started.
struct Live {
    tenant: Arc<Tenant>,
    journal: Vec<Write>,
}

impl EmulatorState {
    pub fn new(opts: DemoOptions, tenant: Tenant, base_url: String) -> EmulatorState {
        EmulatorState {
            opts,
            live: RwLock::new(Live { tenant: Arc::new(tenant), journal: Vec::new() }),
            regenerating: AtomicBool::new(false),
            faults: FaultInjector::default(),
            requests: AtomicU64::new(0),
            sequence: AtomicU64::new(0),
            created: AtomicU64::new(0),
            started: Instant::now(),
            base_url,
        }
    }

    // A panic cannot leave `Live` half-changed (a write changes a copy-on-write tenant and is
    // journaled only once it succeeded), so a poisoned lock is still safe to use.
    fn read_live(&self) -> RwLockReadGuard<'_, Live> {
        self.live.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_live(&self) -> RwLockWriteGuard<'_, Live> {
        self.live.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn snapshot(&self) -> Arc<Tenant> {
        self.read_live().tenant.clone()
    }

    /// Writes applied since the emulator started.
    pub fn writes_applied(&self) -> usize {
        self.read_live().journal.len()
    }

    /// The tenant to answer from; with a floating anchor, rebuilt once the anchor is more than
    /// an hour old so "the last 48 hours" keeps finding the story.
    async fn current_tenant(&self) -> Arc<Tenant> {
        let tenant = self.snapshot();
        let stale = self.opts.now.is_none() && Utc::now() - tenant.anchor > chrono::Duration::hours(1);
        if !stale {
            return tenant;
        }
        self.regenerate().await.unwrap_or(tenant)
    }

    /// Builds the tenant again at a fresh anchor (the pinned one, if pinned) and replays the
    /// journal on it, so writes outlive re-anchoring. `None` when another request is already
    /// rebuilding it or the generator failed.
    async fn regenerate(&self) -> Option<Arc<Tenant>> {
        if self.regenerating.swap(true, Ordering::AcqRel) {
            return None;
        }
        let opts = self.opts.clone();
        let fresh = tokio::task::spawn_blocking(move || tenant::generate(&opts)).await;
        let result = fresh.ok().map(|mut fresh| {
            // Replayed under the lock, so a write that arrives meanwhile is not lost.
            let mut live = self.write_live();
            for write in &live.journal {
                // A write that no longer applies is one Graph would refuse now; it is skipped.
                let _ = write.apply(&mut fresh);
            }
            live.tenant = Arc::new(fresh);
            live.tenant.clone()
        });
        self.regenerating.store(false, Ordering::Release);
        result
    }

    /// Applies a write to the current tenant and journals it.
    fn apply(&self, change: Change) -> GraphResult<Option<Value>> {
        let write = Write { change, at: format_instant(self.now()) };
        let mut live = self.write_live();
        let outcome = write.apply(Arc::make_mut(&mut live.tenant))?;
        live.journal.push(write);
        Ok(outcome)
    }

    /// The emulator's clock: the current time, or with a pinned anchor the pinned instant plus
    /// the time the emulator has been running, so the story's "now" still moves forward.
    fn now(&self) -> DateTime<Utc> {
        match self.opts.now {
            Some(pinned) => pinned + chrono::Duration::from_std(self.started.elapsed()).unwrap_or_default(),
            None => Utc::now(),
        }
    }

    /// The id of the next created object: UUIDv5 of a per-emulator counter, the same in every run.
    fn next_object_id(&self) -> String {
        tenant::created_object_id(self.created.fetch_add(1, Ordering::Relaxed))
    }

    /// A fresh request id; UUIDv5 of a per-emulator counter keeps ids unique and reproducible.
    fn next_request_id(&self) -> String {
        let n = self.sequence.fetch_add(1, Ordering::Relaxed);
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("{}/request/{n}", self.base_url).as_bytes()).to_string()
    }
}

/// The emulator's router.
pub fn router(state: Arc<EmulatorState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

/// The ids every response carries.
struct RequestIds {
    request_id: String,
    client_request_id: String,
}

/// Why a request is refused before it is read: the emulator answers only the process that
/// started it, on loopback. A browser page must not reach it — by DNS rebinding (a foreign
/// `Host`), by a cross-site request (any `Origin`), or by a form post (a body that is not JSON,
/// which needs no preflight).
fn refused(state: &EmulatorState, parts: &axum::http::request::Parts) -> Option<(StatusCode, &'static str)> {
    let own = state.base_url.trim_start_matches("http://");
    let port = own.rsplit_once(':').map(|(_, p)| p).unwrap_or_default();
    let host = parts.headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !(host.eq_ignore_ascii_case(own) || host.eq_ignore_ascii_case(&format!("localhost:{port}"))) {
        return Some((StatusCode::FORBIDDEN, "the demo Graph emulator answers its own loopback address only"));
    }
    if parts.headers.contains_key(header::ORIGIN) {
        return Some((StatusCode::FORBIDDEN, "the demo Graph emulator answers no browser origin"));
    }
    let has_body =
        parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).is_some_and(|n| n.trim() != "0")
            || parts.headers.contains_key(header::TRANSFER_ENCODING);
    let json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("application/json"));
    if has_body && !json {
        return Some((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the demo Graph emulator accepts application/json bodies only",
        ));
    }
    None
}

async fn handle(State(state): State<Arc<EmulatorState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Some((status, why)) = refused(&state, &parts) {
        return (status, why).into_response();
    }
    let path = parts.uri.path().to_string();
    if path.starts_with("/_emulator/") {
        if !state.opts.control {
            return (StatusCode::NOT_FOUND, "fault injection over HTTP was not enabled at start").into_response();
        }
        let body = axum::body::to_bytes(body, MAX_BODY).await.unwrap_or_default();
        return control(&state, &parts.method, &path, &body);
    }
    state.requests.fetch_add(1, Ordering::Relaxed);
    let request_id = state.next_request_id();
    let ids = RequestIds {
        client_request_id: parts
            .headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| request_id.clone()),
        request_id,
    };
    let path_and_query = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    if let Some(fault) = state.faults.take(&path_and_query) {
        match fault {
            Fault::Throttle { retry_after } => return error_response(&GraphError::throttled(retry_after), &ids),
            Fault::ServiceUnavailable => return error_response(&GraphError::service_unavailable(), &ids),
            Fault::GatewayTimeout => return error_response(&GraphError::gateway_timeout(), &ids),
            Fault::Delay { ms } => tokio::time::sleep(Duration::from_millis(ms)).await,
            Fault::Reset => return reset_connection(),
            Fault::MalformedJson => return malformed_json(&ids),
        }
    }
    if state.opts.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(state.opts.latency_ms)).await;
    }
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        Err(_) => return error_response(&GraphError::bad_request(false, "The request body is too large."), &ids),
    };
    let tenant = state.current_tenant().await;
    match answer(&state, &tenant, &parts.method, &path, parts.uri.query(), &parts.headers, &body) {
        Ok(Answer::Json(status, value)) => json_response(status, &value, &ids),
        Ok(Answer::Count(n)) => {
            let mut response = (StatusCode::OK, n.to_string()).into_response();
            add_ids(response.headers_mut(), &ids);
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            response
        }
        Ok(Answer::NoContent) => {
            let mut response = StatusCode::NO_CONTENT.into_response();
            add_ids(response.headers_mut(), &ids);
            response
        }
        Err(error) => error_response(&error, &ids),
    }
}

enum Answer {
    Json(StatusCode, Value),
    Count(usize),
    NoContent,
}

fn answer(
    state: &EmulatorState,
    tenant: &Tenant,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
) -> GraphResult<Answer> {
    let raw_segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (version, rest) = match raw_segments.split_first() {
        Some((v @ (&"v1.0" | &"beta"), rest)) => (*v, rest),
        Some((other, _)) if other.starts_with('v') && other.contains('.') => {
            return Err(GraphError::bad_request(false, format!("Invalid version: {other}")));
        }
        Some((other, _)) => return Err(GraphError::no_route(other)),
        None => return Err(GraphError::no_route("")),
    };
    let caller = authenticate(tenant, headers)?;
    let decoded: Vec<String> = rest
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode(s))
        .collect::<Option<_>>()
        .ok_or_else(|| GraphError::bad_request(false, "The request path is not valid UTF-8 after decoding."))?;
    let segments: Vec<&str> = decoded.iter().map(String::as_str).collect();
    if version == "v1.0" && sets::beta_only(&segments) {
        return Err(GraphError::no_route(segments.last().copied().unwrap_or_default()));
    }
    let eventual = header_is(headers, "consistencylevel", "eventual");
    let resolved = match versions::resolve(tenant, version, &segments, query, eventual) {
        Some(resolved) => resolved?,
        None => routes::resolve(tenant, &caller, version, &segments)?,
    };

    let roles = tenant.active_roles(&caller);
    let ctx = Ctx {
        tenant,
        version,
        base_url: &state.base_url,
        raw_path: path,
        consistency_eventual: header_is(headers, "consistencylevel", "eventual"),
        prefer_unknown_enum_members: headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|p| p.trim().eq_ignore_ascii_case("include-unknown-enum-members"))),
        show_ca_details: roles.iter().any(|r| CA_READER_ROLES.contains(&r.as_str())),
    };
    // An area's own path: its write when the method is the one it takes, else what it reads.
    let resolved = match resolved {
        Resolved::Area { read, write } => {
            if let Some(write) = write.filter(|w| w.method == method) {
                query::parse(query, false)?;
                let at = format_instant(state.now());
                let call = writes::AreaCall { ids: &write.ids, body, caller: &caller, at: &at };
                state.apply((write.plan)(&call)?)?;
                return Ok(Answer::NoContent);
            }
            *read.ok_or_else(GraphError::method_not_allowed)?
        }
        other => other,
    };
    match resolved {
        Resolved::Area { .. } => Err(GraphError::method_not_allowed()),
        Resolved::Evaluate => {
            if method != Method::POST {
                return Err(GraphError::method_not_allowed());
            }
            query::parse(query, false)?;
            Ok(Answer::Json(StatusCode::OK, what_if::evaluate(&ctx, body)?))
        }
        Resolved::GetByIds => {
            if method != Method::POST {
                return Err(GraphError::method_not_allowed());
            }
            let q = query::parse(query, true)?;
            Ok(Answer::Json(StatusCode::OK, sets::get_by_ids(&ctx, q, body)?))
        }
        Resolved::Computed(mut value) => {
            if method != Method::GET {
                return Err(GraphError::method_not_allowed());
            }
            let q = query::parse(query, false)?;
            if q.has_collection_options() || q.select.is_some() || !q.expand.is_empty() {
                return Err(GraphError::bad_request(false, "Query options are not supported on this function."));
            }
            if let Value::Object(map) = &mut value {
                let kind = map.get("@odata.type").and_then(Value::as_str).unwrap_or_default().trim_start_matches('#');
                let context = format!("{}/{}/$metadata#{kind}", state.base_url, version);
                map.insert("@odata.context".into(), context.into());
            }
            Ok(Answer::Json(StatusCode::OK, value))
        }
        Resolved::Action { set, id, action } => {
            if method != Method::POST {
                return Err(GraphError::method_not_allowed());
            }
            query::parse(query, set.spec.directory)?;
            match action.run {
                Run::Query(run) => Ok(Answer::Json(StatusCode::OK, run(&ctx, &id, body)?)),
                Run::OnCollection { .. } => Err(GraphError::no_route(action.name)),
                // An action Graph answers with no content (`roleAssignmentScheduleRequests/{id}/cancel`).
                Run::Change { apply, returns: "" } => {
                    state.apply(Change::Act { id, apply })?;
                    Ok(Answer::NoContent)
                }
                Run::WithBody { plan, apply } => {
                    let planned = plan(tenant, &id, body)?;
                    state.apply(Change::ActWithBody { id, planned, apply })?;
                    Ok(Answer::NoContent)
                }
                Run::Change { apply, returns } => {
                    let value = state.apply(Change::Act { id, apply })?.unwrap_or(Value::Null);
                    Ok(Answer::Json(
                        StatusCode::OK,
                        serde_json::json!({
                            "@odata.context": format!("{}/{}/$metadata#{returns}", state.base_url, version),
                            "value": value,
                        }),
                    ))
                }
            }
        }
        Resolved::CollectionAction { set, action } => {
            if method != Method::POST {
                return Err(GraphError::method_not_allowed());
            }
            query::parse(query, set.spec.directory)?;
            let Run::OnCollection { ids, max, apply } = action.run else {
                return Err(GraphError::no_route(action.name));
            };
            let now = format_instant(state.now());
            state.apply(writes::plan_on_collection(set, ids, max, apply, body, &caller, &now)?)?;
            Ok(Answer::NoContent)
        }
        Resolved::ComputedRows { spec, rows, filtered } => {
            if method != Method::GET {
                return Err(GraphError::method_not_allowed());
            }
            let mut q = query::parse(query, spec.directory)?;
            listing::validate_collection(&ctx, &q, spec, false, Shape::Page)?;
            if filtered {
                q.filter = None;
            }
            let rows = listing::select_rows(&ctx, &q, rows.iter().map(Row::plain).collect());
            Ok(Answer::Json(StatusCode::OK, listing::page(&ctx, &q, spec, &rows, false)))
        }
        Resolved::List { spec, rows, mixed, shape, set } => match (method, set) {
            (&Method::GET, set) => {
                let q = query::parse(query, spec.directory)?;
                let spec = versions::spec(spec, version);
                listing::validate_collection(&ctx, &q, spec, mixed, shape)?;
                if let Some(set) = set {
                    sets::check_scope_filter(set, &q)?;
                }
                let rows = versions::rows(tenant, spec, q.filter.as_ref(), rows);
                let rows = listing::select_rows(&ctx, &q, rows);
                match shape {
                    Shape::CountSegment => Ok(Answer::Count(rows.len())),
                    Shape::Page => Ok(Answer::Json(StatusCode::OK, listing::page(&ctx, &q, spec, &rows, mixed))),
                }
            }
            (&Method::POST, Some(set)) if set.writes.create => {
                query::parse(query, spec.directory)?;
                let now = format_instant(state.now());
                let change = match set.writes.create_with {
                    Some(apply) => {
                        let call = sets::CreateCall {
                            id: state.next_object_id(),
                            body: serde_json::Map::new(),
                            caller: caller.clone(),
                            claims: sets::token_claims(headers),
                            at: now,
                        };
                        writes::plan_create_with(tenant, set, apply, body, call)?
                    }
                    None => writes::plan_create(tenant, set, body, state.next_object_id(), &now)?,
                };
                let created = state.apply(change)?.unwrap_or(Value::Null);
                let q = query::QueryOptions::default();
                Ok(Answer::Json(StatusCode::CREATED, listing::single(&ctx, &q, spec, &Row::plain(&created))))
            }
            _ => Err(GraphError::method_not_allowed()),
        },
        Resolved::Item { spec, row, set } => match (method, set) {
            (&Method::GET, _) => {
                let q = query::parse(query, spec.directory)?;
                let spec = versions::spec(spec, version);
                listing::validate_single(&ctx, &q, spec, row.kind.is_some())?;
                Ok(Answer::Json(StatusCode::OK, listing::single(&ctx, &q, spec, &row)))
            }
            (&Method::PATCH, Some(set)) if set.writes.update => {
                query::parse(query, spec.directory)?;
                let change = writes::plan_update(set, &row.item.json(), body)?;
                state.apply(change)?;
                Ok(Answer::NoContent)
            }
            (&Method::DELETE, Some(set)) if set.writes.delete => {
                query::parse(query, spec.directory)?;
                let id = row.item.json().get("id").and_then(Value::as_str).unwrap_or_default().to_string();
                state.apply(Change::Delete { set, id })?;
                Ok(Answer::NoContent)
            }
            _ => Err(GraphError::method_not_allowed()),
        },
        Resolved::Ref { set, id, navigation, member } => {
            query::parse(query, true)?;
            let change = match (method, member) {
                (&Method::POST, None) => writes::plan_add_ref(set, id, navigation, body)?,
                (&Method::DELETE, Some(member)) => Change::RemoveRef { set, id, navigation, member },
                _ => return Err(GraphError::method_not_allowed()),
            };
            state.apply(change)?;
            Ok(Answer::NoContent)
        }
    }
}

/// The caller's object id. The demo token source sends `Bearer demo:<object id>`; any other
/// bearer token stands for the default persona.
fn authenticate(tenant: &Tenant, headers: &HeaderMap) -> GraphResult<String> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default().trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => "",
    };
    if token.is_empty() {
        return Err(GraphError::unauthenticated("Access token is empty."));
    }
    match token.strip_prefix("demo:") {
        // `demo:<object id>#acrs=c1`: the claims part is read by `sets::token_claims`.
        Some(id) => {
            let id = id.split('#').next().unwrap_or_default();
            tenant.user(id).and_then(|u| u.get("id").and_then(Value::as_str)).map(str::to_string).ok_or_else(|| {
                GraphError::unauthenticated("Access token validation failure: the token names no user of this tenant.")
            })
        }
        None => Ok(tenant::persona_id()),
    }
}

fn header_is(headers: &HeaderMap, name: &str, expected: &str) -> bool {
    headers.get(name).and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

/// Percent-decodes one path segment (`%23EXT%23` → `#EXT#`); `None` if the result is not UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn add_ids(headers: &mut HeaderMap, ids: &RequestIds) {
    for (name, value) in [("request-id", &ids.request_id), ("client-request-id", &ids.client_request_id)] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
}

fn json_response(status: StatusCode, value: &Value, ids: &RequestIds) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
        ),
    );
    headers.insert("odata-version", HeaderValue::from_static("4.0"));
    add_ids(headers, ids);
    response
}

fn error_response(error: &GraphError, ids: &RequestIds) -> Response {
    let date = format_instant(Utc::now());
    let body = error.body(&date, &ids.request_id, &ids.client_request_id);
    let mut response = json_response(error.status, &body, ids);
    if let Some(seconds) = error.retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Drops the connection without an answer: the body stream fails before its first byte,
/// which makes the server abort the connection.
fn reset_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected reset"))
    });
    Response::new(Body::from_stream(failing))
}

fn malformed_json(ids: &RequestIds) -> Response {
    let mut response =
        (StatusCode::OK, "{\"@odata.context\":\"$metadata#users\",\"value\":[{\"id\":\"7c1e52a0").into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    add_ids(response.headers_mut(), ids);
    response
}

/// `POST /_emulator/faults` (queue rules), `DELETE /_emulator/faults` (clear),
/// `GET /_emulator/faults` (how many rules are pending).
fn control(state: &EmulatorState, method: &Method, path: &str, body: &[u8]) -> Response {
    if path != "/_emulator/faults" {
        return (StatusCode::NOT_FOUND, "unknown emulator control path").into_response();
    }
    match *method {
        Method::POST => match parse_rules(body) {
            Ok(rules) => {
                for rule in rules {
                    state.faults.push(rule);
                }
                StatusCode::NO_CONTENT.into_response()
            }
            Err(message) => {
                (StatusCode::BAD_REQUEST, axum::Json(serde_json::json!({"error": message}))).into_response()
            }
        },
        Method::DELETE => {
            state.faults.clear();
            StatusCode::NO_CONTENT.into_response()
        }
        Method::GET => axum::Json(serde_json::json!({"pending": state.faults.pending()})).into_response(),
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}
