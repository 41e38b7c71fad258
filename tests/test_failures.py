"""The one failure record (Failure), its dicts in df.attrs, and the one wording of failures."""

from __future__ import annotations

import dataclasses
import warnings

import pandas as pd
import pytest

import omics_magic
from omics_magic.errors import FetchError, RegionFailureWarning
from omics_magic.failures import (
    ERRORS_ATTR,
    Failure,
    failure_note,
    failures_in,
    set_failures,
)
from omics_magic.testing import OmicsBackend

DENIED = Failure("eu-west-1", "AccessDeniedException", "User is not authorized.", "denied")
OFF = Failure("us-west-2", "UnrecognizedClientException", "bad token", "not_enabled")


def test_a_record_is_frozen_and_its_dict_has_the_four_keys_then_what_is_set() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DENIED.region = "us-east-1"  # type: ignore[misc]
    assert DENIED.to_dict() == {
        "region": "eu-west-1",
        "code": "AccessDeniedException",
        "message": "User is not authorized.",
        "kind": "denied",
    }
    full = dataclasses.replace(
        DENIED, account_id="111122223333", via="lab", sequence_store_id="1234567890", skipped=True
    )
    assert list(full.to_dict()) == [
        "region",
        "code",
        "message",
        "kind",
        "account_id",
        "via",
        "sequence_store_id",
        "skipped",
    ]
    assert Failure.from_dict(full.to_dict()) == full
    assert Failure.from_dict({"region": "x", "kind": "error", "other": 1}) == Failure(
        "x", "", "", "error"
    )


def test_the_attribute_is_one_constant_read_back_as_records() -> None:
    df = pd.DataFrame()
    set_failures(df, [DENIED, OFF])
    assert ERRORS_ATTR == "omics_errors"
    assert df.attrs["omics_errors"] == [DENIED.to_dict(), OFF.to_dict()]
    assert failures_in(df) == [DENIED, OFF]
    assert failures_in(pd.DataFrame()) == []


def test_fetch_error_holds_dicts_and_records() -> None:
    err = FetchError("boom", [DENIED, OFF.to_dict()])
    assert err.errors == [DENIED.to_dict(), OFF.to_dict()]
    assert err.failures == (DENIED, OFF)


def test_one_wording_for_every_audience() -> None:
    assert failure_note([DENIED], detail=True, audience="cli") == (
        "eu-west-1: access denied (AccessDeniedException: User is not authorized); "
        "its results are missing or incomplete"
    )
    assert failure_note([DENIED, OFF], total=3) == (
        "2 of 3 regions failed: eu-west-1: access denied (AccessDeniedException), "
        "us-west-2: not enabled for this account (UnrecognizedClientException); "
        "their results are missing or incomplete; "
        "details in df.attrs['omics_errors'], or pass strict=True to raise"
    )
    magic = failure_note([DENIED, OFF], audience="magic")
    assert magic.startswith("2 regions failed: ")
    assert magic.endswith(
        "details in .attrs['omics_errors'], or use --strict to make this an error"
    )
    assert failure_note([OFF], total=1, then=None, audience=None) == (
        "1 of 1 region failed: us-west-2: not enabled for this account "
        "(UnrecognizedClientException); every region refused the credentials: check they are valid"
    )
    assert "rows that got no answer are kept" in failure_note([DENIED], then="kept")
    marked = dataclasses.replace(OFF, via="lab", skipped=True)
    assert failure_note([marked], then=None, audience=None) == (
        "us-west-2 [lab] (skipped): not enabled for this account (UnrecognizedClientException)"
    )


def test_a_fetch_records_failures_and_warns_in_the_one_wording(
    omics_backend: OmicsBackend,
) -> None:
    omics_backend.seed("us-east-1", stores_per_region=1)
    omics_backend.disable_region("us-west-2")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = omics_magic.sequence_stores(["us-east-1", "us-west-2"], rate=None)

    [failure] = failures_in(df)
    assert (failure.region, failure.kind, failure.code) == (
        "us-west-2",
        "not_enabled",
        "UnrecognizedClientException",
    )
    assert [str(w.message) for w in caught if w.category is RegionFailureWarning] == [
        failure_note([failure], total=2)
    ]
