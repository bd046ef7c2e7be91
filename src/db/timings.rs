//! Where the database's share of a request goes, as histograms on
//! `/metrics` (`cms_db_phase_seconds`): the wait for a blocking thread
//! (actix runs database work off the async workers, with a cap per
//! worker), the wait for a pooled connection, and the work on it (queries,
//! and turning rows into values). A tail in the response times shows in
//! one of them, or in none (then it is outside the database: the async
//! worker, serialisation, the network).

use crate::metrics::Histogram;

#[derive(Default)]
pub struct Timings {
    pub blocking_wait: Histogram,
    pub pool_wait: Histogram,
    pub work: Histogram,
}

impl Timings {
    /// Each histogram with its `phase` label.
    pub fn phases(&self) -> [(&'static str, &Histogram); 3] {
        [
            ("blocking_wait", &self.blocking_wait),
            ("pool_wait", &self.pool_wait),
            ("work", &self.work),
        ]
    }
}
