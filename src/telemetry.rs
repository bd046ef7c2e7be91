//! Log output: `RUST_LOG` filters (default `info`), one line per event.
//!
//! A client that sends malformed HTTP (a bad request line, headers over the
//! limit, a connection dropped mid-request) made actix-http log an ERROR
//! from its connection dispatcher: noise from the network, which buried the
//! server's own errors and paged operators for nothing. Those events are
//! shown only when the filter lets debug events through, as if they had
//! been logged at DEBUG.

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{EnvFilter, LevelFilter, filter_fn};
use tracing_subscriber::prelude::*;

/// Where actix-http reports a client's malformed or broken connection.
const CLIENT_CONNECTION_NOISE: &str = "actix_http::h1::dispatcher";

fn is_client_noise(meta: &Metadata<'_>) -> bool {
    meta.target() == CLIENT_CONNECTION_NOISE && *meta.level() <= Level::WARN
}

fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Installs the global subscriber; a second call (tests) is a no-op.
pub fn init() {
    let filter = filter();
    let noise_shown = filter
        .max_level_hint()
        .is_some_and(|max| max >= LevelFilter::DEBUG);
    let layer = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_filter(filter)
        .with_filter(filter_fn(move |meta| noise_shown || !is_client_noise(meta)));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// For tests: the same filter, written through the test harness's capture so
/// that only failing tests show their logs.
pub fn init_for_tests() {
    let filter = filter();
    let noise_shown = filter
        .max_level_hint()
        .is_some_and(|max| max >= LevelFilter::DEBUG);
    let layer = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_test_writer()
        .with_filter(filter)
        .with_filter(filter_fn(move |meta| noise_shown || !is_client_noise(meta)));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}
