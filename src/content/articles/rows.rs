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
    /// Approved comments, kept by the comment write path.
    pub comment_count: i32,
    /// When the article stops taking comments (`CMS_COMMENTS_CLOSE_AFTER_DAYS`).
    pub comments_close_at: Option<NaiveDateTime>,
}

impl ArticleRow {
    /// The status readers experience: a scheduled article whose time has
    /// come is published, with no job having touched it.
    pub fn effective_status(
        &self,
        now: NaiveDateTime,
    ) -> crate::content::articles::lifecycle::ArticleStatus {
        use super::lifecycle::{ArticleStatus, effective_status};
        let stored = ArticleStatus::parse(&self.status).unwrap_or(ArticleStatus::Draft);
        effective_status(stored, self.published_at, now)
    }

    /// Whether readers may comment at `now`: comments switched on, the
    /// article public, and not closed by age.
    pub fn comments_open(&self, now: NaiveDateTime) -> bool {
        use super::lifecycle::ArticleStatus;
        self.comments_enabled
            && self.effective_status(now) == ArticleStatus::Published
            && self.published_at.is_some_and(|at| at <= now)
            && self.comments_close_at.is_none_or(|close| now < close)
    }
}

/// An article without its body columns, for lists: the bodies are most of a
/// row's bytes, and a list item does not show them unless `include=body`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleSummaryRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body_format: String,
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
    pub comment_count: i32,
    pub comments_close_at: Option<NaiveDateTime>,
}

impl From<ArticleSummaryRow> for ArticleRow {
    /// Empty bodies: views built from it leave the body fields out.
    fn from(row: ArticleSummaryRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            title: row.title,
            excerpt: row.excerpt,
            body: String::new(),
            body_format: row.body_format,
            body_html: String::new(),
            status: row.status,
            published_at: row.published_at,
            language: row.language,
            category_id: row.category_id,
            featured_image: row.featured_image,
            seo_title: row.seo_title,
            seo_description: row.seo_description,
            seo_canonical_url: row.seo_canonical_url,
            featured: row.featured,
            sponsored: row.sponsored,
            comments_enabled: row.comments_enabled,
            reading_time_minutes: row.reading_time_minutes,
            word_count: row.word_count,
            created_by: row.created_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
            comment_count: row.comment_count,
            comments_close_at: row.comments_close_at,
        }
    }
}
