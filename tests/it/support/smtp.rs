//! A small in-process SMTP server ("mail sink") for integration tests.
//!
//! The server under test is pointed at [`MailSink::url`] and delivers its
//! mail over plain SMTP (no TLS, no AUTH). Tests then pick the delivered
//! messages up with [`MailSink::wait_for`] and read subject, bodies,
//! verification codes and links out of them with the helpers on [`Mail`].

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

/// How long [`MailSink::wait_for`] and [`MailSink::wait_for_count`] wait.
const WAIT_TIMEOUT: Duration = Duration::from_secs(10);

/// One message as received over SMTP.
#[derive(Clone, Debug)]
pub struct Mail {
    /// The reverse path given in `MAIL FROM` (without angle brackets).
    pub from: String,
    /// The forward paths given in `RCPT TO` (without angle brackets).
    pub to: Vec<String>,
    /// The raw message (headers and body) sent after `DATA`, dot-unstuffed,
    /// without the terminating `.` line.
    pub data: String,
}

impl Mail {
    /// The value of the first header called `name` (case-insensitive),
    /// unfolded and with RFC 2047 encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (headers, _) = split_message(&self.data);
        find_header(&headers, name).map(|value| decode_encoded_words(&value))
    }

    /// The decoded `Subject` header.
    pub fn subject(&self) -> Option<String> {
        self.header("Subject")
    }

    /// The decoded `text/plain` part (or the whole body of a single-part
    /// message without a `Content-Type`), with line endings normalised to
    /// `\n`. Empty if the message has no plain-text part.
    pub fn text_body(&self) -> String {
        find_part(&self.data, "text/plain").unwrap_or_default()
    }

    /// The decoded `text/html` part, with line endings normalised to `\n`.
    pub fn html_body(&self) -> Option<String> {
        find_part(&self.data, "text/html")
    }

    /// The first run of exactly six ASCII digits in the plain-text body.
    pub fn code(&self) -> Option<String> {
        let body = self.text_body();
        let bytes = body.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit() {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                if i - start == 6 {
                    return Some(body[start..i].to_owned());
                }
            } else {
                i += 1;
            }
        }
        None
    }

    /// The first URL in the plain-text body that starts with `prefix`, with
    /// HTML-escaped ampersands (`&amp;`) turned back into `&`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let body = self.text_body();
        let start = body.find(prefix)?;
        let rest = &body[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .unwrap_or(rest.len());
        let url = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
        Some(
            url.replace("&amp;", "&")
                .replace("&#38;", "&")
                .replace("&#x26;", "&"),
        )
    }
}

#[derive(Default)]
struct Store {
    /// Every message received so far, with the (lower-cased) recipients
    /// for which a `wait_for*` call has already handed it out.
    mails: Mutex<Vec<(Mail, Vec<String>)>>,
    arrived: Notify,
}

impl Store {
    fn push(&self, mail: Mail) {
        self.mails
            .lock()
            .expect("mail store poisoned")
            .push((mail, Vec::new()));
        self.arrived.notify_waiters();
    }

    /// Marks and returns the first `n` messages for `to` not yet taken for
    /// `to`, if there are that many.
    fn take(&self, to: &str, n: usize) -> Option<Vec<Mail>> {
        let to = to.to_ascii_lowercase();
        let mut mails = self.mails.lock().expect("mail store poisoned");
        let matching: Vec<usize> = mails
            .iter()
            .enumerate()
            .filter(|(_, (mail, taken))| !taken.contains(&to) && addressed_to(mail, &to))
            .map(|(i, _)| i)
            .take(n)
            .collect();
        if matching.len() < n {
            return None;
        }
        Some(
            matching
                .into_iter()
                .map(|i| {
                    mails[i].1.push(to.clone());
                    mails[i].0.clone()
                })
                .collect(),
        )
    }

    fn describe(&self) -> String {
        let mails = self.mails.lock().expect("mail store poisoned");
        if mails.is_empty() {
            return "no mail arrived at all".to_owned();
        }
        let lines: Vec<String> = mails
            .iter()
            .map(|(mail, taken)| {
                format!(
                    "  - to {:?}, subject {:?}{}",
                    mail.to,
                    mail.subject().unwrap_or_default(),
                    if taken.is_empty() {
                        String::new()
                    } else {
                        format!(" (already taken for {taken:?})")
                    }
                )
            })
            .collect();
        format!("mail that arrived:\n{}", lines.join("\n"))
    }
}

fn addressed_to(mail: &Mail, to: &str) -> bool {
    mail.to.iter().any(|rcpt| rcpt.eq_ignore_ascii_case(to))
}

/// A running SMTP server on `127.0.0.1` that keeps every delivered message.
///
/// The server runs on the tokio runtime that called [`MailSink::start`] and
/// stops when the sink is dropped.
pub struct MailSink {
    port: u16,
    store: Arc<Store>,
    server: JoinHandle<()>,
}

impl MailSink {
    /// Binds `127.0.0.1:0` and starts accepting SMTP connections.
    pub async fn start() -> MailSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("mail sink: cannot bind 127.0.0.1:0");
        let port = listener
            .local_addr()
            .expect("mail sink: no local address")
            .port();
        let store = Arc::new(Store::default());
        let server = tokio::spawn(accept_loop(listener, store.clone()));
        MailSink {
            port,
            store,
            server,
        }
    }

    /// The TCP port the sink listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The SMTP URL to configure the server under test with.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, taken or not, in arrival order.
    pub fn all(&self) -> Vec<Mail> {
        self.store
            .mails
            .lock()
            .expect("mail store poisoned")
            .iter()
            .map(|(mail, _)| mail.clone())
            .collect()
    }

    /// Waits for the next message addressed to `to` that no earlier
    /// `wait_for*` call for the same recipient has returned, and marks it as
    /// taken for that recipient (a message to several recipients can be
    /// taken once for each). Addresses compare case-insensitively.
    ///
    /// Panics after 10 seconds, listing what did arrive.
    pub async fn wait_for(&self, to: &str) -> Mail {
        self.wait_for_count(to, 1)
            .await
            .pop()
            .expect("one message was taken")
    }

    /// Waits until `n` messages addressed to `to` and not yet taken for `to`
    /// have arrived, and returns the first `n` of them in arrival order,
    /// marking them as taken for `to`.
    ///
    /// Panics after 10 seconds, listing what did arrive.
    pub async fn wait_for_count(&self, to: &str, n: usize) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + WAIT_TIMEOUT;
        loop {
            let arrived = self.store.arrived.notified();
            tokio::pin!(arrived);
            // Register interest before looking, so a message delivered in
            // between is not missed.
            arrived.as_mut().enable();
            if let Some(mails) = self.store.take(to, n) {
                return mails;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!(
                    "mail sink: waited {WAIT_TIMEOUT:?} for {n} new message(s) to {to:?}; {}",
                    self.store.describe()
                );
            }
        }
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn accept_loop(listener: TcpListener, store: Arc<Store>) {
    // Dropping the set (when this task is aborted) aborts every session.
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    sessions.spawn(session(stream, store.clone()));
                }
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// Extracts the address from `FROM:<a@b> PARAM=...` / `TO:<a@b>`.
fn path_argument(args: &str) -> String {
    let after_colon = args.split_once(':').map_or(args, |(_, rest)| rest).trim();
    if let Some(rest) = after_colon.strip_prefix('<') {
        rest.split_once('>')
            .map_or(rest, |(addr, _)| addr)
            .to_owned()
    } else {
        after_colon
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Serves one SMTP connection; any I/O error simply ends it.
async fn session(stream: TcpStream, store: Arc<Store>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write
        .write_all(b"220 localhost mail sink ready\r\n")
        .await?;

    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, args) = text.split_once(' ').unwrap_or((text, ""));
        let reply: &[u8] = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => b"250-localhost\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" => b"250 localhost\r\n",
            "MAIL" => {
                from = Some(path_argument(args));
                to.clear();
                b"250 OK\r\n"
            }
            "RCPT" if from.is_none() => b"503 need MAIL first\r\n",
            "RCPT" => {
                to.push(path_argument(args));
                b"250 OK\r\n"
            }
            "DATA" if to.is_empty() => b"503 need RCPT first\r\n",
            "DATA" => {
                write
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut reader).await?;
                store.push(Mail {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 OK queued\r\n"
            }
            "RSET" => {
                from = None;
                to.clear();
                b"250 OK\r\n"
            }
            "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return write.shutdown().await;
            }
            _ => b"502 command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// Reads message lines up to the lone `.` line, undoing dot-stuffing.
async fn read_data<R>(reader: &mut R) -> std::io::Result<String>
where
    R: AsyncBufReadExt + Unpin,
{
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(String::from_utf8_lossy(&data).into_owned());
        }
        let content = if line.starts_with(b".") {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(content);
    }
}

// ---------------------------------------------------------------------------
// Message parsing
// ---------------------------------------------------------------------------

/// Splits a message (or body part) into its unfolded header lines and body.
fn split_message(message: &str) -> (Vec<(String, String)>, &str) {
    if let Some(body) = message
        .strip_prefix("\r\n")
        .or_else(|| message.strip_prefix('\n'))
    {
        // Starts with the blank line: no headers at all.
        return (Vec::new(), body);
    }
    let (head, body) = match (message.find("\r\n\r\n"), message.find("\n\n")) {
        (Some(crlf), Some(lf)) if lf < crlf => (&message[..lf], &message[lf + 2..]),
        (Some(crlf), _) => (&message[..crlf], &message[crlf + 4..]),
        (None, Some(lf)) => (&message[..lf], &message[lf + 2..]),
        (None, None) => (message, ""),
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

fn find_header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// Parses a `Content-Type` value into the lower-cased media type and a
/// lookup of its parameters.
fn content_type(headers: &[(String, String)]) -> (String, Vec<(String, String)>) {
    let Some(value) = find_header(headers, "Content-Type") else {
        return ("text/plain".to_owned(), Vec::new());
    };
    let mut pieces = value.split(';');
    let media = pieces
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let params = pieces
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_owned(),
            )
        })
        .collect();
    (media, params)
}

/// Finds the first part of type `wanted` (descending into multiparts) and
/// returns its decoded text.
fn find_part(message: &str, wanted: &str) -> Option<String> {
    let (headers, body) = split_message(message);
    let (media, params) = content_type(&headers);
    if media.starts_with("multipart/") {
        let boundary = params
            .iter()
            .find(|(k, _)| k == "boundary")
            .map(|(_, v)| v.as_str())?;
        return multipart_parts(body, boundary)
            .into_iter()
            .find_map(|part| find_part(&part, wanted));
    }
    if media != wanted {
        return None;
    }
    let encoding = find_header(&headers, "Content-Transfer-Encoding")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => decode_base64(body),
        _ => body.as_bytes().to_vec(),
    };
    Some(String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
}

/// Splits a multipart body into its parts (each with its own headers).
fn multipart_parts(body: &str, boundary: &str) -> Vec<String> {
    let delimiter = format!("--{boundary}");
    let closing = format!("--{boundary}--");
    let mut parts = Vec::new();
    let mut current: Option<String> = None;
    for line in body.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == closing {
            if let Some(part) = current.take() {
                parts.push(part);
            }
            break;
        }
        if bare == delimiter {
            if let Some(part) = current.take() {
                parts.push(part);
            }
            current = Some(String::new());
        } else if let Some(part) = current.as_mut() {
            part.push_str(line);
        }
    }
    if let Some(part) = current {
        parts.push(part);
    }
    // The line break before a delimiter belongs to the delimiter.
    parts
        .into_iter()
        .map(|p| {
            p.strip_suffix("\r\n")
                .or_else(|| p.strip_suffix('\n'))
                .map_or(p.clone(), str::to_owned)
        })
        .collect()
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes quoted-printable text, joining soft line breaks (`=` at the end
/// of a line).
fn decode_quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let rest = &bytes[i + 1..];
        if rest.starts_with(b"\r\n") {
            i += 3;
        } else if rest.starts_with(b"\n") {
            i += 2;
        } else if let (Some(hi), Some(lo)) = (
            rest.first().copied().and_then(hex_value),
            rest.get(1).copied().and_then(hex_value),
        ) {
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b'=');
            i += 1;
        }
    }
    out
}

/// Decodes standard base64, ignoring whitespace and padding.
fn decode_base64(text: &str) -> Vec<u8> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Decodes one RFC 2047 encoded word (`=?charset?B|Q?text?=`).
fn decode_encoded_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut pieces = inner.splitn(3, '?');
    let _charset = pieces.next()?;
    let encoding = pieces.next()?;
    let text = pieces.next()?;
    let bytes = match encoding {
        "B" | "b" => decode_base64(text),
        "Q" | "q" => decode_quoted_printable(&text.replace('_', " ")),
        _ => return None,
    };
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Decodes the RFC 2047 encoded words in a header value; whitespace between
/// two adjacent encoded words is dropped.
fn decode_encoded_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending_space = String::new();
    let mut previous_was_encoded = false;
    let mut rest = value;
    while !rest.is_empty() {
        let split = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (token, tail) = rest.split_at(split);
        let space_len = tail.len() - tail.trim_start().len();
        let (space, tail) = tail.split_at(space_len);
        match decode_encoded_word(token) {
            Some(decoded) => {
                if !previous_was_encoded {
                    out.push_str(&pending_space);
                }
                out.push_str(&decoded);
                previous_was_encoded = true;
            }
            None => {
                out.push_str(&pending_space);
                out.push_str(token);
                previous_was_encoded = false;
            }
        }
        pending_space = space.to_owned();
        rest = tail;
    }
    out
}
