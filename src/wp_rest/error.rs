//! Errors as WordPress's REST API sends them: `{code, message, data:
//! {status}}` with WordPress's codes, so that clients branching on
//! `rest_cannot_publish` or `incorrect_password` keep working. The
//! application's `ApiError` is translated here and nowhere else.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Map, Value, json};

use crate::error::ApiError;

#[derive(Debug, Clone)]
pub struct WpError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// `data.params`: for `rest_invalid_param` and `rest_missing_callback_param`,
    /// each parameter at fault and why.
    pub params: Option<Map<String, Value>>,
    /// `Retry-After`, for 429 and 503.
    pub retry_after_seconds: Option<u64>,
}

impl std::fmt::Display for WpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl WpError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code,
            message: message.into(),
            params: None,
            retry_after_seconds: None,
        }
    }

    /// One or more bad parameters, as WordPress's argument validation
    /// reports them: the names in the message, each reason in `params`.
    pub fn invalid_params<I, K, V>(reasons: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let params: Map<String, Value> = reasons
            .into_iter()
            .map(|(k, v)| (k.into(), Value::String(v.into())))
            .collect();
        let names = params.keys().cloned().collect::<Vec<_>>().join(", ");
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "rest_invalid_param",
            message: format!("Invalid parameter(s): {names}"),
            params: Some(params),
            retry_after_seconds: None,
        }
    }

    pub fn invalid_param(name: &str, reason: impl Into<String>) -> Self {
        Self::invalid_params([(name.to_owned(), reason.into())])
    }

    /// 401 for the public, 403 for a signed-in caller: WordPress's
    /// `rest_authorization_required_code()`.
    pub fn refused(signed_in: bool, code: &'static str, message: impl Into<String>) -> Self {
        Self::new(if signed_in { 403 } else { 401 }, code, message)
    }

    pub fn no_route() -> Self {
        Self::new(
            404,
            "rest_no_route",
            "No route was found matching the URL and request method.",
        )
    }

    pub fn invalid_post_id() -> Self {
        Self::new(404, "rest_post_invalid_id", "Invalid post ID.")
    }

    pub fn invalid_term_id() -> Self {
        Self::new(404, "rest_term_invalid", "Term does not exist.")
    }

    pub fn invalid_user_id() -> Self {
        Self::new(404, "rest_user_invalid_id", "Invalid user ID.")
    }

    /// WordPress's answer to a `DELETE` without `force=true` for what has
    /// no trash (here: everything, until the trash exists); nothing is
    /// deleted.
    pub fn trash_not_supported(what: &str) -> Self {
        Self::new(
            501,
            "rest_trash_not_supported",
            format!("{what} not support trashing. Set 'force=true' to delete."),
        )
    }

    pub fn incorrect_password() -> Self {
        Self::new(
            401,
            "incorrect_password",
            "The provided password is an invalid application password.",
        )
    }

    pub fn body(&self) -> Value {
        let mut data = Map::new();
        data.insert("status".to_owned(), json!(self.status.as_u16()));
        if let Some(params) = &self.params {
            data.insert("params".to_owned(), Value::Object(params.clone()));
        }
        json!({ "code": self.code, "message": self.message, "data": data })
    }

    /// The application's error in WordPress's words; `forbidden` is the
    /// code and sentence a refusal by role gets in this context.
    pub fn from_api(error: ApiError, forbidden: (&'static str, &str)) -> Self {
        match error {
            ApiError::Unauthorized(_) => Self::new(401, forbidden.0, forbidden.1),
            ApiError::Forbidden(_) => Self::new(403, forbidden.0, forbidden.1),
            other => Self::from(other),
        }
    }
}

impl From<ApiError> for WpError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::BadRequest { detail, errors } | ApiError::Conflict { detail, errors }
                if errors.is_empty() =>
            {
                Self::new(400, "rest_invalid_param", detail)
            }
            ApiError::BadRequest { errors, .. }
            | ApiError::Conflict { errors, .. }
            | ApiError::Validation(errors) => {
                Self::invalid_params(errors.into_iter().map(|e| (e.field, e.message)))
            }
            ApiError::Unauthorized(_) => Self::new(
                401,
                "rest_not_logged_in",
                "You are not currently logged in.",
            ),
            ApiError::Forbidden(detail) => Self::new(
                403,
                "rest_forbidden",
                format!("Sorry, you are not allowed to do that: {detail}"),
            ),
            ApiError::NotFound(detail) => Self::new(404, "rest_not_found", detail),
            ApiError::MethodNotAllowed { .. } => Self::no_route(),
            ApiError::Race { detail, .. } => Self::new(409, "rest_conflict", detail),
            ApiError::PreconditionFailed => Self::new(
                412,
                "rest_precondition_failed",
                "The post was changed by someone else.",
            ),
            ApiError::PayloadTooLarge { limit } => Self::new(
                413,
                "rest_upload_file_too_big",
                format!("The file is larger than {} MiB.", limit / 1024 / 1024),
            ),
            ApiError::UnsupportedMediaType(detail) => {
                Self::new(415, "rest_upload_sideload_error", detail)
            }
            ApiError::TooManyRequests {
                retry_after_seconds,
            } => Self {
                retry_after_seconds: Some(retry_after_seconds),
                ..Self::new(
                    429,
                    "too_many_requests",
                    format!(
                        "Too many failed sign-ins: try again in {retry_after_seconds} seconds."
                    ),
                )
            },
            ApiError::Busy {
                retry_after_seconds,
            } => Self {
                retry_after_seconds: Some(retry_after_seconds),
                ..Self::new(
                    503,
                    "rest_busy",
                    format!("The server is busy: try again in {retry_after_seconds} seconds."),
                )
            },
            ApiError::Refused { refusal, lang } => Self::new(
                refusal.status().as_u16(),
                refusal.code(),
                refusal.detail(lang),
            ),
            ApiError::DatabaseUnavailable(_) => Self::new(
                503,
                "rest_unavailable",
                "The service is unavailable for a moment; nothing was saved. Try again.",
            ),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "wp-json request failed");
                Self::new(
                    500,
                    "rest_internal_error",
                    "The server failed; nothing was saved. Try again.",
                )
            }
        }
    }
}

impl ResponseError for WpError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            // WordPress's hint for Basic clients that an application
            // password is what it takes.
            response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"WordPress\""));
        }
        if let Some(seconds) = self.retry_after_seconds {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(self.body())
    }
}
