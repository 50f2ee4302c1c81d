//! HTTP/1.1 on `127.0.0.1` with hyper: read each request, record it, meet an injected fault
//! or check it (authentication, route, project) and answer from the state.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::{TcpListener, TcpSocket};
use tokio::task::{JoinHandle, JoinSet};

use super::auth::{self, Authenticated, Wire};
use super::routes::{self, NoRoute, Route};
use super::state::{Reply, codes};
use super::{Fault, SeenRequest, Shared, admin, lock};

/// Largest request body read; a larger one is refused with 400 `DMS.00400062`.
const MAX_BODY: usize = 1024 * 1024;
/// Headers whose values the request log keeps out.
const SECRET_HEADERS: [&str; 3] = ["authorization", "x-auth-token", "x-security-token"];

/// Pending connections the listener holds before it drops SYNs (tokio's `bind` takes 128, too
/// few for a burst of 1,000; the kernel caps it at `net.core.somaxconn`).
const BACKLOG: u32 = 1024;

/// Binds `127.0.0.1:port` (0: any free port) and spawns the accept loop; aborting the returned
/// task closes the listener and every connection.
pub(super) async fn start(
    shared: Arc<Shared>,
    port: u16,
) -> io::Result<(SocketAddr, JoinHandle<()>)> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    let listener = socket.listen(BACKLOG)?;
    let addr = listener.local_addr()?;
    Ok((addr, tokio::spawn(accept_loop(listener, shared))))
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    // Owned here, so that aborting this task aborts every connection too.
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    let service = service_fn(move |request| serve(Arc::clone(&shared), request));
                    // A connection error (the peer went away, a fault dropped it) ends only
                    // this connection.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
                while connections.try_join_next().is_some() {}
            }
            // Out of file descriptors and the like: wait a little rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Returned to hyper to close the connection without a reply ([`Fault::DropConnection`]).
#[derive(Debug)]
struct Hangup;

impl std::fmt::Display for Hangup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Hangup {}

async fn serve(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Hangup> {
    let request_id = shared.request_ids.hex32();
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => {
            return Ok(respond(Reply::error(codes::INVALID), &request_id, None));
        }
        // The peer broke off mid-body: nobody is left to answer.
        Err(_) => return Err(Hangup),
    };
    let path = parts.uri.path();
    let query = parts.uri.query();
    if admin::is_admin(path) {
        return Ok(admin::serve(
            &shared,
            &parts.method,
            path,
            query,
            &body,
            request_id,
        ));
    }
    let routed = routes::route(&parts.method, path);
    let seen = SeenRequest {
        method: parts.method.as_str().to_owned(),
        path: path.to_owned(),
        query: query.map(str::to_owned),
        operation: routed.as_ref().ok().map(|r| r.operation),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if SECRET_HEADERS.contains(&name.as_str()) {
                    "***".to_owned()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name.as_str().to_owned(), shown)
            })
            .collect(),
        request_id: request_id.clone(),
        status: None,
        error_code: None,
    };
    lock(&shared.log).push(seen.clone());

    let fault = shared.take_fault(routed.as_ref().ok().map(|r| r.operation));
    let early = match fault {
        Some(Fault::TooManyRequests { retry_after }) => Some((
            Reply {
                status: 429,
                body: Some(json!({
                    "error_code": "APIGW.0308",
                    "error_msg": "The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 second",
                    "request_id": request_id,
                })),
            },
            retry_after,
        )),
        Some(Fault::ServerError) => Some((Reply::error(codes::INTERNAL), None)),
        _ => None,
    };
    if let Some((reply, retry_after)) = early {
        shared.replied(seen, Some(reply.status), reply.error_code());
        return Ok(respond(reply, &request_id, retry_after));
    }

    let wire = Wire {
        method: parts.method.as_str(),
        path,
        query,
        headers: &parts.headers,
        body: &body,
    };
    let reply = answer(&shared, &wire, routed, &request_id);

    match fault {
        Some(Fault::Stall(duration)) => tokio::time::sleep(duration).await,
        Some(Fault::DropConnection) => {
            shared.replied(seen, None, None);
            return Err(Hangup);
        }
        _ => {}
    }
    shared.replied(seen, Some(reply.status), reply.error_code());
    Ok(respond(reply, &request_id, None))
}

/// Authentication, then the route, then the project, then the operation itself.
fn answer(
    shared: &Shared,
    wire: &Wire<'_>,
    routed: Result<Route, NoRoute>,
    request_id: &str,
) -> Reply {
    let authenticated = match auth::authenticate(&shared.auth, wire, SystemTime::now()) {
        Ok(how) => how,
        Err(refusal) => {
            return Reply {
                status: 401,
                body: Some(json!({
                    "error_code": "APIGW.0301",
                    "error_msg": format!("Incorrect IAM authentication information: {refusal}"),
                    "request_id": request_id,
                })),
            };
        }
    };
    let route = match routed {
        Ok(route) => route,
        Err(NoRoute::NotFound) => return Reply::error(codes::NO_URL),
        Err(NoRoute::MethodNotAllowed) => return Reply::error(codes::METHOD),
        Err(NoRoute::NotAnInteger(_)) => return Reply::error(codes::INVALID),
    };
    // The project in the path (where the path has one) must be this service's, and
    // X-Project-Id (required with AK/SK, where it names the project the signature is for) must
    // name the same one.
    let project = if route.operation.path_template().contains("{project_id}") {
        route.param("project_id")
    } else {
        shared.project_id.as_str()
    };
    let header_ok = match auth::unique_header(wire.headers, "x-project-id") {
        Ok(Some(header)) => header == project,
        Ok(None) => authenticated != Authenticated::Signature,
        Err(_) => false,
    };
    if project != shared.project_id || !header_ok {
        return Reply::error(codes::PROJECT_MISMATCH);
    }
    // The body must be the operation's request type, as the spec defines it.
    if route.operation.read_body(wire.body).is_err() {
        return Reply::error(refusal_code(wire.body));
    }
    shared.state().handle(&route, wire.query, wire.body)
}

/// The service's error for a body that is not the operation's request type: empty, not a
/// JSON object, or an object of the wrong shape.
fn refusal_code(body: &[u8]) -> (u16, &'static str, &'static str) {
    if body.iter().all(u8::is_ascii_whitespace) {
        codes::EMPTY_BODY
    } else if serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| v.is_object()) {
        codes::INVALID
    } else {
        codes::NOT_JSON
    }
}

pub(super) fn respond(
    reply: Reply,
    request_id: &str,
    retry_after: Option<u64>,
) -> Response<Full<Bytes>> {
    let body = reply
        .body
        .as_ref()
        .map(|value| Bytes::from(value.to_string()))
        .unwrap_or_default();
    let mut response = Response::new(Full::new(body));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if reply.body.is_some() {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", id);
    }
    if let Some(seconds) = retry_after {
        headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
