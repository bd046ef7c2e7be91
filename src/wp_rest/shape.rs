//! What every `/wp-json` answer shares: the JSON response, a list's
//! `X-WP-Total`, `X-WP-TotalPages` and `Link` headers, `_fields`
//! trimming, and the `_links` every object carries (with WordPress's
//! `curies`).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, HttpResponseBuilder};
use serde_json::{Map, Value, json};

use super::error::WpError;
use super::params::Params;

/// Where the REST API lives and where readers read, for absolute links.
#[derive(Debug, Clone)]
pub struct Site {
    /// `scheme://host` of this service.
    pub origin: String,
    /// The public site (the frontend), where `link` points.
    pub home: String,
    pub zone: chrono_tz::Tz,
}

impl Site {
    /// `…/wp-json/wp/v2/{path}`.
    pub fn route(&self, path: &str) -> String {
        format!("{}/wp-json/wp/v2/{path}", self.origin)
    }

    /// A WordPress date: site-local, no zone.
    pub fn local(&self, at: chrono::NaiveDateTime) -> String {
        at.and_utc()
            .with_timezone(&self.zone)
            .naive_local()
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    }

    pub fn gmt(at: chrono::NaiveDateTime) -> String {
        at.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

/// `{"href": …}` plus what else the link says.
pub fn link(href: String) -> Value {
    json!([{ "href": href }])
}

pub fn embeddable(href: String) -> Value {
    json!([{ "embeddable": true, "href": href }])
}

pub fn curies() -> Value {
    json!([{ "name": "wp", "href": "https://api.w.org/{rel}", "templated": true }])
}

/// Keeps the fields `_fields` names (`a.b` reaches inside `a`).
pub fn keep_fields(value: Value, fields: &[String]) -> Value {
    let Value::Object(map) = value else {
        return value;
    };
    let mut kept = Map::new();
    for (key, v) in map {
        let inner: Vec<String> = fields
            .iter()
            .filter_map(|f| f.strip_prefix(&format!("{key}.")).map(str::to_owned))
            .collect();
        if fields.iter().any(|f| f == &key) {
            kept.insert(key, v);
        } else if !inner.is_empty() {
            kept.insert(key, keep_fields(v, &inner));
        }
    }
    Value::Object(kept)
}

/// An object as asked: `_fields` applied.
pub fn shaped(value: Value, params: &Params) -> Value {
    match params.fields() {
        Some(fields) => keep_fields(value, &fields),
        None => value,
    }
}

fn no_store(builder: &mut HttpResponseBuilder) -> &mut HttpResponseBuilder {
    builder.insert_header((header::CACHE_CONTROL, "no-store"))
}

pub fn json(status: StatusCode, value: &Value) -> HttpResponse {
    no_store(&mut HttpResponse::build(status)).json(value)
}

/// 201 with the new object and its `Location`.
pub fn created(value: &Value, location: &str) -> HttpResponse {
    let mut response = json(StatusCode::CREATED, value);
    if let Ok(location) = header::HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// What a `DELETE … ?force=true` answers: the object as it was.
pub fn deleted(previous: Value) -> HttpResponse {
    json(
        StatusCode::OK,
        &json!({ "deleted": true, "previous": previous }),
    )
}

/// One member of a set (`/types/post`) or the whole set (`/types`).
pub fn one_or_all(
    all: Map<String, Value>,
    name: Option<&str>,
    params: &Params,
    unknown: fn() -> WpError,
) -> Result<HttpResponse, WpError> {
    let value = match name {
        None => Value::Object(all),
        Some(name) => all.get(name).cloned().ok_or_else(unknown)?,
    };
    Ok(json(StatusCode::OK, &shaped(value, params)))
}

/// A page of a list held in memory (terms, bylines): WordPress's slice
/// and headers.
pub fn page_in_memory<T>(
    all: &[T],
    render: impl Fn(&T) -> Value,
    params: &Params,
    self_url: &str,
    query: &str,
    invalid_page_code: &'static str,
) -> Result<HttpResponse, WpError> {
    let (page, per_page) = params.page()?;
    let items = all
        .iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|item| shaped(render(item), params))
        .collect();
    self::page(
        items,
        all.len() as i64,
        (page, per_page),
        self_url,
        query,
        invalid_page_code,
    )
}

/// A page of a list, with WordPress's headers: the total, the number of
/// pages and `Link` to the previous and next pages. A page past the last
/// is WordPress's 400.
pub fn page(
    items: Vec<Value>,
    total: i64,
    (page, per_page): (i64, i64),
    self_url: &str,
    query: &str,
    invalid_page_code: &'static str,
) -> Result<HttpResponse, WpError> {
    let pages = (total + per_page - 1) / per_page;
    if page > pages && total > 0 {
        return Err(WpError::new(
            400,
            invalid_page_code,
            "The page number requested is larger than the number of pages available.",
        ));
    }
    let mut builder = HttpResponse::Ok();
    no_store(&mut builder)
        .insert_header(("X-WP-Total", total.to_string()))
        .insert_header(("X-WP-TotalPages", pages.to_string()));
    let with_page = |n: i64| {
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        pairs.push(("page".to_owned(), n.to_string()));
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("{self_url}?{encoded}")
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!(
            "<{}>; rel=\"prev\"",
            with_page((page - 1).min(pages.max(1)))
        ));
    }
    if page < pages {
        links.push(format!("<{}>; rel=\"next\"", with_page(page + 1)));
    }
    if !links.is_empty() {
        builder.insert_header((header::LINK, links.join(", ")));
    }
    Ok(builder.json(Value::Array(items)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_named_members_and_dotted_paths() {
        let v = json!({"id": 1, "title": {"rendered": "a", "raw": "b"}, "slug": "s"});
        assert_eq!(
            keep_fields(v, &["id".to_owned(), "title.rendered".to_owned()]),
            json!({"id": 1, "title": {"rendered": "a"}})
        );
    }
}
