//! Password-guess throttling, per account and per client address, kept in
//! the database so that every app process shares the counts.
//!
//! An attempt is *reserved* before its password is verified, in one atomic
//! step per key: a conditional `UPDATE … SET failures = failures + 1 WHERE
//! failures < limit`, inside the write transaction (SQLite's write lock; on
//! PostgreSQL the row lock, which makes a concurrent reservation wait and
//! re-read the count). Checking and counting in two steps let a burst of 300
//! parallel guesses all pass the check before any failure was counted. Now
//! at most `limit` passwords are verified per key and window, whatever the
//! concurrency. A reservation that turns out to be a correct password is
//! given back (`succeeded`); one that could not be verified at all (the
//! hashing threads were busy) is given back too (`release`).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::login_throttles;
use crate::error::ApiError;
use crate::on_each_backend;

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

/// Reserves one attempt against every key, or refuses with 429 and the
/// seconds to wait when any key has none left (reserving nothing). Call
/// inside a write transaction (`Db::write`).
pub fn reserve(
    conn: &mut DbConnection,
    keys: &[ThrottleKey],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let window = Duration::seconds(WINDOW_SECONDS);
    for key in keys {
        let row = login_throttles::table.find(&key.key);
        on_each_backend!(conn, |c| diesel::insert_into(login_throttles::table)
            .values((
                login_throttles::key.eq(&key.key),
                login_throttles::failures.eq(0),
                login_throttles::window_start.eq(now),
                login_throttles::locked_until.eq(None::<NaiveDateTime>),
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
        // A window that has ended, with no lock running, starts again.
        diesel::update(
            row.filter(login_throttles::window_start.le(now - window))
                .filter(
                    login_throttles::locked_until
                        .is_null()
                        .or(login_throttles::locked_until.le(now)),
                ),
        )
        .set((
            login_throttles::failures.eq(0),
            login_throttles::window_start.eq(now),
            login_throttles::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
        let taken = diesel::update(
            row.filter(login_throttles::failures.lt(key.max_failures))
                .filter(
                    login_throttles::locked_until
                        .is_null()
                        .or(login_throttles::locked_until.le(now)),
                ),
        )
        .set(login_throttles::failures.eq(login_throttles::failures + 1))
        .execute(conn)?;
        if taken == 0 {
            let (window_start, locked_until) = row
                .select((login_throttles::window_start, login_throttles::locked_until))
                .first::<(NaiveDateTime, Option<NaiveDateTime>)>(conn)?;
            let until = locked_until.unwrap_or(window_start + window);
            return Err(ApiError::TooManyRequests {
                retry_after_seconds: u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1),
            });
        }
        // The attempt that reaches the limit locks the key for a window.
        diesel::update(
            row.filter(login_throttles::failures.ge(key.max_failures))
                .filter(login_throttles::locked_until.is_null()),
        )
        .set(login_throttles::locked_until.eq(Some(now + window)))
        .execute(conn)?;
    }
    Ok(())
}

/// Gives back a reservation whose password was never verified.
pub fn release(conn: &mut DbConnection, keys: &[ThrottleKey]) -> Result<(), ApiError> {
    for key in keys {
        give_back(conn, key)?;
    }
    Ok(())
}

/// The password was right: the account's counter starts again, and the
/// address gets its reservation back (a newsroom behind one address signs
/// in many times a day).
pub fn succeeded(conn: &mut DbConnection, keys: &[ThrottleKey]) -> Result<(), ApiError> {
    let mut keys = keys.iter();
    if let Some(account) = keys.next() {
        diesel::delete(login_throttles::table.find(&account.key)).execute(conn)?;
    }
    for key in keys {
        give_back(conn, key)?;
    }
    Ok(())
}

fn give_back(conn: &mut DbConnection, key: &ThrottleKey) -> Result<(), ApiError> {
    let row = login_throttles::table.find(&key.key);
    diesel::update(row.filter(login_throttles::failures.gt(0)))
        .set(login_throttles::failures.eq(login_throttles::failures - 1))
        .execute(conn)?;
    diesel::update(row.filter(login_throttles::failures.lt(key.max_failures)))
        .set(login_throttles::locked_until.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    Ok(())
}
