//! Response protocol tests: how the client reads what a (local, canned) server answers to
//! `POST /v2/{project_id}/instances/{instance_id}/connector`. Nothing here may panic inside the
//! client; every bad answer must come back as the right [`Error`] variant.

mod support;

use generated_client::types::{CreateConnectorReq, CreateConnectorResp};
use generated_client::{Client, Error, NodeCount, ResponseValue, TransportErrorKind};
use reqwest::StatusCode;
use support::{Reply, TestServer};

/// The document's example response.
const EXAMPLE_RESPONSE: &str = r#"{"job_id":"7c3ec20c-11de-4df9-acc0-7ef1dea25dfe","connector_id":"55b78880-9077-4c74-ad5a-6868555f76a4"}"#;

type CallResult = Result<ResponseValue<CreateConnectorResp>, Error>;

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
fn expect_error(result: CallResult) -> Error {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(error) => error,
    }
}

/// Checks an `Error::Service` with `status` and the typed body fields.
fn assert_error_response(result: CallResult, status: u16, code: &str, message: &str) {
    match expect_error(result) {
        Error::Service(reply) => {
            assert_eq!(reply.status.as_u16(), status);
            assert_eq!(reply.error_code.as_deref(), Some(code));
            assert_eq!(reply.error_msg.as_deref(), Some(message));
        }
        other => panic!("expected Error::Service, got {other:?}"),
    }
}

/// Checks an `InvalidReply` carrying exactly the bytes the server sent.
fn assert_invalid_payload(result: CallResult, sent: &[u8]) {
    match expect_error(result) {
        Error::InvalidReply(reply) => assert_eq!(reply.body(), sent),
        other => panic!("expected InvalidReply, got {other:?}"),
    }
}

/// Checks an `UnexpectedStatus` with `status`.
fn assert_unexpected_response(result: CallResult, status: u16) {
    match expect_error(result) {
        Error::UnexpectedStatus(reply) => assert_eq!(reply.status.as_u16(), status),
        other => panic!("expected UnexpectedStatus, got {other:?}"),
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
        r#"{"error_code":"DMS.00400062","error_msg":"Invalid request parameter."}"#,
    ))
    .await;
    assert_error_response(result, 400, "DMS.00400062", "Invalid request parameter.");
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
async fn status_400_with_html_body_keeps_the_text_and_the_status() {
    // Like the official SDK: a body that is not JSON is kept as text, in error_msg.
    let html = "<html>bad gateway</html>";
    let result = call_against(
        Reply::status(400)
            .header("Content-Type", "text/html")
            .header("X-Request-Id", "req-html-1")
            .body(html),
    )
    .await;
    let error = expect_error(result);
    let service = error.service_error().expect("an error reply has details");
    assert_eq!(service.status.as_u16(), 400);
    assert_eq!(service.error_code, None);
    assert_eq!(service.error_msg.as_deref(), Some(html));
    assert_eq!(service.request_id.as_deref(), Some("req-html-1"));
}

#[tokio::test]
async fn the_official_sdks_fallback_error_keys_are_understood() {
    for (body, code, message) in [
        (
            r#"{"errorCode":"DMS.00400062","errorMsg":"Invalid request parameter."}"#,
            "DMS.00400062",
            "Invalid request parameter.",
        ),
        (
            r#"{"code":"APIGW.0301","message":"Incorrect IAM authentication information"}"#,
            "APIGW.0301",
            "Incorrect IAM authentication information",
        ),
    ] {
        let result = call_against(Reply::json(401, body)).await;
        assert_error_response(result, 401, code, message);
    }
}

#[tokio::test]
async fn status_code_message_and_request_id_are_one_call_away() {
    // The official SDK's own error case (official-sdk-wire-request.json, "error_case").
    let result = call_against(
        Reply::json(
            400,
            r#"{"error_code":"DMS.00400062","error_msg":"Invalid request parameter."}"#,
        )
        .header("X-Request-Id", "req-abc-123"),
    )
    .await;
    let error = expect_error(result);
    let service = error.service_error().unwrap();
    assert_eq!(service.status, StatusCode::BAD_REQUEST);
    assert_eq!(service.error_code.as_deref(), Some("DMS.00400062"));
    assert_eq!(
        service.error_msg.as_deref(),
        Some("Invalid request parameter.")
    );
    assert_eq!(service.request_id.as_deref(), Some("req-abc-123"));
    assert_eq!(
        service.to_string(),
        "HTTP 400 DMS.00400062: Invalid request parameter. (request id req-abc-123)"
    );
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
async fn connection_closed_without_answer_is_a_transport_error_that_says_closed() {
    let error = expect_error(call_against(Reply::Hangup).await);
    match &error {
        Error::Transport(transport) => {
            assert_eq!(transport.kind(), TransportErrorKind::Closed, "{error:?}");
            assert!(!transport.is_timeout(), "{error:?}");
            assert!(!transport.nothing_sent(), "{error:?}");
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(error.status().is_none(), "{error:?}");
    assert!(error.is_retryable());
    let message = error.to_string();
    assert!(
        message.contains("closed before a complete reply"),
        "{message}"
    );
}

/// A 200 to enabling or disabling without a `job_id` (missing or empty) leaves nothing to
/// wait for: `send_and_wait` ends with `WaitError::NoJob` and polls nothing.
#[tokio::test]
async fn a_started_job_without_an_id_is_no_job_to_wait_for() {
    use generated_client::WaitError;
    for reply in [
        r#"{}"#,
        r#"{"job_id":""}"#,
        r#"{"job_id":null,"connector_id":"c-1"}"#,
    ] {
        let server = TestServer::start(Reply::json(200, reply));
        let client = server.token_client("proj-0123456789");
        let enabled = client
            .create_connector()
            .instance_id("inst-1")
            .send_and_wait()
            .await;
        assert!(
            matches!(enabled, Err(WaitError::NoJob)),
            "{reply}: {enabled:?}"
        );
        let disabled = client
            .delete_connector()
            .instance_id("inst-1")
            .send_and_wait()
            .await;
        assert!(
            matches!(disabled, Err(WaitError::NoJob)),
            "{reply}: {disabled:?}"
        );
        let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(
            paths,
            [
                "/v2/proj-0123456789/instances/inst-1/connector",
                "/v2/proj-0123456789/kafka/instances/inst-1/delete-connector",
            ],
            "{reply}: the two calls and no poll"
        );
    }
}
