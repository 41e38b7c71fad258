"""Read sets across accounts: profiles and roles on read_sets() / read_set(), and a
multi-account frame's stores (or read sets) each read through its own account."""

from __future__ import annotations

from typing import Any

import pytest

import omics_magic
from omics_magic.failures import failures_in
from omics_magic.testing import OmicsBackend
from tests.accounts_support import DEV, LAB, PROD, REGIONS, ROLE_PROD
from tests.fetch_helpers import expected_read_set, records

COLUMNS = ["account_id", "region", "sequence_store_id", "read_set_id", "name", "status"]
STORE_COLUMNS = ["account_id", "region", "sequence_store_id", "name"]


def with_read_sets(backend: OmicsBackend) -> None:
    """Two read sets in the first two stores of every account and region."""
    for account in (DEV, PROD, LAB):
        for region in REGIONS:
            for store in backend.stores(region, account_id=account)[:2]:
                for n in range(2):
                    backend.add_read_set(
                        region, store["id"], account_id=account, name=f"{account}-{n}"
                    )
    backend.requests.clear()


def expected(
    backend: OmicsBackend, accounts: list[str], stores: set[str] | None = None
) -> list[dict[str, Any]]:
    """The read sets of ``accounts`` (only ``stores``, if given), in the fetch's order."""
    rows = []
    for account in accounts:
        for region in REGIONS:
            listed = sorted(
                backend.stores(region, account_id=account),
                key=lambda s: (s["creationTime"], s["id"]),
            )
            for store in listed:
                if stores is not None and store["id"] not in stores:
                    continue
                found = backend.read_sets(region, store["id"], account_id=account)
                found.sort(key=lambda r: (r["creationTime"], r["id"]))
                rows.extend({n: expected_read_set(region, r)[n] for n in COLUMNS} for r in found)
    return rows


def calls_by_account(backend: OmicsBackend, operation: str) -> list[str]:
    return sorted(r.account_id for r in backend.requests.records if r.operation == operation)


def test_profiles_give_each_accounts_read_sets(estate: OmicsBackend) -> None:
    with_read_sets(estate)
    df = omics_magic.read_sets(REGIONS, profiles=["dev", "prod"], columns=COLUMNS)
    assert records(df) == expected(estate, [DEV, PROD])
    assert failures_in(df) == []
    assert [a["account_id"] for a in df.attrs["omics_accounts"]] == [DEV, PROD]
    assert LAB not in calls_by_account(estate, "ListReadSets")


def test_a_role_reaches_its_accounts_read_set(estate: OmicsBackend) -> None:
    with_read_sets(estate)
    store = estate.stores(REGIONS[1], account_id=PROD)[0]["id"]
    wanted = estate.read_sets(REGIONS[1], store, account_id=PROD)[0]
    df = omics_magic.read_set(store, wanted["id"], role_arns=[ROLE_PROD], columns=COLUMNS)
    assert records(df) == [{n: expected_read_set(REGIONS[1], wanted)[n] for n in COLUMNS}]
    assert set(calls_by_account(estate, "GetReadSetMetadata")) == {PROD}


def test_a_store_frame_lists_each_store_in_its_own_account(estate: OmicsBackend) -> None:
    with_read_sets(estate)
    stores = omics_magic.sequence_stores(REGIONS, profiles=["dev", "prod"], columns=STORE_COLUMNS)
    chosen = stores[stores["name"].notna()]  # every store of both accounts
    estate.requests.clear()
    df = chosen.omics.read_sets(columns=COLUMNS)  # through the profiles it was fetched with
    assert records(df) == expected(estate, [DEV, PROD])
    assert failures_in(df) == []
    per_account = {a: (chosen["account_id"] == a).sum() for a in (DEV, PROD)}
    listed = calls_by_account(estate, "ListReadSets")  # one page per store, in its account
    assert listed == sorted([DEV] * per_account[DEV] + [PROD] * per_account[PROD])
    assert estate.requests.count("ListSequenceStores") == 0


def test_a_store_frame_without_account_id_reads_the_account_from_the_arn(
    estate: OmicsBackend,
) -> None:
    with_read_sets(estate)
    stores = omics_magic.sequence_stores(REGIONS, profiles=["dev", "prod"], columns=["arn", "name"])
    some = stores.iloc[[0, len(stores) - 1]]
    df = some.omics.read_sets(columns=COLUMNS)
    ids = set(some["arn"].str.rsplit("/", n=1).str[-1])
    assert records(df) == expected(estate, [DEV, PROD], stores=ids) and len(df) > 0


def test_a_store_whose_account_is_not_reached_is_reported_not_listed_elsewhere(
    estate: OmicsBackend,
) -> None:
    with_read_sets(estate)
    stores = omics_magic.sequence_stores(REGIONS, profiles=["dev", "prod"], columns=STORE_COLUMNS)
    estate.requests.clear()
    with pytest.warns(omics_magic.RegionFailureWarning):
        df = stores.omics.read_sets(columns=COLUMNS, profiles=["dev"])
    assert records(df) == expected(estate, [DEV])
    [failure] = failures_in(df)
    assert (failure.code, failure.account_id, failure.region) == ("AccountNotReached", PROD, "*")
    assert set(calls_by_account(estate, "ListReadSets")) == {DEV}


def test_read_set_refresh_goes_through_each_rows_account(estate: OmicsBackend) -> None:
    with_read_sets(estate)
    df = omics_magic.read_sets(REGIONS, profiles=["dev", "prod"], columns=COLUMNS)
    prod_row = df[df["account_id"] == PROD].iloc[0]
    estate.delete_read_set(
        prod_row["region"],
        prod_row["sequence_store_id"],
        prod_row["read_set_id"],
        account_id=PROD,
    )
    estate.requests.clear()
    fresh = df.omics.refresh()
    assert len(fresh) == len(df) - 1
    [gone] = failures_in(fresh)
    assert (gone.kind, gone.account_id, gone.sequence_store_id) == (
        "not_found",
        PROD,
        prod_row["sequence_store_id"],
    )
    assert {r.account_id for r in estate.requests.records if r.operation} == {DEV, PROD}
    with pytest.warns(omics_magic.RegionFailureWarning):
        kept = df.omics.refresh(profiles=["dev"])  # prod's rows: kept, reported, not called
    assert kept["read_set_id"].tolist() == df["read_set_id"].tolist()
    assert [f.code for f in failures_in(kept)] == ["AccountNotReached"]


def test_bad_accounts_are_refused_before_any_call(estate: OmicsBackend) -> None:
    stores = omics_magic.sequence_stores(REGIONS, profiles=["dev"], columns=STORE_COLUMNS)
    estate.requests.clear()
    with pytest.raises(omics_magic.InputError, match="unknown AWS profile 'stagin'"):
        omics_magic.read_sets(REGIONS, profiles=["stagin"])
    with pytest.raises(omics_magic.InputError, match="is malformed"):
        omics_magic.read_set("1234567890", "1234567890", role_arns=["arn:aws:iam::1:role/x"])
    with pytest.raises(omics_magic.InputError, match="unknown AWS profile 'stagin'"):
        stores.omics.read_sets(profiles=["stagin"])
    assert estate.requests.count() == 0


def test_a_join_lists_each_store_in_its_own_account_only(estate: OmicsBackend) -> None:
    """The join pushdown keys the stores by account too: a store's ListReadSets goes to
    its own account, never also to the others (which would answer not-found)."""
    with_read_sets(estate)
    sql = (
        "SELECT s.account_id, count(r.read_set_id) AS read_sets "
        "FROM aws.omics.sequence_stores s "
        "JOIN aws.omics.read_sets r ON r.sequence_store_id = s.sequence_store_id "
        "GROUP BY ALL ORDER BY ALL"
    )
    df = omics_magic.run_query(sql, regions=REGIONS, profiles=["dev", "prod"], cache_ttl=0)

    want = {a: len(expected(estate, [a])) for a in (DEV, PROD)}
    assert dict(zip(df["account_id"], df["read_sets"], strict=True)) == want
    stores = {a: sum(len(estate.stores(r, account_id=a)) for r in REGIONS) for a in (DEV, PROD)}
    assert calls_by_account(estate, "ListReadSets") == sorted(
        account for account, n in stores.items() for _ in range(n)
    )
    assert failures_in(df) == []
