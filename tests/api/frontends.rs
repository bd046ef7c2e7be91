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

on_both_databases!(
    related_articles_fill_the_block_best_first,
    filters_take_several_values,
);
