"""``{{name}}`` templates: values become SQL literals, never SQL text."""

from __future__ import annotations

import decimal

import numpy as np
import pytest

from omics_magic.errors import SQLError
from omics_magic.sql.plan import SelectPlan, plan_statement
from omics_magic.sql.sandbox import sandbox_connection
from omics_magic.sql.templates import render_template, sql_literal

STORES = "aws.omics.sequence_stores"


def duckdb_value(literal: str) -> object:
    """What DuckDB reads the literal as."""
    connection = sandbox_connection()
    try:
        (row,) = connection.sql(f"SELECT {literal} AS v").fetchall()
    finally:
        connection.close()
    return row[0]


@pytest.mark.parametrize(
    "value",
    ["plain", "it's", "''", "a'; DROP TABLE t; --", "back\\slash\\'", "ünï'cödé 🧬", "", "\n'\t"],
)
def test_strings_round_trip_through_duckdb(value: str) -> None:
    assert duckdb_value(sql_literal(value)) == value


@pytest.mark.parametrize("value", [0, -7, 2**40, 1.5, -0.25, 1e-9, np.int64(3), np.float32(0.5)])
def test_numbers_stay_numbers(value: object) -> None:
    assert duckdb_value(sql_literal(value)) == value


def test_none_bool_and_lists() -> None:
    assert duckdb_value(sql_literal(None)) is None
    assert duckdb_value(sql_literal(True)) is True
    assert duckdb_value(sql_literal(np.bool_(False))) is False
    assert sql_literal(["a", "b'c"]) == "('a', 'b''c')"
    assert sql_literal((1, None, "x")) == "(1, NULL, 'x')"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": 1}, "is a dict"),
        ({"a"}, "is a set"),
        (decimal.Decimal("1.5"), "is a Decimal"),
        (b"bytes", "is a bytes"),
        ([], "empty list"),
        ([["nested"]], "is a list"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ("nul\x00", "NUL"),
    ],
)
def test_values_that_cant_be_literals(value: object, message: str) -> None:
    with pytest.raises(SQLError, match=message):
        render_template("SELECT {{v}}", {"v": value})


def test_undefined_and_malformed_placeholders() -> None:
    with pytest.raises(SQLError, match=r"\{\{missing\}\} is not defined"):
        render_template("SELECT * FROM t WHERE region = {{missing}}", {})
    with pytest.raises(SQLError, match="not a valid placeholder"):
        render_template("SELECT {{ 1x }}", {"x": 1})
    with pytest.raises(SQLError, match="is not defined"):
        render_template("SELECT {{x}}", None)


def test_placeholders_in_strings_and_comments_stay_text() -> None:
    sql = "SELECT '{{x}}', \"{{x}}\" -- {{x}}\n/* {{x}} */ , {{x}}"
    assert (
        render_template(sql, {"x": "v"}) == "SELECT '{{x}}', \"{{x}}\" -- {{x}}\n/* {{x}} */ , 'v'"
    )
    assert render_template("SELECT 'it''s {{x}}', {{ x }}", {"x": 2}) == "SELECT 'it''s {{x}}', 2"


def test_a_list_feeds_region_in_pushdown() -> None:
    sql = render_template(
        f"SELECT name FROM {STORES} WHERE region IN {{{{mine}}}}", {"mine": ["us-east-1"]}
    )
    plan = plan_statement(sql)
    assert isinstance(plan, SelectPlan) and plan.refs[0].regions == ("us-east-1",)


def test_a_quote_in_a_value_cant_break_out() -> None:
    evil = "x' OR name <> '"
    sql = render_template(f"SELECT name FROM {STORES} WHERE name = {{{{who}}}}", {"who": evil})
    plan = plan_statement(sql)
    assert isinstance(plan, SelectPlan)
    # The whole value is one literal: the name filter, not an OR.
    assert plan.refs[0].name == evil
    assert "name = 'x'' OR name <> '''" in plan.duckdb_sql
