//! What can be done with the media library, one function per use case.
//!
//! An upload is processed (off the async workers), its files staged in the
//! store, its row committed, and only then its files made visible: a
//! failure in between leaves nothing served. Identical bytes are processed
//! and stored once; each upload still gets its own object (its own texts).
//! A deletion commits, then a job removes the files once no object uses
//! them (in a transaction holding the same lock an upload of those bytes
//! takes, so the two never cross).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::context::Media;
use super::format::Format;
use super::input::{FileName, MediaPatch, MediaTexts, UploadTexts};
use super::processing::{self, Processed};
use super::queries::{self, MediaFilter, Start};
use super::rows::{MediaRow, MediaTextsForm, NewMediaRow, StoredRendition};
use super::views::{MediaUrls, MediaView};
use crate::auth::Caller;
use crate::auth::policy;
use crate::changes::{self, Action, Actor, Change};
use crate::content::Precondition;
use crate::content::articles::featured;
use crate::db::{Tx, slug_lock};
use crate::error::ApiError;
use crate::jobs::{self, Job};
use crate::timestamp;

/// The job that removes a deleted object's files once nothing uses them.
pub const PURGE: &str = "media.purge";

fn not_found() -> ApiError {
    ApiError::not_found("no media has this id")
}

/// An upload as a transport received it.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub file_name: Option<String>,
    pub texts: UploadTexts,
    /// The client's own name for it (`Part::Reference`), not stored.
    pub reference: Option<String>,
}

pub async fn upload(cx: &Media, caller: &Caller, upload: Upload) -> Result<MediaView, ApiError> {
    policy::authorize_media_upload(caller)?;
    let texts = MediaTexts::from_upload(&upload.texts)?;
    let name = FileName::parse(upload.file_name.as_deref())?;
    let hash = hex::encode(Sha256::digest(&upload.bytes));
    let dir = format!("{}/{hash}", &hash[..2]);
    let for_lookup = hash.clone();
    let stored = cx
        .db
        .read(move |conn| Ok(queries::with_hash(conn, &for_lookup)?))
        .await?;
    let actor = Actor::of(caller);
    let created_by = caller.user_id();
    if let Some(stored) = stored {
        // Stored already: only the texts the photo carries are read again.
        let limits = cx.limits.clone();
        let bytes = upload.bytes;
        let inspected = cx
            .work
            .run(move || processing::inspect(&bytes, &limits))
            .await??;
        let texts = texts.or_embedded(&inspected.embedded);
        let urls = cx.urls.clone();
        let row = cx
            .db
            .write(move |tx| {
                slug_lock::hold(tx, "media", &hash)?;
                let facts = Facts::of_row(&stored);
                insert(
                    tx,
                    &hash,
                    &facts,
                    &name,
                    &texts,
                    created_by,
                    actor.clone(),
                    &urls,
                )
            })
            .await?;
        return MediaView::new(row, &cx.urls);
    }
    let limits = cx.limits.clone();
    let bytes = upload.bytes;
    let processed: Processed = cx
        .work
        .run(move || processing::process(&bytes, &limits))
        .await??;
    let storage_key = format!("{dir}/{}", name.slug);
    let facts = Facts::of_processed(&processed, &storage_key);
    let texts = texts.or_embedded(&processed.embedded);
    let files = files_of(processed, &name.slug);
    let staged = cx.store.stage(&dir, files).await?;
    let urls = cx.urls.clone();
    let written = cx
        .db
        .write(move |tx| {
            slug_lock::hold(tx, "media", &hash)?;
            insert(
                tx,
                &hash,
                &facts,
                &name,
                &texts,
                created_by,
                actor.clone(),
                &urls,
            )
        })
        .await;
    let row = match written {
        Ok(row) => row,
        Err(e) => {
            cx.store.discard(staged).await;
            return Err(e);
        }
    };
    if let Err(e) = cx.store.promote(staged).await {
        // The row names files the sweep will make visible (`sweep`).
        tracing::error!(media = row.id, error = %e.problem().detail, "media files not made visible");
    }
    MediaView::new(row, &cx.urls)
}

/// What an object says of its files, shared by uploads of the same bytes.
#[derive(Debug, Clone)]
struct Facts {
    storage_key: String,
    mime_type: String,
    width: i32,
    height: i32,
    bytes: i64,
    placeholder: String,
    dominant_color: String,
    renditions: String,
}

impl Facts {
    fn of_row(row: &MediaRow) -> Self {
        Self {
            storage_key: row.storage_key.clone(),
            mime_type: row.mime_type.clone(),
            width: row.width,
            height: row.height,
            bytes: row.bytes,
            placeholder: row.placeholder.clone(),
            dominant_color: row.dominant_color.clone(),
            renditions: row.renditions.clone(),
        }
    }

    fn of_processed(processed: &Processed, storage_key: &str) -> Self {
        let renditions: Vec<StoredRendition> = processed
            .renditions
            .iter()
            .map(|r| StoredRendition {
                width: r.width,
                height: r.height,
                mime_type: r.format.mime_type().to_owned(),
                bytes: r.bytes.len() as u64,
            })
            .collect();
        let original = &processed.original;
        Self {
            storage_key: storage_key.to_owned(),
            mime_type: original.format.mime_type().to_owned(),
            width: i32::try_from(original.width).unwrap_or(i32::MAX),
            height: i32::try_from(original.height).unwrap_or(i32::MAX),
            bytes: i64::try_from(original.bytes.len()).unwrap_or(i64::MAX),
            placeholder: processed.placeholder.clone(),
            dominant_color: processed.dominant_color.clone(),
            renditions: serde_json::to_string(&renditions).unwrap_or_else(|_| "[]".to_owned()),
        }
    }
}

/// The files of an upload, named as `MediaView` finds them. Takes the
/// processed upload so that its bytes move to the store rather than being
/// copied (an upload's files are several megabytes).
fn files_of(processed: Processed, slug: &str) -> Vec<(String, Vec<u8>)> {
    let original = processed.original;
    let mut files = vec![(
        format!("{slug}.{}", original.format.extension()),
        original.bytes,
    )];
    for rendition in processed.renditions {
        files.push((
            format!(
                "{slug}-{}w.{}",
                rendition.width,
                rendition.format.extension()
            ),
            rendition.bytes,
        ));
    }
    files
}

#[allow(clippy::too_many_arguments)]
fn insert(
    tx: &mut Tx<'_>,
    hash: &str,
    facts: &Facts,
    name: &FileName,
    texts: &MediaTexts,
    created_by: Option<i64>,
    actor: Actor,
    urls: &MediaUrls,
) -> Result<MediaRow, ApiError> {
    let now = timestamp::now();
    let search_text = texts.search_text(&name.given);
    let id = queries::insert(
        tx,
        &NewMediaRow {
            content_hash: hash,
            storage_key: &facts.storage_key,
            file_name: &name.given,
            mime_type: &facts.mime_type,
            width: facts.width,
            height: facts.height,
            bytes: facts.bytes,
            alt: texts.alt.as_deref(),
            caption: texts.caption.as_deref(),
            credit: texts.credit.as_deref(),
            title: texts.title.as_deref(),
            placeholder: &facts.placeholder,
            dominant_color: &facts.dominant_color,
            renditions: &facts.renditions,
            search_text: &search_text,
            created_by,
            created_at: now,
            updated_at: now,
            version: 1,
        },
    )?;
    let row = queries::find(tx, id)?.ok_or_else(not_found)?;
    let view = MediaView::new(row.clone(), urls)?;
    changes::commit(tx, Change::media(Action::Created, &view, actor)?)?;
    Ok(row)
}

/// A list request, checked.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub filter: MediaFilter,
    pub start: Start,
    pub per_page: u32,
}

pub struct MediaPage {
    pub data: Vec<MediaView>,
    pub total: i64,
    /// The last id of this page when another follows.
    pub next: Option<i64>,
}

pub async fn list(cx: &Media, request: ListRequest) -> Result<MediaPage, ApiError> {
    let limit = i64::from(request.per_page);
    let (rows, total) = cx
        .db
        .read(move |conn| {
            Ok(queries::page(
                conn,
                &request.filter,
                request.start,
                limit + 1,
            )?)
        })
        .await?;
    let more = rows.len() as i64 > limit;
    let rows: Vec<MediaRow> = rows.into_iter().take(request.per_page as usize).collect();
    let next = more.then(|| rows.last().map(|r| r.id)).flatten();
    let data = rows
        .into_iter()
        .map(|row| MediaView::new(row, &cx.urls))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(MediaPage { data, total, next })
}

/// The media object whose original is at `url` (absolute or a path on
/// `origin`), for editors that name images by the URL their upload
/// answered (Ghost's `feature_image`); `None` for any other image.
pub async fn id_of_url(cx: &Media, origin: &str, url: &str) -> Result<Option<i64>, ApiError> {
    let path = url.strip_prefix(origin).unwrap_or(url);
    let Some(file) = path
        .strip_prefix(cx.urls.base())
        .and_then(|rest| rest.strip_prefix('/'))
    else {
        return Ok(None);
    };
    // `{storage_key}.{extension}`: renditions add a suffix and are not
    // the original.
    let Some((storage_key, _extension)) = file.rsplit_once('.') else {
        return Ok(None);
    };
    let storage_key = storage_key.to_owned();
    cx.db
        .read(move |conn| Ok(queries::with_storage_key(conn, &storage_key)?))
        .await
}

pub async fn get(cx: &Media, id: i64) -> Result<MediaView, ApiError> {
    let urls = cx.urls.clone();
    cx.db
        .read(move |conn| {
            let row = queries::find(conn, id)?.ok_or_else(not_found)?;
            view_of(conn, row, &urls)
        })
        .await
}

/// The view of a stored object, with the articles that feature it.
fn view_of(
    conn: &mut crate::db::DbConnection,
    row: MediaRow,
    urls: &MediaUrls,
) -> Result<MediaView, ApiError> {
    let id = row.id;
    let users = featured::featuring(conn, &[id])?;
    Ok(MediaView::new(row, urls)?.used_by(&users, id))
}

fn texts_of(row: &MediaRow) -> MediaTexts {
    MediaTexts {
        alt: row.alt.clone(),
        caption: row.caption.clone(),
        credit: row.credit.clone(),
        title: row.title.clone(),
    }
}

pub async fn update(
    cx: &Media,
    caller: &Caller,
    id: i64,
    expect: Precondition,
    patch: MediaPatch,
) -> Result<MediaView, ApiError> {
    policy::authorize_media_upload(caller)?;
    let actor = Actor::of(caller);
    let caller = caller.clone();
    let urls = cx.urls.clone();
    cx.db
        .write(move |tx| {
            let current = queries::find(tx, id)?.ok_or_else(not_found)?;
            policy::authorize_media_change(&caller, current.created_by)?;
            expect.check(&view_of(tx, current.clone(), &urls)?)?;
            let texts = patch.clone().apply(texts_of(&current))?;
            let search_text = texts.search_text(&current.file_name);
            queries::update_texts(
                tx,
                id,
                &MediaTextsForm {
                    alt: texts.alt.as_deref(),
                    caption: texts.caption.as_deref(),
                    credit: texts.credit.as_deref(),
                    title: texts.title.as_deref(),
                    search_text: &search_text,
                },
                timestamp::now(),
            )?;
            let row = queries::find(tx, id)?.ok_or_else(not_found)?;
            let view = view_of(tx, row, &urls)?;
            changes::commit(tx, Change::media(Action::Updated, &view, actor.clone())?)?;
            Ok(view)
        })
        .await
}

#[derive(Debug, Serialize, Deserialize)]
struct PurgePayload {
    hash: String,
    dir: String,
}

/// An object some articles feature is not deleted (409 naming them) unless
/// `force`, which takes it off them first.
pub async fn delete(
    cx: &Media,
    caller: &Caller,
    id: i64,
    expect: Precondition,
    force: bool,
) -> Result<(), ApiError> {
    policy::authorize_media_upload(caller)?;
    let actor = Actor::of(caller);
    let caller = caller.clone();
    let urls = cx.urls.clone();
    cx.db
        .write(move |tx| {
            let current = queries::find(tx, id)?.ok_or_else(not_found)?;
            policy::authorize_media_change(&caller, current.created_by)?;
            let view = view_of(tx, current.clone(), &urls)?;
            expect.check(&view)?;
            if !view.used_by.is_empty() && !force {
                let named: Vec<String> = view
                    .used_by
                    .iter()
                    .map(|a| format!("{} ({})", a.id, a.slug))
                    .collect();
                return Err(ApiError::conflict(format!(
                    "the featured image of article(s) {}; change them first, or delete with ?force=true to take it off them",
                    named.join(", ")
                )));
            }
            let detached = featured::detach(tx, id)?;
            queries::delete(tx, id)?;
            changes::commit(
                tx,
                Change::media_deleted(id, &current.storage_key, detached, actor.clone())?,
            )?;
            let now = timestamp::now();
            jobs::enqueue(
                tx,
                PURGE,
                &PurgePayload {
                    hash: current.content_hash.clone(),
                    dir: current.dir().to_owned(),
                },
                now,
                now,
            )?;
            Ok(())
        })
        .await
}

/// The purge job: the files go when no object uses their bytes any more.
pub fn purge(
    store: &crate::storage::MediaStore,
    tx: &mut Tx<'_>,
    job: &Job,
) -> Result<(), ApiError> {
    let PurgePayload { hash, dir } = job.payload()?;
    slug_lock::hold(tx, "media", &hash)?;
    if queries::with_hash(tx, &hash)?.is_none() {
        store.remove_dir_blocking(&dir)?;
    }
    Ok(())
}

/// What a sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Staged uploads whose row had committed, made visible.
    pub promoted: usize,
    /// Staged uploads whose row never committed, dropped.
    pub dropped: usize,
    /// Visible directories no row uses, removed.
    pub removed: usize,
}

/// Settles what a crash left in the store (`cms media gc`): staged uploads
/// older than `storage::STAGING_GRACE` whose row committed are made
/// visible, the others dropped; directories no row uses are removed. Each
/// decision is taken under the lock an upload of the same bytes takes.
pub fn sweep(db: &crate::db::Db, store: &crate::storage::MediaStore) -> Result<Swept, ApiError> {
    let listing = store.list_blocking()?;
    let mut swept = Swept::default();
    for (dir, location) in &listing.stale_staging {
        let hash = dir.rsplit('/').next().unwrap_or_default().to_owned();
        let used = db.write_blocking(|tx| {
            slug_lock::hold(tx, "media", &hash)?;
            Ok(queries::with_hash(tx, &hash)?.is_some())
        })?;
        if used {
            store.promote_blocking(location, dir)?;
            swept.promoted += 1;
        } else {
            store.remove_staging_blocking(location)?;
            swept.dropped += 1;
        }
    }
    let in_use = {
        let mut conn = db.get_blocking()?;
        queries::dirs_in_use(&mut conn)?
    };
    for dir in listing
        .dirs
        .iter()
        .filter(|d| in_use.binary_search(d).is_err())
    {
        let hash = dir.rsplit('/').next().unwrap_or_default().to_owned();
        let removed = db.write_blocking(|tx| {
            slug_lock::hold(tx, "media", &hash)?;
            let unused = queries::with_hash(tx, &hash)?.is_none();
            if unused {
                store.remove_dir_blocking(dir)?;
            }
            Ok(unused)
        })?;
        swept.removed += usize::from(removed);
    }
    Ok(swept)
}

/// The start-up pass: `sweep` once, on a thread of its own so that the
/// service answers meanwhile. Several processes starting together are
/// safe: each decision is taken under the upload lock, and promoting what
/// another process promoted already is a no-op.
pub fn sweep_in_background(db: crate::db::Db, store: crate::storage::MediaStore) {
    let spawned = std::thread::Builder::new()
        .name("media-sweep".to_owned())
        .spawn(move || match sweep(&db, &store) {
            Ok(swept) if swept == Swept::default() => {
                tracing::debug!("media store swept: nothing to settle");
            }
            Ok(swept) => tracing::info!(
                promoted = swept.promoted,
                dropped = swept.dropped,
                removed = swept.removed,
                "media store swept at start"
            ),
            Err(e) => tracing::warn!(
                error = %e.problem().detail,
                "media store not swept at start; `cms media gc` does it"
            ),
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "media store not swept at start");
    }
}

/// The format a `mime_type` filter names, or a 400.
pub fn mime_filter(raw: &str) -> Result<String, ApiError> {
    Format::from_mime_type(raw)
        .map(|f| f.mime_type().to_owned())
        .ok_or_else(|| {
            ApiError::bad_parameter(
                "mime_type",
                "invalid_value",
                "`mime_type` must be image/jpeg, image/png, image/webp or image/gif",
            )
        })
}
