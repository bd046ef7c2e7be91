//! Reader comments: anonymous readers comment without an account, spam
//! does not get through, editors moderate, and readers' personal data is
//! protected.
//!
//! - `routes`: the HTTP surface (`/api/v1/articles/{id}/comments`,
//!   `/api/v1/comments…`), thin over `use_cases`;
//! - anti-spam, in the order a submission meets it: the `website`
//!   honeypot, the ALTCHA proof of work (`challenge`), the rate limits
//!   shared by every process (`rate_limit`), the content `rules`, the
//!   optional `captcha` score;
//! - `body`: plain text to sanitised HTML;
//! - `closing`: comments closing by age; `housekeeping`: addresses,
//!   spent challenges and rate windows forgotten;
//! - `refusal`: every reason a comment is refused, with its code and its
//!   sentence in French or English.

pub mod body;
pub mod captcha;
pub mod challenge;
pub mod closing;
pub mod housekeeping;
pub mod input;
pub mod queries;
pub mod rate_limit;
pub mod refusal;
pub mod routes;
pub mod rows;
pub mod rules;
pub mod settings;
pub mod status;
pub mod use_cases;
pub mod views;

use std::sync::Arc;

use crate::clock::Clock;
use crate::db::Db;
use crate::http::cursor::CursorKey;

/// What comment use cases run with.
#[derive(Clone)]
pub struct Comments {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<settings::CommentSettings>,
    pub challenge_key: Arc<challenge::ChallengeKey>,
    pub address_key: Arc<housekeeping::AddressKey>,
    pub cursor_key: Arc<CursorKey>,
    /// For the captcha provider's `siteverify`.
    pub http: reqwest::Client,
}

impl Comments {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        settings: settings::CommentSettings,
        secret: &[u8],
        cursor_key: Arc<CursorKey>,
    ) -> Self {
        crate::storage::s3::install_tls_provider();
        let http = reqwest::Client::builder()
            // A provider's answer is small and direct; a redirect is not it.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            db,
            clock,
            settings: Arc::new(settings),
            challenge_key: Arc::new(challenge::ChallengeKey::derive(secret)),
            address_key: Arc::new(housekeeping::AddressKey::derive(secret)),
            cursor_key,
            http,
        }
    }
}
