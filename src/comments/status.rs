//! Where a comment stands: only `approved` ones are public.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommentStatus {
    /// Waiting for a moderator.
    Pending,
    /// Shown to readers.
    Approved,
    /// Marked as spam by a moderator.
    Spam,
    /// Deleted; purged by a second delete.
    Trash,
}

impl CommentStatus {
    pub const ALL: [Self; 4] = [Self::Pending, Self::Approved, Self::Spam, Self::Trash];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Spam => "spam",
            Self::Trash => "trash",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Why a comment waits for a moderator, shown to moderators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldReason {
    /// Every comment waits (`CMS_COMMENTS_MODERATE_ALL`).
    Moderation,
    /// The email has no approved comment yet.
    FirstComment,
    /// At least `CMS_COMMENTS_HOLD_LINKS` links.
    Links,
    /// A word from `CMS_COMMENTS_HOLD_WORDS`.
    HeldWords,
    /// The captcha provider could not be asked.
    CaptchaUnavailable,
}

impl HoldReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Moderation => "moderation",
            Self::FirstComment => "first_comment",
            Self::Links => "links",
            Self::HeldWords => "held_words",
            Self::CaptchaUnavailable => "captcha_unavailable",
        }
    }
}
