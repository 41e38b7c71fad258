"""The result cache for read sets: kept store by store, region by region, account by
account; counted by the fake's request log (botocore's real serialization, both ways in)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import omics_magic
from omics_magic.errors import RegionFailureWarning
from omics_magic.fetch.engine import fetch_frame
from omics_magic.fetch.options import FetchOptions
from omics_magic.resources import READ_SETS
from omics_magic.sql.run import run_query
from omics_magic.testing import OmicsBackend
from tests.fetch_helpers import expected_read_sets, records

REGIONS = ["us-east-1", "eu-west-2"]
DEFAULT = READ_SETS.default_columns
READ_SETS_SQL = "aws.omics.read_sets"
STORES, LIST = "ListSequenceStores", "ListReadSets"
GET, TAGS = "GetReadSetMetadata", "ListTagsForResource"


@pytest.fixture
def fake(omics_fake: OmicsBackend, monkeypatch: pytest.MonkeyPatch) -> OmicsBackend:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    omics_fake.seed(REGIONS, 3, read_sets_per_store=2)
    return omics_fake


def calls(backend: OmicsBackend) -> dict[str, int]:
    """Requests the fake answered since the last look, per operation; then forget them."""
    counted: dict[str, int] = {}
    for record in backend.requests.records:
        counted[str(record.operation)] = counted.get(str(record.operation), 0) + 1
    backend.requests.clear()
    return counted


def ordered(backend: OmicsBackend, region: str) -> list[dict[str, Any]]:
    return sorted(backend.stores(region), key=lambda s: (s["creationTime"], s["id"]))


def _fetch(**kwargs: Any) -> pd.DataFrame:
    options = kwargs.pop("options", FetchOptions(rate=None))
    columns = kwargs.pop("columns", None)
    return fetch_frame(REGIONS, columns=columns, options=options, resource=READ_SETS, **kwargs)


def test_the_same_read_set_query_again_makes_no_call(fake: OmicsBackend) -> None:
    first = omics_magic.read_sets(REGIONS)
    assert calls(fake) == {STORES: 2, LIST: 6}

    again = omics_magic.read_sets(REGIONS)

    assert calls(fake) == {}
    pd.testing.assert_frame_equal(again, first)
    assert records(again) == expected_read_sets(fake, REGIONS, DEFAULT)
    assert again.attrs["omics_cached"] is True and first.attrs["omics_cached"] is False
    assert again.attrs["omics_fetched_at"] == first.attrs["omics_fetched_at"]


def test_read_sets_are_kept_store_by_store(fake: OmicsBackend) -> None:
    """One store's read sets, then every store's: only the other stores are listed."""
    one = ordered(fake, "us-east-1")[1]["id"]
    omics_magic.read_sets("us-east-1", sequence_store_ids=[one])
    assert calls(fake) == {LIST: 1}

    every = omics_magic.read_sets(REGIONS)

    assert calls(fake) == {STORES: 2, LIST: 5}  # not the store read a moment ago
    assert records(every) == expected_read_sets(fake, REGIONS, DEFAULT)
    assert every.attrs["omics_cached"] is True


def test_the_stores_listing_is_shared_with_the_stores_table(fake: OmicsBackend) -> None:
    run_query(f"SELECT * FROM {READ_SETS_SQL}", regions=REGIONS)
    calls(fake)
    names = omics_magic.sequence_stores(REGIONS, columns=["sequence_store_id", "name"])
    assert calls(fake) == {}  # the read sets' store listing answered it
    assert sorted(names["sequence_store_id"]) == sorted(
        s["id"] for r in REGIONS for s in fake.stores(r)
    )


def test_a_failed_store_listing_is_the_only_part_asked_again(fake: OmicsBackend) -> None:
    failing = ordered(fake, "eu-west-2")[0]["id"]
    fake.inject_error("InternalServerException", region="eu-west-2", operation=LIST, times=1)
    options = FetchOptions(rate=None, max_concurrency=1, warn=False)  # the first store fails
    first = _fetch(options=options)
    [error] = first.attrs["omics_errors"]
    assert error["sequence_store_id"] == failing
    calls(fake)

    second = _fetch()

    assert calls(fake) == {LIST: 1}  # that store only: no store listing, no other store
    assert second.attrs["omics_errors"] == []
    assert records(second) == expected_read_sets(fake, REGIONS, DEFAULT)


def test_a_failed_region_is_asked_again_alone(fake: OmicsBackend) -> None:
    # A 5xx on the store listing (a region not enabled is skipped for the session instead).
    fake.inject_error("InternalServerException", region="eu-west-2", operation=STORES, times=1)
    with pytest.warns(RegionFailureWarning):
        omics_magic.read_sets(REGIONS)
    calls(fake)

    again = omics_magic.read_sets(REGIONS)

    assert calls(fake) == {STORES: 1, LIST: 3}
    assert records(again) == expected_read_sets(fake, REGIONS, DEFAULT)


def test_only_the_missing_per_read_set_calls_are_made(fake: OmicsBackend) -> None:
    omics_magic.read_sets(REGIONS)
    calls(fake)

    tagged = omics_magic.read_sets(REGIONS, columns=["read_set_id", "tags"])

    assert calls(fake) == {TAGS: 12}  # no listing at all
    assert records(tagged) == expected_read_sets(fake, REGIONS, ["read_set_id", "tags"])
    omics_magic.read_sets(REGIONS, columns=["read_set_id", "tags", "files"])
    assert calls(fake) == {GET: 12}


def test_a_pushed_down_filter_is_answered_from_a_wider_listing(fake: OmicsBackend) -> None:
    every = run_query(f"SELECT * FROM {READ_SETS_SQL}", regions=REGIONS)
    sample = every["sample_id"].iloc[3]
    calls(fake)

    narrow = run_query(
        f"SELECT read_set_id FROM {READ_SETS_SQL} WHERE sample_id = '{sample}'", regions=REGIONS
    )
    after = every["creation_time"].sort_values().iloc[5]
    later = run_query(
        f"SELECT read_set_id FROM {READ_SETS_SQL} WHERE creation_time >= '{after.isoformat()}'",
        regions=REGIONS,
    )

    assert calls(fake) == {}
    assert sorted(narrow["read_set_id"]) == sorted(
        every[every["sample_id"] == sample]["read_set_id"]
    )
    assert sorted(later["read_set_id"]) == sorted(
        every[every["creation_time"] >= after]["read_set_id"]
    )


def test_a_filtered_listing_does_not_answer_a_wider_one(fake: OmicsBackend) -> None:
    every = run_query(f"SELECT * FROM {READ_SETS_SQL}", regions=REGIONS, cache_ttl=0)
    sample = every["sample_id"].iloc[0]
    run_query(f"SELECT * FROM {READ_SETS_SQL} WHERE sample_id = '{sample}'", regions=REGIONS)
    calls(fake)

    run_query(f"SELECT * FROM {READ_SETS_SQL}", regions=REGIONS)

    assert calls(fake) == {LIST: 6}  # the stores' listing was kept, the read sets' was narrower


def test_a_read_set_by_id_comes_from_its_stores_listing(fake: OmicsBackend) -> None:
    store = ordered(fake, "us-east-1")[0]["id"]
    wanted = fake.read_sets("us-east-1", store)[1]
    omics_magic.read_sets("us-east-1", sequence_store_ids=[store])
    calls(fake)

    one = omics_magic.read_set(store, wanted["id"], "us-east-1")

    assert calls(fake) == {}
    assert one["read_set_id"].tolist() == [wanted["id"]]


def test_refresh_and_df_omics_refresh_go_to_aws(fake: OmicsBackend) -> None:
    sql = f"SELECT read_set_id, sequence_store_id, region FROM {READ_SETS_SQL}"
    df = run_query(sql, regions=REGIONS)
    calls(fake)

    run_query(sql, regions=REGIONS, refresh=True)
    assert calls(fake) == {STORES: 2, LIST: 6}
    run_query(sql, regions=REGIONS)
    assert calls(fake) == {}  # repopulated
    fresh = df.omics.refresh()
    assert sum(calls(fake).values()) > 0 and fresh.attrs["omics_cached"] is False


def test_a_deleted_store_leaves_every_cached_entry(fake: OmicsBackend) -> None:
    """A store without read sets (AWS refuses to delete one holding any) is deleted."""
    empty = fake.create_sequence_store("us-east-1", name="empty")
    omics_magic.read_sets(REGIONS)
    assert calls(fake).get(LIST) == 7

    omics_magic.delete_sequence_store(empty["id"], "us-east-1", confirm=empty["id"])
    calls(fake)

    again = omics_magic.read_sets(REGIONS)
    stores = omics_magic.sequence_stores("us-east-1", columns=["sequence_store_id"])
    assert calls(fake) == {}  # the listing kept, less the store
    assert empty["id"] not in stores["sequence_store_id"].tolist()
    assert records(again) == expected_read_sets(fake, REGIONS, DEFAULT)
    omics_magic.read_sets("us-east-1", sequence_store_ids=[empty["id"]])
    assert calls(fake) == {LIST: 1}  # its own (empty) entry went too


def test_the_cache_is_per_account(fake: OmicsBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    other = "222233334444"
    fake.add_account(other)
    fake.seed("us-east-1", 2, account_id=other, read_sets_per_store=1)
    creds = fake.credentials(other)
    session = boto3.Session(
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        region_name="us-east-1",
    )
    omics_magic.read_sets("us-east-1")
    calls(fake)

    theirs = fetch_frame(
        ["us-east-1"],
        columns=None,
        session=session,
        resource=READ_SETS,
        options=FetchOptions(rate=None),
    )

    assert calls(fake) == {STORES: 1, LIST: 2}
    assert len(theirs) == 2


def test_read_sets_and_read_set_take_cache_ttl_and_refresh(fake: OmicsBackend) -> None:
    store = ordered(fake, "us-east-1")[0]["id"]
    first = omics_magic.read_sets(REGIONS)
    calls(fake)
    assert omics_magic.read_sets(REGIONS).attrs["omics_cached"] and calls(fake) == {}
    omics_magic.read_sets(REGIONS, refresh=True)
    assert calls(fake) == {STORES: 2, LIST: 6}  # to AWS, and re-cached
    omics_magic.read_sets(REGIONS, cache_ttl=0)
    assert calls(fake) == {STORES: 2, LIST: 6}  # neither read nor kept
    one = first[first["sequence_store_id"] == store].iloc[0]["read_set_id"]
    got = omics_magic.read_set(store, one, "us-east-1", cache_ttl=0)
    assert got["read_set_id"].tolist() == [one] and calls(fake) == {GET: 1}
    omics_magic.read_set(store, one, "us-east-1", refresh=True)
    assert calls(fake) == {GET: 1}
