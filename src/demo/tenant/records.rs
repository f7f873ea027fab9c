//! Collections too large to hold as JSON: records kept compact and turned into Graph JSON only
//! when a request needs them.
//!
//! A sign-in as a `serde_json::Value` costs about 15 KB (every small object is a B-tree node
//! sized for eleven entries), so 100,000 of them would take 1.5 GB and seconds to build. A
//! record source instead keeps a few hundred bytes per record and builds either the whole
//! resource (for the page being returned) or only the properties a `$filter` or `$orderby`
//! reads (for every record scanned).
//!
//! Records are generated, never edited; what a write changes on one (an admin confirming a
//! sign-in safe) is kept beside it as a patch of properties laid over the rendered resource.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

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

/// A collection of records with an index by id, and the properties writes changed on them.
/// Cloning is shallow but for the patches, so a write copies only those.
#[derive(Clone)]
pub struct RecordLog {
    source: Arc<dyn RecordSource>,
    by_id: Arc<HashMap<String, usize>>,
    patches: HashMap<usize, Map<String, Value>>,
}

impl fmt::Debug for RecordLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordLog").field("len", &self.len()).finish()
    }
}

impl RecordLog {
    pub fn new(source: Box<dyn RecordSource>) -> RecordLog {
        let by_id = (0..source.len()).map(|i| (source.id(i).to_ascii_lowercase(), i)).collect();
        RecordLog { source: Arc::from(source), by_id: Arc::new(by_id), patches: HashMap::new() }
    }

    pub fn len(&self) -> usize {
        self.source.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The record with this id.
    pub fn get(&self, id: &str) -> Option<Item<'_>> {
        self.by_id.get(&id.to_ascii_lowercase()).map(|&i| Item::Record(self, i))
    }

    /// All records, in stored order (newest first for logs).
    pub fn iter(&self) -> impl Iterator<Item = Item<'_>> {
        (0..self.len()).map(|i| Item::Record(self, i))
    }

    /// Sets properties on the record with this id (they win over the generated ones from now
    /// on); `false` if there is no such record.
    pub fn patch(&mut self, id: &str, properties: Map<String, Value>) -> bool {
        let Some(&index) = self.by_id.get(&id.to_ascii_lowercase()) else { return false };
        self.patches.entry(index).or_default().extend(properties);
        true
    }

    fn render(&self, index: usize, properties: Option<&[&str]>) -> Value {
        let mut value = match properties {
            Some(properties) => self.source.partial(index, properties),
            None => self.source.json(index),
        };
        if let (Some(patch), Value::Object(map)) = (self.patches.get(&index), &mut value) {
            for (name, patched) in patch {
                map.insert(name.clone(), patched.clone());
            }
        }
        value
    }
}

/// One item of a collection: a stored JSON value or a record rendered on demand.
#[derive(Clone, Copy)]
pub enum Item<'a> {
    Stored(&'a Value),
    Record(&'a RecordLog, usize),
}

impl fmt::Debug for Item<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Stored(value) => write!(f, "Stored({value})"),
            Item::Record(log, index) => write!(f, "Record({})", log.source.id(*index)),
        }
    }
}

impl<'a> Item<'a> {
    /// The whole resource.
    pub fn json(&self) -> Cow<'a, Value> {
        match *self {
            Item::Stored(value) => Cow::Borrowed(value),
            Item::Record(log, index) => Cow::Owned(log.render(index, None)),
        }
    }

    /// At least the named top-level properties.
    pub fn partial(&self, properties: &[&str]) -> Cow<'a, Value> {
        match *self {
            Item::Stored(value) => Cow::Borrowed(value),
            Item::Record(log, index) => Cow::Owned(log.render(index, Some(properties))),
        }
    }
}
