//! What account use cases run with: the database, the password threads and
//! the token issuers; not the HTTP application's state, so the editor
//! protocols to come sign people in through the same use cases.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::authenticate::Authenticator;
use crate::auth::jwt::AccessTokens;
use crate::auth::password_work::PasswordWork;
use crate::db::Db;

#[derive(Clone)]
pub struct Accounts {
    pub db: Db,
    /// Turns credentials into callers (sign-in goes through it).
    pub auth: Authenticator,
    /// Argon2's own threads: every password hash and check runs there.
    pub passwords: Arc<PasswordWork>,
    pub access_tokens: Arc<AccessTokens>,
    /// How long a refresh token lives (`CMS_REFRESH_TOKEN_TTL_DAYS`).
    pub refresh_ttl: Duration,
}
