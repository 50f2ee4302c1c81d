//! A tiny HTTP/1.1 test server on `127.0.0.1:0`, for the integration tests.
//!
//! It accepts connections on a background thread, reads one request from each (request line,
//! headers up to the blank line, then a `Content-Length` body), records it, and answers with
//! the canned [`Reply`] the test configured, always with `Connection: close`. It never talks to
//! any other address, never panics on odd input (a malformed request is dropped, unrecorded),
//! and gives up on a silent peer after [`IO_TIMEOUT`].
//!
//! ```ignore
//! let server = TestServer::start(Reply::json(200, r#"{"job_id":"j"}"#));
//! let client = generated_client::Client::connect(&server.base_url())?;
//! // ... send ...
//! let requests = server.requests();
//! ```

// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

#[rustfmt::skip]
pub mod example_calls;
pub mod dms;
pub mod spec;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use generated_client::local_dms::{self, Rejection, Verified};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// How long a connection may stay silent (reading) or stuck (writing) before it is dropped.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest request head (request line + headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted.
const MAX_BODY: usize = 1024 * 1024;
/// How often the accept loop looks at the stop flag.
const POLL: Duration = Duration::from_millis(5);

/// One request as it arrived on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The request target up to `?`, exactly as sent (not percent-decoded).
    pub path: String,
    /// What follows `?` in the request target, if there is a `?`.
    pub query: Option<String>,
    /// The HTTP version from the request line, e.g. `HTTP/1.1`.
    pub version: String,
    /// Headers in arrival order, names and values exactly as sent.
    pub headers: Vec<(String, String)>,
    /// The body bytes (`Content-Length` of them; empty without that header).
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The values of header `name` (case-insensitive), in arrival order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).into_iter().next()
    }

    /// The body parsed as JSON; panics (in the test) if it is not JSON.
    pub fn body_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "request body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// The local DMS's signature check ([`local_dms::verify_signature`]) of a recorded request,
/// with the secret keys `keys` (access key, secret key). The date's form is checked, not its
/// distance from now: recorded requests and vectors are signed at fixed times.
///
/// Panics (in the test) on a header name or value that HTTP does not allow.
pub fn verify(request: &RecordedRequest, keys: &[(&str, &[u8])]) -> Result<Verified, Rejection> {
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .unwrap_or_else(|e| panic!("header name {name:?}: {e}"));
        let value = HeaderValue::from_bytes(value.as_bytes())
            .unwrap_or_else(|e| panic!("header {name} value {value:?}: {e}"));
        headers.append(header, value);
    }
    let wire = local_dms::Wire {
        method: &request.method,
        path: &request.path,
        query: request.query.as_deref(),
        headers: &headers,
        body: &request.body,
    };
    local_dms::verify_signature(&wire, keys, None)
}

/// What the server does with each request it reads.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Answer with this status line, headers and body (plus `Content-Length` where the status
    /// allows a body, and `Connection: close`).
    Respond {
        /// Status code.
        status: u16,
        /// Extra headers, written in this order.
        headers: Vec<(String, String)>,
        /// Body bytes.
        body: Vec<u8>,
    },
    /// Close the connection after reading the request, without writing a byte.
    Hangup,
    /// Keep the connection open after reading the request, without writing a byte, for
    /// [`IO_TIMEOUT`] (to make the client time out).
    Stall,
}

impl Reply {
    /// A reply with `status`, no extra headers and an empty body.
    pub fn status(status: u16) -> Self {
        Reply::Respond {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A reply with `status` and `body` as `application/json` (the body is not checked).
    pub fn json(status: u16, body: &str) -> Self {
        Reply::status(status)
            .header("Content-Type", "application/json")
            .body(body)
    }

    /// The status this reply answers with (`None` for [`Reply::Hangup`] and [`Reply::Stall`]).
    pub fn status_code(&self) -> Option<u16> {
        match self {
            Reply::Respond { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The same reply with one more header (no effect on [`Reply::Hangup`] or [`Reply::Stall`]).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// The same reply with `body` (no effect on [`Reply::Hangup`] or [`Reply::Stall`]).
    pub fn body(mut self, new_body: impl Into<Vec<u8>>) -> Self {
        if let Reply::Respond { body, .. } = &mut self {
            *body = new_body.into();
        }
        self
    }

    /// The bytes to write, or `None` to hang up.
    fn to_bytes(&self) -> Option<Vec<u8>> {
        let Reply::Respond {
            status,
            headers,
            body,
        } = self
        else {
            return None;
        };
        let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(*status)).into_bytes();
        for (name, value) in headers {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        // RFC 9110 §8.6: no Content-Length on 1xx and 204; 304 would describe another body.
        if !matches!(status, 100..=199 | 204 | 304) {
            out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
        }
        out.extend_from_slice(b"Connection: close\r\n\r\n");
        out.extend_from_slice(body);
        Some(out)
    }
}

/// A reason phrase for the status line (clients ignore it; it only reads better in captures).
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Other",
    }
}

/// Computes the reply to each request (see [`TestServer::start_with`]).
type Responder = dyn Fn(&RecordedRequest) -> Reply + Send + Sync;

/// A running server; stops (and joins its accept thread) when dropped.
pub struct TestServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    stop: Arc<AtomicBool>,
    accept_thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on `127.0.0.1:0` that answers every request with `reply`.
    pub fn start(reply: Reply) -> Self {
        Self::start_with(move |_| reply.clone())
    }

    /// Starts a server on `127.0.0.1:0` that answers each request with `respond(&request)`,
    /// called on the connection's own thread after the request is recorded (so it may sleep
    /// to delay the answer, or count calls to vary it).
    pub fn start_with(respond: impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static) -> Self {
        let respond: Arc<Responder> = Arc::new(respond);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("local address of the listener");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept_thread = {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            thread::spawn(move || accept_loop(&listener, &respond, &requests, &stop))
        };
        TestServer {
            addr,
            requests,
            stop,
            accept_thread: Some(accept_thread),
        }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client of this server for project `project_id`, with the fixed IAM token
    /// `test-token` (nothing to sign, so any request shape can be checked).
    pub fn token_client(&self, project_id: &str) -> generated_client::Client {
        generated_client::ClientConfig::new()
            .credentials(generated_client::Credentials::token("test-token"))
            .project_id(project_id)
            .endpoint(self.base_url())
            .build()
            .expect("a client for the test server")
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request recorded so far, in the order they were read. A request is recorded
    /// before it is answered, so once the client has its reply the request is here.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The one request recorded so far; panics (in the test) if there is not exactly one.
    pub fn single_request(&self) -> RecordedRequest {
        let mut requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request, got {requests:#?}"
        );
        requests.remove(0)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.accept_thread.take() {
            let _ = handle.join();
        }
    }
}

fn accept_loop(
    listener: &TcpListener,
    respond: &Arc<Responder>,
    requests: &Arc<Mutex<Vec<RecordedRequest>>>,
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _peer)) => {
                let respond = Arc::clone(respond);
                let requests = Arc::clone(requests);
                // One thread per connection, so a client that opens a connection and stays
                // silent cannot hold up the next one.
                thread::spawn(move || {
                    let _ = serve(stream, &*respond, &requests);
                });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => thread::sleep(POLL),
            Err(_) => thread::sleep(POLL),
        }
    }
}

/// Reads one request, records it and answers it. Any I/O error or malformed request ends the
/// connection quietly.
fn serve(
    mut stream: TcpStream,
    respond: &Responder,
    requests: &Mutex<Vec<RecordedRequest>>,
) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let Some(request) = read_request(&mut stream)? else {
        return Ok(());
    };
    requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(request.clone());
    let reply = respond(&request);
    if let Reply::Stall = reply {
        thread::sleep(IO_TIMEOUT);
    } else if let Some(bytes) = reply.to_bytes() {
        stream.write_all(&bytes)?;
        stream.flush()?;
    }
    // Dropping the stream closes it; for `Hangup` that is the whole answer.
    Ok(())
}

/// Reads request line, headers and a `Content-Length` body. `Ok(None)` for input that is not
/// an HTTP/1.x request (or is too large).
fn read_request(stream: &mut TcpStream) -> io::Result<Option<RecordedRequest>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = find(&buf, b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > MAX_HEAD {
            return Ok(None);
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(None); // closed before the head was complete
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let mut body = buf.split_off(head_end + 4);
    let Ok(head) = std::str::from_utf8(&buf[..head_end]) else {
        return Ok(None);
    };
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    if method.is_empty() || !version.starts_with("HTTP/1.") {
        return Ok(None);
    }
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query.to_owned())),
        None => (target, None),
    };
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Ok(None);
        };
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let content_length = match headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        None => 0,
        Some((_, v)) => match v.parse::<usize>() {
            Ok(len) if len <= MAX_BODY => len,
            _ => return Ok(None),
        },
    };
    while body.len() < content_length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(None); // closed mid-body
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(content_length);
    Ok(Some(RecordedRequest {
        method: method.to_owned(),
        path: path.to_owned(),
        query,
        version: version.to_owned(),
        headers,
        body,
    }))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
