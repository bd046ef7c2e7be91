DROP INDEX authors_name_key;
DROP INDEX tags_name_key;
ALTER TABLE articles DROP COLUMN title_key;
ALTER TABLE authors DROP COLUMN name_key;
ALTER TABLE tags DROP COLUMN name_key;
