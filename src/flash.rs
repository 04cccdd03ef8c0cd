//! Flash messages: one-shot notes ("Saved", "Wrong password") that a request leaves in the
//! session for the next page to show once, typically across the redirect after a form post.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codec::{Codec, DefaultCodec};
use crate::error::{CodecError, SessionError};
use crate::session::Session;

/// How a flash message should be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Level {
    /// Neutral information.
    Info,
    /// Something the user did worked.
    Success,
    /// Worth the user's attention.
    Warning,
    /// Something failed.
    Error,
}

impl Level {
    /// The level's name in lower case (`info`, `success`, `warning`, `error`), for a CSS class.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Success => "success",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One flash message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlashMessage {
    /// How to show it.
    pub level: Level,
    /// The text, as the application wrote it: escape it for the page it goes into.
    pub text: String,
}

/// The flash messages of a session: added by one request, read (and so removed) by the next
/// one that asks, so each is shown once.
///
/// They are kept in the session under the entry [`Flash::SESSION_KEY`], so they travel in
/// the sealed cookie like any entry (and count toward its size): adding one sends a new
/// cookie with the response, reading them sends one without them. In axum and actix-web, take
/// `Flash` as an extractor (it needs the session layer: `SessionLayer`, or
/// `actix::SessionMiddleware`); elsewhere, [`Flash::new`] wraps a session.
///
/// ```
/// use sealed_session::{Flash, Level, Session};
///
/// // The request that handles a form: note the outcome, then redirect.
/// let session: Session = Default::default();
/// Flash::new(session.clone()).success("Saved")?;
///
/// // The page after the redirect shows it, once.
/// let messages = Flash::new(session.clone()).take()?;
/// assert_eq!(messages.len(), 1);
/// assert_eq!((messages[0].level, messages[0].text.as_str()), (Level::Success, "Saved"));
/// assert!(Flash::new(session).take()?.is_empty());
/// # Ok::<(), sealed_session::SessionError>(())
/// ```
#[derive(Clone)]
pub struct Flash<C: Codec = DefaultCodec> {
    session: Session<C>,
}

impl<C: Codec> Flash<C> {
    /// The session entry that holds the messages: an application should not use it for
    /// anything else.
    pub const SESSION_KEY: &'static str = "__flash";

    /// The flash messages of `session`.
    pub fn new(session: Session<C>) -> Self {
        Self { session }
    }

    /// Add a message, shown after those already waiting. An error if the session cannot
    /// take it (its cookie would be too large); the messages waiting are then unchanged.
    pub fn push(&self, level: Level, text: impl Into<String>) -> Result<(), SessionError> {
        let message = FlashMessage {
            level,
            text: text.into(),
        };
        self.session
            .update(Self::SESSION_KEY, |messages: &mut Vec<FlashMessage>| {
                messages.push(message)
            })
            .map(drop)
    }

    /// Add an [`Level::Info`] message.
    pub fn info(&self, text: impl Into<String>) -> Result<(), SessionError> {
        self.push(Level::Info, text)
    }

    /// Add a [`Level::Success`] message.
    pub fn success(&self, text: impl Into<String>) -> Result<(), SessionError> {
        self.push(Level::Success, text)
    }

    /// Add a [`Level::Warning`] message.
    pub fn warning(&self, text: impl Into<String>) -> Result<(), SessionError> {
        self.push(Level::Warning, text)
    }

    /// Add a [`Level::Error`] message.
    pub fn error(&self, text: impl Into<String>) -> Result<(), SessionError> {
        self.push(Level::Error, text)
    }

    /// The waiting messages, oldest first, removed from the session: each is read once. An
    /// error if what is stored under [`SESSION_KEY`](Self::SESSION_KEY) is not messages (it
    /// is removed all the same).
    pub fn take(&self) -> Result<Vec<FlashMessage>, CodecError> {
        Ok(self.session.take(Self::SESSION_KEY)?.unwrap_or_default())
    }

    /// Whether messages are waiting, without reading them.
    pub fn is_empty(&self) -> bool {
        !self.session.contains_key(Self::SESSION_KEY)
    }

    /// The session the messages are kept in.
    pub fn session(&self) -> &Session<C> {
        &self.session
    }
}

impl<C: Codec> fmt::Debug for Flash<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The messages are the application's words, possibly about the user: not shown.
        f.debug_struct("Flash")
            .field("waiting", &!self.is_empty())
            .finish()
    }
}
