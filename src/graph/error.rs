//! Graph's error body and its mapping to [`SkillError`] kinds .

use serde::Deserialize;

use crate::error::{ErrorKind, GraphFailure, SkillError};

/// `{"error": {"code", "message", "innerError": {"request-id", "date"}}}`
#[derive(Debug, Default, Deserialize)]
pub struct GraphErrorBody {
    #[serde(default)]
    pub error: GraphErrorDetail,
}

#[derive(Debug, Default, Deserialize)]
pub struct GraphErrorDetail {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default, rename = "innerError", alias = "innererror")]
    pub inner_error: Option<InnerError>,
}

#[derive(Debug, Default, Deserialize)]
pub struct InnerError {
    #[serde(default, rename = "request-id")]
    pub request_id: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

/// Graph codes that mean "the tenant lacks the licence", not "the user lacks the role".
const LICENSE_CODES: &[(&str, &str)] = &[
    ("Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Microsoft Entra ID P1"),
    ("Authentication_RequestFromUnsupportedUserRole", ""),
];

/// Maps a failed Graph response to a skill error. `status` is the HTTP status, `body` the raw
/// response text, `header_request_id` the `request-id` response header.
pub fn map_graph_error(status: u16, body: &str, header_request_id: Option<String>) -> SkillError {
    let parsed: GraphErrorBody = serde_json::from_str(body).unwrap_or_default();
    let detail = parsed.error;
    let inner = detail.inner_error.unwrap_or_default();
    let failure = GraphFailure {
        status,
        code: detail.code.clone(),
        request_id: inner.request_id.or(header_request_id),
        date: inner.date,
    };
    let code = detail.code.unwrap_or_default();
    // Graph messages are short, but never let an upstream string flood the model's context.
    let message: String =
        detail.message.unwrap_or_else(|| format!("Graph answered HTTP {status}")).chars().take(300).collect();

    let (kind, remedy) = match status {
        400 => (
            ErrorKind::Upstream,
            "Graph refused the query; narrow or change the arguments, and quote the request-id if it persists"
                .to_string(),
        ),
        401 => (ErrorKind::Forbidden, "Graph did not accept the token; sign in again".to_string()),
        403 => match LICENSE_CODES.iter().find(|(c, _)| *c == code) {
            Some((_, licence)) if !licence.is_empty() => {
                (ErrorKind::LicenseRequired, format!("this data needs {licence} in the tenant"))
            }
            _ if message.to_ascii_lowercase().contains("licen") => {
                (ErrorKind::LicenseRequired, "the tenant lacks the licence this data needs".to_string())
            }
            _ => (ErrorKind::Forbidden, "the signed-in user lacks the permission or role".to_string()),
        },
        404 => (ErrorKind::NotFound, "check the id or name".to_string()),
        429 | 503 | 504 => (ErrorKind::Throttled, "Graph is busy; retry in a minute".to_string()),
        _ => (ErrorKind::Upstream, "Graph failed; retry later, and quote the request-id if it persists".to_string()),
    };
    SkillError::new(kind, message).with_remedy(remedy).with_graph(failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOT_FOUND: &str = r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist or one of its queried reference-property objects are not present.","innerError":{"date":"2026-11-22T10:00:00","request-id":"1b2c","client-request-id":"1b2c"}}}"#;

    #[test]
    fn not_found_keeps_code_request_id_and_date() {
        let e = map_graph_error(404, NOT_FOUND, None);
        assert_eq!(e.kind, ErrorKind::NotFound);
        let g = e.graph.as_ref().map(|g| (g.code.clone(), g.request_id.clone(), g.date.clone()));
        assert_eq!(
            g,
            Some((Some("Request_ResourceNotFound".into()), Some("1b2c".into()), Some("2026-11-22T10:00:00".into())))
        );
    }

    #[test]
    fn forbidden_and_license_are_told_apart() {
        let role = r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#;
        assert_eq!(map_graph_error(403, role, None).kind, ErrorKind::Forbidden);
        let licence = r#"{"error":{"code":"Authentication_RequestFromNonPremiumTenantOrB2CTenant","message":"Neither tenant is B2C or tenant doesn't have premium license"}}"#;
        let e = map_graph_error(403, licence, None);
        assert_eq!(e.kind, ErrorKind::LicenseRequired);
        assert!(e.remedy.as_deref().is_some_and(|r| r.contains("P1")));
    }

    #[test]
    fn throttling_and_other_failures() {
        assert_eq!(map_graph_error(429, "", None).kind, ErrorKind::Throttled);
        assert_eq!(map_graph_error(503, "not json", None).kind, ErrorKind::Throttled);
        let e = map_graph_error(500, "<html>", Some("hdr-id".into()));
        assert_eq!(e.kind, ErrorKind::Upstream);
        assert_eq!(e.graph.and_then(|g| g.request_id), Some("hdr-id".into()));
    }
}
