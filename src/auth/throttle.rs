//! Password-guess throttling, per account and per client address, kept in
//! the database so that every app process shares the counts.
//!
//! A password check is *reserved* before the password is verified, in one
//! atomic step per key: a conditional `UPDATE … SET pending = pending + 1
//! WHERE failures + pending < limit` inside the write transaction (SQLite's
//! write lock; on PostgreSQL the row lock, which makes a concurrent
//! reservation wait and re-read the counts). Checking and counting in two
//! steps let a burst of 300 parallel guesses all pass the check before any
//! failure was counted. Now failures and checks under way together never
//! exceed the limit, so at most `limit` passwords are verified per key and
//! window, whatever the concurrency.
//!
//! A key whose limit is taken only by checks still under way is not
//! refused: the request waits for them to settle (`Reservation::Wait`),
//! because they may all be right (24 parallel sign-ins of one account with
//! its password all succeed). It is refused once failures reach the limit.
//!
//! Every reservation is settled once: `failed` (a wrong password: it becomes
//! a failure), `succeeded` (the account's failures are forgiven), or
//! `release` (the password was never verified: the hashing threads were
//! busy, the database failed).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::login_throttles;
use crate::db::{Db, DbConnection};
use crate::error::ApiError;
use crate::on_each_backend;
use crate::timestamp;

/// A counter key and its limit.
#[derive(Debug, Clone)]
pub struct ThrottleKey {
    pub key: String,
    pub max_failures: i32,
}

/// Failures counted within this window; reaching the limit locks the key for it.
pub const WINDOW_SECONDS: i64 = 15 * 60;
pub const MAX_FAILURES_PER_ACCOUNT: i32 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i32 = 20;

/// The keys a password check counts against: the account first, then the
/// address (every caller takes them in this order, so two reservations
/// never wait on each other's rows crosswise). The email is normalised the
/// same way accounts are, so changing its letter case does not open a new
/// counter. Sign-in and password change share them.
pub fn password_keys(email: &str, client_address: &str) -> Vec<ThrottleKey> {
    vec![
        ThrottleKey {
            key: format!("login:email:{}", email.trim().to_lowercase()),
            max_failures: MAX_FAILURES_PER_ACCOUNT,
        },
        ThrottleKey {
            key: format!("login:addr:{client_address}"),
            max_failures: MAX_FAILURES_PER_ADDRESS,
        },
    ]
}

/// What `reserve` decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The password may be verified; settle the reservation afterwards.
    Taken,
    /// Checks under way hold the rest of the limit: try again shortly.
    Wait,
}

/// Reserves one check against every key, or nothing: `Wait` when checks
/// under way hold the limit of a key, 429 with the seconds to wait when its
/// failures have reached it. Call inside a write transaction (`Db::write`);
/// on `Wait` or an error, return an error from the transaction so that the
/// keys already reserved in it roll back.
pub fn reserve(
    conn: &mut DbConnection,
    keys: &[ThrottleKey],
    now: NaiveDateTime,
) -> Result<Reservation, ApiError> {
    let window = Duration::seconds(WINDOW_SECONDS);
    for key in keys {
        let row = login_throttles::table.find(&key.key);
        on_each_backend!(conn, |c| diesel::insert_into(login_throttles::table)
            .values((
                login_throttles::key.eq(&key.key),
                login_throttles::failures.eq(0),
                login_throttles::pending.eq(0),
                login_throttles::window_start.eq(now),
                login_throttles::locked_until.eq(None::<NaiveDateTime>),
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
        let unlocked = login_throttles::locked_until
            .is_null()
            .or(login_throttles::locked_until.le(now));
        // A window that has ended, with no lock running, starts again. No
        // check lasts a window: a reservation still counted then was never
        // settled (its process died), and would hold the key forever.
        diesel::update(
            row.filter(login_throttles::window_start.le(now - window))
                .filter(unlocked),
        )
        .set((
            login_throttles::failures.eq(0),
            login_throttles::pending.eq(0),
            login_throttles::window_start.eq(now),
            login_throttles::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
        let taken = diesel::update(
            row.filter((login_throttles::failures + login_throttles::pending).lt(key.max_failures))
                .filter(login_throttles::failures.lt(key.max_failures))
                .filter(unlocked),
        )
        .set(login_throttles::pending.eq(login_throttles::pending + 1))
        .execute(conn)?;
        if taken == 0 {
            let (failures, window_start, locked_until) = row
                .select((
                    login_throttles::failures,
                    login_throttles::window_start,
                    login_throttles::locked_until,
                ))
                .first::<(i32, NaiveDateTime, Option<NaiveDateTime>)>(conn)?;
            let locked = locked_until.is_some_and(|until| until > now);
            if failures < key.max_failures && !locked {
                return Ok(Reservation::Wait);
            }
            let until = locked_until.unwrap_or(window_start + window);
            return Err(ApiError::TooManyRequests {
                retry_after_seconds: u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1),
            });
        }
    }
    Ok(Reservation::Taken)
}

/// The password was wrong: each reservation becomes a failure, and a key
/// whose failures reach its limit is locked for a window.
pub fn failed(conn: &mut DbConnection, keys: &[ThrottleKey]) -> Result<(), ApiError> {
    let now = timestamp::now();
    for key in keys {
        let row = login_throttles::table.find(&key.key);
        settle(conn, key)?;
        diesel::update(row)
            .set(login_throttles::failures.eq(login_throttles::failures + 1))
            .execute(conn)?;
        diesel::update(
            row.filter(login_throttles::failures.ge(key.max_failures))
                .filter(login_throttles::locked_until.is_null()),
        )
        .set(login_throttles::locked_until.eq(Some(now + Duration::seconds(WINDOW_SECONDS))))
        .execute(conn)?;
    }
    Ok(())
}

/// The password was right: the account's failures are forgiven, and every
/// reservation is settled (the address keeps its failures: other accounts
/// were guessed from it).
pub fn succeeded(conn: &mut DbConnection, keys: &[ThrottleKey]) -> Result<(), ApiError> {
    let mut keys = keys.iter();
    if let Some(account) = keys.next() {
        settle(conn, account)?;
        diesel::update(login_throttles::table.find(&account.key))
            .set((
                login_throttles::failures.eq(0),
                login_throttles::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    for key in keys {
        settle(conn, key)?;
    }
    Ok(())
}

/// Gives back a reservation whose password was never verified.
pub fn release(conn: &mut DbConnection, keys: &[ThrottleKey]) -> Result<(), ApiError> {
    for key in keys {
        settle(conn, key)?;
    }
    Ok(())
}

/// How long a request waits for checks under way to settle before it is
/// told to come back (503 with `Retry-After`).
const WAIT_FOR_PENDING: std::time::Duration = std::time::Duration::from_secs(5);
const WAIT_STEP: std::time::Duration = std::time::Duration::from_millis(20);

/// `reserve` in its own write transaction, waiting while checks under way
/// hold the limit.
pub async fn reserve_waiting(db: &Db, keys: &[ThrottleKey]) -> Result<(), ApiError> {
    let deadline = std::time::Instant::now() + WAIT_FOR_PENDING;
    loop {
        let attempt = keys.to_vec();
        let reserved = db
            .write(
                move |conn| match reserve(conn, &attempt, timestamp::now())? {
                    Reservation::Taken => Ok(true),
                    // An error rolls back the keys this attempt did reserve.
                    Reservation::Wait => Err(ApiError::Busy {
                        retry_after_seconds: 1,
                    }),
                },
            )
            .await;
        match reserved {
            Ok(_) => return Ok(()),
            Err(ApiError::Busy { .. }) if std::time::Instant::now() < deadline => {
                actix_web::rt::time::sleep(WAIT_STEP).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Settles a reservation in its own write transaction with `outcome`
/// (`failed`, `succeeded` or `release`); a failure to write is logged, not
/// returned: the answer to the client does not depend on it.
pub async fn settle_with(
    db: &Db,
    keys: Vec<ThrottleKey>,
    outcome: fn(&mut DbConnection, &[ThrottleKey]) -> Result<(), ApiError>,
) {
    if let Err(e) = db.write(move |conn| outcome(conn, &keys)).await {
        tracing::warn!(error = %e, "a password check's reservation could not be settled");
    }
}

fn settle(conn: &mut DbConnection, key: &ThrottleKey) -> Result<(), ApiError> {
    diesel::update(
        login_throttles::table
            .find(&key.key)
            .filter(login_throttles::pending.gt(0)),
    )
    .set(login_throttles::pending.eq(login_throttles::pending - 1))
    .execute(conn)?;
    Ok(())
}
