//! A small HTTP/1.1 client over a raw TCP stream: hostile requests need bytes no HTTP library
//! sends (non-UTF-8 cookies, malformed escapes, headers past every limit), and keep-alive
//! connections reused across requests.

use std::io;

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

/// The demo's cookie.
pub const COOKIE_NAME: &str = "__Host-session";

/// What came back.
pub struct Response {
    pub status: u16,
    /// The value of the session's `Set-Cookie`, if one was sent.
    pub session_cookie: Option<String>,
    pub body: Vec<u8>,
    /// The server will close the connection after this response.
    pub closes: bool,
}

impl Response {
    /// The count in the demo's answer (`route requested N times in this session`).
    pub fn count(&self) -> Option<u64> {
        common::demo_count(std::str::from_utf8(&self.body).ok()?)
    }
}

/// `GET /` with this `Cookie` header (none when empty).
pub fn get(cookie: &[u8]) -> Vec<u8> {
    let mut request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_vec();
    if !cookie.is_empty() {
        request.extend_from_slice(b"Cookie: ");
        request.extend_from_slice(cookie);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    request
}

/// One keep-alive connection.
pub struct Connection {
    stream: BufReader<TcpStream>,
}

impl Connection {
    pub async fn open(addr: std::net::SocketAddr) -> io::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream: BufReader::new(stream),
        })
    }

    /// Sends `request` whole and reads one response.
    pub async fn send(&mut self, request: &[u8]) -> io::Result<Response> {
        self.stream.get_mut().write_all(request).await?;
        self.read_response().await
    }

    /// Writes bytes without reading (the slow client sends a request in pieces).
    pub async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.get_mut().write_all(bytes).await
    }

    /// Closes the write half: the client has nothing more to send.
    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        self.stream.get_mut().shutdown().await
    }

    pub async fn read_response(&mut self) -> io::Result<Response> {
        let mut line = Vec::new();
        if self.stream.read_until(b'\n', &mut line).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let status = std::str::from_utf8(&line)
            .ok()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::other(format!("status line {line:?}")))?;
        let (mut length, mut closes, mut session_cookie) = (0usize, false, None);
        loop {
            line.clear();
            if self.stream.read_until(b'\n', &mut line).await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end();
            if text.is_empty() {
                break;
            }
            let Some((name, value)) = text.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse().unwrap_or(0),
                "connection" => closes = value.eq_ignore_ascii_case("close"),
                "set-cookie" => {
                    if let Some(rest) = value
                        .strip_prefix(COOKIE_NAME)
                        .and_then(|r| r.strip_prefix('='))
                    {
                        session_cookie = Some(rest.split(';').next().unwrap_or("").to_owned());
                    }
                }
                _ => {}
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await?;
        Ok(Response {
            status,
            session_cookie,
            body,
            closes,
        })
    }
}
