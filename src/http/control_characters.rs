//! Control characters are refused at the door, in every path segment, query
//! parameter and JSON string, the same way on both databases.
//!
//! PostgreSQL cannot store NUL in text and answered 500 to any string that
//! held one (`/articles/a%00b`, `?q=a%00b`, an email in a sign-in), while
//! SQLite stored it. No field of this API has a use for C0 controls; tab,
//! line feed and carriage return stay allowed (bodies are written in editors
//! that end lines with CRLF).

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

/// The path segment or query parameter holding a refused character, once
/// decoded: `path` for the path, the parameter's name for the query.
fn find_in_request(path: &str, query: &str) -> Option<String> {
    let in_path = path
        .split('/')
        .any(|segment| holds_refused(&percent_decode_str(segment).decode_utf8_lossy()));
    if in_path {
        return Some("path".to_owned());
    }
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, value)| holds_refused(name) || holds_refused(value))
        .map(|(name, _)| {
            if holds_refused(&name) {
                "query".to_owned()
            } else {
                name.into_owned()
            }
        })
}

/// Middleware: a 400 naming the parameter before any handler runs.
pub async fn refuse_in_path_and_query(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(field) = find_in_request(req.path(), req.query_string()) {
        let error = ApiError::BadRequest {
            detail: format!("invalid parameter '{field}': {MESSAGE}"),
            errors: vec![field_error(field)],
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
        assert_eq!(
            find_in_request("/api/v1/articles/a%00b", "").as_deref(),
            Some("path")
        );
        assert_eq!(
            find_in_request("/api/v1/articles", "page=1&q=a%00b").as_deref(),
            Some("q")
        );
        assert_eq!(
            find_in_request("/api/v1/articles", "q=%C3%A9t%C3%A9%09"),
            None
        );
    }
}
