//! Sessions with bare hyper 1 and no framework: the HTTP helpers of `SessionCookie` read the
//! cookie from the request headers and write `Set-Cookie` into the response headers.
//!
//! ```text
//! cargo run --example hyper
//! curl -c jar -b jar http://127.0.0.1:3000/   # visit 1, visit 2, ...
//! ```

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use sealed_session::{Sealer, SessionCookie};

// Start-up shared by the server examples; each uses part of it.
#[allow(dead_code)]
mod support;

async fn handle(
    cookies: Arc<SessionCookie<Sealer>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.uri().path() != "/" {
        let mut response = Response::new(Full::new(Bytes::from_static(b"not found")));
        *response.status_mut() = StatusCode::NOT_FOUND;
        return Ok(response);
    }
    // Before the handler: the session from the request's cookie (or a new one).
    let session = cookies.load(request.headers());
    let visits = session.get::<u64>("visits").ok().flatten().unwrap_or(0) + 1;
    let mut response = match session.insert("visits", visits) {
        Ok(()) => Response::new(Full::new(Bytes::from(format!("visit {visits}\n")))),
        Err(e) => {
            let mut response = Response::new(Full::new(Bytes::from(e.to_string())));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        }
    };
    // After the handler: Set-Cookie, only if the session needs it.
    cookies.save(&session, response.headers_mut());
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), support::Failure> {
    let keys = support::keys_from_env()?;
    let cookies = Arc::new(SessionCookie::new(Sealer::new(keys)));
    let listener = support::listen("hyper example", 3000).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let cookies = Arc::clone(&cookies);
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&cookies), request));
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("connection error: {e}");
            }
        });
    }
}
