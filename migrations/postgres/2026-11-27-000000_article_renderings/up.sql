-- Each article as the public reads it, serialised when it is written
-- (`content::articles::renderings`): its list item (no body) and its detail.
-- A public page reads its ids from the list index and these rows by key: two
-- statements instead of three (page, bylines, tags), and nothing to
-- serialise; a public article by slug is one statement instead of three.
-- `shape` is the version of the JSON layout: a rendering of another shape is
-- never served, and is rewritten at start-up. The JSON is stored as its
-- UTF-8 bytes and read as bytes.
CREATE TABLE article_renderings (
    article_id  BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    shape       INTEGER NOT NULL,
    list_item   BYTEA NOT NULL,
    detail      BYTEA NOT NULL
);

-- The public test of an article by slug, answered from the index.
CREATE INDEX articles_public_slug ON articles (slug, status, published_at);
