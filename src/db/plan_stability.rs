//! SQLite's query planner stability guarantee (QPSG), on for every
//! connection this process opens.
//!
//! Without it, SQLite re-plans a prepared statement whenever a value bound
//! to it might change the plan: any `LIMIT ?` (diesel binds every limit and
//! offset) and, once `ANALYZE` has stored samples in `sqlite_stat4`, any
//! compared column. Every list page and every read by slug was parsed and
//! planned again (`sqlite3Reprepare` led the profile): the cost of prepared
//! statements without their benefit. With QPSG a statement is planned once,
//! with the same plan for any values, which is what the indexes are built for.
//!
//! diesel does not hand out the connection's handle, so the setting is made
//! by an auto-extension: SQLite runs it for every connection it opens.

use std::ffi::{c_char, c_int};
use std::sync::Once;

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

/// Registers the auto-extension; later calls do nothing.
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
