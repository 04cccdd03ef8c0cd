//! A session or CSRF extractor's failure as actix-web's answer: `500` with the message that
//! names the fix.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, ResponseError};

use crate::session_layer::{logged, CsrfRejection, SessionRejection};

impl ResponseError for SessionRejection {
    fn error_response(&self) -> HttpResponse {
        HttpResponse::InternalServerError()
            .content_type(ContentType::plaintext())
            .body(logged(self))
    }
}

impl ResponseError for CsrfRejection {
    fn error_response(&self) -> HttpResponse {
        HttpResponse::InternalServerError()
            .content_type(ContentType::plaintext())
            .body(logged(self))
    }
}
