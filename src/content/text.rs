//! Free-text fields of write payloads: trimmed, required or optional,
//! bounded in characters (not bytes: « é » counts as one) as sent, so that
//! the document's `maxLength` is exactly the limit. "Blank" is Rust's
//! `char::is_whitespace`, which the document spells out in its patterns
//! (`NON_BLANK_PATTERN`, `URL_PATTERN`).

use crate::error::FieldError;

/// Rust's whitespace (`char::is_whitespace`, what `str::trim` removes), as
/// a regex character class body.
pub const WHITESPACE_CLASS: &str =
    r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// What the document says of a required text: some character that is not
/// whitespace.
pub const NON_BLANK_PATTERN: &str =
    r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
/// What the document says of a URL: an http(s) URL or a path, made of the
/// characters RFC 3986 allows outside an IPv6 literal (`URL_CHARS`, what
/// is not must be percent-encoded); whitespace around it is trimmed.
pub const URL_PATTERN: &str = concat!(
    r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*",
    r"(https?://|/)[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*",
    r"[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
);
/// The characters a URL may hold besides ASCII letters and digits.
pub const URL_CHARS: &str = "-._~:/?#@!$&'()*+,;=%";
/// The longest URL accepted, in characters.
pub const URL_MAX: usize = 2048;

/// A trimmed, non-empty string of at most `max` characters.
pub fn required(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    bounded(field, raw, max)?;
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::new(
            field,
            "required",
            format!("`{field}` must not be empty"),
        ));
    }
    Ok(value.to_owned())
}

/// `None` for an empty or blank value, else a bounded string.
pub fn optional(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    if let Some(raw) = raw {
        bounded(field, raw, max)?;
    }
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => Ok(Some(value.to_owned())),
    }
}

fn bounded(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    let count = value.chars().count();
    if count > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("`{field}` must be at most {max} characters (got {count})"),
        ));
    }
    Ok(())
}

/// An absolute http(s) URL, or a path on this site (`/media/...`).
pub fn url(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if raw.chars().count() > URL_MAX {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("`{field}` must be at most {URL_MAX} characters"),
        ));
    }
    let ok =
        (value.starts_with("https://") || value.starts_with("http://") || value.starts_with('/'))
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || URL_CHARS.contains(c));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "invalid_url",
            "must be an http(s) URL or a path starting with /, non-ASCII characters percent-encoded",
        ))
    }
}

/// Search text as stored and as queried: lowercase ASCII without accents,
/// so `élection` finds `Election` and `ELECTIONS`.
pub fn fold_for_search(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// A `LIKE` pattern (with a backslash as its `ESCAPE`) matching text
/// that contains `word` as it is: its `%`, `_` and backslashes match
/// themselves.
pub fn contains_pattern(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whitespace class the document publishes is exactly what
    /// `str::trim` removes, so "blank" means the same on both sides.
    #[test]
    fn the_documented_whitespace_class_is_rusts() {
        let mut ranges: Vec<(char, char)> = Vec::new();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if !c.is_whitespace() {
                continue;
            }
            match ranges.last_mut() {
                Some((_, end)) if *end as u32 + 1 == c as u32 => *end = c,
                _ => ranges.push((c, c)),
            }
        }
        let escape = |c: char| match c {
            '\t' => r"\t".to_owned(),
            '\r' => r"\r".to_owned(),
            ' ' => " ".to_owned(),
            c => format!("\\u{:04x}", c as u32),
        };
        let class: String = ranges
            .iter()
            .map(|&(a, b)| match b as u32 - a as u32 {
                0 => escape(a),
                1 => format!("{}{}", escape(a), escape(b)),
                _ => format!("{}-{}", escape(a), escape(b)),
            })
            .collect();
        assert_eq!(class, WHITESPACE_CLASS);
        assert_eq!(NON_BLANK_PATTERN, format!("[^{WHITESPACE_CLASS}]"));
        assert_eq!(
            URL_PATTERN,
            format!(
                r"^[{w}]*(https?://|/)[A-Za-z0-9\{URL_CHARS}]*[{w}]*$",
                w = WHITESPACE_CLASS
            )
        );
    }

    #[test]
    fn lengths_count_what_was_sent() {
        assert!(required("name", &format!(" {}", "a".repeat(100)), 100).is_err());
        assert_eq!(required("name", " Sahel ", 100).unwrap(), "Sahel");
        assert!(required("name", "\u{3000}\u{85}", 100).is_err());
        assert_eq!(optional("bio", Some("  "), 10).unwrap(), None);
        assert!(optional("bio", Some(&" ".repeat(11)), 10).is_err());
        assert!(url("url", &format!("https://{}", "a".repeat(2041))).is_err());
        assert!(url("url", &format!("https://{}", "a".repeat(2040))).is_ok());
        assert!(url("url", " /media/niamey%C3%A9.webp?w=800&h=450 ").is_ok());
        assert!(url("url", "https://[::1/").is_err());
        assert!(url("url", "https://journal.example/é").is_err());
    }
}
