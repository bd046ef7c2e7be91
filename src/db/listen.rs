//! A PostgreSQL connection that sleeps until a `NOTIFY` arrives, for the
//! background threads that must hear another process's change at once
//! (cache invalidation, new jobs) without polling. diesel reads pending
//! notifications but cannot wait for one (it does not expose the socket),
//! so this holds its own libpq connection (the same library and URL
//! semantics as diesel's) and waits on its socket with `poll`.

use std::ffi::{CStr, CString};
use std::time::Duration;

use pq_sys as pq;

/// A notification: the channel and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub channel: String,
    pub payload: String,
}

pub struct Listener {
    conn: *mut pq::PGconn,
}

// SAFETY: a libpq connection may move between threads as long as one
// thread at a time uses it; `Listener` is used through `&mut self` only.
unsafe impl Send for Listener {}

impl Listener {
    /// Connects to `url` and listens on `channels` (plain identifiers).
    pub fn connect(url: &str, channels: &[&str]) -> Result<Self, String> {
        let conninfo = CString::new(url).map_err(|_| "the URL contains a NUL byte".to_owned())?;
        // SAFETY: `conninfo` is a valid C string for the call's duration;
        // libpq returns a connection object (possibly failed) or null.
        let conn = unsafe { pq::PQconnectdb(conninfo.as_ptr()) };
        if conn.is_null() {
            return Err("libpq could not allocate a connection".to_owned());
        }
        let listener = Self { conn };
        // SAFETY: `conn` is the non-null connection made above.
        if unsafe { pq::PQstatus(conn) } != pq::ConnStatusType::CONNECTION_OK {
            return Err(listener.error());
        }
        for channel in channels {
            listener.exec(&format!("LISTEN {channel}"))?;
        }
        Ok(listener)
    }

    fn error(&self) -> String {
        // SAFETY: libpq returns a pointer to a NUL-terminated message owned
        // by the connection, valid until the next call on it.
        unsafe { CStr::from_ptr(pq::PQerrorMessage(self.conn)) }
            .to_string_lossy()
            .trim()
            .to_owned()
    }

    fn exec(&self, sql: &str) -> Result<(), String> {
        let sql = CString::new(sql).map_err(|_| "a NUL byte in SQL".to_owned())?;
        // SAFETY: valid connection and C string; the result is freed below.
        let result = unsafe { pq::PQexec(self.conn, sql.as_ptr()) };
        // SAFETY: PQresultStatus accepts null (a fatal error).
        let ok = unsafe { pq::PQresultStatus(result) } == pq::ExecStatusType::PGRES_COMMAND_OK;
        // SAFETY: `result` came from PQexec; PQclear accepts null.
        unsafe { pq::PQclear(result) };
        if ok { Ok(()) } else { Err(self.error()) }
    }

    /// Waits up to `timeout` for notifications and returns those that
    /// arrived (none on a timeout). An error means the connection is lost:
    /// notifications may have been missed, and a new `Listener` is needed.
    pub fn wait(&mut self, timeout: Duration) -> Result<Vec<Notification>, String> {
        let mut found = self.drain()?;
        if !found.is_empty() {
            return Ok(found);
        }
        // SAFETY: valid connection; -1 when it has no socket (lost).
        let socket = unsafe { pq::PQsocket(self.conn) };
        if socket < 0 {
            return Err("the connection has no socket".to_owned());
        }
        let mut fds = libc::pollfd {
            fd: socket,
            events: libc::POLLIN,
            revents: 0,
        };
        let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd for the duration of the call.
        let ready = unsafe { libc::poll(&mut fds, 1, millis) };
        if ready < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                return Ok(Vec::new());
            }
            return Err(err.to_string());
        }
        if ready > 0 {
            found = self.drain()?;
        }
        Ok(found)
    }

    /// Reads what the server sent and takes every pending notification.
    fn drain(&mut self) -> Result<Vec<Notification>, String> {
        // SAFETY: valid connection; 0 means the read failed (lost).
        if unsafe { pq::PQconsumeInput(self.conn) } == 0 {
            return Err(self.error());
        }
        let mut found = Vec::new();
        loop {
            // SAFETY: valid connection; returns null when none is pending,
            // else a notification we own and free with PQfreemem.
            let notify = unsafe { pq::PQnotifies(self.conn) };
            if notify.is_null() {
                break;
            }
            // SAFETY: `notify` is non-null and points to libpq's struct,
            // whose strings are NUL-terminated and live until freed.
            let (channel, payload) = unsafe {
                (
                    CStr::from_ptr((*notify).relname)
                        .to_string_lossy()
                        .into_owned(),
                    CStr::from_ptr((*notify).extra)
                        .to_string_lossy()
                        .into_owned(),
                )
            };
            // SAFETY: `notify` came from PQnotifies and is freed once.
            unsafe { pq::PQfreemem(notify.cast()) };
            found.push(Notification { channel, payload });
        }
        Ok(found)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // SAFETY: `conn` came from PQconnectdb and is finished once.
        unsafe { pq::PQfinish(self.conn) };
    }
}
