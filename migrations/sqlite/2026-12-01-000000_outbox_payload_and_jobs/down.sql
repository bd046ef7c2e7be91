DROP TABLE jobs;
ALTER TABLE content_events DROP COLUMN payload;
ALTER TABLE content_events DROP COLUMN credential;
