-- The site's settings as an administrator changed them (see src/site): one
-- row, or none. A NULL column is not overridden: the configured value
-- (CMS_SITE_*) applies.
CREATE TABLE site_settings (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    title         TEXT,
    description   TEXT,
    frontend_url  TEXT,
    timezone      TEXT,
    language      TEXT,
    updated_at    TIMESTAMP NOT NULL,
    updated_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
