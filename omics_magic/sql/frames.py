"""Local frames in SQL: the notebook's DataFrames, joined with the resources.

A query may name a pandas, pyarrow or polars frame from the notebook's
namespace (or from ``frames={"name": df}`` in ``run_query``). Each one named
is registered on the sandboxed DuckDB connection explicitly, as an Arrow
table read in memory: the sandbox keeps replacement scans off
(``python_enable_replacements=False``) and stays closed to files, the
network and extensions.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_local_frame"]

#: (module, class) of the frame types a query may name.
_FRAME_TYPES = {
    ("pandas", "DataFrame"),
    ("pyarrow", "Table"),
    ("pyarrow", "RecordBatch"),
    ("polars", "DataFrame"),
}


def is_local_frame(value: Any) -> bool:
    """True for a pandas/polars DataFrame or a pyarrow Table, without importing either.

    Examples
    --------
    >>> import pandas as pd
    >>> is_local_frame(pd.DataFrame()), is_local_frame([1, 2])
    (True, False)
    """
    for cls in type(value).__mro__:
        if (cls.__module__.split(".")[0], cls.__name__) in _FRAME_TYPES:
            return True
    return False
