//! Devices: one laptop per member of staff (Windows, hybrid-joined for synced accounts, Macs
//! in Marketing), phones for about a third of them, Karita's compliant Windows 11 laptop and
//! unmanaged iPhone, one laptop per generated user, and a few machines on older Windows
//! releases: a branch kiosk on Windows 10 21H2, a spare laptop on Windows 11 21H2 that nobody
//! enrolled and nobody has used for months, and a training-room PC on Windows 11 22H2.
//!
//! The same records feed the sign-in generator, so a sign-in's `deviceDetail` names a device
//! that exists, with the same compliance and join type.

use serde_json::{Value, json};

use super::clock::Clock;
use super::ids;
use super::people::{Activity, Person};
use super::rng::Rng;

/// How the device is joined to Entra, in the `trustType` vocabulary of the device resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustType {
    /// Entra joined.
    AzureAd,
    /// Entra registered (personal or BYOD).
    Workplace,
    /// Hybrid joined (on-premises AD and Entra).
    ServerAd,
}

impl TrustType {
    pub fn as_graph(self) -> &'static str {
        match self {
            TrustType::AzureAd => "AzureAd",
            TrustType::Workplace => "Workplace",
            TrustType::ServerAd => "ServerAd",
        }
    }

    /// The wording sign-in logs use in `deviceDetail.trustType`.
    pub fn as_sign_in_detail(self) -> &'static str {
        match self {
            TrustType::AzureAd => "Azure AD joined",
            TrustType::Workplace => "Azure AD registered",
            TrustType::ServerAd => "Hybrid Azure AD joined",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Windows,
    MacOs,
    Ios,
    Android,
}

impl Platform {
    /// `operatingSystem` on the device resource.
    pub fn device_os(self) -> &'static str {
        match self {
            Platform::Windows => "Windows",
            Platform::MacOs => "MacMDM",
            Platform::Ios => "iOS",
            Platform::Android => "Android",
        }
    }

    /// `deviceDetail.operatingSystem` in sign-in logs.
    pub fn sign_in_os(self) -> &'static str {
        match self {
            Platform::Windows => "Windows10",
            Platform::MacOs => "MacOs",
            Platform::Ios => "Ios",
            Platform::Android => "Android",
        }
    }

    /// The browser sign-ins from this platform usually report.
    pub fn browser(self) -> &'static str {
        match self {
            Platform::Windows => "Edge 130.0.0",
            Platform::MacOs => "Safari 17.6",
            Platform::Ios => "Mobile Safari 17.6",
            Platform::Android => "Chrome Mobile 130.0.6723",
        }
    }
}

/// One device.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    /// The device's own id (`deviceId`), distinct from the directory object id.
    pub device_id: String,
    pub display_name: String,
    pub platform: Platform,
    pub os_version: &'static str,
    pub trust_type: TrustType,
    pub compliant: bool,
    pub managed: bool,
    pub enabled: bool,
    /// Index of the owner in the population.
    pub owner: usize,
    pub registered_days_ago: i64,
    pub last_sign_in_days_ago: i64,
    pub is_laptop: bool,
}

/// Karita's devices, named so the story and tests can find them.
pub const KARITA_LAPTOP: &str = "WGB-LT-KAHLBERG";
pub const KARITA_IPHONE: &str = "Karita's iPhone";

const WINDOWS_VERSIONS: &[&str] = &["10.0.22631.4460", "10.0.26100.2314", "10.0.19045.5131"];

/// A story machine beyond each person's laptop and phone. Its owner already has a laptop, so
/// it never becomes anyone's laptop or phone in the sign-in log.
struct OlderMachine {
    name: &'static str,
    owner: &'static str,
    version: &'static str,
    trust_type: TrustType,
    compliant: bool,
    managed: bool,
    last_seen_days_ago: i64,
    registered_days_ago: i64,
}

const OLDER_MACHINES: &[OlderMachine] = &[
    OlderMachine {
        name: "WGB-KIOSK-NY01",
        owner: "mei.lin",
        version: "10.0.19044.5011",
        trust_type: TrustType::AzureAd,
        compliant: false,
        managed: true,
        last_seen_days_ago: 1,
        registered_days_ago: 1300,
    },
    OlderMachine {
        name: "WGB-LT-SPARE-07",
        owner: "omar.farouk",
        version: "10.0.22000.2538",
        trust_type: TrustType::AzureAd,
        compliant: false,
        managed: false,
        last_seen_days_ago: 212,
        registered_days_ago: 1100,
    },
    OlderMachine {
        name: "WGB-TRAIN-LDN02",
        owner: "samuel.osei",
        version: "10.0.22621.4317",
        trust_type: TrustType::AzureAd,
        compliant: true,
        managed: true,
        last_seen_days_ago: 3,
        registered_days_ago: 640,
    },
];

/// All devices of the tenant, story people's first.
pub fn devices(people: &[Person], seed: u64) -> Vec<Device> {
    let mut out = Vec::with_capacity(people.len() + people.len() / 3);
    for (index, person) in people.iter().enumerate() {
        if person.guest || person.activity == Activity::BreakGlass {
            continue;
        }
        if person.handle == "karita" {
            out.extend(karita_devices(index));
            continue;
        }
        // Story devices draw from a fixed stream so the story does not depend on the seed.
        let mut rng = match person.generated {
            Some(i) => Rng::new(seed, 0xDE71_0000 + i as u64),
            None => Rng::new(0, 0xDE70_0000 + index as u64),
        };
        let last_seen = match person.activity {
            Activity::Inactive(days) => days + rng.between(0, 3),
            Activity::Left(days) => days + rng.between(1, 5),
            _ => rng.between(0, 2),
        };
        let platform =
            if person.department.as_deref() == Some("Marketing") { Platform::MacOs } else { Platform::Windows };
        let trust_type = match (platform, person.synced) {
            (Platform::MacOs, _) => TrustType::Workplace,
            (_, true) => TrustType::ServerAd,
            _ => TrustType::AzureAd,
        };
        let display_name = match person.generated {
            Some(i) => format!("WGB-GEN-{:05}", i + 1),
            None => format!("WGB-LT-{:04}", 1000 + index),
        };
        let compliant = !rng.percent(8);
        let windows_version = *rng.pick(WINDOWS_VERSIONS);
        out.push(Device {
            id: ids::device_id(&display_name),
            device_id: ids::object_id("deviceId", &display_name),
            display_name,
            platform,
            os_version: match platform {
                Platform::MacOs => "14.6.1",
                _ => windows_version,
            },
            trust_type,
            compliant,
            managed: true,
            enabled: person.enabled(),
            owner: index,
            registered_days_ago: (person.created_days_ago - 1).clamp(1, 900),
            last_sign_in_days_ago: last_seen,
            is_laptop: true,
        });
        if person.is_generated() || !index.is_multiple_of(3) {
            continue;
        }
        let platform = if index.is_multiple_of(2) { Platform::Ios } else { Platform::Android };
        let display_name = match platform {
            Platform::Ios => format!("{}'s iPhone", person.given_name),
            _ => format!("{}'s Galaxy S24", person.given_name),
        };
        // Phones are personal: registered, and managed by Intune for only some people.
        let managed = rng.percent(60);
        out.push(Device {
            id: ids::device_id(&display_name),
            device_id: ids::object_id("deviceId", &display_name),
            display_name,
            platform,
            os_version: match platform {
                Platform::Ios => "17.6.1",
                _ => "14",
            },
            trust_type: TrustType::Workplace,
            compliant: managed && rng.percent(85),
            managed,
            enabled: person.enabled(),
            owner: index,
            registered_days_ago: rng.between(30, 600),
            last_sign_in_days_ago: last_seen + rng.between(0, 4),
            is_laptop: false,
        });
    }
    out.extend(older_machines(people));
    out
}

/// The story's machines on older Windows releases, appended after everyone's own devices so
/// no earlier device changes place.
fn older_machines(people: &[Person]) -> Vec<Device> {
    OLDER_MACHINES
        .iter()
        .filter_map(|m| {
            let owner = people.iter().position(|p| !p.is_generated() && p.handle == m.owner)?;
            Some(Device {
                id: ids::device_id(m.name),
                device_id: ids::object_id("deviceId", m.name),
                display_name: m.name.into(),
                platform: Platform::Windows,
                os_version: m.version,
                trust_type: m.trust_type,
                compliant: m.compliant,
                managed: m.managed,
                enabled: true,
                owner,
                registered_days_ago: m.registered_days_ago,
                last_sign_in_days_ago: m.last_seen_days_ago,
                // A PC, so never taken for the owner's phone; the owner's own laptop comes first
                // in the list and stays the one their sign-ins and methods name.
                is_laptop: true,
            })
        })
        .collect()
}

fn karita_devices(owner: usize) -> [Device; 2] {
    [
        Device {
            id: ids::device_id(KARITA_LAPTOP),
            device_id: ids::object_id("deviceId", KARITA_LAPTOP),
            display_name: KARITA_LAPTOP.into(),
            platform: Platform::Windows,
            os_version: "10.0.22631.4460",
            trust_type: TrustType::AzureAd,
            compliant: true,
            managed: true,
            enabled: true,
            owner,
            registered_days_ago: 410,
            last_sign_in_days_ago: 0,
            is_laptop: true,
        },
        Device {
            id: ids::device_id(KARITA_IPHONE),
            device_id: ids::object_id("deviceId", KARITA_IPHONE),
            display_name: KARITA_IPHONE.into(),
            platform: Platform::Ios,
            os_version: "17.6.1",
            trust_type: TrustType::Workplace,
            compliant: false,
            managed: false,
            enabled: true,
            owner,
            registered_days_ago: 95,
            last_sign_in_days_ago: 0,
            is_laptop: false,
        },
    ]
}

/// The Graph device resource.
pub fn to_json(device: &Device, clock: &Clock) -> Value {
    json!({
        "id": device.id,
        "deviceId": device.device_id,
        "displayName": device.display_name,
        "operatingSystem": device.platform.device_os(),
        "operatingSystemVersion": device.os_version,
        "trustType": device.trust_type.as_graph(),
        "isCompliant": device.compliant,
        "isManaged": device.managed,
        "accountEnabled": device.enabled,
        "approximateLastSignInDateTime": clock.days_ago(device.last_sign_in_days_ago),
        "registrationDateTime": clock.days_ago(device.registered_days_ago),
        "createdDateTime": clock.days_ago(device.registered_days_ago),
        "manufacturer": match device.platform {
            Platform::Windows => "Microsoft Corporation",
            Platform::MacOs | Platform::Ios => "Apple",
            Platform::Android => "Samsung",
        },
        "model": match device.platform {
            Platform::Windows => "Surface Laptop 6",
            Platform::MacOs => "MacBook Pro",
            Platform::Ios => "iPhone 15",
            Platform::Android => "Galaxy S24",
        },
        "profileType": "RegisteredDevice",
        "mdmAppId": if device.managed { Value::from("0000000a-0000-0000-c000-000000000000") } else { Value::Null },
        "onPremisesSyncEnabled": if device.trust_type == TrustType::ServerAd { Value::Bool(true) } else { Value::Null },
    })
}
