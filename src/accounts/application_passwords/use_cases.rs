//! What can be done with application passwords: each account manages its
//! own; an administrator manages anyone's (as in WordPress). Every kind
//! (`input::CredentialKind`) is made here, each in the form its editor
//! expects.

use super::input::{CreateApplicationPassword, CredentialKind, NewCredential};
use super::queries;
use super::rows::NewApplicationPasswordRow;
use super::views::{ApplicationPasswordView, CreatedApplicationPassword};
use crate::accounts::Accounts;
use crate::auth::authenticate::Authenticator;
use crate::auth::policy;
use crate::auth::{Caller, secret};
use crate::db::DbConnection;
use crate::db::schema::users;
use crate::error::ApiError;
use crate::timestamp;
use diesel::prelude::*;

/// Characters of a password: 24 letters and digits, 142 bits.
const PASSWORD_CHARS: usize = 24;

/// Whose application passwords a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// `me`: the signed-in account.
    Me,
    Id(i64),
}

impl Owner {
    /// `me` or an id; anything else names no user (404).
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        if raw == "me" {
            return Ok(Self::Me);
        }
        raw.parse::<i64>()
            .map(Self::Id)
            .map_err(|_| ApiError::not_found("no user has this id"))
    }
}

/// The user id `owner` names, if `caller` may manage its passwords: an
/// account its own, an administrator anyone's.
pub fn authorize(caller: &Caller, owner: Owner) -> Result<i64, ApiError> {
    let own = caller.user_id();
    match (owner, own) {
        (Owner::Me, Some(id)) => Ok(id),
        (Owner::Id(id), Some(mine)) if id == mine => Ok(id),
        (Owner::Me, None) => {
            caller.require_authenticated()?;
            Err(ApiError::Forbidden(
                "`me` names an account; an API token has none".to_owned(),
            ))
        }
        (Owner::Id(id), _) => policy::authorize_admin(caller).map(|()| id),
    }
}

fn user_exists(conn: &mut DbConnection, id: i64) -> Result<(), ApiError> {
    let found = users::table
        .find(id)
        .select(users::id)
        .first::<i64>(conn)
        .optional()?;
    found
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("no user has this id"))
}

/// Shown in groups of four, as WordPress shows them.
fn grouped(password: &str) -> String {
    password
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Ghost's key format: a 24-hex id and a 64-hex (32-byte) secret.
const GHOST_KEY_ID_BYTES: usize = 12;
const GHOST_SECRET_BYTES: usize = 32;

/// Micropub tokens: a prefix secret scanners can match, then 40 letters
/// and digits (238 bits).
pub const MICROPUB_TOKEN_PREFIX: &str = "mp_";
const MICROPUB_TOKEN_CHARS: usize = 40;

/// A new credential as stored and as shown once.
struct Minted {
    public_id: String,
    shown: String,
    hash: String,
    sealed: Option<String>,
}

fn mint(kind: CredentialKind, keys: &Authenticator) -> Minted {
    match kind {
        CredentialKind::ApplicationPassword => {
            let password = secret::random_alphanumeric(PASSWORD_CHARS);
            Minted {
                public_id: uuid::Uuid::new_v4().to_string(),
                shown: grouped(&password),
                hash: keys.application_passwords.digest(&password),
                sealed: None,
            }
        }
        CredentialKind::GhostAdminKey => {
            let id = secret::random_hex(GHOST_KEY_ID_BYTES);
            let secret_hex = secret::random_hex(GHOST_SECRET_BYTES);
            // Kept as the raw bytes Ghost signs with (`Buffer.from(secret,
            // 'hex')`); the digest only fills the unique column.
            let raw = hex::decode(&secret_hex).unwrap_or_default();
            Minted {
                sealed: Some(keys.sealing.seal(&raw, &id)),
                hash: keys
                    .application_passwords
                    .digest(&format!("ghost:{secret_hex}")),
                shown: format!("{id}:{secret_hex}"),
                public_id: id,
            }
        }
        CredentialKind::MicropubToken => {
            let token = format!(
                "{MICROPUB_TOKEN_PREFIX}{}",
                secret::random_alphanumeric(MICROPUB_TOKEN_CHARS)
            );
            Minted {
                public_id: uuid::Uuid::new_v4().to_string(),
                hash: keys.application_passwords.digest(&token),
                shown: token,
                sealed: None,
            }
        }
    }
}

/// Writes a new credential for `user_id` inside `tx` (the IndieAuth token
/// endpoint mints Micropub tokens this way too).
pub fn insert(
    tx: &mut DbConnection,
    keys: &Authenticator,
    user_id: i64,
    new: &NewCredential,
) -> Result<CreatedApplicationPassword, ApiError> {
    user_exists(tx, user_id)?;
    let minted = mint(new.kind, keys);
    queries::insert(
        tx,
        &NewApplicationPasswordRow {
            uuid: &minted.public_id,
            user_id,
            name: &new.name,
            password_hash: &minted.hash,
            created_at: timestamp::now(),
            last_used_at: None,
            last_ip: None,
            kind: new.kind.as_str(),
            sealed_secret: minted.sealed.as_deref(),
            scopes: new.scopes.as_deref(),
        },
    )?;
    let row = queries::find(tx, &minted.public_id)?
        .ok_or_else(|| ApiError::Internal("application password not found".into()))?;
    Ok(CreatedApplicationPassword {
        password: minted.shown,
        details: row.into(),
    })
}

pub async fn create(
    cx: &Accounts,
    caller: &Caller,
    owner: Owner,
    input: CreateApplicationPassword,
) -> Result<CreatedApplicationPassword, ApiError> {
    let user_id = authorize(caller, owner)?;
    let new = input.check()?;
    let keys = cx.auth.clone();
    cx.db
        .write(move |tx| insert(tx, &keys, user_id, &new))
        .await
}

pub async fn list(
    cx: &Accounts,
    caller: &Caller,
    owner: Owner,
) -> Result<Vec<ApplicationPasswordView>, ApiError> {
    let user_id = authorize(caller, owner)?;
    cx.db
        .read(move |conn| {
            user_exists(conn, user_id)?;
            Ok(queries::of_user(conn, user_id)?)
        })
        .await
        .map(|rows| {
            rows.into_iter()
                .map(ApplicationPasswordView::from)
                .collect()
        })
}

/// Refused from the next request on; deleting twice is a 404.
pub async fn revoke(
    cx: &Accounts,
    caller: &Caller,
    owner: Owner,
    uuid: String,
) -> Result<(), ApiError> {
    let user_id = authorize(caller, owner)?;
    cx.db
        .write(move |tx| {
            let found = queries::find(tx, &uuid)?.filter(|row| row.user_id == user_id);
            if found.is_none() {
                return Err(ApiError::not_found(
                    "this user has no application password with this uuid",
                ));
            }
            queries::delete(tx, &uuid)?;
            Ok(())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_shown_in_groups_of_four() {
        assert_eq!(
            grouped("abcdEFGHijklMNOPqrstuvwx"),
            "abcd EFGH ijkl MNOP qrst uvwx"
        );
    }
}
