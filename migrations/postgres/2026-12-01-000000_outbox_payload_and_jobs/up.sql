-- The outbox carries what changed (the resource as the API shows it, or a
-- summary of what is gone) and through which credential, so that its
-- subscribers (webhooks, audit, search) need not read the row again, which
-- may have changed or gone by then.
ALTER TABLE content_events ADD COLUMN credential TEXT;
ALTER TABLE content_events ADD COLUMN payload TEXT;

-- Background work, enqueued in the transaction of the change that needs it
-- and claimed by any process (see src/jobs).
CREATE TABLE jobs (
    id            BIGSERIAL PRIMARY KEY,
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
-- What a worker looks for: live jobs by due time.
CREATE INDEX jobs_due ON jobs (run_at) WHERE dead_at IS NULL;

-- Workers sleep until a job is enqueued or falls due; an enqueue wakes them.
CREATE FUNCTION jobs_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('cms_jobs', NEW.id::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER jobs_notify
    AFTER INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION jobs_notify();
