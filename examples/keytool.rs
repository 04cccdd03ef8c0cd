//! Key tool for sealed-session: make keys, rotate key lists and inspect cookie values.
//!
//! ```text
//! cargo run --example keytool -- generate
//! SESSION_SECRET=... cargo run --example keytool -- derive --salt mq9hDxBVDbspDR6n
//! SESSION_KEYS=... cargo run --example keytool -- rotate --keep 3
//! SESSION_KEYS=... cargo run --example keytool -- inspect session <cookie value>
//! ```
//!
//! Exit status: 0 on success, 1 when the work failed (a value that does not open, a key list
//! that does not parse), 2 for a usage error.

use std::env;
use std::io::{self, Read as _};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use sealed_session::{unix_seconds, DeriveParams, Key, KeyRing, OpenError, Sealer, SALT_LEN};
use zeroize::Zeroizing;

const USAGE: &str = "\
keytool: manage sealed-session keys and inspect sealed cookies

USAGE:
    cargo run --example keytool -- <COMMAND> [OPTIONS]

COMMANDS:
    generate
        Print a new random key (standard base64) and its key id.

    derive --salt <SALT> [--params <PARAMS>] [--secret-env <VAR>]
        Derive a key from a secret with Argon2id, the way Key::derive does.
        The secret is read from the environment variable VAR (default SESSION_SECRET) or,
        when that is not set, from standard input (one trailing newline is dropped). It is
        never taken from the command line, where other users and shell history see it.
        SALT: exactly 16 characters are used as they are (text salt, as
        @fastify/secure-session takes it); anything else is read as base64 of 16 bytes.
        PARAMS: interactive | moderate (default) | sensitive | t=<passes>,m=<KiB>,p=<lanes>

    rotate [--keys <LIST>] [--keep <N>]
        Print a new key list: a fresh key first (it seals), then the current keys (they still
        open). With --keep N the new list holds at most N keys; the oldest are dropped.
        LIST defaults to the SESSION_KEYS environment variable.

    inspect [--keys <LIST>] [--now <UNIX>] [--max-lifetime <SECONDS>] <NAME> <VALUE>
        Open a cookie value with the key list and report the key that sealed it, when the
        session began and expires, whether it needs re-sealing and its payload size; or why
        it does not open. NAME is the cookie name the value was sealed for; VALUE may be given
        as NAME=VALUE. --now sets the time to check against (default: the system clock);
        --max-lifetime applies the application's absolute lifetime as the server would.
        LIST defaults to the SESSION_KEYS environment variable.

    help
        Print this text.

EXIT STATUS:
    0 success, 1 failure (including a value that does not open), 2 usage error.
";

/// How a command failed.
enum Failure {
    /// Wrong arguments: print the message and the usage, exit 2.
    Usage(String),
    /// The command ran and failed: print the message, exit 1.
    Failed(String),
}

type Outcome = Result<(), Failure>;

fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

fn failed(message: impl Into<String>) -> Failure {
    Failure::Failed(message.into())
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("generate") => generate(&args[1..]),
        Some("derive") => derive(&args[1..]),
        Some("rotate") => rotate(&args[1..]),
        Some("inspect") => inspect(&args[1..]),
        Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(usage(format!("unknown command {other:?}"))),
        None => Err(usage("no command given")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

/// Options of the form `--name value`, and the remaining positional arguments.
struct Args {
    options: Vec<(String, String)>,
    positional: Vec<String>,
}

impl Args {
    /// Split `args`, accepting only the options in `known`.
    fn parse(args: &[String], known: &[&str]) -> Result<Self, Failure> {
        let mut options = Vec::new();
        let mut positional = Vec::new();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if arg == "--" {
                positional.extend(iter.by_ref().cloned());
                break;
            }
            if let Some(name) = arg.strip_prefix("--") {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_owned())),
                    None => (name, None),
                };
                if !known.contains(&name) {
                    return Err(usage(format!("unknown option --{name}")));
                }
                let value = match inline {
                    Some(v) => v,
                    None => iter
                        .next()
                        .cloned()
                        .ok_or_else(|| usage(format!("--{name} needs a value")))?,
                };
                if options.iter().any(|(n, _): &(String, String)| n == name) {
                    return Err(usage(format!("--{name} given twice")));
                }
                options.push((name.to_owned(), value));
            } else {
                positional.push(arg.clone());
            }
        }
        Ok(Self {
            options,
            positional,
        })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn no_positional(&self) -> Outcome {
        match self.positional.first() {
            Some(extra) => Err(usage(format!("unexpected argument {extra:?}"))),
            None => Ok(()),
        }
    }

    fn number(&self, name: &str) -> Result<Option<u64>, Failure> {
        self.get(name)
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| usage(format!("--{name} takes a whole number, got {v:?}")))
            })
            .transpose()
    }
}

fn generate(args: &[String]) -> Outcome {
    Args::parse(args, &[])?.no_positional()?;
    let key = Key::generate();
    println!("key:    {}", key.to_base64());
    println!("key id: {}", key.id());
    Ok(())
}

fn derive(args: &[String]) -> Outcome {
    let args = Args::parse(args, &["salt", "params", "secret-env"])?;
    args.no_positional()?;
    let salt_text = args
        .get("salt")
        .ok_or_else(|| usage("derive needs --salt"))?;
    let (salt, salt_form) = parse_salt(salt_text)?;
    let params = parse_params(args.get("params").unwrap_or("moderate"))?;
    let var = args.get("secret-env").unwrap_or("SESSION_SECRET");
    let (secret, source) = read_secret(var)?;

    let started = Instant::now();
    let key = Key::derive_with(&secret, &salt, params).map_err(|e| failed(e.to_string()))?;
    let elapsed = started.elapsed();

    println!("key:    {}", key.to_base64());
    println!("key id: {}", key.id());
    println!("secret: {} bytes from {source}", secret.len());
    println!("salt:   {salt_form}");
    println!(
        "argon2id: t={} m={} KiB p={}, took {:.3} s",
        params.t_cost(),
        params.m_cost_kib(),
        params.p_cost(),
        elapsed.as_secs_f64()
    );
    Ok(())
}

/// 16 characters are a text salt; anything else must be base64 of 16 bytes.
fn parse_salt(text: &str) -> Result<(Vec<u8>, String), Failure> {
    if text.len() == SALT_LEN {
        return Ok((
            text.as_bytes().to_vec(),
            format!("16 bytes of text {text:?}"),
        ));
    }
    let decoded = [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text.trim()).ok())
        .ok_or_else(|| {
            usage(format!(
                "--salt is neither 16 characters of text nor base64 (it is {} bytes)",
                text.len()
            ))
        })?;
    if decoded.len() != SALT_LEN {
        return Err(usage(format!(
            "--salt must be 16 characters of text or base64 of 16 bytes; its base64 decodes to {} bytes",
            decoded.len()
        )));
    }
    Ok((decoded, format!("16 bytes from base64 {text:?}")))
}

fn parse_params(text: &str) -> Result<DeriveParams, Failure> {
    match text {
        "interactive" => return Ok(DeriveParams::INTERACTIVE),
        "moderate" => return Ok(DeriveParams::MODERATE),
        "sensitive" => return Ok(DeriveParams::SENSITIVE),
        _ => {}
    }
    let (mut t, mut m, mut p) = (None, None, None);
    for part in text.split(',') {
        let (name, value) = part.split_once('=').ok_or_else(|| bad_params(text))?;
        let value: u32 = value.trim().parse().map_err(|_| bad_params(text))?;
        let slot = match name.trim() {
            "t" => &mut t,
            "m" => &mut m,
            "p" => &mut p,
            _ => return Err(bad_params(text)),
        };
        if slot.replace(value).is_some() {
            return Err(bad_params(text));
        }
    }
    match (t, m, p) {
        (Some(t), Some(m), Some(p)) => Ok(DeriveParams::new(t, m, p)),
        _ => Err(bad_params(text)),
    }
}

fn bad_params(text: &str) -> Failure {
    usage(format!(
        "--params must be interactive, moderate, sensitive or t=<passes>,m=<KiB>,p=<lanes>; got {text:?}"
    ))
}

/// The secret from the environment variable, or else all of standard input.
fn read_secret(var: &str) -> Result<(Zeroizing<Vec<u8>>, String), Failure> {
    if let Some(value) = env::var_os(var) {
        let bytes = Zeroizing::new(value.into_encoded_bytes());
        return Ok((bytes, format!("${var}")));
    }
    let mut input = Zeroizing::new(Vec::new());
    io::stdin().read_to_end(&mut input).map_err(|e| {
        failed(format!(
            "could not read the secret from standard input: {e}"
        ))
    })?;
    // A line typed or piped in ends with a newline that is not part of the secret.
    if input.ends_with(b"\n") {
        input.pop();
        if input.ends_with(b"\r") {
            input.pop();
        }
    }
    if input.is_empty() {
        return Err(failed(format!(
            "no secret: set {var} or pipe the secret to standard input"
        )));
    }
    Ok((input, "standard input".to_owned()))
}

/// The key list from `--keys`, else from `SESSION_KEYS`.
fn key_list(args: &Args) -> Result<KeyRing, Failure> {
    let list = match args.get("keys") {
        Some(list) => Zeroizing::new(list.to_owned()),
        None => Zeroizing::new(env::var("SESSION_KEYS").map_err(|_| {
            usage("no key list: pass --keys or set SESSION_KEYS (comma-separated, newest first)")
        })?),
    };
    KeyRing::from_base64_list(&list).map_err(|e| failed(format!("key list: {e}")))
}

fn rotate(args: &[String]) -> Outcome {
    let args = Args::parse(args, &["keys", "keep"])?;
    args.no_positional()?;
    let current = key_list(&args)?;
    let keep = match args.number("keep")? {
        Some(0) => return Err(usage("--keep must be at least 1")),
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        None => usize::MAX,
    };

    let fresh = Key::generate();
    let kept: Vec<Key> = current
        .keys()
        .take(keep.saturating_sub(1))
        .cloned()
        .collect();
    let dropped: Vec<&Key> = current.keys().skip(kept.len()).collect();
    let rotated = KeyRing::from_keys(std::iter::once(fresh.clone()).chain(kept))
        .map_err(|e| failed(format!("could not build the new list: {e}")))?;
    // The first step of a rolling deploy: every instance learns the new key before any seals
    // with it.
    let learn = KeyRing::from_keys(
        current
            .keys()
            .cloned()
            .chain(std::iter::once(fresh.clone())),
    )
    .map_err(|e| failed(format!("could not build the new list: {e}")))?;

    println!("new key id: {}", fresh.id());
    println!("SESSION_KEYS={}", rotated.to_base64_list());
    println!();
    println!(
        "keys, newest first: {}",
        rotated
            .keys()
            .enumerate()
            .map(|(i, k)| match i {
                0 => format!("{} (new primary)", k.id()),
                _ => format!("{} (opens only)", k.id()),
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !dropped.is_empty() {
        println!(
            "dropped (by --keep {}): {}; sessions they sealed will stop opening",
            rotated.len(),
            dropped
                .iter()
                .map(|k| k.id().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!();
    println!("To deploy:");
    println!(
        "  Set SESSION_KEYS to the list above on every instance. The new key seals from then on;"
    );
    println!("  the others keep opening existing sessions, which are re-sealed with the new key");
    println!("  on their next response. Treat the list as a secret.");
    println!("  With several instances, roll out in two steps so that no instance meets a cookie");
    println!("  sealed by a key it does not hold yet:");
    println!(
        "    1. SESSION_KEYS={}  (new key known, not yet sealing)",
        learn.to_base64_list()
    );
    println!("    2. the list above, once step 1 is everywhere.");
    println!("  Drop a previous key once the absolute session lifetime has passed since step 2.");
    Ok(())
}

fn inspect(args: &[String]) -> Outcome {
    let args = Args::parse(args, &["keys", "now", "max-lifetime"])?;
    let [name, value] = args.positional.as_slice() else {
        return Err(usage("inspect needs a cookie name and a cookie value"));
    };
    let ring = key_list(&args)?;
    let now = args
        .number("now")?
        .unwrap_or_else(|| unix_seconds(std::time::SystemTime::now()));
    // Without --max-lifetime, report the deadline the value itself carries.
    let lifetime = args.number("max-lifetime")?.unwrap_or(u64::MAX);
    let primary = ring.primary().id();
    let sealer = Sealer::new(ring)
        .try_cookie_name(name)
        .map_err(|e| usage(e.to_string()))?
        .max_lifetime(Duration::from_secs(lifetime))
        .leeway(Duration::ZERO);
    let value = value
        .strip_prefix(name.as_str())
        .and_then(|rest| rest.strip_prefix('='))
        .unwrap_or(value);

    let opened = sealer.open_bytes_at(value.trim(), now).map_err(|e| {
        let when = match e {
            OpenError::Expired { expired_at: t }
            | OpenError::NotYetValid { created_at: t }
            | OpenError::Revoked { created_at: t } => format!(" ({})", utc(t)),
            _ => String::new(),
        };
        failed(format!("the value does not open: {e}{when}"))
    })?;

    let key_role = if opened.key_id() == primary {
        "primary".to_owned()
    } else {
        "previous key, not the primary".to_owned()
    };
    println!("opens:        yes (cookie name {name:?}, checked at {now})");
    println!("key id:       {} ({key_role})", opened.key_id());
    println!(
        "created:      {} ({})",
        opened.created_at(),
        utc(opened.created_at())
    );
    println!(
        "expires:      {} ({}), {} from now",
        opened.expires_at(),
        utc(opened.expires_at()),
        span(opened.expires_at().saturating_sub(now))
    );
    println!(
        "needs reseal: {}",
        if opened.needs_reseal() {
            "yes (sealed by a previous key; the server re-seals it with the primary)"
        } else {
            "no"
        }
    );
    println!("payload:      {} bytes", opened.value().len());
    Ok(())
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC`.
fn utc(unix: u64) -> String {
    let days = unix / 86_400;
    let rest = unix % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01 so that leap days fall at the end of each year.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097; // [0, 146096]
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // [0, 399]
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // [0, 365]
    let mp = (5 * day_of_year + 2) / 153; // [0, 11], March first
    let day = day_of_year - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// A duration as `1d 2h 3m 4s`, largest unit first.
fn span(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m {s}s"),
        _ => format!("{d}d {h}h {m}m {s}s"),
    }
}
