//! Graph's error responses: `{"error": {"code", "message", "innerError": {"date",
//! "request-id", "client-request-id"}}}` with the status Graph uses for each case.
//!
//! Directory resources (users, groups, devices, apps) answer with the `Request_*` codes of the
//! directory service behind Graph; the other workloads use plain OData codes.

use axum::http::StatusCode;

/// A Graph error before the request ids are filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Seconds for a `Retry-After` header (throttling).
    pub retry_after: Option<u64>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> GraphError {
        GraphError { status, code: code.into(), message: message.into(), retry_after: None }
    }

    /// 404 for an object id (or relationship) that does not exist.
    pub fn not_found(id: &str) -> GraphError {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    /// 404 for a path Graph does not serve.
    pub fn no_route(segment: &str) -> GraphError {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    /// 400 for a bad request; `directory` picks the directory service's code.
    pub fn bad_request(directory: bool, message: impl Into<String>) -> GraphError {
        let code = if directory { "Request_BadRequest" } else { "BadRequest" };
        GraphError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 400 for a query the service does not support.
    pub fn unsupported_query(directory: bool, message: impl Into<String>) -> GraphError {
        let code = if directory { "Request_UnsupportedQuery" } else { "BadRequest" };
        GraphError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn method_not_allowed() -> GraphError {
        GraphError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    pub fn unauthenticated(message: &str) -> GraphError {
        GraphError::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message)
    }

    pub fn throttled(retry_after: Option<u64>) -> GraphError {
        GraphError {
            retry_after,
            ..GraphError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Too many requests. Please retry after the time given in the Retry-After header.",
            )
        }
    }

    pub fn service_unavailable() -> GraphError {
        GraphError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please retry.",
        )
    }

    pub fn gateway_timeout() -> GraphError {
        GraphError::new(StatusCode::GATEWAY_TIMEOUT, "GatewayTimeout", "The request timed out.")
    }

    /// The JSON body with the request's ids and date.
    pub fn body(&self, date: &str, request_id: &str, client_request_id: &str) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": date,
                    "request-id": request_id,
                    "client-request-id": client_request_id,
                },
            },
        })
    }
}

pub type GraphResult<T> = Result<T, GraphError>;
