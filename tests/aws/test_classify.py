"""classify_failure: the one way a failed call, as botocore raises it, becomes a Failure."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import NoCredentialsError

from omics_magic.aws.clients import classify_failure
from omics_magic.errors import CredentialsError
from omics_magic.failures import KINDS, Failure
from omics_magic.testing import OmicsBackend


def _failure(call: object, region: str = "us-east-1") -> Failure:
    try:
        call()  # type: ignore[operator]
    except Exception as err:  # noqa: BLE001 - the point is to classify it
        return classify_failure(err, region)
    raise AssertionError("the call did not fail")


def test_answers_of_the_fake_become_records(omics_backend: OmicsBackend) -> None:
    client = boto3.client("omics", region_name="us-east-1")
    gone = _failure(lambda: client.get_sequence_store(id="1234567890"))
    assert (gone.region, gone.code, gone.kind) == (
        "us-east-1",
        "ResourceNotFoundException",
        "not_found",
    )
    omics_backend.inject_error("AccessDeniedException", region="eu-west-1")
    denied = _failure(
        lambda: boto3.client("omics", region_name="eu-west-1").list_sequence_stores(),
        "eu-west-1",
    )
    assert (denied.kind, denied.code) == ("denied", "AccessDeniedException")
    omics_backend.disable_region("us-west-2")
    off = _failure(
        lambda: boto3.client("omics", region_name="us-west-2").list_sequence_stores(),
        "us-west-2",
    )
    assert off.kind == "not_enabled" and off.kind in KINDS


def test_a_conflict_is_its_own_kind(omics_backend: OmicsBackend) -> None:
    omics_backend.inject_error("ConflictException", region="us-east-1")
    client = boto3.client("omics", region_name="us-east-1")
    conflict = _failure(lambda: client.delete_sequence_store(id="1234567890"))
    assert (conflict.kind, conflict.code) == ("conflict", "ConflictException")


def test_credentials_and_bugs_are_not_records() -> None:
    with pytest.raises(CredentialsError, match="configure AWS credentials"):
        classify_failure(NoCredentialsError(), "us-east-1")
    bug = KeyError("arn")
    with pytest.raises(KeyError):
        classify_failure(bug, "us-east-1")
