//! What a client may send about an account, and the checks that make it a
//! valid one before anything is written.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{Role, password};
use crate::content::patch::Patch;
use crate::error::{ApiError, FieldError};

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

/// What an account is made of, from the API, the CLI or a test.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub author_id: Option<i64>,
    pub password: &'a str,
}

/// A new account whose fields are valid on their own (the byline's
/// existence is checked in the transaction).
#[derive(Debug, Clone)]
pub struct CheckedAccount {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub author_id: Option<i64>,
}

impl NewAccount<'_> {
    /// Every invalid field at once; `more` are errors found elsewhere (an
    /// unknown byline) to report with them.
    pub fn check(&self, mut more: Vec<FieldError>) -> Result<CheckedAccount, ApiError> {
        let mut errors = Vec::new();
        let email = Email::parse("email", self.email)
            .map_err(|e| errors.push(e))
            .ok();
        if let Err(e) = password::check_policy("password", self.password) {
            errors.push(e);
        }
        let display_name = self.display_name.trim();
        if let Err(e) = check_display_name(display_name) {
            errors.push(e);
        }
        errors.append(&mut more);
        match email {
            Some(email) if errors.is_empty() => Ok(CheckedAccount {
                email,
                display_name: display_name.to_owned(),
                role: self.role,
                author_id: self.author_id,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

pub fn check_display_name(display_name: &str) -> Result<(), FieldError> {
    if display_name.is_empty() || display_name.chars().count() > 100 {
        Err(FieldError::new(
            "display_name",
            "invalid_length",
            "must be 1 to 100 characters",
        ))
    } else {
        Ok(())
    }
}

/// The body of `POST /users`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schema(example = "aminata.diallo@journal.ne")]
    pub email: String,
    /// At least 12 characters.
    #[schema(example = "une phrase de passe assez longue")]
    pub password: String,
    #[schema(example = "Aminata Diallo")]
    pub display_name: String,
    pub role: Role,
    /// The byline the account writes under.
    #[schema(example = 3)]
    pub author_id: Option<i64>,
}

impl CreateUser {
    pub fn as_new_account(&self) -> NewAccount<'_> {
        NewAccount {
            email: &self.email,
            display_name: &self.display_name,
            role: self.role,
            author_id: self.author_id,
            password: &self.password,
        }
    }
}

/// The body of `PATCH /users/{id}`: only the fields sent change; `author_id:
/// null` unlinks the byline, `null` for any other field is refused.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "aminata.diallo@journal.ne")]
    pub email: Patch<String>,
    /// An administrator's reset; every session of the account ends.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "une nouvelle phrase de passe")]
    pub password: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Aminata Diallo")]
    pub display_name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<Role>)]
    pub role: Patch<Role>,
    #[serde(default)]
    #[schema(value_type = Option<i64>, example = 3)]
    pub author_id: Patch<i64>,
    /// `false` signs the account out everywhere and refuses its tokens.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub active: Patch<bool>,
}

/// What a change does to the account, checked before anything is written.
#[derive(Debug, Clone)]
pub struct CheckedPatch {
    pub email: Option<Email>,
    pub password: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub author_id: Option<Option<i64>>,
    pub active: Option<bool>,
}

impl CheckedPatch {
    /// The new password, to hash before the write.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// Whether the account stays an active administrator after the change.
    pub fn keeps_admin(&self) -> bool {
        self.role.is_none_or(|r| r == Role::Admin) && self.active != Some(false)
    }

    /// A password reset or a deactivation ends every session.
    pub fn ends_sessions(&self) -> bool {
        self.password.is_some() || self.active == Some(false)
    }
}

impl UserPatch {
    pub fn check(self) -> Result<CheckedPatch, ApiError> {
        let mut errors = Vec::new();
        let email = self
            .email
            .required("email", &mut errors)
            .and_then(|raw| Email::parse("email", &raw).map_err(|e| errors.push(e)).ok());
        let password = self.password.required("password", &mut errors).filter(|p| {
            password::check_policy("password", p)
                .map_err(|e| errors.push(e))
                .is_ok()
        });
        let display_name = self
            .display_name
            .required("display_name", &mut errors)
            .map(|name| name.trim().to_owned())
            .filter(|name| check_display_name(name).map_err(|e| errors.push(e)).is_ok());
        let role = self.role.required("role", &mut errors);
        let active = self.active.required("active", &mut errors);
        // The one field that `null` clears: the account loses its byline.
        let author_id = match self.author_id {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(id) => Some(Some(id)),
        };
        if errors.is_empty() {
            Ok(CheckedPatch {
                email,
                password,
                display_name,
                role,
                author_id,
                active,
            })
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}
