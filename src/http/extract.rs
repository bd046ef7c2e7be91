//! Request extractors that turn client input into typed values or a
//! problem+json naming the field at fault: JSON bodies and query strings.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// The largest request body accepted, shared through app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body. Refuses other content types (415), bodies over the
/// limit (413), malformed JSON (400) and values of the wrong shape, missing
/// or unknown fields (422, with the JSON path of the field).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<BodyLimit>>()
            .map(|l| l.0)
            .unwrap_or(1_048_576);
        let content_type_ok = is_json_content_type(req);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType(
                    "the request body must be JSON (Content-Type: application/json)".to_owned(),
                ));
            }
            if declared_length.is_some_and(|len| len > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let body = body_within(&mut payload, limit).await?;
            // Objects only: serde would also read a struct from an array.
            parse_json::<crate::http::object::Object<T>>(&body).map(|o| JsonBody(o.0))
        })
    }
}

/// A JSON body whose shape is judged after the preconditions: 415, 413 and
/// malformed JSON (400) refuse the request at once, but a document of the
/// wrong shape (422) is kept as `Err` so that a write checks `If-Match`
/// first (docs/api-decisions.md: 401 → 404 → 403 → 412 → 422). A client
/// with a stale copy is told so whatever it sent.
#[derive(Debug)]
pub struct JsonBodyAfterPreconditions<T>(pub Result<T, Vec<FieldError>>);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBodyAfterPreconditions<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = JsonBody::<T>::from_request(req, payload);
        Box::pin(async move {
            match body.await {
                Ok(JsonBody(value)) => Ok(Self(Ok(value))),
                Err(ApiError::Validation(errors)) => Ok(Self(Err(errors))),
                Err(refused) => Err(refused),
            }
        })
    }
}

fn is_json_content_type(req: &HttpRequest) -> bool {
    let essence = content_type_essence(req);
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The request's media type without its parameters, lower case (`""`
/// without a `Content-Type`).
pub fn content_type_essence(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// A request body read whole, up to `limit` bytes: 413 past it, 400 when
/// it cannot be read. The editor protocols read their bodies with it and
/// say the same in their own error shapes.
pub async fn body_within<S, E>(payload: &mut S, limit: usize) -> Result<Vec<u8>, ApiError>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::bad_request(format!("could not read the request body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.to_vec())
}

/// Deserialises a JSON document, reporting where it went wrong.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "the request body is empty; a JSON object is expected",
        ));
    }
    // Syntax first: a document that is not JSON at all is a 400 even when
    // its first tokens already have the wrong shape.
    let mut document: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
    if let Some(field) = crate::http::control_characters::find_in_json(&document) {
        return Err(ApiError::Validation(vec![
            crate::http::control_characters::field_error(field),
        ]));
    }
    integral_numbers_as_integers(&mut document);
    let value = serde_path_to_error::deserialize(document).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                ApiError::Validation(vec![field_error(&path, &inner.to_string())])
            }
            _ => ApiError::bad_request(format!("malformed JSON: {inner}")),
        }
    })?;
    Ok(value)
}

/// JSON has one number type, and JSON Schema counts `147.0` as the integer
/// 147: a number with no fractional part is read as an integer, so integer
/// fields take it as the document promises.
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                // i64::MAX as f64 is 2^63, just out of range.
                if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
                    *value = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// Turns serde's message into a field error. Unknown and missing fields are
/// reported at the field itself, not at the object that holds it.
fn field_error(path: &str, message: &str) -> FieldError {
    let message = strip_position(message);
    let parent = if path == "." { "" } else { path };
    let join = |name: &str| {
        if parent.is_empty() {
            name.to_owned()
        } else {
            format!("{parent}.{name}")
        }
    };
    if let Some(name) = backticked_after(&message, "unknown field `") {
        // serde_path_to_error has already stepped into the unknown key.
        let field = if parent.is_empty() {
            name.clone()
        } else {
            parent.to_owned()
        };
        return FieldError::new(field, "unknown_field", format!("unknown field `{name}`"));
    }
    if let Some(name) = backticked_after(&message, "missing field `") {
        return FieldError::new(join(&name), "required", format!("`{name}` is required"));
    }
    let code = if message.starts_with("invalid type") {
        "invalid_type"
    } else if message.starts_with("unknown variant") {
        "invalid_choice"
    } else {
        "invalid"
    };
    let field = if parent.is_empty() {
        "body".to_owned()
    } else {
        parent.to_owned()
    };
    FieldError::new(field, code, message)
}

fn backticked_after(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    rest.split_once('`').map(|(name, _)| name.to_owned())
}

/// serde_json appends " at line 1 column 12", which means nothing to a form field.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Query string parameters; a bad value is a 400 naming the parameter.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(QueryParams))
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        if let Some(name) = backticked_after(&message, "unknown field `") {
            return ApiError::bad_parameter(
                &name,
                "unknown_parameter",
                format!("unknown query parameter `{name}`"),
            );
        }
        if let Some(name) = backticked_after(&message, "duplicate field `") {
            return ApiError::bad_parameter(
                &name,
                "duplicate_parameter",
                format!("`{name}` is given more than once"),
            );
        }
        let field = if path == "." { "query" } else { path.as_str() };
        ApiError::bad_parameter(field, "invalid", message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialised")]
    struct Body {
        title: String,
        ids: Vec<i64>,
        seo: Option<Seo>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialised")]
    struct Seo {
        title: String,
    }

    fn fields(err: ApiError) -> Vec<(String, String)> {
        match err {
            ApiError::Validation(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn json_errors_name_the_field() {
        let e = parse_json::<Body>(br#"{"title":"a","ids":[1,"x"]}"#).unwrap_err();
        assert_eq!(
            fields(e),
            vec![("ids[1]".to_owned(), "invalid_type".to_owned())]
        );
        let e =
            parse_json::<Body>(br#"{"title":"a","ids":[],"seo":{"title":"t","x":1}}"#).unwrap_err();
        assert_eq!(
            fields(e),
            vec![("seo.x".to_owned(), "unknown_field".to_owned())]
        );
        let e = parse_json::<Body>(br#"{"ids":[]}"#).unwrap_err();
        assert_eq!(fields(e), vec![("title".to_owned(), "required".to_owned())]);
        assert!(matches!(
            parse_json::<Body>(b"{\"title\":"),
            Err(ApiError::BadRequest { .. })
        ));
        assert!(matches!(
            parse_json::<Body>(b""),
            Err(ApiError::BadRequest { .. })
        ));
        assert!(matches!(
            parse_json::<Body>(br#"{"title":"a","ids":[]} x"#),
            Err(ApiError::BadRequest { .. })
        ));
    }

    /// JSON Schema's `integer` includes `147.0`; `147.5` is still refused.
    #[test]
    fn integral_numbers_are_integers() {
        let body = parse_json::<Body>(br#"{"title":"a","ids":[147.0, -2.0, 3]}"#).unwrap();
        assert_eq!(body.ids, vec![147, -2, 3]);
        let e = parse_json::<Body>(br#"{"title":"a","ids":[147.5]}"#).unwrap_err();
        assert_eq!(
            fields(e),
            vec![("ids[0]".to_owned(), "invalid_type".to_owned())]
        );
    }
}
