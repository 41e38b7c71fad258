"""The fake's operations, through real boto3 clients, both ways in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from omics_magic.testing import DEFAULT_ACCOUNT_ID, OmicsBackend

REGION = "us-east-1"
NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})


@pytest.fixture(params=["mock", "server"])
def backend(request: pytest.FixtureRequest) -> Iterator[OmicsBackend]:
    """The backend, reached in-process or through the HTTP server."""
    if request.param == "mock":
        yield request.getfixturevalue("omics_backend")
    else:
        yield request.getfixturevalue("omics_server").backend


def client(region: str = REGION, **kwargs: Any) -> Any:
    return boto3.session.Session().client("omics", region_name=region, config=NO_RETRY, **kwargs)


def test_list_get_and_tags_answer_what_the_backend_holds(backend: OmicsBackend) -> None:
    made = backend.create_sequence_store(
        REGION, "wgs-cohort-001", description="WGS", tags={"team": "genomics"}
    )
    other = backend.create_sequence_store("eu-west-1", "elsewhere")
    omics = client()

    listed = omics.list_sequence_stores()["sequenceStores"]
    assert [s["id"] for s in listed] == [made["id"]]
    arn = f"arn:aws:omics:{REGION}:{DEFAULT_ACCOUNT_ID}:sequenceStore/{made['id']}"
    assert listed[0]["arn"] == arn
    assert listed[0]["creationTime"] == made["creationTime"]

    got = omics.get_sequence_store(id=made["id"])
    assert (got["name"], got["description"], got["status"]) == ("wgs-cohort-001", "WGS", "ACTIVE")
    assert got["sseConfig"] == {"type": "KMS"}
    assert omics.list_tags_for_resource(resourceArn=made["arn"])["tags"] == {"team": "genomics"}

    assert [s["id"] for s in client("eu-west-1").list_sequence_stores()["sequenceStores"]] == [
        other["id"]
    ]
    assert backend.requests.count(operation="ListSequenceStores") == 2
    assert backend.requests.count(region=REGION) == 3
