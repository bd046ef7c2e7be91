-- The outbox carries what changed (the resource as the API shows it, or a
-- summary of what is gone) and through which credential (see src/changes).
ALTER TABLE content_events ADD COLUMN credential TEXT;
ALTER TABLE content_events ADD COLUMN payload TEXT;

-- Background work, enqueued in the transaction of the change that needs it
-- (see src/jobs).
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    run_at        TIMESTAMP NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    last_error    TEXT,
    claimed_by    TEXT,
    claimed_until TIMESTAMP,
    dead_at       TIMESTAMP,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE dead_at IS NULL;
