DROP TRIGGER content_events_notify ON content_events;
DROP FUNCTION cms_notify_content_event();
