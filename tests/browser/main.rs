//! A real headless Chromium, with its own cookie jar, against real servers on loopback: the
//! demo counter, a chunked session, cookies planted from another host name, CSRF, and the login
//! example.
//!
//! Its own harness (libtest-mimic), so that without a browser the tests are reported as ignored
//! in the test summary, with the reason printed before it; under `CI=true` they run and fail
//! instead. `.ci/install-browser` installs Debian's chromium and chromium-driver.

use std::future::Future;
use std::process::ExitCode;

use libtest_mimic::{Arguments, Failed, Trial};

// The examples are compiled in as modules so that the tests drive the exact code they show;
// each brings its own copy of `examples/support`.
#[path = "../../examples/counter.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "the example's main runs only as the example; each example brings examples/support"
)]
mod counter;
#[path = "../../examples/login.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "the example's main runs only as the example; each example brings examples/support"
)]
mod login;

mod counting;
mod csrf;
mod driver;
mod jar;
mod sign_in;

/// Runs one test on a runtime of its own.
fn run(test: impl Future<Output = Result<(), String>>) -> Result<(), Failed> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failed::from(e.to_string()))?
        .block_on(test)
        .map_err(Failed::from)
}

macro_rules! trials {
    ($($module:ident :: $test:ident),* $(,)?) => {
        vec![$(Trial::test(concat!(stringify!($module), "::", stringify!($test)), || {
            run($module::$test())
        })),*]
    };
}

fn main() -> ExitCode {
    let missing = driver::missing();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    match &missing {
        Some(why) if ci => eprintln!("browser tests: under CI=true they run and fail: {why}"),
        Some(why) => println!("browser tests ignored: {why}"),
        None => {}
    }
    let ignore = missing.is_some() && !ci;
    let trials = trials![
        counting::chromium_counts_one_two_three_on_127_0_0_1_and_localhost_and_cannot_read_the_cookie,
        jar::chromiums_jar_holds_every_chunk_then_none_stale_then_none,
        jar::cookies_planted_from_another_loopback_host_do_not_change_the_session,
        csrf::chromium_is_refused_a_form_posted_from_another_origin_and_sends_the_apps_own,
        sign_in::chromium_signs_in_to_the_login_example_sees_its_flash_once_and_signs_out,
    ]
    .into_iter()
    .map(|trial| trial.with_ignored_flag(ignore))
    .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit_code()
}
