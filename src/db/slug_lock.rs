//! The lock that lets concurrent creates derive unique slugs from one title.
//!
//! A new resource without a given slug takes the first free one of `base`,
//! `base-2`, `base-3`… On PostgreSQL, twenty articles titled alike and
//! created at once all read the same free slug and all but one failed on
//! the unique index (then ran again, and collided again). Holding this lock
//! on (table, base) from the read of the taken slugs to the commit makes
//! them choose one after another, each seeing the slugs committed before
//! it. Other bases and other tables are not held up. On SQLite one writer
//! at a time already gives that order, and this is a no-op.

use diesel::RunQueryDsl;
use diesel::result::QueryResult;
use diesel::sql_types::Text;

use super::DbConnection;

/// Takes the lock on `base` in `table` for the rest of the transaction.
pub fn hold(conn: &mut DbConnection, table: &str, base: &str) -> QueryResult<()> {
    match conn {
        // The two-integer form of the key: a key space apart from the
        // single-bigint lock of `embedded_names`.
        DbConnection::Postgres(pg) => {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))")
                .bind::<Text, _>(table)
                .bind::<Text, _>(base)
                .execute(pg)
                .map(drop)
        }
        DbConnection::Sqlite(_) => Ok(()),
    }
}
