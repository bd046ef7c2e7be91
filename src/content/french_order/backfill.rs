//! Writing the collation keys rows do not have yet (rows from before the
//! keys existed, or emptied by a migration for a new ICU4X), as a job: each
//! run covers up to `WINDOW` rows of each table and enqueues the next, so
//! no transaction holds the write lock for long, and a process that stops
//! half way leaves the rest to the next one. Every write sets the key of
//! what it writes, so a running service never needs it.
//!
//! An empty key is the smallest value: rows without one are found at the
//! start of each key's index, and listed first until they have one.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::sort_key;
use crate::db::schema::{articles, authors, tags};
use crate::db::{Db, DbConnection, Tx};
use crate::error::ApiError;
use crate::jobs::{self, Job};

pub const KIND: &str = "names.sort_keys_backfill";

/// Rows per table per run (and per transaction).
const WINDOW: i64 = 1_000;

#[derive(Debug, Serialize, Deserialize)]
struct Payload {}

fn empty() -> Vec<u8> {
    Vec::new()
}

/// Rows of the three tables still without a key.
pub fn missing(conn: &mut DbConnection) -> QueryResult<i64> {
    let tags = tags::table
        .filter(tags::name_key.eq(empty()))
        .count()
        .get_result::<i64>(conn)?;
    let authors = authors::table
        .filter(authors::name_key.eq(empty()))
        .count()
        .get_result::<i64>(conn)?;
    let articles = articles::table
        .filter(articles::title_key.eq(empty()))
        .count()
        .get_result::<i64>(conn)?;
    Ok(tags + authors + articles)
}

/// Enqueues the first run if some row has no key.
pub fn schedule_if_needed(db: &Db, now: NaiveDateTime) -> Result<bool, ApiError> {
    let missing = {
        let mut conn = db.get_blocking()?;
        missing(&mut conn)?
    };
    if missing == 0 {
        return Ok(false);
    }
    db.write_blocking(|tx| jobs::enqueue_replacing(tx, KIND, &Payload {}, now, now))?;
    Ok(true)
}

/// The job: one window of each table, then the next run enqueued in the
/// same transaction while rows remain.
pub fn run(tx: &mut Tx<'_>, _job: &Job, now: NaiveDateTime) -> Result<(), ApiError> {
    if window(tx)? {
        jobs::enqueue(tx, KIND, &Payload {}, now, now)?;
    }
    Ok(())
}

/// Writes the missing keys of up to `WINDOW` rows of one table (`$table`,
/// its text column and its key column); how many rows it wrote.
macro_rules! fill {
    ($conn:expr, $table:ident, $text:ident, $key:ident) => {{
        let rows: Vec<(i64, String)> = $table::table
            .filter($table::$key.eq(empty()))
            .select(($table::id, $table::$text))
            .limit(WINDOW)
            .load($conn)?;
        for (id, text) in &rows {
            diesel::update($table::table.find(id))
                .set($table::$key.eq(sort_key(text)))
                .execute($conn)?;
        }
        rows.len()
    }};
}

/// Writes the keys of up to `WINDOW` rows of each table; whether more may
/// remain.
pub fn window(conn: &mut DbConnection) -> Result<bool, ApiError> {
    let written = [
        fill!(conn, tags, name, name_key),
        fill!(conn, authors, name, name_key),
        fill!(conn, articles, title, title_key),
    ];
    Ok(written
        .iter()
        .any(|&n| i64::try_from(n).unwrap_or(i64::MAX) >= WINDOW))
}
