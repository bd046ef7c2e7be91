//! What agency photos say about themselves: the caption, credit and title
//! written in their IPTC (Photoshop's resource 0x0404) or XMP, read to
//! prefill an upload's `caption`, `credit` and `title` when the upload does
//! not give them. WordPress reads the same fields (`wp_read_image_metadata`):
//! IPTC first, the credit falling back to the byline.
//!
//! Both are read defensively: a malformed block gives nothing, never an
//! error (the image itself may still be good).

/// Longest value kept from a photo: captions longer than this are cut.
const MAX_CHARS: usize = 2_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Embedded {
    pub title: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

impl Embedded {
    /// From the IPTC resource block (after "Photoshop 3.0\0") and the XMP
    /// packet, either of which may be missing.
    pub fn read(iptc: Option<&[u8]>, xmp: Option<&[u8]>) -> Self {
        let from_iptc = iptc.map(read_iptc).unwrap_or_default();
        let from_xmp = xmp.map(read_xmp).unwrap_or_default();
        Self {
            title: from_iptc.title.or(from_xmp.title),
            caption: from_iptc.caption.or(from_xmp.caption),
            credit: from_iptc.credit.or(from_xmp.credit),
        }
    }
}

fn clean(raw: &str) -> Option<String> {
    let text: String = raw
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .take(MAX_CHARS)
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// IPTC-IIM datasets inside Photoshop's image resource blocks.
fn read_iptc(irb: &[u8]) -> Embedded {
    let mut datasets: Vec<(u8, u8, &[u8])> = Vec::new();
    let mut rest = irb;
    while rest.len() >= 12 && rest.starts_with(b"8BIM") {
        let id = u16::from_be_bytes([rest[4], rest[5]]);
        let name_total = (1 + rest[6] as usize + 1) & !1;
        let Some(after_name) = rest.get(6 + name_total..) else {
            break;
        };
        let Some(size) = after_name
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .map(|b: [u8; 4]| u32::from_be_bytes(b) as usize)
        else {
            break;
        };
        let Some(data) = after_name.get(4..4 + size) else {
            break;
        };
        if id == 0x0404 {
            let mut d = data;
            while d.len() >= 5 && d[0] == 0x1C {
                let len = u16::from_be_bytes([d[3], d[4]]) as usize;
                // Extended lengths are for binary data, never these fields.
                if len & 0x8000 != 0 {
                    break;
                }
                let Some(value) = d.get(5..5 + len) else {
                    break;
                };
                datasets.push((d[1], d[2], value));
                d = &d[5 + len..];
            }
        }
        rest = after_name.get(4 + size + (size & 1)..).unwrap_or(&[]);
    }
    let text = |wanted: u8| {
        datasets
            .iter()
            .find(|&&(record, set, _)| record == 2 && set == wanted)
            .and_then(|&(_, _, value)| {
                // Files without the UTF-8 mark (1:90) are usually Latin-1,
                // whose accented letters are never valid UTF-8.
                let decoded = match std::str::from_utf8(value) {
                    Ok(text) => text.to_owned(),
                    Err(_) => value.iter().map(|&b| char::from(b)).collect(),
                };
                clean(&decoded)
            })
    };
    Embedded {
        // Headline, then Object Name.
        title: text(105).or_else(|| text(5)),
        caption: text(120),
        // Credit, then By-line.
        credit: text(110).or_else(|| text(80)),
    }
}

fn read_xmp(packet: &[u8]) -> Embedded {
    const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    const DC: &str = "http://purl.org/dc/elements/1.1/";
    const PHOTOSHOP: &str = "http://ns.adobe.com/photoshop/1.0/";
    let Ok(text) = std::str::from_utf8(packet) else {
        return Embedded::default();
    };
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let Ok(doc) = roxmltree::Document::parse_with_options(text.trim_end_matches('\0'), options)
    else {
        return Embedded::default();
    };
    let mut found = Embedded::default();
    for description in doc
        .descendants()
        .filter(|n| n.has_tag_name((RDF, "Description")))
    {
        let value = |ns: &str, name: &str| -> Option<String> {
            if let Some(v) = description.attribute((ns, name)) {
                return clean(v);
            }
            let element = description
                .children()
                .find(|c| c.has_tag_name((ns, name)))?;
            // An rdf:Alt/Seq/Bag's first item, or the element's own text.
            let item = element.descendants().find(|d| d.has_tag_name((RDF, "li")));
            clean(item.and_then(|li| li.text()).or(element.text())?)
        };
        found.title = found
            .title
            .or_else(|| value(PHOTOSHOP, "Headline"))
            .or_else(|| value(DC, "title"));
        found.caption = found.caption.or_else(|| value(DC, "description"));
        found.credit = found
            .credit
            .or_else(|| value(PHOTOSHOP, "Credit"))
            .or_else(|| value(DC, "creator"));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iptc(datasets: &[(u8, u8, &[u8])]) -> Vec<u8> {
        let mut iim = Vec::new();
        for &(record, set, value) in datasets {
            iim.extend_from_slice(&[0x1C, record, set]);
            iim.extend_from_slice(&(value.len() as u16).to_be_bytes());
            iim.extend_from_slice(value);
        }
        let mut block = b"8BIM\x04\x04\0\0".to_vec();
        block.extend_from_slice(&(iim.len() as u32).to_be_bytes());
        block.extend_from_slice(&iim);
        if iim.len() % 2 == 1 {
            block.push(0);
        }
        block
    }

    #[test]
    fn iptc_fields_are_read_in_utf8_and_latin1() {
        let utf8 = iptc(&[
            (1, 90, b"\x1b%G"),
            (2, 5, "Sommet de la CEDEAO".as_bytes()),
            (2, 80, b"Jean Dupont"),
            (
                2,
                120,
                "Les chefs d’État réunis à Abuja « en urgence »".as_bytes(),
            ),
        ]);
        let read = Embedded::read(Some(&utf8), None);
        assert_eq!(read.title.as_deref(), Some("Sommet de la CEDEAO"));
        assert_eq!(read.credit.as_deref(), Some("Jean Dupont"));
        assert_eq!(
            read.caption.as_deref(),
            Some("Les chefs d’État réunis à Abuja « en urgence »")
        );
        let latin1 = iptc(&[(2, 110, b"Agence Fran\xe7aise")]);
        assert_eq!(
            Embedded::read(Some(&latin1), None).credit.as_deref(),
            Some("Agence Française")
        );
    }

    #[test]
    fn xmp_fields_are_read_from_attributes_and_elements() {
        let xmp = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:Credit="AFP">
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Niamey, le 3 mars</rdf:li></rdf:Alt></dc:description>
</rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let read = Embedded::read(None, Some(xmp.as_bytes()));
        assert_eq!(read.credit.as_deref(), Some("AFP"));
        assert_eq!(read.caption.as_deref(), Some("Niamey, le 3 mars"));
        assert_eq!(read.title, None);
    }

    #[test]
    fn broken_blocks_give_nothing() {
        assert_eq!(
            Embedded::read(Some(b"8BIM\x04\x04\x09"), Some(b"<x:xmpmeta")),
            Embedded::default()
        );
        assert_eq!(
            Embedded::read(Some(&iptc(&[(2, 120, &[0x1C; 3])])[..20]), None),
            Embedded::default()
        );
    }
}
