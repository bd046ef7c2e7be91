//! The response cache for public reads: anonymous `GET`s of content
//! resources are answered from memory (with `ETag`/304) until the content
//! generation moves (see `changes`). Bounded by the bytes it holds.
//!
//! Correctness over hit rate: an entry is stamped with the generation read
//! *before* its handler ran, so an answer computed while a write commits is
//! born stale and never served; a write that changed content moves the
//! generation when it commits, before its response leaves.

use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{HttpResponse, HttpResponseBuilder};

use actix_web::http::header::ContentEncoding;

use std::sync::atomic::{AtomicU64, Ordering};

use crate::changes::ContentGeneration;
use crate::http::compression;
use crate::metrics::{Metrics, RouteMetrics};

/// Public reads that may be cached.
const CONTENT_PREFIXES: &[&str] = &[
    "/api/v1/articles",
    "/api/v1/categories",
    "/api/v1/authors",
    "/api/v1/tags",
];

struct CachedResponse {
    generation: u64,
    headers: HeaderMap,
    etag: Option<String>,
    body: Bytes,
    /// The body compressed, per encoding asked for so far
    /// (`http::compression`); an entry gains one by being replaced.
    variants: Vec<(ContentEncoding, Bytes)>,
    /// The route that answered: its hits are counted there.
    route: Option<RouteMetrics>,
}

impl CachedResponse {
    fn variant(&self, encoding: ContentEncoding) -> Option<&Bytes> {
        self.variants
            .iter()
            .find(|(e, _)| *e == encoding)
            .map(|(_, bytes)| bytes)
    }

    /// This entry with `bytes` as its `encoding` variant too.
    fn with_variant(&self, encoding: ContentEncoding, bytes: Bytes) -> Self {
        let mut variants = self.variants.clone();
        variants.push((encoding, bytes));
        Self {
            generation: self.generation,
            headers: self.headers.clone(),
            etag: self.etag.clone(),
            body: self.body.clone(),
            variants,
            route: self.route.clone(),
        }
    }
}

#[derive(Clone)]
struct BodyWeight;

impl quick_cache::Weighter<String, Arc<CachedResponse>> for BodyWeight {
    fn weight(&self, key: &String, value: &Arc<CachedResponse>) -> u64 {
        // Headers and bookkeeping cost about as much as a small body.
        let variants: usize = value.variants.iter().map(|(_, b)| b.len()).sum();
        (key.len() + value.body.len() + variants + 512) as u64
    }
}

pub struct ResponseCache {
    entries: Option<quick_cache::sync::Cache<String, Arc<CachedResponse>, BodyWeight>>,
    generation: Arc<ContentGeneration>,
    hits: AtomicU64,
    misses: AtomicU64,
    stale: AtomicU64,
    /// Where hits are counted per route (`with_metrics`).
    metrics: Option<Arc<Metrics>>,
}

/// What the cache did since start, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct CacheCounts {
    pub hits: u64,
    pub misses: u64,
    pub stale: u64,
}

impl ResponseCache {
    /// `capacity_bytes == 0` turns caching off (writes still move the generation).
    pub fn new(capacity_bytes: u64, generation: Arc<ContentGeneration>) -> Self {
        let entries = (capacity_bytes > 0)
            .then(|| quick_cache::sync::Cache::with_weighter(4096, capacity_bytes, BodyWeight));
        Self {
            entries,
            generation,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            stale: AtomicU64::new(0),
            metrics: None,
        }
    }

    /// Counts each hit in its route's latency histogram: hits never reach
    /// the router, so `request_log` cannot tell their route.
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    pub fn counts(&self) -> CacheCounts {
        CacheCounts {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            stale: self.stale.load(Ordering::Relaxed),
        }
    }
}

/// The cache key: the path and the query parameters in a canonical order, so
/// `?a=1&b=2` and `?b=2&a=1` share an entry.
fn cache_key(origin: &str, path: &str, query: &str) -> String {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    let mut key = String::with_capacity(origin.len() + path.len() + query.len() + 1);
    key.push_str(origin);
    key.push_str(path);
    if !pairs.is_empty() {
        key.push('?');
        key.push_str(
            &form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish(),
        );
    }
    key
}

fn if_none_match_hits(if_none_match: Option<&HeaderValue>, etag: Option<&str>) -> bool {
    let (Some(etag), Some(value)) = (etag, if_none_match) else {
        return false;
    };
    value.to_str().is_ok_and(|list| {
        list.split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag)
    })
}

/// How a replayed entry is marked: a hit of the current generation, or a
/// stale answer given while the database is unreachable.
#[derive(Clone, Copy)]
enum Freshness {
    Hit,
    Stale,
}

/// `entry` as a response, its body `encoded` when a variant was chosen.
fn replay(
    entry: &CachedResponse,
    encoded: Option<(ContentEncoding, &Bytes)>,
    not_modified: bool,
    freshness: Freshness,
) -> HttpResponse {
    let mut builder = HttpResponseBuilder::new(if not_modified {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    });
    // The stored headers say `Vary: Accept-Encoding` already.
    for (name, value) in &entry.headers {
        if not_modified && (name == header::CONTENT_TYPE || name == header::CONTENT_LENGTH) {
            continue;
        }
        builder.insert_header((name.clone(), value.clone()));
    }
    if let Some((encoding, _)) = encoded {
        builder.insert_header(encoding);
    }
    match freshness {
        Freshness::Hit => {
            builder.insert_header(("X-Cache", "hit"));
        }
        Freshness::Stale => {
            // RFC 9111's Warning is obsolete but still read by some
            // clients and caches; X-Cache says the same to the others.
            builder.insert_header(("X-Cache", "stale"));
            builder.insert_header((header::WARNING, "110 - \"Response is Stale\""));
        }
    }
    if not_modified {
        builder.finish()
    } else {
        builder.body(encoded.map_or_else(|| entry.body.clone(), |(_, b)| b.clone()))
    }
}

/// The entry's body in the encoding this request asks for: the stored
/// variant, or one made now and stored for the next reads (replacing the
/// entry under `key`). `None`: the plain bytes (or the encoding failed,
/// which only costs the saving).
fn encoded_for(
    req: &actix_web::HttpRequest,
    entries: &Entries,
    key: &str,
    entry: &Arc<CachedResponse>,
) -> Option<(ContentEncoding, Bytes)> {
    let encoding = compression::negotiate(req, entry.body.len())?;
    if let Some(bytes) = entry.variant(encoding) {
        return Some((encoding, bytes.clone()));
    }
    let bytes = compression::encode(encoding, &entry.body, compression::Effort::Stored).ok()?;
    entries.insert(
        key.to_owned(),
        Arc::new(entry.with_variant(encoding, bytes.clone())),
    );
    Some((encoding, bytes))
}

type Entries = quick_cache::sync::Cache<String, Arc<CachedResponse>, BodyWeight>;

/// The middleware: a public read answered from memory when it can be, and
/// every answer compressed as the client asks (`http::compression`; the
/// cache's own answers are encoded already). One layer for both: each
/// layer costs every request, the cached reads most of all.
pub async fn response_cache(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = cached_or_computed(req, next).await?;
    compression::compress_the_rest(response).await
}

async fn cached_or_computed(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let cache = req.app_data::<web::Data<ResponseCache>>().cloned();
    let Some(cache) = cache.filter(|_| CONTENT_PREFIXES.iter().any(|p| req.path().starts_with(p)))
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // Writes move the generation when they commit (`db::Tx`), whatever
    // route they came through; here only reads are answered.
    if req.method() != Method::GET {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let Some(entries) = cache
        .entries
        .as_ref()
        .filter(|_| !req.headers().contains_key(header::AUTHORIZATION))
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // What a response may carry of the request beyond path and query is its
    // origin (the `Link` header), so the origin is part of the key.
    let origin = req
        .app_data::<web::Data<crate::state::AppState>>()
        .and_then(|state| {
            crate::http::origin::public_origin(&state.config, req.peer_addr(), req.headers())
        });
    let key = cache_key(
        origin.as_deref().unwrap_or_default(),
        req.path(),
        req.query_string(),
    );
    let generation = cache.generation.current();
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let known = entries.get(&key);
    if let Some(entry) = known.as_ref().filter(|e| e.generation == generation) {
        let not_modified = if_none_match_hits(if_none_match.as_ref(), entry.etag.as_deref());
        let encoded = if not_modified {
            None
        } else {
            encoded_for(req.request(), entries, &key, entry)
        };
        let response = replay(
            entry,
            encoded.as_ref().map(|(e, b)| (*e, b)),
            not_modified,
            Freshness::Hit,
        );
        cache.hits.fetch_add(1, Ordering::Relaxed);
        if let Some(route) = &entry.route {
            route.record_get(started.elapsed());
        }
        return Ok(req.into_response(response));
    }
    let response = next.call(req).await?;
    cache.misses.fetch_add(1, Ordering::Relaxed);
    // stale-if-error: the database is unreachable, and this page was
    // served before. Entries of older generations stay in the cache until
    // replaced or evicted, so the last good answer is still there.
    if response.status() == StatusCode::SERVICE_UNAVAILABLE
        && let Some(entry) = known
    {
        let not_modified = if_none_match_hits(if_none_match.as_ref(), entry.etag.as_deref());
        cache.stale.fetch_add(1, Ordering::Relaxed);
        let (request, _) = response.into_parts();
        let encoded = compression::negotiate(&request, entry.body.len())
            .and_then(|e| entry.variant(e).map(|b| (e, b)));
        return Ok(ServiceResponse::new(
            request,
            replay(&entry, encoded, not_modified, Freshness::Stale),
        )
        .map_into_boxed_body());
    }
    let cacheable = response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("public"));
    if !cacheable {
        return Ok(response.map_into_boxed_body());
    }
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let body = actix_web::body::to_bytes(body).await.map_err(|_| {
        actix_web::error::ErrorInternalServerError("response body could not be read")
    })?;
    let mut headers = head.headers().clone();
    compression::mark_encoded(&mut headers, None);
    let mut entry = CachedResponse {
        generation,
        etag: head
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        headers,
        route: cache
            .metrics
            .as_ref()
            .and_then(|m| m.route(request.match_pattern().as_deref())),
        // A body serialised into a growing buffer keeps up to twice its
        // length allocated; the copy holds exactly what the weigher counts.
        body: Bytes::copy_from_slice(&body),
        variants: Vec::new(),
    };
    // The first reader asking for an encoding pays for it; later ones get
    // the stored bytes.
    let encoded = compression::negotiate(&request, entry.body.len()).and_then(|e| {
        compression::encode(e, &entry.body, compression::Effort::Stored)
            .ok()
            .map(|b| (e, b))
    });
    if let Some((encoding, bytes)) = &encoded {
        entry.variants.push((*encoding, bytes.clone()));
    }
    let mut head = head;
    compression::mark_encoded(head.headers_mut(), encoded.as_ref().map(|(e, _)| *e));
    entries.insert(key, Arc::new(entry));
    let body = encoded.map_or(body, |(_, bytes)| bytes);
    let response = head.set_body(body).map_into_boxed_body();
    Ok(ServiceResponse::new(request, response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_parameter_order_and_encoding_variants() {
        assert_eq!(
            cache_key("", "/api/v1/articles", "per_page=20&page=2"),
            cache_key("", "/api/v1/articles", "page=2&per_page=20")
        );
        assert_eq!(
            cache_key("", "/api/v1/articles", "q=%C3%A9t%C3%A9"),
            cache_key("", "/api/v1/articles", "q=été")
        );
        assert_ne!(
            cache_key("", "/api/v1/articles", "page=1"),
            cache_key("", "/api/v1/articles", "page=2")
        );
    }
}
