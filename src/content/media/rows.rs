//! A media object as stored, and the forms that write one.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::media;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media)]
pub struct MediaRow {
    pub id: i64,
    pub content_hash: String,
    pub storage_key: String,
    pub file_name: String,
    pub mime_type: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub title: Option<String>,
    pub placeholder: String,
    pub dominant_color: String,
    pub renditions: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl MediaRow {
    /// The store's directory of its files: `{hh}/{hash}`.
    pub fn dir(&self) -> &str {
        self.storage_key
            .rsplit_once('/')
            .map_or(self.storage_key.as_str(), |(dir, _)| dir)
    }
}

/// One rendition as `media.renditions` lists it; its file is
/// `{storage_key}-{width}w.{extension of mime_type}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRendition {
    pub width: u32,
    pub height: u32,
    pub mime_type: String,
    pub bytes: u64,
}

/// A new row. A `None` is written as NULL, not `DEFAULT`, so the
/// statement is prepared once.
#[derive(Insertable)]
#[diesel(table_name = media, treat_none_as_default_value = false)]
pub struct NewMediaRow<'a> {
    pub content_hash: &'a str,
    pub storage_key: &'a str,
    pub file_name: &'a str,
    pub mime_type: &'a str,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub alt: Option<&'a str>,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
    pub title: Option<&'a str>,
    pub placeholder: &'a str,
    pub dominant_color: &'a str,
    pub renditions: &'a str,
    pub search_text: &'a str,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// What a PATCH writes: the four texts (`None` clears), and the search
/// text made from them.
#[derive(AsChangeset)]
#[diesel(table_name = media, treat_none_as_null = true)]
pub struct MediaTextsForm<'a> {
    pub alt: Option<&'a str>,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
    pub title: Option<&'a str>,
    pub search_text: &'a str,
}
