//! Where sign-ins come from: the bank's offices (on the trusted HQ and Branches ranges),
//! staff homes, Fabrikam's offices, and the places the attackers in the story use.

use serde_json::{Value, json};

/// A city with its coordinates.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub city: &'static str,
    pub state: &'static str,
    pub country: &'static str,
    pub latitude: f64,
    pub longitude: f64,
}

pub const SEATTLE: Place =
    Place { city: "Seattle", state: "Washington", country: "US", latitude: 47.6062, longitude: -122.3321 };
pub const NEW_YORK: Place =
    Place { city: "New York", state: "New York", country: "US", latitude: 40.7128, longitude: -74.006 };
pub const LONDON: Place =
    Place { city: "London", state: "England", country: "GB", latitude: 51.5072, longitude: -0.1276 };
pub const AMSTERDAM: Place =
    Place { city: "Amsterdam", state: "Noord-Holland", country: "NL", latitude: 52.3676, longitude: 4.9041 };
pub const FRANKFURT: Place =
    Place { city: "Frankfurt am Main", state: "Hessen", country: "DE", latitude: 50.1109, longitude: 8.6821 };
pub const BUCHAREST: Place =
    Place { city: "Bucharest", state: "Bucuresti", country: "RO", latitude: 44.4268, longitude: 26.1025 };
pub const MOSCOW: Place =
    Place { city: "Moscow", state: "Moscow", country: "RU", latitude: 55.7558, longitude: 37.6173 };
pub const DUBLIN: Place =
    Place { city: "Dublin", state: "Dublin", country: "IE", latitude: 53.3498, longitude: -6.2603 };

/// Karita's office address on the HQ range.
pub const KARITA_OFFICE_IP: &str = "192.0.2.14";
/// The password-spray source that hit Karita and eight colleagues over IMAP.
pub const SPRAY_IP: &str = "203.0.113.77";
/// The Tor exit node of the blocked sign-in 20 hours ago.
pub const TOR_IP: &str = "185.220.101.34";
/// The Amsterdam address of the atypical-travel sign-ins 12 hours ago.
pub const AMSTERDAM_IP: &str = "203.0.113.45";

/// The place an office name (`officeLocation`) stands for.
pub fn office_place(office: Option<&str>) -> Place {
    match office {
        Some(o) if o.starts_with("New York") => NEW_YORK,
        Some(o) if o.starts_with("London") => LONDON,
        _ => SEATTLE,
    }
}

/// An address on the office's trusted range: HQ is 192.0.2.0/24, the branches share
/// 198.51.100.0/24 (New York in the lower half, London in the upper).
pub fn office_ip(office: Option<&str>, host: u64) -> String {
    match office {
        Some(o) if o.starts_with("New York") => format!("198.51.100.{}", 2 + host % 120),
        Some(o) if o.starts_with("London") => format!("198.51.100.{}", 130 + host % 120),
        _ => format!("192.0.2.{}", 20 + host % 220),
    }
}

/// A home address, from the IPv6 documentation prefix so it can never be a real one.
pub fn home_ip(person: u64) -> String {
    format!("2001:db8:{:x}:{:x}::1", 0x100 + person % 0xF00, person.wrapping_mul(40503) % 0xFFFF)
}

/// The `location` object of a sign-in.
pub fn sign_in_location(place: &Place) -> Value {
    json!({
        "city": place.city,
        "state": place.state,
        "countryOrRegion": place.country,
        "geoCoordinates": {"altitude": null, "latitude": place.latitude, "longitude": place.longitude},
    })
}

/// The `location` object of a risk detection (the same shape).
pub fn detection_location(place: &Place) -> Value {
    sign_in_location(place)
}
