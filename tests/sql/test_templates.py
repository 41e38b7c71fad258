"""``{{name}}`` templates: values become SQL literals, never SQL text."""

from __future__ import annotations

import decimal

import numpy as np
import pytest

from omics_magic.errors import SQLError
from omics_magic.sql.plan import SelectPlan, plan_statement
from omics_magic.sql.sandbox import sandbox_connection
from omics_magic.sql.templates import placeholders, render_template, sql_literal

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


def duckdb_count(sql: str) -> int:
    connection = sandbox_connection()
    try:
        (row,) = connection.sql(sql).fetchall()
    finally:
        connection.close()
    return int(row[0])


def test_a_negative_number_cant_start_a_comment() -> None:
    # 5-{{n}} with n = -1 was 5--1: the rest of the line became a comment.
    sql = render_template(
        "SELECT count(*) FROM range(10) WHERE range > 5-{{n}} AND range < 0", {"n": -1}
    )
    assert "5-(-1)" in sql
    assert duckdb_count(sql) == 0
    assert sql_literal(-2.5) == "(-2.5)" and sql_literal(-0.0) == "(-0.0)"
    assert sql_literal([-1, 2]) == "((-1), 2)"
    assert duckdb_value(sql_literal(-(2**70))) == -(2**70)


@pytest.mark.parametrize(
    "template",
    ["SELECT E{{x}}", "SELECT e{{x}}", "SELECT X{{x}}", "SELECT name{{x}}", "SELECT {{x}}name",
     "SELECT {{x}}{{x}}", "SELECT {{x}}'b'", "SELECT 'a'{{x}}", "SELECT $$ $${{x}}",
     "SELECT t.{{x}}", "SELECT {{x}}.5", "SELECT 1{{x}}"],
)  # fmt: skip
def test_a_placeholder_glued_to_a_word_or_quote_is_refused(template: str) -> None:
    with pytest.raises(SQLError, match=r"^\{\{x\}\} touches .*put a space") as caught:
        render_template(template, {"x": "\\' OR TRUE --"})
    assert "\n" not in str(caught.value)


def test_an_e_string_prefix_cant_let_a_quote_escape() -> None:
    # E{{x}} was E'\'' OR TRUE --': the backslash escaped the quote, OR TRUE ran.
    with pytest.raises(SQLError, match="touches 'E'"):
        render_template("SELECT count(*) FROM range(3) WHERE E{{x}} = 'x'", {"x": "\\' OR TRUE --"})
    sql = render_template("SELECT count(*) FROM range(3) WHERE E {{x}} = 'x'", {"x": "\\'"})
    assert duckdb_count(sql.replace("E ", "", 1)) == 0


def test_dollar_quoted_strings_and_comments_are_respected() -> None:
    sql = "SELECT $${{x}}$$, $t${{x}}$t$, E'{{x}}', '{{x}}' /* {{x}} */ -- {{x}}\n, {{x}}"
    assert render_template(sql, {"x": 1}) == sql[: -len("{{x}}")] + "1"


def test_placeholders_say_where_each_sits() -> None:
    sql = "SELECT {{a}}, '{{b}}', 'x {{ c }} y', \"{{d}}\", $${{e}}$$ -- {{f}}"
    found = {p.name: p for p in placeholders(sql)}
    assert list(found) == ["a", "b", "c", "d", "e"]
    assert found["a"].quoted is None and sql[found["a"].start : found["a"].end] == "{{a}}"
    for name, token in [("b", "'{{b}}'"), ("c", "'x {{ c }} y'"), ("d", '"{{d}}"'),
                        ("e", "$${{e}}$$")]:  # fmt: skip
        placeholder = found[name]
        assert placeholder.quoted is not None
        assert sql[placeholder.quoted[0] : placeholder.quoted[1]] == token
        assert sql[placeholder.start : placeholder.end].replace(" ", "") == f"{{{{{name}}}}}"


def test_unreadable_sql_is_one_line() -> None:
    with pytest.raises(SQLError, match="unclosed quote") as caught:
        render_template("SELECT {{x}},\n'open", {"x": 1})
    assert "\n" not in str(caught.value)
