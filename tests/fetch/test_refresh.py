"""df.omics.refresh() against the fake: fresh values, drops, failures, and the calls made."""

from __future__ import annotations

import warnings

import boto3
import pandas as pd
import pytest

import omics_magic
from omics_magic.errors import FetchError, InputError, RegionFailureWarning
from omics_magic.fetch.refresh import GET_THRESHOLD
from omics_magic.testing import OmicsBackend

REGIONS = ["us-east-1", "eu-west-2"]
OTHER = "ap-southeast-1"


def _calls(backend: OmicsBackend) -> dict[tuple[str | None, str], int]:
    counts: dict[tuple[str | None, str], int] = {}
    for record in backend.requests.records:
        key = (record.operation, record.region)
        counts[key] = counts.get(key, 0) + 1
    return counts


def _rename(region: str, store_id: str, name: str) -> None:
    # Through the real API (UpdateSequenceStore), as another user would.
    boto3.client("omics", region_name=region).update_sequence_store(id=store_id, name=name)


def _fetch(backend: OmicsBackend, columns: list[str] | None = None) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = omics_magic.sequence_stores(REGIONS, rate=None, columns=columns)
    backend.requests.clear()
    return df


def test_refresh_picks_up_changes_drops_deleted_and_calls_only_df_regions(
    omics_fake: OmicsBackend,
) -> None:
    backend = omics_fake
    backend.seed([*REGIONS, OTHER], stores_per_region=4)
    df = _fetch(backend)
    df = df.iloc[::-1]  # any row order and index labels must survive
    df.insert(2, "mine", range(len(df)))
    gone = df[df["region"] == "eu-west-2"].iloc[1]
    renamed = df[df["region"] == "us-east-1"].iloc[0]
    backend.delete_store("eu-west-2", gone["sequence_store_id"])
    _rename("us-east-1", renamed["sequence_store_id"], "renamed")
    backend.create_sequence_store("us-east-1", "new since the fetch")
    backend.requests.clear()

    fresh = df.omics.refresh(rate=None)

    assert list(fresh.columns) == list(df.columns)
    assert [str(t) for t in fresh.dtypes] == [str(t) for t in df.dtypes]
    expected = df.drop(index=gone.name)
    assert list(fresh.index) == list(expected.index)
    assert fresh["mine"].tolist() == expected["mine"].tolist()
    assert fresh.loc[renamed.name, "name"] == "renamed"
    unchanged = expected.drop(index=renamed.name)
    pd.testing.assert_frame_equal(fresh.drop(index=renamed.name), unchanged, check_exact=True)
    assert fresh.attrs["omics_errors"] == [
        {
            "region": "eu-west-2",
            "code": "ResourceNotFoundException",
            "message": f"sequence store {gone['sequence_store_id']} no longer exists in "
            "eu-west-2; its row was dropped",
            "kind": "not_found",
            "sequence_store_id": gone["sequence_store_id"],
        }
    ]
    assert fresh.attrs["omics_regions"] == ["us-east-1", "eu-west-2"][::-1]
    # tags need a call per store anyway: Get by ID (4 + 4), tags for those found (4 + 3).
    assert _calls(backend) == {
        ("GetSequenceStore", "us-east-1"): 4,
        ("GetSequenceStore", "eu-west-2"): 4,
        ("ListTagsForResource", "us-east-1"): 4,
        ("ListTagsForResource", "eu-west-2"): 3,
    }


def test_many_stores_without_per_store_columns_are_listed(omics_backend: OmicsBackend) -> None:
    many, few = GET_THRESHOLD + 3, GET_THRESHOLD
    omics_backend.seed("us-east-1", stores_per_region=many)
    omics_backend.seed("eu-west-2", stores_per_region=few)
    df = _fetch(omics_backend, columns=["name", "sequence_store_id", "region"])
    omics_backend.delete_store("us-east-1", df["sequence_store_id"].iloc[0])

    fresh = df.omics.refresh(rate=None)

    assert _calls(omics_backend) == {
        ("ListSequenceStores", "us-east-1"): 1,
        ("GetSequenceStore", "eu-west-2"): few,
    }
    pd.testing.assert_frame_equal(fresh, df.iloc[1:], check_exact=True)
    assert [e["kind"] for e in fresh.attrs["omics_errors"]] == ["not_found"]


def test_a_few_stores_are_got_by_id(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(REGIONS, stores_per_region=GET_THRESHOLD + 5)
    df = _fetch(omics_backend, columns=["region", "sequence_store_id", "status"])
    picked = pd.concat([df[df["region"] == r].head(2) for r in REGIONS])
    fresh = picked.omics.refresh(rate=None)
    assert _calls(omics_backend) == {("GetSequenceStore", r): 2 for r in REGIONS}
    pd.testing.assert_frame_equal(fresh, picked, check_exact=True)


def test_failed_region_keeps_its_rows_and_is_reported(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(REGIONS, stores_per_region=3)
    df = _fetch(omics_backend)
    omics_backend.inject_error("AccessDeniedException", region="eu-west-2")
    omics_backend.delete_store(
        "eu-west-2", df[df["region"] == "eu-west-2"]["sequence_store_id"].iloc[0]
    )

    with pytest.warns(RegionFailureWarning, match="refresh: 1 of 2 regions failed: eu-west-2"):
        fresh = df.omics.refresh(rate=None)

    pd.testing.assert_frame_equal(fresh, df, check_exact=True)  # stale rows kept, none dropped
    (error,) = fresh.attrs["omics_errors"]
    assert (error["region"], error["kind"], error["code"]) == (
        "eu-west-2",
        "denied",
        "AccessDeniedException",
    )
    with pytest.raises(FetchError, match="eu-west-2") as raised:
        df.omics.refresh(rate=None, strict=True)
    assert raised.value.errors[0]["kind"] == "denied"


def test_arn_alone_identifies_the_stores(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(REGIONS, stores_per_region=2)
    df = _fetch(omics_backend, columns=["arn", "name"])[["arn", "name"]]
    first = omics_backend.stores("eu-west-2")[0]
    _rename("eu-west-2", first["id"], "via arn")
    omics_backend.requests.clear()

    fresh = df.omics.refresh(rate=None)

    assert list(fresh.columns) == ["arn", "name"]
    assert fresh.loc[df["arn"] == first["arn"], "name"].tolist() == ["via arn"]
    assert {r for (_, r) in _calls(omics_backend)} == set(REGIONS)


def test_bad_rows_fail_before_any_call(omics_backend: OmicsBackend) -> None:
    df = pd.DataFrame(
        {"region": ["us-east-1", None], "sequence_store_id": ["1000000001", "1000000002"]}
    )
    with pytest.raises(InputError, match="row 1 has no region and sequence_store_id"):
        df.omics.refresh()
    with pytest.raises(omics_magic.UnknownRegionError):
        df.fillna({"region": "mars-east-1"}).omics.refresh()
    with pytest.raises(omics_magic.InvalidIdentifierError):
        df.fillna({"region": "us-east-1"}).assign(sequence_store_id=["1", "2"]).omics.refresh()
    assert len(omics_backend.requests) == 0


def test_empty_frame_makes_no_call(omics_backend: OmicsBackend) -> None:
    df = omics_magic.sequence_stores(REGIONS, rate=None)
    omics_backend.requests.clear()
    fresh = df.omics.refresh()
    pd.testing.assert_frame_equal(fresh, df)
    assert fresh.attrs["omics_errors"] == [] and len(omics_backend.requests) == 0
