//! An `h-entry` and an article, both ways.
//!
//! - `name` is the title. A note without one (Micro.blog's) is titled by
//!   its first words (at most 100 characters, cut at a word).
//! - `content`: a string is Markdown (what iA Writer and Micro.blog
//!   send; plain text reads the same), `{"html": …}` is HTML, `{"value":
//!   …}` Markdown.
//! - `summary` is the excerpt; `published` the publication time (RFC 3339;
//!   a future one with `post-status: published` schedules); `mp-slug` the
//!   slug; `post-status` `published` (the default) or `draft`.
//! - `category`: values naming a category (`editors::mapping`'s rule:
//!   path, name or slug) file the article there (the first one); the
//!   others are tags, created when missing.
//! - `photo`: URLs (`{"value", "alt"}` in JSON) or uploaded files. The
//!   first is the featured image (one of our media when it is one of our
//!   URLs, an external image otherwise); the others are added at the end
//!   of the text.

use serde_json::{Map, Value, json};

use super::error::MicropubError;
use crate::content::articles::lifecycle::ArticleStatus;
use crate::content::articles::views::ArticleView;
use crate::content::body::BodyFormat;
use crate::content::categories::views::CategoryView;
use crate::editors::mapping;

/// Characters of a title made from a note's text.
const NOTE_TITLE_CHARS: usize = 100;

/// The string values of a property (an object's `value`, or its `html`).
pub fn texts(properties: &Map<String, Value>, name: &str) -> Vec<String> {
    properties
        .get(name)
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Object(o) => o
                        .get("value")
                        .or_else(|| o.get("html"))
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The first string value of a property.
pub fn first(properties: &Map<String, Value>, name: &str) -> Option<String> {
    texts(properties, name).into_iter().next()
}

/// `content` as a body.
pub fn content(
    properties: &Map<String, Value>,
) -> Result<Option<(BodyFormat, String)>, MicropubError> {
    let Some(value) = properties
        .get("content")
        .and_then(Value::as_array)
        .and_then(|v| v.first())
    else {
        return Ok(None);
    };
    match value {
        Value::String(text) => Ok(Some((BodyFormat::Markdown, text.clone()))),
        Value::Object(o) => match (o.get("html"), o.get("value")) {
            (Some(Value::String(html)), _) => Ok(Some((BodyFormat::Html, html.clone()))),
            (_, Some(Value::String(text))) => Ok(Some((BodyFormat::Markdown, text.clone()))),
            _ => Err(MicropubError::invalid_request(
                "content is a string, {\"html\": …} or {\"value\": …}",
            )),
        },
        _ => Err(MicropubError::invalid_request(
            "content is a string, {\"html\": …} or {\"value\": …}",
        )),
    }
}

/// A photo given by URL, with its alternative text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub url: String,
    pub alt: Option<String>,
}

/// The `photo` values given as URLs.
pub fn photos(properties: &Map<String, Value>) -> Result<Vec<Photo>, MicropubError> {
    let Some(values) = properties.get("photo").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    values
        .iter()
        .map(|v| match v {
            Value::String(url) => Ok(Photo {
                url: url.clone(),
                alt: None,
            }),
            Value::Object(o) => match o.get("value").and_then(Value::as_str) {
                Some(url) => Ok(Photo {
                    url: url.to_owned(),
                    alt: o.get("alt").and_then(Value::as_str).map(str::to_owned),
                }),
                None => Err(MicropubError::invalid_request(
                    "a photo is a URL or {\"value\": URL, \"alt\": text}",
                )),
            },
            _ => Err(MicropubError::invalid_request(
                "a photo is a URL or {\"value\": URL, \"alt\": text}",
            )),
        })
        .collect()
}

/// Photos past the first, at the end of the text in its format.
pub fn with_photos(format: BodyFormat, text: &str, photos: &[Photo]) -> String {
    let mut text = text.to_owned();
    for photo in photos {
        let alt = photo.alt.clone().unwrap_or_default();
        match format {
            BodyFormat::Markdown => {
                text.push_str(&format!(
                    "\n\n![{}](<{}>)",
                    alt.replace(['[', ']'], ""),
                    photo.url
                ));
            }
            BodyFormat::Html => {
                let escape = |s: &str| quick_xml::escape::escape(s).into_owned();
                text.push_str(&format!(
                    "\n<p><img src=\"{}\" alt=\"{}\"></p>",
                    escape(&photo.url),
                    escape(&alt)
                ));
            }
        }
    }
    text
}

/// A title for a note: its first words.
pub fn note_title(text: &str) -> String {
    let plain = crate::content::body::without_markup(
        &crate::content::body::render(
            BodyFormat::Markdown,
            text,
            &crate::content::embeds::EmbedHosts::default(),
        )
        .html,
    );
    let words: Vec<&str> = plain.split_whitespace().collect();
    let mut title = String::new();
    for word in words {
        if title.chars().count() + word.chars().count() + 1 > NOTE_TITLE_CHARS {
            title.push('…');
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    title
}

/// `post-status`.
pub fn status(properties: &Map<String, Value>) -> Result<Option<ArticleStatus>, MicropubError> {
    match first(properties, "post-status").as_deref() {
        None => Ok(None),
        Some("published") => Ok(Some(ArticleStatus::Published)),
        Some("draft") => Ok(Some(ArticleStatus::Draft)),
        Some(other) => Err(MicropubError::invalid_request(format!(
            "post-status `{other}` is not `published` or `draft`"
        ))),
    }
}

/// `published`, in UTC.
pub fn published(
    properties: &Map<String, Value>,
) -> Result<Option<chrono::NaiveDateTime>, MicropubError> {
    match first(properties, "published") {
        None => Ok(None),
        Some(raw) => chrono::DateTime::parse_from_rfc3339(raw.trim())
            .map(|at| Some(at.naive_utc()))
            .map_err(|_| {
                MicropubError::invalid_request(format!("published `{raw}` is not an RFC 3339 date"))
            }),
    }
}

/// `category` values: the category the first naming one names, and the
/// other values (tags).
pub fn categories_and_tags(all: &[CategoryView], values: &[String]) -> (Option<i64>, Vec<String>) {
    let mut category = None;
    let mut tags = Vec::new();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match mapping::find_category(all, value) {
            Ok(id) => {
                if category.is_none() {
                    category = Some(id);
                }
            }
            Err(_) => {
                if !tags
                    .iter()
                    .any(|t: &String| t.to_lowercase() == value.to_lowercase())
                {
                    tags.push(value.to_owned());
                }
            }
        }
    }
    (category, tags)
}

/// An article's properties for `q=source`; `only`: the names asked.
pub fn source(
    view: &ArticleView,
    permalink: &str,
    absolute: impl Fn(&str) -> String,
    only: &[String],
) -> Value {
    let mut properties = Map::new();
    properties.insert("name".to_owned(), json!([view.title]));
    let body = view.body.clone().unwrap_or_default();
    properties.insert(
        "content".to_owned(),
        match view.body_format {
            BodyFormat::Markdown => json!([body]),
            BodyFormat::Html => json!([{ "html": body }]),
        },
    );
    if !view.excerpt.is_empty() {
        properties.insert("summary".to_owned(), json!([view.excerpt]));
    }
    let mut categories: Vec<String> = view.category.iter().map(|c| c.name.clone()).collect();
    categories.extend(view.tags.iter().map(|t| t.name.clone()));
    properties.insert("category".to_owned(), json!(categories));
    if let Some(image) = &view.featured_image {
        properties.insert(
            "photo".to_owned(),
            json!([{ "value": absolute(&image.url), "alt": image.alt.clone().unwrap_or_default() }]),
        );
    }
    if let Some(at) = view.published_at.filter(|_| {
        matches!(
            view.status,
            ArticleStatus::Published | ArticleStatus::Scheduled
        )
    }) {
        properties.insert(
            "published".to_owned(),
            json!([at
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)]),
        );
    }
    properties.insert(
        "post-status".to_owned(),
        json!([
            if matches!(
                view.status,
                ArticleStatus::Published | ArticleStatus::Scheduled
            ) {
                "published"
            } else {
                "draft"
            }
        ]),
    );
    properties.insert("mp-slug".to_owned(), json!([view.slug]));
    properties.insert("url".to_owned(), json!([permalink]));
    if only.is_empty() {
        json!({ "type": ["h-entry"], "properties": properties })
    } else {
        properties.retain(|name, _| only.contains(name));
        json!({ "properties": properties })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn content_is_markdown_unless_html() {
        assert_eq!(
            content(&props(json!({"content": ["*Bonjour*"]}))).unwrap(),
            Some((BodyFormat::Markdown, "*Bonjour*".to_owned()))
        );
        assert_eq!(
            content(&props(json!({"content": [{"html": "<p>x</p>"}]}))).unwrap(),
            Some((BodyFormat::Html, "<p>x</p>".to_owned()))
        );
        assert!(content(&props(json!({"content": [3]}))).is_err());
        assert_eq!(content(&props(json!({}))).unwrap(), None);
    }

    #[test]
    fn notes_are_titled_by_their_first_words() {
        assert_eq!(
            note_title("Il **pleut** sur Cotonou ☔"),
            "Il pleut sur Cotonou ☔"
        );
        let long = note_title(&"mot ".repeat(60));
        assert!(long.ends_with('…') && long.chars().count() <= NOTE_TITLE_CHARS + 1);
    }

    #[test]
    fn photos_are_urls_or_objects() {
        let p = photos(&props(json!({"photo": [
            "https://x.example/a.jpg",
            {"value": "https://x.example/b.jpg", "alt": "Un marché"}
        ]})))
        .unwrap();
        assert_eq!(p[1].alt.as_deref(), Some("Un marché"));
        assert!(photos(&props(json!({"photo": [{"alt": "x"}]}))).is_err());
        assert_eq!(
            with_photos(BodyFormat::Markdown, "Texte", &p[1..]),
            "Texte\n\n![Un marché](<https://x.example/b.jpg>)"
        );
    }

    #[test]
    fn statuses_and_dates_are_checked() {
        assert_eq!(
            status(&props(json!({"post-status": ["draft"]}))).unwrap(),
            Some(ArticleStatus::Draft)
        );
        assert!(status(&props(json!({"post-status": ["private"]}))).is_err());
        assert!(published(&props(json!({"published": ["hier"]}))).is_err());
        assert!(
            published(&props(json!({"published": ["2026-12-01T10:00:00+01:00"]})))
                .unwrap()
                .is_some()
        );
    }
}
