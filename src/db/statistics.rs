//! PostgreSQL: the planner's statistics kept fresh after bulk writes.
//!
//! Plans are made once per pooled connection (`db::plan_stability`), from
//! the statistics of that moment. After an import or a busy day, the
//! statistics still describe the small table of before, and the uncached
//! list ran at 580–700 requests/s instead of 5,700–6,100 until autovacuum
//! got round to the table (it looks once a minute, at most). So every
//! commit that changed content wakes a thread here; after a second of
//! settling (a burst goes on, backends publish their counters), it analyses
//! each table with more changes since its last analysis than autovacuum's
//! own threshold (50 rows and a tenth of the table): the same rule,
//! applied now rather than within the minute. `ANALYZE` invalidates the
//! plans cached on every connection, which are made again from the new
//! figures. It takes no lock that holds up reads or writes.
//!
//! Idle, the thread sleeps on a condition variable: no timer (after writes,
//! one last look comes when the backends' counters have all been
//! published, see [`COUNTERS_LAG`]). Several processes on one database
//! take turns through an advisory lock.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::{ConnectionManager, DbConnection};
use crate::config::DatabaseUrl;

/// From the first write of a burst to the look at the counters.
const SETTLE: Duration = Duration::from_secs(1);

/// A backend publishes its counters at most once a second while busy, and
/// what it holds back then only 10 s after it falls idle (PostgreSQL's
/// `PGSTAT_IDLE_INTERVAL`): the end of a burst shows that much later, so
/// the last look after writes comes this long after the one before.
const COUNTERS_LAG: Duration = Duration::from_secs(11);

/// Key of the advisory lock the processes take turns with.
const LOCK_KEY: i64 = 0x636d_735f_7374_6174; // "cms_stat"

/// Tables whose changes since their last analysis pass autovacuum's
/// default threshold (`autovacuum_analyze_threshold` 50 plus
/// `autovacuum_analyze_scale_factor` 0.1 of the rows the planner knows).
const STALE_TABLES: &str = "SELECT quote_ident(s.relname) AS name \
     FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid \
     WHERE s.schemaname = current_schema() \
       AND s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)";

#[derive(Debug, Default)]
struct State {
    written: bool,
    closed: bool,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Held by the database handle; the thread ends when it is dropped.
#[derive(Debug)]
pub struct Freshness {
    shared: Arc<Shared>,
}

impl Freshness {
    /// Starts the thread on PostgreSQL; on SQLite, `None`.
    pub fn start(url: &DatabaseUrl) -> Option<Self> {
        let DatabaseUrl::Postgres(_) = url else {
            return None;
        };
        let shared = Arc::new(Shared::default());
        let thread_shared = Arc::clone(&shared);
        let manager = ConnectionManager::new(url.clone());
        let spawned = std::thread::Builder::new()
            .name("statistics".to_owned())
            .spawn(move || keep_fresh(&thread_shared, &manager));
        if let Err(err) = spawned {
            tracing::error!(error = %err, "cannot start the statistics thread; autovacuum alone refreshes them");
            return None;
        }
        Some(Self { shared })
    }

    /// A commit changed content.
    pub fn wrote(&self) {
        let mut state = self.shared.lock();
        if !state.written {
            state.written = true;
            self.shared.wake.notify_one();
        }
    }
}

impl Drop for Freshness {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_one();
    }
}

fn keep_fresh(shared: &Shared, manager: &ConnectionManager) {
    let mut conn: Option<DbConnection> = None;
    // Whether writes were seen since the last look that saw every counter.
    let mut last_look_due = false;
    loop {
        {
            let mut state = shared.lock();
            while !state.written && !state.closed {
                if last_look_due {
                    let (next, waited) = shared
                        .wake
                        .wait_timeout(state, COUNTERS_LAG)
                        .unwrap_or_else(PoisonError::into_inner);
                    state = next;
                    if waited.timed_out() {
                        break;
                    }
                } else {
                    state = shared
                        .wake
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
            if state.closed {
                return;
            }
            // A write starts (or continues) a burst: settle first, and
            // look once more when its counters are all out.
            last_look_due = state.written;
            state.written = false;
        }
        if last_look_due {
            std::thread::sleep(SETTLE);
        }
        if shared.lock().closed {
            return;
        }
        let result = match &mut conn {
            Some(conn) => analyse_stale(conn),
            None => manager
                .open_existing()
                .map_err(|e| e.to_string())
                .and_then(|opened| analyse_stale(conn.insert(opened))),
        };
        match result {
            Ok(Turn::Done) => {}
            // Another process is at it; look again after the next settle.
            Ok(Turn::Busy) => shared.lock().written = true,
            Err(error) => {
                tracing::debug!(%error, "statistics not refreshed; autovacuum will");
                conn = None;
            }
        }
    }
}

enum Turn {
    Done,
    Busy,
}

#[derive(QueryableByName)]
struct Stale {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Analyses the tables past the threshold, holding the advisory lock.
fn analyse_stale(conn: &mut DbConnection) -> Result<Turn, String> {
    let DbConnection::Postgres(pg) = conn else {
        return Ok(Turn::Done);
    };
    let locked = diesel::sql_query(format!("SELECT pg_try_advisory_lock({LOCK_KEY}) AS locked"))
        .get_result::<Locked>(pg)
        .map_err(|e| e.to_string())?;
    if !locked.locked {
        return Ok(Turn::Busy);
    }
    let analysed = analyse(pg);
    let unlocked = diesel::sql_query(format!("SELECT pg_advisory_unlock({LOCK_KEY}) AS locked"))
        .get_result::<Locked>(pg)
        .map_err(|e| e.to_string());
    analysed?;
    unlocked?;
    Ok(Turn::Done)
}

fn analyse(pg: &mut PgConnection) -> Result<(), String> {
    use diesel::connection::SimpleConnection;
    let stale = diesel::sql_query(STALE_TABLES)
        .load::<Stale>(pg)
        .map_err(|e| e.to_string())?;
    for table in stale {
        let started = std::time::Instant::now();
        // `quote_ident` made the name safe to splice.
        pg.batch_execute(&format!("ANALYZE {}", table.name))
            .map_err(|e| e.to_string())?;
        tracing::debug!(
            table = %table.name,
            elapsed_ms = crate::telemetry::rounded_ms(started.elapsed()),
            "statistics refreshed"
        );
    }
    Ok(())
}
