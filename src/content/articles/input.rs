//! What clients send to create or change an article, and `ArticleDraft`:
//! the article as it will be stored, every field checked, every problem
//! reported at once.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::featured;
use super::lifecycle::{self, ArticleStatus};
use super::rows::ArticleRow;
use super::views::{ArticleView, FeaturedImage};
use crate::content::body::{self, BodyFormat, RenderedBody};
use crate::content::embeds::EmbedHosts;
use crate::content::patch::Patch;
use crate::content::slug::Slug;
use crate::content::text;
use crate::error::FieldError;
use crate::http::object;
use crate::timestamp;

pub const TITLE_MAX: usize = 300;
pub const EXCERPT_MAX: usize = 1000;
pub const BODY_MAX: usize = 500_000;
pub const SEO_TITLE_MAX: usize = 300;
pub const SEO_DESCRIPTION_MAX: usize = 500;
/// Length of a generated excerpt, in characters (about two sentences).
pub const EXCERPT_TARGET: usize = 160;

/// The image shown with the article, as sent: an image elsewhere (`url`
/// required), or, beside `featured_image_id`, the article's own `alt`,
/// `caption` and `credit` for the media object (no `url`, `width` or
/// `height`: those are the media's).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeaturedImageInput {
    /// An http(s) URL or a path on this site; required without
    /// `featured_image_id`, refused with it.
    #[schema(
        example = "https://cdn.example/2025/01/niamey.webp",
        max_length = 2048,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(https?://|/)[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub url: Option<String>,
    #[schema(example = "Le fleuve Niger à Niamey", max_length = 500)]
    pub alt: Option<String>,
    #[schema(example = "Niamey, le 18 janvier 2025.", max_length = 500)]
    pub caption: Option<String>,
    #[schema(example = "© ANP", max_length = 500)]
    pub credit: Option<String>,
    #[schema(example = 1600, minimum = 1)]
    pub width: Option<i32>,
    #[schema(example = 900, minimum = 1)]
    pub height: Option<i32>,
}

/// SEO fields; in a PATCH, the fields sent change and `null` clears one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeoInput {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Le Niger compte sur la Russie", max_length = 300)]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Niamey a signé un accord de coopération militaire avec Moscou.", max_length = 500)]
    pub description: Patch<String>,
    /// An http(s) URL or a path on this site; blank clears it.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "https://journal.example/articles/niger-russie", max_length = 2048, pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*((https?://|/)[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?$")]
    pub canonical_url: Patch<String>,
}

/// `POST /api/v1/articles`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleCreate {
    #[schema(
        example = "L’été à Niamey : « Noël » approche",
        min_length = 1,
        max_length = 300,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        value_type = String,
        required = true
    )]
    #[serde(default)]
    pub title: Option<String>,
    #[schema(
        example = "Les rues de Niamey se parent de **lumières**.",
        max_length = 500000,
        value_type = String,
        required = true
    )]
    #[serde(default)]
    pub body: Option<String>,
    /// Default `markdown`.
    pub body_format: Option<BodyFormat>,
    /// Default (also when blank): the first sentences of the body.
    #[schema(max_length = 1000)]
    pub excerpt: Option<String>,
    /// Default: generated from the title, made unique.
    #[schema(
        example = "l-ete-a-niamey-noel-approche",
        pattern = "^(?:[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*|[0-9]+(?:-[a-z0-9]+)+)$",
        max_length = 120
    )]
    pub slug: Option<String>,
    /// Default `draft`.
    pub status: Option<ArticleStatus>,
    /// Required in the future for `scheduled`; defaults to now when published.
    #[schema(value_type = Option<String>, format = DateTime, example = "2025-12-20T08:00:00Z")]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(example = 2, value_type = i64, required = true)]
    #[serde(default)]
    pub category_id: Option<i64>,
    /// Bylines in order; the first is the primary author. When absent, the
    /// caller's own byline, created from its account's display name if it
    /// has none yet (`authors::own_byline`); API tokens name their bylines.
    #[schema(example = json!([2, 5]), min_items = 1)]
    pub author_ids: Option<Vec<i64>>,
    #[schema(example = json!([3]))]
    pub tag_ids: Option<Vec<i64>>,
    /// A media object of the library as the featured image (see `featured_image`).
    #[schema(example = 12)]
    pub featured_image_id: Option<i64>,
    #[serde(default, deserialize_with = "object::optional")]
    pub featured_image: Option<FeaturedImageInput>,
    #[serde(default, deserialize_with = "object::optional")]
    pub seo: Option<SeoInput>,
    pub featured: Option<bool>,
    pub sponsored: Option<bool>,
    pub comments_enabled: Option<bool>,
    /// Default `fr`.
    #[schema(example = "fr", pattern = "^[a-z]{2}(-[A-Z]{2})?$")]
    pub language: Option<String>,
}

/// `PATCH /api/v1/articles/{id_or_slug}`: the fields sent change. `null`
/// clears `excerpt` (back to the generated one), `published_at`,
/// `featured_image` and `seo` fields; `seo` merges field by field,
/// `featured_image` is replaced as a whole. Publishing is
/// `{"status": "published"}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticlePatch {
    #[serde(default)]
    #[schema(value_type = String, example = "Noël à Niamey : les préparatifs", min_length = 1, max_length = 300, pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = String, max_length = 500000)]
    pub body: Patch<String>,
    #[serde(default)]
    #[schema(value_type = BodyFormat)]
    pub body_format: Patch<BodyFormat>,
    /// `null` or blank: generated from the body again.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub excerpt: Patch<String>,
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(?:[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*|[0-9]+(?:-[a-z0-9]+)+)$", max_length = 120)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = ArticleStatus, example = "published")]
    pub status: Patch<ArticleStatus>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Patch<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = i64)]
    pub category_id: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = Vec<i64>, min_items = 1)]
    pub author_ids: Patch<Vec<i64>>,
    /// `null` removes every tag.
    #[serde(default)]
    #[schema(value_type = Option<Vec<i64>>)]
    pub tag_ids: Patch<Vec<i64>>,
    /// A media object as the featured image; `null` removes it. Sent
    /// alone, the article's own texts for the image are dropped.
    #[serde(default)]
    #[schema(value_type = Option<i64>, example = 12)]
    pub featured_image_id: Patch<i64>,
    /// Replaced as a whole. Without `url`, beside a media image: the
    /// article's own texts for it.
    #[serde(default, deserialize_with = "object::patch")]
    #[schema(value_type = Option<FeaturedImageInput>)]
    pub featured_image: Patch<FeaturedImageInput>,
    #[serde(default, deserialize_with = "object::patch")]
    #[schema(value_type = Option<SeoInput>)]
    pub seo: Patch<SeoInput>,
    #[serde(default)]
    #[schema(value_type = bool)]
    pub featured: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = bool)]
    pub sponsored: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = bool)]
    pub comments_enabled: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = String, pattern = "^[a-z]{2}(-[A-Z]{2})?$")]
    pub language: Patch<String>,
}

impl ArticlePatch {
    /// Shows `texts` as the featured image: the media object `media_id`
    /// with them as its own alt and caption, or (`None`) the external
    /// image at `texts.url`, whichever was shown before.
    pub fn set_featured_image(&mut self, media_id: Option<i64>, texts: FeaturedImageInput) {
        self.featured_image_id = media_id.map_or(Patch::Null, Patch::Value);
        self.featured_image = Patch::Value(texts);
    }

    /// Takes the featured image off.
    pub fn clear_featured_image(&mut self) {
        self.featured_image_id = Patch::Null;
        self.featured_image = Patch::Null;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeoFields {
    pub title: Option<String>,
    pub description: Option<String>,
    pub canonical_url: Option<String>,
}

/// The article as the client wants it, before checks: the payload merged
/// over the stored article (or the defaults).
#[derive(Debug, Clone)]
pub struct Desired {
    pub title: String,
    pub body: String,
    pub body_format: BodyFormat,
    /// `None`: generate from the body.
    pub excerpt: Option<String>,
    /// `Some` when the client gave one.
    pub slug: Option<String>,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    /// Whether the client sent `published_at` in this request.
    pub published_at_sent: bool,
    pub language: String,
    pub category_id: i64,
    pub author_ids: Vec<i64>,
    pub tag_ids: Vec<i64>,
    pub featured_image_id: Option<i64>,
    pub featured_image: Option<FeaturedImageInput>,
    pub seo: SeoFields,
    pub featured: bool,
    pub sponsored: bool,
    pub comments_enabled: bool,
    /// Problems found while merging (a `null` where none is allowed).
    pub errors: Vec<FieldError>,
}

fn utc(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc().trunc_subsecs(6)
}

fn merge_seo(current: SeoFields, input: SeoInput) -> SeoFields {
    SeoFields {
        title: input.title.apply(current.title),
        description: input.description.apply(current.description),
        canonical_url: input.canonical_url.apply(current.canonical_url),
    }
}

/// A media image's overrides as they are sent.
fn overrides_input(overrides: featured::Overrides) -> FeaturedImageInput {
    FeaturedImageInput {
        alt: overrides.alt,
        caption: overrides.caption,
        credit: overrides.credit,
        ..FeaturedImageInput::default()
    }
}

/// The featured image after a PATCH: `featured_image_id` chooses a media
/// image (its texts dropped unless sent beside it, or kept when it names
/// the same one); `featured_image` with a `url` an image elsewhere, without
/// one new texts for the current media image; `null` on either removes it.
fn merge_featured(
    row: &ArticleRow,
    id: Patch<i64>,
    image: Patch<FeaturedImageInput>,
) -> (Option<i64>, Option<FeaturedImageInput>) {
    let current_media = featured::chosen_in(row.featured_image.as_deref());
    let current_external = || {
        row.featured_image
            .as_deref()
            .and_then(|j| serde_json::from_str::<FeaturedImage>(j).ok())
            .map(|f| FeaturedImageInput {
                url: Some(f.url),
                alt: f.alt,
                caption: f.caption,
                credit: f.credit,
                width: f.width,
                height: f.height,
            })
    };
    match (id, image) {
        (Patch::Value(id), Patch::Value(image)) => (Some(id), Some(image)),
        (Patch::Value(id), Patch::Absent) => (
            Some(id),
            current_media
                .filter(|c| c.media_id == id)
                .map(|c| overrides_input(c.overrides)),
        ),
        (Patch::Value(id), Patch::Null) => (Some(id), None),
        (Patch::Null, Patch::Value(image)) => (None, Some(image)),
        (Patch::Null, _) | (Patch::Absent, Patch::Null) => (None, None),
        (Patch::Absent, Patch::Value(image)) => match current_media {
            Some(current) if image.url.is_none() => (Some(current.media_id), Some(image)),
            _ => (None, Some(image)),
        },
        (Patch::Absent, Patch::Absent) => match current_media {
            Some(current) => (
                Some(current.media_id),
                Some(overrides_input(current.overrides)),
            ),
            None => (None, current_external()),
        },
    }
}

impl Desired {
    pub fn from_create(body: ArticleCreate) -> Self {
        // Required fields are read as optional so that a missing one is
        // reported with every other bad field, not alone (serde stops at
        // the first); `ArticleDraft::parse` keeps one error per field.
        let mut errors = Vec::new();
        let title = present("title", body.title, &mut errors);
        let text = present("body", body.body, &mut errors);
        let category_id = present("category_id", body.category_id, &mut errors);
        let author_ids = present("author_ids", body.author_ids, &mut errors);
        Self {
            title,
            body: text,
            body_format: body.body_format.unwrap_or(BodyFormat::Markdown),
            excerpt: body.excerpt,
            slug: body.slug,
            status: body.status.unwrap_or(ArticleStatus::Draft),
            published_at_sent: body.published_at.is_some(),
            published_at: body.published_at.map(utc),
            language: body.language.unwrap_or_else(|| "fr".to_owned()),
            category_id,
            author_ids,
            tag_ids: body.tag_ids.unwrap_or_default(),
            featured_image_id: body.featured_image_id,
            featured_image: body.featured_image,
            seo: body
                .seo
                .map(|s| merge_seo(SeoFields::default(), s))
                .unwrap_or_default(),
            featured: body.featured.unwrap_or(false),
            sponsored: body.sponsored.unwrap_or(false),
            comments_enabled: body.comments_enabled.unwrap_or(true),
            errors,
        }
    }

    /// The stored article (`row` and its `view`) with the patch applied.
    pub fn from_patch(
        row: &ArticleRow,
        view: &ArticleView,
        tag_ids: Vec<i64>,
        now: NaiveDateTime,
        patch: ArticlePatch,
    ) -> Self {
        let mut errors = Vec::new();
        let current_format = BodyFormat::from_db(&row.body_format);
        let body_changes = !patch.body.is_absent() || !patch.body_format.is_absent();
        let title = patch
            .title
            .required("title", &mut errors)
            .unwrap_or_else(|| row.title.clone());
        let body = patch
            .body
            .required("body", &mut errors)
            .unwrap_or_else(|| row.body.clone());
        let body_format = patch
            .body_format
            .required("body_format", &mut errors)
            .unwrap_or(current_format);
        // An excerpt that was generated follows the body; one written by
        // hand stays until changed.
        let excerpt = match patch.excerpt {
            Patch::Value(v) => Some(v),
            Patch::Null => None,
            Patch::Absent => {
                let generated = body::excerpt(
                    &body::render(current_format, &row.body, &EmbedHosts::default()).text,
                    EXCERPT_TARGET,
                );
                (!(body_changes && generated == row.excerpt)).then(|| row.excerpt.clone())
            }
        };
        let published_at_sent = matches!(patch.published_at, Patch::Value(_));
        let (featured_image_id, featured_image) =
            merge_featured(row, patch.featured_image_id, patch.featured_image);
        let current_seo = SeoFields {
            title: row.seo_title.clone(),
            description: row.seo_description.clone(),
            canonical_url: row.seo_canonical_url.clone(),
        };
        let seo = match patch.seo {
            Patch::Absent => current_seo,
            Patch::Null => SeoFields::default(),
            Patch::Value(input) => merge_seo(current_seo, input),
        };
        Self {
            title,
            body,
            body_format,
            excerpt,
            slug: patch.slug.required("slug", &mut errors),
            status: patch
                .status
                .required("status", &mut errors)
                .unwrap_or_else(|| row.effective_status(now)),
            published_at: patch.published_at.map_value(utc).apply(row.published_at),
            published_at_sent,
            language: patch
                .language
                .required("language", &mut errors)
                .unwrap_or_else(|| row.language.clone()),
            category_id: patch
                .category_id
                .required("category_id", &mut errors)
                .unwrap_or(row.category_id),
            author_ids: patch
                .author_ids
                .required("author_ids", &mut errors)
                .unwrap_or_else(|| view.author_ids()),
            tag_ids: patch.tag_ids.apply(Some(tag_ids)).unwrap_or_default(),
            featured_image_id,
            featured_image,
            seo,
            featured: patch
                .featured
                .required("featured", &mut errors)
                .unwrap_or(row.featured),
            sponsored: patch
                .sponsored
                .required("sponsored", &mut errors)
                .unwrap_or(row.sponsored),
            comments_enabled: patch
                .comments_enabled
                .required("comments_enabled", &mut errors)
                .unwrap_or(row.comments_enabled),
            errors,
        }
    }
}

/// An article ready to be written: every field checked, the body rendered
/// and sanitised, the excerpt and the publication time settled.
#[derive(Debug, Clone)]
pub struct ArticleDraft {
    pub title: String,
    /// `Some` when the client gave one (it must then be free).
    pub slug: Option<Slug>,
    pub excerpt: String,
    pub body: String,
    pub body_format: BodyFormat,
    pub rendered: RenderedBody,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub language: String,
    pub category_id: i64,
    pub author_ids: Vec<i64>,
    pub tag_ids: Vec<i64>,
    /// An image elsewhere, given by its URL.
    pub featured_image: Option<FeaturedImage>,
    /// Or a media object of the library, resolved when written.
    pub featured_media: Option<featured::FeaturedMedia>,
    pub seo: SeoFields,
    pub featured: bool,
    pub sponsored: bool,
    pub comments_enabled: bool,
}

/// A required field's value, or its type's empty value and a `required`
/// error naming it.
fn present<T: Default>(field: &str, value: Option<T>, errors: &mut Vec<FieldError>) -> T {
    value.unwrap_or_else(|| {
        errors.push(FieldError::new(
            field,
            "required",
            format!("`{field}` is required"),
        ));
        T::default()
    })
}

fn duplicates(field: &str, ids: &[i64], errors: &mut Vec<FieldError>) {
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "duplicate",
                format!("{id} is listed twice"),
            ));
        }
    }
}

pub fn check_language(raw: &str) -> Result<String, FieldError> {
    let bytes = raw.as_bytes();
    let ok = match bytes.len() {
        2 => bytes.iter().all(u8::is_ascii_lowercase),
        5 => {
            bytes[..2].iter().all(u8::is_ascii_lowercase)
                && bytes[2] == b'-'
                && bytes[3..].iter().all(u8::is_ascii_uppercase)
        }
        _ => false,
    };
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(FieldError::new(
            "language",
            "invalid_language",
            "must be a language tag such as `fr` or `fr-BE`",
        ))
    }
}

fn check_image(image: FeaturedImageInput, errors: &mut Vec<FieldError>) -> Option<FeaturedImage> {
    let before = errors.len();
    let url = match image.url.as_deref() {
        Some(url) => text::url("featured_image.url", url)
            .map_err(|e| errors.push(e))
            .ok(),
        None => {
            errors.push(FieldError::new(
                "featured_image.url",
                "required",
                "an image needs a `url`, or choose one of the media library with `featured_image_id`",
            ));
            None
        }
    };
    let mut optional = |field: &str, value: Option<String>| {
        text::optional(field, value.as_deref(), 500)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
    };
    let alt = optional("featured_image.alt", image.alt);
    let caption = optional("featured_image.caption", image.caption);
    let credit = optional("featured_image.credit", image.credit);
    for (field, value) in [
        ("featured_image.width", image.width),
        ("featured_image.height", image.height),
    ] {
        if value.is_some_and(|v| v <= 0) {
            errors.push(FieldError::new(
                field,
                "out_of_range",
                "must be a positive number of pixels",
            ));
        }
    }
    (errors.len() == before).then_some(FeaturedImage {
        id: None,
        url: url.unwrap_or_default(),
        alt,
        caption,
        credit,
        width: image.width,
        height: image.height,
        mime_type: None,
        placeholder: None,
        dominant_color: None,
        renditions: None,
        srcset: None,
        srcset_webp: None,
    })
}

/// A media image chosen by id, with the article's own texts for it.
fn check_media(
    media_id: i64,
    image: Option<FeaturedImageInput>,
    errors: &mut Vec<FieldError>,
) -> Option<featured::FeaturedMedia> {
    let image = image.unwrap_or_default();
    let before = errors.len();
    for (field, given) in [
        ("featured_image.url", image.url.is_some()),
        ("featured_image.width", image.width.is_some()),
        ("featured_image.height", image.height.is_some()),
    ] {
        if given {
            errors.push(FieldError::new(
                field,
                "not_with_featured_image_id",
                "comes from the media object named by `featured_image_id`",
            ));
        }
    }
    let mut optional = |field: &str, value: Option<String>| {
        text::optional(field, value.as_deref(), 500)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
    };
    let overrides = featured::Overrides {
        alt: optional("featured_image.alt", image.alt),
        caption: optional("featured_image.caption", image.caption),
        credit: optional("featured_image.credit", image.credit),
    };
    (errors.len() == before).then_some(featured::FeaturedMedia {
        media_id,
        overrides,
    })
}

impl ArticleDraft {
    /// `previous`: the status the article has now (`None` for a new one).
    pub fn parse(
        desired: Desired,
        previous: Option<ArticleStatus>,
        now: NaiveDateTime,
        embeds: &EmbedHosts,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = desired.errors;
        if desired
            .published_at
            .is_some_and(|at| !timestamp::in_supported_range(&at))
        {
            errors.push(FieldError::new(
                "published_at",
                "out_of_range",
                timestamp::OUT_OF_RANGE,
            ));
        }
        let title = text::required("title", &desired.title, TITLE_MAX)
            .map_err(|e| errors.push(e))
            .ok();
        if desired.body.chars().count() > BODY_MAX {
            errors.push(FieldError::new(
                "body",
                "too_long",
                format!("`body` must be at most {BODY_MAX} characters"),
            ));
        }
        let slug = match &desired.slug {
            Some(raw) => Slug::parse("slug", raw).map_err(|e| errors.push(e)).ok(),
            None => None,
        };
        let rendered = body::render(desired.body_format, &desired.body, embeds);
        let excerpt = match text::optional("excerpt", desired.excerpt.as_deref(), EXCERPT_MAX) {
            Ok(Some(given)) => given,
            Ok(None) => body::excerpt(&rendered.text, EXCERPT_TARGET),
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let language = check_language(&desired.language)
            .map_err(|e| errors.push(e))
            .ok();
        if desired.author_ids.is_empty() {
            errors.push(FieldError::new(
                "author_ids",
                "required",
                "an article needs at least one author",
            ));
        }
        duplicates("author_ids", &desired.author_ids, &mut errors);
        duplicates("tag_ids", &desired.tag_ids, &mut errors);
        let (featured_image, featured_media) = match desired.featured_image_id {
            Some(media_id) => (
                None,
                check_media(media_id, desired.featured_image, &mut errors),
            ),
            None => (
                desired
                    .featured_image
                    .and_then(|image| check_image(image, &mut errors)),
                None,
            ),
        };
        let mut seo_text = |field: &str, value: Option<String>, max: usize| {
            text::optional(field, value.as_deref(), max)
                .map_err(|e| errors.push(e))
                .ok()
                .flatten()
        };
        let seo_title = seo_text("seo.title", desired.seo.title, SEO_TITLE_MAX);
        let seo_description = seo_text(
            "seo.description",
            desired.seo.description,
            SEO_DESCRIPTION_MAX,
        );
        let canonical_url = match desired
            .seo
            .canonical_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(raw) => text::url("seo.canonical_url", raw)
                .map_err(|e| errors.push(e))
                .ok(),
            None => None,
        };

        let status = desired.status;
        let published_at = lifecycle::publication(
            previous,
            status,
            desired.published_at,
            desired.published_at_sent,
            now,
            &mut errors,
        );
        match (title, language) {
            (Some(title), Some(language)) if errors.is_empty() => Ok(Self {
                title,
                slug,
                excerpt,
                body: desired.body,
                body_format: desired.body_format,
                rendered,
                status,
                published_at,
                language,
                category_id: desired.category_id,
                author_ids: desired.author_ids,
                tag_ids: desired.tag_ids,
                featured_image,
                featured_media,
                seo: SeoFields {
                    title: seo_title,
                    description: seo_description,
                    canonical_url,
                },
                featured: desired.featured,
                sponsored: desired.sponsored,
                comments_enabled: desired.comments_enabled,
            }),
            _ => Err(errors),
        }
    }

    /// What search reads: title, excerpt and text, folded (no accents, lowercase).
    pub fn search_text(&self) -> String {
        text::fold_for_search(&format!(
            "{} {} {}",
            self.title, self.excerpt, self.rendered.text
        ))
    }
}
