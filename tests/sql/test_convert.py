"""Results pandas can't hold as DuckDB gives them: decoded faithfully, or one line to cast.

Through ``execute_plan`` and the sandboxed DuckDB, as a query runs; the
fetch is never called (these queries read no resource), except where a
refusal must come before it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from omics_magic.errors import SQLError
from omics_magic.sql.plan import SelectPlan, plan_statement
from omics_magic.sql.run import FetchRequest, execute_plan

BIG = 2**130


def query(sql: str) -> pd.DataFrame:
    plan = plan_statement(sql)
    assert isinstance(plan, SelectPlan)

    def fetch(request: FetchRequest) -> pd.DataFrame:
        raise AssertionError(f"fetched {request}")

    return execute_plan(plan, fetch, default_regions=["us-east-1"])


def value(expression: str) -> Any:
    df = query(f"SELECT {expression} AS v, 1 AS v")  # a repeated name is kept
    assert list(df.columns) == ["v", "v"]
    return df.iloc[0, 0]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (f"{BIG}::BIGNUM", BIG),
        (f"-{BIG}::BIGNUM", -BIG),
        (f"{2**128 - 1}::UHUGEINT", 2**128 - 1),  # was Decimal("-1")
        (f"{2**127 - 1}::HUGEINT", 2**127 - 1),
        (f"(-{2**127})::HUGEINT", -(2**127)),
    ],
)
def test_integers_past_bigint_are_python_ints(expression: str, expected: int) -> None:
    got = value(expression)
    assert type(got) is int and got == expected


def test_bit_timetz_and_interval_keep_their_meaning() -> None:
    assert value("'0101'::BIT") == "0101"  # was raw bytes
    aware = value("'12:00:00.25-05:30'::TIMETZ")  # lost its offset
    assert aware == dt.time(12, 0, 0, 250000, tzinfo=dt.timezone(-dt.timedelta(hours=5.5)))
    assert value("'23:59:59+01'::TIMETZ").utcoffset() == dt.timedelta(hours=1)
    df = query("SELECT INTERVAL 90 MINUTES AS m, INTERVAL '2 days 1 second' AS d, NULL::INTERVAL n")
    assert df["m"][0] == pd.Timedelta(minutes=90)  # was a DateOffset
    assert df["d"][0] == pd.Timedelta(days=2, seconds=1)
    assert pd.isna(df["n"][0]) and df["n"].dtype == "timedelta64[ns]"


def test_nulls_of_decoded_types_are_none() -> None:
    df = query("SELECT NULL::BIGNUM a, NULL::BIT b, NULL::TIMETZ c")
    assert df.iloc[0].tolist() == [None, None, None]


def test_an_interval_of_months_is_one_line_naming_the_column() -> None:
    with pytest.raises(SQLError, match=r"column 'span' .*months.*CAST\(\"span\" AS VARCHAR\)"):
        query("SELECT INTERVAL 1 MONTH AS span")


@pytest.mark.parametrize(
    "expression",
    ["[INTERVAL 1 DAY]", "{'a': '01'::BIT}", "MAP {'k': 1::BIGNUM}", "[['12:00+01'::TIMETZ]]"],
)
def test_unholdable_types_inside_nested_values_are_refused_before_any_fetch(
    expression: str,
) -> None:
    with pytest.raises(SQLError, match=r"^column 'v' of the result holds .* CAST\(\"v\""):
        query(f"SELECT {expression} AS v, name FROM aws.omics.sequence_stores")


def test_nested_values_and_blobs_still_convert() -> None:
    df = query("SELECT [1, 2] AS l, MAP {'a': 'b'} AS m, {'x': 1} AS s, 'ab'::BLOB AS b")
    assert df.iloc[0].tolist() == [[1, 2], {"a": "b"}, {"x": 1}, b"ab"]


def test_a_union_inside_a_struct_converts_instead_of_aborting_the_process() -> None:
    # DuckDB exports a union with a validity buffer; pyarrow's StructArray.flatten()
    # aborted the whole process on it (the parser fuzz found it).
    df = query(
        "SELECT {'k': union_value(u := 1), 'j': 'x'} AS v "
        "UNION ALL SELECT NULL UNION ALL SELECT {'k': union_value(u := 3), 'j': NULL}"
    )
    assert sorted(df["v"], key=str) == sorted(
        [{"k": 1, "j": "x"}, None, {"k": 3, "j": None}], key=str
    )
