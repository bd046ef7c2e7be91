//! The life of an article: draft → review → scheduled/published → archived.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
