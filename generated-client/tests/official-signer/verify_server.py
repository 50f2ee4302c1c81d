"""A stand-in DMS endpoint that checks AK/SK signatures with the official SDK's own signer.

It rebuilds each request as it arrived on the wire into a huaweicloudsdkcore SdkRequest
(the headers listed in SignedHeaders, X-Sdk-Date included, the raw path and query, the body),
signs it with huaweicloudsdkcore.signer.Signer and the known AK/SK, and compares the
Authorization header. A match answers 200 with {job_id, connector_id} (connector_id is the
decoded instance id, so the caller can check the path survived); anything else answers 401
with an error body. For instance id "inst-1" the request must also match, in body (as JSON),
path, content type and X-Project-Id, what the official Python SDK sent for the same call
(official-sdk-wire-request.json); a difference answers 400.
Usage: verify_server.py AK SK PORT_FILE OFFICIAL_WIRE_JSON
"""

import json
import sys
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

AK, SK, PORT_FILE, OFFICIAL = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
with open(OFFICIAL) as f:
    OFFICIAL_REQUEST = json.load(f)["request"]


def differs_from_official(target, headers, body):
    official_headers = {k.lower(): v for k, v in OFFICIAL_REQUEST["headers"]}
    checks = [
        ("path", urlsplit(target).path, OFFICIAL_REQUEST["path"]),
        ("body", json.loads(body or b"null"), json.loads(OFFICIAL_REQUEST["body"])),
        ("content type", headers.get("Content-Type"), official_headers["content-type"]),
        ("X-Project-Id", headers.get("X-Project-Id"), official_headers["x-project-id"]),
    ]
    for what, ours, theirs in checks:
        if ours != theirs:
            return "%s differs from the official SDK's: %r != %r" % (what, ours, theirs)
    return None


def verify(method, target, headers, body):
    authorization = headers.get("Authorization", "")
    prefix = "SDK-HMAC-SHA256 "
    if not authorization.startswith(prefix):
        return "no SDK-HMAC-SHA256 Authorization header"
    fields = dict(part.strip().split("=", 1) for part in authorization[len(prefix):].split(","))
    if fields.get("Access") != AK:
        return "unknown access key"
    signed = fields.get("SignedHeaders", "").split(";")
    required = ["host", "x-sdk-date", "x-project-id"]
    if headers.get("X-Security-Token") is not None:
        required.append("x-security-token")
    for name in required:
        if name not in signed:
            return "header %s is not signed" % name
    header_params = {}
    for name in signed:
        value = headers.get(name)
        if value is None:
            return "signed header %s is missing" % name
        header_params[name] = value
    split = urlsplit(target)
    request = SdkRequest(
        method=method,
        schema="http",
        host=headers.get("Host"),
        resource_path=split.path,
        query_params=parse_qsl(split.query, keep_blank_values=True),
        header_params=header_params,
        body=body,
    )
    credentials = types.SimpleNamespace(ak=AK, sk=SK)
    expected = Signer(credentials).sign(request).header_params["Authorization"]
    if expected != authorization:
        return "signature mismatch"
    return None


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        problem = verify("POST", self.path, self.headers, body)
        status = 401
        if problem is None and "/instances/inst-1/" in self.path:
            problem = differs_from_official(self.path, self.headers, body)
            status = 400
        if problem is None:
            segments = urlsplit(self.path).path.split("/")
            # /v2/{project_id}/instances/{instance_id}/connector
            reply = {"job_id": "job-verified", "connector_id": unquote(segments[4])}
            if self.headers.get("X-Security-Token"):
                reply["job_id"] = "job-verified-with-security-token"
            status = 200
        else:
            reply = {"error_code": "APIGW.0301", "error_msg": problem}
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Request-Id", "req-official-signer")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
