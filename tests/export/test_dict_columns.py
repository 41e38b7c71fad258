"""Dict columns the user added: written as maps, each dict keeping its own keys, or refused.

Arrow infers a struct from dicts, with every key of every row in each one:
``{}`` came back as ``{'owner': None, 'cost': None}``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from omics_magic.columns import frame
from omics_magic.errors import ExportError
from omics_magic.export.files import read_parquet, write_frame


def with_extra(values: list[object]) -> pd.DataFrame:
    df = frame([{"name": f"s{i}"} for i in range(len(values))], ["name"])
    df["extra"] = pd.Series(values, dtype=object)
    return df


@pytest.mark.parametrize(
    "values",
    [
        [{}, {"owner": "ana"}, {"cost": "3", "owner": None}, None],
        [{"n": 1}, {}, {"m": 2**40}],
        [{"ok": True}, {"done": False}],
        [{"x": 0.5}, None],
        [{}, {}],
    ],
)
def test_user_dicts_round_trip_unchanged(tmp_path: Path, values: list[object]) -> None:
    path = write_frame(with_extra(values), tmp_path / "stores.parquet")
    assert str(pq.read_schema(path).field("extra").type).startswith("map<string, ")
    back = read_parquet(path)["extra"].tolist()
    assert back == values
    assert [type(v) for v in back] == [type(v) for v in values]


@pytest.mark.parametrize(
    ("values", "found"),
    [
        ([{"a": 1}, {"b": 2.5}], "float, int values"),  # 1 would become 1.0
        ([{"a": {"x": 1}}, {}], "dict values"),  # the inner dict would gain keys
        ([{"a": [1]}], "list values"),
        ([{1: "a"}], "keys that are not strings"),
    ],
)
def test_dicts_a_map_cant_hold_are_refused_in_one_line(
    tmp_path: Path, values: list[object], found: str
) -> None:
    with pytest.raises(ExportError, match=f"column 'extra' holds dicts with {found}") as caught:
        write_frame(with_extra(values), tmp_path / "stores.parquet")
    assert "\n" not in str(caught.value)
    assert "df['extra'] = df['extra'].map(json.dumps)" in str(caught.value)
    assert not list(tmp_path.iterdir())
