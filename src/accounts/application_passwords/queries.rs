//! Every statement about `application_passwords` (the check of a presented
//! one included: it is an indexed lookup by keyed hash).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rows::{ApplicationPasswordRow, NewApplicationPasswordRow};
use crate::db::DbConnection;
use crate::db::schema::{application_passwords, users};

pub fn insert(conn: &mut DbConnection, row: &NewApplicationPasswordRow<'_>) -> QueryResult<()> {
    diesel::insert_into(application_passwords::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, uuid: &str) -> QueryResult<Option<ApplicationPasswordRow>> {
    application_passwords::table
        .filter(application_passwords::uuid.eq(uuid))
        .select(ApplicationPasswordRow::as_select())
        .first(conn)
        .optional()
}

pub fn of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<ApplicationPasswordRow>> {
    application_passwords::table
        .filter(application_passwords::user_id.eq(user_id))
        .select(ApplicationPasswordRow::as_select())
        .order(application_passwords::id)
        .load(conn)
}

/// The application password with this keyed hash.
pub fn with_hash(
    conn: &mut DbConnection,
    password_hash: &str,
) -> QueryResult<Option<ApplicationPasswordRow>> {
    application_passwords::table
        .filter(application_passwords::password_hash.eq(password_hash))
        .select(ApplicationPasswordRow::as_select())
        .first(conn)
        .optional()
}

/// A credential as a presented one is checked against: its own columns
/// and its account's.
#[derive(Debug, Queryable)]
pub struct PresentedRow {
    pub id: i64,
    pub uuid: String,
    pub sealed_secret: Option<String>,
    pub scopes: Option<String>,
    pub last_used_at: Option<NaiveDateTime>,
    pub last_ip: Option<String>,
    pub user_id: i64,
    pub email: String,
    pub role: String,
    pub author_id: Option<i64>,
}

/// How a presented credential is found: by the keyed hash of its secret
/// (application passwords, Micropub tokens), or by its public id (Ghost
/// keys, whose signature is checked with the sealed secret).
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    Hash(&'a str),
    PublicId(&'a str),
}

/// The credential of `kind` a presented one names, if it belongs to an
/// active account: one indexed lookup.
pub fn presented(
    conn: &mut DbConnection,
    kind: &str,
    lookup: Lookup<'_>,
) -> QueryResult<Option<PresentedRow>> {
    let query = application_passwords::table
        .inner_join(users::table)
        .filter(application_passwords::kind.eq(kind))
        .filter(users::active.eq(true))
        .select((
            application_passwords::id,
            application_passwords::uuid,
            application_passwords::sealed_secret,
            application_passwords::scopes,
            application_passwords::last_used_at,
            application_passwords::last_ip,
            users::id,
            users::email,
            users::role,
            users::author_id,
        ))
        .into_boxed();
    let query = match lookup {
        Lookup::Hash(hash) => query.filter(application_passwords::password_hash.eq(hash)),
        Lookup::PublicId(id) => query.filter(application_passwords::uuid.eq(id)),
    };
    query.first(conn).optional()
}

pub fn delete(conn: &mut DbConnection, uuid: &str) -> QueryResult<usize> {
    diesel::delete(application_passwords::table.filter(application_passwords::uuid.eq(uuid)))
        .execute(conn)
}

pub fn mark_used(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
    address: &str,
) -> QueryResult<usize> {
    diesel::update(application_passwords::table.find(id))
        .set((
            application_passwords::last_used_at.eq(now),
            application_passwords::last_ip.eq(address),
        ))
        .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_are_prepared_once() {
        let row = NewApplicationPasswordRow {
            uuid: "u",
            user_id: 1,
            name: "n",
            password_hash: "h",
            created_at: crate::timestamp::now(),
            last_used_at: None,
            last_ip: None,
            kind: "application_password",
            sealed_secret: None,
            scopes: None,
        };
        assert!(crate::db::prepared_once(
            &diesel::insert_into(application_passwords::table).values(&row)
        ));
    }
}
