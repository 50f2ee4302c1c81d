//! The generated httpmock helpers (feature `mock`): a downstream unit test mocks operations by
//! their typed parameters, bodies and replies, and the client talks to httpmock on 127.0.0.1.

use generated_client::mock::MockServerExt;
use generated_client::types::{
    CreateConnectorTaskReq, CreateConnectorTaskResp, ErrorBody, ShowInstanceResp,
    SmartConnectTaskReqSinkConfig,
};
use generated_client::{ClientConfig, Credentials, PathSegment, Secret};
use httpmock::MockServer;

fn segment(value: &str) -> PathSegment {
    PathSegment::new(value).expect("a path segment")
}

fn client_for(server: &MockServer) -> generated_client::Client {
    ClientConfig::new()
        .credentials(Credentials::token("test-token"))
        .project_id("proj-1")
        .endpoint(server.base_url())
        .build()
        .expect("a client for the mock server")
}

#[tokio::test]
async fn a_typed_mock_answers_show_instance() {
    let server = MockServer::start_async().await;
    let mock = server.show_instance(|when, then| {
        when.project_id(&segment("proj-1"))
            .instance_id(&segment("inst-1"));
        then.ok(&ShowInstanceResp {
            status: Some("RUNNING".into()),
            connector_enable: Some(true),
            ..Default::default()
        });
    });

    let reply = client_for(&server)
        .show_instance()
        .instance_id("inst-1")
        .send()
        .await
        .expect("the mocked call succeeds");
    assert_eq!(reply.status.as_deref(), Some("RUNNING"));
    assert_eq!(reply.connector_enable, Some(true));
    mock.assert_async().await;
}

#[tokio::test]
async fn a_typed_mock_matches_the_body_with_its_secrets_and_answers_an_error() {
    let server = MockServer::start_async().await;
    let body = CreateConnectorTaskReq {
        task_name: Some("t".into()),
        sink_type: Some("OBS_SINK".into()),
        sink_task: Some(SmartConnectTaskReqSinkConfig {
            access_key: Some(Secret::new("the-ak")),
            secret_key: Some(Secret::new("the-sk")),
            ..Default::default()
        }),
        ..Default::default()
    };
    let created = server.create_connector_task(|when, then| {
        when.instance_id(&segment("inst-1")).body(&body);
        then.ok(&CreateConnectorTaskResp {
            id: Some("task-1".into()),
            ..Default::default()
        });
    });
    let busy = server.create_connector_task(|when, then| {
        when.instance_id(&segment("inst-busy"));
        then.client_error(
            400,
            &ErrorBody {
                error_code: Some("DMS.00400026".into()),
                error_msg: Some("This operation is not allowed due to the instance status.".into()),
            },
        );
    });

    let client = client_for(&server);
    let reply = client
        .create_connector_task()
        .instance_id("inst-1")
        .body(body.clone())
        .send()
        .await
        .expect("the body matches, secrets sent as plain strings");
    assert_eq!(reply.id.as_deref(), Some("task-1"));
    created.assert_async().await;

    let error = client
        .create_connector_task()
        .instance_id("inst-busy")
        .body(body)
        .send()
        .await
        .expect_err("the mock answers 400");
    let service = error.service_error().expect("a service error");
    assert_eq!(service.status.as_u16(), 400);
    assert_eq!(service.error_code.as_deref(), Some("DMS.00400026"));
    busy.assert_async().await;
}
