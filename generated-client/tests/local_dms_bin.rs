//! The `local-dms` binary as a user starts it: its first line, the client's own settings
//! (authentication checked), its arguments, a burst of 1,000 connections, SIGTERM.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BIN: &str = env!("CARGO_BIN_EXE_local-dms");
const AK: &str = "LOCALDMSBINTESTAK001";
const SK: &str = "local-dms-bin-test-secret-0123456789";
const PROJECT: &str = "proj-bin-1";
const TOKEN: &str = "local-dms-bin-test-iam-token";

/// The running binary; killed when dropped (if still running).
struct Server {
    child: Child,
    info: Value,
}

impl Server {
    /// Starts the binary with the AK/SK and project in its environment, and reads its first
    /// line.
    fn start(args: &[&str]) -> Server {
        let mut child = command(args)
            .env("HUAWEICLOUD_SDK_AK", AK)
            .env("HUAWEICLOUD_SDK_SK", SK)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
            .env("DMS_AUTH_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("a first line within 60 s");
        let info = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        Server { child, info }
    }

    fn base_url(&self) -> &str {
        self.info["base_url"].as_str().unwrap()
    }

    fn addr(&self) -> SocketAddr {
        self.base_url()
            .strip_prefix("http://")
            .unwrap()
            .parse()
            .unwrap()
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name}");
    }

    /// SIGTERM, then the exit status and everything it wrote to stderr.
    fn stop(self) -> (ExitStatus, String) {
        self.stop_with("TERM")
    }

    /// Signal `name`, then the exit status and everything it wrote to stderr.
    fn stop_with(mut self, name: &str) -> (ExitStatus, String) {
        self.signal(name);
        let mut stderr: ChildStderr = self.child.stderr.take().unwrap();
        let mut log = String::new();
        stderr.read_to_string(&mut log).unwrap();
        (self.child.wait().unwrap(), log)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The binary with a clean environment (only `PATH`).
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command
}

#[tokio::test]
async fn it_prints_where_it_is_first_checks_authentication_and_stops_on_sigterm() {
    let server = Server::start(&["--busy-for", "50ms", "--instance", "inst-a"]);
    let info = &server.info;
    assert_eq!(info["project_id"], PROJECT);
    assert_eq!(info["instance_ids"], serde_json::json!(["inst-a"]));
    assert_eq!(info["auth"], "ak/sk+token");
    assert_eq!(info["admin_url"], format!("{}/_local", server.base_url()));
    assert_eq!(info["port"], server.addr().port());
    assert!(server.addr().ip().is_loopback());

    // Authentication is checked as the settings say: unsigned is refused, the token served.
    // (Signed requests: the official Python SDK's check, tests/official-sdk/.)
    let http = generated_client::http_client_builder()
        .unwrap()
        .no_proxy()
        .build()
        .unwrap();
    let enable = |token: Option<&str>| {
        let mut request = http
            .post(format!(
                "{}/v2/{PROJECT}/instances/inst-a/connector",
                server.base_url()
            ))
            .header("content-type", "application/json")
            .body(r#"{"node_cnt": 2}"#);
        if let Some(token) = token {
            request = request.header("x-auth-token", token);
        }
        async move {
            let reply = request.send().await.expect("a reply");
            let status = reply.status().as_u16();
            let body: Value = reply.json().await.expect("a JSON body");
            (status, body)
        }
    };
    let (status, body) = enable(None).await;
    assert_eq!(
        (status, &body["error_code"]),
        (401, &json!("APIGW.0301")),
        "{body}"
    );
    let (status, body) = enable(Some("another-token")).await;
    assert_eq!(
        (status, &body["error_code"]),
        (401, &json!("APIGW.0301")),
        "{body}"
    );
    let (status, body) = enable(Some(TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["job_id"].is_string(), "{body}");

    let (status, log) = server.stop();
    assert!(status.success(), "{status:?}\n{log}");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(
        lines,
        [
            &format!("POST /v2/{PROJECT}/instances/inst-a/connector 401 APIGW.0301")[..],
            &format!("POST /v2/{PROJECT}/instances/inst-a/connector 401 APIGW.0301"),
            &format!("POST /v2/{PROJECT}/instances/inst-a/connector 200 -"),
            "local-dms: stopped",
        ]
    );
}

#[test]
fn bad_arguments_and_half_settings_exit_2_and_say_why() {
    for (args, env, says) in [
        (&["--port", "70000"][..], &[][..], "--port"),
        (&["--busy-for", "2"], &[], "--busy-for"),
        (&["--verbose"], &[], "unknown argument"),
        (
            &[],
            &[("HUAWEICLOUD_SDK_AK", "only-an-ak")],
            "HUAWEICLOUD_SDK_SK",
        ),
    ] {
        let output = command(args).envs(env.iter().copied()).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
    let help = command(&["--help"]).output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).starts_with("usage: local-dms"));
}

#[test]
fn it_listens_on_the_port_it_is_given_and_says_so() {
    let free = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Server::start(&["--port", &free.to_string()]);
    assert_eq!(server.info["port"], free);
    assert_eq!(server.base_url(), format!("http://127.0.0.1:{free}"));
    // A second one on the same port cannot listen: exit 1.
    let taken = command(&["--port", &free.to_string()]).output().unwrap();
    assert_eq!(taken.status.code(), Some(1));
    assert!(taken.stdout.is_empty(), "no JSON line when it cannot serve");
    // Ctrl-C stops it as cleanly as SIGTERM.
    let (status, log) = server.stop_with("INT");
    assert!(status.success(), "{status:?}");
    assert_eq!(log, "local-dms: stopped\n");
}

/// 1,000 connections at once, while the server is stopped (SIGSTOP) so that it accepts none:
/// each completes only if the listen backlog holds it (a backlog of 128 leaves the rest
/// waiting for SYN retries). Then, resumed, it answers every one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_1000_connections_is_held_and_answered() {
    const N: usize = 1000;
    let server = Server::start(&[]);
    let addr = server.addr();
    server.signal("STOP");
    let connects: Vec<_> = (0..N)
        .map(|_| {
            tokio::spawn(async move {
                tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr)).await
            })
        })
        .collect();
    let mut streams = Vec::with_capacity(N);
    let mut not_connected = 0;
    for connect in connects {
        match connect.await.unwrap() {
            Ok(Ok(stream)) => streams.push(stream),
            _ => not_connected += 1,
        }
    }
    server.signal("CONT");
    assert_eq!(
        not_connected, 0,
        "connections not completed within 5 s while the server accepted none"
    );

    let answers: Vec<_> = streams
        .into_iter()
        .map(|mut stream| {
            tokio::spawn(async move {
                let exchange = async {
                    stream
                        .write_all(b"GET /_local HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                        .await?;
                    let mut reply = Vec::new();
                    stream.read_to_end(&mut reply).await?;
                    Ok::<_, std::io::Error>(reply)
                };
                tokio::time::timeout(Duration::from_secs(60), exchange).await
            })
        })
        .collect();
    let mut answered = 0;
    for answer in answers {
        if let Ok(Ok(reply)) = answer.await.unwrap()
            && reply.starts_with(b"HTTP/1.1 200 OK\r\n")
        {
            answered += 1;
        }
    }
    assert_eq!(answered, N, "connections answered with 200");
    let (status, log) = server.stop();
    assert!(status.success());
    assert_eq!(log.lines().filter(|l| *l == "GET /_local 200 -").count(), N);
}
