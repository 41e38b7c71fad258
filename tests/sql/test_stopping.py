"""The SQL phase stops too: a query's timeout covers its SQL, and DuckDB's memory is bounded.

A runaway query (an endless recursive CTE, a cross join of ``range(1e12)``)
used to hold the caller until the process was killed, whatever the timeout.
"""

from __future__ import annotations

from typing import Any

import pytest

from omics_magic import InputError, QueryLimitError, RegionFailureWarning, run_query
from omics_magic.sql.sandbox import DEFAULT_MEMORY_LIMIT, MEMORY_ENV, sandbox_connection
from tests.reliability.interrupts import wait_for_no_threads_of_ours

STORES = "aws.omics.sequence_stores"
ENDLESS = (
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) "
    f"SELECT count(*) FROM t, {STORES}"
)


@pytest.fixture
def backend(omics_backend: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    omics_backend.seed(["us-east-1"], 2)
    return omics_backend


@pytest.mark.parametrize(
    "sql",
    [
        ENDLESS,
        f"SELECT count(*) FROM range(1000000000000) a, range(1000000000000) b, {STORES}",
    ],
    ids=["recursive CTE", "cross join"],
)
def test_the_timeout_stops_a_runaway_query_with_one_line(backend: Any, sql: str) -> None:
    with pytest.raises(QueryLimitError, match="still running at its 1 s timeout") as caught:
        run_query(sql, regions=["us-east-1"], timeout=1)
    assert "\n" not in str(caught.value)
    wait_for_no_threads_of_ours()


def test_the_sql_gets_what_the_fetch_left_of_the_timeout_and_still_answers(backend: Any) -> None:
    backend.set_latency(0.6, operation="ListSequenceStores")
    with pytest.warns(RegionFailureWarning):
        df = run_query(f"SELECT count(*) AS n FROM {STORES}", regions=["us-east-1"], timeout=0.5)
    assert df["n"].tolist() == [0]  # the region timed out; the SQL still ran on what came
    assert [f["code"] for f in df.attrs["omics_errors"]] == ["DeadlineExceeded"]


def test_a_query_past_the_memory_limit_fails_with_one_line(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_ENV, "100MB")
    sql = f"SELECT string_agg(i::VARCHAR) FROM range(100000000) t(i), {STORES}"
    with pytest.raises(QueryLimitError, match=f"ran out of memory.*\\${MEMORY_ENV}") as caught:
        run_query(sql, regions=["us-east-1"])
    assert "\n" not in str(caught.value)


def test_the_sandbox_has_a_memory_limit_by_default() -> None:
    connection = sandbox_connection()
    try:
        limit = connection.execute("SELECT current_setting('memory_limit')").fetchone()
    finally:
        connection.close()
    assert DEFAULT_MEMORY_LIMIT == "2GB"
    assert limit is not None and limit[0] == "1.8 GiB"  # DuckDB shows 2 GB in GiB


def test_a_bad_memory_limit_fails_before_any_call(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_ENV, "lots")
    before = len(backend.requests)
    with pytest.raises(InputError, match=f"\\${MEMORY_ENV} must be a size such as 2GB"):
        run_query(f"SELECT * FROM {STORES}", regions=["us-east-1"])
    assert len(backend.requests) == before
