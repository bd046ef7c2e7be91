//! Errors as the Micropub specification names them: `{"error",
//! "error_description"}` with `invalid_request` (400), `unauthorized`
//! (401: no token, or one that is not valid), `forbidden` (403: the
//! account may not do this) and `insufficient_scope` (403, naming the
//! scope needed). The application's `ApiError` is translated here and
//! nowhere else.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::error::ApiError;

#[derive(Debug, Clone)]
pub struct MicropubError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    /// The scope `insufficient_scope` asks for.
    pub scope: Option<&'static str>,
    pub retry_after_seconds: Option<u64>,
}

impl std::fmt::Display for MicropubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.error, self.status, self.description)
    }
}

impl MicropubError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            scope: None,
            retry_after_seconds: None,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    pub fn unauthorized(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", description)
    }

    pub fn forbidden(description: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", description)
    }

    pub fn insufficient_scope(scope: &'static str) -> Self {
        Self {
            scope: Some(scope),
            ..Self::new(
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                format!("this token lacks the `{scope}` scope"),
            )
        }
    }
}

impl From<ApiError> for MicropubError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::BadRequest { detail, errors } | ApiError::Conflict { detail, errors }
                if errors.is_empty() =>
            {
                Self::invalid_request(detail)
            }
            ApiError::BadRequest { errors, .. }
            | ApiError::Conflict { errors, .. }
            | ApiError::Validation(errors) => Self::invalid_request(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            ApiError::Unauthorized(detail) => Self::unauthorized(detail),
            ApiError::Forbidden(detail) => Self::forbidden(detail),
            ApiError::NotFound(_) => Self::invalid_request("no post has this URL"),
            ApiError::MethodNotAllowed { .. } => Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                "this endpoint takes GET and POST",
            ),
            ApiError::Race { detail, .. } => Self::new(StatusCode::CONFLICT, "conflict", detail),
            ApiError::PreconditionFailed => Self::new(
                StatusCode::CONFLICT,
                "conflict",
                "the post was changed by someone else meanwhile; nothing was written",
            ),
            ApiError::PayloadTooLarge { limit } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                format!("the request is larger than {limit} bytes"),
            ),
            ApiError::UnsupportedMediaType(detail) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_request",
                detail,
            ),
            ApiError::TooManyRequests {
                retry_after_seconds,
            }
            | ApiError::Busy {
                retry_after_seconds,
            } => Self {
                retry_after_seconds: Some(retry_after_seconds),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    format!("try again in {retry_after_seconds} seconds"),
                )
            },
            ApiError::Refused { refusal, lang } => {
                Self::new(refusal.status(), refusal.code(), refusal.detail(lang))
            }
            ApiError::DatabaseUnavailable(_) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "the service is unavailable for a moment; nothing was saved",
            ),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "micropub request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "the server failed; nothing was saved",
                )
            }
        }
    }
}

impl ResponseError for MicropubError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Some(seconds) = self.retry_after_seconds {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        let mut body = json!({ "error": self.error, "error_description": self.description });
        if let Some(scope) = self.scope {
            body["scope"] = json!(scope);
        }
        response
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(body)
    }
}
