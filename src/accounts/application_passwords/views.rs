//! What clients see of an application password: never the password,
//! except once, at creation.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::input::CredentialKind;
use super::rows::ApplicationPasswordRow;
use crate::timestamp;

/// An application password as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationPasswordView {
    /// The public id (a UUID, as in WordPress).
    #[schema(example = "8f0c6b4e-3f7a-4a55-9a8e-2d1c0b9e7f10")]
    pub uuid: String,
    #[schema(example = 3)]
    pub user_id: i64,
    #[schema(example = "MarsEdit, portable de la rédaction")]
    pub name: String,
    pub kind: CredentialKind,
    /// A Micropub token's scopes; absent for other kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["create", "update", "media"]))]
    pub scopes: Option<Vec<String>>,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2026-12-01T09:30:00Z")]
    pub created_at: NaiveDateTime,
    /// Updated at most once a minute.
    #[serde(with = "timestamp::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime, example = "2026-12-01T10:02:00Z")]
    #[schema(required = true)]
    pub last_used_at: Option<NaiveDateTime>,
    /// The client address of the last use.
    #[schema(example = "196.192.16.4")]
    #[schema(required = true)]
    pub last_ip: Option<String>,
}

impl From<ApplicationPasswordRow> for ApplicationPasswordView {
    fn from(row: ApplicationPasswordRow) -> Self {
        Self {
            uuid: row.uuid,
            user_id: row.user_id,
            name: row.name,
            kind: CredentialKind::parse(&row.kind).unwrap_or_default(),
            scopes: row
                .scopes
                .map(|s| s.split_whitespace().map(str::to_owned).collect()),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            last_ip: row.last_ip,
        }
    }
}

/// A user's application passwords, oldest first (a user has a handful).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationPasswordList {
    pub data: Vec<ApplicationPasswordView>,
}

/// A new application password: `password` is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApplicationPassword {
    /// What the editor is given, as it expects it: for an
    /// `application_password` 24 letters and digits in groups of four
    /// (with or without the spaces); for a `ghost_admin_key` the
    /// `id:secret` key (24 and 64 hex digits); for a `micropub_token` the
    /// bearer token.
    #[schema(example = "Xk3f 9QaB 7LmN pR2s T8vW yZ4c")]
    pub password: String,
    #[serde(flatten)]
    pub details: ApplicationPasswordView,
}
