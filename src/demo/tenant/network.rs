//! Global Secure Access in the demo tenant (Internet and Private Access): seven days of traffic
//! through the client on the staff's laptops, and the alerts it raised.
//!
//! - Everyday traffic: Exchange Online and SharePoint (Microsoft 365 profile), the Finance
//!   Portal through Private Access, Salesforce, GitHub, Bloomberg and the Azure portal.
//!   Noah Kim pushes the most bytes (GitHub).
//! - Blocked: Karita's laptop tried to fetch a file from a malware host 30 hours ago (threat
//!   intelligence, twice); Maria Garcia keeps trying a gambling site; Alex Chen a torrent
//!   tracker.
//! - Cross-tenant: Alex and Maria work in Fabrikam Partners' SharePoint and Teams every day;
//!   two days ago Wei Zhang signed in to a tenant nobody had used before, *Contoso Payments*.
//! - Alerts: the malware block (high), the gambling blocks (low), the new tenant (medium) and an
//!   unhealthy London branch network (informational).
//!
//! Web categories, threat types and alert details are written as the Global Secure Access logs
//! show them; their exact vocabularies are not all documented (†).

use chrono::Duration;
use serde_json::{Value, json};

use super::Generation;
use super::devices::KARITA_LAPTOP;
use super::ids;
use super::people::member_id;
use super::places;

/// The entity-set path the traffic log is kept under.
pub const TRAFFIC: &str = "networkAccess/logs/traffic";

pub const MALWARE_HOST: &str = "cdn.invoiceviewer-secure.example";
pub const GAMBLING_HOST: &str = "www.luckyspins-casino.example";
pub const TORRENT_HOST: &str = "tracker.opentorrent.example";
pub const FABRIKAM_SHAREPOINT: &str = "fabrikampartners.sharepoint.com";
pub const CONTOSO_PAYMENTS_SHAREPOINT: &str = "contosopayments.sharepoint.com";

/// The tenant id of Contoso Payments, the tenant Wei Zhang reached for the first time.
pub fn contoso_payments_tenant_id() -> String {
    ids::object_id("tenant", "contosopayments.com")
}

/// A foreign tenant's name and primary domain, for the cross-tenant reports.
pub fn tenant_name(id: &str) -> Option<(&'static str, &'static str)> {
    if id.eq_ignore_ascii_case(&ids::fabrikam_tenant_id()) {
        Some(("Fabrikam Partners", super::GUEST_DOMAIN))
    } else if id.eq_ignore_ascii_case(&contoso_payments_tenant_id()) {
        Some(("Contoso Payments", "contosopayments.com"))
    } else {
        None
    }
}

/// A destination and what Global Secure Access knows of it.
struct Destination {
    fqdn: &'static str,
    traffic_type: &'static str,
    ip: &'static str,
    /// Web category (name, display name, group).
    category: Option<(&'static str, &'static str, &'static str)>,
    /// Blocked by this policy and rule.
    blocked_by: Option<(&'static str, &'static str)>,
    threat: Option<&'static str>,
    /// The resource's tenant when it is not Woodgrove's.
    foreign_tenant: Option<fn() -> String>,
}

const fn allowed(fqdn: &'static str, traffic_type: &'static str, ip: &'static str) -> Destination {
    Destination { fqdn, traffic_type, ip, category: None, blocked_by: None, threat: None, foreign_tenant: None }
}

const EXCHANGE: Destination = allowed("outlook.office365.com", "microsoft365", "52.96.88.146");
const SHAREPOINT: Destination = allowed("woodgrovebank.sharepoint.com", "microsoft365", "13.107.136.10");
const FINANCE_PORTAL: Destination = allowed("finance-portal.woodgrovebank.local", "private", "10.20.1.15");
const SALESFORCE: Destination = Destination {
    category: Some(("Business", "Business", "Productivity")),
    ..allowed("woodgrove.my.salesforce.com", "internet", "101.53.160.12")
};
const GITHUB: Destination = Destination {
    category: Some(("ComputersAndTechnology", "Computers and technology", "Productivity")),
    ..allowed("github.com", "internet", "140.82.112.4")
};
const BLOOMBERG: Destination = Destination {
    category: Some(("Finance", "Finance", "Business")),
    ..allowed("www.bloomberg.com", "internet", "69.191.212.191")
};
const AZURE_PORTAL: Destination = Destination {
    category: Some(("ComputersAndTechnology", "Computers and technology", "Productivity")),
    ..allowed("portal.azure.com", "internet", "13.69.239.72")
};
const FABRIKAM: Destination = Destination {
    foreign_tenant: Some(ids::fabrikam_tenant_id),
    ..allowed(FABRIKAM_SHAREPOINT, "microsoft365", "13.107.136.41")
};
const CONTOSO_PAYMENTS: Destination = Destination {
    foreign_tenant: Some(contoso_payments_tenant_id),
    ..allowed(CONTOSO_PAYMENTS_SHAREPOINT, "microsoft365", "13.107.136.77")
};
const MALWARE: Destination = Destination {
    category: Some(("Malware", "Malware", "Security threat")),
    blocked_by: Some(("Block malicious destinations", "Threat intelligence: malware")),
    threat: Some("Malware"),
    ..allowed(MALWARE_HOST, "internet", "203.0.113.211")
};
const GAMBLING: Destination = Destination {
    category: Some(("Gambling", "Gambling", "Liability")),
    blocked_by: Some(("Block gambling and peer to peer", "Gambling")),
    ..allowed(GAMBLING_HOST, "internet", "198.51.100.201")
};
const TORRENT: Destination = Destination {
    category: Some(("PeerToPeer", "Peer to peer", "Liability")),
    blocked_by: Some(("Block gambling and peer to peer", "Peer to peer")),
    ..allowed(TORRENT_HOST, "internet", "198.51.100.202")
};

/// Who sends what every day: (handle, destinations with kilobytes sent and received).
type Habit = (&'static str, &'static [(&'static Destination, i64, i64)]);

const HABITS: &[Habit] = &[
    (
        "karita",
        &[(&EXCHANGE, 420, 2_600), (&SHAREPOINT, 900, 5_400), (&FINANCE_PORTAL, 310, 1_900), (&BLOOMBERG, 40, 3_100)],
    ),
    ("daniel", &[(&EXCHANGE, 610, 3_300), (&SHAREPOINT, 1_200, 6_100), (&FINANCE_PORTAL, 520, 2_400)]),
    ("alex", &[(&EXCHANGE, 700, 3_900), (&SALESFORCE, 950, 7_200), (&FABRIKAM, 1_400, 8_800)]),
    ("maria.garcia", &[(&EXCHANGE, 380, 2_100), (&SALESFORCE, 820, 6_300), (&FABRIKAM, 600, 4_100)]),
    ("wei.zhang", &[(&EXCHANGE, 350, 1_800), (&FINANCE_PORTAL, 450, 2_200), (&BLOOMBERG, 60, 4_400)]),
    ("noah.kim", &[(&EXCHANGE, 300, 1_700), (&GITHUB, 48_000, 96_000), (&SALESFORCE, 200, 1_500)]),
    ("priya", &[(&EXCHANGE, 500, 2_500), (&AZURE_PORTAL, 2_200, 9_800), (&GITHUB, 3_100, 12_500)]),
    ("olivia.brown", &[(&EXCHANGE, 450, 2_300), (&SALESFORCE, 700, 5_600)]),
];

/// One-off visits: (key, handle, destination, hours ago).
const VISITS: &[(&str, &str, &Destination, i64)] = &[
    ("karita/malware/1", "karita", &MALWARE, 30),
    ("karita/malware/2", "karita", &MALWARE, 29),
    ("maria/gambling/1", "maria.garcia", &GAMBLING, 26),
    ("maria/gambling/2", "maria.garcia", &GAMBLING, 74),
    ("maria/gambling/3", "maria.garcia", &GAMBLING, 122),
    ("alex/torrent/1", "alex", &TORRENT, 98),
    ("wei/contoso/1", "wei.zhang", &CONTOSO_PAYMENTS, 50),
    ("wei/contoso/2", "wei.zhang", &CONTOSO_PAYMENTS, 49),
];

/// The `networkAccessTraffic` log of the last 7 days, newest first.
pub fn traffic(g: &Generation<'_>) -> Vec<Value> {
    let mut rows: Vec<(i64, Value)> = Vec::new();
    for &(handle, habits) in HABITS {
        for day in 0..7i64 {
            for (n, &(destination, sent, received)) in habits.iter().enumerate() {
                // A working day's visit, spread over the morning so no two rows share a time.
                let minutes_ago = day * 24 * 60 + 90 + (n as i64) * 47 + (handle.len() as i64) * 13;
                // Volumes wobble a little from day to day.
                let wobble = 90 + (day * 7 + n as i64 * 3) % 21;
                let key = format!("{handle}/{}/{day}", destination.fqdn);
                let row = entry(g, &key, handle, destination, minutes_ago, sent * wobble * 10, received * wobble * 10);
                rows.push((minutes_ago, row));
            }
        }
    }
    for &(key, handle, destination, hours) in VISITS {
        let minutes_ago = hours * 60;
        rows.push((minutes_ago, entry(g, key, handle, destination, minutes_ago, 1_800, 0)));
    }
    rows.sort_by_key(|(minutes_ago, _)| *minutes_ago);
    rows.into_iter().map(|(_, row)| row).collect()
}

fn entry(
    g: &Generation<'_>,
    key: &str,
    handle: &str,
    d: &Destination,
    minutes_ago: i64,
    sent: i64,
    received: i64,
) -> Value {
    let person = g.cast.person(handle);
    let index = g.cast.index(handle).unwrap_or_default();
    let upn = person.map(|p| p.user_principal_name.clone()).unwrap_or_default();
    let office = person.and_then(|p| p.office_location);
    let laptop = if handle == "karita" { KARITA_LAPTOP.to_string() } else { format!("WGB-LT-{:04}", 1000 + index) };
    let blocked = d.blocked_by.is_some();
    let (policy, rule) = d.blocked_by.unwrap_or(("Allow business traffic", "Default allow"));
    let (received, action) = if blocked { (0, "block") } else { (received, "allow") };
    let description = match (blocked, d.threat) {
        (true, Some(_)) => "Threat intelligence detected a transaction and blocked it.",
        (true, None) => "The Global Secure Access policy blocked the destination.",
        _ => "",
    };
    json!({
        "transactionId": ids::object_id("gsaTransaction", key),
        "createdDateTime": g.clock.at(Duration::minutes(-minutes_ago)),
        "tenantId": g.tenant_id,
        "connectionId": ids::object_id("gsaConnection", key),
        "sessionId": ids::object_id("gsaSession", &format!("{handle}/{}", minutes_ago / (24 * 60))),
        "trafficType": d.traffic_type,
        "deviceCategory": "client",
        "destinationIp": d.ip,
        "destinationPort": 443,
        "destinationFQDN": d.fqdn,
        "destinationUrl": format!("https://{}/", d.fqdn),
        "destinationWebCategory": d.category.map(|(name, display, group)| json!({"name": name, "displayName": display, "group": group})),
        "sourceIp": places::office_ip(office, index as u64),
        "sourcePort": 49_152 + (minutes_ago % 16_000),
        "deviceOperatingSystem": "Windows 11 Enterprise",
        "deviceOperatingSystemVersion": "10.0.22631",
        "agentVersion": "2.10.34",
        "deviceId": ids::object_id("deviceId", &laptop),
        "userId": member_id(handle),
        "userPrincipalName": upn,
        "transportProtocol": "tcp",
        "networkProtocol": "ipv4",
        "action": action,
        "policyId": ids::object_id("gsaPolicy", policy),
        "policyName": policy,
        "policyRuleId": ids::object_id("gsaPolicyRule", rule),
        "policyRuleName": rule,
        "filteringProfileId": ids::object_id("gsaFilteringProfile", "Baseline"),
        "filteringProfileName": "Baseline profile",
        "sentBytes": sent,
        "receivedBytes": received,
        "resourceTenantId": d.foreign_tenant.map(|f| f()).unwrap_or_else(|| g.tenant_id.to_string()),
        "threatType": d.threat,
        "description": description,
        "initiatingProcessName": if d.traffic_type == "microsoft365" { "OUTLOOK.EXE" } else { "msedge.exe" },
        "operationStatus": "success",
        "popProcessingRegion": if office.is_some_and(|o| o.starts_with("London")) { "UK South" } else { "West US 2" },
        "vendorNames": if d.threat.is_some() { json!(["Microsoft Threat Intelligence"]) } else { json!([]) },
    })
}

/// A cloud app's catalog name and category, by destination, for the cloud application report.
pub fn cloud_app(fqdn: &str) -> Option<(&'static str, &'static str)> {
    match fqdn {
        "outlook.office365.com" => Some(("Microsoft Exchange Online", "Collaboration")),
        "woodgrovebank.sharepoint.com" | FABRIKAM_SHAREPOINT | CONTOSO_PAYMENTS_SHAREPOINT => {
            Some(("Microsoft SharePoint Online", "Collaboration"))
        }
        "woodgrove.my.salesforce.com" => Some(("Salesforce", "CRM")),
        "github.com" => Some(("GitHub", "Code hosting")),
        "www.bloomberg.com" => Some(("Bloomberg", "Finance")),
        "portal.azure.com" => Some(("Microsoft Azure", "Cloud computing platform")),
        _ => None,
    }
}

/// A cloud app's id in the SaaS application catalog (the demo's own numbering).
pub fn catalog_id(name: &str) -> String {
    ids::object_id("cloudApplicationCatalog", name)
}

/// The id of an alert by story key.
pub fn alert_id(key: &str) -> String {
    ids::object_id("networkAccessAlert", key)
}

/// `networkAccess/alerts`: what Global Secure Access raised, newest first.
pub fn alerts(g: &Generation<'_>) -> Vec<Value> {
    let user = |handle: &str| {
        let upn = g.cast.person(handle).map(|p| p.user_principal_name.clone()).unwrap_or_default();
        json!({"@odata.type": "#microsoft.graph.networkaccess.relatedUser", "userId": member_id(handle), "userPrincipalName": upn})
    };
    let destination =
        |fqdn: &str| json!({"@odata.type": "#microsoft.graph.networkaccess.relatedDestination", "fqdn": fqdn});
    // (key, type, severity, name, description, first and last activity in hours ago, related)
    let rows = [
        (
            "malware/karita",
            "malware",
            "high",
            "Malware download blocked by threat intelligence",
            "Threat intelligence blocked a download from a known malware host on Karita Ahlberg's laptop.",
            30,
            29,
            vec![user("karita"), destination(MALWARE_HOST)],
        ),
        (
            "cross-tenant/contoso",
            "crossTenantAnomaly",
            "medium",
            "Access to a tenant not seen before",
            "A user reached a Microsoft 365 tenant no one in the organization had accessed in the last 30 days.",
            50,
            49,
            vec![user("wei.zhang"), destination(CONTOSO_PAYMENTS_SHAREPOINT)],
        ),
        (
            "web/gambling",
            "webContentBlocked",
            "low",
            "Repeated access to a blocked web category",
            "A user was blocked repeatedly from a site in the Gambling category.",
            122,
            74,
            vec![user("maria.garcia"), destination(GAMBLING_HOST)],
        ),
        (
            "network/london",
            "unhealthyRemoteNetworks",
            "informational",
            "Remote network London branch is unhealthy",
            "The IPsec tunnel of the London branch remote network was down for 40 minutes.",
            140,
            139,
            vec![
                json!({"@odata.type": "#microsoft.graph.networkaccess.relatedRemoteNetwork", "id": ids::object_id("gsaRemoteNetwork", "London branch"), "name": "London branch", "ipAddress": "198.51.100.129"}),
            ],
        ),
    ];
    rows.into_iter()
        .map(|(key, alert_type, severity, name, description, first, last, related)| {
            json!({
                "id": alert_id(key),
                "alertType": alert_type,
                "severity": severity,
                "displayName": name,
                "description": description,
                "creationDateTime": g.clock.hours_ago(last),
                "firstActivityDateTime": g.clock.hours_ago(first),
                "lastActivityDateTime": g.clock.hours_ago(last),
                "vendorName": "Microsoft",
                "productName": "Global Secure Access",
                "componentName": if alert_type == "unhealthyRemoteNetworks" { "Remote networks" } else { "Internet Access" },
                "detectionTechnology": if alert_type == "malware" { "Threat intelligence" } else { "Policy" },
                "isPreview": false,
                "categories": [],
                "techniques": [],
                "subTechniques": [],
                "actions": [],
                "relatedResources": related,
            })
        })
        .collect()
}
