//! The public reads' fast paths (stored renderings, already JSON) give the
//! same bytes as the typed use cases they stand in for.

use std::sync::Arc;

use cms::auth::Caller;
use cms::content::Content;
use cms::content::articles::list_params::{ArticleListQuery, parse_shape};
use cms::content::articles::use_cases::{self, Start};
use cms::content::lookup::IdOrSlug;

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

fn public_list() -> cms::content::articles::list_params::ArticleListParams {
    let query: ArticleListQuery =
        serde_json::from_value(serde_json::json!({"per_page": "100"})).expect("a list query");
    query.parse(false).expect("valid")
}

async fn the_fast_paths_give_the_typed_paths_bytes(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("CMS_SEED_DEMO", "true")]).await;
    let cx = Content::new(
        app.db.clone(),
        Arc::new(cms::clock::SystemClock),
        false,
        cms::content::media::views::MediaUrls::new(None),
    );

    let stored = use_cases::public_list_items(&cx, public_list(), Start::Offset(0))
        .await
        .unwrap()
        .expect("the demo's articles all have their items");
    let built = use_cases::list(&cx, &Caller::Public, public_list(), Start::Offset(0))
        .await
        .unwrap();
    assert!(stored.data.len() >= 5, "the demo has published articles");
    assert_eq!(stored.total, built.total);
    assert_eq!(stored.next, built.next);
    assert_eq!(stored.data.len(), built.data.len());
    for (item, view) in stored.data.iter().zip(&built.data) {
        assert_eq!(
            String::from_utf8_lossy(item),
            serde_json::to_string(view).unwrap()
        );
    }

    for view in &built.data {
        let slug = serde_json::to_value(view).unwrap()["slug"]
            .as_str()
            .unwrap()
            .to_owned();
        let fast = use_cases::public_detail(&cx, IdOrSlug::parse(&slug))
            .await
            .unwrap()
            .expect("a stored detail");
        let mut shape = parse_shape(None, None).unwrap();
        shape.with_body = true;
        let typed = use_cases::get(&cx, &Caller::Public, IdOrSlug::parse(&slug), shape)
            .await
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&fast),
            serde_json::to_string(&typed).unwrap(),
            "{slug}"
        );
    }
}

on_both_databases!(the_fast_paths_give_the_typed_paths_bytes);
