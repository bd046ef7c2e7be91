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

#[derive(Debug, Default, Serialize, Deserialize)]
struct Payload {
    /// Articles up to this id have been looked at (their key has no index:
    /// they are walked by id, once).
    #[serde(default)]
    after_article: i64,
}

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
    db.write_blocking(|tx| jobs::enqueue_replacing(tx, KIND, &Payload::default(), now, now))?;
    Ok(true)
}

/// The job: one window of each table, then the next run enqueued in the
/// same transaction while rows remain.
pub fn run(tx: &mut Tx<'_>, job: &Job, now: NaiveDateTime) -> Result<(), ApiError> {
    let Payload { after_article } = job.payload()?;
    if let Some(after_article) = window(tx, after_article)? {
        jobs::enqueue(tx, KIND, &Payload { after_article }, now, now)?;
    }
    Ok(())
}

/// Writes the missing keys of up to `WINDOW` rows of one table, found by
/// the key's index (`$table`,
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

/// Writes the keys of up to `WINDOW` rows of each table (articles after
/// `after_article` by id); where the next run starts when more may remain.
pub fn window(conn: &mut DbConnection, after_article: i64) -> Result<Option<i64>, ApiError> {
    let full = |n: usize| i64::try_from(n).unwrap_or(i64::MAX) >= WINDOW;
    let tags = fill!(conn, tags, name, name_key);
    let authors = fill!(conn, authors, name, name_key);
    let ids: Vec<i64> = articles::table
        .filter(articles::id.gt(after_article))
        .select(articles::id)
        .order(articles::id)
        .limit(WINDOW)
        .load(conn)?;
    let last = ids.last().copied();
    if let (Some(&first), Some(last)) = (ids.first(), last) {
        let rows: Vec<(i64, String)> = articles::table
            .filter(articles::id.between(first, last))
            .filter(articles::title_key.eq(empty()))
            .select((articles::id, articles::title))
            .load(conn)?;
        for (id, title) in &rows {
            diesel::update(articles::table.find(id))
                .set(articles::title_key.eq(sort_key(title)))
                .execute(conn)?;
        }
    }
    let more_articles = full(ids.len());
    Ok((full(tags) || full(authors) || more_articles).then(|| {
        if more_articles {
            last.unwrap_or(after_article)
        } else {
            after_article
        }
    }))
}
