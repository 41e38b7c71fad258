"""Deletes across accounts: each row in its own account, never through another's."""

from __future__ import annotations

import io
import sys

import pytest

import omics_magic
from omics_magic import ConfirmationMismatch
from omics_magic.delete.protocol import delete_sequence_store
from omics_magic.testing import OmicsBackend
from tests.accounts_support import COLUMNS, DEV, PROD, REGIONS

DELETE = "DeleteSequenceStore"


@pytest.fixture
def scratch(estate: OmicsBackend, monkeypatch: pytest.MonkeyPatch) -> OmicsBackend:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no prompt possible
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    for account in (DEV, PROD):
        for region in REGIONS:
            estate.create_sequence_store(region, "scratch", account_id=account)
    return estate


def ids(backend: OmicsBackend, account: str) -> set[str]:
    return {s["id"] for r in REGIONS for s in backend.stores(r, account_id=account)}


def deletes(backend: OmicsBackend) -> list[tuple[str, str]]:
    return sorted(
        (r.account_id, r.region) for r in backend.requests.records if r.operation == DELETE
    )


def fetched() -> object:
    return omics_magic.sequence_stores(REGIONS, profiles=["dev", "prod"], columns=COLUMNS)


def test_a_bulk_delete_deletes_each_row_in_its_own_account(
    scratch: OmicsBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    df = fetched()
    doomed = df[df["name"] == "scratch"]
    keep = {a: ids(scratch, a) - set(doomed["sequence_store_id"]) for a in (DEV, PROD)}
    report = doomed.omics.delete(confirm=list(doomed["sequence_store_id"]))
    assert report["outcome"].tolist() == ["deleted"] * 4
    assert report["account_id"].tolist() == doomed["account_id"].tolist()
    assert {a: ids(scratch, a) for a in (DEV, PROD)} == keep
    assert deletes(scratch) == sorted((a, r) for a in (DEV, PROD) for r in REGIONS)
    preview = capsys.readouterr().err
    assert "account_id" in preview and DEV in preview and PROD in preview


def test_a_row_whose_account_is_not_reached_is_never_deleted(scratch: OmicsBackend) -> None:
    df = fetched()
    doomed = df[df["name"] == "scratch"]
    dev_ids = list(doomed[doomed["account_id"] == DEV]["sequence_store_id"])
    prod_before = ids(scratch, PROD)
    # What is shown is dev's two stores: confirming prod's too does not match it.
    with pytest.raises(ConfirmationMismatch):
        doomed.omics.delete(profiles=["dev"], confirm=list(doomed["sequence_store_id"]))
    assert deletes(scratch) == []
    report = doomed.omics.delete(profiles=["dev"], confirm=dev_ids)
    outcome = dict(zip(report["sequence_store_id"], report["outcome"], strict=True))
    assert [outcome[i] for i in dev_ids] == ["deleted", "deleted"]
    prod_rows = report[report["account_id"] == PROD]
    assert prod_rows["outcome"].tolist() == ["denied", "denied"]
    assert all("reaches account 444455556666" in m for m in prod_rows["message"])
    assert ids(scratch, PROD) == prod_before
    assert {a for a, _ in deletes(scratch)} == {DEV}


def test_the_same_id_in_another_account_is_left_alone(scratch: OmicsBackend) -> None:
    twin = scratch.create_sequence_store(REGIONS[0], "twin", account_id=DEV)["id"]
    scratch.create_sequence_store(
        REGIONS[0], "twin", account_id=PROD, store_id=twin, allow_duplicate_id=True
    )
    df = fetched()
    mine = df[(df["name"] == "twin") & (df["account_id"] == DEV)]
    report = mine.omics.delete(confirm=[twin])
    assert report["outcome"].tolist() == ["deleted"]
    assert twin not in ids(scratch, DEV) and twin in ids(scratch, PROD)


def test_one_store_by_id_across_accounts(scratch: OmicsBackend) -> None:
    [target] = [
        s["id"] for s in scratch.stores(REGIONS[1], account_id=PROD) if s["name"] == "scratch"
    ]
    report = delete_sequence_store(target, REGIONS, profiles=["dev", "prod"], confirm=target)
    assert report[["account_id", "region", "outcome"]].values.tolist() == [
        [PROD, REGIONS[1], "deleted"]
    ]
    assert deletes(scratch) == [(PROD, REGIONS[1])]
