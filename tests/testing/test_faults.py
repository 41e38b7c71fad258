"""Fault injection: latency, error answers, disabled regions and token-bucket quotas."""

from __future__ import annotations

import threading
import time

import pytest
from botocore.exceptions import ClientError

from omics_magic.testing import AWS_QUOTAS, OmicsBackend, TokenBucket
from tests.testing.support import REGION, error_of, omics_client

OTHER = "eu-west-1"


def outcomes(call: object, n: int) -> list[str]:
    """Call ``n`` times; the error code of each call, or "ok"."""
    result = []
    for _ in range(n):
        try:
            call()  # type: ignore[operator]
            result.append("ok")
        except ClientError as err:
            result.append(error_of(err)[0])
    return result


def test_latency_delays_only_matching_requests(omics_fake: OmicsBackend) -> None:
    omics_fake.set_latency(0.15, region=OTHER, operation="ListSequenceStores")
    here, there = omics_client(), omics_client(OTHER)
    here.list_sequence_stores()  # warm both clients' connections first
    started = time.monotonic()
    there.list_sequence_stores()
    assert time.monotonic() - started >= 0.15
    assert omics_fake.faults.latency(OTHER, "ListSequenceStores") == 0.15
    assert omics_fake.faults.latency(REGION, "ListSequenceStores") == 0.0
    assert omics_fake.faults.latency(OTHER, "GetSequenceStore") == 0.0


def test_the_most_specific_latency_wins() -> None:
    backend = OmicsBackend()
    backend.set_latency(1.0)
    backend.set_latency(2.0, region=OTHER)
    backend.set_latency(3.0, operation="GetSequenceStore")
    backend.set_latency(4.0, region=OTHER, operation="GetSequenceStore")
    latency = backend.faults.latency
    assert latency(REGION, "ListSequenceStores") == 1.0
    assert latency(OTHER, "ListSequenceStores") == 2.0
    assert latency(REGION, "GetSequenceStore") == 3.0
    assert latency(OTHER, "GetSequenceStore") == 4.0
    with pytest.raises(ValueError):
        backend.set_latency(-1)


def test_slow_requests_do_not_hold_up_others_on_the_server(
    omics_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = omics_server.backend  # type: ignore[attr-defined]
    backend.set_latency(0.5, region=OTHER)
    arrived, slow_done = threading.Event(), threading.Event()
    latency = backend.faults.latency

    def noting_arrival(region: str, operation: str, *account: str | None) -> float:
        if region == OTHER:
            arrived.set()  # the server is now sleeping on the slow request
        return latency(region, operation, *account)

    monkeypatch.setattr(backend.faults, "latency", noting_arrival)

    def slow() -> None:
        omics_client(OTHER).list_sequence_stores()
        slow_done.set()

    worker = threading.Thread(target=slow, daemon=True)
    worker.start()
    assert arrived.wait(timeout=5)
    assert omics_client().list_sequence_stores()["sequenceStores"] == []
    assert not slow_done.is_set(), "a fast request waited for the slow one"
    worker.join(timeout=5)
    assert slow_done.is_set()
    assert backend.requests.records[0].region == REGION  # the fast one finished first


def test_injected_errors_fire_the_given_number_of_times(omics_fake: OmicsBackend) -> None:
    omics_fake.inject_error("InternalServerException", operation="ListSequenceStores", times=2)
    omics = omics_client()
    assert outcomes(omics.list_sequence_stores, 3) == [
        "InternalServerException",
        "InternalServerException",
        "ok",
    ]
    assert omics_fake.requests.count(status=500) == 2


def test_injected_errors_are_scoped_to_region_and_operation(omics_fake: OmicsBackend) -> None:
    omics_fake.inject_error("AccessDeniedException", region=OTHER)
    omics_fake.inject_error("ThrottlingException", region=REGION, operation="GetSequenceStore")
    here, there = omics_client(), omics_client(OTHER)
    assert outcomes(here.list_sequence_stores, 2) == ["ok", "ok"]
    assert (
        outcomes(lambda: here.get_sequence_store(id="1234567890"), 2) == ["ThrottlingException"] * 2
    )
    assert outcomes(there.list_sequence_stores, 2) == ["AccessDeniedException"] * 2
    omics_fake.clear_faults()
    assert outcomes(there.list_sequence_stores, 1) == ["ok"]


def test_a_disabled_region_answers_unrecognized_client(omics_fake: OmicsBackend) -> None:
    omics_fake.seed([OTHER], 2)
    omics_fake.disable_region(OTHER)
    there = omics_client(OTHER)
    with pytest.raises(ClientError) as caught:
        there.list_sequence_stores()
    code, status, message = error_of(caught.value)
    assert (code, status) == ("UnrecognizedClientException", 403)
    assert "security token" in message
    assert outcomes(omics_client().list_sequence_stores, 1) == ["ok"]
    omics_fake.enable_region(OTHER)
    assert len(there.list_sequence_stores()["sequenceStores"]) == 2


def test_aws_quotas_throttle_at_the_documented_rates_with_a_fake_clock() -> None:
    now = [0.0]
    backend = OmicsBackend(clock=lambda: now[0])
    backend.set_quotas("aws")

    def admitted(operation: str, region: str = REGION) -> int:
        ok = 0
        for _ in range(20):
            try:
                backend.faults.check("123456789012", region, operation)
                ok += 1
            except Exception:
                pass
        return ok

    # A full bucket (burst = rate), then exactly `rate` more per second.
    assert admitted("ListSequenceStores") == 5
    assert admitted("CreateSequenceStore") == 1
    assert admitted("ListSequenceStores", OTHER) == 5  # per region
    now[0] += 1.0
    assert admitted("ListSequenceStores") == 5
    assert admitted("GetSequenceStore") == 5
    assert admitted("DeleteSequenceStore") == 1
    now[0] += 0.5
    assert admitted("UpdateSequenceStore") == 1 and admitted("TagResource") == 5
    assert admitted("ListTagsForResource") == 5
    assert AWS_QUOTAS["ListTagsForResource"] == 5 and AWS_QUOTAS["UntagResource"] == 5


def test_quotas_throttle_real_calls_counted_in_the_log(omics_fake: OmicsBackend) -> None:
    omics_fake.set_quotas("aws", burst=4)
    omics = omics_client()
    started = time.monotonic()
    results = outcomes(omics.list_sequence_stores, 30)
    elapsed = time.monotonic() - started
    ok = omics_fake.requests.count(operation="ListSequenceStores", status=200)
    throttled = omics_fake.requests.count(error_code="ThrottlingException", status=429)
    assert (ok, throttled) == (results.count("ok"), results.count("ThrottlingException"))
    assert ok + throttled == 30
    # burst up front, then at most 5 per second of the window
    assert 4 <= ok <= 4 + int(5 * elapsed) + 1
    started = time.monotonic()
    creates = outcomes(lambda: omics.create_sequence_store(name="q"), 8)
    elapsed = time.monotonic() - started
    assert 4 <= creates.count("ok") <= 4 + int(1 * elapsed) + 1  # 1 TPS after the burst
    assert len(omics_fake.stores(REGION)) == creates.count("ok")


def test_custom_quotas_and_turning_them_off(omics_fake: OmicsBackend) -> None:
    omics_fake.set_quotas({"GetSequenceStore": 1.0}, burst=2)
    omics = omics_client()
    get = lambda: omics.get_sequence_store(id="1234567890")  # noqa: E731
    assert outcomes(get, 3)[:2] == ["ResourceNotFoundException"] * 2
    assert outcomes(omics.list_sequence_stores, 10) == ["ok"] * 10  # not limited
    omics_fake.set_quotas(None)
    assert outcomes(get, 5) == ["ResourceNotFoundException"] * 5
    with pytest.raises(ValueError):
        omics_fake.set_quotas({"Bogus": 1.0})


def test_token_bucket_is_thread_safe() -> None:
    bucket = TokenBucket(rate=0.001, burst=100, clock=lambda: 0.0)
    taken = []
    lock = threading.Lock()

    def grab() -> None:
        got = sum(bucket.take() for _ in range(50))
        with lock:
            taken.append(got)

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(taken) == 100


def test_fault_settings_refuse_unknown_operations_and_regions() -> None:
    backend = OmicsBackend()
    with pytest.raises(ValueError, match="unknown operation 'ListStores'"):
        backend.set_latency(0.1, operation="ListStores")
    with pytest.raises(ValueError, match="not an omics region"):
        backend.inject_error("AccessDeniedException", region="us-west-1")
    with pytest.raises(ValueError, match="not an omics region"):
        backend.disable_region("mars-north-1")
    with pytest.raises(ValueError, match="times"):
        backend.inject_error("AccessDeniedException", times=0)


def test_concurrent_clients_are_each_answered_once(omics_fake: OmicsBackend) -> None:
    from concurrent.futures import ThreadPoolExecutor

    regions = ["us-east-1", "eu-west-1", "eu-west-2", "ap-southeast-1"]
    seeded = omics_fake.seed(regions, 7)
    clients = {r: omics_client(r) for r in regions}

    def names(region: str) -> list[str]:
        return [s["name"] for s in clients[region].list_sequence_stores()["sequenceStores"]]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(names, regions * 4))
    assert results == [[s["name"] for s in seeded[r]] for r in regions * 4]
    assert all(omics_fake.requests.count(region=r) == 4 for r in regions)
