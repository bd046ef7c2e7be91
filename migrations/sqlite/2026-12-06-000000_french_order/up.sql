-- Collation keys of the names lists sort by (content::french_order): French
-- order on both databases, compared as bytes, walked in index order. Empty
-- until written: every write sets them, and a job fills those of existing
-- rows after start-up. Tags and authors are listed by name and written
-- rarely: their keys are indexed. Articles are listed by title only on
-- request (`sort=title`) and written all day: an index on a key in title
-- order would add a page write to every article's commit, at random places
-- in the tree, for a list that was a sort before and stays one.
ALTER TABLE tags ADD COLUMN name_key BLOB NOT NULL DEFAULT x'';
ALTER TABLE authors ADD COLUMN name_key BLOB NOT NULL DEFAULT x'';
ALTER TABLE articles ADD COLUMN title_key BLOB NOT NULL DEFAULT x'';
CREATE INDEX tags_name_key ON tags (name_key, id);
CREATE INDEX authors_name_key ON authors (name_key, id);
