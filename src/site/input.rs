//! `PATCH /api/v1/site`: what an administrator sends, checked.

use serde::Deserialize;
use utoipa::ToSchema;

use super::rows::SiteSettingsRow;
use super::settings::{Language, TimeZone, TimeZoneName};
use crate::content::patch::Patch;
use crate::error::FieldError;

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 1000;

/// The fields sent change; `null` returns a field to its configured value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SitePatch {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "La Nouvelle Tribune", min_length = 1, max_length = 200, pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "L'actualité du Bénin et du monde", max_length = 1000)]
    pub description: Patch<String>,
    /// Where readers read the site (the frontend), `http(s)://`.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "https://www.journal.example", pattern = "^https?://[A-Za-z0-9.-]+(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~%/-]*)?$")]
    pub frontend_url: Patch<String>,
    /// An IANA time zone: WordPress clients send times in it.
    #[serde(default)]
    #[schema(value_type = Option<TimeZoneName>, example = "Africa/Porto-Novo")]
    pub timezone: Patch<String>,
    /// A BCP 47 language tag.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "fr", pattern = "^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")]
    pub language: Patch<String>,
    /// Read-only (`CMS_PUBLIC_URL`): sending it is a 422.
    #[serde(default)]
    #[schema(value_type = Option<String>, read_only)]
    pub api_url: Patch<String>,
}

fn text(
    field: &str,
    patch: Patch<String>,
    current: Option<String>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match patch {
        Patch::Absent => current,
        Patch::Null => None,
        Patch::Value(value) => {
            let value = value.trim().to_owned();
            let chars = value.chars().count();
            if (field == "title" && chars == 0) || chars > max {
                let min = usize::from(field == "title");
                errors.push(FieldError::new(
                    field,
                    "invalid_length",
                    format!("must be {min} to {max} characters"),
                ));
            }
            Some(value)
        }
    }
}

fn parsed(
    field: &str,
    patch: Patch<String>,
    current: Option<String>,
    parse: impl FnOnce(&str) -> Result<String, String>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match patch {
        Patch::Absent => current,
        Patch::Null => None,
        Patch::Value(raw) => match parse(&raw) {
            Ok(value) => Some(value),
            Err(message) => {
                errors.push(FieldError::new(field, "invalid_value", message));
                None
            }
        },
    }
}

impl SitePatch {
    /// The overrides after this patch (`None`: the configured value), or
    /// every invalid field at once.
    pub fn apply(self, current: SiteSettingsRow) -> Result<SiteSettingsRow, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !matches!(self.api_url, Patch::Absent) {
            errors.push(FieldError::new(
                "api_url",
                "read_only",
                "set by CMS_PUBLIC_URL, which must agree with the proxy in front",
            ));
        }
        let next = SiteSettingsRow {
            title: text("title", self.title, current.title, TITLE_MAX, &mut errors),
            description: text(
                "description",
                self.description,
                current.description,
                DESCRIPTION_MAX,
                &mut errors,
            ),
            frontend_url: parsed(
                "frontend_url",
                self.frontend_url,
                current.frontend_url,
                crate::http::origin::parse_public_url,
                &mut errors,
            ),
            timezone: parsed(
                "timezone",
                self.timezone,
                current.timezone,
                |raw| TimeZone::parse(raw).map(|tz| tz.name().to_owned()),
                &mut errors,
            ),
            language: parsed(
                "language",
                self.language,
                current.language,
                |raw| Language::parse(raw).map(|l| l.as_str().to_owned()),
                &mut errors,
            ),
            updated_at: current.updated_at,
            version: current.version,
        };
        if errors.is_empty() {
            Ok(next)
        } else {
            Err(errors)
        }
    }
}
