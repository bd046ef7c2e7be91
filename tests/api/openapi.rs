//! The OpenAPI document is generated from the code, committed, served
//! verbatim, and lists exactly the routes the server answers.

use std::collections::BTreeSet;
use std::path::Path;

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");

/// Routes served on purpose without being operations of the API.
/// Routes outside the document: the document itself, and the editor
/// protocols' surfaces, which answer in their own shapes (XML-RPC, RSD,
/// the Live Writer manifest) and are described in `docs/editors.md` and
/// `docs/api-decisions.md`.
const UNDOCUMENTED: &[(&str, &str)] = &[
    ("get", "/openapi.json"),
    ("get", "/"),
    ("head", "/"),
    ("get", "/wlw/template.html"),
    ("get", "/wlwmanifest.xml"),
    ("get", "/xmlrpc.php"),
    ("post", "/xmlrpc.php"),
];

#[test]
fn committed_document_matches_the_code() {
    let generated = cms::openapi::document_json();
    if std::env::var("UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(COMMITTED, &generated).expect("write openapi/openapi.json");
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the code: regenerate it with \
         `cargo run -- openapi > openapi/openapi.json` (or UPDATE_OPENAPI=1 cargo test openapi)"
    );
}

fn document_operations() -> BTreeSet<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(&cms::openapi::document_json()).unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
            if item.get(method).is_some() {
                ops.insert((method.to_owned(), path.clone()));
            }
        }
    }
    ops
}

/// Every actix route macro in `src/`, as (method, path relative to its scope).
fn route_macros(dir: &Path, found: &mut BTreeSet<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            route_macros(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            for line in source.lines().map(str::trim) {
                // `#[route("/", method = "GET", method = "HEAD")]`
                if let Some(rest) = line.strip_prefix("#[route(\"") {
                    let route = rest.split('"').next().unwrap();
                    for part in rest.split("method = \"").skip(1) {
                        let method = part.split('"').next().unwrap().to_lowercase();
                        found.insert((method, route.to_owned()));
                    }
                }
                for method in ["get", "post", "put", "patch", "delete", "head"] {
                    let prefix = format!("#[{method}(\"");
                    if let Some(rest) = line.strip_prefix(&prefix) {
                        let route = rest.split('"').next().unwrap();
                        found.insert((method.to_owned(), route.to_owned()));
                    }
                }
            }
        }
    }
}

#[test]
fn every_served_route_is_documented_and_every_documented_route_exists_in_code() {
    let mut in_code = BTreeSet::new();
    route_macros(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut in_code,
    );
    for (method, path) in UNDOCUMENTED {
        assert!(
            in_code.remove(&((*method).to_owned(), (*path).to_owned())),
            "{method} {path} is gone"
        );
    }
    let documented: BTreeSet<(String, String)> = document_operations()
        .into_iter()
        .map(|(m, p)| (m, p.strip_prefix("/api/v1").map(str::to_owned).unwrap_or(p)))
        .collect();
    let missing_from_document: Vec<_> = in_code.difference(&documented).collect();
    let missing_from_code: Vec<_> = documented.difference(&in_code).collect();
    assert!(
        missing_from_document.is_empty(),
        "served but not documented: {missing_from_document:?}"
    );
    assert!(
        missing_from_code.is_empty(),
        "documented but not in code: {missing_from_code:?}"
    );
    // Route registration outside utoipa-actix-web would bypass the document.
    let routes_rs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes.rs")).unwrap();
    assert!(
        !routes_rs.contains(".route("),
        "register routes with .service() so they are documented"
    );
}

async fn the_server_answers_every_documented_operation_and_serves_the_document(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let served = app.get("/openapi.json").await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.text().await.unwrap(), cms::openapi::document_json());
    for (method, path) in document_operations() {
        let concrete = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "1" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let response = app
            .client
            .request(method.to_uppercase().parse().unwrap(), app.url(&concrete))
            .send()
            .await
            .unwrap();
        if response.status() == 404 {
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            let detail = body["detail"].as_str().unwrap_or_default();
            assert!(
                !detail.starts_with("no route for"),
                "{method} {path} is documented but not routed"
            );
        }
    }
    let docs = app.get("/docs/").await;
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.unwrap();
    assert!(html.contains("swagger"), "interactive docs are served");
    assert!(
        !html.contains("cdn.") && !html.contains("unpkg.com"),
        "no CDN"
    );
}

on_both_databases!(the_server_answers_every_documented_operation_and_serves_the_document);
