//! `count_devices`: how many devices, per operating system, join type, compliance and
//! management, how many are stale, and the Windows devices per release (23H2, 24H2, …).
//!
//! The counts are `/devices/$count?$filter=…` with ConsistencyLevel, at most eight in flight.
//! A count Graph refuses (a 400) is made instead from one bounded read of the devices'
//! properties, and the answer names it. Graph has no count per release, so the Windows devices
//! are read (`$select=operatingSystemVersion`, bounded) and their builds mapped to releases.

use std::collections::BTreeMap;

use chrono::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graph::resources::Device;
use crate::graph::{GraphRequest, Query};
use crate::odata::Expr;
use crate::render::table;
use crate::shared::counts::{Counted, count_each};
use crate::skill::{Access, Ctx, Declaration, ErrorKind, Example, Fact, Render, Skill, SkillError, Toolset};

const COUNT_DEVICES: Declaration = Declaration {
    name: "count_devices",
    title: "Count devices",
    description: "How many devices the tenant has: totals per OS, per join type (Entra joined, registered, hybrid), compliant or not, managed or not, stale, and Windows devices per release (e.g. Windows 11 23H2, Windows 10 22H2).",
    toolset: Toolset::Devices,
    permissions: &["Device.Read.All"],
    least_role: "none",
    access: Access::Read,
    beta: false,
    default: false,
    examples: EXAMPLES,
};

/// What a refused count needs of each device read instead.
const DEVICE_COUNT_FIELDS: &[&str] =
    &["id", "operatingSystem", "trustType", "isCompliant", "isManaged", "approximateLastSignInDateTime"];
/// Windows devices read per page, and pages at most, for their releases.
const PAGE: usize = 999;
const PAGES: u32 = 20;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountDevicesParams {
    /// A device not seen for this many days counts as stale (default 90, 1–3650).
    pub stale_days: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DeviceCounts {
    pub total: u64,
    /// Per `operatingSystem` (Windows, MacMDM, iOS, Android, `other`).
    pub by_os: BTreeMap<String, u64>,
    /// `entra_joined`, `registered`, `hybrid_joined`.
    pub by_join_type: BTreeMap<String, u64>,
    pub compliant: u64,
    pub not_compliant: u64,
    pub managed: u64,
    pub unmanaged: u64,
    /// Not seen for `stale_days` days.
    pub stale: u64,
    pub stale_days: i64,
    /// Windows devices per release (`Windows 11 23H2`, …); unknown builds as `build N`.
    pub windows_releases: BTreeMap<String, u64>,
    /// Windows devices read for the releases.
    pub windows_read: usize,
    /// Not every Windows device could be read: the releases are a sample.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub windows_sample: bool,
    /// `count` (every number from Graph's `$count`) or `count_and_paged` (see `paged`).
    pub method: String,
    /// The numbers made by reading devices because Graph refused their count filter.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paged: Vec<String>,
}

const OS: [&str; 4] = ["Windows", "MacMDM", "iOS", "Android"];
const JOIN_TYPES: [(&str, &str); 3] =
    [("AzureAd", "entra_joined"), ("Workplace", "registered"), ("ServerAd", "hybrid_joined")];

fn counted(stale_before: chrono::DateTime<chrono::Utc>) -> Vec<Counted<Device>> {
    let mut out = vec![Counted { name: "total", filter: None, test: Box::new(|_| true) }];
    for os in OS {
        out.push(Counted {
            name: os,
            filter: Some(Expr::eq("operatingSystem", os)),
            test: Box::new(move |d: &Device| d.operating_system.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(os))),
        });
    }
    for (trust, name) in JOIN_TYPES {
        out.push(Counted {
            name,
            filter: Some(Expr::eq("trustType", trust)),
            test: Box::new(move |d: &Device| d.trust_type.as_deref() == Some(trust)),
        });
    }
    for (name, property, value) in [
        ("compliant", "isCompliant", true),
        ("not_compliant", "isCompliant", false),
        ("managed", "isManaged", true),
        ("unmanaged", "isManaged", false),
    ] {
        let test: Box<dyn Fn(&Device) -> bool + Send + Sync> = if property == "isCompliant" {
            Box::new(move |d: &Device| d.is_compliant == Some(value))
        } else {
            Box::new(move |d: &Device| d.is_managed == Some(value))
        };
        out.push(Counted { name, filter: Some(Expr::eq(property, value)), test });
    }
    out.push(Counted {
        name: "stale",
        filter: Some(Expr::le("approximateLastSignInDateTime", stale_before)),
        test: Box::new(move |d: &Device| {
            d.approximate_last_sign_in_date_time
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .is_some_and(|t| t <= stale_before)
        }),
    });
    out
}

/// The Windows release a build number (`10.0.22631.4460`) belongs to.
pub fn windows_release(version: &str) -> String {
    let build = version.split('.').nth(2).and_then(|b| b.parse::<u32>().ok());
    let name = match build {
        Some(26200) => "Windows 11 25H2",
        Some(26100) => "Windows 11 24H2",
        Some(22631) => "Windows 11 23H2",
        Some(22621) => "Windows 11 22H2",
        Some(22000) => "Windows 11 21H2",
        Some(20348) => "Windows Server 2022",
        Some(19045) => "Windows 10 22H2",
        Some(19044) => "Windows 10 21H2",
        Some(19043) => "Windows 10 21H1",
        Some(19042) => "Windows 10 20H2",
        Some(19041) => "Windows 10 2004",
        Some(18363) => "Windows 10 1909",
        Some(17763) => "Windows 10 1809 / Server 2019",
        Some(14393) => "Windows 10 1607 / Server 2016",
        Some(n) => return format!("build {n}"),
        None => return "unknown".to_string(),
    };
    name.to_string()
}

async fn count_devices(ctx: Ctx, p: CountDevicesParams) -> Result<DeviceCounts, SkillError> {
    let stale_days = p.stale_days.unwrap_or(90);
    if !(1..=3650).contains(&stale_days) {
        return Err(SkillError::invalid_value(
            "stale_days",
            format!("{stale_days} is out of range"),
            "a number of days from 1 to 3650",
        ));
    }
    let counted = counted(ctx.now - Duration::days(stale_days));

    // Graph counts no releases: the Windows devices' versions are read beside the counts.
    let releases = GraphRequest::get("/devices")
        .query(
            Query::new()
                .select(&["id", "operatingSystemVersion"])
                .filter(Expr::eq("operatingSystem", "Windows"))
                .top(PAGE),
        )
        .max_pages(PAGES);
    let (counts, windows) = tokio::join!(
        count_each(&ctx, "/devices", &counted, DEVICE_COUNT_FIELDS, "devices"),
        ctx.graph.list::<Device>(releases, PAGE * PAGES as usize)
    );
    let counts = counts?;
    let numbers = &counts.numbers;

    let windows = ctx.optional("Windows releases", windows);
    let mut windows_releases = BTreeMap::new();
    let (windows_read, windows_sample) = match &windows {
        Some(page) => {
            for d in &page.items {
                let release =
                    d.operating_system_version.as_deref().map_or_else(|| "unknown".to_string(), windows_release);
                *windows_releases.entry(release).or_insert(0u64) += 1;
            }
            if page.more {
                ctx.note(format!("Windows releases from the first {} Windows devices only", page.items.len()));
            }
            (page.items.len(), page.more)
        }
        None => (0, false),
    };

    let total = numbers.get("total").copied().unwrap_or_default();
    let mut by_os: BTreeMap<String, u64> =
        OS.iter().filter_map(|os| numbers.get(os).map(|n| (os.to_string(), *n))).collect();
    let known: u64 = by_os.values().sum();
    if total > known {
        by_os.insert("other".into(), total - known);
    }
    let by_join_type =
        JOIN_TYPES.iter().filter_map(|(_, name)| numbers.get(name).map(|n| (name.to_string(), *n))).collect();
    let number = |name: &str| numbers.get(name).copied().unwrap_or_default();
    Ok(DeviceCounts {
        total,
        by_os,
        by_join_type,
        compliant: number("compliant"),
        not_compliant: number("not_compliant"),
        managed: number("managed"),
        unmanaged: number("unmanaged"),
        stale: number("stale"),
        stale_days,
        windows_releases,
        windows_read,
        windows_sample,
        method: counts.method().into(),
        paged: counts.paged.iter().map(|p| p.to_string()).collect(),
    })
}

impl Render for DeviceCounts {
    fn markdown(&self) -> String {
        fn join(k: &str) -> &str {
            match k {
                "entra_joined" => "Entra joined",
                "registered" => "registered",
                "hybrid_joined" => "hybrid joined",
                other => other,
            }
        }
        let mut rows: Vec<Vec<String>> = Vec::new();
        rows.extend(self.by_os.iter().map(|(os, n)| vec!["os".into(), os.clone(), n.to_string()]));
        rows.extend(self.by_join_type.iter().map(|(k, n)| vec!["join type".into(), join(k).into(), n.to_string()]));
        rows.push(vec!["compliance".into(), "compliant".into(), self.compliant.to_string()]);
        rows.push(vec!["compliance".into(), "not compliant".into(), self.not_compliant.to_string()]);
        rows.push(vec!["management".into(), "managed".into(), self.managed.to_string()]);
        rows.push(vec!["management".into(), "unmanaged".into(), self.unmanaged.to_string()]);
        rows.push(vec![
            "activity".into(),
            format!("stale (not seen for {} d)", self.stale_days),
            self.stale.to_string(),
        ]);
        let mut releases: Vec<(&String, &u64)> = self.windows_releases.iter().collect();
        releases.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        rows.extend(releases.into_iter().map(|(r, n)| vec!["Windows release".into(), r.clone(), n.to_string()]));
        let method = if self.paged.is_empty() {
            "$count per filter".to_string()
        } else {
            format!("$count, and devices read for {}", self.paged.join(", "))
        };
        let sample = if self.windows_sample { " (a sample)" } else { "" };
        format!(
            "{} devices (method: {method}; releases from {} Windows devices read{sample})\n{}",
            self.total,
            self.windows_read,
            table(&["by", "value", "devices"], &rows)
        )
    }
}

const EXAMPLES: &[Example] = &[
    Example {
        question: "How many devices do we have per OS, join type and compliance, and which Windows releases?",
        args: r#"{}"#,
        facts: &[
            Fact::AtLeast("total", 80),
            Fact::AtLeast("by_os/Windows", 50),
            Fact::AtLeast("by_os/iOS", 1),
            Fact::AtLeast("by_join_type/registered", 10),
            Fact::AtLeast("unmanaged", 1),
            Fact::AtLeast("not_compliant", 1),
            Fact::AtLeast("stale", 1),
            Fact::AtLeast("windows_releases/Windows 11 23H2", 1),
            Fact::AtLeast("windows_releases/Windows 10 21H2", 1),
            Fact::AtLeast("windows_releases/Windows 11 21H2", 1),
            Fact::Every("method", "count"),
        ],
    },
    Example {
        question: "How many devices have not been seen for 180 days?",
        args: r#"{"stale_days":180}"#,
        facts: &[Fact::AtLeast("stale", 1), Fact::Every("stale_days", "180")],
    },
    Example {
        question: "Count devices with a stale window of zero days",
        args: r#"{"stale_days":0}"#,
        facts: &[Fact::Fails(ErrorKind::InvalidInput)],
    },
];

pub fn skill() -> Skill {
    Skill::new(COUNT_DEVICES, count_devices)
}
