"""OmicsServer life cycle, the request log, seeding, and the new user's first listing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from omics_magic.testing import DEFAULT_ACCOUNT_ID, OmicsBackend, OmicsServer
from tests.testing.support import REGION, omics_client


def test_start_stop_and_context_manager() -> None:
    server = OmicsServer()
    with pytest.raises(RuntimeError, match="start"):
        _ = server.endpoint_url
    assert server.start() is server
    url = server.endpoint_url
    assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
    assert server.env(credentials=False) == {
        "AWS_ENDPOINT_URL_OMICS": url,
        "AWS_ENDPOINT_URL_STS": url,
        "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
    }
    server.stop()
    server.stop()  # idempotent
    with OmicsServer(server.backend) as again:
        assert again.backend is server.backend and again.endpoint_url != ""
    assert "stopped" in repr(again)


def test_stop_does_not_wait_for_a_sleeping_request(omics_server: OmicsServer) -> None:
    backend = omics_server.backend
    backend.set_latency(30)
    arrived, failed = threading.Event(), threading.Event()
    latency = backend.faults.latency

    def noting_arrival(region: str, operation: str, *account: str | None) -> float:
        arrived.set()
        return latency(region, operation, *account)

    backend.faults.latency = noting_arrival  # type: ignore[method-assign]
    omics = omics_client()  # made here: the thread must not read a later test's env

    def call() -> None:
        try:
            omics.list_sequence_stores()
        except Exception:
            failed.set()  # the connection was closed under it, as expected

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    assert arrived.wait(timeout=5)
    started = time.monotonic()
    omics_server.stop()
    assert time.monotonic() - started < 5
    caller.join(timeout=5)
    assert failed.is_set() and not caller.is_alive()


def test_a_stopped_server_answers_nothing(omics_server: OmicsServer) -> None:
    omics = omics_client()
    omics.list_sequence_stores()
    omics_server.stop()
    with pytest.raises(Exception):  # noqa: B017 - any connection failure will do
        omics.list_sequence_stores()
    assert omics_server.backend.requests.count() == 1


def test_the_request_log_counts_by_operation_region_status_and_code(
    omics_fake: OmicsBackend,
) -> None:
    made = omics_fake.create_sequence_store(REGION, "logged")
    here, there = omics_client(), omics_client("eu-west-1")
    here.list_sequence_stores()
    here.get_sequence_store(id=made["id"])
    there.list_sequence_stores()
    with pytest.raises(here.exceptions.ResourceNotFoundException):
        here.get_sequence_store(id="1234567890")
    log = omics_fake.requests
    assert len(log) == log.count() == 4
    assert log.count(operation="ListSequenceStores") == 2
    assert log.count(operation="ListSequenceStores", region="eu-west-1") == 1
    assert log.count(operation="GetSequenceStore", status=200) == 1
    assert log.count(error_code="ResourceNotFoundException", status=404) == 1
    assert log.count(account_id=DEFAULT_ACCOUNT_ID) == 4
    assert [r.operation for r in log.records] == [
        "ListSequenceStores",
        "GetSequenceStore",
        "ListSequenceStores",
        "GetSequenceStore",
    ]
    assert all(r.time > 0 for r in log.records)
    log.clear()
    assert log.count() == 0 and log.records == []


def test_seeding_is_realistic_and_deterministic() -> None:
    first = OmicsBackend().seed(["us-east-1", "eu-west-2"], 40, random_seed=5)
    again = OmicsBackend().seed(["eu-west-2"], 40, random_seed=5)
    assert first["eu-west-2"] == again["eu-west-2"]
    other = OmicsBackend().seed(["eu-west-2"], 40, random_seed=6)
    assert [s["id"] for s in other["eu-west-2"]] != [s["id"] for s in first["eu-west-2"]]
    stores = first["us-east-1"] + first["eu-west-2"]
    assert all(s["name"].rsplit("-", 1)[1].isdigit() for s in stores)
    assert any(s["tags"] == {} for s in stores) and any(s["tags"] for s in stores)
    assert any("team" in s["tags"] and "env" in s["tags"] for s in stores)
    kms = [s["sseConfig"] for s in stores]
    assert all(k["type"] == "KMS" for k in kms)
    customer = [k["keyArn"] for k in kms if "keyArn" in k]
    assert customer and len(customer) < len(kms) / 2
    assert all(k.startswith("arn:aws:kms:") and ":key/" in k for k in customer)
    assert any(s.get("fallbackLocation", "").startswith("s3://") for s in stores)
    assert any("description" not in s for s in stores) and any("description" in s for s in stores)
    times = [s["creationTime"] for s in stores]
    assert len(set(times)) == len(times) and max(times).year <= 2025


def test_seeding_the_same_seed_twice_makes_new_stores() -> None:
    backend = OmicsBackend()
    backend.seed([REGION], 5)
    backend.seed([REGION], 5)
    ids = [s["id"] for s in backend.stores(REGION)]
    assert len(ids) == 10 == len(set(ids))


def test_a_new_user_lists_seeded_stores_from_a_fresh_python(omics_server: OmicsServer) -> None:
    regions = ["us-east-1", "eu-west-2", "ap-southeast-1"]
    seeded = omics_server.backend.seed(regions, 4)
    script = (
        "import boto3, json, sys\n"
        "out = {}\n"
        "for region in sys.argv[1:]:\n"
        "    client = boto3.client('omics', region_name=region)\n"
        "    pages = client.get_paginator('list_sequence_stores').paginate()\n"
        "    out[region] = [s['name'] for p in pages for s in p['sequenceStores']]\n"
        "print(json.dumps(out))\n"
    )
    # A fresh interpreter that starts nothing: it only gets the server's variables and
    # (fake) credentials, as a user's notebook kernel would.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(omics_server.env())
    done = subprocess.run(
        [sys.executable, "-c", script, *regions],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert listed == {r: [s["name"] for s in seeded[r]] for r in regions}
    assert omics_server.backend.requests.count(operation="ListSequenceStores") == 3


def test_unknown_routes_answer_unknown_operation(omics_server: OmicsServer) -> None:
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(omics_server.endpoint_url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=5)
    scope = "Credential=AKIAFAKE/20250101/us-east-1/omics/aws4_request"
    connection.request(
        "GET", "/referencestores", headers={"Authorization": f"AWS4-HMAC-SHA256 {scope}"}
    )
    answer = connection.getresponse()
    body = json.loads(answer.read())
    connection.close()
    assert (answer.status, answer.getheader("x-amzn-ErrorType")) == (
        404,
        "UnknownOperationException",
    )
    assert "/referencestores" in body["message"]
    [record] = omics_server.backend.requests.records
    assert (record.operation, record.status) == (None, 404)
