//! What the OpenAPI document promises of request bodies, held over HTTP:
//! objects are objects, integers may be written `2.0`, lengths count what
//! was sent, fields that cannot be cleared refuse `null`.

use serde_json::json;

use crate::content_fixtures::*;
use crate::helpers::{Backend, TestApp, problem, problem_fields};
use crate::on_both_databases;

async fn request_bodies_are_what_the_document_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;

    // A struct is not read from an array, at the top or inside.
    let p = problem(
        app.post_json("/api/v1/tags", Some(t), &json!(["Sahel"]))
            .await,
        422,
    )
    .await;
    assert_eq!(p["status"], 422);
    let p = problem(
        app.post_json(
            "/api/v1/articles",
            Some(t),
            &json!({"title": "Niamey", "body": "Texte.", "category_id": d.category_id,
                    "author_ids": [d.author_id], "seo": [null, null]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["seo"]);
    problem(
        app.patch_json(
            &format!("/api/v1/authors/{}", d.author_id),
            Some(t),
            &json!({"links": [["Site", "https://redaction.example"]]}),
        )
        .await,
        422,
    )
    .await;

    // JSON Schema's integer: 2.0 is 2.
    let article = created(
        app.post_json(
            "/api/v1/articles",
            Some(t),
            &json!({"title": "Niamey", "body": "Texte.", "category_id": d.category_id as f64,
                    "author_ids": [d.author_id as f64],
                    "featured_image": {"url": "/media/niamey.webp", "width": 1600.0}}),
        )
        .await,
    )
    .await;
    assert_eq!(article["featured_image"]["width"], 1600);
    problem(
        app.post_json(
            "/api/v1/categories",
            Some(t),
            &json!({"name": "Monde", "position": 1.5}),
        )
        .await,
        422,
    )
    .await;

    // `maxLength` counts the characters sent, blanks included; blank is
    // Rust's whitespace, U+3000 among them.
    let p = problem(
        app.post_json(
            "/api/v1/tags",
            Some(t),
            &json!({"name": format!(" {}", "é".repeat(100))}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["name"]);
    let p = problem(
        app.post_json("/api/v1/tags", Some(t), &json!({"name": "\u{3000}\u{85}"}))
            .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["name"]);
    let tag = created(
        app.post_json("/api/v1/tags", Some(t), &json!({"name": " Sahel "}))
            .await,
    )
    .await;
    assert_eq!(tag["name"], "Sahel");

    // URLs: RFC 3986 characters only (no IPv6 literal, no raw accents).
    for url in [
        "https://[::1/",
        "https://journal.example/é",
        "javascript:alert(1)",
    ] {
        let p = problem(
            app.post_json(
                "/api/v1/authors",
                Some(t),
                &json!({"name": "Aïssata", "links": [{"label": "Site", "url": url}]}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(problem_fields(&p), vec!["links[0].url"], "{url}");
    }
    created(
        app.post_json(
            "/api/v1/authors",
            Some(t),
            &json!({"name": "Aïssata", "avatar_url": " ",
                    "links": [{"label": "Site", "url": " https://journal.example/%C3%A9?a=1&b=2 "}]}),
        )
        .await,
    )
    .await;

    // PATCH: what cannot be cleared refuses null; what can, clears.
    let path = format!("/api/v1/tags/{}", tag["id"]);
    for field in ["name", "slug"] {
        let p = problem(
            app.patch_json(&path, Some(t), &json!({ field: null }))
                .await,
            422,
        )
        .await;
        assert_eq!(problem_fields(&p), vec![field]);
    }
    let cleared = ok_json(
        app.patch_json(&path, Some(t), &json!({"description": null}))
            .await,
    )
    .await;
    assert_eq!(cleared["description"], serde_json::Value::Null);
}

on_both_databases!(request_bodies_are_what_the_document_says);
