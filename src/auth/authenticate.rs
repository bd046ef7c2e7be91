//! Where credentials become a `Caller`, whatever carried them: an access
//! JWT or an API token (`Authorization: Bearer`), an email and password (the
//! sign-in), an email and an application password (the editor protocols).
//! New kinds (editor keys, other protocols' tokens) are new `Credentials`
//! variants handled here, so every transport gets the same checks: accounts
//! read on every request (a disabled one stops at once), the password
//! throttle, the dummy hash.

use std::sync::Arc;

use chrono::Duration;
use diesel::prelude::*;

use crate::accounts::application_passwords;
use crate::accounts::application_passwords::input::CredentialKind;
use crate::accounts::application_passwords::queries::Lookup;
use crate::auth::caller::{API_TOKEN_PREFIX, Account, ApiTokenCaller, unauthorized};
use crate::auth::jwt::AccessTokens;
use crate::auth::password_work::PasswordWork;
use crate::auth::secret::{ApplicationPasswordKey, SealingKey};
use crate::auth::{Caller, Role, Scope, password, secret, throttle};
use crate::db::schema::{api_tokens, users};
use crate::db::{Db, DbConnection};
use crate::error::ApiError;
use crate::timestamp;

/// How stale `last_used_at` may get before a request refreshes it: one write
/// per token per minute, not one per request.
const LAST_USED_GRANULARITY_SECONDS: i64 = 60;

pub enum Credentials {
    /// `Authorization: Bearer …`: an access JWT, or an API token (`cms_…`).
    Bearer(String),
    /// An email and a password, from `client` (the address failures are
    /// counted against, see `http::origin`).
    Password {
        email: String,
        password: String,
        client: String,
    },
    /// An email and one of that account's application passwords, from an
    /// editor protocol (never the login password there).
    ApplicationPassword {
        email: String,
        password: String,
        client: String,
    },
}

/// What authentication needs, and nothing of HTTP.
#[derive(Clone)]
pub struct Authenticator {
    pub db: Db,
    pub access_tokens: Arc<AccessTokens>,
    pub passwords: Arc<PasswordWork>,
    pub application_passwords: Arc<ApplicationPasswordKey>,
    /// Opens the sealed secrets of Ghost Admin API keys.
    pub sealing: Arc<SealingKey>,
}

/// A Ghost Admin API key found by its id: the secret to check the
/// request's signature with, and the account it acts for once checked.
pub struct SigningKey {
    pub credential_id: i64,
    pub secret: Vec<u8>,
    pub caller: Caller,
    /// Whether `last_used_at` is due for a refresh (`mark_used`).
    pub stale_use: bool,
}

/// A Micropub token's account and scopes.
pub struct ScopedCaller {
    pub caller: Caller,
    pub scopes: Vec<String>,
}

pub fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized("invalid email or password".to_owned())
}

impl Authenticator {
    pub async fn authenticate(&self, credentials: Credentials) -> Result<Caller, ApiError> {
        match credentials {
            Credentials::Bearer(token) if token.starts_with(API_TOKEN_PREFIX) => {
                self.api_token(&token).await
            }
            Credentials::Bearer(token) => self.access_token(&token).await,
            Credentials::Password {
                email,
                password,
                client,
            } => self.password(email, password, &client).await,
            Credentials::ApplicationPassword {
                email,
                password,
                client,
            } => self.application_password(email, &password, client).await,
        }
    }

    /// As the sign-in: the same throttle keys (guesses through an editor
    /// and through the sign-in page share one budget), the same answer for
    /// an unknown email and a wrong password. The check is one indexed
    /// lookup of the keyed hash, so nothing needs the hashing threads.
    async fn application_password(
        &self,
        email: String,
        given: &str,
        client: String,
    ) -> Result<Caller, ApiError> {
        let keys = throttle::password_keys(&email, &client);
        throttle::reserve_waiting(&self.db, &keys).await?;
        let digest = self
            .application_passwords
            .digest(&application_passwords::input::normalize(given));
        let email = email.trim().to_lowercase();
        let found = self
            .db
            .read(move |conn| {
                Ok(application_passwords::queries::presented(
                    conn,
                    CredentialKind::ApplicationPassword.as_str(),
                    Lookup::Hash(&digest),
                )?
                .filter(|row| row.email == email))
            })
            .await;
        let found = match found {
            Ok(found) => found,
            Err(e) => {
                throttle::settle_with(&self.db, keys, throttle::release).await;
                return Err(e);
            }
        };
        let Some(row) = found else {
            throttle::settle_with(&self.db, keys, throttle::failed).await;
            return Err(invalid_credentials());
        };
        let now = timestamp::now();
        let stale_use = stale(row.last_used_at, row.last_ip.as_deref(), &client);
        let id = row.id;
        self.signed_in(keys, (row.user_id, row.role, row.author_id), move |tx| {
            if stale_use {
                application_passwords::queries::mark_used(tx, id, now, &client)?;
            }
            Ok(())
        })
        .await
    }

    /// The Ghost Admin API key `key_id` names, if it exists for an active
    /// account and its secret opens; the caller checks the signature
    /// (Ghost's own messages, `ghost::token`) before trusting it. Key ids
    /// are public and the secrets 256 bits, so nothing is throttled.
    pub async fn ghost_admin_key(
        &self,
        key_id: String,
        client: String,
    ) -> Result<Option<SigningKey>, ApiError> {
        let found = self
            .db
            .read(move |conn| {
                Ok(application_passwords::queries::presented(
                    conn,
                    CredentialKind::GhostAdminKey.as_str(),
                    Lookup::PublicId(&key_id),
                )?)
            })
            .await?;
        let Some(row) = found else {
            return Ok(None);
        };
        // A secret sealed under another server secret no longer opens: the
        // key is as good as unknown.
        let Some(secret) = row
            .sealed_secret
            .as_deref()
            .and_then(|s| self.sealing.open(s, &row.uuid))
        else {
            return Ok(None);
        };
        Ok(Some(SigningKey {
            credential_id: row.id,
            secret,
            caller: account_caller(row.user_id, &row.role, row.author_id)?,
            stale_use: stale(row.last_used_at, row.last_ip.as_deref(), &client),
        }))
    }

    /// The account and scopes of a Micropub token (`mp_…`), if it is one
    /// of an active account; its use is recorded.
    pub async fn micropub_token(
        &self,
        token: &str,
        client: String,
    ) -> Result<Option<ScopedCaller>, ApiError> {
        let digest = self.application_passwords.digest(token);
        let found = self
            .db
            .read(move |conn| {
                Ok(application_passwords::queries::presented(
                    conn,
                    CredentialKind::MicropubToken.as_str(),
                    Lookup::Hash(&digest),
                )?)
            })
            .await?;
        let Some(row) = found else {
            return Ok(None);
        };
        if stale(row.last_used_at, row.last_ip.as_deref(), &client) {
            self.mark_used(row.id, client).await?;
        }
        Ok(Some(ScopedCaller {
            caller: account_caller(row.user_id, &row.role, row.author_id)?,
            scopes: row
                .scopes
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        }))
    }

    /// Records a credential's use (time and address).
    pub async fn mark_used(&self, credential_id: i64, client: String) -> Result<(), ApiError> {
        self.db
            .write(move |tx| {
                application_passwords::queries::mark_used(
                    tx,
                    credential_id,
                    timestamp::now(),
                    &client,
                )?;
                Ok(())
            })
            .await
    }

    /// A right password: `also` (what the sign-in records) and the
    /// forgiveness of the account's failures in one write, then the caller.
    async fn signed_in(
        &self,
        keys: Vec<throttle::ThrottleKey>,
        (user_id, role, author_id): (i64, String, Option<i64>),
        also: impl Fn(&mut crate::db::Tx<'_>) -> Result<(), ApiError> + Send + 'static,
    ) -> Result<Caller, ApiError> {
        let settled = keys.clone();
        // `Fn`, not `FnOnce`: a write that is retried runs it again.
        let recorded = self
            .db
            .write(move |tx| {
                also(tx)?;
                throttle::succeeded(tx, &settled)
            })
            .await;
        if let Err(e) = recorded {
            throttle::settle_with(&self.db, keys, throttle::succeeded).await;
            return Err(e);
        }
        account_caller(user_id, &role, author_id)
    }

    async fn api_token(&self, token: &str) -> Result<Caller, ApiError> {
        let digest = secret::token_digest(token);
        let (caller, stale_use) = self
            .db
            .read(move |conn| api_token_caller(conn, &digest))
            .await?;
        if let Some(token_id) = stale_use {
            self.db
                .write(move |tx| Ok(mark_used(tx, token_id, timestamp::now())?))
                .await?;
        }
        Ok(caller)
    }

    async fn access_token(&self, token: &str) -> Result<Caller, ApiError> {
        let claims = self.access_tokens.verify(token).ok_or_else(unauthorized)?;
        let user_id: i64 = claims.sub.parse().map_err(|_| unauthorized())?;
        let account = self
            .db
            .read(move |conn| {
                users::table
                    .filter(users::id.eq(user_id))
                    .filter(users::active.eq(true))
                    .select((users::role, users::author_id))
                    .first::<(String, Option<i64>)>(conn)
                    .optional()
                    .map_err(ApiError::from)
            })
            .await?
            .ok_or_else(unauthorized)?;
        // The role is read from the account, not the token: a demotion
        // applies at once.
        let role = Role::parse(&account.0).ok_or_else(unauthorized)?;
        Ok(Caller::Account(Account {
            user_id,
            role,
            author_id: account.1,
        }))
    }

    /// Unknown emails and wrong passwords get the same answer in about the
    /// same time; guesses are throttled per account and per address.
    async fn password(
        &self,
        email: String,
        given: String,
        client: &str,
    ) -> Result<Caller, ApiError> {
        // Past the hashing threads' capacity a sign-in is refused before it
        // costs the database anything.
        if !self.passwords.has_room() {
            return Err(PasswordWork::busy());
        }
        let keys = throttle::password_keys(&email, client);
        // A check is reserved before any password is verified: the count
        // and the check are one step (see `throttle`).
        throttle::reserve_waiting(&self.db, &keys).await?;
        let account = self
            .db
            .read(move |conn| {
                Ok(users::table
                    .filter(users::email.eq(email.trim().to_lowercase()))
                    .filter(users::active.eq(true))
                    .select((
                        users::id,
                        users::password_hash,
                        users::role,
                        users::author_id,
                    ))
                    .first::<(i64, String, String, Option<i64>)>(conn)
                    .optional()?)
            })
            .await;
        let account = match account {
            Ok(account) => account,
            Err(e) => {
                throttle::settle_with(&self.db, keys, throttle::release).await;
                return Err(e);
            }
        };
        // Verify against a dummy hash when there is no such account, so
        // that both refusals cost the same.
        let stored = account
            .as_ref()
            .map(|a| a.1.clone())
            .unwrap_or_else(|| password::dummy_hash().to_owned());
        let matches = match self.passwords.verify(given.clone(), stored).await {
            Ok(matches) => matches,
            Err(e) => {
                throttle::settle_with(&self.db, keys, throttle::release).await;
                return Err(e);
            }
        };
        let Some((user_id, stored_hash, role, author_id)) = account.filter(|_| matches) else {
            throttle::settle_with(&self.db, keys, throttle::failed).await;
            return Err(invalid_credentials());
        };
        // An upgrade that cannot be hashed now (busy) waits for the next
        // sign-in.
        let upgraded_hash = if password::needs_rehash(&stored_hash) {
            self.passwords.hash(given).await.ok()
        } else {
            None
        };
        self.signed_in(keys, (user_id, role, author_id), move |tx| {
            if let Some(hash) = &upgraded_hash {
                diesel::update(users::table.find(user_id))
                    .set(users::password_hash.eq(hash))
                    .execute(tx.conn())?;
            }
            Ok(())
        })
        .await
    }
}

/// Whether a credential's recorded last use is due for a refresh: a
/// minute old, or from another address.
fn stale(last_used_at: Option<chrono::NaiveDateTime>, last_ip: Option<&str>, client: &str) -> bool {
    last_used_at
        .is_none_or(|at| timestamp::now() - at >= Duration::seconds(LAST_USED_GRANULARITY_SECONDS))
        || last_ip != Some(client)
}

fn account_caller(user_id: i64, role: &str, author_id: Option<i64>) -> Result<Caller, ApiError> {
    let role = Role::parse(role)
        .ok_or_else(|| ApiError::Internal(format!("user {user_id} has an unknown role")))?;
    Ok(Caller::Account(Account {
        user_id,
        role,
        author_id,
    }))
}

/// The caller an API token names, and the token's id when its
/// `last_used_at` is due for a refresh (a write, made apart).
fn api_token_caller(
    conn: &mut DbConnection,
    digest: &str,
) -> Result<(Caller, Option<i64>), ApiError> {
    let now = timestamp::now();
    let row = api_tokens::table
        .filter(api_tokens::token_hash.eq(digest))
        .filter(api_tokens::revoked_at.is_null())
        .select((
            api_tokens::id,
            api_tokens::scopes,
            api_tokens::expires_at,
            api_tokens::last_used_at,
        ))
        .first::<(
            i64,
            String,
            Option<chrono::NaiveDateTime>,
            Option<chrono::NaiveDateTime>,
        )>(conn)
        .optional()?;
    let Some((token_id, scopes, expires_at, last_used_at)) = row else {
        return Err(unauthorized());
    };
    if expires_at.is_some_and(|at| at <= now) {
        return Err(unauthorized());
    }
    let stale_use = last_used_at
        .is_none_or(|at| now - at >= Duration::seconds(LAST_USED_GRANULARITY_SECONDS))
        .then_some(token_id);
    Ok((
        Caller::ApiToken(ApiTokenCaller {
            token_id,
            scopes: Scope::parse_list(&scopes),
        }),
        stale_use,
    ))
}

fn mark_used(
    conn: &mut DbConnection,
    token_id: i64,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(api_tokens::table.filter(api_tokens::id.eq(token_id)))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)
}
