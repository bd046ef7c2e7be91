//! The settings as clients see them.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::settings::SiteSettings;
use crate::timestamp;

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteView {
    #[schema(example = "La Nouvelle Tribune")]
    pub title: String,
    #[schema(example = "L'actualité du Bénin et du monde")]
    pub description: String,
    /// Where readers read the site; null when not configured.
    #[schema(example = "https://www.journal.example")]
    #[schema(required = true)]
    pub frontend_url: Option<String>,
    /// Where this service is reached (`CMS_PUBLIC_URL`); null when links
    /// are relative.
    #[schema(example = "https://api.journal.example")]
    #[schema(required = true)]
    pub api_url: Option<String>,
    #[schema(example = "Africa/Porto-Novo")]
    pub timezone: String,
    /// Hours east of UTC now in `timezone` (as WordPress's `gmt_offset`).
    #[schema(example = 1.0)]
    pub gmt_offset: f64,
    #[schema(example = "fr")]
    pub language: String,
    /// When an administrator last changed them; null when all are configured.
    #[serde(with = "timestamp::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    #[schema(required = true)]
    pub updated_at: Option<NaiveDateTime>,
}

impl SiteView {
    pub fn new(settings: SiteSettings, now: NaiveDateTime) -> Self {
        Self {
            gmt_offset: f64::from(settings.timezone.offset_seconds_at(now)) / 3600.0,
            title: settings.title,
            description: settings.description,
            frontend_url: settings.frontend_url,
            api_url: settings.api_url,
            timezone: settings.timezone.name().to_owned(),
            language: settings.language.as_str().to_owned(),
            updated_at: settings.updated_at,
        }
    }
}
