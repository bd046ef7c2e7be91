//! Errors as Ghost's Admin API sends them: `{"errors":[{message, context,
//! type, details, property, help, code, id, ghostErrorCode}]}`, all nine
//! keys always present, with Ghost's types and sentences (its
//! `@tryghost/errors` and the API framework's "cannot {action}" messages).
//! `@tryghost/admin-api` throws `errors[0]` with every key copied, so
//! clients branch on `type` and `code`. The application's `ApiError` is
//! translated here and nowhere else.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Value, json};

use crate::error::ApiError;

/// Ghost's `Cache-Control` on every error.
const NO_CACHE: &str =
    "no-cache, private, no-store, must-revalidate, max-stale=0, post-check=0, pre-check=0";

/// One of Ghost's errors (boxed: handlers return it on every path, and it
/// is large).
#[derive(Debug, Clone)]
pub struct GhostError(Box<GhostProblem>);

/// What a Ghost error says.
#[derive(Debug, Clone)]
pub struct GhostProblem {
    pub status: StatusCode,
    /// Ghost's error class: `UnauthorizedError`, `ValidationError`, …
    pub kind: &'static str,
    pub message: String,
    pub context: Option<String>,
    pub details: Option<Value>,
    pub property: Option<String>,
    pub help: Option<String>,
    pub code: Option<&'static str>,
    pub retry_after_seconds: Option<u64>,
}

impl std::fmt::Display for GhostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.kind, self.status, self.message)
    }
}

/// What a request was doing, for Ghost's "cannot {action}" sentences.
#[derive(Debug, Clone, Copy)]
pub enum Action {
    Browse(&'static str),
    Read(&'static str),
    Add(&'static str),
    Edit(&'static str),
    Destroy(&'static str),
    Upload(&'static str),
}

impl Action {
    fn words(self) -> String {
        match self {
            Self::Browse(docs) => format!("list {docs}"),
            Self::Read(doc) => format!("read {doc}"),
            Self::Add(doc) => format!("save {doc}"),
            Self::Edit(doc) => format!("edit {doc}"),
            Self::Destroy(doc) => format!("delete {doc}"),
            Self::Upload(doc) => format!("upload {doc}"),
        }
    }
}

impl std::ops::Deref for GhostError {
    type Target = GhostProblem;

    fn deref(&self) -> &GhostProblem {
        &self.0
    }
}

impl GhostError {
    pub fn new(status: u16, kind: &'static str, message: impl Into<String>) -> Self {
        Self(Box::new(GhostProblem {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            kind,
            message: message.into(),
            context: None,
            details: None,
            property: None,
            help: None,
            code: None,
            retry_after_seconds: None,
        }))
    }

    pub fn with_code(mut self, code: &'static str) -> Self {
        self.0.code = Some(code);
        self
    }

    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.0.context = Some(context.into());
        self
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.0.details = Some(details);
        self
    }

    pub fn with_property(mut self, property: impl Into<String>) -> Self {
        self.0.property = Some(property.into());
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.0.retry_after_seconds = Some(seconds);
        self
    }

    /// 401 `UnauthorizedError` with a token check's code.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(401, "UnauthorizedError", message).with_code(code)
    }

    /// 400 `BadRequestError` with a token check's code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(400, "BadRequestError", message).with_code(code)
    }

    /// A request without an `Authorization` header: Ghost then looks for a
    /// session cookie, and without one refuses with this.
    pub fn no_credentials() -> Self {
        Self::new(403, "NoPermissionError", "Authorization failed").with_context(
            "Unable to determine the authenticated user or integration. Check that cookies are being passed through if using session authentication.",
        )
    }

    pub fn not_found(action: Action, context: impl Into<String>) -> Self {
        Self::new(
            404,
            "NotFoundError",
            format!("Resource not found error, cannot {}.", action.words()),
        )
        .with_context(context)
    }

    pub fn no_route() -> Self {
        Self::new(404, "NotFoundError", "Resource not found")
    }

    /// 422 `ValidationError` naming the field at fault.
    pub fn validation(action: Action, property: &str, context: impl Into<String>) -> Self {
        Self::new(
            422,
            "ValidationError",
            format!("Validation error, cannot {}.", action.words()),
        )
        .with_context(context)
        .with_property(property)
    }

    /// 403 `NoPermissionError`: a role's refusal.
    pub fn no_permission(action: Action, context: impl Into<String>) -> Self {
        Self::new(
            403,
            "NoPermissionError",
            format!("You do not have permission to {}.", action.words()),
        )
        .with_context(context)
    }

    /// 409 `UpdateCollisionError`: the post changed since the client read
    /// it.
    pub fn collision(details: Value) -> Self {
        const SENTENCE: &str = "Saving failed! Someone else is editing this post.";
        Self::new(409, "UpdateCollisionError", SENTENCE)
            .with_code("UPDATE_COLLISION")
            .with_context(SENTENCE)
            .with_details(details)
    }

    /// The application's error in Ghost's words, for a request doing
    /// `action`.
    pub fn from_api(error: ApiError, action: Action) -> Self {
        match error {
            ApiError::BadRequest { detail, errors } | ApiError::Conflict { detail, errors }
                if errors.is_empty() =>
            {
                Self::new(
                    400,
                    "BadRequestError",
                    format!("Request not understood error, cannot {}.", action.words()),
                )
                .with_context(detail)
            }
            ApiError::BadRequest { errors, .. }
            | ApiError::Conflict { errors, .. }
            | ApiError::Validation(errors) => {
                let first = errors.first();
                let property = first.map_or("", |e| e.field.as_str()).to_owned();
                let context = first.map_or_else(String::new, |e| {
                    format!("Validation failed for {}: {}.", e.field, e.message)
                });
                Self::validation(action, &property, context).with_details(
                    errors
                        .iter()
                        .map(|e| json!({"field": e.field, "code": e.code, "message": e.message}))
                        .collect(),
                )
            }
            ApiError::Unauthorized(_) => Self::unauthorized("INVALID_AUTH", "Authorization failed"),
            ApiError::Forbidden(detail) => Self::no_permission(action, detail),
            ApiError::NotFound(detail) => Self::not_found(action, detail),
            ApiError::MethodNotAllowed { .. } => Self::no_route(),
            ApiError::Race { detail, .. } => Self::collision(json!({ "reason": detail })),
            ApiError::PreconditionFailed => Self::collision(json!({})),
            ApiError::PayloadTooLarge { limit } => Self::new(
                413,
                "RequestEntityTooLargeError",
                format!(
                    "Request is larger than the maximum file size ({} MiB).",
                    limit / 1024 / 1024
                ),
            ),
            ApiError::UnsupportedMediaType(detail) => Self::new(
                415,
                "UnsupportedMediaTypeError",
                "Please select a valid image.",
            )
            .with_context(detail),
            ApiError::TooManyRequests {
                retry_after_seconds,
            }
            | ApiError::Busy {
                retry_after_seconds,
            } => Self::new(
                429,
                "TooManyRequestsError",
                format!("Too many requests: try again in {retry_after_seconds} seconds."),
            )
            .with_retry_after(retry_after_seconds),
            ApiError::Refused { refusal, lang } => Self::new(
                refusal.status().as_u16(),
                "ValidationError",
                refusal.detail(lang),
            ),
            ApiError::DatabaseUnavailable(_) => Self::new(
                503,
                "InternalServerError",
                "The service is unavailable for a moment; nothing was saved. Try again.",
            ),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "ghost admin request failed");
                Self::new(
                    500,
                    "InternalServerError",
                    "The server has encountered an error.",
                )
            }
        }
    }

    pub fn body(&self) -> Value {
        json!({ "errors": [{
            "message": self.message,
            "context": self.context,
            "type": self.kind,
            "details": self.details,
            "property": self.property,
            "help": self.help,
            "code": self.code,
            "id": uuid::Uuid::new_v4().to_string(),
            "ghostErrorCode": null,
        }]})
    }
}

impl ResponseError for GhostError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(seconds) = self.retry_after_seconds {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response
            .insert_header((header::CACHE_CONTROL, NO_CACHE))
            .insert_header((header::CONTENT_TYPE, "application/json; charset=utf-8"))
            .body(self.body().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldError;

    #[test]
    fn every_error_has_ghosts_nine_keys() {
        let body = GhostError::unauthorized("INVALID_JWT", "Invalid token: jwt expired").body();
        let first = body["errors"][0].as_object().unwrap();
        let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "code",
                "context",
                "details",
                "ghostErrorCode",
                "help",
                "id",
                "message",
                "property",
                "type"
            ]
        );
        assert_eq!(first["type"], "UnauthorizedError");
        assert_eq!(first["code"], "INVALID_JWT");
    }

    #[test]
    fn application_errors_read_as_ghosts() {
        let e = GhostError::from_api(ApiError::not_found("no such article"), Action::Read("post"));
        assert_eq!(e.status, 404);
        assert_eq!(e.message, "Resource not found error, cannot read post.");
        let e = GhostError::from_api(
            ApiError::Validation(vec![FieldError::new("title", "too_long", "at most 300")]),
            Action::Add("post"),
        );
        assert_eq!(e.status, 422);
        assert_eq!(e.message, "Validation error, cannot save post.");
        assert_eq!(e.property.as_deref(), Some("title"));
        let e = GhostError::from_api(ApiError::PreconditionFailed, Action::Edit("post"));
        assert_eq!((e.status.as_u16(), e.code), (409, Some("UPDATE_COLLISION")));
    }
}
