//! Request targets sent with raw bytes above 0x7F (`GET /articles?q=é`,
//! which curl and many scripts send as they are given) are read as their
//! percent-encoding (`?q=%C3%A9`), as nginx and Apache (and so WordPress)
//! accept them.
//!
//! actix-http refuses such a request line in its parser, before any
//! application code runs, with an empty 400 and no way to shape that
//! answer. So each connection's bytes pass through [`RawTargets`] on their
//! way to actix: it percent-encodes every byte above 0x7F of each request
//! line and passes everything else unchanged. To know where the next
//! request line starts it follows HTTP/1 framing (a head, then a
//! `Content-Length` body or a chunked one, pipelined requests one after the
//! other). Where the framing is anything it does not follow exactly
//! (`Upgrade`, `CONNECT`, a `Transfer-Encoding` other than chunked, two
//! lengths that disagree, an obsolete folded header, an overlong line), it
//! stops looking and passes the rest of the connection unchanged: actix
//! then answers or refuses it as it would have anyway, and no byte of a
//! body is ever changed.
//!
//! What the application then sees is an ordinary encoded target: a raw
//! UTF-8 `é` is found like `%C3%A9`, and bytes that are not UTF-8 (Latin-1
//! `0xE9`) get the same problem+json 400 as `%E9`.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The longest header or chunk-size line whose content is kept to read
/// the framing; longer lines only matter when they carry it (then the rest
/// of the connection passes unchanged).
const KEPT_LINE: usize = 256;

/// A connection's stream with its request lines' raw bytes percent-encoded.
#[derive(Debug)]
pub struct RawTargets<IO> {
    io: IO,
    framing: Framing,
    /// Encoded bytes the reader's buffer had no room for yet.
    pending: Vec<u8>,
    pending_from: usize,
}

impl<IO> RawTargets<IO> {
    pub fn new(io: IO) -> Self {
        Self {
            io,
            framing: Framing::default(),
            pending: Vec::new(),
            pending_from: 0,
        }
    }

    pub fn get_ref(&self) -> &IO {
        &self.io
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for RawTargets<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pending_from < this.pending.len() {
            this.give_pending(buf);
            return Poll::Ready(Ok(()));
        }
        if this.framing.is_passthrough() {
            return Pin::new(&mut this.io).poll_read(cx, buf);
        }
        let start = buf.filled().len();
        ready!(Pin::new(&mut this.io).poll_read(cx, buf))?;
        let read = &buf.filled()[start..];
        let unchanged = this.framing.advance(read);
        if unchanged == read.len() {
            return Poll::Ready(Ok(()));
        }
        // A byte to encode: what follows it is re-read into `pending`,
        // encoded where it must be, and given as room allows.
        let rest = read[unchanged..].to_vec();
        buf.set_filled(start + unchanged);
        this.pending.clear();
        this.pending_from = 0;
        let mut at = 0;
        while at < rest.len() {
            let byte = rest[at];
            if this.framing.wants_encoding(byte) {
                this.pending.extend_from_slice(&percent(byte));
                this.framing.advance_encoded(byte);
                at += 1;
            } else {
                let kept = this.framing.advance(&rest[at..]);
                this.pending.extend_from_slice(&rest[at..at + kept]);
                at += kept;
            }
        }
        this.give_pending(buf);
        Poll::Ready(Ok(()))
    }
}

impl<IO> RawTargets<IO> {
    fn give_pending(&mut self, buf: &mut ReadBuf<'_>) {
        let left = &self.pending[self.pending_from..];
        let given = left.len().min(buf.remaining());
        buf.put_slice(&left[..given]);
        self.pending_from += given;
        if self.pending_from == self.pending.len() {
            self.pending.clear();
            self.pending_from = 0;
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for RawTargets<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

fn percent(byte: u8) -> [u8; 3] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    [
        b'%',
        HEX[usize::from(byte >> 4)],
        HEX[usize::from(byte & 0xF)],
    ]
}

/// Where the incoming bytes are in HTTP/1 framing.
#[derive(Debug)]
enum Framing {
    /// Before or in a request line.
    RequestLine {
        started: bool,
        method: Line,
    },
    Headers {
        head: Head,
        line: Line,
    },
    Body {
        left: u64,
    },
    ChunkSize {
        line: Line,
    },
    ChunkData {
        left: u64,
    },
    /// The CRLF after a chunk's data: how many of its two bytes were seen.
    ChunkDataEnd {
        seen: u8,
    },
    Trailers {
        line: Line,
    },
    Passthrough,
}

impl Default for Framing {
    fn default() -> Self {
        Self::RequestLine {
            started: false,
            method: Line::default(),
        }
    }
}

/// What a request head says about what follows it.
#[derive(Debug, Default)]
struct Head {
    connect: bool,
    content_length: Option<u64>,
    transfer_encoding: Option<Vec<u8>>,
    /// Something [`Framing`] does not follow: the rest passes unchanged.
    unfollowed: bool,
}

/// One line's first [`KEPT_LINE`] bytes, and whether it was longer.
#[derive(Debug, Default)]
struct Line {
    kept: Vec<u8>,
    overlong: bool,
}

impl Line {
    fn push(&mut self, byte: u8) {
        if self.kept.len() < KEPT_LINE {
            self.kept.push(byte);
        } else {
            self.overlong = true;
        }
    }

    /// Whether the line ends with CR and has no other, as chunked framing
    /// wants in actix (a bare LF or a lone CR is its error).
    fn ends_with_cr_only(&self) -> bool {
        !self.overlong && self.text().len() + 1 == self.kept.len() && !self.text().contains(&b'\r')
    }

    /// The line without its line ending.
    fn text(&self) -> &[u8] {
        self.kept.strip_suffix(b"\r").unwrap_or(&self.kept)
    }
}

impl Framing {
    fn is_passthrough(&self) -> bool {
        matches!(self, Self::Passthrough)
    }

    /// Whether `byte`, the next one, is to be sent percent-encoded.
    fn wants_encoding(&self, byte: u8) -> bool {
        byte > 0x7F && matches!(self, Self::RequestLine { .. })
    }

    /// Follows an encoded byte (part of a request line).
    fn advance_encoded(&mut self, byte: u8) {
        if let Self::RequestLine { started, method } = self {
            *started = true;
            // A method has no such byte: only its first word is kept.
            if !method.kept.contains(&b' ') {
                method.push(byte);
            }
        }
    }

    /// Follows `bytes` until one that is to be encoded; returns how many
    /// pass unchanged.
    fn advance(&mut self, bytes: &[u8]) -> usize {
        let mut at = 0;
        while at < bytes.len() {
            match self {
                Self::Passthrough => return bytes.len(),
                Self::Body { left } | Self::ChunkData { left } => {
                    let taken = usize::try_from(*left)
                        .map_or(bytes.len() - at, |left| left.min(bytes.len() - at));
                    *left -= taken as u64;
                    at += taken;
                    if *left == 0 {
                        *self = if matches!(self, Self::Body { .. }) {
                            Self::default()
                        } else {
                            Self::ChunkDataEnd { seen: 0 }
                        };
                    }
                }
                _ => {
                    let byte = bytes[at];
                    if self.wants_encoding(byte) {
                        return at;
                    }
                    self.step(byte);
                    at += 1;
                }
            }
        }
        at
    }

    /// Follows one byte of a head, a chunk-size line, a chunk's end or a
    /// trailer.
    fn step(&mut self, byte: u8) {
        match self {
            Self::RequestLine { started, method } => {
                if !*started && (byte == b'\r' || byte == b'\n') {
                    // Empty lines before a request line are skipped (RFC 9112 §2.2).
                } else if byte == b'\n' {
                    let connect = method.text().starts_with(b"CONNECT ");
                    *self = Self::Headers {
                        head: Head {
                            connect,
                            ..Head::default()
                        },
                        line: Line::default(),
                    };
                } else {
                    *started = true;
                    if !method.kept.contains(&b' ') {
                        method.push(byte);
                    }
                }
            }
            Self::Headers { head, line } => {
                if byte != b'\n' {
                    line.push(byte);
                    return;
                }
                if line.text().is_empty() {
                    *self = std::mem::take(head).framing();
                } else {
                    head.read_header(line);
                    *line = Line::default();
                }
            }
            Self::ChunkSize { line } => {
                if byte != b'\n' {
                    line.push(byte);
                    return;
                }
                *self = match chunk_size(line) {
                    Some(0) => Self::Trailers {
                        line: Line::default(),
                    },
                    Some(left) => Self::ChunkData { left },
                    None => Self::Passthrough,
                };
            }
            Self::ChunkDataEnd { seen } => {
                let expected = if *seen == 0 { b'\r' } else { b'\n' };
                *self = if byte != expected {
                    Self::Passthrough
                } else if *seen == 0 {
                    Self::ChunkDataEnd { seen: 1 }
                } else {
                    Self::ChunkSize {
                        line: Line::default(),
                    }
                };
            }
            Self::Trailers { line } => {
                if byte != b'\n' {
                    line.push(byte);
                } else if !line.ends_with_cr_only() {
                    // actix reads a trailer up to its first CR, then wants LF.
                    *self = Self::Passthrough;
                } else if line.text().is_empty() {
                    *self = Self::default();
                } else {
                    *line = Line::default();
                }
            }
            Self::Body { .. } | Self::ChunkData { .. } | Self::Passthrough => {}
        }
    }
}

impl Head {
    fn read_header(&mut self, line: &Line) {
        let text = line.text();
        if text.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            // An obsolete line folding: refused by actix; not followed.
            self.unfollowed = true;
            return;
        }
        let Some(colon) = text.iter().position(|b| *b == b':') else {
            self.unfollowed = true;
            return;
        };
        let name = &text[..colon];
        let value = text[colon + 1..].trim_ascii();
        let framing_header = name.eq_ignore_ascii_case(b"content-length")
            || name.eq_ignore_ascii_case(b"transfer-encoding")
            || name.eq_ignore_ascii_case(b"upgrade");
        if !framing_header {
            return;
        }
        if line.overlong || name.eq_ignore_ascii_case(b"upgrade") {
            self.unfollowed = true;
        } else if name.eq_ignore_ascii_case(b"content-length") {
            match (decimal(value), self.content_length) {
                (Some(length), None) => self.content_length = Some(length),
                (Some(length), Some(earlier)) if length == earlier => {}
                _ => self.unfollowed = true,
            }
        } else if self.transfer_encoding.is_some() {
            self.unfollowed = true;
        } else {
            self.transfer_encoding = Some(value.to_ascii_lowercase());
        }
    }

    /// What comes after this head.
    fn framing(self) -> Framing {
        if self.unfollowed || self.connect {
            return Framing::Passthrough;
        }
        match (self.transfer_encoding, self.content_length) {
            (Some(coding), None) if coding == b"chunked" => Framing::ChunkSize {
                line: Line::default(),
            },
            (Some(_), _) => Framing::Passthrough,
            (None, Some(left)) if left > 0 => Framing::Body { left },
            (None, _) => Framing::default(),
        }
    }
}

/// A `Content-Length`: ASCII digits only, as actix reads it.
fn decimal(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// A chunk-size line: hex digits, then nothing or an extension after `;`.
fn chunk_size(line: &Line) -> Option<u64> {
    if !line.ends_with_cr_only() {
        return None;
    }
    let text = line.text();
    let digits_end = text
        .iter()
        .position(|b| !b.is_ascii_hexdigit())
        .unwrap_or(text.len());
    let (digits, after) = text.split_at(digits_end);
    let after = after.trim_ascii_start();
    if digits.is_empty() || digits.len() > 15 || !(after.is_empty() || after[0] == b';') {
        return None;
    }
    u64::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// Reads `input` through [`RawTargets`] with reads of at most `chunk`
    /// bytes from the source and into a buffer of `room` bytes.
    async fn through(input: &[u8], chunk: usize, room: usize) -> Vec<u8> {
        let (mut client, server) = tokio::io::duplex(chunk);
        let input = input.to_vec();
        let writer = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            for piece in input.chunks(chunk) {
                client.write_all(piece).await.unwrap();
            }
        });
        let mut reader = RawTargets::new(server);
        let mut out = Vec::new();
        let mut buf = vec![0; room];
        loop {
            let n = reader.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        writer.await.unwrap();
        out
    }

    async fn every_split(input: &[u8], expected: &[u8]) {
        for chunk in [1, 2, 3, 7, 64, 4096] {
            for room in [1, 2, 5, 4096] {
                assert_eq!(
                    String::from_utf8_lossy(&through(input, chunk, room).await),
                    String::from_utf8_lossy(expected),
                    "chunk {chunk}, room {room}"
                );
            }
        }
    }

    #[tokio::test]
    async fn encodes_request_lines_of_pipelined_requests_and_no_body() {
        let input = "GET /a?q=é HTTP/1.1\r\nHost: x\r\nX-Name: Zoé\r\n\r\n\
                     POST /b/ç HTTP/1.1\r\nContent-Length: 5\r\n\r\nété\
                     PUT /c HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n\
                     3;x=y\r\né!\r\n0\r\nTrailer: é\r\n\r\n\
                     \r\nGET /d?q=« » HTTP/1.1\r\n\r\n";
        let expected = "GET /a?q=%C3%A9 HTTP/1.1\r\nHost: x\r\nX-Name: Zoé\r\n\r\n\
                        POST /b/%C3%A7 HTTP/1.1\r\nContent-Length: 5\r\n\r\nété\
                        PUT /c HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n\
                        3;x=y\r\né!\r\n0\r\nTrailer: é\r\n\r\n\
                        \r\nGET /d?q=%C2%AB %C2%BB HTTP/1.1\r\n\r\n";
        every_split(input.as_bytes(), expected.as_bytes()).await;
    }

    #[tokio::test]
    async fn a_body_that_looks_like_a_request_line_is_left_alone() {
        let input = b"POST /x HTTP/1.1\r\nContent-Length: 21\r\n\r\nGET /\xC3\xA9 HTTP/1.1\r\n\r\n\
                      GET /\xE9 HTTP/1.1\r\n\r\n";
        let expected =
            b"POST /x HTTP/1.1\r\nContent-Length: 21\r\n\r\nGET /\xC3\xA9 HTTP/1.1\r\n\r\n\
                         GET /%E9 HTTP/1.1\r\n\r\n";
        every_split(input, expected).await;
    }

    #[tokio::test]
    async fn framing_it_does_not_follow_passes_the_rest_unchanged() {
        for head in [
            "Content-Length: 3\r\nContent-Length: 4\r\n",
            "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
            "Transfer-Encoding: gzip, chunked\r\n",
            "Content-Length: +3\r\n",
            "Upgrade: websocket\r\n",
            "X-Folded: a\r\n b\r\n",
        ] {
            let input = format!("POST /x HTTP/1.1\r\n{head}\r\nabcGET /é HTTP/1.1\r\n\r\n");
            every_split(input.as_bytes(), input.as_bytes()).await;
        }
        let connect = "CONNECT h:1 HTTP/1.1\r\n\r\nGET /é HTTP/1.1\r\n\r\n";
        every_split(connect.as_bytes(), connect.as_bytes()).await;
        for chunks in ["zz\r\n", "3\n", "0\r\n\n", "0\r\nX: a\n\r\n"] {
            let input = format!(
                "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{chunks}GET /é HTTP/1.1\r\n\r\n"
            );
            every_split(input.as_bytes(), input.as_bytes()).await;
        }
    }

    #[test]
    fn chunk_sizes_are_read_as_actix_reads_them() {
        let line = |s: &str| Line {
            kept: s.as_bytes().to_vec(),
            overlong: false,
        };
        assert_eq!(chunk_size(&line("1a\r")), Some(26));
        assert_eq!(chunk_size(&line("0 ;ext\r")), Some(0));
        assert_eq!(chunk_size(&line("\r")), None);
        assert_eq!(chunk_size(&line("1g\r")), None);
        assert_eq!(chunk_size(&line("1a")), None);
        assert_eq!(chunk_size(&line(" 1a\r")), None);
        assert_eq!(chunk_size(&line("ffffffffffffffff\r")), None);
    }
}
