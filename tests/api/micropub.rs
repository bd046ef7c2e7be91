//! Micropub (`/micropub`, `/micropub/media`) and IndieAuth
//! (`/indieauth/…`): driven by real client libraries from PyPI
//! (tests/clients/micropub_session.py: mf2py for discovery, requests for
//! the IndieAuth sign-in with PKCE, the `micropub` package and requests
//! for posting) as an author and a contributor; then bad requests of each
//! kind, answered in the protocols' own error shapes with nothing written.

use serde_json::{Value, json};

use cms::auth::Role;

use crate::content_fixtures::{category, created, ok_json, small_png};
use crate::helpers::{Backend, TestApp, TestUser};
use crate::on_both_databases;

on_both_databases!(
    apps_sign_in_with_indieauth_and_publish,
    bad_requests_get_the_protocols_errors_and_write_nothing,
    the_authorization_page_and_token_endpoint_refuse_what_they_must,
);

fn micropub_session(app: &TestApp, author: &TestUser, contributor: &TestUser) -> Option<Value> {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("une.png");
    std::fs::write(&image, small_png()).unwrap();
    crate::helpers::python_client(
        "micropub_session.py",
        &[
            ("SITE", &app.address),
            ("EMAIL", &author.email),
            ("PASSWORD", &author.password),
            ("CONTRIBUTOR_EMAIL", &contributor.email),
            ("CONTRIBUTOR_PASSWORD", &contributor.password),
            ("IMAGE", image.to_str().unwrap()),
        ],
    )
}

/// Pairs form-encoded (a query string or a form body).
fn encoded(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

fn sorted(value: &Value) -> Vec<String> {
    let mut items: Vec<String> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    items.sort();
    items
}

fn slug_of(url: &Value) -> String {
    url.as_str()
        .unwrap()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

async fn apps_sign_in_with_indieauth_and_publish(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    let news = category(&app, &editor.token, "News - Infos", None).await;
    let diplomatie = category(&app, &editor.token, "Diplomatie", news["id"].as_i64()).await;
    let benin = category(&app, &editor.token, "Bénin", None).await;
    let author = app.create_user(Role::Author).await;
    let contributor = app.create_user(Role::Contributor).await;
    let Some(s) = micropub_session(&app, &author, &contributor) else {
        return;
    };
    let site = &app.address;

    // Discovery, from the page's links and the Link header.
    assert_eq!(s["discovery"]["micropub"], format!("{site}/micropub"));
    assert_eq!(s["discovery"]["media"], format!("{site}/micropub/media"));
    assert_eq!(
        s["discovery"]["metadata"],
        format!("{site}/.well-known/oauth-authorization-server")
    );
    assert_eq!(
        s["discovery"]["link_header_micropub"],
        format!("{site}/micropub")
    );

    // The IndieAuth sign-in: the French page, the code back with the
    // state and the issuer, the token, a replayed code refused.
    let a = &s["author"];
    assert_eq!(
        a["metadata"]["code_challenge_methods_supported"],
        json!(["S256"])
    );
    assert_eq!(a["page_lang"], "fr");
    assert_eq!(a["redirect"], "https://client.example/callback");
    assert_eq!(a["state_back"], true);
    assert_eq!(a["iss"], format!("{site}/"));
    assert_eq!(a["token_status"], 200, "{a}");
    assert_eq!(a["token"]["token_type"], "Bearer");
    assert_eq!(a["token"]["scope"], "create update delete media");
    assert_eq!(a["token"]["me"], format!("{site}/"));
    assert!(
        a["token"]["access_token"]
            .as_str()
            .unwrap()
            .starts_with("mp_")
    );
    assert_eq!(a["replay"]["status"], 400);
    assert_eq!(a["replay"]["body"]["error"], "invalid_grant");

    assert_eq!(
        s["config"]["media-endpoint"],
        format!("{site}/micropub/media")
    );
    assert_eq!(s["config"]["syndicate-to"], json!([]));
    assert_eq!(s["upload"]["status"], 201);
    let photo = s["upload"]["location"].as_str().unwrap();
    assert!(photo.starts_with(&format!("{site}/media/")), "{photo}");

    // The JSON draft, read back with q=source byte for byte.
    assert_eq!(s["draft"]["status"], 201);
    let url = s["draft"]["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{site}/")) && url.ends_with('/'),
        "{url}"
    );
    let p = &s["source"]["properties"];
    assert_eq!(s["source"]["type"], json!(["h-entry"]));
    assert_eq!(
        p["name"],
        json!(["Cotonou : le marché Dantokpa « rouvre » ses portes"])
    );
    assert_eq!(
        p["content"],
        json!(["Les commerçants sont **revenus** dès l’aube. ✊🏿"])
    );
    assert_eq!(p["summary"], json!(["Un marché qui renaît."]));
    assert_eq!(
        sorted(&p["category"]),
        ["Diplomatie", "Marchés « ouverts »"]
    );
    assert_eq!(p["post-status"], json!(["draft"]));
    assert_eq!(p["photo"][0]["value"], photo);
    assert_eq!(p["photo"][0]["alt"], "Des étals au lever du jour");
    assert_eq!(p["url"], json!([url]));
    assert!(
        p.get("published").is_none(),
        "a draft has no publication date"
    );
    let some = &s["some"];
    assert!(some.get("type").is_none());
    assert_eq!(
        some["properties"],
        json!({"content": ["Les commerçants sont **revenus** dès l’aube. ✊🏿"], "post-status": ["draft"]})
    );

    // Update, then publish.
    assert_eq!(s["updated"], 204);
    assert_eq!(s["published"], 204);
    let after = &s["after"]["properties"];
    assert_eq!(after["post-status"], json!(["published"]));
    assert!(after["published"][0].is_string());
    assert_eq!(
        sorted(&after["category"]),
        ["Diplomatie", "Marchés « ouverts »", "Économie"]
    );

    // A form-encoded note: titled by its words, filed under its category.
    assert_eq!(s["note"]["status"], 201);
    let note = ok_json(
        app.get(&format!("/api/v1/articles/{}", slug_of(&s["note"]["url"])))
            .await,
    )
    .await;
    assert_eq!(note["title"], "Il pleut sur Porto-Novo ☔");
    assert_eq!(note["category"]["id"], benin["id"]);
    assert_eq!(note["tags"][0]["name"], "météo");
    // A multipart post: its photo uploaded and featured.
    assert_eq!(s["with_photo"]["status"], 201);
    assert!(
        s["with_photo"]["source"]["properties"]["photo"][0]["value"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{site}/media/"))
    );
    // Delete takes it off the public site; undelete brings it back.
    assert_eq!(s["deleted"], 204);
    assert!(
        !sorted(&s["public_after_delete"]).contains(&slug_of(&s["note"]["url"])),
        "a deleted post is not public"
    );
    assert_eq!(s["undeleted"], 204);
    ok_json(
        app.get(&format!("/api/v1/articles/{}", slug_of(&s["note"]["url"])))
            .await,
    )
    .await;

    // The errors, in Micropub's words.
    let e = &s["errors"];
    for (case, status, error) in [
        ("unknown_url", 400, "invalid_request"),
        ("unknown_query", 400, "invalid_request"),
        ("no_token", 401, "unauthorized"),
        ("bad_token", 401, "unauthorized"),
        ("both_tokens", 400, "invalid_request"),
        ("bad_status", 400, "invalid_request"),
        ("h_event", 400, "invalid_request"),
        ("update_unknown", 400, "invalid_request"),
    ] {
        assert_eq!(e[case]["status"], status, "{case}: {}", e[case]);
        assert_eq!(e[case]["body"]["error"], error, "{case}");
        assert!(e[case]["body"]["error_description"].is_string(), "{case}");
    }

    // The contributor: a draft, never a publication; no update scope.
    let c = &s["contributor"];
    assert_eq!(c["token"]["scope"], "create media");
    assert_eq!(c["publish"]["status"], 403);
    assert_eq!(c["publish"]["body"]["error"], "forbidden");
    assert_eq!(c["draft"]["status"], 201);
    assert_eq!(c["update_others"]["status"], 403);
    assert_eq!(c["update_others"]["body"]["error"], "insufficient_scope");
    assert_eq!(c["update_others"]["body"]["scope"], "update");

    // `/api/v1` says the same of the same article.
    let article = ok_json(
        app.get(&format!("/api/v1/articles/{}", slug_of(&json!(url))))
            .await,
    )
    .await;
    assert_eq!(article["status"], "published");
    assert_eq!(article["body_format"], "markdown");
    assert_eq!(article["category"]["id"], diplomatie["id"]);
    assert_eq!(article["authors"][0]["id"], json!(author.author_id));
    assert!(article["featured_image"]["id"].is_i64(), "{article}");
    assert_eq!(
        article["featured_image"]["alt"],
        "Des étals au lever du jour"
    );
    // Only the contributor's draft exists of what it sent.
    let drafts = ok_json(
        app.get_as(
            "/api/v1/articles?status=draft&per_page=100",
            Some(&editor.token),
        )
        .await,
    )
    .await;
    let titles: Vec<&str> = drafts["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Brouillon"]);
    // The token is one of the author's credentials, named after the app.
    let keys = ok_json(
        app.get_as(
            "/api/v1/users/me/application-passwords",
            Some(&author.token),
        )
        .await,
    )
    .await;
    assert_eq!(keys["data"][0]["kind"], "micropub_token");
    assert_eq!(keys["data"][0]["name"], "https://client.example/");
    assert_eq!(
        keys["data"][0]["scopes"],
        json!(["create", "update", "delete", "media"])
    );
}

async fn token(app: &TestApp, user: &TestUser, scopes: &[&str]) -> String {
    let made = created(
        app.post_json(
            "/api/v1/users/me/application-passwords",
            Some(&user.token),
            &json!({"name": "iA Writer", "kind": "micropub_token", "scopes": scopes}),
        )
        .await,
    )
    .await;
    made["password"].as_str().unwrap().to_owned()
}

async fn micropub_error(response: reqwest::Response, status: u16, error: &str) -> Value {
    assert_eq!(response.status(), status, "{}", response.url());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string());
    body
}

async fn bad_requests_get_the_protocols_errors_and_write_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    category(&app, &editor.token, "Monde", None).await;
    let author = app.create_user(Role::Author).await;
    let full = token(&app, &author, &["create", "update", "delete", "media"]).await;
    let drafts_only = token(&app, &author, &["draft"]).await;
    let endpoint = app.url("/micropub");
    let post = |token: &str| {
        app.client
            .post(&endpoint)
            .header("Authorization", format!("Bearer {token}"))
    };
    // One accepted write first, so that the tokens' last use is recorded.
    let first = post(&full)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(encoded(&[
            ("h", "entry"),
            ("name", "Premier"),
            ("content", "Texte"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let url = crate::helpers::header(&first, "location");
    let q = app
        .client
        .get(format!("{endpoint}?q=config"))
        .header("Authorization", format!("Bearer {drafts_only}"))
        .send()
        .await
        .unwrap();
    assert_eq!(q.status(), 200);
    let before = app.snapshot().await;

    // Scopes: a draft-only token publishes nothing.
    let body = micropub_error(
        post(&drafts_only)
            .json(&json!({"type": ["h-entry"], "properties": {"content": ["x"]}}))
            .send()
            .await
            .unwrap(),
        403,
        "insufficient_scope",
    )
    .await;
    assert_eq!(body["scope"], "create");
    micropub_error(
        post(&drafts_only)
            .json(&json!({"action": "delete", "url": url}))
            .send()
            .await
            .unwrap(),
        403,
        "insufficient_scope",
    )
    .await;
    // Bodies.
    for (content_type, body) in [
        ("application/json", "{\"type\": [\"h-entry\"], "),
        ("application/json", "[]"),
        ("text/plain", "h=entry&content=x"),
        (
            "application/json",
            "{\"type\": [\"h-entry\"], \"properties\": {\"content\": [3]}}",
        ),
        (
            "application/json",
            "{\"type\": [\"h-entry\"], \"properties\": {\"photo\": [{\"alt\": \"x\"}], \"content\": [\"x\"]}}",
        ),
        (
            "application/json",
            "{\"type\": [\"h-entry\"], \"properties\": {\"published\": [\"demain\"], \"content\": [\"x\"]}}",
        ),
        (
            "application/json",
            "{\"type\": [\"h-entry\"], \"properties\": {}}",
        ),
        (
            "application/json",
            "{\"action\": \"update\", \"url\": \"URL\"}",
        ),
        (
            "application/json",
            "{\"action\": \"update\", \"url\": \"URL\", \"replace\": {\"color\": [\"red\"]}}",
        ),
        ("application/json", "{\"action\": \"delete\"}"),
        (
            "application/json",
            "{\"action\": \"undelete\", \"url\": \"URL\"}",
        ),
        (
            "application/json",
            "{\"action\": \"archive\", \"url\": \"URL\"}",
        ),
        (
            "application/x-www-form-urlencoded",
            "h=entry&content=x&post-status=private",
        ),
    ] {
        let response = post(&full)
            .header("Content-Type", content_type)
            .body(body.replace("URL", &url))
            .send()
            .await
            .unwrap();
        micropub_error(response, 400, "invalid_request").await;
    }
    // A post whose photo is not an image is not created.
    let not_an_image = reqwest::multipart::Part::bytes(b"pas une image".to_vec())
        .file_name("photo.png")
        .mime_str("image/png")
        .unwrap();
    let refused = post(&full)
        .multipart(
            reqwest::multipart::Form::new()
                .text("h", "entry")
                .text("name", "Avec photo")
                .part("photo", not_an_image),
        )
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_client_error(), "{}", refused.status());
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
    // The media endpoint: no file, a file in another part.
    let media = app.url("/micropub/media");
    let no_file = app
        .client
        .post(&media)
        .header("Authorization", format!("Bearer {full}"))
        .multipart(reqwest::multipart::Form::new().text("x", "y"))
        .send()
        .await
        .unwrap();
    micropub_error(no_file, 400, "invalid_request").await;
    let png = reqwest::multipart::Part::bytes(small_png())
        .file_name("une.png")
        .mime_str("image/png")
        .unwrap();
    let elsewhere = app
        .client
        .post(&media)
        .header("Authorization", format!("Bearer {full}"))
        .multipart(reqwest::multipart::Form::new().part("photo", png))
        .send()
        .await
        .unwrap();
    micropub_error(elsewhere, 400, "invalid_request").await;
    // Tokens of other kinds are not Micropub tokens.
    micropub_error(
        app.client
            .get(format!("{endpoint}?q=config"))
            .header("Authorization", format!("Bearer {}", editor.token))
            .send()
            .await
            .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    assert_eq!(app.snapshot().await, before, "a refused request wrote");
}

async fn the_authorization_page_and_token_endpoint_refuse_what_they_must(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let good = [
        ("response_type", "code"),
        ("client_id", "https://client.example/"),
        ("redirect_uri", "https://client.example/callback"),
        ("state", "abc"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
        ("scope", "create"),
    ];
    let page = app
        .client
        .get(format!(
            "{}?{}",
            app.url("/indieauth/authorize"),
            encoded(&good)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(crate::helpers::header(&page, "x-frame-options"), "DENY");
    let csp = crate::helpers::header(&page, "content-security-policy");
    assert!(
        csp.ends_with("form-action 'self' https://client.example"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("client.example") && html.contains("créer et publier des articles"));
    for (name, value) in [
        ("code_challenge_method", "plain"),
        ("code_challenge", ""),
        ("redirect_uri", "https://evil.example/cb"),
        ("redirect_uri", "javascript:alert(1)"),
        ("client_id", "http://client.example/"),
        ("state", ""),
        ("scope", "profile"),
        ("response_type", "token"),
    ] {
        let query: Vec<(&str, &str)> = good
            .iter()
            .map(|(k, v)| (*k, if *k == name { value } else { *v }))
            .collect();
        let refused = app
            .client
            .get(format!(
                "{}?{}",
                app.url("/indieauth/authorize"),
                encoded(&query)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 400, "{name}={value}");
        assert!(refused.headers().get("location").is_none());
    }
    // A POST without the page's token redirects nowhere.
    let mut form: Vec<(&str, &str)> = good.to_vec();
    form.extend([
        ("email", "x@example.bj"),
        ("password", "y"),
        ("action", "approve"),
        ("csrf", "0"),
    ]);
    let forged = app
        .client
        .post(app.url("/indieauth/authorize"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(encoded(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // The token endpoint: OAuth's errors.
    let token = |pairs: Vec<(&'static str, &'static str)>| {
        app.client
            .post(app.url("/indieauth/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(encoded(&pairs))
            .send()
    };
    let e: Value = token(vec![("grant_type", "password")])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(e["error"], "unsupported_grant_type");
    let e: Value = token(vec![("grant_type", "authorization_code")])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(e["error"], "invalid_request");
    let unknown = token(vec![
        ("grant_type", "authorization_code"),
        ("code", "inconnu"),
        ("client_id", "https://client.example/"),
        ("redirect_uri", "https://client.example/callback"),
        (
            "code_verifier",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        ),
    ])
    .await
    .unwrap();
    assert_eq!(unknown.status(), 400);
    assert_eq!(
        crate::helpers::header(&unknown, "cache-control"),
        "no-store"
    );
    let e: Value = unknown.json().await.unwrap();
    assert_eq!(e["error"], "invalid_grant");
    // The metadata names the endpoints.
    let metadata = ok_json(app.get("/.well-known/oauth-authorization-server").await).await;
    assert_eq!(
        metadata["token_endpoint"],
        format!("{}/indieauth/token", app.address)
    );
}
