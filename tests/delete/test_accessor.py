"""df.omics.delete(): exactly the frame's stores, with the bulk confirmation."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import omics_magic  # noqa: F401 - registers df.omics
from omics_magic import ConfirmationMismatch, ConfirmationRequired

DELETE = "DeleteSequenceStore"


@pytest.fixture
def backend(configured_fake: Any) -> Any:
    backend = configured_fake(["us-east-1", "eu-west-1"])
    for region in ("us-east-1", "eu-west-1"):
        for name in ("scratch-1", "scratch-2", "keep"):
            backend.create_sequence_store(region, name)
    return backend


def names(backend: Any) -> dict[str, list[str]]:
    return {r: sorted(s["name"] for s in backend.stores(r)) for r in ("us-east-1", "eu-west-1")}


def test_deletes_exactly_the_frames_stores(backend: Any) -> None:
    df = pd.DataFrame.omics.fetch()
    scratch = df[df["name"].str.startswith("scratch-")]
    busy_row = scratch[scratch["region"] == "eu-west-1"].iloc[0]
    busy = busy_row["sequence_store_id"]
    for _ in range(5):
        backend.add_read_set("eu-west-1", busy)

    report = scratch.omics.delete(confirm=list(scratch["sequence_store_id"]))

    assert report[["region", "sequence_store_id"]].values.tolist() == (
        scratch[["region", "sequence_store_id"]].values.tolist()
    )
    expected = ["conflict" if i == busy else "deleted" for i in scratch["sequence_store_id"]]
    assert report["outcome"].tolist() == expected
    # Stores created in the same millisecond sort by ID, so either name may be the busy one.
    assert names(backend) == {"us-east-1": ["keep"], "eu-west-1": ["keep", busy_row["name"]]}
    assert backend.requests.count(operation=DELETE) == 3  # not the busy one: it holds read sets


def test_refuses_without_or_with_a_wrong_confirmation(backend: Any) -> None:
    df = pd.DataFrame.omics.fetch()
    scratch = df[df["name"] == "scratch-1"]
    before = names(backend)

    with pytest.raises(ConfirmationRequired):
        scratch.omics.delete()
    with pytest.raises(ConfirmationMismatch, match="missing"):
        scratch.omics.delete(confirm=list(scratch["sequence_store_id"])[:1])

    assert names(backend) == before
    assert backend.requests.count(operation=DELETE) == 0


def test_dry_run_and_arn_only_frames(backend: Any) -> None:
    df = pd.DataFrame.omics.fetch(columns=["arn", "name"])
    keep = df[df["name"] == "keep"][["arn"]]

    preview = keep.omics.delete(dry_run=True)

    assert sorted(preview["region"]) == ["eu-west-1", "us-east-1"]
    assert set(preview["name"]) == {"keep"}
    assert backend.requests.count(operation=DELETE) == 0


def test_a_frame_without_store_keys_is_refused_before_any_call(backend: Any) -> None:
    backend.requests.clear()
    with pytest.raises(AttributeError, match="sequence_store_id"):
        pd.DataFrame({"region": ["us-east-1"], "name": ["x"]}).omics.delete(confirm=[])
    assert backend.requests.count() == 0
