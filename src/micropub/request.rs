//! A Micropub request as the three encodings carry it, made one shape:
//! form-encoded (`h=entry&content=…&category[]=…`), multipart (the same
//! fields, with files), or JSON (`{"type": ["h-entry"], "properties":
//! {…}}`, and the `action` forms). And who sends it: the bearer token, in
//! the `Authorization` header or as `access_token` in a form (not both).

use actix_web::http::header;
use actix_web::{HttpRequest, web};
use serde_json::{Map, Value};

use super::error::MicropubError;
use crate::accounts::application_passwords::use_cases::MICROPUB_TOKEN_PREFIX;
use crate::auth::Caller;
use crate::content::media::use_cases::Upload;
use crate::state::AppState;

/// Files per request (a post with a handful of photos).
const MAX_FILES: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    Undelete,
}

impl Action {
    fn parse(raw: &str) -> Result<Self, MicropubError> {
        match raw {
            "create" => Ok(Self::Create),
            "update" => Ok(Self::Update),
            "delete" => Ok(Self::Delete),
            "undelete" => Ok(Self::Undelete),
            other => Err(MicropubError::invalid_request(format!(
                "`{other}` is not an action (create, update, delete, undelete)"
            ))),
        }
    }
}

/// One request, whatever its encoding.
#[derive(Default)]
pub struct MicropubRequest {
    pub access_token: Option<String>,
    pub action: Option<Action>,
    pub url: Option<String>,
    /// `h` or `type`, without the `h-`.
    pub kind: Option<String>,
    /// Each property's values, an array of strings or objects.
    pub properties: Map<String, Value>,
    pub replace: Option<Map<String, Value>>,
    pub add: Option<Map<String, Value>>,
    /// An array of property names, or an object of values to remove.
    pub delete: Option<Value>,
    /// Files of a multipart request, by property (`photo`).
    pub files: Vec<(String, Upload)>,
}

fn push(properties: &mut Map<String, Value>, name: &str, value: Value) {
    let name = name.strip_suffix("[]").unwrap_or(name);
    match properties
        .entry(name.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        Value::Array(values) => values.push(value),
        other => *other = Value::Array(vec![value]),
    }
}

impl MicropubRequest {
    /// Form fields (form-encoded or multipart): the reserved names, and
    /// every other as a property (`category[]` is `category`).
    fn from_fields(fields: Vec<(String, String)>) -> Result<Self, MicropubError> {
        let mut request = Self::default();
        for (name, value) in fields {
            match name.as_str() {
                "h" => request.kind = Some(value),
                "access_token" => request.access_token = Some(value),
                "action" => request.action = Some(Action::parse(&value)?),
                "url" => request.url = Some(value),
                _ => push(&mut request.properties, &name, Value::String(value)),
            }
        }
        Ok(request)
    }

    fn from_json(body: Value) -> Result<Self, MicropubError> {
        let Value::Object(mut body) = body else {
            return Err(MicropubError::invalid_request(
                "the body is not a JSON object",
            ));
        };
        let mut request = Self::default();
        if let Some(action) = body.remove("action") {
            let action = action
                .as_str()
                .ok_or_else(|| MicropubError::invalid_request("`action` is not a string"))?;
            request.action = Some(Action::parse(action)?);
        }
        request.url = match body.remove("url") {
            None => None,
            Some(Value::String(url)) => Some(url),
            Some(_) => return Err(MicropubError::invalid_request("`url` is not a string")),
        };
        request.kind = match body.remove("type") {
            None => None,
            Some(Value::Array(types)) => types
                .first()
                .and_then(Value::as_str)
                .map(|t| t.strip_prefix("h-").unwrap_or(t).to_owned()),
            Some(Value::String(t)) => Some(t.strip_prefix("h-").unwrap_or(&t).to_owned()),
            Some(_) => return Err(MicropubError::invalid_request("`type` is not a list")),
        };
        match body.remove("properties") {
            None => {}
            Some(Value::Object(properties)) => {
                for (name, values) in properties {
                    match values {
                        Value::Array(values) => {
                            request.properties.insert(name, Value::Array(values));
                        }
                        // A lone value is read as a list of one.
                        value => push(&mut request.properties, &name, value),
                    }
                }
            }
            Some(_) => {
                return Err(MicropubError::invalid_request(
                    "`properties` is not an object",
                ));
            }
        }
        let object = |name: &str, value: Option<Value>| match value {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(_) => Err(MicropubError::invalid_request(format!(
                "`{name}` is not an object"
            ))),
        };
        request.replace = object("replace", body.remove("replace"))?;
        request.add = object("add", body.remove("add"))?;
        request.delete = match body.remove("delete") {
            None => None,
            Some(v @ (Value::Array(_) | Value::Object(_))) => Some(v),
            Some(_) => {
                return Err(MicropubError::invalid_request(
                    "`delete` is a list of properties or an object of values",
                ));
            }
        };
        Ok(request)
    }

    /// The request's body in whichever encoding it came.
    pub async fn read(
        req: &HttpRequest,
        state: &AppState,
        payload: web::Payload,
    ) -> Result<Self, MicropubError> {
        let essence = crate::http::extract::content_type_essence(req);
        match essence.as_str() {
            "multipart/form-data" => {
                let form = crate::content::media::routes::multipart_form(
                    req,
                    payload,
                    state.media.max_bytes,
                    MAX_FILES,
                    state.config.max_body_bytes,
                )
                .await?;
                let mut request = Self::from_fields(form.fields)?;
                request.files = form
                    .files
                    .into_iter()
                    .map(|(name, file)| (name.strip_suffix("[]").unwrap_or(&name).to_owned(), file))
                    .collect();
                Ok(request)
            }
            "application/x-www-form-urlencoded" => {
                let body = body_bytes(state, payload).await?;
                Self::from_fields(form_urlencoded::parse(&body).into_owned().collect())
            }
            "application/json" => {
                let body = body_bytes(state, payload).await?;
                let value = serde_json::from_slice(&body).map_err(|e| {
                    MicropubError::invalid_request(format!("the body is not valid JSON: {e}"))
                })?;
                Self::from_json(value)
            }
            "" => Err(MicropubError::invalid_request(
                "send the post form-encoded, as multipart/form-data or as JSON",
            )),
            other => Err(MicropubError::invalid_request(format!(
                "`{other}` is not a Micropub encoding: send the post form-encoded, as \
                 multipart/form-data or as JSON"
            ))),
        }
    }
}

async fn body_bytes(state: &AppState, mut payload: web::Payload) -> Result<Vec<u8>, MicropubError> {
    Ok(crate::http::extract::body_within(&mut payload, state.config.max_body_bytes).await?)
}

/// A Micropub token's account and what it may do.
pub struct TokenHolder {
    pub caller: Caller,
    pub scopes: Vec<String>,
}

impl TokenHolder {
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    pub fn require(&self, scope: &'static str) -> Result<(), MicropubError> {
        if self.has(scope) {
            Ok(())
        } else {
            Err(MicropubError::insufficient_scope(scope))
        }
    }
}

/// The token of the `Authorization` header or of the form (`in_body`),
/// checked: 401 without one or for one that is not a valid Micropub token
/// of an active account.
pub async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
    in_body: Option<String>,
) -> Result<TokenHolder, MicropubError> {
    let in_header = match req.headers().get(header::AUTHORIZATION) {
        None => None,
        Some(value) => {
            let value = value.to_str().unwrap_or_default().trim();
            match value.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                    Some(token.trim().to_owned())
                }
                _ => {
                    return Err(MicropubError::unauthorized(
                        "send the token as `Authorization: Bearer <token>`",
                    ));
                }
            }
        }
    };
    let token = match (in_header, in_body) {
        (Some(_), Some(_)) => {
            return Err(MicropubError::invalid_request(
                "send the token once: in the Authorization header or as access_token, not both",
            ));
        }
        (Some(token), None) | (None, Some(token)) => token,
        (None, None) => return Err(MicropubError::unauthorized("no access token was sent")),
    };
    let invalid = || MicropubError::unauthorized("the access token is not valid");
    if !token.starts_with(MICROPUB_TOKEN_PREFIX) {
        return Err(invalid());
    }
    let client = crate::accounts::sessions::routes::client_address(req);
    let found = state.auth.micropub_token(&token, client).await?;
    let found = found.ok_or_else(invalid)?;
    Ok(TokenHolder {
        caller: found.caller,
        scopes: found.scopes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_fields_become_properties() {
        let request = MicropubRequest::from_fields(
            [
                ("h", "entry"),
                ("content", "Bonjour « Cotonou »"),
                ("category[]", "Bénin"),
                ("category[]", "Sahel"),
                ("access_token", "mp_x"),
                ("mp-slug", "bonjour"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        )
        .unwrap();
        assert_eq!(request.kind.as_deref(), Some("entry"));
        assert_eq!(request.access_token.as_deref(), Some("mp_x"));
        assert_eq!(
            Value::Object(request.properties),
            json!({"content": ["Bonjour « Cotonou »"], "category": ["Bénin", "Sahel"], "mp-slug": ["bonjour"]})
        );
    }

    #[test]
    fn json_bodies_carry_properties_and_actions() {
        let create = MicropubRequest::from_json(json!({
            "type": ["h-entry"],
            "properties": {"content": [{"html": "<p>x</p>"}], "name": "Titre"}
        }))
        .unwrap();
        assert_eq!(create.kind.as_deref(), Some("entry"));
        assert_eq!(create.properties["name"], json!(["Titre"]));
        let update = MicropubRequest::from_json(json!({
            "action": "update", "url": "https://x/y/",
            "replace": {"content": ["z"]}, "delete": ["category"]
        }))
        .unwrap();
        assert_eq!(update.action, Some(Action::Update));
        assert_eq!(update.delete, Some(json!(["category"])));
        for bad in [
            json!([]),
            json!({"action": "publish"}),
            json!({"properties": []}),
            json!({"action": "update", "replace": ["x"]}),
            json!({"action": "update", "delete": "category"}),
        ] {
            assert!(MicropubRequest::from_json(bad.clone()).is_err(), "{bad}");
        }
    }
}
