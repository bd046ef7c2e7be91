//! The life of an article, in one place: its statuses (draft → review →
//! scheduled/published → archived), the transitions a write may make and
//! the dates they imply, who may make them, and what the public sees.
//! (`queries::public_now` is the same visibility rule as SQL, and
//! `go_live` the job that marks a scheduled article's moment.)

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    Draft,
    Review,
    /// Published by itself when `published_at` comes.
    Scheduled,
    Published,
    Archived,
}

impl ArticleStatus {
    pub const ALL: [ArticleStatus; 5] = [
        ArticleStatus::Draft,
        ArticleStatus::Review,
        ArticleStatus::Scheduled,
        ArticleStatus::Published,
        ArticleStatus::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Review => "review",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Statuses in which the public sees the article once `published_at` has
    /// passed: a scheduled article needs no job to go live.
    pub const PUBLIC: [ArticleStatus; 2] = [ArticleStatus::Published, ArticleStatus::Scheduled];

    /// Statuses that put (or will put) the article in front of readers.
    pub fn goes_public(self) -> bool {
        Self::PUBLIC.contains(&self)
    }

    /// Work in progress, which contributors may write.
    pub fn is_unpublished_work(self) -> bool {
        matches!(self, Self::Draft | Self::Review)
    }
}

/// The status the API shows for an article stored as `stored`: a scheduled
/// article whose time has come reads `published` (it needs no write to go
/// live, so it is public at its exact moment).
pub fn effective_status(
    stored: ArticleStatus,
    published_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> ArticleStatus {
    match (stored, published_at) {
        (ArticleStatus::Scheduled, Some(at)) if at <= now => ArticleStatus::Published,
        (stored, _) => stored,
    }
}

/// Whether the public sees an article with this stored status and date at
/// `now` (the rule `queries::public_now` applies in SQL).
pub fn is_public(
    stored: ArticleStatus,
    published_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    stored.goes_public() && published_at.is_some_and(|at| at <= now)
}

/// A write's publication, checked: the transition from `previous` (`None`
/// for a new article) to `status`, and the `published_at` it implies.
/// Archiving is for what was public; publishing dates the article now
/// unless a past date is given (a future one is refused: that is
/// scheduling); scheduling needs a future date.
pub fn publication(
    previous: Option<ArticleStatus>,
    status: ArticleStatus,
    published_at: Option<NaiveDateTime>,
    published_at_sent: bool,
    now: NaiveDateTime,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDateTime> {
    if status == ArticleStatus::Archived
        && !matches!(
            previous,
            Some(ArticleStatus::Published | ArticleStatus::Scheduled | ArticleStatus::Archived)
        )
    {
        errors.push(FieldError::new(
            "status",
            "invalid_transition",
            format!(
                "only a published article can be archived (it is {})",
                previous.map(ArticleStatus::as_str).unwrap_or("new")
            ),
        ));
    }
    match status {
        ArticleStatus::Published => match published_at {
            Some(at) if at > now && published_at_sent => {
                errors.push(FieldError::new(
                    "published_at",
                    "in_future",
                    "a published article cannot be dated in the future; use status `scheduled`",
                ));
                Some(at)
            }
            Some(at) if at <= now => Some(at),
            _ => Some(now),
        },
        ArticleStatus::Scheduled => match published_at {
            Some(at) if at > now => Some(at),
            _ => {
                errors.push(FieldError::new(
                    "published_at",
                    "required_future",
                    "a scheduled article needs a `published_at` in the future",
                ));
                published_at
            }
        },
        _ => published_at,
    }
}

/// Whether a contributor may make this change: contributors write drafts
/// and submit them for review; they neither touch an article that is (or
/// will be) public nor make one so. (Who else may write is `auth::policy`.)
pub fn contributor_may(current: Option<ArticleStatus>, new: ArticleStatus) -> bool {
    current.is_none_or(ArticleStatus::is_unpublished_work) && new.is_unpublished_work()
}
