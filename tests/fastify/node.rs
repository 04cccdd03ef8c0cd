//! Driving the Node project in `tests/interop/`: find Node and npm, install the pinned packages
//! with `npm ci` when `node_modules` is missing, and run its scripts as processes.
//!
//! Without Node the harness (`main.rs`) reports the tests that need it as ignored, except under
//! `CI=true`, where they run and fail.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Longest a script may run (key derivation at MODERATE cost is the slowest, a few seconds).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest `npm ci` may run.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);

/// The Node project's directory.
pub fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// The Node project, ready to run.
#[derive(Debug, Clone, Copy)]
pub struct Node;

/// Why the Node tests cannot run here, if they cannot: Node missing or too old, or its packages
/// not installed and no npm to install them. Cheap: the install itself waits for [`require`].
pub fn missing() -> Option<String> {
    if let Err(why) = node_version() {
        return Some(why);
    }
    let installed = interop_dir()
        .join("node_modules/@fastify/secure-session")
        .is_dir();
    if !installed
        && run_capture(
            Command::new("npm").arg("--version"),
            Duration::from_secs(30),
        )
        .is_err()
    {
        return Some("npm not found, and the packages of tests/interop are not installed".into());
    }
    None
}

/// Node and the installed packages (`npm ci` the first time). The harness runs a test that
/// needs Node only where [`missing`] found it, or under `CI=true`, where a missing Node fails
/// here. The check and the install run once per test binary.
pub fn require() -> Node {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    match READY.get_or_init(prepare) {
        Ok(()) => Node,
        Err(why) => panic!("Node interop unavailable: {why} (run .ci/install-node)"),
    }
}

fn node_version() -> Result<(), String> {
    let version = run_capture(
        Command::new("node").arg("--version"),
        Duration::from_secs(30),
    )
    .map_err(|e| format!("node not found ({e})"))?;
    let major: u32 = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("cannot read the node version {version:?}"))?;
    if major < 20 {
        return Err(format!(
            "node {} is too old; fastify 5 needs 20 or later",
            version.trim()
        ));
    }
    Ok(())
}

fn prepare() -> Result<(), String> {
    node_version()?;
    let dir = interop_dir();
    if !dir.join("node_modules/@fastify/secure-session").is_dir() {
        let mut npm = Command::new("npm");
        npm.args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir);
        run_capture(&mut npm, INSTALL_TIMEOUT).map_err(|e| format!("npm ci failed: {e}"))?;
    }
    Ok(())
}

/// Run a command to completion within `timeout`; its stdout, or why it failed.
fn run_capture(command: &mut Command, timeout: Duration) -> Result<String, String> {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    finish(child, timeout)
}

/// Wait for a child within `timeout` (killing it when over), reading its output as it runs.
fn finish(mut child: Child, timeout: Duration) -> Result<String, String> {
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("timed out after {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    if status.success() {
        Ok(out)
    } else {
        Err(format!("{status}: {err}"))
    }
}

impl Node {
    /// Run `tests/interop/<script>` with `request` as JSON on stdin; its JSON reply.
    pub fn run(self, script: &str, request: &Value) -> Value {
        let mut child = Command::new("node")
            .arg(script)
            .current_dir(interop_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start node {script}: {e}"));
        let mut stdin = child.stdin.take().expect("stdin is piped");
        stdin
            .write_all(request.to_string().as_bytes())
            .expect("write the request");
        drop(stdin);
        let out = finish(child, SCRIPT_TIMEOUT)
            .unwrap_or_else(|e| panic!("node {script} failed: {e}\nrequest: {request}"));
        serde_json::from_str(out.trim())
            .unwrap_or_else(|e| panic!("node {script} printed {out:?}, not JSON: {e}"))
    }

    /// Seal `data` with the plugin at `now`; `(wire value, decoded value, __ts)`.
    pub fn seal(self, config: &Value, data: &Value, now: f64) -> (String, String, u64) {
        let mut request = config.clone();
        request["data"] = data.clone();
        request["now"] = now.into();
        let reply = self.run("seal.js", &request);
        (
            reply["wire"].as_str().expect("wire").to_owned(),
            reply["value"].as_str().expect("value").to_owned(),
            reply["ts"].as_u64().expect("ts"),
        )
    }

    /// Open a cookie value with the plugin at `now`; its reply (see open.js).
    pub fn open(self, config: &Value, cookie: &str, now: f64) -> Value {
        let mut request = config.clone();
        request["cookie"] = cookie.into();
        request["now"] = now.into();
        self.run("open.js", &request)
    }

    /// Seal an arbitrary plaintext with the plugin's primitive; the percent-encoded value.
    pub fn boxed(self, key_b64: &str, plaintext: &str) -> String {
        let reply = self.run(
            "box.js",
            &serde_json::json!({ "key": key_b64, "plaintext": plaintext }),
        );
        reply["wire"].as_str().expect("wire").to_owned()
    }
}
