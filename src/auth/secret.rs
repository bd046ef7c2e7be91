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

/// Letters and digits: what an application password is made of (as
/// WordPress's), easy to type on a phone.
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `len` letters and digits from the thread CSPRNG, uniformly (bytes past
/// the last multiple of 62 are drawn again).
pub fn random_alphanumeric(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        rand::fill(&mut buf[..]);
        for &b in &buf {
            if out.len() == len {
                break;
            }
            if usize::from(b) < 256 - 256 % ALPHANUMERIC.len() {
                out.push(char::from(
                    ALPHANUMERIC[usize::from(b) % ALPHANUMERIC.len()],
                ));
            }
        }
    }
    out
}

type HmacSha256 = hmac::Hmac<sha2_10::Sha256>;

/// A 32-byte key for one use, derived from the server secret: HMAC-SHA256
/// of `context` under the secret. Each use names its own context, so keys
/// never serve two purposes, and changing the secret changes them all.
pub fn derive_key(secret: &[u8], context: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    let mut key = [0u8; 32];
    // HMAC takes keys of any length; the error branch cannot happen.
    if let Ok(mut mac) = HmacSha256::new_from_slice(secret) {
        mac.update(context);
        key.copy_from_slice(&mac.finalize().into_bytes());
    }
    key
}

/// The key application passwords are hashed with: derived from the server
/// secret, so that a leaked table alone grants nothing and cannot be
/// checked offline. A keyed fast hash (not Argon2): the passwords are 143
/// bits of randomness, and editors call many methods a minute. Changing
/// the server secret invalidates every application password.
#[derive(Clone)]
pub struct ApplicationPasswordKey([u8; 32]);

impl std::fmt::Debug for ApplicationPasswordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApplicationPasswordKey(..)")
    }
}

impl ApplicationPasswordKey {
    const CONTEXT: &'static [u8] = b"cms application passwords v1";

    pub fn derive(secret: &[u8]) -> Self {
        Self(derive_key(secret, Self::CONTEXT))
    }

    /// Hex HMAC-SHA256 of a password (spaces already removed).
    pub fn digest(&self, password: &str) -> String {
        use hmac::Mac;
        match HmacSha256::new_from_slice(&self.0) {
            Ok(mut mac) => {
                mac.update(password.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }
}

/// The key editor secrets that must stay usable are sealed with (a Ghost
/// Admin API key's secret checks HMAC signatures, so it cannot be kept as a
/// hash): XChaCha20-Poly1305 with a key derived from the server secret and
/// a random nonce per secret, bound to the credential's public id so that a
/// sealed value moved to another row does not open. A leaked table alone
/// grants nothing; changing the server secret makes every sealed secret
/// unusable (the keys are then refused, and are made again).
#[derive(Clone)]
pub struct SealingKey(chacha20poly1305::Key);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

impl SealingKey {
    const CONTEXT: &'static [u8] = b"cms editor secrets sealing v1";
    const NONCE: usize = 24;

    pub fn derive(secret: &[u8]) -> Self {
        Self(derive_key(secret, Self::CONTEXT).into())
    }

    /// Hex of nonce and ciphertext.
    pub fn seal(&self, plaintext: &[u8], bound_to: &str) -> String {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let mut nonce = [0u8; Self::NONCE];
        rand::fill(&mut nonce[..]);
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(&self.0);
        let sealed = cipher
            .encrypt(
                &chacha20poly1305::XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: bound_to.as_bytes(),
                },
            )
            // Encryption fails only past 256 GiB of plaintext.
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        hex::encode(out)
    }

    /// The plaintext, or `None` when `sealed` was not made by this key
    /// for `bound_to`.
    pub fn open(&self, sealed: &str, bound_to: &str) -> Option<Vec<u8>> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let bytes = hex::decode(sealed).ok()?;
        if bytes.len() < Self::NONCE {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(Self::NONCE);
        let nonce: [u8; Self::NONCE] = nonce.try_into().ok()?;
        chacha20poly1305::XChaCha20Poly1305::new(&self.0)
            .decrypt(
                &chacha20poly1305::XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: bound_to.as_bytes(),
                },
            )
            .ok()
    }
}

/// `bytes` random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_passwords_have_the_length_and_alphabet_asked() {
        let a = random_alphanumeric(24);
        assert_eq!(a.len(), 24);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a, random_alphanumeric(24));
    }

    #[test]
    fn the_keyed_digest_depends_on_the_server_secret() {
        let one = ApplicationPasswordKey::derive(b"secret one");
        let two = ApplicationPasswordKey::derive(b"secret two");
        assert_eq!(one.digest("abc"), one.digest("abc"));
        assert_ne!(one.digest("abc"), two.digest("abc"));
        assert_ne!(one.digest("abc"), one.digest("abd"));
        assert_eq!(one.digest("abc").len(), 64);
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_id() {
        let key = SealingKey::derive(b"secret one");
        let sealed = key.seal(b"0123456789abcdef", "key-a");
        assert!(!sealed.contains("0123456789abcdef"));
        assert_ne!(sealed, key.seal(b"0123456789abcdef", "key-a"));
        assert_eq!(
            key.open(&sealed, "key-a").as_deref(),
            Some(&b"0123456789abcdef"[..])
        );
        assert_eq!(key.open(&sealed, "key-b"), None);
        assert_eq!(
            SealingKey::derive(b"secret two").open(&sealed, "key-a"),
            None
        );
        assert_eq!(key.open("zz", "key-a"), None);
        assert_eq!(key.open(&sealed[..40], "key-a"), None);
    }
}
