//! What several toolsets of `skills/` use, in one module below them (it imports nothing of
//! `skills/`): the shared parameter kinds (`user`,
//! `since`, `limit`, the allow-listed `filter`), name resolution, people and devices as answers
//! name them, counting a collection several ways (`counts`), sign-in rows, risk vocabulary and the log filter allow-lists. Toolsets import
//! from here and never from each other.

pub mod counts;
mod devices;
mod filters;
mod params;
mod people;
pub mod resolve;
mod risk;
pub mod roles;
mod sign_ins;

pub use devices::{DEVICE_FIELDS, DeviceRow, join_type};
pub use filters::{AUDIT_FILTER_FIELDS, PROVISIONING_FILTER_FIELDS, SIGN_IN_FILTER_FIELDS};
pub use params::{Limit, ListInfo, Since, UserKey, UserRef, allowed_filter, guid, parse_guid, shorten, text, window};
pub use people::{PersonRef, caller_id, check_user_guard_rails, resolve_user, user_label, user_not_found, user_target};
pub use resolve::{Named, given_id};
pub use risk::{DETECTION_RETENTION_DAYS, RiskState, count_by_level, level_counts_words, risk_filter};
pub use sign_ins::*;
