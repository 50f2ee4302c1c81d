#!/usr/bin/env bash
# Sends the example's request to a stand-in that verifies the signature with the official
# Python SDK's signer (huaweicloudsdkcore), for ordinary ids and ids that need
# percent-encoding, with AK/SK and with AK/SK + security token; and checks that a wrong SK
# is refused. Needs python3 with venv and access to PyPI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# The target directory cargo uses (CARGO_TARGET_DIR or build.target-dir may move it out of the
# clone): the examples are built there, and the venv is kept there.
target_dir=$(cargo metadata --manifest-path "$root/Cargo.toml" --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv="$target_dir/official-sdk-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import huaweicloudsdkcore" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "huaweicloudsdkcore==3.1.219"
fi

cargo build --quiet --manifest-path "$root/Cargo.toml" -p generated-client --example enable_smart_connect --example custom_http_client
example="$target_dir/debug/examples/enable_smart_connect"
custom_client_example="$target_dir/debug/examples/custom_http_client"

port_file=$(mktemp)
wrong_sk_err=$(mktemp)
"$venv/bin/python" "$here/verify_server.py" HPUAEXAMPLEAK0000001 ExampleSecretKey0123456789abcdefghijklmn "$port_file" "$here/../data/official-sdk-wire-request.json" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$port_file" "$wrong_sk_err"' EXIT
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
port=$(cat "$port_file")

run() {  # run INSTANCE_ID EXPECTED_STDOUT [extra env...]  (EXAMPLE: which program, default the example)
  local id=$1 want=$2; shift 2
  local got
  got=$(env -i PATH="$PATH" HUAWEICLOUD_SDK_AK=HPUAEXAMPLEAK0000001 \
    HUAWEICLOUD_SDK_SK=ExampleSecretKey0123456789abcdefghijklmn \
    HUAWEICLOUD_SDK_PROJECT_ID=proj-0123456789 DMS_ENDPOINT="http://127.0.0.1:$port" \
    DMS_INSTANCE_ID="$id" DMS_NODE_CNT=2 "$@" "${EXAMPLE:-$example}")
  if [ "$got" != "$want" ]; then
    echo "FAIL: instance id '$id': got '$got', want '$want'" >&2
    exit 1
  fi
  echo "ok: instance id '$id' ${*:-} $(basename "${EXAMPLE:-$example}")"
}

for id in inst-1 "a b:c@d" "50%" "a/b?c#d" "ünïcødé" "x+y=z&w"; do
  run "$id" "job_id=job-verified connector_id=$id"
  run "$id" "job_id=job-verified-with-security-token connector_id=$id" \
    HUAWEICLOUD_SDK_SECURITY_TOKEN=temporary-security-token-value
done

# The caller's own reqwest::Client (examples/custom_http_client.rs): still signed, still accepted.
for id in inst-1 "a b:c@d" "ünïcødé"; do
  EXAMPLE="$custom_client_example" run "$id" "job_id=job-verified connector_id=$id"
  EXAMPLE="$custom_client_example" run "$id" "job_id=job-verified-with-security-token connector_id=$id" \
    HUAWEICLOUD_SDK_SECURITY_TOKEN=temporary-security-token-value
done

# Exit codes of the example: 2 for a settings problem (nothing sent), 1 for a refused call.
# (With no settings at all it runs the workflow on a local DMS instead: exit 0.)
set +e
env -i PATH="$PATH" HUAWEICLOUD_SDK_AK=only-an-ak "$example" 2>/dev/null; code=$?
set -e
if [ "$code" != 2 ]; then echo "FAIL: incomplete settings: exit $code, want 2" >&2; exit 1; fi
echo "ok: incomplete settings exit 2"

# A wrong secret key must be refused by the official signer's check.
set +e
env -i PATH="$PATH" HUAWEICLOUD_SDK_AK=HPUAEXAMPLEAK0000001 HUAWEICLOUD_SDK_SK=wrong-secret \
    HUAWEICLOUD_SDK_PROJECT_ID=proj-0123456789 DMS_ENDPOINT="http://127.0.0.1:$port" \
    DMS_INSTANCE_ID=inst-1 "$example" 2>"$wrong_sk_err"; code=$?
set -e
if [ "$code" != 1 ]; then
  echo "FAIL: a wrong SK: exit $code, want 1" >&2
  exit 1
fi
grep -q "status=401 error_code=APIGW.0301 error_msg=signature mismatch request_id=req-official-signer" "$wrong_sk_err"
echo "ok: a wrong SK is refused"

# The comparison with the official SDK's request can fail: node_cnt 3 is not what it sent.
if env -i PATH="$PATH" HUAWEICLOUD_SDK_AK=HPUAEXAMPLEAK0000001 \
    HUAWEICLOUD_SDK_SK=ExampleSecretKey0123456789abcdefghijklmn \
    HUAWEICLOUD_SDK_PROJECT_ID=proj-0123456789 DMS_ENDPOINT="http://127.0.0.1:$port" \
    DMS_INSTANCE_ID=inst-1 DMS_NODE_CNT=3 "$example" 2>"$wrong_sk_err"; then
  echo "FAIL: a body unlike the official SDK's was accepted" >&2
  exit 1
fi
grep -q "status=400 .*body differs from the official SDK's" "$wrong_sk_err"
echo "ok: the comparison with the official SDK's request catches a different body"
