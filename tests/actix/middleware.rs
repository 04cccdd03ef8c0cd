//! The session middleware and extractors in process, with `actix_web::test`, reading
//! `Set-Cookie`: the semantics of the axum layer, on actix.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::test::{call_service, init_service};
use actix_web::{web, App, HttpResponse};
use sealed_session::actix::{IfOpened, SessionMiddleware};
use sealed_session::{
    DefaultName, Flash, KeyRing, ManualClock, NamedSession, Sealer, Session, SessionCookie,
    SessionName, SessionSealer as _, TypedSession,
};

use common::{attribute, key_a, key_b, named, pair, sealer_at, value, T0};

use crate::helpers::{get, one_set_cookie, set_cookies, status_text};

/// Routes exercising each session operation.
fn routes(config: &mut web::ServiceConfig) {
    config
        .route(
            "/incr",
            web::get().to(|s: Session| async move {
                let n = s.get::<u32>("n").unwrap().unwrap_or(0) + 1;
                s.insert("n", n).unwrap();
                n.to_string()
            }),
        )
        .route(
            "/read",
            web::get().to(|s: Session| async move { format!("{:?}", s.get::<u32>("n").unwrap()) }),
        )
        .route("/static", web::get().to(|| async { "no session here" }))
        .route(
            "/destroy",
            web::get().to(|s: Session| async move {
                s.destroy();
                "gone"
            }),
        )
        .route(
            "/regenerate",
            web::get().to(|s: Session| async move {
                s.insert("privileged", true).unwrap();
                s.regenerate(&["n"]);
                format!("{:?}", s.keys())
            }),
        )
        .route(
            "/big",
            web::get().to(|s: Session| async move {
                // Over one cookie: only a chunked cookie takes it.
                match s.insert("blob", "x".repeat(6_000)) {
                    Ok(()) => "stored".to_owned(),
                    Err(e) => e.to_string(),
                }
            }),
        )
        .route(
            "/blob-len",
            web::get().to(|s: Session| async move {
                format!("{:?}", s.get::<String>("blob").unwrap().map(|b| b.len()))
            }),
        )
        .route(
            "/whoami",
            web::get().to(|s: IfOpened<Session>| async move {
                match s.into_inner() {
                    Some(s) => format!("{:?}", s.get::<u32>("n").unwrap()),
                    None => "new visitor".to_owned(),
                }
            }),
        )
        .route(
            "/whoami-typed",
            web::get().to(|s: IfOpened<TypedSession<u32>>| async move { s.is_some().to_string() }),
        )
        .route(
            "/whoami-named",
            web::get().to(|s: IfOpened<NamedSession<DefaultName>>| async move {
                s.is_some().to_string()
            }),
        )
        .route(
            "/three",
            web::get().to(
                |a: Session, b: TypedSession<u32>, c: NamedSession<DefaultName>| async move {
                    // One session behind all three.
                    a.insert("seen", 1u8).unwrap();
                    format!(
                        "{:?} {:?}",
                        b.session().get::<u8>("seen"),
                        c.get::<u8>("seen")
                    )
                },
            ),
        );
}

/// The response of `app` to one `GET` of `uri`, with an optional `Cookie` header.
macro_rules! call {
    ($app:expr, $uri:expr, $cookie:expr) => {
        call_service(&$app, get($uri, $cookie).to_request()).await
    };
}

/// The routes behind `middleware`, as a service.
macro_rules! service {
    ($middleware:expr) => {
        init_service(App::new().configure(routes).wrap($middleware)).await
    };
}

#[actix_web::test]
async fn the_first_change_sends_a_cookie_with_the_default_attributes_and_the_session_goes_on() {
    let app = service!(SessionMiddleware::new(Sealer::new(key_a())));
    let response = call!(app, "/incr", None);
    let set_cookie = one_set_cookie(&response);
    assert!(set_cookie.starts_with("__Host-session="), "{set_cookie}");
    for expected in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(
            set_cookie.contains(expected),
            "{expected} missing: {set_cookie}"
        );
    }
    assert_eq!(attribute(&set_cookie, "Max-Age"), None);
    assert_eq!(status_text(response).await, (200, "1".into()));
    let mut cookie = pair(&set_cookie);
    for n in 2..=4 {
        let response = call!(app, "/incr", Some(&cookie));
        cookie = pair(&one_set_cookie(&response));
        assert_eq!(status_text(response).await.1, n.to_string());
    }
}

#[actix_web::test]
async fn reads_alone_and_untouched_new_sessions_send_no_cookie() {
    let app = service!(SessionMiddleware::new(named(key_a())));
    let response = call!(app, "/read", None);
    assert!(set_cookies(&response).is_empty());
    assert_eq!(status_text(response).await.1, "None");
    let cookie = pair(&one_set_cookie(&call!(app, "/incr", None)));
    let response = call!(app, "/read", Some(&cookie));
    assert!(set_cookies(&response).is_empty());
    assert_eq!(status_text(response).await.1, "Some(1)");
}

/// A middleware whose validator counts its calls and refuses sessions holding `n = 2`.
fn counted(sealer: Sealer) -> (SessionMiddleware, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let middleware = SessionMiddleware::new(sealer).validator({
        let calls = Arc::clone(&calls);
        move |session: Session| {
            calls.fetch_add(1, Ordering::SeqCst);
            let refused = session.get::<u32>("n").ok().flatten() == Some(2);
            async move { !refused }
        }
    });
    (middleware, calls)
}

#[actix_web::test]
async fn a_route_that_never_touches_the_session_opens_nothing_and_sends_nothing() {
    let (middleware, calls) = counted(named(key_a()));
    let app = service!(middleware);
    let cookie = pair(&one_set_cookie(&call!(app, "/incr", None)));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "a new session has nothing to validate"
    );
    let response = call!(app, "/static", Some(&cookie));
    assert!(set_cookies(&response).is_empty());
    assert_eq!(status_text(response).await.1, "no session here");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "the validator ran for a static route"
    );
}

#[actix_web::test]
async fn the_validator_runs_once_however_many_extractors_ask_and_a_refused_session_loses_its_cookie(
) {
    let (middleware, calls) = counted(Sealer::new(key_a()));
    let app = service!(middleware);
    let one = pair(&one_set_cookie(&call!(app, "/incr", None)));
    let response = call!(app, "/three", Some(&one));
    assert_eq!(status_text(response).await.1, "Ok(Some(1)) Ok(Some(1))");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // A session holding n = 2 is refused: a fresh session, and the browser's cookie removed.
    let two = pair(&one_set_cookie(&call!(app, "/incr", Some(&one))));
    let response = call!(app, "/whoami", Some(&two));
    let removal = one_set_cookie(&response);
    assert!(removal.contains("Max-Age=0"), "{removal}");
    assert_eq!(status_text(response).await.1, "new visitor");
}

#[actix_web::test]
async fn if_opened_is_some_only_for_a_session_that_opened_and_passed_the_validator() {
    let (middleware, _) = counted(Sealer::new(key_a()));
    let app = service!(middleware);
    let response = call!(app, "/whoami", None);
    assert!(set_cookies(&response).is_empty());
    assert_eq!(status_text(response).await.1, "new visitor");
    let cookie = pair(&one_set_cookie(&call!(app, "/incr", None)));
    assert_eq!(
        status_text(call!(app, "/whoami", Some(&cookie))).await.1,
        "Some(1)"
    );
    for path in ["/whoami-typed", "/whoami-named"] {
        assert_eq!(
            status_text(call!(app, path, Some(&cookie))).await.1,
            "true",
            "{path}"
        );
        assert_eq!(
            status_text(call!(app, path, None)).await.1,
            "false",
            "{path}"
        );
    }
    // Sealed for another key: a new visitor, never an error.
    let other = service!(SessionMiddleware::new(Sealer::new(key_b())));
    let foreign = pair(&one_set_cookie(&call!(other, "/incr", None)));
    assert_eq!(
        status_text(call!(app, "/whoami", Some(&foreign))).await,
        (200, "new visitor".into())
    );
}

#[actix_web::test]
async fn destroy_sends_an_expired_empty_cookie() {
    let app = service!(SessionMiddleware::new(named(key_a())));
    let cookie = pair(&one_set_cookie(&call!(app, "/incr", None)));
    let set_cookie = one_set_cookie(&call!(app, "/destroy", Some(&cookie)));
    assert_eq!(pair(&set_cookie), "session=");
    assert_eq!(attribute(&set_cookie, "Max-Age").as_deref(), Some("0"));
}

#[actix_web::test]
async fn regenerate_restarts_the_session_keeping_listed_keys() {
    let (sealer, clock) = sealer_at(key_a());
    let app = service!(SessionMiddleware::new(sealer.clone()));
    let cookie = pair(&one_set_cookie(&call!(app, "/incr", None)));
    clock.set(T0 + 500);
    let response = call!(app, "/regenerate", Some(&cookie));
    let set_cookie = one_set_cookie(&response);
    assert_eq!(status_text(response).await.1, r#"["n"]"#);
    let opened = sealer.open_session(&value(&set_cookie), T0 + 500).unwrap();
    assert_eq!(opened.created_at, T0 + 500);
    assert_eq!(opened.entries.keys().collect::<Vec<_>>(), ["n"]);
}

#[actix_web::test]
async fn an_old_key_cookie_is_resealed_with_the_primary_on_a_read() {
    let (old_sealer, _) = sealer_at(key_a());
    let old = service!(SessionMiddleware::new(old_sealer));
    let old_cookie = pair(&one_set_cookie(&call!(old, "/incr", None)));

    let ring = KeyRing::new(key_b()).with_previous(key_a()).unwrap();
    let sealer = Sealer::new(ring)
        .cookie_name("session")
        .clock(ManualClock::new(T0 + 60));
    let app = service!(SessionMiddleware::new(sealer));
    let response = call!(app, "/read", Some(&old_cookie));
    let set_cookie = one_set_cookie(&response);
    assert_eq!(status_text(response).await.1, "Some(1)");
    let opened = named(key_b())
        .open_bytes_at(&value(&set_cookie), T0 + 60)
        .unwrap();
    assert_eq!(opened.key_id(), key_b().id());
    assert_eq!(opened.created_at(), T0);
}

#[actix_web::test]
async fn the_idle_deadline_slides_once_half_the_idle_timeout_has_passed() {
    let (sealer, clock) = sealer_at(key_a());
    let sealer = sealer.idle_timeout(Duration::from_secs(600));
    let app = service!(SessionMiddleware::new(sealer.clone()));
    let cookie = pair(&one_set_cookie(&call!(app, "/incr", None)));
    clock.set(T0 + 200); // less than half: nothing to do
    assert!(set_cookies(&call!(app, "/read", Some(&cookie))).is_empty());
    clock.set(T0 + 400); // more than half: re-sealed on a mere read
    let set_cookie = one_set_cookie(&call!(app, "/read", Some(&cookie)));
    let opened = sealer.open_session(&value(&set_cookie), T0 + 400).unwrap();
    assert_eq!((opened.created_at, opened.expires_at), (T0, T0 + 1_000));
}

#[actix_web::test]
async fn a_chunked_session_spans_several_cookies_and_reads_back() {
    let app = service!(SessionMiddleware::new(named(key_a())));
    // Without chunking the value is refused, and the handler says so.
    let (status, body) = status_text(call!(app, "/big", None)).await;
    assert_eq!(status, 200);
    assert!(body.contains("4096"), "{body}");

    let chunked = SessionCookie::chunked(named(key_a()).max_cookie_size(16 * 1024), 4);
    let app = service!(SessionMiddleware::from_cookie(chunked));
    let response = call!(app, "/big", None);
    let cookies = set_cookies(&response);
    assert_eq!(status_text(response).await.1, "stored");
    assert!(cookies.len() >= 2, "{cookies:?}");
    let header = cookies
        .iter()
        .map(|c| pair(c))
        .collect::<Vec<_>>()
        .join("; ");
    assert_eq!(
        status_text(call!(app, "/blob-len", Some(&header))).await.1,
        "Some(6000)"
    );
    // A missing chunk is no session.
    let first_only = pair(&cookies[0]);
    assert_eq!(
        status_text(call!(app, "/blob-len", Some(&first_only)))
            .await
            .1,
        "None"
    );
}

#[actix_web::test]
async fn without_the_middleware_the_extractors_answer_500_naming_session_middleware() {
    let app = init_service(App::new().configure(routes)).await;
    for path in [
        "/incr",
        "/whoami",
        "/whoami-typed",
        "/whoami-named",
        "/three",
    ] {
        let (status, body) = status_text(call!(app, path, None)).await;
        assert_eq!(status, 500, "{path}");
        assert!(body.contains("SessionMiddleware"), "{path}: {body}");
        assert!(!body.contains("SessionLayer"), "{path}: {body}");
    }
    let (status, body) = status_text(call!(app, "/static", None)).await;
    assert_eq!((status, body.as_str()), (200, "no session here"));
}

#[actix_web::test]
async fn a_middleware_wrapped_twice_for_one_cookie_writes_it_once() {
    let app = init_service(
        App::new()
            .configure(routes)
            .wrap(SessionMiddleware::new(named(key_a())))
            .wrap(SessionMiddleware::new(named(key_a()))),
    )
    .await;
    let response = call!(app, "/incr", None);
    assert_eq!(set_cookies(&response).len(), 1);
}

struct Flashes;
impl SessionName for Flashes {
    const NAME: &'static str = "flash";
}

#[actix_web::test]
async fn named_sessions_have_their_own_cookies_and_a_plain_session_is_ambiguous() {
    let app = init_service(
        App::new()
            .route(
                "/set",
                web::get().to(
                    |s: NamedSession<DefaultName>, f: NamedSession<Flashes>| async move {
                        s.insert("user", "ada").unwrap();
                        f.insert("note", "saved").unwrap();
                        "set"
                    },
                ),
            )
            .route(
                "/show",
                web::get().to(
                    |s: NamedSession<DefaultName>, f: NamedSession<Flashes>| async move {
                        let user: Option<String> = s.get("user").unwrap();
                        let note: Option<String> = f.take("note").unwrap();
                        format!("{user:?} {note:?}")
                    },
                ),
            )
            .route(
                "/plain",
                web::get().to(|s: Session| async move { s.len().to_string() }),
            )
            .wrap(SessionMiddleware::new(Sealer::new(key_a())))
            .wrap(SessionMiddleware::new(
                Sealer::new(key_b())
                    .cookie_name("flash")
                    .max_lifetime(Duration::from_secs(300)),
            )),
    )
    .await;
    let cookies = set_cookies(&call!(app, "/set", None));
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    let header = cookies
        .iter()
        .map(|c| pair(c))
        .collect::<Vec<_>>()
        .join("; ");
    let response = call!(app, "/show", Some(&header));
    // Only the flash session changed (its note was taken), and is now empty: removed.
    let written = set_cookies(&response);
    assert_eq!(
        written.iter().map(|c| pair(c)).collect::<Vec<_>>(),
        ["flash="]
    );
    assert_eq!(
        status_text(response).await.1,
        r#"Some("ada") Some("saved")"#
    );

    let (status, body) = status_text(call!(app, "/plain", None)).await;
    assert_eq!(status, 500);
    assert!(
        body.contains("NamedSession") && body.contains("flash"),
        "{body}"
    );
    assert!(body.contains("SessionMiddlewares"), "{body}");
}

#[derive(serde::Serialize, serde::Deserialize, Default, Debug)]
struct Cart {
    items: Vec<String>,
}

#[actix_web::test]
async fn typed_session_keeps_one_struct() {
    let app = init_service(
        App::new()
            .route(
                "/add",
                web::get().to(|cart: TypedSession<Cart>| async move {
                    cart.update(|c| c.items.push("tea".into())).unwrap();
                    format!("{}", cart.get().unwrap().unwrap_or_default().items.len())
                }),
            )
            .wrap(SessionMiddleware::new(named(key_a()))),
    )
    .await;
    let cookie = pair(&one_set_cookie(&call!(app, "/add", None)));
    assert_eq!(status_text(call!(app, "/add", Some(&cookie))).await.1, "2");
}

#[actix_web::test]
async fn a_flash_message_survives_one_redirect_and_is_shown_once() {
    let app = init_service(
        App::new()
            .route(
                "/save",
                web::get().to(|flash: Flash| async move {
                    flash.success("Saved").unwrap();
                    HttpResponse::SeeOther()
                        .insert_header(("location", "/page"))
                        .finish()
                }),
            )
            .route(
                "/page",
                web::get().to(|flash: Flash| async move {
                    let shown: Vec<String> = flash
                        .take()
                        .unwrap()
                        .into_iter()
                        .map(|m| format!("{}: {}", m.level, m.text))
                        .collect();
                    shown.join(", ")
                }),
            )
            .wrap(SessionMiddleware::new(named(key_a()))),
    )
    .await;
    let response = call!(app, "/save", None);
    assert_eq!(response.status().as_u16(), 303);
    let cookie = pair(&one_set_cookie(&response));
    let response = call!(app, "/page", Some(&cookie));
    let after = pair(&one_set_cookie(&response));
    assert_eq!(status_text(response).await.1, "success: Saved");
    assert_eq!(status_text(call!(app, "/page", Some(&after))).await.1, "");
}

/// The save-error policy, with the one sealer that finds a session too large only when it
/// seals it: the `@fastify/secure-session` format's.
#[cfg(feature = "fastify")]
mod save_errors {
    use sealed_session::{FastifySealer, Json, OnSaveError};

    use super::*;

    fn big(config: &mut web::ServiceConfig) {
        config.route(
            "/big",
            web::get().to(|s: Session<Json>| async move {
                s.insert("note", "x".repeat(5_000)).unwrap();
                "handler answered"
            }),
        );
    }

    fn unmeasured() -> FastifySealer {
        FastifySealer::new(key_a()).cookie_name("session")
    }

    #[actix_web::test]
    async fn a_session_that_cannot_be_saved_goes_out_without_a_cookie_by_default() {
        let app = init_service(
            App::new()
                .configure(big)
                .wrap(SessionMiddleware::new(unmeasured())),
        )
        .await;
        let response = call!(app, "/big", None);
        assert!(set_cookies(&response).is_empty());
        assert_eq!(
            status_text(response).await,
            (200, "handler answered".into())
        );
    }

    #[actix_web::test]
    async fn the_middleware_can_answer_500_instead() {
        let middleware =
            SessionMiddleware::new(unmeasured()).on_save_error(OnSaveError::ServerError);
        let app = init_service(App::new().configure(big).wrap(middleware)).await;
        let response = call!(app, "/big", None);
        assert!(set_cookies(&response).is_empty());
        assert_eq!(status_text(response).await, (500, String::new()));
    }
}
