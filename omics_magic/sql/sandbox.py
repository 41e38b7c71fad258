"""The DuckDB connection queries run in: in memory, and closed to everything else.

No file or network access, no extension loading, no replacement scans of
Python variables, and a locked configuration, so a query can't reach
anything but the relations registered on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

__all__ = ["sandbox_connection"]

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
    ``hour(creation_time)`` means the same everywhere.
    """
    import duckdb

    connection = duckdb.connect(":memory:", config=dict(_SANDBOX))
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET lock_configuration = true")
    return connection
