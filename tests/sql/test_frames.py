"""Local frames in SQL: pandas, pyarrow and polars frames joined with the resources."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import omics_magic
from omics_magic.testing import OmicsBackend

REGION = "us-east-1"
JOIN = (
    "SELECT s.name, x.sample FROM aws.omics.sequence_stores s "
    "JOIN sample_sheet x ON s.name = x.store_name ORDER BY x.sample"
)


@pytest.fixture
def backend(omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch) -> OmicsBackend:
    monkeypatch.setenv("OMICS_MAGIC_REGIONS", REGION)
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_backend.seed([REGION], stores_per_region=4)
    omics_backend.requests.clear()
    return omics_backend


def sheet(backend: OmicsBackend) -> pd.DataFrame:
    names = [s["name"] for s in backend.stores(REGION)]
    return pd.DataFrame(
        {"store_name": [names[2], names[0], "no-such-store"], "sample": list("abc")}
    )


def expected(backend: OmicsBackend) -> pd.DataFrame:
    names = [s["name"] for s in backend.stores(REGION)]
    return pd.DataFrame({"name": [names[2], names[0]], "sample": ["a", "b"]})


@pytest.mark.parametrize(
    "convert",
    [lambda df: df, pa.Table.from_pandas, pl.from_pandas],
    ids=["pandas", "arrow", "polars"],
)
def test_run_query_joins_a_frame_given_by_name(backend: OmicsBackend, convert: Any) -> None:
    df = omics_magic.run_query(JOIN, frames={"sample_sheet": convert(sheet(backend))})
    pd.testing.assert_frame_equal(df, expected(backend), check_dtype=False)


def test_the_magic_reads_frames_from_the_notebook(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    ip.user_ns["sample_sheet"] = sheet(backend)
    df = ip.run_cell_magic("omics", "", JOIN)
    pd.testing.assert_frame_equal(df, expected(backend), check_dtype=False)
    ip.user_ns["costs"] = pl.DataFrame({"team": ["x"], "usd": [1.5]})
    only_local = ip.run_cell_magic("omics", "", "SELECT sum(usd) AS usd FROM costs")
    assert only_local["usd"].tolist() == [1.5]


def test_an_unknown_name_lists_resources_and_frames(
    ip: InteractiveShell, backend: OmicsBackend
) -> None:
    ip.user_ns["sample_sheet"] = sheet(backend)
    ip.user_ns["not_a_frame"] = {"a": 1}
    with pytest.raises(UsageError) as info:
        ip.run_cell_magic("omics", "", "SELECT * FROM sample_shet")
    message = str(info.value)
    assert "unknown resource 'sample_shet'" in message
    assert "aws.omics.sequence_stores" in message and "local frames: sample_sheet" in message
    assert "not_a_frame" not in message and "\n" not in message
    with pytest.raises(omics_magic.SQLError, match="local frames: none"):
        omics_magic.run_query("SELECT * FROM sample_sheet")
    assert backend.requests.records == []


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        ([("sample_sheet", 1)], "frames must map names to DataFrames"),
        ({"sample_sheet": [1, 2]}, "give a pandas or polars DataFrame"),
        ({"sample_sheet": pd.DataFrame({"x": [object()]})}, "can't be read as a table"),
    ],
)
def test_bad_frames_are_one_line_before_any_call(
    backend: OmicsBackend, frames: Any, message: str
) -> None:
    with pytest.raises(omics_magic.InputError, match=message):
        omics_magic.run_query(JOIN, frames=frames)
    assert backend.requests.records == []


def test_a_frame_is_not_a_file_the_sandbox_stays_closed(backend: OmicsBackend) -> None:
    frames = {"sample_sheet": sheet(backend)}
    with pytest.raises(omics_magic.SQLError, match="not allowed"):
        omics_magic.run_query("SELECT * FROM read_csv('/etc/passwd')", frames=frames)
    # A Python variable that the query does not name is not readable (no replacement scan).
    secret = pd.DataFrame({"password": ["hunter2"]})  # noqa: F841
    with pytest.raises(omics_magic.SQLError, match="unknown resource 'secret'"):
        omics_magic.run_query("SELECT * FROM secret", frames=frames)
