//! What readers and moderators do with comments, whatever the transport.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::Comments;
use super::captcha::{self, Verdict};
use super::challenge::{self, Challenge};
use super::input::{
    CommentPatch, CommentSubmission, EmailQuery, ModerateRequest, ModerationFilter, Order,
};
use super::queries::{self, Scope};
use super::rate_limit::{self, RateKey};
use super::refusal::{Lang, Refusal};
use super::rows::{CommentRow, NewComment, PublicCommentRow};
use super::rules::{self, Decision};
use super::status::CommentStatus;
use super::views::{
    CommentEvent, CommentList, CommentListMeta, EmailErasure, EmailExport, Moderated,
    ModeratedComment, ModerationList, SubmittedComment, ThreadedComment,
};
use crate::auth::policy::acting_role;
use crate::auth::{Caller, Role};
use crate::changes::{self, Action, Actor, Change};
use crate::content::Precondition;
use crate::content::articles::queries::{self as article_queries, Visibility};
use crate::content::articles::rows::ArticleRow;
use crate::content::lookup::IdOrSlug;
use crate::db::DbConnection;
use crate::error::{ApiError, FieldError};
use crate::http::listing::ListMeta;

/// The most comments one bulk moderation changes.
pub const MAX_BULK: usize = 500;
/// Parents walked up at most to place a reply (deeper than any setting).
const MAX_WALK: u32 = 64;

fn article_not_found() -> ApiError {
    ApiError::not_found("no such article")
}

fn comment_not_found() -> ApiError {
    ApiError::not_found("no such comment")
}

/// The article readers comment on: public now, or 404.
fn public_article(
    conn: &mut DbConnection,
    key: &IdOrSlug,
    now: NaiveDateTime,
) -> Result<ArticleRow, ApiError> {
    article_queries::find(conn, key, Visibility::Public { now })?.ok_or_else(article_not_found)
}

/// A fresh ALTCHA challenge.
pub fn challenge(cx: &Comments) -> Challenge {
    challenge::issue(
        &cx.challenge_key,
        cx.clock.now(),
        cx.settings.challenge_ttl_seconds,
        cx.settings.challenge_max_number,
    )
}

/// Where a page of threads starts: after this comment, in this order, on
/// this article (a cursor from another list is refused).
#[derive(Debug, Serialize, Deserialize)]
struct ThreadCursor {
    a: i64,
    o: Order,
    t: NaiveDateTime,
    i: i64,
}

/// A page of an article's approved threads, replies nested.
pub async fn threads(
    cx: &Comments,
    key: IdOrSlug,
    order: Order,
    per_page: u32,
    cursor: Option<String>,
) -> Result<CommentList, ApiError> {
    let now = cx.clock.now();
    let max_depth = cx.settings.max_depth;
    let cursor_key = Arc::clone(&cx.cursor_key);
    cx.db
        .read(move |conn| {
            let article = public_article(conn, &key, now)?;
            let after = match &cursor {
                None => None,
                Some(raw) => {
                    let c: ThreadCursor = cursor_key
                        .open(raw)
                        .filter(|c: &ThreadCursor| c.a == article.id && c.o == order)
                        .ok_or_else(|| {
                            ApiError::bad_parameter(
                                "cursor",
                                "invalid_cursor",
                                "the cursor is invalid or belongs to another list",
                            )
                        })?;
                    Some((c.t, c.i))
                }
            };
            let mut top =
                queries::threads(conn, article.id, order, after, i64::from(per_page) + 1)?;
            let more = top.len() > per_page as usize;
            top.truncate(per_page as usize);
            let next_cursor = if more {
                top.last().and_then(|last| {
                    cursor_key.seal(&ThreadCursor {
                        a: article.id,
                        o: order,
                        t: last.created_at,
                        i: last.id,
                    })
                })
            } else {
                None
            };
            // Each level of replies in one query, down to the site's depth.
            let mut levels: Vec<Vec<PublicCommentRow>> = Vec::new();
            let mut parents: Vec<i64> = top.iter().map(|c| c.id).collect();
            for _ in 1..max_depth {
                let level = queries::replies(conn, &parents)?;
                if level.is_empty() {
                    break;
                }
                parents = level.iter().map(|c| c.id).collect();
                levels.push(level);
            }
            let data = nest(top, levels);
            Ok(CommentList {
                data,
                meta: CommentListMeta {
                    per_page,
                    total: queries::thread_count(conn, article.id)?,
                    comment_count: i64::from(article.comment_count),
                    next_cursor,
                },
            })
        })
        .await
}

/// Puts each level's comments under their parents, deepest first.
fn nest(top: Vec<PublicCommentRow>, levels: Vec<Vec<PublicCommentRow>>) -> Vec<ThreadedComment> {
    let mut below: HashMap<i64, Vec<ThreadedComment>> = HashMap::new();
    for level in levels.into_iter().rev() {
        let mut this: HashMap<i64, Vec<ThreadedComment>> = HashMap::new();
        for row in level {
            let parent = row.parent_id.unwrap_or_default();
            let mut comment = ThreadedComment::new(row);
            comment.replies = below.remove(&comment.id).unwrap_or_default();
            comment.replies_count = comment.replies.len() as i64;
            this.entry(parent).or_default().push(comment);
        }
        below = this;
    }
    top.into_iter()
        .map(|row| {
            let mut comment = ThreadedComment::new(row);
            comment.replies = below.remove(&comment.id).unwrap_or_default();
            comment.replies_count = comment.replies.len() as i64;
            comment
        })
        .collect()
}

/// Who is writing a comment.
enum Writer {
    /// A reader, from this address.
    Reader { address: String },
    /// A newsroom account answering, under its name.
    Staff {
        user_id: i64,
        role: Role,
        author_id: Option<i64>,
        name: String,
    },
}

/// A comment sent to an article: by a reader (proof of work, limits,
/// rules) or by the newsroom (approved, marked as staff).
pub async fn submit(
    cx: &Comments,
    caller: Caller,
    key: IdOrSlug,
    body: CommentSubmission,
    client_address: String,
    lang: Lang,
) -> Result<SubmittedComment, ApiError> {
    let now = cx.clock.now();
    let settings = Arc::clone(&cx.settings);
    let writer = match &caller {
        Caller::Public => Writer::Reader {
            address: cx.address_key.hash(&client_address),
        },
        Caller::ApiToken(_) => {
            return Err(ApiError::Forbidden(
                "API tokens do not comment; reply as a newsroom account".to_owned(),
            ));
        }
        Caller::Account(account) => {
            let (user_id, role, author_id) = (account.user_id, account.role, account.author_id);
            let user = cx
                .db
                .read(move |conn| Ok(crate::accounts::users::queries::find(conn, user_id)?))
                .await?
                .ok_or_else(|| ApiError::Unauthorized("the account is gone".to_owned()))?;
            Writer::Staff {
                user_id,
                role,
                author_id,
                name: user.display_name,
            }
        }
    };
    // The honeypot first: a robot learns nothing else.
    if matches!(writer, Writer::Reader { .. })
        && body
            .website
            .as_deref()
            .is_some_and(|w| !w.trim().is_empty())
    {
        return Err(Refusal::Honeypot.into());
    }
    let staff_name = match &writer {
        Writer::Staff { name, .. } => Some(name.as_str()),
        Writer::Reader { .. } => None,
    };
    let submission = body.check(&settings, staff_name, lang)?;
    let verified = match &writer {
        Writer::Reader { .. } if settings.require_challenge => {
            let payload = body
                .altcha
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .ok_or(Refusal::ChallengeRequired)?;
            Some(challenge::verify(
                &cx.challenge_key,
                payload,
                now,
                settings.challenge_ttl_seconds,
                settings.min_seconds,
            )?)
        }
        _ => None,
    };
    let article = {
        let key = key.clone();
        cx.db
            .read(move |conn| public_article(conn, &key, now))
            .await?
    };
    let captcha = match &writer {
        Writer::Reader { address } => {
            if !article.comments_open(now) {
                return Err(Refusal::CommentsClosed.into());
            }
            let keys = vec![
                RateKey {
                    key: format!("addr:{address}"),
                    limit: i32::try_from(settings.per_address).unwrap_or(i32::MAX),
                },
                RateKey {
                    key: format!("article:{}", article.id),
                    limit: i32::try_from(settings.per_article).unwrap_or(i32::MAX),
                },
            ];
            let window = settings.rate_window_seconds;
            cx.db
                .write(move |tx| rate_limit::take(tx, &keys, window, now))
                .await?;
            if let Some(refusal) = rules::refusal(&settings, &submission) {
                return Err(refusal.into());
            }
            match &settings.captcha {
                None => None,
                Some(captcha_settings) => {
                    let verdict = captcha::verify(
                        &cx.http,
                        captcha_settings,
                        body.captcha_token.as_deref(),
                        &client_address,
                    )
                    .await;
                    match &verdict {
                        Verdict::Failed => return Err(Refusal::CaptchaScoreTooLow.into()),
                        Verdict::Unavailable(why) => {
                            tracing::warn!(reason = %why, "captcha provider unavailable; the comment waits for moderation");
                        }
                        Verdict::Passed => {}
                    }
                    Some(verdict)
                }
            }
        }
        Writer::Staff {
            role, author_id, ..
        } => {
            let may = match role {
                Role::Admin | Role::Editor => true,
                Role::Author => {
                    let (author_id, article_id) = (*author_id, article.id);
                    match author_id {
                        None => false,
                        Some(a) => {
                            cx.db
                                .read(move |conn| Ok(queries::signs(conn, a, article_id)?))
                                .await?
                        }
                    }
                }
                Role::Contributor => false,
            };
            if !may {
                return Err(ApiError::Forbidden(
                    "only editors, and authors on their own articles, answer as the newsroom"
                        .to_owned(),
                ));
            }
            None
        }
    };
    let staff_user = match &writer {
        Writer::Staff { user_id, .. } => Some(*user_id),
        Writer::Reader { .. } => None,
    };
    let address = match &writer {
        Writer::Reader { address } => Some(address.clone()),
        Writer::Staff { .. } => None,
    };
    let actor = Actor::of(&caller);
    let article_id = article.id;
    let row = cx
        .db
        .write(move |tx| {
            let article =
                article_queries::find(tx, &IdOrSlug::Id(article_id), Visibility::Public { now })?
                    .ok_or_else(article_not_found)?;
            if staff_user.is_none() && !article.comments_open(now) {
                return Err(Refusal::CommentsClosed.into());
            }
            let parent_id = match submission.parent_id {
                None => None,
                Some(parent) => place_reply(
                    tx,
                    parent,
                    article.id,
                    settings.max_depth,
                    staff_user.is_some(),
                    lang,
                )?,
            };
            if queries::is_duplicate(
                tx,
                article.id,
                parent_id,
                &submission.author_name,
                submission.author_email.as_deref(),
                &submission.body.text,
            )? {
                return Err(Refusal::Duplicate.into());
            }
            if let Some(verified) = &verified {
                challenge::spend(tx, verified)?;
            }
            let decision = if staff_user.is_some() {
                Decision::Approve
            } else {
                let known = match &submission.author_email {
                    Some(email) => queries::has_approved(tx, email)?,
                    None => false,
                };
                rules::decide(&settings, &submission, captcha.as_ref(), known)
            };
            let (status, hold_reason) = match decision {
                Decision::Approve => (CommentStatus::Approved, None),
                Decision::Hold(reason) => (CommentStatus::Pending, Some(reason.as_str())),
            };
            let row = queries::insert(
                tx,
                &NewComment {
                    article_id: article.id,
                    parent_id,
                    author_name: &submission.author_name,
                    author_email: submission.author_email.as_deref(),
                    author_url: submission.author_url.as_deref(),
                    body: &submission.body.text,
                    body_html: &submission.body.html,
                    status: status.as_str(),
                    hold_reason,
                    user_id: staff_user,
                    address_hash: address.as_deref(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                },
            )?;
            if status == CommentStatus::Approved {
                queries::recount(tx, article.id)?;
                changes::commit(
                    tx,
                    Change::comment(Action::Created, &CommentEvent::new(&row), actor.clone())?,
                )?;
            }
            Ok(row)
        })
        .await?;
    Ok(SubmittedComment::new(&row))
}

/// The parent a reply is stored under: the comment answered, on the same
/// article and visible to the writer (approved, for readers); or, past the
/// site's depth, its ancestor at the deepest level allowed (so the reply
/// shows right after the conversation it belongs to).
fn place_reply(
    conn: &mut DbConnection,
    parent: i64,
    article_id: i64,
    max_depth: u32,
    staff: bool,
    lang: Lang,
) -> Result<Option<i64>, ApiError> {
    let bad = || {
        ApiError::Validation(vec![FieldError::new(
            "parent_id",
            "invalid",
            lang.pick(
                "commentaire parent inconnu sur cet article",
                "no such parent comment on this article",
            ),
        )])
    };
    let queries::Place {
        article_id: parent_article,
        status,
        chain,
    } = queries::place(conn, parent, MAX_WALK)?.ok_or_else(bad)?;
    let depth = u32::try_from(chain.len()).unwrap_or(u32::MAX);
    let visible = match CommentStatus::parse(&status) {
        Some(CommentStatus::Approved) => true,
        Some(CommentStatus::Pending) => staff,
        _ => false,
    };
    if parent_article != article_id || !visible {
        return Err(bad());
    }
    if depth < max_depth {
        return Ok(Some(parent));
    }
    // chain[k] is at depth `depth - k`; the deepest a parent may be is
    // `max_depth - 1` (none at all when replies are off).
    let k = (depth + 1 - max_depth) as usize;
    Ok(chain.get(k).copied().filter(|_| max_depth > 1))
}

/// How far a caller moderates: everything (editors, admins, tokens that
/// write content), the articles it signs (authors), or nothing.
fn moderation_scope(caller: &Caller) -> Result<Scope, ApiError> {
    caller.require_authenticated()?;
    match acting_role(caller) {
        Some(Role::Admin | Role::Editor) => Ok(Scope::All),
        Some(Role::Author) => caller
            .account()
            .and_then(|a| a.author_id)
            .map(Scope::SignedBy)
            .ok_or_else(|| ApiError::Forbidden("this account signs no articles".to_owned())),
        _ => Err(ApiError::Forbidden(
            "only editors, admins and authors (on their own articles) moderate comments".to_owned(),
        )),
    }
}

fn in_scope(conn: &mut DbConnection, scope: Scope, row: &CommentRow) -> Result<bool, ApiError> {
    Ok(match scope {
        Scope::All => true,
        Scope::SignedBy(author_id) => queries::signs(conn, author_id, row.article_id)?,
    })
}

fn moderated_views(
    conn: &mut DbConnection,
    rows: Vec<CommentRow>,
) -> Result<Vec<ModeratedComment>, ApiError> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.article_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let articles = queries::articles_brief(conn, &ids)?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let article = articles.get(&row.article_id).cloned();
            article.map(|a| ModeratedComment::new(row, a))
        })
        .collect())
}

/// The moderation queue.
pub async fn list(
    cx: &Comments,
    caller: &Caller,
    filter: ModerationFilter,
) -> Result<ModerationList, ApiError> {
    let scope = moderation_scope(caller)?;
    cx.db
        .read(move |conn| {
            let (rows, total) = queries::moderation_page(conn, &filter, scope)?;
            let counts = queries::status_counts(conn, &filter, scope)?;
            Ok(ModerationList {
                data: moderated_views(conn, rows)?,
                meta: ListMeta::new(Some(filter.page.page), filter.page.per_page, total, None),
                counts,
            })
        })
        .await
}

fn one_moderated(conn: &mut DbConnection, row: CommentRow) -> Result<ModeratedComment, ApiError> {
    moderated_views(conn, vec![row])?
        .pop()
        .ok_or_else(comment_not_found)
}

/// One comment, for a moderator.
pub async fn get(cx: &Comments, caller: &Caller, id: i64) -> Result<ModeratedComment, ApiError> {
    let scope = moderation_scope(caller)?;
    cx.db
        .read(move |conn| {
            let row = queries::find(conn, id)?.ok_or_else(comment_not_found)?;
            if !in_scope(conn, scope, &row)? {
                return Err(comment_not_found());
            }
            one_moderated(conn, row)
        })
        .await
}

/// Records what readers see change: the article's count, its stored item,
/// caches. Nothing when the comment was and stays unpublished.
fn commit_if_public(
    tx: &mut crate::db::Tx<'_>,
    before: &CommentRow,
    after: Option<&CommentRow>,
    actor: &Actor,
) -> Result<(), ApiError> {
    let approved = |r: &CommentRow| r.status == CommentStatus::Approved.as_str();
    let was = approved(before);
    let is = after.is_some_and(approved);
    let text_changed = after.is_some_and(|a| a.body_html != before.body_html);
    if !(was || is) || (was && is && !text_changed) {
        return Ok(());
    }
    queries::recount(tx, before.article_id)?;
    let (action, event) = match after {
        Some(row) => (Action::Updated, CommentEvent::new(row)),
        None => (Action::Deleted, CommentEvent::new(before)),
    };
    changes::commit(tx, Change::comment(action, &event, actor.clone())?)
}

/// Changes a comment's status or text.
pub async fn update(
    cx: &Comments,
    caller: Caller,
    id: i64,
    expect: Precondition,
    patch: CommentPatch,
) -> Result<ModeratedComment, ApiError> {
    let scope = moderation_scope(&caller)?;
    let now = cx.clock.now();
    let max_length = cx.settings.max_length;
    let actor = Actor::of(&caller);
    if patch.status.is_none() && patch.body.is_none() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "status",
            "required",
            "send a status, a body or both",
        )]));
    }
    let rendered = match &patch.body {
        None => None,
        Some(text) => {
            let rendered = super::body::render(text);
            let length = rendered.text.chars().count();
            if length == 0 || length > max_length {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "body",
                    if length == 0 { "required" } else { "too_long" },
                    format!("the text must have 1 to {max_length} characters"),
                )]));
            }
            Some(rendered)
        }
    };
    let note = patch
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(500).collect::<String>());
    cx.db
        .write(move |tx| {
            let before = queries::find(tx, id)?.ok_or_else(comment_not_found)?;
            if !in_scope(tx, scope, &before)? {
                return Err(comment_not_found());
            }
            expect.check(&one_moderated(tx, before.clone())?)?;
            if let Some(status) = patch.status
                && status.as_str() != before.status
            {
                queries::set_status(tx, id, status, now)?;
            }
            if let Some(rendered) = &rendered {
                queries::set_body(tx, id, &rendered.text, &rendered.html, note.as_deref(), now)?;
            }
            let after = queries::find(tx, id)?.ok_or_else(comment_not_found)?;
            commit_if_public(tx, &before, Some(&after), &actor)?;
            one_moderated(tx, after)
        })
        .await
}

/// Sets the status of several comments at once: all of them or none (one
/// unknown or out of the caller's reach fails the whole request).
pub async fn moderate(
    cx: &Comments,
    caller: Caller,
    request: ModerateRequest,
) -> Result<Moderated, ApiError> {
    let scope = moderation_scope(&caller)?;
    let mut ids = request.ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_BULK {
        return Err(ApiError::Validation(vec![FieldError::new(
            "ids",
            "invalid",
            format!("from 1 to {MAX_BULK} comment ids"),
        )]));
    }
    let now = cx.clock.now();
    let actor = Actor::of(&caller);
    let status = request.status;
    cx.db
        .write(move |tx| {
            let rows = queries::find_many(tx, &ids)?;
            if rows.len() != ids.len() {
                let found: Vec<i64> = rows.iter().map(|r| r.id).collect();
                let missing: Vec<FieldError> = ids
                    .iter()
                    .enumerate()
                    .filter(|(_, id)| !found.contains(id))
                    .map(|(i, id)| {
                        FieldError::new(
                            format!("ids[{i}]"),
                            "not_found",
                            format!("no comment {id}"),
                        )
                    })
                    .collect();
                return Err(ApiError::Validation(missing));
            }
            let mut updated = 0;
            for before in rows {
                if !in_scope(tx, scope, &before)? {
                    return Err(ApiError::Forbidden(format!(
                        "comment {} is on an article you do not sign",
                        before.id
                    )));
                }
                if before.status == status.as_str() {
                    continue;
                }
                queries::set_status(tx, before.id, status, now)?;
                let after = queries::find(tx, before.id)?.ok_or_else(comment_not_found)?;
                commit_if_public(tx, &before, Some(&after), &actor)?;
                updated += 1;
            }
            Ok(Moderated { updated })
        })
        .await
}

/// To the trash; a comment already there is purged (its replies move up
/// to its parent).
pub async fn delete(
    cx: &Comments,
    caller: Caller,
    id: i64,
    expect: Precondition,
) -> Result<(), ApiError> {
    let scope = moderation_scope(&caller)?;
    let now = cx.clock.now();
    let actor = Actor::of(&caller);
    cx.db
        .write(move |tx| {
            let before = queries::find(tx, id)?.ok_or_else(comment_not_found)?;
            if !in_scope(tx, scope, &before)? {
                return Err(comment_not_found());
            }
            expect.check(&one_moderated(tx, before.clone())?)?;
            if before.status == CommentStatus::Trash.as_str() {
                queries::purge(tx, &before)?;
                commit_if_public(tx, &before, None, &actor)
            } else {
                queries::set_status(tx, id, CommentStatus::Trash, now)?;
                let after = queries::find(tx, id)?.ok_or_else(comment_not_found)?;
                commit_if_public(tx, &before, Some(&after), &actor)
            }
        })
        .await
}

/// Everything `email` wrote (admins: a reader's right of access).
pub async fn export_by_email(
    cx: &Comments,
    caller: &Caller,
    query: &EmailQuery,
) -> Result<EmailExport, ApiError> {
    // Who may ask comes before what was asked: an author learns nothing
    // about the email.
    crate::auth::policy::authorize_admin(caller)?;
    let email = query.parse()?;
    cx.db
        .read(move |conn| {
            let rows = queries::by_email(conn, &email)?;
            Ok(EmailExport {
                comments: moderated_views(conn, rows)?,
                email,
            })
        })
        .await
}

/// Deletes everything `email` wrote (admins: a reader's right to
/// erasure); replies by others stay, moved up to the erased comment's
/// parent.
pub async fn erase_by_email(
    cx: &Comments,
    caller: &Caller,
    query: &EmailQuery,
) -> Result<EmailErasure, ApiError> {
    // Who may ask comes before what was asked: an author learns nothing
    // about the email.
    crate::auth::policy::authorize_admin(caller)?;
    let email = query.parse()?;
    let actor = Actor::of(caller);
    cx.db
        .write(move |tx| {
            let rows = queries::by_email(tx, &email)?;
            // Newest first, so a reply goes before the comment it answers;
            // each is read again, as an earlier purge may have moved it.
            for row in rows.iter().rev() {
                let current = queries::find(tx, row.id)?.ok_or_else(comment_not_found)?;
                queries::purge(tx, &current)?;
                commit_if_public(tx, &current, None, &actor)?;
            }
            Ok(EmailErasure {
                email: email.clone(),
                erased: rows.len(),
            })
        })
        .await
}
