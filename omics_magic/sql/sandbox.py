"""The DuckDB connection queries run in: in memory, and closed to everything else.

No file or network access, no extension loading, no replacement scans of
Python variables, and a locked configuration, so a query can't reach
anything but the relations registered on it; and bounded memory
(``$OMICS_MAGIC_MEMORY_LIMIT``, default 2GB), so it can't take the machine.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    import duckdb

__all__ = ["DEFAULT_MEMORY_LIMIT", "MEMORY_ENV", "memory_limit", "sandbox_connection"]

#: DuckDB's memory for one query: ample for inventories of stores (a million rows
#: of metadata is a few hundred MB), small enough that a runaway query (a huge
#: cross join, an ORDER BY over ``range(1e12)``) fails with one line instead of
#: taking the machine. DuckDB's own default is 80% of RAM.
DEFAULT_MEMORY_LIMIT = "2GB"
MEMORY_ENV = "OMICS_MAGIC_MEMORY_LIMIT"

_SANDBOX = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "python_enable_replacements": False,
}


def sandbox_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that can't touch files, network or extensions.

    Timestamps with time zone are shown in UTC whatever the machine's zone, so
    ``hour(creation_time)`` means the same everywhere. Its memory is bounded by
    :func:`memory_limit`.

    Raises
    ------
    InputError
        ``$OMICS_MAGIC_MEMORY_LIMIT`` is not a size DuckDB understands.
    """
    import duckdb

    limit = memory_limit()
    try:
        connection = duckdb.connect(":memory:", config={**_SANDBOX, "memory_limit": limit})
    except duckdb.Error as err:
        raise InputError(
            f"${MEMORY_ENV} must be a size such as 2GB or 500MB; got {limit!r} "
            f"({str(err).splitlines()[0]})"
        ) from None
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET lock_configuration = true")
    return connection


def memory_limit() -> str:
    """DuckDB's memory limit for a query: ``$OMICS_MAGIC_MEMORY_LIMIT``, else 2GB.

    Examples
    --------
    >>> memory_limit()  # doctest: +SKIP
    '2GB'
    """
    return os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY_LIMIT
