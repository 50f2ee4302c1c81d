//! Secrets in request bodies: the passwords and keys of a Smart Connect task body (`format:
//! password` in the spec, generated as `Secret`) never show in `Debug`, and travel as the plain
//! string on the wire.

mod support;

use generated_client::Secret;
use generated_client::types::{
    CreateConnectorTaskReq, SmartConnectTaskReqSinkConfig, SmartConnectTaskReqSourceConfig,
};
use serde_json::json;
use support::{Reply, TestServer};

const SECRETS: [&str; 5] = [
    "redis-source-pw-1",
    "kafka-sasl-pw-2",
    "redis-sink-pw-3",
    "obs-ak-4",
    "obs-sk-5",
];

fn body_with_every_secret() -> CreateConnectorTaskReq {
    CreateConnectorTaskReq {
        task_name: Some("smart-connect-secrets".into()),
        source_type: Some("REDIS_REPLICATOR_SOURCE".into()),
        source_task: Some(SmartConnectTaskReqSourceConfig {
            redis_address: Some("192.168.99.249:6379".into()),
            redis_password: Some(Secret::new(SECRETS[0])),
            user_name: Some("user1".into()),
            password: Some(Secret::new(SECRETS[1])),
            ..Default::default()
        }),
        sink_type: Some("REDIS_REPLICATOR_SINK".into()),
        sink_task: Some(SmartConnectTaskReqSinkConfig {
            redis_password: Some(Secret::new(SECRETS[2])),
            access_key: Some(Secret::new(SECRETS[3])),
            secret_key: Some(Secret::new(SECRETS[4])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[test]
fn debug_of_a_task_body_shows_no_secret() {
    let body = body_with_every_secret();
    for shown in [format!("{body:?}"), format!("{body:#?}")] {
        for secret in SECRETS {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert_eq!(shown.matches("***").count(), 5, "{shown}");
        assert!(
            shown.contains("user1"),
            "non-secret fields still show: {shown}"
        );
    }
}

#[test]
fn the_typed_builders_show_no_secret_either() {
    let sink = SmartConnectTaskReqSinkConfig::builder()
        .secret_key(Some(Secret::new(SECRETS[4])))
        .access_key(Some(Secret::new(SECRETS[3])));
    let shown = format!("{sink:?}");
    assert!(
        !shown.contains(SECRETS[4]) && !shown.contains(SECRETS[3]),
        "{shown}"
    );
}

#[test]
fn a_task_body_reads_secrets_from_plain_strings() {
    let body: CreateConnectorTaskReq = serde_json::from_value(json!({
        "sink_task": { "secret_key": "plain-sk" }
    }))
    .expect("the body reads");
    let sk = body
        .sink_task
        .and_then(|s| s.secret_key)
        .expect("a secret key");
    assert_eq!(sk.expose(), "plain-sk");
}

#[tokio::test]
async fn the_wire_body_carries_the_plain_strings() {
    let server = TestServer::start(Reply::json(200, r#"{"id":"t-1","status":"RUNNING"}"#));
    let client = server.token_client("proj-1");
    let call = client
        .create_connector_task()
        .instance_id("inst-1")
        .body(body_with_every_secret());
    let shown = format!("{call:?}");
    for secret in SECRETS {
        assert!(
            !shown.contains(secret),
            "{secret} in the builder's Debug: {shown}"
        );
    }
    call.send().await.expect("the call succeeds");

    let request = server.single_request();
    assert_eq!(
        request.body_json(),
        json!({
            "task_name": "smart-connect-secrets",
            "source_type": "REDIS_REPLICATOR_SOURCE",
            "source_task": {
                "redis_address": "192.168.99.249:6379",
                "redis_password": SECRETS[0],
                "user_name": "user1",
                "password": SECRETS[1]
            },
            "sink_type": "REDIS_REPLICATOR_SINK",
            "sink_task": {
                "redis_password": SECRETS[2],
                "access_key": SECRETS[3],
                "secret_key": SECRETS[4]
            }
        })
    );
}
