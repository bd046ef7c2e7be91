//! One error type for the whole API, turned into `application/problem+json`
//! (RFC 9457) here and nowhere else.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid input: which field, a stable machine code, and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field at fault, as a JSON path into the request (`author_ids[1]`)
    /// or the name of the query parameter.
    #[schema(example = "title")]
    pub field: String,
    /// A stable code clients can branch on.
    #[schema(example = "required")]
    pub code: String,
    #[schema(example = "le titre est obligatoire")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// The first error of each field, in order: a field reported missing
    /// is not also reported blank or unknown for the default that stood in
    /// for it.
    pub fn first_per_field(errors: Vec<Self>) -> Vec<Self> {
        let mut seen = std::collections::HashSet::new();
        errors
            .into_iter()
            .filter(|e| seen.insert(e.field.clone()))
            .collect()
    }
}

/// A problem details document (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference identifying the kind of problem.
    #[schema(example = "/problems/validation")]
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(example = "Validation failed")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "1 field is invalid")]
    pub detail: String,
    /// Every invalid field, for 400 and 422 responses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Why a reader's comment was refused, as a stable code
    /// (`comments_closed`, `challenge_failed`, `rate_limited`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "comments_closed")]
    pub code: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed request: unparseable JSON or query string, bad parameter.
    #[error("bad request: {detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Well-formed but invalid input; names every bad field at once.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// The path exists with other methods, listed in `Allow`.
    #[error("method not allowed")]
    MethodNotAllowed { allowed: Vec<String> },
    #[error("conflict: {detail}")]
    Conflict {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// A write lost a race with a concurrent one (a unique or foreign key
    /// violation, a serialization failure, a deadlock). `Db::write` runs it
    /// again; one that keeps losing is a 409 saying so. The cause (SQL,
    /// constraint names) is logged, never sent.
    #[error("write race: {cause}")]
    Race { cause: String, detail: String },
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_seconds: u64 },
    /// The server is at capacity for this kind of work (password hashing);
    /// the request was not started and can be sent again.
    #[error("busy")]
    Busy { retry_after_seconds: u64 },
    /// A reader's comment refused (`comments::refusal`), with its detail
    /// in the reader's language.
    #[error("comment refused: {}", refusal.code())]
    Refused {
        refusal: crate::comments::refusal::Refusal,
        lang: crate::comments::refusal::Lang,
    },
    /// The database cannot be reached; the cause is logged, never sent.
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(String),
    /// A bug or an unexpected failure; the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn bad_parameter(field: &str, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::BadRequest {
            detail: format!("invalid parameter '{field}': {message}"),
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest { .. } => ("bad-request", "Bad request"),
            Self::Validation(_) => ("validation", "Validation failed"),
            Self::Unauthorized(_) => ("unauthorized", "Authentication required"),
            Self::Forbidden(_) => ("forbidden", "Forbidden"),
            Self::NotFound(_) => ("not-found", "Not found"),
            Self::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            Self::Conflict { .. } | Self::Race { .. } => ("conflict", "Conflict"),
            Self::PreconditionFailed => ("precondition-failed", "Precondition failed"),
            Self::PayloadTooLarge { .. } => ("payload-too-large", "Payload too large"),
            Self::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            Self::TooManyRequests { .. } => ("rate-limited", "Too many requests"),
            Self::Busy { .. } => ("busy", "Service busy"),
            Self::Refused { .. } => ("comment-refused", "Comment refused"),
            Self::DatabaseUnavailable(_) => ("unavailable", "Service unavailable"),
            Self::Internal(_) => ("internal", "Internal server error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title) = self.kind_and_title();
        let (detail, errors) = match self {
            Self::BadRequest { detail, errors } | Self::Conflict { detail, errors } => {
                (detail.clone(), errors.clone())
            }
            Self::Validation(errors) => (
                match errors.len() {
                    1 => "1 field is invalid".to_owned(),
                    n => format!("{n} fields are invalid"),
                },
                errors.clone(),
            ),
            Self::Race { detail, .. } => (detail.clone(), Vec::new()),
            Self::Unauthorized(detail)
            | Self::Forbidden(detail)
            | Self::NotFound(detail)
            | Self::UnsupportedMediaType(detail) => (detail.clone(), Vec::new()),
            Self::MethodNotAllowed { allowed } => (
                format!("this resource supports {}", allowed.join(", ")),
                Vec::new(),
            ),
            Self::PreconditionFailed => (
                "the resource changed since the If-Match version; fetch it again".to_owned(),
                Vec::new(),
            ),
            Self::PayloadTooLarge { limit } => (
                format!("the request body exceeds the limit of {limit} bytes"),
                Vec::new(),
            ),
            Self::TooManyRequests {
                retry_after_seconds,
            } => (
                format!("too many attempts; retry in {retry_after_seconds} s"),
                Vec::new(),
            ),
            Self::Busy {
                retry_after_seconds,
            } => (
                format!("the server is busy; retry in {retry_after_seconds} s"),
                Vec::new(),
            ),
            Self::DatabaseUnavailable(_) => (
                "the database is unavailable; retry shortly".to_owned(),
                Vec::new(),
            ),
            Self::Internal(_) => ("an unexpected error occurred".to_owned(), Vec::new()),
            Self::Refused { refusal, lang } => (refusal.detail(*lang), Vec::new()),
        };
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            errors,
            code: match self {
                Self::Refused { refusal, .. } => Some(refusal.code().to_owned()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } | Self::Race { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Refused { refusal, .. } => refusal.status(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => tracing::error!(%cause, "internal error"),
            Self::DatabaseUnavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        match self {
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"cms\""));
            }
            Self::TooManyRequests {
                retry_after_seconds,
            }
            | Self::Busy {
                retry_after_seconds,
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            }
            Self::DatabaseUnavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            Self::Refused { refusal, .. } => {
                if let Some(seconds) = refusal.retry_after_seconds() {
                    response.insert_header((header::RETRY_AFTER, seconds.to_string()));
                }
            }
            Self::MethodNotAllowed { allowed } => {
                response.insert_header((header::ALLOW, allowed.join(", ")));
            }
            _ => {}
        }
        response.body(problem_body(&self.problem()))
    }
}

/// Serialises a problem; `Problem` holds only strings and numbers, so this
/// cannot fail, but a fixed fallback keeps it total.
pub fn problem_body(problem: &Problem) -> String {
    serde_json::to_string(problem).unwrap_or_else(|_| {
        r#"{"type":"/problems/internal","title":"Internal server error","status":500,"detail":"an unexpected error occurred"}"#.to_owned()
    })
}

impl From<crate::comments::refusal::Refusal> for ApiError {
    /// In French, the site's language; a handler that knows the reader's
    /// sets it (`comments::routes`).
    fn from(refusal: crate::comments::refusal::Refusal) -> Self {
        Self::Refused {
            refusal,
            lang: crate::comments::refusal::Lang::Fr,
        }
    }
}

impl ApiError {
    /// The same error, with a refusal's detail in `lang`.
    pub fn in_language(self, lang: crate::comments::refusal::Lang) -> Self {
        match self {
            Self::Refused { refusal, .. } => Self::Refused { refusal, lang },
            other => other,
        }
    }
}

impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => Self::not_found("the resource does not exist"),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, ref info) => {
                // Use cases check what a client can duplicate before they
                // write (a given slug), or turn the violation into a field
                // error themselves (`violated_unique_column`), so one that
                // reaches here is a concurrent write that took the value first.
                let column = violated_unique_column(&err).unwrap_or_default();
                let detail = if CLIENT_FACING_COLUMNS.contains(&column.as_str()) {
                    format!("a resource with the same {column} already exists")
                } else {
                    RACE_DETAIL.to_owned()
                };
                Self::Race {
                    cause: info.message().to_owned(),
                    detail,
                }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                Self::Race {
                    cause: info.message().to_owned(),
                    detail: "the resource is still referenced, or references a missing one"
                        .to_owned(),
                }
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                Self::Race {
                    cause: info.message().to_owned(),
                    detail: RACE_DETAIL.to_owned(),
                }
            }
            DieselError::DatabaseError(_, info) if info.message().contains("deadlock detected") => {
                Self::Race {
                    cause: info.message().to_owned(),
                    detail: RACE_DETAIL.to_owned(),
                }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::DatabaseUnavailable(info.message().to_owned())
            }
            DieselError::DatabaseError(_, info) if is_busy(info.message()) => {
                Self::DatabaseUnavailable(info.message().to_owned())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

/// The column a unique violation is about, from the column or constraint
/// name both backends report; `None` for any other error.
pub fn violated_unique_column(err: &DieselError) -> Option<String> {
    let DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = err else {
        return None;
    };
    Some(match (info.column_name(), info.constraint_name()) {
        (Some(column), _) => column.to_owned(),
        (None, Some(constraint)) => column_from_constraint(constraint, info.table_name()),
        (None, None) => unique_column_from_message(info.message()),
    })
}

/// What a client is told when its write kept colliding with others.
const RACE_DETAIL: &str = "the change collided with concurrent changes; send it again";

/// Unique columns a client sets, which a 409 may name; any other
/// constraint (a primary key, a join table) is the server's business.
const CLIENT_FACING_COLUMNS: &[&str] = &["slug", "email", "name", "token_prefix"];

fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

/// PostgreSQL names unique constraints `<table>_<column>_key`.
fn column_from_constraint(constraint: &str, table: Option<&str>) -> String {
    let without_suffix = constraint.strip_suffix("_key").unwrap_or(constraint);
    table
        .and_then(|t| without_suffix.strip_prefix(t))
        .map(|c| c.trim_start_matches('_'))
        .unwrap_or(without_suffix)
        .to_owned()
}

/// SQLite reports `UNIQUE constraint failed: articles.slug`.
fn unique_column_from_message(message: &str) -> String {
    message
        .rsplit_once('.')
        .map(|(_, column)| column.trim().to_owned())
        .filter(|c| c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_'))
        .unwrap_or_else(|| "value".to_owned())
}

impl From<r2d2::Error> for ApiError {
    fn from(err: r2d2::Error) -> Self {
        Self::DatabaseUnavailable(err.to_string())
    }
}
