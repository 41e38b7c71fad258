"""Parser fuzz: random and mutated SQL gets an answer or one of our errors, nothing else.

Queries are the seed queries of the docs and notebooks with characters
changed, dropped or inserted, and random strings of SQL tokens. Through
run_query, only OmicsMagicError may come out (UsageError at the magic).
A query whose error can be found without data (it fails to plan, or to bind
against empty relations) never reaches the fake; a query that needs no AWS
data (``SELECT 1``) doesn't either.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from omics_magic.errors import OmicsMagicError
from omics_magic.sql.delete import plan_delete
from omics_magic.sql.plan import DeleteStatement, plan_statement
from omics_magic.sql.run import FetchRequest, execute_plan, run_query
from omics_magic.sql.templates import render_template
from omics_magic.testing import OmicsBackend

REGIONS = ("us-east-1", "eu-west-2")
STORE_ID = "4839201756"
NAMESPACE: dict[str, Any] = {"team": "oncology", "ids": [STORE_ID], "n": 3, "regions": REGIONS}
SEEDS = [
    "SELECT * FROM aws.omics.sequence_stores",
    "SELECT region, count(*) AS stores FROM aws.omics.sequence_stores GROUP BY region "
    "ORDER BY region",
    "SELECT * FROM aws.omics.sequence_stores WHERE region = 'eu-west-2'",
    "SELECT region, name, tags['team'] AS team FROM aws.omics.sequence_stores "
    "WHERE region IN ('us-east-1', 'eu-west-2')",
    f"SELECT region, arn, name, tags FROM aws.omics.sequence_store "
    f"WHERE data__Identifier = '{STORE_ID}'",
    "SELECT s.name, s.status FROM aws.omics.sequence_stores s WHERE s.name = {{team}}",
    "SELECT * EXCLUDE (tags) FROM aws.omics.sequence_stores WHERE region IN {{regions}} "
    "LIMIT {{n}}",
    "WITH t AS (SELECT name, creation_time FROM aws.omics.sequence_stores) "
    "SELECT name FROM t WHERE creation_time > TIMESTAMP '2020-01-01' ORDER BY 1",
    "SELECT a.name, b.name FROM aws.omics.sequence_stores a JOIN aws.omics.sequence_stores b "
    "ON a.region = b.region AND a.sequence_store_id < b.sequence_store_id",
    "SELECT name, unnest(map_keys(tags)) AS k FROM aws.omics.sequence_stores",
    f"DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '{STORE_ID}' "
    "AND region = 'eu-west-2'",
    "SELECT 1 AS one",
    "SELECT sse_config.type, s3_uri FROM aws.omics.sequence_stores -- extras\n",
    "/* c */ SELECT region FROM aws.omics.sequence_stores UNION SELECT 'x'",
]
# fmt: off
TOKENS = [
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "GROUP BY", "ORDER BY", "LIMIT",
    "UNION", "JOIN", "ON", "AS", "DELETE", "WITH", "*", ",", "(", ")", ";", "=", "<>", "'",
    '"', "--", "/*", "*/", "{{", "}}", "{{team}}", "{{nope}}", "::", "[", "]", ".",
    "aws.omics.sequence_stores", "aws.omics.sequence_store", "data__Identifier", "region",
    "name", "tags", "s3_uri", "'us-east-1'", f"'{STORE_ID}'", "'x'", "1", "NULL", "count(*)",
    "EXCLUDE", "COPY", "read_csv('x')", "$$", "\n", "\\", "\x00", "é", "🧬",
]
# fmt: on
_CHARS = st.one_of(
    st.sampled_from(" \n'\"()[]{},.;:*=<>!-+/%|$?0123456789abcdefxyzABC_"),  # SQL's own
    st.characters(blacklist_categories=("Cs",)),
)
_SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 250)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A seed query with a few characters changed, dropped, inserted or repeated."""
    sql = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(sql)))
        edit = draw(st.sampled_from(["replace", "delete", "insert", "token", "repeat"]))
        if edit == "replace" and at < len(sql):
            sql = sql[:at] + draw(_CHARS) + sql[at + 1 :]
        elif edit == "delete":
            sql = sql[:at] + sql[at + draw(st.integers(1, 8)) :]
        elif edit == "insert":
            sql = sql[:at] + draw(st.text(_CHARS, min_size=1, max_size=3)) + sql[at:]
        elif edit == "token":
            sql = sql[:at] + f" {draw(st.sampled_from(TOKENS))} " + sql[at:]
        else:
            sql = sql[:at] + sql[max(0, at - 6) : at] + sql[at:]
    return sql


#: Values of every kind DuckDB can hand back, to fuzz the conversion of results to pandas.
# fmt: off
ATOMS = [
    "name", "region", "creation_time", "tags", "sse_config", "sequence_store_id", "1", "-1",
    "1.5", "'x'", "''", "NULL", "TRUE", "DATE '2020-01-01'", "'infinity'", "'-infinity'",
    "'294247-01-10'", "'5877642-06-25 (BC)'", "[1, 2]", "[]", "{'a': 1}", "MAP {'k': 'v'}",
    "INTERVAL 1 DAY", "'2020-01-01 00:00:00+00'", "'nan'", "'1e308'", "'12:00:00+01'",
]
TYPES = [
    "INT", "BIGINT", "HUGEINT", "UHUGEINT", "UTINYINT", "DOUBLE", "FLOAT", "DECIMAL(38, 2)",
    "VARCHAR", "BLOB", "DATE", "TIME", "TIMETZ", "TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMP_NS",
    "TIMESTAMP_S", "INTERVAL", "UUID", "BOOLEAN", "BIT", "JSON", "INT[]", "VARCHAR[]", "INT[2]",
    "MAP(VARCHAR, VARCHAR)", "STRUCT(a INT)",
]
# fmt: on
_EXPRESSIONS = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.builds("TRY_CAST({} AS {})".format, inner, st.sampled_from(TYPES)),
        st.builds("CAST({} AS {})".format, inner, st.sampled_from(TYPES)),
        st.builds("[{}, {}]".format, inner, inner),
        st.builds("MAP {{{}: {}}}".format, inner, inner),
        st.builds("{{'k': {}}}".format, inner),
        st.builds("union_value(u := {})".format, inner),
    ),
    max_leaves=4,
)
TYPED = st.builds(
    "SELECT {} AS v{}".format,
    _EXPRESSIONS,
    st.sampled_from(["", " FROM aws.omics.sequence_stores", " FROM aws.omics.sequence_stores s"]),
)

QUERIES = st.one_of(
    TYPED,
    mutated(),
    st.sampled_from(SEEDS),
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12).map(" ".join),
    st.text(_CHARS, max_size=40),
)


class _Reached(Exception):
    """The query got as far as fetching."""


def _needs_data(sql: str) -> bool:
    """True if the query passes every check that doesn't need AWS data."""
    try:
        plan = plan_statement(render_template(sql, NAMESPACE))
        if isinstance(plan, DeleteStatement):
            plan_delete(plan.tree)
            return True

        def fetch(request: FetchRequest) -> pd.DataFrame:
            raise _Reached

        execute_plan(plan, fetch, default_regions=REGIONS)
    except _Reached:
        return True
    except OmicsMagicError:
        return False
    return False  # answered without any relation to fetch


@pytest.fixture
def backend(configured_fake: Callable[..., OmicsBackend]) -> OmicsBackend:
    backend = configured_fake(REGIONS, stores_per_region=2)  # and a DELETE can't prompt
    backend.create_sequence_store("eu-west-2", "oncology", store_id=STORE_ID)
    return backend


@pytest.fixture
def ip(ip: InteractiveShell) -> InteractiveShell:
    """The shared strict shell, with the variables the templates refer to."""
    ip.user_ns.update(NAMESPACE)
    return ip


@_SETTINGS
@given(sql=QUERIES)
def test_run_query_answers_or_raises_only_our_errors(backend: OmicsBackend, sql: str) -> None:
    backend.requests.clear()
    try:
        run_query(sql, namespace=NAMESPACE)
    except OmicsMagicError as err:
        event(f"raised {type(err).__name__}")
        message = str(err)
        assert message.strip(), "an error without a message"
    else:
        event("answered")
    if not _needs_data(sql):
        assert backend.requests.count() == 0, "reached the fake though the query needs no data"
    assert backend.requests.count("DeleteSequenceStore") == 0  # never confirmed


@_SETTINGS
@given(
    line=st.one_of(
        st.just(""),
        st.just(""),
        st.sampled_from(["-r us-east-1", "x <<", "--strict", "-r eu-west-2 out <<", "--bogus"]),
        st.text(_CHARS, max_size=15),
    ),
    sql=QUERIES,
)
def test_the_magic_answers_or_raises_only_usage_errors(
    backend: OmicsBackend, ip: InteractiveShell, line: str, sql: str
) -> None:
    backend.requests.clear()
    try:
        ip.run_cell_magic("omics", line, sql)
    except UsageError as err:
        event("UsageError")
        assert str(err).strip()
    else:
        event("answered")
    assert backend.requests.count("DeleteSequenceStore") == 0
