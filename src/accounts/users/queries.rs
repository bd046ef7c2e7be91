//! Every statement about `users`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rows::{NewUserRow, User, UserChangeset};
use crate::auth::Role;
use crate::db::DbConnection;
use crate::db::schema::{authors, users};
use crate::error::{ApiError, FieldError};
use crate::http::listing::PageRequest;

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// One page of accounts, oldest first, and the total count.
pub fn page(conn: &mut DbConnection, page: PageRequest) -> QueryResult<(Vec<User>, i64)> {
    let total = users::table.count().get_result::<i64>(conn)?;
    let rows = users::table
        .select(User::as_select())
        .order(users::id)
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

pub fn insert(conn: &mut DbConnection, row: &NewUserRow<'_>) -> Result<i64, ApiError> {
    diesel::insert_into(users::table)
        .values(row)
        .returning(users::id)
        .get_result::<i64>(conn)
        .map_err(unique_conflict)
}

/// Applies `changes` if the account is still at `version`; `false` when
/// it was changed meanwhile.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    version: i32,
    changes: &UserChangeset,
) -> Result<bool, ApiError> {
    let updated = diesel::update(
        users::table
            .filter(users::id.eq(id))
            .filter(users::version.eq(version)),
    )
    .set(changes)
    .execute(conn)
    .map_err(unique_conflict)?;
    Ok(updated > 0)
}

/// The byline of the active account with this email (emails are stored
/// lowercase): `None` for no such account, `Some(None)` for an account
/// without a byline.
pub fn byline_of_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<Option<i64>>> {
    users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .filter(users::active.eq(true))
        .select(users::author_id)
        .first(conn)
        .optional()
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(users::table.find(id)).execute(conn)?;
    Ok(())
}

/// Active administrators other than `id`.
pub fn other_active_admins(conn: &mut DbConnection, id: i64) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .filter(users::id.ne(id))
        .count()
        .get_result::<i64>(conn)
}

/// `Ok(Err(_))` is the client's mistake (no such byline), `Err(_)` the database's.
pub fn check_author_exists(
    conn: &mut DbConnection,
    author_id: i64,
) -> QueryResult<Result<(), FieldError>> {
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

/// The email (the throttle's key) and stored hash of an active account.
pub fn own_password(conn: &mut DbConnection, id: i64) -> QueryResult<Option<(String, String)>> {
    users::table
        .find(id)
        .filter(users::active.eq(true))
        .select((users::email, users::password_hash))
        .first::<(String, String)>(conn)
        .optional()
}

/// Replaces the password hash if it is still `verified_hash`; `false` when
/// a concurrent change came first.
pub fn replace_password(
    conn: &mut DbConnection,
    id: i64,
    verified_hash: &str,
    new_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
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
    Ok(changed > 0)
}

/// A unique violation on `users` is either the email or the byline (each
/// byline belongs to at most one account): the client's 409 naming the
/// field, not a race to run again.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_are_prepared_once() {
        let now = crate::timestamp::now();
        let row = NewUserRow {
            email: "a@journal.ne",
            password_hash: "x",
            display_name: "A",
            role: "author",
            author_id: None,
            active: true,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        assert!(crate::db::prepared_once(
            &diesel::insert_into(users::table).values(&row)
        ));
    }
}
