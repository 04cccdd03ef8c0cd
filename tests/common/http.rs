//! Sending requests through an app in process, reading `Set-Cookie`.

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

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

/// The count in the counter demo's answer (`route requested N times in this session`), if the
/// text holds one.
pub fn demo_count(text: &str) -> Option<u64> {
    text.split_once("requested ")?
        .1
        .split(' ')
        .next()?
        .parse()
        .ok()
}
