//! Log output: `RUST_LOG` filters (default `info`), one line per event,
//! as text (colours only on a terminal) or, with `CMS_LOG_FORMAT=json`, as
//! one JSON object per line for a log shipper.
//!
//! A client that sends malformed HTTP (a bad request line, headers over the
//! limit, a connection dropped mid-request) made actix-http log an ERROR
//! from its connection dispatcher: noise from the network, which buried the
//! server's own errors and paged operators for nothing. Those events are
//! shown only when the filter lets debug events through, as if they had
//! been logged at DEBUG. This is a directive of the one global filter: a
//! per-layer filter would have cost every request (about a tenth of the
//! cached reads' throughput), and a directive costs nothing once its
//! callsites are known.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// Where actix-http reports a client's malformed or broken connection.
const CLIENT_CONNECTION_NOISE: &str = "actix_http::h1::dispatcher";

fn filter() -> EnvFilter {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let debug_shown = filter
        .max_level_hint()
        .is_some_and(|max| max >= LevelFilter::DEBUG);
    if debug_shown {
        return filter;
    }
    match format!("{CLIENT_CONNECTION_NOISE}=off").parse() {
        Ok(directive) => filter.add_directive(directive),
        Err(_) => filter,
    }
}

/// How log lines are written (`CMS_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `text` (the default) or `json`; anything else is refused, naming
    /// the variable, before anything is logged.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var("CMS_LOG_FORMAT").ok().as_deref() {
            None | Some("" | "text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(format!(
                "CMS_LOG_FORMAT must be `text` or `json`, not `{other}`"
            )),
        }
    }
}

/// Installs the global subscriber; a second call (tests) is a no-op.
/// Colour codes are written only when standard output is a terminal: in a
/// file, a pipe or journald they are noise.
pub fn init(format: LogFormat) {
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stdout().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// Milliseconds for a log field, to the hundredth: `0.35`, not
/// `0.349817`.
pub fn rounded_ms(elapsed: std::time::Duration) -> f64 {
    (elapsed.as_secs_f64() * 100_000.0).round() / 100.0
}

/// For tests: the same filter, written through the test harness's capture so
/// that only failing tests show their logs.
pub fn init_for_tests() {
    // The tests' HTTP client shares the build's rustls, which has no
    // default crypto provider (see `storage::s3::install_tls_provider`).
    crate::storage::s3::install_tls_provider();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_target(false)
        .with_test_writer()
        .try_init();
}
