-- SQLite has no notifications: other processes' writes are found by polling
-- content_events (src/db/changes.rs). Kept so both backends share versions.
SELECT 1;
