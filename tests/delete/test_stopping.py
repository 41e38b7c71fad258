"""A delete that can't tell, and a delete that runs out of time: every store accounted for.

An answer lost after AWS acted (a 500 once the store was deleted; botocore's
retry then meets ResourceNotFoundException) must not be reported as an
error or as "not found": the store is read again and reported as it is. A
delete past its ``timeout`` stops before its next call, and says which stores
it never tried.
"""

from __future__ import annotations

import io
import sys
import time
from typing import Any

import pandas as pd
import pytest

from omics_magic.delete.protocol import delete_sequence_store, delete_sequence_stores
from tests.reliability.interrupts import answered_after, wait_for_no_threads_of_ours

DELETE = "DeleteSequenceStore"


@pytest.fixture
def backend(omics_backend: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a TTY
    return omics_backend


def _one(backend: Any, **delete_kwargs: Any) -> pd.Series:
    store = backend.create_sequence_store("us-east-1", "scratch")["id"]
    report = delete_sequence_store(store, "us-east-1", confirm=store, **delete_kwargs)
    return report.iloc[0]


def test_a_500_after_the_delete_acted_then_a_retry_is_reported_deleted(backend: Any) -> None:
    backend.inject_error("InternalServerException", operation=DELETE, times=1, after=True)
    row = _one(backend)
    assert backend.requests.count(operation=DELETE) == 2  # the retry met a missing store
    assert row["outcome"] == "deleted", row["message"]
    assert "re-read" in row["message"]
    assert backend.stores("us-east-1") == []


def test_a_500_after_the_delete_acted_without_retries_is_reported_deleted(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    backend.inject_error("InternalServerException", operation=DELETE, after=True)
    row = _one(backend)
    assert row["outcome"] == "deleted", row["message"]
    assert "InternalServerException" in row["message"]


def test_a_lost_answer_while_the_store_is_still_deleting_is_reported_deleting(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    backend.deletion_delay = 60.0
    backend.inject_error("InternalServerException", operation=DELETE, after=True)
    row = _one(backend)
    assert row["outcome"] == "deleting", row["message"]


def test_a_500_before_acting_is_an_error_that_says_the_store_is_still_there(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    backend.inject_error("InternalServerException", operation=DELETE)
    row = _one(backend)
    assert row["outcome"] == "error"
    assert "still ACTIVE, so it was not deleted" in row["message"]
    assert len(backend.stores("us-east-1")) == 1


def test_a_clean_not_found_is_still_not_found(backend: Any) -> None:
    store = backend.create_sequence_store("us-east-1", "scratch")["id"]
    backend.inject_error("ResourceNotFoundException", operation=DELETE, times=1)
    report = delete_sequence_store(store, "us-east-1", confirm=store)
    assert report.loc[0, "outcome"] == "not_found"
    assert backend.requests.count(operation="GetSequenceStore") == 1  # no re-read


def test_a_delete_past_its_timeout_stops_and_reports_what_it_did_not_try(backend: Any) -> None:
    ids = [backend.create_sequence_store("us-east-1", f"s{n}")["id"] for n in range(6)]
    backend.set_latency(0.4, operation=DELETE)
    report = delete_sequence_stores([("us-east-1", i) for i in ids], confirm=ids, timeout=1.0)
    returned = time.time()

    assert list(report["sequence_store_id"]) == ids
    outcomes = list(report["outcome"])
    assert "deleted" in outcomes and "not_attempted" in outcomes
    assert set(outcomes) <= {"deleted", "not_attempted"}
    live = {s["id"] for s in backend.stores("us-east-1")}
    for row in report.itertuples():
        assert (row.sequence_store_id in live) == (row.outcome == "not_attempted"), row
    assert "1 s timeout passed before this delete was sent" in report["message"].iloc[-1]
    time.sleep(0.5)
    assert not answered_after(backend, returned, DELETE)
    wait_for_no_threads_of_ours()


def test_a_look_up_past_the_timeout_deletes_nothing(backend: Any) -> None:
    store = backend.create_sequence_store("us-east-1", "slow")["id"]
    backend.set_latency(1.0, operation="GetSequenceStore")
    report = delete_sequence_stores([("us-east-1", store)], confirm=[store], timeout=0.3)
    assert report.loc[0, "outcome"] == "error"
    assert "timeout" in report.loc[0, "message"]
    assert backend.requests.count(operation=DELETE) == 0


def test_a_bad_timeout_fails_before_any_call(backend: Any) -> None:
    from omics_magic import InputError

    with pytest.raises(InputError, match="timeout"):
        delete_sequence_stores([("us-east-1", "1234567890")], confirm=["1234567890"], timeout=-1)
    assert len(backend.requests) == 0
