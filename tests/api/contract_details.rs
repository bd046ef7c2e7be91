//! The contract's details a generated client or a careful integrator
//! relies on: every bad field named at once, 412 before the body's shape,
//! sparse reads under their own media type, and a document that says which
//! operations are public.

use serde_json::{Value, json};

use cms::auth::Role;

use crate::helpers::{Backend, TestApp, header, problem, problem_fields};
use crate::on_both_databases;

async fn a_create_names_missing_fields_with_the_others(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    let unchanged = app.snapshot().await;
    // The example: `body` missing, and three bad fields besides.
    let p = problem(
        app.post_json(
            "/api/v1/articles",
            Some(&editor.token),
            &json!({"title": "", "category_id": 999_999, "author_ids": []}),
        )
        .await,
        422,
    )
    .await;
    let mut fields = problem_fields(&p);
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["author_ids", "body", "category_id", "title"],
        "{p}"
    );
    let code = |field: &str| {
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .map(|e| e["code"].clone())
            .unwrap()
    };
    assert_eq!(code("body"), "required");
    assert_eq!(code("category_id"), "unknown");
    // Nothing sent at all: each required field once, as `required`. An
    // account signs with its own byline when it names none
    // (`own_bylines`); an API token has none, and must name them.
    assert_eq!(app.snapshot().await, unchanged);
    let admin = app.create_user(Role::Admin).await;
    let (_, writer_token) = app.create_api_token(&admin.token, &["content:write"]).await;
    let unchanged = app.snapshot().await;
    let p = problem(
        app.post_json("/api/v1/articles", Some(&editor.token), &json!({}))
            .await,
        422,
    )
    .await;
    let mut fields = problem_fields(&p);
    fields.sort_unstable();
    assert_eq!(fields, ["body", "category_id", "title"], "{p}");
    let p = problem(
        app.post_json("/api/v1/articles", Some(&writer_token), &json!({}))
            .await,
        422,
    )
    .await;
    let mut fields = problem_fields(&p);
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["author_ids", "body", "category_id", "title"],
        "{p}"
    );
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["code"] == "required"),
        "{p}"
    );
    assert_eq!(app.snapshot().await, unchanged);
}

/// An article the editor can write, and its ETag.
async fn an_article(app: &TestApp, token: &str) -> (i64, String) {
    let category: Value = app
        .post_json(
            "/api/v1/categories",
            Some(token),
            &json!({"name": "Économie"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let author: Value = app
        .post_json("/api/v1/authors", Some(token), &json!({"name": "Aïcha K."}))
        .await
        .json()
        .await
        .unwrap();
    let created = app
        .post_json(
            "/api/v1/articles",
            Some(token),
            &json!({"title": "Le coton béninois", "body": "Texte.",
                    "category_id": category["id"], "author_ids": [author["id"]]}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let etag = header(&created, "etag");
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    (id, etag)
}

/// PATCH of an article with `If-Match: etag`, as `token` (or anonymous).
async fn patch_if_match(
    app: &TestApp,
    token: Option<&str>,
    id: i64,
    etag: &str,
    body: &Value,
) -> reqwest::Response {
    let mut request = app
        .client
        .patch(app.url(&format!("/api/v1/articles/{id}")))
        .header("If-Match", etag)
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn a_stale_if_match_is_412_whatever_the_body(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    let (id, etag) = an_article(&app, &editor.token).await;
    // Another writer moves the article on.
    let moved = app
        .patch_json(
            &format!("/api/v1/articles/{id}"),
            Some(&editor.token),
            &json!({"title": "Le coton béninois en 2026"}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    let unchanged = app.snapshot().await;
    // A stale copy with a body of the wrong shape is told it is stale.
    for body in [json!({"title": 42}), json!({"couleur": "rouge"})] {
        let response = patch_if_match(&app, Some(&editor.token), id, &etag, &body).await;
        problem(response, 412).await;
    }
    // With the current ETag the same body is a 422 naming the field.
    let current = header(
        &app.get_as(&format!("/api/v1/articles/{id}"), Some(&editor.token))
            .await,
        "etag",
    );
    let response = patch_if_match(
        &app,
        Some(&editor.token),
        id,
        &current,
        &json!({"title": 42}),
    )
    .await;
    let p = problem(response, 422).await;
    assert_eq!(problem_fields(&p), ["title"]);
    // Without credentials it stays a 401, and a stranger's article a 404.
    let bad = json!({"title": 42});
    problem(patch_if_match(&app, None, id, &etag, &bad).await, 401).await;
    problem(
        patch_if_match(&app, Some(&editor.token), 987_654, &etag, &bad).await,
        404,
    )
    .await;
    assert_eq!(app.snapshot().await, unchanged);
}

async fn sparse_reads_have_their_own_media_type(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    let (id, _) = an_article(&app, &editor.token).await;
    let published = app
        .patch_json(
            &format!("/api/v1/articles/{id}"),
            Some(&editor.token),
            &json!({"status": "published"}),
        )
        .await;
    assert_eq!(published.status(), 200);
    for (path, sparse) in [
        (format!("/api/v1/articles/{id}"), false),
        (format!("/api/v1/articles/{id}?fields=title"), true),
        ("/api/v1/articles".to_owned(), false),
        ("/api/v1/articles?fields=title,slug".to_owned(), true),
    ] {
        // Twice: the second answer comes from the response cache.
        for _ in 0..2 {
            let response = app.get(&path).await;
            assert_eq!(response.status(), 200, "{path}");
            let media_type = header(&response, "content-type");
            let body: Value = response.json().await.unwrap();
            if sparse {
                assert_eq!(media_type, "application/vnd.cms.sparse+json", "{path}");
            } else {
                assert_eq!(media_type, "application/json", "{path}");
            }
            let item = if path.contains("/articles?") || path.ends_with("/articles") {
                body["data"][0].clone()
            } else {
                body
            };
            assert_eq!(item["title"], "Le coton béninois", "{path}");
            // A whole article has every field the schema requires, bodies
            // included in the detail; a sparse one only those asked for.
            assert_eq!(item.get("author").is_some(), !sparse, "{path}");
        }
    }
    let detail: Value = app
        .get(&format!("/api/v1/articles/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(detail["body_html"].is_string() && detail["category"]["path"].is_array());
}

/// The document as a generator reads it: public reads need no client
/// credentials, the server is named, operation ids read as verbs.
async fn the_document_says_what_is_public(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let document: Value = app.get("/openapi.json").await.json().await.unwrap();
    assert_eq!(document["servers"][0]["url"], "/");
    let operation = |path: &str, method: &str| document["paths"][path][method].clone();
    for (path, method) in [
        ("/api/v1/articles", "get"),
        ("/api/v1/articles/{id_or_slug}", "get"),
        ("/api/v1/articles/{id_or_slug}/related", "get"),
        ("/api/v1/articles/{id_or_slug}/comments", "post"),
        ("/api/v1/categories", "get"),
    ] {
        assert!(
            operation(path, method).get("security").is_none(),
            "{method} {path} is public"
        );
    }
    assert_eq!(
        operation("/api/v1/articles", "post")["security"],
        json!([{"bearer": []}])
    );
    assert_eq!(operation("/metrics", "get")["operationId"], "get_metrics");
    let mut ids = std::collections::BTreeSet::new();
    for item in document["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_owned()), "{id} twice");
            assert!(
                !["serve", "live", "ready", "me", "serve_file"].contains(&id),
                "{id} does not say what it does"
            );
        }
    }
    // The detail and the list item are separate schemas; only the
    // detail promises the bodies.
    let schemas = &document["components"]["schemas"];
    let required = |name: &str| schemas[name]["required"].clone();
    for field in ["body_html", "author", "category", "tags", "title"] {
        assert!(
            required("Article")
                .as_array()
                .unwrap()
                .contains(&json!(field)),
            "{field}"
        );
    }
    assert!(
        !required("ArticleListItem")
            .as_array()
            .unwrap()
            .contains(&json!("body_html"))
    );
    assert_eq!(required("SparseArticle"), json!(["id"]));
}

on_both_databases!(
    a_create_names_missing_fields_with_the_others,
    a_stale_if_match_is_412_whatever_the_body,
    sparse_reads_have_their_own_media_type,
    the_document_says_what_is_public,
);
