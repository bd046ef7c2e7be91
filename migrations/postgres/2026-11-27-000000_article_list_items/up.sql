-- Each article as a public list shows it, serialised once when it is
-- written (`content::articles::list_items`). A public page then reads the
-- page's ids from the list index and these rows by key: two statements
-- instead of three (page, bylines, tags), and nothing to serialise. `shape`
-- is the version of the item's JSON layout: an item of another shape is
-- never served, and is rewritten at start-up. `item` holds the JSON's
-- UTF-8 bytes as sent: read as bytes, they are copied, not checked again.
CREATE TABLE article_list_items (
    article_id  BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    shape       INTEGER NOT NULL,
    item        BYTEA NOT NULL
);
