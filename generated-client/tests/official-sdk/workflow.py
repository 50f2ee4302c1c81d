"""The Smart Connect workflow through the official Python SDK (huaweicloudsdkkafka), against
the `local-dms` binary started as a user would: `workflow.py PATH_OF_LOCAL_DMS`.

Reads HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_PROJECT_ID, the same
variables the binary reads. Runs the workflow twice with POST /_local/reset between (first
with the binary's own timing, then with manual timing over the admin API), checks each reply
against the API reference pages (status codes, fields, error codes), then stops the binary
with SIGTERM. Exits non-zero on the first call that does not go as documented.
"""

import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkkafka.v2 import (
    CreateConnectorReq,
    CreateConnectorRequest,
    CreateConnectorTaskRequest,
    CreateSmartConnectTaskReq,
    DeleteBackgroundTaskRequest,
    DeleteConnectorRequest,
    DeleteConnectorTaskRequest,
    KafkaClient,
    ListBackgroundTasksRequest,
    ListConnectorTasksRequest,
    PauseConnectorTaskRequest,
    RestartConnectorTaskRequest,
    ResumeConnectorTaskRequest,
    ShowBackgroundTaskRequest,
    ShowConnectorTaskRequest,
    ShowInstanceRequest,
    SmartConnectTaskReqSinkConfig,
)

AK = os.environ["HUAWEICLOUD_SDK_AK"]
SK = os.environ["HUAWEICLOUD_SDK_SK"]
PROJECT = os.environ["HUAWEICLOUD_SDK_PROJECT_ID"]


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def expect_error(call, status, code, what):
    try:
        call()
    except ClientRequestException as e:
        check(e.status_code == status and e.error_code == code,
              f"{what}: got {e.status_code} {e.error_code}, want {status} {code}")
        return
    raise AssertionError(f"{what}: succeeded, want {status} {code}")


def admin(base_url, method, path, body=None):
    """An admin API call; returns the JSON body (None for 204)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base_url + "/_local" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        raw = reply.read()
        return json.loads(raw) if raw else None


def client(base_url, sk=SK):
    return (KafkaClient.new_builder()
            .with_credentials(BasicCredentials(AK, sk, PROJECT))
            .with_endpoints([base_url])
            .build())


def wait_for_job(kafka, instance, job_id, want):
    deadline = time.monotonic() + 20
    while True:
        reply = kafka.show_background_task(
            ShowBackgroundTaskRequest(instance_id=instance, task_id=job_id))
        check(reply.status_code == 200 and reply.task_count == "1" and len(reply.tasks) == 1,
              f"ShowBackgroundTask: {reply}")
        status = reply.tasks[0].status
        if status == want:
            return
        check(status == "EXECUTING", f"job {job_id}: {status}, want EXECUTING then {want}")
        check(time.monotonic() < deadline, f"job {job_id} still EXECUTING after 20 s")
        time.sleep(0.05)


def finish_or_wait(kafka, base_url, instance, job_id, manual):
    if manual:
        jobs = admin(base_url, "GET", "/jobs")["jobs"]
        check([j["job_id"] for j in jobs] == [job_id], f"/_local/jobs: {jobs}")
        wait_for_job(kafka, instance, job_id, "EXECUTING")
        admin(base_url, "POST", f"/jobs/{job_id}/finish", {"outcome": "SUCCESS"})
    wait_for_job(kafka, instance, job_id, "SUCCESS")


def workflow(base_url, instance, manual):
    kafka = client(base_url)
    shown = kafka.show_instance(ShowInstanceRequest(instance_id=instance))
    check(shown.status_code == 200 and shown.status == "RUNNING"
          and shown.connector_enable is False, f"ShowInstance at the start: {shown}")
    listed = kafka.list_background_tasks(ListBackgroundTasksRequest(instance_id=instance))
    check(listed.task_count == "0" and listed.tasks == [], f"no background tasks: {listed}")

    # Enable Smart Connect: a background task, SUCCESS after a while (or when told).
    enabled = kafka.create_connector(CreateConnectorRequest(
        instance_id=instance, body=CreateConnectorReq(specification="2", node_cnt=2)))
    check(enabled.status_code == 200 and enabled.job_id and enabled.connector_id,
          f"CreateConnector: {enabled}")
    if manual:
        shown = kafka.show_instance(ShowInstanceRequest(instance_id=instance))
        check(shown.status == "EXTENDING", f"while enabling: {shown.status}")
        expect_error(lambda: kafka.create_connector(CreateConnectorRequest(
            instance_id=instance, body=CreateConnectorReq(node_cnt=2))),
            400, "DMS.00400026", "enabling while EXTENDING")
    finish_or_wait(kafka, base_url, instance, enabled.job_id, manual)
    shown = kafka.show_instance(ShowInstanceRequest(instance_id=instance))
    check(shown.status == "RUNNING" and shown.connector_enable is True
          and shown.connector_node_num == 2, f"after enabling: {shown}")

    # A Smart Connect task: create, list, show, pause, resume, restart, delete.
    created = kafka.create_connector_task(CreateConnectorTaskRequest(
        instance_id=instance, body=CreateSmartConnectTaskReq(
            task_name="smart-connect-obs", topics="topic-1", sink_type="OBS_SINK",
            sink_task=SmartConnectTaskReqSinkConfig(
                consumer_strategy="latest", destination_file_type="TEXT",
                deliver_time_interval=300, access_key="obs-ak", secret_key="obs-sk",
                obs_bucket_name="bucket-1", obs_path="obsTransfer-1",
                partition_format="yyyy/MM/dd/HH/mm", record_delimiter="", store_keys=False))))
    check(created.status_code == 200 and created.id and created.status == "CREATING"
          and created.task_name == "smart-connect-obs", f"CreateConnectorTask: {created}")
    check(created.sink_task.obs_bucket_name == "bucket-1"
          and getattr(created.sink_task, "secret_key", None) is None,
          f"the sink as shown: {created.sink_task}")
    task = created.id
    tasks = kafka.list_connector_tasks(ListConnectorTasksRequest(instance_id=instance))
    check(tasks.status_code == 200 and tasks.total_number == 1
          and [t.id for t in tasks.tasks] == [task], f"ListConnectorTasks: {tasks}")

    def status_of_task():
        reply = kafka.show_connector_task(ShowConnectorTaskRequest(
            instance_id=instance, task_id=task))
        check(reply.status_code == 200 and reply.id == task, f"ShowConnectorTask: {reply}")
        return reply.status

    def runs_after_creating(what):
        """A task CREATING runs after a while, or when told (manual timing)."""
        if manual:
            check(status_of_task() == "CREATING", f"{what}: CREATING until told")
            admin(base_url, "PUT", f"/instances/{instance}/tasks/{task}/status",
                  {"status": "RUNNING"})
        deadline = time.monotonic() + 20
        while (status := status_of_task()) != "RUNNING":
            check(status == "CREATING", f"{what}: {status}, want CREATING then RUNNING")
            check(time.monotonic() < deadline, f"{what}: still CREATING after 20 s")
            time.sleep(0.05)

    runs_after_creating("a new task")
    reply = kafka.pause_connector_task(PauseConnectorTaskRequest(instance_id=instance, task_id=task))
    check(reply.status_code == 204 and status_of_task() == "PAUSED", "paused")
    reply = kafka.resume_connector_task(ResumeConnectorTaskRequest(instance_id=instance, task_id=task))
    check(reply.status_code == 204 and status_of_task() == "RUNNING", "resumed")
    reply = kafka.restart_connector_task(RestartConnectorTaskRequest(instance_id=instance, task_id=task))
    check(reply.status_code == 204, f"RestartConnectorTask: {reply.status_code}")
    runs_after_creating("a restarted task")
    reply = kafka.delete_connector_task(DeleteConnectorTaskRequest(instance_id=instance, task_id=task))
    check(reply.status_code == 204, f"DeleteConnectorTask: {reply.status_code}")
    expect_error(lambda: kafka.show_connector_task(ShowConnectorTaskRequest(
        instance_id=instance, task_id=task)), 404, "DMS.00404001", "a deleted task")

    # Background tasks: listed, deleted (then shown DELETED, not listed).
    listed = kafka.list_background_tasks(ListBackgroundTasksRequest(instance_id=instance))
    check(listed.task_count == "1" and [t.id for t in listed.tasks] == [enabled.job_id]
          and listed.tasks[0].name == "createConnector", f"ListBackgroundTasks: {listed}")
    reply = kafka.delete_background_task(DeleteBackgroundTaskRequest(
        instance_id=instance, task_id=enabled.job_id))
    check(reply.status_code == 204, f"DeleteBackgroundTask: {reply.status_code}")
    wait_for_job(kafka, instance, enabled.job_id, "DELETED")

    # Disable Smart Connect.
    disabled = kafka.delete_connector(DeleteConnectorRequest(instance_id=instance))
    check(disabled.status_code == 200 and disabled.job_id, f"DeleteConnector: {disabled}")
    finish_or_wait(kafka, base_url, instance, disabled.job_id, manual)
    shown = kafka.show_instance(ShowInstanceRequest(instance_id=instance))
    check(shown.status == "RUNNING" and shown.connector_enable is False, f"disabled: {shown}")

    # Signed, as the stand-in checked: a wrong SK is refused.
    expect_error(lambda: client(base_url, sk="wrong-secret-key").show_instance(
        ShowInstanceRequest(instance_id=instance)), 401, "APIGW.0301", "a wrong SK")

    # The record of what the SDK sent.
    seen = admin(base_url, "GET", "/requests")["requests"]
    check(all(r["operation"] for r in seen), f"every request named an operation: {seen}")
    check(all(dict(r["headers"]).get("authorization") == "***" for r in seen),
          "every request carried a signature")
    firsts = [(r["operation"], r["status"]) for r in seen[:3]]
    check(firsts == [("ShowInstance", 200), ("ListBackgroundTasks", 200),
                     ("CreateConnector", 200)], f"the first requests: {firsts}")
    check(seen[-1]["status"] == 401 and seen[-1]["error_code"] == "APIGW.0301",
          f"the last request: {seen[-1]}")
    ops = {r["operation"] for r in seen}
    check(len(ops) == 13, f"all 13 operations were called: {sorted(ops)}")


def main():
    binary = sys.argv[1]
    proc = subprocess.Popen([binary, "--busy-for", "300ms"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        check(ready, "the binary printed nothing within 30 s")
        info = json.loads(proc.stdout.readline())
        check(info["project_id"] == PROJECT and len(info["instance_ids"]) == 1,
              f"the first line: {info}")
        base_url, instance = info["base_url"], info["instance_ids"][0]
        workflow(base_url, instance, manual=False)
        print("ok: the workflow through huaweicloudsdkkafka, the binary's own timing")

        admin(base_url, "POST", "/reset")
        check(admin(base_url, "GET", "/requests")["requests"] == [], "reset empties the record")
        check(admin(base_url, "GET", "/timing") == {"mode": "auto", "busy_for_ms": 300},
              "reset keeps the start timing")
        admin(base_url, "PUT", "/timing", {"mode": "manual"})
        workflow(base_url, instance, manual=True)
        print("ok: again after POST /_local/reset, with manual timing")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("the binary did not stop within 10 s of SIGTERM")
        log = proc.stderr.read()
    check(code == 0, f"exit code {code} after SIGTERM\n{log}")
    lines = log.splitlines()
    check(lines[-1] == "local-dms: stopped", f"the log ends: {lines[-3:]}")
    check(any(line.startswith("POST /v2/" + PROJECT + "/instances/") and line.endswith(" 200 -")
              for line in lines), "the log has a line per request")
    check(any(line.endswith(" 401 APIGW.0301") for line in lines), "the log has error codes")
    print("ok: SIGTERM stops it (exit 0), one log line per request on stderr")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
