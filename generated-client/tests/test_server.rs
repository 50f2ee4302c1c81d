//! Self-test of the local HTTP server in `tests/support`: it records what arrives exactly,
//! answers with the canned reply, and shrugs off odd input without panicking or stalling.

mod support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use support::{RecordedRequest, Reply, TestServer};

/// Writes `bytes` to the server, half-closes, and returns everything it answers.
fn exchange(server: &TestServer, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    stream.write_all(bytes).expect("write");
    stream.shutdown(Shutdown::Write).expect("half-close");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read answer");
    answer
}

#[test]
fn records_the_request_and_answers_the_canned_reply() {
    let server = TestServer::start(Reply::json(201, r#"{"ok":true}"#).header("X-Extra", "1"));

    let answer = exchange(
        &server,
        b"PUT /a%2Fb/c?x=1&y HTTP/1.1\r\nHost: h\r\nX-Case: MiXed \r\nx-case: two\r\n\
          Content-Length: 5\r\n\r\nhello",
    );

    assert_eq!(
        String::from_utf8_lossy(&answer),
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Extra: 1\r\n\
         Content-Length: 11\r\nConnection: close\r\n\r\n{\"ok\":true}"
    );
    let request = server.single_request();
    assert_eq!(
        request,
        RecordedRequest {
            method: "PUT".to_owned(),
            path: "/a%2Fb/c".to_owned(),
            query: Some("x=1&y".to_owned()),
            version: "HTTP/1.1".to_owned(),
            headers: vec![
                ("Host".to_owned(), "h".to_owned()),
                ("X-Case".to_owned(), "MiXed".to_owned()),
                ("x-case".to_owned(), "two".to_owned()),
                ("Content-Length".to_owned(), "5".to_owned()),
            ],
            body: b"hello".to_vec(),
        }
    );
    assert_eq!(request.header_values("X-CASE"), ["MiXed", "two"]);
}

#[test]
fn odd_input_is_dropped_and_the_server_keeps_serving() {
    let server = TestServer::start(Reply::status(204));

    for odd in [
        &b""[..],
        b"not http at all",
        b"\xff\xfe\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET / SPDY/3\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: lots\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort",
    ] {
        assert_eq!(
            exchange(&server, odd),
            b"",
            "{:?}",
            String::from_utf8_lossy(odd)
        );
    }
    assert!(server.requests().is_empty(), "{:#?}", server.requests());

    let answer = exchange(&server, b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(
        answer,
        b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(server.single_request().body, b"");
}

#[test]
fn hangup_reads_the_request_and_closes_without_a_byte() {
    let server = TestServer::start(Reply::Hangup);

    let answer = exchange(&server, b"POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");

    assert_eq!(answer, b"");
    assert_eq!(server.single_request().body, b"{}");
}
