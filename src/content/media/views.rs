//! What clients see of a media object: where each file is, how large, and
//! what a page needs to show it without shifting (dimensions, `srcset`, a
//! placeholder and a colour to paint while it loads).

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::format::Format;
use super::rows::{MediaRow, StoredRendition};
use crate::error::ApiError;
use crate::http::listing::ListMeta;

/// Where the store's files are seen from: `CMS_MEDIA_PUBLIC_URL` (a CDN),
/// or this service's `/media`.
#[derive(Debug, Clone)]
pub struct MediaUrls {
    base: String,
}

impl MediaUrls {
    pub fn new(public_base: Option<&str>) -> Self {
        Self {
            base: public_base
                .map_or("/media", |b| b.trim_end_matches('/'))
                .to_owned(),
        }
    }

    /// Where every file URL starts (no trailing slash).
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, storage_key: &str, suffix: &str, mime_type: &str) -> String {
        let extension = Format::from_mime_type(mime_type).map_or("bin", Format::extension);
        format!("{}/{storage_key}{suffix}.{extension}", self.base)
    }
}

/// One rendition: the image scaled to `width`, in `mime_type`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ToSchema)]
pub struct RenditionView {
    #[schema(example = "/media/3f/3fa2c4…/president-talon-640w.webp")]
    pub url: String,
    #[schema(example = 640)]
    pub width: u32,
    #[schema(example = 427)]
    pub height: u32,
    #[schema(example = "image/webp")]
    pub mime_type: String,
    #[schema(example = 41230)]
    pub bytes: u64,
}

/// An image of the media library.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaView {
    #[schema(example = 12)]
    pub id: i64,
    /// The original, upright and without its metadata.
    #[schema(example = "/media/3f/3fa2c4…/president-talon.jpg")]
    pub url: String,
    #[schema(example = "image/jpeg")]
    pub mime_type: String,
    #[schema(example = 4000)]
    pub width: u32,
    #[schema(example = 2667)]
    pub height: u32,
    /// Size of the stored original.
    #[schema(example = 2_483_112)]
    pub bytes: u64,
    /// The name it was uploaded with.
    #[schema(example = "Président Talon.jpg")]
    pub file_name: String,
    #[schema(required = true)]
    pub alt: Option<String>,
    #[schema(required = true)]
    pub caption: Option<String>,
    #[schema(required = true)]
    pub credit: Option<String>,
    #[schema(required = true)]
    pub title: Option<String>,
    /// A BlurHash (blurha.sh) of the image, to paint while it loads.
    #[schema(example = "LEHV6nWB2yk8pyo0adR*.7kCMdnj")]
    pub placeholder: String,
    #[schema(example = "#7a8b99")]
    pub dominant_color: String,
    /// Smaller copies, by width: each in WebP and in the original's family
    /// (JPEG for photos, PNG for graphics). Never wider than the original.
    pub renditions: Vec<RenditionView>,
    /// For `<img srcset>`: the renditions in the original's family, then
    /// the original.
    #[schema(example = "/media/…-320w.jpg 320w, /media/…-640w.jpg 640w, /media/….jpg 4000w")]
    pub srcset: String,
    /// The same in WebP, for a `<picture>`'s `<source type="image/webp">`.
    pub srcset_webp: String,
    /// The articles showing it as their featured image.
    pub used_by: Vec<crate::content::articles::featured::FeaturedIn>,
    #[serde(with = "crate::timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub created_at: NaiveDateTime,
    #[serde(with = "crate::timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub updated_at: NaiveDateTime,
    #[schema(example = 1)]
    pub version: i32,
}

impl MediaView {
    pub fn new(row: MediaRow, urls: &MediaUrls) -> Result<Self, ApiError> {
        let stored: Vec<StoredRendition> = serde_json::from_str(&row.renditions).map_err(|e| {
            ApiError::Internal(format!("media {} has unreadable renditions: {e}", row.id))
        })?;
        let renditions: Vec<RenditionView> = stored
            .into_iter()
            .map(|r| RenditionView {
                url: urls.url(&row.storage_key, &format!("-{}w", r.width), &r.mime_type),
                width: r.width,
                height: r.height,
                mime_type: r.mime_type,
                bytes: r.bytes,
            })
            .collect();
        let url = urls.url(&row.storage_key, "", &row.mime_type);
        let width = u32::try_from(row.width).unwrap_or(0);
        let srcset_of = |mime_type: &str, original: bool| {
            let mut entries: Vec<String> = renditions
                .iter()
                .filter(|r| r.mime_type == mime_type)
                .map(|r| format!("{} {}w", r.url, r.width))
                .collect();
            if original {
                entries.push(format!("{url} {width}w"));
            }
            entries.join(", ")
        };
        let family = renditions
            .iter()
            .map(|r| r.mime_type.as_str())
            .find(|m| *m != "image/webp")
            .unwrap_or(row.mime_type.as_str())
            .to_owned();
        // The original belongs in a srcset of its own format only.
        let srcset = srcset_of(&family, family == row.mime_type || renditions.is_empty());
        let srcset_webp = srcset_of("image/webp", row.mime_type == "image/webp");
        Ok(Self {
            id: row.id,
            url,
            mime_type: row.mime_type,
            width,
            height: u32::try_from(row.height).unwrap_or(0),
            bytes: u64::try_from(row.bytes).unwrap_or(0),
            file_name: row.file_name,
            alt: row.alt,
            caption: row.caption,
            credit: row.credit,
            title: row.title,
            placeholder: row.placeholder,
            dominant_color: row.dominant_color,
            renditions,
            srcset,
            srcset_webp,
            used_by: Vec::new(),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        })
    }
}

impl MediaView {
    /// With the articles among `users` (media id, article) that feature `id`.
    pub fn used_by(
        mut self,
        users: &[(i64, crate::content::articles::featured::FeaturedIn)],
        id: i64,
    ) -> Self {
        self.used_by = users
            .iter()
            .filter(|(media_id, _)| *media_id == id)
            .map(|(_, article)| article.clone())
            .collect();
        self
    }
}

/// A page of media.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediaList {
    pub data: Vec<MediaView>,
    pub meta: ListMeta,
}
