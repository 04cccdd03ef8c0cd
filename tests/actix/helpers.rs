//! Requests through an actix app in process, and servers on loopback.

use std::net::{SocketAddr, TcpListener};

use actix_web::dev::{Server, ServerHandle, ServiceResponse};
use actix_web::http::header::{COOKIE, SET_COOKIE};
use actix_web::test::{self, TestRequest};

/// A `GET` of `uri` with an optional `Cookie` header.
pub fn get(uri: &str, cookie: Option<&str>) -> TestRequest {
    let request = TestRequest::get().uri(uri);
    match cookie {
        Some(cookie) => request.insert_header((COOKIE, cookie)),
        None => request,
    }
}

/// The response's `Set-Cookie` values.
pub fn set_cookies<B>(response: &ServiceResponse<B>) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The single `Set-Cookie` value, failing if there is not exactly one.
pub fn one_set_cookie<B>(response: &ServiceResponse<B>) -> String {
    let all = set_cookies(response);
    assert_eq!(all.len(), 1, "expected one Set-Cookie, got {all:?}");
    all.into_iter().next().unwrap()
}

/// Status and body as text.
pub async fn status_text<B: actix_web::body::MessageBody>(
    response: ServiceResponse<B>,
) -> (u16, String) {
    let status = response.status().as_u16();
    let body = test::read_body(response).await;
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// An actix server on loopback; stopped when dropped.
pub struct ActixServer {
    pub url: String,
    handle: ServerHandle,
}

impl Drop for ActixServer {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; its future only waits for it.
        drop(self.handle.stop(false));
    }
}

/// A listener on 127.0.0.1 with a free port, and its URL.
pub fn loopback() -> (TcpListener, String) {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// Runs `server` (listening on `url`) in the current tokio runtime.
pub fn run(server: Server, url: String) -> ActixServer {
    let handle = server.handle();
    tokio::spawn(server);
    ActixServer { url, handle }
}
