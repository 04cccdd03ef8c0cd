//! A session extractor's failure as axum's answer: `500` with the message that names the fix.

use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::session_layer::{logged, SessionRejection};

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, logged(&self)).into_response()
    }
}
