#!/usr/bin/env bash
# The local-dms binary serves the official Python SDK (huaweicloudsdkkafka, from PyPI): builds
# it, then workflow.py starts it as a user would and drives the Smart Connect workflow, signed,
# twice with POST /_local/reset between. Needs python3 with venv and access to PyPI. The venv
# goes under cargo's target directory (CARGO_TARGET_DIR honoured).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$root"
target=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv="$target/official-sdk-kafka-venv"
pins=("huaweicloudsdkcore==3.1.219" "huaweicloudsdkkafka==3.1.219")
if [ ! -x "$venv/bin/python" ] ||
  ! "$venv/bin/python" -c "import huaweicloudsdkkafka.v2, huaweicloudsdkcore" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "${pins[@]}"
fi

# Where cargo put the binary (target directory, build target and profile as cargo decides).
binary=$(cargo build --quiet -p generated-client --features local-dms --bin local-dms \
    --message-format=json-render-diagnostics |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "local-dms":
        print(m["executable"])')
[ -x "$binary" ] || { echo "FAIL: no local-dms binary built" >&2; exit 1; }

env -i PATH="$PATH" HUAWEICLOUD_SDK_AK=LOCALDMSSDKCHECKAK01 \
  HUAWEICLOUD_SDK_SK=local-dms-sdk-check-secret-0123456789 \
  HUAWEICLOUD_SDK_PROJECT_ID=proj-official-sdk-1 \
  "$venv/bin/python" "$here/workflow.py" "$binary"
