//! What an attacker or a careless client can send gets a clear 400/422 that
//! names the field, the same on both databases, and writes nothing.

use serde_json::{Value, json};

use crate::content_fixtures::{desk, published};
use crate::helpers::{Backend, TestApp, problem, problem_fields};
use crate::on_both_databases;

async fn control_characters_are_refused_naming_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = desk(&app).await;
    let token = desk.editor.token.clone();
    let article = published(&app, &token, "Élection", desk.category_id, desk.author_id).await;
    let id = article["id"].as_i64().unwrap();
    let before = app.snapshot().await;

    // Paths and query parameters, anonymous and signed in.
    for (path, field) in [
        ("/api/v1/articles/a%00b", "path"),
        ("/api/v1/categories/a%00b", "path"),
        ("/api/v1/authors/x%01y", "path"),
        ("/api/v1/tags/%00", "path"),
        ("/api/v1/articles?q=a%00b", "q"),
        ("/api/v1/articles?category=a%1Fb", "category"),
    ] {
        for token in [None, Some(token.as_str())] {
            let body = problem(app.get_as(path, token).await, 400).await;
            assert_eq!(problem_fields(&body), vec![field], "{path}: {body}");
        }
    }
    // JSON strings anywhere in a body, keys included.
    let login = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &json!({"email": "a\u{0}b@redaction.test", "password": "un mot de passe très long"}),
        )
        .await;
    assert_eq!(problem_fields(&problem(login, 422).await), vec!["email"]);
    for (method, path, body, field) in [
        (
            reqwest::Method::POST,
            "/api/v1/articles".to_owned(),
            json!({"title": "Titre\u{0}", "body": "x", "category_id": desk.category_id, "author_ids": [desk.author_id]}),
            "title",
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/articles/{id}"),
            json!({"seo": {"title": "ok", "description": "bip\u{7}"}}),
            "seo.description",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/tags".to_owned(),
            json!({"name": "Diplomatie\u{1b}[31m"}),
            "name",
        ),
        (
            reqwest::Method::POST,
            "/api/v1/categories".to_owned(),
            json!({"name": "Monde", "slug": "mon\u{0}de"}),
            "slug",
        ),
    ] {
        let response = app.send_json(method, &path, Some(&token), &body).await;
        let problem = problem(response, 422).await;
        assert_eq!(problem_fields(&problem), vec![field], "{path}: {problem}");
    }
    assert_eq!(app.snapshot().await, before, "a refused request wrote");

    // Tabs and line breaks (CRLF from Windows editors) are text.
    let fine = app
        .post_json(
            "/api/v1/articles",
            Some(&token),
            &json!({"title": "Titre\tà tabulation", "body": "Ligne 1\r\nLigne 2\n", "category_id": desk.category_id, "author_ids": [desk.author_id]}),
        )
        .await;
    assert_eq!(fine.status(), 201);
}

async fn published_at_years_outside_four_digits_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = desk(&app).await;
    let token = desk.editor.token.clone();
    let before = app.snapshot().await;
    for (status, at) in [
        ("scheduled", "+10000-01-01T00:00:00Z"),
        ("published", "+10000-01-01T00:00:00Z"),
        ("draft", "+10000-01-01T00:00:00Z"),
        ("published", "0999-12-31T00:00:00Z"),
        ("scheduled", "9999-12-31T23:30:00-01:00"),
    ] {
        let response = app
            .post_json(
                "/api/v1/articles",
                Some(&token),
                &json!({"title": "Le futur lointain", "body": "x", "status": status, "published_at": at,
                        "category_id": desk.category_id, "author_ids": [desk.author_id]}),
            )
            .await;
        let body = problem(response, 422).await;
        assert!(
            problem_fields(&body).contains(&"published_at"),
            "{status} {at}: {body}"
        );
    }
    assert_eq!(app.snapshot().await, before);
    // The last four-digit year is fine, and stays scheduled (not public).
    let far = app
        .post_json(
            "/api/v1/articles",
            Some(&token),
            &json!({"title": "Le futur lointain", "body": "x", "status": "scheduled", "published_at": "9999-12-31T23:59:59Z",
                    "category_id": desk.category_id, "author_ids": [desk.author_id]}),
        )
        .await;
    assert_eq!(far.status(), 201);
    let public: Value = app.get("/api/v1/articles").await.json().await.unwrap();
    assert_eq!(public["meta"]["total"], 0, "{public}");
    // Filters take the same range.
    for filter in ["published_after", "published_before"] {
        let response = app
            .get(&format!(
                "/api/v1/articles?{filter}=%2B10000-01-01T00:00:00Z"
            ))
            .await;
        assert_eq!(problem_fields(&problem(response, 400).await), vec![filter]);
    }
}

async fn all_digit_slugs_are_refused_for_every_resource(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let desk = desk(&app).await;
    let token = desk.editor.token.clone();
    let before = app.snapshot().await;
    for (path, body) in [
        ("/api/v1/tags", json!({"name": "Chiffres", "slug": "1234"})),
        (
            "/api/v1/categories",
            json!({"name": "Chiffres", "slug": "2026"}),
        ),
        ("/api/v1/authors", json!({"name": "Chiffres", "slug": "7"})),
        (
            "/api/v1/articles",
            json!({"title": "Chiffres", "slug": "1234", "body": "x",
                   "category_id": desk.category_id, "author_ids": [desk.author_id]}),
        ),
    ] {
        let response = app.post_json(path, Some(&token), &body).await;
        assert_eq!(
            problem_fields(&problem(response, 422).await),
            vec!["slug"],
            "{path}"
        );
    }
    assert_eq!(app.snapshot().await, before);
    // A title that is a number gets a reachable slug.
    let made = app
        .post_json(
            "/api/v1/articles",
            Some(&token),
            &json!({"title": "2026", "body": "x", "status": "published",
                    "category_id": desk.category_id, "author_ids": [desk.author_id]}),
        )
        .await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.unwrap();
    assert_eq!(made["slug"], "article-2026");
    let by_slug = app.get("/api/v1/articles/article-2026").await;
    assert_eq!(by_slug.status(), 200);
}

on_both_databases!(
    all_digit_slugs_are_refused_for_every_resource,
    control_characters_are_refused_naming_the_field,
    published_at_years_outside_four_digits_are_refused,
);

async fn weak_passwords_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(cms::auth::Role::Admin).await;
    let before = app.snapshot().await;
    for (password, code) in [
        ("            ", "too_short"),
        ("   deux   mots   ", "too_short"),
        ("Password1234", "too_common"),
        ("motdepasse123", "too_common"),
    ] {
        let response = app
            .post_json(
                "/api/v1/users",
                Some(&admin.token),
                &json!({"email": "nouveau@redaction.test", "password": password,
                        "display_name": "Nouveau", "role": "author"}),
            )
            .await;
        let body = problem(response, 422).await;
        assert_eq!(body["errors"][0]["field"], "password", "{body}");
        assert_eq!(body["errors"][0]["code"], code, "{password:?}: {body}");
    }
    let change = app
        .post_json(
            "/api/v1/auth/password",
            Some(&admin.token),
            &json!({"current_password": admin.password, "new_password": "            "}),
        )
        .await;
    assert_eq!(
        problem_fields(&problem(change, 422).await),
        vec!["new_password"]
    );
    assert_eq!(app.snapshot().await, before);
}

async fn every_response_carries_the_security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in [
        "/api/v1/articles",
        "/api/v1/nowhere",
        "/health/ready",
        "/docs/",
    ] {
        let response = app.get(path).await;
        let header = |name: &str| crate::helpers::header(&response, name);
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        let policy = header("content-security-policy");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        if path == "/docs/" {
            assert!(policy.contains("script-src 'self'"), "{policy}");
        } else {
            assert!(policy.starts_with("default-src 'none'"), "{path}: {policy}");
        }
    }
}

/// The SQLite database (password hashes, token digests) and its WAL are
/// readable by their owner only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.create_user(cms::auth::Role::Editor).await;
    let crate::helpers::TestDatabase::Sqlite { path, .. } = &app.database else {
        unreachable!("a SQLite app")
    };
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", path.display());
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file} is {mode:o}");
    }
}

on_both_databases!(
    weak_passwords_are_refused,
    every_response_carries_the_security_headers
);
