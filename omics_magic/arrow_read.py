"""Arrow columns back to the exact frame :func:`omics_magic.arrow.to_arrow` took.

The frame is built column by column, from pieces its caller may read only
when asked: ``object`` columns (strings, dicts, lists) become Python objects
(:mod:`omics_magic.arrow_objects`) piece by piece, and a column's Arrow
buffers go before the next column is read. Reading the whole table first and
then converting it held both the table and the frame at the peak.

The schema metadata written by ``to_arrow`` says each column's pandas dtype;
known columns of tables from elsewhere get omics_magic's dtypes, other
columns pyarrow's defaults.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pandas as pd
import pyarrow as pa
from pandas.api.types import pandas_dtype

from .arrow import METADATA_KEY
from .arrow_objects import to_objects
from .columns import ALL_COLUMNS, column

__all__ = ["frame_from_columns"]

_KNOWN = frozenset(ALL_COLUMNS)


def frame_from_columns(
    schema: pa.Schema, columns: Iterable[Iterable[pa.Array | pa.ChunkedArray]]
) -> pd.DataFrame:
    """Build the frame of ``schema`` (which carries the metadata) column by column.

    ``columns`` yields, for each field of ``schema`` in order, an iterable of
    that column's pieces in row order. Each is consumed once and dropped once
    converted, so a caller that reads a piece only when asked for it (as
    :func:`omics_magic.read_parquet` does) holds the Arrow data of one column
    at a time, never the whole table next to the frame. A fresh RangeIndex is
    the frame's index.

    Examples
    --------
    >>> from omics_magic.arrow import to_arrow
    >>> from omics_magic.columns import frame
    >>> table = to_arrow(frame([{"tags": {}}, {"tags": None}, {"tags": {"a": "b"}}], ["tags"]))
    >>> pieces = [table.column(0).slice(0, 1), table.column(0).slice(1)]
    >>> frame_from_columns(table.schema, [pieces])["tags"].tolist()
    [{}, None, {'a': 'b'}]
    """
    meta = _read_metadata(schema)
    described = {c["name"]: c for c in meta.get("columns", []) if isinstance(c, dict)}
    names = schema.names
    data: dict[str, pd.Series] = {}
    for position, pieces in enumerate(columns):
        name, kind = names[position], schema.field(position).type
        details = described.get(name, {})
        dtype_name = _dtype_name(name, details)
        if dtype_name == "object" or (dtype_name is None and pa.types.is_map(kind)):
            # Python objects exactly: None not NaN, dicts (incl. {}), lists not arrays.
            objects: list[Any] = []
            for piece in pieces:
                objects.extend(to_objects(piece))
            data[name] = pd.Series(objects, dtype=object, name=name)
            del objects
        else:
            # Timestamps, numbers, categories, pandas' string dtypes: compact in Arrow
            # already, converted at once.
            chunks = [
                chunk
                for piece in pieces
                for chunk in (piece.chunks if isinstance(piece, pa.ChunkedArray) else [piece])
            ]
            data[name] = _to_series(name, pa.chunked_array(chunks, type=kind), details)
    df = pd.DataFrame(data, columns=names)
    if meta.get("columns_dtype") == "object" and df.columns.dtype != object:
        df.columns = pd.Index(names, dtype=object)
    return df


def _read_metadata(schema: pa.Schema) -> dict[str, Any]:
    raw = (schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        return {}
    try:
        meta = json.loads(raw)
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _dtype_name(name: str, described: dict[str, Any]) -> str | None:
    dtype_name = described.get("dtype")
    if dtype_name is None and name in _KNOWN:
        spec = column(name)
        return "datetime64[us, UTC]" if pa.types.is_timestamp(spec.arrow_type) else "object"
    return dtype_name


def _to_series(name: str, values: pa.ChunkedArray, described: dict[str, Any]) -> pd.Series:
    dtype_name = _dtype_name(name, described)
    if dtype_name is None:
        return values.to_pandas().rename(name)
    try:
        target = _target_dtype(dtype_name, described)
    except (TypeError, ValueError):  # a dtype this pandas doesn't know: pyarrow's default
        return values.to_pandas().rename(name)
    from_arrow_hook = getattr(target, "__from_arrow__", None)
    if from_arrow_hook is not None and not pa.types.is_null(values.type):
        try:
            return pd.Series(from_arrow_hook(values), name=name)
        except (TypeError, ValueError, pa.ArrowException):
            pass  # e.g. a naive dtype for UTC instants: converted below
    series = values.to_pandas().rename(name)
    if isinstance(series.dtype, pd.DatetimeTZDtype) and getattr(target, "kind", "") == "M":
        # A naive column stored as UTC instants (the canonical type): naive again.
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    # Unordered categoricals compare equal whatever their order: recode always.
    if series.dtype != target or isinstance(target, pd.CategoricalDtype):
        series = series.astype(target)
    return series


def _target_dtype(dtype_name: str, described: dict[str, Any]) -> Any:
    if dtype_name == "category" and "categories" in described:
        categories = pd.Index(
            described["categories"], dtype=pandas_dtype(described["categories_dtype"])
        )
        return pd.CategoricalDtype(categories, ordered=described.get("ordered", False))
    return pandas_dtype(dtype_name)
