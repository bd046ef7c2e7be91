//! What a client sends with an upload or a change: the texts around an
//! image (alt, caption, credit, title) and its file name.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::embedded::Embedded;
use crate::content::patch::Patch;
use crate::content::slug::Slug;
use crate::content::text;
use crate::error::{ApiError, FieldError};
use crate::http::control_characters;

pub const MAX_ALT: usize = 500;
pub const MAX_CAPTION: usize = 2_000;
pub const MAX_CREDIT: usize = 300;
pub const MAX_TITLE: usize = 300;
const MAX_FILE_NAME: usize = 255;
/// Characters of a slugged file name kept in URLs.
const MAX_NAME_SLUG: usize = 80;

/// The four texts of a media object, checked; `None` is unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaTexts {
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub title: Option<String>,
}

impl MediaTexts {
    /// The texts an upload came with; blank counts as not given.
    pub fn from_upload(raw: &UploadTexts) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let mut field = |name: &str, value: &Option<String>, max: usize| {
            // Multipart parts pass no JSON parser: control characters are
            // refused here as `parse_json` refuses them elsewhere.
            if value
                .as_deref()
                .is_some_and(|v| v.chars().any(control_characters::is_refused))
            {
                errors.push(control_characters::field_error(name));
                return None;
            }
            text::optional(name, value.as_deref(), max)
                .map_err(|e| errors.push(e))
                .ok()
                .flatten()
        };
        let texts = Self {
            alt: field("alt", &raw.alt, MAX_ALT),
            caption: field("caption", &raw.caption, MAX_CAPTION),
            credit: field("credit", &raw.credit, MAX_CREDIT),
            title: field("title", &raw.title, MAX_TITLE),
        };
        if errors.is_empty() {
            Ok(texts)
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// What the photo says of itself fills what the upload left unset.
    pub fn or_embedded(self, embedded: &Embedded) -> Self {
        let cut = |value: &Option<String>, max: usize| {
            value
                .as_ref()
                .map(|v| v.chars().take(max).collect::<String>())
        };
        Self {
            alt: self.alt,
            caption: self.caption.or_else(|| cut(&embedded.caption, MAX_CAPTION)),
            credit: self.credit.or_else(|| cut(&embedded.credit, MAX_CREDIT)),
            title: self.title.or_else(|| cut(&embedded.title, MAX_TITLE)),
        }
    }

    /// Lowercase, accents folded: what `q` searches.
    pub fn search_text(&self, file_name: &str) -> String {
        let parts = [
            self.alt.as_deref(),
            self.caption.as_deref(),
            self.credit.as_deref(),
            self.title.as_deref(),
            Some(file_name),
        ];
        text::fold_for_search(&parts.into_iter().flatten().collect::<Vec<_>>().join("\n"))
    }
}

/// The texts of an upload: multipart parts, or query parameters beside a
/// raw body.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadTexts {
    /// Alternative text, for readers who cannot see the image.
    #[param(max_length = 500)]
    pub alt: Option<String>,
    /// Shown under the image. Prefilled from the photo's IPTC/XMP caption.
    #[param(max_length = 2000)]
    pub caption: Option<String>,
    /// The photographer or agency. Prefilled from the photo's IPTC/XMP credit.
    #[param(max_length = 300)]
    pub credit: Option<String>,
    /// Prefilled from the photo's IPTC/XMP headline or title.
    #[param(max_length = 300)]
    pub title: Option<String>,
}

/// An uploaded file's name as given, and the slug its URLs use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    pub given: String,
    pub slug: String,
}

impl FileName {
    /// A name that climbs (`..`), names a directory or carries control
    /// characters is refused rather than cleaned: it says the client is
    /// not sending what it thinks. No name at all is `image`.
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let refuse = |message: &str| {
            ApiError::Validation(vec![FieldError::new(
                "filename",
                "invalid_file_name",
                message,
            )])
        };
        let given = raw
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("image");
        if given.chars().any(char::is_control) {
            return Err(refuse("must not contain control characters"));
        }
        if given.contains('/') || given.contains('\\') || given == "." || given == ".." {
            return Err(refuse(
                "must be a file name, not a path (no `/`, `\\` or `..`)",
            ));
        }
        if given.chars().count() > MAX_FILE_NAME {
            return Err(refuse("must be at most 255 characters"));
        }
        let stem = given.rsplit_once('.').map_or(given, |(stem, _)| stem);
        let slug = Slug::from_text(stem)
            .map(Slug::into_string)
            .unwrap_or_else(|| "image".to_owned());
        let slug = cut_slug(&slug, MAX_NAME_SLUG);
        Ok(Self {
            given: given.to_owned(),
            slug,
        })
    }
}

/// At most `max` characters, cut at a hyphen when there is one.
fn cut_slug(slug: &str, max: usize) -> String {
    if slug.len() <= max {
        return slug.to_owned();
    }
    let cut = &slug[..max];
    cut.rsplit_once('-')
        .map_or(cut, |(head, _)| head)
        .to_owned()
}

/// The body of `PATCH /media/{id}`: only the fields sent change; `null`
/// clears one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 500, example = "Le président Talon à Cotonou")]
    pub alt: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000, example = "Le président Patrice Talon, le 3 mars à Cotonou.")]
    pub caption: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 300, example = "AFP")]
    pub credit: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub title: Patch<String>,
}

impl MediaPatch {
    pub fn apply(self, current: MediaTexts) -> Result<MediaTexts, ApiError> {
        let mut errors = Vec::new();
        let mut field =
            |name: &str, patch: Patch<String>, current: Option<String>, max: usize| match patch {
                Patch::Absent => current,
                Patch::Null => None,
                Patch::Value(value) => text::optional(name, Some(&value), max)
                    .map_err(|e| errors.push(e))
                    .ok()
                    .flatten(),
            };
        let texts = MediaTexts {
            alt: field("alt", self.alt, current.alt, MAX_ALT),
            caption: field("caption", self.caption, current.caption, MAX_CAPTION),
            credit: field("credit", self.credit, current.credit, MAX_CREDIT),
            title: field("title", self.title, current.title, MAX_TITLE),
        };
        if errors.is_empty() {
            Ok(texts)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_slugged_in_french_and_paths_refused() {
        let name = FileName::parse(Some("Le Président à Cotonou « officiel ».JPG")).unwrap();
        assert_eq!(name.slug, "le-president-a-cotonou-officiel");
        assert_eq!(FileName::parse(None).unwrap().slug, "image");
        assert_eq!(FileName::parse(Some("🙂.png")).unwrap().slug, "image");
        for hostile in [
            "../../etc/passwd",
            "a/b.jpg",
            "C:\\photo.jpg",
            "photo\u{0}.jpg",
            "..",
            "photo\n.jpg",
        ] {
            assert!(FileName::parse(Some(hostile)).is_err(), "{hostile:?}");
        }
        assert_eq!(FileName::parse(Some("photo..jpg")).unwrap().slug, "photo");
    }
}
