//! Lists: `page`/`per_page` parsing, the `{data, meta}` envelope, and the
//! RFC 8288 `Link` header (`first`, `prev`, `next`, `last`).

use actix_web::HttpRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
/// Beyond this an offset is meaningless (and would overflow); use `cursor`.
const MAX_PAGE: u32 = 1_000_000;

/// `page` and `per_page` as sent, for lists that take nothing else. Kept as
/// text so that a bad value is reported by `PageRequest::parse`, naming it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000000, example = 1)]
    pub page: Option<String>,
    /// Items per page: default 20, at most 100 (more is a 400, not a silent cap).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
}

impl PageQuery {
    pub fn parse(&self) -> Result<PageRequest, ApiError> {
        PageRequest::parse(self.page.as_deref(), self.per_page.as_deref())
    }
}

/// Which slice of a list the client asked for, already checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    /// A `per_page` over the maximum is a 400, never a silent cap.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, ApiError> {
        let page = match page {
            None => 1,
            Some(raw) => parse_bounded("page", raw, 1, MAX_PAGE)?,
        };
        let per_page = match per_page {
            None => DEFAULT_PER_PAGE,
            Some(raw) => parse_bounded("per_page", raw, 1, MAX_PER_PAGE)?,
        };
        Ok(Self { page, per_page })
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
}

/// An integer query parameter within `[min, max]`, or a 400 naming it.
pub fn parse_bounded(name: &str, raw: &str, min: u32, max: u32) -> Result<u32, ApiError> {
    let value: u32 = raw.trim().parse().map_err(|_| {
        ApiError::bad_parameter(
            name,
            "invalid_integer",
            format!("`{name}` must be an integer from {min} to {max}"),
        )
    })?;
    if value < min || value > max {
        return Err(ApiError::bad_parameter(
            name,
            "out_of_range",
            format!("`{name}` must be from {min} to {max} (got {value})"),
        ));
    }
    Ok(value)
}

/// A boolean query parameter: `true` or `false`.
pub fn parse_bool(name: &str, raw: &str) -> Result<bool, ApiError> {
    match raw {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ApiError::bad_parameter(
            name,
            "invalid_boolean",
            format!("`{name}` must be true or false"),
        )),
    }
}

/// Where a page sits in its list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListMeta {
    /// The page number; `null` when the page was reached with a `cursor`.
    #[schema(example = 1)]
    #[schema(required = true)]
    pub page: Option<u32>,
    #[schema(example = 20)]
    pub per_page: u32,
    /// Matching items in the whole list.
    #[schema(example = 57)]
    pub total: i64,
    #[schema(example = 3)]
    pub total_pages: i64,
    /// Opaque key of the next page (pass it as `cursor`); `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

impl ListMeta {
    pub fn new(page: Option<u32>, per_page: u32, total: i64, next_cursor: Option<String>) -> Self {
        let per = i64::from(per_page.max(1));
        Self {
            page,
            per_page,
            total,
            total_pages: (total + per - 1) / per,
            next_cursor,
        }
    }
}

/// A page of a list, as every list endpoint returns it.
#[derive(Debug, Serialize)]
pub struct ListEnvelope<T> {
    pub data: Vec<T>,
    pub meta: ListMeta,
}

/// The response to a page-numbered list: the envelope, its `Link` header,
/// and the ETag and caching headers of every GET.
pub fn page_response<T: Serialize>(
    req: &HttpRequest,
    caller: &crate::auth::Caller,
    public_max_age: u32,
    data: Vec<T>,
    page: PageRequest,
    total: i64,
) -> Result<actix_web::HttpResponse, ApiError> {
    let meta = ListMeta::new(Some(page.page), page.per_page, total, None);
    let links: Vec<_> = link_header(req, &meta)
        .into_iter()
        .map(|l| (actix_web::http::header::LINK, l))
        .collect();
    crate::http::conditional::json_get(
        req,
        caller,
        public_max_age,
        &ListEnvelope { data, meta },
        &links,
    )
}

/// The `Link` header of a page: page-number links, or in cursor mode a
/// `first` link and a `next` link carrying the cursor. Other query
/// parameters (filters, sort) are kept as the client sent them.
pub fn link_header(req: &HttpRequest, meta: &ListMeta) -> Option<String> {
    // Absolute only from configuration or a trusted proxy (`http::origin`):
    // a client's `Host` must never reach a cached response.
    let origin = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .and_then(|state| {
            crate::http::origin::public_origin(&state.config, req.peer_addr(), req.headers())
        });
    let base = format!("{}{}", origin.unwrap_or_default(), req.path());
    let kept: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k != "page" && k != "cursor")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let url = |extra: (&str, &str)| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &kept {
            query.append_pair(k, v);
        }
        query.append_pair(extra.0, extra.1);
        format!("<{base}?{}>", query.finish())
    };
    let mut links = Vec::new();
    match meta.page {
        Some(page) => {
            let last = meta.total_pages.max(1);
            links.push(format!("{}; rel=\"first\"", url(("page", "1"))));
            if page > 1 {
                let prev = (i64::from(page) - 1).min(last).to_string();
                links.push(format!("{}; rel=\"prev\"", url(("page", &prev))));
            }
            if i64::from(page) < meta.total_pages {
                let next = (page + 1).to_string();
                links.push(format!("{}; rel=\"next\"", url(("page", &next))));
            }
            links.push(format!(
                "{}; rel=\"last\"",
                url(("page", &last.to_string()))
            ));
        }
        None => {
            links.push(format!("{}; rel=\"first\"", url(("page", "1"))));
            if let Some(cursor) = &meta.next_cursor {
                links.push(format!("{}; rel=\"next\"", url(("cursor", cursor))));
            }
        }
    }
    Some(links.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_checked() {
        assert_eq!(
            PageRequest::parse(None, None).unwrap(),
            PageRequest {
                page: 1,
                per_page: 20
            }
        );
        for (page, per_page, field) in [
            (None, Some("abc"), "per_page"),
            (None, Some("101"), "per_page"),
            (None, Some("0"), "per_page"),
            (Some("0"), None, "page"),
            (Some("-1"), None, "page"),
        ] {
            match PageRequest::parse(page, per_page) {
                Err(ApiError::BadRequest { errors, .. }) => assert_eq!(errors[0].field, field),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(ListMeta::new(Some(1), 20, 41, None).total_pages, 3);
        assert_eq!(ListMeta::new(Some(1), 20, 0, None).total_pages, 0);
    }
}
