//! Who is calling: the identity the policy decides on, and the extractor
//! that reads `Authorization: Bearer ...` and hands it to
//! `auth::authenticate` (checked against the database on every request,
//! so a deactivated or deleted account stops working at once).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::auth::{Role, Scope};
use crate::error::ApiError;
use crate::state::AppState;

/// API tokens start with this, so they are told apart from JWTs at a glance
/// (and by secret scanners).
pub const API_TOKEN_PREFIX: &str = "cms_";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user_id: i64,
    pub role: Role,
    /// The byline this account writes under; ownership of articles follows it.
    pub author_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenCaller {
    pub token_id: i64,
    pub scopes: Vec<Scope>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No credentials: the public.
    Public,
    Account(Account),
    ApiToken(ApiTokenCaller),
}

impl Caller {
    /// 401 for the public; the identity otherwise.
    pub fn require_authenticated(&self) -> Result<(), ApiError> {
        match self {
            Self::Public => Err(unauthorized()),
            _ => Ok(()),
        }
    }

    pub fn account(&self) -> Option<&Account> {
        match self {
            Self::Account(a) => Some(a),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.account().map(|a| a.user_id)
    }

    pub fn has_scope(&self, scope: Scope) -> bool {
        matches!(self, Self::ApiToken(t) if t.scopes.contains(&scope))
    }
}

pub fn unauthorized() -> ApiError {
    ApiError::Unauthorized("missing, invalid or expired credentials".to_owned())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header_value = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_owned));
        Box::pin(async move {
            let Some(state) = state else {
                return Err(ApiError::Internal("application state missing".to_owned()));
            };
            let token = match header_value {
                None => return Ok(Caller::Public),
                Some(Err(_)) => return Err(unauthorized()),
                Some(Ok(value)) => bearer_token(&value).ok_or_else(unauthorized)?,
            };
            state
                .auth
                .authenticate(crate::auth::authenticate::Credentials::Bearer(token))
                .await
        })
    }
}

fn bearer_token(value: &str) -> Option<String> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}
