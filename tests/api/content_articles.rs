//! Articles over HTTP: CRUD with embedded relations, visibility, slugs,
//! UTF-8, conditional requests, sanitising, validation.

use serde_json::{Value, json};

use crate::content_fixtures::*;
use crate::helpers::{Backend, TestApp, problem, problem_fields};
use crate::on_both_databases;

async fn article_crud_with_relations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let child = category(&app, t, "Diplomatie", Some(d.category_id)).await;
    let second = byline(&app, t, "Aïssata Maïga").await;
    let sahel = tag(&app, t, "Sahel").await;
    let a = article(
        &app,
        t,
        &json!({
            "title": "Lutte contre le terrorisme : le Niger compte sur la Russie",
            "body": "Niamey a signé un accord.\n\nDeuxième paragraphe avec **gras**.",
            "category_id": child["id"],
            "author_ids": [d.author_id, second["id"]],
            "tag_ids": [sahel["id"]],
            "featured_image": {"url": "https://cdn.example/a.webp", "alt": "Le fleuve", "width": 1600, "height": 900},
            "seo": {"title": "Niger et Russie"},
            "featured": true
        }),
    )
    .await;
    assert_eq!(
        a["slug"],
        "lutte-contre-le-terrorisme-le-niger-compte-sur-la-russie"
    );
    assert_eq!(a["status"], "draft");
    assert_eq!(a["version"], 1);
    assert_eq!(a["language"], "fr");
    assert_eq!(a["author"]["id"], d.author_id);
    assert_eq!(a["authors"][1]["name"], "Aïssata Maïga");
    assert_eq!(a["category"]["path"][0]["name"], "Actualités");
    assert_eq!(a["category"]["path"][1]["name"], "Diplomatie");
    assert_eq!(a["tags"][0]["slug"], "sahel");
    assert_eq!(a["featured_image"]["width"], 1600);
    assert_eq!(a["seo"]["title"], "Niger et Russie");
    assert!(
        a["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>gras</strong>")
    );
    assert!(
        a["excerpt"]
            .as_str()
            .unwrap()
            .starts_with("Niamey a signé un accord.")
    );
    assert!(a["word_count"].as_i64().unwrap() >= 8);
    assert_eq!(a["reading_time_minutes"], 1);
    let id = a["id"].as_i64().unwrap();

    // Location, then GET by id and by slug.
    let by_id = ok_json(app.get_as(&format!("/api/v1/articles/{id}"), Some(t)).await).await;
    assert_eq!(by_id, a);
    let slug = a["slug"].as_str().unwrap();
    ok_json(
        app.get_as(&format!("/api/v1/articles/{slug}"), Some(t))
            .await,
    )
    .await;

    // PATCH: merge semantics; null clears nullable fields; publish.
    let patched = ok_json(
        app.patch_json(
            &format!("/api/v1/articles/{id}"),
            Some(t),
            &json!({"status": "published", "featured_image": null, "seo": {"description": "Résumé"}}),
        )
        .await,
    )
    .await;
    assert_eq!(patched["status"], "published");
    assert!(patched["published_at"].is_string());
    assert_eq!(patched["featured_image"], Value::Null);
    assert_eq!(patched["seo"]["title"], "Niger et Russie");
    assert_eq!(patched["seo"]["description"], "Résumé");
    assert_eq!(patched["title"], a["title"]);
    assert_eq!(patched["version"], 2);

    // The public list embeds small objects and leaves the body out.
    let list = ok_json(app.get("/api/v1/articles").await).await;
    assert_eq!(list["meta"]["total"], 1);
    let item = &list["data"][0];
    assert_eq!(item["author"]["name"], "La Rédaction");
    assert_eq!(item["category"]["path"][1]["slug"], "diplomatie");
    assert_eq!(item["tags"][0]["name"], "Sahel");
    assert!(item.get("body").is_none() && item.get("body_html").is_none());
    let with_body = ok_json(app.get("/api/v1/articles?include=body").await).await;
    assert!(with_body["data"][0]["body_html"].is_string());
    let sparse = ok_json(app.get("/api/v1/articles?fields=title,slug").await).await;
    let keys: Vec<&String> = sparse["data"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "{keys:?}");

    // Events were written with each change.
    let events = app
        .db
        .read(|conn| {
            use cms::db::schema::content_events::dsl::*;
            use diesel::prelude::*;
            Ok(content_events
                .filter(resource.eq("article"))
                .count()
                .get_result::<i64>(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(events, 2);

    // DELETE: 204, then 404.
    let deleted = app
        .delete_as(&format!("/api/v1/articles/{id}"), Some(t))
        .await;
    assert_eq!(deleted.status().as_u16(), 204);
    problem(
        app.get_as(&format!("/api/v1/articles/{id}"), Some(t)).await,
        404,
    )
    .await;
}

async fn drafts_and_future_articles_are_invisible_to_the_public(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("CMS_RESPONSE_CACHE_MB", "0"),
            ("CMS_LIST_TOTALS_MEMO", "false"),
        ],
    )
    .await;
    // (The cache is off: the test moves a date in the database behind the
    // application's back; response_cache.rs covers the scheduled case with it on.)
    let d = desk(&app).await;
    let t = &d.editor.token;
    let tag_id = tag(&app, t, "Élections").await["id"].clone();
    let public = published(&app, t, "Publié", d.category_id, d.author_id).await;
    let base = |title: &str| json!({"title": title, "body": "Texte.", "category_id": d.category_id, "author_ids": [d.author_id], "tag_ids": [tag_id]});
    let draft = article(&app, t, &base("Brouillon")).await;
    let mut future = base("Demain");
    future["status"] = json!("scheduled");
    future["published_at"] = json!("2999-01-01T00:00:00Z");
    let future = article(&app, t, &future).await;
    for hidden in [&draft, &future] {
        let slug = hidden["slug"].as_str().unwrap();
        problem(app.get(&format!("/api/v1/articles/{slug}")).await, 404).await;
        problem(
            app.get(&format!("/api/v1/articles/{}", hidden["id"])).await,
            404,
        )
        .await;
        ok_json(
            app.get_as(&format!("/api/v1/articles/{slug}"), Some(t))
                .await,
        )
        .await;
    }
    let list = ok_json(app.get("/api/v1/articles").await).await;
    assert_eq!(list["meta"]["total"], 1);
    assert_eq!(list["data"][0]["id"], public["id"]);
    let newsroom = ok_json(app.get_as("/api/v1/articles", Some(t)).await).await;
    assert_eq!(newsroom["meta"]["total"], 3);
    let drafts = ok_json(app.get_as("/api/v1/articles?status=draft", Some(t)).await).await;
    assert_eq!(drafts["meta"]["total"], 1);
    // Asking for drafts without credentials is a 401 that says how to
    // authenticate, not a 400: the same query with a token is answered.
    let refused = app.get("/api/v1/articles?status=draft").await;
    assert_eq!(
        crate::helpers::header(&refused, "www-authenticate"),
        "Bearer realm=\"cms\""
    );
    problem(refused, 401).await;
    let related = ok_json(
        app.get(&format!("/api/v1/articles/{}/related", public["id"]))
            .await,
    )
    .await;
    assert_eq!(related["data"].as_array().unwrap().len(), 0, "{related}");
    let author = ok_json(app.get(&format!("/api/v1/authors/{}", d.author_id)).await).await;
    assert_eq!(author["article_count"], 1);

    // A scheduled article whose time has come is public with no job: move its date back.
    let id = future["id"].as_i64().unwrap();
    app.db
        .write(move |conn| {
            use cms::db::schema::articles;
            use diesel::prelude::*;
            diesel::update(articles::table.filter(articles::id.eq(id)))
                .set(
                    articles::published_at.eq(cms::timestamp::now() - chrono::Duration::seconds(5)),
                )
                .execute(conn.conn())?;
            Ok(())
        })
        .await
        .unwrap();
    let now_public = ok_json(app.get(&format!("/api/v1/articles/{id}")).await).await;
    assert_eq!(now_public["status"], "published");
    let related = ok_json(
        app.get(&format!("/api/v1/articles/{}/related", public["id"]))
            .await,
    )
    .await;
    assert_eq!(related["data"][0]["id"], id);
    assert_eq!(related["data"][0]["category"]["name"], "Actualités");
}

async fn slugs_are_french_aware_and_unique(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let body = |title: &str| json!({"title": title, "body": "x", "category_id": d.category_id, "author_ids": [d.author_id]});
    let title = "L’été à Niamey : « Noël » approche";
    let first = article(&app, t, &body(title)).await;
    let second = article(&app, t, &body(title)).await;
    let third = article(&app, t, &body(title)).await;
    assert_eq!(first["slug"], "l-ete-a-niamey-noel-approche");
    assert_eq!(second["slug"], "l-ete-a-niamey-noel-approche-2");
    assert_eq!(third["slug"], "l-ete-a-niamey-noel-approche-3");
    let oe = article(&app, t, &body("Le cœur de l’œuvre")).await;
    assert_eq!(oe["slug"], "le-coeur-de-l-oeuvre");
    // A given slug is validated, and a duplicate is a 409 naming `slug`.
    let mut bad = body("Titre");
    bad["slug"] = json!("Pas Valide");
    let p = problem(app.post_json("/api/v1/articles", Some(t), &bad).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "slug");
    let snapshot = app.snapshot().await;
    let mut dup = body("Autre");
    dup["slug"] = json!("le-coeur-de-l-oeuvre");
    let p = problem(app.post_json("/api/v1/articles", Some(t), &dup).await, 409).await;
    assert_eq!(p["errors"][0]["field"], "slug");
    assert_eq!(app.snapshot().await, snapshot);
    // Categories, tags and authors too.
    assert_eq!(category(&app, t, "Bénin", None).await["slug"], "benin");
    assert_eq!(category(&app, t, "Bénin", None).await["slug"], "benin-2");
    assert_eq!(tag(&app, t, "Économie").await["slug"], "economie");
    assert_eq!(
        byline(&app, t, "Agence Nigérienne de Presse").await["slug"],
        "agence-nigerienne-de-presse"
    );
    let p = problem(
        app.post_json(
            "/api/v1/tags",
            Some(t),
            &json!({"name": "X", "slug": "economie"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "slug");
}

async fn utf8_round_trips_byte_for_byte(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let title = "Ça déménage à Zinder : « l’œuvre » — 🇳🇪 🎉 naïveté";
    let body = "Texte accentué : àâäéèêëîïôöùûüÿçœæ « guillemets » ’apostrophe’ 😀\n";
    let a = article(&app, t, &json!({"title": title, "body": body, "excerpt": "Résumé « ému » 😀", "category_id": d.category_id, "author_ids": [d.author_id]})).await;
    let raw = app
        .get_as(&format!("/api/v1/articles/{}", a["id"]), Some(t))
        .await;
    let bytes = raw.bytes().await.unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["title"].as_str().unwrap().as_bytes(), title.as_bytes());
    assert_eq!(v["body"].as_str().unwrap().as_bytes(), body.as_bytes());
    assert_eq!(v["excerpt"], "Résumé « ému » 😀");
    assert!(std::str::from_utf8(&bytes).unwrap().contains("« l’œuvre »"));
}

async fn etag_304_and_concurrent_patches(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let a = published(&app, t, "Version un", d.category_id, d.author_id).await;
    let path = format!("/api/v1/articles/{}", a["id"]);
    let first = app.get(&path).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"'), "strong etag: {etag}");
    assert!(
        first.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public, max-age=")
    );
    let again = app
        .client
        .get(app.url(&path))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let private = app.get_as(&path, Some(t)).await;
    assert_eq!(private.headers()["cache-control"], "private, no-store");
    // Lists have ETags too.
    let list = app.get("/api/v1/articles").await;
    let list_etag = list.headers()["etag"].to_str().unwrap().to_owned();
    let list_again = app
        .client
        .get(app.url("/api/v1/articles"))
        .header("If-None-Match", &list_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(list_again.status().as_u16(), 304);

    let patch = |title: &'static str| {
        app.client
            .patch(app.url(&path))
            .bearer_auth(t)
            .header("If-Match", &etag)
            .json(&json!({"title": title}))
            .send()
    };
    let (one, two) = tokio::join!(patch("Version deux"), patch("Version trois"));
    let (one, two) = (one.unwrap(), two.unwrap());
    let mut statuses = [one.status().as_u16(), two.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let winner: Value = if one.status().as_u16() == 200 {
        one.json().await.unwrap()
    } else {
        two.json().await.unwrap()
    };
    let stored = ok_json(app.get_as(&path, Some(t)).await).await;
    assert_eq!(stored, winner);
    assert_eq!(stored["version"], 2);
    // A stale If-Match on DELETE writes nothing.
    let snapshot = app.snapshot().await;
    let stale = app
        .client
        .delete(app.url(&path))
        .bearer_auth(t)
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap();
    problem(stale, 412).await;
    assert_eq!(app.snapshot().await, snapshot);
    let fresh = app.get_as(&path, Some(t)).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let gone = app
        .client
        .delete(app.url(&path))
        .bearer_auth(t)
        .header("If-Match", &fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 204);
}

async fn xss_is_sanitised(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    for (format, body) in [
        (
            "html",
            r#"<p onclick="alert(1)">Salut</p><script>alert('x')</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">lien</a><iframe src="https://evil"></iframe>"#,
        ),
        (
            "markdown",
            "Salut <script>alert('x')</script>\n\n[lien](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n<svg onload=alert(1)>",
        ),
    ] {
        let a = article(&app, t, &json!({"title": "XSS", "body": body, "body_format": format, "category_id": d.category_id, "author_ids": [d.author_id]})).await;
        let html = a["body_html"].as_str().unwrap().to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "<iframe",
            "onload",
            "<svg",
        ] {
            assert!(!html.contains(bad), "{format}: {bad} in {html}");
        }
        assert!(html.contains("salut"));
        assert_eq!(a["body"], body, "the source is kept as written");
    }
}

async fn every_bad_field_is_reported_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let snapshot = app.snapshot().await;
    let p = problem(
        app.post_json(
            "/api/v1/articles",
            Some(t),
            &json!({
                "title": "   ",
                "body": "x",
                "slug": "--",
                "status": "scheduled",
                "category_id": 999_999,
                "author_ids": [d.author_id, 888_888],
                "tag_ids": [777_777],
                "language": "français"
            }),
        )
        .await,
        422,
    )
    .await;
    let fields = problem_fields(&p);
    for field in [
        "title",
        "slug",
        "published_at",
        "category_id",
        "author_ids[1]",
        "tag_ids[0]",
        "language",
    ] {
        assert!(fields.contains(&field), "{field} missing from {fields:?}");
    }
    let long = "a".repeat(301);
    let p = problem(app.post_json("/api/v1/articles", Some(t), &json!({"title": long, "body": "x", "category_id": d.category_id, "author_ids": [d.author_id]})).await, 422).await;
    assert_eq!(p["errors"][0]["code"], "too_long");
    let p = problem(app.post_json("/api/v1/articles", Some(t), &json!({"title": "T", "body": "x", "category_id": d.category_id, "author_ids": [d.author_id], "couleur": "rouge"})).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "couleur");
    // A draft cannot be archived (a bad transition).
    let a = article(&app, t, &json!({"title": "T", "body": "x", "category_id": d.category_id, "author_ids": [d.author_id]})).await;
    let snapshot_before = app.snapshot().await;
    let p = problem(
        app.patch_json(
            &format!("/api/v1/articles/{}", a["id"]),
            Some(t),
            &json!({"status": "archived", "title": null}),
        )
        .await,
        422,
    )
    .await;
    let fields = problem_fields(&p);
    assert!(
        fields.contains(&"status") && fields.contains(&"title"),
        "{fields:?}"
    );
    assert_eq!(app.snapshot().await, snapshot_before);
    assert_ne!(snapshot, snapshot_before);
}

/// A create's response is built from what it wrote, not read back: it must
/// still be the bytes (and so the ETag) a GET gives, bylines in the order
/// sent and tags in the order the database collates their names.
async fn create_answers_what_get_reads(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let child = category(&app, t, "Économie", Some(d.category_id)).await;
    let second = byline(&app, t, "Aïssata Maïga").await;
    let mut tag_ids = Vec::new();
    for name in ["zèbre", "Économie", "abc", "Zoo", "économie rurale", "Abc"] {
        tag_ids.push(tag(&app, t, name).await["id"].clone());
    }
    let response = app
        .post_json(
            "/api/v1/articles",
            Some(t),
            &json!({
                "title": "Le marché de Katako à l’heure de la « vie chère »",
                "body": "Premier paragraphe.\n\nSecond, avec un [lien](https://example.ne).",
                "category_id": child["id"],
                "author_ids": [second["id"], d.author_id],
                "tag_ids": tag_ids,
                "status": "published",
                "featured_image": {"url": "/media/katako.webp", "credit": "© ANP"},
                "seo": {"description": "Les prix à Niamey."}
            }),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let written = response.bytes().await.unwrap();
    let read = app.get_as(&location, Some(t)).await;
    assert_eq!(read.status().as_u16(), 200);
    assert_eq!(read.headers()["etag"].to_str().unwrap(), etag);
    let read = read.bytes().await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&read)
    );
    let view: Value = serde_json::from_slice(&written).unwrap();
    assert_eq!(view["authors"][0]["id"], second["id"]);
    assert_eq!(view["authors"][1]["id"], d.author_id);
    assert_eq!(view["tags"].as_array().unwrap().len(), 6);
}

/// Unknown references are found inside the write transaction when every
/// field is valid: the 422 lists them, and nothing is written.
async fn unknown_references_alone_write_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let known = tag(&app, t, "Sahel").await;
    let snapshot = app.snapshot().await;
    let p = problem(
        app.post_json(
            "/api/v1/articles",
            Some(t),
            &json!({
                "title": "Titre valide",
                "body": "Corps valide.",
                "category_id": 999_999,
                "author_ids": [d.author_id, 888_888],
                "tag_ids": [777_777, known["id"], 666_666]
            }),
        )
        .await,
        422,
    )
    .await;
    let fields = problem_fields(&p);
    assert_eq!(
        fields,
        ["category_id", "author_ids[1]", "tag_ids[0]", "tag_ids[2]"]
    );
    assert_eq!(app.snapshot().await, snapshot);
}

/// Bylines and tags are written a statement per relation, not per row: a
/// create costs as many statements with five tags as with one.
async fn create_statements_do_not_grow_with_relations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = desk(&app).await;
    let t = &d.editor.token;
    let second = byline(&app, t, "Aïssata Maïga").await;
    let third = byline(&app, t, "Moussa Tchangari").await;
    let mut tag_ids = Vec::new();
    for name in ["Sahel", "Économie", "Niamey", "Agadez", "Zinder"] {
        tag_ids.push(tag(&app, t, name).await["id"].clone());
    }
    let count = |body: Value| {
        let app = &app;
        async move {
            let before = app.db.queries_executed();
            created(app.post_json("/api/v1/articles", Some(t), &body).await).await;
            app.db.queries_executed() - before
        }
    };
    // Warms the pool, so that no checkout opens a connection below.
    count(json!({"title": "Chauffe", "body": "x", "category_id": d.category_id, "author_ids": [d.author_id]})).await;
    let small = count(json!({
        "title": "Une signature, un mot-clé",
        "body": "x",
        "category_id": d.category_id,
        "author_ids": [d.author_id],
        "tag_ids": [tag_ids[0]]
    }))
    .await;
    let big = count(json!({
        "title": "Trois signatures, cinq mots-clés",
        "body": "x",
        "category_id": d.category_id,
        "author_ids": [d.author_id, second["id"], third["id"]],
        "tag_ids": tag_ids
    }))
    .await;
    assert_eq!(
        small, big,
        "1 byline and 1 tag: {small} statements; 3 and 5: {big}"
    );
}

async fn demo_seed_goes_through_the_write_path(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_SEED_DEMO", "true")]).await;
    let list = ok_json(app.get("/api/v1/articles?per_page=100").await).await;
    // 12 demo articles: one draft and one scheduled for later are not public.
    assert_eq!(list["meta"]["total"], 10, "{list}");
    let first = &list["data"][0];
    assert_eq!(
        first["slug"],
        "lutte-contre-le-terrorisme-le-niger-compte-sur-la-russie"
    );
    assert_eq!(first["category"]["path"][0]["name"], "News - Infos");
    assert_eq!(first["authors"][0]["name"], "Agence Nigérienne de Presse");
    let events = app
        .db
        .read(|conn| {
            use cms::db::schema::content_events::dsl::*;
            use diesel::prelude::*;
            Ok(content_events.count().get_result::<i64>(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(events, 7 + 4 + 8 + 12);
}

on_both_databases!(
    demo_seed_goes_through_the_write_path,
    article_crud_with_relations,
    drafts_and_future_articles_are_invisible_to_the_public,
    slugs_are_french_aware_and_unique,
    utf8_round_trips_byte_for_byte,
    etag_304_and_concurrent_patches,
    xss_is_sanitised,
    every_bad_field_is_reported_at_once,
    create_answers_what_get_reads,
    unknown_references_alone_write_nothing,
    create_statements_do_not_grow_with_relations,
);
