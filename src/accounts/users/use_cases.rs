//! What can be done with accounts, one function per use case. Only
//! administrators (accounts with the admin role, API tokens with the
//! `admin` scope) manage accounts; the CLI creates the first one.

use super::input::{CheckedAccount, CheckedPatch, CreateUser, NewAccount, UserPatch};
use super::queries;
use super::rows::{NewUserRow, User, UserChangeset};
use super::views::UserView;
use crate::accounts::Accounts;
use crate::auth::policy::{self, Resource};
use crate::auth::{Caller, Role, password, refresh};
use crate::content::Precondition;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::http::listing::PageRequest;
use crate::timestamp;

/// A created account, as the CLI reports it.
#[derive(Debug)]
pub struct CreatedUser {
    pub id: i64,
    pub email: String,
}

fn not_found() -> ApiError {
    ApiError::not_found("no user has this id")
}

pub fn find(conn: &mut DbConnection, id: i64) -> Result<User, ApiError> {
    queries::find(conn, id)?.ok_or_else(not_found)
}

pub async fn list(
    cx: &Accounts,
    caller: &Caller,
    page: PageRequest,
) -> Result<(Vec<UserView>, i64), ApiError> {
    policy::authorize_admin(caller)?;
    let (rows, total) = cx
        .db
        .read(move |conn| Ok(queries::page(conn, page)?))
        .await?;
    let views = rows
        .into_iter()
        .map(UserView::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((views, total))
}

pub async fn get(cx: &Accounts, caller: &Caller, id: i64) -> Result<UserView, ApiError> {
    policy::authorize_admin(caller)?;
    let user = cx.db.read(move |conn| find(conn, id)).await?;
    UserView::try_from(user)
}

/// No use case creates the first administrator: that is `cms create-admin`.
pub async fn create(
    cx: &Accounts,
    caller: &Caller,
    input: CreateUser,
) -> Result<UserView, ApiError> {
    policy::authorize_write(caller, Resource::User, None)?;
    let hashed = match password::check_policy("password", &input.password) {
        Ok(()) => Some(cx.passwords.hash(input.password.clone()).await?),
        // `insert` names every invalid field, this one included.
        Err(_) => None,
    };
    let user = cx
        .db
        .write(move |tx| {
            let created = insert(tx, &input.as_new_account(), hashed.clone())?;
            find(tx, created.id)
        })
        .await?;
    UserView::try_from(user)
}

/// Creates an active account in the caller's transaction; a duplicate email
/// is a 409 naming `email`, a byline that does not exist a 422 naming
/// `author_id`. Hashes the password here: call it off the async workers.
pub fn create_account(
    conn: &mut DbConnection,
    account: &NewAccount<'_>,
) -> Result<CreatedUser, ApiError> {
    insert(conn, account, None)
}

/// Creates an active administrator (`cms create-admin`).
pub fn create_admin_account(
    conn: &mut DbConnection,
    email: &str,
    display_name: &str,
    plain_password: &str,
) -> Result<CreatedUser, ApiError> {
    create_account(
        conn,
        &NewAccount {
            email,
            display_name,
            role: Role::Admin,
            author_id: None,
            password: plain_password,
        },
    )
}

/// The write path of a new account. `hashed` is the password already hashed
/// on the password threads (`auth::password_work`), as the API does; the
/// CLI and tests pass `None` and it is hashed here.
fn insert(
    conn: &mut DbConnection,
    account: &NewAccount<'_>,
    hashed: Option<String>,
) -> Result<CreatedUser, ApiError> {
    let unknown_byline = match account.author_id {
        Some(author_id) => queries::check_author_exists(conn, author_id)?.err(),
        None => None,
    };
    let CheckedAccount {
        email,
        display_name,
        role,
        author_id,
    } = account.check(unknown_byline.into_iter().collect())?;
    let hash = match hashed {
        Some(hash) => hash,
        None => password::hash(account.password)?,
    };
    let now = timestamp::now();
    let id = queries::insert(
        conn,
        &NewUserRow {
            email: email.as_str(),
            password_hash: &hash,
            display_name: &display_name,
            role: role.as_str(),
            author_id,
            active: true,
            created_at: now,
            updated_at: now,
            version: 1,
        },
    )?;
    Ok(CreatedUser {
        id,
        email: email.as_str().to_owned(),
    })
}

/// Merge semantics: only the fields sent change. A password reset or a
/// deactivation ends every session of the account; the last active
/// administrator cannot be demoted or deactivated.
pub async fn update(
    cx: &Accounts,
    caller: &Caller,
    id: i64,
    expect: Precondition,
    patch: UserPatch,
) -> Result<UserView, ApiError> {
    policy::authorize_write(caller, Resource::User, None)?;
    let patch = patch.check()?;
    let hashed = match patch.password() {
        Some(plain) => Some(cx.passwords.hash(plain.to_owned()).await?),
        None => None,
    };
    let user = cx
        .db
        .write(move |tx| apply_patch(tx, id, &patch, &expect, hashed.clone()))
        .await?;
    UserView::try_from(user)
}

fn apply_patch(
    conn: &mut DbConnection,
    id: i64,
    patch: &CheckedPatch,
    expect: &Precondition,
    password_hash: Option<String>,
) -> Result<User, ApiError> {
    if patch.password.is_some() && password_hash.is_none() {
        return Err(ApiError::Internal(
            "a new password reached the database unhashed".to_owned(),
        ));
    }
    let current = find(conn, id)?;
    expect.check(&UserView::try_from(current.clone())?)?;
    if let Some(Some(author_id)) = patch.author_id
        && let Err(e) = queries::check_author_exists(conn, author_id)?
    {
        return Err(ApiError::Validation(vec![e]));
    }
    if current.is_active_admin() && !patch.keeps_admin() {
        guard_last_admin(conn, &current)?;
    }
    let now = timestamp::now();
    let changes = UserChangeset {
        email: patch.email.as_ref().map(|e| e.as_str().to_owned()),
        password_hash,
        display_name: patch.display_name.clone(),
        role: patch.role.map(Role::as_str),
        author_id: patch.author_id,
        active: patch.active,
        updated_at: now,
        version: current.version + 1,
    };
    if !queries::update(conn, id, current.version, &changes)? {
        return Err(ApiError::PreconditionFailed);
    }
    if patch.ends_sessions() {
        refresh::revoke_all_for_user(conn, id, now)?;
    }
    find(conn, id)
}

/// Its sessions end (its refresh tokens go with it) and its access tokens
/// are refused at once, because the caller check finds no account. Articles
/// it created stay: bylines are authors, not accounts.
pub async fn delete(
    cx: &Accounts,
    caller: &Caller,
    id: i64,
    expect: Precondition,
) -> Result<(), ApiError> {
    policy::authorize_write(caller, Resource::User, None)?;
    cx.db
        .write(move |tx| {
            let current = find(tx, id)?;
            expect.check(&UserView::try_from(current.clone())?)?;
            if current.is_active_admin() {
                guard_last_admin(tx, &current)?;
            }
            refresh::revoke_all_for_user(tx, id, timestamp::now())?;
            queries::delete(tx, id)?;
            Ok(())
        })
        .await
}

/// The last active administrator cannot lock everyone out of user and token
/// management: demoting, deactivating or deleting it is a 409.
fn guard_last_admin(conn: &mut DbConnection, target: &User) -> Result<(), ApiError> {
    if queries::other_active_admins(conn, target.id)? == 0 {
        Err(ApiError::conflict(
            "this is the last active administrator; promote another account first",
        ))
    } else {
        Ok(())
    }
}
