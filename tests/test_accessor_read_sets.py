"""df.omics on read sets: a store frame's read sets, refresh, Parquet both kinds, no delete."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import omics_magic
from omics_magic.resources import READ_SETS, SEQUENCE_STORES
from omics_magic.testing import OmicsBackend
from tests.fetch_helpers import expected_read_sets, records

REGIONS = ["us-east-1", "eu-west-2"]
EVERY = [*READ_SETS.default_columns, *READ_SETS.extra_columns]


def test_a_store_frame_gives_the_read_sets_of_exactly_its_stores(
    omics_fake: OmicsBackend,
) -> None:
    omics_fake.seed(REGIONS, 3, read_sets_per_store=2)
    stores = omics_magic.sequence_stores(REGIONS, rate=None)
    chosen = stores.iloc[[1, 4]]
    listed_before = omics_fake.requests.count("ListSequenceStores")

    df = chosen.omics.read_sets()

    ids = list(chosen["sequence_store_id"])
    expected = [
        r
        for region in REGIONS
        for r in expected_read_sets(omics_fake, [region], READ_SETS.default_columns, stores=ids)
    ]
    assert sorted(records(df), key=str) == sorted(expected, key=str) and len(df) == 4
    assert omics_fake.requests.count("ListSequenceStores") == listed_before
    assert omics_fake.requests.count("ListReadSets") == 2  # each store in its own region only
    assert list(chosen.omics.read_sets(columns=["read_set_id", "tags"]).columns) == [
        "read_set_id",
        "tags",
    ]


def test_parquet_round_trips_read_sets_exactly_with_their_own_schema(
    omics_backend: OmicsBackend, tmp_path: Path
) -> None:
    omics_backend.seed(REGIONS, 2, read_sets_per_store=3)
    df = omics_magic.read_sets(REGIONS, columns=EVERY)
    df.loc[df.index[0], "description"] = None
    written = df.omics.to_parquet(tmp_path / "read_sets.parquet")

    schema = pq.read_schema(written)
    for name in EVERY:
        assert schema.field(name).type == READ_SETS.column(name).arrow_type, name
        assert schema.field(name).metadata[b"doc"] == READ_SETS.column(name).doc.encode()
    back = omics_magic.read_parquet(written)
    pd.testing.assert_frame_equal(back, df.reset_index(drop=True))
    assert records(back) == records(df)

    empty = omics_magic.read_parquet(df.iloc[:0].omics.to_parquet(tmp_path / "empty.parquet"))
    pd.testing.assert_frame_equal(empty, df.iloc[:0].reset_index(drop=True))

    stores = omics_magic.sequence_stores(REGIONS, rate=None)
    again = omics_magic.read_parquet(stores.omics.to_parquet(tmp_path / "stores.parquet"))
    pd.testing.assert_frame_equal(again, stores.reset_index(drop=True))
    field = pq.read_schema(tmp_path / "stores.parquet").field("description")
    assert field.metadata[b"doc"] == SEQUENCE_STORES.column("description").doc.encode()


def test_refresh_re_reads_read_sets_and_drops_the_gone_ones(omics_fake: OmicsBackend) -> None:
    omics_fake.seed(REGIONS, 2, read_sets_per_store=3)
    names = ["region", "read_set_id", "sequence_store_id", "status", "tags"]
    df = omics_magic.read_sets(REGIONS, columns=names)
    df["mine"] = range(len(df))
    first = df.iloc[0]
    store = first["sequence_store_id"]
    omics_fake.delete_read_set(first["region"], store, first["read_set_id"])
    before = omics_fake.requests.count()

    fresh = df.omics.refresh(rate=None)

    assert list(fresh.columns) == list(df.columns)
    assert fresh["mine"].tolist() == list(range(1, len(df)))
    assert fresh["read_set_id"].tolist() == df["read_set_id"].tolist()[1:]
    (gone,) = fresh.attrs["omics_errors"]
    assert (gone["kind"], gone["sequence_store_id"]) == ("not_found", store)
    # tags are asked for: one GetReadSetMetadata (+ tags) per read set, no listing at all.
    log = omics_fake.requests
    assert log.count("ListSequenceStores") == 1 * 2 and log.count() - before == 12 + 11


def test_store_actions_refuse_a_frame_of_read_sets(omics_backend: OmicsBackend) -> None:
    omics_backend.seed(REGIONS, 1, read_sets_per_store=1)
    df = omics_magic.read_sets(REGIONS)
    with pytest.raises(AttributeError, match=r"delete\(\) works on a frame of sequence stores"):
        df.omics.delete(confirm=list(df["sequence_store_id"]))
    with pytest.raises(AttributeError, match="holds read sets"):
        df.omics.read_sets()
    assert omics_backend.requests.count("DeleteSequenceStore") == 0
