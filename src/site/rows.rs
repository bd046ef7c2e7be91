//! The stored overrides, and the form that writes them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::site_settings;

/// The one row; `Default` stands for its absence (version 0).
#[derive(Debug, Clone, Default, Queryable, Selectable)]
#[diesel(table_name = site_settings)]
pub struct SiteSettingsRow {
    pub title: Option<String>,
    pub description: Option<String>,
    pub frontend_url: Option<String>,
    pub timezone: Option<String>,
    pub language: Option<String>,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The row as written: every column, a `None` bound as NULL (not
/// overridden), so the statement is prepared once.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = site_settings, treat_none_as_default_value = false, treat_none_as_null = true)]
pub struct SiteSettingsForm {
    pub id: i32,
    pub title: Option<String>,
    pub description: Option<String>,
    pub frontend_url: Option<String>,
    pub timezone: Option<String>,
    pub language: Option<String>,
    pub updated_at: NaiveDateTime,
    pub updated_by: Option<i64>,
    pub version: i32,
}
