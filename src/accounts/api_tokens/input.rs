//! What a client sends to create an API token, and its checks.

use chrono::NaiveDateTime;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Scope;
use crate::error::{ApiError, FieldError};
use crate::timestamp;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiToken {
    #[schema(example = "Site mobile — prévisualisation")]
    pub name: String,
    /// At least one.
    pub scopes: Vec<Scope>,
    /// RFC 3339, in the future; never expires when absent.
    #[schema(example = "2026-01-18T00:00:00Z")]
    pub expires_at: Option<String>,
}

/// A token to create, checked.
#[derive(Clone)]
pub struct NewApiToken {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<NaiveDateTime>,
}

impl CreateApiToken {
    /// Every invalid field at once; `expires_at` must be after `now`.
    pub fn check(self, now: NaiveDateTime) -> Result<NewApiToken, ApiError> {
        let input = self;
        let mut errors = Vec::new();
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(FieldError::new(
                "name",
                "invalid_length",
                "must be 1 to 100 characters",
            ));
        }
        let mut scopes: Vec<Scope> = Vec::new();
        for scope in input.scopes {
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            errors.push(FieldError::new(
                "scopes",
                "required",
                "must name at least one scope",
            ));
        }
        let expires_at = match input.expires_at.as_deref().map(timestamp::parse_rfc3339) {
            None => None,
            Some(None) => {
                errors.push(FieldError::new(
                    "expires_at",
                    "invalid_timestamp",
                    "must be an RFC 3339 timestamp with a year between 1000 and 9999",
                ));
                None
            }
            Some(Some(at)) if at <= now => {
                errors.push(FieldError::new(
                    "expires_at",
                    "in_the_past",
                    "must be in the future",
                ));
                None
            }
            Some(Some(at)) => Some(at),
        };
        if errors.is_empty() {
            Ok(NewApiToken {
                name,
                scopes,
                expires_at,
            })
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}
