//! Reading sign-ins by id and by correlation id, for `get_sign_in` and
//! `explain_sign_in_failure`.

use crate::error::{ErrorKind, SkillError};
use crate::graph::resources::SignIn;
use crate::graph::{GraphRequest, Query, path};
use crate::odata::Expr;
use crate::shared::*;
use crate::skill::Ctx;

/// One sign-in by its id (given in the argument `field`), with report-only CA results.
pub async fn sign_in_by_id(ctx: &Ctx, field: &str, id: &str) -> Result<SignIn, SkillError> {
    let id = parse_guid(field, id)?.to_string();
    let request = GraphRequest::get(path("/auditLogs/signIns/{}", &[&id]))
        .query(Query::new().select(SIGN_IN_FIELDS))
        .prefer_unknown_enums();
    ctx.graph.get(request).await.map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            SkillError::not_found(format!("sign-in {id} (logs are kept 30 days)"), "list_sign_ins")
        } else {
            e
        }
    })
}

/// Every event of one sign-in attempt, oldest first.
pub async fn correlated(ctx: &Ctx, correlation_id: &str, cap: usize) -> Result<Vec<SignIn>, SkillError> {
    let query = Query::new().select(SIGN_IN_FIELDS).filter(Expr::eq("correlationId", correlation_id)).top(cap);
    let request = GraphRequest::get("/auditLogs/signIns").query(query).prefer_unknown_enums();
    let mut items = ctx.graph.list::<SignIn>(request, cap).await?.items;
    items.sort_by(|a, b| a.created_date_time.cmp(&b.created_date_time));
    Ok(items)
}
