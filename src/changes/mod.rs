//! Where every write ends: `commit(tx, change)`, called once per change
//! inside the write's transaction. It
//! - writes the outbox row (`content_events`) with what changed, who did
//!   it, through which credential, and the resource as the API shows it
//!   (or a summary of what is gone): the one record webhooks, the audit
//!   log and the search index will read;
//! - refreshes the stored renderings the change makes stale (the article's
//!   own, or every article that embeds a renamed author, tag or category);
//! - marks the transaction so that caches let go once it commits
//!   (`db::Tx`), and not before, nor when it rolls back.
//!
//! Later capabilities subscribe here and nowhere else.

mod generation;
pub mod watcher;

use diesel::prelude::*;

pub use generation::ContentGeneration;

use crate::auth::Caller;
use crate::content::articles::renderings::{self, Rendering};
use crate::content::articles::views::ArticleView;
use crate::db::Tx;
use crate::db::schema::content_events;
use crate::error::ApiError;
use crate::timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Article,
    Category,
    Author,
    Tag,
    Media,
    Comment,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Category => "category",
            Self::Author => "author",
            Self::Tag => "tag",
            Self::Media => "media",
            Self::Comment => "comment",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Deleted,
    /// A scheduled article's time came (`content::articles::go_live`).
    Published,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
            Self::Published => "published",
        }
    }
}

/// Who made a change, and with what: an account's session, an API token,
/// or the service itself (the demo seed, the scheduler, the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub credential: String,
}

impl Actor {
    pub fn of(caller: &Caller) -> Self {
        match caller {
            Caller::Public => Self::system("public"),
            Caller::Account(account) => Self {
                user_id: Some(account.user_id),
                credential: "session".to_owned(),
            },
            Caller::ApiToken(token) => Self {
                user_id: None,
                credential: format!("api_token:{}", token.token_id),
            },
        }
    }

    /// The service acting on its own: `what` names the part of it.
    pub fn system(what: &str) -> Self {
        Self {
            user_id: None,
            credential: what.to_owned(),
        }
    }
}

/// Which stored renderings a change makes stale.
#[derive(Debug)]
enum Stale {
    Nothing,
    /// The article's own, rendered from its new view.
    Article(Rendering),
    /// Every article a renamed byline signs.
    SignedBy(i64),
    /// Every article a renamed tag labels.
    Tagged(i64),
    /// Every article filed under these categories (a renamed or moved one
    /// and its subtree: their breadcrumbs pass through it).
    FiledUnder(Vec<i64>),
    /// Every article featuring a media object whose texts changed: their
    /// featured image is resolved again, then rendered.
    Featuring(Box<crate::content::media::views::MediaView>),
    /// These articles, whose featured image was taken off.
    Articles(Vec<i64>),
}

/// One change to one resource, as `commit` records it.
#[derive(Debug)]
pub struct Change {
    resource: Resource,
    id: i64,
    action: Action,
    actor: Actor,
    payload: String,
    stale: Stale,
    /// A scheduled article's time: its go-live job is (re)enqueued.
    goes_live_at: Option<chrono::NaiveDateTime>,
    /// When a public article stops taking comments: a job re-renders it
    /// then (`comments::closing`).
    comments_close_at: Option<chrono::NaiveDateTime>,
}

fn to_json(value: &impl serde::Serialize) -> Result<String, ApiError> {
    serde_json::to_string(value)
        .map_err(|e| ApiError::Internal(format!("cannot serialise a change: {e}")))
}

/// What is left to say of a deleted resource.
#[derive(serde::Serialize)]
struct Gone<'a> {
    id: i64,
    slug: &'a str,
}

impl Change {
    /// An article written (created, updated or gone live): its rendering is
    /// stored, and the payload is that list item (the article as lists show
    /// it, without its bodies), serialised once for both.
    pub fn article(action: Action, view: &ArticleView, actor: Actor) -> Result<Self, ApiError> {
        let rendering = renderings::render(view)?;
        let payload = String::from_utf8(rendering.list_item.clone())
            .map_err(|e| ApiError::Internal(format!("rendering is not UTF-8: {e}")))?;
        Ok(Self {
            resource: Resource::Article,
            id: view.id,
            action,
            actor,
            payload,
            stale: Stale::Article(rendering),
            goes_live_at: view.published_at.filter(|_| {
                view.status == crate::content::articles::lifecycle::ArticleStatus::Scheduled
            }),
            comments_close_at: view.comments_close_at.filter(|_| view.comments_enabled),
        })
    }

    /// A resource deleted; its stored renderings went with its rows.
    pub fn deleted(
        resource: Resource,
        id: i64,
        slug: &str,
        actor: Actor,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            resource,
            id,
            action: Action::Deleted,
            actor,
            payload: to_json(&Gone { id, slug })?,
            stale: Stale::Nothing,
            goes_live_at: None,
            comments_close_at: None,
        })
    }

    /// A byline created or updated; `renamed` when articles show its new
    /// name or slug.
    pub fn author(
        action: Action,
        view: &crate::content::authors::views::AuthorView,
        renamed: bool,
        actor: Actor,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            resource: Resource::Author,
            id: view.id,
            action,
            actor,
            payload: to_json(view)?,
            stale: if renamed {
                Stale::SignedBy(view.id)
            } else {
                Stale::Nothing
            },
            goes_live_at: None,
            comments_close_at: None,
        })
    }

    /// A tag created or updated; `renamed` when articles show its new
    /// name or slug.
    pub fn tag(
        action: Action,
        view: &crate::content::tags::views::TagView,
        renamed: bool,
        actor: Actor,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            resource: Resource::Tag,
            id: view.id,
            action,
            actor,
            payload: to_json(view)?,
            stale: if renamed {
                Stale::Tagged(view.id)
            } else {
                Stale::Nothing
            },
            goes_live_at: None,
            comments_close_at: None,
        })
    }

    /// A media object uploaded or its texts changed; the articles that
    /// feature it show the new texts.
    pub fn media(
        action: Action,
        view: &crate::content::media::views::MediaView,
        actor: Actor,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            resource: Resource::Media,
            id: view.id,
            action,
            actor,
            payload: to_json(view)?,
            stale: if view.used_by.is_empty() {
                Stale::Nothing
            } else {
                Stale::Featuring(Box::new(view.clone()))
            },
            goes_live_at: None,
            comments_close_at: None,
        })
    }

    /// A media object deleted, taken off the articles `detached` first.
    pub fn media_deleted(
        id: i64,
        storage_key: &str,
        detached: Vec<i64>,
        actor: Actor,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            stale: if detached.is_empty() {
                Stale::Nothing
            } else {
                Stale::Articles(detached)
            },
            ..Self::deleted(Resource::Media, id, storage_key, actor)?
        })
    }

    /// A category created or updated; `reshaped` lists the categories whose
    /// articles show a new name, slug or breadcrumb (empty when none do).
    pub fn category(
        action: Action,
        view: &crate::content::categories::views::CategoryView,
        reshaped: Vec<i64>,
        actor: Actor,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            resource: Resource::Category,
            id: view.id,
            action,
            actor,
            payload: to_json(view)?,
            stale: if reshaped.is_empty() {
                Stale::Nothing
            } else {
                Stale::FiledUnder(reshaped)
            },
            goes_live_at: None,
            comments_close_at: None,
        })
    }
}

impl Change {
    /// A comment whose change readers see (approved, unapproved, edited
    /// while approved, purged): the article's stored item is rendered again
    /// for its `comment_count`, and caches let go. A change only moderators
    /// see (a comment held, marked as spam) is not committed at all, so a
    /// flood of held spam never empties the response cache.
    pub fn comment(
        action: Action,
        view: &crate::comments::views::CommentEvent,
        actor: Actor,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            resource: Resource::Comment,
            id: view.id,
            action,
            actor,
            payload: to_json(view)?,
            stale: Stale::Articles(vec![view.article_id]),
            goes_live_at: None,
            comments_close_at: None,
        })
    }
}

/// Ends a write: see the module's documentation.
pub fn commit(tx: &mut Tx<'_>, change: Change) -> Result<(), ApiError> {
    match &change.stale {
        Stale::Nothing => {}
        Stale::Article(rendering) => renderings::store(tx, std::slice::from_ref(rendering))?,
        Stale::SignedBy(author_id) => renderings::refresh_signed_by(tx, *author_id)?,
        Stale::Tagged(tag_id) => renderings::refresh_tagged(tx, *tag_id)?,
        Stale::FiledUnder(category_ids) => renderings::refresh_filed_under(tx, category_ids)?,
        Stale::Featuring(media) => renderings::refresh_featuring(tx, media)?,
        Stale::Articles(ids) => renderings::refresh_articles(tx, ids)?,
    }
    diesel::insert_into(content_events::table)
        .values((
            content_events::resource.eq(change.resource.as_str()),
            content_events::resource_id.eq(change.id),
            content_events::action.eq(change.action.as_str()),
            content_events::actor_user_id.eq(change.actor.user_id),
            content_events::credential.eq(&change.actor.credential),
            content_events::payload.eq(&change.payload),
            content_events::created_at.eq(timestamp::now()),
        ))
        .execute(tx.conn())?;
    if let Some(at) = change.goes_live_at {
        crate::content::articles::go_live::schedule(tx, change.id, at)?;
    }
    if let Some(at) = change.comments_close_at {
        crate::comments::closing::schedule(tx, change.id, at)?;
    }
    tx.content_changed();
    Ok(())
}
