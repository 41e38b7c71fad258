"""Run the planned SQL in DuckDB so that a deadline or an interrupt stops it.

DuckDB runs the query in a daemon thread of ours (:mod:`omics_magic.workers`)
while the calling thread waits, interruptibly. At the query's deadline, or on
KeyboardInterrupt (Ctrl-C, a kernel interrupt, SIGINT to the CLI), the
connection is interrupted (``DuckDBPyConnection.interrupt()``, the one call
DuckDB offers from another thread), which ends the query within about a
second; the caller gets one line. Without this, a runaway query (an endless
recursive CTE, a huge cross join) held the kernel until it was restarted.

The SQL gets what is left of the query's ``timeout`` after the fetch, and at
least :data:`MIN_SQL_SECONDS`, so that the rows that did arrive before the
deadline are still answered.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..errors import QueryLimitError
from ..workers import DaemonPool, wait_for
from .convert import result_table

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

__all__ = ["MIN_SQL_SECONDS", "run_sql"]

#: Seconds the SQL may always take, even when the fetch used up the timeout.
MIN_SQL_SECONDS = 1.0
#: Seconds an interrupted query gets to end before it is left to its thread.
_STOP_GRACE = 5.0


def run_sql(
    connection: duckdb.DuckDBPyConnection,
    sql: str,
    *,
    deadline: float | None = None,
    timeout: float | None = None,
) -> pa.Table:
    """``connection.sql(sql)`` as an Arrow table (``convert.result_table``), stopped at
    ``deadline`` or on an interrupt.

    Raises
    ------
    QueryLimitError
        The SQL was still running at the deadline (``timeout`` names it).
    KeyboardInterrupt
        Interrupted; DuckDB was stopped.
    duckdb.Error
        What DuckDB raised (an out-of-memory error, say).
    """
    pool = DaemonPool(1, "sql")
    future = pool.submit(lambda: result_table(connection.sql(sql)))
    if deadline is not None:
        deadline = max(deadline, time.monotonic() + MIN_SQL_SECONDS)
    try:
        pending = wait_for([future], deadline=deadline)
    except KeyboardInterrupt:
        _stop(connection, future)
        raise KeyboardInterrupt("the query was interrupted; DuckDB stopped it") from None
    finally:
        pool.shutdown()
    if pending:
        _stop(connection, future)
        raise QueryLimitError(
            f"the query's SQL was still running at its {timeout or 0:g} s timeout and was "
            "stopped; narrow it (WHERE, LIMIT) or pass a longer timeout"
        )
    return future.result()


def _stop(connection: duckdb.DuckDBPyConnection, future: object) -> None:
    connection.interrupt()
    try:
        wait_for([future], deadline=time.monotonic() + _STOP_GRACE)  # type: ignore[list-item]
    except KeyboardInterrupt:
        pass  # a second interrupt: leave the query to its thread
