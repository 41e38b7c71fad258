"""A store that holds read sets: the preview says so, and it is never tried."""

from __future__ import annotations

import pytest

from omics_magic.delete.protocol import delete_sequence_store, delete_sequence_stores
from omics_magic.testing import OmicsBackend

DELETE = "DeleteSequenceStore"


@pytest.fixture(autouse=True)
def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")


def _stores(backend: OmicsBackend) -> tuple[str, str]:
    full = backend.create_sequence_store("us-east-1", "full")["id"]
    backend.add_read_set("us-east-1", full)
    backend.add_read_set("us-east-1", full)
    empty = backend.create_sequence_store("us-east-1", "empty")["id"]
    return full, empty


def test_a_store_holding_read_sets_is_reported_before_any_delete_and_not_tried(
    omics_fake: OmicsBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    full, empty = _stores(omics_fake)
    pairs = [("us-east-1", full), ("us-east-1", empty)]

    preview = delete_sequence_stores(pairs, dry_run=True)
    assert preview["sequence_store_id"].tolist() == [full, empty]
    shown = capsys.readouterr().err
    assert f"{full} in us-east-1 holds read sets" in shown and "not be tried" in shown
    # One page of at most one read set per store found, nothing more.
    assert omics_fake.requests.count("ListReadSets") == 2

    report = delete_sequence_stores(pairs, confirm=[full, empty])
    outcomes = dict(zip(report["sequence_store_id"], report["outcome"], strict=True))
    assert outcomes == {full: "conflict", empty: "deleted"}
    message = report.set_index("sequence_store_id").loc[full, "message"]
    assert "holds read sets" in message and "not tried" in message
    assert omics_fake.requests.count(DELETE) == 1  # only the empty store's
    assert [s["id"] for s in omics_fake.stores("us-east-1")] == [full]


def test_one_store_holding_read_sets_deletes_nothing(omics_backend: OmicsBackend) -> None:
    full, _ = _stores(omics_backend)
    report = delete_sequence_store(full, "us-east-1", confirm=full)
    assert report["outcome"].tolist() == ["conflict"]
    assert omics_backend.requests.count(DELETE) == 0
