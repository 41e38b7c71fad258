"""Exact Parquet round trips, proved over generated frames, and other readers agreeing."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omics_magic.columns import ALL_COLUMNS, arrow_schema, frame
from omics_magic.export.files import read_parquet, to_arrow, write_frame
from tests.export.strategies import store_frames

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same_frame(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal values, dtypes, order, and the same Python objects cell by cell."""
    pd.testing.assert_frame_equal(actual, expected, check_exact=True)
    assert list(actual.columns) == list(expected.columns)
    assert [str(t) for t in actual.dtypes] == [str(t) for t in expected.dtypes]
    for name in expected.columns:
        if expected[name].dtype != object:
            continue
        for got, want in zip(actual[name], expected[name], strict=True):
            # {} vs None, list vs tuple/array, str vs NaN: the types must match too.
            assert type(got) is type(want), (name, got, want)
            assert got == want or (_is_nan(got) and _is_nan(want)), (name, got, want)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


@_SETTINGS
@given(df=store_frames(), partition=st.booleans())
def test_read_parquet_inverts_to_parquet_exactly(df: pd.DataFrame, partition: bool) -> None:
    partition = partition and "region" in df.columns
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("stores" if partition else "stores.parquet")
        write_frame(df, path, partition_by_region=partition)
        assert_same_frame(read_parquet(path), df)


@_SETTINGS
@given(df=store_frames())
def test_known_columns_get_the_canonical_arrow_types(df: pd.DataFrame) -> None:
    table = to_arrow(df)
    assert table.column_names == list(df.columns)
    known = [name for name in df.columns if name in ALL_COLUMNS]
    expected = arrow_schema(known)
    for name in known:
        assert table.schema.field(name).type == expected.field(name).type, name
    assert table.num_rows == len(df)


@_SETTINGS
@given(df=store_frames())
def test_pyarrow_and_duckdb_read_the_same_values(df: pd.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stores.parquet"
        write_frame(df, path)
        table = pq.read_table(path)
        with duckdb.connect() as con:
            for name in (n for n in df.columns if n in ALL_COLUMNS):
                from_arrow = table.column(name).to_pylist(maps_as_pydicts="strict")
                from_duckdb = [
                    row[0] for row in con.execute(f"SELECT \"{name}\" FROM '{path}'").fetchall()
                ]
                expected = [None if v is pd.NaT else _plain(v) for v in df[name]]
                assert from_arrow == expected, name
                assert from_duckdb == expected, name


def _plain(value: Any) -> Any:
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


def _sample_frame() -> pd.DataFrame:
    rows = [
        {
            "region": "us-east-1",
            "sequence_store_id": "1234567890",
            "name": "ünïcode store",
            "creation_time": "2024-05-01T12:00:00.123456Z",
            "sse_config": {"type": "KMS", "key_arn": "arn:aws:kms:us-east-1:1:key/k"},
            "tags": {"team": "genomics", "empty": ""},
        },
        {"region": "eu-west-1", "sequence_store_id": "2234567890", "tags": {}},
        {"region": "us-east-1", "sequence_store_id": "3234567890", "tags": None},
        {"region": "eu-west-1", "sequence_store_id": "4234567890", "tags": {"team": "ops"}},
    ]
    names = ["region", "sequence_store_id", "name", "creation_time", "sse_config", "tags"]
    return frame(rows, names)


def test_duckdb_reads_tags_by_key_and_struct_fields(tmp_path: Path) -> None:
    df = _sample_frame()
    path = write_frame(df, tmp_path / "x.parquet")
    got = duckdb.sql(f"SELECT tags['team'], sse_config.type, name FROM '{path}'").fetchall()
    teams = [t.get("team") if t else None for t in df["tags"]]
    types = [s["type"] if s else None for s in df["sse_config"]]
    assert got == list(zip(teams, types, df["name"], strict=True))
    kinds = duckdb.sql(f"DESCRIBE SELECT * FROM '{path}'").fetchall()
    assert {r[0]: r[1] for r in kinds}["tags"] == "MAP(VARCHAR, VARCHAR)"
    assert {r[0]: r[1] for r in kinds}["creation_time"] == "TIMESTAMP WITH TIME ZONE"


def test_polars_reads_the_same_rows(tmp_path: Path) -> None:
    pl = pytest.importorskip("polars")
    df = _sample_frame()
    path = write_frame(df, tmp_path / "x.parquet")
    got = pl.read_parquet(path)
    assert got.columns == list(df.columns)
    assert got["sequence_store_id"].to_list() == df["sequence_store_id"].tolist()
    assert got["name"].to_list() == df["name"].tolist()
    tags = [None if t is None else dict(t) for t in got["tags"].to_list()]
    assert tags == df["tags"].tolist()


def test_partitioned_dataset_reads_back_as_the_same_rows(tmp_path: Path) -> None:
    df = _sample_frame()
    path = write_frame(df, tmp_path / "stores", partition_by_region=True)
    assert sorted(p.name for p in path.iterdir()) == [
        "_common_metadata",
        "region=eu-west-1",
        "region=us-east-1",
    ]
    expected = sorted(zip(df["region"], df["sequence_store_id"], strict=True))

    dataset = ds.dataset(path, format="parquet", partitioning="hive")
    table = dataset.to_table()
    assert sorted(table.column_names) == sorted(df.columns)
    got = sorted(
        zip(
            table.column("region").to_pylist(),
            table.column("sequence_store_id").to_pylist(),
            strict=True,
        )
    )
    assert got == expected

    rows = duckdb.sql(
        f"SELECT region, sequence_store_id, tags['team'] "
        f"FROM read_parquet('{path}/**/*.parquet', hive_partitioning = true)"
    ).fetchall()
    teams = [t.get("team") if t else None for t in df["tags"]]
    assert sorted(rows, key=str) == sorted(
        zip(df["region"], df["sequence_store_id"], teams, strict=True), key=str
    )
    assert_same_frame(read_parquet(path), df)


def test_partitioned_region_column_keeps_its_position(tmp_path: Path) -> None:
    df = _sample_frame()[["name", "tags", "region", "sequence_store_id"]]
    df.insert(1, "mine", [3, 1, 4, 1])
    path = write_frame(df, tmp_path / "stores.parquet", partition_by_region=True)
    back = read_parquet(path)
    assert list(back.columns) == ["name", "mine", "tags", "region", "sequence_store_id"]
    assert_same_frame(back, df)


def test_zero_rows_and_all_null_columns_round_trip(tmp_path: Path) -> None:
    df = frame([], ALL_COLUMNS)
    df["user_null"] = pd.Series([], dtype=object)
    assert_same_frame(read_parquet(write_frame(df, tmp_path / "empty.parquet")), df)
    nulls = frame([{}, {}], ALL_COLUMNS)  # every known column all None / NaT
    assert_same_frame(read_parquet(write_frame(nulls, tmp_path / "nulls.parquet")), nulls)
    dataset = write_frame(df, tmp_path / "empty_ds", partition_by_region=True)
    assert_same_frame(read_parquet(dataset), df)


def test_empty_tags_stay_distinct_from_missing_tags(tmp_path: Path) -> None:
    df = frame([{"region": "us-east-1", "tags": {}}, {"region": "us-east-1"}], ["region", "tags"])
    table = to_arrow(df)
    assert table.column("tags").to_pylist(maps_as_pydicts="strict") == [{}, None]
    back = read_parquet(write_frame(df, tmp_path / "x.parquet"))
    assert back["tags"].tolist() == [{}, None]


def test_unknown_columns_keep_their_inferred_type(tmp_path: Path) -> None:
    df = _sample_frame()
    df["read_sets"] = [1, 2, 3, 4]
    df["ratio"] = [0.5, float("nan"), 1.0, 2.0]
    table = to_arrow(df)
    assert table.schema.field("read_sets").type == pa.int64()
    assert table.schema.field("ratio").type == pa.float64()
    assert_same_frame(read_parquet(write_frame(df, tmp_path / "x.parquet")), df)


def test_foreign_parquet_gets_omics_dtypes_for_known_columns(tmp_path: Path) -> None:
    # A file written by another tool (no omics_magic metadata) still reads sensibly.
    df = _sample_frame()
    plain = pa.Table.from_pylist(
        [{"region": r, "tags": t} for r, t in zip(df["region"], df["tags"], strict=True)],
        schema=pa.schema([("region", pa.string()), ("tags", pa.map_(pa.string(), pa.string()))]),
    )
    pq.write_table(plain, tmp_path / "foreign.parquet")
    back = read_parquet(tmp_path / "foreign.parquet")
    assert_same_frame(back, df[["region", "tags"]])


def test_a_duckdb_result_round_trips(tmp_path: Path) -> None:
    # What the magic hands on: DuckDB's own dtypes (int32, str, maps as dicts).
    with duckdb.connect() as con:
        df = con.execute(
            "SELECT 'us-east-1' AS region, '1234567890' AS sequence_store_id, "
            "MAP {'team': 'a', 'x': ''} AS tags, 7::INTEGER AS n, 1.5 AS ratio "
            "UNION ALL SELECT 'eu-west-1', '2234567890', MAP {}, NULL, NULL"
        ).df()
    path = write_frame(df, tmp_path / "x.parquet")
    assert_same_frame(read_parquet(path), df)
    assert to_arrow(df).schema.field("tags").type == pa.map_(pa.string(), pa.string())


def test_reading_nothing_or_not_parquet_fails_plainly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_parquet(tmp_path / "missing.parquet")
    (tmp_path / "x.parquet").write_text("not parquet")
    with pytest.raises(pa.ArrowInvalid):
        read_parquet(tmp_path / "x.parquet")


_BASE = frame(
    [
        {"region": "us-east-1", "name": "a", "creation_time": "2024-01-01T00:00:00.5Z"},
        {"region": "eu-west-1"},
    ],
    ["region", "name", "creation_time"],
)


@pytest.mark.parametrize(
    "df",
    [
        _BASE.assign(region=_BASE["region"].astype("str")),
        _BASE.assign(region=_BASE["region"].astype("category")),
        _BASE.assign(name=_BASE["name"].astype("string[pyarrow]")),
        _BASE.assign(creation_time=_BASE["creation_time"].astype("datetime64[ns, UTC]")),
        _BASE.assign(creation_time=_BASE["creation_time"].dt.tz_convert("America/New_York")),
        _BASE.assign(creation_time=_BASE["creation_time"].dt.tz_localize(None)),
    ],
    ids=["region-str", "region-category", "name-string", "time-ns", "time-new-york", "naive"],
)
@pytest.mark.parametrize("partition", [False, True])
def test_known_columns_in_other_dtypes_keep_them(
    tmp_path: Path, df: pd.DataFrame, partition: bool
) -> None:
    path = write_frame(df, tmp_path / "x.parquet", partition_by_region=partition)
    assert_same_frame(read_parquet(path), df)
    assert pq.read_schema(path if not partition else path / "_common_metadata").field(
        "creation_time"
    ).type == pa.timestamp("us", tz="UTC")
