//! Password hashing with Argon2id at OWASP's recommended cost, and the policy
//! a password must meet. Hashing is slow by design: call it off the async
//! workers (`web::block` / `Db::read`).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::FieldError;

/// OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 1024;

fn hasher() -> Argon2<'static> {
    // The parameters are constants within argon2's accepted ranges.
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash(password: &str) -> Result<String, crate::error::ApiError> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| crate::error::ApiError::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches `stored`; a malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// True when `stored` was made with weaker settings than the current policy
/// and should be replaced at the next successful login.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return true;
    }
    match Params::try_from(&parsed) {
        Ok(p) => p.m_cost() < MEMORY_KIB || p.t_cost() < ITERATIONS || p.p_cost() < PARALLELISM,
        Err(_) => true,
    }
}

/// A hash of a random password, verified against when the email is unknown so
/// that unknown accounts take as long to refuse as wrong passwords.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&crate::auth::secret::random_token(24)).unwrap_or_default())
}

/// Passwords too common to be accepted at any length (compared after
/// `normalised`, ignoring letter case): lists of the most used passwords,
/// keeping those long enough to pass the length rule, with French ones.
const COMMON: &str = include_str!("common_passwords.txt");

/// What the length and the common-password rules look at: the password
/// with its surrounding white space removed and each run of white space
/// inside it counted once, so that twelve spaces are not twelve characters.
/// (The password itself is hashed exactly as typed.)
fn normalised(password: &str) -> String {
    password.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_common(normalised: &str) -> bool {
    let lower = normalised.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    // One character repeated ("aaaaaaaaaaaa") is as weak as any listed one.
    let repeated = first.is_some_and(|c| chars.all(|d| d == c));
    repeated || COMMON.lines().any(|line| line.trim() == lower)
}

/// Length and common-password rules; the field name is the one of the
/// request being checked.
pub fn check_policy(field: &str, password: &str) -> Result<(), FieldError> {
    let normalised = normalised(password);
    let length = normalised.chars().count();
    if length < MIN_LENGTH {
        return Err(FieldError::new(
            field,
            "too_short",
            format!("must be at least {MIN_LENGTH} characters"),
        ));
    }
    if password.chars().count() > MAX_LENGTH {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("must be at most {MAX_LENGTH} characters"),
        ));
    }
    if is_common(&normalised) {
        return Err(FieldError::new(
            field,
            "too_common",
            "is one of the most common passwords; choose another",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_meet_policy() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("wrong horse battery", &stored));
        assert!(!needs_rehash(&stored));
    }

    #[test]
    fn length_counts_after_normalisation_and_common_passwords_are_refused() {
        let code = |p: &str| check_policy("password", p).err().map(|e| e.code);
        assert_eq!(code(&" ".repeat(12)).as_deref(), Some("too_short"));
        assert_eq!(code("  court   mot  ").as_deref(), Some("too_short"));
        assert_eq!(code("Password1234").as_deref(), Some("too_common"));
        assert_eq!(code(" motdepasse123 ").as_deref(), Some("too_common"));
        assert_eq!(code("zzzzzzzzzzzzzzzz").as_deref(), Some("too_common"));
        assert_eq!(code("un mot de passe très long"), None);
        assert_eq!(code("« Élection » à Niamey 🇳🇪"), None);
    }

    #[test]
    fn weak_hashes_are_flagged_for_upgrade() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        )
        .hash_password(b"some password here")
        .unwrap()
        .to_string();
        assert!(verify("some password here", &weak));
        assert!(needs_rehash(&weak));
        assert!(needs_rehash("not a hash"));
    }
}
