//! Reading and changing the site's settings.

use std::sync::Arc;

use super::input::SitePatch;
use super::queries;
use super::rows::SiteSettingsForm;
use super::settings::{Defaults, SiteSettings};
use super::views::SiteView;
use crate::auth::{Caller, policy};
use crate::content::Precondition;
use crate::db::Db;
use crate::error::ApiError;
use crate::timestamp;

/// What the settings' use cases run with.
#[derive(Clone)]
pub struct Site {
    pub db: Db,
    pub defaults: Arc<Defaults>,
    /// `CMS_PUBLIC_URL`.
    pub api_url: Option<String>,
}

impl Site {
    /// The settings in effect, read from the database (every process sees
    /// an administrator's change at once).
    pub async fn settings(&self) -> Result<SiteSettings, ApiError> {
        let site = self.clone();
        self.db
            .read(move |conn| {
                let row = queries::find(conn)?;
                Ok(SiteSettings::effective(
                    &site.defaults,
                    site.api_url.as_deref(),
                    row,
                ))
            })
            .await
    }
}

pub async fn get(cx: &Site) -> Result<SiteView, ApiError> {
    Ok(SiteView::new(cx.settings().await?, timestamp::now()))
}

pub async fn update(
    cx: &Site,
    caller: &Caller,
    expect: Precondition,
    patch: SitePatch,
) -> Result<SiteView, ApiError> {
    policy::authorize_admin(caller)?;
    let site = cx.clone();
    let updated_by = caller.user_id();
    cx.db
        .write(move |tx| {
            let now = timestamp::now();
            let current = queries::find(tx)?;
            let effective =
                SiteSettings::effective(&site.defaults, site.api_url.as_deref(), current.clone());
            expect.check(&SiteView::new(effective, now))?;
            let next = patch
                .clone()
                .apply(current.unwrap_or_default())
                .map_err(ApiError::Validation)?;
            queries::save(
                tx,
                &SiteSettingsForm {
                    id: 1,
                    title: next.title,
                    description: next.description,
                    frontend_url: next.frontend_url,
                    timezone: next.timezone,
                    language: next.language,
                    updated_at: now,
                    updated_by,
                    version: next.version + 1,
                },
            )?;
            let row = queries::find(tx)?;
            Ok(SiteView::new(
                SiteSettings::effective(&site.defaults, site.api_url.as_deref(), row),
                now,
            ))
        })
        .await
}
