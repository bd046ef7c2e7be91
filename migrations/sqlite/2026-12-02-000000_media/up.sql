-- The media library (see src/content/media). Files live in the media store
-- under `storage_key`: `{storage_key}.{ext}` is the original without its
-- metadata, `{storage_key}-{width}w.{ext}` the renditions listed in
-- `renditions` (JSON). Identical uploads share their files (`content_hash`).
CREATE TABLE media (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    content_hash    TEXT NOT NULL,
    storage_key     TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    mime_type       TEXT NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    bytes           BIGINT NOT NULL,
    alt             TEXT,
    caption         TEXT,
    credit          TEXT,
    title           TEXT,
    placeholder     TEXT NOT NULL,
    dominant_color  TEXT NOT NULL,
    renditions      TEXT NOT NULL,
    search_text     TEXT NOT NULL,
    created_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX media_content_hash ON media (content_hash);
CREATE INDEX media_by_type ON media (mime_type, id);
