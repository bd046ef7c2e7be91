//! A reader's comment, from the plain text typed to the HTML shown.
//!
//! Readers write text, not HTML: blank lines make paragraphs, a line break
//! a `<br>`, and `http(s)` addresses become links with
//! `rel="nofollow ugc noopener noreferrer"` (search engines do not follow
//! them, and they cannot reach back into the page). Anything that looks
//! like markup is shown as the characters typed. The result goes through a
//! locked-down ammonia as a second wall, so that no later change here can
//! let a script, a handler or a `javascript:` URL through.

use std::sync::LazyLock;

use linkify::{LinkFinder, LinkKind};

/// Written on every link.
pub const LINK_REL: &str = "nofollow ugc noopener noreferrer";

/// A comment's text, cleaned, and its HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedBody {
    /// What the reader typed, without control characters, with `\n` lines.
    pub text: String,
    pub html: String,
    /// The links the HTML carries.
    pub links: u32,
}

/// Control characters other than line breaks and tabs, and the bidi
/// overrides that make a link read backwards (`exe.gnp` shown as `png.exe`).
fn unwanted(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Text as stored: line breaks as `\n`, unwanted characters dropped,
/// surrounding blank space trimmed.
pub fn clean_text(raw: &str) -> String {
    let normalised = raw.replace("\r\n", "\n").replace('\r', "\n");
    normalised
        .chars()
        .filter(|c| !unwanted(*c))
        .collect::<String>()
        .trim()
        .to_owned()
}

static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .add_tags(["p", "br", "a"])
        .add_tag_attributes("a", ["href"])
        .url_schemes(["http", "https"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .strip_comments(true);
    builder
});

/// Renders `raw` (plain text) as sanitised HTML.
pub fn render(raw: &str) -> RenderedBody {
    let text = clean_text(raw);
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]);
    let mut html = String::with_capacity(text.len() + 32);
    let mut links = 0u32;
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        html.push_str("<p>");
        for (i, line) in paragraph.lines().enumerate() {
            if i > 0 {
                html.push_str("<br>");
            }
            for span in finder.spans(line) {
                let piece = span.as_str();
                match span.kind().and_then(|_| web_address(piece)) {
                    Some(href) => {
                        links += 1;
                        html.push_str("<a href=\"");
                        html.push_str(&quick_xml::escape::escape(href.as_str()));
                        html.push_str("\">");
                        html.push_str(&quick_xml::escape::escape(piece));
                        html.push_str("</a>");
                    }
                    None => html.push_str(&quick_xml::escape::escape(piece)),
                }
            }
        }
        html.push_str("</p>");
    }
    let html = SANITISER.clean(&html).to_string();
    RenderedBody { text, html, links }
}

/// An `http(s)` address as a link may carry it: parsed and serialised by
/// `url` (so a host in another script shows as its punycode).
fn web_address(candidate: &str) -> Option<url::Url> {
    let url = url::Url::parse(candidate).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host().is_some()).then_some(url)
}

/// An author's own address, when given: `http(s)` only.
pub fn author_url(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    web_address(&with_scheme).map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_breaks_and_links() {
        let r = render("Bonjour à tous,\r\nvoir https://example.org/a?b=1&c=2.\n\n« Merci » ’ 🎉");
        assert_eq!(
            r.html,
            format!(
                "<p>Bonjour à tous,<br>voir <a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"{LINK_REL}\">https://example.org/a?b=1&amp;c=2</a>.</p><p>« Merci » ’ 🎉</p>"
            )
        );
        assert_eq!(r.links, 1);
        assert_eq!(
            r.text,
            "Bonjour à tous,\nvoir https://example.org/a?b=1&c=2.\n\n« Merci » ’ 🎉"
        );
    }

    #[test]
    fn markup_is_shown_not_run() {
        for (input, forbidden) in [
            ("<script>alert(1)</script>", "<script"),
            ("<img src=x onerror=alert(1)>", "<img"),
            (
                "<a href=\"javascript:alert(1)\">x</a>",
                "<a href=\"javascript",
            ),
            ("javascript:alert(1)", "<a"),
            ("data:text/html;base64,PHNjcmlwdD4=", "<a"),
            ("\"><svg/onload=alert(1)>", "<svg"),
            ("<p style=\"x\">s</p>", "<p style"),
        ] {
            let html = render(input).html;
            assert!(!html.contains(forbidden), "{input} → {html}");
        }
        assert_eq!(render("<b>x</b>").html, "<p>&lt;b&gt;x&lt;/b&gt;</p>");
    }

    #[test]
    fn bidi_overrides_and_controls_are_dropped() {
        assert_eq!(clean_text("a\u{202E}b\u{0007}c\td"), "abc\td");
    }

    #[test]
    fn author_urls_are_web_addresses() {
        assert_eq!(
            author_url("exemple.bj").as_deref(),
            Some("https://exemple.bj/")
        );
        assert_eq!(author_url("javascript:alert(1)"), None);
        assert_eq!(author_url("ftp://x.example/"), None);
    }
}
