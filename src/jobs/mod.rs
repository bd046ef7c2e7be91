//! The job queue: background work kept in the database (`jobs`), enqueued
//! in the transaction of the change that needs it, so that a job exists if
//! and only if its change committed, and runs even if the process that
//! enqueued it is gone by then.
//!
//! - **Claim**: a worker takes due jobs by setting `claimed_by` and a lease
//!   (`claimed_until`) in one statement: `FOR UPDATE SKIP LOCKED` on
//!   PostgreSQL (two processes never take the same job, nor wait on each
//!   other), inside the write lock on SQLite (one writer at a time). A job
//!   whose worker died is claimed again once its lease has passed.
//! - **Run**: a job's handler runs in a write transaction that also deletes
//!   the job, so its effect and its completion commit together.
//! - **Fail**: the job is released with a growing delay (`backoff`); after
//!   `max_attempts` it is marked dead (`dead_at`, `last_error`) and kept
//!   for an operator to read (`dead`), never deleted.
//!
//! `runner` runs the workers; `Clock` gives the time (tests set it).

pub mod runner;

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use crate::db::schema::jobs;
use crate::db::{DbConnection, Tx};
use crate::error::ApiError;

/// How many times a job is tried before it is marked dead.
pub const MAX_ATTEMPTS: i32 = 5;

/// How long a claim holds before another worker may take the job again.
pub const LEASE: chrono::Duration = chrono::Duration::minutes(5);

/// A job as a worker claimed it.
#[derive(Debug, Clone, QueryableByName)]
pub struct Job {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub payload: String,
    /// When it was due: a handler can tell which of several enqueues of
    /// the same work it is.
    #[diesel(sql_type = Timestamp)]
    pub run_at: NaiveDateTime,
    /// Including this one.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Integer)]
    pub max_attempts: i32,
}

impl Job {
    pub fn payload<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_str(&self.payload)
            .map_err(|e| ApiError::Internal(format!("job {} has a bad payload: {e}", self.id)))
    }
}

/// A payload as stored: JSON, the same text for the same value (which
/// `enqueue_replacing` compares).
fn payload_text(payload: &impl serde::Serialize) -> Result<String, ApiError> {
    serde_json::to_string(payload)
        .map_err(|e| ApiError::Internal(format!("cannot serialise a job: {e}")))
}

/// Enqueues `kind` to run at `run_at` (now or later), in the caller's
/// transaction: the job exists once that transaction commits, and workers
/// in this process are woken then (`db::Tx`).
pub fn enqueue(
    tx: &mut Tx<'_>,
    kind: &str,
    payload: &impl serde::Serialize,
    run_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<i64, ApiError> {
    let payload = payload_text(payload)?;
    let id = diesel::insert_into(jobs::table)
        .values((
            jobs::kind.eq(kind),
            jobs::payload.eq(payload),
            jobs::run_at.eq(run_at),
            jobs::max_attempts.eq(MAX_ATTEMPTS),
            jobs::created_at.eq(now),
        ))
        .returning(jobs::id)
        .get_result::<i64>(tx.conn())?;
    tx.job_enqueued();
    Ok(id)
}

/// The payload of a job about one article (`article.go_live`,
/// `article.comments_close`).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ArticleJob {
    pub article_id: i64,
}

/// Enqueues `kind` for `article_id` at `at`, replacing the same job not
/// yet started (an article rescheduled twice is handled once, at its last
/// time).
pub fn enqueue_for_article(
    tx: &mut Tx<'_>,
    kind: &str,
    article_id: i64,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    enqueue_replacing(
        tx,
        kind,
        &ArticleJob { article_id },
        at,
        crate::timestamp::now(),
    )
    .map(|_| ())
}

/// `enqueue`, first removing the same job (kind and payload) not yet
/// claimed: work that only the latest request of counts (an article
/// rescheduled twice goes live once).
pub fn enqueue_replacing(
    tx: &mut Tx<'_>,
    kind: &str,
    payload: &impl serde::Serialize,
    run_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<i64, ApiError> {
    let text = payload_text(payload)?;
    diesel::delete(
        jobs::table
            .filter(jobs::kind.eq(kind))
            .filter(jobs::payload.eq(&text))
            .filter(jobs::claimed_by.is_null())
            .filter(jobs::dead_at.is_null()),
    )
    .execute(tx.conn())?;
    enqueue(tx, kind, payload, run_at, now)
}

const CLAIM_POSTGRES: &str = "UPDATE jobs SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM jobs WHERE dead_at IS NULL AND run_at <= $3 \
                  AND (claimed_until IS NULL OR claimed_until <= $3) \
                  ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
     RETURNING id, kind, payload, run_at, attempts, max_attempts";

// The same without row locks: SQLite runs it inside the write lock.
const CLAIM_SQLITE: &str = "UPDATE jobs SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM jobs WHERE dead_at IS NULL AND run_at <= ? \
                  AND (claimed_until IS NULL OR claimed_until <= ?) \
                  ORDER BY run_at, id LIMIT ?) \
     RETURNING id, kind, payload, run_at, attempts, max_attempts";

/// Claims up to `limit` due jobs for `worker`, in the caller's write
/// transaction.
pub fn claim(
    tx: &mut Tx<'_>,
    worker: &str,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Job>, ApiError> {
    let until = now + LEASE;
    let jobs = match tx.conn() {
        DbConnection::Postgres(c) => diesel::sql_query(CLAIM_POSTGRES)
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(until)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<Job>(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(CLAIM_SQLITE)
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(until)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<Job>(c)?,
    };
    Ok(jobs)
}

/// A job done: gone from the queue, in the transaction of its effect.
/// `false` when this worker no longer holds it (its lease passed and
/// another worker took it): the caller then rolls back.
pub fn complete(tx: &mut Tx<'_>, job: &Job, worker: &str) -> Result<bool, ApiError> {
    let deleted = diesel::delete(
        jobs::table
            .filter(jobs::id.eq(job.id))
            .filter(jobs::claimed_by.eq(worker)),
    )
    .execute(tx.conn())?;
    Ok(deleted == 1)
}

/// The pause before a failed job's next attempt: 2, 4, 8… seconds after
/// its `attempts`-th, at most an hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exponent = u32::try_from(attempts.clamp(1, 12)).unwrap_or(12);
    chrono::Duration::seconds((1_i64 << exponent).min(3_600))
}

/// Records a failed attempt: the job is released to run again after
/// `backoff`, or marked dead when it has had all its attempts.
pub fn fail(
    tx: &mut Tx<'_>,
    job: &Job,
    worker: &str,
    error: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let mine = jobs::table
        .filter(jobs::id.eq(job.id))
        .filter(jobs::claimed_by.eq(worker));
    if job.attempts >= job.max_attempts {
        diesel::update(mine)
            .set((
                jobs::dead_at.eq(Some(now)),
                jobs::last_error.eq(Some(error)),
                jobs::claimed_by.eq(None::<String>),
                jobs::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(tx.conn())?;
    } else {
        diesel::update(mine)
            .set((
                jobs::run_at.eq(now + backoff(job.attempts)),
                jobs::last_error.eq(Some(error)),
                jobs::claimed_by.eq(None::<String>),
                jobs::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(tx.conn())?;
    }
    Ok(())
}

/// When a worker may next find something to claim: the earliest due time
/// of the unclaimed jobs, or the earliest lease to pass (a worker that died
/// holding a job), for a worker with nothing to do to know how long to sleep.
pub fn next_due(conn: &mut DbConnection) -> Result<Option<NaiveDateTime>, ApiError> {
    let unclaimed = jobs::table
        .filter(jobs::dead_at.is_null())
        .filter(jobs::claimed_until.is_null())
        .select(diesel::dsl::min(jobs::run_at))
        .first::<Option<NaiveDateTime>>(conn)?;
    let lease_ends = jobs::table
        .filter(jobs::dead_at.is_null())
        .select(diesel::dsl::min(jobs::claimed_until))
        .first::<Option<NaiveDateTime>>(conn)?;
    Ok(unclaimed.into_iter().chain(lease_ends).min())
}

/// A dead job, as an operator reads it.
#[derive(Debug, Clone, Queryable)]
pub struct DeadJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub dead_at: Option<NaiveDateTime>,
}

/// Jobs that used up their attempts, newest first.
pub fn dead(conn: &mut DbConnection) -> Result<Vec<DeadJob>, ApiError> {
    Ok(jobs::table
        .filter(jobs::dead_at.is_not_null())
        .order(jobs::dead_at.desc())
        .select((
            jobs::id,
            jobs::kind,
            jobs::payload,
            jobs::attempts,
            jobs::last_error,
            jobs::dead_at,
        ))
        .load(conn)?)
}

/// How many jobs wait (due or not, claimed or not) and how many are dead,
/// for `/metrics`: a dead job is there for an operator to see.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub waiting: i64,
    pub dead: i64,
}

pub fn counts(conn: &mut DbConnection) -> Result<Counts, ApiError> {
    let dead = jobs::table
        .filter(jobs::dead_at.is_not_null())
        .count()
        .get_result::<i64>(conn)?;
    let waiting = jobs::table
        .filter(jobs::dead_at.is_null())
        .count()
        .get_result::<i64>(conn)?;
    Ok(Counts { waiting, dead })
}

/// Wakes this process's sleeping workers: a job was enqueued here or, on
/// PostgreSQL, by another process (`NOTIFY cms_jobs`), or the clock jumped.
/// A worker reads `seen` before it looks for work and then waits past it,
/// so a raise in between is not missed.
#[derive(Debug, Default)]
pub struct Signal {
    raised: Mutex<u64>,
    wake: Condvar,
}

impl Signal {
    pub fn raise(&self) {
        *self.raised.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.wake.notify_all();
    }

    pub fn seen(&self) -> u64 {
        *self.raised.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until raised after `seen`, or `timeout` has passed.
    pub fn wait_past(&self, seen: u64, timeout: Duration) {
        let raised = self.raised.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = self
            .wake
            .wait_timeout_while(raised, timeout, |raised| *raised == seen)
            .unwrap_or_else(PoisonError::into_inner);
    }
}
