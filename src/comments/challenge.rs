//! The proof of work a reader's browser does before its comment is taken:
//! ALTCHA's v1 protocol, so the open-source ALTCHA widget (npm `altcha`,
//! 2.x and 3.x) and its libraries work unchanged against this server.
//!
//! A challenge is `{algorithm, challenge, maxnumber, salt, signature}`:
//! `salt` is 12 random bytes in hex, then `?expires=<unix seconds>&`;
//! `challenge` is the hex SHA-256 of `salt` followed by a secret number in
//! `0..=maxnumber`; `signature` is the hex HMAC-SHA256 of the `challenge`
//! hex text. The browser finds the number by trying them all and sends
//! back, base64 of JSON, `{algorithm, challenge, number, salt, signature}`.
//!
//! Checked beyond what ALTCHA's reference verifiers do (they accept a salt
//! without `expires` for ever, and keep no record of used solutions):
//! `expires` is required and read on the service clock; the signature is
//! compared in constant time; a solution is spent once, recorded in
//! `comment_challenges_used` keyed by its `challenge` hash (the salt is
//! not a key: with and without its trailing `&` it verifies the same), so
//! a replay is refused whichever app process receives it; and a solution
//! sent sooner than the minimum time after its challenge was issued is
//! refused (a person takes longer to write a comment).

use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use hmac::Mac;
use serde::{Deserialize, Serialize};
use sha2_10::{Digest, Sha256};
use utoipa::ToSchema;

use super::refusal::Refusal;
use crate::db::DbConnection;
use crate::db::schema::comment_challenges_used;
use crate::error::ApiError;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The only algorithm issued and accepted.
const ALGORITHM: &str = "SHA-256";
/// The longest `altcha` field read: a solution is about 300 bytes.
const MAX_PAYLOAD_BYTES: usize = 4096;

/// The key challenges are signed with, derived from the server secret.
pub struct ChallengeKey([u8; 32]);

impl std::fmt::Debug for ChallengeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChallengeKey(..)")
    }
}

impl ChallengeKey {
    const CONTEXT: &'static [u8] = b"cms comment challenges v1";

    pub fn derive(secret: &[u8]) -> Self {
        Self(crate::auth::secret::derive_key(secret, Self::CONTEXT))
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length: the fallback cannot be reached.
        HmacSha256::new_from_slice(&self.0)
            .unwrap_or_else(|_| <HmacSha256 as hmac::digest::KeyInit>::new(&Default::default()))
    }
}

/// A challenge as the ALTCHA widget reads it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Challenge {
    #[schema(example = "SHA-256")]
    pub algorithm: String,
    /// Hex SHA-256 of `salt` followed by the secret number.
    #[schema(example = "3cb435913cc01986acdb0cfdcb480fb65a5364b904c37eaa326662e7e0a09d09")]
    pub challenge: String,
    /// The secret number is at most this.
    #[schema(example = 100000)]
    pub maxnumber: u64,
    /// Random hex, then `?expires=<unix seconds>&`.
    #[schema(example = "d13524eac81d7603df8b2560?expires=1796112389&")]
    pub salt: String,
    /// Hex HMAC-SHA256 of `challenge`.
    #[schema(example = "ba9c367b709c2fd04625fbb85296e4f1f70156a39408ea6c957baa45453fbbe8")]
    pub signature: String,
}

fn hash(salt: &str, number: u64) -> String {
    let mut digest = Sha256::new();
    digest.update(salt.as_bytes());
    digest.update(number.to_string().as_bytes());
    hex::encode(digest.finalize())
}

/// A new challenge, valid for `ttl_seconds` from `now`.
pub fn issue(
    key: &ChallengeKey,
    now: NaiveDateTime,
    ttl_seconds: u64,
    max_number: u64,
) -> Challenge {
    let mut nonce = [0u8; 12];
    rand::fill(&mut nonce[..]);
    // The bias of a modulo of 64 random bits is far below what matters here.
    let number = rand::random::<u64>() % max_number.saturating_add(1);
    let expires = now.and_utc().timestamp() + i64::try_from(ttl_seconds).unwrap_or(i64::MAX / 2);
    let salt = format!("{}?expires={expires}&", hex::encode(nonce));
    let challenge = hash(&salt, number);
    let mut mac = key.mac();
    mac.update(challenge.as_bytes());
    Challenge {
        algorithm: ALGORITHM.to_owned(),
        signature: hex::encode(mac.finalize().into_bytes()),
        challenge,
        maxnumber: max_number,
        salt,
    }
}

/// The solution the widget sends (unknown fields such as `took` ignored).
#[derive(Debug, Deserialize)]
struct Solution {
    algorithm: String,
    challenge: String,
    number: u64,
    salt: String,
    signature: String,
}

/// A verified, not yet spent solution.
#[derive(Debug)]
pub struct Verified {
    challenge: String,
    /// When its challenge was issued and when it expires.
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Checks the `altcha` field: well formed, signed by us, solved, not
/// expired, and not sent sooner than `min_seconds` after issue. Spending
/// it is a separate step (`spend`), in the comment's transaction.
pub fn verify(
    key: &ChallengeKey,
    payload: &str,
    now: NaiveDateTime,
    ttl_seconds: u64,
    min_seconds: u64,
) -> Result<Verified, Refusal> {
    let failed = Refusal::ChallengeFailed;
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(failed);
    }
    let json = base64::engine::general_purpose::STANDARD
        .decode(payload.trim())
        .map_err(|_| failed)?;
    let solution: Solution = serde_json::from_slice(&json).map_err(|_| failed)?;
    if solution.algorithm != ALGORITHM {
        return Err(failed);
    }
    let expires = expires_of(&solution.salt).ok_or(failed)?;
    let expires_at = chrono::DateTime::from_timestamp(expires, 0)
        .ok_or(failed)?
        .naive_utc();
    if expires_at < now {
        return Err(Refusal::ChallengeExpired);
    }
    let signature = hex::decode(&solution.signature).map_err(|_| failed)?;
    let mut mac = key.mac();
    mac.update(solution.challenge.as_bytes());
    // Constant time: the signature is the one secret-derived value compared.
    mac.verify_slice(&signature).map_err(|_| failed)?;
    if hash(&solution.salt, solution.number) != solution.challenge {
        return Err(failed);
    }
    let issued_at = expires_at - chrono::Duration::seconds(i64::try_from(ttl_seconds).unwrap_or(0));
    if now < issued_at + chrono::Duration::seconds(i64::try_from(min_seconds).unwrap_or(0)) {
        return Err(Refusal::TooFast);
    }
    Ok(Verified {
        challenge: solution.challenge,
        issued_at,
        expires_at,
    })
}

/// `expires` of a salt we issued: required, and the salt must end with
/// the `&` we always put there.
fn expires_of(salt: &str) -> Option<i64> {
    let (_, query) = salt.split_once('?')?;
    if !salt.ends_with('&') {
        return None;
    }
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "expires")
        .and_then(|(_, v)| v.parse::<i64>().ok())
}

/// Records the solution as used, in the caller's transaction; a solution
/// already recorded (by any process) is a replay.
pub fn spend(conn: &mut DbConnection, verified: &Verified) -> Result<(), ApiError> {
    let inserted = crate::on_each_backend!(conn, |c| diesel::insert_into(
        comment_challenges_used::table
    )
    .values((
        comment_challenges_used::challenge.eq(&verified.challenge),
        comment_challenges_used::expires_at.eq(verified.expires_at),
    ))
    .on_conflict_do_nothing()
    .execute(c))?;
    if inserted == 0 {
        return Err(Refusal::ChallengeReplayed.into());
    }
    Ok(())
}

/// Forgets solutions whose challenges have expired: they cannot be sent
/// again anyway.
pub fn forget_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        comment_challenges_used::table.filter(comment_challenges_used::expires_at.lt(now)),
    )
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(s, 0).unwrap().naive_utc()
    }

    fn solve(c: &Challenge) -> u64 {
        (0..=c.maxnumber)
            .find(|n| hash(&c.salt, *n) == c.challenge)
            .unwrap()
    }

    fn payload(c: &Challenge, number: u64) -> String {
        let json = serde_json::json!({
            "algorithm": c.algorithm, "challenge": c.challenge, "number": number,
            "salt": c.salt, "signature": c.signature, "took": 12,
        });
        base64::engine::general_purpose::STANDARD.encode(json.to_string())
    }

    #[test]
    fn a_solved_challenge_verifies_once_its_minimum_time_has_passed() {
        let key = ChallengeKey::derive(b"a server secret of some length, 32+");
        let c = issue(&key, at(1_800_000_000), 600, 2_000);
        assert!(c.salt.ends_with(&format!("?expires={}&", 1_800_000_600)));
        let p = payload(&c, solve(&c));
        assert!(matches!(
            verify(&key, &p, at(1_800_000_001), 600, 3),
            Err(Refusal::TooFast)
        ));
        assert!(verify(&key, &p, at(1_800_000_010), 600, 3).is_ok());
        assert!(matches!(
            verify(&key, &p, at(1_800_000_601), 600, 3),
            Err(Refusal::ChallengeExpired)
        ));
    }

    #[test]
    fn a_wrong_number_another_key_or_a_salt_without_expiry_fail() {
        let key = ChallengeKey::derive(b"a server secret of some length, 32+");
        let other = ChallengeKey::derive(b"another server secret, 32 bytes long");
        let c = issue(&key, at(1_800_000_000), 600, 2_000);
        let n = solve(&c);
        let now = at(1_800_000_100);
        assert!(matches!(
            verify(&key, &payload(&c, n + 1), now, 600, 0),
            Err(Refusal::ChallengeFailed)
        ));
        assert!(matches!(
            verify(&other, &payload(&c, n), now, 600, 0),
            Err(Refusal::ChallengeFailed)
        ));
        // Signed by us, but never issued with an expiry: refused.
        let salt = "00112233445566778899aabb?";
        let mut forged = c.clone();
        forged.salt = salt.to_owned();
        forged.challenge = hash(salt, 5);
        let mut mac = key.mac();
        mac.update(forged.challenge.as_bytes());
        forged.signature = hex::encode(mac.finalize().into_bytes());
        assert!(matches!(
            verify(&key, &payload(&forged, 5), now, 600, 0),
            Err(Refusal::ChallengeFailed)
        ));
        for garbage in ["", "not base64!", "e30=", &"A".repeat(5000)] {
            assert!(verify(&key, garbage, now, 600, 0).is_err(), "{garbage}");
        }
    }
}
