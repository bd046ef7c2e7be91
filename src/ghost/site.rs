//! `GET /ghost/api/admin/site/`: public on Ghost (writing apps read it
//! before signing in, to show the site's name), so here too.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::error::{Action, GhostError};
use super::shape::{self, GHOST_VERSION, Site};
use crate::state::AppState;

pub async fn read(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, GhostError> {
    let site = Site::load(&req, &state, Action::Read("site")).await?;
    Ok(shape::json(
        StatusCode::OK,
        &json!({ "site": {
            "title": site.title,
            "description": site.description,
            "logo": null,
            "icon": null,
            "cover_image": null,
            "accent_color": null,
            "locale": site.language,
            "url": format!("{}/", site.home),
            "version": GHOST_VERSION,
            "allow_external_signup": false,
        }}),
    ))
}
