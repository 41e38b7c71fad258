"""df.omics.refresh() over several accounts: each row through its own account's session."""

from __future__ import annotations

import boto3
import pytest

import omics_magic
from omics_magic.failures import failures_in
from omics_magic.testing import OmicsBackend
from tests.accounts_support import COLUMNS, DEV, PROD, REGIONS, ROLE_PROD


def fetched(profiles: list[str]) -> object:
    return omics_magic.sequence_stores(REGIONS, profiles=profiles, columns=COLUMNS)


def test_refresh_reads_each_row_in_its_own_account(estate: OmicsBackend) -> None:
    df = fetched(["dev", "prod"])
    dev_store = estate.stores(REGIONS[0], account_id=DEV)[0]
    prod_store = estate.stores(REGIONS[1], account_id=PROD)[0]["id"]
    dev = boto3.Session(profile_name="dev").client("omics", region_name=REGIONS[0])
    dev.tag_resource(resourceArn=dev_store["arn"], tags={"fresh": "dev"})
    dev_store = dev_store["id"]
    estate.delete_store(REGIONS[1], prod_store, account_id=PROD)
    estate.requests.clear()
    fresh = df.omics.refresh()  # the profiles the frame was fetched with
    assert len(fresh) == len(df) - 1
    assert prod_store not in set(fresh["sequence_store_id"])
    row = fresh[fresh["sequence_store_id"] == dev_store].iloc[0]
    assert row["tags"]["fresh"] == "dev"
    [gone] = failures_in(fresh)
    assert (gone.kind, gone.account_id, gone.sequence_store_id) == ("not_found", PROD, prod_store)
    by_account = {(r.account_id, r.operation) for r in estate.requests.records if r.operation}
    assert {a for a, _ in by_account} == {DEV, PROD}


def test_rows_of_an_account_not_reached_are_kept_and_reported(estate: OmicsBackend) -> None:
    df = fetched(["dev", "prod"])
    estate.requests.clear()
    with pytest.warns(omics_magic.RegionFailureWarning):
        fresh = df.omics.refresh(profiles=["dev"])  # prod's rows: no session reaches them
    assert fresh["sequence_store_id"].tolist() == df["sequence_store_id"].tolist()
    [failure] = failures_in(fresh)
    assert (failure.code, failure.account_id, failure.region) == ("AccountNotReached", PROD, "*")
    assert {r.account_id for r in estate.requests.records if r.operation} == {DEV}


def test_refresh_through_a_role(estate: OmicsBackend) -> None:
    df = omics_magic.sequence_stores(REGIONS, role_arns=[ROLE_PROD], columns=COLUMNS)
    estate.requests.clear()
    fresh = df.omics.refresh()
    assert fresh["sequence_store_id"].tolist() == df["sequence_store_id"].tolist()
    assert failures_in(fresh) == []
    assert {r.account_id for r in estate.requests.records if r.operation} == {PROD}


def test_a_query_result_refreshes_through_the_accounts_it_was_read_with(
    estate: OmicsBackend,
) -> None:
    df = omics_magic.run_query(
        "SELECT account_id, region, sequence_store_id, name FROM aws.omics.sequence_stores",
        regions=REGIONS,
        profiles=["dev", "prod"],
    )
    assert set(df["account_id"]) == {DEV, PROD}
    fresh = df.omics.refresh()
    assert failures_in(fresh) == []
    assert fresh["sequence_store_id"].tolist() == df["sequence_store_id"].tolist()
