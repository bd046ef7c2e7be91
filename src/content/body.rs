//! Article bodies: markdown or HTML in, sanitised HTML out (safe to inject
//! in a page), plus the plain-text measures derived from it.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

use crate::content::embeds::{self, EmbedHosts};

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

/// The body as readers get it: Markdown rendered (a video link alone in
/// its paragraph becoming its player), then sanitised, frames of `embeds`'
/// hosts kept (`embeds`).
pub fn render(format: BodyFormat, source: &str, embeds: &EmbedHosts) -> RenderedBody {
    let unsafe_html = match format {
        BodyFormat::Markdown => markdown_html(source),
        BodyFormat::Html => source.to_owned(),
    };
    let html = sanitise(&unsafe_html, embeds);
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

/// Markdown as HTML, not sanitised: for a body that `render` takes as HTML
/// next (Ghost's Markdown cards), which sanitises it then.
pub fn markdown_html(source: &str) -> String {
    let mut out = String::with_capacity(source.len() * 5 / 4);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    html::push_html(&mut out, with_players(Parser::new_ext(source, options)));
    out
}

/// ammonia's defaults, with the frames of allowed hosts set aside before
/// and put back after (`embeds`); every other frame is removed.
fn sanitise(unsafe_html: &str, hosts: &EmbedHosts) -> String {
    if !embeds::has_frames(unsafe_html) {
        return ammonia::clean(unsafe_html);
    }
    match embeds::set_aside(unsafe_html, hosts) {
        Some((marked, frames)) if !frames.is_empty() => {
            let clean = ammonia::Builder::default()
                .add_tag_attributes("div", [embeds::PLACEHOLDER])
                .clean(&marked)
                .to_string();
            embeds::put_back(&clean, &frames)
        }
        Some((marked, _)) => ammonia::clean(&marked),
        None => ammonia::clean(unsafe_html),
    }
}

/// Markdown events with each paragraph that is only a link to a known
/// video or sound page (`embeds::player_of`) replaced by its player.
fn with_players<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let mut out: Vec<Event<'a>> = Vec::new();
    let mut paragraph: Option<usize> = None;
    for event in events {
        match &event {
            Event::Start(Tag::Paragraph) => paragraph = Some(out.len()),
            Event::End(TagEnd::Paragraph) => {
                if let Some(start) = paragraph.take() {
                    let inner = &out[start + 1..];
                    let only_text = inner.iter().all(|e| matches!(e, Event::Text(_)));
                    let text: String = inner
                        .iter()
                        .filter_map(|e| match e {
                            Event::Text(t) => Some(t.as_ref()),
                            _ => None,
                        })
                        .collect();
                    if let Some(player) = only_text.then(|| embeds::player_of(&text)).flatten() {
                        out.truncate(start);
                        out.push(Event::Html(
                            format!("{}\n", embeds::player_frame(&player)).into(),
                        ));
                        continue;
                    }
                }
            }
            _ => {}
        }
        out.push(event);
    }
    out.into_iter()
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
            &EmbedHosts::default(),
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
            &EmbedHosts::default(),
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
            &EmbedHosts::default(),
        );
        assert!(r.html.contains("&lt;script&gt;"));
        let e = excerpt(&r.text, 200);
        assert!(!e.contains('<') || e.contains("3 < 5"), "{e}");
        assert!(!e.contains("<script") && !e.contains("</script"), "{e}");
        assert_eq!(e, "Le alert(1) du jour. 3 < 5 et 7 > 2.");
    }

    fn frames(html: &str) -> Vec<String> {
        html.match_indices("<iframe")
            .map(|(at, _)| html[at..at + html[at..].find("</iframe>").unwrap() + 9].to_owned())
            .collect()
    }

    #[test]
    fn frames_of_allowed_hosts_are_kept_and_locked_down() {
        let r = render(
            BodyFormat::Html,
            r#"<p>Avant</p><IFRAME src="https://www.youtube-nocookie.com/embed/abc" width="560" height="315" title="Niamey « live »" onload="x()" allow="camera; microphone" srcdoc="<script>alert(1)</script>">&lt;/iframe&gt;&lt;img src=x onerror=alert(1)&gt;</IFRAME><iframe src="https://evil.example/">texte caché</iframe><iframe src="javascript:alert(1)"></iframe><p>Après</p>"#,
            &EmbedHosts::default(),
        );
        let kept = frames(&r.html);
        assert_eq!(kept.len(), 1, "{}", r.html);
        let frame = &kept[0];
        assert!(frame.starts_with(r#"<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560" height="315" title="Niamey « live »" sandbox=""#), "{frame}");
        assert!(
            frame.contains(r#"loading="lazy""#) && frame.contains("referrerpolicy="),
            "{frame}"
        );
        assert!(frame.ends_with("allowfullscreen></iframe>"), "{frame}");
        for refused in [
            "onload",
            "camera",
            "srcdoc",
            "onerror",
            "evil.example",
            "javascript:",
            "texte caché",
        ] {
            assert!(!r.html.contains(refused), "{refused}: {}", r.html);
        }
        assert_eq!(r.text, "Avant Après");
    }

    #[test]
    fn a_frame_inside_foreign_content_or_a_typed_placeholder_gets_nothing_through() {
        let r = render(
            BodyFormat::Html,
            r#"<svg><iframe src="https://www.youtube.com/embed/a">&lt;/iframe&gt;&lt;img src=x onerror=alert(1)&gt;</iframe></svg><div data-cms-embed="0">x</div><div data-cms-embed="7"></div>"#,
            &EmbedHosts::default(),
        );
        assert!(
            !r.html.contains("onerror=") && !r.html.contains("<img"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("data-cms-embed"), "{}", r.html);
        for frame in frames(&r.html) {
            assert!(frame.ends_with("allowfullscreen></iframe>"), "{frame}");
        }
        let none = render(
            BodyFormat::Html,
            r#"<iframe src="https://www.youtube.com/embed/a"></iframe>"#,
            &EmbedHosts::from_setting(Some("none")),
        );
        assert!(!none.html.contains("<iframe"), "{}", none.html);
    }

    #[test]
    fn a_video_link_alone_in_its_paragraph_becomes_its_player() {
        let r = render(
            BodyFormat::Markdown,
            "Le reportage :\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42\n\nVoir https://vimeo.com/76979871 aussi.\n\n<https://dai.ly/x8abcd>\n",
            &EmbedHosts::default(),
        );
        let kept = frames(&r.html);
        assert_eq!(kept.len(), 1, "{}", r.html);
        assert!(
            kept[0]
                .starts_with(r#"<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ""#),
            "{}",
            kept[0]
        );
        assert!(
            r.html.contains("Voir https://vimeo.com/76979871 aussi."),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(r#"<a href="https://dai.ly/x8abcd""#),
            "an autolink stays a link: {}",
            r.html
        );
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
