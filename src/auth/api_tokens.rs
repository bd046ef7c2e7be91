//! API tokens for integrators and frontends (`/api/v1/tokens`, admin only):
//! named, scoped, optionally expiring, shown once at creation and stored only
//! as a SHA-256 digest plus a short prefix to recognise them by. The `Caller`
//! extractor accepts them as `Authorization: Bearer cms_...`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::caller::API_TOKEN_PREFIX;
use crate::auth::policy::{self, Resource};
use crate::auth::{Caller, Scope, secret};
use crate::db::DbConnection;
use crate::db::schema::api_tokens;
use crate::error::{ApiError, FieldError, Problem};
use crate::http::extract::{JsonBody, QueryParams};
use crate::http::listing::{ListMeta, PageQuery, PageRequest, page_response};
use crate::state::AppState;
use crate::timestamp;

const TOKENS_PATH: &str = "/api/v1/tokens";

/// Characters of the secret kept in clear after the `cms_` prefix, enough to
/// tell tokens apart in a list, far too few to guess the rest.
const DISPLAY_CHARS: usize = 6;

/// Random bytes in a token: 256 bits.
const TOKEN_BYTES: usize = 32;

/// A token as stored, without its digest.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
struct ApiTokenRow {
    id: i64,
    name: String,
    token_prefix: String,
    scopes: String,
    created_by: Option<i64>,
    expires_at: Option<NaiveDateTime>,
    last_used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

/// An API token as listed: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenView {
    #[schema(example = 2)]
    pub id: i64,
    #[schema(example = "Site mobile — prévisualisation")]
    pub name: String,
    /// The first characters of the token, to recognise it.
    #[schema(example = "cms_Xk3f9Q")]
    pub token_prefix: String,
    pub scopes: Vec<Scope>,
    /// The account that created it (null when created by another token or
    /// when that account was deleted).
    #[schema(example = 1)]
    pub created_by: Option<i64>,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub created_at: NaiveDateTime,
    #[serde(with = "timestamp::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime, example = "2026-01-18T00:00:00Z")]
    pub expires_at: Option<NaiveDateTime>,
    /// Updated at most once a minute.
    #[serde(with = "timestamp::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime, example = "2025-01-19T08:00:00Z")]
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked: bool,
    #[serde(with = "timestamp::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<NaiveDateTime>,
}

/// A page of API tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenList {
    pub data: Vec<ApiTokenView>,
    pub meta: ListMeta,
}

impl From<ApiTokenRow> for ApiTokenView {
    fn from(row: ApiTokenRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            token_prefix: row.token_prefix,
            scopes: Scope::parse_list(&row.scopes),
            created_by: row.created_by,
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
            revoked: row.revoked_at.is_some(),
            revoked_at: row.revoked_at,
        }
    }
}

/// The creation response: the only time the token itself is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    /// The secret, shown once: store it now, it cannot be read again.
    #[schema(example = "cms_Xk3f9QhT2mWc8rLp0sVb7nEy4uJd1aGo6iZqRkHfN5w")]
    pub token: String,
    #[serde(flatten)]
    pub details: ApiTokenView,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiToken {
    #[schema(example = "Site mobile — prévisualisation")]
    pub name: String,
    /// At least one.
    pub scopes: Vec<Scope>,
    /// RFC 3339, in the future; never expires when absent.
    #[schema(example = "2026-01-18T00:00:00Z")]
    pub expires_at: Option<String>,
}

#[derive(Clone)]
struct NewApiToken {
    name: String,
    scopes: Vec<Scope>,
    expires_at: Option<NaiveDateTime>,
}

fn check(input: CreateApiToken, now: NaiveDateTime) -> Result<NewApiToken, ApiError> {
    let mut errors = Vec::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new(
            "name",
            "invalid_length",
            "must be 1 to 100 characters",
        ));
    }
    let mut scopes: Vec<Scope> = Vec::new();
    for scope in input.scopes {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        errors.push(FieldError::new(
            "scopes",
            "required",
            "must name at least one scope",
        ));
    }
    let expires_at = match input.expires_at.as_deref().map(timestamp::parse_rfc3339) {
        None => None,
        Some(None) => {
            errors.push(FieldError::new(
                "expires_at",
                "invalid_timestamp",
                "must be an RFC 3339 timestamp with a year between 1000 and 9999",
            ));
            None
        }
        Some(Some(at)) if at <= now => {
            errors.push(FieldError::new(
                "expires_at",
                "in_the_past",
                "must be in the future",
            ));
            None
        }
        Some(Some(at)) => Some(at),
    };
    if errors.is_empty() {
        Ok(NewApiToken {
            name,
            scopes,
            expires_at,
        })
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn find(conn: &mut DbConnection, id: i64) -> Result<ApiTokenRow, ApiError> {
    api_tokens::table
        .find(id)
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("no API token has this id"))
}

/// Creates a token and returns its only plain copy with the stored details.
fn create(
    conn: &mut DbConnection,
    new: NewApiToken,
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> Result<CreatedApiToken, ApiError> {
    let token = format!("{API_TOKEN_PREFIX}{}", secret::random_token(TOKEN_BYTES));
    let display: String = token
        .chars()
        .take(API_TOKEN_PREFIX.len() + DISPLAY_CHARS)
        .collect();
    let id = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::name.eq(&new.name),
            api_tokens::token_prefix.eq(&display),
            api_tokens::token_hash.eq(secret::token_digest(&token)),
            api_tokens::scopes.eq(Scope::join(&new.scopes)),
            api_tokens::created_by.eq(created_by),
            api_tokens::expires_at.eq(new.expires_at),
            api_tokens::created_at.eq(now),
        ))
        .returning(api_tokens::id)
        .get_result::<i64>(conn)?;
    Ok(CreatedApiToken {
        token,
        details: find(conn, id)?.into(),
    })
}

fn list(conn: &mut DbConnection, page: PageRequest) -> Result<(Vec<ApiTokenRow>, i64), ApiError> {
    let total = api_tokens::table.count().get_result::<i64>(conn)?;
    let rows = api_tokens::table
        .select(ApiTokenRow::as_select())
        .order(api_tokens::id)
        .limit(page.limit())
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

/// Revoking twice is the same as once.
fn revoke(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    let current = find(conn, id)?;
    if current.revoked_at.is_none() {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::revoked_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

/// Create an API token.
///
/// The response is the only time the token is shown; only its digest is
/// kept. Scopes: `content:read` sees unpublished content, `content:write`
/// writes any content like an editor, `admin` acts as an administrator.
#[utoipa::path(
    tag = "tokens",
    request_body = CreateApiToken,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `token` is shown this once", body = CreatedApiToken,
         headers(("Location" = String, description = "The token's entry in the list"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name, no or unknown scopes, bad or past `expires_at`, unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    body: Result<JsonBody<CreateApiToken>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_write(&caller, Resource::ApiToken, None)?;
    let now = timestamp::now();
    let new = check(body?.0, now)?;
    let created_by = caller.user_id();
    let created = state
        .db
        .write(move |conn| create(conn, new.clone(), created_by, now))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("{TOKENS_PATH}/{}", created.details.id),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(created))
}

/// List API tokens (never their secrets).
#[utoipa::path(
    tag = "tokens",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tokens, revoked ones included", body = ApiTokenList,
         headers(("ETag" = String, description = "Strong validator of this response"),
                 ("Link" = String, description = "RFC 8288 links to the first, last, previous and next pages"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad `page` or `per_page` (more than 100)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tokens")]
pub async fn list_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: Result<QueryParams<PageQuery>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_admin(&caller)?;
    let page = query?.0.parse()?;
    let (rows, total) = state.db.read(move |conn| list(conn, page)).await?;
    let data = rows.into_iter().map(ApiTokenView::from).collect();
    page_response(&req, &caller, 0, data, page, total)
}

/// Revoke an API token: it is refused from the next request on. It stays
/// in the list, marked revoked.
#[utoipa::path(
    tag = "tokens",
    params(("id" = i64, Path, description = "The token's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked (also when it already was)"),
        (status = 401, description = "No or invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    policy::authorize_write(&caller, Resource::ApiToken, None)?;
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::not_found("no API token has this id"))?;
    state
        .db
        .write(move |conn| revoke(conn, id, timestamp::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
