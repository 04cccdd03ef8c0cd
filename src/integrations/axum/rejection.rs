//! Why a session extractor failed: a mistake in how the app is put together.

use std::fmt;

use axum::response::{IntoResponse, Response};
use http::StatusCode;

#[cfg(doc)]
use super::{NamedSession, SessionLayer};
#[cfg(doc)]
use crate::session::Session;

/// Why a session extractor failed: the app is missing a [`SessionLayer`] (or has several where
/// one was expected). Answers `500 Internal Server Error` with a message that names the fix;
/// it is a mistake in the program, not in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionRejection {
    /// No layer provides the session asked for.
    Missing {
        /// The cookie name asked for, for [`NamedSession`].
        name: Option<String>,
        /// The codec type of the session type asked for (`Postcard` for `Session`; empty when
        /// no layer is installed at all).
        codec: &'static str,
        /// The sessions the installed layers provide, as `name (Session<Codec>)`.
        installed: Vec<String>,
    },
    /// [`Session`] was asked for while several layers with the same codec are installed.
    Ambiguous {
        /// Their cookie names.
        names: Vec<String>,
    },
}

impl fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing {
                installed, name, ..
            } if installed.is_empty() => {
                let what = name.as_deref().unwrap_or("session");
                write!(
                    f,
                    "no {what:?} session in this request: install SessionLayer around the routes \
                     that use it, e.g. `Router::new().route(..).layer(SessionLayer::new(sealer))`"
                )
            }
            Self::Missing {
                name,
                codec,
                installed,
            } => {
                write!(f, "no SessionLayer provides a Session<{codec}>")?;
                if let Some(name) = name {
                    write!(f, " named {name:?}")?;
                }
                write!(
                    f,
                    "; installed: {}. Take the session as the type installed there (for a \
                     layer whose sealer uses Json: `Session<Json>`, `TypedSession<T, Json>`, \
                     `NamedSession<N, Json>`), or give the layer a sealer of codec {codec}",
                    installed.join(", ")
                )
            }
            Self::Ambiguous { names } => write!(
                f,
                "several SessionLayers are installed ({}): take each one by name with NamedSession",
                names.join(", ")
            ),
        }
    }
}

impl std::error::Error for SessionRejection {}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "session extractor failed");
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}
