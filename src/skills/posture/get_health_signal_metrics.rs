//! `get_health_signal_metrics` (beta): the time series Microsoft Entra Health watches for one
//! sign-in scenario (MFA failures and successes, managed- and compliant-device sign-ins, SAML
//! sign-ins) over a window of up to 30 days, summarised — lowest, highest, usual level — with
//! the largest anomaly found in it: a spike of failures, or a dip of successes.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::health_model::Signal;
use crate::graph::GraphRequest;
use crate::render::{fields, short_time};
use crate::shared::{Since, window};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const GET_HEALTH_SIGNAL_METRICS: Declaration = Declaration {
    name: "get_health_signal_metrics",
    title: "Get an Entra health signal's time series",
    description: "(beta) The time series behind Microsoft Entra Health monitoring for one scenario — failed or completed MFA sign-ins, sign-ins satisfying managed- or compliant-device Conditional Access, SAML sign-ins — over the last 30 days at most, in 5 to 30-minute intervals: lowest, highest and usual level, and the largest spike or dip with when it started and ended. Reports Reader.",
    toolset: Toolset::Posture,
    permissions: &["Reports.Read.All"],
    least_role: "Reports Reader",
    access: Access::Read,
    beta: true,
    default: false,
    examples: EXAMPLES,
};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetHealthSignalMetricsParams {
    /// Which signal: `mfa_sign_in_failure`, `mfa_sign_in_success`, `managed_device_sign_in`,
    /// `compliant_device_sign_in` or `saml_sign_in`.
    pub scenario: Signal,
    /// Start of the window (default 24h ago; at most 30 days ago).
    pub since: Option<Since>,
    /// End of the window (default now).
    pub until: Option<Since>,
    /// Minutes per point: 5, 10, 15 or 30 (default: the finest that keeps the window to 300 points).
    pub interval_minutes: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Point {
    /// Start of the interval (UTC).
    pub at: String,
    pub value: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Anomaly {
    /// `spike` (more than usual) or `dip` (less than usual).
    pub kind: String,
    /// First interval of the anomaly (UTC).
    pub start: String,
    /// End of its last interval (UTC).
    pub end: String,
    /// The highest value of a spike, the lowest of a dip.
    pub peak: i64,
    pub peak_at: String,
    /// The usual value around it, per interval.
    pub usual: f64,
    /// Peak divided by the usual value.
    pub factor: f64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SignalMetrics {
    pub scenario: String,
    /// What is counted.
    pub signal: String,
    /// The Graph function read.
    pub function: String,
    pub since: String,
    pub until: String,
    pub interval_minutes: i64,
    pub points: usize,
    /// Sum over the window.
    pub total: i64,
    pub min: i64,
    pub max: i64,
    /// When the highest value was reached (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_at: Option<String>,
    /// The median interval value.
    pub median: f64,
    /// The largest spike (failure signals) or dip (success signals) in the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anomaly: Option<Anomaly>,
    /// Minutes each point of `series` sums (the window is regrouped to at most 50 points; the
    /// first and last may cover part of theirs).
    pub series_bucket_minutes: i64,
    pub series: Vec<Point>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Metric {
    interval_start_date_time: Option<String>,
    value: Option<i64>,
}

const INTERVALS: &[i64] = &[5, 10, 15, 30];
/// Graph serves 30 days of history; a start a few minutes inside it stays valid while the
/// request travels.
const HISTORY: Duration = Duration::days(30);
const MARGIN: Duration = Duration::minutes(5);
const MAX_POINTS: i64 = 300;
const SERIES_POINTS: usize = 50;
/// How far each side of a point its usual level is taken from.
const NEIGHBOURHOOD_MINUTES: i64 = 180;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn median(values: &mut [i64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) as f64 / 2.0 } else { values[mid] as f64 }
}

/// The largest run of intervals far above (failures) or below (successes) their neighbourhood.
fn anomaly(points: &[(DateTime<Utc>, i64)], interval: i64, failures: bool) -> Option<Anomaly> {
    let reach = (NEIGHBOURHOOD_MINUTES / interval).max(1) as usize;
    let usual: Vec<f64> = (0..points.len())
        .map(|i| {
            let from = i.saturating_sub(reach);
            let to = (i + reach + 1).min(points.len());
            let mut around: Vec<i64> = (from..to).filter(|j| *j != i).map(|j| points[j].1).collect();
            median(&mut around)
        })
        .collect();
    let unusual = |i: usize| {
        let (v, u) = (points[i].1 as f64, usual[i]);
        if failures { v >= 4.0 * u + 10.0 } else { u >= 5.0 && v <= 0.1 * u }
    };
    let mut best: Option<(f64, usize, usize)> = None;
    let mut i = 0;
    while i < points.len() {
        if !unusual(i) {
            i += 1;
            continue;
        }
        let start = i;
        while i < points.len() && unusual(i) {
            i += 1;
        }
        let weight: f64 = (start..i).map(|j| (points[j].1 as f64 - usual[j]).abs()).sum();
        if best.is_none_or(|(w, ..)| weight > w) {
            best = Some((weight, start, i));
        }
    }
    let (_, start, end) = best?;
    let run = start..end;
    let peak_index =
        if failures { run.clone().max_by_key(|j| points[*j].1)? } else { run.clone().min_by_key(|j| points[*j].1)? };
    let usual_level = usual[peak_index];
    let factor = if usual_level > 0.0 { points[peak_index].1 as f64 / usual_level } else { 0.0 };
    Some(Anomaly {
        kind: if failures { "spike" } else { "dip" }.to_string(),
        start: rfc3339(points[start].0),
        end: rfc3339(points[end - 1].0 + Duration::minutes(interval)),
        peak: points[peak_index].1,
        peak_at: rfc3339(points[peak_index].0),
        usual: (usual_level * 10.0).round() / 10.0,
        factor: (factor * 100.0).round() / 100.0,
    })
}

/// Bucket sizes a series is regrouped into, in minutes: each a whole number of intervals.
const BUCKETS: &[i64] = &[5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440];

/// The bucket index of a point: buckets start on their own boundaries (the hour, the day).
fn bucket_of(at: DateTime<Utc>, minutes: i64) -> i64 {
    at.timestamp().div_euclid(minutes * 60)
}

/// The finest bucket that keeps the series to [`SERIES_POINTS`] points.
fn bucket_minutes(points: &[(DateTime<Utc>, i64)], interval: i64) -> i64 {
    let (Some(first), Some(last)) = (points.first(), points.last()) else { return interval };
    BUCKETS
        .iter()
        .copied()
        .filter(|b| *b >= interval && b % interval == 0)
        .find(|b| (bucket_of(last.0, *b) - bucket_of(first.0, *b) + 1) as usize <= SERIES_POINTS)
        .unwrap_or(1440)
}

/// The points summed per bucket (the first and last bucket may cover part of theirs).
fn regroup(points: &[(DateTime<Utc>, i64)], minutes: i64) -> Vec<Point> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (at, value) in points {
        let bucket = bucket_of(*at, minutes);
        match out.last_mut() {
            Some((b, sum)) if *b == bucket => *sum += value,
            _ => out.push((bucket, *value)),
        }
    }
    out.into_iter()
        .filter_map(|(bucket, value)| {
            Some(Point { at: rfc3339(DateTime::from_timestamp(bucket * minutes * 60, 0)?), value })
        })
        .collect()
}

async fn get_health_signal_metrics(ctx: Ctx, p: GetHealthSignalMetricsParams) -> Result<SignalMetrics, SkillError> {
    let (mut start, end) = window(&ctx, p.since.as_ref(), p.until.as_ref(), Duration::hours(24), 30)?;
    start = start.max(ctx.now - HISTORY + MARGIN);
    let end = end.unwrap_or(ctx.now).min(ctx.now);
    if end <= start {
        return Err(SkillError::invalid_value(
            "until",
            "leaves no time after `since` within the last 30 days",
            "a time later than `since`, no later than now",
        ));
    }
    let minutes = (end - start).num_minutes().max(1);
    let interval = match p.interval_minutes {
        Some(m) if INTERVALS.contains(&m) => m,
        Some(m) => {
            return Err(SkillError::invalid_value(
                "interval_minutes",
                format!("{m} is not offered"),
                "5, 10, 15 or 30",
            ));
        }
        None => INTERVALS.iter().copied().find(|m| minutes / m <= MAX_POINTS).unwrap_or(30),
    };
    let signal = p.scenario;
    // Every part of the function call is a formatted instant or a number from the list above.
    let request = GraphRequest::get(format!(
        "/reports/serviceActivity/{}(inclusiveIntervalStartDateTime={},exclusiveIntervalEndDateTime={},aggregationIntervalInMinutes={interval})",
        signal.function(),
        rfc3339(start),
        rfc3339(end)
    ))
    .beta();
    let page = ctx.graph.list::<Metric>(request, 10_000).await?;
    let mut points: Vec<(DateTime<Utc>, i64)> = page
        .items
        .into_iter()
        .filter_map(|m| {
            let at = DateTime::parse_from_rfc3339(m.interval_start_date_time.as_deref()?).ok()?.with_timezone(&Utc);
            Some((at, m.value.unwrap_or(0)))
        })
        .collect();
    points.sort_by_key(|(at, _)| *at);
    if points.is_empty() {
        ctx.note("Graph returned no data points for this window");
    }
    let total = points.iter().map(|(_, v)| v).sum();
    let max_point = points.iter().max_by_key(|(_, v)| *v);
    let mut values: Vec<i64> = points.iter().map(|(_, v)| *v).collect();
    let found = anomaly(&points, interval, signal.counts_failures());
    if found.is_none() && !points.is_empty() {
        ctx.note(format!("no {} stands out in this window", if signal.counts_failures() { "spike" } else { "dip" }));
    }
    let bucket = bucket_minutes(&points, interval);
    let series = regroup(&points, bucket);
    Ok(SignalMetrics {
        scenario: signal.name().to_string(),
        signal: signal.words().to_string(),
        function: signal.function().to_string(),
        since: rfc3339(start),
        until: rfc3339(end),
        interval_minutes: interval,
        points: points.len(),
        total,
        min: values.iter().copied().min().unwrap_or(0),
        max: values.iter().copied().max().unwrap_or(0),
        max_at: max_point.map(|(at, _)| rfc3339(*at)),
        median: median(&mut values),
        anomaly: found,
        series_bucket_minutes: bucket,
        series,
    })
}

impl Render for SignalMetrics {
    fn markdown(&self) -> String {
        let anomaly = self.anomaly.as_ref().map(|a| {
            format!(
                "{} from {} to {}: {} at {} against a usual {} ({}×)",
                a.kind,
                short_time(&a.start),
                short_time(&a.end),
                a.peak,
                short_time(&a.peak_at),
                a.usual,
                a.factor
            )
        });
        let mut out = fields(&[
            ("signal", Some(format!("{} ({})", self.signal, self.scenario))),
            (
                "window",
                Some(format!(
                    "{} to {} UTC, {}-minute intervals",
                    short_time(&self.since),
                    short_time(&self.until),
                    self.interval_minutes
                )),
            ),
            ("points", Some(self.points.to_string())),
            ("total", Some(self.total.to_string())),
            ("lowest / usual / highest", Some(format!("{} / {} / {}", self.min, self.median, self.max))),
            ("highest at", self.max_at.as_deref().map(short_time)),
            ("anomaly", anomaly.or_else(|| Some("none found".into()))),
        ]);
        let series: Vec<String> = self.series.iter().map(|p| format!("{} {}", short_time(&p.at), p.value)).collect();
        out.push_str(&format!("\nseries ({}-minute sums, UTC): {}", self.series_bucket_minutes, series.join(", ")));
        out
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "Show the MFA sign-in failure signal over the last day: was there a spike?",
        args: r#"{"scenario":"mfa_sign_in_failure","since":"24h"}"#,
        facts: &[
            Fact::Every("anomaly/kind", "spike"),
            Fact::AtLeast("anomaly/peak", 20),
            Fact::Every("interval_minutes", "5"),
            Fact::AtLeast("points", 280),
            Fact::Every("function", "getMetricsForMfaSignInFailure"),
            Fact::AtLeast("series/*", 40),
        ],
    },
    Example {
        question: "Did compliant-device sign-ins drop around nine days ago?",
        args: r#"{"scenario":"compliant_device_sign_in","since":"10d","until":"8d","interval_minutes":30}"#,
        facts: &[
            Fact::Every("anomaly/kind", "dip"),
            Fact::Every("anomaly/peak", "0"),
            Fact::Every("interval_minutes", "30"),
        ],
    },
    Example {
        question: "SAML sign-in health signal over the last week",
        args: r#"{"scenario":"saml_sign_in","since":"7d"}"#,
        facts: &[Fact::AtLeast("total", 1000), Fact::Every("interval_minutes", "30"), Fact::AtLeast("points", 300)],
    },
    Example {
        question: "MFA failures in 1-minute intervals",
        args: r#"{"scenario":"mfa_sign_in_failure","interval_minutes":1}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput), Fact::Says("interval_minutes")],
    },
];

pub fn skill() -> Skill {
    Skill::new(GET_HEALTH_SIGNAL_METRICS, get_health_signal_metrics)
}
