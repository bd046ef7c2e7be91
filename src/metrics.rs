//! `GET /metrics`: Prometheus text exposition of request counts and
//! latencies and of the database pool, for scraping by the operator.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::error::ApiError;
use crate::state::AppState;

/// Upper bounds of the latency buckets, in seconds: from a pool checkout
/// or a cached read (well under a millisecond) to a slow upload.
const BUCKETS: [f64; 14] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// A latency histogram: a count per bucket (not cumulative; summed when
/// rendered), the total count and the sum.
#[derive(Default)]
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn record(&self, elapsed: std::time::Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Its `_bucket`, `_sum` and `_count` lines under `name` with `labels`
    /// (already escaped, without braces).
    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {count}");
    }
}

/// One route's histograms, held by the response cache's entries so that a
/// hit (which never reaches the router) is counted under its route with
/// three atomic additions.
#[derive(Clone)]
pub struct RouteMetrics(Arc<RouteHistograms>);

impl RouteMetrics {
    pub fn record_get(&self, elapsed: std::time::Duration) {
        self.0[0].record(elapsed);
    }
}

/// What a request is counted under when no route matched.
const UNMATCHED: &str = "unmatched";

/// The methods counted apart; others count as the last.
const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER",
];

/// A route's histograms, one per method.
type RouteHistograms = [Histogram; METHODS.len()];

/// Counters shared by every worker; plain atomics, no locks on the hot path.
pub struct Metrics {
    started: Instant,
    /// Responses by status class: index 0 is 1xx … index 4 is 5xx.
    responses: [AtomicU64; 5],
    duration_micros: AtomicU64,
    /// Per method and route pattern; the patterns are the routes', so the
    /// map stays small. Read-locked on the hot path, written once per
    /// route.
    routes: RwLock<HashMap<String, Arc<RouteHistograms>>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            responses: Default::default(),
            duration_micros: AtomicU64::new(0),
            routes: RwLock::default(),
        }
    }
}

impl Metrics {
    pub fn record(&self, status: u16, elapsed: std::time::Duration) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.responses[class].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.duration_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Counts a response to `method` on `route` (a pattern; `None` when no
    /// route matched) in that route's latency histogram.
    pub fn record_route(&self, method: &str, route: Option<&str>, elapsed: std::time::Duration) {
        let method = METHODS
            .iter()
            .position(|m| *m == method)
            .unwrap_or(METHODS.len() - 1);
        if let Some(histograms) = self.route(route) {
            histograms.0[method].record(elapsed);
        }
    }

    /// `route`'s histograms (`None` only if the lock was poisoned). No
    /// allocation once a route has been seen.
    pub fn route(&self, route: Option<&str>) -> Option<RouteMetrics> {
        let route = route.unwrap_or(UNMATCHED);
        let found = self
            .routes
            .read()
            .ok()
            .and_then(|routes| routes.get(route).map(Arc::clone));
        let histograms = match found {
            Some(histograms) => histograms,
            None => Arc::clone(
                self.routes
                    .write()
                    .ok()?
                    .entry(route.to_owned())
                    .or_default(),
            ),
        };
        Some(RouteMetrics(histograms))
    }

    fn render_routes(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP cms_http_request_duration_seconds Time spent serving requests, by route."
        );
        let _ = writeln!(out, "# TYPE cms_http_request_duration_seconds histogram");
        let Ok(routes) = self.routes.read() else {
            return;
        };
        let mut sorted: Vec<_> = routes.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let seen = sorted.into_iter().flat_map(|(route, histograms)| {
            METHODS
                .iter()
                .zip(histograms.iter())
                .filter(|(_, h)| h.count.load(Ordering::Relaxed) > 0)
                .map(move |(method, h)| (method, route, h))
        });
        for (method, route, histogram) in seen {
            let labels = format!(
                "method=\"{}\",route=\"{}\"",
                escape_label(method),
                escape_label(route)
            );
            histogram.render(out, "cms_http_request_duration_seconds", &labels);
        }
    }

    fn render(
        &self,
        state: &AppState,
        cache: Option<crate::http::response_cache::CacheCounts>,
        jobs: Option<crate::jobs::Counts>,
    ) -> String {
        let mut out = String::with_capacity(1024);
        let total: u64 = self
            .responses
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum();
        let _ = writeln!(
            out,
            "# HELP cms_http_responses_total HTTP responses by status class."
        );
        let _ = writeln!(out, "# TYPE cms_http_responses_total counter");
        for (i, counter) in self.responses.iter().enumerate() {
            let _ = writeln!(
                out,
                "cms_http_responses_total{{class=\"{}xx\"}} {}",
                i + 1,
                counter.load(Ordering::Relaxed)
            );
        }
        let seconds = self.duration_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "# HELP cms_http_response_seconds Time spent serving responses."
        );
        let _ = writeln!(out, "# TYPE cms_http_response_seconds summary");
        let _ = writeln!(out, "cms_http_response_seconds_sum {seconds}");
        let _ = writeln!(out, "cms_http_response_seconds_count {total}");
        self.render_routes(&mut out);
        if let Some(cache) = cache {
            let _ = writeln!(
                out,
                "# HELP cms_response_cache_requests_total Public reads the response cache saw: answered from memory (hit), computed (miss), or answered with the last good copy while the database was unreachable (stale)."
            );
            let _ = writeln!(out, "# TYPE cms_response_cache_requests_total counter");
            for (result, n) in [
                ("hit", cache.hits),
                ("miss", cache.misses),
                ("stale", cache.stale),
            ] {
                let _ = writeln!(
                    out,
                    "cms_response_cache_requests_total{{result=\"{result}\"}} {n}"
                );
            }
        }
        let pool = state.db.pool_state();
        let _ = writeln!(
            out,
            "# HELP cms_db_connections Database connections held by the pool."
        );
        let _ = writeln!(out, "# TYPE cms_db_connections gauge");
        let _ = writeln!(
            out,
            "cms_db_connections{{state=\"idle\"}} {}",
            pool.idle_connections
        );
        let _ = writeln!(
            out,
            "cms_db_connections{{state=\"busy\"}} {}",
            pool.connections.saturating_sub(pool.idle_connections)
        );
        let timings = state.db.timings();
        let _ = writeln!(
            out,
            "# HELP cms_db_phase_seconds Where a database read or write spends its time: waiting for a blocking thread, waiting for a pooled connection, running its queries on it."
        );
        let _ = writeln!(out, "# TYPE cms_db_phase_seconds histogram");
        for (phase, histogram) in timings.phases() {
            histogram.render(
                &mut out,
                "cms_db_phase_seconds",
                &format!("phase=\"{phase}\""),
            );
        }
        let _ = writeln!(
            out,
            "# HELP cms_password_verifications_total Passwords checked against a stored hash."
        );
        let _ = writeln!(out, "# TYPE cms_password_verifications_total counter");
        let _ = writeln!(
            out,
            "cms_password_verifications_total {}",
            state.passwords.verifications()
        );
        let _ = writeln!(
            out,
            "# HELP cms_uptime_seconds Seconds since the process started serving."
        );
        let _ = writeln!(out, "# TYPE cms_uptime_seconds gauge");
        let _ = writeln!(
            out,
            "cms_uptime_seconds {}",
            self.started.elapsed().as_secs()
        );
        // Left out when the database cannot say: the rest still helps.
        if let Some(jobs) = jobs {
            let _ = writeln!(
                out,
                "# HELP cms_jobs Background jobs in the queue: waiting, or dead after their last attempt."
            );
            let _ = writeln!(out, "# TYPE cms_jobs gauge");
            let _ = writeln!(out, "cms_jobs{{state=\"waiting\"}} {}", jobs.waiting);
            let _ = writeln!(out, "cms_jobs{{state=\"dead\"}} {}", jobs.dead);
        }
        out
    }
}

/// A Prometheus label value: backslash, quote and line feed escaped.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Whether `req` carries the metrics token, or none is required. Compared
/// through digests in constant time: how long a refusal takes says
/// nothing about how much of the token was right.
fn scraper_allowed(req: &HttpRequest, token: Option<&str>) -> bool {
    use sha2::{Digest, Sha256};
    let Some(token) = token else {
        return true;
    };
    let Some(given) = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let (a, b) = (
        Sha256::digest(given.trim().as_bytes()),
        Sha256::digest(token.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Prometheus metrics (text exposition format 0.0.4).
///
/// Open unless `CMS_METRICS_TOKEN` is set; then only a scraper sending it
/// as `Authorization: Bearer <token>` reads them (Prometheus:
/// `authorization: {credentials: …}`).
#[utoipa::path(
    tag = "service",
    operation_id = "get_metrics",
    responses(
        (status = 200, description = "Metrics in Prometheus text format",
         body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "`CMS_METRICS_TOKEN` is set and was not sent",
         body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    cache: Option<web::Data<crate::http::response_cache::ResponseCache>>,
) -> Result<HttpResponse, ApiError> {
    if !scraper_allowed(&req, state.config.metrics_token.as_deref()) {
        return Err(ApiError::Unauthorized(
            "the metrics need the token set in CMS_METRICS_TOKEN, as a bearer token".to_owned(),
        ));
    }
    let jobs = state.db.read(crate::jobs::counts).await.ok();
    let cache = cache.map(|c| c.counts());
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(metrics.render(&state, cache, jobs)))
}
