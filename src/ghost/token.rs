//! The check of a Ghost Admin API token, as Ghost makes it
//! (`core/server/services/auth/api-key/admin.js` with jsonwebtoken's
//! `verify`): the same steps in the same order, the same codes and the
//! same sentences, so a client sees what a Ghost server would tell it.
//!
//! 1. `Authorization: Ghost <token>` (scheme in any case), else 401
//!    `INVALID_AUTH_HEADER`;
//! 2. the token decodes (three base64url parts, JSON header and claims),
//!    else 400 `INVALID_JWT` "Invalid token";
//! 3. the header names a `kid`, else 400 `MISSING_ADMIN_API_KID`;
//! 4. the key exists (`Authenticator::ghost_admin_key`), else 401
//!    `UNKNOWN_ADMIN_API_KEY`;
//! 5. [`verify`]: HS256 only, the HMAC with the hex-decoded secret, `nbf`,
//!    `exp`, the audience, then `iat` no older than five minutes; each a
//!    401 `INVALID_JWT` "Invalid token: <reason>".
//!
//! Two deliberate differences, both stricter: `exp` is required (Ghost's
//! SDK always sends it; a token without one would live as long as its
//! `iat` allows), and an `iat` more than five minutes ahead is refused (a
//! leaked token dated in the future would otherwise outlive `maxAge`). A
//! future `nbf` is a 401 (Ghost answers 500 there).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac;
use serde_json::Value;

use super::error::GhostError;

/// Ghost's `maxAge: '5m'`.
const MAX_AGE_SECONDS: i64 = 300;

/// The token of an `Authorization: Ghost …` header.
pub fn from_header(value: Option<&str>) -> Result<&str, GhostError> {
    let invalid = || {
        GhostError::unauthorized(
            "INVALID_AUTH_HEADER",
            "Authorization header format is \"Authorization: Ghost [token]\"",
        )
    };
    let value = value.ok_or_else(invalid)?;
    // Ghost splits on one space: `Ghost  x` has an empty token.
    let mut parts = value.split(' ');
    let (Some(scheme), Some(token)) = (parts.next(), parts.next()) else {
        return Err(invalid());
    };
    if !scheme.eq_ignore_ascii_case("ghost") || token.is_empty() {
        return Err(invalid());
    }
    Ok(token)
}

/// A decoded token, not yet trusted.
#[derive(Debug)]
pub struct Decoded<'a> {
    pub kid: String,
    alg: Option<String>,
    claims: serde_json::Map<String, Value>,
    signed: &'a str,
    signature: &'a str,
}

fn malformed() -> GhostError {
    GhostError::bad_request("INVALID_JWT", "Invalid token")
}

fn json_part(part: &str) -> Option<serde_json::Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Steps 2 and 3: the header and claims, and the key id.
pub fn decode(token: &str) -> Result<Decoded<'_>, GhostError> {
    let mut parts = token.split('.');
    let (Some(header), Some(claims_part), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let header_map = json_part(header).ok_or_else(malformed)?;
    let claims = json_part(claims_part).ok_or_else(malformed)?;
    let kid = match header_map.get("kid") {
        Some(Value::String(kid)) if !kid.is_empty() => Some(kid.clone()),
        _ => None,
    };
    let Some(kid) = kid else {
        return Err(GhostError::bad_request(
            "MISSING_ADMIN_API_KID",
            "Admin API kid missing.",
        ));
    };
    Ok(Decoded {
        kid,
        alg: header_map
            .get("alg")
            .and_then(Value::as_str)
            .map(str::to_owned),
        claims,
        signed: &token[..header.len() + 1 + claims_part.len()],
        signature,
    })
}

/// The audience a path accepts: `/ghost/api/admin/…` any `…/admin/`;
/// `/ghost/api/v4/admin/…` (and v2, v3, canary) that version's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    Unversioned,
    Versioned(String),
}

impl Audience {
    fn accepts(&self, aud: &str) -> bool {
        let aud = aud.strip_suffix('/').unwrap_or(aud);
        let tail = match self {
            Self::Unversioned => "admin".to_owned(),
            Self::Versioned(version) => format!("{version}/admin"),
        };
        // Ghost's pattern is unanchored at the start (`/?admin/?$`), so
        // `superadmin` would pass there; here what precedes is a path.
        aud.strip_suffix(&tail)
            .is_some_and(|before| before.is_empty() || before.ends_with('/'))
    }

    /// As Ghost prints its pattern in the refusal.
    fn pattern(&self) -> String {
        match self {
            Self::Unversioned => "/\\/?admin\\/?$/".to_owned(),
            Self::Versioned(version) => format!("/\\/?{version}\\/admin\\/?$/"),
        }
    }
}

fn invalid(reason: &str) -> GhostError {
    GhostError::unauthorized("INVALID_JWT", format!("Invalid token: {reason}"))
}

fn seconds(claims: &serde_json::Map<String, Value>, name: &str) -> Option<Result<i64, ()>> {
    claims.get(name).map(|v| {
        v.as_i64()
            .or_else(|| v.as_f64().map(|f| f.floor() as i64))
            .ok_or(())
    })
}

/// Step 5, with `secret` the key's 32 raw bytes and `now` in Unix seconds.
pub fn verify(
    decoded: &Decoded<'_>,
    secret: &[u8],
    audience: &Audience,
    now: i64,
) -> Result<(), GhostError> {
    match decoded.alg.as_deref() {
        Some("HS256") => {}
        Some("none") if decoded.signature.is_empty() => {
            return Err(invalid("jwt signature is required"));
        }
        _ => return Err(invalid("invalid algorithm")),
    }
    let signature = URL_SAFE_NO_PAD
        .decode(decoded.signature)
        .map_err(|_| invalid("invalid signature"))?;
    let mut mac = hmac::Hmac::<sha2_10::Sha256>::new_from_slice(secret)
        .map_err(|_| invalid("invalid signature"))?;
    mac.update(decoded.signed.as_bytes());
    // Constant time: the comparison tells nothing of the right bytes.
    mac.verify_slice(&signature)
        .map_err(|_| invalid("invalid signature"))?;
    let claims = &decoded.claims;
    match seconds(claims, "nbf") {
        Some(Ok(nbf)) if now < nbf => return Err(invalid("jwt not active")),
        Some(Err(())) => return Err(invalid("invalid nbf value")),
        _ => {}
    }
    match seconds(claims, "exp") {
        None => return Err(invalid("exp required")),
        Some(Err(())) => return Err(invalid("invalid exp value")),
        Some(Ok(exp)) if now >= exp => return Err(invalid("jwt expired")),
        Some(Ok(_)) => {}
    }
    let accepted = match claims.get("aud") {
        Some(Value::String(aud)) => audience.accepts(aud),
        Some(Value::Array(auds)) => auds
            .iter()
            .any(|a| a.as_str().is_some_and(|a| audience.accepts(a))),
        _ => false,
    };
    if !accepted {
        return Err(invalid(&format!(
            "jwt audience invalid. expected: {}",
            audience.pattern()
        )));
    }
    match seconds(claims, "iat") {
        None => Err(invalid("iat required when maxAge is specified")),
        Some(Err(())) => Err(invalid("iat required when maxAge is specified")),
        Some(Ok(iat)) if now >= iat + MAX_AGE_SECONDS => Err(invalid("maxAge exceeded")),
        Some(Ok(iat)) if iat > now + MAX_AGE_SECONDS => Err(invalid("jwt issued in the future")),
        Some(Ok(_)) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: [u8; 32] = [7; 32];
    const NOW: i64 = 1_796_100_200;

    fn sign(header: Value, claims: Value, secret: &[u8]) -> String {
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut mac = hmac::Hmac::<sha2_10::Sha256>::new_from_slice(secret).unwrap();
        mac.update(signed.as_bytes());
        format!(
            "{signed}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    fn header() -> Value {
        json!({"alg": "HS256", "typ": "JWT", "kid": "0123456789abcdef01234567"})
    }

    fn claims() -> Value {
        json!({"iat": NOW, "exp": NOW + 300, "aud": "/admin/"})
    }

    fn check(token: &str, audience: &Audience) -> Result<(), (u16, String)> {
        let decoded = decode(token).map_err(|e| (e.status.as_u16(), e.message.clone()))?;
        verify(&decoded, &SECRET, audience, NOW).map_err(|e| (e.status.as_u16(), e.message.clone()))
    }

    fn refusal(token: &str) -> String {
        check(token, &Audience::Unversioned).unwrap_err().1
    }

    #[test]
    fn the_sdks_token_passes() {
        let token = sign(header(), claims(), &SECRET);
        assert_eq!(check(&token, &Audience::Unversioned), Ok(()));
        assert_eq!(decode(&token).unwrap().kid, "0123456789abcdef01234567");
    }

    #[test]
    fn headers_are_read_as_ghost_splits_them() {
        assert_eq!(from_header(Some("Ghost abc")).unwrap(), "abc");
        assert_eq!(from_header(Some("ghost abc")).unwrap(), "abc");
        for bad in [None, Some("Ghost"), Some("Ghost  abc"), Some("Bearer abc")] {
            let e = from_header(bad).unwrap_err();
            assert_eq!(
                (e.status.as_u16(), e.code),
                (401, Some("INVALID_AUTH_HEADER"))
            );
        }
    }

    #[test]
    fn malformed_tokens_and_missing_kids_are_400() {
        for bad in ["invalid", "abc.def", "aaa.bbb.ccc", "a.b.c.d"] {
            let e = decode(bad).unwrap_err();
            assert_eq!(
                (e.status.as_u16(), e.code),
                (400, Some("INVALID_JWT")),
                "{bad}"
            );
            assert_eq!(e.message, "Invalid token");
        }
        let e = decode(&sign(json!({"alg": "HS256"}), claims(), &SECRET)).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code, e.message.as_str()),
            (400, Some("MISSING_ADMIN_API_KID"), "Admin API kid missing.")
        );
    }

    #[test]
    fn forged_and_stale_tokens_get_ghosts_reasons() {
        assert_eq!(
            refusal(&sign(header(), claims(), &[8; 32])),
            "Invalid token: invalid signature"
        );
        // The secret as ASCII hex is not the key: Ghost signs with the bytes.
        assert_eq!(
            refusal(&sign(header(), claims(), hex::encode(SECRET).as_bytes())),
            "Invalid token: invalid signature"
        );
        let mut h = header();
        h["alg"] = json!("none");
        let unsigned = sign(h.clone(), claims(), &SECRET);
        let unsigned = &unsigned[..=unsigned.rfind('.').unwrap()];
        assert_eq!(
            refusal(unsigned),
            "Invalid token: jwt signature is required"
        );
        h["alg"] = json!("HS512");
        assert_eq!(
            refusal(&sign(h, claims(), &SECRET)),
            "Invalid token: invalid algorithm"
        );
        let at = |iat: i64, exp: Option<i64>, aud: Value| {
            let mut c = json!({"iat": iat, "aud": aud});
            if let Some(exp) = exp {
                c["exp"] = json!(exp);
            }
            sign(header(), c, &SECRET)
        };
        assert_eq!(
            refusal(&at(NOW - 600, Some(NOW + 60), json!("/admin/"))),
            "Invalid token: maxAge exceeded"
        );
        assert_eq!(
            refusal(&at(NOW - 600, Some(NOW - 300), json!("/admin/"))),
            "Invalid token: jwt expired"
        );
        assert_eq!(
            refusal(&at(NOW - 300, Some(NOW), json!("/admin/"))),
            "Invalid token: jwt expired"
        );
        assert_eq!(
            refusal(&at(NOW, None, json!("/admin/"))),
            "Invalid token: exp required"
        );
        assert_eq!(
            refusal(&at(NOW + 3600, Some(NOW + 3900), json!("/admin/"))),
            "Invalid token: jwt issued in the future"
        );
        for aud in [
            json!("/content/"),
            json!("/admin/posts/"),
            json!("superadmin"),
        ] {
            assert_eq!(
                refusal(&at(NOW, Some(NOW + 300), aud)),
                "Invalid token: jwt audience invalid. expected: /\\/?admin\\/?$/"
            );
        }
        let no_aud = sign(header(), json!({"iat": NOW, "exp": NOW + 300}), &SECRET);
        assert!(refusal(&no_aud).contains("audience invalid"));
        let mut c = claims();
        c["nbf"] = json!(NOW + 60);
        assert_eq!(
            refusal(&sign(header(), c, &SECRET)),
            "Invalid token: jwt not active"
        );
        // Every refusal past decoding is a 401.
        assert_eq!(
            check(&sign(header(), claims(), &[8; 32]), &Audience::Unversioned)
                .unwrap_err()
                .0,
            401
        );
    }

    #[test]
    fn audiences_follow_the_path_version() {
        let token = |aud: Value| {
            sign(
                header(),
                json!({"iat": NOW, "exp": NOW + 300, "aud": aud}),
                &SECRET,
            )
        };
        let v4 = Audience::Versioned("v4".to_owned());
        for aud in ["/admin/", "admin", "/admin", "v4/admin/", "/v5/admin/"] {
            assert_eq!(
                check(&token(json!(aud)), &Audience::Unversioned),
                Ok(()),
                "{aud}"
            );
        }
        assert_eq!(
            check(&token(json!(["/x/", "/admin/"])), &Audience::Unversioned),
            Ok(())
        );
        assert_eq!(check(&token(json!("/v4/admin/")), &v4), Ok(()));
        assert_eq!(
            check(&token(json!("/admin/")), &v4).unwrap_err().1,
            "Invalid token: jwt audience invalid. expected: /\\/?v4\\/admin\\/?$/"
        );
    }
}
