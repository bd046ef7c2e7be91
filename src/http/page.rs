//! Offset pagination for the small administrative lists (users, API tokens):
//! `page` from 1 and `per_page` up to 100, more being a 400 rather than a
//! silent cap, and the `{data, meta}` envelope the contract gives every list.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;

/// `?page=&per_page=`; unknown parameters are refused.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1.
    #[param(minimum = 1, example = 1)]
    pub page: Option<i64>,
    /// Items per page (default 20, at most 100).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<i64>,
}

/// A checked page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: i64,
    pub per_page: i64,
}

impl PageQuery {
    pub fn parse(&self) -> Result<Page, ApiError> {
        let page = self.page.unwrap_or(1);
        if page < 1 {
            return Err(ApiError::bad_parameter(
                "page",
                "out_of_range",
                "must be 1 or more",
            ));
        }
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::bad_parameter(
                "per_page",
                "out_of_range",
                format!("must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        Ok(Page { page, per_page })
    }
}

impl Page {
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageMeta {
    #[schema(example = 1)]
    pub page: i64,
    #[schema(example = 20)]
    pub per_page: i64,
    #[schema(example = 3)]
    pub total: i64,
    #[schema(example = 1)]
    pub total_pages: i64,
    /// Always null here: these lists are short and page by offset.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

impl<T> Paginated<T> {
    pub fn new(data: Vec<T>, page: Page, total: i64) -> Self {
        let total_pages = (total + page.per_page - 1) / page.per_page;
        Self {
            data,
            meta: PageMeta {
                page: page.page,
                per_page: page.per_page,
                total,
                total_pages,
                next_cursor: None,
            },
        }
    }

    /// The RFC 8288 `Link` header for `path` (first, last, prev, next).
    pub fn link_header(&self, path: &str) -> String {
        let meta = &self.meta;
        let url = |p: i64| format!("<{path}?page={p}&per_page={}>", meta.per_page);
        let last = meta.total_pages.max(1);
        let mut links = vec![
            format!("{}; rel=\"first\"", url(1)),
            format!("{}; rel=\"last\"", url(last)),
        ];
        if meta.page > 1 {
            links.push(format!("{}; rel=\"prev\"", url((meta.page - 1).min(last))));
        }
        if meta.page < meta.total_pages {
            links.push(format!("{}; rel=\"next\"", url(meta.page + 1)));
        }
        links.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_page_over_the_maximum_is_refused() {
        let q = PageQuery {
            page: None,
            per_page: Some(101),
        };
        assert!(matches!(q.parse(), Err(ApiError::BadRequest { .. })));
        let q = PageQuery {
            page: Some(0),
            per_page: None,
        };
        assert!(matches!(q.parse(), Err(ApiError::BadRequest { .. })));
        assert_eq!(
            PageQuery::default().parse().ok(),
            Some(Page {
                page: 1,
                per_page: 20
            })
        );
    }

    #[test]
    fn links_and_totals() {
        let page = Page {
            page: 2,
            per_page: 2,
        };
        let list = Paginated::new(vec![1, 2], page, 5);
        assert_eq!(list.meta.total_pages, 3);
        let link = list.link_header("/api/v1/users");
        assert!(link.contains("</api/v1/users?page=3&per_page=2>; rel=\"next\""));
        assert!(link.contains("rel=\"prev\""));
    }
}
