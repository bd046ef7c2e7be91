//! An article's featured image from the media library (`featured_image_id`).
//!
//! Resolved when the article is written, like its other embedded names:
//! the row keeps the media object's id (`articles.featured_image_id`, for
//! integrity and for finding the articles that use an image) and the image
//! as the article shows it (`articles.featured_image`, JSON), so reads join
//! nothing. The article's own `alt`, `caption` and `credit`, where it gave
//! them, are kept beside it (`overrides`) so that when the media object's
//! texts change, `refresh_for` shows the new ones everywhere else.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::views::FeaturedImage;
use crate::content::media::queries as media_queries;
use crate::content::media::views::{MediaUrls, MediaView};
use crate::db::DbConnection;
use crate::db::schema::articles;
use crate::error::{ApiError, FieldError};

/// Texts an article gives its featured image instead of the media's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// A media object chosen as the featured image, with the article's texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeaturedMedia {
    pub media_id: i64,
    pub overrides: Overrides,
}

/// `articles.featured_image` as stored: what the article shows, and the
/// overrides it was made with (never shown).
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    image: FeaturedImage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    overrides: Option<Overrides>,
}

/// The two columns an article write sets for its featured image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    pub json: Option<String>,
    pub media_id: Option<i64>,
}

fn to_json(stored: &Stored) -> Result<String, ApiError> {
    serde_json::to_string(stored)
        .map_err(|e| ApiError::Internal(format!("cannot serialise a featured image: {e}")))
}

/// The image an article shows for `media` with its `overrides`.
pub fn image_of(media: &MediaView, overrides: &Overrides) -> FeaturedImage {
    FeaturedImage {
        id: Some(media.id),
        url: media.url.clone(),
        alt: overrides.alt.clone().or_else(|| media.alt.clone()),
        caption: overrides.caption.clone().or_else(|| media.caption.clone()),
        credit: overrides.credit.clone().or_else(|| media.credit.clone()),
        width: i32::try_from(media.width).ok(),
        height: i32::try_from(media.height).ok(),
        mime_type: Some(media.mime_type.clone()),
        placeholder: Some(media.placeholder.clone()),
        dominant_color: Some(media.dominant_color.clone()),
        renditions: Some(media.renditions.clone()),
        srcset: Some(media.srcset.clone()),
        srcset_webp: Some(media.srcset_webp.clone()),
    }
}

/// The columns for an article showing `external` (an image given by URL)
/// or `media`; a media id that names nothing is a 422 naming
/// `featured_image_id`.
pub fn resolve(
    conn: &mut DbConnection,
    external: Option<&FeaturedImage>,
    media: Option<&FeaturedMedia>,
    urls: &MediaUrls,
) -> Result<Resolved, ApiError> {
    match (media, external) {
        (Some(chosen), _) => {
            let row = media_queries::find(conn, chosen.media_id)?.ok_or_else(|| {
                ApiError::Validation(vec![FieldError::new(
                    "featured_image_id",
                    "not_found",
                    "no media has this id",
                )])
            })?;
            let view = MediaView::new(row, urls)?;
            Ok(Resolved {
                json: Some(to_json(&Stored {
                    image: image_of(&view, &chosen.overrides),
                    overrides: Some(chosen.overrides.clone()),
                })?),
                media_id: Some(chosen.media_id),
            })
        }
        (None, Some(image)) => Ok(Resolved {
            json: Some(to_json(&Stored {
                image: image.clone(),
                overrides: None,
            })?),
            media_id: None,
        }),
        (None, None) => Ok(Resolved::default()),
    }
}

/// The media object and overrides a stored image was made from, if it
/// came from the library.
pub fn chosen_in(json: Option<&str>) -> Option<FeaturedMedia> {
    let stored: Stored = serde_json::from_str(json?).ok()?;
    Some(FeaturedMedia {
        media_id: stored.image.id?,
        overrides: stored.overrides.unwrap_or_default(),
    })
}

/// Shows `media`'s current texts and files in every article that features
/// it; the ids of those articles, whose renderings are now stale.
pub fn refresh_for(conn: &mut DbConnection, media: &MediaView) -> Result<Vec<i64>, ApiError> {
    let featuring: Vec<(i64, Option<String>)> = articles::table
        .filter(articles::featured_image_id.eq(media.id))
        .select((articles::id, articles::featured_image))
        .order(articles::id)
        .load(conn)?;
    for (id, json) in &featuring {
        let overrides = chosen_in(json.as_deref())
            .map(|c| c.overrides)
            .unwrap_or_default();
        let json = to_json(&Stored {
            image: image_of(media, &overrides),
            overrides: Some(overrides),
        })?;
        diesel::update(articles::table.find(*id))
            .set(articles::featured_image.eq(json))
            .execute(conn)?;
    }
    Ok(featuring.into_iter().map(|(id, _)| id).collect())
}

/// An article that shows a media object, as the object lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FeaturedIn {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = "le-president-a-cotonou")]
    pub slug: String,
    #[schema(example = "Le président à Cotonou")]
    pub title: String,
}

/// The articles featuring each of `media_ids`, oldest first.
pub fn featuring(
    conn: &mut DbConnection,
    media_ids: &[i64],
) -> Result<Vec<(i64, FeaturedIn)>, ApiError> {
    if media_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Option<i64>, i64, String, String)> = articles::table
        .filter(articles::featured_image_id.eq_any(media_ids.to_vec()))
        .select((
            articles::featured_image_id,
            articles::id,
            articles::slug,
            articles::title,
        ))
        .order(articles::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(media_id, id, slug, title)| Some((media_id?, FeaturedIn { id, slug, title })))
        .collect())
}

/// Takes `media_id` off every article that features it (a forced
/// deletion); the ids of those articles, whose renderings are now stale.
pub fn detach(conn: &mut DbConnection, media_id: i64) -> Result<Vec<i64>, ApiError> {
    let ids: Vec<i64> = articles::table
        .filter(articles::featured_image_id.eq(media_id))
        .select(articles::id)
        .load(conn)?;
    diesel::update(articles::table.filter(articles::featured_image_id.eq(media_id)))
        .set((
            articles::featured_image_id.eq(None::<i64>),
            articles::featured_image.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(ids)
}
