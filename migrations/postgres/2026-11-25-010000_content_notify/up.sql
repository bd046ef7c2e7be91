-- Every content event is announced to the other app processes at commit,
-- so their response caches let go at once (see src/db/changes.rs).
CREATE FUNCTION cms_notify_content_event() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('cms_content', NEW.id::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER content_events_notify
    AFTER INSERT ON content_events
    FOR EACH ROW EXECUTE FUNCTION cms_notify_content_event();
