#!/usr/bin/env bash
# The generate bench with openapi-generator's `rust` generator beside it, on the same
# 1,000-operation spec (BENCHMARKS.md). Needs java (17 or later), python3 with venv and PyPI:
# the jar comes from the `openapi-generator-cli` package, kept in a venv in cargo's target
# directory. Arguments go to the bench (e.g. --rounds 5).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target_dir=$(cargo metadata --manifest-path "$root/Cargo.toml" --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv="$target_dir/openapi-generator-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import openapi_generator_cli" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "openapi-generator-cli==7.26.0"
fi
jar=$("$venv/bin/python" -c 'import os, openapi_generator_cli as m; print(os.path.join(os.path.dirname(m.__file__), "openapi-generator.jar"))')
cargo bench --manifest-path "$root/Cargo.toml" -p codegen --bench generate -- --openapi-generator "$jar" "$@"
