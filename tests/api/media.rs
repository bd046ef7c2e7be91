//! The media library over HTTP: uploads of real JPEG, PNG, WebP and GIF
//! files made here (one with EXIF GPS and IPTC credit), what is stored and
//! served (no metadata, upright, renditions decoded back), `/media` with
//! ETag, 304 and Range, every bad input refused with nothing stored, shared
//! files for identical bytes, the list's filters and cursor, and who may
//! change what.

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::{DynamicImage, ImageDecoder, ImageReader};
use serde_json::{Value, json};

use crate::content_fixtures::{api_token, article, created, desk, ok_json};
use crate::helpers::{Backend, TestApp, header, problem, problem_fields};
use crate::media_store::StoreKind;
use crate::on_both_databases;
use cms::auth::Role;

// ---------------------------------------------------------------- fixtures

fn gradient(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 140])
    }))
}

fn jpeg(image: &DynamicImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut bytes, 90,
        ))
        .unwrap();
    bytes
}

/// The GPS position a source's photo must never give away.
const LATITUDE: [(u32, u32); 3] = [(6, 1), (21, 1), (4321, 100)];

/// A camera photo, stored sideways with EXIF orientation 6 (turn 90°
/// clockwise to view), a GPS position, and an agency's IPTC caption,
/// credit and title.
fn agency_photo(width: u32, height: u32) -> Vec<u8> {
    use exif::{Field, In, Rational, Tag, Value as ExifValue};
    use img_parts::jpeg::{Jpeg, JpegSegment, markers};
    let rational = |(num, denom): (u32, u32)| Rational { num, denom };
    let fields = [
        Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: ExifValue::Short(vec![6]),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: ExifValue::Ascii(vec![b"N".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: ExifValue::Rational(LATITUDE.iter().copied().map(rational).collect()),
        },
        Field {
            tag: Tag::GPSLongitudeRef,
            ifd_num: In::PRIMARY,
            value: ExifValue::Ascii(vec![b"E".to_vec()]),
        },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: ExifValue::Rational(vec![rational((2, 1)), rational((25, 1)), rational((0, 1))]),
        },
    ];
    let mut writer = exif::experimental::Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();

    let mut iim = Vec::new();
    for (set, value) in [
        (90u8, "\x1b%G"),
        (5, "Visite officielle"),
        (110, "AFP"),
        (120, "Le président à Cotonou « en visite » ’officielle’ 📸"),
    ] {
        let record = if set == 90 { 1 } else { 2 };
        iim.extend_from_slice(&[0x1C, record, set]);
        iim.extend_from_slice(&(value.len() as u16).to_be_bytes());
        iim.extend_from_slice(value.as_bytes());
    }
    let mut app13 = b"Photoshop 3.0\0".to_vec();
    app13.extend_from_slice(b"8BIM\x04\x04\0\0");
    app13.extend_from_slice(&(iim.len() as u32).to_be_bytes());
    app13.extend_from_slice(&iim);
    if iim.len() % 2 == 1 {
        app13.push(0);
    }

    let mut photo = Jpeg::from_bytes(bytes::Bytes::from(jpeg(&gradient(width, height)))).unwrap();
    img_parts::ImageEXIF::set_exif(&mut photo, Some(bytes::Bytes::from(tiff.into_inner())));
    let segments = photo.segments_mut();
    let at = segments
        .iter()
        .position(|s| s.marker() != markers::APP0 && s.marker() != markers::APP1)
        .unwrap();
    segments.insert(
        at,
        JpegSegment::new_with_contents(markers::APP13, bytes::Bytes::from(app13)),
    );
    let mut out = Vec::new();
    photo.encoder().write_to(&mut out).unwrap();
    out
}

fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([
            200,
            (x % 256) as u8,
            (y % 256) as u8,
            if x < width / 2 { 255 } else { 80 },
        ])
    }));
    let mut bytes = Vec::new();
    image
        .write_with_encoder(image::codecs::png::PngEncoder::new(&mut bytes))
        .unwrap();
    bytes
}

fn lossy_webp(width: u32, height: u32) -> Vec<u8> {
    webp::Encoder::from_image(&gradient(width, height))
        .unwrap()
        .encode_simple(false, 85.0)
        .unwrap()
        .to_vec()
}

/// Two frames, and a comment extension where a GIF hides text.
fn animated_gif_with_comment() -> Vec<u8> {
    let palette = [0u8, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255];
    let mut bytes = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut bytes, 40, 30, &palette).unwrap();
        encoder.set_repeat(gif::Repeat::Infinite).unwrap();
        for colour in [1u8, 2] {
            let frame = gif::Frame {
                width: 40,
                height: 30,
                delay: 20,
                buffer: std::borrow::Cow::Owned(vec![colour; 40 * 30]),
                ..Default::default()
            };
            encoder.write_frame(&frame).unwrap();
        }
    }
    // After the header (13 bytes) and the 4-colour global palette.
    let at = 13 + 12;
    let comment = b"position 6.3612N 2.4167E";
    let mut block = vec![0x21, 0xFE, comment.len() as u8];
    block.extend_from_slice(comment);
    block.push(0);
    bytes.splice(at..at, block);
    bytes
}

// ------------------------------------------------------------------ helpers

async fn upload_multipart(
    app: &TestApp,
    token: Option<&str>,
    bytes: Vec<u8>,
    file_name: &str,
    texts: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
    );
    for (name, value) in texts {
        form = form.text((*name).to_owned(), (*value).to_owned());
    }
    let mut request = app.client.post(app.url("/api/v1/media")).multipart(form);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request")
}

async fn upload_raw(
    app: &TestApp,
    token: &str,
    content_type: &str,
    disposition: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/media"))
        .bearer_auth(token)
        .header("Content-Type", content_type)
        .header("Content-Disposition", disposition)
        .body(bytes)
        .send()
        .await
        .expect("request")
}

/// The bytes the service serves at `url` (a `/media/...` path).
async fn served(app: &TestApp, url: &str) -> Vec<u8> {
    let response = app.get(url).await;
    assert_eq!(response.status().as_u16(), 200, "{url}");
    response.bytes().await.unwrap().to_vec()
}

/// No EXIF, XMP or IPTC in any form, and no trace of the GPS position.
fn assert_no_metadata(bytes: &[u8], what: &str) {
    for marker in [
        &b"Exif\0"[..],
        b"http://ns.adobe.com/xap",
        b"Photoshop 3.0",
        b"8BIM",
        b"position 6.3612N",
    ] {
        assert!(
            !bytes.windows(marker.len()).any(|w| w == marker),
            "{what} still carries {:?}",
            String::from_utf8_lossy(marker)
        );
    }
    let mut decoder = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap();
    assert_eq!(decoder.exif_metadata().unwrap(), None, "{what}");
    assert_eq!(decoder.xmp_metadata().unwrap(), None, "{what}");
    assert_eq!(decoder.iptc_metadata().unwrap(), None, "{what}");
}

fn decoded(bytes: &[u8]) -> (image::ImageFormat, u32, u32) {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .unwrap();
    let format = reader.format().unwrap();
    let image = reader.decode().unwrap();
    (format, image.width(), image.height())
}

fn media_format(mime: &str) -> image::ImageFormat {
    image::ImageFormat::from_mime_type(mime).unwrap()
}

/// Every rendition is served, decodes to what the object says, and carries
/// no metadata; the original too.
async fn assert_files_match(app: &TestApp, media: &Value) {
    let original = served(app, media["url"].as_str().unwrap()).await;
    assert_eq!(original.len() as u64, media["bytes"].as_u64().unwrap());
    assert_no_metadata(&original, "the original");
    let (format, width, height) = decoded(&original);
    assert_eq!(format, media_format(media["mime_type"].as_str().unwrap()));
    assert_eq!(
        (u64::from(width), u64::from(height)),
        (
            media["width"].as_u64().unwrap(),
            media["height"].as_u64().unwrap()
        )
    );
    for rendition in media["renditions"].as_array().unwrap() {
        let bytes = served(app, rendition["url"].as_str().unwrap()).await;
        assert_eq!(bytes.len() as u64, rendition["bytes"].as_u64().unwrap());
        assert_no_metadata(&bytes, rendition["url"].as_str().unwrap());
        let (format, width, height) = decoded(&bytes);
        assert_eq!(
            format,
            media_format(rendition["mime_type"].as_str().unwrap())
        );
        assert_eq!(u64::from(width), rendition["width"].as_u64().unwrap());
        assert_eq!(u64::from(height), rendition["height"].as_u64().unwrap());
    }
}

fn widths(media: &Value, mime: &str) -> Vec<u64> {
    media["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mime_type"] == mime)
        .map(|r| r["width"].as_u64().unwrap())
        .collect()
}

// -------------------------------------------------------------------- tests

async fn an_agency_photo_is_stored_upright_without_its_metadata(
    backend: Backend,
    store: StoreKind,
) {
    let app = TestApp::spawn_on_store(backend, store, &[]).await;
    // Contributors upload too: their drafts need images.
    let contributor = app.create_user(Role::Contributor).await;
    let response = upload_multipart(
        &app,
        Some(&contributor.token),
        agency_photo(2000, 1500),
        "Président à Cotonou.JPG",
        &[("alt", "Le président salue la foule")],
    )
    .await;
    let location = header(&response, "location");
    let media = created(response).await;
    assert_eq!(location, format!("/api/v1/media/{}", media["id"]));
    assert_eq!(media["mime_type"], "image/jpeg");
    // Orientation 6: stored 2000 × 1500, seen 1500 × 2000.
    assert_eq!(
        (media["width"].as_u64(), media["height"].as_u64()),
        (Some(1500), Some(2000))
    );
    assert_eq!(media["file_name"], "Président à Cotonou.JPG");
    assert!(
        media["url"]
            .as_str()
            .unwrap()
            .ends_with("/president-a-cotonou.jpg"),
        "{}",
        media["url"]
    );
    // Given texts win; the photo's own fill the rest, byte for byte.
    assert_eq!(media["alt"], "Le président salue la foule");
    assert_eq!(
        media["caption"],
        "Le président à Cotonou « en visite » ’officielle’ 📸"
    );
    assert_eq!(media["credit"], "AFP");
    assert_eq!(media["title"], "Visite officielle");
    assert_eq!(widths(&media, "image/jpeg"), [320, 640, 960, 1280]);
    assert_eq!(widths(&media, "image/webp"), [320, 640, 960, 1280]);
    let placeholder = media["placeholder"].as_str().unwrap();
    assert!((20..=40).contains(&placeholder.len()), "{placeholder}");
    let colour = media["dominant_color"].as_str().unwrap();
    assert!(colour.len() == 7 && colour.starts_with('#'), "{colour}");
    let srcset = media["srcset"].as_str().unwrap();
    assert!(
        srcset.contains("-320w.jpg 320w") && srcset.ends_with(".jpg 1500w"),
        "{srcset}"
    );
    assert!(
        media["srcset_webp"]
            .as_str()
            .unwrap()
            .contains("-1280w.webp 1280w")
    );
    assert_files_match(&app, &media).await;
    // The object reads back the same, publicly.
    let read = ok_json(app.get(&location).await).await;
    assert_eq!(read, media);
}

async fn png_webp_and_gif_uploads_keep_their_family(backend: Backend, store: StoreKind) {
    let app = TestApp::spawn_on_store(backend, store, &[]).await;
    let author = app.create_user(Role::Author).await;

    // A raw body, as the WordPress REST API sends it, with a UTF-8 name.
    let png = created(
        upload_raw(
            &app,
            &author.token,
            "image/png",
            "attachment; filename*=UTF-8''Carte%20du%20B%C3%A9nin.png",
            png_with_alpha(700, 350),
        )
        .await,
    )
    .await;
    assert_eq!(png["mime_type"], "image/png");
    assert_eq!(png["file_name"], "Carte du Bénin.png");
    assert_eq!(widths(&png, "image/png"), [320, 640]);
    assert_eq!(widths(&png, "image/webp"), [320, 640]);
    assert_files_match(&app, &png).await;
    let original = served(&app, png["url"].as_str().unwrap()).await;
    let image = image::load_from_memory(&original).unwrap();
    assert!(image.color().has_alpha(), "transparency kept");

    // The declared type is ignored: the bytes say WebP.
    let webp = created(
        upload_raw(
            &app,
            &author.token,
            "application/octet-stream",
            "attachment; filename=\"niamey.jpg\"",
            lossy_webp(400, 300),
        )
        .await,
    )
    .await;
    assert_eq!(webp["mime_type"], "image/webp");
    assert_eq!(widths(&webp, "image/jpeg"), [320]);
    assert_eq!(widths(&webp, "image/webp"), [320]);
    assert_files_match(&app, &webp).await;

    let gif = created(
        upload_multipart(
            &app,
            Some(&author.token),
            animated_gif_with_comment(),
            "anim.gif",
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(gif["mime_type"], "image/gif");
    assert_eq!(
        (gif["width"].as_u64(), gif["height"].as_u64()),
        (Some(40), Some(30))
    );
    assert_eq!(gif["renditions"], json!([]), "never upscaled");
    assert_eq!(
        gif["srcset"],
        format!("{} 40w", gif["url"].as_str().unwrap())
    );
    let original = served(&app, gif["url"].as_str().unwrap()).await;
    assert_no_metadata(&original, "the GIF");
    let mut decoder = gif::DecodeOptions::new()
        .read_info(Cursor::new(&original))
        .unwrap();
    let mut frames = 0;
    while decoder.read_next_frame().unwrap().is_some() {
        frames += 1;
    }
    assert_eq!(frames, 2, "the animation is kept");
}

async fn media_files_are_served_with_validators_and_ranges(backend: Backend, store: StoreKind) {
    let app = TestApp::spawn_on_store(backend, store, &[]).await;
    let author = app.create_user(Role::Author).await;
    let media = created(
        upload_multipart(
            &app,
            Some(&author.token),
            png_with_alpha(500, 400),
            "logo.png",
            &[],
        )
        .await,
    )
    .await;
    let url = media["url"].as_str().unwrap();
    let response = app.get(url).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(header(&response, "content-type"), "image/png");
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let etag = header(&response, "etag");
    assert!(etag.starts_with('"'), "a strong ETag: {etag}");
    let full = response.bytes().await.unwrap();

    let again = app
        .client
        .get(app.url(url))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);

    let part = app
        .client
        .get(app.url(url))
        .header("Range", "bytes=8-23")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(
        header(&part, "content-range"),
        format!("bytes 8-23/{}", full.len())
    );
    assert_eq!(part.bytes().await.unwrap(), full.slice(8..24));

    let beyond = app
        .client
        .get(app.url(url))
        .header("Range", format!("bytes={}-", full.len() + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status().as_u16(), 416);

    let head = app.client.head(app.url(url)).send().await.unwrap();
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(header(&head, "content-length"), full.len().to_string());

    let dir = url
        .trim_start_matches("/media/")
        .rsplit_once('/')
        .unwrap()
        .0;
    for hostile in [
        "/media/../Cargo.toml".to_owned(),
        "/media/%2e%2e/%2e%2e/etc/passwd".to_owned(),
        format!("/media/{dir}/..%2F..%2F..%2Fetc%2Fpasswd"),
        "/media/.staging/x/logo.png".to_owned(),
        format!("/media/{dir}/missing.png"),
    ] {
        let status = app.get(&hostile).await.status().as_u16();
        assert!(status == 404 || status == 400, "{hostile}: {status}");
    }
}

async fn bad_uploads_are_refused_and_nothing_is_stored(backend: Backend, store: StoreKind) {
    let app = TestApp::spawn_on_store(backend, store, &[("CMS_MEDIA_MAX_MB", "1")]).await;
    let author = app.create_user(Role::Author).await;
    let token = Some(author.token.as_str());
    let reader = api_token(&app, "content:read").await;
    let before = app.snapshot().await;

    // Told by their bytes, named in the answer.
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let refused = problem(
        upload_multipart(&app, token, svg.to_vec(), "logo.png", &[]).await,
        415,
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("SVG"),
        "{refused}"
    );
    let refused = problem(
        upload_multipart(&app, token, b"%PDF-1.7\n".to_vec(), "a.jpg", &[]).await,
        415,
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("PDF"),
        "{refused}"
    );

    let photo = jpeg(&gradient(300, 200));
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("empty file", Vec::new(), "a.jpg", "file"),
        (
            "truncated",
            photo[..photo.len() / 2].to_vec(),
            "a.jpg",
            "file",
        ),
        (
            "HTML appended",
            {
                let mut polyglot = photo.clone();
                polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
                polyglot
            },
            "a.jpg",
            "file",
        ),
        (
            "a path for a name",
            photo.clone(),
            "../../etc/passwd.jpg",
            "filename",
        ),
    ];
    for (what, bytes, name, field) in cases {
        let refused = problem(upload_multipart(&app, token, bytes, name, &[]).await, 422).await;
        assert_eq!(problem_fields(&refused), [field], "{what}: {refused}");
    }

    // A control character in the part's header breaks the multipart
    // syntax itself: a 400 that says so.
    let refused = problem(
        upload_multipart(&app, token, photo.clone(), "photo\u{7}.jpg", &[]).await,
        400,
    )
    .await;
    let detail = refused["detail"].as_str().unwrap();
    assert!(detail.contains("multipart"), "{detail}");

    // A decompression bomb: refused from its header, at once.
    let started = Instant::now();
    let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        bomb.extend_from_slice(&(data.len() as u32).to_be_bytes());
        bomb.extend_from_slice(&body);
        bomb.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    };
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    let refused = problem(
        upload_multipart(&app, token, bomb, "bomb.png", &[]).await,
        422,
    )
    .await;
    assert!(
        refused["errors"][0]["code"] == "too_many_pixels",
        "{refused}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // Over the cap: refused from Content-Length, and while streaming.
    let big = vec![0xFFu8; 3 * 1_048_576];
    problem(
        upload_raw(
            &app,
            &author.token,
            "image/jpeg",
            "attachment; filename=a.jpg",
            big.clone(),
        )
        .await,
        413,
    )
    .await;
    let chunks = futures_util::stream::iter(
        big.chunks(64 * 1024)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let streamed = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(&author.token)
        .header("Content-Type", "image/jpeg")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(streamed.status().as_u16(), 413);

    // No file part, an unknown part, a body of another kind.
    let form = reqwest::multipart::Form::new().text("alt", "seul");
    let no_file = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(&author.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_fields(&problem(no_file, 422).await), ["file"]);
    let refused = problem(
        upload_multipart(&app, token, photo.clone(), "a.jpg", &[("post", "12")]).await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&refused), ["post"]);
    let refused = problem(
        upload_multipart(&app, token, photo.clone(), "a.jpg", &[("alt", "a\u{0}b")]).await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&refused), ["alt"]);
    problem(
        app.post_json("/api/v1/media", token, &json!({"url": "https://x"}))
            .await,
        415,
    )
    .await;

    // Callers: the public, and a token that only reads.
    problem(
        upload_multipart(&app, None, photo.clone(), "a.jpg", &[]).await,
        401,
    )
    .await;
    problem(
        upload_multipart(&app, Some(&reader), photo.clone(), "a.jpg", &[]).await,
        403,
    )
    .await;

    assert_eq!(app.snapshot().await, before, "nothing was written");
    assert_eq!(
        app.media.contents().await,
        (vec![], vec![]),
        "nothing was stored"
    );
}

async fn identical_uploads_share_their_files_until_the_last_goes(
    backend: Backend,
    store: StoreKind,
) {
    let app = TestApp::spawn_on_store(backend, store, &[]).await;
    let editor = app.create_user(Role::Editor).await;
    let token = Some(editor.token.as_str());
    let bytes = agency_photo(900, 600);
    let first = created(upload_multipart(&app, token, bytes.clone(), "un.jpg", &[]).await).await;
    let second = created(
        upload_multipart(
            &app,
            token,
            bytes,
            "deux.jpg",
            &[("caption", "Autre légende")],
        )
        .await,
    )
    .await;
    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["url"], second["url"], "stored once");
    assert_eq!(second["file_name"], "deux.jpg");
    assert_eq!(second["caption"], "Autre légende");
    assert_eq!(second["credit"], "AFP", "still read from the photo");
    assert_eq!(app.media.contents().await.0.len(), 1);

    let url = first["url"].as_str().unwrap().to_owned();
    let gone = app
        .delete_as(&format!("/api/v1/media/{}", first["id"]), token)
        .await;
    assert_eq!(gone.status().as_u16(), 204);
    problem(
        app.get(&format!("/api/v1/media/{}", first["id"])).await,
        404,
    )
    .await;
    // The other object still uses the files: they stay.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.get(&url).await.status().as_u16(), 200);

    let gone = app
        .delete_as(&format!("/api/v1/media/{}", second["id"]), token)
        .await;
    assert_eq!(gone.status().as_u16(), 204);
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.get(&url).await.status().as_u16() != 404 {
        assert!(Instant::now() < deadline, "the files were never removed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.media.contents().await, (vec![], vec![]));
}

async fn the_library_is_listed_newest_first_filtered_and_by_cursor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let author = app.create_user(Role::Author).await;
    let token = Some(author.token.as_str());
    let mut ids = Vec::new();
    for (bytes, name, caption) in [
        (
            jpeg(&gradient(200, 100)),
            "a.jpg",
            "Élection présidentielle au Bénin",
        ),
        (png_with_alpha(100, 100), "b.png", "Carte des régions"),
        (jpeg(&gradient(210, 100)), "c.jpg", "Marché de Dantokpa"),
        (lossy_webp(120, 90), "d.webp", "Élections locales à Niamey"),
    ] {
        let media =
            created(upload_multipart(&app, token, bytes, name, &[("caption", caption)]).await)
                .await;
        ids.push(media["id"].as_i64().unwrap());
    }
    let page = ok_json(app.get("/api/v1/media").await).await;
    let listed: Vec<i64> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(listed, newest_first);
    assert_eq!(page["meta"]["total"], 4);

    let jpegs = ok_json(app.get("/api/v1/media?mime_type=image/jpeg").await).await;
    assert_eq!(jpegs["meta"]["total"], 2);
    // Accents and case ignored; every word must appear.
    let found = ok_json(app.get("/api/v1/media?q=ELECTION").await).await;
    assert_eq!(found["meta"]["total"], 2);
    let found = ok_json(app.get("/api/v1/media?q=election%20benin").await).await;
    assert_eq!(found["data"][0]["id"], ids[0]);
    assert_eq!(found["meta"]["total"], 1);
    problem(
        app.get("/api/v1/media?mime_type=image/svg%2Bxml").await,
        400,
    )
    .await;
    problem(app.get("/api/v1/media?sort=name").await, 400).await;

    // By cursor, one at a time, while a new upload arrives: stable.
    let mut seen = Vec::new();
    let mut path = "/api/v1/media?per_page=1".to_owned();
    loop {
        let page = ok_json(app.get(&path).await).await;
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_i64().unwrap()),
        );
        if seen.len() == 1 {
            created(upload_multipart(&app, token, jpeg(&gradient(50, 50)), "e.jpg", &[]).await)
                .await;
        }
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/media?per_page=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, newest_first);
    let cursor_of_another_query = {
        let page = ok_json(
            app.get("/api/v1/media?per_page=1&mime_type=image/jpeg")
                .await,
        )
        .await;
        page["meta"]["next_cursor"].as_str().unwrap().to_owned()
    };
    problem(
        app.get(&format!("/api/v1/media?cursor={cursor_of_another_query}"))
            .await,
        400,
    )
    .await;
}

async fn texts_are_changed_by_their_uploader_or_an_editor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let uploader = app.create_user(Role::Contributor).await;
    let other = app.create_user(Role::Author).await;
    let editor = app.create_user(Role::Editor).await;
    let media = created(
        upload_multipart(
            &app,
            Some(&uploader.token),
            agency_photo(400, 300),
            "p.jpg",
            &[],
        )
        .await,
    )
    .await;
    let path = format!("/api/v1/media/{}", media["id"]);
    problem(
        app.patch_json(&path, Some(&other.token), &json!({"alt": "x"}))
            .await,
        403,
    )
    .await;
    problem(app.delete_as(&path, Some(&other.token)).await, 403).await;
    problem(app.patch_json(&path, None, &json!({"alt": "x"})).await, 401).await;

    let changed = ok_json(
        app.patch_json(
            &path,
            Some(&uploader.token),
            &json!({"alt": "Le chef de l’État, « ému »", "caption": null}),
        )
        .await,
    )
    .await;
    assert_eq!(changed["alt"], "Le chef de l’État, « ému »");
    assert_eq!(changed["caption"], Value::Null);
    assert_eq!(changed["credit"], "AFP", "untouched");
    assert_eq!(changed["version"], 2);
    let refused = problem(
        app.patch_json(
            &path,
            Some(&uploader.token),
            &json!({"alt": "a".repeat(501)}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&refused), ["alt"]);
    problem(
        app.patch_json(&path, Some(&uploader.token), &json!({"url": "x"}))
            .await,
        422,
    )
    .await;

    // A stale If-Match loses nothing.
    let stale = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&editor.token)
        .header("If-Match", "\"stale\"")
        .json(&json!({"credit": "Reuters"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 412);
    let edited = ok_json(
        app.patch_json(&path, Some(&editor.token), &json!({"credit": "Reuters"}))
            .await,
    )
    .await;
    assert_eq!(edited["credit"], "Reuters");
    assert_eq!(
        app.delete_as(&path, Some(&editor.token))
            .await
            .status()
            .as_u16(),
        204
    );
    problem(app.delete_as(&path, Some(&editor.token)).await, 404).await;
}

async fn parallel_uploads_all_succeed(backend: Backend, store: StoreKind) {
    let app = TestApp::spawn_on_store(backend, store, &[]).await;
    let author = app.create_user(Role::Author).await;
    let uploads: Vec<_> = (0..8u32)
        .map(|n| {
            upload_multipart(
                &app,
                Some(&author.token),
                jpeg(&gradient(640 + n, 480)),
                "rafale.jpg",
                &[],
            )
        })
        .collect();
    for response in futures_util::future::join_all(uploads).await {
        created(response).await;
    }
    let page = ok_json(app.get("/api/v1/media").await).await;
    assert_eq!(page["meta"]["total"], 8);
    assert_eq!(app.media.contents().await.0.len(), 8);
    assert!(app.media.contents().await.1.is_empty());
}

/// A staging location named as the store names them, staged `age` ago.
fn staging_location(hash: &str, age: Duration, what: &str) -> String {
    let at = std::time::SystemTime::now() - age;
    let secs = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    format!("{hash}.{secs}-{what}")
}

/// How a test settles what a crash left.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Settle {
    /// `cms media gc`, run by an operator.
    Command,
    /// The pass every start makes, here by a second app process on the
    /// same database and store (as after a restart).
    Restart,
}

/// What crashes leave in the store, settled by `cms media gc` or by the
/// next start: an upload staged but never committed is dropped; one
/// committed but not yet made visible is made visible; files no object
/// uses are removed; a staging younger than an hour (another process
/// uploading) is left alone.
async fn crash_leftovers_are_settled(backend: Backend, store: StoreKind, settle: Settle) {
    let app = TestApp::spawn_on_store(backend, store, &[]).await;
    let author = app.create_user(Role::Author).await;
    let media = created(
        upload_multipart(
            &app,
            Some(&author.token),
            jpeg(&gradient(500, 300)),
            "p.jpg",
            &[],
        )
        .await,
    )
    .await;
    let url = media["url"].as_str().unwrap().to_owned();
    let dir = url
        .trim_start_matches("/media/")
        .rsplit_once('/')
        .unwrap()
        .0
        .to_owned();
    let hash = dir.split_once('/').unwrap().1.to_owned();
    let two_hours = Duration::from_secs(2 * 3_600);

    // Committed, not yet visible (the crash came between the two).
    let unpromoted = format!(".staging/{}", staging_location(&hash, two_hours, "crash1"));
    app.media.move_dir(&dir, &unpromoted).await;
    assert_eq!(app.get(&url).await.status().as_u16(), 404);
    // Staged, never committed.
    let never = format!(
        ".staging/{}",
        staging_location(&"ab".repeat(32), two_hours, "crash2")
    );
    app.media.write(&format!("{never}/x.jpg"), b"x").await;
    // Being written by another process right now.
    let young = format!(
        ".staging/{}",
        staging_location(&"cd".repeat(32), Duration::from_secs(60), "uploading")
    );
    app.media.write(&format!("{young}/x.jpg"), b"x").await;
    // Visible, but no object uses it.
    let orphan = format!("ef/{}", "ef".repeat(32));
    app.media.write(&format!("{orphan}/x.jpg"), b"x").await;

    match settle {
        Settle::Command => {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_cms"))
                .args(["media", "gc"])
                .env("DATABASE_URL", app.database.url())
                .envs(app.media.env())
                .env("CMS_SEED_DEMO", "false")
                .env_remove("CMS_JWT_SECRET")
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "{said} {}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(
                said.contains("1 staged upload(s) made visible, 1 dropped, 1 unused"),
                "{said}"
            );
        }
        Settle::Restart => {
            let mut vars = app.media.env();
            vars.push(("CMS_MEDIA_SWEEP_ON_START".to_owned(), "true".to_owned()));
            let vars: Vec<(&str, &str)> =
                vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let _restarted = app.spawn_sibling(&vars).await;
            let deadline = Instant::now() + Duration::from_secs(20);
            while app.media.has_dir(&orphan).await || app.media.has_dir(&never).await {
                assert!(Instant::now() < deadline, "the start-up pass never ran");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            while app.get(&url).await.status().as_u16() != 200 {
                assert!(
                    Instant::now() < deadline,
                    "the committed upload was never promoted"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    assert_eq!(app.get(&url).await.status().as_u16(), 200);
    assert!(!app.media.has_dir(&never).await);
    assert!(app.media.has_dir(&young).await);
    assert!(!app.media.has_dir(&orphan).await);
    assert!(!app.media.has_dir(&unpromoted).await);
}

/// An article features an image of the library: the list and the detail
/// (public, from the stored renderings, and newsroom) show it with its
/// renditions; the article's own texts win over the media's, and the
/// media's new texts reach the article; deleting the image is refused while
/// featured unless forced, which takes it off the article.
async fn an_article_features_a_media_image_by_reference(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let token = Some(d.editor.token.as_str());
    let media =
        created(upload_multipart(&app, token, agency_photo(1600, 1200), "cotonou.jpg", &[]).await)
            .await;
    let media_id = media["id"].as_i64().unwrap();
    let created_article = article(
        &app,
        &d.editor.token,
        &json!({
            "title": "Le président à Cotonou",
            "body": "Visite officielle.",
            "category_id": d.category_id,
            "author_ids": [d.author_id],
            "status": "published",
            "featured_image_id": media_id,
            "featured_image": {"alt": "Le président descend de l’avion"},
        }),
    )
    .await;
    let id = created_article["id"].as_i64().unwrap();
    let slug = created_article["slug"].as_str().unwrap().to_owned();
    let shown = |view: &Value| view["featured_image"].clone();
    let image = shown(&created_article);
    assert_eq!(image["id"], media_id);
    assert_eq!(image["url"], media["url"]);
    assert_eq!(
        image["alt"], "Le président descend de l’avion",
        "the article's own"
    );
    assert_eq!(image["caption"], media["caption"], "the media's");
    assert_eq!(image["credit"], "AFP");
    assert_eq!(image["width"], 1200);
    assert_eq!(image["height"], 1600);
    assert_eq!(image["renditions"], media["renditions"]);
    assert_eq!(image["srcset"], media["srcset"]);
    assert_eq!(image["placeholder"], media["placeholder"]);
    assert!(image.get("overrides").is_none(), "kept, never shown");

    let public_list = ok_json(app.get("/api/v1/articles").await).await;
    assert_eq!(shown(&public_list["data"][0]), image);
    let public_detail = ok_json(app.get(&format!("/api/v1/articles/{slug}")).await).await;
    assert_eq!(shown(&public_detail), image);
    let newsroom_list = ok_json(app.get_as("/api/v1/articles", token).await).await;
    assert_eq!(shown(&newsroom_list["data"][0]), image);
    let with_users = ok_json(app.get(&format!("/api/v1/media/{media_id}")).await).await;
    assert_eq!(
        with_users["used_by"],
        json!([{"id": id, "slug": slug, "title": "Le président à Cotonou"}])
    );

    // The media's new caption reaches the article; its own alt stays.
    ok_json(
        app.patch_json(
            &format!("/api/v1/media/{media_id}"),
            token,
            &json!({"caption": "Patrice Talon à l’aéroport de Cotonou", "alt": "Autre"}),
        )
        .await,
    )
    .await;
    for body in [
        ok_json(app.get("/api/v1/articles").await).await["data"][0].clone(),
        ok_json(app.get(&format!("/api/v1/articles/{slug}")).await).await,
    ] {
        assert_eq!(
            body["featured_image"]["caption"],
            "Patrice Talon à l’aéroport de Cotonou"
        );
        assert_eq!(
            body["featured_image"]["alt"],
            "Le président descend de l’avion"
        );
    }
    // New texts of the article's own, the same image.
    let changed = ok_json(
        app.patch_json(
            &format!("/api/v1/articles/{id}"),
            token,
            &json!({"featured_image": {"caption": "Légende « de l’article »"}}),
        )
        .await,
    )
    .await;
    assert_eq!(changed["featured_image"]["id"], media_id);
    assert_eq!(
        changed["featured_image"]["caption"],
        "Légende « de l’article »"
    );
    assert_eq!(
        changed["featured_image"]["alt"], "Autre",
        "no longer overridden"
    );

    // Bad references, nothing written.
    let before = app.snapshot().await;
    let refused = problem(
        app.patch_json(
            &format!("/api/v1/articles/{id}"),
            token,
            &json!({"featured_image_id": 999_999}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&refused), ["featured_image_id"]);
    let refused = problem(
        app.patch_json(
            &format!("/api/v1/articles/{id}"),
            token,
            &json!({"featured_image_id": media_id, "featured_image": {"url": "https://x.example/a.jpg"}}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&refused), ["featured_image.url"]);
    let refused = problem(
        app.delete_as(&format!("/api/v1/media/{media_id}"), token)
            .await,
        409,
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("{id} ({slug})")),
        "{refused}"
    );
    assert_eq!(app.snapshot().await, before);

    // Forced: taken off the article, which still stands.
    let gone = app
        .delete_as(&format!("/api/v1/media/{media_id}?force=true"), token)
        .await;
    assert_eq!(gone.status().as_u16(), 204);
    let public_detail = ok_json(app.get(&format!("/api/v1/articles/{slug}")).await).await;
    assert_eq!(public_detail["featured_image"], Value::Null);
    let public_list = ok_json(app.get("/api/v1/articles").await).await;
    assert_eq!(public_list["data"][0]["featured_image"], Value::Null);
    // An image given by URL still works as before.
    let external = ok_json(
        app.patch_json(
            &format!("/api/v1/articles/{id}"),
            token,
            &json!({"featured_image": {"url": "https://cdn.example/niamey.webp", "alt": "Niamey"}}),
        )
        .await,
    )
    .await;
    assert_eq!(
        external["featured_image"],
        json!({"url": "https://cdn.example/niamey.webp", "alt": "Niamey", "caption": null, "credit": null, "width": null, "height": null})
    );
}

/// Images of the library in a body (markdown or HTML) get their
/// dimensions, `srcset`, `sizes` and lazy loading; others are left alone.
async fn images_of_the_library_in_a_body_are_described(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let token = Some(d.editor.token.as_str());
    let media =
        created(upload_multipart(&app, token, jpeg(&gradient(1400, 700)), "marche.jpg", &[]).await)
            .await;
    let url = media["url"].as_str().unwrap();
    let webp_640 = media["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["width"] == 640 && r["mime_type"] == "image/webp")
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let markdown = created(
        app.post_json(
            "/api/v1/articles",
            token,
            &json!({
                "title": "Le marché de Dantokpa",
                "body": format!("Avant.\n\n![Les étals « au petit matin »]({url})\n\n![Ailleurs](https://cdn.example/x.jpg)"),
                "category_id": d.category_id,
                "author_ids": [d.author_id],
                "status": "published",
            }),
        )
        .await,
    )
    .await;
    let html = markdown["body_html"].as_str().unwrap();
    let srcset = media["srcset"].as_str().unwrap().replace('&', "&amp;");
    assert!(
        html.contains(&format!(
            r#"<img src="{url}" alt="Les étals « au petit matin »" width="1400" height="700" srcset="{srcset}" sizes="(max-width: 1400px) 100vw, 1400px" loading="lazy" decoding="async">"#
        )),
        "{html}"
    );
    assert!(
        html.contains(r#"<img src="https://cdn.example/x.jpg" alt="Ailleurs">"#),
        "{html}"
    );

    let html_body = created(
        app.post_json(
            "/api/v1/articles",
            token,
            &json!({
                "title": "En HTML",
                "body": format!(r#"<p><img src="{webp_640}" width="10" alt="x"></p>"#),
                "body_format": "html",
                "category_id": d.category_id,
                "author_ids": [d.author_id],
            }),
        )
        .await,
    )
    .await;
    let html = html_body["body_html"].as_str().unwrap();
    assert!(
        html.contains(r#"width="640" height="320""#),
        "the author's width replaced: {html}"
    );
    assert!(
        html.contains(&format!(
            r#"srcset="{}""#,
            media["srcset_webp"].as_str().unwrap()
        )),
        "{html}"
    );
    assert!(!html.contains(r#"width="10""#), "{html}");
}

/// The binary on an S3 store: it starts and is ready; a bucket that does
/// not exist stops the start with one line naming the setting and the
/// bucket, and never the secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_starts_on_an_s3_store_and_refuses_a_missing_bucket() {
    let Some(endpoint) = crate::media_store::s3_endpoint() else {
        return;
    };
    let s3 = crate::media_store::s3_overrides(&endpoint).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/data/cms.sqlite3", dir.path().display());
    let mut vars: Vec<(&str, &str)> = vec![
        ("DATABASE_URL", &url),
        ("CMS_JWT_SECRET", crate::helpers::TEST_JWT_SECRET),
        ("CMS_SEED_DEMO", "false"),
    ];
    vars.extend(s3.iter().map(|(k, v)| (k.as_str(), v.as_str())));

    let mut wrong = vars.clone();
    wrong.push(("CMS_MEDIA_STORE", "s3://pas-de-seau-ici/media"));
    let output = crate::startup::cms(&wrong, &["serve"]).output().unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        said.contains("CMS_MEDIA_STORE") && said.contains("pas-de-seau-ici"),
        "{said}"
    );
    assert!(!said.contains("cms-test-secret"), "{said}");

    let (mut child, base) = crate::startup::serve(&vars);
    let ready = crate::startup::wait_until_ready(&base).await;
    let status = crate::startup::stop(&mut child);
    assert!(ready, "the binary never became ready on the S3 store");
    assert!(status.success(), "{status:?}");
}

async fn cms_media_gc_settles_what_a_crash_left(backend: Backend, store: StoreKind) {
    crash_leftovers_are_settled(backend, store, Settle::Command).await;
}

async fn a_start_settles_what_a_crash_left(backend: Backend, store: StoreKind) {
    crash_leftovers_are_settled(backend, store, Settle::Restart).await;
}

/// Runs each named `async fn name(backend: Backend, store: StoreKind)`
/// on both databases and both stores; the S3 variants, like PostgreSQL's,
/// pass without running when their server is not configured
/// (`TEST_S3_ENDPOINT`), and fail under `CI=true`.
macro_rules! on_both_databases_and_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use crate::helpers::{postgres_admin_url, Backend};
            use crate::media_store::{s3_endpoint, StoreKind};

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(Backend::Sqlite, StoreKind::Local).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if postgres_admin_url().is_some() {
                    super::$name(Backend::Postgres, StoreKind::Local).await
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite_s3() {
                if s3_endpoint().is_some() {
                    super::$name(Backend::Sqlite, StoreKind::S3).await
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_s3() {
                if postgres_admin_url().is_some() && s3_endpoint().is_some() {
                    super::$name(Backend::Postgres, StoreKind::S3).await
                }
            }
        }
    )*};
}

on_both_databases_and_stores!(
    cms_media_gc_settles_what_a_crash_left,
    a_start_settles_what_a_crash_left,
    an_agency_photo_is_stored_upright_without_its_metadata,
    png_webp_and_gif_uploads_keep_their_family,
    media_files_are_served_with_validators_and_ranges,
    bad_uploads_are_refused_and_nothing_is_stored,
    identical_uploads_share_their_files_until_the_last_goes,
    parallel_uploads_all_succeed,
);

on_both_databases!(
    images_of_the_library_in_a_body_are_described,
    an_article_features_a_media_image_by_reference,
    the_library_is_listed_newest_first_filtered_and_by_cursor,
    texts_are_changed_by_their_uploader_or_an_editor,
);
