//! The key tool (`examples/keytool.rs`), run as a real process.
//!
//! `cargo test` builds the examples before it runs the tests. When running this binary alone
//! (`cargo test --test keytool`), build the tool first: `cargo build --example keytool`.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use sealed_session::{DeriveParams, Key, KeyRing, Sealer};

/// Cheap Argon2id parameters for tests.
const LIGHT: &str = "t=1,m=64,p=1";
const SECRET: &str = "correct horse battery staple, long enough to derive";
const SALT_TEXT: &str = "mq9hDxBVDbspDR6n";

/// `target/<profile>/examples/keytool`, next to this test's own `target/<profile>/deps/`.
fn keytool_path() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir
        .join("examples")
        .join(format!("keytool{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: `cargo test` builds it, or run `cargo build --example keytool`",
        path.display()
    );
    path
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The text after `label` on the first stdout line that starts with it.
    fn field(&self, label: &str) -> &str {
        self.stdout
            .lines()
            .find_map(|line| line.strip_prefix(label))
            .unwrap_or_else(|| panic!("no {label:?} line in:\n{}", self.stdout))
            .trim()
    }
}

/// Run the key tool with `args`, extra environment and optional standard input; at most 60 s.
fn keytool(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut command = Command::new(keytool_path());
    command
        .args(args)
        .env_remove("SESSION_KEYS")
        .env_remove("SESSION_SECRET")
        .env_remove("SESSION_COOKIE")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        // A tool that refuses its arguments exits without reading its input: the pipe closes.
        match pipe.write_all(input.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
    }
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).map(|_| s)
    });
    let err = thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).map(|_| s)
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("keytool {args:?} did not finish within 60 s");
        }
        thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code().unwrap(),
        stdout: out.join().unwrap().unwrap(),
        stderr: err.join().unwrap().unwrap(),
    }
}

fn key(seed: u8) -> Key {
    Key::from_bytes([seed; 32])
}

fn list(keys: &[&Key]) -> String {
    keys.iter()
        .map(|k| k.to_base64())
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn generate_prints_a_fresh_key_that_parses_with_its_id() {
    let first = keytool(&["generate"], &[], None);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let key = Key::from_base64(first.field("key:")).unwrap();
    assert_eq!(first.field("key id:"), key.id().to_string());

    let second = keytool(&["generate"], &[], None);
    assert_ne!(Key::from_base64(second.field("key:")).unwrap(), key);
}

#[test]
fn derive_with_light_params_is_deterministic_and_equals_derive_with() {
    let expected = Key::derive_with(
        SECRET.as_bytes(),
        SALT_TEXT.as_bytes(),
        DeriveParams::new(1, 64, 1),
    )
    .unwrap();
    let args = ["derive", "--salt", SALT_TEXT, "--params", LIGHT];
    let from_env = keytool(&args, &[("SESSION_SECRET", SECRET)], None);
    assert_eq!(from_env.code, 0, "{}", from_env.stderr);
    assert_eq!(from_env.field("key:"), expected.to_base64());
    assert_eq!(from_env.field("key id:"), expected.id().to_string());
    assert!(from_env.field("salt:").starts_with("16 bytes of text"));
    assert!(from_env.stdout.contains("t=1 m=64 KiB p=1, took "));
    assert!(from_env.field("secret:").contains("$SESSION_SECRET"));
    // The secret itself is never echoed.
    assert!(!from_env.stdout.contains(SECRET));

    let again = keytool(&args, &[("SESSION_SECRET", SECRET)], None);
    assert_eq!(again.field("key:"), expected.to_base64());

    // The same secret piped in (with the newline `echo` adds) gives the same key.
    let piped = keytool(&args, &[], Some(&format!("{SECRET}\n")));
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert_eq!(piped.field("key:"), expected.to_base64());
    assert!(piped.field("secret:").contains("standard input"));

    // A named variable, and the salt as base64 of the same 16 bytes.
    let salt_b64 = "bXE5aER4QlZEYnNwRFI2bg==";
    let named = keytool(
        &[
            "derive",
            "--salt",
            salt_b64,
            "--params",
            LIGHT,
            "--secret-env",
            "APP_SECRET",
        ],
        &[("APP_SECRET", SECRET)],
        None,
    );
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert_eq!(named.field("key:"), expected.to_base64());
    assert!(named.field("salt:").starts_with("16 bytes from base64"));
}

#[test]
fn derive_refuses_bad_input_with_the_reason() {
    let short = keytool(
        &["derive", "--salt", SALT_TEXT, "--params", LIGHT],
        &[("SESSION_SECRET", "too short")],
        None,
    );
    assert_eq!(short.code, 1);
    assert!(short
        .stderr
        .contains("secret must be at least 32 bytes, got 9"));

    let bad_salt = keytool(
        &["derive", "--salt", "c2hvcnQ=", "--params", LIGHT],
        &[("SESSION_SECRET", SECRET)],
        None,
    );
    assert_eq!(bad_salt.code, 2);
    assert!(bad_salt.stderr.contains("decodes to 5 bytes"));

    let no_secret = keytool(&["derive", "--salt", SALT_TEXT], &[], None);
    assert_eq!(no_secret.code, 1);
    assert!(no_secret.stderr.contains("no secret"));

    // A secret on the command line is refused, not used.
    let in_argv = keytool(
        &["derive", "--salt", SALT_TEXT, "--params", LIGHT, SECRET],
        &[],
        None,
    );
    assert_eq!(in_argv.code, 2);
    assert!(in_argv.stdout.is_empty());
    assert!(!in_argv.stderr.contains(SECRET), "{}", in_argv.stderr);
    let as_option = keytool(
        &["derive", "--salt", SALT_TEXT, "--secret", SECRET],
        &[],
        None,
    );
    assert_eq!(as_option.code, 2);
    assert!(as_option.stderr.contains("set SESSION_SECRET"));
    assert!(!as_option.stderr.contains(SECRET));

    let bad_params = keytool(
        &["derive", "--salt", SALT_TEXT, "--params", "fast"],
        &[("SESSION_SECRET", SECRET)],
        None,
    );
    assert_eq!(bad_params.code, 2);
    assert!(bad_params.stderr.contains("--params must be"));
}

#[test]
fn rotate_puts_a_fresh_key_first_and_keeps_the_current_ones() {
    let (a, b, c) = (key(1), key(2), key(3));
    let current = list(&[&a, &b, &c]);
    let run = keytool(&["rotate"], &[("SESSION_KEYS", &current)], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ring = KeyRing::from_base64_list(run.field("SESSION_KEYS=")).unwrap();
    let keys: Vec<Key> = ring.keys().cloned().collect();
    assert_eq!(keys.len(), 4);
    assert!(![&a, &b, &c].contains(&&keys[0]));
    assert_eq!(keys[1..], [a.clone(), b.clone(), c.clone()]);
    assert_eq!(run.field("new key id:"), keys[0].id().to_string());
    assert!(run.stdout.contains("To deploy"));
    assert!(!run.stdout.contains("stops opening"));

    // The list may come from standard input too, as a file or a pipe gives it.
    let piped = keytool(&["rotate"], &[], Some(&format!("{current}\n")));
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    let ring = KeyRing::from_base64_list(piped.field("SESSION_KEYS=")).unwrap();
    assert_eq!(ring.keys().skip(1).cloned().collect::<Vec<_>>(), [a, b, c]);
}

#[test]
fn key_lists_and_cookies_on_the_command_line_are_refused_without_being_echoed() {
    let (a, b) = (key(1), key(2));
    let current = list(&[&a, &b]);
    let value = Sealer::new(a.clone()).seal(&"x").unwrap();
    for args in [
        vec!["rotate", "--keys", current.as_str()],
        vec!["rotate", "--keep", "2", &format!("--keys={current}")],
        vec!["inspect", "--keys", current.as_str(), "session"],
    ] {
        let run = keytool(&args, &[("SESSION_COOKIE", &value)], None);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
        assert!(
            run.stderr.contains("--keys is not accepted"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("ps") && run.stderr.contains("SESSION_KEYS"));
        assert!(!run.stderr.contains(&a.to_base64()), "{}", run.stderr);
    }
    let env = [("SESSION_KEYS", current.as_str())];
    for args in [
        vec!["inspect", "session", value.as_str()],
        vec![
            "inspect",
            "--now",
            "1",
            "session",
            &format!("session={value}"),
        ],
        // The value alone, in the name's place.
        vec!["inspect", value.as_str()],
        vec!["inspect", &format!("session={value}")],
    ] {
        let run = keytool(&args, &env, Some(""));
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
        assert!(
            run.stderr.contains("SESSION_COOKIE or standard input"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains(&value[..20]), "{}", run.stderr);
    }
    // A stray argument to rotate may be the list itself: not repeated either.
    let stray = keytool(&["rotate", &current], &env, None);
    assert_eq!(stray.code, 2);
    assert!(!stray.stderr.contains(&a.to_base64()), "{}", stray.stderr);
}

#[test]
fn rotate_with_keep_names_each_key_that_stops_opening_by_id_and_position() {
    let (a, b, c) = (key(1), key(2), key(3));
    // An empty entry counts as a position, as in key list errors.
    let current = format!("{},,{},{}", a.to_base64(), b.to_base64(), c.to_base64());
    let run = keytool(
        &["rotate", "--keep", "2"],
        &[("SESSION_KEYS", &current)],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ring = KeyRing::from_base64_list(run.field("SESSION_KEYS=")).unwrap();
    assert_eq!(ring.len(), 2);
    assert_eq!(ring.keys().nth(1), Some(&a));
    let stopping: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.contains("stops opening:"))
        .map(str::trim)
        .collect();
    assert_eq!(
        stopping,
        [
            format!(
                "stops opening: key id {}, key 3 of the current list",
                b.id()
            ),
            format!(
                "stops opening: key id {}, key 4 of the current list",
                c.id()
            ),
        ]
    );
    assert!(run
        .stdout
        .contains("--keep 2 leaves out 2 of the current keys"));
    assert!(run.stdout.contains("fails with UnknownKey"));

    let zero = keytool(
        &["rotate", "--keep", "0"],
        &[("SESSION_KEYS", &list(&[&a]))],
        None,
    );
    assert_eq!(zero.code, 2);
    let no_list = keytool(&["rotate"], &[], None);
    assert_eq!(no_list.code, 2);
    assert!(no_list.stderr.contains("SESSION_KEYS"));
    let bad_list = keytool(&["rotate"], &[("SESSION_KEYS", "nope")], None);
    assert_eq!(bad_list.code, 1);
    assert!(bad_list.stderr.contains("key 1 of the list"));
}

#[test]
fn a_hex_key_in_the_list_is_refused_with_how_to_convert_it() {
    let hex: String = (0..32u8)
        .map(|b| format!("{:02x}", b.wrapping_mul(37)))
        .collect();
    let current = format!("{},{hex}", key(1).to_base64());
    let run = keytool(&["rotate"], &[("SESSION_KEYS", &current)], None);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("key 2 of the list: key is 64 hex digits, but keys are base64"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&hex[..16]));
    assert!(run.stdout.is_empty());
}

#[test]
fn inspect_reports_key_times_reseal_and_payload_size() {
    let (new, old) = (key(1), key(2));
    let keys = list(&[&new, &old]);
    // Sealed by the previous key on 29 February 2000.
    let created = 951_782_400;
    let old_sealer = Sealer::new(old.clone())
        .cookie_name("session")
        .max_lifetime(Duration::from_secs(86_400));
    let value = old_sealer.seal_at(&("ada", 7u32), created).unwrap();
    let payload_len = old_sealer
        .open_bytes_at(&value, created)
        .unwrap()
        .value()
        .len();

    let now = (created + 3_600).to_string();
    let run = keytool(
        &["inspect", "--now", &now, "session"],
        &[("SESSION_KEYS", &keys)],
        Some(&format!("{value}\n")),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.field("key id:"),
        format!("{} (previous key, not the primary)", old.id())
    );
    assert_eq!(run.field("codec:"), "postcard (id 2)");
    assert_eq!(run.field("cookie:"), "the layer's default lifetime");
    assert_eq!(run.field("created:"), "951782400 (2000-02-29 00:00:00 UTC)");
    assert!(run
        .field("expires:")
        .starts_with("951868800 (2000-03-01 00:00:00 UTC), 23h 0m 0s from now"));
    assert!(run.field("needs reseal:").starts_with("yes"));
    assert_eq!(run.field("payload:"), format!("{payload_len} bytes"));

    // Sealed by the primary, the cookie from SESSION_COOKIE and the key list piped in.
    let sealer = Sealer::new(KeyRing::from_base64_list(&keys).unwrap())
        .cookie_name("session")
        .cookie_name("sid")
        .max_lifetime(Duration::from_secs(86_400));
    let value = sealer.seal_at(&"x", 1_700_000_000).unwrap();
    let run = keytool(
        &["inspect", "--now", "1700000001", "sid"],
        &[("SESSION_COOKIE", &value)],
        Some(&keys),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.field("key id:"), format!("{} (primary)", new.id()));
    assert_eq!(
        run.field("created:"),
        "1700000000 (2023-11-14 22:13:20 UTC)"
    );
    assert!(run
        .field("expires:")
        .starts_with("1700086400 (2023-11-15 22:13:20 UTC)"));
    assert_eq!(run.field("needs reseal:"), "no");
}

#[test]
fn inspect_reads_a_bare_value_a_pair_or_a_pasted_set_cookie_line() {
    let k = key(4);
    let keys = list(&[&k]);
    let sealer = Sealer::new(k).cookie_name("__Host-sid");
    let value = sealer.seal_at(&"x", 1_700_000_000).unwrap();
    for input in [
        value.clone(),
        format!("  {value}\r\n"),
        format!("__Host-sid={value}"),
        format!("__Host-sid=\"{value}\""),
        format!("Set-Cookie: __Host-sid={value}; Path=/; Secure; HttpOnly; SameSite=Lax"),
        format!("set-cookie:__Host-sid={value};HttpOnly"),
        format!("__Host-sid={value}; Path=/; Max-Age=86400"),
        format!("{value}; HttpOnly"),
    ] {
        let run = keytool(
            &["inspect", "--now", "1700000001", "__Host-sid"],
            &[("SESSION_KEYS", &keys)],
            Some(&input),
        );
        assert_eq!(run.code, 0, "{input:?}: {}", run.stderr);
        assert_eq!(
            run.field("created:"),
            "1700000000 (2023-11-14 22:13:20 UTC)"
        );
    }

    let run = keytool(
        &["inspect", "--now", "1700000001", "__Host-sid"],
        &[("SESSION_KEYS", &keys)],
        Some(&format!("Set-Cookie: other={value}; HttpOnly")),
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("the cookie given is named \"other\", not \"__Host-sid\""),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&value[..20]));

    let two = keytool(
        &["inspect", "__Host-sid"],
        &[("SESSION_KEYS", &keys)],
        Some(&format!("{value}\n{value}\n")),
    );
    assert_eq!(two.code, 1);
    assert!(two.stderr.contains("more than one line"));
}

#[test]
fn inspect_says_what_to_do_when_keys_and_cookie_would_both_need_standard_input() {
    let k = key(1);
    let value = Sealer::new(k.clone()).seal(&"x").unwrap();
    let run = keytool(&["inspect", "session"], &[], Some(&value));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("standard input can carry only one"));
    assert!(run
        .stderr
        .contains("set SESSION_KEYS and pipe the cookie in"));
    assert!(run
        .stderr
        .contains("or set SESSION_COOKIE and pipe the key list in"));

    let no_cookie = keytool(
        &["inspect", "session"],
        &[("SESSION_KEYS", &list(&[&k]))],
        Some(" \n"),
    );
    assert_eq!(no_cookie.code, 2);
    assert!(no_cookie.stderr.contains("no cookie: set SESSION_COOKIE"));
}

#[test]
fn inspect_converts_dates_across_centuries_and_leap_years() {
    let k = key(5);
    let keys = list(&[&k]);
    let sealer = Sealer::new(k)
        .cookie_name("session")
        .max_lifetime(Duration::from_secs(1));
    for (created, date) in [
        (0, "1970-01-01 00:00:00 UTC"),
        (68_255_999, "1972-02-29 23:59:59 UTC"),
        (946_684_799, "1999-12-31 23:59:59 UTC"),
        (4_107_542_399, "2100-02-28 23:59:59 UTC"),
        (4_107_542_400, "2100-03-01 00:00:00 UTC"),
        (253_402_300_799, "9999-12-31 23:59:59 UTC"),
    ] {
        let value = sealer.seal_at(&(), created).unwrap();
        let now = created.to_string();
        let run = keytool(
            &["inspect", "--now", &now, "session"],
            &[("SESSION_KEYS", &keys), ("SESSION_COOKIE", &value)],
            None,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.field("created:"), format!("{created} ({date})"));
    }
}

#[test]
fn inspect_says_why_a_value_does_not_open() {
    let (current, removed) = (key(1), key(9));
    let keys = list(&[&current]);
    let sealer = Sealer::new(current)
        .cookie_name("session")
        .max_lifetime(Duration::from_secs(100));
    let value = sealer.seal_at(&"x", 1_700_000_000).unwrap();
    let inspect = |value: &str, name: &str, now: &str| {
        keytool(
            &["inspect", "--now", now, name],
            &[("SESSION_KEYS", &keys)],
            Some(value),
        )
    };

    let mut tampered = value.clone().into_bytes();
    tampered[40] = if tampered[40] == b'A' { b'B' } else { b'A' };
    let run = inspect(
        std::str::from_utf8(&tampered).unwrap(),
        "session",
        "1700000001",
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "the value does not open: value did not authenticate: it was changed or cut \
             short, or it was sealed for another cookie name than \"session\""
        ),
        "{}",
        run.stderr
    );

    let run = inspect(&value, "session", "1700000101");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("session expired at unix time 1700000100 (2023-11-14 22:15:00 UTC)"),
        "{}",
        run.stderr
    );

    let foreign = Sealer::new(removed.clone())
        .cookie_name("session")
        .seal_at(&"x", 1_700_000_000)
        .unwrap();
    let run = inspect(&foreign, "session", "1700000001");
    assert_eq!(run.code, 1);
    assert!(run
        .stderr
        .contains(&format!("no key in the ring has key id {}", removed.id())));

    let run = inspect(&value, "other", "1700000001");
    assert_eq!(run.code, 1);
    assert!(run
        .stderr
        .contains("or it was sealed for another cookie name than \"other\""));

    let run = inspect("AgAA", "session", "1700000001");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("malformed value"));

    // The opening run succeeds, so the failures above are about the values.
    assert_eq!(inspect(&value, "session", "1700000001").code, 0);
}

#[test]
fn usage_errors_exit_2_with_a_short_usage_line() {
    for (args, line) in [
        (
            &[][..],
            "usage: keytool <generate | derive | rotate | inspect | help>",
        ),
        (&["frobnicate"][..], "usage: keytool <generate"),
        (&["inspect"][..], "usage: SESSION_KEYS=... keytool inspect "),
        (
            &["inspect", "--bogus", "1", "session"][..],
            "keytool inspect ",
        ),
        (
            &["rotate", "--keep", "x"][..],
            "usage: SESSION_KEYS=... keytool rotate [--keep <N>]",
        ),
        (&["generate", "extra"][..], "usage: keytool generate"),
        (
            &["derive"][..],
            "usage: SESSION_SECRET=... keytool derive --salt <SALT>",
        ),
    ] {
        let run = keytool(args, &[], None);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(line), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("Run `keytool help`"), "{args:?}");
        // The short line, not the whole text.
        assert!(!run.stderr.contains("COMMANDS:"), "{args:?}");
        assert!(run.stdout.is_empty(), "{args:?}");
    }
    let help = keytool(&["help"], &[], None);
    assert_eq!(help.code, 0);
    for command in ["generate", "derive", "rotate", "inspect", "SESSION_COOKIE"] {
        assert!(help.stdout.contains(command));
    }
    assert!(!help.stdout.contains("--keys"));
}
