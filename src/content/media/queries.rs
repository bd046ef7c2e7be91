//! Every statement about `media`.

use diesel::prelude::*;

use super::rows::{MediaRow, MediaTextsForm, NewMediaRow};
use crate::content::text;
use crate::db::schema::media;
use crate::db::{DbBackend, DbConnection};

/// What a list selects, checked.
#[derive(Debug, Clone, Default)]
pub struct MediaFilter {
    pub mime_type: Option<String>,
    /// Folded words, all of which must appear.
    pub words: Vec<String>,
}

/// Where a page starts: an offset (`page`), or after an id (`cursor`).
#[derive(Debug, Clone, Copy)]
pub enum Start {
    Offset(i64),
    Before(i64),
}

type Boxed<'a> = media::BoxedQuery<'a, DbBackend>;

fn filtered<'a>(filter: &MediaFilter) -> Boxed<'a> {
    let mut query = media::table.into_boxed();
    if let Some(mime) = &filter.mime_type {
        query = query.filter(media::mime_type.eq(mime.clone()));
    }
    for word in &filter.words {
        query = query.filter(
            media::search_text
                .like(text::contains_pattern(word))
                .escape('\\'),
        );
    }
    query
}

/// One page, newest first, and the total.
pub fn page(
    conn: &mut DbConnection,
    filter: &MediaFilter,
    start: Start,
    limit: i64,
) -> QueryResult<(Vec<MediaRow>, i64)> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let query = filtered(filter)
        .select(MediaRow::as_select())
        .order(media::id.desc())
        .limit(limit);
    let rows = match start {
        Start::Offset(offset) => query.offset(offset).load(conn)?,
        Start::Before(id) => query.filter(media::id.lt(id)).load(conn)?,
    };
    Ok((rows, total))
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<MediaRow>> {
    media::table
        .find(id)
        .select(MediaRow::as_select())
        .first(conn)
        .optional()
}

/// A stored object with these bytes, whose files can be shared.
pub fn with_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<MediaRow>> {
    media::table
        .filter(media::content_hash.eq(hash))
        .select(MediaRow::as_select())
        .order(media::id)
        .first(conn)
        .optional()
}

/// The first media object stored under `storage_key` (uploads of the
/// same bytes and name share their files).
pub fn with_storage_key(conn: &mut DbConnection, storage_key: &str) -> QueryResult<Option<i64>> {
    media::table
        .filter(media::storage_key.eq(storage_key))
        .select(media::id)
        .order(media::id)
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &NewMediaRow<'_>) -> QueryResult<i64> {
    diesel::insert_into(media::table)
        .values(row)
        .returning(media::id)
        .get_result(conn)
}

pub fn update_texts(
    conn: &mut DbConnection,
    id: i64,
    texts: &MediaTextsForm<'_>,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(media::table.find(id))
        .set((
            texts,
            media::updated_at.eq(now),
            media::version.eq(media::version + 1),
        ))
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(media::table.find(id))
        .execute(conn)
        .map(drop)
}

/// Every storage directory some row uses, for the sweep.
pub fn dirs_in_use(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    let keys: Vec<String> = media::table
        .select(media::storage_key)
        .distinct()
        .load(conn)?;
    let mut dirs: Vec<String> = keys
        .iter()
        .filter_map(|k| k.rsplit_once('/').map(|(dir, _)| dir.to_owned()))
        .collect();
    dirs.sort();
    dirs.dedup();
    Ok(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_are_prepared_once() {
        let now = crate::timestamp::now();
        let row = NewMediaRow {
            content_hash: "ab",
            storage_key: "ab/ab/photo",
            file_name: "photo.jpg",
            mime_type: "image/jpeg",
            width: 1,
            height: 1,
            bytes: 1,
            alt: None,
            caption: None,
            credit: None,
            title: None,
            placeholder: "",
            dominant_color: "#000000",
            renditions: "[]",
            search_text: "",
            created_by: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        assert!(crate::db::prepared_once(
            &diesel::insert_into(media::table).values(&row)
        ));
    }
}
