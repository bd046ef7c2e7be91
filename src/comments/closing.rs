//! An article's comments closing by age (`CMS_COMMENTS_CLOSE_AFTER_DAYS`):
//! a job due at the article's `comments_close_at` (enqueued by
//! `changes::commit` when the article is saved) renders it again, so that
//! its stored list item, and every cache, say `comments_open: false` from
//! then on. Submissions are checked against the time itself, so nothing
//! can be posted in between.

use crate::changes::{self, Action, Actor, Change};
use crate::content::articles::queries;
use crate::content::articles::views::ArticleView;
use crate::content::lookup::IdOrSlug;
use crate::db::Tx;
use crate::error::ApiError;
use crate::jobs::{self, Job};

pub const KIND: &str = "article.comments_close";

/// When an article published at `published_at` stops taking comments,
/// `days` after (never when either is unknown).
pub fn close_at(
    days: Option<u32>,
    published_at: Option<chrono::NaiveDateTime>,
) -> Option<chrono::NaiveDateTime> {
    Some(published_at? + chrono::Duration::days(i64::from(days?)))
}

/// Enqueues the closing of `article_id`'s comments at `at`, replacing one
/// not yet started.
pub fn schedule(
    tx: &mut Tx<'_>,
    article_id: i64,
    at: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    jobs::enqueue_for_article(tx, KIND, article_id, at)
}

/// The job: nothing to do if the article is gone or its closing time moved
/// (a later job then has the new time).
pub fn run(tx: &mut Tx<'_>, job: &Job, now: chrono::NaiveDateTime) -> Result<(), ApiError> {
    let jobs::ArticleJob { article_id } = job.payload()?;
    let Some(row) = queries::find_for_write(tx, &IdOrSlug::Id(article_id))? else {
        return Ok(());
    };
    if row.comments_close_at.is_none_or(|at| at > now) {
        return Ok(());
    }
    let tree = std::sync::Arc::new(crate::content::categories::queries::load_tree(tx)?);
    let relations = queries::relations(tx, &[row.id], tree)?;
    let mut view = ArticleView::new(row, &relations, true, now);
    // Recorded as an update of the article (its `comments_open` changed);
    // no further closing to schedule.
    view.comments_close_at = None;
    changes::commit(
        tx,
        Change::article(Action::Updated, &view, Actor::system("comments"))?,
    )
}
