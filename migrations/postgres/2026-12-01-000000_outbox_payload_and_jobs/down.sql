DROP TRIGGER jobs_notify ON jobs;
DROP FUNCTION jobs_notify();
DROP TABLE jobs;
ALTER TABLE content_events DROP COLUMN payload;
ALTER TABLE content_events DROP COLUMN credential;
