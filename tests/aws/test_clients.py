"""Cheaper calls: the fast timestamp parser, no second parameter check, regions made in parallel."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.utils import parse_timestamp

from omics_magic.aws.clients import omics_client, resolve_session
from omics_magic.aws.timestamps import parse_utc_timestamp
from omics_magic.testing import OmicsBackend


@pytest.mark.parametrize(
    "value",
    [
        "2024-05-01T12:30:00Z",
        "2024-05-01T12:30:00.123Z",
        "2024-05-01T12:30:00.123456+00:00",
        "2024-05-01T14:30:00+02:00",
        "2024-05-01T12:30:00",
        "Wed, 01 May 2024 12:30:00 GMT",
        1714566600,
        "1714566600",
    ],
)
def test_the_fast_parser_agrees_with_botocore(value: Any) -> None:
    fast, slow = parse_utc_timestamp(value), parse_timestamp(value)
    assert fast == slow and fast.utcoffset() == slow.utcoffset()


def test_our_sessions_parse_timestamps_the_fast_way(omics_fake: OmicsBackend) -> None:
    omics_fake.seed("us-east-1", stores_per_region=2)
    client = omics_client(resolve_session(), "us-east-1")
    stores = client.list_sequence_stores()["sequenceStores"]
    # botocore's own parser answers dateutil's tzutc(); ours, the standard library's UTC.
    assert [s["creationTime"].tzinfo for s in stores] == [timezone.utc] * 2


def test_a_session_passed_in_keeps_botocores_parser(omics_backend: OmicsBackend) -> None:
    import boto3

    omics_backend.seed("us-east-1", stores_per_region=1)
    mine = boto3.Session()
    stores = omics_client(mine, "us-east-1").list_sequence_stores()["sequenceStores"]
    assert stores[0]["creationTime"].tzinfo is not timezone.utc


def test_parameters_are_not_checked_twice(omics_backend: OmicsBackend) -> None:
    """Inputs are validated before any call; botocore's own check is off, the fake's stays."""
    client = omics_client(resolve_session(), "us-east-1")
    with pytest.raises(ClientError) as caught:
        client.get_sequence_store(id="not-an-id")  # the pattern is [0-9]+
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert omics_backend.requests.count("GetSequenceStore", status=400) == 1


def test_regions_clients_are_made_in_parallel(omics_backend: OmicsBackend) -> None:
    session = resolve_session()
    omics_client(session, "us-east-1")  # the session's first client is made alone
    both = threading.Barrier(2, timeout=10)

    def meet(**_: Any) -> None:
        both.wait()  # breaks (BrokenBarrierError) if the two are made one at a time

    session.events.register("creating-client-class.omics", meet)
    try:
        with ThreadPoolExecutor(2) as pool:
            made = list(pool.map(lambda r: omics_client(session, r), ["eu-west-2", "eu-west-1"]))
    finally:
        session.events.unregister("creating-client-class.omics", meet)
    assert [c.meta.region_name for c in made] == ["eu-west-2", "eu-west-1"]
