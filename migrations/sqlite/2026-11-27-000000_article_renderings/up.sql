-- Each article as the public reads it, serialised when it is written
-- (`content::articles::renderings`): its list item (no body) and its detail.
-- A public page reads its ids from the list index alone and these rows by
-- key, instead of each article's wide row (its bodies span overflow pages)
-- plus bylines and tags; a public article by slug is one lookup.
-- `shape` is the version of the JSON layout: a rendering of another shape is
-- never served, and is rewritten at start-up. The JSON is stored as its
-- UTF-8 bytes and read as bytes: copied, not checked again (diesel checks a
-- text value's UTF-8 twice on SQLite).
-- INTEGER PRIMARY KEY: the key is the rowid, so a lookup is one b-tree seek.
-- The list item comes first: a list reads it without walking the detail's
-- overflow pages.
CREATE TABLE article_renderings (
    article_id  INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    shape       INTEGER NOT NULL,
    list_item   BLOB NOT NULL,
    detail      BLOB NOT NULL
);

-- The public test of an article by slug, answered from the index alone:
-- `status` and `published_at` come after the bodies in the table's rows.
CREATE INDEX articles_public_slug ON articles (slug, status, published_at);
