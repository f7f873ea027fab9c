//! `get_user_reports`: a manager's direct reports, and how many people report to them
//! indirectly. With beta on, one `transitiveReports/$count` counts everyone below; on v1.0 alone
//! the count walks `directReports` level by level (bounded), which also splits it per level.

use std::collections::HashSet;

use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::{GraphRequest, Query, path};
use crate::render::{or_dash, table, yes_no};
use crate::shared::*;
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_USER_REPORTS: Declaration = Declaration {
    name: "get_user_reports",
    title: "Get a manager's direct and indirect reports",
    description: "Who reports to a manager: their direct reports (name, title, enabled), and how many people report to them indirectly through other managers (the team size under them; per level without beta). Any member.",
    toolset: Toolset::Users,
    permissions: &["User.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// Managers whose reports the walk reads at most, and how deep it goes.
const MAX_MANAGERS_READ: usize = 150;
const MAX_DEPTH: usize = 10;
/// Requests in flight at once while walking.
const IN_FLIGHT: usize = 8;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUserReportsParams {
    pub user: UserRef,
    /// Direct reports listed at most (the counts cover everyone).
    #[serde(default)]
    pub limit: Limit,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReportRow {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `user` or `orgContact`.
    pub kind: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserReports {
    pub manager: PersonRef,
    pub direct_reports: Vec<ReportRow>,
    pub direct_count: usize,
    /// People below the direct reports (their reports, and theirs …).
    pub indirect_count: usize,
    /// People per level below the manager: `[direct, second level, …]` (only `[direct]` when
    /// counted with beta's `transitiveReports`).
    pub per_level: Vec<usize>,
    /// Every level was read (the walk reads at most 150 managers, 10 levels deep).
    pub complete: bool,
    #[serde(flatten)]
    pub list: ListInfo,
}

const REPORT_FIELDS: &[&str] = &["id", "displayName", "userPrincipalName", "jobTitle", "department", "accountEnabled"];

/// A direct report: a user, or an organisational contact.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Report {
    id: String,
    #[serde(rename = "@odata.type")]
    odata_type: Option<String>,
    display_name: Option<String>,
    user_principal_name: Option<String>,
    job_title: Option<String>,
    department: Option<String>,
    account_enabled: Option<bool>,
}

impl Report {
    fn kind(&self) -> &str {
        self.odata_type.as_deref().and_then(|t| t.strip_prefix("#microsoft.graph.")).unwrap_or("user")
    }
}

async fn direct_reports(
    ctx: &Ctx,
    manager_path: String,
    select: &'static [&'static str],
) -> Result<Vec<Report>, SkillError> {
    let request =
        GraphRequest::get(format!("{manager_path}/directReports")).query(Query::new().select(select).top(999));
    Ok(ctx.graph.list::<Report>(request, 5_000).await?.items)
}

async fn get_user_reports(ctx: Ctx, p: GetUserReportsParams) -> Result<UserReports, SkillError> {
    let key = p.user.parse("user")?;
    let limit = p.limit.get()?;
    let transitive = async {
        if !ctx.beta {
            return None;
        }
        let request = GraphRequest::get(format!("{}/transitiveReports/$count", key.path())).beta().eventual();
        Some(ctx.graph.count(request).await)
    };
    let (manager, direct, transitive) =
        tokio::join!(resolve_user(&ctx, &key), direct_reports(&ctx, key.path(), REPORT_FIELDS), transitive);
    let manager = manager?;
    let direct = direct.map_err(user_not_found(&key))?;

    // One count answers for the whole tree; the walk below is the v1.0 way (and the fallback).
    let counted = match transitive {
        Some(Ok(total)) => Some(total),
        Some(Err(e)) => {
            ctx.note(format!(
                "transitiveReports could not be counted ({}); walked directReports instead",
                e.kind.as_str()
            ));
            None
        }
        None => None,
    };
    if let Some(total) = counted {
        ctx.note("indirect reports counted with beta transitiveReports/$count in one request; levels below the first are not split");
        let indirect = (total as usize).saturating_sub(direct.len());
        let per_level = vec![direct.len()];
        return Ok(answer(manager, direct, per_level, indirect, true, limit));
    }

    // Walk down level by level: each level's people are the next level's managers. Only users
    // have reports; a contact or a person already seen is not read again.
    let mut seen: HashSet<String> = HashSet::from([manager.id.clone()]);
    let mut level: Vec<String> = Vec::new();
    for report in &direct {
        if seen.insert(report.id.clone()) && report.kind() == "user" {
            level.push(report.id.clone());
        }
    }
    let mut per_level = vec![direct.len()];
    let mut read = 0usize;
    let mut complete = true;
    while !level.is_empty() {
        if per_level.len() >= MAX_DEPTH || read + level.len() > MAX_MANAGERS_READ {
            complete = false;
            break;
        }
        read += level.len();
        let pages: Vec<Result<Vec<Report>, SkillError>> = futures::stream::iter(std::mem::take(&mut level))
            .map(|id| {
                let ctx = ctx.clone();
                async move { direct_reports(&ctx, path("/users/{}", &[&id]), &["id"]).await }
            })
            .buffered(IN_FLIGHT)
            .collect()
            .await;
        let mut next = Vec::new();
        for page in pages {
            let reports = match page {
                Ok(reports) => reports,
                // Someone removed between two reads has no reports to count.
                Err(e) if e.kind == ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(e),
            };
            for report in reports {
                if seen.insert(report.id.clone()) {
                    next.push(report);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        per_level.push(next.len());
        level = next.into_iter().filter(|r| r.kind() != "orgContact").map(|r| r.id).collect();
    }
    if !complete {
        ctx.note(format!(
            "indirect reports counted down to {} levels, reading at most {MAX_MANAGERS_READ} managers; the organisation is deeper or wider than that, so the indirect count is a floor",
            per_level.len()
        ));
    }

    let indirect = per_level.iter().skip(1).sum();
    Ok(answer(manager, direct, per_level, indirect, complete, limit))
}

fn answer(
    manager: PersonRef,
    direct: Vec<Report>,
    per_level: Vec<usize>,
    indirect_count: usize,
    complete: bool,
    limit: usize,
) -> UserReports {
    let direct_count = direct.len();
    let mut rows: Vec<ReportRow> = direct
        .into_iter()
        .map(|r| ReportRow {
            kind: r.kind().to_string(),
            id: r.id,
            display_name: r.display_name,
            upn: r.user_principal_name,
            job_title: r.job_title,
            department: r.department,
            enabled: r.account_enabled,
        })
        .collect();
    rows.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    let total = rows.len() as u64;
    rows.truncate(limit);
    let list = ListInfo::new(rows.len(), Some(total), false, "`limit`");
    UserReports { manager, direct_reports: rows, direct_count, indirect_count, per_level, complete, list }
}

impl Render for UserReports {
    fn rows(&self) -> Option<usize> {
        Some(self.direct_reports.len())
    }

    fn cut_to(&mut self, rows: usize) {
        self.direct_reports.truncate(rows);
        self.list.cut(rows);
    }

    fn markdown(&self) -> String {
        let who = self.manager.display_name.clone().unwrap_or_else(|| self.manager.id.clone());
        let floor = if self.complete { "" } else { " at least" };
        let levels = self.per_level.iter().map(ToString::to_string).collect::<Vec<_>>().join(" / ");
        let head = format!(
            "{who}: {} direct reports,{floor} {} indirect (per level: {levels})",
            self.direct_count, self.indirect_count
        );
        if self.direct_reports.is_empty() {
            return format!("{head}\nno direct reports");
        }
        let rows: Vec<Vec<String>> = self
            .direct_reports
            .iter()
            .map(|r| {
                vec![
                    or_dash(&r.display_name),
                    or_dash(&r.upn),
                    or_dash(&r.job_title),
                    yes_no(r.enabled).unwrap_or_else(|| "-".into()),
                    r.id.clone(),
                ]
            })
            .collect();
        format!("{head}\n{}{}", table(&["name", "upn", "job title", "enabled", "id"], &rows), self.list.footer())
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Who reports to Grace Whitfield, directly and indirectly? How big is her team?",
        args: r#"{"user":"grace.whitfield@woodgrovebank.com"}"#,
        facts: &[
            Fact::Some("direct_reports/*/display_name", "Daniel Moreau"),
            Fact::Count("direct_reports/*", 3),
            Fact::Every("indirect_count", "9"),
            Fact::Every("complete", "true"),
            Fact::Says("3 direct reports"),
        ],
    },
    Example {
        question: "Does Karita have any direct reports?",
        args: r#"{"user":"karita@woodgrovebank.com"}"#,
        facts: &[Fact::Every("direct_count", "0"), Fact::Every("indirect_count", "0"), Fact::Says("no direct reports")],
    },
    Example {
        question: "Team size under the CEO, every level",
        args: r#"{"user":"henrik.larsen@woodgrovebank.com","limit":5}"#,
        facts: &[
            Fact::AtLeast("direct_count", 8),
            Fact::AtLeast("indirect_count", 50),
            Fact::Count("direct_reports/*", 5),
        ],
    },
    Example {
        question: "Direct reports of a manager who does not exist",
        args: r#"{"user":"nobody@woodgrovebank.com"}"#,
        facts: &[Fact::Fails(ErrorKind::NotFound)],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_USER_REPORTS, get_user_reports)
}
