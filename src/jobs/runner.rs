//! The workers: a few threads per process that claim due jobs and run
//! their handlers, and otherwise sleep until the next job is due or a
//! `Signal` says one was enqueued or the clock jumped.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::NaiveDateTime;

use super::{Job, Signal, claim, complete, fail};
use crate::clock::Clock;
use crate::db::{Db, Tx};
use crate::error::ApiError;

/// What a job of one kind does, in the transaction that also completes it.
/// A closure, so that a handler can hold what it works with (the media
/// store).
pub type Handler =
    Arc<dyn Fn(&mut Tx<'_>, &Job, NaiveDateTime) -> Result<(), ApiError> + Send + Sync>;

/// The handler of each job kind.
#[derive(Clone, Default)]
pub struct Handlers(HashMap<&'static str, Handler>);

impl Handlers {
    pub fn with(
        mut self,
        kind: &'static str,
        handler: impl Fn(&mut Tx<'_>, &Job, NaiveDateTime) -> Result<(), ApiError>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.0.insert(kind, Arc::new(handler));
        self
    }

    /// Every kind the service enqueues.
    pub fn of_the_service(
        media: &crate::content::media::Media,
        comments: &std::sync::Arc<crate::comments::settings::CommentSettings>,
    ) -> Self {
        use crate::comments::{closing, housekeeping};
        use crate::content::articles::{backfill, go_live};
        use crate::content::french_order;
        use crate::content::media::use_cases as media_use_cases;
        let store = media.store.clone();
        let comments = std::sync::Arc::clone(comments);
        Self::default()
            .with(go_live::KIND, go_live::run)
            .with(closing::KIND, closing::run)
            .with(housekeeping::KIND, move |tx, job, now| {
                housekeeping::run(tx, &comments, job, now)
            })
            .with(backfill::KIND, backfill::run)
            .with(french_order::backfill::KIND, french_order::backfill::run)
            .with(media_use_cases::PURGE, move |tx, job, _| {
                media_use_cases::purge(&store, tx, job)
            })
    }
}

/// The longest a worker sleeps without looking, on SQLite: another process
/// (the CLI) enqueues without telling, and is seen within this.
const LONGEST_SLEEP: Duration = Duration::from_secs(5);
/// The same on PostgreSQL, where every enqueue wakes the workers of every
/// process (`NOTIFY cms_jobs`, heard by `changes::watcher`) and the next
/// due time is known: only how long a worker outlives a stopped
/// application. An idle server does not look every few seconds.
const LONGEST_SLEEP_LISTENING: Duration = Duration::from_secs(60);
/// After the database failed, before trying again.
const AFTER_ERROR: Duration = Duration::from_secs(1);

pub struct Runner {
    db: Db,
    clock: Arc<dyn Clock>,
    handlers: Handlers,
    /// Names this worker's claims: the process and a random part.
    worker: String,
}

impl Runner {
    pub fn new(db: Db, clock: Arc<dyn Clock>, handlers: Handlers) -> Self {
        let random = uuid::Uuid::new_v4().simple().to_string();
        Self {
            db,
            clock,
            handlers,
            worker: format!("{}-{}", std::process::id(), &random[..8]),
        }
    }

    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// Claims one due job and runs it; `false` when none was due.
    pub fn run_one(&self) -> Result<bool, ApiError> {
        let now = self.clock.now();
        let claimed = self
            .db
            .write_blocking(|tx| claim(tx, &self.worker, now, 1))?;
        let Some(job) = claimed.into_iter().next() else {
            return Ok(false);
        };
        self.run(&job);
        Ok(true)
    }

    /// Runs every job due now, one after the other; how many ran.
    pub fn run_due(&self) -> Result<usize, ApiError> {
        let mut ran = 0;
        while self.run_one()? {
            ran += 1;
        }
        Ok(ran)
    }

    fn run(&self, job: &Job) {
        let now = self.clock.now();
        let outcome = match self.handlers.0.get(job.kind.as_str()) {
            None => Err(format!("no handler for jobs of kind {:?}", job.kind)),
            Some(handler) => self
                .db
                .write_blocking(|tx| {
                    handler(tx, job, now)?;
                    if complete(tx, job, &self.worker)? {
                        Ok(())
                    } else {
                        Err(ApiError::conflict(
                            "the job's lease passed and another worker took it",
                        ))
                    }
                })
                // The cause, not what a client would be told: only
                // operators read `last_error`.
                .map_err(|e| e.to_string()),
        };
        let Err(error) = outcome else {
            return;
        };
        if job.attempts >= job.max_attempts {
            tracing::error!(job = job.id, kind = %job.kind, attempts = job.attempts, %error, "job failed for the last time; marked dead");
        } else {
            tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, %error, "job failed; it will be tried again");
        }
        if let Err(e) = self
            .db
            .write_blocking(|tx| fail(tx, job, &self.worker, &error, now))
        {
            // Its lease passes and it is claimed again.
            tracing::warn!(job = job.id, error = %e.problem().detail, "cannot record a job's failure");
        }
    }

    /// How long to sleep with nothing to do: until the next job is due (or
    /// a claimed one's lease passes), at most `LONGEST_SLEEP`.
    fn idle(&self) -> Duration {
        let longest = match self.db.backend() {
            crate::db::Backend::Postgres => LONGEST_SLEEP_LISTENING,
            crate::db::Backend::Sqlite => LONGEST_SLEEP,
        };
        let next = self
            .db
            .get_blocking()
            .and_then(|mut conn| super::next_due(&mut conn));
        match next {
            Ok(Some(due)) => (due - self.clock.now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .clamp(Duration::from_millis(50), longest),
            Ok(None) => longest,
            Err(_) => AFTER_ERROR,
        }
    }

    /// Starts `count` worker threads; they end once `alive` is gone (the
    /// application stopped), within `LONGEST_SLEEP` (or `_LISTENING`).
    pub fn start(self, count: usize, signal: Arc<Signal>, alive: Weak<()>) {
        let runner = Arc::new(self);
        {
            let signal = Arc::clone(&signal);
            runner.clock.on_jump(Box::new(move || signal.raise()));
        }
        for n in 0..count {
            let runner = Arc::clone(&runner);
            let signal = Arc::clone(&signal);
            let alive = alive.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("jobs-{n}"))
                .spawn(move || {
                    while alive.strong_count() > 0 {
                        let seen = signal.seen();
                        let wait = match runner.run_one() {
                            Ok(true) => continue,
                            Ok(false) => runner.idle(),
                            Err(e) => {
                                tracing::debug!(error = %e.problem().detail, "jobs: cannot claim");
                                AFTER_ERROR
                            }
                        };
                        signal.wait_past(seen, wait);
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a job worker");
            }
        }
    }
}
