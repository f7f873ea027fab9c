//! Collections too large to hold as JSON: records kept compact and turned into Graph JSON only
//! when a request needs them.
//!
//! A sign-in as a `serde_json::Value` costs about 15 KB (every small object is a B-tree node
//! sized for eleven entries), so 100,000 of them would take 1.5 GB and seconds to build. A
//! record source instead keeps a few hundred bytes per record and builds either the whole
//! resource (for the page being returned) or only the properties a `$filter` or `$orderby`
//! reads (for every record scanned).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

/// Compact records that can be rendered as Graph resources.
pub trait RecordSource: Send + Sync {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The resource id of a record.
    fn id(&self, index: usize) -> &str;
    /// The whole resource as Graph JSON.
    fn json(&self, index: usize) -> Value;
    /// Only the named top-level properties (enough to evaluate a filter or sort on them).
    fn partial(&self, index: usize, properties: &[&str]) -> Value;
}

/// A collection of records with an index by id.
pub struct RecordLog {
    source: Box<dyn RecordSource>,
    by_id: HashMap<String, usize>,
}

impl fmt::Debug for RecordLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordLog").field("len", &self.len()).finish()
    }
}

impl RecordLog {
    pub fn new(source: Box<dyn RecordSource>) -> RecordLog {
        let by_id = (0..source.len()).map(|i| (source.id(i).to_ascii_lowercase(), i)).collect();
        RecordLog { source, by_id }
    }

    pub fn len(&self) -> usize {
        self.source.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The record with this id.
    pub fn get(&self, id: &str) -> Option<Item<'_>> {
        self.by_id.get(&id.to_ascii_lowercase()).map(|&i| Item::Record(self.source.as_ref(), i))
    }

    /// All records, in stored order (newest first for logs).
    pub fn iter(&self) -> impl Iterator<Item = Item<'_>> {
        (0..self.len()).map(|i| Item::Record(self.source.as_ref(), i))
    }
}

/// One item of a collection: a stored JSON value or a record rendered on demand.
#[derive(Clone, Copy)]
pub enum Item<'a> {
    Stored(&'a Value),
    Record(&'a dyn RecordSource, usize),
}

impl fmt::Debug for Item<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Stored(value) => write!(f, "Stored({value})"),
            Item::Record(source, index) => write!(f, "Record({})", source.id(*index)),
        }
    }
}

impl<'a> Item<'a> {
    /// The whole resource.
    pub fn json(&self) -> Cow<'a, Value> {
        match *self {
            Item::Stored(value) => Cow::Borrowed(value),
            Item::Record(source, index) => Cow::Owned(source.json(index)),
        }
    }

    /// At least the named top-level properties.
    pub fn partial(&self, properties: &[&str]) -> Cow<'a, Value> {
        match *self {
            Item::Stored(value) => Cow::Borrowed(value),
            Item::Record(source, index) => Cow::Owned(source.partial(index, properties)),
        }
    }
}
