use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::articles;

/// An article as stored (without `search_text`, which only search reads);
/// never sent as JSON (see `views`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body: String,
    pub body_format: String,
    pub body_html: String,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub language: String,
    pub category_id: i64,
    pub featured_image: Option<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub seo_canonical_url: Option<String>,
    pub featured: bool,
    pub sponsored: bool,
    pub comments_enabled: bool,
    pub reading_time_minutes: i32,
    pub word_count: i32,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl ArticleRow {
    /// The status readers experience: a scheduled article whose time has
    /// come is published, with no job having touched it.
    pub fn effective_status(&self, now: NaiveDateTime) -> crate::content::status::ArticleStatus {
        use crate::content::status::ArticleStatus;
        let stored = ArticleStatus::parse(&self.status).unwrap_or(ArticleStatus::Draft);
        match (stored, self.published_at) {
            (ArticleStatus::Scheduled, Some(at)) if at <= now => ArticleStatus::Published,
            (stored, _) => stored,
        }
    }
}
