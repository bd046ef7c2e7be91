//! IndieAuth server metadata (`/.well-known/oauth-authorization-server`,
//! advertised as `rel="indieauth-metadata"` on the home page): where to
//! authorize and where to exchange codes, PKCE S256 only, the Micropub
//! scopes.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::accounts::application_passwords::input::MICROPUB_SCOPES;
use crate::state::AppState;

pub const PATH: &str = "/.well-known/oauth-authorization-server";

/// The issuer, and the `me` every approval grants: this service's root.
/// One newsroom is one site; the token says which account acts.
pub fn issuer(req: &HttpRequest, state: &AppState) -> String {
    format!(
        "{}/",
        crate::http::origin::request_origin(req, &state.config)
    )
}

pub async fn document(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let issuer = issuer(&req, &state);
    let origin = issuer.trim_end_matches('/');
    HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=300",
        ))
        .json(json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{origin}{}", super::authorize::PATH),
            "token_endpoint": format!("{origin}{}", super::token::PATH),
            "code_challenge_methods_supported": ["S256"],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "scopes_supported": MICROPUB_SCOPES,
            "authorization_response_iss_parameter_supported": true,
            "service_documentation": format!("{origin}/docs/"),
        }))
}
