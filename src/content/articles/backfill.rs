//! Writing the renderings that are missing or of another `SHAPE` (a
//! database from before them, or from an older layout), as a job: each run
//! covers the next `WINDOW` articles by id and enqueues the next, so no
//! transaction holds the write lock for more than one window, and a
//! process that stops half way leaves the rest to the next one.
//!
//! Start-up enqueues the first window only when renderings are missing:
//! every write stores its article's rendering (`changes::commit`), so a
//! running service never needs it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::renderings::{SHAPE, rerender};
use crate::db::page_window::page_window;
use crate::db::schema::{article_renderings, articles};
use crate::db::{Db, DbConnection, Tx};
use crate::error::ApiError;
use crate::jobs::{self, Job};

pub const KIND: &str = "article.renderings_backfill";

/// Articles looked at per run (and per transaction).
const WINDOW: i64 = 1_000;

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    /// Every article up to this id has been looked at.
    after: i64,
}

/// Enqueues the first window if some article has no current rendering.
/// Two counts, not a search: each article has at most one rendering, gone
/// with it, so a shortfall is exactly the work to do.
pub fn schedule_if_needed(db: &Db, now: NaiveDateTime) -> Result<bool, ApiError> {
    let (articles, current) = {
        let mut conn = db.get_blocking()?;
        let articles = articles::table.count().get_result::<i64>(&mut **conn)?;
        let current = article_renderings::table
            .filter(article_renderings::shape.eq(SHAPE))
            .count()
            .get_result::<i64>(&mut **conn)?;
        (articles, current)
    };
    if current >= articles {
        return Ok(false);
    }
    db.write_blocking(|tx| jobs::enqueue_replacing(tx, KIND, &Payload { after: 0 }, now, now))?;
    Ok(true)
}

/// The job: one window, then the next one enqueued in the same transaction.
pub fn run(tx: &mut Tx<'_>, job: &Job, now: NaiveDateTime) -> Result<(), ApiError> {
    let Payload { after } = job.payload()?;
    if let Some(last) = window(tx, after)? {
        jobs::enqueue(tx, KIND, &Payload { after: last }, now, now)?;
    }
    Ok(())
}

/// Renders what is missing among the `WINDOW` articles after `after`;
/// the last id looked at when more may follow. The window's size is in the
/// statement's text (`page_window`) so that PostgreSQL plans for it, not
/// for a tenth of the table.
pub fn window(conn: &mut DbConnection, after: i64) -> Result<Option<i64>, ApiError> {
    let ids: Vec<i64> = page_window(
        articles::table
            .filter(articles::id.gt(after))
            .select(articles::id)
            .order(articles::id),
        0,
        WINDOW,
    )
    .load(conn)?;
    let Some(&last) = ids.last() else {
        return Ok(None);
    };
    rerender(conn, |conn| {
        let current = article_renderings::table
            .filter(article_renderings::article_id.eq(articles::id))
            .filter(article_renderings::shape.eq(SHAPE));
        articles::table
            .filter(articles::id.gt(after))
            .filter(articles::id.le(last))
            .filter(diesel::dsl::not(diesel::dsl::exists(current)))
            .select(articles::id)
            .load(conn)
    })?;
    Ok((ids.len() as i64 == WINDOW).then_some(last))
}
