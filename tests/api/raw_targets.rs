//! Request lines sent with raw bytes above 0x7F, as curl sends `?q=é`, over
//! a plain TCP connection (an HTTP library would percent-encode them):
//! read as their percent-encoding, bodies left byte for byte, and bytes
//! that are no UTF-8 answered with problem+json.

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::content_fixtures::{byline, category, editor, published};
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

/// One response read off `stream`: status, lower-cased head, body.
async fn response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> (u16, String, Vec<u8>) {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        read_more(stream, buf).await;
    };
    let head = String::from_utf8(buf[..head_end].to_vec())
        .unwrap()
        .to_lowercase();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no content-length: {head}"));
    while buf.len() < head_end + length {
        read_more(stream, buf).await;
    }
    let body = buf[head_end..head_end + length].to_vec();
    buf.drain(..head_end + length);
    (status, head, body)
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) {
    let mut chunk = [0; 8192];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut chunk))
        .await
        .expect("an answer within 10 s")
        .expect("read");
    assert!(
        n > 0,
        "closed; read so far: {}",
        String::from_utf8_lossy(buf)
    );
    buf.extend_from_slice(&chunk[..n]);
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap()
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|err| {
        panic!("{err}: {}", String::from_utf8_lossy(body));
    })
}

async fn raw_utf8_request_lines_are_read_as_their_percent_encoding(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = editor(&app).await;
    let section = category(&app, &editor.token, "Économie", None).await;
    let author = byline(&app, &editor.token, "Zoé Adjovi").await;
    let id = |v: &Value| v["id"].as_i64().unwrap();
    published(
        &app,
        &editor.token,
        "Coopération régionale « CEDEAO » 🌍",
        id(&section),
        id(&author),
    )
    .await;

    // A search, a create whose body holds what looks like a raw request
    // line, the same in a chunked body, then searches for both: pipelined
    // on one connection, so each request line after a body is found where
    // HTTP/1 framing puts it.
    let title = "Titre « GET /é HTTP/1.1 » d’été";
    let create = json!({
        "title": title,
        "body": "\r\nGET /ç HTTP/1.1\r\n\r\n",
        "category_id": id(&section),
        "author_ids": [id(&author)],
        "status": "published",
    })
    .to_string();
    let chunked_title = "Deuxième « été » découpé";
    let chunked = json!({
        "title": chunked_title,
        "body": "Corps « é ».",
        "category_id": id(&section),
        "author_ids": [id(&author)],
        "status": "published",
    })
    .to_string();
    let (first, second) = chunked.as_bytes().split_at(chunked.len() / 2);
    let host = app.address.trim_start_matches("http://");
    let auth = format!("Authorization: Bearer {}\r\n", editor.token);
    let mut requests = Vec::new();
    requests.extend_from_slice(
        format!("GET /api/v1/articles?q=Coopération HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
    );
    requests.extend_from_slice(
        format!(
            "POST /api/v1/articles HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{create}",
            create.len()
        )
        .as_bytes(),
    );
    requests.extend_from_slice(
        format!(
            "POST /api/v1/articles HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x};note=é\r\n",
            first.len()
        )
        .as_bytes(),
    );
    requests.extend_from_slice(first);
    requests.extend_from_slice(format!("\r\n{:x}\r\n", second.len()).as_bytes());
    requests.extend_from_slice(second);
    requests.extend_from_slice(b"\r\n0\r\n\r\n");
    requests.extend_from_slice(
        format!("GET /api/v1/articles?q=d’été&fields=title HTTP/1.1\r\nHost: {host}\r\n\r\n")
            .as_bytes(),
    );
    requests.extend_from_slice(
        format!("GET /api/v1/articles?q=découpé HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
    );
    let mut stream = connect(&app).await;
    stream.write_all(&requests).await.unwrap();
    let mut buf = Vec::new();

    let (status, _, body) = response(&mut stream, &mut buf).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let found = json_of(&body);
    assert_eq!(found["data"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(
        found["data"][0]["title"],
        "Coopération régionale « CEDEAO » 🌍"
    );

    let (status, _, body) = response(&mut stream, &mut buf).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let made = json_of(&body);
    assert_eq!(made["title"], title);
    let (status, _, body) = response(&mut stream, &mut buf).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    assert_eq!(json_of(&body)["title"], chunked_title);

    let (status, _, body) = response(&mut stream, &mut buf).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let found = json_of(&body);
    assert_eq!(found["data"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["data"][0]["title"], title);
    let (status, _, body) = response(&mut stream, &mut buf).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(json_of(&body)["data"][0]["title"], chunked_title);

    // The body's bytes were stored as sent: its raw "request line" was not
    // encoded (read back through an ordinary client).
    let stored = app
        .get_as(
            &format!("/api/v1/articles/{}", made["id"]),
            Some(&editor.token),
        )
        .await;
    assert_eq!(stored.status(), 200);
    let stored: Value = stored.json().await.unwrap();
    assert_eq!(stored["body"], "\r\nGET /ç HTTP/1.1\r\n\r\n");
}
on_both_databases!(raw_utf8_request_lines_are_read_as_their_percent_encoding);

async fn raw_bytes_that_are_not_utf8_get_problem_json(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let host = app.address.trim_start_matches("http://");
    let unchanged = app.snapshot().await;
    // Latin-1 `é` (0xE9) in a query and in a path, then a request that
    // must still be answered on the same connection.
    let mut requests = Vec::new();
    requests.extend_from_slice(b"GET /api/v1/articles?q=caf\xE9 HTTP/1.1\r\nHost: ");
    requests.extend_from_slice(host.as_bytes());
    requests.extend_from_slice(b"\r\n\r\nGET /api/v1/categories/caf\xE9 HTTP/1.1\r\nHost: ");
    requests.extend_from_slice(host.as_bytes());
    requests.extend_from_slice(b"\r\n\r\nGET /api/v1/articles?q=caf\xC3\xA9 HTTP/1.1\r\nHost: ");
    requests.extend_from_slice(host.as_bytes());
    requests.extend_from_slice(b"\r\n\r\n");
    let mut stream = connect(&app).await;
    stream.write_all(&requests).await.unwrap();
    let mut buf = Vec::new();
    for field in ["q", "path"] {
        let (status, head, body) = response(&mut stream, &mut buf).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        let problem = json_of(&body);
        assert_eq!(problem["status"], 400, "{problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert_eq!(
            problem["errors"][0]["code"], "invalid_encoding",
            "{problem}"
        );
    }
    let (status, _, body) = response(&mut stream, &mut buf).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(app.snapshot().await, unchanged);
    // The same bytes percent-encoded by a client get the same answer.
    let encoded = app.get("/api/v1/articles?q=caf%E9").await;
    assert_eq!(encoded.status(), 400);
    assert_eq!(
        crate::helpers::problem(encoded, 400).await["errors"][0]["code"],
        "invalid_encoding"
    );
}
on_both_databases!(raw_bytes_that_are_not_utf8_get_problem_json);
