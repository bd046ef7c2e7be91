DROP INDEX articles_public_slug;
DROP TABLE article_renderings;
