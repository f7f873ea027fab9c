//! `GraphClient`: every call to Microsoft Graph goes through here.
//!
//! It asks the [`TokenSource`] for the caller's Graph token, sends the request, follows
//! `@odata.nextLink` up to the skill's cap, retries throttling (429, honouring `Retry-After`)
//! and, for idempotent requests, 503/504 and dropped connections, within a bounded total wait;
//! and it maps Graph's errors to [`SkillError`]s. Every request is recorded (method, version,
//! path, query, headers, status, request-id — never the token) so a skill's answer can show an
//! admin exactly what was asked of Graph.

pub mod error;
pub mod odata;
pub mod permission_ids;
pub mod resources;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::auth::{Caller, TokenSource};
use crate::error::{ErrorKind, SkillError};
pub use error::map_graph_error;
pub use odata::{Query, segment};

/// Graph API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    Beta,
}

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

/// Builds a path from a template with `{}` placeholders, percent-encoding each argument as one
/// segment: `path("/users/{}/memberOf", &[upn])`.
pub fn path(template: &'static str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 40);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        out.push_str(&segment(args.next().copied().unwrap_or_default()));
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// One request to Graph.
#[derive(Debug, Clone)]
pub struct GraphRequest {
    method: Method,
    version: ApiVersion,
    path: String,
    query: Query,
    eventual: bool,
    prefer_unknown_enums: bool,
    read_only: bool,
    body: Option<Value>,
}

impl GraphRequest {
    /// A GET of `path` (built with [`path`]) on v1.0.
    pub fn get(path: impl Into<String>) -> Self {
        GraphRequest {
            method: Method::GET,
            version: ApiVersion::V1,
            path: path.into(),
            query: Query::new(),
            eventual: false,
            prefer_unknown_enums: false,
            read_only: false,
            body: None,
        }
    }

    /// A POST of a JSON body.
    pub fn post(path: impl Into<String>, body: Value) -> Self {
        GraphRequest { method: Method::POST, body: Some(body), ..GraphRequest::get(path) }
    }

    /// A PATCH of a JSON body (an update).
    pub fn patch(path: impl Into<String>, body: Value) -> Self {
        GraphRequest { method: Method::PATCH, body: Some(body), ..GraphRequest::get(path) }
    }

    /// A DELETE.
    pub fn delete(path: impl Into<String>) -> Self {
        GraphRequest { method: Method::DELETE, ..GraphRequest::get(path) }
    }

    /// `POST v1.0 /users/…`: the request as a preview shows it.
    pub fn describe(&self) -> String {
        let query = self.query.display();
        let query = if query.is_empty() { String::new() } else { format!("?{query}") };
        match &self.body {
            Some(body) => format!("{} {} {}{query} {body}", self.method, self.version.as_str(), self.path),
            None => format!("{} {} {}{query}", self.method, self.version.as_str(), self.path),
        }
    }

    pub fn beta(mut self) -> Self {
        self.version = ApiVersion::Beta;
        self
    }

    pub fn query(mut self, query: Query) -> Self {
        self.eventual |= query.is_advanced();
        self.query = query;
        self
    }

    /// Sends `ConsistencyLevel: eventual` (needed for `$count`, `$search`, `ne`, `not`, …).
    pub fn eventual(mut self) -> Self {
        self.eventual = true;
        self
    }

    /// Sends `Prefer: include-unknown-enum-members` (needed for report-only CA results).
    pub fn prefer_unknown_enums(mut self) -> Self {
        self.prefer_unknown_enums = true;
        self
    }

    /// Marks a POST that changes nothing (`conditionalAccess/evaluate`, `getByIds`), so it may
    /// be retried like a GET.
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Only idempotent requests are retried after 503/504 or a dropped connection; a write is
    /// retried only after 429, which Graph sends before doing anything.
    fn idempotent(&self) -> bool {
        self.method == Method::GET || self.read_only
    }
}

/// One request as the admin sees it in `graph_requests` — method, version, path, query and the
/// headers that change Graph's behaviour, enough to replay it — plus what the audit log keeps
/// and the answer leaves out (status, request-id, pages read).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct GraphCall {
    pub method: String,
    /// `v1.0` or `beta`.
    pub version: String,
    pub path: String,
    /// The decoded query, e.g. `$filter=userId eq '…'&$top=25`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// `ConsistencyLevel` / `Prefer` headers sent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    #[serde(skip)]
    pub status: u16,
    #[serde(skip)]
    pub request_id: Option<String>,
    /// Pages fetched through `@odata.nextLink` (when more than one).
    #[serde(skip)]
    pub pages: Option<u32>,
}

/// Limits for talking to Graph.
#[derive(Debug, Clone)]
pub struct GraphSettings {
    /// `https://graph.microsoft.com` or a national cloud, or the demo emulator.
    pub base_url: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries after 429/503/504 before giving up.
    pub max_retries: u32,
    /// The most the client will wait across all retries of one request.
    pub max_retry_wait: Duration,
    /// Backoff before the first retry when Graph sends no `Retry-After`.
    pub initial_backoff: Duration,
}

impl Default for GraphSettings {
    fn default() -> Self {
        GraphSettings {
            base_url: "https://graph.microsoft.com".into(),
            timeout: Duration::from_secs(30),
            max_retries: 3,
            max_retry_wait: Duration::from_secs(30),
            initial_backoff: Duration::from_millis(500),
        }
    }
}

/// A page-capped list result.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `@odata.count` when Graph returned it.
    pub total: Option<u64>,
    /// More items exist beyond the cap.
    pub more: bool,
}

/// What is shared by every caller: the HTTP connection pool, the token source, the limits.
pub struct GraphService {
    http: reqwest::Client,
    settings: GraphSettings,
    tokens: Arc<dyn TokenSource>,
}

impl GraphService {
    pub fn new(settings: GraphSettings, tokens: Arc<dyn TokenSource>) -> anyhow::Result<Arc<Self>> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("entra-mcp/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Arc::new(GraphService { http, settings, tokens }))
    }

    pub fn base_url(&self) -> &str {
        &self.settings.base_url
    }

    /// A client bound to one caller, with its own request record.
    pub fn bind(self: &Arc<Self>, caller: Arc<Caller>) -> GraphClient {
        GraphClient { service: self.clone(), caller, calls: Arc::new(Mutex::new(Vec::new())) }
    }
}

/// A Graph client bound to one caller for one tool call. Cheap to clone; clones share the
/// request record, so concurrent calls of a composite skill are all listed.
#[derive(Clone)]
pub struct GraphClient {
    service: Arc<GraphService>,
    caller: Arc<Caller>,
    calls: Arc<Mutex<Vec<GraphCall>>>,
}

/// A successful response.
struct Response {
    body: String,
    status: u16,
    request_id: Option<String>,
}

impl GraphClient {
    /// The requests made so far, in the order they completed.
    pub fn calls(&self) -> Vec<GraphCall> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// GET (or POST) one object and deserialise it.
    pub async fn get<T: DeserializeOwned>(&self, request: GraphRequest) -> Result<T, SkillError> {
        let response = self.fetch(&request, &self.url(&request), 1).await?;
        self.record(&request, response.status, response.request_id.clone(), 1);
        parse_json(&response)
    }

    /// A change (POST, PATCH, DELETE): Graph's answer when it has a body (a 204 has none).
    /// Never retried except after 429, which Graph sends before doing anything.
    pub async fn write(&self, request: GraphRequest) -> Result<Option<Value>, SkillError> {
        let response = self.fetch(&request, &self.url(&request), 1).await?;
        self.record(&request, response.status, response.request_id.clone(), 1);
        if response.body.trim().is_empty() {
            return Ok(None);
        }
        parse_json(&response).map(Some)
    }

    /// A `/$count` request: Graph answers with a bare number.
    pub async fn count(&self, request: GraphRequest) -> Result<u64, SkillError> {
        let request = request.eventual();
        let response = self.fetch(&request, &self.url(&request), 1).await?;
        self.record(&request, response.status, response.request_id.clone(), 1);
        response
            .body
            .trim()
            .trim_start_matches('\u{feff}')
            .parse::<u64>()
            .map_err(|_| upstream_shape("a count", response.request_id.clone()))
    }

    /// GET a collection, following `@odata.nextLink` until `cap` items are in hand. The record
    /// shows the first page's status and request-id and how many pages were read; a page that
    /// fails (or is not JSON) is recorded as the failure it is.
    pub async fn list<T: DeserializeOwned>(&self, request: GraphRequest, cap: usize) -> Result<Page<T>, SkillError> {
        let mut url = self.url(&request);
        let mut items: Vec<T> = Vec::new();
        let mut total = None;
        let mut first: Option<(u16, Option<String>)> = None;
        let mut pages = 0u32;
        let more = loop {
            pages += 1;
            let response = self.fetch(&request, &url, pages).await?;
            let page: CollectionPage<T> = parse_json(&response).map_err(|e| self.failed(&request, e, pages))?;
            total = total.or(page.count);
            first.get_or_insert((response.status, response.request_id));
            items.extend(page.value);
            match page.next_link {
                Some(next) if items.len() < cap => {
                    // Never send the caller's token anywhere but Graph itself.
                    if !next.starts_with(&self.service.settings.base_url) {
                        return Err(SkillError::new(
                            ErrorKind::Upstream,
                            "Graph returned a nextLink to another host; refusing to follow it",
                        ));
                    }
                    url = next;
                }
                Some(_) => break true,
                None => break items.len() > cap,
            }
        };
        items.truncate(cap);
        let (status, request_id) = first.unwrap_or((200, None));
        self.record(&request, status, request_id, pages);
        Ok(Page { items, total, more })
    }

    fn url(&self, request: &GraphRequest) -> String {
        let base = &self.service.settings.base_url;
        let query = request.query.encode();
        if query.is_empty() {
            format!("{base}/{}{}", request.version.as_str(), request.path)
        } else {
            format!("{base}/{}{}?{query}", request.version.as_str(), request.path)
        }
    }

    /// Adds one request to the record the admin is shown.
    fn record(&self, request: &GraphRequest, status: u16, request_id: Option<String>, pages: u32) {
        let mut headers = Vec::new();
        if request.eventual {
            headers.push("ConsistencyLevel: eventual".to_string());
        }
        if request.prefer_unknown_enums {
            headers.push("Prefer: include-unknown-enum-members".to_string());
        }
        let call = GraphCall {
            method: request.method.to_string(),
            version: request.version.as_str().to_string(),
            path: request.path.clone(),
            query: request.query.display(),
            headers,
            status,
            request_id,
            pages: (pages > 1).then_some(pages),
        };
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(call);
        }
    }

    /// Records a request that failed (so the admin sees which one broke) and hands the error on.
    fn failed(&self, request: &GraphRequest, error: SkillError, pages: u32) -> SkillError {
        let graph = error.graph.as_deref();
        self.record(request, graph.map(|g| g.status).unwrap_or(0), graph.and_then(|g| g.request_id.clone()), pages);
        error
    }

    /// Sends one request and records it.
    async fn fetch(&self, request: &GraphRequest, url: &str, pages: u32) -> Result<Response, SkillError> {
        let response = self.send(request, url).await.map_err(|e| self.failed(request, e, pages))?;
        Ok(response)
    }

    /// Sends one request with retries. Returns the successful response or the mapped error.
    async fn send(&self, request: &GraphRequest, url: &str) -> Result<Response, SkillError> {
        let settings = &self.service.settings;
        let token = self.service.tokens.graph_token(&self.caller).await?;
        let started = Instant::now();
        let mut attempt = 0u32;
        let mut backoff = settings.initial_backoff;
        loop {
            let mut builder = self
                .service
                .http
                .request(request.method.clone(), url)
                .bearer_auth(token.secret())
                .header(header::ACCEPT, "application/json");
            if request.eventual {
                builder = builder.header("ConsistencyLevel", "eventual");
            }
            if request.prefer_unknown_enums {
                builder = builder.header("Prefer", "include-unknown-enum-members");
            }
            if let Some(body) = &request.body {
                builder = builder.json(body);
            }
            let retryable_wait = match builder.send().await {
                Ok(response) => {
                    let status = response.status();
                    let request_id =
                        response.headers().get("request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
                    let retry_after = retry_after(response.headers());
                    let challenge = claims_challenge(response.headers());
                    let body = match response.text().await {
                        Ok(body) => body,
                        Err(e) if request.idempotent() => {
                            tracing::debug!(error = %e, "Graph response body interrupted");
                            if let Some(wait) = self.next_wait(attempt, None, backoff, started) {
                                attempt += 1;
                                backoff *= 2;
                                tokio::time::sleep(wait).await;
                                continue;
                            }
                            return Err(connection_error(&e));
                        }
                        Err(e) => return Err(connection_error(&e)),
                    };
                    if status.is_success() {
                        return Ok(Response { body, status: status.as_u16(), request_id });
                    }
                    let retryable = status == StatusCode::TOO_MANY_REQUESTS
                        || (request.idempotent()
                            && (status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::GATEWAY_TIMEOUT));
                    let error = map_graph_error(status.as_u16(), &body, request_id);
                    // A claims challenge (Conditional Access step-up, revoked session) is the
                    // user's to answer: surfaced, never retried with the same token.
                    if let Some(claims) = challenge {
                        return Err(claims_error(error, &claims));
                    }
                    if !retryable {
                        return Err(error);
                    }
                    match self.next_wait(attempt, retry_after, backoff, started) {
                        Some(wait) => wait,
                        None => return Err(throttled(error, retry_after)),
                    }
                }
                Err(e) => {
                    if !request.idempotent() {
                        return Err(connection_error(&e));
                    }
                    match self.next_wait(attempt, None, backoff, started) {
                        Some(wait) => wait,
                        None => return Err(connection_error(&e)),
                    }
                }
            };
            attempt += 1;
            backoff *= 2;
            tokio::time::sleep(retryable_wait).await;
        }
    }

    /// How long to wait before the next attempt, or `None` when the retry budget is spent.
    fn next_wait(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        backoff: Duration,
        started: Instant,
    ) -> Option<Duration> {
        let settings = &self.service.settings;
        if attempt >= settings.max_retries {
            return None;
        }
        let wait = retry_after.unwrap_or(backoff);
        (started.elapsed() + wait <= settings.max_retry_wait).then_some(wait)
    }
}

#[derive(serde::Deserialize)]
struct CollectionPage<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
    #[serde(rename = "@odata.count", default)]
    count: Option<u64>,
}

fn parse_json<T: DeserializeOwned>(response: &Response) -> Result<T, SkillError> {
    serde_json::from_str(&response.body).map_err(|e| {
        tracing::warn!(error = %e, "unexpected Graph response shape");
        upstream_shape("JSON of the expected shape", response.request_id.clone())
    })
}

fn upstream_shape(expected: &str, request_id: Option<String>) -> SkillError {
    SkillError::new(ErrorKind::Upstream, format!("Graph's answer was not {expected}"))
        .with_remedy("retry; quote the request-id if it persists")
        .with_graph(crate::error::GraphFailure { status: 200, code: None, request_id, date: None })
}

fn connection_error(e: &reqwest::Error) -> SkillError {
    let what = if e.is_timeout() { "timed out" } else { "could not be reached" };
    SkillError::new(ErrorKind::Upstream, format!("Microsoft Graph {what}"))
        .with_remedy("retry in a moment; check the network path to Graph if it persists")
}

fn throttled(mut error: SkillError, retry_after: Option<Duration>) -> SkillError {
    error.kind = ErrorKind::Throttled;
    let after = retry_after.map(|d| d.as_secs().max(1)).unwrap_or(60);
    error.message = format!("Graph is throttling or unavailable after retries: {}", error.message);
    error.remedy = Some(format!("retry after {after} s"));
    error
}

/// The `claims` of a `WWW-Authenticate: Bearer … error="insufficient_claims", claims="…"`
/// challenge (base64 of a JSON claims request; not a secret).
fn claims_challenge(headers: &header::HeaderMap) -> Option<String> {
    let value = headers.get(header::WWW_AUTHENTICATE)?.to_str().ok()?;
    let start = value.find("claims=\"")? + "claims=\"".len();
    let end = value[start..].find('"')?;
    Some(value[start..start + end].to_string())
}

fn claims_error(mut error: SkillError, claims: &str) -> SkillError {
    error.kind = ErrorKind::ConsentRequired;
    error.message = "Graph asks the user to sign in again to satisfy Conditional Access (claims challenge)".into();
    error.remedy = Some(format!("sign in again in the MCP client and pass this claims challenge to Entra: {claims}"));
    error
}

/// `Retry-After` in seconds (Graph does not send the HTTP-date form).
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds.min(3600)))
}
