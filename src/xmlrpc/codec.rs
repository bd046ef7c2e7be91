//! XML-RPC on the wire: a lenient reader of `methodCall` documents and a
//! writer of `methodResponse` documents and faults.
//!
//! Lenient where real clients differ (untyped `<value>text</value>` is a
//! string, `<i8>`, `<nil/>` and `ex:`-prefixed types, base64 with line
//! breaks, whitespace between elements), strict where it matters: no
//! DOCTYPE (so no entity can be declared, expanded or fetched: billion
//! laughs and external entities have nothing to work with), only the five
//! predefined entities and character references, a nesting limit, and
//! every malformation a `Fault` rather than a panic.

use std::borrow::Cow;

use base64::Engine;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::fault::Fault;
use super::value::{Date, Value};

/// Arrays and structs nested deeper than this are refused: no client
/// needs more, and recursion must not meet a hostile document's depth.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub struct MethodCall {
    pub method: String,
    pub params: Vec<Value>,
}

/// Text borrows from the request body where it can (the base64 of a
/// photo is not copied before it is decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    Open(String),
    Close(String),
    Text(Cow<'a, str>),
}

fn not_well_formed(detail: impl std::fmt::Display) -> Fault {
    Fault::not_well_formed(format!("parse error. not well formed: {detail}"))
}

/// The document as open/close/text tokens, local names only, adjacent
/// text (and CDATA and references) joined.
fn tokens(body: &[u8]) -> Result<Vec<Token<'_>>, Fault> {
    let text = std::str::from_utf8(body).map_err(|_| not_well_formed("not UTF-8"))?;
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = true;
    let mut out: Vec<Token<'_>> = Vec::new();
    fn push_text<'a>(out: &mut Vec<Token<'a>>, s: Cow<'a, str>) {
        match out.last_mut() {
            Some(Token::Text(t)) => t.to_mut().push_str(&s),
            _ => out.push(Token::Text(s)),
        }
    }
    loop {
        match reader.read_event().map_err(not_well_formed)? {
            Event::Start(e) => {
                out.push(Token::Open(e.local_name().as_ref().to_owned()));
            }
            // Not produced with `expand_empty_elements`; the same tokens
            // if it were.
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_owned();
                out.push(Token::Open(name.clone()));
                out.push(Token::Close(name));
            }
            Event::End(e) => {
                out.push(Token::Close(e.local_name().as_ref().to_owned()));
            }
            Event::Text(e) => push_text(&mut out, e.xml10_content()),
            Event::CData(e) => push_text(&mut out, e.xml10_content()),
            Event::GeneralRef(e) => {
                let name = e.xml10_content().into_owned();
                if let Some(c) = e.resolve_char_ref().map_err(not_well_formed)? {
                    push_text(&mut out, Cow::Owned(c.to_string()));
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&name) {
                    push_text(&mut out, Cow::Borrowed(s));
                } else {
                    return Err(not_well_formed(format!("unknown entity &{name};")));
                }
            }
            Event::DocType(_) => {
                return Err(not_well_formed("a DOCTYPE is not allowed"));
            }
            Event::Eof => {
                let opened = out.iter().filter(|t| matches!(t, Token::Open(_))).count();
                let closed = out.iter().filter(|t| matches!(t, Token::Close(_))).count();
                if opened != closed {
                    return Err(not_well_formed("the document ends inside an element"));
                }
                break;
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.tokens.get(self.at)
    }

    /// Skips text made only of whitespace (between elements).
    fn skip_space(&mut self) {
        while let Some(Token::Text(t)) = self.peek() {
            if t.trim().is_empty() {
                self.at += 1;
            } else {
                break;
            }
        }
    }

    fn open(&mut self, name: &str) -> Result<(), Fault> {
        self.skip_space();
        match self.tokens.get(self.at) {
            Some(Token::Open(n)) if n == name => {
                self.at += 1;
                Ok(())
            }
            other => Err(Fault::invalid_request(format!(
                "server error. invalid xml-rpc. not conforming to spec: expected <{name}>, found {}",
                describe(other)
            ))),
        }
    }

    fn close(&mut self, name: &str) -> Result<(), Fault> {
        self.skip_space();
        match self.tokens.get(self.at) {
            Some(Token::Close(n)) if n == name => {
                self.at += 1;
                Ok(())
            }
            other => Err(Fault::invalid_request(format!(
                "server error. invalid xml-rpc. not conforming to spec: expected </{name}>, found {}",
                describe(other)
            ))),
        }
    }

    /// Text up to the closing tag (empty when there is none), moved out
    /// of the token list (each text is read once).
    fn text(&mut self) -> Cow<'a, str> {
        match self.tokens.get_mut(self.at) {
            Some(Token::Text(t)) => {
                let t = std::mem::take(t);
                self.at += 1;
                t
            }
            _ => Cow::Borrowed(""),
        }
    }

    fn is_open(&mut self, name: &str) -> bool {
        self.skip_space();
        matches!(self.peek(), Some(Token::Open(n)) if n == name)
    }

    fn value(&mut self, depth: usize) -> Result<Value, Fault> {
        if depth > MAX_DEPTH {
            return Err(Fault::invalid_request(
                "server error. invalid xml-rpc: values nested too deep",
            ));
        }
        self.open("value")?;
        // `<value>text</value>` (or nothing) is a string; whitespace
        // before a type element is not.
        let value = match self.tokens.get(self.at) {
            Some(Token::Close(n)) if n == "value" => Value::String(String::new()),
            Some(Token::Text(_))
                if !matches!(self.tokens.get(self.at + 1), Some(Token::Open(_))) =>
            {
                Value::String(self.text().into_owned())
            }
            _ => self.typed(depth)?,
        };
        self.close("value")?;
        Ok(value)
    }

    fn typed(&mut self, depth: usize) -> Result<Value, Fault> {
        self.skip_space();
        let Some(Token::Open(kind)) = self.peek().cloned() else {
            return Err(Fault::invalid_request(format!(
                "server error. invalid xml-rpc: expected a value, found {}",
                describe(self.peek())
            )));
        };
        self.at += 1;
        let bad = |what: &str, raw: &str| {
            Fault::invalid_request(format!(
                "server error. invalid xml-rpc: `{}` is not a valid {what}",
                raw.chars().take(40).collect::<String>()
            ))
        };
        let value = match kind.as_str() {
            "i4" | "int" | "i8" => {
                let raw = self.text();
                Value::Int(raw.trim().parse().map_err(|_| bad("int", &raw))?)
            }
            "boolean" => {
                let raw = self.text();
                match raw.trim() {
                    "1" | "true" => Value::Bool(true),
                    "0" | "false" => Value::Bool(false),
                    _ => return Err(bad("boolean", &raw)),
                }
            }
            "string" => Value::String(self.text().into_owned()),
            "double" => {
                let raw = self.text();
                Value::Double(raw.trim().parse().map_err(|_| bad("double", &raw))?)
            }
            "dateTime.iso8601" => {
                let raw = self.text();
                Value::DateTime(Date::parse(&raw).ok_or_else(|| bad("dateTime.iso8601", &raw))?)
            }
            "base64" => {
                let raw = self.text();
                Value::Base64(decode_base64(&raw).ok_or_else(|| bad("base64", &raw))?)
            }
            "nil" => Value::Nil,
            "struct" => {
                let mut members = Vec::new();
                while self.is_open("member") {
                    self.open("member")?;
                    self.open("name")?;
                    let name = self.text().into_owned();
                    self.close("name")?;
                    let value = self.value(depth + 1)?;
                    self.close("member")?;
                    members.push((name, value));
                }
                Value::Struct(members)
            }
            "array" => {
                self.open("data")?;
                let mut items = Vec::new();
                while self.is_open("value") {
                    items.push(self.value(depth + 1)?);
                }
                self.close("data")?;
                Value::Array(items)
            }
            other => {
                return Err(Fault::invalid_request(format!(
                    "server error. invalid xml-rpc: unknown type <{other}>"
                )));
            }
        };
        self.close(&kind)?;
        Ok(value)
    }
}

/// Base64 with line breaks and spaces anywhere (Python breaks lines every
/// 76 characters), padding optional: decoded in slices, so that the text
/// is never copied whole.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    const SLICE: usize = 64 * 1024;
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut pending = String::with_capacity(SLICE);
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        pending.push(c);
        // Whole groups of four only, and never a group after padding.
        if pending.len() == SLICE && !pending.ends_with('=') {
            engine.decode_vec(&pending, &mut out).ok()?;
            pending.clear();
        }
    }
    engine.decode_vec(&pending, &mut out).ok()?;
    Some(out)
}

fn describe(token: Option<&Token<'_>>) -> String {
    match token {
        Some(Token::Open(n)) => format!("<{n}>"),
        Some(Token::Close(n)) => format!("</{n}>"),
        Some(Token::Text(t)) => format!("text `{}`", t.chars().take(20).collect::<String>()),
        None => "the end of the document".to_owned(),
    }
}

/// Reads a `methodCall`: −32700 when the XML is not well formed, −32600
/// when it is not a method call.
pub fn parse_call(body: &[u8]) -> Result<MethodCall, Fault> {
    let mut parser = Parser {
        tokens: tokens(body)?,
        at: 0,
    };
    if parser
        .tokens
        .iter()
        .all(|t| matches!(t, Token::Text(s) if s.trim().is_empty()))
    {
        return Err(Fault::invalid_request(
            "XML-RPC server accepts POST requests only.",
        ));
    }
    parser.open("methodCall")?;
    parser.open("methodName")?;
    let method = parser.text().trim().to_owned();
    parser.close("methodName")?;
    let mut params = Vec::new();
    if parser.is_open("params") {
        parser.open("params")?;
        while parser.is_open("param") {
            parser.open("param")?;
            params.push(parser.value(0)?);
            parser.close("param")?;
        }
        parser.close("params")?;
    }
    parser.close("methodCall")?;
    parser.skip_space();
    if parser.peek().is_some() {
        return Err(Fault::invalid_request(
            "server error. invalid xml-rpc: content after </methodCall>",
        ));
    }
    if method.is_empty() {
        return Err(Fault::invalid_request(
            "server error. invalid xml-rpc: no method name",
        ));
    }
    Ok(MethodCall { method, params })
}

/// Text as XML character data: the markup characters escaped, and the
/// characters XML 1.0 cannot carry (C0 controls but tab and newlines)
/// replaced, so that every client's parser reads the document.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\t' | '\n' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

fn write_value(value: &Value, out: &mut String) {
    out.push_str("<value>");
    match value {
        Value::Int(n) if i32::try_from(*n).is_ok() => {
            out.push_str(&format!("<int>{n}</int>"));
        }
        // Beyond i4: as a string, which every client reads (i8 is an
        // extension few parse).
        Value::Int(n) => out.push_str(&format!("<string>{n}</string>")),
        Value::Bool(b) => out.push_str(if *b {
            "<boolean>1</boolean>"
        } else {
            "<boolean>0</boolean>"
        }),
        Value::String(s) => {
            out.push_str("<string>");
            escape(s, out);
            out.push_str("</string>");
        }
        Value::Double(d) => out.push_str(&format!("<double>{d}</double>")),
        Value::DateTime(d) => {
            out.push_str("<dateTime.iso8601>");
            out.push_str(&d.format());
            out.push_str("</dateTime.iso8601>");
        }
        Value::Base64(bytes) => {
            out.push_str("<base64>");
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(bytes));
            out.push_str("</base64>");
        }
        Value::Struct(members) => {
            out.push_str("<struct>");
            for (name, value) in members {
                out.push_str("<member><name>");
                escape(name, out);
                out.push_str("</name>");
                write_value(value, out);
                out.push_str("</member>");
            }
            out.push_str("</struct>");
        }
        Value::Array(items) => {
            out.push_str("<array><data>");
            for item in items {
                write_value(item, out);
            }
            out.push_str("</data></array>");
        }
        Value::Nil => out.push_str("<nil/>"),
    }
    out.push_str("</value>");
}

const PROLOGUE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// A successful response carrying `value`.
pub fn write_response(value: &Value) -> String {
    let mut out = String::from(PROLOGUE);
    out.push_str("<methodResponse><params><param>");
    write_value(value, &mut out);
    out.push_str("</param></params></methodResponse>\n");
    out
}

/// A fault response (sent with HTTP 200, as every client expects).
pub fn write_fault(fault: &Fault) -> String {
    let mut out = String::from(PROLOGUE);
    out.push_str("<methodResponse><fault>");
    write_value(
        &Value::structure([
            ("faultCode", Value::Int(i64::from(fault.code))),
            ("faultString", Value::string(fault.message.clone())),
        ]),
        &mut out,
    );
    out.push_str("</fault></methodResponse>\n");
    out
}

/// A method call written as clients write it (for tests and tools).
pub fn write_call(call: &MethodCall) -> String {
    let mut out = String::from(PROLOGUE);
    out.push_str("<methodCall><methodName>");
    escape(&call.method, &mut out);
    out.push_str("</methodName><params>");
    for param in &call.params {
        out.push_str("<param>");
        write_value(param, &mut out);
        out.push_str("</param>");
    }
    out.push_str("</params></methodCall>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmlrpc::value::Zone;

    fn date(s: &str) -> Value {
        Value::DateTime(Date::parse(s).unwrap())
    }

    fn call(xml: &str) -> Result<MethodCall, Fault> {
        parse_call(xml.as_bytes())
    }

    #[test]
    fn every_value_type_is_read() {
        let xml = r#"<?xml version="1.0"?>
<methodCall>
  <methodName>metaWeblog.newPost</methodName>
  <params>
    <param><value><i4>1</i4></value></param>
    <param><value><int>-7</int></value></param>
    <param><value><ex:i8 xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions">9007199254740993</ex:i8></value></param>
    <param><value><boolean>1</boolean></value></param>
    <param><value><string>« Cotonou » l’été 🌍 &amp; &lt;b&gt; &#233;&#x1F4F0;</string></value></param>
    <param><value>sans type</value></param>
    <param><value></value></param>
    <param><value><string/></value></param>
    <param><value><double>-1.5</double></value></param>
    <param><value><dateTime.iso8601>20261201T10:30:00</dateTime.iso8601></value></param>
    <param><value><dateTime.iso8601>2026-12-01T10:30:00Z</dateTime.iso8601></value></param>
    <param><value><base64>
      aGVs
      bG8=
    </base64></value></param>
    <param><value><nil/></value></param>
    <param><value><struct>
      <member><name>title</name><value><![CDATA[<em>Titre</em> & co]]></value></member>
      <member><name>categories</name><value><array><data>
        <value>Diplomatie</value><value><string>Bénin</string></value>
      </data></array></value></member>
      <member><name>empty</name><value><array><data/></array></value></member>
    </struct></value></param>
  </params>
</methodCall>"#;
        let parsed = call(xml).unwrap();
        assert_eq!(parsed.method, "metaWeblog.newPost");
        assert_eq!(
            parsed.params,
            vec![
                Value::Int(1),
                Value::Int(-7),
                Value::Int(9_007_199_254_740_993),
                Value::Bool(true),
                Value::string("« Cotonou » l’été 🌍 & <b> é📰"),
                Value::string("sans type"),
                Value::string(""),
                Value::string(""),
                Value::Double(-1.5),
                date("20261201T10:30:00"),
                date("2026-12-01T10:30:00Z"),
                Value::Base64(b"hello".to_vec()),
                Value::Nil,
                Value::structure([
                    ("title", Value::string("<em>Titre</em> & co")),
                    (
                        "categories",
                        Value::Array(vec![Value::string("Diplomatie"), Value::string("Bénin")]),
                    ),
                    ("empty", Value::Array(vec![])),
                ]),
            ]
        );
        match &parsed.params[10] {
            Value::DateTime(d) => assert_eq!(d.zone, Zone::Offset(0)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn large_base64_with_line_breaks_is_decoded_in_slices() {
        let bytes: Vec<u8> = (0..300_000u32).map(|n| (n * 7 % 251) as u8).collect();
        let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let lines: Vec<&str> = encoded
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        assert_eq!(decode_base64(&lines.join("\n")), Some(bytes.clone()));
        assert_eq!(decode_base64(encoded.trim_end_matches('=')), Some(bytes));
        assert_eq!(decode_base64("aGVsbG8=\r\n"), Some(b"hello".to_vec()));
        assert_eq!(decode_base64("a@b="), None);
    }

    #[test]
    fn a_call_without_params_is_read() {
        let parsed =
            call("<methodCall><methodName>mt.supportedTextFilters</methodName></methodCall>")
                .unwrap();
        assert_eq!(parsed.params, vec![]);
    }

    #[test]
    fn malformed_documents_are_faults_with_the_spec_codes() {
        for (xml, code) in [
            ("", -32600),
            ("<methodCall><methodName>x</methodName>", -32700),
            ("<methodCall><methodName>x</methodName></methodCal>", -32700),
            ("not xml at all <", -32700),
            ("<methodResponse><params/></methodResponse>", -32600),
            ("<methodCall><params/></methodCall>", -32600),
            (
                "<methodCall><methodName> </methodName></methodCall>",
                -32600,
            ),
            (
                "<methodCall><methodName>x</methodName><params><param><value><int>douze</int></value></param></params></methodCall>",
                -32600,
            ),
            (
                "<methodCall><methodName>x</methodName><params><param><value><base64>@@@</base64></value></param></params></methodCall>",
                -32600,
            ),
            (
                "<methodCall><methodName>x</methodName><params><param><value><dateTime.iso8601>hier</dateTime.iso8601></value></param></params></methodCall>",
                -32600,
            ),
            (
                "<methodCall><methodName>x</methodName><params><param><value><blob>1</blob></value></param></params></methodCall>",
                -32600,
            ),
            (
                "<methodCall><methodName>x</methodName></methodCall><methodCall/>",
                -32600,
            ),
            (
                "<methodCall><methodName>&unknown;</methodName></methodCall>",
                -32700,
            ),
        ] {
            let fault = call(xml).expect_err(xml);
            assert_eq!(fault.code, code, "{xml}: {}", fault.message);
        }
    }

    #[test]
    fn entities_are_never_declared_expanded_or_fetched() {
        let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<methodCall><methodName>&lol2;</methodName></methodCall>"#;
        assert_eq!(call(laughs).unwrap_err().code, -32700);
        let external = r#"<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<methodCall><methodName>x</methodName><params><param><value>&xxe;</value></param></params></methodCall>"#;
        assert_eq!(call(external).unwrap_err().code, -32700);
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing_through_it() {
        let depth = 10_000;
        let xml = format!(
            "<methodCall><methodName>x</methodName><params><param>{}{}</param></params></methodCall>",
            "<value><array><data>".repeat(depth),
            "</data></array></value>".repeat(depth)
        );
        assert_eq!(call(&xml).unwrap_err().code, -32600);
    }

    #[test]
    fn responses_and_faults_are_written_as_clients_read_them() {
        let value = Value::structure([
            ("id", Value::Int(12)),
            ("big", Value::Int(1 << 40)),
            ("title", Value::string("« Niger » & <Bénin> \u{0007}")),
            ("ok", Value::Bool(true)),
            ("when", date("20261201T10:30:00")),
            ("tags", Value::Array(vec![Value::string("a")])),
        ]);
        let xml = write_response(&value);
        assert!(xml.contains("<member><name>id</name><value><int>12</int></value></member>"));
        assert!(xml.contains("<string>1099511627776</string>"));
        assert!(xml.contains("« Niger » &amp; &lt;Bénin&gt; \u{FFFD}"));
        assert!(xml.contains("<dateTime.iso8601>20261201T10:30:00</dateTime.iso8601>"));
        let fault = write_fault(&Fault::bad_login());
        assert!(fault.contains("<name>faultCode</name><value><int>403</int></value>"));
        assert!(fault.contains("Incorrect username or password."));
        // What we write, we read back.
        let back = call(&write_call(&MethodCall {
            method: "m".to_owned(),
            params: vec![value.clone()],
        }))
        .unwrap();
        let Value::Struct(members) = &back.params[0] else {
            panic!()
        };
        assert_eq!(members[0], ("id".to_owned(), Value::Int(12)));
        assert_eq!(members[2].1, Value::string("« Niger » & <Bénin> \u{FFFD}"));
    }

    /// Python's `xmlrpc.client` (what python-wordpress-xmlrpc and many
    /// scripts use) on both sides: what it writes we read, what we write
    /// it reads. Skipped without python3, except under CI.
    #[test]
    fn round_trips_with_pythons_xmlrpc_client() {
        let python = |script: &str, input: &str| -> Option<String> {
            use std::io::Write;
            let mut child = match std::process::Command::new("python3")
                .args(["-c", script])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
            {
                Ok(child) => child,
                Err(_) if std::env::var("CI").as_deref() != Ok("true") => return None,
                Err(e) => panic!("python3 is needed under CI: {e}"),
            };
            child.stdin.take()?.write_all(input.as_bytes()).ok()?;
            let output = child.wait_with_output().ok()?;
            assert!(output.status.success(), "python failed");
            String::from_utf8(output.stdout).ok()
        };
        let dumps = r#"
import sys, xmlrpc.client, datetime
params = ({"title": "« Cotonou » l’été 🌍 & <b>", "n": 42, "neg": -1, "flag": False,
           "ratio": 0.25, "when": datetime.datetime(2026, 12, 1, 10, 30, 0),
           "bits": xmlrpc.client.Binary(b"\x00\x01binary\xff" * 100),
           "list": [1, "deux", [3.5], {}], "none": None},)
sys.stdout.write(xmlrpc.client.dumps(params, methodname="wp.newPost", allow_none=True))
"#;
        let Some(xml) = python(dumps, "") else {
            return;
        };
        let parsed = call(&xml).unwrap();
        assert_eq!(parsed.method, "wp.newPost");
        let p = &parsed.params[0];
        assert_eq!(
            p.member("title"),
            Some(&Value::string("« Cotonou » l’été 🌍 & <b>"))
        );
        assert_eq!(p.member("n"), Some(&Value::Int(42)));
        assert_eq!(p.member("neg"), Some(&Value::Int(-1)));
        assert_eq!(p.member("flag"), Some(&Value::Bool(false)));
        assert_eq!(p.member("ratio"), Some(&Value::Double(0.25)));
        assert_eq!(p.member("when"), Some(&date("20261201T10:30:00")));
        assert_eq!(
            p.member("bits"),
            Some(&Value::Base64(b"\x00\x01binary\xff".repeat(100)))
        );
        assert_eq!(
            p.member("list"),
            Some(&Value::Array(vec![
                Value::Int(1),
                Value::string("deux"),
                Value::Array(vec![Value::Double(3.5)]),
                Value::Struct(vec![]),
            ]))
        );
        assert_eq!(p.member("none"), Some(&Value::Nil));

        let loads = r#"
import sys, xmlrpc.client
(value,), _ = xmlrpc.client.loads(sys.stdin.read(), use_builtin_types=True)
sys.stdout.write(repr(sorted(value.items())))
"#;
        let ours = write_response(&Value::structure([
            ("title", Value::string("« Niger » l’été 🌍 & <i>")),
            ("id", Value::Int(7)),
            ("sticky", Value::Bool(true)),
            ("date", date("20261201T10:30:00")),
            ("bits", Value::Base64(vec![0, 1, 2, 255])),
            (
                "terms",
                Value::Array(vec![Value::structure([("name", Value::string("Bénin"))])]),
            ),
            ("ratio", Value::Double(1.5)),
        ]));
        let read = python(loads, &ours).unwrap();
        assert_eq!(
            read,
            "[('bits', b'\\x00\\x01\\x02\\xff'), ('date', datetime.datetime(2026, 12, 1, 10, 30)), \
             ('id', 7), ('ratio', 1.5), ('sticky', True), ('terms', [{'name': 'Bénin'}]), \
             ('title', '« Niger » l’été 🌍 & <i>')]"
        );
        let fault = python(
            "import sys, xmlrpc.client\ntry:\n    xmlrpc.client.loads(sys.stdin.read())\nexcept xmlrpc.client.Fault as f:\n    sys.stdout.write(f'{f.faultCode} {f.faultString}')",
            &write_fault(&Fault::not_allowed("Désolé, vous n’avez pas le droit de publier.")),
        )
        .unwrap();
        assert_eq!(fault, "401 Désolé, vous n’avez pas le droit de publier.");
    }
}
