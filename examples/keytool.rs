//! Key tool for sealed-session: make keys, rotate key lists and inspect cookie values.
//!
//! ```text
//! cargo run --example keytool -- generate
//! SESSION_SECRET=... cargo run --example keytool -- derive --salt mq9hDxBVDbspDR6n
//! SESSION_KEYS=... cargo run --example keytool -- rotate --keep 3
//! SESSION_KEYS=... cargo run --example keytool -- inspect session < cookie.txt
//! ```
//!
//! Secrets, key lists and cookie values are read from the environment or standard input, never
//! from the command line: arguments are visible to every user of the machine (`ps`) and stay in
//! shell history. `inspect` reads the cookie from `SESSION_COOKIE` or standard input, as a bare
//! value, `NAME=VALUE` or a pasted `Set-Cookie` line.
//!
//! Exit status: 0 on success, 1 when the work failed (a value that does not open, a key list
//! that does not parse), 2 for a usage error.

use std::env;
use std::io::{self, IsTerminal as _, Read as _};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use sealed_session::{
    is_valid_cookie_name, CookieExpiry, DeriveParams, Key, KeyRing, OpenError, Sealer, SALT_LEN,
};
use zeroize::Zeroizing;

const USAGE: &str = "\
keytool: manage sealed-session keys and inspect sealed cookies

USAGE:
    cargo run --example keytool -- <COMMAND> [OPTIONS]

Secrets, key lists and cookie values are never taken on the command line, where other users
(ps) and shell history see them: they come from the environment or standard input.

COMMANDS:
    generate
        Print a new random key (standard base64) and its key id.

    derive --salt <SALT> [--params <PARAMS>] [--secret-env <VAR>]
        Derive a key from a secret with Argon2id, the way Key::derive does.
        The secret is read from the environment variable VAR (default SESSION_SECRET) or,
        when that is not set, from standard input (one trailing newline is dropped).
        SALT: exactly 16 characters are used as they are (text salt, as
        @fastify/secure-session takes it); anything else is read as base64 of 16 bytes.
        PARAMS: interactive | moderate (default) | sensitive | t=<passes>,m=<KiB>,p=<lanes>

    rotate [--keep <N>]
        Print a new key list: a fresh key first (it seals), then the current keys (they still
        open). With --keep N the new list holds at most N keys; the oldest are dropped, and
        the output names each one (key id and position) as it stops opening.
        The current list comes from SESSION_KEYS or, when that is not set, standard input.

    inspect [--now <UNIX>] [--max-lifetime <SECONDS>] <NAME>
        Open a cookie value with the key list and report the key that sealed it, when the
        session began and expires, whether it needs re-sealing and its payload size; or why
        it does not open. NAME is the cookie name the value was sealed for.
        The cookie comes from SESSION_COOKIE or, when that is not set, standard input: the
        bare value, NAME=VALUE, or a Set-Cookie line as a browser or curl shows it.
        The key list comes from SESSION_KEYS or, when that is not set, standard input; one of
        the two must be set, since standard input carries only one of them:
            SESSION_KEYS=\"$(cat keys.txt)\" keytool inspect session < cookie.txt
        --now sets the time to check against (default: the system clock); --max-lifetime
        applies the application's absolute lifetime as the server would.

    help
        Print this text.

EXIT STATUS:
    0 success, 1 failure (including a value that does not open), 2 usage error.
";

/// The one-line usage shown with a usage error, by command.
fn short_usage(command: Option<&str>) -> &'static str {
    match command {
        Some("generate") => "usage: keytool generate",
        Some("derive") => {
            "usage: SESSION_SECRET=... keytool derive --salt <SALT> [--params <PARAMS>] [--secret-env <VAR>]"
        }
        Some("rotate") => "usage: SESSION_KEYS=... keytool rotate [--keep <N>]",
        Some("inspect") => {
            "usage: SESSION_KEYS=... keytool inspect [--now <UNIX>] [--max-lifetime <SECONDS>] <NAME> < cookie"
        }
        _ => "usage: keytool <generate | derive | rotate | inspect | help>",
    }
}

/// How a command failed.
enum Failure {
    /// Wrong arguments: print the message and the command's short usage, exit 2.
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
    let command = args.first().map(String::as_str);
    let outcome = match command {
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
            eprintln!(
                "error: {message}\n{}\nRun `keytool help` for more.",
                short_usage(command)
            );
            ExitCode::from(2)
        }
        Err(Failure::Failed(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

/// Options that once took, or could be mistaken to take, a secret: refused with the reason
/// rather than as unknown, so that whoever used them learns where the value goes instead.
const REFUSED_OPTIONS: &[(&str, &str)] = &[
    (
        "keys",
        "--keys is not accepted: a key list on the command line is visible to other users (ps) \
         and stays in shell history; set SESSION_KEYS or pipe the list to standard input",
    ),
    (
        "cookie",
        "--cookie is not accepted: a cookie on the command line is visible to other users (ps) \
         and stays in shell history; set SESSION_COOKIE or pipe it to standard input",
    ),
    (
        "secret",
        "--secret is not accepted: a secret on the command line is visible to other users (ps) \
         and stays in shell history; set SESSION_SECRET or pipe it to standard input",
    ),
];

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
                if let Some((_, why)) = REFUSED_OPTIONS.iter().find(|(n, _)| *n == name) {
                    return Err(usage(*why));
                }
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

    /// Refuse positional arguments without repeating them: one may be a secret typed in the
    /// wrong place, and the error output may be logged.
    fn no_positional(&self) -> Outcome {
        match self.positional.len() {
            0 => Ok(()),
            n => Err(usage(format!(
                "{n} unexpected argument(s), not repeated here; secrets, key lists and cookies \
                 are read from the environment or standard input, never the command line"
            ))),
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

/// The most standard input may hold: far more than a key list, a secret or a cookie (4 KiB) need.
const MAX_STDIN: usize = 64 * 1024;

/// All of standard input, which holds `what`. The buffer is allocated once at full size and
/// wiped when dropped, so no copy of the secret is left in freed memory by a reallocation.
fn read_stdin(what: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        eprintln!("reading {what} from standard input: paste it, then press Enter and Ctrl-D");
    }
    let mut input = Zeroizing::new(Vec::with_capacity(MAX_STDIN + 1));
    stdin
        .lock()
        .take(MAX_STDIN as u64 + 1)
        .read_to_end(&mut input)
        .map_err(|e| failed(format!("could not read {what} from standard input: {e}")))?;
    if input.len() > MAX_STDIN {
        return Err(failed(format!(
            "standard input is over {MAX_STDIN} bytes; it should hold {what} only"
        )));
    }
    Ok(input)
}

/// The secret from the environment variable, or else all of standard input.
fn read_secret(var: &str) -> Result<(Zeroizing<Vec<u8>>, String), Failure> {
    if let Some(value) = env::var_os(var) {
        let bytes = Zeroizing::new(value.into_encoded_bytes());
        return Ok((bytes, format!("${var}")));
    }
    let mut input = read_stdin("the secret")?;
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

/// Text from the environment variable `var`, or else from standard input; `None` when neither
/// holds anything but white space.
fn env_or_stdin(var: &str, what: &str) -> Result<Option<Zeroizing<String>>, Failure> {
    let text = match env::var_os(var) {
        Some(value) => Zeroizing::new(
            value
                .into_string()
                .map_err(|_| failed(format!("{var} is not UTF-8, so it cannot hold {what}")))?,
        ),
        None => {
            let input = read_stdin(what)?;
            let text = std::str::from_utf8(&input).map_err(|_| {
                failed(format!(
                    "standard input is not UTF-8, so it cannot hold {what}"
                ))
            })?;
            Zeroizing::new(text.to_owned())
        }
    };
    Ok((!text.trim().is_empty()).then_some(text))
}

/// The current key list, with the position of each key in the list as written (counted from 1,
/// empty entries included, as key list errors count them).
struct KeyList {
    ring: KeyRing,
    positions: Vec<usize>,
}

/// The key list from `SESSION_KEYS`, else from standard input.
fn key_list() -> Result<KeyList, Failure> {
    let list = env_or_stdin("SESSION_KEYS", "the key list")?.ok_or_else(|| {
        usage(
            "no key list: set SESSION_KEYS or pipe the list to standard input \
             (base64 keys, comma-separated, newest first)",
        )
    })?;
    let ring = KeyRing::from_base64_list(&list).map_err(|e| failed(format!("key list: {e}")))?;
    let positions = list
        .split(',')
        .enumerate()
        .filter(|(_, entry)| !entry.trim().is_empty())
        .map(|(i, _)| i + 1)
        .collect();
    Ok(KeyList { ring, positions })
}

fn rotate(args: &[String]) -> Outcome {
    let args = Args::parse(args, &["keep"])?;
    args.no_positional()?;
    let keep = match args.number("keep")? {
        Some(0) => return Err(usage("--keep must be at least 1")),
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        None => usize::MAX,
    };
    let KeyList {
        ring: current,
        positions,
    } = key_list()?;

    let fresh = Key::generate();
    let kept = current.keys().take(keep.saturating_sub(1)).cloned();
    let rotated = KeyRing::from_keys(std::iter::once(fresh.clone()).chain(kept))
        .map_err(|e| failed(format!("could not build the new list: {e}")))?;
    let dropped: Vec<(usize, &Key)> = positions
        .iter()
        .copied()
        .zip(current.keys())
        .skip(rotated.len() - 1)
        .collect();
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
            "--keep {keep} leaves out {} of the current keys. Where the new list is deployed, \
             these keys stop opening cookies, and every cookie last sealed by one of them fails \
             with UnknownKey:",
            dropped.len()
        );
        for (position, key) in &dropped {
            println!(
                "  stops opening: key id {}, key {position} of the current list",
                key.id()
            );
        }
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

/// The length from which a NAME is taken for a sealed value given in the wrong place: the
/// shortest sealed value is longer than this, and cookie names in use are far shorter.
const NAME_LOOKS_LIKE_VALUE: usize = 80;

fn inspect(args: &[String]) -> Outcome {
    let args = Args::parse(args, &["now", "max-lifetime"])?;
    const ON_ARGV: &str = "the cookie value is read from SESSION_COOKIE or standard input, \
                           never the command line (other users see arguments in ps, and they \
                           stay in shell history)";
    let name = match args.positional.as_slice() {
        [] => return Err(usage("inspect needs the cookie name")),
        [name] => name,
        [_, ..] => {
            return Err(usage(format!(
                "inspect takes the cookie name only; {ON_ARGV}"
            )))
        }
    };
    // Not repeated: what stands in NAME's place may be the cookie itself.
    if name.contains(['=', ';']) || name.len() >= NAME_LOOKS_LIKE_VALUE {
        return Err(usage(format!(
            "NAME looks like a cookie value, not a cookie name; {ON_ARGV}"
        )));
    }
    if !is_valid_cookie_name(name) {
        return Err(usage(format!("{name:?} is not a valid cookie name")));
    }
    let now = args.number("now")?.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs())
    });
    // Without --max-lifetime, report the deadline the value itself carries.
    let lifetime = args.number("max-lifetime")?.unwrap_or(u64::MAX);
    if env::var_os("SESSION_KEYS").is_none() && env::var_os("SESSION_COOKIE").is_none() {
        return Err(usage(
            "inspect needs the key list and the cookie, and standard input can carry only one: \
             set SESSION_KEYS and pipe the cookie in \
             (SESSION_KEYS=\"$(cat keys.txt)\" keytool inspect NAME < cookie.txt), \
             or set SESSION_COOKIE and pipe the key list in",
        ));
    }
    let ring = key_list()?.ring;
    let cookie = env_or_stdin("SESSION_COOKIE", "the cookie")?.ok_or_else(|| {
        usage("no cookie: set SESSION_COOKIE or pipe the cookie to standard input")
    })?;
    let value = cookie_value(&cookie, name)?;

    let primary = ring.primary().id();
    let sealer = Sealer::new(ring)
        .try_cookie_name(name)
        .map_err(|e| usage(e.to_string()))?
        .max_lifetime(Duration::from_secs(lifetime))
        .leeway(Duration::ZERO);
    let opened = sealer.open_bytes_at(value, now).map_err(|e| {
        let why = match e {
            OpenError::Expired { expired_at: t }
            | OpenError::NotYetValid { created_at: t }
            | OpenError::Revoked { created_at: t } => format!(" ({})", utc(t)),
            // The cookie name is authenticated with the value: a value opened under another
            // name fails exactly as a changed one does.
            OpenError::Unauthenticated => format!(
                ": it was changed or cut short, or it was sealed for another cookie name \
                 than {name:?}"
            ),
            _ => String::new(),
        };
        failed(format!("the value does not open: {e}{why}"))
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
    println!("codec:        {}", codec_name(opened.codec_id()));
    println!(
        "cookie:       {}",
        match opened.cookie_expiry() {
            None => "the layer's default lifetime".to_owned(),
            Some(CookieExpiry::BrowserSession) => "a browser-session cookie".to_owned(),
            Some(CookieExpiry::UntilSessionExpires) => {
                "kept until the session expires (remember me)".to_owned()
            }
            Some(CookieExpiry::MaxAge(age)) => format!("kept for {}", span(age.as_secs())),
            Some(other) => format!("{other:?}"),
        }
    );
    println!("payload:      {} bytes", opened.value().len());
    Ok(())
}

/// The codec a value's header names, by its id (`Codec::ID`).
fn codec_name(id: u8) -> String {
    use sealed_session::{Codec, Postcard};
    let builtin = [(1, "bincode"), (Postcard::ID, Postcard::NAME), (3, "json")];
    match builtin.iter().find(|(builtin, _)| *builtin == id) {
        Some((_, name)) => format!("{name} (id {id})"),
        None if id >= 128 => format!("an application's own codec (id {id})"),
        None => format!("unknown (id {id}, reserved)"),
    }
}

/// The sealed value in `input`: a bare value, `NAME=VALUE`, or a `Set-Cookie` line with or
/// without its header name (`Set-Cookie: NAME=VALUE; HttpOnly; ...`). Errors never repeat the
/// value.
fn cookie_value<'a>(input: &'a str, name: &str) -> Result<&'a str, Failure> {
    let mut lines = input.lines().map(str::trim).filter(|l| !l.is_empty());
    let (Some(line), None) = (lines.next(), lines.next()) else {
        return Err(failed(
            "the cookie input holds more than one line; give one value or one Set-Cookie line",
        ));
    };
    const HEADER: &str = "set-cookie:";
    let line = match line.get(..HEADER.len()) {
        Some(head) if head.eq_ignore_ascii_case(HEADER) => line[HEADER.len()..].trim_start(),
        _ => line,
    };
    // Attributes (`; Path=/; HttpOnly`) follow the first `;`.
    let pair = line.split(';').next().unwrap_or_default().trim();
    // A sealed value is base64url without padding, so an `=` can only end a cookie name.
    let value = match pair.split_once('=') {
        Some((given, value)) if given.trim() == name => value,
        Some((given, _)) => {
            let given = given.trim();
            return Err(failed(if is_valid_cookie_name(given) {
                format!("the cookie given is named {given:?}, not {name:?}")
            } else {
                format!("the cookie given is not named {name:?}")
            }));
        }
        None => pair,
    };
    // RFC 6265 allows a value in double quotes; the quotes are not part of it.
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    if value.is_empty() {
        return Err(failed("the cookie given has an empty value"));
    }
    Ok(value)
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
