//! `/api/v1/articles/{id_or_slug}/comments` and `/api/v1/comments…`: thin
//! handlers over the use cases.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::challenge::Challenge;
use super::input::{
    CommentPatch, CommentSubmission, EmailQuery, ModerateRequest, ModerationQuery, ThreadQuery,
};
use super::refusal::Lang;
use super::use_cases;
use super::views::{
    CommentList, EmailErasure, EmailExport, Moderated, ModeratedComment, ModerationList,
    SubmittedComment,
};
use crate::auth::Caller;
use crate::content::lookup::IdOrSlug;
use crate::error::{ApiError, Problem};
use crate::http::conditional::{json_get, json_written, precondition};
use crate::http::extract::{JsonBody, QueryParams};
use crate::state::AppState;

fn comment_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found("no such comment"))
}

/// An article's approved comments, threaded.
///
/// Threads (top-level comments) are paged with `cursor`; each carries its
/// approved replies nested up to the site's depth (3 by default), oldest
/// first. Never an email or an address.
#[utoipa::path(
    tag = "comments",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug of a public article"),
        ThreadQuery,
    ),
    responses(
        (status = 200, description = "A page of threads", body = CommentList,
         headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such public article", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id_or_slug}/comments")]
pub async fn list_article_comments(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: QueryParams<ThreadQuery>,
) -> Result<HttpResponse, ApiError> {
    let (order, per_page) = query.0.parse()?;
    let list = use_cases::threads(
        &state.comments,
        IdOrSlug::parse(&path),
        order,
        per_page,
        query.0.cursor.clone(),
    )
    .await?;
    json_get(&req, &caller, state.config.public_cache_seconds, &list, &[])
}

/// Comment on an article, without an account.
///
/// Readers send the ALTCHA solution (`altcha`) of a challenge from
/// `GET /api/v1/comments/challenge`, leave `website` empty, and, when the
/// site checks one, a captcha token. The answer says whether the comment
/// shows now (`approved`) or after moderation (`pending`). A refusal is a
/// problem with a stable `code` and a `detail` in French unless
/// `Accept-Language` prefers English. A signed-in editor (or an author on
/// its own article) answers as the newsroom: no challenge, approved,
/// `staff: true`.
#[utoipa::path(
    tag = "comments",
    params(
        ("id_or_slug" = String, Path, description = "Numeric id or slug of a public article"),
        ("Accept-Language" = Option<String>, Header, description = "`fr` (default) or `en`, for refusals' `detail`"),
    ),
    request_body(content = CommentSubmission, example = json!({
        "author_name": "Aïcha K.",
        "author_email": "aicha@example.bj",
        "body": "Merci pour cet article « éclairant » !",
        "altcha": "eyJhbGdvcml0aG0iOiJTSEEtMjU2IiwiY2hhbGxlbmdlIjoi…",
        "website": ""
    })),
    responses(
        (status = 201, description = "Taken: `status` says whether it shows now", body = SubmittedComment),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`comments_closed`; or a caller that may not answer as the newsroom", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such public article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (all reported), or refused: `challenge_required`, `challenge_failed`, `challenge_expired`, `challenge_replayed`, `too_fast`, `honeypot`, `captcha_score_too_low`, `too_many_links`, `blocked_content`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`, with Retry-After", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/articles/{id_or_slug}/comments")]
pub async fn submit_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody<CommentSubmission>,
) -> Result<HttpResponse, ApiError> {
    let lang = Lang::of(&req);
    let address =
        crate::http::origin::client_address(&state.config, req.peer_addr(), req.headers());
    let view = use_cases::submit(
        &state.comments,
        caller,
        IdOrSlug::parse(&path),
        body.0,
        address,
        lang,
    )
    .await
    .map_err(|e| e.in_language(lang))?;
    json_written(StatusCode::CREATED, &view, &[])
}

/// A proof-of-work challenge for the comment form, in ALTCHA's format.
///
/// Point the ALTCHA widget at this URL (`challengeurl` in 2.x, `challenge`
/// in 3.x); it solves the challenge in the browser and puts the solution
/// in the form's `altcha` field. Each challenge expires (see `salt`) and
/// its solution is accepted once.
#[utoipa::path(
    tag = "comments",
    operation_id = "get_comment_challenge",
    responses(
        (status = 200, description = "A new challenge (never cached)", body = Challenge),
    )
)]
#[get("/comments/challenge")]
pub async fn comment_challenge(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    json_written(StatusCode::OK, &use_cases::challenge(&state.comments), &[])
}

/// The moderation queue (editors, admins; authors see their articles').
///
/// Newest first; without `status`, everything but the trash. `counts`
/// gives the comments per status under the other filters.
#[utoipa::path(
    tag = "comments",
    params(ModerationQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of comments", body = ModerationList),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/comments")]
pub async fn list_comments(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<ModerationQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = query.0.parse()?;
    let list = use_cases::list(&state.comments, &caller, filter).await?;
    json_get(&req, &caller, 0, &list, &[])
}

/// Set the status of several comments at once (all or none).
#[utoipa::path(
    tag = "comments",
    request_body(content = ModerateRequest, example = json!({"ids": [812, 813], "status": "approved"})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Done", body = Moderated),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed, or a comment out of reach", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown ids (each named), or too many", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/comments/moderate")]
pub async fn moderate_comments(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ModerateRequest>,
) -> Result<HttpResponse, ApiError> {
    let done = use_cases::moderate(&state.comments, caller, body.0).await?;
    json_written(StatusCode::OK, &done, &[])
}

/// Everything one email wrote (admins): a reader's right of access.
#[utoipa::path(
    tag = "comments",
    params(EmailQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The comments, oldest first, with their emails", body = EmailExport),
        (status = 400, description = "Not an email address", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/comments/by-email")]
pub async fn export_comments_by_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<EmailQuery>,
) -> Result<HttpResponse, ApiError> {
    let export = use_cases::export_by_email(&state.comments, &caller, &query.0).await?;
    json_get(&req, &caller, 0, &export, &[])
}

/// Delete everything one email wrote (admins): a reader's right to
/// erasure. Replies by others stay, moved up a level.
#[utoipa::path(
    tag = "comments",
    params(EmailQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Erased", body = EmailErasure),
        (status = 400, description = "Not an email address", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/comments/by-email")]
pub async fn erase_comments_by_email(
    state: web::Data<AppState>,
    caller: Caller,
    query: QueryParams<EmailQuery>,
) -> Result<HttpResponse, ApiError> {
    let erased = use_cases::erase_by_email(&state.comments, &caller, &query.0).await?;
    json_written(StatusCode::OK, &erased, &[])
}

/// One comment, as moderators see it.
#[utoipa::path(
    tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The comment", body = ModeratedComment, headers(("ETag" = String))),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment within reach", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/comments/{id}", guard = "not_a_fixed_path")]
pub async fn get_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = comment_id(&path)?;
    let view = use_cases::get(&state.comments, &caller, id).await?;
    json_get(&req, &caller, 0, &view, &[])
}

/// Moderate one comment: its status, or its text with a note.
#[utoipa::path(
    tag = "comments",
    params(
        ("id" = i64, Path, description = "Comment id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being moderated; stale → 412"),
    ),
    request_body(content = CommentPatch, example = json!({"status": "approved"})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = ModeratedComment, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment within reach", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/comments/{id}", guard = "not_a_fixed_path")]
pub async fn update_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody<CommentPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = comment_id(&path)?;
    let view = use_cases::update(&state.comments, caller, id, precondition(&req), body.0).await?;
    json_written(StatusCode::OK, &view, &[])
}

/// Move a comment to the trash; deleting it from the trash purges it.
#[utoipa::path(
    tag = "comments",
    params(
        ("id" = i64, Path, description = "Comment id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version being deleted; stale → 412"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Trashed, or purged"),
        (status = 401, description = "No or bad credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment within reach", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match; nothing written", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/comments/{id}", guard = "not_a_fixed_path")]
pub async fn delete_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = comment_id(&path)?;
    use_cases::delete(&state.comments, caller, id, precondition(&req)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `/comments/{id}` leaves alone the fixed paths beside it: another
/// method on `/comments/challenge` is the fallback's 405 with `Allow`, not
/// the id route's 415 or 404.
fn not_a_fixed_path(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    !matches!(
        ctx.head().uri.path().rsplit('/').next(),
        Some("challenge" | "by-email" | "moderate")
    )
}

/// Where the comment routes are registered: the fixed paths before
/// `/comments/{id}`.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_article_comments)
        .service(submit_comment)
        .service(comment_challenge)
        .service(moderate_comments)
        .service(export_comments_by_email)
        .service(erase_comments_by_email)
        .service(list_comments)
        .service(get_comment)
        .service(update_comment)
        .service(delete_comment);
}
