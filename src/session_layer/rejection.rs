//! Why a session or CSRF extractor of an integration failed: a mistake in how the app is put
//! together, answered `500` with a message that names the fix in the words of the framework
//! the request came through.

use std::fmt;

use crate::error::CsrfError;

/// The names a framework integration's messages use: its session and CSRF layers, and how an
/// app installs them, so that one message names the fix in the words of the framework the
/// request came through. (`pub` only as the type of a sealed trait's hidden method: not
/// reachable from outside the crate.)
#[derive(Debug, PartialEq, Eq)]
pub struct Integration {
    /// The session layer's type, as an app names it: `SessionLayer`.
    pub(crate) session_layer: &'static str,
    /// Installing it, as code.
    pub(crate) install_session: &'static str,
    /// The CSRF layer's type.
    pub(crate) csrf_layer: &'static str,
    /// Installing it inside the session layer, as code.
    pub(crate) install_csrf: &'static str,
}

/// `rejection`'s message, logged at `error` (it is a mistake in the program) as an integration
/// answers it: the body of its `500`.
pub(crate) fn logged(rejection: &dyn std::error::Error) -> String {
    tracing::error!(error = %rejection, "the app is not put together right; answered 500");
    rejection.to_string()
}

/// Why a session extractor failed: the app is missing its session layer (axum's
/// `SessionLayer`, actix's `actix::SessionMiddleware`), or has several where one was expected.
/// Answers `500 Internal Server Error` with a message that names the fix, in the words of the
/// framework the request came through; it is a mistake in the program, not in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRejection {
    pub(crate) problem: MissingSession,
    pub(crate) integration: &'static Integration,
}

/// What [`SessionRejection`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MissingSession {
    /// No layer provides the session asked for.
    Missing {
        /// The cookie name asked for, for a `NamedSession`.
        name: Option<String>,
        /// The codec type of the session type asked for (`Postcard` for `Session`; empty when
        /// no layer is installed at all).
        codec: &'static str,
        /// The sessions the installed layers provide, as `name (Session<Codec>)`.
        installed: Vec<String>,
    },
    /// `Session` was asked for while several layers with the same codec are installed.
    Ambiguous {
        /// Their cookie names.
        names: Vec<String>,
    },
}

impl fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (layer, install) = (
            self.integration.session_layer,
            self.integration.install_session,
        );
        match &self.problem {
            MissingSession::Missing {
                installed, name, ..
            } if installed.is_empty() => {
                let what = name.as_deref().unwrap_or("session");
                write!(
                    f,
                    "no {what:?} session in this request: install {layer} around the routes \
                     that use it, e.g. {install}"
                )
            }
            MissingSession::Missing {
                name,
                codec,
                installed,
            } => {
                write!(f, "no {layer} provides a Session<{codec}>")?;
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
            MissingSession::Ambiguous { names } => write!(
                f,
                "several {layer}s are installed ({}): take each one by name with NamedSession",
                names.join(", ")
            ),
        }
    }
}

impl std::error::Error for SessionRejection {}

/// Why a CSRF layer (axum's `CsrfLayer`, actix's `actix::CsrfMiddleware`) or the
/// [`CsrfToken`](crate::CsrfToken) extractor could not work: a mistake in how the app is put
/// together (or a session that cannot take the token's secret), not in the request. Answers
/// `500 Internal Server Error` with a message that names the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrfRejection {
    /// Whose words the message is in.
    pub(crate) integration: &'static Integration,
    pub(crate) problem: CsrfSetup,
}

/// What [`CsrfRejection`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CsrfSetup {
    /// `CsrfToken` was taken on a route without the CSRF layer.
    MissingLayer,
    /// The CSRF layer found no session: it is not inside a session layer, or not inside the
    /// one it was told to use.
    Session(SessionRejection),
    /// The token could not be made.
    Token(CsrfError),
}

impl fmt::Display for CsrfRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Integration {
            session_layer,
            csrf_layer,
            install_csrf,
            ..
        } = self.integration;
        match &self.problem {
            CsrfSetup::MissingLayer => write!(
                f,
                "CsrfToken needs {csrf_layer}: apply it inside {session_layer} around the routes \
                 that use it, e.g. {install_csrf}",
            ),
            CsrfSetup::Session(e) => write!(
                f,
                "{csrf_layer} found no session; apply it inside {session_layer}, e.g. \
                 {install_csrf}: {e}"
            ),
            CsrfSetup::Token(e) => write!(f, "no CSRF token: {e}"),
        }
    }
}

impl std::error::Error for CsrfRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.problem {
            CsrfSetup::MissingLayer => None,
            CsrfSetup::Session(e) => Some(e),
            CsrfSetup::Token(e) => Some(e),
        }
    }
}
