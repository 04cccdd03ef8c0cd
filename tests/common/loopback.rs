//! Real servers on loopback and a real HTTP client for them.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::task::JoinHandle;

/// A server for an axum app on 127.0.0.1 with a free port. Stopped when the handle drops.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    task: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `app` on loopback in the current tokio runtime.
pub async fn serve(app: Router) -> Server {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Server { url, task }
}

/// A client, with a cookie store (a browser) or without (each request on its own).
pub fn client(cookie_store: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(cookie_store)
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .unwrap()
}
