-- Editor credentials: application passwords gain kinds, so that every
-- protocol's per-user, named, revocable credential is one row shape with
-- one list, one revocation and one last-use record
-- (src/accounts/application_passwords):
--   application_password  WordPress (XML-RPC, /wp-json): keyed hash only;
--   ghost_admin_key       Ghost's staff access token `id:secret`: `uuid` is
--                         the key id (24 hex), and the secret, which must
--                         stay usable to check HMAC signatures, is kept
--                         sealed (XChaCha20-Poly1305, key derived from the
--                         server secret, bound to the key id);
--   micropub_token        a Micropub bearer token: keyed hash and `scopes`.
ALTER TABLE application_passwords ADD COLUMN kind TEXT NOT NULL DEFAULT 'application_password';
ALTER TABLE application_passwords ADD COLUMN sealed_secret TEXT;
ALTER TABLE application_passwords ADD COLUMN scopes TEXT;
