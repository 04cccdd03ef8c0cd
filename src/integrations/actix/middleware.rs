//! [`SessionMiddleware`]: the session layer as an actix middleware, and its service: one
//! `RequestSession` per request, put in the request for the extractors, and saved into the
//! response (by the core's `SessionFuture`, with the actix response finished here).

use std::future::{ready, Ready};

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderValue, SET_COOKIE};
use actix_web::{Error, HttpMessage as _, HttpResponse};

use crate::sealer::Sealer;
use crate::session_layer::{
    OnSaveError, Saved, SessionFuture, SessionLayer, SessionResponse, SessionService, SessionSet,
};
use crate::session_sealer::SessionSealer;

/// The session layer as an actix-web middleware: [`SessionLayer`], with its builder
/// (`new(sealer)`, `from_cookie`, `validator`, `on_save_error`), applied with `App::wrap`.
///
/// The cookie is opened when a handler (or a middleware inside this one) first asks for the
/// session; a request that never does costs no cookie parsing, no cipher and no validator call,
/// and its response carries no `Set-Cookie`. Without the middleware, the session extractors
/// answer `500` with a message that names it.
///
/// In actix-web the middleware applied last (`.wrap(..)` last) is the outermost: wrap this one
/// after any middleware that takes the session, such as [`CsrfMiddleware`](super::CsrfMiddleware).
/// Several, with different cookie names, serve [`NamedSession`](crate::NamedSession)s. The
/// response of a session that cannot be saved is what [`OnSaveError`] says; its body type is
/// then `EitherBody<B>`, as for actix's own middleware that may answer for the handler.
///
/// # Example
/// ```
/// use actix_web::{web, App};
/// use sealed_session::actix::SessionMiddleware;
/// use sealed_session::{Key, Sealer, Session};
///
/// let sealer = Sealer::new(Key::generate());
/// let app = App::new()
///     .route("/", web::get().to(|session: Session| async move {
///         let n = session.get::<u64>("n").ok().flatten().unwrap_or(0) + 1;
///         let _ = session.insert("n", n);
///         n.to_string()
///     }))
///     .wrap(SessionMiddleware::new(sealer).validator(|session: Session| async move {
///         // Sessions that hold a user are checked against the app's own records.
///         session.get::<u64>("user").ok().flatten().is_none_or(|user| user != 0)
///     }));
/// # let _ = app;
/// ```
pub type SessionMiddleware<S = Sealer> = SessionLayer<S>;

impl<I, B, S> Transform<I, ServiceRequest> for SessionLayer<S>
where
    I: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    S: SessionSealer,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = SessionService<I, S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, inner: I) -> Self::Future {
        ready(Ok(SessionService::new(self, inner)))
    }
}

impl<I, B, S> Service<ServiceRequest> for SessionService<I, S>
where
    I: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    S: SessionSealer,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = SessionFuture<I::Future, S>;

    actix_web::dev::forward_ready!(inner);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let session = self.install(
            request
                .extensions_mut()
                .get_or_insert_with(SessionSet::default),
        );
        SessionFuture::new(self.inner.call(request), &self.config, session)
    }
}

/// The response with the session's `Set-Cookie` values added, or what [`OnSaveError`] says
/// when the session cannot be saved.
impl<B> SessionResponse for ServiceResponse<B> {
    type Saved = ServiceResponse<EitherBody<B>>;

    fn finish(mut self, saved: Saved) -> Self::Saved {
        match saved {
            Saved::Nothing | Saved::Failed(OnSaveError::SendWithoutCookie) => {}
            Saved::Cookies(values) => {
                for value in values.into_values() {
                    // Always a header value: the core writes visible ASCII only.
                    if let Ok(value) = HeaderValue::from_bytes(value.as_bytes()) {
                        self.headers_mut().append(SET_COOKIE, value);
                    }
                }
            }
            Saved::Failed(_) => {
                let (request, _) = self.into_parts();
                let failed = HttpResponse::InternalServerError().finish();
                return ServiceResponse::new(request, failed).map_into_right_body();
            }
        }
        self.map_into_left_body()
    }
}
