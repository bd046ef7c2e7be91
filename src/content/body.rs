//! Article bodies: markdown or HTML in, sanitised HTML out (safe to inject
//! in a page), plus the plain-text measures derived from it.

use pulldown_cmark::{Options, Parser, html};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    Markdown,
    Html,
}

impl BodyFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Markdown => "markdown",
            Self::Html => "html",
        }
    }

    pub fn from_db(raw: &str) -> Self {
        if raw == "html" {
            Self::Html
        } else {
            Self::Markdown
        }
    }
}

/// What the write path stores beside the source body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedBody {
    pub html: String,
    pub text: String,
    pub word_count: i32,
    pub reading_time_minutes: i32,
}

const WORDS_PER_MINUTE: usize = 200;

pub fn render(format: BodyFormat, source: &str) -> RenderedBody {
    let unsafe_html = match format {
        BodyFormat::Markdown => {
            let mut out = String::with_capacity(source.len() * 5 / 4);
            let options =
                Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
            html::push_html(&mut out, Parser::new_ext(source, options));
            out
        }
        BodyFormat::Html => source.to_owned(),
    };
    let html = ammonia::clean(&unsafe_html);
    let text = plain_text(&html);
    let words = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    RenderedBody {
        html,
        word_count: i32::try_from(words).unwrap_or(i32::MAX),
        reading_time_minutes: i32::try_from(words.div_ceil(WORDS_PER_MINUTE)).unwrap_or(i32::MAX),
        text,
    }
}

/// The text of sanitised HTML, block boundaries turned into spaces.
fn plain_text(clean_html: &str) -> String {
    let spaced = clean_html.replace('<', " <");
    let stripped = ammonia::Builder::empty().clean(&spaced).to_string();
    let unescaped = stripped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    unescaped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text with anything shaped like markup taken out: `<` followed by a
/// letter, `/`, `!` or `?`, up to the next `>`. The plain text of a body
/// decodes entities, so a body that *shows* `&lt;script&gt;` has
/// `<script>` in its text; an excerpt is plain text that frontends put in
/// meta tags and cards, often without escaping, so it must hold no markup.
pub fn without_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let opens_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        match after.find('>').filter(|_| opens_tag) {
            Some(end) => {
                out.push(' ');
                rest = &after[end + 1..];
            }
            None => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first sentences of the text, about `target` characters, never cut
/// mid-word, with no markup (`without_markup`).
pub fn excerpt(text: &str, target: usize) -> String {
    let text = without_markup(text);
    let text = text.as_str();
    let mut out = String::new();
    for sentence in text.split_inclusive(['.', '!', '?', '…']) {
        if !out.is_empty() && out.chars().count() + sentence.chars().count() > target * 2 {
            break;
        }
        out.push_str(sentence);
        if out.chars().count() >= target {
            break;
        }
    }
    let out = out.trim();
    if out.chars().count() <= target * 2 {
        return out.to_owned();
    }
    let mut cut = String::new();
    for word in out.split_whitespace() {
        if cut.chars().count() + word.chars().count() + 1 > target * 2 {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_sanitised() {
        let r = render(
            BodyFormat::Markdown,
            "# Titre\n\nLe **Niger** « compte » <script>alert(1)</script> [x](javascript:alert(1))",
        );
        assert!(r.html.contains("<strong>Niger</strong>"));
        assert!(!r.html.contains("<script"));
        assert!(!r.html.contains("javascript:"));
        assert_eq!(r.text, "Titre Le Niger « compte » x");
    }

    #[test]
    fn html_is_sanitised() {
        let r = render(
            BodyFormat::Html,
            r#"<p onclick="x()">Bonjour <img src=x onerror=alert(1)></p>"#,
        );
        assert!(!r.html.contains("onclick") && !r.html.contains("onerror"));
        assert_eq!(r.word_count, 1);
        assert_eq!(r.reading_time_minutes, 1);
    }

    #[test]
    fn excerpts_hold_no_markup_even_from_escaped_bodies() {
        let r = render(
            BodyFormat::Markdown,
            "Le &lt;script&gt;alert(1)&lt;/script&gt; du jour. 3 < 5 et 7 > 2.",
        );
        assert!(r.html.contains("&lt;script&gt;"));
        let e = excerpt(&r.text, 200);
        assert!(!e.contains('<') || e.contains("3 < 5"), "{e}");
        assert!(!e.contains("<script") && !e.contains("</script"), "{e}");
        assert_eq!(e, "Le alert(1) du jour. 3 < 5 et 7 > 2.");
    }

    #[test]
    fn excerpts_stop_at_a_sentence() {
        let text = "Première phrase assez longue pour compter. Deuxième phrase. Troisième.";
        assert_eq!(
            excerpt(text, 30),
            "Première phrase assez longue pour compter."
        );
    }
}
