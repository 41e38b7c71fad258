"""One confirmation word never covers two stores: the same ID in two regions needs region:id.

Against the fake through real botocore; every refusal makes no DeleteSequenceStore call.
"""

from __future__ import annotations

import io
import sys
from typing import Any

import pandas as pd
import pytest

from omics_magic import ConfirmationMismatch, ConfirmationRequired
from omics_magic.delete.protocol import delete_sequence_store, delete_sequence_stores

SHARED = "5550100001"
DELETE = "DeleteSequenceStore"


@pytest.fixture
def backend(omics_backend: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """One ID in two regions (and a store of its own in the second); no way to prompt."""
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", "us-east-1,eu-west-1")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    omics_backend.create_sequence_store("us-east-1", "keep-me", store_id=SHARED)
    omics_backend.create_sequence_store(
        "eu-west-1", "scratch", store_id=SHARED, allow_duplicate_id=True
    )
    omics_backend.create_sequence_store("eu-west-1", "other", store_id="5550100002")
    omics_backend.requests.clear()
    return omics_backend


def both() -> pd.DataFrame:
    return pd.DataFrame(
        {"region": ["us-east-1", "eu-west-1"], "sequence_store_id": [SHARED, SHARED]}
    )


def alive(backend: Any) -> set[tuple[str, str]]:
    return {(r, s["id"]) for r in ("us-east-1", "eu-west-1") for s in backend.stores(r)}


def test_a_bare_id_in_two_regions_confirms_neither(backend: Any) -> None:
    before = alive(backend)
    with pytest.raises(ConfirmationMismatch) as refused:
        delete_sequence_stores(both(), confirm=[SHARED])
    message = str(refused.value)
    assert f"{SHARED} (us-east-1:{SHARED} or eu-west-1:{SHARED})" in message
    assert "region:id or by ARN" in message and "Nothing was deleted." in message
    assert backend.requests.count(DELETE) == 0 and alive(backend) == before


def test_each_store_must_be_named(backend: Any) -> None:
    with pytest.raises(ConfirmationMismatch, match=f"missing: eu-west-1:{SHARED}"):
        delete_sequence_stores(both(), confirm=f"us-east-1:{SHARED}")
    assert backend.requests.count(DELETE) == 0


def test_region_and_id_for_each_deletes_both(backend: Any) -> None:
    report = delete_sequence_stores(both(), confirm=[f"us-east-1:{SHARED}", f"eu-west-1:{SHARED}"])
    assert list(report["outcome"]) == ["deleted", "deleted"]
    assert alive(backend) == {("eu-west-1", "5550100002")}


def test_an_arn_names_one_store(backend: Any) -> None:
    [arn] = [s["arn"] for s in backend.stores("eu-west-1") if s["id"] == SHARED]
    frame = pd.DataFrame(
        {"region": ["eu-west-1", "eu-west-1"], "sequence_store_id": [SHARED, "5550100002"]}
    )
    # A unique ID still confirms by itself; the ARN names the other store.
    report = delete_sequence_stores(frame, confirm=[arn, "5550100002"])
    assert list(report["outcome"]) == ["deleted", "deleted"]
    assert alive(backend) == {("us-east-1", SHARED)}


def test_the_hint_without_a_prompt_names_each_store(backend: Any) -> None:
    with pytest.raises(ConfirmationRequired) as refused:
        delete_sequence_stores(both())
    assert f"confirm='us-east-1:{SHARED},eu-west-1:{SHARED}'" in str(refused.value)
    assert backend.requests.count(DELETE) == 0


def test_the_accessor_previews_both_and_needs_both(
    backend: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfirmationMismatch):
        both().omics.delete(confirm=SHARED)
    preview = capsys.readouterr().err
    assert "keep-me" in preview and "scratch" in preview  # both rows shown
    assert backend.requests.count(DELETE) == 0


def test_a_single_delete_also_takes_region_id(backend: Any) -> None:
    report = delete_sequence_store(SHARED, "eu-west-1", confirm=f"eu-west-1:{SHARED}")
    assert list(report["outcome"]) == ["deleted"]
    assert ("us-east-1", SHARED) in alive(backend)
