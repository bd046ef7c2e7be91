//! Control characters are refused at the door, in every path segment, query
//! parameter and JSON string, the same way on both databases.
//!
//! PostgreSQL cannot store NUL in text and answered 500 to any string that
//! held one (`/articles/a%00b`, `?q=a%00b`, an email in a sign-in), while
//! SQLite stored it. No field of this API has a use for C0 controls; tab,
//! line feed and carriage return stay allowed (bodies are written in editors
//! that end lines with CRLF).
//!
//! Bytes that are not UTF-8 once percent-decoded (`?q=caf%E9`, Latin-1, or
//! the same byte sent raw: `http::raw_targets`) are refused here too: the
//! query parsers would read them as U+FFFD and search for that.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use percent_encoding::percent_decode_str;

use crate::error::{ApiError, FieldError};

pub const CODE: &str = "control_character";
const MESSAGE: &str =
    "must not contain control characters (U+0000 to U+001F other than tab and line breaks)";

/// A character no text of this API may hold.
pub fn is_refused(c: char) -> bool {
    c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r') && c != '\u{7f}'
}

fn holds_refused(text: &str) -> bool {
    text.chars().any(is_refused)
}

pub fn field_error(field: impl Into<String>) -> FieldError {
    FieldError::new(field, CODE, MESSAGE)
}

pub const NOT_UTF8_CODE: &str = "invalid_encoding";
const NOT_UTF8_MESSAGE: &str =
    "must be UTF-8 once percent-decoded (é is %C3%A9; %E9 alone is Latin-1)";

/// Why a path segment or query parameter is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    ControlCharacter,
    NotUtf8,
}

impl Refusal {
    fn of(encoded: &str) -> Option<Self> {
        match percent_decode_str(encoded).decode_utf8() {
            Err(_) => Some(Self::NotUtf8),
            Ok(text) if holds_refused(&text) => Some(Self::ControlCharacter),
            Ok(_) => None,
        }
    }

    fn message(self) -> &'static str {
        match self {
            Self::ControlCharacter => MESSAGE,
            Self::NotUtf8 => NOT_UTF8_MESSAGE,
        }
    }

    fn field_error(self, field: String) -> FieldError {
        match self {
            Self::ControlCharacter => field_error(field),
            Self::NotUtf8 => FieldError::new(field, NOT_UTF8_CODE, NOT_UTF8_MESSAGE),
        }
    }
}

/// The JSON path (`tags[1]`, `seo.title`) of the first string or key in
/// `value` holding a refused character.
pub fn find_in_json(value: &serde_json::Value) -> Option<String> {
    fn walk(value: &serde_json::Value, path: &str) -> Option<String> {
        use serde_json::Value;
        match value {
            Value::String(s) if holds_refused(s) => {
                Some(if path.is_empty() { "body" } else { path }.to_owned())
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(item, &format!("{path}[{i}]"))),
            Value::Object(map) => map.iter().find_map(|(key, item)| {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if holds_refused(key) {
                    Some(here)
                } else {
                    walk(item, &here)
                }
            }),
            _ => None,
        }
    }
    walk(value, "")
}

/// The path segment or query parameter holding a refused character or
/// bytes that are not UTF-8, once decoded: `path` for the path, the
/// parameter's name for the query (`query` when the name is the culprit).
fn find_in_request(path: &str, query: &str) -> Option<(String, Refusal)> {
    if let Some(refusal) = path.split('/').find_map(Refusal::of) {
        return Some(("path".to_owned(), refusal));
    }
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        // `+` is a space in a query; it changes no byte's validity.
        if let Some(refusal) = Refusal::of(name) {
            return Some(("query".to_owned(), refusal));
        }
        let refusal = Refusal::of(value)?;
        let name = percent_decode_str(&name.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        Some((name, refusal))
    })
}

/// Middleware: a 400 naming the parameter before any handler runs.
pub async fn refuse_in_path_and_query(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some((field, refusal)) = find_in_request(req.path(), req.query_string()) {
        let error = ApiError::BadRequest {
            detail: format!("invalid parameter '{field}': {}", refusal.message()),
            errors: vec![refusal.field_error(field)],
        };
        return Ok(req.error_response(error));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_field_and_spares_line_breaks() {
        let body = serde_json::json!({
            "title": "Un titre\tavec tabulation\r\n",
            "seo": {"title": "ok"},
            "tags": ["a", "b\u{0}c"],
        });
        assert_eq!(find_in_json(&body).as_deref(), Some("tags[1]"));
        let clean = serde_json::json!({"title": "« Élection » au Bénin’ 🇧🇯\n"});
        assert_eq!(find_in_json(&clean), None);
        let control = Refusal::ControlCharacter;
        assert_eq!(
            find_in_request("/api/v1/articles/a%00b", ""),
            Some(("path".to_owned(), control))
        );
        assert_eq!(
            find_in_request("/api/v1/articles", "page=1&q=a%00b"),
            Some(("q".to_owned(), control))
        );
        assert_eq!(
            find_in_request("/api/v1/articles", "q=%C3%A9t%C3%A9%09+x&sort"),
            None
        );
    }

    #[test]
    fn finds_bytes_that_are_not_utf8() {
        let latin1 = Refusal::NotUtf8;
        assert_eq!(
            find_in_request("/api/v1/categories/caf%E9", ""),
            Some(("path".to_owned(), latin1))
        );
        assert_eq!(
            find_in_request("/api/v1/articles", "page=1&mot+cl%C3%A9=caf%E9"),
            Some(("mot clé".to_owned(), latin1))
        );
        assert_eq!(
            find_in_request("/api/v1/articles", "caf%E9=1"),
            Some(("query".to_owned(), latin1))
        );
    }
}
