//! A session value with the shapes real sessions have.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// A session value with the shapes real sessions have: nested structs, enums of every kind,
/// maps, options, vectors, tuples and unicode text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub user_id: u64,
    pub name: String,
    pub roles: Vec<Role>,
    pub prefs: BTreeMap<String, Pref>,
    pub counters: HashMap<String, i64>,
    pub last_seen: Option<u64>,
    pub manager: Option<Box<Profile>>,
    pub cart: Vec<(u32, Option<String>)>,
    pub flags: [bool; 3],
    pub csrf: Vec<u8>,
}

/// Unit, tuple and struct variants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Role {
    Admin,
    Viewer(u8),
    Editor { sections: Vec<String>, since: i32 },
}

/// An enum used as map values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Pref {
    On,
    Level(i16),
    Text(String),
}

/// A fully populated profile, two levels deep.
pub fn sample_profile() -> Profile {
    let manager = Profile {
        user_id: u64::MAX,
        name: "Zoë Ångström".into(),
        roles: vec![Role::Admin],
        prefs: BTreeMap::new(),
        counters: HashMap::new(),
        last_seen: None,
        manager: None,
        cart: Vec::new(),
        flags: [false; 3],
        csrf: Vec::new(),
    };
    Profile {
        user_id: 42,
        name: "Ada Lovelace — 数学者 🧮".into(),
        roles: vec![
            Role::Viewer(3),
            Role::Editor {
                sections: vec!["news".into(), "café".into(), String::new()],
                since: -7,
            },
            Role::Admin,
        ],
        prefs: BTreeMap::from([
            ("dark".to_string(), Pref::On),
            ("zoom".to_string(), Pref::Level(-120)),
            ("lang".to_string(), Pref::Text("ελληνικά".into())),
        ]),
        counters: HashMap::from([("visits".to_string(), 17), ("errors".to_string(), -1)]),
        last_seen: Some(1_700_000_000),
        manager: Some(Box::new(manager)),
        cart: vec![(1, Some("book".into())), (u32::MAX, None)],
        flags: [true, false, true],
        csrf: (0..32).collect(),
    }
}
