//! The Graph emulator: an axum server on 127.0.0.1 answering Graph's paths under `/v1.0` and
//! `/beta` from the demo tenant, with Graph's authentication, query, consistency, paging and
//! error behaviour, plus emulated latency, injected faults and hourly re-anchoring.

mod errors;
mod expand;
mod listing;
mod query;
mod routes;
mod schema;
mod what_if;

#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::Value;

use super::DemoOptions;
use super::faults::{Fault, FaultInjector, parse_rules};
use super::tenant::{self, Tenant, format_instant};
use errors::{GraphError, GraphResult};
use listing::{Ctx, Shape};
use routes::Resolved;

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
    tenant: RwLock<Arc<Tenant>>,
    regenerating: AtomicBool,
    pub faults: FaultInjector,
    pub requests: AtomicU64,
    sequence: AtomicU64,
    pub base_url: String,
}

impl EmulatorState {
    pub fn new(opts: DemoOptions, tenant: Tenant, base_url: String) -> EmulatorState {
        EmulatorState {
            opts,
            tenant: RwLock::new(Arc::new(tenant)),
            regenerating: AtomicBool::new(false),
            faults: FaultInjector::default(),
            requests: AtomicU64::new(0),
            sequence: AtomicU64::new(0),
            base_url,
        }
    }

    fn snapshot(&self) -> Arc<Tenant> {
        match self.tenant.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The tenant to answer from; with a floating anchor, rebuilt once the anchor is more than
    /// an hour old so "the last 48 hours" keeps finding the story.
    async fn current_tenant(&self) -> Arc<Tenant> {
        let tenant = self.snapshot();
        let stale = self.opts.now.is_none() && Utc::now() - tenant.anchor > chrono::Duration::hours(1);
        if !stale || self.regenerating.swap(true, Ordering::AcqRel) {
            return tenant;
        }
        let opts = self.opts.clone();
        let fresh = tokio::task::spawn_blocking(move || tenant::generate(&opts)).await;
        let result = match fresh {
            Ok(fresh) => {
                let fresh = Arc::new(fresh);
                match self.tenant.write() {
                    Ok(mut guard) => *guard = fresh.clone(),
                    Err(poisoned) => *poisoned.into_inner() = fresh.clone(),
                }
                fresh
            }
            Err(_) => tenant,
        };
        self.regenerating.store(false, Ordering::Release);
        result
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

async fn handle(State(state): State<Arc<EmulatorState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    if path.starts_with("/_emulator/") {
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
        Err(error) => error_response(&error, &ids),
    }
}

enum Answer {
    Json(StatusCode, Value),
    Count(usize),
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
    let resolved = routes::resolve(tenant, &caller, &segments)?;

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
    match resolved {
        Resolved::Evaluate => {
            if method != Method::POST {
                return Err(GraphError::method_not_allowed());
            }
            query::parse(query, false)?;
            Ok(Answer::Json(StatusCode::OK, what_if::evaluate(&ctx, body)?))
        }
        Resolved::CheckMemberGroups(user_id) => {
            if method != Method::POST {
                return Err(GraphError::method_not_allowed());
            }
            query::parse(query, true)?;
            Ok(Answer::Json(StatusCode::OK, check_member_groups(&ctx, &user_id, body)?))
        }
        Resolved::List { spec, rows, mixed, shape } => {
            if method != Method::GET {
                return Err(GraphError::method_not_allowed());
            }
            let q = query::parse(query, spec.directory)?;
            listing::validate_collection(&ctx, &q, spec, mixed, shape)?;
            let rows = listing::select_rows(&ctx, &q, rows);
            match shape {
                Shape::CountSegment => Ok(Answer::Count(rows.len())),
                Shape::Page => Ok(Answer::Json(StatusCode::OK, listing::page(&ctx, &q, spec, &rows, mixed))),
            }
        }
        Resolved::Item { spec, row } => {
            if method != Method::GET {
                return Err(GraphError::method_not_allowed());
            }
            let q = query::parse(query, spec.directory)?;
            listing::validate_single(&ctx, &q, spec, row.kind.is_some())?;
            Ok(Answer::Json(StatusCode::OK, listing::single(&ctx, &q, spec, &row)))
        }
    }
}

/// Which of the given groups the user belongs to, directly or through nesting.
fn check_member_groups(ctx: &Ctx<'_>, user_id: &str, body: &[u8]) -> GraphResult<Value> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| GraphError::bad_request(true, format!("Invalid request body: {e}")))?;
    let asked: Vec<&str> = request
        .get("groupIds")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_str).collect())
        .ok_or_else(|| GraphError::bad_request(true, "groupIds is required."))?;
    let groups = ctx.tenant.transitive_member_of(user_id);
    let found: Vec<&str> = asked.into_iter().filter(|id| groups.iter().any(|g| g.eq_ignore_ascii_case(id))).collect();
    Ok(serde_json::json!({
        "@odata.context": format!("{}/{}/$metadata#Collection(Edm.String)", ctx.base_url, ctx.version),
        "value": found,
    }))
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
        Some(id) => {
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
