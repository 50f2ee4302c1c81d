//! Response protocol tests: how the client reads what a (local, canned) server answers to
//! `POST /v2/{project_id}/instances/{instance_id}/connector`. Nothing here may panic inside the
//! client; every bad answer must come back as the right [`Error`] variant.

mod support;

use generated_client::types::{CreateConnectorReq, CreateConnectorResp, ErrorBody};
use generated_client::{Client, Error, NodeCount, ResponseValue};
use support::{Reply, TestServer};

/// The document's example response.
const EXAMPLE_RESPONSE: &str = r#"{"job_id":"7c3ec20c-11de-4df9-acc0-7ef1dea25dfe","connector_id":"55b78880-9077-4c74-ad5a-6868555f76a4"}"#;

type CallResult = Result<ResponseValue<CreateConnectorResp>, Error<ErrorBody>>;

/// Sends the document's first example request (`node_cnt` 2) to a server answering `reply`,
/// and checks that exactly that one request reached it.
async fn call_against(reply: Reply) -> CallResult {
    let server = TestServer::start(reply);
    let client = Client::connect(&server.base_url()).expect("a client for the test server");
    let result = client
        .create_connector()
        .project_id("proj-0123456789")
        .instance_id("inst-1")
        .body(CreateConnectorReq {
            node_cnt: Some(NodeCount::new(2).expect("2 is a valid count")),
            ..Default::default()
        })
        .send()
        .await;
    let requests = server.requests();
    assert_eq!(
        requests.len(),
        1,
        "one request, no retry or redirect: {requests:#?}"
    );
    result
}

/// The error, or a panic naming the unexpected success.
fn expect_error(result: CallResult) -> Error<ErrorBody> {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(error) => error,
    }
}

/// Checks an `ErrorResponse` with `status` and the typed body fields.
fn assert_error_response(result: CallResult, status: u16, code: &str, message: &str) {
    match expect_error(result) {
        Error::ErrorResponse(response) => {
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(response.error_code.as_deref(), Some(code));
            assert_eq!(response.error_msg.as_deref(), Some(message));
        }
        other => panic!("expected ErrorResponse, got {other:?}"),
    }
}

/// Checks an `InvalidResponsePayload` carrying exactly the bytes the server sent.
fn assert_invalid_payload(result: CallResult, sent: &[u8]) {
    match expect_error(result) {
        Error::InvalidResponsePayload(bytes, _json_error) => assert_eq!(&bytes[..], sent),
        other => panic!("expected InvalidResponsePayload, got {other:?}"),
    }
}

/// Checks an `UnexpectedResponse` with `status`.
fn assert_unexpected_response(result: CallResult, status: u16) {
    match expect_error(result) {
        Error::UnexpectedResponse(response) => assert_eq!(response.status().as_u16(), status),
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn example_response_parses_into_typed_response() {
    let reply = call_against(Reply::json(200, EXAMPLE_RESPONSE))
        .await
        .expect("the example response is a success");
    assert_eq!(reply.status().as_u16(), 200);
    assert_eq!(
        reply.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    let body = reply.into_inner();
    assert_eq!(
        body.job_id.as_deref(),
        Some("7c3ec20c-11de-4df9-acc0-7ef1dea25dfe")
    );
    assert_eq!(
        body.connector_id.as_deref(),
        Some("55b78880-9077-4c74-ad5a-6868555f76a4")
    );
}

#[tokio::test]
async fn status_400_with_error_body_is_error_response() {
    let result = call_against(Reply::json(
        400,
        r#"{"error_code":"DMS.00400021","error_msg":"Invalid node_cnt"}"#,
    ))
    .await;
    assert_error_response(result, 400, "DMS.00400021", "Invalid node_cnt");
}

#[tokio::test]
async fn status_500_with_error_body_is_error_response() {
    // The code and message are illustrative; the document only says 5xx carries the same body.
    let result = call_against(Reply::json(
        500,
        r#"{"error_code":"DMS.00500000","error_msg":"Internal service error"}"#,
    ))
    .await;
    assert_error_response(result, 500, "DMS.00500000", "Internal service error");
}

#[tokio::test]
async fn status_400_with_html_body_is_invalid_response_payload() {
    let html = "<html>bad gateway</html>";
    let result = call_against(
        Reply::status(400)
            .header("Content-Type", "text/html")
            .body(html),
    )
    .await;
    assert_invalid_payload(result, html.as_bytes());
}

#[tokio::test]
async fn status_204_with_empty_body_is_unexpected_response() {
    let result = call_against(Reply::status(204)).await;
    assert_unexpected_response(result, 204);
}

#[tokio::test]
async fn status_302_with_empty_body_is_unexpected_response() {
    // No `Location`, so reqwest has nowhere to follow and hands the 302 back.
    let result = call_against(Reply::status(302)).await;
    assert_unexpected_response(result, 302);
}

#[tokio::test]
async fn status_200_with_garbage_body_is_invalid_response_payload() {
    let garbage = b"\x00\xffnot json {";
    let result = call_against(Reply::status(200).body(&garbage[..])).await;
    assert_invalid_payload(result, garbage);
}

#[tokio::test]
async fn status_200_with_empty_body_is_invalid_response_payload() {
    let result = call_against(Reply::json(200, "")).await;
    assert_invalid_payload(result, b"");
}

#[tokio::test]
async fn connection_closed_without_answer_is_communication_error() {
    match expect_error(call_against(Reply::Hangup).await) {
        Error::CommunicationError(error) => {
            assert!(error.status().is_none(), "{error:?}");
            assert!(!error.is_timeout(), "{error:?}");
        }
        other => panic!("expected CommunicationError, got {other:?}"),
    }
}
