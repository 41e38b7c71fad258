"""Frames rebuilt from columns read in pieces (as read_parquet reads them) are exact."""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import omics_magic.export.files
from omics_magic.export.arrow import frame_from_columns, from_arrow, to_arrow
from omics_magic.export.files import read_parquet, write_frame
from tests.export.strategies import store_frames
from tests.export.test_roundtrip import assert_same_frame

_MAP = pa.map_(pa.string(), pa.string())
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(df=store_frames(), data=st.data())
def test_a_frame_rebuilt_from_columns_in_pieces_is_exact(
    df: pd.DataFrame, data: st.DataObject
) -> None:
    table = to_arrow(df)
    columns = []
    for values in table.columns:
        cuts = sorted(data.draw(st.lists(st.integers(0, len(df)), max_size=3)))
        bounds = [0, *cuts, len(df)]
        columns.append([values.slice(a, b - a) for a, b in zip(bounds, bounds[1:], strict=False)])
    assert_same_frame(frame_from_columns(table.schema, columns), df)


@_SETTINGS
@given(df=store_frames())
def test_read_parquet_is_exact_when_columns_come_in_many_batches(df: pd.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stores.parquet"
        write_frame(df, path)
        # Two rows a batch: every column of more than two rows comes in pieces.
        with mock.patch.object(omics_magic.export.files, "_BATCH_ROWS", 2):
            assert_same_frame(read_parquet(path), df)


def test_dotted_column_names_read_as_themselves(tmp_path: Path) -> None:
    # Parquet selects columns by path: "a.b" and "a" must each read as themselves.
    table = pa.table({"a.b": [1, 2], "a": ["x", None], "tags": pa.array([{"k": "v"}, {}], _MAP)})
    pq.write_table(table, tmp_path / "other.parquet", row_group_size=1)
    back = read_parquet(tmp_path / "other.parquet")
    assert list(back.columns) == ["a.b", "a", "tags"]
    # The same as the whole table converted at once (pyarrow's defaults for "a" and "a.b").
    pd.testing.assert_frame_equal(back, from_arrow(pq.read_table(tmp_path / "other.parquet")))
    assert back["a.b"].tolist() == [1, 2]
    assert back["tags"].tolist() == [{"k": "v"}, {}]
