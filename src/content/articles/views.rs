//! Articles as the contract shows them: the detail, the list item (the same
//! object without the heavy body fields unless `include=body`), and the
//! "related" block.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use super::rows::ArticleRow;
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::authors::views::AuthorRef;
use crate::content::body::BodyFormat;
use crate::content::categories::CategoryTree;
use crate::content::categories::views::CategoryRef;
use crate::content::tags::views::TagRef;
use crate::timestamp;

/// The image shown with the article: an image of the media library
/// (`featured_image_id`; then `id` and the fields after `height` are set,
/// and `alt`, `caption`, `credit` are the article's own where it gave them,
/// the media object's otherwise), or an image elsewhere given by its URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeaturedImage {
    /// The media object's id; absent for an image given by URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = 12)]
    pub id: Option<i64>,
    #[schema(example = "https://cdn.example/2025/01/niamey.webp")]
    pub url: String,
    #[schema(example = "Le fleuve Niger à Niamey au coucher du soleil")]
    pub alt: Option<String>,
    #[schema(example = "Niamey, le 18 janvier 2025.")]
    pub caption: Option<String>,
    #[schema(example = "© ANP")]
    pub credit: Option<String>,
    #[schema(example = 1600)]
    pub width: Option<i32>,
    #[schema(example = 900)]
    pub height: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "image/jpeg")]
    pub mime_type: Option<String>,
    /// A BlurHash, to paint while the image loads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "#7a8b99")]
    pub dominant_color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renditions: Option<Vec<crate::content::media::views::RenditionView>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srcset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srcset_webp: Option<String>,
}

/// What search engines and social cards show; `null` fields fall back to
/// the title and excerpt on the frontend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Seo {
    #[schema(example = "Le Niger compte sur la Russie contre le terrorisme")]
    #[schema(required = true)]
    pub title: Option<String>,
    #[schema(example = "Niamey a signé un accord de coopération militaire avec Moscou.")]
    #[schema(required = true)]
    pub description: Option<String>,
    #[schema(example = "https://journal.example/articles/lutte-contre-le-terrorisme")]
    #[schema(required = true)]
    pub canonical_url: Option<String>,
}

/// An article. In lists, `body` and `body_html` are left out unless
/// `include=body`; `fields` keeps only the named fields (and `id`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleView {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = "lutte-contre-le-terrorisme-le-niger-compte-sur-la-russie")]
    pub slug: String,
    #[schema(example = "Lutte contre le terrorisme : le Niger compte sur la Russie")]
    pub title: String,
    #[schema(example = "Niamey a signé un accord de coopération militaire avec Moscou.")]
    pub excerpt: String,
    /// The source, as written (markdown or HTML).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Niamey a signé un accord de coopération **militaire** avec Moscou.")]
    pub body: Option<String>,
    pub body_format: BodyFormat,
    /// Rendered and sanitised: safe to inject in a page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "<p>Niamey a signé un accord de coopération <strong>militaire</strong> avec Moscou.</p>"
    )]
    pub body_html: Option<String>,
    /// A scheduled article whose `published_at` has passed shows as `published`.
    pub status: ArticleStatus,
    #[serde(with = "timestamp::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime, example = "2025-01-18T09:30:00Z")]
    #[schema(required = true)]
    pub published_at: Option<NaiveDateTime>,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T08:00:00Z")]
    pub created_at: NaiveDateTime,
    #[serde(with = "timestamp::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2025-01-18T09:30:00Z")]
    pub updated_at: NaiveDateTime,
    /// Bumped on every write.
    #[schema(example = 3)]
    pub version: i32,
    #[schema(example = "fr")]
    pub language: String,
    /// The primary byline (the first of `authors`). Every article has one:
    /// writes refuse an empty `author_ids`, and a byline that signs
    /// articles cannot be deleted.
    #[schema(value_type = AuthorRef)]
    pub author: Option<AuthorRef>,
    /// Every byline, primary first.
    pub authors: Vec<AuthorRef>,
    /// With its breadcrumb `path` from the root. Every article has one:
    /// `category_id` is required, and a category with articles cannot be
    /// deleted.
    #[schema(value_type = CategoryRef)]
    pub category: Option<CategoryRef>,
    pub tags: Vec<TagRef>,
    #[schema(required = true)]
    pub featured_image: Option<FeaturedImage>,
    pub seo: Seo,
    pub featured: bool,
    pub sponsored: bool,
    pub comments_enabled: bool,
    /// Approved reader comments.
    #[schema(example = 4)]
    pub comment_count: i32,
    /// Whether readers may comment now: comments switched on, the article
    /// public, and not closed by age (`CMS_COMMENTS_CLOSE_AFTER_DAYS`).
    pub comments_open: bool,
    /// When comments close by age, for the job that re-renders the article
    /// then (`comments::closing`); not shown.
    #[serde(skip)]
    pub comments_close_at: Option<NaiveDateTime>,
    #[schema(example = 3)]
    pub reading_time_minutes: i32,
    #[schema(example = 540)]
    pub word_count: i32,
}

/// The names `fields` accepts.
pub const FIELD_NAMES: &[&str] = &[
    "id",
    "slug",
    "title",
    "excerpt",
    "body",
    "body_format",
    "body_html",
    "status",
    "published_at",
    "created_at",
    "updated_at",
    "version",
    "language",
    "author",
    "authors",
    "category",
    "tags",
    "featured_image",
    "seo",
    "featured",
    "sponsored",
    "comments_enabled",
    "comment_count",
    "comments_open",
    "reading_time_minutes",
    "word_count",
];

/// Everything an article view embeds, loaded for a whole page at once.
#[derive(Debug, Default)]
pub struct Relations {
    pub authors: HashMap<i64, Vec<AuthorRef>>,
    pub tags: HashMap<i64, Vec<TagRef>>,
    pub tree: std::sync::Arc<CategoryTree>,
}

impl ArticleView {
    /// The view as the public sees it: without internal tags.
    pub fn for_public(mut self) -> Self {
        self.tags
            .retain(|t| !crate::content::tags::views::is_internal(&t.name));
        self
    }

    pub fn new(
        row: ArticleRow,
        relations: &Relations,
        with_body: bool,
        now: NaiveDateTime,
    ) -> Self {
        let status = row.effective_status(now);
        let comments_open = row.comments_open(now);
        let authors = relations.authors.get(&row.id).cloned().unwrap_or_default();
        Self {
            id: row.id,
            excerpt: row.excerpt,
            body_format: BodyFormat::from_db(&row.body_format),
            body: with_body.then_some(row.body),
            body_html: with_body.then_some(row.body_html),
            status,
            published_at: row.published_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
            language: row.language,
            author: authors.first().cloned(),
            authors,
            category: relations.tree.reference(row.category_id),
            tags: relations.tags.get(&row.id).cloned().unwrap_or_default(),
            // Written by the article write path from a checked value; an
            // unreadable one shows as no image rather than failing the page.
            featured_image: row
                .featured_image
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok()),
            seo: Seo {
                title: row.seo_title,
                description: row.seo_description,
                canonical_url: row.seo_canonical_url,
            },
            featured: row.featured,
            sponsored: row.sponsored,
            comments_enabled: row.comments_enabled,
            comment_count: row.comment_count,
            comments_open,
            comments_close_at: row.comments_close_at,
            reading_time_minutes: row.reading_time_minutes,
            word_count: row.word_count,
            slug: row.slug,
            title: row.title,
        }
    }

    pub fn author_ids(&self) -> Vec<i64> {
        self.authors.iter().map(|a| a.id).collect()
    }
}

/// The media type of an article, or a page of them, trimmed by `fields`:
/// JSON whose schema is `SparseArticle`. A distinct type lets the OpenAPI
/// document type the plain `application/json` answer exactly (every field
/// present) while still documenting the trimmed one; see
/// docs/api-decisions.md "Typed clients".
pub const SPARSE_JSON: &str = "application/vnd.cms.sparse+json";

/// Which of the article schemas `article_schema` writes.
#[derive(Clone, Copy, PartialEq)]
enum ArticleSchema {
    /// The detail: `body` and `body_html` always there.
    Detail,
    /// A list item: `body` and `body_html` only with `include=body`.
    ListItem,
    /// Trimmed by `fields`: only `id` sure to be there.
    Sparse,
}

/// `ArticleView`'s derived properties, with what each schema promises:
/// the bodies are strings where present (never `null`), required in the
/// detail, optional in a list item; a sparse article requires `id` only.
fn article_schema(which: ArticleSchema, description: &str) -> RefOr<Schema> {
    use utoipa::openapi::schema::{SchemaType, Type};
    let mut schema = <ArticleView as utoipa::PartialSchema>::schema();
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        for field in ["body", "body_html"] {
            if let Some(RefOr::T(Schema::Object(property))) = object.properties.get_mut(field) {
                property.schema_type = SchemaType::Type(Type::String);
            }
        }
        match which {
            ArticleSchema::Detail => {
                object
                    .required
                    .extend(["body".to_owned(), "body_html".to_owned()]);
            }
            ArticleSchema::ListItem => {}
            ArticleSchema::Sparse => object.required = vec!["id".to_owned()],
        }
        object.description = Some(description.to_owned());
    }
    schema
}

/// A schema type named `$name` whose schema is `article_schema($which)`.
macro_rules! article_schema_type {
    ($(#[$doc:meta])* $name:ident, $which:expr, $description:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                article_schema($which, $description)
            }
        }

        impl ToSchema for $name {
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                <ArticleView as ToSchema>::schemas(schemas);
            }
        }
    };
}

article_schema_type!(
    /// An article as its own read (`GET /api/v1/articles/{id_or_slug}`) and a
    /// write's answer show it: every field, bodies included.
    Article,
    ArticleSchema::Detail,
    "An article, whole: its bodies, bylines, category path and tags."
);

article_schema_type!(
    /// An article in a list: the detail without `body` and `body_html` unless
    /// `include=body`.
    ArticleListItem,
    ArticleSchema::ListItem,
    "An article in a list: as the detail, with `body` and `body_html` only \
     when `include=body` asks for them."
);

article_schema_type!(
    /// With `fields`, an article keeps only the fields named (and `id`), and
    /// the answer's media type is `SPARSE_JSON`.
    SparseArticle,
    ArticleSchema::Sparse,
    "An article reduced by `fields` (media type \
     `application/vnd.cms.sparse+json`): only the fields named, and `id`; \
     each as in `Article`."
);

/// A page of articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    #[schema(value_type = Vec<ArticleListItem>)]
    pub data: Vec<ArticleView>,
    pub meta: crate::http::listing::ListMeta,
}

/// A page of articles trimmed by `fields` (media type
/// `application/vnd.cms.sparse+json`).
#[derive(ToSchema)]
#[allow(dead_code)] // documents the trimmed page; the list writes `ArticleList`'s envelope
pub struct SparseArticleList {
    pub data: Vec<SparseArticle>,
    pub meta: crate::http::listing::ListMeta,
}

/// An article in the "related" block under another one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedArticle {
    #[schema(example = 43)]
    pub id: i64,
    #[schema(example = "la-cedeao-reunit-ses-ministres-a-abuja")]
    pub slug: String,
    #[schema(example = "La CEDEAO réunit ses ministres à Abuja")]
    pub title: String,
    #[schema(
        example = "Les ministres des affaires étrangères de la CEDEAO se retrouvent pour deux jours de travaux."
    )]
    pub excerpt: String,
    #[serde(with = "timestamp::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime, example = "2025-01-17T16:00:00Z")]
    #[schema(required = true)]
    pub published_at: Option<NaiveDateTime>,
    #[schema(required = true)]
    pub featured_image: Option<FeaturedImage>,
    /// Its category, for the label above the title (every article has one).
    #[schema(value_type = CategoryRef)]
    pub category: Option<CategoryRef>,
}

impl RelatedArticle {
    pub fn new(row: ArticleRow, tree: &CategoryTree) -> Self {
        Self {
            id: row.id,
            category: tree.reference(row.category_id),
            featured_image: row
                .featured_image
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok()),
            slug: row.slug,
            title: row.title,
            excerpt: row.excerpt,
            published_at: row.published_at,
        }
    }
}

/// The related block, best first: most tags shared, then the same section
/// (the article's category or one under it), then the newest.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedList {
    pub data: Vec<RelatedArticle>,
}

/// The names `fields` accepts on the related block.
pub const RELATED_FIELD_NAMES: &[&str] = &[
    "id",
    "slug",
    "title",
    "excerpt",
    "published_at",
    "featured_image",
    "category",
];

/// A related article reduced by `fields` (media type
/// `application/vnd.cms.sparse+json`): the fields named and `id`.
pub struct SparseRelatedArticle;

impl utoipa::PartialSchema for SparseRelatedArticle {
    fn schema() -> RefOr<Schema> {
        let mut schema = <RelatedArticle as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.required = vec!["id".to_owned()];
            object.description = Some(
                "A related article reduced by `fields`: the fields named, and `id`; each as \
                 in `RelatedArticle`."
                    .to_owned(),
            );
        }
        schema
    }
}

impl ToSchema for SparseRelatedArticle {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <RelatedArticle as ToSchema>::schemas(schemas);
    }
}

/// The related block trimmed by `fields`.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the trimmed block; the handler writes the trimmed values
pub struct SparseRelatedList {
    pub data: Vec<SparseRelatedArticle>,
}
