//! `/wp/v2/users`: WordPress's users are the bylines here (a post's
//! `author` is a byline id), so `GET /users` lists the bylines and
//! `/users/me` is the signed-in account under its byline's id, with the
//! role and capabilities the WordPress apps read to shape their screens.

use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use serde_json::{Value, json};

use super::caller::WpCaller;
use super::error::WpError;
use super::params::{Context, Params};
use super::shape::{self, Site, curies, link};
use crate::auth::Role;
use crate::content::authors::views::AuthorView;
use crate::content::lookup::IdOrSlug;
use crate::content::text::fold_for_search;
use crate::db::schema::users;
use crate::state::AppState;

/// WordPress's role names, and the capabilities the apps look at.
fn role_and_capabilities(role: Role) -> (&'static str, Vec<&'static str>) {
    let contributor = vec!["read", "edit_posts", "delete_posts", "upload_files"];
    let mut author = contributor.clone();
    author.extend([
        "publish_posts",
        "edit_published_posts",
        "delete_published_posts",
    ]);
    let mut editor = author.clone();
    editor.extend([
        "edit_others_posts",
        "delete_others_posts",
        "edit_private_posts",
        "read_private_posts",
        "manage_categories",
        "moderate_comments",
        "edit_pages",
        "publish_pages",
    ]);
    let mut admin = editor.clone();
    admin.extend([
        "manage_options",
        "list_users",
        "create_users",
        "edit_users",
        "delete_users",
    ]);
    match role {
        Role::Admin => ("administrator", admin),
        Role::Editor => ("editor", editor),
        Role::Author => ("author", author),
        Role::Contributor => (
            "contributor",
            contributor
                .into_iter()
                .filter(|c| *c != "upload_files")
                .chain(["upload_files"])
                .collect(),
        ),
    }
}

/// A byline as a WordPress user (`view` and `embed` contexts).
pub fn user_json(site: &Site, author: &AuthorView) -> Value {
    let avatar = author.avatar_url.clone().unwrap_or_default();
    json!({
        "id": author.id,
        "name": author.name,
        "url": author.links.first().map(|l| l.url.clone()).unwrap_or_default(),
        "description": author.bio.clone().unwrap_or_default(),
        "link": format!("{}/author/{}/", site.home, author.slug),
        "slug": author.slug,
        "avatar_urls": { "24": avatar, "48": avatar, "96": avatar },
        "meta": [],
        "_links": {
            "self": link(site.route(&format!("users/{}", author.id))),
            "collection": link(site.route("users")),
        },
    })
}

pub async fn bylines(state: &AppState, ids: &[i64]) -> Vec<AuthorView> {
    let mut found = Vec::new();
    for id in ids {
        if let Ok(view) =
            crate::content::authors::use_cases::get(&state.content, IdOrSlug::Id(*id)).await
        {
            found.push(view);
        }
    }
    found
}

/// `GET /wp/v2/users`: the bylines, by name (`search`, `slug`, `include`,
/// `exclude`, `orderby` id|name|slug, `order`).
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
) -> Result<HttpResponse, WpError> {
    let params = Params::from_query(req.query_string());
    let site = super::site::load(&req, &state).await?;
    params.page()?;
    let context = params.context(Context::View)?;
    if context == Context::Edit {
        return Err(WpError::refused(
            caller.signed_in(),
            "rest_forbidden_context",
            "Sorry, you are not allowed to list users.",
        ));
    }
    let descending = params.descending(false)?;
    let orderby = params.one_of(
        "orderby",
        &[
            "id",
            "include",
            "name",
            "registered_date",
            "slug",
            "include_slugs",
            "email",
            "url",
        ],
        "name",
    )?;
    let (all, _) = crate::content::authors::use_cases::list(
        &state.content,
        crate::http::listing::PageRequest {
            page: 1,
            per_page: u32::MAX,
        },
    )
    .await?;
    let search = params.text("search")?.map(|s| fold_for_search(&s));
    let include = params.ids("include")?;
    let exclude = params.ids("exclude")?.unwrap_or_default();
    let slugs = params.texts("slug")?;
    let mut kept: Vec<AuthorView> = all
        .into_iter()
        .filter(|a| include.as_ref().is_none_or(|ids| ids.contains(&a.id)))
        .filter(|a| !exclude.contains(&a.id))
        .filter(|a| slugs.as_ref().is_none_or(|s| s.contains(&a.slug)))
        .filter(|a| {
            search.as_ref().is_none_or(|q| {
                fold_for_search(&a.name).contains(q.as_str()) || a.slug.contains(q.as_str())
            })
        })
        .collect();
    match orderby {
        "id" => kept.sort_by_key(|a| a.id),
        "slug" => kept.sort_by(|a, b| a.slug.cmp(&b.slug)),
        "include" => {
            let order = include.clone().unwrap_or_default();
            kept.sort_by_key(|a| order.iter().position(|id| *id == a.id));
        }
        _ => kept.sort_by_key(|a| fold_for_search(&a.name)),
    }
    if descending {
        kept.reverse();
    }
    shape::page_in_memory(
        &kept,
        |a| user_json(&site, a),
        &params,
        &site.route("users"),
        req.query_string(),
        "rest_user_invalid_page_number",
    )
}

/// `GET /wp/v2/users/{id}`.
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    _caller: WpCaller,
) -> Result<HttpResponse, WpError> {
    let params = Params::from_query(req.query_string());
    let site = super::site::load(&req, &state).await?;
    let id: i64 = path.parse().map_err(|_| WpError::invalid_user_id())?;
    let author = crate::content::authors::use_cases::get(&state.content, IdOrSlug::Id(id))
        .await
        .map_err(|_| WpError::invalid_user_id())?;
    Ok(shape::json(
        actix_web::http::StatusCode::OK,
        &shape::shaped(user_json(&site, &author), &params),
    ))
}

/// `GET /wp/v2/users/me`: the account (`context=edit` adds the login,
/// email, roles and capabilities).
pub async fn me(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: WpCaller,
) -> Result<HttpResponse, WpError> {
    let params = Params::from_query(req.query_string());
    let site = super::site::load(&req, &state).await?;
    let Some(account) = caller.0.account().cloned() else {
        return Err(WpError::new(
            401,
            "rest_not_logged_in",
            "You are not currently logged in.",
        ));
    };
    let context = params.context(Context::View)?;
    let user_id = account.user_id;
    let (email, display_name, registered) = state
        .db
        .read(move |conn| {
            Ok(users::table
                .find(user_id)
                .select((users::email, users::display_name, users::created_at))
                .first::<(String, String, chrono::NaiveDateTime)>(conn)?)
        })
        .await?;
    let byline = match account.author_id {
        Some(id) => crate::content::authors::use_cases::get(&state.content, IdOrSlug::Id(id))
            .await
            .ok(),
        None => None,
    };
    let mut user = match &byline {
        Some(author) => user_json(&site, author),
        None => json!({
            "id": 0,
            "name": display_name,
            "url": "",
            "description": "",
            "link": site.home,
            "slug": "",
            "avatar_urls": {},
            "meta": [],
            "_links": { "collection": link(site.route("users")) },
        }),
    };
    if context == Context::Edit {
        let (role, capabilities) = role_and_capabilities(account.role);
        let language = state
            .site
            .settings()
            .await
            .map(|s| s.language.as_str().to_owned())
            .unwrap_or_else(|_| "fr".to_owned());
        let caps: serde_json::Map<String, Value> = capabilities
            .iter()
            .map(|c| ((*c).to_owned(), Value::Bool(true)))
            .chain([(role.to_owned(), Value::Bool(true))])
            .collect();
        let first_last = display_name.split_once(' ');
        if let Value::Object(map) = &mut user {
            map.insert("username".to_owned(), json!(email));
            map.insert("email".to_owned(), json!(email));
            map.insert(
                "first_name".to_owned(),
                json!(first_last.map_or(display_name.as_str(), |(f, _)| f)),
            );
            map.insert(
                "last_name".to_owned(),
                json!(first_last.map_or("", |(_, l)| l)),
            );
            map.insert("nickname".to_owned(), json!(display_name));
            map.insert(
                "registered_date".to_owned(),
                json!(format!("{}+00:00", Site::gmt(registered))),
            );
            map.insert("roles".to_owned(), json!([role]));
            map.insert("locale".to_owned(), json!(language.replace('-', "_")));
            map.insert("capabilities".to_owned(), Value::Object(caps));
            map.insert("extra_capabilities".to_owned(), json!({ role: true }));
        }
    }
    if let Value::Object(map) = &mut user
        && let Some(Value::Object(links)) = map.get_mut("_links")
    {
        links.insert("curies".to_owned(), curies());
    }
    Ok(shape::json(
        actix_web::http::StatusCode::OK,
        &shape::shaped(user, &params),
    ))
}
