-- Each article as a public list shows it, serialised when it is written
-- (`content::articles::renderings`). A public page reads its ids from the
-- list index and these rows by key: one statement instead of three (page,
-- bylines, tags), and nothing to serialise; a public article by slug is its
-- item with the row's bodies set in, one statement instead of three.
-- `shape` is the version of the JSON layout: an item of another shape is
-- never served, and is rewritten at start-up. The JSON is stored as its
-- UTF-8 bytes and read as bytes.
CREATE TABLE article_renderings (
    article_id  BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    shape       INTEGER NOT NULL,
    list_item   BYTEA NOT NULL
);

-- The public test of an article by slug, answered from the index.
CREATE INDEX articles_public_slug ON articles (slug, status, published_at);
