//! `/wp/v2/categories` and `/wp/v2/tags`: the category tree and the tags
//! as WordPress terms, with `count` (published articles carrying each, as
//! WordPress counts). Writes are the `/api/v1` use cases, so the same
//! roles decide: editors manage categories; authors create tags as they
//! write, editors rename and delete them.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use serde_json::{Value, json};

use super::caller::WpCaller;
use super::error::WpError;
use super::params::Params;
use super::shape::{self, Site, curies, embeddable, link};
use crate::content::Precondition;
use crate::content::categories::input::{CategoryCreate, CategoryPatch};
use crate::content::categories::views::CategoryView;
use crate::content::lookup::IdOrSlug;
use crate::content::patch::Patch;
use crate::content::tags::input::{TagCreate, TagPatch};
use crate::content::tags::views::TagView;
use crate::content::text::fold_for_search;
use crate::db::schema::{article_tags, articles};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taxonomy {
    Category,
    Tag,
}

impl Taxonomy {
    fn slug(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Tag => "post_tag",
        }
    }

    pub fn rest_base(self) -> &'static str {
        match self {
            Self::Category => "categories",
            Self::Tag => "tags",
        }
    }
}

/// One term, whichever taxonomy: what the WordPress shape needs.
#[derive(Debug, Clone)]
pub struct Term {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub parent: i64,
}

impl From<&CategoryView> for Term {
    fn from(c: &CategoryView) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            slug: c.slug.clone(),
            description: c.description.clone().unwrap_or_default(),
            parent: c.parent_id.unwrap_or(0),
        }
    }
}

impl From<&TagView> for Term {
    fn from(t: &TagView) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            slug: t.slug.clone(),
            description: t.description.clone().unwrap_or_default(),
            parent: 0,
        }
    }
}

/// A term as WordPress shows it (`embed` keeps id, link, name, slug,
/// taxonomy and links).
pub fn term_json(site: &Site, taxonomy: Taxonomy, term: &Term, count: i64, embed: bool) -> Value {
    let base = taxonomy.rest_base();
    let path = match taxonomy {
        Taxonomy::Category => "category",
        Taxonomy::Tag => "tag",
    };
    let mut links = json!({
        "self": link(site.route(&format!("{base}/{}", term.id))),
        "collection": link(site.route(base)),
        "about": link(site.route(&format!("taxonomies/{}", taxonomy.slug()))),
        "wp:post_type": link(site.route(&format!("posts?{base}={}", term.id))),
        "curies": curies(),
    });
    if term.parent != 0 {
        links["up"] = embeddable(site.route(&format!("{base}/{}", term.parent)));
    }
    let mut value = json!({
        "id": term.id,
        "link": format!("{}/{path}/{}/", site.home, term.slug),
        "name": term.name,
        "slug": term.slug,
        "taxonomy": taxonomy.slug(),
        "_links": links,
    });
    if !embed {
        value["count"] = json!(count);
        value["description"] = json!(term.description);
        value["meta"] = json!([]);
        if taxonomy == Taxonomy::Category {
            value["parent"] = json!(term.parent);
        }
    }
    value
}

/// Published articles per category and per tag, as WordPress's `count`.
pub async fn counts(state: &AppState, taxonomy: Taxonomy) -> Result<HashMap<i64, i64>, WpError> {
    let now = state.content.clock.now();
    let pairs = state
        .db
        .read(move |conn| {
            let public = crate::content::articles::queries::public_now(now);
            let pairs: Vec<(i64, i64)> = match taxonomy {
                Taxonomy::Category => articles::table
                    .filter(public)
                    .group_by(articles::category_id)
                    .select((articles::category_id, diesel::dsl::count_star()))
                    .load(conn)?,
                Taxonomy::Tag => article_tags::table
                    .inner_join(articles::table)
                    .filter(public)
                    .group_by(article_tags::tag_id)
                    .select((article_tags::tag_id, diesel::dsl::count_star()))
                    .load(conn)?,
            };
            Ok(pairs)
        })
        .await?;
    Ok(pairs.into_iter().collect())
}

/// Every term of `taxonomy`; internal tags only `with_internal` (for a
/// signed-in caller).
pub async fn all_terms(
    state: &AppState,
    taxonomy: Taxonomy,
    with_internal: bool,
) -> Result<Vec<Term>, WpError> {
    Ok(match taxonomy {
        Taxonomy::Category => crate::content::categories::use_cases::list(&state.content, None)
            .await?
            .iter()
            .map(Term::from)
            .collect(),
        Taxonomy::Tag => crate::content::tags::use_cases::all(&state.content, with_internal)
            .await?
            .iter()
            .map(Term::from)
            .collect(),
    })
}

/// The terms of one post (`?post=`): its category, or its tags.
async fn post_terms(
    state: &AppState,
    caller: &WpCaller,
    taxonomy: Taxonomy,
    post: i64,
) -> Result<Vec<i64>, WpError> {
    let views =
        crate::content::articles::use_cases::by_ids(&state.content, &caller.0, vec![post]).await?;
    let view = views.first().ok_or_else(WpError::invalid_post_id)?;
    Ok(match taxonomy {
        Taxonomy::Category => view.category.iter().map(|c| c.id).collect(),
        Taxonomy::Tag => view.tags.iter().map(|t| t.id).collect(),
    })
}

/// `GET /wp/v2/{categories|tags}`: `search`, `slug`, `include`, `exclude`,
/// `parent`, `post`, `hide_empty`, `orderby` (name, id, slug, count,
/// include, description), `order`; every term is read and filtered here
/// (a newsroom has hundreds of terms, not millions).
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    taxonomy: Taxonomy,
) -> Result<HttpResponse, WpError> {
    let params = Params::from_query(req.query_string());
    let site = super::site::load(&req, &state).await?;
    params.page()?;
    params.context(super::params::Context::View)?;
    let descending = params.descending(false)?;
    let orderby = params.one_of(
        "orderby",
        &[
            "id",
            "include",
            "name",
            "slug",
            "include_slugs",
            "term_group",
            "description",
            "count",
        ],
        "name",
    )?;
    let search = params.text("search")?.map(|s| fold_for_search(&s));
    let include = params.ids("include")?;
    let exclude = params.ids("exclude")?.unwrap_or_default();
    let slugs = params.texts("slug")?;
    let parent = if taxonomy == Taxonomy::Category {
        params.int("parent")?
    } else {
        None
    };
    let hide_empty = params.bool("hide_empty")?.unwrap_or(false);
    let of_post = match params.int("post")? {
        Some(post) => Some(post_terms(&state, &caller, taxonomy, post).await?),
        None => None,
    };
    let counts = counts(&state, taxonomy).await?;
    let count = |t: &Term| counts.get(&t.id).copied().unwrap_or(0);
    let mut kept: Vec<Term> = all_terms(&state, taxonomy, caller.signed_in())
        .await?
        .into_iter()
        .filter(|t| include.as_ref().is_none_or(|ids| ids.contains(&t.id)))
        .filter(|t| !exclude.contains(&t.id))
        .filter(|t| slugs.as_ref().is_none_or(|s| s.contains(&t.slug)))
        .filter(|t| parent.is_none_or(|p| t.parent == p))
        .filter(|t| of_post.as_ref().is_none_or(|ids| ids.contains(&t.id)))
        .filter(|t| !hide_empty || count(t) > 0)
        .filter(|t| {
            search.as_ref().is_none_or(|q| {
                fold_for_search(&t.name).contains(q.as_str()) || t.slug.contains(q.as_str())
            })
        })
        .collect();
    match orderby {
        "id" => kept.sort_by_key(|t| t.id),
        "slug" => kept.sort_by(|a, b| a.slug.cmp(&b.slug)),
        "count" => kept.sort_by_key(|t| (count(t), t.id)),
        "description" => kept.sort_by(|a, b| a.description.cmp(&b.description)),
        "include" => {
            let order = include.clone().unwrap_or_default();
            kept.sort_by_key(|t| order.iter().position(|id| *id == t.id));
        }
        _ => kept.sort_by(|a, b| {
            fold_for_search(&a.name)
                .cmp(&fold_for_search(&b.name))
                .then(a.id.cmp(&b.id))
        }),
    }
    if descending {
        kept.reverse();
    }
    shape::page_in_memory(
        &kept,
        |t| term_json(&site, taxonomy, t, count(t), false),
        &params,
        &site.route(taxonomy.rest_base()),
        req.query_string(),
        "rest_term_invalid_page_number",
    )
}

/// A term by id; an internal tag only `with_internal` (signed-in callers).
async fn one(
    state: &AppState,
    taxonomy: Taxonomy,
    id: i64,
    with_internal: bool,
) -> Result<Term, WpError> {
    let found = match taxonomy {
        Taxonomy::Category => {
            crate::content::categories::use_cases::get(&state.content, IdOrSlug::Id(id))
                .await
                .map(|c| Term::from(&c))
        }
        Taxonomy::Tag => {
            crate::content::tags::use_cases::get(&state.content, IdOrSlug::Id(id), with_internal)
                .await
                .map(|t| Term::from(&t))
        }
    };
    found.map_err(|e| match e {
        ApiError::NotFound(_) => WpError::invalid_term_id(),
        other => other.into(),
    })
}

fn term_id(raw: &str) -> Result<i64, WpError> {
    raw.parse().map_err(|_| WpError::invalid_term_id())
}

async fn respond(
    req: &HttpRequest,
    state: &AppState,
    taxonomy: Taxonomy,
    term: &Term,
    status: StatusCode,
    params: &Params,
) -> Result<HttpResponse, WpError> {
    let site = super::site::load(req, state).await?;
    let count = counts(state, taxonomy)
        .await?
        .get(&term.id)
        .copied()
        .unwrap_or(0);
    let value = shape::shaped(term_json(&site, taxonomy, term, count, false), params);
    Ok(if status == StatusCode::CREATED {
        shape::created(
            &value,
            &site.route(&format!("{}/{}", taxonomy.rest_base(), term.id)),
        )
    } else {
        shape::json(status, &value)
    })
}

/// `GET /wp/v2/{categories|tags}/{id}`.
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    id: String,
    taxonomy: Taxonomy,
) -> Result<HttpResponse, WpError> {
    let params = Params::from_query(req.query_string());
    let term = one(&state, taxonomy, term_id(&id)?, caller.signed_in()).await?;
    respond(&req, &state, taxonomy, &term, StatusCode::OK, &params).await
}

fn write_error(error: ApiError, signed_in: bool, code: &'static str, message: &str) -> WpError {
    match error {
        ApiError::Forbidden(_) | ApiError::Unauthorized(_) => {
            WpError::refused(signed_in, code, message)
        }
        ApiError::Conflict { .. } => WpError::new(
            400,
            "term_exists",
            "A term with the name provided already exists with this parent.",
        ),
        ApiError::NotFound(_) => WpError::invalid_term_id(),
        other => other.into(),
    }
}

/// `POST /wp/v2/{categories|tags}`: `name` (required), `slug`,
/// `description`, `parent`.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    params: Params,
    taxonomy: Taxonomy,
) -> Result<HttpResponse, WpError> {
    let refused = "Sorry, you are not allowed to create terms in this taxonomy.";
    if !caller.signed_in() {
        return Err(WpError::refused(false, "rest_cannot_create", refused));
    }
    let Some(name) = params.text("name")? else {
        return Err(WpError {
            code: "rest_missing_callback_param",
            message: "Missing parameter(s): name".to_owned(),
            ..WpError::invalid_param("name", "name is a required property of term.")
        });
    };
    let slug = params.text("slug")?.filter(|s| !s.trim().is_empty());
    let description = params.text("description")?.filter(|s| !s.trim().is_empty());
    let signed_in = caller.signed_in();
    let term = match taxonomy {
        Taxonomy::Category => {
            let parent_id = params.int("parent")?.filter(|p| *p != 0);
            crate::content::categories::use_cases::create(
                &state.content,
                caller.0,
                CategoryCreate {
                    name,
                    slug,
                    description,
                    parent_id,
                    position: None,
                },
            )
            .await
            .map(|c| Term::from(&c))
        }
        Taxonomy::Tag => crate::content::tags::use_cases::create(
            &state.content,
            caller.0,
            TagCreate {
                name,
                slug,
                description,
            },
        )
        .await
        .map(|t| Term::from(&t)),
    }
    .map_err(|e| write_error(e, signed_in, "rest_cannot_create", refused))?;
    respond(&req, &state, taxonomy, &term, StatusCode::CREATED, &params).await
}

/// `POST|PUT|PATCH /wp/v2/{categories|tags}/{id}`: only what is sent
/// changes.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    params: Params,
    id: String,
    taxonomy: Taxonomy,
) -> Result<HttpResponse, WpError> {
    let id = term_id(&id)?;
    one(&state, taxonomy, id, true).await?;
    let refused = "Sorry, you are not allowed to edit this term.";
    let signed_in = caller.signed_in();
    let name = params.patch_text("name", false)?;
    let slug = params.patch_text("slug", false)?;
    let description = params.patch_text("description", false)?;
    let term = match taxonomy {
        Taxonomy::Category => {
            let parent_id = match params.int("parent")? {
                Some(0) => Patch::Null,
                Some(p) => Patch::Value(p),
                None => Patch::Absent,
            };
            crate::content::categories::use_cases::update(
                &state.content,
                caller.0,
                IdOrSlug::Id(id),
                Precondition::Any,
                CategoryPatch {
                    name,
                    slug,
                    description,
                    parent_id,
                    position: Patch::Absent,
                },
            )
            .await
            .map(|c| Term::from(&c))
        }
        Taxonomy::Tag => crate::content::tags::use_cases::update(
            &state.content,
            caller.0,
            IdOrSlug::Id(id),
            Precondition::Any,
            TagPatch {
                name,
                slug,
                description,
            },
        )
        .await
        .map(|t| Term::from(&t)),
    }
    .map_err(|e| write_error(e, signed_in, "rest_cannot_update", refused))?;
    respond(&req, &state, taxonomy, &term, StatusCode::OK, &params).await
}

/// `DELETE /wp/v2/{categories|tags}/{id}?force=true`: terms have no
/// trash, so without `force` it is WordPress's 501.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
    params: Params,
    id: String,
    taxonomy: Taxonomy,
) -> Result<HttpResponse, WpError> {
    let id = term_id(&id)?;
    let term = one(&state, taxonomy, id, true).await?;
    let refused = "Sorry, you are not allowed to delete this term.";
    if !caller.signed_in() {
        return Err(WpError::refused(false, "rest_cannot_delete", refused));
    }
    params.require_force("Terms do")?;
    let site = super::site::load(&req, &state).await?;
    let count = counts(&state, taxonomy)
        .await?
        .get(&id)
        .copied()
        .unwrap_or(0);
    let previous = term_json(&site, taxonomy, &term, count, false);
    let signed_in = caller.signed_in();
    match taxonomy {
        Taxonomy::Category => {
            crate::content::categories::use_cases::delete(
                &state.content,
                caller.0,
                IdOrSlug::Id(id),
                Precondition::Any,
                None,
            )
            .await
        }
        Taxonomy::Tag => {
            crate::content::tags::use_cases::delete(
                &state.content,
                caller.0,
                IdOrSlug::Id(id),
                Precondition::Any,
            )
            .await
        }
    }
    .map_err(|e| write_error(e, signed_in, "rest_cannot_delete", refused))?;
    Ok(shape::deleted(previous))
}
