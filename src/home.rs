//! What a newcomer or a client finds at the root (`GET /`, served by
//! `xmlrpc::routes::home_page`, whose page also carries the editors'
//! discovery links): API clients asking for JSON get the service's name,
//! version and links; everyone else the page, with the same links.

use actix_web::http::header::Accept;
use actix_web::{HttpMessage, HttpRequest};
use serde::Serialize;
use utoipa::ToSchema;

/// The service and where to go from here.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceIndex {
    #[schema(example = "Newsroom CMS")]
    pub name: &'static str,
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    pub links: ServiceLinks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceLinks {
    /// The API reference, to read in a browser.
    #[schema(example = "/docs")]
    pub docs: &'static str,
    /// The OpenAPI 3.1 document, to generate clients from.
    #[schema(example = "/openapi.json")]
    pub openapi: &'static str,
    /// The JSON API's root.
    #[schema(example = "/api/v1")]
    pub api: &'static str,
}

const INDEX: ServiceIndex = ServiceIndex {
    name: "Newsroom CMS",
    version: env!("CARGO_PKG_VERSION"),
    links: ServiceLinks {
        docs: "/docs",
        openapi: "/openapi.json",
        api: "/api/v1",
    },
};

/// Whether the client asks for JSON before HTML: `application/json` in
/// `Accept` with a higher weight than `text/html`, or without
/// `text/html` at all. Browsers, the editors' discovery (MarsEdit, Open
/// Live Writer read the page's `EditURI` link) and `Accept: */*` get the
/// page.
pub fn prefers_json(req: &HttpRequest) -> bool {
    let Some(accept) = req.get_header::<Accept>() else {
        return false;
    };
    let weight = |wanted: &str| {
        accept
            .iter()
            .filter(|item| item.item.essence_str() == wanted)
            .map(|item| item.quality)
            .max()
    };
    match (weight("application/json"), weight("text/html")) {
        (Some(json), Some(html)) => json > html,
        (Some(json), None) => json > actix_web::http::header::Quality::ZERO,
        _ => false,
    }
}

/// The JSON answer of `GET /`.
pub fn index() -> &'static ServiceIndex {
    &INDEX
}

/// The page's part for people: where the documentation, the document and
/// the API are, and the version.
pub fn links_html() -> String {
    format!(
        "<ul>\n<li><a href=\"{docs}\">Documentation de l’API</a> (API reference)</li>\n\
         <li><a href=\"{openapi}\">Document OpenAPI</a>, pour générer des clients</li>\n\
         <li><a href=\"{api}/articles\">Les articles publiés</a> ({api})</li>\n</ul>\n\
         <p><small>{name} {version}</small></p>\n",
        name = INDEX.name,
        version = INDEX.version,
        docs = INDEX.links.docs,
        openapi = INDEX.links.openapi,
        api = INDEX.links.api,
    )
}
