//! Free-text fields of write payloads: trimmed, required or optional,
//! bounded in characters (not bytes: « é » counts as one).

use crate::error::FieldError;

/// A trimmed, non-empty string of at most `max` characters.
pub fn required(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::new(
            field,
            "required",
            format!("`{field}` must not be empty"),
        ));
    }
    bounded(field, value, max)
}

/// `None` for an empty or blank value, else a bounded string.
pub fn optional(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => bounded(field, value, max).map(Some),
    }
}

fn bounded(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let count = value.chars().count();
    if count > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("`{field}` must be at most {max} characters (got {count})"),
        ));
    }
    Ok(value.to_owned())
}

/// An absolute http(s) URL, or a path on this site (`/media/...`).
pub fn url(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    let ok =
        (value.starts_with("https://") || value.starts_with("http://") || value.starts_with('/'))
            && value.len() <= 2048
            && !value.chars().any(char::is_whitespace);
    if ok {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "invalid_url",
            "must be an http(s) URL or a path starting with /",
        ))
    }
}

/// Search text as stored and as queried: lowercase ASCII without accents,
/// so `élection` finds `Election` and `ELECTIONS`.
pub fn fold_for_search(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}
