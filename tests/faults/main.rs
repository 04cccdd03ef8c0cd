//! Faults over real TCP, against real counter processes on loopback: a rolling key rotation with
//! live traffic, and hostile load. Its own harness (libtest-mimic), so that this binary can also
//! be the server it starts: run with `SEALED_SESSION_FAULTS_SERVE` set, it serves the demo's app.
//! `tests/faults/full.sh` runs the same tests at full size against the release demo.

use std::process::ExitCode;

use libtest_mimic::{Arguments, Trial};

#[path = "../../examples/counter.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "the example's main runs only as the example; each example brings examples/support"
)]
mod counter;

mod hostile_tcp;
mod instance;
mod raw_http;
mod rotation;

fn main() -> ExitCode {
    if instance::serve_requested() {
        return instance::serve();
    }
    let trials = vec![
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
