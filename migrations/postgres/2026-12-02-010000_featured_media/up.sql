-- An article's featured image from the media library. The image as the
-- article shows it stays in `featured_image` (JSON), written with the
-- article; this names the media object it came from (see
-- src/content/articles/featured.rs).
ALTER TABLE articles ADD COLUMN featured_image_id BIGINT REFERENCES media (id);
CREATE INDEX articles_featured_image ON articles (featured_image_id) WHERE featured_image_id IS NOT NULL;
