//! `GET|POST /indieauth/authorize`: IndieAuth's authorization endpoint.
//! An app (Quill, iA Writer, Micro.blog…) sends the journalist's browser
//! here; the page (French, English on an English site) shows who asks
//! and for what, the journalist signs in with the account's own email and
//! password and approves; the browser goes back to the app's
//! `redirect_uri` with a one-time code (ten minutes) that the app
//! exchanges, with its PKCE verifier, at the token endpoint.
//!
//! Checked on the GET and again on the POST: `response_type=code`, a
//! `client_id` URL, a `redirect_uri` on the `client_id`'s own origin (or an
//! app's own scheme: PKCE makes an intercepted code useless), a `state`, a
//! PKCE challenge with `S256` (required), and at least one Micropub
//! scope. The page's own safety (the token, the origin, the policy) is
//! `editors::consent`'s.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use url::Url;

use super::codes::{self, NewCodeRow};
use super::token;
use crate::accounts::application_passwords::input::MICROPUB_SCOPES;
use crate::auth::secret;
use crate::editors::consent::{
    self, Lang, MAX_URL, Page, UrlProblem, return_url, text, with_query,
};
use crate::state::AppState;

pub const PATH: &str = "/indieauth/authorize";
const COOKIE: &str = "cms_indieauth";
/// How long a code waits for its exchange (IndieAuth: at most ten
/// minutes).
const CODE_MINUTES: i64 = 10;
/// What PKCE's verifier and challenge may be (RFC 7636: 43 to 128
/// base64url characters).
const MAX_STATE: usize = 512;

/// The request's parameters (in the query, then again in the form).
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    me: String,
}

#[derive(Debug, Default, Deserialize)]
struct Submission {
    #[serde(flatten)]
    params: Params,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    action: String,
}

/// A request that passed the checks.
#[derive(Debug)]
struct Authorization {
    params: Params,
    client: Url,
    redirect: Url,
    scopes: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Invalid {
    ResponseType,
    ClientId,
    RedirectUri(UrlProblem),
    RedirectElsewhere,
    State,
    Challenge,
    Scope,
}

/// A `client_id`: an http(s) URL, plain http only on this machine.
fn client_url(raw: &str) -> Option<Url> {
    if raw.len() > MAX_URL {
        return None;
    }
    let url = Url::parse(raw).ok()?;
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let fine = match url.scheme() {
        "https" => true,
        "http" => local,
        _ => false,
    };
    (fine && url.username().is_empty() && url.password().is_none() && url.fragment().is_none())
        .then_some(url)
}

fn is_base64url(raw: &str) -> bool {
    raw.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The Micropub scopes asked for, known ones only (`profile` and others
/// are not granted and not refused).
fn scopes(raw: &str) -> Vec<&'static str> {
    let asked: Vec<&str> = raw.split_whitespace().collect();
    MICROPUB_SCOPES
        .into_iter()
        .filter(|s| asked.contains(s))
        .collect()
}

fn check(params: Params) -> Result<Authorization, Invalid> {
    if params.response_type != "code" {
        return Err(Invalid::ResponseType);
    }
    let client = client_url(&params.client_id).ok_or(Invalid::ClientId)?;
    let redirect = return_url(&params.redirect_uri)
        .map_err(Invalid::RedirectUri)?
        .ok_or(Invalid::RedirectUri(UrlProblem::NotAbsolute))?;
    // Another host would need the app's published redirect URLs, which
    // this server does not fetch.
    if matches!(redirect.scheme(), "http" | "https") && redirect.origin() != client.origin() {
        return Err(Invalid::RedirectElsewhere);
    }
    if params.state.is_empty() || params.state.len() > MAX_STATE {
        return Err(Invalid::State);
    }
    let challenge = &params.code_challenge;
    if params.code_challenge_method != "S256"
        || !(43..=128).contains(&challenge.len())
        || !is_base64url(challenge)
    {
        return Err(Invalid::Challenge);
    }
    let scopes = scopes(&params.scope);
    if scopes.is_empty() {
        return Err(Invalid::Scope);
    }
    Ok(Authorization {
        params,
        client,
        redirect,
        scopes,
    })
}

/// The page's own sentences.
struct Words {
    title: &'static str,
    asks: &'static str,
    may: &'static str,
    explain: &'static str,
    sent_back: &'static str,
    response_type: &'static str,
    client_id: &'static str,
    elsewhere: &'static str,
    state: &'static str,
    challenge: &'static str,
    scope: &'static str,
    create: &'static str,
    update: &'static str,
    delete: &'static str,
    media: &'static str,
    draft: &'static str,
}

const FR: Words = Words {
    title: "Autoriser une application",
    asks: "{app} demande à publier sur {site} avec votre compte.",
    may: "Elle pourra :",
    explain: "Si vous approuvez, un jeton Micropub est créé pour elle : il agit avec vos \
              droits, et vous pouvez le révoquer à tout moment.",
    sent_back: "Vous serez ensuite renvoyé vers {url}",
    response_type: "La demande doit porter response_type=code.",
    client_id: "L’identifiant de l’application (client_id) doit être une adresse https.",
    elsewhere: "L’adresse de retour (redirect_uri) n’est pas sur le site de l’application \
                (client_id).",
    state: "Le paramètre state est obligatoire (512 caractères au plus).",
    challenge: "Une preuve PKCE est obligatoire : code_challenge (43 à 128 caractères) avec \
                code_challenge_method=S256.",
    scope: "La demande doit porter au moins une permission Micropub (scope) : create, update, \
            delete, media ou draft.",
    create: "créer et publier des articles",
    update: "modifier des articles",
    delete: "supprimer des articles",
    media: "envoyer des images",
    draft: "enregistrer des brouillons",
};

const EN: Words = Words {
    title: "Authorize an application",
    asks: "{app} asks to publish on {site} with your account.",
    may: "It will be able to:",
    explain: "If you approve, a Micropub token is created for it: it acts with your rights, \
              and you can revoke it at any time.",
    sent_back: "You will then be sent back to {url}",
    response_type: "The request must carry response_type=code.",
    client_id: "The application's identifier (client_id) must be an https address.",
    elsewhere: "The return address (redirect_uri) is not on the application's site \
                (client_id).",
    state: "The state parameter is required (at most 512 characters).",
    challenge: "A PKCE proof is required: code_challenge (43 to 128 characters) with \
                code_challenge_method=S256.",
    scope: "The request must carry at least one Micropub permission (scope): create, update, \
            delete, media or draft.",
    create: "create and publish articles",
    update: "edit articles",
    delete: "delete articles",
    media: "upload images",
    draft: "save drafts",
};

fn words(page: &Page) -> &'static Words {
    match page.lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

async fn page(req: &HttpRequest, state: &AppState) -> Page {
    Page::of(req, state, COOKIE, "/indieauth/").await
}

fn invalid(page: &Page, invalid: Invalid) -> HttpResponse {
    let words = words(page);
    page.invalid(&match invalid {
        Invalid::ResponseType => text(words.response_type),
        Invalid::ClientId => text(words.client_id),
        Invalid::RedirectUri(problem) => page.url_refused("redirect_uri", problem),
        Invalid::RedirectElsewhere => text(words.elsewhere),
        Invalid::State => text(words.state),
        Invalid::Challenge => text(words.challenge),
        Invalid::Scope => text(words.scope),
    })
}

fn form(
    page: &Page,
    status: StatusCode,
    auth: &Authorization,
    email: &str,
    error_html: Option<&str>,
) -> HttpResponse {
    let words = words(page);
    let app = format!(
        "<strong>{}</strong>",
        text(auth.client.host_str().unwrap_or(auth.client.as_str()))
    );
    let site = format!("<strong>{}</strong>", text(&page.site_title));
    let mut main = format!(
        "<p>{}</p>\n<p>{}</p>\n<ul>\n",
        text(words.asks)
            .replace("{app}", &app)
            .replace("{site}", &site),
        text(words.may)
    );
    for scope in &auth.scopes {
        let sentence = match *scope {
            "create" => words.create,
            "update" => words.update,
            "delete" => words.delete,
            "media" => words.media,
            _ => words.draft,
        };
        main.push_str(&format!("<li>{}</li>\n", text(sentence)));
    }
    main.push_str(&format!(
        "</ul>\n<p>{}</p>\n<p>{}</p>\n",
        text(words.explain),
        text(words.sent_back).replace(
            "{url}",
            &format!("<code>{}</code>", text(auth.redirect.as_str()))
        )
    ));
    if let Some(error) = error_html {
        main.push_str(&format!("<p class=\"error\" role=\"alert\">{error}</p>\n"));
    }
    main.push_str("<form method=\"post\" action=\"authorize\">\n{csrf}\n");
    let p = &auth.params;
    main.push_str(&consent::hidden_fields(&[
        ("response_type", &p.response_type),
        ("client_id", &p.client_id),
        ("redirect_uri", &p.redirect_uri),
        ("state", &p.state),
        ("code_challenge", &p.code_challenge),
        ("code_challenge_method", &p.code_challenge_method),
        ("scope", &p.scope),
        ("me", &p.me),
    ]));
    main.push_str(&page.sign_in_fields(email));
    main.push_str("</form>\n");
    page.form_page(status, words.title, &main, &[&auth.redirect])
}

/// `GET`: the page, or a 400 page naming what is wrong. Never a redirect.
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let page = page(&req, &state).await;
    let Ok(params) = serde_urlencoded::from_str::<Params>(req.query_string()) else {
        return page.unreadable();
    };
    match check(params) {
        Ok(auth) => form(&page, StatusCode::OK, &auth, "", None),
        Err(problem) => invalid(&page, problem),
    }
}

/// `POST`: the page's form (approve or reject), or an app redeeming a
/// code for the profile only (`grant_type=authorization_code`, no token).
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> HttpResponse {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    if pairs.iter().any(|(k, _)| k == "grant_type" || k == "code") {
        return match token::redeem(&req, &state, &pairs).await {
            Ok((_, me)) => token::json(StatusCode::OK, &serde_json::json!({ "me": me })),
            Err(e) => e.response(),
        };
    }
    let page = page(&req, &state).await;
    let Ok(submitted) = serde_urlencoded::from_bytes::<Submission>(&body) else {
        return page.unreadable();
    };
    if !page.submitted_here(&req, &state, &submitted.csrf) {
        return page.stale();
    }
    let auth = match check(submitted.params) {
        Ok(auth) => auth,
        Err(problem) => return invalid(&page, problem),
    };
    let issuer = super::metadata::issuer(&req, &state);
    match submitted.action.as_str() {
        "reject" => page.redirect(with_query(
            &auth.redirect,
            &[
                ("error", "access_denied"),
                ("state", &auth.params.state),
                ("iss", &issuer),
            ],
        )),
        "approve" => {
            approve(
                &page,
                &req,
                &state,
                &auth,
                &submitted.email,
                submitted.password,
                &issuer,
            )
            .await
        }
        _ => page.unreadable(),
    }
}

async fn approve(
    page: &Page,
    req: &HttpRequest,
    state: &AppState,
    auth: &Authorization,
    email: &str,
    password: String,
    issuer: &str,
) -> HttpResponse {
    let email = email.trim();
    let caller = match page.sign_in(req, state, email, password).await {
        Ok(caller) => caller,
        Err(refusal) => {
            return refusal
                .answer(|status, message| form(page, status, auth, email, Some(message)));
        }
    };
    let Some(user_id) = caller.user_id() else {
        return page.failed(crate::error::ApiError::Internal(
            "a password sign-in without an account".to_owned(),
        ));
    };
    let code = secret::random_token(32);
    let code_hash = secret::token_digest(&code);
    let p = &auth.params;
    let scope = auth.scopes.join(" ");
    let (client_id, redirect_uri, challenge) = (
        p.client_id.clone(),
        p.redirect_uri.clone(),
        p.code_challenge.clone(),
    );
    let stored = state
        .db
        .write(move |tx| {
            let now = crate::timestamp::now();
            codes::insert(
                tx,
                &NewCodeRow {
                    code_hash: &code_hash,
                    user_id,
                    client_id: &client_id,
                    redirect_uri: &redirect_uri,
                    scope: &scope,
                    code_challenge: &challenge,
                    expires_at: now + chrono::Duration::minutes(CODE_MINUTES),
                },
                now,
            )?;
            Ok(())
        })
        .await;
    if let Err(error) = stored {
        return page.failed(error);
    }
    page.redirect(with_query(
        &auth.redirect,
        &[("code", &code), ("state", &p.state), ("iss", issuer)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        Params {
            response_type: "code".to_owned(),
            client_id: "https://quill.example/".to_owned(),
            redirect_uri: "https://quill.example/auth/callback".to_owned(),
            state: "xyz".to_owned(),
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned(),
            code_challenge_method: "S256".to_owned(),
            scope: "create update profile".to_owned(),
            me: String::new(),
        }
    }

    #[test]
    fn a_well_formed_request_passes_with_its_micropub_scopes() {
        let auth = check(params()).unwrap();
        assert_eq!(auth.scopes, ["create", "update"]);
        let app = Params {
            redirect_uri: "ia-writer://indieauth".to_owned(),
            ..params()
        };
        assert!(check(app).is_ok(), "an app's own scheme");
    }

    #[test]
    fn each_missing_or_wrong_piece_is_named() {
        for (params, why) in [
            (
                Params {
                    response_type: "id".to_owned(),
                    ..params()
                },
                Invalid::ResponseType,
            ),
            (
                Params {
                    client_id: "quill".to_owned(),
                    ..params()
                },
                Invalid::ClientId,
            ),
            (
                Params {
                    client_id: "http://quill.example/".to_owned(),
                    ..params()
                },
                Invalid::ClientId,
            ),
            (
                Params {
                    redirect_uri: "https://evil.example/cb".to_owned(),
                    ..params()
                },
                Invalid::RedirectElsewhere,
            ),
            (
                Params {
                    redirect_uri: "javascript:alert(1)".to_owned(),
                    ..params()
                },
                Invalid::RedirectUri(UrlProblem::Scheme),
            ),
            (
                Params {
                    state: String::new(),
                    ..params()
                },
                Invalid::State,
            ),
            (
                Params {
                    code_challenge_method: "plain".to_owned(),
                    ..params()
                },
                Invalid::Challenge,
            ),
            (
                Params {
                    code_challenge: "short".to_owned(),
                    ..params()
                },
                Invalid::Challenge,
            ),
            (
                Params {
                    scope: "profile email".to_owned(),
                    ..params()
                },
                Invalid::Scope,
            ),
        ] {
            assert_eq!(check(params).unwrap_err(), why);
        }
    }
}
