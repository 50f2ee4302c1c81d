//! The local DMS as a server for any SDK: `cargo run -p generated-client --features local-dms
//! --bin local-dms -- [--port N] [--busy-for DURATION] [--manual] [--instance ID ...]`.
//!
//! Reads the client's own settings: `HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK` (then every
//! request must be signed with them), `DMS_AUTH_TOKEN` (then that IAM token is accepted too),
//! `HUAWEICLOUD_SDK_PROJECT_ID` (default `local_dms::DEFAULT_PROJECT_ID`). Prints one JSON line
//! on stdout (`base_url`, `project_id`, `instance_ids`, `admin_url`, `port`, `pid`, `auth`),
//! then one line per request on stderr, and stops on Ctrl-C or SIGTERM. Exit codes: 0 after a
//! signal, 1 when it cannot serve, 2 for bad arguments or settings.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use generated_client::local_dms::{DEFAULT_PROJECT_ID, LocalDms, SeenRequest, Timing};
use generated_client::{ENV_AK, ENV_DMS_AUTH_TOKEN, ENV_PROJECT_ID, ENV_SK};
use serde_json::json;

const USAGE: &str = "\
usage: local-dms [--port N] [--busy-for DURATION] [--manual] [--instance ID]...

  --port N             listen on 127.0.0.1:N (0 or none: any free port)
  --busy-for DURATION  how long enabling/disabling Smart Connect takes, e.g. 200ms, 2s, 1m
                       (default 200ms)
  --manual             jobs stay EXECUTING until POST /_local/jobs/{job_id}/finish
  --instance ID        serve an instance with this id (repeatable; default one random id)

environment: HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (signatures checked), DMS_AUTH_TOKEN
(token accepted), HUAWEICLOUD_SDK_PROJECT_ID (default 0123456789abcdef0123456789abcdef)";

/// What the command line asks for.
#[derive(Debug, Default, PartialEq)]
struct Args {
    port: u16,
    busy_for: Option<Duration>,
    manual: bool,
    instances: Vec<String>,
    help: bool,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln_lossy(&format!("local-dms: {message}\n{USAGE}"));
            return ExitCode::from(2);
        }
    };
    if args.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let mut builder = LocalDms::builder()
        .project_id(var(ENV_PROJECT_ID).unwrap_or_else(|| DEFAULT_PROJECT_ID.to_owned()))
        .port(args.port)
        .on_request(log_request);
    let mut auth = Vec::new();
    match (var(ENV_AK), var(ENV_SK)) {
        (Some(ak), Some(sk)) => {
            builder = builder.credentials(ak, sk);
            auth.push("ak/sk");
        }
        (None, None) => {}
        _ => {
            eprintln_lossy(&format!(
                "local-dms: {ENV_AK} and {ENV_SK} go together: set both or neither"
            ));
            return ExitCode::from(2);
        }
    }
    if let Some(token) = var(ENV_DMS_AUTH_TOKEN) {
        builder = builder.token(token);
        auth.push("token");
    }
    if let Some(busy_for) = args.busy_for {
        builder = builder.busy_for(busy_for);
    }
    if args.manual {
        builder = builder.timing(Timing::Manual);
    }
    for id in args.instances {
        builder = builder.instance(id);
    }

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln_lossy(&format!("local-dms: cannot start the runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let dms = match builder.start().await {
            Ok(dms) => dms,
            Err(e) => {
                eprintln_lossy(&format!(
                    "local-dms: cannot listen on 127.0.0.1:{}: {e}",
                    args.port
                ));
                return ExitCode::FAILURE;
            }
        };
        let line = json!({
            "base_url": dms.base_url(),
            "admin_url": format!("{}/_local", dms.base_url()),
            "project_id": dms.project_id(),
            "instance_ids": dms.instance_ids(),
            "port": dms.addr().port(),
            "pid": std::process::id(),
            "auth": if auth.is_empty() { "any".to_owned() } else { auth.join("+") },
        });
        let mut stdout = std::io::stdout().lock();
        if writeln!(stdout, "{line}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            eprintln_lossy("local-dms: cannot write to stdout");
            return ExitCode::FAILURE;
        }
        drop(stdout);
        if let Err(e) = stop_signal().await {
            eprintln_lossy(&format!("local-dms: cannot wait for signals: {e}"));
            return ExitCode::FAILURE;
        }
        drop(dms);
        eprintln_lossy("local-dms: stopped");
        ExitCode::SUCCESS
    })
}

/// One line per request: method, path (and query), status (`-` when dropped), error code.
fn log_request(seen: &SeenRequest) {
    let query = seen
        .query
        .as_deref()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let status = seen
        .status
        .map_or_else(|| "dropped".to_owned(), |s| s.to_string());
    let code = seen.error_code.as_deref().unwrap_or("-");
    eprintln_lossy(&format!(
        "{} {}{query} {status} {code}",
        seen.method, seen.path
    ));
}

/// Writes a line to stderr; a closed stderr is not worth dying for.
fn eprintln_lossy(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Returns on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn stop_signal() -> std::io::Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<std::io::Result<()>>(2);
    let on_ctrl_c = tx.clone();
    tokio::spawn(async move {
        let _ = on_ctrl_c.send(tokio::signal::ctrl_c().await).await;
    });
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        tokio::spawn(async move {
            term.recv().await;
            let _ = tx.send(Ok(())).await;
        });
    }
    #[cfg(not(unix))]
    drop(tx);
    rx.recv().await.unwrap_or(Ok(()))
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "--port" => {
                let text = value()?;
                parsed.port = text
                    .parse()
                    .map_err(|_| format!("--port: {text:?} is not a port number (0 to 65535)"))?;
            }
            "--busy-for" => {
                let text = value()?;
                parsed.busy_for =
                    Some(parse_duration(&text).map_err(|e| format!("--busy-for: {e}"))?);
            }
            "--instance" => {
                let id = value()?;
                if id.is_empty() {
                    return Err("--instance: the id is empty".to_owned());
                }
                parsed.instances.push(id);
            }
            "--manual" if inline.is_none() => parsed.manual = true,
            "-h" | "--help" if inline.is_none() => parsed.help = true,
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(parsed)
}

/// `250ms`, `2s`, `1m`: a whole number and a unit (`ms`, `s`, `m`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 200ms, 2s or 1m"))?;
    let millis = match unit {
        "ms" => Some(number),
        "s" => number.checked_mul(1_000),
        "m" => number.checked_mul(60_000),
        _ => return Err(format!("{text:?}: the unit must be ms, s or m")),
    };
    millis
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{text:?} is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        parse_args(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn durations_need_a_number_and_a_unit() {
        assert_eq!(parse_duration("200ms"), Ok(Duration::from_millis(200)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        for bad in [
            "",
            "200",
            "ms",
            "1.5s",
            "-1s",
            "2 s",
            "2h",
            "5S",
            "99999999999999999999ms",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        assert!(parse_duration(&format!("{}m", u64::MAX)).is_err());
    }

    #[test]
    fn arguments_are_parsed_or_refused() {
        assert_eq!(args(&[]), Ok(Args::default()));
        let all = args(&[
            "--port",
            "8080",
            "--busy-for=2s",
            "--manual",
            "--instance",
            "a",
            "--instance=b",
        ])
        .unwrap();
        assert_eq!(
            all,
            Args {
                port: 8080,
                busy_for: Some(Duration::from_secs(2)),
                manual: true,
                instances: vec!["a".into(), "b".into()],
                help: false,
            }
        );
        for bad in [
            &["--port"][..],
            &["--port", "65536"],
            &["--port", "-1"],
            &["--busy-for", "2"],
            &["--instance="],
            &["--manual=yes"],
            &["--verbose"],
            &["8080"],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }
}
