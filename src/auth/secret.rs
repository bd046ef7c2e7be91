//! Random secrets and how they are stored: only a SHA-256 digest of a token
//! ever reaches the database, so a leaked table grants nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// `bytes` of randomness from the thread CSPRNG, URL-safe base64 encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Hex SHA-256 of a token: tokens are long random strings, so a fast hash is
/// enough (no dictionary to attack), and lookups by hash stay indexable.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
