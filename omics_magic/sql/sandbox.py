"""The DuckDB connection queries run in: in memory, and closed to everything else.

No file or network access, no extension loading, no replacement scans of
Python variables, and a locked configuration, so a query can't reach
anything but the relations registered on it; and bounded memory
(``$OMICS_MAGIC_MEMORY_LIMIT``, default 2GB), so it can't take the machine.

Opening a DuckDB database costs ~25 ms of CPU, more than a whole query over
a cached inventory. So the sandboxed database is opened once per process (and
memory limit), and each query gets a connection of its own on it
(``cursor()``, ~0.1 ms) inside a transaction that is never committed: what it
registers (its relations are connection-local views) and anything it might
create are gone when the connection closes. Queries running at once share the
database's memory limit.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    import duckdb

__all__ = ["DEFAULT_MEMORY_LIMIT", "MEMORY_ENV", "memory_limit", "sandbox_connection"]

#: DuckDB's memory for the process's queries (those running at once share it):
#: ample for inventories of stores (a million rows of metadata is a few hundred
#: MB), small enough that a runaway query (a huge cross join, an ORDER BY over
#: ``range(1e12)``) fails with one line instead of taking the machine. DuckDB's
#: own default is 80% of RAM.
DEFAULT_MEMORY_LIMIT = "2GB"
MEMORY_ENV = "OMICS_MAGIC_MEMORY_LIMIT"

_SANDBOX = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "python_enable_replacements": False,
}


_databases: dict[str, duckdb.DuckDBPyConnection] = {}  # memory limit -> the sandbox
_lock = threading.Lock()


def sandbox_connection() -> duckdb.DuckDBPyConnection:
    """A connection to the in-memory sandbox, in a transaction its ``close()`` rolls back.

    The sandbox can't touch files, network or extensions. Timestamps with time
    zone are shown in UTC whatever the machine's zone, so ``hour(creation_time)``
    means the same everywhere. Its memory is bounded by :func:`memory_limit`.
    Close the connection when the query is done.

    Raises
    ------
    InputError
        ``$OMICS_MAGIC_MEMORY_LIMIT`` is not a size DuckDB understands.

    Examples
    --------
    >>> connection = sandbox_connection()
    >>> connection.execute("SELECT current_setting('TimeZone')").fetchone()
    ('UTC',)
    >>> connection.close()
    """
    limit = memory_limit()
    with _lock:
        database = _databases.get(limit)
        if database is None:
            database = _databases[limit] = _open(limit)
    connection = database.cursor()
    connection.begin()
    return connection


def _open(limit: str) -> duckdb.DuckDBPyConnection:
    import duckdb

    try:
        database = duckdb.connect(":memory:", config={**_SANDBOX, "memory_limit": limit})
    except duckdb.Error as err:
        raise InputError(
            f"${MEMORY_ENV} must be a size such as 2GB or 500MB; got {limit!r} "
            f"({str(err).splitlines()[0]})"
        ) from None
    database.execute("SET GLOBAL TimeZone = 'UTC'")
    database.execute("SET lock_configuration = true")
    return database


def memory_limit() -> str:
    """DuckDB's memory limit for a query: ``$OMICS_MAGIC_MEMORY_LIMIT``, else 2GB.

    Examples
    --------
    >>> memory_limit()  # doctest: +SKIP
    '2GB'
    """
    return os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY_LIMIT
