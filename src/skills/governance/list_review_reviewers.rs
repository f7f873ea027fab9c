//! `list_review_reviewers`: who an access review contacted (and how many decisions each made),
//! or the other way round, which reviews a person must do — the caller's through Graph's
//! `filterByCurrentUser`, anyone else's by reading the reviews in progress.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::{or_dash, short_time, table};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

use super::reviews_model::*;

const LIST_REVIEW_REVIEWERS: Declaration = Declaration {
    name: "list_review_reviewers",
    title: "List access review reviewers",
    description: "Who reviews an access review (the reviewers its instance contacted, with how many decisions each made), or which access reviews a person must review — yourself with `me`, or any user. P2 or ID Governance. Security Reader.",
    toolset: Toolset::Governance,
    permissions: &["AccessReview.Read.All", "User.ReadBasic.All"],
    least_role: "Security Reader",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListReviewReviewersParams {
    /// The review whose reviewers to list (id or name; its start is enough).
    pub review: Option<String>,
    /// An instance id of that review; default: the one in progress, else the latest.
    pub instance: Option<String>,
    /// Instead of a review: the person whose reviews to list (`me` by default).
    pub reviewer: Option<UserRef>,
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReviewerRow {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// Decisions this reviewer recorded in the instance.
    pub decided: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReviewToDo {
    pub review_id: String,
    pub review: String,
    pub status: String,
    /// `reviewer` (contacted by an instance in progress), `named reviewer` (named in the
    /// review, no instance in progress) or `fallback reviewer`.
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<InstanceRef>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReviewReviewers {
    /// The review asked about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<InstanceRef>,
    /// Its contacted reviewers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<ReviewerRow>,
    /// Decisions nobody has made yet in the instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_reviewed: Option<usize>,
    /// The person asked about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonRef>,
    /// The reviews that person reviews.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<ReviewToDo>,
    #[serde(flatten)]
    pub list: ListInfo,
}

/// The most review series read when looking for another person's reviews.
const SERIES_SCANNED: usize = 25;

async fn list_review_reviewers(ctx: Ctx, p: ListReviewReviewersParams) -> Result<ReviewReviewers, SkillError> {
    let limit = p.limit.get()?;
    match (&p.review, &p.reviewer) {
        (Some(_), Some(_)) => Err(SkillError::invalid_value(
            "reviewer",
            "cannot be combined with `review`",
            "either `review` (its reviewers) or `reviewer` (that person's reviews)",
        )),
        (Some(review), None) => reviewers_of(&ctx, review, p.instance.as_deref(), limit).await,
        (None, reviewer) => {
            if p.instance.is_some() {
                return Err(SkillError::invalid_value(
                    "instance",
                    "needs `review`",
                    "an instance id together with `review`",
                ));
            }
            let key = reviewer.clone().unwrap_or_else(|| UserRef::new("me")).parse("reviewer")?;
            reviews_of(&ctx, &key, limit).await
        }
    }
}

async fn reviewers_of(
    ctx: &Ctx,
    review: &str,
    instance: Option<&str>,
    limit: usize,
) -> Result<ReviewReviewers, SkillError> {
    let review = resolve_review(ctx, review).await?;
    let instance = pick_instance(ctx, &review, instance, Want::Current).await?;
    let (people, decided) =
        tokio::join!(contacted(ctx, &review.id, &instance.id), decisions(ctx, &review.id, &instance.id, None, 500));
    let people = people?;
    let decided = ctx.optional("decision counts", decided).map(|page| page.items).unwrap_or_default();
    let mut by_reviewer: HashMap<String, usize> = HashMap::new();
    for d in &decided {
        if let Some(r) = d.reviewer() {
            *by_reviewer.entry(r.id.to_ascii_lowercase()).or_default() += 1;
        }
    }
    let total = people.len();
    let rows: Vec<ReviewerRow> = people
        .into_iter()
        .take(limit)
        .map(|r| ReviewerRow {
            decided: by_reviewer.get(&r.id.to_ascii_lowercase()).copied().unwrap_or(0),
            id: r.id,
            display_name: r.display_name,
            upn: r.user_principal_name,
        })
        .collect();
    let not_reviewed = decided.iter().filter(|d| d.decision() == "NotReviewed").count();
    Ok(ReviewReviewers {
        review: Some(review.reference()),
        instance: Some(instance.reference()),
        list: ListInfo::new(rows.len(), Some(total as u64), false, "`limit`"),
        reviewers: rows,
        not_reviewed: Some(not_reviewed),
        person: None,
        reviews: Vec::new(),
    })
}

async fn reviews_of(ctx: &Ctx, key: &UserKey, limit: usize) -> Result<ReviewReviewers, SkillError> {
    let person = resolve_user(ctx, key).await?;
    let mut todo = if *key == UserKey::Me { mine(ctx).await? } else { theirs(ctx, &person.id).await? };
    todo.sort_by(|a, b| {
        let due = |t: &ReviewToDo| t.instance.as_ref().and_then(|i| i.due.clone()).unwrap_or_else(|| "~".into());
        due(a).cmp(&due(b))
    });
    let total = todo.len();
    todo.truncate(limit);
    Ok(ReviewReviewers {
        review: None,
        instance: None,
        reviewers: Vec::new(),
        not_reviewed: None,
        list: ListInfo::new(todo.len(), Some(total as u64), false, "`limit`"),
        person: Some(person),
        reviews: todo,
    })
}

/// The instance in progress of each series, read at most `IN_FLIGHT` at once.
async fn instances_in_progress(ctx: &Ctx, series: &[&Definition]) -> Result<HashMap<String, Instance>, SkillError> {
    let reads: Vec<_> = series
        .iter()
        .map(|d| {
            let id = d.id.clone();
            async move { (id.clone(), instances(ctx, &id, Some("InProgress")).await) }
        })
        .collect();
    let mut out = HashMap::new();
    for (id, result) in at_most_eight(reads).await {
        match result {
            Ok(list) => {
                if let Some(i) = in_progress(&list) {
                    out.insert(id, i.clone());
                }
            }
            Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
            Err(e) => ctx.note(format!("instances of review {id} unavailable: {}", e.kind.as_str())),
        }
    }
    Ok(out)
}

/// The caller's reviews, as Graph lists them for a reviewer.
async fn mine(ctx: &Ctx) -> Result<Vec<ReviewToDo>, SkillError> {
    let request = GraphRequest::get(format!("{DEFINITIONS}/filterByCurrentUser(on='reviewer')"))
        .query(Query::new().select(&["id", "displayName", "status"]).top(100));
    let series = ctx.graph.list::<Definition>(request, 500).await?.items;
    let running: Vec<&Definition> = series.iter().filter(|d| d.status.as_deref() == Some("InProgress")).collect();
    let current = instances_in_progress(ctx, &running).await?;
    Ok(series
        .iter()
        .map(|d| ReviewToDo {
            review_id: d.id.clone(),
            review: d.name(),
            status: d.status.clone().unwrap_or_default(),
            role: "reviewer".into(),
            instance: current.get(&d.id).map(Instance::reference),
        })
        .collect())
}

/// Another person's reviews: where a review in progress contacted them, or names them as a
/// reviewer or fallback reviewer. Group owners and managers show only once contacted.
async fn theirs(ctx: &Ctx, user: &str) -> Result<Vec<ReviewToDo>, SkillError> {
    let request = GraphRequest::get(DEFINITIONS).query(
        Query::new()
            .select(&["id", "displayName", "status", "reviewers", "fallbackReviewers"])
            .filter(Expr::eq("status", "InProgress"))
            .top(100),
    );
    let page = ctx.graph.list::<Definition>(request, 500).await?;
    let series: Vec<&Definition> = page.items.iter().take(SERIES_SCANNED).collect();
    if page.items.len() > SERIES_SCANNED || page.more {
        ctx.note(format!("only the first {SERIES_SCANNED} reviews in progress were read for this person"));
    }
    let current = instances_in_progress(ctx, &series).await?;
    let reads: Vec<_> = series
        .iter()
        .filter_map(|d| current.get(&d.id).map(|i| (d.id.clone(), i.id.clone())))
        .map(|(d, i)| async move {
            let people = contacted(ctx, &d, &i).await;
            (d, people)
        })
        .collect();
    let mut contacted_in: Vec<String> = Vec::new();
    for (definition, people) in at_most_eight(reads).await {
        match people {
            Ok(people) if people.iter().any(|p| p.id.eq_ignore_ascii_case(user)) => contacted_in.push(definition),
            Ok(_) => {}
            Err(e) if e.kind == ErrorKind::Throttled => return Err(e),
            Err(e) => ctx.note(format!("reviewers of review {definition} unavailable: {}", e.kind.as_str())),
        }
    }
    let names = |scopes: &[ReviewerScope]| scopes.iter().filter_map(named_user).any(|id| id.eq_ignore_ascii_case(user));
    Ok(series
        .iter()
        .filter_map(|d| {
            let role = if contacted_in.contains(&d.id) {
                "reviewer"
            } else if names(&d.reviewers) {
                "named reviewer"
            } else if names(&d.fallback_reviewers) {
                "fallback reviewer"
            } else {
                return None;
            };
            Some(ReviewToDo {
                review_id: d.id.clone(),
                review: d.name(),
                status: d.status.clone().unwrap_or_default(),
                role: role.into(),
                instance: current.get(&d.id).map(Instance::reference),
            })
        })
        .collect())
}

impl Render for ReviewReviewers {
    fn rows(&self) -> Option<usize> {
        Some(self.reviewers.len() + self.reviews.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.reviewers.truncate(rows);
        self.reviews.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        if let Some(review) = &self.review {
            let rows: Vec<Vec<String>> = self
                .reviewers
                .iter()
                .map(|r| {
                    let acted = if r.decided == 0 { "none yet".to_string() } else { r.decided.to_string() };
                    vec![or_dash(&r.display_name), or_dash(&r.upn), acted, r.id.clone()]
                })
                .collect();
            let instance =
                self.instance.as_ref().map(|i| format!(" — instance {} ({})", i.id, i.words())).unwrap_or_default();
            let pending = self.not_reviewed.map(|n| format!("\n{n} items not reviewed yet")).unwrap_or_default();
            return format!(
                "reviewers of {}{instance}\n{}{pending}{}",
                review.name,
                table(&["reviewer", "upn", "decisions made", "id"], &rows),
                self.list.footer()
            );
        }
        let who = self.person.as_ref().and_then(|p| p.display_name.clone()).unwrap_or_else(|| "this person".into());
        let rows: Vec<Vec<String>> = self
            .reviews
            .iter()
            .map(|r| {
                let due =
                    r.instance.as_ref().and_then(|i| i.due.as_deref()).map(short_time).unwrap_or_else(|| "-".into());
                vec![r.review.clone(), r.role.clone(), r.status.clone(), due, r.review_id.clone()]
            })
            .collect();
        format!(
            "{} access reviews for {who}\n{}{}",
            self.list.returned,
            table(&["review", "as", "status", "due (UTC)", "id"], &rows),
            self.list.footer()
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Which access reviews do I have to do as a reviewer?",
        args: r#"{"reviewer":"me"}"#,
        facts: &[
            Fact::Count("reviews/*", 1),
            Fact::Every("reviews/*/review", "~Sales App Access Q"),
            Fact::Every("person/upn", "jordan@woodgrovebank.com"),
            Fact::Every("reviews/*/instance/status", "InProgress"),
        ],
    },
    Example {
        question: "Which reviewers were asked to review the Finance groups, and which reviewers have not acted yet?",
        args: r#"{"review":"Finance Microsoft 365 Groups"}"#,
        facts: &[
            Fact::Count("reviewers/*", 2),
            Fact::Some("reviewers/*/display_name", "Daniel Moreau"),
            Fact::Says("Grace Whitfield"),
            Fact::Says("none yet"),
            Fact::Every("not_reviewed", "4"),
        ],
    },
    Example {
        question: "Which access reviews is Alex Chen a reviewer or fallback reviewer on?",
        args: r#"{"reviewer":"alex@woodgrovebank.com"}"#,
        facts: &[
            Fact::Count("reviews/*", 2),
            Fact::Some("reviews/*/role", "reviewer"),
            Fact::Some("reviews/*/role", "fallback reviewer"),
        ],
    },
    Example {
        question: "Reviews of a reviewer given as a bare name",
        args: r#"{"reviewer":"Alex Chen"}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(LIST_REVIEW_REVIEWERS, list_review_reviewers)
}
