//! User accounts: the people who sign in to write, edit and administer.

use diesel::prelude::*;

use crate::auth::password;
use crate::db::DbConnection;
use crate::db::schema::users;
use crate::error::{ApiError, FieldError};
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

/// Creates an active administrator; a duplicate email is a 409.
pub fn create_admin_account(
    conn: &mut DbConnection,
    email: &str,
    display_name: &str,
    plain_password: &str,
) -> Result<CreatedUser, ApiError> {
    let email = Email::parse("email", email).map_err(|e| ApiError::Validation(vec![e]))?;
    password::check_policy("password", plain_password)
        .map_err(|e| ApiError::Validation(vec![e]))?;
    let hash = password::hash(plain_password)?;
    let now = timestamp::now();
    let id = diesel::insert_into(users::table)
        .values((
            users::email.eq(email.as_str()),
            users::password_hash.eq(&hash),
            users::display_name.eq(display_name),
            users::role.eq("admin"),
            users::active.eq(true),
            users::created_at.eq(now),
            users::updated_at.eq(now),
            users::version.eq(1),
        ))
        .returning(users::id)
        .get_result::<i64>(conn)
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict { .. } => ApiError::Conflict {
                detail: "a user with this email already exists".to_owned(),
                errors: vec![FieldError::new(
                    "email",
                    "taken",
                    "is already used by another account",
                )],
            },
            other => other,
        })?;
    Ok(CreatedUser {
        id,
        email: email.as_str().to_owned(),
    })
}
