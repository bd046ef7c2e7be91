-- Collation keys of the names lists sort by (content::french_order): French
-- order on both databases, compared as bytes, walked in index order. Empty
-- until written: every write sets them, and a job fills those of existing
-- rows after start-up.
ALTER TABLE tags ADD COLUMN name_key BLOB NOT NULL DEFAULT x'';
ALTER TABLE authors ADD COLUMN name_key BLOB NOT NULL DEFAULT x'';
ALTER TABLE articles ADD COLUMN title_key BLOB NOT NULL DEFAULT x'';
CREATE INDEX tags_name_key ON tags (name_key, id);
CREATE INDEX authors_name_key ON authors (name_key, id);
CREATE INDEX articles_title_key ON articles (title_key, id);
