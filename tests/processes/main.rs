//! Real server processes on loopback: the examples' own binaries, and counters with key lists of
//! their own under faults over real TCP (a rolling key rotation with live traffic, hostile
//! load).
//!
//! Its own harness (libtest-mimic), so that this binary can also be the server it starts (run
//! with `SEALED_SESSION_FAULTS_SERVE` set, it serves the demo's app), and so that a test whose
//! example binary was not built (`cargo test --test processes` alone builds none) is reported
//! as ignored in the summary; under `CI=true` it runs and fails instead.
//! `tests/processes/full.sh` runs the fault tests at full size against the release demo.

use std::process::ExitCode;

use libtest_mimic::{Arguments, Trial};

#[path = "../../examples/counter.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "the example's main runs only as the example; each example brings examples/support"
)]
mod counter;
// The examples' start-up, which serve mode runs as the demo does.
#[path = "../../examples/support/mod.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "serve mode uses part of it; the counter example brings its own copy"
)]
mod support;

mod examples;
mod hostile_tcp;
mod instance;
mod raw_http;
mod rotation;

fn main() -> ExitCode {
    if instance::serve_requested() {
        return instance::serve();
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let example =
        |name: &str,
         binary: &str,
         test: fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>| {
            let missing = examples::example_binary(binary).is_none();
            if missing && !ci {
                println!("{name} ignored: examples/{binary} was not built (`cargo test` builds the examples)");
            }
            Trial::test(name, move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime")
                    .block_on(test());
                Ok(())
            })
            .with_ignored_flag(missing && !ci)
        };
    let trials = vec![
        example(
            "examples::the_counter_binary_serves_the_demo",
            "counter",
            || Box::pin(examples::the_counter_binary_serves_the_demo()),
        ),
        example(
            "examples::the_hyper_example_keeps_a_session_without_a_framework",
            "hyper",
            || Box::pin(examples::the_hyper_example_keeps_a_session_without_a_framework()),
        ),
        Trial::test(
            "rotation::rolling_rotation_with_live_traffic_loses_no_session",
            rotation::rolling_rotation_loses_no_session,
        ),
        Trial::test(
            "rotation::new_key_first_on_one_instance_loses_sessions",
            rotation::new_key_first_on_one_instance_loses_sessions,
        ),
        Trial::test(
            "hostile_tcp::hostile_load_over_tcp_breaks_nothing",
            hostile_tcp::hostile_load_over_tcp_breaks_nothing,
        ),
    ];
    libtest_mimic::run(&Arguments::from_args(), trials).exit_code()
}
