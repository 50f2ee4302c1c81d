"""Times the official Python SDK's signer for benches/signer.rs, interleaved with the Rust side.

Usage: python_signer.py AK SK HOST PATH BODY CANONICAL_REQUEST STRING_TO_SIGN HEADER=VALUE...
Prints "authorization <value>" for the request with a fixed X-Sdk-Date (so the caller can
check both signers agree byte for byte), then answers commands read from stdin, one per line:
  sign N   N signatures of a fresh request without X-Sdk-Date (as the client sends it)
  build N  N constructions of that fresh request alone (to subtract from `sign`)
  hash N   N rounds of the bare hashing a signature needs: sha256(body), sha256(canonical
           request), HMAC-SHA256(sk, string to sign), each hex-encoded
Each command answers with the nanoseconds the N iterations took.
"""

import hashlib
import hmac
import sys
import time
import types

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

AK, SK, HOST, PATH, BODY, CANONICAL, TO_SIGN = sys.argv[1:8]
HEADERS = dict(h.split("=", 1) for h in sys.argv[8:])
BODY = BODY.encode()
SK_BYTES = SK.encode()
CANONICAL = CANONICAL.encode()
TO_SIGN = TO_SIGN.encode()
SIGNER = Signer(types.SimpleNamespace(ak=AK, sk=SK))


def build(extra=None):
    headers = dict(HEADERS)
    if extra:
        headers.update(extra)
    return SdkRequest(method="POST", schema="https", host=HOST, resource_path=PATH,
                      query_params=[], header_params=headers, body=BODY)


def sign(n):
    start = time.perf_counter_ns()
    for _ in range(n):
        SIGNER.sign(build())
    return time.perf_counter_ns() - start


def build_only(n):
    start = time.perf_counter_ns()
    for _ in range(n):
        build()
    return time.perf_counter_ns() - start


def hash_only(n):
    sha256 = hashlib.sha256
    start = time.perf_counter_ns()
    for _ in range(n):
        sha256(BODY).hexdigest()
        sha256(CANONICAL).hexdigest()
        hmac.new(SK_BYTES, TO_SIGN, digestmod=sha256).hexdigest()
    return time.perf_counter_ns() - start


fixed = SIGNER.sign(build({"X-Sdk-Date": "20240102T030405Z"}))
print("authorization " + fixed.header_params["Authorization"], flush=True)
COMMANDS = {"sign": sign, "build": build_only, "hash": hash_only}
for line in sys.stdin:
    command, n = line.split()
    print(COMMANDS[command](int(n)), flush=True)
