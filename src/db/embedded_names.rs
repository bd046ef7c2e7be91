//! The lock that keeps stored article renderings in step with the names
//! they embed (`content::articles::renderings`).
//!
//! An article write renders it with the author, tag and category names it
//! reads; a rename rewrites the renderings of the articles showing the name.
//! On PostgreSQL the two can run at once in separate transactions, and each
//! would miss the other's uncommitted change: an article created while its
//! author is renamed would keep the old name for good. So article writes
//! hold this lock shared (they still run side by side) and renames hold it
//! exclusively, both until their transaction ends. On SQLite one writer at
//! a time already gives that order, and this is a no-op.

use diesel::RunQueryDsl;
use diesel::result::QueryResult;

use super::DbConnection;

/// How a write transaction holds the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// An article write: renders it with the names it reads.
    Shared,
    /// A write that changes a name articles embed, and re-renders them.
    Exclusive,
}

/// Takes the lock for the rest of the current transaction.
pub fn hold(conn: &mut DbConnection, hold: Hold) -> QueryResult<()> {
    // A transaction-level advisory lock, released at COMMIT or ROLLBACK; the
    // key is this lock's own (no other advisory lock is taken).
    let sql = match hold {
        Hold::Shared => "SELECT pg_advisory_xact_lock_shared(7310298301)",
        Hold::Exclusive => "SELECT pg_advisory_xact_lock(7310298301)",
    };
    match conn {
        DbConnection::Postgres(pg) => diesel::sql_query(sql).execute(pg).map(drop),
        DbConnection::Sqlite(_) => Ok(()),
    }
}
