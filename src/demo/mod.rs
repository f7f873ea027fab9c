//! The embedded demo tenant: `--demo` starts a Microsoft Graph emulator on 127.0.0.1 serving
//! Woodgrove Bank, a synthetic tenant, and points the ordinary Graph client at it. Nothing
//! above the HTTP layer knows it is a demo, so the emulator behaves like Graph for everything
//! the skills use: paths, query options, consistency rules, paging, errors, throttling.

pub mod tenant;

use chrono::{DateTime, Utc};

/// How to build and serve the demo tenant.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Target number of users; at or below the story's own size, only the story is generated.
    pub scale: u32,
    /// Seed for the background activity and generated staff (the story never changes).
    pub seed: u64,
    /// Pins the anchor all timestamps are relative to; `None` uses the current time and
    /// re-anchors hourly.
    pub now: Option<DateTime<Utc>>,
    /// Delay added to every Graph response.
    pub latency_ms: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            scale: 0,
            seed: 1,
            now: None,
            latency_ms: 0,
        }
    }
}

/// The object id of the signed-in persona, Jordan Reyes.
pub fn persona_object_id() -> String {
    tenant::persona_id()
}
