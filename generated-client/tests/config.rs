//! `ClientConfig`: every mistake is a clear [`ConfigError`] from `build`, before any network
//! traffic; the official SDK environment variables are read (through `from_vars`, never the
//! process environment); every region of `tests/data/endpoints.json` is known and selects its
//! endpoint; a server that never answers is cut off by the request timeout.

mod support;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use generated_client::types::CreateConnectorReq;
use generated_client::{
    Client, ClientConfig, Cloud, ConfigError, Credentials, ENV_AK, ENV_DMS_AUTH_TOKEN,
    ENV_DMS_ENDPOINT, ENV_DMS_REGION, ENV_IAM_ENDPOINT, ENV_PROJECT_ID, ENV_REGION_ID,
    ENV_SECURITY_TOKEN, ENV_SK, Error, REGIONS, Region, TransportErrorKind,
};
use serde_json::Value;
use support::{Reply, TestServer};

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "sk-example-secret-000001";
const PROJECT_ID: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn ak_sk() -> Credentials {
    Credentials::ak_sk(AK, SK)
}

/// The error of `config.build()`, or a panic naming the unexpected client.
fn build_error(config: &ClientConfig) -> ConfigError {
    match config.build() {
        Ok(client) => panic!(
            "expected a ConfigError, got a client for {}",
            client.base_url()
        ),
        Err(e) => e,
    }
}

/// A server that must see nothing: every test that expects a `ConfigError` points its
/// endpoints here and checks it stayed silent.
struct Silent(TestServer);

impl Silent {
    fn start() -> Self {
        Silent(TestServer::start(Reply::json(200, "{}")))
    }

    fn url(&self) -> String {
        self.0.base_url()
    }

    fn iam_url(&self) -> String {
        format!("{}/v3", self.0.base_url())
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        let requests = self.0.requests();
        if !std::thread::panicking() {
            assert!(
                requests.is_empty(),
                "a failed build sent something: {requests:#?}"
            );
        }
    }
}

#[test]
fn no_credentials_is_refused() {
    let server = Silent::start();
    let error = build_error(
        &ClientConfig::new()
            .project_id(PROJECT_ID)
            .endpoint(server.url()),
    );
    assert!(
        matches!(error, ConfigError::MissingCredentials),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(ENV_AK) && message.contains(ENV_SK),
        "{message}"
    );
}

#[test]
fn empty_credential_fields_are_refused() {
    let server = Silent::start();
    let cases = [
        (Credentials::ak_sk("", SK), "access key (AK)"),
        (Credentials::ak_sk("  ", SK), "access key (AK)"),
        (Credentials::ak_sk(AK, ""), "secret key (SK)"),
        (Credentials::temporary(AK, SK, ""), "security token"),
        (Credentials::temporary(AK, "", "tok"), "secret key (SK)"),
        (Credentials::token(""), "IAM token"),
        (Credentials::password("domain", "", "pw"), "IAM user name"),
        (Credentials::password("", "user", "pw"), "IAM domain name"),
        (Credentials::password(" ", "user", "pw"), "IAM domain name"),
        (Credentials::password("domain", "user", ""), "IAM password"),
    ];
    for (credentials, field) in cases {
        let config = ClientConfig::new()
            .credentials(credentials.clone())
            .project_id(PROJECT_ID)
            .endpoint(server.url())
            .iam_endpoint(server.iam_url());
        match build_error(&config) {
            ConfigError::EmptyCredential(name) => assert_eq!(name, field, "{credentials:?}"),
            other => panic!("{credentials:?}: expected EmptyCredential, got {other:?}"),
        }
        let message = build_error(&config).to_string();
        assert_eq!(message, format!("the {field} is empty"));
    }
}

#[test]
fn missing_project_id_is_refused() {
    let server = Silent::start();
    let error = build_error(
        &ClientConfig::new()
            .credentials(ak_sk())
            .endpoint(server.url()),
    );
    assert!(matches!(error, ConfigError::MissingProjectId), "{error:?}");
    assert!(error.to_string().contains(ENV_PROJECT_ID), "{error}");
}

#[test]
fn empty_or_unsendable_project_id_is_refused() {
    let server = Silent::start();
    for bad in [
        "",
        "   ",
        "proj id",
        "proj\n",
        "proj\r\nX-Evil: 1",
        "projé",
        "..",
        ".",
        "a\\b",
    ] {
        let error = build_error(
            &ClientConfig::new()
                .credentials(ak_sk())
                .project_id(bad)
                .endpoint(server.url()),
        );
        match &error {
            ConfigError::InvalidProjectId { project_id, .. } => assert_eq!(project_id, bad),
            other => panic!("{bad:?}: expected InvalidProjectId, got {other:?}"),
        }
        assert!(error.to_string().contains("project id"), "{error}");
    }
}

#[test]
fn unknown_region_is_refused_and_the_message_lists_known_regions() {
    let error = build_error(
        &ClientConfig::new()
            .credentials(ak_sk())
            .project_id(PROJECT_ID)
            .region("mars-north-1"),
    );
    assert!(matches!(error, ConfigError::UnknownRegion(_)), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("mars-north-1"), "{message}");
    for region in REGIONS {
        assert!(
            message.contains(region.id),
            "{} missing: {message}",
            region.id
        );
    }
    assert!(message.contains("endpoint URL"), "{message}");
}

#[test]
fn unknown_region_is_refused_even_with_an_endpoint() {
    let server = Silent::start();
    let error = build_error(
        &ClientConfig::new()
            .credentials(ak_sk())
            .project_id(PROJECT_ID)
            .region("eu-dee")
            .endpoint(server.url()),
    );
    assert!(matches!(error, ConfigError::UnknownRegion(_)), "{error:?}");
}

#[test]
fn neither_region_nor_endpoint_is_refused() {
    let error = build_error(
        &ClientConfig::new()
            .credentials(ak_sk())
            .project_id(PROJECT_ID),
    );
    assert!(matches!(error, ConfigError::MissingEndpoint), "{error:?}");
    assert!(error.to_string().contains("region"), "{error}");
}

#[test]
fn malformed_endpoints_are_refused() {
    let cases = [
        ("dms.eu-de.otc.t-systems.com", "relative URL"),
        ("", "relative URL"),
        ("ftp://dms.example.test", "scheme must be https"),
        ("file:///etc/passwd", "scheme must be https"),
        ("data:,hello", "scheme must be https"),
        ("https://", "empty host"),
        ("https://dms.example.test/?x=1", "no query or fragment"),
        ("https://dms.example.test/#top", "no query or fragment"),
        ("https://dms example.test", "domain name"),
        ("https://dms.example.test:99999", "invalid port"),
    ];
    for (bad, reason) in cases {
        let error = build_error(
            &ClientConfig::new()
                .credentials(ak_sk())
                .project_id(PROJECT_ID)
                .endpoint(bad),
        );
        match &error {
            ConfigError::InvalidUrl { what, url, .. } => {
                assert_eq!(*what, "endpoint", "{bad:?}");
                assert_eq!(url, bad);
            }
            other => panic!("{bad:?}: expected InvalidUrl, got {other:?}"),
        }
        let message = error.to_string();
        assert!(message.contains(reason), "{bad:?}: {message}");
        assert!(message.contains("endpoint"), "{bad:?}: {message}");
    }
}

#[test]
fn endpoint_with_user_info_is_refused_without_repeating_it() {
    let error = build_error(
        &ClientConfig::new()
            .credentials(ak_sk())
            .project_id(PROJECT_ID)
            .endpoint("https://alice:pa55word@dms.example.test"),
    );
    assert!(matches!(error, ConfigError::InvalidUrl { .. }), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("credentials do not belong"), "{shown}");
    assert!(
        !shown.contains("pa55word") && !shown.contains("alice"),
        "{shown}"
    );
}

#[test]
fn malformed_iam_endpoint_is_refused() {
    let server = Silent::start();
    for bad in [
        "iam.eu-de.otc.t-systems.com/v3",
        "ftp://iam.example.test/v3",
    ] {
        let error = build_error(
            &ClientConfig::new()
                .credentials(Credentials::password("domain", "user", "pw"))
                .project_id(PROJECT_ID)
                .endpoint(server.url())
                .iam_endpoint(bad),
        );
        match &error {
            ConfigError::InvalidUrl { what, url, .. } => {
                assert_eq!(*what, "IAM");
                assert_eq!(url, bad);
            }
            other => panic!("{bad:?}: expected InvalidUrl, got {other:?}"),
        }
        assert!(error.to_string().contains("invalid IAM URL"), "{error}");
    }
}

#[test]
fn password_auth_with_a_custom_endpoint_needs_an_iam_endpoint() {
    let server = Silent::start();
    let config = ClientConfig::new()
        .credentials(Credentials::password("domain", "user", "pw"))
        .project_id(PROJECT_ID)
        .endpoint(server.url());
    let error = build_error(&config);
    assert!(
        matches!(error, ConfigError::MissingIamEndpoint),
        "{error:?}"
    );
    assert!(error.to_string().contains("iam_endpoint"), "{error}");

    // AK/SK and token credentials do not need IAM.
    for credentials in [ak_sk(), Credentials::token("a-token")] {
        config
            .clone()
            .credentials(credentials)
            .build()
            .expect("no IAM needed");
    }
    // Nor does password auth with a region (its IAM) or an explicit IAM endpoint.
    config
        .clone()
        .region("eu-de")
        .build()
        .expect("IAM of eu-de");
    config
        .clone()
        .iam_endpoint(server.iam_url())
        .build()
        .expect("explicit IAM");
}

#[test]
fn official_environment_variable_names() {
    assert_eq!(ENV_AK, "HUAWEICLOUD_SDK_AK");
    assert_eq!(ENV_SK, "HUAWEICLOUD_SDK_SK");
    assert_eq!(ENV_PROJECT_ID, "HUAWEICLOUD_SDK_PROJECT_ID");
    assert_eq!(ENV_SECURITY_TOKEN, "HUAWEICLOUD_SDK_SECURITY_TOKEN");
    assert_eq!(ENV_REGION_ID, "HUAWEICLOUD_SDK_REGION_ID");
    assert_eq!(ENV_IAM_ENDPOINT, "HUAWEICLOUD_SDK_IAM_ENDPOINT");
    assert_eq!(
        generated_client::ENV_ENDPOINT_PREFIX,
        "HUAWEICLOUD_SDK_REGION_KAFKA_"
    );
}

/// `ClientConfig::from_vars` over `vars`, also returning every name it asked for.
fn from_vars(vars: &[(&str, &str)]) -> (ClientConfig, HashSet<String>) {
    let vars: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let asked = RefCell::new(HashSet::new());
    let config = ClientConfig::from_vars(|name| {
        asked.borrow_mut().insert(name.to_owned());
        vars.get(name).cloned()
    });
    (config, asked.into_inner())
}

#[tokio::test]
async fn from_vars_reads_the_official_names_and_signs_with_them() {
    let (config, asked) = from_vars(&[
        ("HUAWEICLOUD_SDK_AK", AK),
        ("HUAWEICLOUD_SDK_SK", SK),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID),
        ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "temporary-token-1"),
        ("HUAWEICLOUD_SDK_REGION", "eu-de"),
    ]);
    // Only documented names: the official SDKs' and this crate's DMS_* ones.
    let known: HashSet<String> = [
        ENV_AK,
        ENV_SK,
        ENV_PROJECT_ID,
        ENV_SECURITY_TOKEN,
        ENV_REGION_ID,
        ENV_IAM_ENDPOINT,
        ENV_DMS_REGION,
        ENV_DMS_ENDPOINT,
        ENV_DMS_AUTH_TOKEN,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert!(asked.is_subset(&known), "asked for {asked:?}");

    let server = TestServer::start(Reply::json(200, r#"{"job_id":"j"}"#));
    let client = config.endpoint(server.base_url()).build().expect("client");
    assert_eq!(client.project_id(), Some(PROJECT_ID));
    client
        .create_connector()
        .instance_id("inst-1")
        .body(CreateConnectorReq::default())
        .send()
        .await
        .expect("the call succeeds");

    let request = server.single_request();
    assert_eq!(
        request.path,
        format!("/v2/{PROJECT_ID}/instances/inst-1/connector")
    );
    assert_eq!(request.header_values("x-project-id"), [PROJECT_ID]);
    assert_eq!(
        request.header_values("x-security-token"),
        ["temporary-token-1"]
    );
    let authorization = request.header("authorization").expect("signed");
    assert!(
        authorization.starts_with(&format!("SDK-HMAC-SHA256 Access={AK}, SignedHeaders=")),
        "{authorization}"
    );
    let signed_headers = authorization
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_default();
    assert!(
        signed_headers.split(';').any(|h| h == "x-security-token"),
        "{authorization}"
    );
}

#[test]
fn from_vars_without_a_security_token_gives_permanent_ak_sk() {
    let (config, _) = from_vars(&[
        (ENV_AK, AK),
        (ENV_SK, SK),
        (ENV_PROJECT_ID, PROJECT_ID),
        (ENV_SECURITY_TOKEN, "   "),
    ]);
    let expected = ClientConfig::new()
        .credentials(ak_sk())
        .project_id(PROJECT_ID);
    assert_eq!(format!("{config:?}"), format!("{expected:?}"));
}

#[test]
fn from_vars_with_missing_or_empty_values_is_refused_like_no_values() {
    let server = Silent::start();
    let cases: [&[(&str, &str)]; 5] = [
        &[],
        &[(ENV_AK, AK), (ENV_PROJECT_ID, PROJECT_ID)],
        &[(ENV_SK, SK), (ENV_PROJECT_ID, PROJECT_ID)],
        &[(ENV_AK, ""), (ENV_SK, SK), (ENV_PROJECT_ID, PROJECT_ID)],
        &[(ENV_AK, AK), (ENV_SK, " "), (ENV_PROJECT_ID, PROJECT_ID)],
    ];
    for vars in cases {
        let (config, _) = from_vars(vars);
        let error = build_error(&config.endpoint(server.url()));
        assert!(
            matches!(error, ConfigError::MissingCredentials),
            "{vars:?}: {error:?}"
        );
    }
    for project in ["", "  "] {
        let (config, _) = from_vars(&[(ENV_AK, AK), (ENV_SK, SK), (ENV_PROJECT_ID, project)]);
        let error = build_error(&config.endpoint(server.url()));
        assert!(
            matches!(error, ConfigError::MissingProjectId),
            "{project:?}: {error:?}"
        );
    }
}

#[test]
fn settings_given_after_from_vars_win() {
    let (config, _) = from_vars(&[(ENV_AK, AK), (ENV_SK, SK), (ENV_PROJECT_ID, PROJECT_ID)]);
    let client = config
        .project_id("another-project")
        .region("eu-nl")
        .build()
        .expect("client");
    assert_eq!(client.project_id(), Some("another-project"));
    assert_eq!(client.base_url(), "https://dms.eu-nl.otc.t-systems.com");
}

/// `(region, endpoint, iam)` rows of one cloud in `tests/data/endpoints.json`.
fn endpoints_file(cloud: &str) -> Vec<(String, String, Option<String>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/endpoints.json");
    let text = std::fs::read_to_string(path).expect("tests/data/endpoints.json");
    let file: Value = serde_json::from_str(&text).expect("endpoints.json is JSON");
    let rows = file[cloud].as_array().expect("a list of regions");
    assert!(!rows.is_empty(), "{cloud}");
    rows.iter()
        .map(|row| {
            let text = |key: &str| row[key].as_str().map(str::to_owned);
            (
                text("region").expect("region"),
                text("endpoint").expect("endpoint"),
                text("iam"),
            )
        })
        .collect()
}

#[test]
fn every_region_of_the_endpoints_file_is_known_with_the_same_endpoint() {
    for (cloud_key, cloud) in [
        ("huaweicloud", Cloud::HuaweiCloud),
        ("tcloud_public", Cloud::TCloudPublic),
    ] {
        for (id, endpoint, iam) in endpoints_file(cloud_key) {
            let region = Region::from_id(&id).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                REGIONS.iter().any(|r| r == region),
                "{id} is not in REGIONS"
            );
            assert_eq!(region.id, id);
            assert_eq!(region.cloud, cloud, "{id}");
            assert_eq!(region.endpoint, endpoint, "{id}");
            match iam {
                Some(iam) => assert_eq!(region.iam_endpoint, iam, "{id}"),
                // Huawei Cloud rows have no IAM column; the table follows the `iam.{region}`
                // host naming of the DMS host.
                None => assert_eq!(
                    region.iam_endpoint,
                    format!(
                        "{}/v3",
                        endpoint.replacen("https://dms.", "https://iam.", 1)
                    ),
                    "{id}"
                ),
            }
        }
    }
}

#[test]
fn regions_holds_exactly_the_rows_of_the_endpoints_file_once_each() {
    let mut in_file: Vec<String> = ["huaweicloud", "tcloud_public"]
        .into_iter()
        .flat_map(endpoints_file)
        .map(|(id, _, _)| id)
        .collect();
    let mut known: Vec<String> = REGIONS.iter().map(|r| r.id.to_owned()).collect();
    in_file.sort();
    known.sort();
    assert_eq!(known, in_file);
    let unique: HashSet<&String> = known.iter().collect();
    assert_eq!(unique.len(), known.len(), "duplicate region ids");
    for region in REGIONS {
        assert!(region.endpoint.starts_with("https://"), "{region:?}");
        assert!(region.iam_endpoint.starts_with("https://"), "{region:?}");
        assert!(region.iam_endpoint.ends_with("/v3"), "{region:?}");
        assert!(!region.endpoint.ends_with('/'), "{region:?}");
    }
}

#[test]
fn a_client_built_for_a_region_sends_to_its_endpoint() {
    // Ids match exactly, or ignoring case and surrounding blanks.
    let spellings = REGIONS.iter().map(|r| (r, r.id.to_owned())).chain(
        [("eu-west-101", "EU-WEST-101"), ("eu-de", " Eu-De ")]
            .map(|(id, spelling)| (Region::from_id(id).expect("known"), spelling.to_owned())),
    );
    for (region, id) in spellings {
        let client = ClientConfig::new()
            .credentials(ak_sk())
            .project_id(PROJECT_ID)
            .region(&id)
            .build()
            .unwrap_or_else(|e| panic!("{id:?}: {e}"));
        assert_eq!(client.base_url(), region.endpoint, "{id:?}");
        assert_eq!(client.project_id(), Some(PROJECT_ID));
    }
}

#[test]
fn password_auth_with_a_region_gets_its_token_from_the_regions_iam() {
    for region in REGIONS {
        let client = ClientConfig::new()
            .credentials(Credentials::password("domain", "user", "pw"))
            .project_id(PROJECT_ID)
            .region(region.id)
            .build()
            .unwrap_or_else(|e| panic!("{}: {e}", region.id));
        assert_eq!(client.base_url(), region.endpoint);
        // The token source is only visible through Debug.
        let shown = format!("{client:?}");
        let token_url = format!("{}/auth/tokens", region.iam_endpoint);
        assert!(shown.contains(&token_url), "{token_url} not in {shown}");
    }
}

#[test]
fn an_endpoint_wins_over_the_region_and_loses_its_trailing_slash() {
    let client = ClientConfig::new()
        .credentials(ak_sk())
        .project_id(PROJECT_ID)
        .region("eu-de")
        .endpoint("https://dms.example.test/prefix/")
        .build()
        .expect("client");
    assert_eq!(client.base_url(), "https://dms.example.test/prefix");
}

#[tokio::test]
async fn a_server_that_never_answers_is_cut_off_by_the_request_timeout() {
    let server = TestServer::start(Reply::Stall);
    let client: Client = ClientConfig::new()
        .credentials(ak_sk())
        .project_id(PROJECT_ID)
        .endpoint(server.base_url())
        .request_timeout(Duration::from_millis(200))
        .build()
        .expect("client");

    let started = Instant::now();
    let result = client
        .create_connector()
        .instance_id("inst-1")
        .body(CreateConnectorReq::default())
        .send()
        .await;
    let elapsed = started.elapsed();

    match &result {
        Err(Error::Transport(error)) => {
            assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error:?}");
            assert!(error.is_timeout(), "{error:?}");
            assert!(!error.nothing_sent(), "{error:?}");
        }
        other => panic!("expected a transport timeout, got {other:?}"),
    }
    let error = result.unwrap_err();
    assert!(error.is_retryable());
    assert!(error.to_string().contains("timed out"), "{error}");
    assert!(
        elapsed >= Duration::from_millis(150) && elapsed < Duration::from_secs(3),
        "took {elapsed:?}"
    );
    assert_eq!(server.requests().len(), 1, "the request arrived, no retry");
}

#[test]
fn from_vars_reads_the_region_and_endpoint() {
    let creds = [
        ("HUAWEICLOUD_SDK_AK", AK),
        ("HUAWEICLOUD_SDK_SK", SK),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID),
    ];
    let base_url = |extra: &[(&str, &str)]| {
        let vars: Vec<(&str, &str)> = creds.iter().chain(extra).copied().collect();
        from_vars(&vars).0.build().map(|c| c.base_url().to_owned())
    };
    // The official SDKs' region variable, and this crate's own name.
    assert_eq!(
        base_url(&[(ENV_REGION_ID, "eu-nl")]).expect("client"),
        "https://dms.eu-nl.otc.t-systems.com"
    );
    assert_eq!(
        base_url(&[(ENV_DMS_REGION, "eu-de")]).expect("client"),
        "https://dms.eu-de.otc.t-systems.com"
    );
    assert_eq!(
        base_url(&[(ENV_REGION_ID, "eu-de"), (ENV_DMS_REGION, "EU-DE")]).expect("client"),
        "https://dms.eu-de.otc.t-systems.com"
    );
    // The official per-service endpoint variable of the region (first of a list).
    assert_eq!(
        base_url(&[
            (ENV_REGION_ID, "eu-west-101"),
            (
                "HUAWEICLOUD_SDK_REGION_KAFKA_EU_WEST_101",
                "https://kafka.custom.example, https://second.example"
            ),
        ])
        .expect("client"),
        "https://kafka.custom.example"
    );
    // DMS_ENDPOINT wins over both.
    assert_eq!(
        base_url(&[
            (ENV_REGION_ID, "eu-west-101"),
            (
                "HUAWEICLOUD_SDK_REGION_KAFKA_EU_WEST_101",
                "https://kafka.custom.example"
            ),
            (ENV_DMS_ENDPOINT, "https://dms.override.example/"),
        ])
        .expect("client"),
        "https://dms.override.example"
    );
    // Two names for the region that disagree are refused rather than guessed between.
    let error = base_url(&[(ENV_REGION_ID, "eu-de"), (ENV_DMS_REGION, "eu-nl")])
        .expect_err("conflicting region variables");
    assert!(
        matches!(error, ConfigError::ConflictingEnv { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(ENV_REGION_ID), "{error}");
    // No region, no endpoint: the message names the variables.
    let error = base_url(&[]).expect_err("no endpoint");
    assert!(error.to_string().contains(ENV_REGION_ID), "{error}");
    assert!(error.to_string().contains(ENV_DMS_ENDPOINT), "{error}");
}

#[tokio::test]
async fn from_vars_reads_the_iam_endpoint_and_the_token_variable() {
    // HUAWEICLOUD_SDK_IAM_ENDPOINT without a path, as the official SDKs take it: /v3 is added.
    let iam = TestServer::start(Reply::status(401));
    let dms = Silent::start();
    let iam_url = iam.base_url();
    let dms_url = dms.url();
    let (config, _) = from_vars(&[
        (ENV_PROJECT_ID, PROJECT_ID),
        (ENV_IAM_ENDPOINT, &iam_url),
        (ENV_DMS_ENDPOINT, &dms_url),
    ]);
    let client = config
        .credentials(Credentials::password("domain", "user", "pw"))
        .build()
        .expect("client");
    let error = client
        .create_connector()
        .instance_id("inst-1")
        .send()
        .await
        .expect_err("IAM refuses");
    assert!(
        matches!(&error, Error::Iam(generated_client::IamError::Refused { url, .. }) if url.ends_with("/v3/auth/tokens")),
        "{error:?}"
    );
    assert_eq!(iam.single_request().path, "/v3/auth/tokens");

    // DMS_AUTH_TOKEN: an IAM token, winning over AK/SK.
    let server = TestServer::start(Reply::json(200, r#"{"job_id":"j"}"#));
    let url = server.base_url();
    let (config, _) = from_vars(&[
        (ENV_AK, AK),
        (ENV_SK, SK),
        (ENV_DMS_AUTH_TOKEN, "iam-token-xyz"),
        (ENV_PROJECT_ID, PROJECT_ID),
        (ENV_DMS_ENDPOINT, &url),
    ]);
    config
        .build()
        .expect("client")
        .create_connector()
        .instance_id("inst-1")
        .send()
        .await
        .expect("the call succeeds");
    let request = server.single_request();
    assert_eq!(request.header("x-auth-token"), Some("iam-token-xyz"));
    assert_eq!(request.header("authorization"), None);
}
