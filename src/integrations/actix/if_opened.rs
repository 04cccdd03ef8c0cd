//! [`IfOpened`]: the optional session extractors of actix-web.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use super::extractors::{extract, ExtractFuture};
use crate::codec::Codec;
use crate::named_session::{NamedSession, SessionName};
use crate::session::Session;
use crate::session_layer::{if_opened, SessionExtractor, SessionRejection};
use crate::typed_session::TypedSession;

/// A session extractor that is `Some` only when the request brought a session that opened and
/// passed the validator: a handler can tell a signed-in visitor from a new one without looking
/// at the entries. For [`Session`], [`TypedSession`] and [`NamedSession`].
///
/// actix-web's own `Option<Session>` is not this: it is `Some` whenever the extractor
/// succeeds (always, with the middleware), and `None` when it fails, which hides a missing
/// middleware. Without the middleware `IfOpened` answers `500`, as `Session` does.
///
/// ```
/// use sealed_session::actix::IfOpened;
/// use sealed_session::Session;
///
/// async fn whoami(session: IfOpened<Session>) -> String {
///     match session.into_inner() {
///         Some(session) => format!("{:?}", session.get::<String>("user").ok().flatten()),
///         None => "new visitor".to_owned(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct IfOpened<T>(pub Option<T>);

impl<T> IfOpened<T> {
    /// The session, if the request brought one that opened.
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

impl<T> Deref for IfOpened<T> {
    type Target = Option<T>;

    fn deref(&self) -> &Option<T> {
        &self.0
    }
}

/// The session types `IfOpened` takes, by the extractor that finds their session.
trait Opens: Sized + 'static {
    type Lookup: SessionExtractor;
    fn from_session(session: Session<<Self::Lookup as SessionExtractor>::Codec>) -> Self;
}

impl<C: Codec> Opens for Session<C> {
    type Lookup = Self;
    fn from_session(session: Session<C>) -> Self {
        session
    }
}

impl<T: 'static, C: Codec> Opens for TypedSession<T, C> {
    type Lookup = Session<C>;
    fn from_session(session: Session<C>) -> Self {
        TypedSession::new(session)
    }
}

impl<N: SessionName, C: Codec> Opens for NamedSession<N, C> {
    type Lookup = Self;
    fn from_session(session: Session<C>) -> Self {
        NamedSession::new(session)
    }
}

#[allow(private_bounds)] // `Opens` is implemented for exactly the three types documented above
impl<T: Opens> FromRequest for IfOpened<T> {
    type Error = SessionRejection;
    type Future = ExtractFuture<Self>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract::<T::Lookup, _>(request, |session| {
            IfOpened(if_opened(session).map(T::from_session))
        })
    }
}
