//! What a client sends to create an application password, and its checks.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApplicationPassword {
    /// Which editor, on which device: shown in the list to tell them apart.
    #[schema(
        example = "MarsEdit, portable de la rédaction",
        min_length = 1,
        max_length = 100,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
}

impl CreateApplicationPassword {
    /// The name, trimmed: 1 to 100 characters (control characters are
    /// refused for every JSON body, by `http::extract`).
    pub fn check(self) -> Result<String, ApiError> {
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ApiError::Validation(vec![FieldError::new(
                "name",
                "invalid_length",
                "must be 1 to 100 characters",
            )]));
        }
        Ok(name)
    }
}

/// A presented password as stored hashes see it: spaces (the groups of
/// four the password is shown in) ignored, as WordPress does.
pub fn normalize(presented: &str) -> String {
    presented.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        let ok = CreateApplicationPassword {
            name: "  MarsEdit, portable de la rédaction ".to_owned(),
        };
        assert_eq!(ok.check().unwrap(), "MarsEdit, portable de la rédaction");
        for bad in ["", "   "] {
            let input = CreateApplicationPassword {
                name: bad.to_owned(),
            };
            assert!(input.check().is_err(), "{bad:?}");
        }
        let long = CreateApplicationPassword {
            name: "é".repeat(101),
        };
        assert!(long.check().is_err());
    }

    #[test]
    fn spaces_are_ignored_in_a_presented_password() {
        assert_eq!(
            normalize("abcd EFGH ijkl\tMNOP qrst uvwx"),
            "abcdEFGHijklMNOPqrstuvwx"
        );
    }
}
