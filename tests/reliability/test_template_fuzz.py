"""``{{name}}`` fuzz: whatever the value and its neighbours, it is one whole literal.

The renderer's output is checked against DuckDB's own tokenizer
(``duckdb.tokenize``), not against ours: the value must tokenize on its own
as one literal (a negative number as ``(``, ``-``, number, ``)``), and in
its context the tokens of the rendered SQL must be the context's tokens with
the value's tokens in between, none merging across the edges. Then DuckDB
must read the value back exactly. Whatever can't be rendered safely is one
``SQLError``.
"""

from __future__ import annotations

import math
import os
from typing import Any

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omics_magic.errors import SQLError
from omics_magic.sql.templates import render_template, sql_literal

_SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 300)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**100), max_value=2**100),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
    st.text("'\"\\$-/*E{}\n;", max_size=8),
)
VALUES = st.one_of(_SCALARS, st.lists(_SCALARS, min_size=1, max_size=3))
# What a template writer puts right before and after a placeholder.
# fmt: off
BEFORE = [
    "", " ", "5-", "5 - ", "-", "E", "e", "X", "x", "U&", "B", "N", "$$", "$tag$", "'a'", "'",
    '"', "/", "*", "(", "[", ",", "=", "::", "{", "}", "1", "1.", "t.", "--", "|| ", "\n",
]
AFTER = [
    "", " ", "-1", "--", "'b'", "'", '"', "x", "1", ".5", "::INT", ")", "]", "}", "{", "$$",
    "/* c */", " -- c", "*2", "\n'b'",
]
# fmt: on
_LITERAL = {"string_const", "numeric_const", "keyword"}


def tokens(sql: str) -> list[tuple[int, str]]:
    """DuckDB's tokens as (character offset, kind); DuckDB counts offsets in UTF-8 bytes."""
    char_at = {len(sql[:i].encode()): i for i in range(len(sql) + 1)}
    return [(char_at[offset], kind.name) for offset, kind in duckdb.tokenize(sql)]


def read_back(literal: str) -> Any:
    (row,) = duckdb.sql(f"SELECT {literal} AS v").fetchall()
    return row[0]


@_SETTINGS
@given(value=VALUES)
def test_a_value_is_one_literal_and_reads_back_exactly(value: Any) -> None:
    literal = sql_literal(value)
    kinds = [kind for _, kind in tokens(literal)]
    if isinstance(value, list):
        assert literal == "(" + ", ".join(sql_literal(v) for v in value) + ")"
        return  # each item is a scalar, checked on its own
    if literal.startswith("("):  # a negative number
        assert kinds == ["operator", "operator", "numeric_const", "operator"], literal
    else:
        assert len(kinds) == 1 and kinds[0] in _LITERAL, (literal, kinds)
    back = read_back(literal)
    if isinstance(value, float):
        assert back == value or math.isclose(float(back), value), (literal, back)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**127:
        assert int(back) == value  # past HUGEINT DuckDB reads a BIGNUM
    else:
        assert back == value and type(back) is type(value), (literal, back)


@_SETTINGS
@given(value=VALUES, before=st.sampled_from(BEFORE), after=st.sampled_from(AFTER))
def test_a_value_never_merges_with_its_neighbours(value: Any, before: str, after: str) -> None:
    prefix, suffix = f"SELECT {before}", after
    try:
        sql = render_template(prefix + "{{v}}" + suffix, {"v": value})
    except SQLError as err:
        assert "\n" not in str(err)
        return
    literal = sql_literal(value)
    if not sql.startswith(prefix + literal + suffix):
        # The placeholder sat inside a string, identifier or comment: left as text.
        assert sql == prefix + "{{v}}" + suffix
        return
    start, end = len(prefix), len(prefix) + len(literal)
    whole = tokens(sql)
    inside = [(offset - start, kind) for offset, kind in whole if start <= offset < end]
    assert inside == tokens(literal), (sql, whole)
    # The prefix's tokens end before the value: a comment started there would swallow it.
    assert [t for t in whole if t[0] < start] == tokens(prefix), sql
    # The suffix is tokenized as it would be on its own, right after the value.
    rest = [(offset - end, kind) for offset, kind in whole if offset >= end]
    assert rest == tokens(suffix), sql
