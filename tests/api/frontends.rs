//! What a frontend building the seed's pages needs: a full related block,
//! ranked, and filters that take several values.

use serde_json::Value;

use crate::helpers::{Backend, TestApp, header, problem};
use crate::on_both_databases;

async fn json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

const MAIN: &str = "lutte-contre-le-terrorisme-le-niger-compte-sur-la-russie";

async fn related_articles_fill_the_block_best_first(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_SEED_DEMO", "true")]).await;
    let main = json(&app, &format!("/api/v1/articles/{MAIN}")).await;
    let own_tags: Vec<Value> = main["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].clone())
        .collect();
    let section = main["category"]["id"].clone();
    for limit in [5, 8] {
        let related = json(
            &app,
            &format!("/api/v1/articles/{MAIN}/related?limit={limit}"),
        )
        .await;
        let items = related["data"].as_array().unwrap();
        assert_eq!(items.len(), limit, "the site has more than {limit} others");
        // Each item's rank: shared tags, same section, then recency.
        let mut ranks = Vec::new();
        for item in items {
            assert_ne!(item["id"], main["id"], "never the article itself");
            let detail = json(&app, &format!("/api/v1/articles/{}", item["id"])).await;
            assert_eq!(detail["status"], "published");
            let shared = detail["tags"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| own_tags.contains(&t["id"]))
                .count();
            let in_section = detail["category"]["path"]
                .as_array()
                .unwrap()
                .iter()
                .any(|crumb| crumb["id"] == section);
            ranks.push((
                shared,
                in_section,
                detail["published_at"].as_str().unwrap().to_owned(),
            ));
        }
        let mut sorted = ranks.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(ranks, sorted, "best first");
        assert!(ranks[0].0 >= 1, "the first shares a tag: {ranks:?}");
    }
    // `fields` trims each item, under the sparse media type.
    let response = app
        .get(&format!("/api/v1/articles/{MAIN}/related?fields=title"))
        .await;
    assert_eq!(
        header(&response, "content-type"),
        "application/vnd.cms.sparse+json"
    );
    let trimmed: Value = response.json().await.unwrap();
    let first = trimmed["data"][0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["id", "title"]);
    problem(
        app.get(&format!("/api/v1/articles/{MAIN}/related?fields=body"))
            .await,
        400,
    )
    .await;
}

/// The titles of a public list.
async fn titles(app: &TestApp, query: &str) -> Vec<String> {
    let page = json(app, &format!("/api/v1/articles?per_page=100&{query}")).await;
    let mut titles: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect();
    titles.sort();
    titles
}

async fn filters_take_several_values(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_SEED_DEMO", "true")]).await;
    // Categories: any of them (and under them).
    let benin = titles(&app, "category=benin").await;
    let niger = titles(&app, "category=niger").await;
    assert!(!benin.is_empty() && !niger.is_empty());
    let mut either = [benin.clone(), niger.clone()].concat();
    either.sort();
    assert_eq!(titles(&app, "category=benin,niger").await, either);
    // Ids and slugs mix; an unknown one adds nothing.
    let benin_id = json(&app, "/api/v1/categories/benin").await["id"].clone();
    assert_eq!(
        titles(&app, &format!("category={benin_id},niger,inconnue")).await,
        either
    );
    // Tags: any of them.
    let sahel = titles(&app, "tag=sahel").await;
    let elections = titles(&app, "tag=elections").await;
    let mut any_tag = [sahel.clone(), elections.clone()].concat();
    any_tag.sort();
    any_tag.dedup();
    assert_eq!(titles(&app, "tag=sahel,elections").await, any_tag);
    // Every language of the demo is French; sponsored is a flag.
    let all = titles(&app, "").await;
    assert_eq!(titles(&app, "language=fr").await, all);
    assert!(titles(&app, "language=en").await.is_empty());
    let sponsored = titles(&app, "sponsored=true").await;
    let not_sponsored = titles(&app, "sponsored=false").await;
    assert_eq!(sponsored.len() + not_sponsored.len(), all.len());
    // Malformed lists and values are 400s naming the parameter.
    for (query, parameter) in [
        ("category=benin,,niger", "category"),
        ("tag=sahel,", "tag"),
        ("language=français", "language"),
        ("sponsored=peut-être", "sponsored"),
    ] {
        let p = problem(app.get(&format!("/api/v1/articles?{query}")).await, 400).await;
        assert_eq!(p["errors"][0]["field"], parameter, "{query}: {p}");
    }
}

/// Embeds: a writer's frame of an allowed host is served as the server
/// writes it (sandboxed, lazy, no referrer beyond the origin), any other is
/// removed; a video link alone in a Markdown paragraph becomes its player;
/// `CMS_EMBED_HOSTS` is the site's list.
async fn bodies_embed_players_from_allowed_hosts_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let d = crate::content_fixtures::desk(&app).await;
    let write = |format: &'static str, body: &'static str| {
        let (app, d) = (&app, &d);
        async move {
            crate::content_fixtures::article(
                app,
                &d.editor.token,
                &serde_json::json!({"title": "Reportage à Niamey", "body": body, "body_format": format,
                    "category_id": d.category_id, "author_ids": [d.author_id], "status": "published"}),
            )
            .await
        }
    };
    let html = write(
        "html",
        r#"<p>Le direct :</p><iframe src="https://www.dailymotion.com/embed/video/x8abcd" width="640" height="360" onload="vol()" allow="camera"></iframe><iframe src="https://pub.example/tracker">pub</iframe>"#,
    )
    .await;
    let served = json(&app, &format!("/api/v1/articles/{}", html["id"])).await;
    let body = served["body_html"].as_str().unwrap();
    assert!(
        body.contains(r#"<iframe src="https://www.dailymotion.com/embed/video/x8abcd" width="640" height="360" sandbox="allow-scripts allow-same-origin allow-popups allow-presentation""#),
        "{body}"
    );
    assert!(
        body.contains(r#"loading="lazy""#)
            && body.contains(r#"referrerpolicy="strict-origin-when-cross-origin""#),
        "{body}"
    );
    for gone in ["onload", "camera", "pub.example", ">pub<"] {
        assert!(!body.contains(gone), "{gone}: {body}");
    }
    let markdown = write(
        "markdown",
        "Regardez :\n\nhttps://youtu.be/dQw4w9WgXcQ\n\nEt lisez https://www.youtube.com/watch?v=dQw4w9WgXcQ ensuite.",
    )
    .await;
    let body = markdown["body_html"].as_str().unwrap();
    assert_eq!(body.matches("<iframe").count(), 1, "{body}");
    assert!(
        body.contains(r#"<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ""#),
        "{body}"
    );
    assert!(
        body.contains("Et lisez https://www.youtube.com/watch?v=dQw4w9WgXcQ ensuite."),
        "{body}"
    );

    // The site's own list: only its hosts, and none with `none`.
    let strict = TestApp::spawn_with(backend, &[("CMS_EMBED_HOSTS", "video.example.org")]).await;
    let d = crate::content_fixtures::desk(&strict).await;
    let own = crate::content_fixtures::article(
        &strict,
        &d.editor.token,
        &serde_json::json!({"title": "Maison", "body_format": "html",
            "body": r#"<iframe src="https://cdn.video.example.org/v/1"></iframe><iframe src="https://www.youtube.com/embed/abc"></iframe>"#,
            "category_id": d.category_id, "author_ids": [d.author_id]}),
    )
    .await;
    let body = own["body_html"].as_str().unwrap();
    assert!(
        body.contains("cdn.video.example.org") && !body.contains("youtube"),
        "{body}"
    );
}

on_both_databases!(
    related_articles_fill_the_block_best_first,
    filters_take_several_values,
    bodies_embed_players_from_allowed_hosts_only,
);
