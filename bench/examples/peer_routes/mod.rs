//! The counter's route as the peers write it, once per session API: tower-sessions' `Session`
//! (the memory, Redis and cookie stores of tower-sessions share it) and actix-session's. Not an
//! example itself (Cargo builds `examples/*.rs` and `examples/*/main.rs` only); each peer
//! includes it with `#[path]` and uses its half.

use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

fn answer(n: u64) -> Value {
    json!({ "hello": format!("route requested {n} times in this session") })
}

/// `GET /` with tower-sessions: read `count` (a value that does not decode as a number counts
/// as none), add one, store it, answer the demo's JSON.
pub async fn tower_count(
    session: tower_sessions::Session,
) -> Result<Json<Value>, (StatusCode, String)> {
    let n = session
        .get::<u64>("count")
        .await
        .ok()
        .flatten()
        .unwrap_or(0)
        + 1;
    session
        .insert("count", n)
        .await
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(answer(n)))
}

/// `GET /` with actix-session, the same way.
pub async fn actix_count(session: actix_session::Session) -> actix_web::HttpResponse {
    let n = session.get::<u64>("count").ok().flatten().unwrap_or(0) + 1;
    match session.insert("count", n) {
        Ok(()) => actix_web::HttpResponse::Ok().json(answer(n)),
        Err(e) => actix_web::HttpResponse::InternalServerError().body(e.to_string()),
    }
}
