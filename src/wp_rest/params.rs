//! A request's parameters as WordPress reads them: the query string and
//! the body (JSON or form) merged, the body winning; `name[]=a&name[]=b`,
//! `name=a,b` and JSON arrays all give a list. Each bad value is
//! WordPress's 400 `rest_invalid_param` naming it, with its sentence
//! (`per_page must be between 1 (inclusive) and 100 (inclusive)`).
//! Parameters nobody reads are ignored, as WordPress ignores them.

use serde_json::{Map, Value};

use super::error::WpError;

/// The most items a page may hold, as WordPress.
pub const MAX_PER_PAGE: i64 = 100;
const DEFAULT_PER_PAGE: i64 = 10;
/// The most values a list parameter takes (`include`, `slug`, …): more
/// would be past what one SQL statement binds on SQLite.
const MAX_LIST_ITEMS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    View,
    Embed,
    Edit,
}

#[derive(Debug, Default)]
pub struct Params {
    query: Vec<(String, String)>,
    body: Map<String, Value>,
}

/// `name[]` and `name[3]` are `name`.
fn base_name(key: &str) -> &str {
    key.find('[').map_or(key, |at| &key[..at])
}

impl Params {
    pub fn from_query(query: &str) -> Self {
        Self {
            query: form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (base_name(&k).to_owned(), v.into_owned()))
                .collect(),
            body: Map::new(),
        }
    }

    /// The body's members over the query's.
    pub fn with_body(mut self, body: Map<String, Value>) -> Self {
        self.body = body;
        self
    }

    /// A JSON object body, a form body, or nothing; anything else is a 400
    /// (`rest_invalid_json`, as WordPress).
    pub fn parse_body(content_type: &str, bytes: &[u8]) -> Result<Map<String, Value>, WpError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        if content_type.starts_with("application/x-www-form-urlencoded") {
            let mut map = Map::new();
            for (k, v) in form_urlencoded::parse(bytes) {
                let key = base_name(&k).to_owned();
                let list = k.contains('[');
                match map.get_mut(&key) {
                    Some(Value::Array(items)) => items.push(Value::String(v.into_owned())),
                    _ if list => {
                        map.insert(key, Value::Array(vec![Value::String(v.into_owned())]));
                    }
                    _ => {
                        map.insert(key, Value::String(v.into_owned()));
                    }
                }
            }
            return Ok(map);
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(WpError::new(
                400,
                "rest_invalid_json",
                "Invalid JSON body passed: an object is expected.",
            )),
            Err(e) => Err(WpError::new(
                400,
                "rest_invalid_json",
                format!("Invalid JSON body passed: {e}"),
            )),
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.body.contains_key(name) || self.query.iter().any(|(k, _)| k == name)
    }

    /// The value as JSON: the body's, else the query's (a list when the
    /// name repeats).
    pub fn value(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.body.get(name) {
            return Some(v.clone());
        }
        let mut found: Vec<&str> = self
            .query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        match found.len() {
            0 => None,
            1 => found.pop().map(|v| Value::String(v.to_owned())),
            _ => Some(Value::Array(
                found
                    .into_iter()
                    .map(|v| Value::String(v.to_owned()))
                    .collect(),
            )),
        }
    }

    /// A text; `{"raw": …}` is accepted where WordPress takes it (title,
    /// content, excerpt, caption).
    pub fn text(&self, name: &str) -> Result<Option<String>, WpError> {
        match self.value(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Object(map)) => match map.get("raw") {
                Some(Value::String(s)) => Ok(Some(s.clone())),
                _ => Err(WpError::invalid_param(
                    name,
                    format!("{name} is not of type string."),
                )),
            },
            Some(_) => Err(WpError::invalid_param(
                name,
                format!("{name} is not of type string."),
            )),
        }
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, WpError> {
        match self.value(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
            Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().parse().ok()),
            Some(_) => Err(WpError::invalid_param(
                name,
                format!("{name} is not of type integer."),
            )),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, WpError> {
        match self.value(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(Some(false)),
            Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(Some(true)),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "" | "0" | "false" => Ok(Some(false)),
                "1" | "true" => Ok(Some(true)),
                _ => Err(WpError::invalid_param(
                    name,
                    format!("{name} is not of type boolean."),
                )),
            },
            Some(_) => Err(WpError::invalid_param(
                name,
                format!("{name} is not of type boolean."),
            )),
        }
    }

    /// A list of texts: a JSON array, repeated names, or commas.
    pub fn texts(&self, name: &str) -> Result<Option<Vec<String>>, WpError> {
        let items = match self.value(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(other) => vec![other],
        };
        let mut out = Vec::new();
        for item in items {
            match item {
                Value::String(s) => out.extend(
                    s.split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned),
                ),
                Value::Number(n) => out.push(n.to_string()),
                _ => {
                    return Err(WpError::invalid_param(
                        name,
                        format!("{name}[0] is not of type string."),
                    ));
                }
            }
        }
        if out.len() > MAX_LIST_ITEMS {
            return Err(WpError::invalid_param(
                name,
                format!("{name} must contain at most {MAX_LIST_ITEMS} items."),
            ));
        }
        Ok(Some(out))
    }

    /// A list of ids (WordPress's `wp_parse_id_list`).
    pub fn ids(&self, name: &str) -> Result<Option<Vec<i64>>, WpError> {
        let Some(texts) = self.texts(name)? else {
            return Ok(None);
        };
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                t.parse::<i64>().ok().filter(|id| *id >= 0).ok_or_else(|| {
                    WpError::invalid_param(name, format!("{name}[{i}] is not of type integer."))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// One of `allowed`, or `default` when absent.
    pub fn one_of(
        &self,
        name: &str,
        allowed: &[&'static str],
        default: &'static str,
    ) -> Result<&'static str, WpError> {
        let Some(given) = self.text(name)? else {
            return Ok(default);
        };
        allowed
            .iter()
            .find(|a| **a == given)
            .copied()
            .ok_or_else(|| {
                WpError::invalid_param(name, format!("{name} is not one of {}.", list(allowed)))
            })
    }

    pub fn context(&self, default: Context) -> Result<Context, WpError> {
        let default = match default {
            Context::View => "view",
            Context::Embed => "embed",
            Context::Edit => "edit",
        };
        Ok(
            match self.one_of("context", &["view", "embed", "edit"], default)? {
                "edit" => Context::Edit,
                "embed" => Context::Embed,
                _ => Context::View,
            },
        )
    }

    /// `page` and `per_page` (default 10, at most 100: more is a 400, as
    /// WordPress).
    pub fn page(&self) -> Result<(i64, i64), WpError> {
        let page = self.int("page")?.unwrap_or(1);
        if !(1..=1_000_000).contains(&page) {
            return Err(WpError::invalid_param(
                "page",
                "page must be greater than or equal to 1",
            ));
        }
        let per_page = self.int("per_page")?.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(WpError::invalid_param(
                "per_page",
                format!("per_page must be between 1 (inclusive) and {MAX_PER_PAGE} (inclusive)"),
            ));
        }
        Ok((page, per_page))
    }

    /// `order`: `asc` or `desc`.
    pub fn descending(&self, default_desc: bool) -> Result<bool, WpError> {
        Ok(self.one_of(
            "order",
            &["asc", "desc"],
            if default_desc { "desc" } else { "asc" },
        )? == "desc")
    }

    /// A text field of an update: absent stays, a value replaces; with
    /// `empty_clears`, `""` clears (media texts, where WordPress stores
    /// nothing for an empty one).
    pub fn patch_text(
        &self,
        name: &str,
        empty_clears: bool,
    ) -> Result<crate::content::patch::Patch<String>, WpError> {
        use crate::content::patch::Patch;
        Ok(match self.text(name)? {
            Some(v) if empty_clears && v.is_empty() => Patch::Null,
            Some(v) => Patch::Value(v),
            None => Patch::Absent,
        })
    }

    /// A `DELETE` must say `force=true`: nothing has a trash yet, so
    /// without it the answer is WordPress's 501 for `what` ("The post
    /// does") and nothing is deleted.
    pub fn require_force(&self, what: &str) -> Result<(), WpError> {
        if self.bool("force")? == Some(true) {
            Ok(())
        } else {
            Err(WpError::trash_not_supported(what))
        }
    }

    /// `search` as the folded words that must all appear.
    pub fn search_words(&self) -> Result<Vec<String>, WpError> {
        Ok(self
            .text("search")?
            .map(|q| {
                crate::content::text::fold_for_search(&q)
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `_fields`: the fields to keep (dotted paths reach inside objects).
    pub fn fields(&self) -> Option<Vec<String>> {
        self.texts("_fields")
            .ok()
            .flatten()
            .filter(|f| !f.is_empty())
    }

    /// `_embed`: `None` when not asked, `Some([])` for every link, or the
    /// relations named.
    pub fn embed(&self) -> Option<Vec<String>> {
        if !self.has("_embed") {
            return None;
        }
        Some(match self.value("_embed") {
            Some(Value::String(s)) if !matches!(s.as_str(), "" | "1" | "true") => s
                .split(',')
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty())
                .collect(),
            _ => Vec::new(),
        })
    }
}

/// `a, b, and c`, as WordPress's `%l`.
fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_come_from_brackets_commas_and_json() {
        let p = Params::from_query("categories[]=3&categories[]=4&tags=5,6&include=7");
        assert_eq!(p.ids("categories").unwrap(), Some(vec![3, 4]));
        assert_eq!(p.ids("tags").unwrap(), Some(vec![5, 6]));
        assert_eq!(p.ids("include").unwrap(), Some(vec![7]));
        let body = serde_json::json!({"tags": [8, "9"]});
        let p = p.with_body(body.as_object().unwrap().clone());
        assert_eq!(p.ids("tags").unwrap(), Some(vec![8, 9]));
        assert!(Params::from_query("author=moi").ids("author").is_err());
        let many = (0..1001)
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert!(
            Params::from_query(&format!("include={many}"))
                .ids("include")
                .is_err()
        );
    }

    #[test]
    fn pages_are_bounded_as_wordpress() {
        assert_eq!(Params::from_query("").page().unwrap(), (1, 10));
        let e = Params::from_query("per_page=500").page().unwrap_err();
        assert_eq!(e.code, "rest_invalid_param");
        assert_eq!(
            e.body()["data"]["params"]["per_page"],
            "per_page must be between 1 (inclusive) and 100 (inclusive)"
        );
        assert!(Params::from_query("page=0").page().is_err());
        assert!(Params::from_query("per_page=dix").page().is_err());
    }

    #[test]
    fn texts_take_raw_objects_and_enums_name_their_values() {
        let body = serde_json::json!({"title": {"raw": "Élection « présidentielle »"}});
        let p = Params::default().with_body(body.as_object().unwrap().clone());
        assert_eq!(
            p.text("title").unwrap().as_deref(),
            Some("Élection « présidentielle »")
        );
        let e = Params::from_query("context=tout")
            .context(Context::View)
            .unwrap_err();
        assert_eq!(e.message, "Invalid parameter(s): context");
        assert_eq!(
            e.body()["data"]["params"]["context"],
            "context is not one of view, embed, and edit."
        );
    }

    #[test]
    fn embed_is_all_or_named() {
        assert_eq!(Params::from_query("").embed(), None);
        assert_eq!(Params::from_query("_embed").embed(), Some(vec![]));
        assert_eq!(
            Params::from_query("_embed=author,wp:term").embed(),
            Some(vec!["author".to_owned(), "wp:term".to_owned()])
        );
    }
}
