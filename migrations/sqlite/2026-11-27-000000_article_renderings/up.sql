-- Each article as a public list shows it, serialised when it is written
-- (`content::articles::renderings`). A public page reads its ids from the
-- list index alone and these small rows by key, instead of each article's
-- wide row (its bodies span overflow pages) plus bylines and tags; a public
-- article by slug is its item with the row's bodies set in. The detail is
-- not stored: it would double the database (11 KB an article), and at
-- 1,000,000 articles push it past the machine's memory.
-- `shape` is the version of the JSON layout: an item of another shape is
-- never served, and is rewritten at start-up. The JSON is stored as its
-- UTF-8 bytes and read as bytes: copied, not checked again (diesel checks a
-- text value's UTF-8 twice on SQLite).
-- INTEGER PRIMARY KEY: the key is the rowid, so a lookup is one b-tree seek.
CREATE TABLE article_renderings (
    article_id  INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    shape       INTEGER NOT NULL,
    list_item   BLOB NOT NULL
);

-- The public test of an article by slug, answered from the index alone:
-- `status` and `published_at` come after the bodies in the table's rows.
CREATE INDEX articles_public_slug ON articles (slug, status, published_at);
