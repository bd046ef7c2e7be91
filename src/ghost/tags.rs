//! `GET /ghost/api/admin/tags/`: the names a writing app offers in its tag
//! picker. Ghost has only tags; here a post has one category and tags, so
//! the list gives the categories first (ids `category-{id}`), then the
//! tags (ids are the tag's id), and a post naming a category's slug or
//! name among its tags is filed in that category (`posts::Terms`). A tag
//! whose slug is a category's is not listed: naming it files the post in
//! the category. Tags whose name starts with `#` are Ghost's internal
//! tags: `visibility` says so, and the public API does not show them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::caller::GhostCaller;
use super::error::{Action, GhostError};
use super::shape::{self, Limit, Page, Query, Site};
use crate::content::categories::views::CategoryView;
use crate::content::tags::views::{TagView, is_internal};
use crate::state::AppState;

const BROWSE: Action = Action::Browse("tags");

/// The id a category has among Ghost tags.
pub fn category_tag_id(id: i64) -> String {
    format!("category-{id}")
}

pub fn category_json(site: &Site, c: &CategoryView) -> Value {
    json!({
        "id": category_tag_id(c.id),
        "name": c.name,
        "slug": c.slug,
        "description": c.description,
        "feature_image": null,
        "visibility": "public",
        "og_image": null, "og_title": null, "og_description": null,
        "twitter_image": null, "twitter_title": null, "twitter_description": null,
        "meta_title": null, "meta_description": null,
        "codeinjection_head": null, "codeinjection_foot": null,
        "canonical_url": null, "accent_color": null,
        "created_at": shape::date(c.created_at),
        "updated_at": shape::date(c.updated_at),
        "url": format!("{}/category/{}/", site.home, c.slug),
    })
}

pub fn tag_json(site: &Site, t: &TagView) -> Value {
    json!({
        "id": t.id.to_string(),
        "name": t.name,
        "slug": t.slug,
        "description": t.description,
        "feature_image": null,
        "visibility": if is_internal(&t.name) { "internal" } else { "public" },
        "og_image": null, "og_title": null, "og_description": null,
        "twitter_image": null, "twitter_title": null, "twitter_description": null,
        "meta_title": null, "meta_description": null,
        "codeinjection_head": null, "codeinjection_foot": null,
        "canonical_url": null, "accent_color": null,
        "created_at": shape::date(t.created_at),
        "updated_at": shape::date(t.updated_at),
        "url": format!("{}/tag/{}/", site.home, t.slug),
    })
}

pub async fn browse(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: GhostCaller,
) -> Result<HttpResponse, GhostError> {
    let query = Query::of(&req);
    let page = Page::parse(&query, BROWSE)?;
    let site = Site::load(&req, &state, BROWSE).await?;
    let categories = crate::content::categories::use_cases::list(&state.content, None)
        .await
        .map_err(|e| GhostError::from_api(e, BROWSE))?;
    let tags = crate::content::tags::use_cases::all(&state.content, true)
        .await
        .map_err(|e| GhostError::from_api(e, BROWSE))?;
    let mut items: Vec<Value> = categories.iter().map(|c| category_json(&site, c)).collect();
    items.extend(
        tags.iter()
            .filter(|t| !categories.iter().any(|c| c.slug == t.slug))
            .map(|t| tag_json(&site, t)),
    );
    let total = items.len() as i64;
    let items: Vec<Value> = match page.limit {
        Limit::All => items,
        Limit::Some(n) => items
            .into_iter()
            .skip((page.page as usize - 1).saturating_mul(n as usize))
            .take(n as usize)
            .collect(),
    };
    Ok(shape::json(
        StatusCode::OK,
        &json!({ "tags": items, "meta": page.meta(total) }),
    ))
}
