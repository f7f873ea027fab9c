//! Counting a collection several ways at once: one `/$count` per filter (with
//! `ConsistencyLevel: eventual`, at most eight in flight), and for the filters Graph refuses
//! (a 400) the numbers made instead from one bounded read of a minimal `$select`, said in a
//! note. `count_devices` and `count_groups_by_type` count this way.

use std::collections::BTreeMap;

use futures::StreamExt;
use serde::de::DeserializeOwned;

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::skill::{Ctx, SkillError};

/// Counts in flight at once.
const IN_FLIGHT: usize = 8;
/// Objects read per page, and pages at most, when a count is refused.
const PAGE: usize = 999;
const PAGES: u32 = 20;

/// One number to count: its name, its filter (none for the total), and how an object read
/// instead is tested.
pub struct Counted<T> {
    pub name: &'static str,
    pub filter: Option<Expr>,
    pub test: Box<dyn Fn(&T) -> bool + Send + Sync>,
}

impl<T> Counted<T> {
    pub fn new(name: &'static str, filter: Option<Expr>, test: impl Fn(&T) -> bool + Send + Sync + 'static) -> Self {
        Counted { name, filter, test: Box::new(test) }
    }
}

/// The numbers by name, and which were counted by reading objects instead.
pub struct Counts {
    pub numbers: BTreeMap<&'static str, u64>,
    pub paged: Vec<&'static str>,
    /// The read stopped at its bound: the paged numbers are lower bounds.
    pub paged_incomplete: bool,
}

impl Counts {
    /// `count` when every number came from `$count`, else `count_and_paged`.
    pub fn method(&self) -> &'static str {
        if self.paged.is_empty() { "count" } else { "count_and_paged" }
    }
}

/// Counts `collection` (`/devices`) once per entry of `counted`; `select` is what the tests of
/// a refused count need, `noun` names the objects in the note.
pub async fn count_each<T: DeserializeOwned + Send>(
    ctx: &Ctx,
    collection: &str,
    counted: &[Counted<T>],
    select: &'static [&'static str],
    noun: &str,
) -> Result<Counts, SkillError> {
    let requests: Vec<GraphRequest> = counted
        .iter()
        .map(|c| GraphRequest::get(format!("{collection}/$count")).query(Query::new().filter_opt(c.filter.clone())))
        .collect();
    let results: Vec<_> = futures::stream::iter(requests.into_iter().map(|request| ctx.graph.count(request)))
        .buffered(IN_FLIGHT)
        .collect()
        .await;

    let mut numbers = BTreeMap::new();
    let mut refused: Vec<&Counted<T>> = Vec::new();
    for (c, result) in counted.iter().zip(results) {
        match result {
            Ok(n) => {
                numbers.insert(c.name, n);
            }
            Err(e) if e.graph.as_ref().is_some_and(|g| g.status == 400) => refused.push(c),
            Err(e) => return Err(e),
        }
    }
    let mut paged_incomplete = false;
    if !refused.is_empty() {
        let request = GraphRequest::get(collection).query(Query::new().select(select).top(PAGE)).max_pages(PAGES);
        let page = ctx.graph.list::<T>(request, PAGE * PAGES as usize).await?;
        paged_incomplete = page.more;
        for c in &refused {
            numbers.insert(c.name, page.items.iter().filter(|item| (c.test)(item)).count() as u64);
        }
        ctx.note(format!(
            "Graph refused the count filter for {}: counted from {} {noun} read{}",
            refused.iter().map(|c| c.name).collect::<Vec<_>>().join(", "),
            page.items.len(),
            if page.more { " (not all of them: these are lower bounds)" } else { "" }
        ));
    }
    Ok(Counts { numbers, paged: refused.iter().map(|c| c.name).collect(), paged_incomplete })
}
