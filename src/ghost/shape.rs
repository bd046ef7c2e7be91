//! What every Ghost Admin API answer shares: the site's absolute URLs,
//! Ghost's dates, its query parameters (`limit`, `page`, `formats`), its
//! pagination `meta`, and the JSON response with Ghost's headers.

use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::error::{Action, GhostError};
use crate::state::AppState;

/// Ghost's `Cache-Control` on admin answers: never stored.
pub const NO_CACHE: &str =
    "no-cache, private, no-store, must-revalidate, max-stale=0, post-check=0, pre-check=0";

/// The Ghost version this subset answers as (`site.version`,
/// `Content-Version`): the major the SDK's default `Accept-Version` asks
/// for.
pub const GHOST_VERSION: &str = "6.0";

/// Where the API and the site are, for absolute URLs.
#[derive(Debug, Clone)]
pub struct Site {
    /// `scheme://host` of this service.
    pub origin: String,
    /// The public site (the frontend), with no trailing slash.
    pub home: String,
    pub title: String,
    pub description: String,
    pub language: String,
}

impl Site {
    pub async fn load(
        req: &HttpRequest,
        state: &AppState,
        action: Action,
    ) -> Result<Self, GhostError> {
        let origin = crate::http::origin::request_origin(req, &state.config);
        let settings = state
            .site
            .settings()
            .await
            .map_err(|e| GhostError::from_api(e, action))?;
        Ok(Self {
            home: settings.home(&origin),
            origin,
            title: settings.title.clone(),
            description: settings.description.clone(),
            language: settings.language.as_str().to_owned(),
        })
    }

    /// A URL of this service made absolute (media URLs are paths unless a
    /// CDN serves them).
    pub fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{url}", self.origin)
        } else {
            url.to_owned()
        }
    }

    /// An article's public address.
    pub fn permalink(&self, slug: &str) -> String {
        format!("{}/{slug}/", self.home)
    }
}

/// Ghost's dates: UTC with milliseconds and `Z`.
pub fn date(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `at` to the millisecond, as `date` shows it: what a client sends back.
pub fn to_millis(at: NaiveDateTime) -> NaiveDateTime {
    let ms = at.and_utc().timestamp_millis();
    chrono::DateTime::from_timestamp_millis(ms).map_or(at, |d| d.naive_utc())
}

/// A date a client sends: RFC 3339 (`2026-12-01T09:30:00.000Z`), or
/// without a zone, read as UTC (Ghost reads it so).
pub fn parse_date(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Some(at.naive_utc());
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
}

/// A request's query string, decoded (the SDK joins lists with commas).
pub struct Query(HashMap<String, String>);

impl Query {
    pub fn of(req: &HttpRequest) -> Self {
        Self::parse(req.query_string())
    }

    pub fn parse(query: &str) -> Self {
        Self(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// `limit`: a number, or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    All,
    Some(u32),
}

/// A page as Ghost's `bookshelf-pagination` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u32,
    pub limit: Limit,
}

impl Page {
    /// Default limit 15; `limit` must match `^(\d+|all)$` and `page`
    /// `^\d+$`, else a 422 as Ghost's validator answers.
    pub fn parse(query: &Query, action: Action) -> Result<Self, GhostError> {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let limit = match query.get("limit") {
            None => Limit::Some(15),
            Some("all") => Limit::All,
            Some(n) if digits(n) => Limit::Some(n.parse::<u32>().unwrap_or(u32::MAX).max(1)),
            Some(_) => {
                return Err(GhostError::validation(
                    action,
                    "limit",
                    "Validation failed for limit.",
                ));
            }
        };
        let page = match query.get("page") {
            None => 1,
            Some(n) if digits(n) => n.parse::<u32>().unwrap_or(u32::MAX).max(1),
            Some(_) => {
                return Err(GhostError::validation(
                    action,
                    "page",
                    "Validation failed for page.",
                ));
            }
        };
        Ok(Self { page, limit })
    }

    /// `meta.pagination` for `total` items.
    pub fn meta(&self, total: i64) -> Value {
        let (limit, pages) = match self.limit {
            Limit::All => (json!("all"), 1),
            Limit::Some(n) => (json!(n), ((total + i64::from(n) - 1) / i64::from(n)).max(1)),
        };
        let page = i64::from(self.page);
        json!({ "pagination": {
            "page": page,
            "limit": limit,
            "pages": pages,
            "total": total,
            "next": if page < pages { json!(page + 1) } else { Value::Null },
            "prev": if page > 1 { json!(page - 1) } else { Value::Null },
        }})
    }
}

/// A JSON answer with Ghost's headers.
pub fn json(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, NO_CACHE))
        .insert_header((header::CONTENT_TYPE, "application/json; charset=utf-8"))
        .body(body.to_string())
}

/// A request's JSON body, up to the service's body limit.
pub async fn read_json(
    req: &HttpRequest,
    state: &AppState,
    mut payload: actix_web::web::Payload,
    action: Action,
) -> Result<Value, GhostError> {
    let body = crate::http::extract::body_within(&mut payload, state.config.max_body_bytes)
        .await
        .map_err(|e| match e {
            crate::error::ApiError::PayloadTooLarge { .. } => GhostError::from_api(e, action),
            other => GhostError::new(
                400,
                "BadRequestError",
                "The request could not be understood.",
            )
            .with_context(other.to_string()),
        })?;
    let essence = crate::http::extract::content_type_essence(req);
    if essence != "application/json" && !(essence.is_empty() && body.is_empty()) {
        return Err(GhostError::new(
            415,
            "UnsupportedMediaTypeError",
            "Please send the request as application/json.",
        ));
    }
    if body.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&body).map_err(|e| {
        GhostError::new(
            400,
            "BadRequestError",
            "The request could not be understood.",
        )
        .with_context(format!("The body is not valid JSON: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    #[test]
    fn pagination_reads_as_ghosts() {
        let page = Page {
            page: 2,
            limit: Limit::Some(5),
        };
        assert_eq!(
            page.meta(12),
            json!({"pagination": {"page": 2, "limit": 5, "pages": 3, "total": 12, "next": 3, "prev": 1}})
        );
        let all = Page {
            page: 1,
            limit: Limit::All,
        };
        assert_eq!(
            all.meta(0),
            json!({"pagination": {"page": 1, "limit": "all", "pages": 1, "total": 0, "next": null, "prev": null}})
        );
    }

    #[test]
    fn dates_have_milliseconds_and_read_back() {
        let at =
            NaiveDateTime::parse_from_str("2026-12-01 09:30:05.123456", "%Y-%m-%d %H:%M:%S%.f")
                .unwrap();
        assert_eq!(date(at), "2026-12-01T09:30:05.123Z");
        assert_eq!(parse_date(&date(at)), Some(to_millis(at)));
        assert_eq!(
            parse_date("2026-12-01T10:30:05+01:00"),
            Some(to_millis(at).with_nanosecond(0).unwrap())
        );
        assert_eq!(parse_date("hier"), None);
    }
}
