//! Who is calling `/ghost/api/admin/`: the account of the Admin API key
//! (Ghost's staff access token) that signed the request's token, checked
//! as `token` describes. No header is Ghost's answer for a request with
//! neither token nor session cookie (403); this service has no Ghost
//! session cookies.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::error::GhostError;
use super::token::{self, Audience};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// The caller of an authenticated Ghost Admin API request.
pub struct GhostCaller(pub Caller);

/// The audience the request's path asks for: `/ghost/api/v4/admin/…`
/// (and v2, v3, canary) its version's, anything else the unversioned one.
pub fn audience_of(path: &str) -> Audience {
    let rest = path.strip_prefix("/ghost/api/").unwrap_or_default();
    match rest.split_once('/') {
        Some((version, tail)) if version != "admin" && tail.starts_with("admin") => {
            Audience::Versioned(version.to_owned())
        }
        _ => Audience::Unversioned,
    }
}

impl FromRequest for GhostCaller {
    type Error = GhostError;
    type Future = LocalBoxFuture<'static, Result<Self, GhostError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let value = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_owned));
        let audience = audience_of(req.path());
        let client = crate::accounts::sessions::routes::client_address(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| {
                GhostError::from_api(
                    ApiError::Internal("application state missing".to_owned()),
                    super::error::Action::Read("site"),
                )
            })?;
            // A header that is not text is no `Ghost <token>`.
            let value = match value {
                None => return Err(GhostError::no_credentials()),
                Some(value) => value.unwrap_or_default(),
            };
            let raw = token::from_header(Some(&value))?;
            let decoded = token::decode(raw)?;
            let key = state
                .auth
                .ghost_admin_key(decoded.kid.clone(), client.clone())
                .await
                .map_err(|e| GhostError::from_api(e, super::error::Action::Read("site")))?
                .ok_or_else(|| {
                    GhostError::unauthorized("UNKNOWN_ADMIN_API_KEY", "Unknown Admin API Key")
                })?;
            token::verify(
                &decoded,
                &key.secret,
                &audience,
                chrono::Utc::now().timestamp(),
            )?;
            if key.stale_use {
                // A failed record of the last use does not fail the request.
                if let Err(e) = state.auth.mark_used(key.credential_id, client).await {
                    tracing::warn!(error = %e, "last use of a Ghost Admin API key not recorded");
                }
            }
            Ok(Self(key.caller))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_version_picks_the_audience() {
        assert_eq!(
            audience_of("/ghost/api/admin/posts/"),
            Audience::Unversioned
        );
        assert_eq!(
            audience_of("/ghost/api/v4/admin/posts/"),
            Audience::Versioned("v4".to_owned())
        );
        assert_eq!(
            audience_of("/ghost/api/canary/admin/site/"),
            Audience::Versioned("canary".to_owned())
        );
    }
}
