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

async fn fail(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_json(
        LOGIN,
        None,
        &json!({"email": email, "password": "pas le bon mot de passe"}),
    )
    .await
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn five_failures_lock_the_account_whatever_the_spelling(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Editor).await;
    let upper = user.email.to_uppercase();
    let spaced = format!("  {}\t", user.email);
    // Five failures spread over spellings of the same address count together.
    for email in [&user.email, &upper, &spaced, &upper, &user.email] {
        problem(fail(&app, email).await, 401).await;
    }
    // Now even the right password is refused, under any spelling.
    for email in [&user.email, &upper, &spaced] {
        let response = app
            .post_json(
                LOGIN,
                None,
                &json!({"email": email, "password": user.password}),
            )
            .await;
        let wait = retry_after(&response);
        assert!((1..=900).contains(&wait), "Retry-After {wait}");
        problem(response, 429).await;
    }
    // Other accounts are not locked by this one.
    let other = app.create_user(Role::Author).await;
    app.login(&other.email, &other.password).await;
}

async fn bypass_attempts_do_not_evade_the_lock(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Editor).await;
    let before_lock = app.snapshot().await;
    for _ in 0..5 {
        problem(fail(&app, &user.email).await, 401).await;
    }
    let right = json!({"email": user.email, "password": user.password});
    // Extra body fields are refused before any password is checked.
    let mut extra = right.clone();
    extra["remember_me"] = json!(true);
    problem(app.post_json(LOGIN, None, &extra).await, 422).await;
    let mut duplicate = right.clone();
    duplicate["Email"] = json!("autre@redaction.test");
    problem(app.post_json(LOGIN, None, &duplicate).await, 422).await;
    // Other spellings of the path are not the login route.
    for path in [
        "/api/v1/auth/login/",
        "/API/v1/auth/login",
        "//api/v1/auth/login",
        "/api/v1/auth/Login",
        "/api/v1//auth/login",
        "/api/v1/auth/login?x=1",
    ] {
        let response = app.post_json(path, None, &right).await;
        let status = response.status().as_u16();
        assert!(status == 404 || status == 429, "{path} answered {status}");
    }
    // Still locked: nothing above signed in, reset or evaded the counter.
    problem(app.post_json(LOGIN, None, &right).await, 429).await;
    // Nothing but the throttle counters was written.
    assert_eq!(app.snapshot().await, before_lock);
}

async fn twenty_failures_from_one_address_lock_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Editor).await;
    for i in 0..20 {
        problem(
            fail(&app, &format!("inconnu-{i}@redaction.test")).await,
            401,
        )
        .await;
    }
    // A real account with its right password, from the same address.
    let response = app
        .post_json(
            LOGIN,
            None,
            &json!({"email": user.email, "password": user.password}),
        )
        .await;
    assert!(retry_after(&response) >= 1);
    problem(response, 429).await;
}

async fn a_success_clears_the_account_counter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Editor).await;
    for _ in 0..4 {
        problem(fail(&app, &user.email).await, 401).await;
    }
    app.login(&user.email, &user.password).await;
    for _ in 0..4 {
        problem(fail(&app, &user.email).await, 401).await;
    }
    app.login(&user.email, &user.password).await;
}

on_both_databases!(
    login_returns_a_token_pair,
    unknown_email_and_wrong_password_look_the_same,
    five_failures_lock_the_account_whatever_the_spelling,
    bypass_attempts_do_not_evade_the_lock,
    twenty_failures_from_one_address_lock_it,
    a_success_clears_the_account_counter,
);
