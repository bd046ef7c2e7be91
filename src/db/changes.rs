//! The content generation: a number that changes whenever what the public
//! can read may have changed, so caches know when to let go.
//!
//! It moves (1) at once when this process writes content, (2) when another
//! process writes: every content write inserts a `content_events` row, which
//! PostgreSQL announces with `NOTIFY cms_content` (a trigger) and which the
//! watcher also polls for, and (3) when a scheduled article's time comes —
//! no write happens then, so the watcher keeps the next due time and moves
//! the generation when it passes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::config::DatabaseUrl;
use crate::content::status::ArticleStatus;
use crate::db::schema::{articles, content_events};
use crate::db::{ConnectionManager, DbConnection};
use crate::timestamp;

/// PostgreSQL: how often pending notifications are read (cheap, no round trip).
const NOTIFICATION_TICK: Duration = Duration::from_millis(2);
/// How often the event table and the next due time are queried.
const POLL_INTERVAL: Duration = Duration::from_millis(200);
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct ContentGeneration {
    value: AtomicU64,
}

impl ContentGeneration {
    pub fn current(&self) -> u64 {
        self.value.load(Ordering::Acquire)
    }

    /// Something public may have changed: every cached answer is stale.
    pub fn bump(&self) {
        self.value.fetch_add(1, Ordering::AcqRel);
    }
}

/// Starts the watcher thread; it ends when the generation is dropped.
pub fn watch(url: DatabaseUrl, generation: &Arc<ContentGeneration>) {
    let weak = Arc::downgrade(generation);
    let spawned = std::thread::Builder::new()
        .name("content-watcher".to_owned())
        .spawn(move || run(ConnectionManager::new(url), weak));
    if let Err(err) = spawned {
        tracing::error!(error = %err, "cannot start the content watcher; cross-process cache invalidation is off");
    }
}

fn run(manager: ConnectionManager, generation: Weak<ContentGeneration>) {
    // `None` until the first poll; then the newest event id seen (itself
    // `None` while the table is empty).
    let mut seen_event: Option<Option<i64>> = None;
    while generation.strong_count() > 0 {
        let Ok(mut conn) = manager.open_existing() else {
            std::thread::sleep(RECONNECT_DELAY);
            continue;
        };
        if let Err(err) = watch_connection(&mut conn, &generation, &mut seen_event) {
            tracing::debug!(error = %err, "content watcher lost its connection");
            // Events may have been missed while disconnected.
            if let Some(g) = generation.upgrade() {
                g.bump();
            }
            std::thread::sleep(RECONNECT_DELAY);
        }
    }
}

fn watch_connection(
    conn: &mut DbConnection,
    generation: &Weak<ContentGeneration>,
    seen_event: &mut Option<Option<i64>>,
) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::connection::SimpleConnection::batch_execute(pg, "LISTEN cms_content")?;
    }
    let mut next_poll = Instant::now();
    let mut next_due: Option<NaiveDateTime> = None;
    loop {
        let Some(g) = generation.upgrade() else {
            return Ok(());
        };
        if let DbConnection::Postgres(pg) = conn {
            let mut notified = false;
            for notification in pg.notifications_iter() {
                notification?;
                notified = true;
            }
            if notified {
                g.bump();
            }
        }
        let now = timestamp::now();
        if next_due.is_some_and(|due| due <= now) {
            g.bump();
            next_due = None;
            next_poll = Instant::now();
        }
        if Instant::now() >= next_poll {
            let latest = content_events::table
                .select(diesel::dsl::max(content_events::id))
                .first::<Option<i64>>(conn)?;
            if seen_event.is_some_and(|seen| seen != latest) {
                g.bump();
            }
            *seen_event = Some(latest);
            next_due = articles::table
                .filter(articles::status.eq_any(ArticleStatus::PUBLIC.map(ArticleStatus::as_str)))
                .filter(articles::published_at.gt(now))
                .select(diesel::dsl::min(articles::published_at))
                .first::<Option<NaiveDateTime>>(conn)?;
            next_poll = Instant::now() + POLL_INTERVAL;
        }
        drop(g);
        let tick = match conn {
            DbConnection::Postgres(_) => NOTIFICATION_TICK,
            DbConnection::Sqlite(_) => POLL_INTERVAL,
        };
        std::thread::sleep(tick);
    }
}
