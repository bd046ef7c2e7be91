//! Slugs: generated from a title or name with French-aware transliteration
//! (`L’été à Niamey : « Noël » approche` → `l-ete-a-niamey-noel-approche`),
//! or validated when a client gives one.

use std::collections::HashSet;

use diesel::QueryResult;

use crate::db::DbConnection;
use crate::error::{ApiError, FieldError};

pub const MAX_LENGTH: usize = 120;

/// A value matching `^[a-z0-9]+(-[a-z0-9]+)*$`, at most 120 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let valid = !raw.is_empty()
            && raw.len() <= MAX_LENGTH
            && raw.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if valid && is_all_digits(raw) {
            // `/articles/1234` is read as an id: such a slug could never
            // be reached.
            Err(FieldError::new(
                field,
                "numeric_slug",
                "must contain at least one letter (a number alone is read as an id)",
            ))
        } else if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new(
                field,
                "invalid_slug",
                format!(
                    "must be lowercase letters and digits separated by single hyphens (at most {MAX_LENGTH} characters)"
                ),
            ))
        }
    }

    /// Derives a slug from free text; `None` when nothing usable is left
    /// (a title made only of punctuation or emoji).
    pub fn from_text(text: &str) -> Option<Self> {
        // Only letters and digits are transliterated: symbols and emoji would
        // otherwise become words ("BJ" for a flag) that nobody typed.
        let mut slug = String::with_capacity(text.len());
        for ch in text.chars() {
            let ascii = if ch.is_alphanumeric() {
                deunicode::deunicode_char(ch).unwrap_or("")
            } else {
                ""
            };
            if ascii.is_empty() {
                if !slug.is_empty() && !slug.ends_with('-') {
                    slug.push('-');
                }
                continue;
            }
            for b in ascii.chars() {
                if b.is_ascii_alphanumeric() {
                    slug.push(b.to_ascii_lowercase());
                } else if !slug.is_empty() && !slug.ends_with('-') {
                    slug.push('-');
                }
            }
        }
        let mut slug = slug.trim_end_matches('-').to_owned();
        if slug.len() > MAX_LENGTH {
            // Cut at a word boundary, leaving room for a "-NN" suffix.
            let cut = slug[..MAX_LENGTH - 6].rfind('-').unwrap_or(MAX_LENGTH - 6);
            slug.truncate(cut);
        }
        (!slug.is_empty()).then_some(Self(slug))
    }

    /// `base-2`, `base-3`, ...: the candidate for the n-th duplicate.
    pub fn with_suffix(&self, n: u32) -> Self {
        Self(format!("{}-{n}", self.0))
    }

    /// This slug if free, else the first free `-2`, `-3`, ... variant, given
    /// every taken slug that starts with this one.
    pub fn first_free(&self, taken: &std::collections::HashSet<String>) -> Self {
        if !taken.contains(&self.0) {
            return self.clone();
        }
        (2..)
            .map(|n| self.with_suffix(n))
            .find(|candidate| !taken.contains(&candidate.0))
            .unwrap_or_else(|| self.clone())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The slug of a new resource without a given one: derived from `text`
/// (or `fallback` when nothing usable is left), made unique against the
/// slugs `taken` returns for that base.
pub fn generate<E>(
    text: &str,
    fallback: &str,
    taken: impl FnOnce(&Slug) -> Result<HashSet<String>, E>,
) -> Result<Slug, E> {
    let base = match Slug::from_text(text) {
        // A title such as "2026" keeps its digits behind a word, so that
        // its slug is not read as an id.
        Some(slug) if is_all_digits(slug.as_str()) => Slug(format!("{fallback}-{}", slug.0)),
        Some(slug) => slug,
        None => Slug(fallback.to_owned()),
    };
    let taken = taken(&base)?;
    Ok(base.first_free(&taken))
}

fn is_all_digits(slug: &str) -> bool {
    slug.bytes().all(|b| b.is_ascii_digit())
}

/// The slugs of one kind of resource, for `settle`.
pub trait SlugTable {
    /// Named in a conflict: "article".
    const RESOURCE: &'static str;
    /// The slug when a name gives none (only punctuation, say).
    const FALLBACK: &'static str;
    fn owner(conn: &mut DbConnection, slug: &Slug) -> QueryResult<Option<i64>>;
    /// The slugs taken among `base` and its numbered variants.
    fn taken(conn: &mut DbConnection, base: &Slug) -> QueryResult<HashSet<String>>;
}

/// What a slug is settled for.
pub enum Subject<'a> {
    /// A new resource, named `text`.
    New { text: &'a str },
    /// A stored one, with its id and slug.
    Existing { id: i64, slug: &'a str },
}

/// The one rule for every resource's slug, on create and on update: a slug
/// given is kept as given (409 if another resource has it); none given
/// keeps a stored resource's slug, and gives a new one a slug made from its
/// name, unique among its kind.
pub fn settle<T: SlugTable>(
    conn: &mut DbConnection,
    given: Option<&Slug>,
    subject: Subject<'_>,
) -> Result<Slug, ApiError> {
    match (given, subject) {
        (Some(given), Subject::Existing { slug, .. }) if given.as_str() == slug => {
            Ok(Slug(slug.to_owned()))
        }
        (Some(given), subject) => {
            let own_id = match subject {
                Subject::Existing { id, .. } => Some(id),
                Subject::New { .. } => None,
            };
            match T::owner(conn, given)? {
                Some(owner) if Some(owner) != own_id => Err(taken_conflict(T::RESOURCE, given)),
                _ => Ok(given.clone()),
            }
        }
        // The stored slug, as stored: it was checked when it was set.
        (None, Subject::Existing { slug, .. }) => Ok(Slug(slug.to_owned())),
        (None, Subject::New { text }) => {
            Ok(generate(text, T::FALLBACK, |base| T::taken(conn, base))?)
        }
    }
}

/// A slug given explicitly is kept as given: a duplicate is a 409 naming
/// the field, never a silently suffixed slug the client did not ask for.
pub fn taken_conflict(resource: &str, slug: &Slug) -> ApiError {
    ApiError::Conflict {
        detail: format!(
            "another {resource} already has the slug `{}`",
            slug.as_str()
        ),
        errors: vec![FieldError::new(
            "slug",
            "taken",
            format!("`{}` is already taken", slug.as_str()),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(text: &str) -> String {
        Slug::from_text(text).unwrap().into_string()
    }

    #[test]
    fn french_titles() {
        assert_eq!(
            slug("Lutte contre le terrorisme : le Niger compte sur la Russie"),
            "lutte-contre-le-terrorisme-le-niger-compte-sur-la-russie"
        );
        assert_eq!(
            slug("L’été à Niamey : « Noël » approche"),
            "l-ete-a-niamey-noel-approche"
        );
        assert_eq!(slug("Le cœur de l’œuvre"), "le-coeur-de-l-oeuvre");
        assert_eq!(slug("Bénin 🇧🇯 — élections 2026 !"), "benin-elections-2026");
        assert!(Slug::from_text("« … »").is_none());
    }

    #[test]
    fn numeric_titles_get_a_word_before_their_digits() {
        let slug = generate("2026", "article", |_| Ok::<_, ()>(HashSet::new())).unwrap();
        assert_eq!(slug.as_str(), "article-2026");
        let slug = generate("2026 : l’année", "article", |_| {
            Ok::<_, ()>(HashSet::new())
        })
        .unwrap();
        assert_eq!(slug.as_str(), "2026-l-annee");
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let s = slug(&"mot ".repeat(100));
        assert!(s.len() <= MAX_LENGTH - 6 && !s.ends_with('-'));
    }

    #[test]
    fn duplicates_get_a_suffix() {
        let taken: HashSet<String> = ["niger", "niger-2"].iter().map(|s| s.to_string()).collect();
        let base = Slug::parse("slug", "niger").unwrap();
        assert_eq!(base.first_free(&taken).as_str(), "niger-3");
        assert_eq!(base.first_free(&HashSet::new()).as_str(), "niger");
    }

    #[test]
    fn given_slugs_are_validated() {
        assert!(Slug::parse("slug", "niger-2026").is_ok());
        for bad in ["", "Niger", "a--b", "-a", "a-", "é", "a b", "1234"] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad}");
        }
    }
}
