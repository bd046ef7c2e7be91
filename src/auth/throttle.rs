//! Failed-login throttling, per account and per client address, kept in the
//! database so that every app process shares the counts.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::login_throttles;
use crate::error::ApiError;

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

/// The keys a login attempt counts against. The email is normalised the same
/// way accounts are, so changing its letter case does not open a new counter.
pub fn login_keys(email: &str, client_address: &str) -> Vec<ThrottleKey> {
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

/// 429 with the seconds to wait when any key is locked.
pub fn check(
    conn: &mut DbConnection,
    keys: &[ThrottleKey],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
    let locked_until = login_throttles::table
        .filter(login_throttles::key.eq_any(names))
        .filter(login_throttles::locked_until.gt(now))
        .select(diesel::dsl::max(login_throttles::locked_until))
        .first::<Option<NaiveDateTime>>(conn)?;
    match locked_until {
        Some(until) => Err(ApiError::TooManyRequests {
            retry_after_seconds: u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1),
        }),
        None => Ok(()),
    }
}

/// Counts one failure against every key, locking those that reach their limit.
pub fn record_failure(
    conn: &mut DbConnection,
    keys: &[ThrottleKey],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    conn.write_transaction(|conn| {
        for key in keys {
            let current = login_throttles::table
                .find(&key.key)
                .select((login_throttles::failures, login_throttles::window_start))
                .first::<(i32, NaiveDateTime)>(conn)
                .optional()?;
            let window_open =
                |start: NaiveDateTime| now - start < Duration::seconds(WINDOW_SECONDS);
            let failures = match current {
                Some((n, start)) if window_open(start) => n + 1,
                _ => 1,
            };
            let locked_until =
                (failures >= key.max_failures).then(|| now + Duration::seconds(WINDOW_SECONDS));
            match current {
                Some((_, start)) => {
                    let window_start = if window_open(start) { start } else { now };
                    diesel::update(login_throttles::table.find(&key.key))
                        .set((
                            login_throttles::failures.eq(failures),
                            login_throttles::window_start.eq(window_start),
                            login_throttles::locked_until.eq(locked_until),
                        ))
                        .execute(conn)?;
                }
                None => {
                    diesel::insert_into(login_throttles::table)
                        .values((
                            login_throttles::key.eq(&key.key),
                            login_throttles::failures.eq(failures),
                            login_throttles::window_start.eq(now),
                            login_throttles::locked_until.eq(locked_until),
                        ))
                        .execute(conn)?;
                }
            }
        }
        Ok(())
    })
}

/// A successful login clears its account's counter (not the address's).
pub fn clear(conn: &mut DbConnection, key: &ThrottleKey) -> Result<(), ApiError> {
    diesel::delete(login_throttles::table.find(&key.key)).execute(conn)?;
    Ok(())
}
