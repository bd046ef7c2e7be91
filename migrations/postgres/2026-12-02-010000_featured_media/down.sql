DROP INDEX articles_featured_image;
ALTER TABLE articles DROP COLUMN featured_image_id;
