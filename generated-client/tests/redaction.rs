//! No secret (secret key, security token, password, IAM token) shows up in the `Debug` or
//! `Display` of anything a user can print: `Secret`, `Credentials`, `ClientConfig`, `Client`,
//! `ClientContext`, `ConfigError`, IAM failures, and the `Error` of a failed call. Each secret
//! below is a distinctive string searched for in the formatted output.

mod support;

use std::fmt::Debug;
use std::time::Duration;

use generated_client::types::{CreateConnectorReq, CreateConnectorResp};
use generated_client::{
    Client, ClientConfig, ConfigError, Credentials, Error, ResponseValue, Secret,
};
use support::{Reply, TestServer};

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "SK-zq8Lw3-secret-key";
const SECURITY_TOKEN: &str = "STS-Xy7pQ-security-token";
const PASSWORD: &str = "PW-Hunter2-Kx9-password";
const IAM_TOKEN: &str = "IAMTOK-Mb4vN-given-token";
const ISSUED_TOKEN: &str = "ISSUED-Rr9tZ-fetched-token";
const URL_PASSWORD: &str = "URLPW-Jj5-in-a-url";
const SECRETS: [&str; 6] = [
    SK,
    SECURITY_TOKEN,
    PASSWORD,
    IAM_TOKEN,
    ISSUED_TOKEN,
    URL_PASSWORD,
];

const DOMAIN: &str = "acme-domain";
const USER: &str = "kafka-operator";
const PROJECT_ID: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

type CallResult = Result<ResponseValue<CreateConnectorResp>, Error>;

/// Panics if `text` contains any of the secrets.
fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "{what} shows the secret {secret:?}: {text}"
        );
    }
}

/// `Debug` (plain and pretty) of `value` shows no secret; returns the plain form.
fn debug_clean(what: &str, value: &impl Debug) -> String {
    let plain = format!("{value:?}");
    assert_clean(what, &plain);
    assert_clean(what, &format!("{value:#?}"));
    plain
}

/// `Display` (plain and alternate) and `Debug` of `value` show no secret; returns the
/// plain `Display`.
fn all_clean(what: &str, value: &(impl Debug + std::fmt::Display)) -> String {
    debug_clean(what, value);
    let plain = value.to_string();
    assert_clean(what, &plain);
    assert_clean(what, &format!("{value:#}"));
    plain
}

fn every_credentials() -> [Credentials; 4] {
    [
        Credentials::ak_sk(AK, SK),
        Credentials::temporary(AK, SK, SECURITY_TOKEN),
        Credentials::token(IAM_TOKEN),
        Credentials::password(DOMAIN, USER, PASSWORD),
    ]
}

fn config(credentials: Credentials, endpoint: &str) -> ClientConfig {
    ClientConfig::new()
        .credentials(credentials)
        .project_id(PROJECT_ID)
        .endpoint(endpoint)
        .iam_endpoint(format!("{endpoint}/v3"))
}

async fn call(client: &Client) -> CallResult {
    client
        .create_connector()
        .instance_id("inst-1")
        .body(CreateConnectorReq::default())
        .send()
        .await
}

fn expect_error(result: CallResult) -> Error {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(e) => e,
    }
}

#[test]
fn secret_shows_stars_and_only_expose_gives_the_value() {
    for value in SECRETS {
        let secret = Secret::new(value);
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{secret:#?}"), "***");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:>20}"), "***");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(***)");
        assert_eq!(secret.expose(), value);
        assert_eq!(Secret::from(value), secret);
        assert_eq!(Secret::from(value.to_owned()), secret);
    }
}

#[test]
fn credentials_of_every_kind_hide_their_secrets() {
    for credentials in every_credentials() {
        let shown = debug_clean("Credentials", &credentials);
        assert!(shown.contains("***"), "{shown}");
    }
    // What is not secret stays visible, so the output is still useful.
    let shown = format!("{:?}", Credentials::temporary(AK, SK, SECURITY_TOKEN));
    assert!(shown.contains(AK), "{shown}");
    let shown = format!("{:?}", Credentials::password(DOMAIN, USER, PASSWORD));
    assert!(shown.contains(USER) && shown.contains(DOMAIN), "{shown}");
}

#[test]
fn client_config_hides_secrets() {
    for credentials in every_credentials() {
        debug_clean(
            "ClientConfig",
            &config(credentials.clone(), "https://dms.example.test"),
        );
        debug_clean(
            "ClientConfig from region",
            &ClientConfig::new()
                .credentials(credentials)
                .project_id(PROJECT_ID)
                .region("eu-de"),
        );
    }
}

#[test]
fn client_config_with_credentials_in_an_endpoint_url_hides_them() {
    let endpoint = format!("https://ops:{URL_PASSWORD}@dms.example.test");
    let config = ClientConfig::new()
        .credentials(Credentials::ak_sk(AK, SK))
        .project_id(PROJECT_ID)
        .endpoint(&endpoint)
        .iam_endpoint(format!("{endpoint}/v3"));
    debug_clean("ClientConfig", &config);
    all_clean(
        "ConfigError",
        &config.build().expect_err("user info refused"),
    );
}

#[test]
fn clients_and_their_context_hide_secrets() {
    for credentials in every_credentials() {
        let client = config(credentials, "https://dms.example.test")
            .build()
            .expect("client");
        let shown = debug_clean("Client", &client);
        assert!(shown.contains("https://dms.example.test"), "{shown}");
        // The hook state is crate-private; it shows only inside the client's Debug.
        assert!(shown.contains("ClientContext"), "{shown}");
        debug_clean("cloned Client", &client.clone());
    }
}

#[test]
fn config_errors_hide_secrets() {
    let mut errors: Vec<ConfigError> = Vec::new();
    let with_all = |credentials: Credentials| {
        ClientConfig::new()
            .credentials(credentials)
            .project_id(PROJECT_ID)
            .endpoint("https://dms.example.test")
    };
    // An empty field next to filled-in secrets.
    for credentials in [
        Credentials::ak_sk("", SK),
        Credentials::temporary("", SK, SECURITY_TOKEN),
        Credentials::temporary(AK, SK, ""),
        Credentials::password(DOMAIN, "", PASSWORD),
        Credentials::password("", USER, PASSWORD),
    ] {
        errors.push(with_all(credentials).build().expect_err("empty field"));
    }
    // Every other mistake, with each kind of credentials.
    for credentials in every_credentials() {
        let base = ClientConfig::new().credentials(credentials.clone());
        let cases = [
            base.clone().endpoint("https://dms.example.test"),
            base.clone()
                .project_id("")
                .endpoint("https://dms.example.test"),
            base.clone().project_id(PROJECT_ID).region("nowhere-1"),
            base.clone().project_id(PROJECT_ID),
            base.clone().project_id(PROJECT_ID).endpoint("ftp://x.test"),
            base.clone()
                .project_id(PROJECT_ID)
                .endpoint(format!("https://ops:{URL_PASSWORD}@dms.example.test")),
            // Not even a URL: the user info must not come back either.
            base.clone()
                .project_id(PROJECT_ID)
                .endpoint(format!("https://ops:{URL_PASSWORD}@dms example.test")),
            base.clone()
                .project_id(PROJECT_ID)
                .endpoint(format!("ops:{URL_PASSWORD}@dms.example.test")),
            with_all(credentials.clone()).iam_endpoint(format!(
                "https://ops:{URL_PASSWORD}@iam.example.test:99999/v3"
            )),
        ];
        for config in cases {
            if let Err(error) = config.build() {
                errors.push(error);
            }
        }
    }
    assert!(errors.len() > 20, "{errors:?}");
    for error in &errors {
        all_clean("ConfigError", error);
    }
}

#[tokio::test]
async fn iam_refusal_hides_the_password() {
    let server = TestServer::start(Reply::json(
        401,
        r#"{"error":{"code":401,"message":"The username or password is wrong."}}"#,
    ));
    let client = config(
        Credentials::password(DOMAIN, USER, PASSWORD),
        &server.base_url(),
    )
    .build()
    .expect("client");
    let error = expect_error(call(&client).await);

    let message = all_clean("IAM refusal", &error);
    assert!(
        message.contains("IAM") && message.contains("401") && message.contains(USER),
        "{message}"
    );
    // IAM was asked with the password (it has to be), and nothing else was sent.
    let request = server.single_request();
    assert_eq!(request.path, "/v3/auth/tokens");
    debug_clean("client after the refusal", &client);
}

#[tokio::test]
async fn iam_bad_answer_hides_the_token_it_did_send() {
    let server = TestServer::start(
        Reply::json(201, r#"{"token":{"expires_at":"someday"}}"#)
            .header("X-Subject-Token", ISSUED_TOKEN),
    );
    let client = config(
        Credentials::password(DOMAIN, USER, PASSWORD),
        &server.base_url(),
    )
    .build()
    .expect("client");
    let error = expect_error(call(&client).await);

    let message = all_clean("IAM bad answer", &error);
    assert!(message.contains("without a usable token"), "{message}");
}

#[tokio::test]
async fn a_client_holding_a_fetched_token_does_not_show_it() {
    let iam = TestServer::start(
        Reply::json(
            201,
            r#"{"token":{"expires_at":"2099-01-01T00:00:00.000000Z"}}"#,
        )
        .header("X-Subject-Token", ISSUED_TOKEN),
    );
    let dms = TestServer::start(Reply::json(200, r#"{"job_id":"j"}"#));
    let client = ClientConfig::new()
        .credentials(Credentials::password(DOMAIN, USER, PASSWORD))
        .project_id(PROJECT_ID)
        .endpoint(dms.base_url())
        .iam_endpoint(format!("{}/v3", iam.base_url()))
        .build()
        .expect("client");
    call(&client).await.expect("the call succeeds");

    assert_eq!(
        dms.single_request().header_values("x-auth-token"),
        [ISSUED_TOKEN]
    );
    debug_clean("Client with a cached token", &client);
}

#[tokio::test]
async fn errors_of_failed_calls_hide_secrets() {
    let replies = [
        Reply::json(
            401,
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#,
        )
        .header("X-Request-Id", "req-1"),
        Reply::json(500, "<html>oops</html>"),
        Reply::status(204),
        Reply::json(200, "not json"),
        Reply::Hangup,
    ];
    for reply in replies {
        let dms = TestServer::start(reply.clone());
        let iam = TestServer::start(
            Reply::json(
                201,
                r#"{"token":{"expires_at":"2099-01-01T00:00:00.000000Z"}}"#,
            )
            .header("X-Subject-Token", ISSUED_TOKEN),
        );
        for credentials in every_credentials() {
            let client = ClientConfig::new()
                .credentials(credentials.clone())
                .project_id(PROJECT_ID)
                .endpoint(dms.base_url())
                .iam_endpoint(format!("{}/v3", iam.base_url()))
                .build()
                .expect("client");
            let error = expect_error(call(&client).await);
            let what = format!("{reply:?} with {credentials:?}");
            all_clean(&what, &error);
            if let Some(service) = error.service_error() {
                all_clean(&what, service);
            }
        }
    }
}

#[tokio::test]
async fn a_timed_out_call_hides_secrets() {
    let dms = TestServer::start(Reply::Stall);
    let client = ClientConfig::new()
        .credentials(Credentials::temporary(AK, SK, SECURITY_TOKEN))
        .project_id(PROJECT_ID)
        .endpoint(dms.base_url())
        .request_timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let error = expect_error(call(&client).await);
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    all_clean("timeout", &error);
}

#[tokio::test]
async fn a_secret_that_cannot_be_sent_is_refused_without_being_repeated() {
    let dms = TestServer::start(Reply::json(200, r#"{"job_id":"j"}"#));
    for credentials in [
        Credentials::token(format!("{IAM_TOKEN}\r\nX-Evil: 1")),
        Credentials::temporary(AK, SK, format!("{SECURITY_TOKEN}\n")),
    ] {
        let client = config(credentials, &dms.base_url())
            .build()
            .expect("client");
        let error = expect_error(call(&client).await);
        assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
        all_clean("unsendable secret", &error);
    }
    assert!(dms.requests().is_empty(), "{:#?}", dms.requests());
}
