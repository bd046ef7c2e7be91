//! User accounts: the people who sign in to write, edit and administer.

use diesel::prelude::*;

use crate::auth::{Role, password};
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

/// What an account is made of; validated by `create_account`.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub author_id: Option<i64>,
    pub password: &'a str,
}

/// Creates an active account; a duplicate email is a 409 naming `email`.
/// Hashes the password: call it off the async workers.
pub fn create_account(
    conn: &mut DbConnection,
    account: &NewAccount<'_>,
) -> Result<CreatedUser, ApiError> {
    let mut errors = Vec::new();
    let email = Email::parse("email", account.email)
        .map_err(|e| errors.push(e))
        .ok();
    if let Err(e) = password::check_policy("password", account.password) {
        errors.push(e);
    }
    let display_name = account.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 100 {
        errors.push(FieldError::new(
            "display_name",
            "invalid_length",
            "must be 1 to 100 characters",
        ));
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let hash = password::hash(account.password)?;
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
