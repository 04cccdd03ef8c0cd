//! Shared helpers: building apps, sending requests, reading `Set-Cookie`.

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use http_body_util::BodyExt as _;
use sealed_session::{Key, ManualClock, Sealer};
use tower::ServiceExt as _;

/// A fixed start time for manual clocks.
pub const T0: u64 = 1_700_000_000;

/// Two fixed keys for rotation tests.
pub fn key_a() -> Key {
    Key::from_bytes([0xA1; 32])
}
pub fn key_b() -> Key {
    Key::from_bytes([0xB2; 32])
}

/// A sealer on a manual clock starting at [`T0`], for the cookie `session` (the tests read
/// and write its cookies by that plain name; the default name has its own tests).
pub fn sealer_at(key: Key) -> (Sealer, ManualClock) {
    let clock = ManualClock::new(T0);
    let sealer = Sealer::new(key).cookie_name("session");
    (sealer.clock(clock.clone()), clock)
}

/// A sealer for the cookie `session`.
pub fn named(key: Key) -> Sealer {
    Sealer::new(key).cookie_name("session")
}

/// Send one GET through `app` with an optional `Cookie` header.
pub async fn send(app: &Router, uri: &str, cookie: Option<&str>) -> Response<Body> {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    oneshot(app, request.body(Body::empty()).unwrap()).await
}

/// Send `request` through `app`.
pub async fn oneshot(app: &Router, request: Request<Body>) -> Response<Body> {
    app.clone().oneshot(request).await.unwrap()
}

/// The response's `Set-Cookie` values.
pub fn set_cookies(response: &Response<Body>) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The single `Set-Cookie` value, failing if there is not exactly one.
pub fn one_set_cookie(response: &Response<Body>) -> String {
    let all = set_cookies(response);
    assert_eq!(all.len(), 1, "expected one Set-Cookie, got {all:?}");
    all.into_iter().next().unwrap()
}

/// `name=value` of a `Set-Cookie` value, as a browser sends it back.
pub fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().trim().to_owned()
}

/// The (percent-encoded) value of a `Set-Cookie` value.
pub fn value(set_cookie: &str) -> String {
    pair(set_cookie).split_once('=').unwrap().1.to_owned()
}

/// The attributes of a `Set-Cookie` value, as trimmed strings (`"HttpOnly"`, `"Path=/"`).
pub fn attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_owned())
        .collect()
}

/// The value of attribute `name` (case-insensitive), if present.
pub fn attribute(set_cookie: &str, name: &str) -> Option<String> {
    attributes(set_cookie).into_iter().find_map(|a| {
        let (n, v) = a.split_once('=').unwrap_or((a.as_str(), ""));
        n.eq_ignore_ascii_case(name).then(|| v.to_owned())
    })
}

/// The response body as text.
pub async fn text(response: Response<Body>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Status and body.
pub async fn status_text(response: Response<Body>) -> (StatusCode, String) {
    let status = response.status();
    (status, text(response).await)
}

/// Log output captured while running `f`, at every level: the events `f` emits on this thread.
///
/// One global subscriber, installed on first use, formats every event and writes it to the
/// capturing thread's buffer (or nowhere). A scoped subscriber per test (`with_default`) lost
/// events now and then: with tests running in parallel, a log line first reached on another
/// thread while this one's subscriber was being installed could keep an interest computed
/// without it, and its events were skipped. With a single global subscriber interested in
/// everything, every callsite is always enabled.
pub fn capture_logs<R>(f: impl FnOnce() -> R) -> (R, String) {
    use std::cell::RefCell;
    use std::sync::Once;

    thread_local! {
        static CAPTURED: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
    }
    /// Writes to this thread's capture buffer when one is open, and drops the bytes otherwise.
    struct ToCapture;
    impl std::io::Write for ToCapture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            CAPTURED.with(|captured| {
                if let Some(bytes) = captured.borrow_mut().as_mut() {
                    bytes.extend_from_slice(buf);
                }
            });
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(|| ToCapture)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in the test binary");
    });

    CAPTURED.with(|captured| *captured.borrow_mut() = Some(Vec::new()));
    let result = f();
    let bytes = CAPTURED.with(|captured| captured.borrow_mut().take().unwrap_or_default());
    (result, String::from_utf8(bytes).unwrap())
}

/// `future` run to its end on a runtime of this thread, and the log output it produced (see
/// [`capture_logs`]): for requests sent through a layer in process.
pub fn capture_logs_of<F: std::future::Future>(future: F) -> (F::Output, String) {
    capture_logs(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    })
}

/// `Sealer` behind a `SessionSealer` that does not tell a value's length before sealing (as a
/// sealer of another format may not): sessions of it are checked for size only when sealed, so
/// tests can reach the errors of that moment.
#[derive(Clone)]
pub struct Unmeasured(pub sealed_session::Sealer);

impl sealed_session::SessionSealer for Unmeasured {
    type Codec = sealed_session::DefaultCodec;

    fn session_codec(&self) -> &Self::Codec {
        self.0.session_codec()
    }
    fn name(&self) -> &str {
        self.0.name()
    }
    fn now(&self) -> u64 {
        self.0.now()
    }
    fn max_value_len(&self) -> usize {
        self.0.max_value_len()
    }
    fn open_session(
        &self,
        value: &str,
        now: u64,
    ) -> Result<sealed_session::OpenedSession, sealed_session::OpenError> {
        self.0.open_session(value, now)
    }
    fn seal_session(
        &self,
        entries: &sealed_session::Entries,
        created_at: u64,
        now: u64,
    ) -> Result<sealed_session::SealedSession, sealed_session::SealError> {
        self.0.seal_session(entries, created_at, now)
    }
}
