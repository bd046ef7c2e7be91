//! Who is calling `/wp-json`: `Authorization: Basic base64(login:application
//! password)`, as WordPress 5.6+ and every REST client use it, or our own
//! bearer tokens (JWT, API tokens); no header is the public. The login is
//! the account's email. A wrong Basic pair is WordPress's 401
//! `incorrect_password` whatever was wrong (an unknown email is not told
//! apart), counted by the sign-in throttle like every other guess.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use base64::Engine;
use futures_util::future::LocalBoxFuture;

use super::error::WpError;
use crate::auth::Caller;
use crate::auth::authenticate::Credentials;
use crate::error::ApiError;
use crate::state::AppState;

/// The caller of a `/wp-json` request.
pub struct WpCaller(pub Caller);

impl WpCaller {
    pub fn signed_in(&self) -> bool {
        !matches!(self.0, Caller::Public)
    }
}

fn basic_pair(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (login, password) = text.split_once(':')?;
    Some((login.to_owned(), password.to_owned()))
}

impl FromRequest for WpCaller {
    type Error = WpError;
    type Future = LocalBoxFuture<'static, Result<Self, WpError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let value = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_owned));
        let client = crate::accounts::sessions::routes::client_address(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| {
                WpError::from(ApiError::Internal("application state missing".to_owned()))
            })?;
            let value = match value {
                None => return Ok(Self(Caller::Public)),
                Some(Ok(value)) => value,
                Some(Err(_)) => return Err(WpError::incorrect_password()),
            };
            let credentials = if let Some((email, password)) = basic_pair(&value) {
                Credentials::ApplicationPassword {
                    email,
                    password,
                    client,
                }
            } else {
                match value.trim().split_once(' ') {
                    Some((scheme, token))
                        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
                    {
                        Credentials::Bearer(token.trim().to_owned())
                    }
                    _ => return Err(WpError::incorrect_password()),
                }
            };
            let basic = matches!(credentials, Credentials::ApplicationPassword { .. });
            match state.auth.authenticate(credentials).await {
                Ok(caller) => Ok(Self(caller)),
                Err(ApiError::Unauthorized(_)) if basic => Err(WpError::incorrect_password()),
                Err(ApiError::Unauthorized(_)) => Err(WpError::new(
                    401,
                    "rest_invalid_token",
                    "The bearer token is invalid or has expired.",
                )),
                Err(other) => Err(other.into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_pairs_split_at_the_first_colon() {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode("aïcha@example.ne:abcd efgh:ij");
        assert_eq!(
            basic_pair(&format!("Basic {encoded}")),
            Some(("aïcha@example.ne".to_owned(), "abcd efgh:ij".to_owned()))
        );
        assert_eq!(basic_pair("Bearer abc"), None);
        assert_eq!(basic_pair("Basic !!!"), None);
    }
}
