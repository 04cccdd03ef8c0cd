//! The session handle: a change-tracked map of entries, each stored encoded with the sealer's
//! codec, and the plan of what its cookie needs at the end of a request. Knows nothing of HTTP.

use std::cell::RefCell;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codec::{Codec, DefaultCodec};
use crate::cookie_expiry::CookieExpiry;
use crate::entries::Entries;
use crate::error::{CodecError, SessionError, TooLarge};
use crate::scratch::{with_buffer, Contents};
use crate::session_sealer::OpenedSession;

/// The mutable state behind a [`Session`] and its clones.
#[derive(Default)]
struct State {
    entries: Entries,
    /// When the session began, if it came from a cookie and has not been regenerated.
    created_at: Option<u64>,
    expires_at: Option<u64>,
    /// Entries changed, or a re-seal was asked for.
    changed: bool,
    destroyed: bool,
    /// A cookie of the session's name came with the request (whether or not it opened).
    had_cookie: bool,
    needs_reseal: bool,
    idle_refresh_due: bool,
    cookie_expiry: Option<CookieExpiry>,
    /// Chunk cookies (`name.1`, ...) the request carried: a response that writes fewer must
    /// expire the rest.
    request_chunks: usize,
    /// The clock's reading when the request's cookie was checked, if one was: the session's
    /// new cookie is dated with it, so a request reads the clock once.
    request_time: Option<u64>,
    /// The cookie's size limit, when the cookie layer knows it (see [`Limit`]).
    limit: Option<Limit>,
}

/// What the cookie layer knows of the session's cookie: how long its name is, the longest
/// value it can carry, and the length of the value the sealer writes for a payload.
#[derive(Clone, Copy)]
pub(crate) struct Limit {
    pub(crate) name_len: usize,
    pub(crate) max_value_len: usize,
    pub(crate) value_len: fn(usize) -> Option<usize>,
}

impl Limit {
    /// `Some((size, max))` when the cookie of a payload of `payload_len` bytes, name plus
    /// value, would be `size` bytes, over its `max`.
    fn exceeded(&self, payload_len: usize) -> Option<(usize, usize)> {
        let len = (self.value_len)(payload_len)?;
        (len > self.max_value_len)
            .then_some((self.name_len + len, self.name_len + self.max_value_len))
    }
}

/// A session: a map from string keys to values, each stored encoded with the sealer's codec,
/// with change tracking so that a cookie is sent only when needed.
///
/// Clones share one state (an `Arc<Mutex<..>>`): the copy a handler changes is the one the
/// layer seals after the handler returns. Changes made after the response is sent (from a
/// spawned task, say) are not saved. Values are encoded on [`insert`](Self::insert) and
/// decoded on [`get`](Self::get), so a type mismatch is an error, never a panic.
///
/// A cookie is sent (by [`SessionCookie::set_cookie_values`](crate::SessionCookie)) when the
/// session was changed, touched, regenerated or destroyed, when it was opened with a previous
/// key, or when its idle deadline is due to slide. Reads alone send nothing.
///
/// # Example
/// ```
/// use sealed_session::Session;
///
/// let session: Session = Session::default();
/// assert!(session.is_empty());
/// session.insert("count", 1u32)?;
/// assert_eq!(session.get::<u32>("count")?, Some(1));
/// assert!(session.is_changed());
/// // A type mismatch is an error, not a panic.
/// assert!(session.get::<String>("count").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Session<C: Codec = DefaultCodec> {
    shared: Arc<Shared<C>>,
}

thread_local! {
    /// Where [`Session::insert`] encodes a value.
    static ENCODED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// `f` of `value` as `codec` encodes it, in this thread's encoding buffer: session data, so
/// wiped after ([`Contents::Secret`]). Values up to the kept capacity never make it grow.
fn with_encoded<C: Codec, T: Serialize + ?Sized, R>(
    codec: &C,
    value: &T,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R, CodecError> {
    with_buffer(&ENCODED, Contents::Secret, 0, |buf| {
        codec.encode(value, buf).map(|()| f(buf))
    })
}

/// What the clones of one [`Session`] share: one allocation per request, which the axum layer
/// also hands to the extractors as it is.
struct Shared<C> {
    state: Mutex<State>,
    codec: C,
}

impl<C: Codec> Clone for Session<C> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<C: Codec + Default> Default for Session<C> {
    fn default() -> Self {
        Self::new(C::default())
    }
}

impl<C: Codec> fmt::Debug for Session<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Entry values may be secrets: list the keys only.
        let state = self.lock();
        f.debug_struct("Session")
            .field("codec", &C::NAME)
            .field("keys", &state.entries.keys().collect::<Vec<_>>())
            .field("created_at", &state.created_at)
            .field("expires_at", &state.expires_at)
            .field("changed", &state.changed)
            .field("destroyed", &state.destroyed)
            .finish_non_exhaustive()
    }
}

impl<C: Codec> Session<C> {
    /// A new, empty session that came with no cookie.
    pub fn new(codec: C) -> Self {
        Self::with_state(codec, State::default())
    }

    /// A new, empty session for a request whose cookie of the session's name did not open:
    /// like [`new`](Self::new), but [`destroy`](Self::destroy) or [`clear`](Self::clear) will
    /// remove that cookie.
    pub(crate) fn after_unopened_cookie(codec: C) -> Self {
        let session = Self::new(codec);
        session.lock().had_cookie = true;
        session
    }

    /// The session a cookie opened into.
    pub(crate) fn from_opened(codec: C, opened: OpenedSession) -> Self {
        let state = State {
            entries: opened.entries,
            created_at: Some(opened.created_at),
            expires_at: Some(opened.expires_at),
            had_cookie: true,
            needs_reseal: opened.needs_reseal,
            idle_refresh_due: opened.idle_refresh_due,
            cookie_expiry: opened.cookie_expiry,
            ..State::default()
        };
        Self::with_state(codec, state)
    }

    fn with_state(codec: C, state: State) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(state),
                codec,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked while holding the lock left the map whole (every change is
        // one map operation), so the state is still usable.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The codec of the entries.
    pub fn codec(&self) -> &C {
        &self.shared.codec
    }

    /// The value under `key`: `Ok(None)` if there is none, an error if it does not decode
    /// as `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, CodecError> {
        let state = self.lock();
        state
            .entries
            .get(key)
            .map(|bytes| self.shared.codec.decode(bytes))
            .transpose()
    }

    /// Store `value` under `key`, replacing any value there. An error if the codec cannot
    /// encode it (the session is then unchanged). Storing the value a key already holds does
    /// not count as a change.
    ///
    /// After [`destroy`](Self::destroy), inserting begins a new session.
    pub fn insert(
        &self,
        key: impl AsRef<str> + Into<String>,
        value: impl Serialize,
    ) -> Result<(), SessionError> {
        // Encoded outside the lock (the codec runs the value's own `Serialize`), into a
        // per-thread buffer: a replaced value is copied into the entry's own allocation.
        with_encoded(&self.shared.codec, &value, |bytes| {
            let mut state = self.lock();
            // Checked before anything changes, so that a refused value leaves the session as
            // it was.
            if let Some(limit) = state.limit {
                let payload =
                    self.shared
                        .codec
                        .entries_len_with(&state.entries, key.as_ref(), bytes)?;
                if let Some((size, max)) = limit.exceeded(payload) {
                    return Err(SessionError::TooLarge(TooLarge::new(size, max)));
                }
            }
            if state.destroyed {
                state.destroyed = false;
                state.created_at = None;
                state.expires_at = None;
            }
            // An existing entry is replaced in place: neither its key nor its value buffer
            // is allocated again.
            let changed = match state.entries.get_mut(key.as_ref()) {
                Some(existing) if existing.as_slice() == bytes => false,
                Some(existing) => {
                    existing.clear();
                    existing.extend_from_slice(bytes);
                    true
                }
                None => {
                    state.entries.insert(key.into(), bytes.to_vec());
                    true
                }
            };
            state.changed |= changed;
            Ok(())
        })?
    }

    /// Change the value under `key` in place, starting from `T::default()` if there is none,
    /// store it, and return it. An error if what is stored does not decode as `T`, or if the
    /// new value cannot be stored (the session then keeps the old one).
    ///
    /// ```
    /// let session: sealed_session::Session = Default::default();
    /// assert_eq!(session.update("visits", |n: &mut u64| *n += 1)?, 1);
    /// assert_eq!(session.update("visits", |n: &mut u64| *n += 1)?, 2);
    /// # Ok::<(), sealed_session::SessionError>(())
    /// ```
    pub fn update<T>(&self, key: &str, f: impl FnOnce(&mut T)) -> Result<T, SessionError>
    where
        T: Serialize + DeserializeOwned + Default,
    {
        self.update_or(key, T::default(), f)
    }

    /// [`update`](Self::update), starting from `initial` when there is no value.
    pub fn update_or<T>(
        &self,
        key: &str,
        initial: T,
        f: impl FnOnce(&mut T),
    ) -> Result<T, SessionError>
    where
        T: Serialize + DeserializeOwned,
    {
        let mut value = self.get(key)?.unwrap_or(initial);
        f(&mut value);
        self.insert(key, &value)?;
        Ok(value)
    }

    /// Remove the value under `key` and decode it: for values read once, like flash
    /// messages. On a decode error the value is still removed.
    pub fn take<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, CodecError> {
        let removed = {
            let mut state = self.lock();
            let removed = state.entries.remove(key);
            if removed.is_some() {
                state.changed = true;
            }
            removed
        };
        removed
            .map(|bytes| self.shared.codec.decode(&bytes))
            .transpose()
    }

    /// Remove the value under `key`; true if there was one.
    pub fn remove(&self, key: &str) -> bool {
        let mut state = self.lock();
        let removed = state.entries.remove(key).is_some();
        state.changed |= removed;
        removed
    }

    /// True if a value is stored under `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.lock().entries.contains_key(key)
    }

    /// The keys, in order.
    pub fn keys(&self) -> Vec<String> {
        self.lock().entries.keys().cloned().collect()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// True if the session holds no entry.
    pub fn is_empty(&self) -> bool {
        self.lock().entries.is_empty()
    }

    /// Remove every entry. The cookie is removed from the browser, as an empty session is not
    /// worth sealing.
    pub fn clear(&self) {
        let mut state = self.lock();
        if !state.entries.is_empty() {
            state.entries.clear();
            state.cookie_expiry = None;
            state.changed = true;
        }
    }

    /// Ask for the session to be sealed again even though nothing changed: slides the idle
    /// deadline. An empty session is not sealed.
    pub fn touch(&self) {
        self.lock().changed = true;
    }

    /// End the session: every entry is removed and the response carries an expired, empty
    /// cookie, so the browser drops its copy.
    ///
    /// A sealed value is a bearer token that the server keeps no record of: a copy taken
    /// before the logout still opens until its deadline. Short lifetimes, an idle timeout and
    /// [`Sealer::invalidate_before`](crate::Sealer::invalidate_before) bound that.
    pub fn destroy(&self) {
        let mut state = self.lock();
        state.entries.clear();
        state.cookie_expiry = None;
        state.destroyed = true;
        state.changed = true;
    }

    /// Begin a new session in place: the start time (and with it the absolute deadline) is
    /// reset, every entry is dropped except those under `keep`, and the cookie lifetime goes
    /// back to the layer's default. Call it when privileges change, such as at login (then
    /// [`set_cookie_expiry`](Self::set_cookie_expiry) for a "remember me" login).
    pub fn regenerate(&self, keep: &[&str]) {
        let mut state = self.lock();
        state.entries.retain(|key, _| keep.contains(&key.as_str()));
        state.cookie_expiry = None;
        state.created_at = None;
        state.expires_at = None;
        state.destroyed = false;
        state.changed = true;
    }

    /// Unix seconds when the session began; `None` for a session not yet sealed (new or
    /// regenerated in this request).
    pub fn created_at(&self) -> Option<u64> {
        self.lock().created_at
    }

    /// Unix seconds after which the cookie it came in stops opening; `None` for a session not
    /// from a cookie.
    pub fn expires_at(&self) -> Option<u64> {
        self.lock().expires_at
    }

    /// True if the session will be sealed (or removed) when the response is sent because of
    /// a change in this request.
    pub fn is_changed(&self) -> bool {
        self.lock().changed
    }

    /// True after [`destroy`](Self::destroy) (and no insert since).
    pub fn is_destroyed(&self) -> bool {
        self.lock().destroyed
    }

    /// How long the browser keeps this session's cookie, instead of the layer's default: for
    /// example [`CookieExpiry::UntilSessionExpires`] for a "remember me" login. Marks the
    /// session changed, so that a cookie is sent.
    ///
    /// The choice is sealed into the cookie with the session, so every later response that
    /// re-seals it (a change, an idle refresh, a re-seal under a new key) keeps it, until it
    /// is set again, or the session is [`regenerate`](Self::regenerate)d,
    /// [`clear`](Self::clear)ed or [`destroy`](Self::destroy)ed. Log out with one of those:
    /// removing the user's entry alone keeps the persistent cookie. (The
    /// `@fastify/secure-session` format has no place for it: there it applies to this response
    /// only.)
    pub fn set_cookie_expiry(&self, expiry: CookieExpiry) {
        let mut state = self.lock();
        state.cookie_expiry = Some(expiry);
        state.changed = true;
    }

    /// The cookie lifetime this session chose with
    /// [`set_cookie_expiry`](Self::set_cookie_expiry) (in this request, or sealed in the
    /// cookie it came in); `None`: the layer's default.
    pub fn cookie_expiry(&self) -> Option<CookieExpiry> {
        self.lock().cookie_expiry
    }

    /// Record what the request brought: how many chunk cookies it carried (see
    /// [`SessionCookie::chunked`]) and the clock's reading when its cookie was checked.
    ///
    /// [`SessionCookie::chunked`]: crate::SessionCookie::chunked
    pub(crate) fn set_request(&self, chunks: usize, time: Option<u64>, limit: Option<Limit>) {
        if chunks == 0 && time.is_none() && limit.is_none() {
            return; // what a new state holds already
        }
        let mut state = self.lock();
        state.request_chunks = chunks;
        state.request_time = time;
        state.limit = limit;
    }

    /// A new, empty session for the same request as this one (what it recorded of the request's
    /// cookies, its time and its cookie's limit), that removes the request's cookie when the
    /// response is written: to replace a session the application refused.
    pub(crate) fn refused(&self) -> Self {
        let (chunks, time, limit) = {
            let state = self.lock();
            (state.request_chunks, state.request_time, state.limit)
        };
        let fresh = Self::after_unopened_cookie(self.shared.codec.clone());
        fresh.set_request(chunks, time, limit);
        fresh.destroy();
        fresh
    }

    /// What the HTTP layer should do with this session when the response is sent, handed to
    /// `f` with the session locked, so that the entries are sealed where they are instead of
    /// copied out, along with the time to seal at and the chunk cookies the request carried.
    /// `f` must not call back into this session.
    ///
    /// The time is the one the request's cookie was checked at, or `now()` when no cookie
    /// was: a request spends one clock reading on its session, not one to open and one to
    /// seal. Sealing with that earlier time is never more permissive: the new cookie's
    /// deadlines are computed from it, so they come at most the handler's run time early.
    pub(crate) fn write_plan<R>(
        &self,
        now: impl FnOnce() -> u64,
        f: impl FnOnce(WritePlan<'_>, u64, usize) -> R,
    ) -> R {
        let state = self.lock();
        let now = state.request_time.unwrap_or_else(now);
        f(state.write_plan(now), now, state.request_chunks)
    }
}

/// Untyped access, for a session of the [`Json`](crate::Json) codec: any value as a
/// `serde_json::Value`, whatever type stored it (a binary codec does not say what its bytes
/// are, so this is for JSON sessions only; with one, `get::<serde_json::Value>` is the same).
///
/// ```
/// use sealed_session::{Json, Session};
/// use serde_json::json;
///
/// let session = Session::new(Json);
/// session.insert("cart", vec![3u32, 5])?;
/// assert_eq!(session.get_value("cart")?, Some(json!([3, 5])));
/// session.insert_value("theme", json!({ "dark": true }))?;
/// assert_eq!(session.get::<serde_json::Value>("theme")?, Some(json!({ "dark": true })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "json")]
#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
impl Session<crate::codec::Json> {
    /// The value under `key`, as JSON.
    pub fn get_value(&self, key: &str) -> Result<Option<serde_json::Value>, CodecError> {
        self.get(key)
    }

    /// Store a JSON value under `key` (see [`insert`](Self::insert)).
    pub fn insert_value(&self, key: &str, value: serde_json::Value) -> Result<(), SessionError> {
        self.insert(key, value)
    }
}

impl State {
    fn write_plan(&self, now: u64) -> WritePlan<'_> {
        if self.destroyed || (self.entries.is_empty() && self.changed) {
            // An empty session is not worth a cookie; remove one the browser holds.
            return if self.destroyed || self.had_cookie {
                WritePlan::Remove
            } else {
                WritePlan::Nothing
            };
        }
        if !self.entries.is_empty() && (self.changed || self.needs_reseal || self.idle_refresh_due)
        {
            return WritePlan::Seal {
                entries: &self.entries,
                created_at: self.created_at.unwrap_or(now),
                expiry: self.cookie_expiry,
            };
        }
        WritePlan::Nothing
    }
}

/// What to send for a session.
#[derive(Debug)]
pub(crate) enum WritePlan<'a> {
    Nothing,
    Remove,
    Seal {
        entries: &'a Entries,
        created_at: u64,
        expiry: Option<CookieExpiry>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::OpenError;
    use crate::key::Key;
    use crate::sealer::Sealer;
    use crate::session_sealer::SessionSealer;

    fn plan_kind(session: &Session) -> &'static str {
        session.write_plan(
            || 1_000,
            |plan, _, _| match plan {
                WritePlan::Nothing => "nothing",
                WritePlan::Remove => "remove",
                WritePlan::Seal { .. } => "seal",
            },
        )
    }

    /// The `created_at` a seal of `session` at 1000 would keep; panics if it would not seal.
    fn sealed_created_at(session: &Session) -> u64 {
        session.write_plan(
            || 1_000,
            |plan, _, _| match plan {
                WritePlan::Seal { created_at, .. } => created_at,
                other => panic!("expected a seal, got {other:?}"),
            },
        )
    }

    /// The entries a seal of `session` would write; panics if it would not seal.
    fn sealed_entries<C: Codec>(session: &Session<C>) -> Entries {
        session.write_plan(
            || 1_000,
            |plan, _, _| match plan {
                WritePlan::Seal { entries, .. } => entries.clone(),
                other => panic!("expected a seal, got {other:?}"),
            },
        )
    }

    /// `value` as the default codec stores it, so that the tests hold whichever codec that is.
    fn encoded<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
        let mut out = Vec::new();
        DefaultCodec::default().encode(value, &mut out).unwrap();
        out
    }

    fn opened(entries: Entries) -> OpenedSession {
        OpenedSession::new(entries, 900, 2_000)
    }

    #[test]
    fn new_session_sends_nothing() {
        let session: Session = Session::default();
        assert_eq!(plan_kind(&session), "nothing");
        let _ = session.get::<u32>("missing");
        assert_eq!(plan_kind(&session), "nothing");
    }

    #[test]
    fn insert_marks_changed_and_seals() {
        let session: Session = Session::default();
        session.insert("a", 1u8).unwrap();
        assert!(session.is_changed());
        assert_eq!(sealed_created_at(&session), 1_000);
    }

    #[test]
    fn reads_of_an_opened_session_send_nothing() {
        let mut entries = Entries::new();
        entries.insert("a".into(), encoded(&1u8));
        let session = Session::from_opened(DefaultCodec::default(), opened(entries));
        assert_eq!(session.get::<u8>("a").unwrap(), Some(1));
        assert_eq!(plan_kind(&session), "nothing");
    }

    #[test]
    fn inserting_the_same_value_is_not_a_change() {
        let mut entries = Entries::new();
        entries.insert("a".into(), encoded(&1u8));
        let session = Session::from_opened(DefaultCodec::default(), opened(entries));
        session.insert("a", 1u8).unwrap();
        assert!(!session.is_changed());
        session.insert("a", 2u8).unwrap();
        assert!(session.is_changed());
    }

    #[test]
    fn replacing_values_of_any_length_stores_exactly_the_new_encoding() {
        let session: Session = Session::default();
        let big = "x".repeat(crate::scratch::KEPT_CAPACITY * 2);
        for value in [
            "a long first value",
            "short",
            "",
            big.as_str(),
            "after the big one",
        ] {
            session.insert("k", value).unwrap();
            assert_eq!(session.get::<String>("k").unwrap().as_deref(), Some(value));
            assert_eq!(session.lock().entries.get("k"), Some(&encoded(value)));
        }
        // The per-thread buffer keeps no large allocation and no bytes after a call.
        ENCODED.with(|buf| {
            let buf = buf.borrow();
            assert!(buf.is_empty() && buf.capacity() <= crate::scratch::KEPT_CAPACITY);
        });
    }

    /// A value whose `Serialize` inserts into the session it is being inserted into.
    struct InsertsWhileEncoded<'a>(&'a Session);

    impl Serialize for InsertsWhileEncoded<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            self.0
                .insert("inner", 7u8)
                .map_err(serde::ser::Error::custom)?;
            serializer.serialize_u8(1)
        }
    }

    #[test]
    fn a_serialize_that_inserts_into_the_same_session_does_not_deadlock_or_mix_values() {
        let session: Session = Session::default();
        session
            .insert("outer", InsertsWhileEncoded(&session))
            .unwrap();
        assert_eq!(session.get::<u8>("outer").unwrap(), Some(1));
        assert_eq!(session.get::<u8>("inner").unwrap(), Some(7));
    }

    #[test]
    fn a_value_that_fails_to_encode_changes_nothing() {
        let session: Session = Session::default();
        session.insert("k", 1u8).unwrap();
        let mut entries = Entries::new();
        entries.insert("k".into(), encoded(&1u8));
        // A value whose `Serialize` fails, whichever the codec.
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("no"))
            }
        }
        assert!(session.insert("k", Fails).is_err());
        assert!(session.insert("new", Fails).is_err());
        assert_eq!(session.lock().entries, entries);
    }

    #[test]
    fn opened_with_an_old_key_or_near_idle_deadline_is_resealed_keeping_created_at() {
        let mut entries = Entries::new();
        entries.insert("a".into(), vec![1]);
        for (reseal, refresh) in [(true, false), (false, true)] {
            let mut o = opened(entries.clone());
            o.needs_reseal = reseal;
            o.idle_refresh_due = refresh;
            let session = Session::from_opened(DefaultCodec::default(), o);
            assert_eq!(sealed_created_at(&session), 900);
        }
    }

    #[test]
    fn destroy_removes_and_insert_after_destroy_begins_anew() {
        let mut entries = Entries::new();
        entries.insert("a".into(), vec![1]);
        let session = Session::from_opened(DefaultCodec::default(), opened(entries));
        session.destroy();
        assert!(session.is_empty());
        assert_eq!(plan_kind(&session), "remove");
        session.insert("flash", "bye").unwrap();
        assert!(!session.is_destroyed());
        assert_eq!(session.created_at(), None);
        assert_eq!(sealed_created_at(&session), 1_000);
    }

    #[test]
    fn clearing_removes_the_cookie_only_if_one_came() {
        let fresh: Session = Session::default();
        fresh.insert("a", 1u8).unwrap();
        fresh.clear();
        assert_eq!(plan_kind(&fresh), "nothing");

        let mut entries = Entries::new();
        entries.insert("a".into(), vec![1]);
        let session = Session::from_opened(DefaultCodec::default(), opened(entries));
        session.clear();
        assert_eq!(plan_kind(&session), "remove");
    }

    #[test]
    fn regenerate_keeps_listed_keys_and_resets_created_at() {
        let session: Session = Session::default();
        session.insert("a", 1u8).unwrap();
        session.insert("b", 2u8).unwrap();
        session.regenerate(&["b"]);
        assert_eq!(session.keys(), vec!["b".to_owned()]);
        assert_eq!(session.created_at(), None);
    }

    #[test]
    fn take_removes_and_decodes() {
        let session: Session = Session::default();
        session.insert("flash", "saved").unwrap();
        assert_eq!(
            session.take::<String>("flash").unwrap().as_deref(),
            Some("saved")
        );
        assert!(!session.contains_key("flash"));
        assert_eq!(session.take::<String>("flash").unwrap(), None);
    }

    #[test]
    fn update_or_starts_from_its_initial_value_and_a_type_mismatch_changes_nothing() {
        let session: Session = Session::default();
        let cart = session
            .update_or("cart", vec![1u32], |cart| cart.push(2))
            .unwrap();
        assert_eq!(cart, [1, 2]);
        assert_eq!(session.get::<Vec<u32>>("cart").unwrap(), Some(vec![1, 2]));
        session.insert("name", "ada").unwrap();
        let before = session.get::<String>("name").unwrap();
        assert!(matches!(
            session.update("name", |n: &mut u64| *n += 1),
            Err(SessionError::Codec(_))
        ));
        assert_eq!(session.get::<String>("name").unwrap(), before);
    }

    #[test]
    fn clones_share_state() {
        let session: Session = Session::default();
        let clone = session.clone();
        clone.insert("a", 1u8).unwrap();
        assert_eq!(session.get::<u8>("a").unwrap(), Some(1));
    }

    #[test]
    fn debug_lists_keys_not_values() {
        let session: Session = Session::default();
        session.insert("token", "s3cret-value").unwrap();
        let shown = format!("{session:?}");
        assert!(shown.contains("token"));
        assert!(!shown.contains("s3cret"));
    }

    #[test]
    fn sealer_round_trips_entries_and_keeps_created_at() {
        let sealer = Sealer::new(Key::generate());
        let mut entries = Entries::new();
        entries.insert("a".into(), encoded(&[1u8, 2, 3]));
        entries.insert("b".into(), encoded(""));
        let sealed = sealer.seal_session(&entries, 1_000, None, 1_500).unwrap();
        assert_eq!(sealed.expires_at, 1_000 + 86_400);
        let opened = sealer.open_session(&sealed.value, 1_600).unwrap();
        assert_eq!(opened.entries, entries);
        assert_eq!(opened.created_at, 1_000);
        assert!(!opened.needs_reseal);
    }

    #[test]
    fn postcard_sealer_round_trips_entries_with_the_default_map_encoding() {
        let sealer = Sealer::new(Key::generate()).codec(crate::codec::Postcard);
        let session = Session::new(crate::codec::Postcard);
        session.insert("n", 300u32).unwrap();
        session.insert("name", "ada").unwrap();
        let entries = sealed_entries(&session);
        let sealed = sealer.seal_session(&entries, 1_000, None, 1_000).unwrap();
        let opened = sealer.open_session(&sealed.value, 1_000).unwrap();
        let back = Session::from_opened(crate::codec::Postcard, opened);
        assert_eq!(back.get::<u32>("n").unwrap(), Some(300));
        assert_eq!(back.get::<String>("name").unwrap().as_deref(), Some("ada"));
    }

    #[test]
    fn a_payload_that_is_not_an_entry_map_does_not_open() {
        let sealer = Sealer::new(Key::generate());
        // A plain sealed value (a u32), not a session's entry map.
        let value = sealer.seal_at(&7u32, 1_000).unwrap();
        assert!(matches!(
            sealer.open_session(&value, 1_000),
            Err(OpenError::Decode(_))
        ));
    }

    #[cfg(feature = "json")]
    #[test]
    fn json_session_is_a_plain_json_object() {
        use crate::codec::Json;
        let session = Session::new(Json);
        session.insert("count", 3).unwrap();
        session
            .insert("user", serde_json::json!({"id": 7, "name": "ada"}))
            .unwrap();
        let entries = sealed_entries(&session);
        let mut out = Vec::new();
        Json.encode_entries(&entries, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, r#"{"count":3,"user":{"id":7,"name":"ada"}}"#);
        let back = Json.decode_entries(text.as_bytes()).unwrap();
        assert_eq!(back, entries);
        // A JSON object written elsewhere reads too, and a non-object is refused.
        let other = Json
            .decode_entries(br#"{ "__ts": 1700000000, "list": [1, 2] }"#)
            .unwrap();
        assert_eq!(other.get("list"), Some(&b"[1, 2]".to_vec()));
        assert!(Json.decode_entries(b"[1,2]").is_err());
        // Members in any order come out sorted; escaped keys are read; a key given twice
        // keeps its last value.
        let unordered = Json.decode_entries(br#"{"b":1,"a":"x","b":2}"#).unwrap();
        assert_eq!(unordered.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(unordered.get("a"), Some(&br#""x""#.to_vec()));
        assert_eq!(unordered.get("b"), Some(&b"2".to_vec()));
        // Truncated or trailing junk is refused.
        assert!(Json.decode_entries(br#"{"a":1"#).is_err());
        assert!(Json.decode_entries(br#"{"a":1} x"#).is_err());
    }
}
