//! A scheduled article going live: a job due at its `published_at`
//! (enqueued by `changes::commit` when an article is saved as scheduled)
//! records the change then, so that caches in every process let go and
//! what subscribes to changes (webhooks' `article.published`) hears of it,
//! even if no process was running at that moment.

use super::queries;
use super::rows::ArticleRow;
use super::views::ArticleView;
use crate::changes::{self, Action, Actor, Change};
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::lookup::IdOrSlug;
use crate::db::Tx;
use crate::error::ApiError;
use crate::jobs::{self, Job};

pub const KIND: &str = "article.go_live";

/// Enqueues the go-live of `article_id` at `at`, replacing one not yet
/// started (an article rescheduled twice goes live once).
pub fn schedule(
    tx: &mut Tx<'_>,
    article_id: i64,
    at: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    jobs::enqueue_for_article(tx, KIND, article_id, at)
}

/// The job: nothing to do if the article was deleted, unpublished or
/// rescheduled since (a later job then has its new time).
pub fn run(tx: &mut Tx<'_>, job: &Job, now: chrono::NaiveDateTime) -> Result<(), ApiError> {
    let jobs::ArticleJob { article_id } = job.payload()?;
    let Some(row) = queries::find_for_write(tx, &IdOrSlug::Id(article_id))? else {
        return Ok(());
    };
    let still_due = row.status == ArticleStatus::Scheduled.as_str()
        && row.published_at.is_some_and(|at| at <= now);
    if !still_due {
        return Ok(());
    }
    let view = view_of(tx, row, now)?;
    changes::commit(
        tx,
        Change::article(Action::Published, &view, Actor::system("scheduler"))?,
    )
}

fn view_of(
    tx: &mut Tx<'_>,
    row: ArticleRow,
    now: chrono::NaiveDateTime,
) -> Result<ArticleView, ApiError> {
    let tree = std::sync::Arc::new(crate::content::categories::queries::load_tree(tx)?);
    let relations = queries::relations(tx, &[row.id], tree)?;
    Ok(ArticleView::new(row, &relations, true, now))
}
