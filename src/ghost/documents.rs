//! Ghost's editor documents as an article body, and back.
//!
//! Clients send a post's text one of three ways: `html` with
//! `?source=html`, a Lexical document (Ghost 5+) or a Mobiledoc document
//! (Ghost 1–4), the last two as JSON strings. Writing apps put Markdown in
//! a *markdown card*. A document made only of markdown cards (and empty
//! paragraphs) becomes a Markdown article, so the text stays the writer's
//! Markdown; anything else becomes HTML, markdown cards rendered in place.
//! Reading back, an article is one card: a markdown card for a Markdown
//! article, an HTML card otherwise, so that a client sending the document
//! back changes nothing.

use serde_json::{Value, json};

use crate::content::body::{self, BodyFormat};

/// An article body made from a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub format: BodyFormat,
    pub text: String,
}

/// A document's pieces in order: Markdown, or HTML.
#[derive(Debug, Default)]
struct Pieces(Vec<(BodyFormat, String)>);

impl Pieces {
    fn push(&mut self, format: BodyFormat, text: String) {
        if !text.trim().is_empty() {
            self.0.push((format, text));
        }
    }

    fn into_body(self) -> Body {
        if self.0.iter().all(|(f, _)| *f == BodyFormat::Markdown) {
            return Body {
                format: BodyFormat::Markdown,
                text: self
                    .0
                    .into_iter()
                    .map(|(_, t)| t)
                    .collect::<Vec<_>>()
                    .join("\n\n"),
            };
        }
        let html = self
            .0
            .into_iter()
            .map(|(format, text)| match format {
                // Sanitised with the rest when the article is written.
                BodyFormat::Markdown => body::markdown_html(&text),
                BodyFormat::Html => text,
            })
            .collect::<Vec<_>>()
            .join("\n");
        Body {
            format: BodyFormat::Html,
            text: html,
        }
    }
}

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// Why a document was refused (a 422 naming the field).
pub type Refusal = String;

fn parse_json_string(field: &str, raw: &Value) -> Result<Value, Refusal> {
    let text = raw
        .as_str()
        .ok_or_else(|| format!("{field} must be a JSON document in a string"))?;
    serde_json::from_str(text).map_err(|_| format!("{field} is not valid JSON"))
}

/// A Lexical document (`{"root": {"children": [...]}}`).
pub fn from_lexical(raw: &Value) -> Result<Body, Refusal> {
    let doc = parse_json_string("lexical", raw)?;
    let children = doc
        .get("root")
        .and_then(|r| r.get("children"))
        .and_then(Value::as_array)
        .ok_or("lexical has no root.children")?;
    let mut pieces = Pieces::default();
    for node in children {
        match node.get("type").and_then(Value::as_str) {
            Some("markdown") => pieces.push(BodyFormat::Markdown, text_of(node, "markdown")),
            Some("html") => pieces.push(BodyFormat::Html, text_of(node, "html")),
            _ => pieces.push(BodyFormat::Html, lexical_html(node)),
        }
    }
    Ok(pieces.into_body())
}

fn text_of(node: &Value, key: &str) -> String {
    node.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn lexical_children(node: &Value) -> String {
    node.get("children")
        .and_then(Value::as_array)
        .map(|c| c.iter().map(lexical_html).collect())
        .unwrap_or_default()
}

/// Lexical's text format bits: bold 1, italic 2, strikethrough 4,
/// underline 8, code 16.
fn formatted(text: &str, format: i64) -> String {
    let mut html = escape(text);
    for (bit, tag) in [(16, "code"), (8, "u"), (4, "s"), (2, "em"), (1, "strong")] {
        if format & bit != 0 {
            html = format!("<{tag}>{html}</{tag}>");
        }
    }
    html
}

fn lexical_html(node: &Value) -> String {
    let kind = node.get("type").and_then(Value::as_str).unwrap_or_default();
    match kind {
        "text" | "extended-text" => formatted(
            &text_of(node, "text"),
            node.get("format").and_then(Value::as_i64).unwrap_or(0),
        ),
        "linebreak" => "<br>".to_owned(),
        "paragraph" => {
            let inner = lexical_children(node);
            if inner.is_empty() {
                String::new()
            } else {
                format!("<p>{inner}</p>")
            }
        }
        "heading" | "extended-heading" => {
            let tag = node
                .get("tag")
                .and_then(Value::as_str)
                .filter(|t| matches!(*t, "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
                .unwrap_or("h2");
            format!("<{tag}>{}</{tag}>", lexical_children(node))
        }
        "quote" | "extended-quote" | "aside" => {
            format!("<blockquote>{}</blockquote>", lexical_children(node))
        }
        "list" => {
            let tag = if node.get("listType").and_then(Value::as_str) == Some("number") {
                "ol"
            } else {
                "ul"
            };
            format!("<{tag}>{}</{tag}>", lexical_children(node))
        }
        "listitem" => format!("<li>{}</li>", lexical_children(node)),
        "link" | "autolink" => format!(
            "<a href=\"{}\">{}</a>",
            escape(&text_of(node, "url")),
            lexical_children(node)
        ),
        "horizontalrule" => "<hr>".to_owned(),
        "image" => figure(
            &text_of(node, "src"),
            &text_of(node, "alt"),
            &text_of(node, "caption"),
        ),
        "markdown" => body::markdown_html(&text_of(node, "markdown")),
        "html" => text_of(node, "html"),
        // Cards this service has no use for (buttons, embeds, signup
        // forms…): their children's text, if any, is kept.
        _ => lexical_children(node),
    }
}

fn figure(src: &str, alt: &str, caption: &str) -> String {
    if src.is_empty() {
        return String::new();
    }
    let caption = if caption.is_empty() {
        String::new()
    } else {
        // Captions are HTML in Ghost's cards.
        format!("<figcaption>{caption}</figcaption>")
    };
    format!(
        "<figure><img src=\"{}\" alt=\"{}\">{caption}</figure>",
        escape(src),
        escape(alt)
    )
}

/// A Mobiledoc document (0.3.x): card sections and markup sections.
pub fn from_mobiledoc(raw: &Value) -> Result<Body, Refusal> {
    let doc = parse_json_string("mobiledoc", raw)?;
    let sections = doc
        .get("sections")
        .and_then(Value::as_array)
        .ok_or("mobiledoc has no sections")?;
    let cards = doc
        .get("cards")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut pieces = Pieces::default();
    for section in sections {
        let Some(parts) = section.as_array() else {
            continue;
        };
        match parts.first().and_then(Value::as_i64) {
            // [10, card index]
            Some(10) => {
                let card = parts
                    .get(1)
                    .and_then(Value::as_u64)
                    .and_then(|i| cards.get(usize::try_from(i).ok()?));
                let Some(card) = card.and_then(Value::as_array) else {
                    continue;
                };
                let name = card.first().and_then(Value::as_str).unwrap_or_default();
                let payload = card.get(1).cloned().unwrap_or(Value::Null);
                match name {
                    "markdown" | "card-markdown" => {
                        pieces.push(BodyFormat::Markdown, text_of(&payload, "markdown"));
                    }
                    "html" => pieces.push(BodyFormat::Html, text_of(&payload, "html")),
                    "image" => pieces.push(
                        BodyFormat::Html,
                        figure(
                            &text_of(&payload, "src"),
                            &text_of(&payload, "alt"),
                            &text_of(&payload, "caption"),
                        ),
                    ),
                    "hr" => pieces.push(BodyFormat::Html, "<hr>".to_owned()),
                    _ => {}
                }
            }
            // [1, tag, markers]
            Some(1) => {
                let tag = parts.get(1).and_then(Value::as_str).unwrap_or("p");
                let tag = match tag.to_ascii_lowercase().as_str() {
                    t @ ("p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote") => {
                        t.to_owned()
                    }
                    "aside" => "blockquote".to_owned(),
                    _ => "p".to_owned(),
                };
                let text = markers_text(parts.get(2));
                if !text.is_empty() {
                    pieces.push(BodyFormat::Html, format!("<{tag}>{text}</{tag}>"));
                }
            }
            // [3, "ul" | "ol", [markers, ...]]
            Some(3) => {
                let tag = if parts.get(1).and_then(Value::as_str) == Some("ol") {
                    "ol"
                } else {
                    "ul"
                };
                let items: String = parts
                    .get(2)
                    .and_then(Value::as_array)
                    .map(|items| {
                        items
                            .iter()
                            .map(|m| format!("<li>{}</li>", markers_text(Some(m))))
                            .collect()
                    })
                    .unwrap_or_default();
                pieces.push(BodyFormat::Html, format!("<{tag}>{items}</{tag}>"));
            }
            _ => {}
        }
    }
    Ok(pieces.into_body())
}

/// The text of a markup section's markers (`[0, markups, closed, text]`),
/// escaped; inline markups are not kept.
fn markers_text(markers: Option<&Value>) -> String {
    markers
        .and_then(Value::as_array)
        .map(|markers| {
            markers
                .iter()
                .filter_map(|m| m.as_array()?.get(3)?.as_str().map(escape))
                .collect()
        })
        .unwrap_or_default()
}

/// An article body as a one-card Lexical document (a JSON string).
pub fn to_lexical(format: BodyFormat, text: &str) -> String {
    let card = match format {
        BodyFormat::Markdown => json!({"type": "markdown", "version": 1, "markdown": text}),
        BodyFormat::Html => json!({"type": "html", "version": 1, "html": text}),
    };
    json!({"root": {
        "children": [card],
        "direction": null, "format": "", "indent": 0, "type": "root", "version": 1
    }})
    .to_string()
}

/// An article body as a one-card Mobiledoc document (a JSON string).
pub fn to_mobiledoc(format: BodyFormat, text: &str) -> String {
    let card = match format {
        BodyFormat::Markdown => json!(["markdown", {"markdown": text}]),
        BodyFormat::Html => json!(["html", {"html": text}]),
    };
    json!({
        "version": "0.3.1", "atoms": [], "cards": [card], "markups": [],
        "sections": [[10, 0]]
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: Value) -> Value {
        Value::String(v.to_string())
    }

    #[test]
    fn a_markdown_card_is_a_markdown_article() {
        let lexical = s(json!({"root": {"children": [
            {"type": "markdown", "version": 1, "markdown": "# Cotonou\n\nL’Assemblée « vote »."},
            {"type": "paragraph", "children": []}
        ], "type": "root"}}));
        assert_eq!(
            from_lexical(&lexical).unwrap(),
            Body {
                format: BodyFormat::Markdown,
                text: "# Cotonou\n\nL’Assemblée « vote ».".to_owned()
            }
        );
        let mobiledoc = s(json!({"version": "0.3.1", "markups": [], "atoms": [],
            "cards": [["card-markdown", {"cardName": "card-markdown", "markdown": "**Niamey** 🇳🇪"}]],
            "sections": [[10, 0]]}));
        assert_eq!(
            from_mobiledoc(&mobiledoc).unwrap(),
            Body {
                format: BodyFormat::Markdown,
                text: "**Niamey** 🇳🇪".to_owned()
            }
        );
    }

    #[test]
    fn other_nodes_become_html() {
        let lexical = s(json!({"root": {"children": [
            {"type": "heading", "tag": "h3", "children": [{"type": "text", "text": "Titre"}]},
            {"type": "paragraph", "children": [
                {"type": "extended-text", "text": "gras", "format": 1},
                {"type": "text", "text": " <b>", "format": 0},
                {"type": "link", "url": "https://ex.bj/?a=1&b=2", "children": [{"type": "text", "text": "lien"}]}
            ]},
            {"type": "markdown", "markdown": "*md*"}
        ]}}));
        let body = from_lexical(&lexical).unwrap();
        assert_eq!(body.format, BodyFormat::Html);
        assert_eq!(
            body.text,
            "<h3>Titre</h3>\n<p><strong>gras</strong> &lt;b&gt;<a href=\"https://ex.bj/?a=1&amp;b=2\">lien</a></p>\n<p><em>md</em></p>\n"
        );
        let mobiledoc = s(
            json!({"version": "0.3.1", "markups": [], "atoms": [], "cards": [],
            "sections": [[1, "p", [[0, [], 0, "Bonjour "], [0, [], 0, "Bénin"]]], [3, "ul", [[[0, [], 0, "un"]]]]]}),
        );
        assert_eq!(
            from_mobiledoc(&mobiledoc).unwrap().text,
            "<p>Bonjour Bénin</p>\n<ul><li>un</li></ul>"
        );
    }

    #[test]
    fn documents_must_be_json_strings() {
        assert!(from_lexical(&json!({"root": {}})).is_err());
        assert!(from_lexical(&json!("{not json")).is_err());
        assert!(from_mobiledoc(&json!("{}")).is_err());
    }

    #[test]
    fn one_card_documents_read_back_as_the_same_body() {
        for format in [BodyFormat::Markdown, BodyFormat::Html] {
            let text = "« Texte » d’essai ✊🏿";
            let lexical = Value::String(to_lexical(format, text));
            assert_eq!(
                from_lexical(&lexical).unwrap(),
                Body {
                    format,
                    text: text.to_owned()
                }
            );
            let mobiledoc = Value::String(to_mobiledoc(format, text));
            assert_eq!(
                from_mobiledoc(&mobiledoc).unwrap(),
                Body {
                    format,
                    text: text.to_owned()
                }
            );
        }
    }
}
