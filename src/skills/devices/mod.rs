//! The `devices` toolset: one device's facts, devices by compliance, management, join type,
//! OS or staleness, and who owns and uses a device.

crate::toolset! {
    get_device,
    search_devices,
    get_device_users,
}
