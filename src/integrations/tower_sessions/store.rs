//! The store of one request: the record its sealed cookie opened into, what the
//! tower-sessions session asked of it (`create`, `save`, `delete`), and the crate session the
//! cookie layer then writes from that.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Expiry, Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::codec::Json;
use crate::cookie_expiry::CookieExpiry;
use crate::sealer::Sealer;
use crate::session::Session;
use crate::session_layer::{LayerConfig, OnSaveError};

use super::RECORD_ID_KEY;

/// What the request's session last asked of its store.
#[derive(Debug, Clone)]
pub(super) enum Outcome {
    /// Nothing: the cookie stays as it is (or is re-sealed, if it needs it).
    Untouched,
    /// A new record (a new session, or `cycle_id`): sealed with a new start time.
    Created(Record),
    /// The record, changed.
    Saved(Record),
    /// The session ended: the cookie is removed.
    Deleted,
}

/// One request's store: the record its cookie opened into, and what the session did with it.
pub(super) struct CookieStore {
    loaded: Option<Record>,
    outcome: Mutex<Outcome>,
}

impl fmt::Debug for CookieStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Records hold session data: the id and keys are enough to debug with.
        f.debug_struct("CookieStore")
            .field("loaded", &self.loaded.as_ref().map(|r| r.id))
            .finish_non_exhaustive()
    }
}

impl CookieStore {
    /// The store of a request whose cookie opened into `opened`, and the record id to give
    /// the tower-sessions session (`None`: no session came with the request).
    pub(super) fn of(opened: &Session<Json>) -> (Arc<Self>, Option<Id>) {
        let loaded = record_of(opened);
        let id = loaded.as_ref().map(|record| record.id);
        let store = Self {
            loaded,
            outcome: Mutex::new(Outcome::Untouched),
        };
        (Arc::new(store), id)
    }

    pub(super) fn set(&self, outcome: Outcome) {
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = outcome;
    }

    /// Writes what the tower-sessions session did into `sealed`, the session the cookie
    /// layer writes. `Err`: the record could not be kept (logged), and the layer's answer.
    pub(super) fn apply(
        &self,
        sealed: &Session<Json>,
        session: &tower_sessions::Session,
        layer_expiry: Option<Expiry>,
        config: &LayerConfig<Sealer<Json>>,
    ) -> Result<(), OnSaveError> {
        let outcome = self
            .outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let record = match outcome {
            Outcome::Untouched => return Ok(()),
            Outcome::Deleted => {
                sealed.destroy();
                return Ok(());
            }
            Outcome::Created(record) => {
                sealed.regenerate(&[]);
                record
            }
            Outcome::Saved(record) => {
                for key in sealed.keys() {
                    if key != RECORD_ID_KEY && !record.data.contains_key(&key) {
                        sealed.remove(&key);
                    }
                }
                record
            }
        };
        let written = sealed
            .insert(RECORD_ID_KEY, record.id.to_string())
            .and_then(|()| {
                record
                    .data
                    .into_iter()
                    .try_for_each(|(key, value)| sealed.insert_value(&key, value))
            });
        if let Err(e) = written {
            // The error names sizes and codec failures, never the values.
            tracing::error!(
                cookie = config.cookie.name(),
                error = %e,
                answer = ?config.on_save_error,
                "session not saved"
            );
            return Err(config.on_save_error);
        }
        if session.expiry() != layer_expiry {
            sealed.set_cookie_expiry(cookie_expiry(session.expiry()));
        }
        // Saved means modified to tower-sessions, even with the same data (a new expiry, say):
        // sealed again, which also slides the idle deadline.
        sealed.touch();
        Ok(())
    }
}

/// The cookie lifetime for an expiry one session chose with `set_expiry`. The sealer's
/// lifetimes still bound the session on the server: an inactivity period other than the
/// layer's keeps the cookie until the session stops opening, and a date is the cookie's
/// `Max-Age`.
fn cookie_expiry(expiry: Option<Expiry>) -> CookieExpiry {
    match expiry {
        None | Some(Expiry::OnSessionEnd) => CookieExpiry::BrowserSession,
        Some(Expiry::OnInactivity(_)) => CookieExpiry::UntilSessionExpires,
        Some(Expiry::AtDateTime(at)) => {
            let left = at - OffsetDateTime::now_utc();
            CookieExpiry::MaxAge(Duration::try_from(left).unwrap_or(Duration::ZERO))
        }
    }
}

/// The tower-sessions record a sealed session holds: `None` for a session that did not come
/// from a cookie, or one without a record id (sealed by another layer).
fn record_of(sealed: &Session<Json>) -> Option<Record> {
    sealed.created_at()?;
    let id = sealed
        .get::<String>(RECORD_ID_KEY)
        .ok()
        .flatten()
        .and_then(|id| id.parse::<Id>().ok())?;
    let mut data = std::collections::HashMap::new();
    for key in sealed.keys() {
        if key == RECORD_ID_KEY {
            continue;
        }
        if let Ok(Some(value)) = sealed.get_value(&key) {
            data.insert(key, value);
        }
    }
    let expiry_date = sealed
        .expires_at()
        .and_then(|at| i64::try_from(at).ok())
        .and_then(|at| OffsetDateTime::from_unix_timestamp(at).ok())
        .unwrap_or_else(OffsetDateTime::now_utc);
    Some(Record {
        id,
        data,
        expiry_date,
    })
}

#[async_trait]
impl SessionStore for CookieStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.set(Outcome::Created(record.clone()));
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // A record saved under an id other than the one the cookie brought was created in
        // this request (tower-sessions calls `create` first, then `save` for later saves).
        let mut outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        *outcome = match &*outcome {
            Outcome::Created(_) => Outcome::Created(record.clone()),
            _ => Outcome::Saved(record.clone()),
        };
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        Ok(self
            .loaded
            .as_ref()
            .filter(|record| record.id == *session_id)
            .cloned())
    }

    async fn delete(&self, _session_id: &Id) -> session_store::Result<()> {
        self.set(Outcome::Deleted);
        Ok(())
    }
}
