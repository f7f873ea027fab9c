//! Who changed a risk by hand: the people a risk history names by id in `initiatedBy`, read
//! with their names so an answer says "Marcus Lee" rather than a GUID.

use std::collections::BTreeSet;

use futures::StreamExt;

use crate::graph::resources::User;
use crate::graph::{GraphRequest, Query};
use crate::shared::*;
use crate::skill::{Ctx, SkillError};

/// Reads these people (at most 8 at a time); those that cannot be read are left out with a note.
pub async fn named(ctx: &Ctx, ids: &BTreeSet<String>) -> Vec<User> {
    // Collected first: a stream over a borrowing closure would not be `Send`.
    let reads: Vec<_> = ids
        .iter()
        .filter_map(|id| guid(id))
        .map(|id| {
            let request = GraphRequest::get(format!("/users/{id}")).query(Query::new().select(&[
                "id",
                "displayName",
                "userPrincipalName",
            ]));
            ctx.graph.get::<User>(request)
        })
        .collect();
    let found: Vec<Result<User, SkillError>> = futures::stream::iter(reads).buffered(8).collect().await;
    let failed = found.iter().filter(|r| r.is_err()).count();
    if failed > 0 {
        ctx.note(format!("{failed} person(s) who changed the risk could not be read; their ids are shown"));
    }
    found.into_iter().filter_map(Result::ok).collect()
}

/// "Name (UPN)" of the person with this id among `people`, else the id; `ID Protection` when
/// no one is named (the service changed it).
pub fn changed_by(people: &[User], initiated_by: Option<&str>) -> String {
    match initiated_by {
        None | Some("") => "ID Protection".into(),
        Some(id) => people.iter().find(|u| u.id.eq_ignore_ascii_case(id)).map(user_label).unwrap_or_else(|| id.into()),
    }
}
