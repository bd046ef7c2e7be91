//! How many comments a client address, and an article, may receive in a
//! window: counters in the database (`comment_rate_limits`), so every app
//! process counts against the same limit, as the login throttle does.
//!
//! A submission takes one hit from each key in one atomic step per key (a
//! conditional `UPDATE … SET hits = hits + 1 WHERE hits < limit`, under
//! SQLite's write lock or PostgreSQL's row lock), in a transaction of its
//! own that commits whether the comment is then taken or refused: a robot
//! that is refused for other reasons still spends its attempts. A burst of
//! parallel submissions therefore never gets more than the limit through.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::refusal::Refusal;
use crate::db::DbConnection;
use crate::db::schema::comment_rate_limits;
use crate::error::ApiError;

/// A counter and its limit.
#[derive(Debug, Clone)]
pub struct RateKey {
    pub key: String,
    pub limit: i32,
}

/// Takes one hit from every key, or refuses with the seconds until the
/// fullest key's window ends. Call in a write transaction of its own.
pub fn take(
    conn: &mut DbConnection,
    keys: &[RateKey],
    window_seconds: u64,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let window = Duration::seconds(i64::try_from(window_seconds).unwrap_or(i64::MAX / 4));
    for key in keys {
        let row = comment_rate_limits::table.find(&key.key);
        crate::on_each_backend!(conn, |c| diesel::insert_into(comment_rate_limits::table)
            .values((
                comment_rate_limits::key.eq(&key.key),
                comment_rate_limits::window_start.eq(now),
                comment_rate_limits::hits.eq(0),
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
        diesel::update(row.filter(comment_rate_limits::window_start.le(now - window)))
            .set((
                comment_rate_limits::window_start.eq(now),
                comment_rate_limits::hits.eq(0),
            ))
            .execute(conn)?;
        let taken = diesel::update(row.filter(comment_rate_limits::hits.lt(key.limit)))
            .set(comment_rate_limits::hits.eq(comment_rate_limits::hits + 1))
            .execute(conn)?;
        if taken == 0 {
            let started: NaiveDateTime =
                row.select(comment_rate_limits::window_start).first(conn)?;
            let seconds = (started + window - now).num_seconds().max(1);
            return Err(Refusal::RateLimited {
                retry_after_seconds: u64::try_from(seconds).unwrap_or(1),
            }
            .into());
        }
    }
    Ok(())
}

/// Forgets counters whose window has ended.
pub fn forget_ended(
    conn: &mut DbConnection,
    window_seconds: u64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let window = Duration::seconds(i64::try_from(window_seconds).unwrap_or(i64::MAX / 4));
    diesel::delete(
        comment_rate_limits::table.filter(comment_rate_limits::window_start.le(now - window)),
    )
    .execute(conn)
}
