//! Parameter kinds shared by many skills — `user`, `since`/`until`, `limit`, list footers —
//! parsed once here so every skill accepts the same forms and refuses bad input the same way.

use std::borrow::Cow;

use chrono::{DateTime, Duration, Utc};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::SkillError;
use crate::skill::Ctx;

/// The GUID an argument gives, if it is one (36 characters, as Graph writes ids).
pub fn guid(value: &str) -> Option<Uuid> {
    let value = value.trim();
    if value.len() == 36 { Uuid::try_parse(value).ok() } else { None }
}

/// Parses an object id. Graph ids are GUIDs; anything else is refused before it reaches a URL.
pub fn parse_guid(field: &str, value: &str) -> Result<Uuid, SkillError> {
    guid(value).ok_or_else(|| {
        SkillError::invalid_value(
            field,
            format!("`{}` is not a GUID", shorten(value.trim())),
            "an object id such as 8c6d7a4e-1f0b-4c1e-9a53-2b0d3c4e5f60",
        )
    })
}

/// Echoes a refused value back, but never a wall of text.
pub fn shorten(value: &str) -> Cow<'_, str> {
    if value.chars().count() <= 60 {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(format!("{}…", value.chars().take(60).collect::<String>()))
    }
}

/// Free text that goes into a filter literal (a name, a department, an activity): bounded and
/// without control characters. Quotes are fine — the printer escapes them.
pub fn text(field: &str, value: &str, max: usize) -> Result<String, SkillError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(SkillError::invalid_value(
            field,
            format!("`{}` is empty, too long or has control characters", shorten(value)),
            &format!("1–{max} printable characters"),
        ));
    }
    Ok(value.to_string())
}

/// A user: UPN, object id, or `me`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct UserRef(String);

impl JsonSchema for UserRef {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "UserRef".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "description": "UPN, object id, or `me`"})
    }
}

/// A validated user reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserKey {
    Me,
    Id(Uuid),
    Upn(String),
}

impl UserRef {
    pub fn new(value: impl Into<String>) -> Self {
        UserRef(value.into())
    }

    /// Validates the reference; `field` names the argument in errors.
    pub fn parse(&self, field: &str) -> Result<UserKey, SkillError> {
        const ACCEPTED: &str = "a UPN (name@domain), an object id (GUID), or `me`";
        let value = self.0.trim();
        if value.eq_ignore_ascii_case("me") {
            return Ok(UserKey::Me);
        }
        if let Some(id) = guid(value) {
            return Ok(UserKey::Id(id));
        }
        if is_upn(value) {
            return Ok(UserKey::Upn(value.to_string()));
        }
        Err(SkillError::invalid_value(field, format!("`{}` is not a UPN, object id or `me`", shorten(value)), ACCEPTED))
    }
}

impl UserKey {
    /// The `/users/{key}` path (or `/me`). A `'` in a UPN is doubled, as Graph's key syntax
    /// requires, before the segment is percent-encoded.
    pub fn path(&self) -> String {
        match self {
            UserKey::Me => "/me".to_string(),
            UserKey::Id(id) => format!("/users/{id}"),
            UserKey::Upn(upn) => format!("/users/{}", crate::graph::segment(&upn.replace('\'', "''"))),
        }
    }

    /// The reference as given: a UPN, an id, or `me`.
    pub fn label(&self) -> String {
        match self {
            UserKey::Me => "me".to_string(),
            UserKey::Id(id) => id.to_string(),
            UserKey::Upn(upn) => upn.clone(),
        }
    }

    /// What the admin typed, for messages.
    pub fn describe(&self) -> String {
        match self {
            UserKey::Me => "the signed-in user".to_string(),
            UserKey::Id(id) => format!("user {id}"),
            UserKey::Upn(upn) => format!("user {upn}"),
        }
    }
}

/// A userPrincipalName: `local@domain.tld`, no spaces or URL metacharacters, at most 113
/// characters before the domain as Entra allows. Guest UPNs (`…#EXT#@…`) pass.
fn is_upn(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else { return false };
    !local.is_empty()
        && local.len() <= 113
        && domain.len() <= 255
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && local.chars().all(|c| c.is_alphanumeric() || "._-'#!^~+&".contains(c))
        && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// A point in time: `30m`, `48h`, `7d` ago, or an RFC 3339 instant.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Since(String);

impl JsonSchema for Since {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Since".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "description": "`30m`, `48h`, `7d` ago, or RFC 3339"})
    }
}

impl Since {
    pub fn new(value: impl Into<String>) -> Self {
        Since(value.into())
    }

    /// Resolves against `now`; `field` names the argument in errors.
    pub fn resolve(&self, field: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, SkillError> {
        parse_time(self.0.trim(), now).ok_or_else(|| {
            SkillError::invalid_value(
                field,
                format!("`{}` is not a duration or a time", shorten(self.0.trim())),
                "`30m`, `48h`, `7d` (ago, up to 3650d) or an RFC 3339 time such as 2026-11-20T08:00:00Z",
            )
        })
    }
}

fn parse_time(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.with_timezone(&Utc));
    }
    let unit = value.chars().last()?;
    let number: i64 = value[..value.len() - unit.len_utf8()].parse().ok()?;
    if number <= 0 {
        return None;
    }
    let ago = match unit.to_ascii_lowercase() {
        'm' => Duration::try_minutes(number)?,
        'h' => Duration::try_hours(number)?,
        'd' => Duration::try_days(number)?,
        'w' => Duration::try_weeks(number)?,
        _ => return None,
    };
    if ago > Duration::days(3650) {
        return None;
    }
    now.checked_sub_signed(ago)
}

/// A window `[since, until]` clipped to a log's retention, with a note when clipped.
pub fn window(
    ctx: &Ctx,
    since: Option<&Since>,
    until: Option<&Since>,
    default_ago: Duration,
    retention_days: i64,
) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), SkillError> {
    let now = ctx.now;
    let mut start = match since {
        Some(s) => s.resolve("since", now)?,
        None => now - default_ago,
    };
    let end = until.map(|u| u.resolve("until", now)).transpose()?;
    if let Some(end) = end
        && end <= start
    {
        return Err(SkillError::invalid_value("until", "is not after `since`", "a time later than `since`"));
    }
    let oldest = now - Duration::days(retention_days);
    if start < oldest {
        start = oldest;
        ctx.note(format!("window clipped to the {retention_days}-day log retention"));
    }
    Ok((start, end))
}

/// How many rows to return: 1–500, default 25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Limit(i64);

impl Default for Limit {
    fn default() -> Self {
        Limit(25)
    }
}

impl JsonSchema for Limit {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Limit".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "minimum": 1, "maximum": 500, "description": "max rows (default 25)"})
    }
}

impl Limit {
    pub const MAX: i64 = 500;

    pub fn new(value: i64) -> Self {
        Limit(value)
    }

    pub fn get(self) -> Result<usize, SkillError> {
        if (1..=Self::MAX).contains(&self.0) {
            Ok(self.0 as usize)
        } else {
            Err(SkillError::invalid_value("limit", format!("{} is out of range", self.0), "an integer from 1 to 500"))
        }
    }
}

/// How much of a list was returned, and how to cut it down.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ListInfo {
    /// Rows in this answer.
    pub returned: usize,
    /// All matching rows, when Graph counted them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// More rows exist beyond `returned`.
    pub more: bool,
    /// Parameters that would narrow the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrow_hint: Option<String>,
    /// The narrowing parameters, kept for a list cut later by size.
    #[serde(skip)]
    narrow: String,
}

impl ListInfo {
    pub fn new(returned: usize, total: Option<u64>, more: bool, narrow: &str) -> Self {
        let more = more || total.is_some_and(|t| t > returned as u64);
        ListInfo { returned, total, more, narrow_hint: more.then(|| narrow.to_string()), narrow: narrow.to_string() }
    }

    /// The answer was cut to `kept` rows to stay within a host's size limit.
    pub fn cut(&mut self, kept: usize) {
        let narrow = if self.narrow.is_empty() { "`limit`".to_string() } else { self.narrow.clone() };
        self.returned = kept;
        self.more = true;
        self.narrow_hint =
            Some(format!("{narrow} (this answer was cut to {kept} rows to stay within what a host accepts)"));
    }

    /// "25 of 312; narrow with `since`" — or nothing when the list is complete.
    pub fn footer(&self) -> String {
        match (self.total, self.more) {
            (Some(total), true) => format!(
                "\n{} of {total}; narrow with {}",
                self.returned,
                self.narrow_hint.as_deref().unwrap_or("filters")
            ),
            (None, true) => format!(
                "\n{} shown, more exist; narrow with {}",
                self.returned,
                self.narrow_hint.as_deref().unwrap_or("filters")
            ),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).single().unwrap_or_default()
    }

    #[test]
    fn durations_and_instants() {
        let since = |s: &str| Since::new(s).resolve("since", now());
        assert_eq!(since("48h").ok(), Some(now() - Duration::hours(48)));
        assert_eq!(since("7d").ok(), Some(now() - Duration::days(7)));
        assert_eq!(since("30m").ok(), Some(now() - Duration::minutes(30)));
        assert_eq!(since("2026-11-20T08:00:00Z").ok(), Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).single());
        assert_eq!(since("2026-11-20T09:00:00+01:00").ok(), Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).single());
    }

    #[test]
    fn bad_times_name_the_field_and_the_forms() {
        for bad in ["", "yesterday", "48", "-3d", "0h", "5y", "99999999d", "2026-13-01", "7 d"] {
            let e = Since::new(bad).resolve("since", now());
            let e = e.err().unwrap_or_else(|| panic!("{bad} was accepted"));
            assert_eq!(e.kind, crate::error::ErrorKind::InvalidInput);
            assert!(e.message.contains("`since`"), "{}", e.message);
            assert!(e.remedy.as_deref().is_some_and(|r| r.contains("48h") && r.contains("RFC 3339")));
        }
    }

    #[test]
    fn user_references() {
        assert_eq!(UserRef::new("me").parse("user").ok(), Some(UserKey::Me));
        assert_eq!(
            UserRef::new("karita@woodgrovebank.com").parse("user").ok(),
            Some(UserKey::Upn("karita@woodgrovebank.com".into()))
        );
        let guest = "ann_fabrikampartners.com#EXT#@woodgrovebank.onmicrosoft.com";
        assert_eq!(UserRef::new(guest).parse("user").ok(), Some(UserKey::Upn(guest.into())));
        let id = "0b0b7c1e-3a4f-4d5e-8f60-718293a4b5c6";
        assert!(matches!(UserRef::new(id).parse("user"), Ok(UserKey::Id(_))));
        for bad in [
            "karita",
            "karita@",
            "@woodgrovebank.com",
            "a b@c.com",
            "x@y",
            "x@y.com/../me",
            "x'@y.com' or 1 eq 1",
            "0b0b7c1e3a4f4d5e8f60718293a4b5c6",
        ] {
            let e = UserRef::new(bad).parse("user");
            assert!(e.is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn upn_with_a_quote_doubles_it_in_the_path() {
        let key = UserRef::new("siobhan.o'brien@woodgrovebank.com").parse("user");
        assert_eq!(key.map(|k| k.path()).ok(), Some("/users/siobhan.o%27%27brien@woodgrovebank.com".to_string()));
    }

    #[test]
    fn limits() {
        assert_eq!(Limit::default().get().ok(), Some(25));
        assert_eq!(Limit::new(500).get().ok(), Some(500));
        for bad in [0, -1, 501, 100_000] {
            let e = Limit::new(bad).get().err();
            assert!(e.is_some_and(|e| e.message.contains("`limit`")
                && e.remedy.as_deref() == Some("`limit` accepts an integer from 1 to 500")));
        }
    }

    #[test]
    fn guids() {
        assert!(parse_guid("id", "62e90394-69f5-4237-9190-012177145e10").is_ok());
        assert!(parse_guid("id", "62e90394-69f5-4237-9190-012177145e1").is_err());
        assert!(parse_guid("id", "' or 1 eq 1").is_err());
    }

    #[test]
    fn list_footer_names_the_narrowing_parameters() {
        let info = ListInfo::new(25, Some(312), false, "`since`");
        assert_eq!(info.footer(), "\n25 of 312; narrow with `since`");
        assert!(ListInfo::new(3, Some(3), false, "`since`").footer().is_empty());
    }
}

/// The optional `filter` of a few list skills: OData the model wrote, accepted only when it
/// uses the skill's allowed fields and the operators `eq`, `ne`, `startswith`, `ge`, `le` and
/// `and`. It is parsed and printed again, so its literals are escaped like any other.
pub fn allowed_filter(text: &str, allowed: &[&str]) -> Result<crate::odata::Expr, SkillError> {
    use crate::odata::{CmpOp, Expr};
    let accepted = format!(
        "`field op value` joined by `and`, with op one of eq, ne, ge, le, or startswith(field,'x'); fields: {}",
        allowed.join(", ")
    );
    let expr = crate::odata::parse_filter(text)
        .map_err(|e| SkillError::invalid_value("filter", format!("cannot be parsed ({e})"), &accepted))?;
    // A log field never holds a control character or a non-finite number: such a literal is a
    // probe, not a question.
    fn literal_ok(value: &crate::odata::Literal) -> Result<(), String> {
        match value {
            crate::odata::Literal::String(text) if text.chars().any(char::is_control) => {
                Err("a text value holds a control character".into())
            }
            crate::odata::Literal::Float(n) if !n.is_finite() => Err("a number is not finite (INF, NaN)".into()),
            _ => Ok(()),
        }
    }
    fn check(expr: &Expr, allowed: &[&str]) -> Result<(), String> {
        let field_ok = |p: &crate::odata::Path| {
            let name = p.segments().join("/");
            if allowed.contains(&name.as_str()) { Ok(()) } else { Err(format!("field `{name}` is not allowed")) }
        };
        match expr {
            Expr::And(a, b) => {
                check(a, allowed)?;
                check(b, allowed)
            }
            Expr::Compare { path, op, value } => {
                if matches!(op, CmpOp::Eq | CmpOp::Ne | CmpOp::Ge | CmpOp::Le) {
                    field_ok(path)?;
                    literal_ok(value)
                } else {
                    Err(format!("operator `{op}` is not allowed"))
                }
            }
            Expr::StartsWith { path, prefix } => {
                field_ok(path)?;
                literal_ok(&crate::odata::Literal::String(prefix.clone()))
            }
            Expr::Or(..) => Err("`or` is not allowed".into()),
            Expr::Not(..) => Err("`not` is not allowed".into()),
            Expr::In { .. } => Err("`in` is not allowed".into()),
            Expr::EndsWith { .. } => Err("`endswith` is not allowed".into()),
            Expr::Contains { .. } => Err("`contains` is not allowed".into()),
            Expr::Any { .. } | Expr::All { .. } => Err("lambda operators are not allowed".into()),
        }
    }
    check(&expr, allowed).map_err(|problem| SkillError::invalid_value("filter", problem, &accepted))?;
    Ok(expr)
}

#[cfg(test)]
mod filter_tests {
    use super::*;

    const FIELDS: &[&str] = &["status/errorCode", "appDisplayName"];

    #[test]
    fn allowed_filters_are_reprinted_with_escaping() {
        let e = allowed_filter("appDisplayName eq 'O''Brien app' and status/errorCode ne 0", FIELDS);
        assert_eq!(
            e.map(|e| e.to_string()).ok().as_deref(),
            Some("appDisplayName eq 'O''Brien app' and status/errorCode ne 0")
        );
    }

    #[test]
    fn other_fields_operators_and_garbage_are_refused() {
        for (bad, says) in [
            ("userType eq 'Guest'", "field `userType`"),
            ("appDisplayName eq 'a' or appDisplayName eq 'b'", "`or`"),
            ("status/errorCode gt 0", "operator `gt`"),
            ("appDisplayName eq 'x", "cannot be parsed"),
            ("not(appDisplayName eq 'x')", "`not`"),
            ("appDisplayName eq 'a\u{1}b'", "control character"),
            ("startswith(appDisplayName,'a\nb')", "control character"),
            ("status/errorCode eq INF", "not finite"),
            ("status/errorCode ne NaN", "not finite"),
            ("status/errorCode ge -INF", "not finite"),
        ] {
            let e = allowed_filter(bad, FIELDS).err();
            assert!(
                e.as_ref().is_some_and(|e| e.message.contains(says) && e.message.contains("`filter`")),
                "{bad}: {e:?}"
            );
        }
    }
}
