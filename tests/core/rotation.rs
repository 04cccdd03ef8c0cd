//! Key rotation: the primary seals, previous keys open, removed keys are unknown.

use std::time::Duration;

use sealed_session::{Key, KeyError, KeyRing, OpenError, Sealer};

use common::{fixed_key, sample_profile, Profile};

const DAY: u64 = 86_400;

/// A ring of a new primary followed by `previous` older keys, newest first.
fn ring_with_previous(primary: &Key, previous: &[Key]) -> KeyRing {
    KeyRing::from_keys(std::iter::once(primary.clone()).chain(previous.iter().cloned())).unwrap()
}

fn sealer(ring: KeyRing) -> Sealer {
    Sealer::new(ring)
        .max_lifetime(Duration::from_secs(7 * DAY))
        .idle_timeout(Duration::from_secs(DAY))
        .leeway(Duration::ZERO)
}

#[test]
fn sealing_uses_the_primary_however_many_previous_keys() {
    for n in 1..=5u8 {
        let primary = fixed_key(100);
        let previous: Vec<Key> = (0..n).map(fixed_key).collect();
        let sealer = sealer(ring_with_previous(&primary, &previous));
        assert_eq!(sealer.ring().len(), usize::from(n) + 1);
        let value = sealer.seal_at(&sample_profile(), 1_000).unwrap();
        let opened = sealer.open_at::<Profile>(&value, 1_000).unwrap();
        assert_eq!(opened.key_id(), primary.id(), "with {n} previous keys");
        assert!(!opened.needs_reseal());
    }
}

#[test]
fn every_previous_key_opens_and_reports_needs_reseal() {
    for n in 1..=5u8 {
        let previous: Vec<Key> = (0..n).map(fixed_key).collect();
        let rotated = sealer(ring_with_previous(&fixed_key(100), &previous));
        for old in &previous {
            let value = sealer(KeyRing::new(old.clone()))
                .seal_at(&sample_profile(), 1_000)
                .unwrap();
            let opened = rotated.open_at::<Profile>(&value, 2_000).unwrap();
            assert_eq!(opened.value(), &sample_profile());
            assert_eq!(opened.key_id(), old.id());
            assert!(opened.needs_reseal(), "key {} of {n}", old.id());
        }
    }
}

#[test]
fn reseal_moves_to_the_primary_and_keeps_created_at_and_the_absolute_deadline() {
    for n in 1..=5u8 {
        let previous: Vec<Key> = (0..n).map(fixed_key).collect();
        let oldest = previous.last().unwrap().clone();
        let primary = fixed_key(100);
        let rotated = sealer(ring_with_previous(&primary, &previous));

        let created = 10_000;
        let value = sealer(KeyRing::new(oldest.clone()))
            .seal_at(&sample_profile(), created)
            .unwrap();
        // Six and a half days later, still inside the idle window thanks to a recent seal.
        let now = created + 6 * DAY + DAY / 2;
        let recent = sealer(KeyRing::new(oldest.clone()))
            .reseal_at(&sample_profile(), created, now - 60)
            .unwrap();
        assert!(
            rotated.open_at::<Profile>(&value, now).is_err(),
            "idle expired"
        );
        let opened = rotated.open_at::<Profile>(&recent, now).unwrap();
        assert!(opened.needs_reseal());

        let resealed = rotated
            .reseal_at(opened.value(), opened.created_at(), now)
            .unwrap();
        let again = rotated.open_at::<Profile>(&resealed, now).unwrap();
        assert_eq!(again.key_id(), primary.id());
        assert!(!again.needs_reseal());
        assert_eq!(again.created_at(), created);
        // The idle deadline (now + 1 day) would pass the absolute one: the absolute one holds.
        assert_eq!(again.expires_at(), created + 7 * DAY);
        assert_eq!(again.value(), &sample_profile());
    }
}

#[test]
fn a_value_sealed_with_a_removed_key_is_an_unknown_key_naming_its_id() {
    let (current, removed) = (fixed_key(100), fixed_key(7));
    let value = sealer(KeyRing::new(removed.clone()))
        .seal_at(&sample_profile(), 1_000)
        .unwrap();
    let after_removal = sealer(ring_with_previous(&current, &[fixed_key(8)]));
    let err = after_removal.open_at::<Profile>(&value, 1_000).unwrap_err();
    assert_eq!(err, OpenError::UnknownKey(removed.id()));
    assert_eq!(
        err.to_string(),
        format!("no key in the ring has key id {}", removed.id())
    );
}

#[test]
fn a_ring_refuses_duplicate_keys() {
    let key = fixed_key(3);
    let dup = KeyRing::from_keys([fixed_key(1), key.clone(), fixed_key(2), key.clone()]);
    assert_eq!(dup.unwrap_err(), KeyError::DuplicateKeyId(key.id()));

    let added = KeyRing::new(key.clone()).with_previous(key.clone());
    assert_eq!(added.unwrap_err(), KeyError::DuplicateKeyId(key.id()));

    let list = format!("{},{}", key.to_base64(), key.to_base64());
    assert_eq!(
        KeyRing::from_base64_list(&list).unwrap_err(),
        KeyError::DuplicateKeyId(key.id())
    );
}

#[test]
fn a_ring_needs_a_key() {
    assert_eq!(
        KeyRing::from_keys(Vec::new()).unwrap_err(),
        KeyError::EmptyRing
    );
    assert_eq!(
        KeyRing::from_base64_list(" , ,").unwrap_err(),
        KeyError::EmptyRing
    );
}

#[test]
fn key_lists_round_trip_and_name_the_bad_entry() {
    let keys: Vec<Key> = (0..4).map(fixed_key).collect();
    let list = keys
        .iter()
        .map(Key::to_base64)
        .collect::<Vec<_>>()
        .join(", ");
    let ring = KeyRing::from_base64_list(&format!(" {list},\n")).unwrap();
    assert_eq!(ring.primary(), &keys[0]);
    assert_eq!(ring.keys().cloned().collect::<Vec<_>>(), keys);
    for key in &keys {
        assert_eq!(ring.get(key.id()), Some(key));
    }
    assert_eq!(ring.get(fixed_key(9).id()), None);
    assert_eq!(
        KeyRing::from_base64_list(&ring.to_base64_list())
            .unwrap()
            .len(),
        4
    );

    let bad = format!(
        "{},{},not base64!",
        keys[0].to_base64(),
        keys[1].to_base64()
    );
    let err = KeyRing::from_base64_list(&bad).unwrap_err();
    assert_eq!(
        err,
        KeyError::ListEntry {
            position: 3,
            reason: Box::new(KeyError::Base64)
        }
    );
    assert!(err.to_string().starts_with("key 3 of the list: "));
}
