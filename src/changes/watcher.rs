//! Hears other processes' changes: every commit that changed content writes
//! a `content_events` row (`changes::commit`), and every job enqueued a
//! `jobs` row. On PostgreSQL triggers announce both (`NOTIFY cms_content`,
//! `NOTIFY cms_jobs`) and this thread sleeps until one arrives; on SQLite
//! it looks at the newest event id a few times a second (a file on one
//! machine: the other processes are the CLI). Either way the content
//! generation moves, so caches let go, and job workers wake.

use std::sync::{Arc, Weak};
use std::time::Duration;

use diesel::prelude::*;

use super::ContentGeneration;
use crate::config::DatabaseUrl;
use crate::db::ConnectionManager;
use crate::db::listen::Listener;
use crate::db::schema::content_events;
use crate::jobs::Signal;

/// SQLite: how often the newest event id is read.
const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// PostgreSQL: the longest sleep between checks that the application is
/// still there (the thread ends with it). Nothing else wakes it but a
/// notification: an idle server sleeps.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(60);
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// Starts the watcher thread; it ends when the generation is dropped.
pub fn watch(url: DatabaseUrl, generation: &Arc<ContentGeneration>, jobs: &Arc<Signal>) {
    let weak = Arc::downgrade(generation);
    let jobs = Arc::downgrade(jobs);
    let spawned = std::thread::Builder::new()
        .name("content-watcher".to_owned())
        .spawn(move || match url {
            DatabaseUrl::Postgres(url) => listen(&url, &weak, &jobs),
            sqlite => poll(ConnectionManager::new(sqlite), &weak),
        });
    if let Err(err) = spawned {
        tracing::error!(error = %err, "cannot start the content watcher; cross-process cache invalidation is off");
    }
}

fn listen(url: &str, generation: &Weak<ContentGeneration>, jobs: &Weak<Signal>) {
    while generation.strong_count() > 0 {
        let mut listener = match Listener::connect(url, &["cms_content", "cms_jobs"]) {
            Ok(listener) => listener,
            Err(err) => {
                tracing::debug!(error = %err, "content watcher cannot connect");
                std::thread::sleep(RECONNECT_DELAY);
                continue;
            }
        };
        // Changes made while no connection listened were not heard.
        if let Some(g) = generation.upgrade() {
            g.bump();
        }
        if let Some(j) = jobs.upgrade() {
            j.raise();
        }
        loop {
            let Some(g) = generation.upgrade() else {
                return;
            };
            match listener.wait(LISTEN_TIMEOUT) {
                Ok(notifications) => {
                    if notifications.iter().any(|n| n.channel == "cms_content") {
                        g.bump();
                    }
                    if notifications.iter().any(|n| n.channel == "cms_jobs")
                        && let Some(j) = jobs.upgrade()
                    {
                        j.raise();
                    }
                }
                Err(err) => {
                    tracing::debug!(error = %err, "content watcher lost its connection");
                    // Changes may be missed until it is back: cached
                    // answers are no longer known to be current.
                    g.bump();
                    std::thread::sleep(RECONNECT_DELAY);
                    break;
                }
            }
        }
    }
}

fn poll(manager: ConnectionManager, generation: &Weak<ContentGeneration>) {
    // `None` until the first poll; then the newest event id seen (itself
    // `None` while the table is empty).
    let mut seen: Option<Option<i64>> = None;
    while generation.strong_count() > 0 {
        let Ok(mut conn) = manager.open_existing() else {
            std::thread::sleep(RECONNECT_DELAY);
            continue;
        };
        loop {
            let Some(g) = generation.upgrade() else {
                return;
            };
            let latest = content_events::table
                .select(diesel::dsl::max(content_events::id))
                .first::<Option<i64>>(&mut conn);
            let Ok(latest) = latest else {
                // Events may have been missed while it could not be read.
                g.bump();
                break;
            };
            if seen.is_some_and(|seen| seen != latest) {
                g.bump();
            }
            seen = Some(latest);
            drop(g);
            std::thread::sleep(POLL_INTERVAL);
        }
        std::thread::sleep(RECONNECT_DELAY);
    }
}
