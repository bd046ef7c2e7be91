//! User accounts: the people who sign in to write, edit and administer.
//! The use cases (create, change, delete, list) and their queries live here;
//! `routes` turns HTTP into calls to them and `views` says what goes out.
//!
//! Rows, inputs and views are different types: `User` (a row, never sent),
//! `CreateUser` / `UserPatch` (what a client may send), `UserView` (what it gets).

pub mod routes;
pub mod views;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{Role, password, refresh};
use crate::content::patch::Patch;
use crate::db::DbConnection;
use crate::db::schema::{authors, users};
use crate::error::{ApiError, FieldError};
use crate::http::listing::PageRequest;
use crate::timestamp;

/// A validated, normalised (lowercase) email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && !email.chars().any(char::is_whitespace)
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if valid {
            Ok(Self(email))
        } else {
            Err(FieldError::new(
                field,
                "invalid_email",
                "must be an email address",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A created account, as the CLI reports it.
#[derive(Debug)]
pub struct CreatedUser {
    pub id: i64,
    pub email: String,
}

/// What an account is made of; validated by `create_account`.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub author_id: Option<i64>,
    pub password: &'a str,
}

/// Creates an active account; a duplicate email is a 409 naming `email`, a
/// byline that does not exist a 422 naming `author_id`. Hashes the password:
/// call it off the async workers. Opens no transaction of its own (it is one
/// insert), so it runs inside the caller's.
pub fn create_account(
    conn: &mut DbConnection,
    account: &NewAccount<'_>,
) -> Result<CreatedUser, ApiError> {
    create_account_hashed(conn, account, None)
}

/// `create_account` with the password already hashed on the password
/// threads (`hashed`, from `auth::password_work`), as the HTTP route does.
pub fn create_account_hashed(
    conn: &mut DbConnection,
    account: &NewAccount<'_>,
    hashed: Option<String>,
) -> Result<CreatedUser, ApiError> {
    let mut errors = Vec::new();
    let email = Email::parse("email", account.email)
        .map_err(|e| errors.push(e))
        .ok();
    if let Err(e) = password::check_policy("password", account.password) {
        errors.push(e);
    }
    let display_name = account.display_name.trim();
    if let Err(e) = check_display_name(display_name) {
        errors.push(e);
    }
    if let Some(author_id) = account.author_id
        && let Err(e) = check_author_exists(conn, author_id)?
    {
        errors.push(e);
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let hash = match hashed {
        Some(hash) => hash,
        None => password::hash(account.password)?,
    };
    let now = timestamp::now();
    let id = diesel::insert_into(users::table)
        .values((
            users::email.eq(email.as_str()),
            users::password_hash.eq(&hash),
            users::display_name.eq(display_name),
            users::role.eq(account.role.as_str()),
            users::author_id.eq(account.author_id),
            users::active.eq(true),
            users::created_at.eq(now),
            users::updated_at.eq(now),
            users::version.eq(1),
        ))
        .returning(users::id)
        .get_result::<i64>(conn)
        .map_err(unique_conflict)?;
    Ok(CreatedUser {
        id,
        email: email.as_str().to_owned(),
    })
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

/// A unique violation on `users` is either the email or the byline (each
/// byline belongs to at most one account).
/// An email or byline already linked to another account is the client's
/// 409 naming the field, not a race to run again.
fn unique_conflict(err: diesel::result::Error) -> ApiError {
    match crate::error::violated_unique_column(&err).as_deref() {
        Some(column) if column.contains("author_id") => ApiError::Conflict {
            detail: "this byline is already linked to another account".to_owned(),
            errors: vec![FieldError::new(
                "author_id",
                "taken",
                "is already linked to another account",
            )],
        },
        Some(column) if column.contains("email") => ApiError::Conflict {
            detail: "a user with this email already exists".to_owned(),
            errors: vec![FieldError::new(
                "email",
                "taken",
                "is already used by another account",
            )],
        },
        _ => ApiError::from(err),
    }
}

fn check_display_name(display_name: &str) -> Result<(), FieldError> {
    if display_name.is_empty() || display_name.chars().count() > 100 {
        Err(FieldError::new(
            "display_name",
            "invalid_length",
            "must be 1 to 100 characters",
        ))
    } else {
        Ok(())
    }
}

/// `Ok(Err(_))` is the client's mistake (no such byline), `Err(_)` the database's.
fn check_author_exists(
    conn: &mut DbConnection,
    author_id: i64,
) -> Result<Result<(), FieldError>, ApiError> {
    let exists = authors::table
        .find(author_id)
        .select(authors::id)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    Ok(if exists {
        Ok(())
    } else {
        Err(FieldError::new(
            "author_id",
            "not_found",
            "no author has this id",
        ))
    })
}

/// An account as stored, without its password hash: what the use cases and
/// views work from. The hash is read only where a password is verified.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub author_id: Option<i64>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl User {
    fn is_active_admin(&self) -> bool {
        self.active && self.role == Role::Admin.as_str()
    }
}

pub fn find(conn: &mut DbConnection, id: i64) -> Result<User, ApiError> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("no user has this id"))
}

/// One page of accounts, oldest first, and the total count.
pub fn list(conn: &mut DbConnection, page: PageRequest) -> Result<(Vec<User>, i64), ApiError> {
    let total = users::table.count().get_result::<i64>(conn)?;
    let rows = users::table
        .select(User::as_select())
        .order(users::id)
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

/// The body of `POST /users`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schema(example = "aminata.diallo@journal.ne")]
    pub email: String,
    /// At least 12 characters.
    #[schema(example = "une phrase de passe assez longue")]
    pub password: String,
    #[schema(example = "Aminata Diallo")]
    pub display_name: String,
    pub role: Role,
    /// The byline the account writes under.
    #[schema(example = 3)]
    pub author_id: Option<i64>,
}

/// The body of `PATCH /users/{id}`: only the fields sent change; `author_id:
/// null` unlinks the byline, `null` for any other field is refused.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "aminata.diallo@journal.ne")]
    pub email: Patch<String>,
    /// An administrator's reset; every session of the account ends.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "une nouvelle phrase de passe")]
    pub password: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Aminata Diallo")]
    pub display_name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<Role>)]
    pub role: Patch<Role>,
    #[serde(default)]
    #[schema(value_type = Option<i64>, example = 3)]
    pub author_id: Patch<i64>,
    /// `false` signs the account out everywhere and refuses its tokens.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub active: Patch<bool>,
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct UserChangeset {
    email: Option<String>,
    password_hash: Option<String>,
    display_name: Option<String>,
    role: Option<&'static str>,
    author_id: Option<Option<i64>>,
    active: Option<bool>,
    updated_at: NaiveDateTime,
    version: i32,
}

/// What a change does to the account, checked before anything is written.
#[derive(Debug, Clone)]
pub struct CheckedPatch {
    email: Option<Email>,
    password: Option<String>,
    display_name: Option<String>,
    role: Option<Role>,
    author_id: Option<Option<i64>>,
    active: Option<bool>,
}

impl CheckedPatch {
    /// The new password, to hash before the write.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }
}

pub fn check_patch(patch: UserPatch) -> Result<CheckedPatch, ApiError> {
    let mut errors = Vec::new();
    let email = patch
        .email
        .required("email", &mut errors)
        .and_then(|raw| Email::parse("email", &raw).map_err(|e| errors.push(e)).ok());
    let password = patch
        .password
        .required("password", &mut errors)
        .filter(|p| {
            password::check_policy("password", p)
                .map_err(|e| errors.push(e))
                .is_ok()
        });
    let display_name = patch
        .display_name
        .required("display_name", &mut errors)
        .map(|name| name.trim().to_owned())
        .filter(|name| check_display_name(name).map_err(|e| errors.push(e)).is_ok());
    let role = patch.role.required("role", &mut errors);
    let active = patch.active.required("active", &mut errors);
    // The one field that `null` clears: the account loses its byline.
    let author_id = match patch.author_id {
        Patch::Absent => None,
        Patch::Null => Some(None),
        Patch::Value(id) => Some(Some(id)),
    };
    if errors.is_empty() {
        Ok(CheckedPatch {
            email,
            password,
            display_name,
            role,
            author_id,
            active,
        })
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The last active administrator cannot lock everyone out of user and token
/// management: demoting, deactivating or deleting it is a 409.
fn guard_last_admin(conn: &mut DbConnection, target: &User) -> Result<(), ApiError> {
    let other_admins = users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .filter(users::id.ne(target.id))
        .count()
        .get_result::<i64>(conn)?;
    if other_admins == 0 {
        Err(ApiError::conflict(
            "this is the last active administrator; promote another account first",
        ))
    } else {
        Ok(())
    }
}

/// Applies a checked merge patch in the caller's write transaction.
/// `precondition` checks the stored account (the handler's `If-Match`)
/// before anything is written. `password_hash` is the patch's password,
/// hashed on the password threads (`auth::password_work`) before the
/// transaction. A password reset or a deactivation ends every session.
pub fn update_account(
    conn: &mut DbConnection,
    id: i64,
    patch: &CheckedPatch,
    precondition: impl FnOnce(&User) -> Result<(), ApiError>,
    password_hash: Option<String>,
) -> Result<User, ApiError> {
    if patch.password.is_some() && password_hash.is_none() {
        return Err(ApiError::Internal(
            "a new password reached the database unhashed".to_owned(),
        ));
    }
    {
        let current = find(conn, id)?;
        precondition(&current)?;
        if let Some(Some(author_id)) = patch.author_id
            && let Err(e) = check_author_exists(conn, author_id)?
        {
            return Err(ApiError::Validation(vec![e]));
        }
        let stays_admin =
            patch.role.is_none_or(|r| r == Role::Admin) && patch.active != Some(false);
        if current.is_active_admin() && !stays_admin {
            guard_last_admin(conn, &current)?;
        }
        let now = timestamp::now();
        let updated = diesel::update(
            users::table
                .filter(users::id.eq(id))
                .filter(users::version.eq(current.version)),
        )
        .set(UserChangeset {
            email: patch.email.as_ref().map(|e| e.as_str().to_owned()),
            password_hash,
            display_name: patch.display_name.clone(),
            role: patch.role.map(Role::as_str),
            author_id: patch.author_id,
            active: patch.active,
            updated_at: now,
            version: current.version + 1,
        })
        .execute(conn)
        .map_err(unique_conflict)?;
        if updated == 0 {
            return Err(ApiError::PreconditionFailed);
        }
        if patch.password.is_some() || patch.active == Some(false) {
            refresh::revoke_all_for_user(conn, id, now)?;
        }
        find(conn, id)
    }
}

/// Deletes an account in the caller's write transaction; its refresh
/// tokens go with it (cascade), and its access tokens stop working because
/// the caller check finds no account.
pub fn delete_account(
    conn: &mut DbConnection,
    id: i64,
    precondition: impl FnOnce(&User) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let current = find(conn, id)?;
    precondition(&current)?;
    if current.is_active_admin() {
        guard_last_admin(conn, &current)?;
    }
    refresh::revoke_all_for_user(conn, id, timestamp::now())?;
    diesel::delete(users::table.find(id)).execute(conn)?;
    Ok(())
}

/// The email (the throttle's key) and stored hash of an active account, for
/// checking its own password; 401 when the account is gone or disabled.
pub fn own_password(conn: &mut DbConnection, id: i64) -> Result<(String, String), ApiError> {
    users::table
        .find(id)
        .filter(users::active.eq(true))
        .select((users::email, users::password_hash))
        .first::<(String, String)>(conn)
        .optional()?
        .ok_or_else(crate::auth::caller::unauthorized)
}

/// Replaces one's own password by `new_hash`, provided the stored hash is
/// still `verified_hash` (a concurrent change wins), and ends every session
/// (refresh token) of the account. Call inside a write transaction.
pub fn replace_own_password(
    conn: &mut DbConnection,
    id: i64,
    verified_hash: &str,
    new_hash: &str,
) -> Result<(), ApiError> {
    let now = timestamp::now();
    let changed = diesel::update(
        users::table
            .filter(users::id.eq(id))
            .filter(users::password_hash.eq(verified_hash)),
    )
    .set((
        users::password_hash.eq(new_hash),
        users::updated_at.eq(now),
        users::version.eq(users::version + 1),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::conflict(
            "the password was changed meanwhile; sign in again",
        ));
    }
    refresh::revoke_all_for_user(conn, id, now)?;
    Ok(())
}
