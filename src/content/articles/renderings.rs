//! Each article as a public list shows it, serialised when it is written:
//! its list item, in `article_renderings`. A public page is then read
//! rather than built: its ids come from the list index alone, then the
//! items by key, and the response is their bytes joined. A public article
//! by slug is its item with its two bodies set in (`detail`): one indexed
//! lookup, and only the bodies to escape. Building them instead reads the
//! article's bylines and tags and serialises everything again.
//!
//! What keeps an item equal to the view it was made from:
//! - an article write stores its item in its own transaction (`store`);
//! - a write that changes a name articles embed (an author's, a tag's, a
//!   category's or its place in the tree) rewrites the items of the
//!   articles that show it in the same transaction (`refresh_*`), holding
//!   `db::embedded_names` so that no article write renders from the old
//!   name meanwhile;
//! - an item of another `SHAPE` is never served (the answer is built as
//!   before), and the `backfill` job rewrites it after start-up.
//!
//! Only public reads use them: the public sees one status for every
//! article it can see, and these answers carry no `fields` trimming.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::queries::public_now;
use super::rows::{ArticleRow, ArticleSummaryRow};
use super::views::ArticleView;
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::lookup::IdOrSlug;
use crate::db::DbConnection;
use crate::db::embedded_names::{self, Hold};
use crate::db::id_list::id_in;
use crate::db::schema::{article_authors, article_renderings, article_tags, articles};
use crate::error::ApiError;
use crate::http::listing::ListMeta;

/// The layout version of the stored JSON. Bump it with any change to what
/// `ArticleView` serialises: renderings of the old shape are then ignored
/// by reads and rewritten by the `backfill` job. A test records the JSON shape
/// this number stands for and fails on a new shape under the same number.
pub const SHAPE: i32 = 3;

/// Renderings written per statement.
const BATCH: usize = 200;

/// An article's stored list item, as JSON bytes.
#[derive(Debug, Clone)]
pub struct Rendering {
    pub article_id: i64,
    /// As a list shows it: without `body` and `body_html`.
    pub list_item: Vec<u8>,
}

/// The list item of an article from its view, with the status the public
/// sees once it can see the article at all: public reads show published
/// articles and scheduled ones whose time has come, which read `published`
/// (`ArticleRow::effective_status`).
pub fn render(view: &ArticleView) -> Result<Rendering, ApiError> {
    let mut item = view.clone().for_public();
    item.body = None;
    item.body_html = None;
    if item.status == ArticleStatus::Scheduled {
        item.status = ArticleStatus::Published;
    }
    let list_item = serde_json::to_vec(&item)
        .map_err(|e| ApiError::Internal(format!("cannot serialise an article: {e}")))?;
    Ok(Rendering {
        article_id: view.id,
        list_item,
    })
}

/// Writes these renderings, replacing the ones their articles had.
pub fn store(conn: &mut DbConnection, renderings: &[Rendering]) -> QueryResult<()> {
    use diesel::upsert::excluded;
    let rows: Vec<_> = renderings
        .iter()
        .map(|r| {
            (
                article_renderings::article_id.eq(r.article_id),
                article_renderings::shape.eq(SHAPE),
                article_renderings::list_item.eq(r.list_item.as_slice()),
            )
        })
        .collect();
    for chunk in rows.chunks(BATCH) {
        crate::on_each_backend!(&mut *conn, |c| diesel::insert_into(
            article_renderings::table
        )
        .values(chunk)
        .on_conflict(article_renderings::article_id)
        .do_update()
        .set((
            article_renderings::shape.eq(excluded(article_renderings::shape)),
            article_renderings::list_item.eq(excluded(article_renderings::list_item)),
        ))
        .execute(c))?;
    }
    Ok(())
}

/// The public detail of the article `key` names, if the public may read it
/// at `now` and it has a current item: the item with its bodies set in.
/// `None` otherwise (the caller then builds the answer, or says 404).
pub fn public_detail(
    conn: &mut DbConnection,
    key: &IdOrSlug,
    now: NaiveDateTime,
) -> QueryResult<Option<Vec<u8>>> {
    let query = articles::table
        .inner_join(article_renderings::table)
        .filter(public_now(now))
        .filter(article_renderings::shape.eq(SHAPE))
        .select((
            article_renderings::list_item,
            articles::body,
            articles::body_html,
        ));
    let found: Option<(Vec<u8>, String, String)> = match key {
        IdOrSlug::Id(id) => query.filter(articles::id.eq(*id)).first(conn).optional()?,
        IdOrSlug::Slug(slug) => query
            .filter(articles::slug.eq(slug.as_str()))
            .first(conn)
            .optional()?,
    };
    Ok(found.and_then(|(item, body, body_html)| detail(&item, &body, &body_html)))
}

/// The detail of an article from its list item: the bytes `serde_json`
/// writes for the same view with its bodies, which sit between `excerpt`
/// and `status` (`ArticleView`'s field order): `body` before `body_format`
/// and `body_html` after it. A key with its quotes cannot occur inside a
/// string value, where every quote is escaped, so the first `,"body_format":`
/// and the first `,"status":` are the fields. `None` if either is missing.
pub fn detail(item: &[u8], body: &str, body_html: &str) -> Option<Vec<u8>> {
    const BODY_FORMAT: &[u8] = b",\"body_format\":";
    const STATUS: &[u8] = b",\"status\":";
    let find = |needle: &[u8], from: usize| {
        item.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|at| at + from)
    };
    let body_format = find(BODY_FORMAT, 0)?;
    let status = find(STATUS, body_format)?;
    let mut out = Vec::with_capacity(item.len() + body.len() + body_html.len() + 64);
    out.extend_from_slice(&item[..body_format]);
    out.extend_from_slice(b",\"body\":");
    serde_json::to_writer(&mut out, body).ok()?;
    out.extend_from_slice(&item[body_format..status]);
    out.extend_from_slice(b",\"body_html\":");
    serde_json::to_writer(&mut out, body_html).ok()?;
    out.extend_from_slice(&item[status..]);
    Some(out)
}

/// A page's JSON from its list items: exactly the bytes `serde_json`
/// writes for the same `ListEnvelope` of views (pinned by a test), so the
/// ETag of a page does not depend on how it was made.
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

/// Rebuilds the renderings of `ids` from what this transaction reads.
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
        let renderings = rows
            .into_iter()
            .map(|row| render(&ArticleView::new(row, &relations, false, now)))
            .collect::<Result<Vec<_>, _>>()?;
        store(conn, &renderings)?;
    }
    Ok(())
}

/// Re-renders the articles `showing` selects: after a write changed a name
/// they show, or in the `backfill` job. The exclusive lock comes first, so that
/// the selection also sees every article written before it and none is
/// written during it.
pub(super) fn rerender(
    conn: &mut DbConnection,
    showing: impl FnOnce(&mut DbConnection) -> QueryResult<Vec<i64>>,
) -> Result<(), ApiError> {
    embedded_names::hold(conn, Hold::Exclusive)?;
    let ids = showing(conn)?;
    refresh(conn, &ids)
}

/// After a media object's texts changed: the articles featuring it, their
/// featured image resolved again first.
pub fn refresh_featuring(
    conn: &mut DbConnection,
    media: &crate::content::media::views::MediaView,
) -> Result<(), ApiError> {
    embedded_names::hold(conn, Hold::Exclusive)?;
    let ids = super::featured::refresh_for(conn, media)?;
    refresh(conn, &ids)
}

/// These articles, changed by a write to something else (a media object
/// taken off them).
pub fn refresh_articles(conn: &mut DbConnection, ids: &[i64]) -> Result<(), ApiError> {
    embedded_names::hold(conn, Hold::Exclusive)?;
    refresh(conn, ids)
}

/// After a byline's name or slug changed: the articles it signs.
pub fn refresh_signed_by(conn: &mut DbConnection, author_id: i64) -> Result<(), ApiError> {
    rerender(conn, |conn| {
        article_authors::table
            .filter(article_authors::author_id.eq(author_id))
            .select(article_authors::article_id)
            .load(conn)
    })
}

/// After a tag's name or slug changed: the articles it labels.
pub fn refresh_tagged(conn: &mut DbConnection, tag_id: i64) -> Result<(), ApiError> {
    rerender(conn, |conn| {
        article_tags::table
            .filter(article_tags::tag_id.eq(tag_id))
            .select(article_tags::article_id)
            .load(conn)
    })
}

/// After a category's name, slug or parent changed: the articles filed
/// under it or below it (their breadcrumbs pass through it).
pub fn refresh_filed_under(conn: &mut DbConnection, category_ids: &[i64]) -> Result<(), ApiError> {
    rerender(conn, |conn| {
        articles::table
            .filter(id_in(articles::category_id, category_ids))
            .select(articles::id)
            .load(conn)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::content::articles::views::{FeaturedImage, Seo};
    use crate::content::authors::views::AuthorRef;
    use crate::content::body::BodyFormat;
    use crate::content::categories::views::{CategoryCrumb, CategoryRef};
    use crate::content::tags::views::TagRef;
    use crate::http::listing::ListEnvelope;

    /// The `SHAPE` in force and a digest of the JSON shape of `ArticleView`
    /// it stands for (`view_shape`). A stored rendering of another shape
    /// would be served as current if `SHAPE` stayed the same.
    const SHAPE_FINGERPRINT: (i32, &str) = (3, "8ea13afea2bd16aa");

    /// A view with every optional field set and every list non-empty, so
    /// that its JSON shows every key `ArticleView` can write.
    fn fully_populated_view() -> ArticleView {
        let now = crate::timestamp::now();
        let author = AuthorRef {
            id: 2,
            slug: "aissata-maiga".to_owned(),
            name: "Aïssata Maïga".to_owned(),
        };
        ArticleView {
            id: 42,
            slug: "accord-de-niamey".to_owned(),
            title: "L’accord de Niamey".to_owned(),
            excerpt: "Un accord signé à Niamey.".to_owned(),
            body: Some("Un **accord**.".to_owned()),
            body_format: BodyFormat::Markdown,
            body_html: Some("<p>Un <strong>accord</strong>.</p>".to_owned()),
            status: ArticleStatus::Published,
            published_at: Some(now),
            created_at: now,
            updated_at: now,
            version: 3,
            language: "fr".to_owned(),
            author: Some(author.clone()),
            authors: vec![author],
            category: Some(CategoryRef {
                id: 2,
                slug: "diplomatie".to_owned(),
                name: "Diplomatie".to_owned(),
                path: vec![CategoryCrumb {
                    id: 2,
                    slug: "diplomatie".to_owned(),
                    name: "Diplomatie".to_owned(),
                }],
            }),
            tags: vec![TagRef {
                id: 3,
                slug: "sahel".to_owned(),
                name: "Sahel".to_owned(),
            }],
            featured_image: Some(FeaturedImage {
                id: Some(12),
                url: "/media/ab/abcd/niamey.jpg".to_owned(),
                alt: Some("Le fleuve Niger".to_owned()),
                caption: Some("Niamey.".to_owned()),
                credit: Some("© ANP".to_owned()),
                width: Some(1600),
                height: Some(900),
                mime_type: Some("image/jpeg".to_owned()),
                placeholder: Some("LEHV6nWB2yk8pyo0adR*.7kCMdnj".to_owned()),
                dominant_color: Some("#7a8b99".to_owned()),
                renditions: Some(vec![crate::content::media::views::RenditionView {
                    url: "/media/ab/abcd/niamey-320w.webp".to_owned(),
                    width: 320,
                    height: 180,
                    mime_type: "image/webp".to_owned(),
                    bytes: 9_000,
                }]),
                srcset: Some("/media/ab/abcd/niamey-320w.jpg 320w".to_owned()),
                srcset_webp: Some("/media/ab/abcd/niamey-320w.webp 320w".to_owned()),
            }),
            seo: Seo {
                title: Some("L’accord".to_owned()),
                description: Some("Un accord.".to_owned()),
                canonical_url: Some("https://journal.example/accord".to_owned()),
            },
            featured: true,
            sponsored: true,
            comments_enabled: true,
            comment_count: 2,
            comments_open: true,
            comments_close_at: None,
            reading_time_minutes: 3,
            word_count: 540,
        }
    }

    /// Every key path of `value` with the JSON type found there (`[]` for
    /// the items of an array), values aside.
    fn collect_shape(value: &serde_json::Value, path: &str, out: &mut BTreeSet<String>) {
        use serde_json::Value;
        let kind = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_f64() => "number",
            Value::Number(_) => "integer",
            Value::String(_) => "string",
            Value::Array(items) => {
                for item in items {
                    collect_shape(item, &format!("{path}[]"), out);
                }
                if items.is_empty() {
                    "empty array"
                } else {
                    "array"
                }
            }
            Value::Object(fields) => {
                for (key, field) in fields {
                    collect_shape(field, &format!("{path}.{key}"), out);
                }
                "object"
            }
        };
        out.insert(format!("{path}: {kind}"));
    }

    /// The sorted key paths and types of a fully populated view's JSON.
    fn view_shape() -> String {
        let json = serde_json::to_value(fully_populated_view()).unwrap();
        let mut paths = BTreeSet::new();
        collect_shape(&json, "$", &mut paths);
        paths.into_iter().collect::<Vec<_>>().join("\n")
    }

    /// Stored renderings are trusted while their `shape` is `SHAPE`: what
    /// `ArticleView` writes cannot change without a new `SHAPE`.
    #[test]
    fn what_a_view_serialises_changes_only_with_shape() {
        use sha2::{Digest, Sha256};
        let shape = view_shape();
        assert!(
            !shape.contains(": null") && !shape.contains(": empty array"),
            "fully_populated_view must set every optional field and fill every list:\n{shape}"
        );
        let digest = hex::encode(&Sha256::digest(shape.as_bytes())[..8]);
        let advice = if SHAPE != SHAPE_FINGERPRINT.0 {
            format!("SHAPE is now {SHAPE}: set SHAPE_FINGERPRINT to ({SHAPE}, \"{digest}\")")
        } else {
            let next = SHAPE + 1;
            format!(
                "what ArticleView serialises changed: bump SHAPE to {next} (renderings \
                 of the old shape are then ignored, and rewritten by a backfill) and set \
                 SHAPE_FINGERPRINT to ({next}, \"{digest}\")"
            )
        };
        assert!(
            (SHAPE, digest.as_str()) == SHAPE_FINGERPRINT,
            "{advice}. The shape now:\n{shape}"
        );
    }

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

    /// The bodies go where serde puts them, even when other strings hold
    /// what looks like the keys (escaped there, so never a match).
    #[test]
    fn a_detail_is_the_item_with_its_bodies_where_serde_puts_them() {
        #[derive(serde::Serialize)]
        struct Article<'a> {
            id: i64,
            title: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            body: Option<&'a str>,
            body_format: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            body_html: Option<&'a str>,
            status: &'a str,
            tags: Vec<&'a str>,
        }
        let title = r#"Titre ,"body_format":"x","status":"y" « piège » ’ 🌍"#;
        let body = "Un **corps** « guillemets » \"cités\"\n\tet ’ 🌍 </script>";
        let body_html = "<p>Un <strong>corps</strong> &laquo; \"cités\" ’ 🌍</p>";
        let article = |with_bodies: bool| Article {
            id: 7,
            title,
            body: with_bodies.then_some(body),
            body_format: "markdown",
            body_html: with_bodies.then_some(body_html),
            status: "published",
            tags: vec![",\"status\":"],
        };
        let item = serde_json::to_vec(&article(false)).unwrap();
        let expected = serde_json::to_vec(&article(true)).unwrap();
        assert_eq!(
            String::from_utf8(detail(&item, body, body_html).unwrap()).unwrap(),
            String::from_utf8(expected).unwrap()
        );
        assert!(detail(br#"{"id":1}"#, body, body_html).is_none());
    }
}
