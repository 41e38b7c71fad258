"""DuckDB's Arrow results as pandas frames: what a query returns to the user."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import SQLError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["to_pandas"]


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """DuckDB's Arrow result as pandas: dicts for maps and structs, UTC timestamps.

    Strings stay ``object`` with None for NULL, as in :func:`omics_magic.columns.frame`.
    Repeated column names are kept.
    """
    import pandas as pd
    import pyarrow as pa

    # What pyarrow and pandas raise for values they can't hold (OutOfBoundsDatetime is a
    # ValueError; pandas raises NotImplementedError for some out-of-range timestamps).
    unconvertible = (pa.ArrowException, ValueError, TypeError, OverflowError, NotImplementedError)
    series = []
    for index, field in enumerate(table.schema):
        try:
            values = _column_to_pandas(table.column(index), field.type)
        except unconvertible as err:
            # e.g. DATE 'infinity' (beyond Python's dates), a MAP keyed by lists (no dict can
            # hold it): DuckDB answered, but pandas can't hold the answer.
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            quoted = '"' + field.name.replace('"', '""') + '"'
            raise SQLError(
                f"column {field.name!r} of the result can't be converted to pandas ({first}); "
                f"convert it in the query, e.g. CAST({quoted} AS VARCHAR)"
            ) from None
        series.append(pd.Series(values).reset_index(drop=True))
    result = pd.concat(series, axis=1) if series else pd.DataFrame(index=range(table.num_rows))
    result.columns = pd.Index(table.schema.names)
    return result


def _column_to_pandas(column: pa.ChunkedArray, kind: pa.DataType) -> Any:
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_timestamp(kind) and kind.tz is not None:
        return column.cast(pa.timestamp(kind.unit, tz="UTC")).to_pandas()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_nested(kind):
        return pd.Series(column.to_pylist(maps_as_pydicts="lossy"), dtype="object")
    return column.to_pandas()
