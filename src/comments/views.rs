//! Comments as the API shows them: to readers (no email, no address, ever)
//! and to moderators.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::rows::{CommentRow, PublicCommentRow};
use super::status::CommentStatus;
use crate::http::listing::ListMeta;
use crate::timestamp;

/// An approved comment, with its approved replies nested up to the site's
/// depth.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThreadedComment {
    #[schema(example = 812)]
    pub id: i64,
    /// The comment this one answers; `null` at the top of a thread.
    #[schema(example = json!(null))]
    #[schema(required = true)]
    pub parent_id: Option<i64>,
    #[schema(example = "Aïcha K.")]
    pub author_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "https://blog.example.bj/")]
    pub author_url: Option<String>,
    /// Sanitised HTML: paragraphs, line breaks, and links with
    /// `rel="nofollow ugc noopener noreferrer"`.
    #[schema(example = "<p>Merci pour cet article « éclairant ».</p>")]
    pub body_html: String,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    /// Written by the newsroom.
    pub staff: bool,
    /// Approved direct replies.
    #[schema(example = 1)]
    pub replies_count: i64,
    /// Those replies, oldest first.
    #[schema(no_recursion)]
    pub replies: Vec<ThreadedComment>,
}

impl ThreadedComment {
    pub fn new(row: PublicCommentRow) -> Self {
        Self {
            id: row.id,
            parent_id: row.parent_id,
            author_name: row.author_name,
            author_url: row.author_url,
            body_html: row.body_html,
            created_at: row.created_at,
            staff: row.user_id.is_some(),
            replies_count: 0,
            replies: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentListMeta {
    #[schema(example = 20)]
    pub per_page: u32,
    /// Threads (top-level approved comments) on the article.
    #[schema(example = 4)]
    pub total: i64,
    /// Approved comments on the article, replies included.
    #[schema(example = 9)]
    pub comment_count: i64,
    /// Opaque key of the next page (pass it as `cursor`); `null` on the last.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// A page of an article's threads.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentList {
    pub data: Vec<ThreadedComment>,
    pub meta: CommentListMeta,
}

/// A comment just sent, and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmittedComment {
    #[schema(example = 813)]
    pub id: i64,
    #[schema(required = true)]
    pub parent_id: Option<i64>,
    #[schema(example = "Aïcha K.")]
    pub author_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_url: Option<String>,
    pub body_html: String,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    pub staff: bool,
    /// `approved` (shown now) or `pending` (after moderation).
    pub status: CommentStatus,
}

impl SubmittedComment {
    pub fn new(row: &CommentRow) -> Self {
        Self {
            id: row.id,
            parent_id: row.parent_id,
            author_name: row.author_name.clone(),
            author_url: row.author_url.clone(),
            body_html: row.body_html.clone(),
            created_at: row.created_at,
            staff: row.user_id.is_some(),
            status: CommentStatus::parse(&row.status).unwrap_or(CommentStatus::Pending),
        }
    }
}

/// The article a comment is on, for moderators.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentArticle {
    pub id: i64,
    pub slug: String,
    pub title: String,
}

/// A comment as moderators see it: everything but the address.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModeratedComment {
    #[schema(example = 813)]
    pub id: i64,
    pub article: CommentArticle,
    #[schema(required = true)]
    pub parent_id: Option<i64>,
    pub author_name: String,
    #[schema(required = true)]
    pub author_email: Option<String>,
    #[schema(required = true)]
    pub author_url: Option<String>,
    /// As typed.
    pub body: String,
    pub body_html: String,
    pub status: CommentStatus,
    /// Why it waits: `moderation`, `first_comment`, `links`, `held_words`,
    /// `captcha_unavailable`.
    #[schema(required = true)]
    pub hold_reason: Option<String>,
    pub staff: bool,
    /// The moderator's note on the last edit of the body.
    #[schema(required = true)]
    pub edit_note: Option<String>,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
    /// Bumped on every change; the `ETag` is built from it.
    pub version: i32,
}

impl ModeratedComment {
    pub fn new(row: CommentRow, article: CommentArticle) -> Self {
        Self {
            id: row.id,
            article,
            parent_id: row.parent_id,
            author_name: row.author_name,
            author_email: row.author_email,
            author_url: row.author_url,
            body: row.body,
            body_html: row.body_html,
            status: CommentStatus::parse(&row.status).unwrap_or(CommentStatus::Pending),
            hold_reason: row.hold_reason,
            staff: row.user_id.is_some(),
            edit_note: row.edit_note,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// Comments per status, under the list's other filters.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct StatusCounts {
    pub pending: i64,
    pub approved: i64,
    pub spam: i64,
    pub trash: i64,
}

/// A page of the moderation queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModerationList {
    pub data: Vec<ModeratedComment>,
    pub meta: ListMeta,
    pub counts: StatusCounts,
}

/// Everything one email wrote, for its owner (GDPR access).
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailExport {
    #[schema(example = "lecteur@example.bj")]
    pub email: String,
    pub comments: Vec<ModeratedComment>,
}

/// What an erasure removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailErasure {
    pub email: String,
    /// Comments deleted.
    pub erased: usize,
}

/// The result of a bulk moderation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Moderated {
    /// Comments changed.
    pub updated: usize,
}

/// A comment as a change records it (`changes::Change::comment`): what
/// the public may see of it, its article and its status; never the email.
#[derive(Debug, Serialize)]
pub struct CommentEvent {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    pub body_html: String,
    #[serde(with = "timestamp::rfc3339")]
    pub created_at: NaiveDateTime,
    pub status: CommentStatus,
    pub staff: bool,
}

impl CommentEvent {
    pub fn new(row: &CommentRow) -> Self {
        Self {
            id: row.id,
            article_id: row.article_id,
            parent_id: row.parent_id,
            author_name: row.author_name.clone(),
            author_url: row.author_url.clone(),
            body_html: row.body_html.clone(),
            created_at: row.created_at,
            status: CommentStatus::parse(&row.status).unwrap_or(CommentStatus::Pending),
            staff: row.user_id.is_some(),
        }
    }
}
