-- v1 schema of the API contract. Timestamps are UTC stored without a zone
-- (the application converts), ids are BIGINT, JSON is kept as TEXT so that the
-- same diesel schema serves SQLite and PostgreSQL.

CREATE TABLE authors (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    bio         TEXT,
    avatar_url  TEXT,
    links       TEXT NOT NULL DEFAULT '[]',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author', 'contributor')),
    author_id      BIGINT UNIQUE REFERENCES authors (id) ON DELETE SET NULL,
    active         BOOLEAN NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE categories (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    description  TEXT,
    parent_id    BIGINT REFERENCES categories (id) ON DELETE RESTRICT,
    position     INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX categories_parent_position ON categories (parent_id, position, id);

CREATE TABLE tags (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    description  TEXT,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE articles (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    slug                  TEXT NOT NULL UNIQUE,
    title                 TEXT NOT NULL,
    excerpt               TEXT NOT NULL DEFAULT '',
    body                  TEXT NOT NULL,
    body_format           TEXT NOT NULL DEFAULT 'markdown' CHECK (body_format IN ('markdown', 'html')),
    body_html             TEXT NOT NULL,
    status                TEXT NOT NULL DEFAULT 'draft'
                          CHECK (status IN ('draft', 'review', 'scheduled', 'published', 'archived')),
    published_at          TIMESTAMP,
    language              TEXT NOT NULL DEFAULT 'fr',
    category_id           BIGINT NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
    featured_image        TEXT,
    seo_title             TEXT,
    seo_description       TEXT,
    seo_canonical_url     TEXT,
    featured              BOOLEAN NOT NULL DEFAULT 0,
    sponsored             BOOLEAN NOT NULL DEFAULT 0,
    comments_enabled      BOOLEAN NOT NULL DEFAULT 1,
    reading_time_minutes  INTEGER NOT NULL DEFAULT 0,
    word_count            INTEGER NOT NULL DEFAULT 0,
    -- plain text of title, excerpt and body, kept by the article write path for search
    search_text           TEXT NOT NULL DEFAULT '',
    created_by            BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1
);
-- public lists: newest published first, with id as the stable tie-break
CREATE INDEX articles_status_published ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_category_published ON articles (category_id, status, published_at DESC, id DESC);
CREATE INDEX articles_updated ON articles (updated_at, id);

CREATE TABLE article_authors (
    article_id  BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id   BIGINT NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    position    INTEGER NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_author ON article_authors (author_id, article_id);

CREATE TABLE article_tags (
    article_id  BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id      BIGINT NOT NULL REFERENCES tags (id) ON DELETE RESTRICT,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

CREATE TABLE refresh_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- every token issued by rotation shares the family of the login that started it
    family_id    TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    expires_at   TIMESTAMP NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    used_at      TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    token_prefix  TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    scopes        TEXT NOT NULL,
    created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    expires_at    TIMESTAMP,
    last_used_at  TIMESTAMP,
    revoked_at    TIMESTAMP,
    created_at    TIMESTAMP NOT NULL
);

-- failed-login counters shared by every app process (keyed by account or client address)
CREATE TABLE login_throttles (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    window_start  TIMESTAMP NOT NULL,
    locked_until  TIMESTAMP
);

-- one row per content write, in the same transaction: cache invalidation across
-- processes now, webhooks and the audit log later
CREATE TABLE content_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    resource      TEXT NOT NULL,
    resource_id   BIGINT NOT NULL,
    action        TEXT NOT NULL,
    actor_user_id BIGINT,
    created_at    TIMESTAMP NOT NULL
);
