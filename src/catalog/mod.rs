//! The built-in catalogs: every AWS service's actions ([`services`], generated from the
//! Service Authorization Reference), the tracked action space evaluation works in, the
//! named packs of monitored actions ([`packs`]), the privilege-escalation paths
//! ([`escalation`]) and AWS's managed policies ([`managed`]).
//!
//! Evaluation never works on the 22,000 actions of the whole catalog: it works on the
//! **tracked** actions — every ECS action (what packs monitor) and the few actions of other
//! services that let a principal become able to act (`sts:AssumeRole`, `iam:PassRole`,
//! the permissions of each escalation path). An [`ActionSet`] is a bitset over those, so
//! set operations stay a handful of word operations. The whole catalog serves to expand
//! patterns exactly and to report patterns that match no action (`unknown-action`).

pub mod escalation;
pub mod managed;
pub mod packs;
#[rustfmt::skip]
mod services;

pub use packs::{PACKS, Pack, pack};
pub use services::{SERVICES, SOURCE};

use std::sync::LazyLock;

/// Access level as AWS's Service Authorization Reference classifies each action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    List,
    Read,
    Write,
    Tagging,
    PermissionsManagement,
}

impl Access {
    /// As AWS writes it in the Service Authorization Reference.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::List => "List",
            Access::Read => "Read",
            Access::Write => "Write",
            Access::Tagging => "Tagging",
            Access::PermissionsManagement => "Permissions management",
        }
    }
}

/// Whether an ARN field (region, account) of a service's resources is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Always empty (`arn:aws:iam::…` has no region).
    Empty,
    /// Never empty.
    Present,
    /// Depends on the resource type.
    Either,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionInfo {
    /// Action name without the service prefix, as AWS spells it: "UpdateService".
    pub name: &'static str,
    pub access: Access,
    /// Indices into the service's `resource_types`; empty: the action needs `Resource: "*"`.
    pub resource_types: &'static [u16],
}

#[derive(Debug)]
pub struct ServiceInfo {
    /// The service prefix of its actions: "ecs".
    pub prefix: &'static str,
    /// The service field of its resources' ARNs (usually the prefix; `sts:` acts on IAM roles).
    pub arn_services: &'static [&'static str],
    pub region: Field,
    pub account: Field,
    /// (name, ARN format) of each resource type.
    pub resource_types: &'static [(&'static str, &'static str)],
    pub condition_keys: &'static [&'static str],
    /// Sorted by lower-case name.
    pub actions: &'static [ActionInfo],
}

impl ServiceInfo {
    /// The action named `name` (any case).
    pub fn action(&self, name: &str) -> Option<&'static ActionInfo> {
        let mut buffer = [0u8; 256];
        let qualified = buffer.get_mut(..self.prefix.len() + 1 + name.len())?;
        let (prefix, rest) = qualified.split_at_mut(self.prefix.len());
        prefix.copy_from_slice(self.prefix.as_bytes());
        rest[0] = b':';
        rest[1..].copy_from_slice(name.as_bytes());
        match lookup_action(qualified) {
            Some((service, action)) if std::ptr::eq(service, self) => Some(action),
            Some(_) => None,
            // A service outside the catalog (tests build their own).
            None if !SERVICES.as_ptr_range().contains(&std::ptr::from_ref(self)) => self
                .actions
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(name)),
            None => None,
        }
    }

    /// The actions whose lower-case name starts with `lower_prefix` (already lower-case).
    pub fn actions_starting_with(&self, lower_prefix: &str) -> &'static [ActionInfo] {
        let start = self
            .actions
            .partition_point(|a| cmp_folded(a.name.as_bytes(), lower_prefix.as_bytes()).is_lt());
        let len = self.actions[start..]
            .iter()
            .take_while(|a| starts_with_lower(a.name, lower_prefix))
            .count();
        &self.actions[start..start + len]
    }
}

/// The order of `name` lower-cased against `lower` (the catalog's order), without
/// building the lower-case name. Literal patterns are looked up by binary search among
/// hundreds of names sharing long prefixes (`Describe…`), so eight bytes are compared at
/// a time.
fn cmp_folded(name: &[u8], lower: &[u8]) -> std::cmp::Ordering {
    let mut at = 0;
    while at + 8 <= name.len().min(lower.len()) {
        let chunk = |s: &[u8]| u64::from_le_bytes(s[at..at + 8].try_into().expect("8 bytes"));
        let (x, y) = (fold_ascii_upper(chunk(name)), chunk(lower));
        if x != y {
            // The first differing byte, in memory order (little-endian: the lowest).
            let byte = (x ^ y).trailing_zeros() as usize / 8;
            return name[at + byte].to_ascii_lowercase().cmp(&lower[at + byte]);
        }
        at += 8;
    }
    for (x, y) in name[at..].iter().zip(&lower[at..]) {
        let x = x.to_ascii_lowercase();
        if x != *y {
            return x.cmp(y);
        }
    }
    name.len().cmp(&lower.len())
}

/// Eight bytes with each ASCII `A`–`Z` made lower-case, the others as they are.
fn fold_ascii_upper(bytes: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low7 = bytes & !HIGH;
    // Per byte, without carries (low7 ≤ 0x7f): the high bit of `from_a` is set from
    // b'A' up, that of `past_z` from b'[' up; non-ASCII bytes are left alone.
    let from_a = low7 + 0x3f3f_3f3f_3f3f_3f3f;
    let past_z = low7 + 0x2525_2525_2525_2525;
    let upper = (from_a ^ past_z) & HIGH & !bytes;
    bytes | (upper >> 2)
}

fn starts_with_lower(name: &str, lower_prefix: &str) -> bool {
    name.len() >= lower_prefix.len()
        && name.as_bytes()[..lower_prefix.len()].eq_ignore_ascii_case(lower_prefix.as_bytes())
}

/// The service with this prefix (any case).
pub fn service(prefix: &str) -> Option<&'static ServiceInfo> {
    // Off the hot path: literal patterns go through `lookup_action`, wildcard ones are
    // remembered. Prefixes are lower-case, as policies almost always write them: an
    // exact search first, then the asked one folded, without allocating.
    if let Ok(i) = SERVICES.binary_search_by(|s| s.prefix.cmp(prefix)) {
        return Some(&SERVICES[i]);
    }
    SERVICES
        .binary_search_by(|s| {
            s.prefix
                .bytes()
                .cmp(prefix.bytes().map(|b| b.to_ascii_lowercase()))
        })
        .ok()
        .map(|i| &SERVICES[i])
}

/// The catalog's action `service:Action` (any case), with its service.
///
/// Every literal action pattern of every policy asks this: one probe of a table generated
/// with the catalog (`services::ACTION_INDEX`, by [`folded_hash`]), comparing names only
/// when the hash's tag agrees — no table to build, nothing allocated.
pub fn lookup_action(qualified: &[u8]) -> Option<(&'static ServiceInfo, &'static ActionInfo)> {
    let hash = folded_hash(qualified);
    let mask = (1usize << services::ACTION_INDEX_BITS) - 1;
    let tag = (hash >> 53) as u32;
    let mut slot = hash as usize & mask;
    loop {
        let entry = services::ACTION_INDEX[slot];
        if entry == 0 {
            return None;
        }
        if entry >> 21 == tag {
            let id = (entry & ((1 << 21) - 1)) - 1;
            let service = &SERVICES[(id >> 12) as usize];
            let action = &service.actions[(id & 0xfff) as usize];
            let named = qualified
                .split_at_checked(service.prefix.len())
                .is_some_and(|(prefix, rest)| {
                    prefix.eq_ignore_ascii_case(service.prefix.as_bytes())
                        && rest.first() == Some(&b':')
                        && rest[1..].eq_ignore_ascii_case(action.name.as_bytes())
                });
            if named {
                return Some((service, action));
            }
        }
        slot = (slot + 1) & mask;
    }
}

/// The hash of the action index: eight bytes at a time, ASCII letters folded to lower
/// case. scripts/gen_catalog.py computes the same to build the table.
fn folded_hash(bytes: &[u8]) -> u64 {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |hash: u64, word: u64| {
        let hash = (hash ^ word).wrapping_mul(MULTIPLIER);
        hash ^ (hash >> 32)
    };
    let mut words = bytes.chunks_exact(8);
    let mut hash = 0;
    for word in &mut words {
        hash = mix(
            hash,
            fold_ascii_upper(u64::from_le_bytes(word.try_into().expect("8 bytes"))),
        );
    }
    let rest = words.remainder();
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    hash = mix(hash, fold_ascii_upper(u64::from_le_bytes(last)));
    mix(hash, bytes.len() as u64)
}

/// How many actions the whole catalog holds.
pub fn action_count() -> usize {
    SERVICES.iter().map(|s| s.actions.len()).sum()
}

/// A multiply-and-xor hash over eight bytes at a time, mixed once at the end:
/// evaluation hashes small keys (action patterns, graph nodes) millions of times, where
/// SipHash's resistance to crafted keys buys nothing (keys are built-in names, the account
/// model's own indices, or patterns in a bounded per-thread memo).
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl FastHasher {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(23) ^ word).wrapping_mul(Self::MULTIPLIER);
    }
}

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        // The product's low bits depend only on the words' low bits: fold the high ones
        // in, as the table indexes buckets by the low bits.
        let hash = self.0 ^ (self.0 >> 32);
        hash.wrapping_mul(Self::MULTIPLIER) ^ (hash >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        // The length tells "ab" from "ab\0".
        self.add(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

/// What one thread computed from a string key (a pattern's expansion, a suggestion), so
/// that policies repeating a key pay once per thread. Bounded: hostile input must not
/// grow it without end (past the bound it computes each time).
pub struct ThreadMemo<V> {
    seen: std::cell::RefCell<FastMap<String, V>>,
    bound: usize,
}

impl<V: Clone> ThreadMemo<V> {
    pub fn new(bound: usize) -> Self {
        ThreadMemo {
            seen: Default::default(),
            bound,
        }
    }

    pub fn get_or_compute(&self, key: &str, compute: impl FnOnce(&str) -> V) -> V {
        if let Some(known) = self.seen.borrow().get(key) {
            return known.clone();
        }
        let value = compute(key);
        let mut seen = self.seen.borrow_mut();
        if seen.len() < self.bound {
            seen.insert(key.to_string(), value.clone());
        }
        value
    }
}

/// The prefix of the service whose actions packs monitor.
pub const MONITORED_SERVICE: &str = "ecs";

/// One action of the tracked space.
#[derive(Debug)]
pub struct Tracked {
    pub service: &'static ServiceInfo,
    pub info: &'static ActionInfo,
    /// `service:Name` as AWS spells it.
    pub qualified: String,
}

/// Tracked actions, sorted by qualified name (byte order): the indices of [`ActionSet`].
pub fn tracked() -> &'static [Tracked] {
    static TRACKED: LazyLock<Vec<Tracked>> = LazyLock::new(|| {
        let ecs = service(MONITORED_SERVICE).expect("the catalog has ECS");
        let mut out: Vec<Tracked> = ecs
            .actions
            .iter()
            .map(|info| Tracked {
                service: ecs,
                info,
                qualified: format!("{}:{}", ecs.prefix, info.name),
            })
            .collect();
        for name in escalation::tracked_actions() {
            let (prefix, action) = name.split_once(':').expect("qualified name");
            let service = service(prefix).unwrap_or_else(|| panic!("unknown service in {name}"));
            let info = service
                .action(action)
                .unwrap_or_else(|| panic!("{name} is not in the catalog"));
            out.push(Tracked {
                service,
                info,
                qualified: format!("{}:{}", service.prefix, info.name),
            });
        }
        out.sort_by(|a, b| a.qualified.cmp(&b.qualified));
        out.dedup_by(|a, b| a.qualified == b.qualified);
        assert!(out.len() <= CAPACITY, "tracked actions exceed ActionSet");
        out
    });
    &TRACKED
}

/// `ecs:UpdateService` for tracked index `i`.
pub fn qualified_name(index: usize) -> String {
    tracked()[index].qualified.clone()
}

/// Tracked index of `service:Action` (any case).
pub fn index_of(qualified: &str) -> Option<usize> {
    lookup_action(qualified.as_bytes()).and_then(|(_, action)| tracked_index_of(action))
}

/// Tracked index of an exact, known action; panics on a typo (for built-in tables).
pub fn known(qualified: &str) -> usize {
    index_of(qualified).unwrap_or_else(|| panic!("{qualified} is not a tracked action"))
}

/// Tracked index of a catalog action, if it is tracked: a literal action pattern's whole
/// expansion, once [`ServiceInfo::action`] found it.
pub fn tracked_index_of(info: &'static ActionInfo) -> Option<usize> {
    // Keyed by the action's address in the static catalog: ~250 entries, one lookup.
    static BY_ACTION: LazyLock<FastMap<usize, u16>> = LazyLock::new(|| {
        tracked()
            .iter()
            .enumerate()
            .map(|(i, t)| (std::ptr::from_ref(t.info) as usize, i as u16))
            .collect()
    });
    BY_ACTION
        .get(&(std::ptr::from_ref(info) as usize))
        .map(|&i| usize::from(i))
}

/// The tracked actions of one service.
pub fn tracked_of(prefix: &str) -> ActionSet {
    static BY_SERVICE: LazyLock<Vec<(&'static str, ActionSet)>> = LazyLock::new(|| {
        let mut out: Vec<(&'static str, ActionSet)> = Vec::new();
        for (i, t) in tracked().iter().enumerate() {
            match out.last_mut() {
                Some((p, set)) if *p == t.service.prefix => set.insert(i),
                _ => out.push((t.service.prefix, [i].into_iter().collect())),
            }
        }
        out
    });
    BY_SERVICE
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(prefix))
        .map_or(ActionSet::EMPTY, |(_, set)| *set)
}

/// The services that have tracked actions, each with its set.
pub fn tracked_services() -> &'static [(&'static ServiceInfo, ActionSet)] {
    static SERVICES_TRACKED: LazyLock<Vec<(&'static ServiceInfo, ActionSet)>> =
        LazyLock::new(|| {
            let mut seen: Vec<&'static ServiceInfo> = Vec::new();
            for t in tracked() {
                if !seen.iter().any(|s| std::ptr::eq(*s, t.service)) {
                    seen.push(t.service);
                }
            }
            seen.into_iter()
                .map(|s| (s, tracked_of(s.prefix)))
                .collect()
        });
    &SERVICES_TRACKED
}

/// A set of tracked actions, as a bitset over indices into [`tracked`].
/// Pattern expansion and every set operation of evaluation work on these.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Debug)]
pub struct ActionSet([u64; WORDS]);

const WORDS: usize = 4;
/// How many tracked actions an [`ActionSet`] can hold; [`tracked`] checks the catalog fits.
pub const CAPACITY: usize = WORDS * 64;

impl ActionSet {
    pub const EMPTY: ActionSet = ActionSet([0; WORDS]);

    /// Every tracked action.
    pub fn all() -> ActionSet {
        (0..tracked().len()).collect()
    }

    pub fn insert(&mut self, index: usize) {
        self.0[index / 64] |= 1 << (index % 64);
    }

    pub fn contains(&self, index: usize) -> bool {
        self.0[index / 64] & (1 << (index % 64)) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn union(self, other: ActionSet) -> ActionSet {
        ActionSet(std::array::from_fn(|i| self.0[i] | other.0[i]))
    }

    pub fn intersect(self, other: ActionSet) -> ActionSet {
        ActionSet(std::array::from_fn(|i| self.0[i] & other.0[i]))
    }

    pub fn minus(self, other: ActionSet) -> ActionSet {
        ActionSet(std::array::from_fn(|i| self.0[i] & !other.0[i]))
    }

    pub fn is_subset(self, other: ActionSet) -> bool {
        self.minus(other).is_empty()
    }

    /// Complement within the tracked actions (what `NotAction` grants of them).
    pub fn complement(self) -> ActionSet {
        ActionSet::all().minus(self)
    }

    /// Indices in tracked (qualified-name) order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        // Set bits only, word by word: sets are sparse and iterated in hot loops.
        self.0.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    w * 64 + bit
                })
            })
        })
    }

    /// Canonical names, sorted: `["ecs:CreateService", …]`.
    pub fn names(&self) -> Vec<String> {
        self.iter().map(qualified_name).collect()
    }
}

impl FromIterator<usize> for ActionSet {
    fn from_iter<I: IntoIterator<Item = usize>>(iter: I) -> Self {
        let mut set = ActionSet::EMPTY;
        for i in iter {
            set.insert(i);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn folded_comparison_is_the_order_of_the_lower_case_bytes(
            name in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            other in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            shared in 0usize..40,
        ) {
            // Long shared prefixes are where the eight-byte steps matter.
            let mut lower: Vec<u8> = name.iter().take(shared).map(u8::to_ascii_lowercase).collect();
            lower.extend(other.iter().map(u8::to_ascii_lowercase));
            let expected = name
                .iter()
                .map(u8::to_ascii_lowercase)
                .cmp(lower.iter().copied());
            proptest::prop_assert_eq!(cmp_folded(&name, &lower), expected);
        }

        #[test]
        fn the_index_finds_exactly_what_a_search_of_the_catalog_finds(
            service in 0..SERVICES.len(),
            action in 0usize..1000,
            flips in proptest::collection::vec(proptest::prelude::any::<bool>(), 0..64),
            edit in proptest::option::of((0usize..64, proptest::prelude::any::<u8>())),
        ) {
            // A catalog name with its letters' case flipped, and maybe one byte changed,
            // dropped or added: near misses are where a hash index can go wrong.
            let s = &SERVICES[service];
            let a = &s.actions[action % s.actions.len()];
            let mut name: Vec<u8> = format!("{}:{}", s.prefix, a.name)
                .bytes()
                .zip(flips.iter().chain(std::iter::repeat(&false)))
                .map(|(b, &flip)| if flip && b.is_ascii_alphabetic() { b ^ 0x20 } else { b })
                .collect();
            if let Some((at, byte)) = edit {
                let at = at % (name.len() + 1);
                match byte % 3 {
                    0 if at < name.len() => name[at] = byte,
                    1 if at < name.len() => { name.remove(at); }
                    _ => name.insert(at, byte),
                }
            }
            let expected = SERVICES.iter().find_map(|s| {
                let (prefix, rest) = name.split_at_checked(s.prefix.len())?;
                let rest = rest.strip_prefix(b":")?;
                if !prefix.eq_ignore_ascii_case(s.prefix.as_bytes()) {
                    return None;
                }
                s.actions.iter().find(|a| a.name.as_bytes().eq_ignore_ascii_case(rest)).map(|a| (s, a))
            });
            let found = lookup_action(&name);
            proptest::prop_assert_eq!(
                found.map(|(s, a)| (s.prefix, a.name)),
                expected.map(|(s, a)| (s.prefix, a.name)),
                "{}", String::from_utf8_lossy(&name)
            );
        }
    }

    #[test]
    fn every_action_is_found_by_its_name_in_any_case() {
        for s in SERVICES {
            // The generated index holds an action's position in 12 bits.
            assert!(s.actions.len() < 1 << 12, "{}", s.prefix);
            for a in s.actions {
                assert!(std::ptr::eq(s.action(a.name).unwrap(), a));
                let upper = a.name.to_ascii_uppercase();
                assert!(std::ptr::eq(s.action(&upper).unwrap(), a));
            }
        }
        let ecs = service("ecs").unwrap();
        assert!(ecs.action("UpdateServices").is_none());
        assert!(ecs.action("").is_none());
        assert!(ecs.action(&"x".repeat(200)).is_none());
    }

    #[test]
    fn the_generated_index_finds_every_qualified_name_in_any_case_and_nothing_else() {
        // Found at the slot the generator chose: its hash and folded_hash agree.
        for s in SERVICES {
            for a in s.actions {
                for name in [
                    format!("{}:{}", s.prefix, a.name),
                    format!("{}:{}", s.prefix, a.name).to_ascii_uppercase(),
                ] {
                    let (service, action) =
                        lookup_action(name.as_bytes()).unwrap_or_else(|| panic!("{name}"));
                    assert!(
                        std::ptr::eq(service, s) && std::ptr::eq(action, a),
                        "{name}"
                    );
                }
            }
        }
        let (service, action) = lookup_action(b"ECS:updateSERVICE").unwrap();
        assert_eq!((service.prefix, action.name), ("ecs", "UpdateService"));
        for miss in [
            "ecs:UpdateServic",
            "ecs:UpdateServicee",
            "ecs:Update:Service",
            "ecs:",
            "ecs",
            ":UpdateService",
            "ecsUpdateService",
            "ec2:UpdateService",
            "ecs:UpdateServic\u{e9}",
            "",
        ] {
            assert!(lookup_action(miss.as_bytes()).is_none(), "{miss}");
        }
    }

    #[test]
    fn services_and_their_actions_are_sorted_for_binary_search() {
        for pair in SERVICES.windows(2) {
            assert!(pair[0].prefix < pair[1].prefix, "{}", pair[1].prefix);
        }
        for s in SERVICES {
            for pair in s.actions.windows(2) {
                assert!(
                    cmp_folded(
                        pair[0].name.as_bytes(),
                        pair[1].name.to_ascii_lowercase().as_bytes()
                    )
                    .is_lt(),
                    "{}:{}",
                    s.prefix,
                    pair[1].name
                );
            }
        }
        assert!(action_count() > 20_000);
    }

    #[test]
    fn lookups_ignore_case() {
        let iam = service("IAM").unwrap();
        assert_eq!(iam.action("passrole").unwrap().name, "PassRole");
        assert!(iam.action("PassRoles").is_none());
        let starting: Vec<&str> = iam
            .actions_starting_with("passr")
            .iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(starting, ["PassRole"]);
        assert_eq!(service("sts").unwrap().arn_services, ["iam", "sts"]);
        assert!(service("nope").is_none());
    }

    #[test]
    fn tracked_space_holds_every_ecs_action_and_the_edge_actions() {
        let ecs = service("ecs").unwrap();
        assert_eq!(tracked_of("ecs").len(), ecs.actions.len());
        for name in ["sts:AssumeRole", "iam:PassRole", "lambda:CreateFunction"] {
            assert!(index_of(name).is_some(), "{name}");
        }
        for pair in tracked().windows(2) {
            assert!(pair[0].qualified < pair[1].qualified);
        }
    }

    #[test]
    fn set_operations() {
        let a: ActionSet = [0, 1, 70].into_iter().collect();
        let b: ActionSet = [1, 2].into_iter().collect();
        assert_eq!(a.union(b).iter().collect::<Vec<_>>(), vec![0, 1, 2, 70]);
        assert_eq!(a.intersect(b).iter().collect::<Vec<_>>(), vec![1]);
        assert_eq!(a.minus(b).iter().collect::<Vec<_>>(), vec![0, 70]);
        assert_eq!(a.len(), 3);
        assert!(ActionSet::EMPTY.is_empty());
        assert_eq!(ActionSet::all().complement(), ActionSet::EMPTY);
        assert!(b.intersect(a).is_subset(a));
    }
}
