//! Opaque, tamper-evident list cursors: a JSON payload and its HMAC-SHA256,
//! both base64url. The key is derived from the token signing secret, so a
//! cursor from one deployment means nothing to another and a client cannot
//! forge one to read past a filter.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde::de::DeserializeOwned;

type HmacSha256 = Hmac<sha2_10::Sha256>;

/// Why the derived key differs from the signing key: a cursor must never be
/// usable as a token signature, nor the reverse.
const CONTEXT: &[u8] = b"newsroom-cms list cursor v1";

#[derive(Clone)]
pub struct CursorKey([u8; 32]);

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey(..)")
    }
}

impl CursorKey {
    pub fn derive(secret: &[u8]) -> Self {
        Self(crate::auth::secret::derive_key(secret, CONTEXT))
    }

    fn mac(&self) -> Option<HmacSha256> {
        HmacSha256::new_from_slice(&self.0).ok()
    }

    pub fn seal<T: Serialize>(&self, payload: &T) -> Option<String> {
        let json = serde_json::to_vec(payload).ok()?;
        let mut mac = self.mac()?;
        mac.update(&json);
        let tag = mac.finalize().into_bytes();
        Some(format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&json),
            URL_SAFE_NO_PAD.encode(tag)
        ))
    }

    /// The payload of a cursor this key sealed; `None` for anything else.
    pub fn open<T: DeserializeOwned>(&self, cursor: &str) -> Option<T> {
        let (payload, tag) = cursor.split_once('.')?;
        let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let mut mac = self.mac()?;
        mac.update(&json);
        mac.verify_slice(&tag).ok()?;
        serde_json::from_slice(&json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_tamper_evident() {
        let key = CursorKey::derive(b"secret");
        let sealed = key.seal(&(1, "a")).unwrap();
        assert_eq!(
            key.open::<(i32, String)>(&sealed),
            Some((1, "a".to_owned()))
        );
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(br#"[2,"a"]"#),
            sealed.split_once('.').unwrap().1
        );
        assert_eq!(key.open::<(i32, String)>(&forged), None);
        assert_eq!(
            CursorKey::derive(b"other").open::<(i32, String)>(&sealed),
            None
        );
        assert_eq!(key.open::<(i32, String)>("garbage"), None);
    }
}
