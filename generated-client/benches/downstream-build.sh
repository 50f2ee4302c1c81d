#!/usr/bin/env bash
# The cold debug build of a small program that uses this crate, against the same program
# written with only reqwest, serde and tokio (BENCHMARKS.md). On demand only: it builds both
# from nothing, in target directories of their own, `--rounds N` times each (default 2),
# alternating which goes first, and prints the seconds and the ratio of the medians.
# Needs the crates in cargo's cache or the registry.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=2
if [ "${1:-}" = "--rounds" ]; then rounds=$2; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/with-client/src" "$work/bare/src"
cat > "$work/with-client/Cargo.toml" <<TOML
[package]
name = "with-client"
version = "0.1.0"
edition = "2024"

[dependencies]
generated-client = { path = "$root/generated-client" }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
TOML
cat > "$work/with-client/src/main.rs" <<'RS'
use generated_client::{ClientConfig, Credentials};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = ClientConfig::new()
        .credentials(Credentials::token("a-token"))
        .project_id("my-project")
        .endpoint("http://127.0.0.1:9")
        .build()?;
    let instance = client.show_instance().instance_id("my-instance").send().await;
    println!("{:?}", instance.map(|reply| reply.into_inner().status));
    Ok(())
}
RS
cat > "$work/bare/Cargo.toml" <<'TOML'
[package]
name = "bare"
version = "0.1.0"
edition = "2024"

[dependencies]
reqwest = { version = "0.13", features = ["json"] }
serde = { version = "1", features = ["derive"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
TOML
cat > "$work/bare/src/main.rs" <<'RS'
#[derive(Debug, serde::Deserialize)]
struct Instance {
    status: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let reply = reqwest::Client::new()
        .get("http://127.0.0.1:9/v2/my-project/instances/my-instance")
        .header("X-Auth-Token", "a-token")
        .send()
        .await;
    let instance = match reply {
        Ok(reply) => Ok(reply.json::<Instance>().await?.status),
        Err(e) => Err(e),
    };
    println!("{instance:?}");
    Ok(())
}
RS

# Both resolve their dependencies first, so the builds time compiling only.
for crate in with-client bare; do
  cargo generate-lockfile --quiet --manifest-path "$work/$crate/Cargo.toml"
  cargo fetch --quiet --manifest-path "$work/$crate/Cargo.toml"
done

build() {  # build CRATE: prints the seconds of a cold debug build; warnings from this crate fail it
  local crate=$1 log="$work/$1.log"
  rm -rf "$work/target-$crate"
  local start end
  start=$(date +%s.%N)
  CARGO_TARGET_DIR="$work/target-$crate" cargo build --quiet --offline \
    --manifest-path "$work/$crate/Cargo.toml" 2> "$log"
  end=$(date +%s.%N)
  if grep -q "^warning" "$log"; then cat "$log" >&2; echo "the build warned" >&2; exit 1; fi
  awk "BEGIN { printf \"%.1f\", $end - $start }"
}

with=() bare=()
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then
    bare+=("$(build bare)"); with+=("$(build with-client)")
  else
    with+=("$(build with-client)"); bare+=("$(build bare)")
  fi
  echo "round $round: bare ${bare[-1]} s, with generated-client ${with[-1]} s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m_bare=$(median "${bare[@]}") m_with=$(median "${with[@]}")
echo "cold debug build, medians of $rounds: bare (reqwest, serde, tokio) $m_bare s, with generated-client $m_with s, ratio $(awk "BEGIN { printf \"%.2f\", $m_with / $m_bare }")"
