//! Response compression: gzip, br and zstd by `Accept-Encoding`.
//!
//! Two paths. Public reads the response cache holds are compressed here,
//! once per entry and encoding, and the encoded bytes are kept beside the
//! plain ones (`response_cache`), so a cached compressed read costs no
//! compression. Everything else is compressed on the way out by
//! `compress_the_rest` (in the same middleware layer as the cache), with
//! quicker settings since nothing keeps the
//! result: sized bodies of text media types, not the media files (already
//! compressed, and streamed), not what the cache encoded already.
//!
//! One ETag for every encoding of a representation: `If-None-Match` then
//! works whichever encoding the client got, and a frontend that reads with
//! `fetch` (which decodes) and writes back with `If-Match` sends the ETag
//! the write path checks. `Vary: Accept-Encoding` keeps shared caches from
//! mixing the encodings up.

use std::io::Write;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{
    AcceptEncoding, ContentEncoding, Encoding, HeaderMap, HeaderValue, TryIntoHeaderValue, VARY,
};
use actix_web::{HttpMessage, HttpRequest};
use bytes::Bytes;

/// Below this many bytes a body is sent as is: the encoding's framing and
/// the work cost more than they save.
pub const MIN_BYTES: usize = 1024;

/// What the stored variants may be, in the server's order of preference
/// when the client weighs several alike: smallest first.
const STORED: [ContentEncoding; 3] = [
    ContentEncoding::Brotli,
    ContentEncoding::Zstd,
    ContentEncoding::Gzip,
];

/// How hard to work: once for bytes the cache keeps and sends again, or
/// quickly for a response sent once.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Effort {
    Stored,
    Once,
}

/// The encoding to send a body of `len` bytes in, for this request: one
/// of `STORED`, or `None` for the plain bytes (not asked for, refused with
/// `q=0`, or too small to be worth it).
pub fn negotiate(req: &HttpRequest, len: usize) -> Option<ContentEncoding> {
    if len < MIN_BYTES {
        return None;
    }
    let accepted = req.get_header::<AcceptEncoding>()?;
    let supported: Vec<Encoding> = STORED
        .iter()
        .map(|e| Encoding::Known(*e))
        .chain(std::iter::once(Encoding::identity()))
        .collect();
    match accepted.negotiate(supported.iter())? {
        Encoding::Known(e) if STORED.contains(&e) => Some(e),
        _ => None,
    }
}

/// `body` encoded as `encoding`. `Effort::Stored` favours the size: it
/// runs once per cached entry and encoding, and every later read sends the
/// result; `Effort::Once` favours the time.
pub fn encode(encoding: ContentEncoding, body: &[u8], effort: Effort) -> std::io::Result<Bytes> {
    let stored = effort == Effort::Stored;
    let mut out = Vec::with_capacity(body.len() / 4);
    match encoding {
        ContentEncoding::Gzip => {
            let level = flate2::Compression::new(if stored { 6 } else { 1 });
            let mut encoder = flate2::write::GzEncoder::new(&mut out, level);
            encoder.write_all(body)?;
            encoder.finish()?;
        }
        ContentEncoding::Brotli => {
            // Quality 5 of 11 for stored bytes: most of brotli's gain on
            // JSON for a tenth of the time of the highest qualities.
            let quality = if stored { 5 } else { 1 };
            let mut encoder = brotli::CompressorWriter::new(&mut out, 16 * 1024, quality, 22);
            encoder.write_all(body)?;
            encoder.flush()?;
            drop(encoder);
        }
        ContentEncoding::Zstd => {
            out = zstd::stream::encode_all(body, if stored { 3 } else { 1 })?;
        }
        _ => return Ok(Bytes::copy_from_slice(body)),
    }
    Ok(Bytes::from(out))
}

/// Whether a media type is worth compressing: JSON, text, XML, JavaScript.
/// Images, video and archives are compressed already.
fn compressible(content_type: Option<&HeaderValue>) -> bool {
    let Some(essence) = content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
    else {
        return false;
    };
    essence.starts_with("text/")
        || essence.ends_with("/json")
        || essence.ends_with("+json")
        || essence.ends_with("/xml")
        || essence.ends_with("+xml")
        || essence == "application/javascript"
}

/// Compresses a response the cache did not encode, when the client asks
/// and it is worth it: a body of known size of at least `MIN_BYTES`, of a
/// compressible media type, without a `Content-Encoding` already. Called
/// by the response cache's middleware on everything it passes on.
pub async fn compress_the_rest(
    response: ServiceResponse<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let size = match response.response().body().size() {
        BodySize::Sized(n) => usize::try_from(n).unwrap_or(usize::MAX),
        _ => 0,
    };
    let headers = response.headers();
    let candidate = !headers.contains_key(actix_web::http::header::CONTENT_ENCODING)
        && compressible(headers.get(actix_web::http::header::CONTENT_TYPE));
    let Some(encoding) = candidate
        .then(|| negotiate(response.request(), size))
        .flatten()
    else {
        return Ok(response.map_into_boxed_body());
    };
    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let body = actix_web::body::to_bytes(body).await.map_err(|_| {
        actix_web::error::ErrorInternalServerError("response body could not be read")
    })?;
    let body = match encode(encoding, &body, Effort::Once) {
        Ok(encoded) => {
            mark_encoded(head.headers_mut(), Some(encoding));
            head.headers_mut()
                .remove(actix_web::http::header::CONTENT_LENGTH);
            encoded
        }
        // Only the saving is lost.
        Err(_) => body,
    };
    Ok(ServiceResponse::new(
        request,
        head.set_body(body).map_into_boxed_body(),
    ))
}

/// The headers of an encoded variant: the plain response's, with
/// `Content-Encoding`, and `Accept-Encoding` added to `Vary`.
pub fn mark_encoded(headers: &mut HeaderMap, encoding: Option<ContentEncoding>) {
    add_vary_accept_encoding(headers);
    if let Some(encoding) = encoding
        && let Ok(value) = encoding.try_into_value()
    {
        headers.insert(actix_web::http::header::CONTENT_ENCODING, value);
    }
}

/// Every answer that may come in several encodings says so, the plain one
/// too: a shared cache must not hand a gzip body to a client that did not
/// ask for it, nor the plain one to every client after the first.
fn add_vary_accept_encoding(headers: &mut HeaderMap) {
    let already = headers.get_all(VARY).any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|name| name.trim().eq_ignore_ascii_case("accept-encoding"))
        })
    });
    if already {
        return;
    }
    let value = match headers.get(VARY).and_then(|v| v.to_str().ok()) {
        Some(existing) if !existing.is_empty() => format!("{existing}, Accept-Encoding"),
        _ => "Accept-Encoding".to_owned(),
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn request(accept: &str) -> HttpRequest {
        actix_web::test::TestRequest::default()
            .insert_header(("Accept-Encoding", accept))
            .to_http_request()
    }

    #[test]
    fn negotiation_honours_weights_and_refusals() {
        assert_eq!(
            negotiate(&request("gzip, deflate, br, zstd"), 4096),
            Some(ContentEncoding::Brotli)
        );
        assert_eq!(
            negotiate(&request("gzip"), 4096),
            Some(ContentEncoding::Gzip)
        );
        assert_eq!(
            negotiate(&request("br;q=0.5, gzip;q=0.9"), 4096),
            Some(ContentEncoding::Gzip)
        );
        assert_eq!(negotiate(&request("identity"), 4096), None);
        assert_eq!(negotiate(&request("gzip;q=0"), 4096), None);
        assert_eq!(negotiate(&request("gzip"), 100), None);
        let plain = actix_web::test::TestRequest::default().to_http_request();
        assert_eq!(negotiate(&plain, 4096), None);
    }

    #[test]
    fn each_encoding_decodes_to_the_same_bytes() {
        let body = "« Économie » : le coton béninois 🇧🇯 ".repeat(200);
        let gzip = encode(ContentEncoding::Gzip, body.as_bytes(), Effort::Stored).unwrap();
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&gzip[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, body);
        let br = encode(ContentEncoding::Brotli, body.as_bytes(), Effort::Once).unwrap();
        let mut decoded = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, body);
        let zstd = encode(ContentEncoding::Zstd, body.as_bytes(), Effort::Stored).unwrap();
        assert_eq!(
            zstd::stream::decode_all(&zstd[..]).unwrap(),
            body.as_bytes()
        );
        assert!(gzip.len() < body.len() / 4);
    }

    #[test]
    fn vary_gains_accept_encoding_once() {
        let mut headers = HeaderMap::new();
        headers.insert(VARY, HeaderValue::from_static("Authorization"));
        mark_encoded(&mut headers, Some(ContentEncoding::Gzip));
        mark_encoded(&mut headers, Some(ContentEncoding::Gzip));
        assert_eq!(headers.get(VARY).unwrap(), "Authorization, Accept-Encoding");
        assert_eq!(
            headers
                .get(actix_web::http::header::CONTENT_ENCODING)
                .unwrap(),
            "gzip"
        );
    }
}
