//! A write transaction as the code inside it sees it: the connection, and
//! what must happen once it commits. `Db::write` opens one, runs the
//! caller's work in it, commits, and only then lets caches go: an answer
//! cached from a transaction that rolled back would be wrong, and one
//! dropped before the commit could be read again from the old rows.

use std::ops::{Deref, DerefMut};

use crate::db::DbConnection;

/// What committed writes changed, for what listens after the commit.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AfterCommit {
    /// Something the public can read may have changed: cached answers,
    /// the totals memo and the category tree let go (`ContentGeneration`).
    pub content: bool,
    /// A job was enqueued: this process's workers look at once.
    pub jobs: bool,
}

pub struct Tx<'c> {
    conn: &'c mut DbConnection,
    after_commit: AfterCommit,
}

impl<'c> Tx<'c> {
    /// Only `Db` opens transactions: every write goes through its door.
    pub(in crate::db) fn new(conn: &'c mut DbConnection) -> Self {
        Self {
            conn,
            after_commit: AfterCommit::default(),
        }
    }

    /// Called by `changes::commit` only.
    pub(crate) fn content_changed(&mut self) {
        self.after_commit.content = true;
    }

    /// Called by `jobs::enqueue` only.
    pub(crate) fn job_enqueued(&mut self) {
        self.after_commit.jobs = true;
    }

    pub(in crate::db) fn after_commit(&self) -> AfterCommit {
        self.after_commit
    }

    /// The connection, for diesel calls that take it by a generic `&mut C`.
    pub fn conn(&mut self) -> &mut DbConnection {
        self.conn
    }
}

impl Deref for Tx<'_> {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        self.conn
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut DbConnection {
        self.conn
    }
}
