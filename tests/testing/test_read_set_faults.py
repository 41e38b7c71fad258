"""Faults and quotas on the read-set and tag operations, through real clients."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from omics_magic.testing import AWS_QUOTAS, MockOmics, OmicsBackend
from tests.testing.support import REGION, error_of, omics_client

PACED_AT_FIVE = [
    "ListReadSets",
    "GetReadSetMetadata",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
]


def _calls(backend: OmicsBackend) -> dict[str, Any]:
    """One call per operation, on a store holding one read set."""
    store = backend.create_sequence_store(REGION, "paced")["id"]
    read_set = backend.add_read_set(REGION, store)
    arn = read_set["arn"]
    omics = omics_client()
    return {
        "ListReadSets": lambda: omics.list_read_sets(sequenceStoreId=store),
        "GetReadSetMetadata": lambda: omics.get_read_set_metadata(
            sequenceStoreId=store, id=read_set["id"]
        ),
        "ListTagsForResource": lambda: omics.list_tags_for_resource(resourceArn=arn),
        "TagResource": lambda: omics.tag_resource(resourceArn=arn, tags={"a": "b"}),
        "UntagResource": lambda: omics.untag_resource(resourceArn=arn, tagKeys=["a"]),
    }


def _admitted(call: Any, n: int = 8) -> int:
    ok = 0
    for _ in range(n):
        try:
            call()
            ok += 1
        except ClientError as err:
            assert error_of(err)[:2] == ("ThrottlingException", 429)
    return ok


def test_aws_quotas_pace_read_sets_and_tags_at_five_tps() -> None:
    assert {op: AWS_QUOTAS[op] for op in PACED_AT_FIVE} == dict.fromkeys(PACED_AT_FIVE, 5.0)
    now = [0.0]
    backend = OmicsBackend(clock=lambda: now[0])
    with MockOmics(backend):
        calls = _calls(backend)
        backend.set_quotas("aws")
        for operation in PACED_AT_FIVE:
            assert _admitted(calls[operation]) == 5, operation  # a full bucket of 5
        now[0] += 0.4
        assert _admitted(calls["ListReadSets"]) == 2  # 5 per second refill
        assert backend.requests.count(operation="ListReadSets", error_code="ThrottlingException")


@pytest.mark.parametrize("operation", ["ListReadSets", "GetReadSetMetadata"])
def test_injected_errors_hit_only_their_operation(omics_fake: OmicsBackend, operation: str) -> None:
    calls = _calls(omics_fake)
    omics_fake.inject_error("InternalServerException", operation=operation, times=2)
    results = {}
    for name, call in calls.items():
        try:
            call()
            results[name] = "ok"
        except ClientError as err:
            results[name] = error_of(err)[0]
    assert results == {
        name: "InternalServerException" if name == operation else "ok" for name in calls
    }
    with pytest.raises(ClientError):
        calls[operation]()  # the second injected error
    calls[operation]()  # then it answers again
    assert omics_fake.requests.count(operation=operation, status=500) == 2


def test_latency_per_operation_is_slept_before_answering() -> None:
    backend = OmicsBackend()
    backend.set_latency(0.25, operation="ListReadSets")
    backend.set_latency(0.5, operation="GetReadSetMetadata", region="eu-west-1")
    mock = MockOmics(backend)
    slept: list[float] = []
    mock.wire._sleep = slept.append  # record instead of waiting: no timed test
    with mock:
        calls = _calls(backend)
        for call in calls.values():
            call()
    assert slept == [0.25]  # only ListReadSets in this region was slowed
