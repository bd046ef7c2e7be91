//! The OpenAPI document: the base (info, security schemes, shared schemas)
//! here, the paths collected from the routes as they are registered, so the
//! document and what is served cannot drift apart.

use actix_web::{HttpResponse, get, web};
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Newsroom CMS API",
        description = "Headless CMS for French-language newsrooms: articles, categories, authors and tags as JSON.",
        license(name = "MIT", identifier = "MIT"),
    ),
    // Enums used only as query parameters, which utoipa-actix-web does not collect.
    components(schemas(
        Problem,
        FieldError,
        crate::content::articles::list_params::ArticleSort,
        crate::content::articles::list_params::ArticleInclude,
        crate::content::articles::lifecycle::ArticleStatus,
    )),
    servers((url = "/", description = "The server that serves this document")),
    modifiers(&BearerScheme),
    tags(
        (name = "service", description = "Health, documentation and metrics"),
        (name = "articles", description = "Articles: list, read, write, publish; related articles"),
        (name = "categories", description = "The category tree, with breadcrumb paths"),
        (name = "authors", description = "Bylines (not accounts): agencies, journalists, guests"),
        (name = "tags", description = "Free labels on articles"),
        (name = "media", description = "The media library: uploads, renditions, the files themselves"),
        (name = "comments", description = "Reader comments: threads, submission with self-hosted anti-spam, moderation, readers' data"),
        (name = "auth", description = "Signing in, refresh tokens, one's own account"),
        (name = "users", description = "Newsroom accounts (administrators only)"),
        (name = "tokens", description = "API tokens for integrators (administrators only)"),
        (name = "site", description = "The site's settings: title, description, URLs, time zone, language"),
        (name = "application passwords", description = "What journalists' editors (MarsEdit, Open Live Writer, Word, the WordPress app) sign in with; each account manages its own"),
    )
)]
struct BaseDocument;

/// The `bearer` scheme protected operations refer to: an access JWT from
/// `/auth/login` or an API token (`cms_...`), both as `Authorization: Bearer`.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT or API token")
            .description(Some(
                "An access token from `POST /api/v1/auth/login`, or an API token starting \
                 with `cms_`.\n\n\
                 Access tokens expire after `expires_in` seconds (15 minutes by default, \
                 `CMS_ACCESS_TOKEN_TTL_SECONDS`); the refresh token that came with it lasts \
                 `CMS_REFRESH_TOKEN_TTL_DAYS`, 30 by default, and is used once: `POST /api/v1/auth/refresh` \
                 `{\"refresh_token\"}` answers a new pair. A client refreshes when a call \
                 answers 401 (`WWW-Authenticate: Bearer`), or \
                 a minute before `expires_in` runs out, and a writer keeps working for \
                 as long as refresh tokens are renewed; see the README's \"Long writing \
                 sessions\".",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The complete document, exactly as served at `/openapi.json`.
pub fn document() -> OpenApiDoc {
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(BaseDocument::openapi())
        .configure(crate::routes::documented)
        .split_for_parts();
    with_control_character_refusals(with_unique_ids(api))
}

/// What every string a client sends must match: no C0 control character
/// but tab, line feed and carriage return (`http::control_characters`).
const NO_CONTROL_CHARACTERS: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]*$";

/// Every operation with path or query parameters answers 400 for a control
/// character in them (`http::control_characters`, a middleware in front of
/// every route); operations that document no 400 of their own get this one.
/// Every string a client sends (parameters, request bodies) says so with a
/// `pattern`, so that generated clients and fuzzers know it.
fn with_control_character_refusals(api: OpenApiDoc) -> OpenApiDoc {
    let Ok(mut value) = serde_json::to_value(&api) else {
        return api;
    };
    let mut input_schemas = std::collections::BTreeSet::new();
    if let Some(paths) = value.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for operation in paths
            .values_mut()
            .filter_map(|i| i.as_object_mut())
            .flat_map(|item| item.values_mut())
        {
            if let Some(parameters) = operation["parameters"].as_array_mut() {
                for parameter in parameters {
                    if parameter["in"] == "path" || parameter["in"] == "query" {
                        refuse_control_characters(&mut parameter["schema"], &mut input_schemas);
                    }
                }
            }
            if let Some(content) = operation
                .pointer_mut("/requestBody/content")
                .and_then(|c| c.as_object_mut())
            {
                for media in content.values_mut() {
                    refuse_control_characters(&mut media["schema"], &mut input_schemas);
                }
            }
        }
    }
    // Component schemas a request refers to, and those they refer to.
    let mut done = std::collections::BTreeSet::new();
    while let Some(name) = input_schemas.iter().find(|n| !done.contains(*n)).cloned() {
        done.insert(name.clone());
        if let Some(schema) = value.pointer_mut(&format!("/components/schemas/{name}")) {
            refuse_control_characters(schema, &mut input_schemas);
        }
    }
    let refusal = serde_json::json!({
        "description": "A control character in a path segment or query parameter",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    });
    if let Some(paths) = value.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
            for operation in item.values_mut() {
                let takes_parameters = operation["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["in"] == "path" || p["in"] == "query"));
                if let Some(responses) = operation
                    .get_mut("responses")
                    .and_then(|r| r.as_object_mut())
                    .filter(|_| takes_parameters)
                {
                    responses.entry("400").or_insert_with(|| refusal.clone());
                }
            }
        }
    }
    serde_json::from_value(value).unwrap_or(api)
}

/// Lists of ids where the server refuses a repeated id (422 `duplicate`):
/// utoipa has no attribute for `uniqueItems`, so it is set here.
const UNIQUE_ID_LISTS: [(&str, &str); 4] = [
    ("ArticleCreate", "author_ids"),
    ("ArticleCreate", "tag_ids"),
    ("ArticlePatch", "author_ids"),
    ("ArticlePatch", "tag_ids"),
];

fn with_unique_ids(api: OpenApiDoc) -> OpenApiDoc {
    let Ok(mut value) = serde_json::to_value(&api) else {
        return api;
    };
    for (schema, property) in UNIQUE_ID_LISTS {
        if let Some(p) = value.pointer_mut(&format!(
            "/components/schemas/{schema}/properties/{property}"
        )) {
            p["uniqueItems"] = serde_json::Value::Bool(true);
        }
    }
    serde_json::from_value(value).unwrap_or(api)
}

/// Rules between two properties of a request body, which utoipa has no
/// attribute for: (schema, JSON Schema keywords added to it).
/// - An application password's `scopes` are for a Micropub token only
///   (`application_passwords::input`): `kind` must then say so.
fn cross_field_rules() -> [(&'static str, serde_json::Value); 1] {
    [(
        "CreateApplicationPassword",
        serde_json::json!({
            "if": {"required": ["scopes"], "properties": {"scopes": {"type": "array"}}},
            "then": {"required": ["kind"], "properties": {"kind": {"const": "micropub_token"}}}
        }),
    )]
}

/// JSON Schema keywords utoipa's types cannot hold (they keep only `x-`
/// extensions), so these are added to the document as JSON, last.
fn add_cross_field_rules(document: &mut serde_json::Value) {
    for (schema, rules) in cross_field_rules() {
        if let (Some(target), Some(rules)) = (
            document
                .pointer_mut(&format!("/components/schemas/{schema}"))
                .and_then(|s| s.as_object_mut()),
            rules.as_object(),
        ) {
            target.extend(rules.clone());
        }
    }
}

/// The C0 controls a client may not send, as a character-class range.
const CONTROL_RANGES: &str = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F";

/// An existing pattern narrowed to strings without refused controls. The
/// white-space class `\t-\r` (which holds vertical tab and form feed) becomes
/// `\t\n\r`; "at least one non-blank character" (`[^…]`, unanchored) becomes
/// an anchored pattern whose every character is allowed and one non-blank.
/// Other patterns (slugs, URLs) admit no control character already.
fn without_control_characters(pattern: &str) -> String {
    let pattern = pattern.replace("\\t-\\r", "\\t\\n\\r");
    let single_negated_class = pattern.starts_with("[^")
        && pattern.ends_with(']')
        && !pattern[2..pattern.len() - 1].contains(['[', ']']);
    if single_negated_class {
        let inner = &pattern[2..pattern.len() - 1];
        let allowed = format!("[^{CONTROL_RANGES}]");
        format!("^{allowed}*[^{inner}{CONTROL_RANGES}]{allowed}*$")
    } else {
        pattern
    }
}

/// Adds `NO_CONTROL_CHARACTERS` to each free-form string of `schema` (one
/// without a pattern, format or fixed values), and notes the components it
/// refers to in `refs`.
fn refuse_control_characters(
    schema: &mut serde_json::Value,
    refs: &mut std::collections::BTreeSet<String>,
) {
    use serde_json::Value;
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                refs.insert(name.to_owned());
            }
            let is_string = match map.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
                _ => false,
            };
            let free_form = ["pattern", "format", "enum", "const"]
                .iter()
                .all(|k| !map.contains_key(*k));
            if is_string && free_form {
                map.insert(
                    "pattern".to_owned(),
                    Value::String(NO_CONTROL_CHARACTERS.to_owned()),
                );
            } else if let Some(Value::String(pattern)) = map.get_mut("pattern") {
                *pattern = without_control_characters(pattern);
            }
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" && key != "default" {
                    refuse_control_characters(child, refs);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| refuse_control_characters(item, refs)),
        _ => {}
    }
}

/// The document as pretty JSON with a trailing newline: the bytes of
/// `openapi/openapi.json` and of `GET /openapi.json`.
/// Keys are in alphabetical order at every level (the document passes
/// through `serde_json::Value`, for `add_cross_field_rules`).
pub fn document_json() -> String {
    let mut document = serde_json::to_value(document()).unwrap_or_default();
    add_cross_field_rules(&mut document);
    let mut json = serde_json::to_string_pretty(&document)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}

/// Served from memory; built once at start.
pub struct DocumentJson(pub String);

#[get("/openapi.json")]
pub async fn serve_document(doc: web::Data<DocumentJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(doc.0.clone())
}
