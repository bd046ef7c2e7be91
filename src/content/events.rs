//! The outbox: one `content_events` row per content write, inserted in the
//! same transaction as the write, so that cache invalidation now (and
//! webhooks, the audit log, the scheduler later) never miss nor invent one.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::content_events;
use crate::timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Article,
    Category,
    Author,
    Tag,
}

impl Resource {
    fn as_str(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Category => "category",
            Self::Author => "author",
            Self::Tag => "tag",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Deleted,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
        }
    }
}

pub fn record(
    conn: &mut DbConnection,
    resource: Resource,
    resource_id: i64,
    action: Action,
    actor_user_id: Option<i64>,
) -> QueryResult<()> {
    diesel::insert_into(content_events::table)
        .values((
            content_events::resource.eq(resource.as_str()),
            content_events::resource_id.eq(resource_id),
            content_events::action.eq(action.as_str()),
            content_events::actor_user_id.eq(actor_user_id),
            content_events::created_at.eq(timestamp::now()),
        ))
        .execute(conn)
        .map(|_| ())
}
