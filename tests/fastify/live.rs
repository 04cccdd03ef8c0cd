//! Live: the real fastify server (`tests/interop/server.js`), the `fastify_counter` example
//! (the crate's `SessionLayer` over a [`FastifySealer`]), and an axum server on the plain
//! seal / open API, all on loopback with one key list; a client with a cookie jar goes round
//! them and the session's counter keeps counting.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use axum::extract::State;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use sealed_session::{FastifySealer, Key, KeyRing};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::node;

/// The fastify server, killed when dropped.
struct NodeServer {
    child: Child,
    port: u16,
}

impl NodeServer {
    fn start(keys: &str) -> Self {
        let mut child = Command::new("node")
            .arg("server.js")
            .current_dir(node::interop_dir())
            .env("PORT", "0")
            .env("SESSION_KEYS", keys)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start node server.js");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line.strip_prefix("listening on ") {
                    let _ = tx.send(port.trim().parse::<u16>().ok());
                }
            }
        });
        let port = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Some(port)) => port,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("server.js did not report its port: {other:?}");
            }
        };
        Self { child, port }
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The session object of server.js and the example: `{"count": N, "__ts": ...}`.
#[derive(Serialize, Deserialize, Default)]
struct Counter {
    #[serde(default)]
    count: u64,
}

/// The same counter as server.js, on the plain seal / open API.
async fn counter(State(sealer): State<FastifySealer>, headers: HeaderMap) -> impl IntoResponse {
    let cookie = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == sealer.name())
        .map(|c| c.value().to_owned());
    let mut session = cookie
        .and_then(|v| sealer.open::<Counter>(&v).ok())
        .map(|opened| opened.into_value())
        .unwrap_or_default();
    session.count += 1;
    let value = sealer.seal(&session).expect("a counter seals");
    (
        [(
            SET_COOKIE,
            format!("{}={value}; Path=/; HttpOnly; SameSite=Lax", sealer.name()),
        )],
        Json(
            json!({ "hello": format!("route requested {} times in this session", session.count) }),
        ),
    )
}

async fn serve(app: Router) -> (u16, tokio::task::JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    (
        port,
        tokio::spawn(async move { axum::serve(listener, app).await }),
    )
}

pub(crate) async fn counter_keeps_counting_across_fastify_and_axum() {
    let _node = node::require();
    let (new, old) = (Key::generate(), Key::generate());
    let keys = format!("{},{}", new.to_base64(), old.to_base64());
    let fastify = NodeServer::start(&keys);

    let sealer = FastifySealer::new(KeyRing::from_base64_list(&keys).unwrap());
    let plain = Router::new()
        .route("/", get(counter))
        .with_state(sealer.clone());
    // The example's app, `Secure` cookie and all (loopback counts as a secure context).
    let layered = crate::fastify_counter::app(sealer);
    let (plain_port, plain_server) = serve(plain).await;
    let (layered_port, layered_server) = serve(layered).await;

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let urls = [
        format!("http://127.0.0.1:{}/", fastify.port),
        format!("http://127.0.0.1:{layered_port}/"),
        format!("http://127.0.0.1:{}/", fastify.port),
        format!("http://127.0.0.1:{plain_port}/"),
    ];
    for n in 1..=12usize {
        let url = &urls[(n - 1) % urls.len()];
        let body: Value = client.get(url).send().await.unwrap().json().await.unwrap();
        assert_eq!(
            body,
            json!({ "hello": format!("route requested {n} times in this session") }),
            "request {n} to {url}"
        );
    }
    plain_server.abort();
    layered_server.abort();
}
