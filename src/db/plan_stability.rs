//! One plan per prepared statement, whatever values are bound to it, on
//! both backends: the plan the indexes are built for, made once.
//!
//! SQLite: the query planner stability guarantee (QPSG), on for every
//! connection this process opens. Without it, SQLite re-plans a prepared
//! statement whenever a value bound to it might change the plan: any
//! `LIMIT ?` (diesel binds every limit and offset) and, once `ANALYZE` has
//! stored samples in `sqlite_stat4`, any compared column. Every list page
//! and every read by slug was parsed and planned again (`sqlite3Reprepare`
//! led the profile): the cost of prepared statements without their benefit.
//! diesel does not hand out the connection's handle, so the setting is made
//! by an auto-extension: SQLite runs it for every connection it opens.
//!
//! PostgreSQL: `plan_cache_mode = force_generic_plan`. By default it plans
//! a statement for its values on each of the first five runs, and keeps
//! doing so for good unless the plan made without them looks about as
//! cheap. A keyset page's bounds (`published_at < $4 OR (published_at = $5
//! AND id < $6)` beside `published_at <= $9`) are each costed as a third of
//! the rows, so its plan without values looked dearer, and every cursor
//! page and every category page was planned again: at 16 connections they
//! ran at 5.0 k requests/s against 8.0–8.2 k and 7.6 k with one plan, for
//! the same plan (an index scan of `articles_published_list`).

use std::ffi::{c_char, c_int};
use std::sync::Once;

use diesel::PgConnection;
use diesel::connection::SimpleConnection;

use libsqlite3_sys as ffi;

unsafe extern "C" fn enable_plan_stability(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: `db` is the connection SQLite is opening; this option takes an
    // int (1: on) and an optional pointer for the new value (none here).
    unsafe {
        ffi::sqlite3_db_config(
            db,
            ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as c_int,
            std::ptr::null_mut::<c_int>(),
        );
    }
    // A connection without the setting is slower, not wrong: never refuse it.
    ffi::SQLITE_OK
}

/// Registers SQLite's auto-extension; later calls do nothing.
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // SAFETY: the function has the signature SQLite calls it with, and
        // lives as long as the process.
        let rc = unsafe { ffi::sqlite3_auto_extension(Some(enable_plan_stability)) };
        if rc != ffi::SQLITE_OK {
            tracing::warn!(
                code = rc,
                "SQLite's planner stability could not be enabled; statements will be planned again on every run"
            );
        }
    });
}

/// Sets a new PostgreSQL connection to plan each statement once. The
/// setting came with PostgreSQL 12; an older server keeps its default.
pub fn postgres(conn: &mut PgConnection) {
    if let Err(error) = conn.batch_execute("SET plan_cache_mode = force_generic_plan") {
        // As for SQLite: slower, not wrong.
        tracing::warn!(%error, "PostgreSQL will plan statements for their values");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any connection opened after `install`, whoever opens it, has QPSG on.
    #[test]
    fn every_new_connection_has_plan_stability_on() {
        install();
        let mut db: *mut ffi::sqlite3 = std::ptr::null_mut();
        // SAFETY: plain use of the C API on a private in-memory database,
        // closed before the test ends.
        unsafe {
            assert_eq!(
                ffi::sqlite3_open(c":memory:".as_ptr(), &mut db),
                ffi::SQLITE_OK
            );
            let mut enabled: c_int = -1;
            let rc = ffi::sqlite3_db_config(
                db,
                ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
                -1 as c_int,
                &mut enabled as *mut c_int,
            );
            ffi::sqlite3_close(db);
            assert_eq!(rc, ffi::SQLITE_OK);
            assert_eq!(enabled, 1);
        }
    }
}
