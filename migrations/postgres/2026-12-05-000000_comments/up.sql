-- Reader comments (src/comments). Anonymous readers write them, editors
-- moderate them. Emails are never shown publicly; the reader's address is
-- kept only as a keyed hash (`address_hash`), forgotten after
-- CMS_COMMENTS_IP_RETENTION_DAYS by the `comments.forget_addresses` job.
CREATE TABLE comments (
    id           BIGSERIAL PRIMARY KEY,
    article_id   BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- Replies re-attach to the grandparent when a parent is purged
    -- (comments::use_cases); SET NULL only backs that up.
    parent_id    BIGINT REFERENCES comments (id) ON DELETE SET NULL,
    author_name  TEXT NOT NULL,
    author_email TEXT,
    author_url   TEXT,
    body         TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    -- pending, approved, spam, trash
    status       TEXT NOT NULL,
    -- Why a comment waits (first_comment, links, held_words,
    -- captcha_unavailable, moderation): shown to moderators only.
    hold_reason  TEXT,
    -- A reply written by a staff account (marked as such publicly).
    user_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    address_hash TEXT,
    edit_note    TEXT,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
-- The public thread: an article's approved top-level comments in order,
-- then their replies by parent.
CREATE INDEX comments_thread ON comments (article_id, status, parent_id, created_at, id);
CREATE INDEX comments_parent ON comments (parent_id, status);
-- The moderation queue, newest first per status.
CREATE INDEX comments_queue ON comments (status, created_at, id);
CREATE INDEX comments_email ON comments (author_email);
CREATE INDEX comments_addresses ON comments (created_at) WHERE address_hash IS NOT NULL;

-- Solved ALTCHA challenges, kept until they expire, so that one solution
-- posts one comment whichever app process receives it.
CREATE TABLE comment_challenges_used (
    challenge  TEXT PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);

-- Comment submissions per client address and per article, per window,
-- shared by every app process (src/comments/rate_limit.rs).
CREATE TABLE comment_rate_limits (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    hits         INTEGER NOT NULL
);

-- Approved comments per article, kept by the comment write path, shown in
-- article lists; and when an article stops taking comments
-- (CMS_COMMENTS_CLOSE_AFTER_DAYS after publication), set by the article
-- write path.
ALTER TABLE articles ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN comments_close_at TIMESTAMP;
