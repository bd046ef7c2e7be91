//! Embedded videos, sounds and posts in article bodies. News pages embed
//! YouTube and Dailymotion players, posts from X or Facebook: the body's
//! sanitiser (`body::render`) keeps an `<iframe>` whose `src` is an https
//! address on an allowed host, gives it `sandbox`, `loading="lazy"`,
//! `referrerpolicy` and a fixed `allow` list whatever the writer sent, and
//! removes every other frame with its content. In Markdown, a link alone in
//! its paragraph to a video or sound of a known service becomes its player.
//!
//! The sanitiser never lets a writer's `<iframe>` through: its content is
//! raw text to a parser, a classic way past sanitisers. Before it runs,
//! each allowed frame is set aside and replaced by a placeholder
//! (`set_aside`); after, each placeholder becomes a frame written here, empty
//! and with known attributes only (`put_back`).
//!
//! The hosts are the site's choice (`CMS_EMBED_HOSTS`, domains separated
//! by commas, each allowing its subdomains); `EmbedHosts::default()` is the
//! list below.

use url::Url;

/// Domains whose players and posts are embedded unless the site says
/// otherwise.
pub const DEFAULT_HOSTS: [&str; 11] = [
    "youtube.com",
    "youtube-nocookie.com",
    "dailymotion.com",
    "vimeo.com",
    "facebook.com",
    "twitter.com",
    "x.com",
    "instagram.com",
    "tiktok.com",
    "soundcloud.com",
    "spotify.com",
];

/// What a kept frame may do: run its player (scripts, its own origin for
/// its cookies and storage), open the video on its site, go full screen.
pub const SANDBOX: &str = "allow-scripts allow-same-origin allow-popups allow-presentation";
pub const ALLOW: &str = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; fullscreen";
pub const REFERRER_POLICY: &str = "strict-origin-when-cross-origin";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedHosts {
    /// Lowercase domains without a leading dot.
    domains: Vec<String>,
}

impl Default for EmbedHosts {
    fn default() -> Self {
        Self::new(DEFAULT_HOSTS)
    }
}

impl EmbedHosts {
    pub fn new<S: AsRef<str>>(domains: impl IntoIterator<Item = S>) -> Self {
        Self {
            domains: domains
                .into_iter()
                .map(|d| {
                    d.as_ref()
                        .trim()
                        .trim_start_matches('.')
                        .to_ascii_lowercase()
                })
                .filter(|d| !d.is_empty())
                .collect(),
        }
    }

    /// `CMS_EMBED_HOSTS`: unset keeps the default list; `none` allows none.
    pub fn from_setting(raw: Option<&str>) -> Self {
        match raw.map(str::trim) {
            None => Self::default(),
            Some(raw) if raw.eq_ignore_ascii_case("none") => Self::new(Vec::<String>::new()),
            Some(raw) => Self::new(raw.split(',')),
        }
    }

    pub fn domains(&self) -> &[String] {
        &self.domains
    }

    /// Whether a frame may show `src`: https, on an allowed domain or one of
    /// its subdomains, with no credentials in the address.
    pub fn allows(&self, src: &str) -> bool {
        let Ok(url) = Url::parse(src.trim()) else {
            return false;
        };
        if url.scheme() != "https" || !url.username().is_empty() || url.password().is_some() {
            return false;
        }
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return false;
        };
        self.domains
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
    }
}

/// A frame set aside before sanitising: its address (allowed) and the
/// sizes and title the writer gave, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    src: String,
    width: Option<u16>,
    height: Option<u16>,
    title: Option<String>,
}

/// The attribute of the placeholder `<div>` that stands for frame N.
pub const PLACEHOLDER: &str = "data-cms-embed";

/// Whether `html` may hold a frame (`<iframe`, in any case).
pub fn has_frames(html: &str) -> bool {
    html.as_bytes()
        .windows(7)
        .any(|w| w.eq_ignore_ascii_case(b"<iframe"))
}

/// Frames of allowed hosts replaced by numbered placeholders, the others
/// removed with their content. `None` when the HTML could not be read as
/// such, in which case every frame is left to the sanitiser, which drops
/// them.
pub fn set_aside(html: &str, hosts: &EmbedHosts) -> Option<(String, Vec<Frame>)> {
    use lol_html::html_content::ContentType;
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let frames = std::cell::RefCell::new(Vec::new());
    let out = rewrite_str(
        html,
        RewriteStrSettings::new().append_element_content_handler(element!("iframe", |el| {
            let src = el.get_attribute("src").unwrap_or_default();
            if !hosts.allows(&src) {
                el.remove();
                return Ok(());
            }
            let size = |name: &str| {
                el.get_attribute(name)
                    .and_then(|v| v.trim().parse::<u16>().ok())
                    .filter(|v| (1..=4000).contains(v))
            };
            let frame = Frame {
                src: src.trim().to_owned(),
                width: size("width"),
                height: size("height"),
                title: el
                    .get_attribute("title")
                    .map(|t| t.trim().chars().take(200).collect::<String>())
                    .filter(|t| !t.is_empty()),
            };
            let mut frames = frames.borrow_mut();
            el.replace(
                &format!("<div {PLACEHOLDER}=\"{}\"></div>", frames.len()),
                ContentType::Html,
            );
            frames.push(frame);
            Ok(())
        })),
    )
    .ok()?;
    Some((out, frames.into_inner()))
}

/// The sanitised HTML with each placeholder replaced by its frame; a
/// placeholder that names no frame set aside (one a writer typed) is
/// removed.
pub fn put_back(clean_html: &str, frames: &[Frame]) -> String {
    use lol_html::html_content::ContentType;
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let selector = format!("div[{PLACEHOLDER}]");
    rewrite_str(
        clean_html,
        RewriteStrSettings::new().append_element_content_handler(element!(selector, |el| {
            let frame = el
                .get_attribute(PLACEHOLDER)
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| frames.get(n));
            match frame {
                Some(frame) => el.replace(&frame.html(), ContentType::Html),
                None => el.remove(),
            }
            Ok(())
        })),
    )
    // The input is the sanitiser's own output; should it not be read, the
    // frames are lost, not the text.
    .unwrap_or_else(|_| clean_html.to_owned())
}

impl Frame {
    /// The frame as served: empty, with known attributes only.
    fn html(&self) -> String {
        let mut out = format!("<iframe src=\"{}\"", escape(&self.src));
        if let Some(width) = self.width {
            out.push_str(&format!(" width=\"{width}\""));
        }
        if let Some(height) = self.height {
            out.push_str(&format!(" height=\"{height}\""));
        }
        if let Some(title) = &self.title {
            out.push_str(&format!(" title=\"{}\"", escape(title)));
        }
        out.push_str(&format!(
            " sandbox=\"{SANDBOX}\" allow=\"{ALLOW}\" loading=\"lazy\" referrerpolicy=\"{REFERRER_POLICY}\" allowfullscreen></iframe>"
        ));
        out
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The frame a player link becomes in Markdown (then set aside like any
/// other).
pub fn player_frame(player: &str) -> String {
    format!(
        "<iframe src=\"{}\" width=\"560\" height=\"315\" title=\"Lecteur intégré\"></iframe>",
        escape(player)
    )
}

/// The player of a video or sound page, for a link alone in its Markdown
/// paragraph: YouTube (watch, shorts, youtu.be), Vimeo, Dailymotion
/// (dai.ly too) and Spotify. `None` for anything else, which stays a link.
pub fn player_of(link: &str) -> Option<String> {
    let url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "https" | "http") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let host = host.strip_prefix("m.").unwrap_or(host);
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let id = |raw: &str| -> Option<String> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        ok.then(|| raw.to_owned())
    };
    match (host, segments.as_slice()) {
        ("youtube.com", ["watch"]) => {
            let v = url.query_pairs().find(|(k, _)| k == "v")?.1;
            Some(format!(
                "https://www.youtube-nocookie.com/embed/{}",
                id(&v)?
            ))
        }
        ("youtube.com", ["shorts" | "live", video]) | ("youtu.be", [video]) => Some(format!(
            "https://www.youtube-nocookie.com/embed/{}",
            id(video)?
        )),
        ("vimeo.com", [video]) if video.chars().all(|c| c.is_ascii_digit()) => {
            Some(format!("https://player.vimeo.com/video/{}", id(video)?))
        }
        ("dailymotion.com", ["video", video]) | ("dai.ly", [video]) => Some(format!(
            "https://www.dailymotion.com/embed/video/{}",
            id(video)?
        )),
        (
            "open.spotify.com",
            [
                kind @ ("track" | "album" | "playlist" | "episode" | "show"),
                item,
            ],
        ) => Some(format!(
            "https://open.spotify.com/embed/{kind}/{}",
            id(item)?
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_their_subdomains_over_https_only() {
        let hosts = EmbedHosts::default();
        for allowed in [
            "https://www.youtube-nocookie.com/embed/abc",
            "https://www.youtube.com/embed/abc",
            "https://geo.dailymotion.com/player.html?video=x8",
            "https://platform.twitter.com/embed/Tweet.html?id=1",
            "https://open.spotify.com/embed/track/1",
        ] {
            assert!(hosts.allows(allowed), "{allowed}");
        }
        for refused in [
            "http://www.youtube.com/embed/abc",
            "https://evil.example/embed?youtube.com",
            "https://youtube.com.evil.example/embed",
            "https://notyoutube.com/embed",
            "https://user:pw@www.youtube.com/embed/abc",
            "javascript:alert(1)",
            "//www.youtube.com/embed/abc",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
        assert!(!EmbedHosts::from_setting(Some("none")).allows("https://youtube.com/embed/a"));
        let custom = EmbedHosts::from_setting(Some(" .Example.org , ,"));
        assert_eq!(custom.domains(), ["example.org"]);
        assert!(custom.allows("https://media.example.org/player"));
        assert!(!custom.allows("https://www.youtube.com/embed/abc"));
    }

    #[test]
    fn video_pages_become_their_players() {
        let cases = [
            (
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            ),
            (
                "https://youtu.be/dQw4w9WgXcQ",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            ),
            (
                "https://m.youtube.com/shorts/abc_DEF-1",
                "https://www.youtube-nocookie.com/embed/abc_DEF-1",
            ),
            (
                "https://vimeo.com/76979871",
                "https://player.vimeo.com/video/76979871",
            ),
            (
                "https://www.dailymotion.com/video/x8abcd",
                "https://www.dailymotion.com/embed/video/x8abcd",
            ),
            (
                "https://dai.ly/x8abcd",
                "https://www.dailymotion.com/embed/video/x8abcd",
            ),
            (
                "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk",
                "https://open.spotify.com/embed/episode/4rOoJ6Egrf8K2IrywzwOMk",
            ),
        ];
        for (page, player) in cases {
            assert_eq!(player_of(page).as_deref(), Some(player), "{page}");
        }
        for other in [
            "https://www.youtube.com/watch?v=\"><script>",
            "https://www.youtube.com/channel/UC",
            "https://vimeo.com/channels/staffpicks",
            "https://www.lemonde.fr/afrique/",
            "ftp://youtu.be/abc",
            "pas une adresse",
        ] {
            assert_eq!(player_of(other), None, "{other}");
        }
    }
}
