//! Every credential that is not a live one is a 401 with the very same body:
//! nothing tells a forger which check failed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use cms::auth::Role;

use crate::helpers::{Backend, TEST_JWT_SECRET, TestApp, problem};
use crate::on_both_databases;

const ISSUER: &str = "newsroom-cms";
const AUDIENCE: &str = "newsroom-cms-api";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn valid_claims(user_id: i64) -> Value {
    json!({
        "sub": user_id.to_string(),
        "role": "admin",
        "exp": now() + 600,
        "iat": now(),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": uuid::Uuid::new_v4().to_string(),
    })
}

fn sign(alg: Algorithm, secret: &str, claims: &Value) -> String {
    encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().expect("object").remove(key);
    claims
}

async fn forged_and_dead_credentials_are_all_the_same_401(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let claims = valid_claims(admin.id);
    let good = sign(Algorithm::HS256, TEST_JWT_SECRET, &claims);
    // The forgeries target a real, active administrator.
    assert_eq!(app.get_as("/api/v1/users", Some(&good)).await.status(), 200);
    let good_parts: Vec<&str> = good.split('.').collect();

    let mut forged: Vec<(&str, String)> = vec![
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "typ": "JWT"})),
                b64(&claims)
            ),
        ),
        (
            "alg none, upper case",
            format!(
                "{}.{}.",
                b64(&json!({"alg": "NONE", "typ": "JWT"})),
                b64(&claims)
            ),
        ),
        (
            "HS384 header",
            sign(Algorithm::HS384, TEST_JWT_SECRET, &claims),
        ),
        (
            "RS256 header",
            format!(
                "{}.{}.{}",
                b64(&json!({"alg": "RS256", "typ": "JWT"})),
                good_parts[1],
                good_parts[2]
            ),
        ),
        (
            "bad signature",
            sign(
                Algorithm::HS256,
                "another-secret-that-is-long-enough-too-0123",
                &claims,
            ),
        ),
        (
            "tampered payload",
            format!(
                "{}.{}.{}",
                good_parts[0],
                b64(&with(
                    claims.clone(),
                    "sub",
                    json!((admin.id + 1).to_string())
                )),
                good_parts[2]
            ),
        ),
        (
            "expired beyond leeway",
            sign(
                Algorithm::HS256,
                TEST_JWT_SECRET,
                &with(claims.clone(), "exp", json!(now() - 120)),
            ),
        ),
        (
            "exp as a string",
            sign(
                Algorithm::HS256,
                TEST_JWT_SECRET,
                &with(claims.clone(), "exp", json!((now() + 600).to_string())),
            ),
        ),
        (
            "wrong aud",
            sign(
                Algorithm::HS256,
                TEST_JWT_SECRET,
                &with(claims.clone(), "aud", json!("autre-api")),
            ),
        ),
        (
            "wrong iss",
            sign(
                Algorithm::HS256,
                TEST_JWT_SECRET,
                &with(claims.clone(), "iss", json!("autre-cms")),
            ),
        ),
        (
            "sub not a number",
            sign(
                Algorithm::HS256,
                TEST_JWT_SECRET,
                &with(claims.clone(), "sub", json!("admin")),
            ),
        ),
        ("garbage", "pas.un.jeton".to_owned()),
    ];
    for claim in ["exp", "aud", "iss", "sub", "jti", "iat"] {
        forged.push((
            claim,
            sign(
                Algorithm::HS256,
                TEST_JWT_SECRET,
                &without(claims.clone(), claim),
            ),
        ));
    }

    // A refresh token is not an access token.
    let pair = app.login(&admin.email, &admin.password).await;
    forged.push((
        "refresh token as access token",
        pair["refresh_token"].as_str().unwrap().to_owned(),
    ));

    // Tokens of accounts that were deleted or deactivated stop working at once.
    let deleted = app.create_user(Role::Editor).await;
    let deactivated = app.create_user(Role::Author).await;
    assert_eq!(
        app.delete_as(&format!("/api/v1/users/{}", deleted.id), Some(&admin.token))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.patch_json(
            &format!("/api/v1/users/{}", deactivated.id),
            Some(&admin.token),
            &json!({"active": false})
        )
        .await
        .status(),
        200
    );
    forged.push(("deleted user", deleted.token.clone()));
    forged.push(("deactivated user", deactivated.token.clone()));

    // API tokens: revoked, expired, unknown.
    let (revoked_id, revoked) = app.create_api_token(&admin.token, &["admin"]).await;
    assert_eq!(
        app.delete_as(&format!("/api/v1/tokens/{revoked_id}"), Some(&admin.token))
            .await
            .status(),
        204
    );
    let (expired_id, expired) = app.create_api_token(&admin.token, &["admin"]).await;
    app.db
        .write(move |conn| {
            use cms::db::schema::api_tokens;
            use diesel::prelude::*;
            diesel::update(api_tokens::table.find(expired_id))
                .set(
                    api_tokens::expires_at.eq(cms::timestamp::now() - chrono::Duration::seconds(1)),
                )
                .execute(conn.conn())?;
            Ok(())
        })
        .await
        .unwrap();
    forged.push(("revoked API token", revoked));
    forged.push(("expired API token", expired));
    forged.push((
        "unknown API token",
        "cms_inconnuInconnuInconnuInconnuInconnu".to_owned(),
    ));

    let reference = problem(app.get_as("/api/v1/users", Some("x.y.z")).await, 401).await;
    let mut failures = Vec::new();
    for (name, token) in &forged {
        for path in ["/api/v1/users", "/api/v1/auth/me", "/api/v1/tokens"] {
            let response = app.get_as(path, Some(token)).await;
            let status = response.status().as_u16();
            let challenge = response.headers().get("www-authenticate").is_some();
            let body: Value = response.json().await.unwrap_or_default();
            if status != 401 || !challenge || body != reference {
                failures.push(format!("{name} on {path}: {status} {body}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "accepted or told apart:\n{}",
        failures.join("\n")
    );

    // The real ones still work.
    assert_eq!(app.get_as("/api/v1/users", Some(&good)).await.status(), 200);
    assert_eq!(
        app.get_as(
            "/api/v1/auth/me",
            Some(pair["access_token"].as_str().unwrap())
        )
        .await
        .status(),
        200
    );
}

async fn a_demotion_applies_to_tokens_already_issued(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.create_user(Role::Admin).await;
    let second = app.create_user(Role::Admin).await;
    assert_eq!(
        app.get_as("/api/v1/users", Some(&second.token))
            .await
            .status(),
        200
    );
    let response = app
        .patch_json(
            &format!("/api/v1/users/{}", second.id),
            Some(&admin.token),
            &json!({"role": "editor"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    // The token still says "admin"; the account no longer is.
    problem(app.get_as("/api/v1/users", Some(&second.token)).await, 403).await;
}

on_both_databases!(
    forged_and_dead_credentials_are_all_the_same_401,
    a_demotion_applies_to_tokens_already_issued
);
