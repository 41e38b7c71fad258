"""The fetch engine against the fake: values, dtypes, order, regions, pushdown, inputs."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

import omics_magic
from omics_magic.columns import ALL_COLUMNS, DEFAULT_COLUMNS, EXTRA_COLUMNS, resolve_columns
from omics_magic.errors import (
    AmbiguousStoreError,
    InputError,
    InvalidIdentifierError,
    RegionFailureWarning,
    UnknownColumnError,
    UnknownRegionError,
)
from omics_magic.fetch.engine import fetch_frame
from omics_magic.fetch.options import FetchOptions
from omics_magic.regions import omics_regions
from omics_magic.testing import OmicsBackend
from tests.fetch_helpers import expected_records, records

NO_PACING = FetchOptions(rate=None)

TWO = ["us-east-1", "eu-west-2"]


def _bare_store(backend: OmicsBackend, region: str) -> None:
    """A store with every optional field left out: None and {} in the frame."""
    backend.create_sequence_store(region, "bare")


def test_default_columns_values_dtypes_and_order(omics_fake: OmicsBackend) -> None:
    omics_fake.seed(TWO, stores_per_region=6)
    _bare_store(omics_fake, "eu-west-2")

    df = omics_magic.sequence_stores(TWO, rate=None)

    assert list(df.columns) == list(DEFAULT_COLUMNS)
    assert df["creation_time"].dtype == "datetime64[us, UTC]"
    assert all(df[c].dtype == object for c in DEFAULT_COLUMNS if c != "creation_time")
    assert records(df) == expected_records(omics_fake, TWO, DEFAULT_COLUMNS)
    assert len(df) == 13
    bare = df[df["name"] == "bare"].iloc[0]
    assert bare["tags"] == {} and bare["description"] is None
    assert bare["fallback_location"] is None
    assert bare["sse_config"] == {"type": "KMS", "key_arn": None}
    assert any(s["key_arn"] for s in df["sse_config"])  # the seed has customer keys too
    assert df.attrs["omics_errors"] == []
    assert df.attrs["omics_regions"] == TWO


def test_every_extra_column_in_canonical_order(omics_fake: OmicsBackend) -> None:
    omics_fake.seed(TWO, stores_per_region=4)
    asked = ["s3_uri", "name", "status", *reversed(EXTRA_COLUMNS), "region"]

    df = omics_magic.sequence_stores(TWO, columns=asked, rate=None)

    names = resolve_columns(asked)
    assert list(df.columns) == list(names) == ["region", "name", *EXTRA_COLUMNS]
    assert df["update_time"].dtype == "datetime64[us, UTC]"
    assert records(df) == expected_records(omics_fake, TWO, names)
    assert df["s3_uri"].str.startswith("s3://").all()


@pytest.mark.parametrize("columns", [None, ALL_COLUMNS])
def test_empty_result_keeps_every_column_and_dtype(
    omics_backend: OmicsBackend, columns: tuple[str, ...] | None
) -> None:
    df = omics_magic.sequence_stores(TWO, columns=columns)

    names = resolve_columns(columns)
    assert df.empty
    assert list(df.columns) == list(names)
    expected = {n: "datetime64[us, UTC]" if n.endswith("_time") else "object" for n in names}
    assert {n: str(t) for n, t in df.dtypes.items()} == expected
    assert omics_backend.requests.count(operation="ListSequenceStores") == 2


def test_rows_ordered_by_given_regions_then_creation_time_then_id(
    omics_backend: OmicsBackend,
) -> None:
    same = datetime(2024, 5, 1, tzinfo=timezone.utc)
    older = datetime(2023, 1, 1, tzinfo=timezone.utc)
    omics_backend.create_sequence_store("us-east-1", "b", creation_time=same, store_id="2000000000")
    omics_backend.create_sequence_store("us-east-1", "a", creation_time=same, store_id="1000000000")
    omics_backend.create_sequence_store("us-east-1", "c", creation_time=older)
    omics_backend.create_sequence_store("eu-west-2", "d")

    df = omics_magic.sequence_stores(["eu-west-2", "us-east-1"], rate=None)

    assert list(df["name"]) == ["d", "c", "a", "b"]
    # by ID, the answers come in the order asked; the frame still sorts them
    ids = list(reversed(df["sequence_store_id"]))
    by_id = fetch_frame(
        ["eu-west-2", "us-east-1"], columns=["name"], identifiers=ids, options=NO_PACING
    )
    assert list(by_id["name"]) == ["d", "c", "a", "b"]


def test_default_regions_are_every_omics_region(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(TWO, stores_per_region=2)

    df = omics_magic.sequence_stores(columns=["region", "name"])

    regions = list(omics_regions())
    assert df.attrs["omics_regions"] == regions
    assert {r.region for r in omics_backend.requests.records} == set(regions)
    assert all(omics_backend.requests.count("ListSequenceStores", r) == 1 for r in regions)
    assert list(df["region"]) == sorted(["us-east-1"] * 2 + ["eu-west-2"] * 2, key=regions.index)


def test_configured_regions_from_the_environment(
    omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    omics_backend.seed([*TWO, "us-west-2"], stores_per_region=2)
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", " eu-west-2, us-east-1 ")

    df = omics_magic.sequence_stores(columns=["region"])

    assert list(df["region"]) == ["eu-west-2"] * 2 + ["us-east-1"] * 2
    assert {r.region for r in omics_backend.requests.records} == {"eu-west-2", "us-east-1"}


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: omics_magic.sequence_stores(["us-east-1", "mars-1"]),
            UnknownRegionError,
            r"'mars-1'.*us-east-1",
        ),
        (
            lambda: omics_magic.sequence_stores("us-east-1 ", columns=["nmae"]),
            UnknownColumnError,
            r"'nmae'.*sequence_store_id",
        ),
        (lambda: omics_magic.sequence_store("12-34", None), InvalidIdentifierError, r"'12-34'"),
        (lambda: omics_magic.sequence_store("1234567890", "moon-1"), UnknownRegionError, "moon"),
        (lambda: omics_magic.sequence_stores(rate=-1), InputError, "rate"),
        (lambda: omics_magic.sequence_stores(timeout=0), InputError, "timeout"),
        (lambda: omics_magic.sequence_stores(max_concurrency=0), InputError, "max_concurrency"),
        (lambda: omics_magic.sequence_stores(name=""), InputError, "name"),
        (lambda: omics_magic.sequence_stores(name="x" * 128), InputError, "1 to 127"),
        (lambda: fetch_frame(TWO, columns=None, identifiers=["1"]), InvalidIdentifierError, "'1'"),
    ],
)
def test_bad_input_fails_before_any_call(
    omics_backend: OmicsBackend, call: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
    assert omics_backend.requests.count() == 0


def test_bad_configured_region_fails_before_any_call(
    omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", "us-east-1,atlantis-1")
    with pytest.raises(UnknownRegionError, match="OMICS_MAGIC_REGIONS.*atlantis-1"):
        omics_magic.sequence_stores()
    assert omics_backend.requests.count() == 0


def test_more_than_250_stores_page_through(omics_backend: OmicsBackend) -> None:
    omics_backend.seed("us-east-1", stores_per_region=260)
    omics_backend.seed("eu-west-2", stores_per_region=3)

    df = omics_magic.sequence_stores(TWO, rate=None)

    assert records(df) == expected_records(omics_backend, TWO, DEFAULT_COLUMNS)
    assert df["sequence_store_id"].is_unique and len(df) == 263
    assert omics_backend.requests.count("ListSequenceStores", "us-east-1") == 3  # 100 a page
    assert omics_backend.requests.count("ListTagsForResource") == 263


@pytest.mark.parametrize(
    ("columns", "tags_calls", "get_calls"),
    [
        (None, True, False),
        (
            ["name", "status", "status_message", "update_time", "e_tag_algorithm_family"],
            False,
            False,
        ),
        (["region", "sequence_store_id", "sse_config", "arn"], False, False),
        (["s3_uri"], False, True),
        (["tags", "access_log_location", "propagated_set_level_tags"], True, True),
    ],
)
def test_projection_pushdown_calls_only_what_columns_need(
    omics_fake: OmicsBackend, columns: list[str] | None, tags_calls: bool, get_calls: bool
) -> None:
    omics_fake.seed(TWO, stores_per_region=5)

    df = omics_magic.sequence_stores(TWO, columns=columns, rate=None)

    log = omics_fake.requests
    assert len(df) == 10
    assert log.count("ListSequenceStores") == 2
    assert log.count("ListTagsForResource") == (10 if tags_calls else 0)
    assert log.count("GetSequenceStore") == (10 if get_calls else 0)
    assert log.count() == log.count(status=200)


def test_name_filter(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(TWO, stores_per_region=3)
    omics_backend.create_sequence_store("eu-west-2", "wanted")
    omics_backend.create_sequence_store("us-east-1", "wanted")

    df = omics_magic.sequence_stores(TWO, name="wanted", columns=["region", "name"], rate=None)

    assert records(df) == [
        {"region": "us-east-1", "name": "wanted"},
        {"region": "eu-west-2", "name": "wanted"},
    ]


def test_sequence_store_looks_in_every_configured_region(omics_fake: OmicsBackend) -> None:
    seeded = omics_fake.seed(TWO, stores_per_region=3)
    wanted = seeded["eu-west-2"][1]

    df = omics_magic.sequence_store(wanted["id"])

    assert records(df) == [
        r
        for r in expected_records(omics_fake, ["eu-west-2"], DEFAULT_COLUMNS)
        if r["sequence_store_id"] == wanted["id"]
    ]
    assert omics_fake.requests.count("GetSequenceStore") == len(omics_regions())
    assert omics_fake.requests.count("ListSequenceStores") == 0
    assert omics_fake.requests.count("ListTagsForResource") == 1
    assert df.attrs["omics_errors"] == []


def test_sequence_store_in_one_region_with_extra_columns(omics_backend: OmicsBackend) -> None:
    wanted = omics_backend.seed("us-east-1", stores_per_region=2)["us-east-1"][0]

    df = omics_magic.sequence_store(wanted["id"], "us-east-1", columns=["s3_uri", "status"])

    assert records(df) == [{"status": "ACTIVE", "s3_uri": wanted["s3Access"]["s3Uri"]}]
    assert omics_backend.requests.count() == 1  # one Get carries everything asked


def test_sequence_store_not_found_is_an_empty_frame_not_an_error(
    omics_backend: OmicsBackend,
) -> None:
    omics_backend.seed(TWO, stores_per_region=2)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = omics_magic.sequence_store("9999999999", TWO)

    assert df.empty and list(df.columns) == list(DEFAULT_COLUMNS)
    assert df.attrs["omics_errors"] == []
    not_found = omics_backend.requests.count(
        "GetSequenceStore", error_code="ResourceNotFoundException"
    )
    assert not_found == 2


def test_sequence_store_in_two_regions_is_ambiguous_unless_a_region_is_named(
    omics_backend: OmicsBackend,
) -> None:
    first = omics_backend.create_sequence_store("us-east-1", "twin-a")
    omics_backend.create_sequence_store(
        "eu-west-2", "twin-b", store_id=first["id"], allow_duplicate_id=True
    )

    with pytest.raises(AmbiguousStoreError, match="us-east-1.*eu-west-2|eu-west-2.*us-east-1"):
        omics_magic.sequence_store(first["id"], TWO)

    df = omics_magic.sequence_store(first["id"], "eu-west-2")
    assert df["name"].tolist() == ["twin-b"] and df["region"].tolist() == ["eu-west-2"]


def test_sequence_store_found_while_another_region_fails(omics_backend: OmicsBackend) -> None:
    wanted = omics_backend.seed("us-east-1", stores_per_region=1)["us-east-1"][0]
    omics_backend.disable_region("eu-west-2")

    with pytest.warns(RegionFailureWarning, match="eu-west-2"):
        df = omics_magic.sequence_store(wanted["id"], ["eu-west-2", "us-east-1"])

    assert list(df["sequence_store_id"]) == [wanted["id"]]
    assert [(e["region"], e["kind"]) for e in df.attrs["omics_errors"]] == [
        ("eu-west-2", "not_enabled")
    ]


def test_identifiers_are_fetched_by_get_not_by_listing(omics_backend: OmicsBackend) -> None:
    seeded = omics_backend.seed("us-east-1", stores_per_region=5)["us-east-1"]
    ids = [seeded[3]["id"], seeded[1]["id"], "9999999999"]

    df = fetch_frame(
        ["us-east-1"], columns=["sequence_store_id", "tags"], identifiers=ids, options=NO_PACING
    )

    assert list(df["sequence_store_id"]) == [seeded[1]["id"], seeded[3]["id"]]
    assert list(df["tags"]) == [seeded[1]["tags"], seeded[3]["tags"]]
    assert omics_backend.requests.count("ListSequenceStores") == 0
    assert omics_backend.requests.count("GetSequenceStore") == 3
    assert omics_backend.requests.count("ListTagsForResource") == 2


def test_identifiers_with_a_name_keep_only_that_name(omics_backend: OmicsBackend) -> None:
    a = omics_backend.create_sequence_store("us-east-1", "keep")
    b = omics_backend.create_sequence_store("us-east-1", "other")

    df = fetch_frame(
        ["us-east-1"],
        columns=["name"],
        identifiers=[a["id"], b["id"]],
        name="keep",
        options=NO_PACING,
    )

    assert list(df["name"]) == ["keep"]


def test_no_identifiers_means_no_call(omics_backend: OmicsBackend) -> None:
    df = fetch_frame(TWO, columns=None, identifiers=[])
    assert df.empty and list(df.columns) == list(DEFAULT_COLUMNS)
    assert omics_backend.requests.count() == 0


def test_frame_attrs_survive_for_callers(omics_backend: OmicsBackend) -> None:
    omics_backend.seed("us-east-1", stores_per_region=2)
    df = omics_magic.sequence_stores("us-east-1", columns=["name"], rate=None)
    assert isinstance(df, pd.DataFrame)
    fetched_at = df.attrs.pop("omics_fetched_at")
    assert str(pd.Timestamp(fetched_at).tz) == "UTC"
    assert df.attrs == {"omics_errors": [], "omics_regions": ["us-east-1"], "omics_cached": False}


def test_pandas_to_parquet_keeps_a_results_attrs(
    omics_backend: OmicsBackend, tmp_path: Path
) -> None:
    """pandas stores ``df.attrs`` as JSON in the file: every attr of ours must be JSON
    (a Timestamp in omics_fetched_at made df.to_parquet raise TypeError)."""
    omics_backend.seed("us-east-1", stores_per_region=2)
    for df in (
        omics_magic.sequence_stores("us-east-1", columns=["name", "tags"], rate=None),
        omics_magic.run_query(
            "SELECT name, tags FROM aws.omics.sequence_stores", regions="us-east-1"
        ),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # pandas warns before it raises
            df.to_parquet(tmp_path / "plain.parquet")
        back = pd.read_parquet(tmp_path / "plain.parquet")
        assert back.attrs == df.attrs
        assert pd.Timestamp(back.attrs["omics_fetched_at"]) <= pd.Timestamp.now(tz="UTC")


def test_region_list_does_not_depend_on_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing AWS_PROFILE is a credentials problem, not a region-validation crash."""
    omics_regions.cache_clear()
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    try:
        assert "us-east-1" in omics_regions()
    finally:
        omics_regions.cache_clear()
