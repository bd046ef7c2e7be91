//! No client input ever gets a plain-text or HTML error: everything is
//! problem+json with the right status.

use crate::helpers::{Backend, TestApp, problem};
use crate::on_both_databases;

const LOGIN: &str = "/api/v1/auth/login";

async fn malformed_json_is_400(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for body in [
        r#"{"email": "a@b.ne", "password": "#,
        "",
        "[1,2",
        r#"{"email":"a@b.ne","password":"x"} trailing"#,
    ] {
        let response = app
            .post_raw(LOGIN, "application/json", body.to_owned())
            .await;
        let p = problem(response, 400).await;
        assert!(p["detail"].as_str().unwrap().len() > 5, "{p}");
    }
}

async fn wrong_content_type_is_415(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
    ] {
        let response = app
            .post_raw(LOGIN, content_type, "email=a@b.ne&password=x")
            .await;
        problem(response, 415).await;
    }
    let no_type = app
        .client
        .post(app.url(LOGIN))
        .body("{}")
        .send()
        .await
        .unwrap();
    problem(no_type, 415).await;
}

async fn wrong_shape_names_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cases = [
        (r#"{"email": "a@b.ne"}"#, "password", "required"),
        (
            r#"{"email": "a@b.ne", "password": 12}"#,
            "password",
            "invalid_type",
        ),
        (
            r#"{"email": "a@b.ne", "password": "x", "remember": true}"#,
            "remember",
            "unknown_field",
        ),
    ];
    for (body, field, code) in cases {
        let p = problem(app.post_raw(LOGIN, "application/json", body).await, 422).await;
        assert_eq!(p["errors"][0]["field"], field, "{p}");
        assert_eq!(p["errors"][0]["code"], code, "{p}");
    }
}

async fn oversized_body_is_413(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_MAX_BODY_BYTES", "2048")]).await;
    let big = format!(
        r#"{{"email": "a@b.ne", "password": "{}"}}"#,
        "x".repeat(10_000)
    );
    problem(
        app.post_raw(LOGIN, "application/json", big.clone()).await,
        413,
    )
    .await;
    // Without Content-Length (chunked), the limit still holds.
    let stream = futures_util::stream::iter(
        big.into_bytes()
            .chunks(1000)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let chunked = app
        .client
        .post(app.url(LOGIN))
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    problem(chunked, 413).await;
}

async fn unknown_routes_are_404_and_wrong_methods_405(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in [
        "/nope",
        "/api/v1/nope",
        "/api/v2/articles",
        "/health/ready/x",
    ] {
        let p = problem(app.get(path).await, 404).await;
        assert_eq!(p["type"], "/problems/not-found");
    }
    let wrong_method = app
        .client
        .delete(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert!(wrong_method.status().is_client_error());
    let ct = wrong_method.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(ct, "application/problem+json");
}

async fn bad_list_parameters_are_400_naming_the_parameter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (query, field) in [
        ("per_page=abc", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("sort=popularity", "sort"),
        ("fields=title,secret", "fields"),
        ("include=comments", "include"),
        ("featured=peut-etre", "featured"),
        ("published_after=hier", "published_after"),
        ("status=brouillon", "status"),
        ("cursor=abc", "cursor"),
        ("couleur=rouge", "couleur"),
    ] {
        let p = problem(app.get(&format!("/api/v1/articles?{query}")).await, 400).await;
        assert_eq!(p["errors"][0]["field"], field, "{query}: {p}");
    }
    for path in ["/api/v1/tags?per_page=101", "/api/v1/authors?page=0"] {
        problem(app.get(path).await, 400).await;
    }
    let p = problem(app.get("/api/v1/articles/1/related?limit=500").await, 400).await;
    assert_eq!(p["errors"][0]["field"], "limit");
}

on_both_databases!(
    bad_list_parameters_are_400_naming_the_parameter,
    malformed_json_is_400,
    wrong_content_type_is_415,
    wrong_shape_names_the_field,
    oversized_body_is_413,
    unknown_routes_are_404_and_wrong_methods_405,
);
