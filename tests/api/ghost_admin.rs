//! The Ghost Admin API (`/ghost/api/admin/`): driven by Ghost's own npm
//! client `@tryghost/admin-api` (tests/clients/ghost_session.mjs) with an
//! author's and a contributor's staff access tokens, forged tokens
//! included; then every bad input answered in Ghost's `{"errors": [...]}`
//! with nothing written, the legacy versioned paths, revocation, and the
//! key's secret kept sealed. What is written through Ghost reads the same
//! through `/api/v1`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac;
use serde_json::{Value, json};

use cms::auth::Role;

use crate::content_fixtures::{category, created, ok_json, small_png};
use crate::helpers::{Backend, TestApp, TestUser};
use crate::on_both_databases;

on_both_databases!(
    the_ghost_client_writes_edits_and_publishes,
    bad_requests_get_ghosts_errors_and_write_nothing,
    keys_are_sealed_revocable_and_versioned_paths_check_their_audience,
);

/// A staff access token (`id:secret`) for `user`, and its public id.
async fn ghost_key(app: &TestApp, user: &TestUser) -> (String, String) {
    let key = created(
        app.post_json(
            "/api/v1/users/me/application-passwords",
            Some(&user.token),
            &json!({"name": "Ulysses", "kind": "ghost_admin_key"}),
        )
        .await,
    )
    .await;
    assert_eq!(key["kind"], "ghost_admin_key");
    (
        key["password"].as_str().unwrap().to_owned(),
        key["uuid"].as_str().unwrap().to_owned(),
    )
}

/// A token as the SDK signs it (`claims` replace its defaults).
fn token(key: &str, claims: Value) -> String {
    let (id, secret) = key.split_once(':').unwrap();
    let now = chrono::Utc::now().timestamp();
    let mut payload = json!({"iat": now, "exp": now + 300, "aud": "/admin/"});
    // `null` removes a claim.
    for (k, v) in claims.as_object().unwrap() {
        match v {
            Value::Null => {
                payload.as_object_mut().unwrap().remove(k);
            }
            v => payload[k] = v.clone(),
        }
    }
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT", "kid": id}).to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let mut mac =
        hmac::Hmac::<sha2_10::Sha256>::new_from_slice(&hex::decode(secret).unwrap()).unwrap();
    mac.update(signed.as_bytes());
    format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

async fn ghost(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header("Accept-Version", "v6.0");
    if let Some(key) = key {
        request = request.header("Authorization", format!("Ghost {}", token(key, json!({}))));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

/// Ghost's error: its status, `type` and `code`, all nine keys, and
/// Ghost's headers.
async fn ghost_error(response: reqwest::Response, status: u16, kind: &str) -> Value {
    assert_eq!(response.status(), status, "status of {}", response.url());
    assert_eq!(
        crate::helpers::header(&response, "content-type"),
        "application/json; charset=utf-8"
    );
    assert_eq!(crate::helpers::header(&response, "content-version"), "v6.0");
    let body: Value = response.json().await.unwrap();
    let error = &body["errors"][0];
    assert_eq!(error["type"], kind, "{body}");
    assert_eq!(error.as_object().unwrap().len(), 9, "{body}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    error.clone()
}

fn ghost_session(app: &TestApp, author_key: &str, contributor_key: &str) -> Option<Value> {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("une.png");
    std::fs::write(&image, small_png()).unwrap();
    crate::helpers::node_client(
        "ghost_session.mjs",
        false,
        &[
            ("SITE", &app.address),
            ("AUTHOR_KEY", author_key),
            ("CONTRIBUTOR_KEY", contributor_key),
            ("IMAGE", image.to_str().unwrap()),
        ],
    )
}

async fn the_ghost_client_writes_edits_and_publishes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    let news = category(&app, &editor.token, "News - Infos", None).await;
    let diplomatie = category(&app, &editor.token, "Diplomatie", news["id"].as_i64()).await;
    let author = app.create_user(Role::Author).await;
    let contributor = app.create_user(Role::Contributor).await;
    let (author_key, _) = ghost_key(&app, &author).await;
    let (contributor_key, _) = ghost_key(&app, &contributor).await;
    let Some(s) = ghost_session(&app, &author_key, &contributor_key) else {
        return;
    };

    assert_eq!(s["site"]["version"], "6.0");
    assert_eq!(s["site"]["locale"], "fr");
    assert!(s["site"]["url"].as_str().unwrap().ends_with('/'));
    let diplomatie_tag = format!("category-{}", diplomatie["id"]);
    assert!(
        s["tags"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": diplomatie_tag, "name": "Diplomatie", "slug": "diplomatie", "visibility": "public"})),
        "{}",
        s["tags"]
    );
    assert_eq!(s["tags_meta"]["pagination"]["limit"], "all");

    // The upload: an absolute URL of the media library, the ref echoed.
    let image_url = s["image"]["url"].as_str().unwrap();
    assert!(
        image_url.starts_with(&format!("{}/media/", app.address)),
        "{image_url}"
    );
    assert_eq!(s["image"]["ref"], "une-élection.png");

    // The post from HTML, read back byte for byte.
    let title = "Bénin : l’élection « sous haute surveillance » 🗳️";
    assert_eq!(s["draft"]["status"], "draft");
    assert_eq!(s["draft"]["has_meta"], false, "add answers without meta");
    assert_eq!(s["read"]["title"], title);
    assert_eq!(
        s["read"]["html"],
        "<p>Les électeurs se sont rendus aux urnes.</p><p>Deuxième paragraphe, « guillemets » et émoji ✊🏿.</p>"
    );
    assert_eq!(s["read"]["has_lexical"], false, "formats=html alone");
    assert_eq!(s["read"]["custom_excerpt"], "Un scrutin suivi de près.");
    // The category first, then the tags in the article's order (by name).
    assert_eq!(
        s["read"]["tags"],
        json!(["Diplomatie", "#une", "Sahel « vert » 🌍"])
    );
    assert_eq!(s["read"]["primary_tag"], "Diplomatie");
    assert_eq!(s["read"]["feature_image"], image_url);
    assert_eq!(
        s["read"]["feature_image_alt"],
        "Des électeurs font la queue"
    );
    assert_eq!(
        s["read"]["authors"],
        json!([author.author_id.unwrap().to_string()])
    );
    assert_eq!(s["by_slug"], s["draft"]["id"]);

    // Edits: a stale one is Ghost's collision, an unchanged one is not.
    assert_eq!(s["edited"]["title"], format!("{title} (mise à jour)"));
    assert_ne!(s["edited"]["updated_at"], s["read"]["updated_at"]);
    assert_eq!(s["stale"]["type"], "UpdateCollisionError", "{}", s["stale"]);
    assert_eq!(s["stale"]["name"], "UpdateCollisionError");
    assert_eq!(s["stale"]["code"], "UPDATE_COLLISION");
    assert_eq!(
        s["stale"]["message"],
        "Saving failed! Someone else is editing this post."
    );
    assert_eq!(s["stale"]["details"]["changedFields"], json!(["title"]));
    assert_eq!(s["unchanged"], s["edited"]["updated_at"]);
    assert_eq!(s["published"]["status"], "published");
    assert!(s["published"]["published_at"].is_string());

    // Markdown from a mobiledoc card stays Markdown.
    let markdown = "# Niamey\n\nLe **fleuve** Niger, « source de vie ».";
    assert!(
        s["mobiledoc"]["html"]
            .as_str()
            .unwrap()
            .contains("<strong>fleuve</strong>"),
        "{}",
        s["mobiledoc"]
    );
    let card: Value = serde_json::from_str(s["mobiledoc"]["mobiledoc"].as_str().unwrap()).unwrap();
    assert_eq!(
        card["cards"][0],
        json!(["markdown", {"markdown": markdown}])
    );
    assert_eq!(s["lexical"]["status"], "draft");
    assert_eq!(
        s["drafts"]["ids"],
        json!([s["lexical"]["id"], s["mobiledoc"]["id"]])
    );
    assert_eq!(s["drafts"]["pagination"]["total"], 2);
    assert_eq!(s["drafts"]["pagination"]["limit"], 5);
    assert_eq!(s["deleted"], "", "204, no body");
    assert_eq!(s["gone"]["type"], "NotFoundError");

    // The contributor: refused to publish, a draft goes through.
    assert_eq!(s["contributor"]["refused"]["type"], "NoPermissionError");
    assert_eq!(s["contributor"]["draft"], "draft");

    // Forged tokens, each refused with Ghost's own reason.
    let f = &s["forgeries"];
    for (case, message) in [
        ("wrong_secret", "Invalid token: invalid signature"),
        ("secret_as_text", "Invalid token: invalid signature"),
        ("old_iat", "Invalid token: maxAge exceeded"),
        ("alg_none", "Invalid token: jwt signature is required"),
        (
            "wrong_audience",
            "Invalid token: jwt audience invalid. expected: /\\/?admin\\/?$/",
        ),
    ] {
        assert_eq!(f[case]["type"], "UnauthorizedError", "{case}: {}", f[case]);
        assert_eq!(f[case]["code"], "INVALID_JWT", "{case}");
        assert_eq!(f[case]["message"], message, "{case}");
    }
    assert_eq!(f["missing_kid"]["type"], "BadRequestError");
    assert_eq!(f["missing_kid"]["code"], "MISSING_ADMIN_API_KID");
    assert_eq!(f["unknown_kid"]["code"], "UNKNOWN_ADMIN_API_KEY");

    // `/api/v1` says the same of the same article.
    let id = s["draft"]["id"].as_str().unwrap();
    let article = ok_json(app.get(&format!("/api/v1/articles/{id}")).await).await;
    assert_eq!(article["title"], format!("{title} (mise à jour)"));
    assert_eq!(article["status"], "published");
    assert_eq!(article["category"]["id"], diplomatie["id"]);
    assert_eq!(article["authors"][0]["id"], json!(author.author_id));
    assert!(article["featured_image"]["id"].is_i64(), "{article}");
    // `#une` is an internal tag: the public does not see it.
    let public_tags: Vec<&str> = article["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(public_tags, ["Sahel « vert » 🌍"]);
    // Nor in the tag lists; the newsroom sees it.
    for path in [
        "/api/v1/tags?per_page=100",
        "/wp-json/wp/v2/tags?per_page=100",
    ] {
        let listed = app.get(path).await.text().await.unwrap();
        assert!(
            listed.contains("Sahel") && !listed.contains("#une"),
            "{path}: {listed}"
        );
    }
    let newsroom = ok_json(
        app.get_as("/api/v1/tags?per_page=100", Some(&editor.token))
            .await,
    )
    .await;
    assert!(newsroom.to_string().contains("#une"), "{newsroom}");
    let une = newsroom["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "#une")
        .unwrap();
    for path in [
        format!("/api/v1/tags/{}", une["slug"].as_str().unwrap()),
        format!("/api/v1/tags/{}", une["id"]),
        format!("/wp-json/wp/v2/tags/{}", une["id"]),
    ] {
        assert_eq!(app.get(&path).await.status(), 404, "{path}");
    }
    ok_json(
        app.get_as(&format!("/api/v1/tags/{}", une["id"]), Some(&editor.token))
            .await,
    )
    .await;
    assert_eq!(article["version"], 3, "created, edited, published");
    let markdown_id = s["mobiledoc"]["id"].as_str().unwrap();
    let brief = ok_json(
        app.get_as(
            &format!("/api/v1/articles/{markdown_id}"),
            Some(&editor.token),
        )
        .await,
    )
    .await;
    assert_eq!(brief["body_format"], "markdown");
    assert_eq!(brief["body"], markdown);
    // Nothing the contributor was refused was written.
    let all = ok_json(
        app.get_as(
            "/api/v1/articles?per_page=100&status=published",
            Some(&editor.token),
        )
        .await,
    )
    .await;
    assert_eq!(all["data"].as_array().unwrap().len(), 1, "{all}");

    // The key's use is recorded, its secret never shown again.
    let keys = ok_json(
        app.get_as(
            "/api/v1/users/me/application-passwords",
            Some(&author.token),
        )
        .await,
    )
    .await;
    assert!(keys["data"][0]["last_used_at"].is_string(), "{keys}");
    assert!(
        !keys
            .to_string()
            .contains(author_key.split(':').nth(1).unwrap())
    );
}

async fn bad_requests_get_ghosts_errors_and_write_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    category(&app, &editor.token, "Monde", None).await;
    let author = app.create_user(Role::Author).await;
    let (key, _) = ghost_key(&app, &author).await;
    let post = created(
        ghost(
            &app,
            reqwest::Method::POST,
            "/ghost/api/admin/posts/?source=html",
            Some(&key),
            Some(json!({"posts": [{"title": "Première", "html": "<p>Texte</p>"}]})),
        )
        .await,
    )
    .await;
    let id = post["posts"][0]["id"].as_str().unwrap().to_owned();
    let updated_at = post["posts"][0]["updated_at"].as_str().unwrap().to_owned();
    let before = app.snapshot().await;

    use reqwest::Method;
    let posts = "/ghost/api/admin/posts/";
    let item = format!("/ghost/api/admin/posts/{id}/");
    // Credentials.
    let none = ghost(&app, Method::GET, posts, None, None).await;
    let e = ghost_error(none, 403, "NoPermissionError").await;
    assert_eq!(e["message"], "Authorization failed");
    let bearer = app
        .client
        .get(app.url(posts))
        .header("Authorization", "Bearer abc")
        .send()
        .await
        .unwrap();
    let e = ghost_error(bearer, 401, "UnauthorizedError").await;
    assert_eq!(e["code"], "INVALID_AUTH_HEADER");
    let garbage = app
        .client
        .get(app.url(posts))
        .header("Authorization", "Ghost aaa.bbb.ccc")
        .send()
        .await
        .unwrap();
    let e = ghost_error(garbage, 400, "BadRequestError").await;
    assert_eq!(e["code"], "INVALID_JWT");
    let expired = app
        .client
        .get(app.url(posts))
        .header(
            "Authorization",
            format!(
                "Ghost {}",
                token(&key, json!({"exp": chrono::Utc::now().timestamp() - 1}))
            ),
        )
        .send()
        .await
        .unwrap();
    let e = ghost_error(expired, 401, "UnauthorizedError").await;
    assert_eq!(e["message"], "Invalid token: jwt expired");
    let no_exp = app
        .client
        .get(app.url(posts))
        .header(
            "Authorization",
            format!("Ghost {}", token(&key, json!({"exp": null}))),
        )
        .send()
        .await
        .unwrap();
    let e = ghost_error(no_exp, 401, "UnauthorizedError").await;
    assert_eq!(e["message"], "Invalid token: exp required");

    // Bad posts: 422 naming the field, or 400, 404, 415.
    let add = |body: Value| ghost(&app, Method::POST, posts, Some(&key), Some(body));
    for (body, property) in [
        (json!({"posts": [{"html": "<p>x</p>"}]}), "title"),
        (
            json!({"posts": [{"title": "x", "status": "sent"}]}),
            "status",
        ),
        (
            json!({"posts": [{"title": "x", "lexical": {"root": {}}}]}),
            "lexical",
        ),
        (
            json!({"posts": [{"title": "x", "mobiledoc": "{pas du json"}]}),
            "mobiledoc",
        ),
        (
            json!({"posts": [{"title": "x", "tags": [{"id": "999999"}]}]}),
            "tags",
        ),
        (
            json!({"posts": [{"title": "x", "authors": ["personne@example.bj"]}]}),
            "authors",
        ),
        (
            json!({"posts": [{"title": "x", "published_at": "demain"}]}),
            "published_at",
        ),
        (json!({"posts": [{"title": "é".repeat(2001)}]}), "title"),
        (json!({"posts": []}), "posts"),
        (json!({"articles": [{"title": "x"}]}), "posts"),
    ] {
        let e = ghost_error(add(body.clone()).await, 422, "ValidationError").await;
        assert_eq!(e["property"], property, "{body}: {e}");
        assert_eq!(e["message"], "Validation error, cannot save post.");
    }
    let e = ghost_error(
        ghost(
            &app,
            Method::PUT,
            &item,
            Some(&key),
            Some(json!({"posts": [{"title": "Sans date"}]})),
        )
        .await,
        422,
        "ValidationError",
    )
    .await;
    assert_eq!(e["details"][0]["params"]["missingProperty"], "updated_at");
    let e = ghost_error(
        ghost(
            &app,
            Method::PUT,
            "/ghost/api/admin/posts/999999/",
            Some(&key),
            Some(json!({"posts": [{"title": "x", "updated_at": updated_at}]})),
        )
        .await,
        404,
        "NotFoundError",
    )
    .await;
    assert_eq!(e["message"], "Resource not found error, cannot edit post.");
    let e = ghost_error(
        ghost(
            &app,
            Method::GET,
            "/ghost/api/admin/posts/abc/",
            Some(&key),
            None,
        )
        .await,
        404,
        "NotFoundError",
    )
    .await;
    assert_eq!(e["message"], "Resource not found error, cannot read post.");
    let not_json = app
        .client
        .post(app.url(posts))
        .header("Authorization", format!("Ghost {}", token(&key, json!({}))))
        .header("Content-Type", "application/json")
        .body("{\"posts\": [")
        .send()
        .await
        .unwrap();
    ghost_error(not_json, 400, "BadRequestError").await;
    let form = app
        .client
        .post(app.url(posts))
        .header("Authorization", format!("Ghost {}", token(&key, json!({}))))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("title=x")
        .send()
        .await
        .unwrap();
    ghost_error(form, 415, "UnsupportedMediaTypeError").await;
    for query in ["limit=abc", "page=-1", "formats=pdf"] {
        let e = ghost_error(
            ghost(
                &app,
                Method::GET,
                &format!("{posts}?{query}"),
                Some(&key),
                None,
            )
            .await,
            422,
            "ValidationError",
        )
        .await;
        assert_eq!(
            e["message"], "Validation error, cannot list posts.",
            "{query}"
        );
    }
    let e = ghost_error(
        ghost(
            &app,
            Method::GET,
            &format!("{posts}?filter=title:x"),
            Some(&key),
            None,
        )
        .await,
        400,
        "BadRequestError",
    )
    .await;
    assert_eq!(e["message"], "Error parsing filter");
    let e = ghost_error(
        ghost(
            &app,
            Method::GET,
            "/ghost/api/admin/members/",
            Some(&key),
            None,
        )
        .await,
        404,
        "NotFoundError",
    )
    .await;
    assert_eq!(e["message"], "Resource not found");
    // Images: no file, a text file, an unknown part.
    let upload = |form: reqwest::multipart::Form| {
        app.client
            .post(app.url("/ghost/api/admin/images/upload/"))
            .header("Authorization", format!("Ghost {}", token(&key, json!({}))))
            .multipart(form)
            .send()
    };
    let e = ghost_error(
        upload(reqwest::multipart::Form::new().text("purpose", "image"))
            .await
            .unwrap(),
        422,
        "ValidationError",
    )
    .await;
    assert_eq!(e["message"], "Please select an image.");
    let text = reqwest::multipart::Part::bytes(b"pas une image".to_vec())
        .file_name("note.txt")
        .mime_str("text/plain")
        .unwrap();
    let e = ghost_error(
        upload(reqwest::multipart::Form::new().part("file", text))
            .await
            .unwrap(),
        415,
        "UnsupportedMediaTypeError",
    )
    .await;
    assert_eq!(e["message"], "Please select a valid image.");
    let png = reqwest::multipart::Part::bytes(small_png())
        .file_name("une.png")
        .mime_str("image/png")
        .unwrap();
    ghost_error(
        upload(reqwest::multipart::Form::new().part("fichier", png))
            .await
            .unwrap(),
        400,
        "BadRequestError",
    )
    .await;
    assert_eq!(app.snapshot().await, before, "a refused request wrote");

    // A contributor's publish: refused before anything is written (the new
    // tag it names included).
    let contributor = app.create_user(Role::Contributor).await;
    let (contributor_key, _) = ghost_key(&app, &contributor).await;
    let before_contributor = app.snapshot().await;
    let e = ghost_error(
        ghost(
            &app,
            Method::POST,
            posts,
            Some(&contributor_key),
            Some(json!({"posts": [{"title": "Scoop", "status": "published", "tags": ["Tout neuf"]}]})),
        )
        .await,
        403,
        "NoPermissionError",
    )
    .await;
    assert_eq!(e["message"], "You do not have permission to save post.");
    // Editing the author's post: not theirs.
    ghost_error(
        ghost(
            &app,
            Method::PUT,
            &item,
            Some(&contributor_key),
            Some(json!({"posts": [{"title": "Pris", "updated_at": updated_at}]})),
        )
        .await,
        403,
        "NoPermissionError",
    )
    .await;
    assert_eq!(
        app.snapshot().await,
        before_contributor,
        "a refused request wrote"
    );
}

async fn keys_are_sealed_revocable_and_versioned_paths_check_their_audience(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    let (key, uuid) = ghost_key(&app, &editor).await;
    let (id, secret) = key.split_once(':').unwrap();
    assert_eq!(id, uuid);
    assert_eq!(id.len(), 24);
    assert_eq!(secret.len(), 64);
    assert!(
        key.bytes()
            .all(|b| b == b':' || b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );

    // Stored sealed: neither the secret nor its bytes are in the row.
    let stored = app.snapshot().await.join("\n");
    assert!(!stored.contains(secret), "the secret is stored in clear");
    let row: (Option<String>, String) = {
        use cms::db::schema::application_passwords as t;
        use diesel::prelude::*;
        let id = id.to_owned();
        app.db
            .read(move |conn| {
                Ok(t::table
                    .filter(t::uuid.eq(id))
                    .select((t::sealed_secret, t::password_hash))
                    .first(conn)?)
            })
            .await
            .unwrap()
    };
    let sealed = row.0.expect("a sealed secret");
    assert!(!sealed.contains(secret) && row.1 != secret);

    // A Ghost key is no application password, and the reverse.
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{secret}", editor.email));
    let wp = app
        .client
        .get(app.url("/wp-json/wp/v2/users/me"))
        .header("Authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap();
    assert_eq!(wp.status(), 401);

    // Versioned paths take their version's audience only.
    let versioned = |aud: &str| {
        app.client
            .get(app.url("/ghost/api/v4/admin/posts/"))
            .header(
                "Authorization",
                format!("Ghost {}", token(&key, json!({"aud": aud}))),
            )
            .send()
    };
    let ok = versioned("/v4/admin/").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(crate::helpers::header(&ok, "content-version"), "v6.0");
    let e = ghost_error(
        versioned("/admin/").await.unwrap(),
        401,
        "UnauthorizedError",
    )
    .await;
    assert_eq!(
        e["message"],
        "Invalid token: jwt audience invalid. expected: /\\/?v4\\/admin\\/?$/"
    );
    // `site` is public, as on Ghost.
    let site = ok_json(app.get("/ghost/api/admin/site/").await).await;
    assert_eq!(site["site"]["version"], "6.0");

    // Revoked: refused from the next request on.
    let list = ghost(
        &app,
        reqwest::Method::GET,
        "/ghost/api/admin/tags/",
        Some(&key),
        None,
    )
    .await;
    assert_eq!(list.status(), 200);
    let revoked = app
        .delete_as(
            &format!("/api/v1/users/me/application-passwords/{uuid}"),
            Some(&editor.token),
        )
        .await;
    assert_eq!(revoked.status(), 204);
    let e = ghost_error(
        ghost(
            &app,
            reqwest::Method::GET,
            "/ghost/api/admin/tags/",
            Some(&key),
            None,
        )
        .await,
        401,
        "UnauthorizedError",
    )
    .await;
    assert_eq!(e["code"], "UNKNOWN_ADMIN_API_KEY");

    // Keys of the same kind are refused across servers with another secret:
    // a key made here, checked by a sibling sharing the database but not the
    // secret, is unknown there.
    let (key, _) = ghost_key(&app, &editor).await;
    let sibling = app
        .spawn_sibling(&[(
            "CMS_JWT_SECRET",
            "un tout autre secret de serveur, long assez",
        )])
        .await;
    let e = ghost_error(
        ghost(
            &sibling,
            reqwest::Method::GET,
            "/ghost/api/admin/tags/",
            Some(&key),
            None,
        )
        .await,
        401,
        "UnauthorizedError",
    )
    .await;
    assert_eq!(e["code"], "UNKNOWN_ADMIN_API_KEY");
}

#[tokio::test]
async fn micropub_tokens_are_made_with_scopes() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let author = app.create_user(Role::Author).await;
    let made = created(
        app.post_json(
            "/api/v1/users/me/application-passwords",
            Some(&author.token),
            &json!({"name": "iA Writer", "kind": "micropub_token", "scopes": ["create", "media"]}),
        )
        .await,
    )
    .await;
    assert!(made["password"].as_str().unwrap().starts_with("mp_"));
    assert_eq!(made["scopes"], json!(["create", "media"]));
    let refused = app
        .post_json(
            "/api/v1/users/me/application-passwords",
            Some(&author.token),
            &json!({"name": "Ulysses", "kind": "ghost_admin_key", "scopes": ["create"]}),
        )
        .await;
    crate::helpers::problem(refused, 422).await;
}
