//! What clients see of an API token: never its secret, except once.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::rows::ApiTokenRow;
use crate::auth::Scope;
use crate::http::listing::ListMeta;
use crate::timestamp;

/// An API token as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenView {
    #[schema(example = 2)]
    pub id: i64,
    #[schema(example = "Site mobile — prévisualisation")]
    pub name: String,
    /// The first characters of the token, to recognise it.
    #[schema(example = "cms_Xk3f9Q")]
    pub token_prefix: String,
    pub scopes: Vec<Scope>,
    /// The account that created it (null when created by another token or
    /// when that account was deleted).
    #[schema(example = 1)]
    #[schema(required = true)]
    pub created_by: Option<i64>,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub created_at: NaiveDateTime,
    #[serde(with = "timestamp::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime, example = "2026-01-18T00:00:00Z")]
    #[schema(required = true)]
    pub expires_at: Option<NaiveDateTime>,
    /// Updated at most once a minute.
    #[serde(with = "timestamp::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime, example = "2025-01-19T08:00:00Z")]
    #[schema(required = true)]
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked: bool,
    #[serde(with = "timestamp::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    #[schema(required = true)]
    pub revoked_at: Option<NaiveDateTime>,
}

/// A page of API tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenList {
    pub data: Vec<ApiTokenView>,
    pub meta: ListMeta,
}

impl From<ApiTokenRow> for ApiTokenView {
    fn from(row: ApiTokenRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            token_prefix: row.token_prefix,
            scopes: Scope::parse_list(&row.scopes),
            created_by: row.created_by,
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
            revoked: row.revoked_at.is_some(),
            revoked_at: row.revoked_at,
        }
    }
}

/// The creation response: the only time the token itself is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    /// The secret, shown once: store it now, it cannot be read again.
    #[schema(example = "cms_Xk3f9QhT2mWc8rLp0sVb7nEy4uJd1aGo6iZqRkHfN5w")]
    pub token: String,
    #[serde(flatten)]
    pub details: ApiTokenView,
}
