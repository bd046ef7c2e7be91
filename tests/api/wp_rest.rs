//! The WordPress REST API (`/wp-json/wp/v2`): driven by the real `wpapi`
//! npm client (tests/clients/wpapi_session.mjs) as an author and a
//! contributor; read as a headless WordPress frontend reads it; and every
//! bad input answered in WordPress's `{code, message, data: {status}}`
//! with nothing written. Whatever is written through `/wp-json` reads the
//! same through `/api/v1`.

use base64::Engine;
use serde_json::{Value, json};

use cms::auth::Role;

use crate::content_fixtures::{category, created, ok_json, published, small_png as png, tag};
use crate::helpers::{Backend, TestApp, TestUser};
use crate::on_both_databases;

async fn application_password(app: &TestApp, user: &TestUser, name: &str) -> (String, String) {
    let response = app
        .post_json(
            "/api/v1/users/me/application-passwords",
            Some(&user.token),
            &json!({"name": name}),
        )
        .await;
    let created = created(response).await;
    (
        created["password"].as_str().unwrap().to_owned(),
        created["uuid"].as_str().unwrap_or_default().to_owned(),
    )
}

fn basic(email: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{email}:{password}"))
    )
}

/// A request to `/wp-json` with an `Authorization` header as given.
async fn wp(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    authorization: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

/// WordPress's error shape, with its code and status.
async fn wp_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "status of {}", response.url());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["data"]["status"], status, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    body
}

/// Runs the wpapi session; `None` when the npm clients are not installed
/// (`TEST_NODE_CLIENTS`, made by `.ci/run`), which fails under CI.
fn wpapi_session(
    app: &TestApp,
    author: (&TestUser, &str),
    contributor: (&TestUser, &str),
) -> Option<Value> {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("une.png");
    std::fs::write(&image, png()).unwrap();
    crate::helpers::node_client(
        "wpapi_session.mjs",
        false,
        &[
            ("SITE", &app.address),
            ("AUTHOR_EMAIL", &author.0.email),
            ("AUTHOR_PASSWORD", author.1),
            ("CONTRIBUTOR_EMAIL", &contributor.0.email),
            ("CONTRIBUTOR_PASSWORD", contributor.1),
            ("IMAGE", image.to_str().unwrap()),
        ],
    )
}

on_both_databases!(
    wpapi_discovers_writes_and_publishes,
    a_headless_frontend_reads_posts_terms_and_pages,
    bad_input_is_answered_as_wordpress_and_writes_nothing,
    roles_and_credentials_decide_as_in_wordpress,
    media_parallel_writes_and_the_sign_in_throttle,
);

async fn wpapi_discovers_writes_and_publishes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    let news = category(&app, &editor.token, "News - Infos", None).await;
    let diplomatie = category(&app, &editor.token, "Diplomatie", news["id"].as_i64()).await;
    let author = app.create_user(Role::Author).await;
    let contributor = app.create_user(Role::Contributor).await;
    let (author_password, _) = application_password(&app, &author, "wpapi").await;
    let (contributor_password, _) = application_password(&app, &contributor, "wpapi").await;
    let Some(s) = wpapi_session(
        &app,
        (&author, &author_password),
        (&contributor, &contributor_password),
    ) else {
        return;
    };

    // The profile is the byline, with WordPress's role and capabilities.
    assert_eq!(s["me"]["id"], json!(author.author_id));
    assert_eq!(s["me"]["email"], author.email.as_str());
    assert_eq!(s["me"]["roles"], json!(["author"]));
    assert_eq!(s["me"]["publish"], true);
    assert_eq!(s["category"], diplomatie["id"]);
    assert_eq!(s["tag"]["name"], "Sahel « vert » 🌍");
    assert_eq!(
        s["tag"]["found"],
        json!([s["tag"]["id"]]),
        "search ignores case"
    );
    assert_eq!(s["media"]["alt_text"], "Des électeurs font la queue");
    assert!(
        s["media"]["source_url"]
            .as_str()
            .unwrap()
            .starts_with(&app.address)
    );
    assert!(
        s["media"]["sizes"]
            .as_array()
            .unwrap()
            .contains(&json!("full"))
    );

    // The draft, read back in the edit context, byte for byte.
    let title = "Bénin : l’élection « sous haute surveillance » 🗳️";
    assert_eq!(s["draft"]["status"], "draft");
    assert_eq!(s["edit"]["title"], title);
    assert_eq!(
        s["edit"]["content"],
        "<p>Les électeurs se sont rendus aux urnes.</p>\n<p>Deuxième paragraphe.</p>"
    );
    assert_eq!(s["edit"]["categories"], json!([diplomatie["id"]]));
    assert_eq!(s["edit"]["tags"], json!([s["tag"]["id"]]));
    assert_eq!(s["edit"]["featured_media"], s["media"]["id"]);
    // The public does not see it; its author lists it among drafts.
    assert_eq!(s["hidden"]["by_id"]["code"], "rest_post_invalid_id");
    assert_eq!(s["hidden"]["by_id"]["status"], 404);
    assert_eq!(s["hidden"]["by_slug"], 0);
    assert!(
        s["hidden"]["drafts"]
            .as_array()
            .unwrap()
            .contains(&s["draft"]["id"])
    );

    assert_eq!(s["updated"], format!("{title} (mise à jour)"));
    assert_eq!(s["published"], "publish");
    assert_eq!(s["read"]["author"], json!(author.author_id));
    assert_eq!(s["read"]["featured"], s["media"]["id"]);
    assert_eq!(
        s["read"]["terms"],
        json!([[diplomatie["id"]], [s["tag"]["id"]]])
    );
    assert_eq!(s["listed"]["ids"], json!([s["draft"]["id"]]));
    assert_eq!(s["listed"]["total"], 1);

    // A contributor's publish is WordPress's 403; a draft goes through.
    assert_eq!(s["contributor"]["refused"]["code"], "rest_cannot_publish");
    assert_eq!(s["contributor"]["refused"]["status"], 403);
    assert_eq!(s["contributor"]["draft"], "draft");

    // `/api/v1` says the same of the same article.
    let id = s["draft"]["id"].as_i64().unwrap();
    let article = ok_json(app.get(&format!("/api/v1/articles/{id}")).await).await;
    assert_eq!(article["title"], format!("{title} (mise à jour)"));
    assert_eq!(article["status"], "published");
    assert_eq!(article["category"]["id"], diplomatie["id"]);
    assert_eq!(article["tags"][0]["id"], s["tag"]["id"]);
    assert_eq!(article["featured_image"]["id"], s["media"]["id"]);
    assert_eq!(article["authors"][0]["id"], json!(author.author_id));
    assert_eq!(article["version"], 3, "created, updated, published");
}

async fn a_headless_frontend_reads_posts_terms_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    let author = app.create_user(Role::Author).await;
    let byline = author.author_id.unwrap();
    let monde = category(&app, &editor.token, "Monde", None).await;
    let benin = category(&app, &editor.token, "Bénin", None).await;
    let monde_id = monde["id"].as_i64().unwrap();
    let benin_id = benin["id"].as_i64().unwrap();
    let sahel = tag(&app, &editor.token, "Sahel").await;
    let mut ids = Vec::new();
    for n in 0..12 {
        let a = published(
            &app,
            &editor.token,
            &format!("Dépêche n° {n} : « l’essentiel »"),
            if n % 3 == 0 { benin_id } else { monde_id },
            byline,
        )
        .await;
        ids.push(a["id"].as_i64().unwrap());
    }
    let first = ids[0];
    ok_json(
        app.patch_json(
            &format!("/api/v1/articles/{first}"),
            Some(&editor.token),
            &json!({"tag_ids": [sahel["id"]]}),
        )
        .await,
    )
    .await;
    let draft = created(
        app.post_json(
            "/api/v1/articles",
            Some(&editor.token),
            &json!({"title": "Brouillon secret", "body": "Pas encore.", "category_id": monde_id, "author_ids": [byline]}),
        )
        .await,
    )
    .await;

    // The home page: ten posts, embedded authors, images and terms, and
    // WordPress's paging headers.
    let response = app.get("/wp-json/wp/v2/posts?_embed&per_page=10").await;
    assert_eq!(response.status(), 200);
    assert_eq!(crate::helpers::header(&response, "x-wp-total"), "12");
    assert_eq!(crate::helpers::header(&response, "x-wp-totalpages"), "2");
    let link = crate::helpers::header(&response, "link");
    assert!(
        link.contains("rel=\"next\"") && link.contains("page=2"),
        "{link}"
    );
    let page: Value = response.json().await.unwrap();
    let page = page.as_array().unwrap();
    assert_eq!(page.len(), 10);
    assert!(page.iter().all(|p| p["id"] != draft["id"]));
    let newest = &page[0];
    assert_eq!(newest["id"], json!(ids[11]), "newest first");
    assert_eq!(
        newest["title"]["rendered"],
        "Dépêche n° 11 : « l’essentiel »"
    );
    assert!(
        newest["title"].get("raw").is_none(),
        "raw only in the edit context"
    );
    assert_eq!(newest["type"], "post");
    assert_eq!(newest["status"], "publish");
    assert_eq!(newest["author"], byline);
    assert_eq!(newest["_embedded"]["author"][0]["id"], byline);
    assert_eq!(newest["_embedded"]["wp:term"][0][0]["id"], monde_id);
    assert_eq!(newest["_embedded"]["wp:term"][0][0]["taxonomy"], "category");
    assert_eq!(newest["_links"]["wp:term"][1]["taxonomy"], "post_tag");
    assert!(
        newest["date"].as_str().unwrap().len() == 19,
        "site-local, no zone"
    );
    let second = app.get("/wp-json/wp/v2/posts?per_page=10&page=2").await;
    assert!(crate::helpers::header(&second, "link").contains("rel=\"prev\""));
    let second: Value = second.json().await.unwrap();
    assert_eq!(second.as_array().unwrap().len(), 2);
    wp_error(
        app.get("/wp-json/wp/v2/posts?per_page=10&page=3").await,
        400,
        "rest_post_invalid_page_number",
    )
    .await;
    let offset = ok_json(
        app.get("/wp-json/wp/v2/posts?per_page=5&offset=10&_fields=id")
            .await,
    )
    .await;
    assert_eq!(
        offset,
        json!([{ "id": ids[1] }, { "id": ids[0] }]),
        "offset replaces the page"
    );

    // An article page by its slug; a category page; a tag page.
    let slug = newest["slug"].as_str().unwrap();
    let by_slug = ok_json(app.get(&format!("/wp-json/wp/v2/posts?slug={slug}")).await).await;
    assert_eq!(by_slug.as_array().unwrap().len(), 1);
    assert_eq!(
        by_slug[0]["content"]["rendered"],
        newest["content"]["rendered"]
    );
    assert!(
        by_slug[0]["content"]["rendered"]
            .as_str()
            .unwrap()
            .contains("l’article")
    );
    let in_benin = app
        .get(&format!(
            "/wp-json/wp/v2/posts?categories={benin_id}&per_page=100&_fields=id,categories"
        ))
        .await;
    assert_eq!(crate::helpers::header(&in_benin, "x-wp-total"), "4");
    let in_benin: Value = in_benin.json().await.unwrap();
    assert_eq!(
        in_benin[0].as_object().unwrap().len(),
        2,
        "_fields: {in_benin}"
    );
    let tagged = ok_json(
        app.get(&format!("/wp-json/wp/v2/posts?tags={}", sahel["id"]))
            .await,
    )
    .await;
    assert_eq!(tagged[0]["id"], json!(first));
    let categories = app.get("/wp-json/wp/v2/categories?per_page=100").await;
    assert_eq!(crate::helpers::header(&categories, "x-wp-total"), "2");
    let categories: Value = categories.json().await.unwrap();
    assert_eq!(categories[0]["name"], "Bénin", "by name, accents folded");
    assert_eq!(categories[0]["count"], 4);
    assert_eq!(categories[1]["count"], 8, "the draft is not counted");
    assert_eq!(categories[0]["taxonomy"], "category");
    assert_eq!(categories[0]["parent"], 0);

    // The same through `?rest_route=`, as sites without pretty links.
    let plain = ok_json(
        app.get(&format!("/?rest_route=/wp/v2/posts&slug={slug}&_fields=id"))
            .await,
    )
    .await;
    assert_eq!(plain, json!([{ "id": newest["id"] }]));
    let index = ok_json(app.get("/?rest_route=/").await).await;
    assert!(index["routes"]["/wp/v2/posts"].is_object());

    // Discovery: the home page and the index.
    let head = app.client.head(app.url("/")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    let link = crate::helpers::header(&head, "link");
    assert!(
        link.contains(&format!(
            "<{}/wp-json/>; rel=\"https://api.w.org/\"",
            app.address
        )),
        "{link}"
    );
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains(&format!(
        "<link rel=\"https://api.w.org/\" href=\"{}/wp-json/\">",
        app.address
    )));
    let index = ok_json(app.get("/wp-json/").await).await;
    assert_eq!(index["namespaces"], json!(["wp/v2"]));
    assert_eq!(
        index["authentication"]["application-passwords"]["endpoints"]["authorization"],
        format!("{}/wp-admin/authorize-application.php", app.address)
    );
    assert!(
        index["routes"]["/wp/v2/posts/(?P<id>[\\d]+)"]["methods"]
            .as_array()
            .unwrap()
            .contains(&json!("DELETE"))
    );
    assert!(index["timezone_string"].is_string() && index["gmt_offset"].is_number());

    // A site without pages, as WordPress answers it.
    let pages = app.get("/wp-json/wp/v2/pages").await;
    assert_eq!(crate::helpers::header(&pages, "x-wp-total"), "0");
    assert_eq!(pages.json::<Value>().await.unwrap(), json!([]));
    wp_error(
        app.get("/wp-json/wp/v2/pages/3").await,
        404,
        "rest_post_invalid_id",
    )
    .await;
    let types = ok_json(app.get("/wp-json/wp/v2/types").await).await;
    assert_eq!(types["post"]["rest_base"], "posts");
    let statuses = ok_json(app.get("/wp-json/wp/v2/statuses").await).await;
    assert_eq!(
        statuses.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["publish"]
    );
    let taxonomies = ok_json(app.get("/wp-json/wp/v2/taxonomies").await).await;
    assert_eq!(taxonomies["post_tag"]["rest_base"], "tags");
    let users = ok_json(app.get("/wp-json/wp/v2/users").await).await;
    assert!(users.as_array().unwrap().iter().any(|u| u["id"] == byline));
    assert!(users[0].get("email").is_none(), "no email for the public");
}

async fn bad_input_is_answered_as_wordpress_and_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    let monde = category(&app, &editor.token, "Monde", None).await;
    let author = app.create_user(Role::Author).await;
    let other = app.create_user(Role::Author).await;
    let (password, _) = application_password(&app, &author, "Obsidian").await;
    let auth = basic(&author.email, &password);
    let theirs = published(
        &app,
        &editor.token,
        "L’article d’un autre",
        monde["id"].as_i64().unwrap(),
        other.author_id.unwrap(),
    )
    .await;
    let theirs_id = theirs["id"].as_i64().unwrap();
    let before = app.snapshot().await;
    let post = reqwest::Method::POST;

    // Another writer's post.
    wp_error(
        wp(
            &app,
            post.clone(),
            &format!("/wp-json/wp/v2/posts/{theirs_id}"),
            Some(&auth),
            Some(json!({"title": "Volé"})),
        )
        .await,
        403,
        "rest_cannot_edit",
    )
    .await;
    wp_error(
        wp(
            &app,
            reqwest::Method::DELETE,
            &format!("/wp-json/wp/v2/posts/{theirs_id}?force=true"),
            Some(&auth),
            None,
        )
        .await,
        403,
        "rest_cannot_delete",
    )
    .await;
    // Invalid dates, unknown terms (named), a password, a bad status.
    let bad = wp_error(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/posts",
            Some(&auth),
            Some(json!({"title": "Daté", "date": "demain matin"})),
        )
        .await,
        400,
        "rest_invalid_param",
    )
    .await;
    assert_eq!(bad["data"]["params"]["date"], "Invalid date.");
    let bad = wp_error(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/posts",
            Some(&auth),
            Some(json!({"title": "Classé", "categories": [999_999], "tags": [888, 777]})),
        )
        .await,
        400,
        "rest_invalid_param",
    )
    .await;
    assert_eq!(
        bad["data"]["params"]["categories"],
        "Invalid term ID: 999999."
    );
    assert_eq!(bad["data"]["params"]["tags"], "Invalid term ID: 888, 777.");
    assert!(bad["message"].as_str().unwrap().contains("categories"));
    wp_error(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/posts",
            Some(&auth),
            Some(json!({"title": "Protégé", "password": "secret"})),
        )
        .await,
        400,
        "rest_invalid_param",
    )
    .await;
    wp_error(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/posts",
            Some(&auth),
            Some(json!({"title": "Corbeille", "status": "corbeille"})),
        )
        .await,
        400,
        "rest_invalid_param",
    )
    .await;
    // Malformed JSON; a body that is not an object.
    let response = app
        .client
        .post(app.url("/wp-json/wp/v2/posts"))
        .header("Authorization", &auth)
        .header("Content-Type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    wp_error(response, 400, "rest_invalid_json").await;
    wp_error(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/posts",
            Some(&auth),
            Some(json!(["titre"])),
        )
        .await,
        400,
        "rest_invalid_json",
    )
    .await;
    // Lists: huge per_page, bad numbers and enums, drafts for the public.
    let bad = wp_error(
        app.get("/wp-json/wp/v2/posts?per_page=500").await,
        400,
        "rest_invalid_param",
    )
    .await;
    assert_eq!(
        bad["data"]["params"]["per_page"],
        "per_page must be between 1 (inclusive) and 100 (inclusive)"
    );
    wp_error(
        app.get("/wp-json/wp/v2/categories?per_page=0").await,
        400,
        "rest_invalid_param",
    )
    .await;
    wp_error(
        app.get("/wp-json/wp/v2/posts?categories=abc").await,
        400,
        "rest_invalid_param",
    )
    .await;
    wp_error(
        app.get("/wp-json/wp/v2/posts?orderby=hasard").await,
        400,
        "rest_invalid_param",
    )
    .await;
    wp_error(
        app.get("/wp-json/wp/v2/posts?after=hier").await,
        400,
        "rest_invalid_param",
    )
    .await;
    wp_error(
        app.get("/wp-json/wp/v2/posts?status=draft").await,
        401,
        "rest_forbidden_status",
    )
    .await;
    wp_error(
        app.get("/wp-json/wp/v2/posts?context=edit").await,
        401,
        "rest_forbidden_context",
    )
    .await;
    // Unknown ids and routes.
    wp_error(
        app.get("/wp-json/wp/v2/posts/999999").await,
        404,
        "rest_post_invalid_id",
    )
    .await;
    wp_error(
        app.get("/wp-json/wp/v2/posts/abc").await,
        404,
        "rest_post_invalid_id",
    )
    .await;
    wp_error(
        app.get("/wp-json/wp/v2/categories/999999").await,
        404,
        "rest_term_invalid",
    )
    .await;
    wp_error(
        app.get("/wp-json/wp/v2/users/999999").await,
        404,
        "rest_user_invalid_id",
    )
    .await;
    wp_error(
        app.get("/wp-json/wp/v2/comments").await,
        404,
        "rest_no_route",
    )
    .await;
    wp_error(
        app.get("/wp-json/wp/v2/users/me").await,
        401,
        "rest_not_logged_in",
    )
    .await;
    // Without `force` nothing is deleted: there is no trash yet.
    let mine = created(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/posts",
            Some(&auth),
            Some(json!({"title": "À garder"})),
        )
        .await,
    )
    .await;
    let mine_id = mine["id"].as_i64().unwrap();
    let with_mine = app.snapshot().await;
    wp_error(
        wp(
            &app,
            reqwest::Method::DELETE,
            &format!("/wp-json/wp/v2/posts/{mine_id}"),
            Some(&auth),
            None,
        )
        .await,
        501,
        "rest_trash_not_supported",
    )
    .await;
    assert_eq!(app.snapshot().await, with_mine, "nothing was deleted");
    let deleted = ok_json(
        wp(
            &app,
            reqwest::Method::DELETE,
            &format!("/wp-json/wp/v2/posts/{mine_id}"),
            Some(&auth),
            Some(json!({"force": true})),
        )
        .await,
    )
    .await;
    assert_eq!(deleted["deleted"], true);
    assert_eq!(deleted["previous"]["title"]["raw"], "À garder");
    assert_eq!(
        app.snapshot().await,
        before,
        "every refused write left nothing"
    );
}

async fn roles_and_credentials_decide_as_in_wordpress(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    let monde = category(&app, &editor.token, "Monde", None).await;
    let author = app.create_user(Role::Author).await;
    let other = app.create_user(Role::Author).await;
    let (password, uuid) = application_password(&app, &author, "Ulysses").await;
    let post = reqwest::Method::POST;

    // A wrong password, an unknown email, a login password: the same 401.
    for auth in [
        basic(&author.email, "abcd efgh ijkl mnop qrst uvwx"),
        basic("personne@redaction.test", &password),
        basic(&author.email, &author.password),
        "Basic !!!".to_owned(),
    ] {
        wp_error(
            wp(
                &app,
                reqwest::Method::GET,
                "/wp-json/wp/v2/users/me",
                Some(&auth),
                None,
            )
            .await,
            401,
            "incorrect_password",
        )
        .await;
    }
    // The password works (spaces or not), as does a bearer token.
    let me = ok_json(
        wp(
            &app,
            reqwest::Method::GET,
            "/wp-json/wp/v2/users/me?context=edit",
            Some(&basic(&author.email, &password.replace(' ', ""))),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(me["id"], json!(author.author_id));
    assert_eq!(me["roles"], json!(["author"]));
    let bearer = format!("Bearer {}", editor.token);
    let me = ok_json(
        wp(
            &app,
            reqwest::Method::GET,
            "/wp-json/wp/v2/users/me?context=edit",
            Some(&bearer),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(me["roles"], json!(["editor"]));
    assert_eq!(me["capabilities"]["edit_others_posts"], true);

    // An author writes, unknown fields ignored; signing as another is refused.
    let auth = basic(&author.email, &password);
    let written = created(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/posts",
            Some(&auth),
            Some(json!({
                "title": "Niamey : « la saison des pluies » arrive",
                "content": "<p>Premières pluies.</p>",
                "status": "publish",
                "date": "2026-01-05T10:30:00",
                "categories": [monde["id"]],
                "meta": {"inconnu": true},
                "template": "",
                "format": "standard",
            })),
        )
        .await,
    )
    .await;
    assert_eq!(written["status"], "publish");
    assert_eq!(written["date"], "2026-01-05T10:30:00");
    let id = written["id"].as_i64().unwrap();
    wp_error(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/posts",
            Some(&auth),
            Some(json!({"title": "Sous un autre nom", "author": other.author_id})),
        )
        .await,
        403,
        "rest_cannot_edit_others",
    )
    .await;
    // Only the fields sent change; `/api/v1` sees the same version.
    let updated = ok_json(
        wp(
            &app,
            reqwest::Method::PUT,
            &format!("/wp-json/wp/v2/posts/{id}"),
            Some(&auth),
            Some(json!({"excerpt": "Les pluies arrivent."})),
        )
        .await,
    )
    .await;
    assert_eq!(
        updated["title"]["raw"],
        "Niamey : « la saison des pluies » arrive"
    );
    assert_eq!(updated["excerpt"]["raw"], "Les pluies arrivent.");
    let article = ok_json(app.get(&format!("/api/v1/articles/{id}")).await).await;
    assert_eq!(article["excerpt"], "Les pluies arrivent.");
    assert_eq!(article["version"], 2);
    assert_eq!(
        article["published_at"],
        written["date_gmt"]
            .as_str()
            .map(|d| format!("{d}Z"))
            .unwrap()
    );

    // Terms: authors create tags, not categories; editors both.
    created(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/tags",
            Some(&auth),
            Some(json!({"name": "Pluies"})),
        )
        .await,
    )
    .await;
    wp_error(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/categories",
            Some(&auth),
            Some(json!({"name": "Météo"})),
        )
        .await,
        403,
        "rest_cannot_create",
    )
    .await;
    wp_error(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/tags",
            None,
            Some(json!({"name": "Anonyme"})),
        )
        .await,
        401,
        "rest_cannot_create",
    )
    .await;
    let météo = created(
        wp(
            &app,
            post.clone(),
            "/wp-json/wp/v2/categories",
            Some(&bearer),
            Some(json!({"name": "Météo", "parent": monde["id"]})),
        )
        .await,
    )
    .await;
    assert_eq!(météo["parent"], monde["id"]);
    wp_error(
        wp(
            &app,
            reqwest::Method::DELETE,
            &format!("/wp-json/wp/v2/categories/{}", météo["id"]),
            Some(&bearer),
            None,
        )
        .await,
        501,
        "rest_trash_not_supported",
    )
    .await;
    ok_json(
        wp(
            &app,
            reqwest::Method::DELETE,
            &format!("/wp-json/wp/v2/categories/{}?force=true", météo["id"]),
            Some(&bearer),
            None,
        )
        .await,
    )
    .await;

    // Settings are for administrators.
    wp_error(
        wp(
            &app,
            reqwest::Method::GET,
            "/wp-json/wp/v2/settings",
            Some(&auth),
            None,
        )
        .await,
        403,
        "rest_forbidden",
    )
    .await;

    // A revoked application password stops at once.
    let revoked = app
        .delete_as(
            &format!("/api/v1/users/me/application-passwords/{uuid}"),
            Some(&author.token),
        )
        .await;
    assert_eq!(revoked.status(), 204);
    wp_error(
        wp(
            &app,
            reqwest::Method::GET,
            "/wp-json/wp/v2/users/me",
            Some(&auth),
            None,
        )
        .await,
        401,
        "incorrect_password",
    )
    .await;
}

async fn media_parallel_writes_and_the_sign_in_throttle(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.create_user(Role::Editor).await;
    category(&app, &editor.token, "Monde", None).await;
    let author = app.create_user(Role::Author).await;
    let (password, _) = application_password(&app, &author, "WordPress iOS").await;
    let auth = basic(&author.email, &password);

    // The image as the body, named by Content-Disposition (the WordPress
    // apps' form), then its texts updated, listed and read.
    let response = app
        .client
        .post(app.url("/wp-json/wp/v2/media"))
        .header("Authorization", &auth)
        .header("Content-Type", "image/png")
        .header(
            "Content-Disposition",
            "attachment; filename*=UTF-8''march%C3%A9-dantokpa.png",
        )
        .body(png())
        .send()
        .await
        .unwrap();
    assert!(crate::helpers::header(&response, "location").contains("/wp-json/wp/v2/media/"));
    let media = created(response).await;
    assert_eq!(media["media_type"], "image");
    assert_eq!(media["mime_type"], "image/png");
    assert_eq!(media["media_details"]["width"], 64);
    assert_eq!(media["title"]["raw"], "marché-dantokpa.png");
    let id = media["id"].as_i64().unwrap();
    let updated = ok_json(
        wp(
            &app,
            reqwest::Method::POST,
            &format!("/wp-json/wp/v2/media/{id}"),
            Some(&auth),
            Some(json!({
                "alt_text": "Les étals du marché Dantokpa",
                "caption": "Cotonou, « le grand marché » ☀️",
            })),
        )
        .await,
    )
    .await;
    assert_eq!(updated["alt_text"], "Les étals du marché Dantokpa");
    assert_eq!(updated["caption"]["raw"], "Cotonou, « le grand marché » ☀️");
    let listed = app.get("/wp-json/wp/v2/media?search=dantokpa").await;
    assert_eq!(crate::helpers::header(&listed, "x-wp-total"), "1");
    let read = ok_json(app.get(&format!("/wp-json/wp/v2/media/{id}")).await).await;
    assert_eq!(read["alt_text"], "Les étals du marché Dantokpa");
    assert_eq!(
        read["caption"]["rendered"],
        "<p>Cotonou, « le grand marché » ☀️</p>\n"
    );
    let file = app
        .client
        .get(read["source_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    wp_error(
        wp(
            &app,
            reqwest::Method::POST,
            "/wp-json/wp/v2/media",
            Some(&auth),
            Some(json!({"title": "vide"})),
        )
        .await,
        400,
        "rest_upload_no_data",
    )
    .await;

    // Eight posts at once with the same new tag: all written.
    let tag_id = created(
        wp(
            &app,
            reqwest::Method::POST,
            "/wp-json/wp/v2/tags",
            Some(&auth),
            Some(json!({"name": "Marchés"})),
        )
        .await,
    )
    .await["id"]
        .clone();
    let writes = (0..8).map(|n| {
        let auth = auth.clone();
        let tag_id = tag_id.clone();
        let app = &app;
        async move {
            wp(
                app,
                reqwest::Method::POST,
                "/wp-json/wp/v2/posts",
                Some(&auth),
                Some(json!({
                    "title": format!("Marché n° {n}"),
                    "content": "<p>Prix du maïs.</p>",
                    "status": "publish",
                    "tags": [tag_id],
                    "featured_media": id,
                })),
            )
            .await
            .status()
        }
    });
    let statuses = futures_util::future::join_all(writes).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let tagged = app
        .get(&format!("/wp-json/wp/v2/posts?tags={tag_id}"))
        .await;
    assert_eq!(crate::helpers::header(&tagged, "x-wp-total"), "8");

    // Wrong passwords count with the sign-in's: the sixth guess on the
    // account is refused whatever it is, with Retry-After.
    let contributor = app.create_user(Role::Contributor).await;
    let (right, _) = application_password(&app, &contributor, "Ulysses").await;
    for _ in 0..5 {
        wp_error(
            wp(
                &app,
                reqwest::Method::GET,
                "/wp-json/wp/v2/users/me",
                Some(&basic(&contributor.email, "aaaa bbbb cccc dddd eeee ffff")),
                None,
            )
            .await,
            401,
            "incorrect_password",
        )
        .await;
    }
    let throttled = wp(
        &app,
        reqwest::Method::GET,
        "/wp-json/wp/v2/users/me",
        Some(&basic(&contributor.email, &right)),
        None,
    )
    .await;
    assert!(!crate::helpers::header(&throttled, "retry-after").is_empty());
    wp_error(throttled, 429, "too_many_requests").await;
}
