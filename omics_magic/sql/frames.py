"""Local frames in SQL: the notebook's DataFrames, joined with the resources.

A query may name a pandas, pyarrow or polars frame from the notebook's
namespace (or from ``frames={"name": df}`` in ``run_query``). Each one named
is registered on the sandboxed DuckDB connection explicitly, as an Arrow
table read in memory: the sandbox keeps replacement scans off
(``python_enable_replacements=False``) and stays closed to files, the
network and extensions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["LocalFrames", "is_local_frame"]

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


class LocalFrames:
    """The frames a query may name: ``frames`` given explicitly, then the namespace's.

    Parameters
    ----------
    frames
        ``{"name": frame}`` from ``run_query(frames=...)``; each must be a frame.
    namespace
        The notebook's namespace: its frames may be named too.

    Raises
    ------
    InputError
        If ``frames`` is not a mapping of names to frames, before any AWS call.

    Examples
    --------
    >>> import pandas as pd
    >>> local = LocalFrames({"costs": pd.DataFrame()}, {"sheet": pd.DataFrame(), "n": 1})
    >>> "costs" in local, "sheet" in local, "n" in local
    (True, True, False)
    >>> local.names()
    ['costs', 'sheet']
    """

    def __init__(
        self, frames: Mapping[str, Any] | None = None, namespace: Mapping[str, Any] | None = None
    ) -> None:
        if frames is None:
            frames = {}
        if not isinstance(frames, Mapping):
            raise InputError(
                "frames must map names to DataFrames, e.g. frames={'sheet': df}; "
                f"got {type(frames).__name__}"
            )
        for name, value in frames.items():
            if not isinstance(name, str) or not name:
                raise InputError(f"frames: each name must be a non-empty string; got {name!r}")
            if not is_local_frame(value):
                raise InputError(
                    f"frames[{name!r}] is a {type(value).__name__}; give a pandas or polars "
                    "DataFrame, or a pyarrow Table"
                )
        self._frames = dict(frames)
        self._namespace = namespace or {}

    def get(self, name: str) -> Any:
        """The frame named ``name``, or None."""
        if name in self._frames:
            return self._frames[name]
        value = self._namespace.get(name) if name.isidentifier() else None
        return value if is_local_frame(value) else None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def names(self) -> list[str]:
        """Every frame that could be named, for messages."""
        found = dict.fromkeys(self._frames)
        for name in list(self._namespace):
            if isinstance(name, str) and not name.startswith("_") and name in self:
                found[name] = None
        return sorted(found)

    def arrow(self, name: str) -> pa.Table:
        """Frame ``name`` as an Arrow table, in memory (raises InputError if it can't be one)."""
        import pyarrow as pa

        value = self.get(name)
        try:
            if isinstance(value, pa.Table):
                return value
            if isinstance(value, pa.RecordBatch):
                return pa.Table.from_batches([value])
            if type(value).__module__.split(".")[0] == "polars":
                return value.to_arrow()
            return pa.Table.from_pandas(value, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError) as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise InputError(f"the frame {name!r} can't be read as a table: {first}") from None
