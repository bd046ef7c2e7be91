//! What can be done with application passwords: each account manages its
//! own; an administrator manages anyone's (as in WordPress).

use super::input::CreateApplicationPassword;
use super::queries;
use super::rows::NewApplicationPasswordRow;
use super::views::{ApplicationPasswordView, CreatedApplicationPassword};
use crate::accounts::Accounts;
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

pub async fn create(
    cx: &Accounts,
    caller: &Caller,
    owner: Owner,
    input: CreateApplicationPassword,
) -> Result<CreatedApplicationPassword, ApiError> {
    let user_id = authorize(caller, owner)?;
    let name = input.check()?;
    let key = cx.auth.application_passwords.clone();
    cx.db
        .write(move |tx| {
            user_exists(tx, user_id)?;
            let password = secret::random_alphanumeric(PASSWORD_CHARS);
            let uuid = uuid::Uuid::new_v4().to_string();
            queries::insert(
                tx,
                &NewApplicationPasswordRow {
                    uuid: &uuid,
                    user_id,
                    name: &name,
                    password_hash: &key.digest(&password),
                    created_at: timestamp::now(),
                    last_used_at: None,
                    last_ip: None,
                },
            )?;
            let row = queries::find(tx, &uuid)?
                .ok_or_else(|| ApiError::Internal("application password not found".into()))?;
            Ok(CreatedApplicationPassword {
                password: grouped(&password),
                details: row.into(),
            })
        })
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
