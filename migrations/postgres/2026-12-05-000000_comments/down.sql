ALTER TABLE articles DROP COLUMN comments_close_at;
ALTER TABLE articles DROP COLUMN comment_count;
DROP TABLE comment_rate_limits;
DROP TABLE comment_challenges_used;
DROP TABLE comments;
