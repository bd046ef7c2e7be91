//! How editors find the XML-RPC endpoint and the REST API from the site's
//! address: the home page's `https://api.w.org/`, `EditURI` and
//! `wlwmanifest` links (and Micropub's and IndieAuth's, `LINKS`), the RSD
//! document listing the
//! APIs, and the Windows Live Writer manifest that tells Open Live Writer
//! it talks to WordPress and gives it a layout, so that it does not
//! publish (and then delete) a temporary post to learn the theme.

/// XML text: the five markup characters escaped.
fn xml(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// The home page's discovery links (`rel`, path), as `Link` headers and
/// `<link>` elements: WordPress's REST API, Micropub and its media
/// endpoint, IndieAuth's metadata and, for clients of the older
/// IndieAuth, its two endpoints.
pub const LINKS: &[(&str, &str)] = &[
    ("https://api.w.org/", "/wp-json/"),
    ("micropub", crate::micropub::routes::PATH),
    ("micropub_media", crate::micropub::routes::MEDIA_PATH),
    ("indieauth-metadata", crate::indieauth::metadata::PATH),
    ("authorization_endpoint", crate::indieauth::authorize::PATH),
    ("token_endpoint", crate::indieauth::token::PATH),
];

/// `LINKS` as one `Link` header value, with the RSD document's.
pub fn link_header(origin: &str) -> String {
    let mut links: Vec<String> = LINKS
        .iter()
        .map(|(rel, path)| format!("<{origin}{path}>; rel=\"{rel}\""))
        .collect();
    links.push(format!(
        "<{origin}/xmlrpc.php?rsd>; rel=\"EditURI\"; type=\"application/rsd+xml\""
    ));
    links.join(", ")
}

/// `GET /` for a browser or an editor: a small page whose head carries
/// the discovery links.
pub fn home_page(origin: &str, title: &str, description: &str, language: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <meta name=\"description\" content=\"{description}\">\n{links}\
         <link rel=\"EditURI\" type=\"application/rsd+xml\" title=\"RSD\" href=\"{origin}/xmlrpc.php?rsd\">\n\
         <link rel=\"wlwmanifest\" type=\"application/wlwmanifest+xml\" href=\"{origin}/wlwmanifest.xml\">\n\
         </head>\n<body>\n<h1>{title}</h1>\n<p>{description}</p>\n\
         {service}</body>\n</html>\n",
        service = crate::home::links_html(),
        lang = xml(language),
        title = xml(title),
        description = xml(description),
        links = LINKS
            .iter()
            .map(|(rel, path)| format!(
                "<link rel=\"{rel}\" href=\"{}\">\n",
                xml(&format!("{origin}{path}"))
            ))
            .collect::<String>(),
    )
}

/// `GET /xmlrpc.php?rsd`: the four APIs at one endpoint, WordPress's
/// preferred (Open Live Writer then uses its WordPress client).
pub fn rsd(origin: &str, home: &str) -> String {
    let endpoint = xml(&format!("{origin}/xmlrpc.php"));
    let apis = [("WordPress", true), ("Movable Type", false), ("MetaWeblog", false), ("Blogger", false)]
        .iter()
        .map(|(name, preferred)| {
            format!(
                "      <api name=\"{name}\" blogID=\"1\" preferred=\"{preferred}\" apiLink=\"{endpoint}\" />\n"
            )
        })
        .collect::<String>();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rsd version=\"1.0\" xmlns=\"http://archipelago.phrasewise.com/rsd\">\n  <service>\n    \
         <engineName>WordPress</engineName>\n    <engineLink>https://wordpress.org/</engineLink>\n    \
         <homePageLink>{home}</homePageLink>\n    <apis>\n{apis}    </apis>\n  </service>\n</rsd>\n",
        home = xml(home),
    )
}

/// `GET /wlwmanifest.xml`: the WordPress client type, the options the
/// server supports, and the two views (layout and preview templates) so
/// that Open Live Writer never runs its temporary-post detection.
pub fn wlw_manifest(origin: &str) -> String {
    let template = xml(&format!("{origin}/wlw/template.html"));
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<manifest xmlns=\"http://schemas.microsoft.com/wlw/manifest/weblog\">\n  \
         <options>\n    <clientType>WordPress</clientType>\n    <supportsKeywords>Yes</supportsKeywords>\n    \
         <supportsGetTags>Yes</supportsGetTags>\n    <supportsNewCategories>No</supportsNewCategories>\n    \
         <supportsPages>No</supportsPages>\n    <supportsFileUpload>Yes</supportsFileUpload>\n  </options>\n  \
         <weblog>\n    <serviceName>Rédaction</serviceName>\n    <homepageLinkText>Voir le site</homepageLinkText>\n  </weblog>\n  \
         <views>\n    <default>WebLayout</default>\n    <view type=\"WebLayout\" src=\"{template}\" />\n    \
         <view type=\"WebPreview\" src=\"{template}\" />\n  </views>\n</manifest>\n"
    )
}

/// The page Open Live Writer edits in: its title and body placeholders.
pub const TEMPLATE: &str = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>{post-title}</title>\n\
<style>body{font-family:Georgia,serif;max-width:42rem;margin:2rem auto;line-height:1.6}img{max-width:100%;height:auto}</style>\n\
</head>\n<body>\n<h1>{post-title}</h1>\n<div>{post-body}</div>\n</body>\n</html>\n";
