-- Application passwords (see src/accounts/application_passwords): what a
-- journalist's editor (MarsEdit, Open Live Writer, the WordPress app...)
-- signs in with instead of the login password. Only a keyed hash of each is
-- stored (HMAC-SHA256 with a key derived from the server secret): they are
-- random and long, so a fast hash is safe, and editors call many methods a
-- minute. `uuid` is the public id, as in WordPress.
CREATE TABLE application_passwords (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid          TEXT NOT NULL UNIQUE,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP,
    last_ip       TEXT
);
CREATE INDEX application_passwords_by_user ON application_passwords (user_id, id);
