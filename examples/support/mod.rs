//! The start-up the server examples share: logging, the key ring from the environment, and a
//! listener on 127.0.0.1. Not an example itself: Cargo builds `examples/*.rs` and
//! `examples/*/main.rs` only. Each example includes it with `mod support;` and uses what it
//! needs of it.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};

use sealed_session::{Key, KeyError, KeyRing};
use tokio::net::TcpListener;

/// Log to stdout, filtered by `RUST_LOG`; by default `info`: the crate's warnings (a cookie that
/// looks tampered with or forged) show, its `debug` lines (a visitor with no cookie, a session
/// that expired) do not. `RUST_LOG=info,sealed_session=debug` shows those too, at a price: the
/// demo's `debug` line for each new visitor costs a first visit about 6,400 instructions, a
/// third more (`bench/examples/request_cost.rs`, modes `first_visit` and `first_visit_logged`);
/// with `info`, logging costs a request nothing measurable.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
}

/// The key ring from `SESSION_KEYS` (comma-separated base64 keys, newest first, as
/// `KeyRing::from_base64_list` reads them), or an ephemeral one with a warning.
pub fn keys_from_env() -> Result<KeyRing, KeyError> {
    match KeyRing::from_env("SESSION_KEYS") {
        Err(KeyError::EnvNotSet { .. }) => {
            eprintln!(
                "\n  WARNING: SESSION_KEYS is not set: using an EPHEMERAL key.\n  \
                 Every session ends when this process stops, and other instances cannot read\n  \
                 its cookies. Set SESSION_KEYS to a base64 key (openssl rand -base64 32).\n"
            );
            Ok(KeyRing::new(Key::generate()))
        }
        keys => keys,
    }
}

/// A listener on 127.0.0.1 at the port `PORT` names (0 picks a free one), else
/// `default_port`, announced on stdout as `<name> listening on http://127.0.0.1:<port>/` (the
/// tests read the URL from that line).
pub async fn listen(
    name: &str,
    default_port: u16,
) -> Result<TcpListener, Box<dyn std::error::Error>> {
    let port = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|e| format!("PORT {port:?}: {e}"))?,
        Err(_) => default_port,
    };
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    println!("{name} listening on http://{}/", listener.local_addr()?);
    Ok(listener)
}

/// The error an example's `main` returns: printed with its `Display` text (`Error: environment
/// variable SESSION_KEYS: key 1 of the list: ...`), not the `Debug` form Rust prints for a
/// boxed error returned from `main`.
pub struct Failure(Box<dyn std::error::Error>);

impl<E: Into<Box<dyn std::error::Error>>> From<E> for Failure {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}
