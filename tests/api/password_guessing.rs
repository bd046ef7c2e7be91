//! Password guessing is bounded whatever the concurrency: at most the limit
//! of passwords is ever checked per account and window, through sign-in and
//! through the password change alike.

use serde_json::json;

use cms::auth::Role;

use crate::helpers::{Backend, TestApp, problem};
use crate::on_both_databases;

const LOGIN: &str = "/api/v1/auth/login";

/// `cms_password_verifications_total` from `/metrics`.
async fn passwords_verified(app: &TestApp) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("cms_password_verifications_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no verification counter in /metrics:\n{text}"))
}

async fn parallel_wrong_logins_verify_at_most_the_limit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Editor).await;
    let before = passwords_verified(&app).await;
    let guesses = (0..200).map(|i| {
        let app = &app;
        let email = user.email.clone();
        async move {
            app.post_json(
                LOGIN,
                None,
                &json!({"email": email, "password": format!("mauvais mot de passe {i}")}),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    for status in &statuses {
        assert!(
            [401, 429, 503].contains(status),
            "a guess got {status}: {statuses:?}"
        );
    }
    assert!(wrong <= 5, "{wrong} guesses were checked and refused");
    let verified = passwords_verified(&app).await - before;
    assert!(
        (1..=5).contains(&verified),
        "{verified} passwords verified for 200 parallel guesses"
    );
    // The right password after the burst is refused too.
    let right = app
        .post_json(
            LOGIN,
            None,
            &json!({"email": user.email, "password": user.password}),
        )
        .await;
    problem(right, 429).await;
}

async fn parallel_logins_from_one_address_verify_at_most_its_limit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let before = passwords_verified(&app).await;
    let guesses = (0..100).map(|i| {
        let app = &app;
        async move {
            app.post_json(
                LOGIN,
                None,
                &json!({"email": format!("inconnu-{i}@redaction.test"), "password": "mauvais mot de passe"}),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(checked <= 20, "{checked} of 100 were checked: {statuses:?}");
    assert!(statuses.iter().all(|s| [401, 429, 503].contains(s)));
    assert!(passwords_verified(&app).await - before <= 20);
}

async fn password_change_is_throttled_like_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Author).await;
    let change = |current: String| {
        let app = &app;
        let token = user.token.clone();
        async move {
            app.post_json(
                "/api/v1/auth/password",
                Some(&token),
                &json!({"current_password": current, "new_password": "une toute nouvelle phrase"}),
            )
            .await
        }
    };
    for i in 0..5 {
        let response = change(format!("pas le mot de passe {i}")).await;
        problem(response, 422).await;
    }
    // Locked: the right current password is refused now, and the sign-in
    // form shares the counter.
    let response = change(user.password.clone()).await;
    assert!(response.headers().contains_key("retry-after"));
    problem(response, 429).await;
    let login = app
        .post_json(
            LOGIN,
            None,
            &json!({"email": user.email, "password": user.password}),
        )
        .await;
    problem(login, 429).await;
}

async fn parallel_wrong_current_passwords_verify_at_most_the_limit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app.create_user(Role::Author).await;
    let before = passwords_verified(&app).await;
    let unchanged = app.snapshot().await;
    let guesses = (0..30).map(|i| {
        let app = &app;
        let token = user.token.clone();
        async move {
            app.post_json(
                "/api/v1/auth/password",
                Some(&token),
                &json!({"current_password": format!("mauvais {i}"), "new_password": "une toute nouvelle phrase"}),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    assert!(
        statuses.iter().filter(|s| **s == 422).count() <= 5,
        "{statuses:?}"
    );
    assert!(passwords_verified(&app).await - before <= 5);
    // The account's password did not change.
    assert_eq!(app.snapshot().await, unchanged);
}

on_both_databases!(
    parallel_wrong_logins_verify_at_most_the_limit,
    parallel_logins_from_one_address_verify_at_most_its_limit,
    password_change_is_throttled_like_login,
    parallel_wrong_current_passwords_verify_at_most_the_limit,
);
