-- Each article as a public list shows it, serialised once when it is
-- written (`content::articles::list_items`). A public page then reads the
-- page's ids from the list index alone and these small rows by key, instead
-- of each article's wide row (its bodies span overflow pages) plus bylines
-- and tags. `shape` is the version of the item's JSON layout: an item of
-- another shape is never served, and is rewritten at start-up. `item` holds
-- the JSON's UTF-8 bytes as sent: read as bytes, they are copied, not checked
-- again (diesel checks a text value's UTF-8 twice on SQLite).
-- INTEGER PRIMARY KEY: the key is the rowid, so a lookup is one b-tree seek.
CREATE TABLE article_list_items (
    article_id  INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    shape       INTEGER NOT NULL,
    item        BLOB NOT NULL
);
