//! `GET /metrics`: Prometheus text exposition of request counts and
//! latencies and of the database pool, for scraping by the operator.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::{HttpResponse, get, web};

use crate::state::AppState;

/// Counters shared by every worker; plain atomics, no locks on the hot path.
pub struct Metrics {
    started: Instant,
    /// Responses by status class: index 0 is 1xx … index 4 is 5xx.
    responses: [AtomicU64; 5],
    duration_micros: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            responses: Default::default(),
            duration_micros: AtomicU64::new(0),
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

    fn render(&self, state: &AppState, jobs: Option<crate::jobs::Counts>) -> String {
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

/// Prometheus metrics (text exposition format 0.0.4).
#[utoipa::path(
    tag = "service",
    operation_id = "get_metrics",
    responses((status = 200, description = "Metrics in Prometheus text format",
               body = String, content_type = "text/plain; version=0.0.4"))
)]
#[get("/metrics")]
pub async fn serve(state: web::Data<AppState>, metrics: web::Data<Metrics>) -> HttpResponse {
    let jobs = state.db.read(crate::jobs::counts).await.ok();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(metrics.render(&state, jobs))
}
