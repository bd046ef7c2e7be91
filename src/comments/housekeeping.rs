//! What comments keep only for a while, forgotten by a daily job:
//! readers' hashed addresses after `CMS_COMMENTS_IP_RETENTION_DAYS` (they
//! serve rate limits and moderators' judgement of a burst, not history),
//! spent ALTCHA solutions once their challenge has expired, and rate-limit
//! windows that have ended. Start-up enqueues the first run; each run
//! enqueues the next, a day later.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use hmac::Mac;

use super::settings::CommentSettings;
use super::{challenge, rate_limit};
use crate::db::schema::comments;
use crate::db::{Db, Tx};
use crate::error::ApiError;
use crate::jobs::{self, Job};

pub const KIND: &str = "comments.housekeeping";

/// The key readers' addresses are hashed with, derived from the server
/// secret: a stolen database does not give the addresses back by trying
/// all four billion IPv4 ones.
pub struct AddressKey([u8; 32]);

impl std::fmt::Debug for AddressKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AddressKey(..)")
    }
}

type HmacSha256 = hmac::Hmac<sha2_10::Sha256>;

impl AddressKey {
    const CONTEXT: &'static [u8] = b"cms comment addresses v1";

    pub fn derive(secret: &[u8]) -> Self {
        Self(crate::auth::secret::derive_key(secret, Self::CONTEXT))
    }

    /// The address as stored and as rate limits key it.
    pub fn hash(&self, address: &str) -> String {
        // HMAC takes keys of any length: the fallback cannot be reached.
        let mut mac = HmacSha256::new_from_slice(&self.0)
            .unwrap_or_else(|_| <HmacSha256 as hmac::digest::KeyInit>::new(&Default::default()));
        mac.update(address.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

/// Enqueues a run now, replacing one not yet started (each process starts
/// one; the first to run enqueues the next).
pub fn schedule(db: &Db, now: NaiveDateTime) -> Result<(), ApiError> {
    db.write_blocking(|tx| jobs::enqueue_replacing(tx, KIND, &(), now, now))
        .map(|_| ())
}

/// The job.
pub fn run(
    tx: &mut Tx<'_>,
    settings: &CommentSettings,
    _job: &Job,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let before = now - chrono::Duration::days(i64::from(settings.address_retention_days));
    diesel::update(
        comments::table
            .filter(comments::address_hash.is_not_null())
            .filter(comments::created_at.lt(before)),
    )
    .set(comments::address_hash.eq(None::<String>))
    .execute(tx.conn())?;
    challenge::forget_expired(tx, now)?;
    rate_limit::forget_ended(tx, settings.rate_window_seconds, now)?;
    jobs::enqueue_replacing(tx, KIND, &(), now + chrono::Duration::days(1), now)?;
    Ok(())
}
