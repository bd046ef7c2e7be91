//! What clients see of an account. Built field by field from the row, so a
//! column added to `users` (or the password hash) never goes out by accident.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::rows::User;
use crate::auth::Role;
use crate::error::ApiError;

/// A newsroom account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    #[schema(example = 4)]
    pub id: i64,
    #[schema(example = "aminata.diallo@journal.ne")]
    pub email: String,
    #[schema(example = "Aminata Diallo")]
    pub display_name: String,
    pub role: Role,
    /// The byline this account writes under, if any.
    #[schema(example = 3)]
    #[schema(required = true)]
    pub author_id: Option<i64>,
    /// Inactive accounts cannot sign in and their tokens are refused.
    pub active: bool,
    #[serde(with = "crate::timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub updated_at: NaiveDateTime,
    /// Bumped on every change.
    #[schema(example = 1)]
    pub version: i32,
}

impl TryFrom<User> for UserView {
    type Error = ApiError;

    fn try_from(user: User) -> Result<Self, ApiError> {
        let role = Role::parse(&user.role)
            .ok_or_else(|| ApiError::Internal(format!("user {} has an unknown role", user.id)))?;
        Ok(Self {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role,
            author_id: user.author_id,
            active: user.active,
            created_at: user.created_at,
            updated_at: user.updated_at,
            version: user.version,
        })
    }
}

/// A page of accounts.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UserList {
    pub data: Vec<UserView>,
    pub meta: crate::http::listing::ListMeta,
}
