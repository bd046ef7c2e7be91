use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

async fn configured_origins_get_cors_headers_and_others_do_not(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_CORS_ORIGINS", "https://www.journal.ne")]).await;
    let allowed = app
        .client
        .get(app.url("/health/live"))
        .header("Origin", "https://www.journal.ne")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://www.journal.ne"
    );
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/login"))
        .header("Origin", "https://www.journal.ne")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    let other = app
        .client
        .get(app.url("/health/live"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200, "served, but without CORS headers");
    assert!(!other.headers().contains_key("access-control-allow-origin"));
}

on_both_databases!(configured_origins_get_cors_headers_and_others_do_not);
