//! What every handler can reach: the database and the configuration.

use std::sync::Arc;

use crate::auth::jwt::AccessTokens;
use crate::auth::password_work::PasswordWork;
use crate::changes::ContentGeneration;
use crate::config::Config;
use crate::content::Content;
use crate::db::Db;
use crate::http::cursor::CursorKey;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub access_tokens: Arc<AccessTokens>,
    /// Argon2's own threads: every password hash and check runs there.
    pub passwords: Arc<PasswordWork>,
    /// Signs list cursors; derived from the token signing secret.
    pub cursor_key: Arc<CursorKey>,
    /// Moves whenever public content may have changed (see `changes`).
    pub generation: Arc<ContentGeneration>,
    /// Turns credentials into callers (`auth::authenticate`).
    pub auth: crate::auth::authenticate::Authenticator,
    /// What account use cases run with (database, password threads, token
    /// issuers).
    pub accounts: crate::accounts::Accounts,
    /// What content use cases run with (database, clock, read memos).
    pub content: Content,
    /// What media use cases run with (database, store, image threads).
    pub media: crate::content::media::Media,
    /// What the site settings' use cases run with.
    pub site: crate::site::use_cases::Site,
    /// What comment use cases run with (rules, keys, captcha client).
    pub comments: crate::comments::Comments,
    /// Background threads (job workers) run while this lives.
    pub alive: Arc<()>,
}
