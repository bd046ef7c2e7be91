//! What can be done with a session, one function per use case.

use super::input::PasswordChange;
use super::views::TokenPair;
use crate::accounts::Accounts;
use crate::accounts::users::{queries as user_queries, use_cases as users, views::UserView};
use crate::auth::authenticate::Credentials;
use crate::auth::caller::{Account, unauthorized};
use crate::auth::password_work::PasswordWork;
use crate::auth::{Caller, Role, password, refresh, throttle};
use crate::db::DbConnection;
use crate::error::{ApiError, FieldError};
use crate::timestamp;

/// 401 for the public, 403 for API tokens (they belong to no one), the
/// account otherwise.
pub fn require_account(caller: &Caller) -> Result<&Account, ApiError> {
    caller.require_authenticated()?;
    caller.account().ok_or_else(|| {
        ApiError::Forbidden("API tokens have no account; sign in as a user".to_owned())
    })
}

/// Issues an access token and a refresh token in `family` (new when `None`).
fn token_pair(
    cx: &Accounts,
    conn: &mut DbConnection,
    user_id: i64,
    role: Role,
    family: Option<&str>,
) -> Result<TokenPair, ApiError> {
    let refresh_token = refresh::issue(conn, user_id, family, timestamp::now(), cx.refresh_ttl)?;
    Ok(TokenPair {
        access_token: cx.access_tokens.issue(user_id, role)?,
        token_type: "Bearer",
        expires_in: cx.access_tokens.ttl().as_secs(),
        refresh_token,
    })
}

/// Signs in with an email and a password from `client` (the address
/// failures are counted against): the checks are `auth::authenticate`'s.
pub async fn sign_in(
    cx: &Accounts,
    email: String,
    password: String,
    client: String,
) -> Result<TokenPair, ApiError> {
    let caller = cx
        .auth
        .authenticate(Credentials::Password {
            email,
            password,
            client,
        })
        .await?;
    let Caller::Account(account) = caller else {
        return Err(ApiError::Internal(
            "a password named something other than an account".to_owned(),
        ));
    };
    let for_db = cx.clone();
    cx.db
        .write(move |tx| token_pair(&for_db, tx, account.user_id, account.role, None))
        .await
}

fn refresh_refused() -> ApiError {
    ApiError::Unauthorized("invalid, expired or already used refresh token".to_owned())
}

/// Each refresh token works once. Presenting one that was already used (or
/// revoked) means a copy exists somewhere: the whole session is revoked,
/// including the newest token, and the account must sign in again.
pub async fn refresh(cx: &Accounts, token: String) -> Result<TokenPair, ApiError> {
    let for_db = cx.clone();
    cx.db
        // The transaction commits whatever `redeem` decided, a family
        // revoked on reuse included; only then is the refusal returned.
        .write(
            move |tx| match refresh::redeem(tx, &token, timestamp::now())? {
                refresh::Redemption::Rotated {
                    user_id,
                    role,
                    family,
                } => {
                    let role = Role::parse(&role).ok_or_else(|| {
                        ApiError::Internal(format!("user {user_id} has an unknown role"))
                    })?;
                    token_pair(&for_db, tx, user_id, role, Some(&family)).map(Some)
                }
                refresh::Redemption::Reused => {
                    tracing::warn!("refresh token reused; its session is revoked");
                    Ok(None)
                }
                refresh::Redemption::Refused => Ok(None),
            },
        )
        .await?
        .ok_or_else(refresh_refused)
}

/// Revokes the session `token` belongs to. Idempotent: an unknown, spent or
/// already revoked token changes nothing and is not an error.
pub async fn sign_out(cx: &Accounts, token: String) -> Result<(), ApiError> {
    cx.db
        .write(move |tx| refresh::revoke_family_of(tx, &token, timestamp::now()))
        .await
}

/// The signed-in account.
pub async fn me(cx: &Accounts, caller: &Caller) -> Result<UserView, ApiError> {
    let user_id = require_account(caller)?.user_id;
    let user = cx.db.read(move |conn| users::find(conn, user_id)).await?;
    UserView::try_from(user)
}

/// Changes one's own password from `client`. The current password is
/// checked with sign-in's counters: a stolen access token must not become a
/// way to guess the password faster than the sign-in form allows. Every
/// session of the account ends, this one included.
pub async fn change_password(
    cx: &Accounts,
    caller: &Caller,
    change: PasswordChange,
    client: &str,
) -> Result<(), ApiError> {
    let user_id = require_account(caller)?.user_id;
    if !cx.passwords.has_room() {
        return Err(PasswordWork::busy());
    }
    let (email, stored) = cx
        .db
        .read(move |conn| user_queries::own_password(conn, user_id)?.ok_or_else(unauthorized))
        .await?;
    let keys = throttle::password_keys(&email, client);
    throttle::reserve_waiting(&cx.db, &keys).await?;
    let right = match cx
        .passwords
        .verify(change.current_password, stored.clone())
        .await
    {
        Ok(right) => right,
        Err(e) => {
            throttle::settle_with(&cx.db, keys, throttle::release).await;
            return Err(e);
        }
    };
    let mut errors = Vec::new();
    if !right {
        errors.push(FieldError::new(
            "current_password",
            "incorrect",
            "is not the account's current password",
        ));
    }
    if let Err(e) = password::check_policy("new_password", &change.new_password) {
        errors.push(e);
    }
    if !errors.is_empty() {
        let outcome = if right {
            throttle::succeeded
        } else {
            throttle::failed
        };
        throttle::settle_with(&cx.db, keys, outcome).await;
        return Err(ApiError::Validation(errors));
    }
    let new_hash = match cx.passwords.hash(change.new_password).await {
        Ok(hash) => hash,
        Err(e) => {
            throttle::settle_with(&cx.db, keys, throttle::succeeded).await;
            return Err(e);
        }
    };
    let settled = keys.clone();
    let replaced = cx
        .db
        .write(move |tx| {
            let now = timestamp::now();
            if !user_queries::replace_password(tx, user_id, &stored, &new_hash, now)? {
                return Err(ApiError::conflict(
                    "the password was changed meanwhile; sign in again",
                ));
            }
            refresh::revoke_all_for_user(tx, user_id, now)?;
            throttle::succeeded(tx, &settled)
        })
        .await;
    if let Err(e) = replaced {
        throttle::settle_with(&cx.db, keys, throttle::succeeded).await;
        return Err(e);
    }
    Ok(())
}
