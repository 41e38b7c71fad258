"""Errors that point at the problem: DuckDB's parser message and position, did-you-mean."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import omics_magic
from omics_magic.testing import OmicsBackend

STORES = "aws.omics.sequence_stores"
# Longer than DuckDB shows: its message has a window of the line between '...'.
LONG = f"SELECT name FROM {STORES} WHERE " + " AND ".join(f"name <> 's{i}'" for i in range(30))
LONG += " AND AND"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (f"SELEC * FROM {STORES}", 'at line 1, column 1: syntax error at or near "SELEC"'),
        (
            f"SELECT name\nFROM {STORES}\nWHERE region = = 'us-east-1'",
            'at line 3, column 16: syntax error at or near "="',
        ),
        (LONG, f'at line 1, column {LONG.rindex("AND") + 1}: syntax error at or near "AND"'),
    ],
)
def test_a_statement_that_does_not_parse_gets_duckdbs_message_and_position(
    omics_backend: OmicsBackend, ip: InteractiveShell, sql: str, message: str
) -> None:
    with pytest.raises(omics_magic.SQLError) as info:
        omics_magic.run_query(sql)
    assert str(info.value) == f"SQL syntax error {message}"
    assert "sqlglot" not in str(info.value) and "Required keyword" not in str(info.value)
    with pytest.raises(UsageError, match="syntax error at or near"):
        ip.run_cell_magic("omics", "", sql)
    assert omics_backend.requests.records == []


@pytest.mark.parametrize(
    ("sql", "suggestion"),
    [
        (f"SELECT nme FROM {STORES}", "did you mean 'name'?"),
        (f"SELECT s.staus FROM {STORES} s", "did you mean 'status'?"),
        (f"SELECT * FROM {STORES} WHERE data__identifer = '1234567890'", "'data__Identifier'?"),
        ("SELECT x.sampel FROM sheet x", "did you mean 'sample'?"),
    ],
)
def test_an_unknown_column_gets_did_you_mean(
    omics_backend: OmicsBackend, ip: InteractiveShell, sql: str, suggestion: str
) -> None:
    frames = {"sheet": pd.DataFrame({"sample": ["a"], "n": [1]})}
    with pytest.raises(omics_magic.UnknownColumnError, match=suggestion) as info:
        omics_magic.run_query(sql, frames=frames)
    assert "\n" not in str(info.value)
    ip.user_ns.update(frames)
    with pytest.raises(UsageError, match=suggestion):
        ip.run_cell_magic("omics", "", sql)
    assert omics_backend.requests.records == []


def test_no_suggestion_when_nothing_is_close(omics_backend: OmicsBackend) -> None:
    with pytest.raises(omics_magic.UnknownColumnError) as info:
        omics_magic.run_query(f"SELECT zzzz FROM {STORES}")
    assert "did you mean" not in str(info.value) and "valid columns are" in str(info.value)


def test_a_run_time_error_is_still_one_line(
    omics_backend: OmicsBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_backend.seed(["us-east-1"], stores_per_region=2)
    with pytest.raises(omics_magic.SQLError) as info:
        omics_magic.run_query(f"SELECT CAST(name AS INTEGER) FROM {STORES}", regions=["us-east-1"])
    assert str(info.value).startswith("DuckDB can't run the query: ") and "\n" not in str(
        info.value
    )
