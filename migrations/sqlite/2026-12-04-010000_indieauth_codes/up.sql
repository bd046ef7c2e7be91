-- IndieAuth authorization codes (src/indieauth): made when a journalist
-- approves an app on the authorization page, exchanged once at the token
-- endpoint for a Micropub token (an editor credential). Only a SHA-256
-- digest of the code is kept; a code lives ten minutes and is deleted when
-- used. The PKCE challenge (S256) ties it to the app that asked.
CREATE TABLE indieauth_codes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash      TEXT NOT NULL UNIQUE,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    expires_at     TIMESTAMP NOT NULL
);
