//! Where Argon2 runs: a few threads of its own with a short queue, never the
//! blocking pool that database work uses.
//!
//! One Argon2 hash costs 19 MiB and tens of milliseconds of CPU by design.
//! On the shared blocking pool, 48 concurrent failing sign-ins (no account
//! needed) held every thread that database reads wait for: other readers'
//! p50 went from 3 ms to 1.6 s. Here at most `threads` hashes run at once,
//! at a lower CPU priority than the workers, and at most `queue` wait; past
//! that a caller is told at once to come back (503 with `Retry-After`).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use crate::auth::password;
use crate::error::ApiError;

type Job = Box<dyn FnOnce() + Send>;

/// Seconds a caller refused for a full queue is told to wait: the queue
/// drains in well under that.
const BUSY_RETRY_AFTER_SECONDS: u64 = 1;

/// Niceness of the hashing threads: when the CPU is short, requests that
/// read content come before sign-ins.
#[cfg(target_os = "linux")]
const HASHING_NICENESS: i32 = 10;

pub struct PasswordWork {
    jobs: SyncSender<Job>,
    verifications: Arc<AtomicU64>,
    threads: usize,
    /// Jobs queued or running, and how many may be.
    in_flight: Arc<AtomicUsize>,
    capacity: usize,
}

impl PasswordWork {
    /// Starts `threads` hashing threads (at least one) with room for
    /// `queue` waiting jobs.
    pub fn start(threads: usize, queue: usize) -> Self {
        let threads = threads.max(1);
        let (jobs, receiver) = sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || run_jobs(&receiver));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        Self {
            jobs,
            verifications: Arc::new(AtomicU64::new(0)),
            threads,
            in_flight: Arc::new(AtomicUsize::new(0)),
            capacity: threads + queue,
        }
    }

    /// Whether a job would be taken now. A sign-in asks before it does any
    /// database work, so that a storm of sign-ins past capacity costs a
    /// refusal each, not a throttle write (which held up other readers'
    /// database work). The queue itself stays the bound (`run`).
    pub fn has_room(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) < self.capacity
    }

    /// The refusal for a full queue: 503 with `Retry-After`.
    pub fn busy() -> ApiError {
        ApiError::Busy {
            retry_after_seconds: BUSY_RETRY_AFTER_SECONDS,
        }
    }

    /// As many hashing threads as the machine has cores less one (the
    /// workers keep a core), with a queue of eight per thread.
    pub fn for_this_machine(configured_threads: Option<usize>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let threads = configured_threads.unwrap_or(cores.saturating_sub(1).max(1));
        Self::start(threads, threads * 8)
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Passwords checked against a stored hash since start.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// Whether `given` matches `stored` (a malformed hash never matches).
    pub async fn verify(&self, given: String, stored: String) -> Result<bool, ApiError> {
        let verifications = Arc::clone(&self.verifications);
        self.run(move || {
            verifications.fetch_add(1, Ordering::Relaxed);
            password::verify(&given, &stored)
        })
        .await
    }

    /// A PHC string for `plain`.
    pub async fn hash(&self, plain: String) -> Result<String, ApiError> {
        self.run(move || password::hash(&plain)).await?
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let in_flight = Arc::clone(&self.in_flight);
        in_flight.fetch_add(1, Ordering::Relaxed);
        let finished = Arc::clone(&in_flight);
        let job: Job = Box::new(move || {
            // The caller may have gone (a closed connection); nothing to tell.
            let _ = done.send(f());
            finished.fetch_sub(1, Ordering::Relaxed);
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                in_flight.fetch_sub(1, Ordering::Relaxed);
                return Err(Self::busy());
            }
            Err(TrySendError::Disconnected(_)) => {
                in_flight.fetch_sub(1, Ordering::Relaxed);
                return Err(ApiError::Internal(
                    "no password hashing thread is running".to_owned(),
                ));
            }
        }
        result
            .await
            .map_err(|_| ApiError::Internal("a password hashing job was dropped".to_owned()))
    }
}

fn run_jobs(receiver: &Mutex<Receiver<Job>>) {
    lower_this_threads_priority();
    loop {
        // The lock is held only while waiting for the next job.
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        match job {
            Ok(job) => job(),
            // Every sender is gone: the server is shutting down.
            Err(_) => return,
        }
    }
}

#[cfg(target_os = "linux")]
fn lower_this_threads_priority() {
    // On Linux, niceness is per thread: PRIO_PROCESS with a thread id sets
    // that thread's alone.
    // SAFETY: gettid and setpriority take no pointers and cannot fail in a
    // way that breaks memory safety.
    let result = unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, HASHING_NICENESS)
    };
    if result != 0 {
        tracing::debug!("could not lower the priority of a password hashing thread");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_threads_priority() {}

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
