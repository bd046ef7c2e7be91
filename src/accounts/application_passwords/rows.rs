//! An application password as stored, and the form that writes one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::application_passwords;

/// An application password as stored, without its hash or sealed secret.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = application_passwords)]
pub struct ApplicationPasswordRow {
    pub id: i64,
    pub uuid: String,
    pub user_id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub last_ip: Option<String>,
    /// `input::CredentialKind`, as stored.
    pub kind: String,
    pub scopes: Option<String>,
}

/// A new application password's row. A `None` is written as NULL, not
/// `DEFAULT`, so the statement is prepared once.
#[derive(Insertable)]
#[diesel(table_name = application_passwords, treat_none_as_default_value = false)]
pub struct NewApplicationPasswordRow<'a> {
    pub uuid: &'a str,
    pub user_id: i64,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub last_ip: Option<&'a str>,
    pub kind: &'a str,
    pub sealed_secret: Option<&'a str>,
    pub scopes: Option<&'a str>,
}
