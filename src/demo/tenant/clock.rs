//! Relative time for the demo tenant.
//!
//! Every timestamp in the tenant is an offset from one anchor ("30 hours ago", "in 12 days"),
//! so the story stays current: "the last 48 hours" always finds Karita's sign-ins however long
//! the demo has been installed.

use chrono::{DateTime, Duration, SecondsFormat, Utc};

/// The anchor every timestamp is relative to.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    anchor: DateTime<Utc>,
}

impl Clock {
    pub fn new(anchor: DateTime<Utc>) -> Clock {
        Clock { anchor }
    }

    /// The instant `offset` from the anchor as Graph prints it (`2026-11-20T08:15:00Z`).
    pub fn at(&self, offset: Duration) -> String {
        format_instant(self.anchor + offset)
    }

    pub fn hours_ago(&self, hours: i64) -> String {
        self.at(Duration::hours(-hours))
    }

    pub fn days_ago(&self, days: i64) -> String {
        self.at(Duration::days(-days))
    }

    pub fn days_ahead(&self, days: i64) -> String {
        self.at(Duration::days(days))
    }
}

/// RFC 3339 in UTC with a `Z` and whole seconds, as Graph prints most timestamps.
pub fn format_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_print_as_utc_with_z() {
        let anchor = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").map(|t| t.to_utc()).unwrap_or_default();
        let clock = Clock::new(anchor);
        assert_eq!(clock.hours_ago(30), "2026-11-21T04:00:00Z");
        assert_eq!(clock.days_ahead(1), "2026-11-23T10:00:00Z");
    }
}
