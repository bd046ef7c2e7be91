//! `/xmlrpc.php` and discovery: thin handlers over the codec, the
//! dispatcher and the discovery documents. Outside `/api/v1` and the
//! OpenAPI document: these answer in the protocol's own shapes.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, route, web};
use futures_util::StreamExt;

use super::codec::{parse_call, write_fault, write_response};
use super::discovery;
use super::fault::Fault;
use super::params::Params;
use super::server::{Call, dispatch, fault_of};
use crate::state::AppState;

/// The largest call: a 20 MB photo, base64-encoded, with room to spare.
pub const MAX_CALL_BYTES: usize = 32 * 1024 * 1024;

const XML: &str = "text/xml; charset=UTF-8";

fn origin(req: &HttpRequest, state: &AppState) -> String {
    crate::http::origin::request_origin(req, &state.config)
}

fn xml_response(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, XML))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// Reads the body up to the cap; past it, a fault and nothing read beyond.
async fn read_call(mut payload: web::Payload) -> Result<Vec<u8>, Fault> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            Fault::not_well_formed(format!("the request body could not be read: {e}"))
        })?;
        if body.len() + chunk.len() > MAX_CALL_BYTES {
            return Err(Fault::new(
                413,
                format!(
                    "The request is larger than {} MiB.",
                    MAX_CALL_BYTES / 1024 / 1024
                ),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[post("/xmlrpc.php")]
pub async fn xmlrpc(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    let body = match read_call(payload).await {
        Ok(body) => body,
        Err(fault) => return xml_response(write_fault(&fault)),
    };
    // Parsing a large document is CPU work: off the async worker.
    let parsed = match web::block(move || parse_call(&body)).await {
        Ok(parsed) => parsed,
        Err(e) => Err(fault_of(crate::error::ApiError::Internal(e.to_string()))),
    };
    let call = match parsed {
        Ok(call) => call,
        Err(fault) => return xml_response(write_fault(&fault)),
    };
    let context = Call {
        state: &state,
        params: Params {
            method: &call.method,
            values: &call.params,
        },
        client: crate::accounts::sessions::routes::client_address(&req),
        origin: origin(&req, &state),
    };
    match dispatch(&context, &call.method).await {
        Ok(value) => xml_response(write_response(&value)),
        Err(fault) => xml_response(write_fault(&fault)),
    }
}

#[derive(serde::Deserialize)]
pub struct RsdQuery {
    rsd: Option<String>,
}

/// `GET /xmlrpc.php?rsd`: the RSD document; any other GET is refused as
/// WordPress refuses it.
#[get("/xmlrpc.php")]
pub async fn xmlrpc_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<RsdQuery>,
) -> HttpResponse {
    if query.rsd.is_none() && !req.query_string().split('&').any(|p| p == "rsd") {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .insert_header((header::CONTENT_TYPE, "text/plain; charset=UTF-8"))
            .body("XML-RPC server accepts POST requests only.");
    }
    let origin = origin(&req, &state);
    let site_home = match state.site.settings().await {
        Ok(site) => site.frontend_url.unwrap_or_else(|| origin.clone()),
        Err(_) => origin.clone(),
    };
    xml_response(discovery::rsd(&origin, &site_home))
}

#[get("/wlwmanifest.xml")]
pub async fn wlw_manifest(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    xml_response(discovery::wlw_manifest(&origin(&req, &state)))
}

#[get("/wlw/template.html")]
pub async fn wlw_template() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=UTF-8"))
        .body(discovery::TEMPLATE)
}

/// `GET /` and `HEAD /`: the discovery page. Its `Link` headers name the
/// XML-RPC endpoint (RSD), the REST API's root (`https://api.w.org/`,
/// which wpapi's `discover()` reads from a HEAD), Micropub and IndieAuth
/// (`discovery::LINKS`).
///
/// A client asking for JSON first (`Accept: application/json`) gets the
/// service's name, version and links instead (`home`).
#[route("/", method = "GET", method = "HEAD")]
pub async fn home_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let origin = origin(&req, &state);
    if crate::home::prefers_json(&req) {
        return HttpResponse::Ok()
            .insert_header((header::LINK, discovery::link_header(&origin)))
            .insert_header((header::VARY, "Accept"))
            .json(crate::home::index());
    }
    let page = match state.site.settings().await {
        Ok(site) => discovery::home_page(
            &origin,
            &site.title,
            &site.description,
            site.language.as_str(),
        ),
        Err(_) => discovery::home_page(&origin, "", "", "fr"),
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=UTF-8"))
        .insert_header((header::LINK, discovery::link_header(&origin)))
        .insert_header((header::VARY, "Accept"))
        .body(page)
}
