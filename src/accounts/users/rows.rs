//! An account as stored, and the forms that write one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::Role;
use crate::db::schema::users;

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
    pub fn is_active_admin(&self) -> bool {
        self.active && self.role == Role::Admin.as_str()
    }
}

/// A new account's row. A `None` is written as NULL, not `DEFAULT`, so the
/// statement's text never depends on the values and is prepared once.
#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct NewUserRow<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub role: &'static str,
    pub author_id: Option<i64>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The columns a change may set; `None` leaves a column as it is.
#[derive(AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChangeset {
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<&'static str>,
    pub author_id: Option<Option<i64>>,
    pub active: Option<bool>,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}
