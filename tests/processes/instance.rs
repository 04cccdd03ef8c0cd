//! Counter servers as real processes on loopback: the demo's app (`examples/counter.rs`, compiled
//! into this binary) run by this same binary in serve mode, or any server that takes the
//! demo's `SESSION_KEYS` and `PORT` and announces itself as it does, named by
//! `SEALED_SESSION_FAULTS_SERVER` (the script points it at the release demo,
//! `target/release/examples/counter`).

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitCode, Stdio};

use sealed_session::Key;

use crate::{counter, support};

/// Set in a child's environment: run the counter instead of the tests.
const SERVE: &str = "SEALED_SESSION_FAULTS_SERVE";

/// Whether this process was started to serve.
pub fn serve_requested() -> bool {
    std::env::var_os(SERVE).is_some()
}

/// Serve mode: the demo's `main`, through the examples' own start-up (keys from
/// `SESSION_KEYS`, the port from `PORT`, the listening line on stdout), without its log
/// subscriber.
pub fn serve() -> ExitCode {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let served = runtime.block_on(async {
        let keys = support::keys_from_env()?;
        let listener = support::listen("counter", 3000).await?;
        axum::serve(listener, counter::app(keys)).await?;
        Ok::<(), support::Failure>(())
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("counter: {e:?}");
            ExitCode::FAILURE
        }
    }
}

/// One running counter process. Killed when dropped.
pub struct Instance {
    child: Child,
    pub addr: SocketAddr,
    pub url: String,
}

impl Instance {
    /// Starts a counter with `keys` (newest first, as `SESSION_KEYS` lists them) and waits for
    /// its listening line.
    pub fn start(keys: &[&Key]) -> Instance {
        let list = keys
            .iter()
            .map(|k| k.to_base64())
            .collect::<Vec<_>>()
            .join(",");
        let program = std::env::var_os("SEALED_SESSION_FAULTS_SERVER")
            .map_or_else(|| std::env::current_exe().expect("own path"), Into::into);
        let mut child = Command::new(&program)
            .env(SERVE, "1")
            .env("SESSION_KEYS", list)
            .env("PORT", "0")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {program:?}: {e}"));
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        stdout
            .read_line(&mut line)
            .expect("the server's first line");
        // The rest (the demo logs to stdout: a warning per forged cookie) is read and dropped,
        // so that the server never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let url = line
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://"))
            .unwrap_or_else(|| panic!("no listening line from {program:?}: {line:?}"))
            .trim_end_matches('/')
            .to_owned();
        let addr = url
            .trim_start_matches("http://")
            .parse()
            .expect("host:port");
        Instance { child, addr, url }
    }

    /// The process's resident memory, from `/proc/<pid>/status`.
    pub fn resident_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/<pid>/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
