//! Lookups over the generated people and devices that several generators share: a person by
//! story handle, and each person's laptop and phone.

use std::collections::HashMap;

use super::devices::Device;
use super::people::Person;

pub struct Cast<'a> {
    pub people: &'a [Person],
    by_handle: HashMap<&'a str, usize>,
    laptop_of: Vec<Option<usize>>,
    phone_of: Vec<Option<usize>>,
}

impl<'a> Cast<'a> {
    pub fn new(people: &'a [Person], devices: &'a [Device]) -> Cast<'a> {
        let by_handle =
            people.iter().enumerate().filter(|(_, p)| !p.is_generated()).map(|(i, p)| (p.handle.as_str(), i)).collect();
        let mut laptop_of = vec![None; people.len()];
        let mut phone_of = vec![None; people.len()];
        for (index, device) in devices.iter().enumerate() {
            let slot = if device.is_laptop { &mut laptop_of[device.owner] } else { &mut phone_of[device.owner] };
            if slot.is_none() {
                *slot = Some(index);
            }
        }
        Cast { people, by_handle, laptop_of, phone_of }
    }

    /// The index of a story person by handle.
    pub fn index(&self, handle: &str) -> Option<usize> {
        self.by_handle.get(handle).copied()
    }

    /// A story person by handle.
    pub fn person(&self, handle: &str) -> Option<&'a Person> {
        self.index(handle).map(|i| &self.people[i])
    }

    /// Index in the device list of the person's laptop.
    pub fn laptop_index(&self, person: usize) -> Option<usize> {
        self.laptop_of[person]
    }

    /// Index in the device list of the person's phone.
    pub fn phone_index(&self, person: usize) -> Option<usize> {
        self.phone_of[person]
    }
}
