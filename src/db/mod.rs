//! The only code that knows there are two databases: the connection enum, the
//! pool that picks a backend from the URL scheme, migrations, and the one door
//! (`Db::read` / `Db::write`) through which handlers reach the database.

pub mod embedded_names;
pub mod id_list;
pub mod listen;
pub mod page_window;
mod plan_stability;
pub mod schema;
pub mod slug_lock;
mod statistics;
pub mod timings;
mod tx;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::{
    AnsiTransactionManager, Instrumentation, InstrumentationEvent, SimpleConnection,
    TransactionManager,
};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::changes::ContentGeneration;
use crate::config::{Config, DatabaseUrl};
use crate::error::ApiError;
pub use tx::{AfterCommit, Tx};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long a SQLite writer waits for the lock before giving up; long enough
/// that concurrent writers queue instead of failing with "database is locked".
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

/// Each SQLite connection's own page cache (SQLite's default is 2 MiB).
/// The file's pages stay in the kernel's cache anyway, so a page missing
/// here costs a `pread`, not a disk read: an article by slug lands on pages
/// no small cache holds, and what a list reads (an index's top levels and
/// the newest items) fits. At the default, the pool and the writer held
/// 9 MB of pages copied from the kernel's cache after a minute of random
/// slugs, with no gain in requests/s.
const SQLITE_PAGE_CACHE_KIB: u32 = 512;

/// One connection type over both backends, so that queries are written once.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Runs `f` in a transaction that holds the write lock from its first
    /// statement, and returns what must happen after its commit. On SQLite a
    /// deferred transaction that reads and then writes can fail at once with
    /// SQLITE_BUSY (the busy timeout does not apply to a lock upgrade), so
    /// writers start with `BEGIN IMMEDIATE` and queue instead. On PostgreSQL
    /// pooled sessions are read-only by default (`Access::ReadOnly`), so a
    /// write says `READ WRITE`. Private to `db`: writes go through `Db`.
    fn write_transaction<T, F>(&mut self, f: F) -> Result<(T, AfterCommit), ApiError>
    where
        F: FnOnce(&mut Tx<'_>) -> Result<T, ApiError>,
    {
        match self {
            Self::Sqlite(conn) => {
                AnsiTransactionManager::begin_transaction_sql(conn, "BEGIN IMMEDIATE")?
            }
            Self::Postgres(conn) => {
                AnsiTransactionManager::begin_transaction_sql(conn, "BEGIN READ WRITE")?
            }
        }
        let result = {
            let mut tx = Tx::new(self);
            f(&mut tx).map(|value| (value, tx.after_commit()))
        };
        match result {
            Ok(value) => {
                <Self as Connection>::TransactionManager::commit_transaction(self)?;
                Ok(value)
            }
            Err(err) => {
                // The caller's error says what went wrong; a failed rollback
                // leaves the connection broken, which the pool then discards.
                let _ = <Self as Connection>::TransactionManager::rollback_transaction(self);
                Err(err)
            }
        }
    }
}

/// Whether a connection may write. The pool's connections serve `Db::read`
/// and refuse writes (PostgreSQL: read-only transactions unless a write
/// transaction says otherwise; SQLite: `query_only`), so a write that
/// bypasses `Db::write` and its commit path fails in every test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

/// Opens connections of the backend named by `DATABASE_URL`, with SQLite's
/// pragmas set on every new connection.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    queries: Arc<AtomicU64>,
    lost: Arc<AtomicU64>,
}

/// Counts the statements every pooled connection runs, so that a test can
/// prove a request issues a bounded number of queries (no query per row).
struct QueryCounter(Arc<AtomicU64>);

impl Instrumentation for QueryCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self {
            url,
            queries: Arc::new(AtomicU64::new(0)),
            lost: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A connection outside the pool, to a database that must already exist;
    /// its queries (background work) are not counted with the requests'.
    pub fn open_existing(&self) -> Result<DbConnection, ConnectionError> {
        self.open_uncounted(false, Access::ReadWrite)
    }

    fn open(&self, create: bool, access: Access) -> Result<DbConnection, ConnectionError> {
        let mut conn = self.open_uncounted(create, access)?;
        // Set after the connection's own set-up statements, which say nothing
        // about the requests it will serve.
        let counter = QueryCounter(Arc::clone(&self.queries));
        match &mut conn {
            DbConnection::Postgres(c) => c.set_instrumentation(counter),
            DbConnection::Sqlite(c) => c.set_instrumentation(counter),
        }
        Ok(conn)
    }

    fn open_uncounted(
        &self,
        create: bool,
        access: Access,
    ) -> Result<DbConnection, ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                plan_stability::postgres(&mut conn);
                if access == Access::ReadOnly {
                    conn.batch_execute("SET default_transaction_read_only = on")
                        .map_err(ConnectionError::CouldntSetupConfiguration)?;
                }
                Ok(DbConnection::Postgres(conn))
            }
            DatabaseUrl::Sqlite(path) => {
                plan_stability::install();
                let mut conn = SqliteConnection::establish(&sqlite_uri(path, create))?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA cache_size = -{SQLITE_PAGE_CACHE_KIB};
                     PRAGMA query_only = {};",
                    i32::from(access == Access::ReadOnly)
                ))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// A `file:` URI; pooled connections open with `mode=rw` so that a deleted
/// database file is an error rather than a new, empty database.
fn sqlite_uri(path: &Path, create: bool) -> String {
    let mut encoded = String::new();
    for ch in path.to_string_lossy().chars() {
        match ch {
            '%' => encoded.push_str("%25"),
            '?' => encoded.push_str("%3f"),
            '#' => encoded.push_str("%23"),
            other => encoded.push(other),
        }
    }
    let mode = if create { "rwc" } else { "rw" };
    format!("file:{encoded}?mode={mode}")
}

impl ManageConnection for ConnectionManager {
    type Connection = Pooled;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Pooled, r2d2::Error> {
        let conn = self
            .open(false, Access::ReadOnly)
            .map_err(r2d2::Error::ConnectionError)?;
        Ok(Pooled::new(conn, Arc::clone(&self.lost)))
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), r2d2::Error> {
        match &self.url {
            // An unlinked SQLite file still answers queries; writes to it
            // would be lost. That is the only way a SQLite connection goes
            // bad, so it needs no `SELECT 1` (a statement per checkout).
            DatabaseUrl::Sqlite(path) if !path.exists() => Err(r2d2::Error::ConnectionError(
                ConnectionError::BadConnection("the SQLite database file is gone".to_owned()),
            )),
            DatabaseUrl::Sqlite(_) => Ok(()),
            DatabaseUrl::Postgres(_) if !conn.needs_check() => Ok(()),
            DatabaseUrl::Postgres(_) => {
                conn.conn.ping().map_err(r2d2::Error::QueryError)?;
                conn.prove();
                Ok(())
            }
        }
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// A pooled connection, and whether it has lately shown that it works.
pub struct Pooled {
    conn: DbConnection,
    /// When it last answered a request, and how many lost connections the
    /// pool had seen by then; `None` after a failed request (the failure
    /// may have been the connection's).
    proven: Option<(Instant, u64)>,
    /// Requests that found the database unreachable, pool-wide: one lost
    /// connection (a server restart, a failover) puts every other
    /// connection's proof in doubt too.
    lost: Arc<AtomicU64>,
}

/// A connection that answered within this window, with no connection lost
/// since, is handed out again without a check. Checking every checkout
/// (`SELECT 1`) was one of a PostgreSQL request's two round trips. A
/// server that goes away inside the window fails the request that finds
/// it gone (503), and every connection is checked before its next use.
const PROVEN_FOR: Duration = Duration::from_secs(1);

impl Pooled {
    fn new(conn: DbConnection, lost: Arc<AtomicU64>) -> Self {
        let mut pooled = Self {
            conn,
            proven: None,
            lost,
        };
        pooled.prove();
        pooled
    }

    /// It has just answered.
    fn prove(&mut self) {
        self.proven = Some((Instant::now(), self.lost.load(Ordering::Relaxed)));
    }

    /// Runs a request's work and records what it showed of the connection.
    fn serve<T>(
        &mut self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let result = f(&mut self.conn);
        match &result {
            Ok(_) => self.prove(),
            Err(error) => {
                if matches!(error, ApiError::DatabaseUnavailable(_)) {
                    self.lost.fetch_add(1, Ordering::Relaxed);
                }
                self.proven = None;
            }
        }
        result
    }

    fn needs_check(&self) -> bool {
        self.proven.is_none_or(|(at, lost)| {
            at.elapsed() >= PROVEN_FOR || lost != self.lost.load(Ordering::Relaxed)
        })
    }
}

impl std::ops::Deref for Pooled {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// The database handle given to handlers: a pool and the door to it.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    queries: Arc<AtomicU64>,
    backend: Backend,
    sqlite_path: Option<PathBuf>,
    /// SQLite only: this process's writers take turns here, on a
    /// connection of their own. SQLite hands its lock to whichever waiter's
    /// busy handler happens to poll next (it sleeps between polls, up to
    /// 100 ms), so writers queued inside SQLite leave the lock idle and some
    /// wait far longer than the others; a queue in the process passes the
    /// lock on at once. One connection for every write keeps its page cache
    /// valid from one write to the next (another connection's write empties
    /// it), and readers keep the whole pool. Other processes (the CLI) still
    /// meet the busy timeout.
    writer: Option<Arc<Mutex<Option<DbConnection>>>>,
    manager: ConnectionManager,
    outage: Arc<Outage>,
    /// Moves after every commit that changed content (see `changes`).
    generation: Arc<ContentGeneration>,
    /// Raised after every commit that enqueued a job (see `jobs`).
    jobs_signal: Arc<crate::jobs::Signal>,
    /// PostgreSQL: told of every commit that changed content, so bulk
    /// writes do not leave the planner with stale figures (`statistics`).
    freshness: Option<Arc<statistics::Freshness>>,
    timings: Arc<timings::Timings>,
    /// How long a request waits for a pooled connection (`CMS_DB_TIMEOUT_MS`).
    connect_timeout: Duration,
}

/// The longest pause between r2d2's attempts to open a connection after a
/// failure (a database restarting).
const RECONNECT_BACKOFF: Duration = Duration::from_millis(200);

/// While the database is unreachable, one request at a time finds out
/// whether it is back; the others are answered at once (503, or the last
/// good cached response: see `http::response_cache`) rather than each
/// waiting out the pool's connection timeout. A news site in an outage
/// keeps serving what it last served, fast.
#[derive(Debug, Default)]
pub struct Outage {
    /// Milliseconds since `epoch` of the last failure to reach the
    /// database; 0 when the last request reached it.
    since_ms: AtomicU64,
    /// A request is checking whether the database is back.
    probing: std::sync::atomic::AtomicBool,
    epoch: std::sync::OnceLock<Instant>,
}

/// After a failure, requests are answered at once for this long before one
/// of them tries the database again.
const OUTAGE_RETRY_AFTER: Duration = Duration::from_millis(200);

impl Outage {
    fn now_ms(&self) -> u64 {
        let epoch = self.epoch.get_or_init(Instant::now);
        u64::try_from(epoch.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// Whether this request may try the database: always outside an
    /// outage; during one, only a single prober at a time, once the last
    /// failure is `OUTAGE_RETRY_AFTER` old. A `true` during an outage makes
    /// this request the prober until `record` is called.
    fn may_try(&self) -> bool {
        let since = self.since_ms.load(Ordering::Relaxed);
        if since == 0 {
            return true;
        }
        let retry_ms = u64::try_from(OUTAGE_RETRY_AFTER.as_millis()).unwrap_or(200);
        self.now_ms().saturating_sub(since) >= retry_ms
            && self
                .probing
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
    }

    /// What a request found: `unreachable` when no connection could be
    /// opened (a lost connection on a query is not an outage: the pool
    /// replaces it at the next checkout).
    fn record(&self, unreachable: bool) {
        let since = if unreachable { self.now_ms() } else { 0 };
        self.since_ms.store(since, Ordering::Relaxed);
        self.probing.store(false, Ordering::Release);
    }

    /// Whether the last request found the database unreachable.
    pub fn is_ongoing(&self) -> bool {
        self.since_ms.load(Ordering::Relaxed) != 0
    }
}

/// How many times a PostgreSQL write that lost a race is run in all.
const RACE_ATTEMPTS: u32 = 8;

/// A short, growing, jittered pause before running a lost write again, so
/// that the writers that collided do not collide again in step.
fn race_backoff(attempt: u32) -> Duration {
    let jitter = u64::from(rand::random::<u8>() % 4);
    Duration::from_millis(u64::from(attempt) * 2 + jitter)
}

/// A PostgreSQL write transaction, run again while it loses races.
fn write_retrying<T>(
    conn: &mut DbConnection,
    f: &mut impl FnMut(&mut Tx<'_>) -> Result<T, ApiError>,
) -> Result<(T, AfterCommit), ApiError> {
    let mut attempt = 1;
    loop {
        match conn.write_transaction(&mut *f) {
            Err(ApiError::Race { cause, .. }) if attempt < RACE_ATTEMPTS => {
                tracing::debug!(%cause, attempt, "write lost a race; running it again");
                std::thread::sleep(race_backoff(attempt));
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// A SQLite write on the process's one writer connection (see `Db::writer`).
fn write_on_sqlite<T>(
    writer: &Mutex<Option<DbConnection>>,
    manager: &ConnectionManager,
    path: Option<&Path>,
    f: impl FnOnce(&mut Tx<'_>) -> Result<T, ApiError>,
) -> Result<(T, AfterCommit), ApiError> {
    let mut slot = writer.lock().unwrap_or_else(|poisoned| {
        // A writer panicked mid-transaction: its connection is not
        // trusted again.
        writer.clear_poison();
        let mut slot = poisoned.into_inner();
        *slot = None;
        slot
    });
    // What the pool's `is_valid` checks on every checkout.
    if path.is_some_and(|p| !p.exists()) {
        *slot = None;
        return Err(ApiError::DatabaseUnavailable(
            "the SQLite database file is gone".to_owned(),
        ));
    }
    let conn = match &mut *slot {
        Some(conn) => conn,
        None => slot.insert(
            manager
                .open(false, Access::ReadWrite)
                .map_err(|e| ApiError::DatabaseUnavailable(e.to_string()))?,
        ),
    };
    let result = conn.write_transaction(f);
    if conn.is_broken() {
        *slot = None;
    }
    result
}

/// What happens once a write has committed.
fn apply(
    generation: &ContentGeneration,
    jobs: &crate::jobs::Signal,
    freshness: Option<&statistics::Freshness>,
    after: AfterCommit,
) {
    if after.content {
        generation.bump();
        if let Some(freshness) = freshness {
            freshness.wrote();
        }
    }
    if after.jobs {
        jobs.raise();
    }
}

/// Failure to prepare the database at start-up, reported against `DATABASE_URL`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(String);

impl Db {
    /// Creates the SQLite file and its directory when needed, applies pending
    /// migrations, and builds the pool. Returns whether the database was new
    /// (no migration had ever run), which is when the demo content is seeded.
    pub fn connect_and_migrate(config: &Config) -> Result<(Self, bool), SetupError> {
        let manager = ConnectionManager::new(config.database_url.clone());
        let queries = Arc::clone(&manager.queries);
        let sqlite_path = match &config.database_url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        SetupError(format!("cannot create directory {}: {e}", dir.display()))
                    })?;
                }
                owner_only(path)?;
                Some(path.clone())
            }
            DatabaseUrl::Postgres(_) => None,
        };
        let mut conn = manager.open(true, Access::ReadWrite).map_err(|e| {
            SetupError(format!(
                "cannot connect to {}: {e}",
                config.database_url.redacted()
            ))
        })?;
        let fresh = migrate(&mut conn)?;
        drop(conn);

        let pool = r2d2::Pool::builder()
            .max_size(config.db_pool_size)
            .min_idle(Some(config.db_pool_size.min(2)))
            // r2d2 retries a failed connection after a backoff capped at
            // half this; the wait a request accepts is `connect_timeout`,
            // given to each `get_timeout`. With the configured 2 s here, a
            // database back from an outage was used up to 1 s later.
            .connection_timeout(RECONNECT_BACKOFF * 2)
            .build_unchecked(manager.clone());
        let backend = match config.database_url {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        };
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(None)));
        Ok((
            Self {
                pool,
                queries,
                backend,
                sqlite_path,
                writer,
                manager,
                outage: Arc::default(),
                generation: Arc::default(),
                jobs_signal: Arc::default(),
                freshness: statistics::Freshness::start(&config.database_url).map(Arc::new),
                timings: Arc::default(),
                connect_timeout: config.db_connect_timeout,
            },
            fresh,
        ))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// What wakes this process's job workers.
    pub fn jobs_signal(&self) -> &Arc<crate::jobs::Signal> {
        &self.jobs_signal
    }

    /// The number caches compare to know whether content changed.
    pub fn generation(&self) -> &Arc<ContentGeneration> {
        &self.generation
    }

    /// Statements run by pooled connections since start (pool health checks
    /// included): the difference around a request is its query count.
    pub fn queries_executed(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// Runs `f` on a pooled connection on the blocking thread pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if !self.outage.may_try() {
            return Err(ApiError::DatabaseUnavailable(
                "the database was unreachable moments ago".to_owned(),
            ));
        }
        let pool = self.pool.clone();
        let wait = self.connect_timeout;
        let outage = Arc::clone(&self.outage);
        let timings = Arc::clone(&self.timings);
        let queued = Instant::now();
        // What the request found is recorded on the blocking thread, which
        // runs to the end even if the client leaves and this future is
        // dropped: a prober that never reported would keep every later
        // request out of the database.
        actix_web::web::block(move || {
            let asked = Instant::now();
            timings.blocking_wait.record(asked - queued);
            let checkout = pool.get_timeout(wait);
            let started = Instant::now();
            timings.pool_wait.record(started - asked);
            match checkout {
                Ok(mut conn) => {
                    outage.record(false);
                    let result = conn.serve(f);
                    timings.work.record(started.elapsed());
                    result
                }
                Err(e) => {
                    // r2d2 names the last connection error after its timeout
                    // ("timed out waiting for connection: …"); a pool merely
                    // busy under load names none, and is no outage.
                    let message = e.to_string();
                    outage.record(message.contains("connection: "));
                    Err(ApiError::DatabaseUnavailable(message))
                }
            }
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }

    /// Whether the database was unreachable at the last attempt.
    pub fn in_outage(&self) -> bool {
        self.outage.is_ongoing()
    }

    /// A read whose cost is bounded by what it returns, not by the size of
    /// the data, and whose pages stay cached (a list page walked from the
    /// head of an index): on SQLite, run on
    /// the calling thread when a pooled connection is free at once. Such a
    /// read takes tens to hundreds of microseconds of CPU, and the hop to
    /// the blocking pool and back costs two context switches (a fifth of a
    /// by-slug read's profile). Otherwise, and always on PostgreSQL (whose
    /// reads wait on the network), it is `read`. Never for a read that can
    /// grow with the data, nor for one that lands anywhere in a table larger
    /// than memory (an article by slug): waiting on the disk, it would hold
    /// up every request of this worker.
    pub async fn read_short<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if self.backend == Backend::Sqlite
            && let Some(mut conn) = self.pool.try_get()
        {
            return conn.serve(f);
        }
        self.read(f).await
    }

    /// Runs `f` inside a write transaction: everything it writes commits
    /// together or not at all, and what it changed is let go of by caches
    /// once it has committed (`Tx`, `changes::commit`).
    ///
    /// On PostgreSQL, transactions run side by side, and a valid write can
    /// lose a race: two creates pick the same free slug, a rename re-renders
    /// an article being deleted, a deadlock. Such a loss (`ApiError::Race`)
    /// rolls back and runs `f` again in a new transaction, which sees what
    /// the winner committed, up to `RACE_ATTEMPTS` times; only a write that
    /// keeps losing is a 409. On SQLite one writer at a time never races.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut Tx<'_>) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let generation = Arc::clone(&self.generation);
        let jobs = Arc::clone(&self.jobs_signal);
        let freshness = self.freshness.clone();
        let Some(writer) = self.writer.clone() else {
            let mut f = f;
            return self
                .read(move |conn| {
                    let (value, after) = write_retrying(conn, &mut f)?;
                    apply(&generation, &jobs, freshness.as_deref(), after);
                    Ok(value)
                })
                .await;
        };
        let manager = self.manager.clone();
        let path = self.sqlite_path.clone();
        actix_web::web::block(move || {
            let (value, after) = write_on_sqlite(&writer, &manager, path.as_deref(), f)?;
            apply(&generation, &jobs, freshness.as_deref(), after);
            Ok(value)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }

    /// `write` for code outside a request (the CLI, the demo seed, the
    /// renderings backfill, background jobs): same transaction, same
    /// commit path, on the calling thread.
    pub fn write_blocking<T, F>(&self, mut f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut Tx<'_>) -> Result<T, ApiError>,
    {
        let (value, after) = match &self.writer {
            Some(writer) => write_on_sqlite(writer, &self.manager, self.sqlite_path.as_deref(), f)?,
            None => {
                let mut conn = self.get_blocking()?;
                conn.serve(|conn| write_retrying(conn, &mut f))?
            }
        };
        apply(
            &self.generation,
            &self.jobs_signal,
            self.freshness.as_deref(),
            after,
        );
        Ok(value)
    }

    /// A read-only pooled connection on the calling thread (checks and
    /// tests); writes go through `write_blocking`.
    pub fn get_blocking(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, ApiError> {
        self.pool
            .get_timeout(self.connect_timeout)
            .map_err(|e| ApiError::DatabaseUnavailable(e.to_string()))
    }

    /// Where reads and writes spend their time (`/metrics`).
    pub fn timings(&self) -> &timings::Timings {
        &self.timings
    }

    pub fn pool_state(&self) -> r2d2::State {
        self.pool.state()
    }

    /// Readiness: the database answers a query through the pool.
    pub async fn check_ready(&self) -> Result<(), ApiError> {
        if let Some(path) = &self.sqlite_path
            && !path.exists()
        {
            return Err(ApiError::DatabaseUnavailable(
                "the SQLite database file is gone".to_owned(),
            ));
        }
        self.read(|conn| {
            conn.batch_execute("SELECT 1")
                .map_err(|e| ApiError::DatabaseUnavailable(e.to_string()))
        })
        .await
    }
}

/// The SQLite database holds password hashes and token digests: its file
/// is created readable by its owner alone (SQLite created it 0644 from the
/// umask), and an existing one is narrowed to that. SQLite gives its `-wal`
/// and `-shm` files the database file's mode; those already there are
/// narrowed too.
fn owner_only(path: &Path) -> Result<(), SetupError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let fail = |e: std::io::Error| SetupError(format!("cannot secure {}: {e}", path.display()));
    if !path.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(fail)?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if let Ok(meta) = std::fs::metadata(&file)
            && meta.permissions().mode() & 0o077 != 0
        {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                .map_err(fail)?;
        }
    }
    Ok(())
}

/// Applies pending migrations of the connection's backend; `true` when the
/// database had none applied before.
pub fn migrate(conn: &mut DbConnection) -> Result<bool, SetupError> {
    let fail =
        |e: Box<dyn std::error::Error + Send + Sync>| SetupError(format!("migration failed: {e}"));
    let (applied_before, ran) = match conn {
        DbConnection::Sqlite(c) => (
            c.applied_migrations().map_err(fail)?.len(),
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(fail)?
                .len(),
        ),
        DbConnection::Postgres(c) => (
            c.applied_migrations().map_err(fail)?.len(),
            c.run_pending_migrations(POSTGRES_MIGRATIONS)
                .map_err(fail)?
                .len(),
        ),
    };
    if ran > 0 {
        tracing::info!(applied = ran, "database migrated");
    }
    Ok(applied_before == 0)
}

/// Runs one expression on the concrete connection of either backend, for the
/// few statements diesel cannot build for the combined backend (multi-row
/// `INSERT`, `ON CONFLICT`). The expression is written once and compiled for
/// each backend.
#[macro_export]
macro_rules! on_each_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}

/// The backend type of `DbConnection`, for boxed queries built once for both.
pub type DbBackend = <DbConnection as Connection>::Backend;

/// Whether both databases would prepare `query` once and reuse it: a
/// statement whose text depends on its values (diesel's `DEFAULT` for a
/// `None`) is prepared again on every call.
#[cfg(test)]
pub(crate) fn prepared_once<Q>(query: &Q) -> bool
where
    Q: diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>
        + diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    use diesel::query_builder::QueryFragment;
    let sqlite = QueryFragment::<diesel::sqlite::Sqlite>::is_safe_to_cache_prepared(
        query,
        &diesel::sqlite::Sqlite,
    );
    let pg = QueryFragment::<diesel::pg::Pg>::is_safe_to_cache_prepared(query, &diesel::pg::Pg);
    matches!((sqlite, pg), (Ok(true), Ok(true)))
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;
    use diesel::sql_types::{BigInt, Text};

    use super::*;

    /// The pragmas are per connection: every pooled one must carry them.
    #[test]
    fn sqlite_connections_open_with_their_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let manager = ConnectionManager::new(DatabaseUrl::Sqlite(dir.path().join("p.sqlite3")));
        let DbConnection::Sqlite(mut conn) = manager.open(true, Access::ReadOnly).unwrap() else {
            unreachable!("a SQLite URL opens a SQLite connection")
        };
        let mut pragma = |name: &str| {
            diesel::select(diesel::dsl::sql::<BigInt>(&format!(
                "(SELECT * FROM pragma_{name}())"
            )))
            .get_result::<i64>(&mut conn)
            .unwrap()
        };
        assert_eq!(pragma("cache_size"), -i64::from(SQLITE_PAGE_CACHE_KIB));
        assert_eq!(pragma("busy_timeout"), i64::from(SQLITE_BUSY_TIMEOUT_MS));
        assert_eq!(pragma("foreign_keys"), 1);
        assert_eq!(pragma("query_only"), 1);
        let journal: String = diesel::select(diesel::dsl::sql::<Text>(
            "(SELECT * FROM pragma_journal_mode())",
        ))
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(journal, "wal");
    }
}
