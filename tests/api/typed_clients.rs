//! Clients generated from the served OpenAPI document type-check a
//! frontend's reader without workarounds, and read what the API serves.
//!
//! TypeScript: openapi-typescript + openapi-fetch, `tsc --strict`
//! (`tests/clients/typed/reader.ts`). Python: openapi-python-client,
//! `mypy --strict` (`tests/clients/typed/reader.py`). Neither script may
//! use a non-null assertion, a cast or an ignore: if the document says a
//! field may be missing or null where it never is, they do not compile.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

/// The tools, where `.ci/run` installed them: the npm packages of
/// `tests/clients` and the Python virtualenv of the editors' clients.
struct Toolchains {
    node_modules: PathBuf,
    python_bin: PathBuf,
}

impl Toolchains {
    /// `None` where they are not installed here, which fails under CI.
    fn find() -> Option<Self> {
        let setting = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let (Some(clients), Some(python)) =
            (setting("TEST_NODE_CLIENTS"), setting("TEST_EDITORS_PYTHON"))
        else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but TEST_NODE_CLIENTS or TEST_EDITORS_PYTHON is not set"
            );
            return None;
        };
        let python_bin = Path::new(&python)
            .parent()
            .expect("the virtualenv's bin directory")
            .to_path_buf();
        Some(Self {
            node_modules: Path::new(&clients).join("node_modules"),
            python_bin,
        })
    }
}

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/typed")
}

/// Runs `command`, failing the test with its output when it fails; returns
/// its standard output.
fn run(what: &str, command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Generates the TypeScript client into `dir`, type-checks the reader
/// strictly and runs it against `base_url`.
fn typescript_reader(tools: &Toolchains, dir: &Path, document: &Path, base_url: &str) -> Value {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::copy(scripts().join("reader.ts"), src.join("reader.ts")).unwrap();
    std::fs::copy(scripts().join("tsconfig.json"), dir.join("tsconfig.json")).unwrap();
    std::fs::write(dir.join("package.json"), r#"{"type": "module"}"#).unwrap();
    std::os::unix::fs::symlink(&tools.node_modules, dir.join("node_modules")).unwrap();
    let bin = tools.node_modules.join(".bin");
    run(
        "openapi-typescript",
        Command::new(bin.join("openapi-typescript"))
            .arg(document)
            .arg("-o")
            .arg(src.join("schema.d.ts"))
            .current_dir(dir),
    );
    run(
        "tsc --strict",
        Command::new(bin.join("tsc"))
            .arg("-p")
            .arg(dir)
            .current_dir(dir),
    );
    let printed = run(
        "the TypeScript reader",
        Command::new("node")
            .arg(dir.join("dist/reader.js"))
            .arg(base_url)
            .current_dir(dir),
    );
    serde_json::from_str(&printed).expect("the TypeScript reader's JSON")
}

/// Generates the Python client into `dir`, type-checks the reader with
/// `mypy --strict` and runs it against `base_url`.
fn python_reader(tools: &Toolchains, dir: &Path, document: &Path, base_url: &str) -> Value {
    let packages = dir.join("packages");
    run(
        "openapi-python-client",
        Command::new(tools.python_bin.join("openapi-python-client"))
            .args(["generate", "--meta", "none", "--overwrite", "--path"])
            .arg(document)
            .arg("--output-path")
            .arg(packages.join("cms_client"))
            .arg("--config")
            .arg(scripts().join("python-client.yml"))
            .current_dir(dir),
    );
    let reader = dir.join("reader.py");
    std::fs::copy(scripts().join("reader.py"), &reader).unwrap();
    run(
        "mypy --strict",
        Command::new(tools.python_bin.join("mypy"))
            .args(["--strict", "--no-incremental", "--cache-dir"])
            .arg(dir.join(".mypy_cache"))
            .arg(&reader)
            .env("MYPYPATH", &packages)
            .current_dir(dir),
    );
    let printed = run(
        "the Python reader",
        Command::new(tools.python_bin.join("python"))
            .arg(&reader)
            .arg(base_url)
            .env("PYTHONPATH", &packages)
            .current_dir(dir),
    );
    serde_json::from_str(&printed).expect("the Python reader's JSON")
}

/// What the readers print, read from the API as plain JSON.
async fn expected(app: &TestApp) -> Value {
    let page: Value = app
        .get("/api/v1/articles?per_page=5")
        .await
        .json()
        .await
        .unwrap();
    let slug = page["data"][0]["slug"].as_str().expect("a first article");
    let article: Value = app
        .get(&format!("/api/v1/articles/{slug}"))
        .await
        .json()
        .await
        .unwrap();
    let names = |list: &Value| -> Vec<Value> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|item| item["name"].clone())
            .collect()
    };
    json!({
        "listed": page["data"].as_array().unwrap().iter().map(|a| a["title"].clone()).collect::<Vec<_>>(),
        "total": page["meta"]["total"],
        "next_cursor": page["meta"]["next_cursor"],
        "title": article["title"],
        "author": article["author"]["name"],
        "breadcrumb": names(&article["category"]["path"]),
        "tags": names(&article["tags"]),
        "body_html": article["body_html"],
        "published_at": article["published_at"],
    })
}

async fn generated_clients_type_check_and_read_the_api(backend: Backend) {
    let Some(tools) = Toolchains::find() else {
        return;
    };
    let app = TestApp::spawn_with(backend, &[("CMS_SEED_DEMO", "true")]).await;
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("openapi.json");
    let served = app.get("/openapi.json").await.bytes().await.unwrap();
    std::fs::write(&document, &served).unwrap();
    let expected = expected(&app).await;
    assert!(
        expected["breadcrumb"].as_array().unwrap().len() > 1,
        "the demo's first article sits deeper than the root: {expected}"
    );
    assert!(!expected["tags"].as_array().unwrap().is_empty());

    let ts_dir = dir.path().join("ts");
    let py_dir = dir.path().join("py");
    std::fs::create_dir_all(&py_dir).unwrap();
    let address = app.address.clone();
    let (ts, py) = tokio::task::spawn_blocking(move || {
        (
            typescript_reader(&tools, &ts_dir, &document, &address),
            python_reader(&tools, &py_dir, &document, &address),
        )
    })
    .await
    .unwrap();
    assert_eq!(ts, expected, "the TypeScript reader");
    assert_eq!(py, expected, "the Python reader");
}

on_both_databases!(generated_clients_type_check_and_read_the_api);
