//! gzip, br and zstd by `Accept-Encoding`: cached public reads keep each
//! encoding's bytes, everything else is compressed on the way out.

use std::io::Read;

use serde_json::json;

use cms::auth::Role;

use crate::helpers::{Backend, TestApp, header};
use crate::on_both_databases;

fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => {
            flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut out)
                .unwrap();
        }
        "br" => {
            brotli::Decompressor::new(bytes, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        "zstd" => out = zstd::stream::decode_all(bytes).unwrap(),
        "" => out = bytes.to_vec(),
        other => panic!("unexpected encoding {other}"),
    }
    out
}

async fn get_encoded(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("Accept-Encoding", accept)
        .send()
        .await
        .unwrap()
}

async fn public_reads_come_in_each_encoding_from_the_cache(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_SEED_DEMO", "true")]).await;
    let path = "/api/v1/articles?per_page=10";
    let plain = app.get(path).await;
    assert_eq!(plain.status(), 200);
    let etag = header(&plain, "etag");
    assert!(header(&plain, "vary").contains("Accept-Encoding"));
    assert_eq!(header(&plain, "content-encoding"), "");
    let plain = plain.bytes().await.unwrap().to_vec();
    assert!(plain.len() > 4096, "a page worth compressing");

    for (accept, expected) in [
        ("gzip", "gzip"),
        ("br", "br"),
        ("zstd", "zstd"),
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0.2, gzip;q=0.8", "gzip"),
        ("identity", ""),
        ("gzip;q=0", ""),
    ] {
        // The first answer makes the variant, the second is the stored one.
        for round in ["miss or first", "hit"] {
            let response = get_encoded(&app, path, accept).await;
            assert_eq!(response.status(), 200);
            assert_eq!(
                header(&response, "content-encoding"),
                expected,
                "{accept} ({round})"
            );
            assert_eq!(
                header(&response, "etag"),
                etag,
                "one ETag per representation"
            );
            let vary = header(&response, "vary");
            assert!(vary.contains("Accept-Encoding"), "{vary}");
            assert!(vary.contains("Authorization"), "{vary}");
            if round == "hit" {
                assert_eq!(header(&response, "x-cache"), "hit", "{accept}");
            }
            let bytes = response.bytes().await.unwrap();
            if !expected.is_empty() {
                assert!(bytes.len() < plain.len() / 3, "{accept}: {}", bytes.len());
            }
            assert_eq!(decode(expected, &bytes), plain, "{accept}");
        }
    }
    // The ETag a compressed read carried revalidates whatever the encoding.
    let revalidated = app
        .client
        .get(app.url(path))
        .header("Accept-Encoding", "gzip")
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);
    assert!(header(&revalidated, "vary").contains("Accept-Encoding"));
    // A small body is sent as is.
    let small = get_encoded(&app, "/api/v1/tags?per_page=1", "gzip").await;
    assert_eq!(small.status(), 200);
    assert_eq!(header(&small, "content-encoding"), "");
}

async fn other_responses_are_compressed_on_the_way_out(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_SEED_DEMO", "true")]).await;
    let editor = app.create_user(Role::Editor).await;
    // The newsroom's reads bypass the cache.
    let plain = app
        .get_as("/api/v1/articles?per_page=10", Some(&editor.token))
        .await
        .bytes()
        .await
        .unwrap();
    let response = app
        .client
        .get(app.url("/api/v1/articles?per_page=10"))
        .bearer_auth(&editor.token)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-encoding"), "gzip");
    assert_eq!(header(&response, "x-cache"), "");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(decode("gzip", &bytes), plain);
    // The document, and a write's answer, too.
    let document = get_encoded(&app, "/openapi.json", "zstd").await;
    assert_eq!(header(&document, "content-encoding"), "zstd");
    let decoded = decode("zstd", &document.bytes().await.unwrap());
    let _: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
    let created = app
        .client
        .post(app.url("/api/v1/tags"))
        .bearer_auth(&editor.token)
        .header("Accept-Encoding", "br")
        .json(&json!({"name": "Énergie « solaire » ☀️", "description": "x".repeat(2000)}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(header(&created, "content-encoding"), "br");
    let decoded = decode("br", &created.bytes().await.unwrap());
    let tag: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
    assert_eq!(tag["name"], "Énergie « solaire » ☀️");
}

on_both_databases!(
    public_reads_come_in_each_encoding_from_the_cache,
    other_responses_are_compressed_on_the_way_out,
);
