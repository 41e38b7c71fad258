"""omics_magic.read_sets / read_set against the fake, both ways in: values, types, order,
extras and the calls each costs."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

import omics_magic
from omics_magic.errors import InputError, InvalidIdentifierError
from omics_magic.resources import READ_SETS
from omics_magic.testing import OmicsBackend
from tests.fetch_helpers import expected_read_sets, records

REGIONS = ["us-east-1", "eu-west-2"]
DEFAULT = READ_SETS.default_columns


def _seed(backend: OmicsBackend, stores: int = 3, per_store: int = 4) -> None:
    backend.seed(REGIONS, stores, read_sets_per_store=per_store)


def test_every_read_set_of_every_store_with_the_documented_columns_in_order(
    omics_fake: OmicsBackend,
) -> None:
    _seed(omics_fake)
    df = omics_magic.read_sets(REGIONS)

    assert list(df.columns) == list(DEFAULT) and len(DEFAULT) == 16
    assert records(df) == expected_read_sets(omics_fake, REGIONS, DEFAULT)
    assert len(df) == 2 * 3 * 4
    assert str(df["creation_time"].dtype) == "datetime64[us, UTC]"
    assert all(df[c].dtype == object for c in DEFAULT if c != "creation_time")
    info = df["sequence_information"].iloc[0]
    assert isinstance(info["total_base_count"], int) and info["total_base_count"] > 0
    # Only the listings: one ListSequenceStores and one ListReadSets page per store.
    log = omics_fake.requests
    assert log.count("ListSequenceStores") == 2
    assert log.count("ListReadSets") == 6
    assert log.count("GetReadSetMetadata") == log.count("ListTagsForResource") == 0


def test_the_empty_frame_has_every_column_and_type(omics_fake: OmicsBackend) -> None:
    omics_fake.seed(REGIONS, 2)  # stores without read sets
    df = omics_magic.read_sets(REGIONS)
    assert df.empty and list(df.columns) == list(DEFAULT)
    assert str(df["creation_time"].dtype) == "datetime64[us, UTC]"
    table = pa.Table.from_pandas(df, schema=READ_SETS.arrow_schema(), preserve_index=False)
    assert (
        table.schema.field("sequence_information").type
        == READ_SETS.column("sequence_information").arrow_type
    )


def test_extras_only_when_named_and_one_call_per_read_set_each(omics_fake: OmicsBackend) -> None:
    _seed(omics_fake, stores=2, per_store=3)
    names = ["read_set_id", "files", "creation_job_id", "tags"]
    df = omics_magic.read_sets(REGIONS, columns=names)

    assert list(df.columns) == names
    assert records(df) == expected_read_sets(omics_fake, REGIONS, names)
    assert df["files"].iloc[0]["source1"]["content_length"] > 0
    log = omics_fake.requests
    assert log.count("GetReadSetMetadata") == log.count("ListTagsForResource") == 12


def test_named_stores_make_no_store_listing(omics_fake: OmicsBackend) -> None:
    _seed(omics_fake)
    store = omics_fake.stores("eu-west-2")[1]["id"]
    df = omics_magic.read_sets(REGIONS, sequence_store_ids=[store])

    assert records(df) == expected_read_sets(omics_fake, REGIONS, DEFAULT, stores=[store])
    log = omics_fake.requests
    assert log.count("ListSequenceStores") == 0
    # Asked in both regions; the one without it answers NotFound, which is no error.
    assert log.count("ListReadSets") == 2
    assert df.attrs["omics_errors"] == []


def test_one_read_set_by_id_without_a_region_searches_every_region(
    omics_fake: OmicsBackend,
) -> None:
    _seed(omics_fake, stores=2, per_store=2)
    store = omics_fake.stores("eu-west-2")[0]["id"]
    wanted = omics_fake.read_sets("eu-west-2", store)[1]
    names = [*DEFAULT, "files", "creation_job_id", "tags"]
    df = omics_magic.read_set(store, wanted["id"], REGIONS, columns=names)

    assert records(df) == [
        r
        for r in expected_read_sets(omics_fake, ["eu-west-2"], names)
        if r["read_set_id"] == wanted["id"]
    ]
    assert omics_fake.requests.count("GetReadSetMetadata") == 2
    assert omics_fake.requests.count("ListReadSets") == 0
    missing = omics_magic.read_set(store, "9" * 10, REGIONS)
    assert missing.empty and list(missing.columns) == list(DEFAULT)


def test_bad_arguments_fail_before_any_call(omics_backend: OmicsBackend) -> None:
    with pytest.raises(InvalidIdentifierError, match="not a sequence store ID"):
        omics_magic.read_sets(REGIONS, sequence_store_ids=["12"])
    with pytest.raises(InvalidIdentifierError, match="not a read set ID"):
        omics_magic.read_set("1234567890", "x")
    with pytest.raises(InputError, match="unknown column 'bogus' of aws.omics.read_sets"):
        omics_magic.read_sets(REGIONS, columns=["bogus"])
    with pytest.raises(InputError, match="strict must be True or False"):
        omics_magic.read_sets(REGIONS, strict="no")  # type: ignore[arg-type]
    assert omics_backend.requests.count() == 0


def test_the_signatures_are_the_issues() -> None:
    import inspect

    assert str(inspect.signature(omics_magic.read_sets)) == (
        "(regions: 'str | Iterable[str] | None' = None, *, "
        "sequence_store_ids: 'str | Iterable[str] | None' = None, "
        "columns: 'Iterable[str] | None' = None, session: 'boto3.Session | None' = None, "
        "strict: 'bool' = False, progress: 'bool | None' = None, "
        # issue 17's accounts, as on sequence_stores
        "profiles: 'Iterable[str] | None' = None, role_arns: 'Iterable[str] | None' = None, "
        "role_external_id: 'str | None' = None, role_session_name: 'str | None' = None"
        ") -> 'pd.DataFrame'"
    )
    assert list(inspect.signature(omics_magic.read_set).parameters) == [
        "sequence_store_id",
        "read_set_id",
        "region",
        "columns",
        "session",
        "strict",
        "profiles",
        "role_arns",
        "role_external_id",
        "role_session_name",
    ]
    assert pd is not None
