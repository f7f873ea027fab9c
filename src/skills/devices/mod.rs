//! The `devices` toolset: one device's facts, devices by compliance, management, join type,
//! OS or staleness, who owns and uses a device, and the tenant's devices counted.

crate::toolset! {
    get_device,
    search_devices,
    get_device_users,
    count_devices,
}
