//! Each article as a public list shows it, serialised when it is written,
//! so that a public page is read rather than built: the page's ids come from
//! the list index alone, then these items by key (`article_list_items`), and
//! the response is their bytes joined. Building a page instead reads every
//! article's wide row, its bylines and tags, and serialises it all again.
//!
//! What keeps an item equal to the view it was made from:
//! - an article write stores its item in its own transaction (`store`);
//! - a write that changes a name articles embed (an author's, a tag's, a
//!   category's or its place in the tree) rewrites the items of the articles
//!   that show it in the same transaction (`refresh_*`), holding
//!   `db::embedded_names` so that no article write builds an item from the
//!   old name meanwhile;
//! - an item of another `SHAPE` is never served (the page is built as
//!   before), and `backfill` rewrites it after start-up.
//!
//! Only public lists read items: their status is the same for every article
//! they show, and they carry neither body nor `fields` trimming.

use std::collections::HashMap;

use diesel::prelude::*;

use super::rows::{ArticleRow, ArticleSummaryRow};
use super::views::ArticleView;
use crate::content::status::ArticleStatus;
use crate::db::DbConnection;
use crate::db::embedded_names::{self, Hold};
use crate::db::id_list::id_in;
use crate::db::schema::{article_authors, article_list_items, article_tags, articles};
use crate::error::ApiError;
use crate::http::listing::ListMeta;

/// The layout version of a stored item. Bump it with any change to what
/// `ArticleView` serialises: items of the old shape are then ignored by
/// reads and rewritten by `backfill`.
pub const SHAPE: i32 = 1;

/// Items rewritten per statement, and per transaction in `backfill`.
const BATCH: usize = 500;

/// The list item of an article from its view: no body, and the status the
/// public sees once it can see the article at all. Public lists show
/// published articles and scheduled ones whose time has come, which read
/// `published` (`ArticleRow::effective_status`).
pub fn item_of(view: &ArticleView) -> Result<Vec<u8>, ApiError> {
    let mut item = view.clone();
    item.body = None;
    item.body_html = None;
    if item.status == ArticleStatus::Scheduled {
        item.status = ArticleStatus::Published;
    }
    serde_json::to_vec(&item)
        .map_err(|e| ApiError::Internal(format!("cannot serialise an article: {e}")))
}

/// Writes the items of these articles, replacing any they had.
pub fn store(conn: &mut DbConnection, items: &[(i64, Vec<u8>)]) -> QueryResult<()> {
    use diesel::upsert::excluded;
    let rows: Vec<_> = items
        .iter()
        .map(|(id, item)| {
            (
                article_list_items::article_id.eq(*id),
                article_list_items::shape.eq(SHAPE),
                article_list_items::item.eq(item.as_slice()),
            )
        })
        .collect();
    for chunk in rows.chunks(BATCH) {
        crate::on_each_backend!(&mut *conn, |c| diesel::insert_into(
            article_list_items::table
        )
        .values(chunk)
        .on_conflict(article_list_items::article_id)
        .do_update()
        .set((
            article_list_items::shape.eq(excluded(article_list_items::shape)),
            article_list_items::item.eq(excluded(article_list_items::item)),
        ))
        .execute(c))?;
    }
    Ok(())
}

/// The current-shape items of `ids`, by article id. An article missing from
/// the map has no usable item.
pub fn load(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<u8>>> {
    Ok(article_list_items::table
        .filter(id_in(article_list_items::article_id, ids))
        .filter(article_list_items::shape.eq(SHAPE))
        .select((article_list_items::article_id, article_list_items::item))
        .load::<(i64, Vec<u8>)>(conn)?
        .into_iter()
        .collect())
}

/// A page's JSON from its items: exactly the bytes `serde_json` writes for
/// the same `ListEnvelope` of views (pinned by a test), so the ETag of a
/// page does not depend on how it was made.
pub fn envelope(items: &[Vec<u8>], meta: &ListMeta) -> Result<Vec<u8>, ApiError> {
    let meta = serde_json::to_vec(meta)
        .map_err(|e| ApiError::Internal(format!("cannot serialise a page: {e}")))?;
    let size = items.iter().map(|i| i.len() + 1).sum::<usize>() + meta.len() + 20;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(b"{\"data\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
    out.extend_from_slice(b"],\"meta\":");
    out.extend_from_slice(&meta);
    out.push(b'}');
    Ok(out)
}

/// Rebuilds the items of `ids` from what this transaction reads.
pub fn refresh(conn: &mut DbConnection, ids: &[i64]) -> Result<(), ApiError> {
    let tree = std::sync::Arc::new(crate::content::categories::queries::load_tree(conn)?);
    let now = crate::timestamp::now();
    for chunk in ids.chunks(BATCH) {
        let rows: Vec<ArticleRow> = articles::table
            .filter(id_in(articles::id, chunk))
            .select(ArticleSummaryRow::as_select())
            .load::<ArticleSummaryRow>(conn)?
            .into_iter()
            .map(ArticleRow::from)
            .collect();
        let found: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let relations = super::queries::relations(conn, &found, std::sync::Arc::clone(&tree))?;
        let items = rows
            .into_iter()
            .map(|row| {
                let id = row.id;
                item_of(&ArticleView::new(row, &relations, false, now)).map(|item| (id, item))
            })
            .collect::<Result<Vec<_>, _>>()?;
        store(conn, &items)?;
    }
    Ok(())
}

/// After a byline's name or slug changed: the items of the articles it signs.
pub fn refresh_signed_by(conn: &mut DbConnection, author_id: i64) -> Result<(), ApiError> {
    embedded_names::hold(conn, Hold::Exclusive)?;
    let ids = article_authors::table
        .filter(article_authors::author_id.eq(author_id))
        .select(article_authors::article_id)
        .load::<i64>(conn)?;
    refresh(conn, &ids)
}

/// After a tag's name or slug changed: the items of the articles it labels.
pub fn refresh_tagged(conn: &mut DbConnection, tag_id: i64) -> Result<(), ApiError> {
    embedded_names::hold(conn, Hold::Exclusive)?;
    let ids = article_tags::table
        .filter(article_tags::tag_id.eq(tag_id))
        .select(article_tags::article_id)
        .load::<i64>(conn)?;
    refresh(conn, &ids)
}

/// After a category's name, slug or parent changed: the items of the
/// articles filed under it or below it (their breadcrumbs pass through it).
pub fn refresh_filed_under(conn: &mut DbConnection, category_ids: &[i64]) -> Result<(), ApiError> {
    embedded_names::hold(conn, Hold::Exclusive)?;
    let ids = articles::table
        .filter(id_in(articles::category_id, category_ids))
        .select(articles::id)
        .load::<i64>(conn)?;
    refresh(conn, &ids)
}

/// Writes one batch of the items that are missing or of another shape (a
/// database from before items, or from an older layout) and says how many
/// it wrote: call it until it says 0. Each batch is its own short write
/// transaction, so writers wait at most one batch.
pub fn backfill(conn: &mut DbConnection) -> Result<usize, ApiError> {
    embedded_names::hold(conn, Hold::Exclusive)?;
    // NOT EXISTS rather than NOT IN: PostgreSQL hashes a NOT IN list only
    // while it fits in `work_mem`, and otherwise rescans it for every row.
    let current = article_list_items::table
        .filter(article_list_items::article_id.eq(articles::id))
        .filter(article_list_items::shape.eq(SHAPE));
    let ids = articles::table
        .filter(diesel::dsl::not(diesel::dsl::exists(current)))
        .select(articles::id)
        .order(articles::id)
        .limit(BATCH as i64)
        .load::<i64>(conn)?;
    refresh(conn, &ids)?;
    Ok(ids.len())
}

/// Runs `backfill` to the end on a thread of its own, so that start-up does
/// not wait for it: until an article has its item, the pages showing it are
/// built as before.
pub fn backfill_in_background(db: crate::db::Db) {
    let spawned = std::thread::Builder::new()
        .name("list-items-backfill".into())
        .spawn(move || {
            let mut written = 0;
            loop {
                let batch = db
                    .get_blocking()
                    .and_then(|mut conn| conn.write_transaction(backfill));
                match batch {
                    Ok(0) => break,
                    Ok(n) => written += n,
                    Err(e) => {
                        tracing::warn!(
                            error = %e.problem().detail,
                            "list items backfill stopped; pages without items are built"
                        );
                        return;
                    }
                }
            }
            if written > 0 {
                tracing::info!(written, "list items backfilled");
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the list items backfill");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::listing::ListEnvelope;

    /// Items are stored as `serde_json` writes a view: compact, keys in
    /// declaration order. A `Value` of the same keys in that order
    /// serialises the same, so the envelope can be checked against serde's.
    #[test]
    fn the_envelope_is_the_bytes_serde_writes_for_the_same_page() {
        let items = vec![
            r#"{"id":2,"title":"Sommet d’Abuja « CEDEAO » 🌍"}"#
                .as_bytes()
                .to_vec(),
            r#"{"id":1,"title":"L\"accord\" de Niamey"}"#.as_bytes().to_vec(),
        ];
        for (items, cursor) in [
            (items.clone(), Some("abc".to_owned())),
            (items[..1].to_vec(), None),
            (Vec::new(), None),
        ] {
            let meta = ListMeta::new(Some(1), 20, 57, cursor);
            let data: Vec<serde_json::Value> = items
                .iter()
                .map(|i| serde_json::from_slice(i).unwrap())
                .collect();
            let expected = serde_json::to_vec(&ListEnvelope {
                data,
                meta: meta.clone(),
            })
            .unwrap();
            assert_eq!(
                String::from_utf8(envelope(&items, &meta).unwrap()).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }
}
