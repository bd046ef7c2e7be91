//! Where Argon2 runs: a `WorkPool` of its own with a short queue, never the
//! blocking pool that database work uses.
//!
//! One Argon2 hash costs 19 MiB and tens of milliseconds of CPU by design.
//! On the shared blocking pool, 48 concurrent failing sign-ins (no account
//! needed) held every thread that database reads wait for: other readers'
//! p50 went from 3 ms to 1.6 s. Here at most `threads` hashes run at once,
//! at a lower CPU priority than the workers, and at most `queue` wait; past
//! that a caller is told at once to come back (503 with `Retry-After`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::auth::password;
use crate::error::ApiError;
use crate::work_pool::WorkPool;

pub struct PasswordWork {
    pool: WorkPool,
    verifications: Arc<AtomicU64>,
}

impl PasswordWork {
    /// Starts `threads` hashing threads (at least one) with room for
    /// `queue` waiting jobs.
    pub fn start(threads: usize, queue: usize) -> Self {
        Self {
            pool: WorkPool::start("argon2", threads, queue),
            verifications: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Whether a job would be taken now. A sign-in asks before it does any
    /// database work, so that a storm of sign-ins past capacity costs a
    /// refusal each, not a throttle write (which held up other readers'
    /// database work). The queue itself stays the bound.
    pub fn has_room(&self) -> bool {
        self.pool.has_room()
    }

    /// The refusal for a full queue: 503 with `Retry-After`.
    pub fn busy() -> ApiError {
        WorkPool::busy()
    }

    /// As many hashing threads as the machine has cores less one (the
    /// workers keep a core), with a queue of eight per thread.
    pub fn for_this_machine(configured_threads: Option<usize>) -> Self {
        let threads = WorkPool::threads_for_this_machine(configured_threads);
        Self::start(threads, threads * 8)
    }

    pub fn threads(&self) -> usize {
        self.pool.threads()
    }

    /// Passwords checked against a stored hash since start.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// Whether `given` matches `stored` (a malformed hash never matches).
    pub async fn verify(&self, given: String, stored: String) -> Result<bool, ApiError> {
        let verifications = Arc::clone(&self.verifications);
        self.pool
            .run(move || {
                verifications.fetch_add(1, Ordering::Relaxed);
                password::verify(&given, &stored)
            })
            .await
    }

    /// A PHC string for `plain`.
    pub async fn hash(&self, plain: String) -> Result<String, ApiError> {
        self.pool.run(move || password::hash(&plain)).await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn verifies_and_counts_and_refuses_past_its_queue() {
        let work = PasswordWork::start(1, 1);
        let stored = work.hash("une phrase de passe".to_owned()).await.unwrap();
        assert!(
            work.verify("une phrase de passe".to_owned(), stored.clone())
                .await
                .unwrap()
        );
        assert!(!work.verify("autre chose".to_owned(), stored).await.unwrap());
        assert_eq!(work.verifications(), 2);

        // One job runs, one waits, the rest are refused at once.
        let jobs: Vec<_> = (0..6)
            .map(|_| work.hash("une phrase de passe".to_owned()))
            .collect();
        let results = futures_util::future::join_all(jobs).await;
        let busy = results
            .iter()
            .filter(|r| matches!(r, Err(ApiError::Busy { .. })))
            .count();
        assert!(busy >= 4, "{busy} of 6 refused");
        assert!(results.iter().any(Result::is_ok));
        // Every job has settled: there is room again.
        assert!(work.has_room());
    }
}
