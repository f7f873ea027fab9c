//! The one Azure Resource Manager path the server reads, served on the emulator's own loopback
//! origin beside Graph: the tenant's Entra diagnostic settings,
//! `GET /providers/microsoft.aadiam/diagnosticSettings[/{name}]?api-version=…`. ARM's rules
//! as far as this path has them: resource provider and type names are case-insensitive, the
//! `api-version` is required and must be one the provider knows, no OData options, and the
//! caller must hold a directory role that may read the settings (`AuthorizationFailed`
//! otherwise).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::demo::tenant::Tenant;

use super::errors::{GraphError, GraphResult};
use super::sets::tenant_posture;

/// The versions `microsoft.aadiam` accepts for `diagnosticSettings`.
const API_VERSIONS: &[&str] = &["2017-04-01", "2017-04-01-preview"];

/// Roles whose holders may read the tenant's diagnostic settings.
const READER_ROLES: &[&str] = &[
    "62e90394-69f5-4237-9190-012177145e10", // Global Administrator
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451", // Global Reader
    "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
    "5d6b6bb7-de71-4623-b4af-96380a352509", // Security Reader
];

/// Whether the path is ARM's (`/providers/…`) rather than Graph's (`/v1.0/…`, `/beta/…`).
pub fn serves(path: &str) -> bool {
    path.trim_start_matches('/').split('/').next().is_some_and(|s| s.eq_ignore_ascii_case("providers"))
}

/// The answer to an ARM request: the settings, or one of them by name.
pub fn answer(tenant: &Tenant, caller: &str, method: &Method, path: &str, query: Option<&str>) -> GraphResult<Value> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let name = match segments.as_slice() {
        [_, provider, kind, rest @ ..]
            if provider.eq_ignore_ascii_case("microsoft.aadiam") && kind.eq_ignore_ascii_case("diagnosticSettings") =>
        {
            match rest {
                [] => None,
                [name] => Some(*name),
                [_, next, ..] => return Err(no_route(next)),
            }
        }
        [_, provider, ..] if !provider.eq_ignore_ascii_case("microsoft.aadiam") => {
            return Err(arm_error(
                StatusCode::BAD_REQUEST,
                "InvalidResourceNamespace",
                format!("The resource namespace '{provider}' is invalid."),
            ));
        }
        _ => return Err(no_route(segments.last().copied().unwrap_or("providers"))),
    };
    api_version(query)?;
    if method != Method::GET {
        return Err(GraphError::method_not_allowed());
    }
    let roles = tenant.active_roles(caller);
    if !roles.iter().any(|r| READER_ROLES.contains(&r.as_str())) {
        return Err(arm_error(
            StatusCode::FORBIDDEN,
            "AuthorizationFailed",
            format!(
                "The client '{caller}' does not have authorization to perform action \
                 'microsoft.aadiam/diagnosticSettings/read' over scope '/providers/microsoft.aadiam' or the scope is invalid."
            ),
        ));
    }
    let settings = tenant_posture::diagnostic_settings(tenant);
    match name {
        None => Ok(json!({ "value": settings })),
        Some(name) => settings
            .iter()
            .find(|s| s.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .cloned()
            .ok_or_else(|| {
                arm_error(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    format!("The diagnostic setting '{name}' does not exist."),
                )
            }),
    }
}

/// Checks the query: exactly an `api-version` the provider knows.
fn api_version(query: Option<&str>) -> GraphResult<()> {
    let mut version = None;
    for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key.eq_ignore_ascii_case("api-version") {
            version = Some(value);
        } else {
            return Err(arm_error(
                StatusCode::BAD_REQUEST,
                "InvalidQueryParameter",
                format!("The query parameter '{key}' is not supported for this request."),
            ));
        }
    }
    match version {
        None => Err(arm_error(
            StatusCode::BAD_REQUEST,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )),
        Some(v) if API_VERSIONS.contains(&v) => Ok(()),
        Some(v) => Err(arm_error(
            StatusCode::BAD_REQUEST,
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location 'global' and API version '{v}' for type \
                 'diagnosticSettings'. The supported api-versions are '{}'.",
                API_VERSIONS.join(", ")
            ),
        )),
    }
}

fn arm_error(status: StatusCode, code: &str, message: impl Into<String>) -> GraphError {
    GraphError::new(status, code, message)
}

fn no_route(segment: &str) -> GraphError {
    arm_error(StatusCode::NOT_FOUND, "NotFound", format!("The resource path segment '{segment}' is not found."))
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::super::tests::{Client, send, start};

    const SETTINGS: &str = "/providers/microsoft.aadiam/diagnosticSettings";

    #[tokio::test]
    async fn diagnostic_settings_are_served_with_arm_rules() {
        let graph = start().await;
        let client = Client::new(&graph);
        let (status, settings) = client.json(&format!("{SETTINGS}?api-version=2017-04-01")).await;
        assert_eq!(status, StatusCode::OK, "{settings}");
        let setting = &settings["value"][0];
        assert_eq!(setting["name"], "sentinel-export");
        assert!(setting["properties"]["workspaceId"].as_str().is_some_and(|w| w.contains("/workspaces/")), "{setting}");
        let enabled = |category: &str| {
            setting["properties"]["logs"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|l| l["category"] == category && l["enabled"] == true)
        };
        assert!(enabled("SignInLogs") && enabled("AuditLogs"));
        assert!(!enabled("NonInteractiveUserSignInLogs") && !enabled("ServicePrincipalSignInLogs"));

        let (status, one) =
            client.json("/providers/Microsoft.AADIAM/diagnosticSettings/Sentinel-Export?api-version=2017-04-01").await;
        assert_eq!(status, StatusCode::OK, "names are case-insensitive: {one}");
        assert_eq!(one["name"], "sentinel-export");

        for (path, status, code) in [
            (SETTINGS.to_string(), StatusCode::BAD_REQUEST, "MissingApiVersionParameter"),
            (format!("{SETTINGS}?api-version=2099-01-01"), StatusCode::BAD_REQUEST, "NoRegisteredProviderFound"),
            (format!("{SETTINGS}?api-version=2017-04-01&$top=1"), StatusCode::BAD_REQUEST, "InvalidQueryParameter"),
            (format!("{SETTINGS}/nope?api-version=2017-04-01"), StatusCode::NOT_FOUND, "ResourceNotFound"),
            (
                "/providers/microsoft.insights/diagnosticSettings?api-version=2017-04-01".to_string(),
                StatusCode::BAD_REQUEST,
                "InvalidResourceNamespace",
            ),
        ] {
            let (got, body) = client.json(&path).await;
            assert_eq!((got, body["error"]["code"].as_str()), (status, Some(code)), "{path}: {body}");
        }
        let (status, body) =
            send(client.http.delete(format!("{}{SETTINGS}?api-version=2017-04-01", graph.base_url())).bearer_auth("x"))
                .await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    }

    #[tokio::test]
    async fn only_roles_that_may_read_them_see_the_settings() {
        let graph = start().await;
        let client = Client::new(&graph);
        // Karita Ahlberg holds no directory role.
        let tenant = graph.state().snapshot();
        let karita =
            tenant.user("karita@woodgrovebank.com").and_then(|u| u["id"].as_str()).expect("Karita").to_string();
        let (status, body) = send(
            client
                .http
                .get(format!("{}{SETTINGS}?api-version=2017-04-01", graph.base_url()))
                .bearer_auth(format!("demo:{karita}")),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "AuthorizationFailed");
    }
}
