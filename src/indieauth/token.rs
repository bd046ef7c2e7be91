//! `POST /indieauth/token`: IndieAuth's token endpoint. An app exchanges
//! the code the authorization page gave it, with its PKCE verifier, for a
//! Micropub token: an editor credential of kind `micropub_token` named
//! after the app (`client_id`), with the scopes approved, listed and
//! revocable with the account's other credentials. Errors are OAuth 2.0's
//! (`invalid_request`, `invalid_grant`, `unsupported_grant_type`).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::codes::{self, CodeRow};
use crate::accounts::application_passwords::input::{CredentialKind, NewCredential};
use crate::auth::secret;
use crate::state::AppState;

pub const PATH: &str = "/indieauth/token";

/// An OAuth 2.0 error answer.
#[derive(Debug, Clone)]
pub struct TokenError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
}

impl TokenError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
        }
    }

    pub fn response(&self) -> HttpResponse {
        json(
            self.status,
            &json!({ "error": self.error, "error_description": self.description }),
        )
    }
}

impl From<crate::error::ApiError> for TokenError {
    fn from(error: crate::error::ApiError) -> Self {
        use actix_web::ResponseError;
        if let crate::error::ApiError::Internal(detail) = &error {
            tracing::error!(%detail, "indieauth token exchange failed");
        }
        Self {
            status: error.status_code(),
            error: "server_error",
            description: "the server failed; try again".to_owned(),
        }
    }
}

/// A JSON answer nobody caches (RFC 6749 5.1).
pub fn json(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(body)
}

/// A PKCE verifier (RFC 7636): 43 to 128 unreserved characters.
fn verifier_is_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// `BASE64URL(SHA256(verifier)) == challenge`.
fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

/// The approval a code stands for, checked (the code is spent whatever
/// the outcome), and the `me` it grants.
pub async fn redeem(
    req: &HttpRequest,
    state: &AppState,
    pairs: &[(String, String)],
) -> Result<(CodeRow, String), TokenError> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    match get("grant_type").as_deref() {
        Some("authorization_code") => {}
        Some(other) => {
            return Err(TokenError::new(
                "unsupported_grant_type",
                format!("`{other}` is not a grant type here (authorization_code)"),
            ));
        }
        None => return Err(TokenError::new("invalid_request", "grant_type is required")),
    }
    let required = |name: &'static str| {
        get(name).ok_or_else(|| TokenError::new("invalid_request", format!("{name} is required")))
    };
    let code = required("code")?;
    let client_id = required("client_id")?;
    let redirect_uri = required("redirect_uri")?;
    let verifier = required("code_verifier")?;
    let code_hash = secret::token_digest(&code);
    let row = state
        .db
        .write(move |tx| Ok(codes::take(tx, &code_hash)?))
        .await?;
    let refused = || {
        TokenError::new(
            "invalid_grant",
            "the code is unknown, used, expired or not this app's",
        )
    };
    let row = row.ok_or_else(refused)?;
    if row.expires_at <= crate::timestamp::now()
        || row.client_id != client_id
        || row.redirect_uri != redirect_uri
    {
        return Err(refused());
    }
    if !verifier_is_well_formed(&verifier) || !pkce_matches(&verifier, &row.code_challenge) {
        return Err(TokenError::new(
            "invalid_grant",
            "the code_verifier does not match the code_challenge",
        ));
    }
    Ok((row, super::metadata::issuer(req, state)))
}

/// `POST`: the code for a token.
pub async fn exchange(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let (row, me) = match redeem(&req, &state, &pairs).await {
        Ok(found) => found,
        Err(e) => return e.response(),
    };
    let keys = state.auth.clone();
    let name: String = row.client_id.chars().take(100).collect();
    let credential = NewCredential {
        name,
        kind: CredentialKind::MicropubToken,
        scopes: Some(row.scope.clone()),
    };
    let user_id = row.user_id;
    let created = state
        .db
        .write(move |tx| {
            crate::accounts::application_passwords::use_cases::insert(
                tx,
                &keys,
                user_id,
                &credential,
            )
        })
        .await;
    match created {
        Ok(created) => json(
            StatusCode::OK,
            &json!({
                "access_token": created.password,
                "token_type": "Bearer",
                "scope": row.scope,
                "me": me,
            }),
        ),
        Err(e) => TokenError::from(e).response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_is_rfc_7636s_s256() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(verifier_is_well_formed(verifier));
        assert!(pkce_matches(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_matches(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"
        ));
        assert!(!verifier_is_well_formed("court"));
        assert!(!verifier_is_well_formed(&"a ".repeat(30)));
    }
}
