use serde_json::json;

use cms::auth::Role;

use crate::helpers::{Backend, TestApp, problem};
use crate::on_both_databases;

const LOGIN: &str = "/api/v1/auth/login";

async fn login_returns_a_token_pair(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Editor).await;
    // Email letter case and surrounding spaces do not matter.
    let response = app
        .post_json(LOGIN, None, &json!({"email": format!("  {}", user.email.to_uppercase()), "password": user.password}))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let pair: serde_json::Value = response.json().await.unwrap();
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    assert_eq!(pair["access_token"].as_str().unwrap().split('.').count(), 3);
    assert!(pair["refresh_token"].as_str().unwrap().len() >= 40);
}

async fn unknown_email_and_wrong_password_look_the_same(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Author).await;
    let wrong = app
        .post_json(
            LOGIN,
            None,
            &json!({"email": user.email, "password": "pas le bon mot de passe"}),
        )
        .await;
    let unknown = app
        .post_json(
            LOGIN,
            None,
            &json!({"email": "personne@redaction.test", "password": "pas le bon mot de passe"}),
        )
        .await;
    assert!(
        wrong.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let wrong = problem(wrong, 401).await;
    let unknown = problem(unknown, 401).await;
    assert_eq!(wrong, unknown);
}

on_both_databases!(
    login_returns_a_token_pair,
    unknown_email_and_wrong_password_look_the_same
);
