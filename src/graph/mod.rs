//! `GraphClient`: every call to Microsoft Graph goes through here.
//!
//! It asks the [`TokenSource`] for the caller's Graph token, sends the request, follows
//! `@odata.nextLink` up to the skill's cap, retries throttling (429, honouring `Retry-After`)
//! and, for idempotent requests, 503/504 and dropped connections, within a bounded total wait;
//! and it maps Graph's errors to [`SkillError`]s. Every request is recorded (method, version,
//! path, query, headers, status, request-id — never the token) so a skill's answer can show an
//! admin exactly what was asked of Graph.
//!
//! One tool call's Graph work is bounded: a list reads at most a page cap of pages, every
//! request and retry of the call ends by one deadline counted from [`GraphService::bind`], and a
//! nextLink is followed only to the origin and version path the request went to (the token
//! goes with it). A list cut short keeps the pages it read, answers `more`, records why in its
//! request record and leaves a note ([`GraphClient::notes`]) for the answer.
//!
//! A request built with [`GraphRequest::arm`] goes to Azure Resource Manager instead (the
//! tenant's Entra diagnostic settings live there): the same retries, deadline, errors and
//! record, with the caller's ARM token ([`TokenSource::arm_token`]) and an `api-version`
//! instead of a Graph version. It is recorded with version `arm`.

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
use url::Url;

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

/// Idle connections to Graph kept for reuse after a burst.
const IDLE_CONNECTIONS_PER_HOST: usize = 16;

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
    max_pages: Option<u32>,
    /// Azure Resource Manager's `api-version`, for a request that goes to ARM, not Graph.
    arm: Option<&'static str>,
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
            max_pages: None,
            arm: None,
        }
    }

    /// A GET of `path` on Azure Resource Manager at `api_version`
    /// (`/providers/microsoft.aadiam/diagnosticSettings`, `2017-04-01`), with the caller's ARM
    /// token.
    pub fn arm(path: impl Into<String>, api_version: &'static str) -> Self {
        GraphRequest { arm: Some(api_version), ..GraphRequest::get(path) }
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
        let query = self.query_display();
        let query = if query.is_empty() { String::new() } else { format!("?{query}") };
        match &self.body {
            Some(body) => format!("{} {} {}{query} {body}", self.method, self.version_label(), self.path),
            None => format!("{} {} {}{query}", self.method, self.version_label(), self.path),
        }
    }

    /// `v1.0`, `beta`, or `arm` for Azure Resource Manager.
    fn version_label(&self) -> &'static str {
        if self.arm.is_some() { "arm" } else { self.version.as_str() }
    }

    /// The decoded query, an ARM request's `api-version` first.
    fn query_display(&self) -> String {
        let query = self.query.display();
        match (self.arm, query.is_empty()) {
            (Some(version), true) => format!("api-version={version}"),
            (Some(version), false) => format!("api-version={version}&{query}"),
            (None, _) => query,
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

    /// Reads at most `pages` pages of a list, when fewer than the service's page cap will do
    /// (a larger number does not raise the cap).
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages.max(1));
        self
    }

    /// `GET v1.0 /users`: how a note names the request.
    fn label(&self) -> String {
        format!("{} {} {}", self.method, self.version_label(), self.path)
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
    /// `v1.0` or `beta` (Graph), or `arm` (Azure Resource Manager, with its `api-version`).
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
    /// Why paging stopped short (page cap, deadline, a nextLink not followed) or the request was not sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
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
    /// Azure Resource Manager's base URL (`https://management.azure.com`); `None` sends ARM
    /// requests to `base_url`, as the demo emulator, which serves both, wants.
    pub arm_base_url: Option<String>,
    /// The most the client will wait across all retries of one request.
    pub max_retry_wait: Duration,
    /// Backoff before the first retry when Graph sends no `Retry-After`.
    pub initial_backoff: Duration,
    /// Pages one list request reads at most: Graph sends empty sign-in and audit pages that
    /// still carry a nextLink, so the item cap alone does not end a list.
    pub max_pages: u32,
    /// All of one tool call's Graph work — every request, page and retry — ends by this long
    /// after the client was bound to the call.
    pub deadline: Duration,
}

impl Default for GraphSettings {
    fn default() -> Self {
        GraphSettings {
            base_url: "https://graph.microsoft.com".into(),
            arm_base_url: None,
            timeout: Duration::from_secs(30),
            max_retries: 3,
            max_retry_wait: Duration::from_secs(30),
            initial_backoff: Duration::from_millis(500),
            max_pages: 50,
            deadline: Duration::from_secs(30),
        }
    }
}

/// A page-capped list result.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `@odata.count` when Graph returned it.
    pub total: Option<u64>,
    /// More items exist beyond the cap, or may exist: paging was stopped short (the request
    /// record and a note say why).
    pub more: bool,
}

/// What is shared by every caller: the HTTP connection pool, the token source, the limits.
pub struct GraphService {
    http: reqwest::Client,
    settings: GraphSettings,
    /// `base_url` parsed: the origin and path every nextLink is held to.
    base: Url,
    /// Azure Resource Manager's base URL parsed, the same for an ARM request's nextLink.
    arm: Url,
    tokens: Arc<dyn TokenSource>,
}

impl GraphService {
    pub fn new(settings: GraphSettings, tokens: Arc<dyn TokenSource>) -> anyhow::Result<Arc<Self>> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            // A burst of concurrent calls opens a connection per call in flight; keeping all of
            // them idle afterwards holds their buffers for nothing. A few warm ones serve the
            // steady state, and idle ones close after 30 s.
            .pool_max_idle_per_host(IDLE_CONNECTIONS_PER_HOST)
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("entra-mcp/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let base = Url::parse(&settings.base_url)
            .map_err(|e| anyhow::anyhow!("Graph base URL `{}` is not a URL: {e}", settings.base_url))?;
        let arm = match &settings.arm_base_url {
            Some(url) => Url::parse(url).map_err(|e| anyhow::anyhow!("ARM base URL `{url}` is not a URL: {e}"))?,
            None => base.clone(),
        };
        Ok(Arc::new(GraphService { http, settings, base, arm, tokens }))
    }

    pub fn base_url(&self) -> &str {
        &self.settings.base_url
    }

    /// A client bound to one caller for one tool call, with its own request record and notes;
    /// the call's deadline starts now.
    pub fn bind(self: &Arc<Self>, caller: Arc<Caller>) -> GraphClient {
        GraphClient {
            service: self.clone(),
            caller,
            calls: Arc::new(Mutex::new(Vec::new())),
            notes: Arc::new(Mutex::new(Vec::new())),
            started: Instant::now(),
        }
    }
}

/// A Graph client bound to one caller for one tool call. Cheap to clone; clones share the
/// request record, the notes and the deadline, so concurrent calls of a composite skill are all
/// listed and all bounded by the same deadline.
#[derive(Clone)]
pub struct GraphClient {
    service: Arc<GraphService>,
    caller: Arc<Caller>,
    calls: Arc<Mutex<Vec<GraphCall>>>,
    notes: Arc<Mutex<Vec<String>>>,
    /// When the deadline started: the settings' `deadline` counts from here.
    started: Instant,
}

/// Why a request gave up: the error, and whether the tool call's deadline was the cause (a list
/// then keeps the pages it already read).
struct Failure {
    error: SkillError,
    deadline: bool,
}

impl From<SkillError> for Failure {
    fn from(error: SkillError) -> Self {
        Failure { error, deadline: false }
    }
}

/// What one attempt at a request came to.
enum Attempt {
    Done(Response),
    /// Not worth retrying.
    Fatal(Failure),
    /// Worth retrying (after `Retry-After` when Graph sent one); `error` is the answer if no
    /// retry is left.
    Retryable {
        error: SkillError,
        retry_after: Option<Duration>,
    },
}

/// Whether to try again.
enum Next {
    Retry(Duration),
    GiveUp,
    /// The wait would end past the tool call's deadline.
    Deadline,
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

    /// What the answer should tell the model about the Graph work itself (a list cut short and
    /// why), in the order it happened.
    pub fn notes(&self) -> Vec<String> {
        self.notes.lock().map(|n| n.clone()).unwrap_or_default()
    }

    /// The same client — record and notes shared — with the deadline starting again: for the
    /// change a write makes after a human approved it, since the time the human took was not
    /// Graph's.
    pub fn with_fresh_deadline(&self) -> GraphClient {
        GraphClient { started: Instant::now(), ..self.clone() }
    }

    /// GET (or POST) one object and deserialise it.
    pub async fn get<T: DeserializeOwned>(&self, request: GraphRequest) -> Result<T, SkillError> {
        let response = self.fetch(&request, &self.url(&request)).await?;
        self.record(&request, response.status, response.request_id.clone(), 1, None);
        parse_json(&response)
    }

    /// A change (POST, PATCH, DELETE): Graph's answer when it has a body (a 204 has none).
    /// Never retried except after 429, which Graph sends before doing anything.
    pub async fn write(&self, request: GraphRequest) -> Result<Option<Value>, SkillError> {
        let response = self.fetch(&request, &self.url(&request)).await?;
        self.record(&request, response.status, response.request_id.clone(), 1, None);
        if response.body.trim().is_empty() {
            return Ok(None);
        }
        parse_json(&response).map(Some)
    }

    /// A `/$count` request: Graph answers with a bare number.
    pub async fn count(&self, request: GraphRequest) -> Result<u64, SkillError> {
        let request = request.eventual();
        let response = self.fetch(&request, &self.url(&request)).await?;
        self.record(&request, response.status, response.request_id.clone(), 1, None);
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
    ///
    /// Paging stops short — the pages read are the answer, with `more`, a `stopped` reason in
    /// the record and a note — at the page cap, at the call's deadline, and at a nextLink that
    /// leaves Graph's origin or the request's version path. A deadline that passes before the
    /// first page is an error: there is nothing to answer with.
    pub async fn list<T: DeserializeOwned>(&self, request: GraphRequest, cap: usize) -> Result<Page<T>, SkillError> {
        let settings = &self.service.settings;
        let max_pages = request.max_pages.map_or(settings.max_pages, |p| p.min(settings.max_pages)).max(1);
        let mut url = self.url(&request);
        let mut items: Vec<T> = Vec::new();
        let mut total = None;
        let mut first: Option<(u16, Option<String>)> = None;
        let mut pages = 0u32;
        let mut stopped: Option<String> = None;
        let more = loop {
            pages += 1;
            let response = match self.send(&request, &url).await {
                Ok(response) => response,
                Err(failure) if failure.deadline && pages > 1 => {
                    pages -= 1;
                    stopped =
                        Some(format!("stopped at the {} deadline after {pages} pages", seconds(settings.deadline)));
                    break true;
                }
                Err(failure) => return Err(self.failed(&request, failure, pages)),
            };
            let page: CollectionPage<T> =
                parse_json(&response).map_err(|e| self.failed(&request, Failure::from(e), pages))?;
            total = total.or(page.count);
            first.get_or_insert((response.status, response.request_id));
            items.extend(page.value);
            let Some(next) = page.next_link else { break items.len() > cap };
            if items.len() >= cap {
                break true;
            }
            if pages >= max_pages {
                stopped = Some(format!("stopped after {pages} pages (the page cap)"));
                break true;
            }
            // The caller's token goes wherever the link points, so only Graph itself will do.
            match self.follow(&request, &next) {
                Ok(next) => url = next,
                Err(why) => {
                    stopped = Some(format!("stopped after {pages} pages: Graph's next-page link {why}, not followed"));
                    break true;
                }
            }
        };
        items.truncate(cap);
        let (status, request_id) = first.unwrap_or((200, None));
        if let Some(why) = &stopped {
            tracing::warn!(request = %request.label(), stopped = %why, "Graph paging stopped short");
            self.note(format!("{}: {why}; more may exist — narrow the request", request.label()));
        }
        self.record(&request, status, request_id, pages, stopped);
        Ok(Page { items, total, more })
    }

    /// `next` as the URL to request, if it stays on Graph: same scheme, host and port as the
    /// base URL, no user info, and a path under the base path and the request's version;
    /// otherwise why not, in words that never repeat the link (it is Graph's text, not ours).
    fn follow(&self, request: &GraphRequest, next: &str) -> Result<String, &'static str> {
        let base = if request.arm.is_some() { &self.service.arm } else { &self.service.base };
        let link = Url::parse(next).map_err(|_| "is not a URL")?;
        if link.scheme() != base.scheme() {
            return Err("uses another scheme");
        }
        if !link.username().is_empty() || link.password().is_some() {
            return Err("carries user info");
        }
        if link.host() != base.host() {
            return Err("points to another host");
        }
        if link.port_or_known_default() != base.port_or_known_default() {
            return Err("points to another port");
        }
        // The parsed path has its dot segments resolved, so `/v1.0/../x` cannot pass as `/v1.0/`.
        // ARM has no version segment (its `api-version` is in the query).
        let prefix = match request.arm {
            Some(_) => format!("{}/", base.path().trim_end_matches('/')),
            None => format!("{}/{}/", base.path().trim_end_matches('/'), request.version.as_str()),
        };
        if !link.path().starts_with(&prefix) {
            return Err("leaves the request's API version path");
        }
        Ok(link.into())
    }

    fn url(&self, request: &GraphRequest) -> String {
        if let Some(api_version) = request.arm {
            let base = self.service.arm.as_str().trim_end_matches('/');
            let query = request.query.encode();
            let query = if query.is_empty() { String::new() } else { format!("&{query}") };
            return format!("{base}{}?api-version={}{query}", request.path, odata::encode_value(api_version));
        }
        let base = &self.service.settings.base_url;
        let query = request.query.encode();
        if query.is_empty() {
            format!("{base}/{}{}", request.version.as_str(), request.path)
        } else {
            format!("{base}/{}{}?{query}", request.version.as_str(), request.path)
        }
    }

    fn note(&self, note: String) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(note);
        }
    }

    /// Adds one request to the record the admin is shown.
    fn record(
        &self,
        request: &GraphRequest,
        status: u16,
        request_id: Option<String>,
        pages: u32,
        stopped: Option<String>,
    ) {
        let mut headers = Vec::new();
        if request.eventual {
            headers.push("ConsistencyLevel: eventual".to_string());
        }
        if request.prefer_unknown_enums {
            headers.push("Prefer: include-unknown-enum-members".to_string());
        }
        let call = GraphCall {
            method: request.method.to_string(),
            version: request.version_label().to_string(),
            path: request.path.clone(),
            query: request.query_display(),
            headers,
            status,
            request_id,
            pages: (pages > 1).then_some(pages),
            stopped,
        };
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(call);
        }
    }

    /// Records a request that failed (so the admin sees which one broke) and hands the error on.
    fn failed(&self, request: &GraphRequest, failure: Failure, pages: u32) -> SkillError {
        let error = failure.error;
        let graph = error.graph.as_deref();
        let stopped = failure.deadline.then(|| format!("the {} deadline", seconds(self.service.settings.deadline)));
        self.record(
            request,
            graph.map(|g| g.status).unwrap_or(0),
            graph.and_then(|g| g.request_id.clone()),
            pages,
            stopped,
        );
        error
    }

    /// Sends one request and records a failure.
    async fn fetch(&self, request: &GraphRequest, url: &str) -> Result<Response, SkillError> {
        self.send(request, url).await.map_err(|f| self.failed(request, f, 1))
    }

    /// Time left before the tool call's deadline; `None` once it has passed.
    fn remaining(&self) -> Option<Duration> {
        let left = self.service.settings.deadline.saturating_sub(self.started.elapsed());
        (!left.is_zero()).then_some(left)
    }

    /// Sends one request with retries, none of them starting or running past the deadline.
    /// Returns the successful response or the mapped error.
    async fn send(&self, request: &GraphRequest, url: &str) -> Result<Response, Failure> {
        let settings = &self.service.settings;
        if self.remaining().is_none() {
            return Err(self.past_deadline(request, "was not sent"));
        }
        let token = match request.arm {
            Some(_) => self.service.tokens.arm_token(&self.caller).await?,
            None => self.service.tokens.graph_token(&self.caller).await?,
        };
        let started = Instant::now();
        let mut attempt = 0u32;
        let mut backoff = settings.initial_backoff;
        loop {
            let Some(left) = self.remaining() else {
                return Err(self.past_deadline(request, "was not sent"));
            };
            // The deadline, not only the per-request timeout, bounds a slow answer.
            let timeout = settings.timeout.min(left);
            let clipped = timeout < settings.timeout;
            let mut builder = self
                .service
                .http
                .request(request.method.clone(), url)
                .timeout(timeout)
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
            let (error, retry_after) = match self.attempt(request, builder, clipped).await {
                Attempt::Done(response) => return Ok(response),
                Attempt::Fatal(failure) => return Err(failure),
                Attempt::Retryable { error, retry_after } => (error, retry_after),
            };
            match self.next_wait(attempt, retry_after, backoff, started) {
                Next::Retry(wait) => {
                    attempt += 1;
                    backoff *= 2;
                    tokio::time::sleep(wait).await;
                }
                Next::GiveUp => return Err(error.into()),
                Next::Deadline => {
                    let mut error = error;
                    error.message = format!(
                        "{}; the tool call's {} deadline for Graph leaves no time to retry",
                        error.message,
                        seconds(settings.deadline)
                    );
                    return Err(Failure { error, deadline: true });
                }
            }
        }
    }

    /// One attempt: the response, or the error and whether it may be retried. `clipped`: the
    /// timeout was shortened to the deadline, so a timeout means the deadline passed.
    async fn attempt(&self, request: &GraphRequest, builder: reqwest::RequestBuilder, clipped: bool) -> Attempt {
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) if clipped && e.is_timeout() => return Attempt::Fatal(self.past_deadline(request, "had no answer")),
            Err(e) if request.idempotent() => {
                return Attempt::Retryable { error: connection_error(&e), retry_after: None };
            }
            Err(e) => return Attempt::Fatal(connection_error(&e).into()),
        };
        let status = response.status();
        // Graph's `request-id`, or ARM's `x-ms-request-id`.
        let request_id = ["request-id", "x-ms-request-id"]
            .iter()
            .find_map(|name| response.headers().get(*name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let retry_after = retry_after(response.headers());
        let challenge = claims_challenge(response.headers());
        let body = match response.text().await {
            Ok(body) => body,
            Err(e) if clipped && e.is_timeout() => return Attempt::Fatal(self.past_deadline(request, "had no answer")),
            Err(e) if request.idempotent() => {
                tracing::debug!(error = %e, "Graph response body interrupted");
                return Attempt::Retryable { error: connection_error(&e), retry_after: None };
            }
            Err(e) => return Attempt::Fatal(connection_error(&e).into()),
        };
        if status.is_success() {
            return Attempt::Done(Response { body, status: status.as_u16(), request_id });
        }
        let retryable = status == StatusCode::TOO_MANY_REQUESTS
            || (request.idempotent()
                && (status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::GATEWAY_TIMEOUT));
        let error = map_graph_error(status.as_u16(), &body, request_id);
        // A claims challenge (Conditional Access step-up, revoked session) is the user's to
        // answer: surfaced, never retried with the same token.
        if let Some(claims) = challenge {
            return Attempt::Fatal(claims_error(error, &claims).into());
        }
        if !retryable {
            return Attempt::Fatal(error.into());
        }
        Attempt::Retryable { error: throttled(error, retry_after), retry_after }
    }

    /// A request the deadline stopped: not sent, or cut off while Graph was answering.
    fn past_deadline(&self, request: &GraphRequest, what: &str) -> Failure {
        let deadline = seconds(self.service.settings.deadline);
        let error = SkillError::new(
            ErrorKind::Upstream,
            format!("{} {what}: the tool call's {deadline} deadline for Graph passed", request.label()),
        )
        .with_remedy("narrow the request (a shorter window, a filter, a lower limit) and retry");
        Failure { error, deadline: true }
    }

    /// How long to wait before the next attempt, or why not to: the retry budget is spent, or
    /// the wait would end past the deadline.
    fn next_wait(&self, attempt: u32, retry_after: Option<Duration>, backoff: Duration, started: Instant) -> Next {
        let settings = &self.service.settings;
        if attempt >= settings.max_retries {
            return Next::GiveUp;
        }
        let wait = retry_after.unwrap_or(backoff);
        if started.elapsed() + wait > settings.max_retry_wait {
            return Next::GiveUp;
        }
        match self.remaining() {
            Some(left) if wait < left => Next::Retry(wait),
            _ => Next::Deadline,
        }
    }
}

/// `30 s`, or `1.5 s` for a deadline that is not whole seconds.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 { format!("{} s", d.as_secs()) } else { format!("{:.1} s", d.as_secs_f64()) }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Which links a v1.0 request on the public cloud's Graph follows, in the shapes a hostile
    /// or broken nextLink takes (no server needed: nothing is sent).
    #[test]
    fn next_links_are_followed_only_on_graphs_origin_and_version_path() {
        let tokens: Arc<dyn TokenSource> = Arc::new(crate::auth::demo::DemoTokenSource::new("oid"));
        let Ok(service) = GraphService::new(GraphSettings::default(), tokens) else { panic!("service builds") };
        let graph = service.bind(Arc::new(Caller::default()));
        let v1 = GraphRequest::get("/auditLogs/signIns");
        for link in [
            "https://graph.microsoft.com/v1.0/auditLogs/signIns?$skiptoken=x",
            "https://GRAPH.microsoft.com:443/v1.0/auditLogs/signIns?$skiptoken=x",
        ] {
            assert!(graph.follow(&v1, link).is_ok(), "{link}");
        }
        for (link, why) in [
            ("https://graph.microsoft.com.evil.tld/v1.0/auditLogs/signIns", "another host"),
            ("https://graph.microsoft.com@evil.tld/v1.0/auditLogs/signIns", "user info"),
            ("https://graph.microsoft.com:8443/v1.0/auditLogs/signIns", "another port"),
            ("http://graph.microsoft.com/v1.0/auditLogs/signIns", "another scheme"),
            ("https://graph.microsoft.com/beta/auditLogs/signIns", "version path"),
            ("https://graph.microsoft.com/v1.0/../beta/auditLogs/signIns", "version path"),
            ("https://graph.microsoft.com/v1.0", "version path"),
            ("/v1.0/auditLogs/signIns", "not a URL"),
        ] {
            let refused = graph.follow(&v1, link).err().unwrap_or_default();
            assert!(refused.contains(why), "{link}: {refused:?}");
        }
        assert!(graph.follow(&v1.beta(), "https://graph.microsoft.com/beta/auditLogs/signIns").is_ok());
    }

    /// Hands out a different token per audience, as the on-behalf-of exchange does.
    struct TwoAudiences;

    impl TokenSource for TwoAudiences {
        fn graph_token<'a>(
            &'a self,
            _caller: &'a Caller,
        ) -> futures::future::BoxFuture<'a, Result<crate::auth::AccessToken, SkillError>> {
            Box::pin(async { Ok(crate::auth::AccessToken::new("graph-token")) })
        }

        fn arm_token<'a>(
            &'a self,
            _caller: &'a Caller,
        ) -> futures::future::BoxFuture<'a, Result<crate::auth::AccessToken, SkillError>> {
            Box::pin(async { Ok(crate::auth::AccessToken::new("arm-token")) })
        }
    }

    /// Only a Graph token to give.
    struct GraphOnly;

    impl TokenSource for GraphOnly {
        fn graph_token<'a>(
            &'a self,
            _caller: &'a Caller,
        ) -> futures::future::BoxFuture<'a, Result<crate::auth::AccessToken, SkillError>> {
            Box::pin(async { Ok(crate::auth::AccessToken::new("graph-token")) })
        }
    }

    #[tokio::test]
    async fn resource_manager_requests_go_to_arm_with_the_arm_token_and_are_recorded_as_arm() {
        use wiremock::matchers::{header, method, path, query_param};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        let graph = MockServer::start().await;
        let arm = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/providers/microsoft.aadiam/diagnosticSettings"))
            .and(query_param("api-version", "2017-04-01"))
            .and(header("authorization", "Bearer arm-token"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"value": []}))
                    .insert_header("x-ms-request-id", "arm-request-1"),
            )
            .expect(1)
            .mount(&arm)
            .await;
        let settings =
            GraphSettings { base_url: graph.uri(), arm_base_url: Some(arm.uri()), ..GraphSettings::default() };
        let Ok(service) = GraphService::new(settings.clone(), Arc::new(TwoAudiences)) else { panic!("service builds") };
        let client = service.bind(Arc::new(Caller::default()));
        let request = GraphRequest::arm("/providers/microsoft.aadiam/diagnosticSettings", "2017-04-01");
        assert_eq!(request.describe(), "GET arm /providers/microsoft.aadiam/diagnosticSettings?api-version=2017-04-01");
        let answer: Value = client.get(request.clone()).await.expect("ARM answers");
        assert_eq!(answer, serde_json::json!({"value": []}));
        let calls = client.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!((calls[0].version.as_str(), calls[0].query.as_str()), ("arm", "api-version=2017-04-01"));
        assert_eq!(calls[0].request_id.as_deref(), Some("arm-request-1"));
        assert!(graph.received_requests().await.unwrap_or_default().is_empty(), "nothing went to Graph");

        // A token source with no ARM token: consent_required naming the permission, nothing sent.
        let Ok(service) = GraphService::new(settings, Arc::new(GraphOnly)) else { panic!("service builds") };
        let client = service.bind(Arc::new(Caller::default()));
        let error = client.get::<Value>(request).await.expect_err("no ARM token");
        assert_eq!(error.kind, ErrorKind::ConsentRequired);
        assert!(error.message.contains("user_impersonation"), "{error:?}");
        assert_eq!(arm.received_requests().await.map(|r| r.len()), Some(1), "only the first call reached ARM");
    }
}
