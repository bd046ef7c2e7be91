//! A few threads of their own with a short queue, for CPU-heavy work that
//! must neither run on the async workers nor hold the blocking pool that
//! database work waits for: Argon2 (`auth::password_work`) and image
//! processing (`content::media`). At most `threads` jobs run at once, at a
//! lower CPU priority than the workers, and at most `queue` wait; past that
//! a caller is told at once to come back (503 with `Retry-After`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use crate::error::ApiError;

type Job = Box<dyn FnOnce() + Send>;

/// Seconds a caller refused for a full queue is told to wait.
const BUSY_RETRY_AFTER_SECONDS: u64 = 1;

/// Niceness of the pool's threads: when the CPU is short, requests that
/// read content come first.
#[cfg(target_os = "linux")]
const NICENESS: i32 = 10;

pub struct WorkPool {
    name: &'static str,
    jobs: SyncSender<Job>,
    threads: usize,
    /// Jobs queued or running, and how many may be.
    in_flight: Arc<AtomicUsize>,
    capacity: usize,
}

impl WorkPool {
    /// Starts `threads` threads (at least one) named `name-N`, with room
    /// for `queue` waiting jobs.
    pub fn start(name: &'static str, threads: usize, queue: usize) -> Self {
        let threads = threads.max(1);
        let (jobs, receiver) = sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("{name}-{n}"))
                .spawn(move || run_jobs(&receiver));
            if let Err(e) = spawned {
                tracing::error!(error = %e, pool = name, "could not start a work pool thread");
            }
        }
        Self {
            name,
            jobs,
            threads,
            in_flight: Arc::new(AtomicUsize::new(0)),
            capacity: threads + queue,
        }
    }

    /// The machine's cores less one (the async workers keep a core), or
    /// `configured`.
    pub fn threads_for_this_machine(configured: Option<usize>) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        configured.unwrap_or(cores.saturating_sub(1).max(1))
    }

    /// Whether a job would be taken now; callers ask before doing work
    /// that a refusal would waste. The queue itself stays the bound.
    pub fn has_room(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) < self.capacity
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The refusal for a full queue: 503 with `Retry-After`.
    pub fn busy() -> ApiError {
        ApiError::Busy {
            retry_after_seconds: BUSY_RETRY_AFTER_SECONDS,
        }
    }

    pub async fn run<T: Send + 'static>(
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
                return Err(ApiError::Internal(format!(
                    "no {} thread is running",
                    self.name
                )));
            }
        }
        result
            .await
            .map_err(|_| ApiError::Internal(format!("a {} job was dropped", self.name)))
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
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, NICENESS)
    };
    if result != 0 {
        tracing::debug!("could not lower the priority of a work pool thread");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_threads_priority() {}
