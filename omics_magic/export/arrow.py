"""Frames of sequence stores to Arrow tables and back, exactly.

Known columns get their type from the frame's resource definition
(:mod:`omics_magic.resources`: a frame with ``read_set_id`` holds read sets,
any other sequence stores) whatever pandas inferred (``tags`` is a
``map<string, string>``, so ``{}`` stays an empty map and None stays null;
timestamps are ``timestamp[us, tz=UTC]``). Any other column keeps the type
Arrow infers for it; a column of dicts that is not
known is a map (``map<string, T>``), so that each dict keeps its own keys, or
refused.

The schema metadata key ``omics_magic`` holds a JSON document with the
omics_magic version and, for every column, its pandas dtype and (for known
columns) its documentation, which is also each field's ``doc`` metadata. It is
what makes :func:`from_arrow` an exact inverse. Nothing else goes in: no
credentials, profile names, endpoints or ``df.attrs`` (whose error messages may
name endpoints). The frame's index is not kept: it is a plain row position
after a round trip.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import pandas as pd
import pyarrow as pa
from pandas.api.types import pandas_dtype

from .._version import __version__
from ..errors import ExportError
from ..resources import RESOURCES, Resource, resource_of_columns
from .objects import to_objects

__all__ = ["METADATA_KEY", "frame_from_columns", "from_arrow", "to_arrow"]

METADATA_KEY = b"omics_magic"
# The values a dict column the user added may hold, written as map<string, T>.
_MAP_VALUES = {str: pa.string(), bool: pa.bool_(), int: pa.int64(), float: pa.float64()}


def to_arrow(df: pd.DataFrame) -> pa.Table:
    """Convert a frame of sequence stores to an Arrow table with the canonical schema.

    Parameters
    ----------
    df
        Any frame; known columns (see ``omics_magic.columns``) get their
        canonical Arrow type, other columns the type Arrow infers.

    Returns
    -------
    pyarrow.Table
        Same columns in the same order. The schema metadata carries each
        column's doc, its pandas dtype and the omics_magic version.

    Raises
    ------
    ExportError
        A column name that is not a string or appears twice, or a value that
        does not fit its column's type (the message names the column).

    Examples
    --------
    >>> from omics_magic.columns import frame
    >>> df = frame([{"region": "us-east-1", "tags": {}}], ["region", "tags"])
    >>> to_arrow(df).schema.field("tags").type
    MapType(map<string, string>)
    """
    check_column_names(df)
    resource = resource_of_columns(df.columns)
    known = frozenset(resource.all_columns)
    fields, arrays, described = [], [], []
    for position, name in enumerate(df.columns):
        series = df.iloc[:, position]
        entry: dict[str, Any] = {"name": name, **_describe_dtype(series.dtype)}
        if name in known:
            spec = resource.column(name)
            array = _known_array(name, series, spec.arrow_type)
            fields.append(pa.field(name, spec.arrow_type, metadata={"doc": spec.doc}))
            entry["doc"] = spec.doc
        else:
            _refuse_aware_times(name, series)
            array = _convert(name, series, _dict_type(name, series))
            fields.append(pa.field(name, array.type))
        arrays.append(array)
        described.append(entry)
    document = {
        "version": __version__,
        "resource": resource.name,
        "columns": described,
        # pandas 3 gives a frame's column labels dtype str, but object is common too.
        "columns_dtype": str(df.columns.dtype),
    }
    metadata = {METADATA_KEY: json.dumps(document).encode()}
    pandas_meta = _pandas_metadata(df, pa.schema(fields))
    if pandas_meta is not None:
        # Lets pandas.read_parquet and pyarrow's to_pandas restore most dtypes too.
        metadata[b"pandas"] = pandas_meta
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=metadata))


def check_column_names(df: pd.DataFrame) -> None:
    """Raise ExportError unless every column label is a distinct string."""
    for name in df.columns:
        if not isinstance(name, str):
            raise ExportError(
                f"column name {name!r} is not a string; rename it first "
                "(e.g. df.columns = df.columns.map(str))"
            )
    duplicated = df.columns[df.columns.duplicated()].unique()
    if len(duplicated):
        raise ExportError(f"column {duplicated[0]!r} appears more than once; rename or drop one")


def _describe_dtype(dtype: Any) -> dict[str, Any]:
    # str(StringDtype(na_value=pd.NA)) is just "string", which would lose the storage.
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is pd.NA:
        return {"dtype": f"string[{dtype.storage}]"}
    if isinstance(dtype, pd.CategoricalDtype):
        # Parquet keeps only the values used: unused categories (and all of them
        # at 0 rows) would be lost without this.
        categories = dtype.categories
        try:
            values = json.loads(json.dumps(categories.tolist()))
        except (TypeError, ValueError):
            return {"dtype": "category"}
        if values != categories.tolist():  # e.g. tuples: JSON would change them
            return {"dtype": "category"}
        return {
            "dtype": "category",
            "categories": values,
            "categories_dtype": _describe_dtype(categories.dtype)["dtype"],
            "ordered": bool(dtype.ordered),
        }
    return {"dtype": str(dtype)}


def _known_array(name: str, series: pd.Series, arrow_type: pa.DataType) -> pa.Array:
    if pa.types.is_struct(arrow_type):
        # Arrow silently drops keys a struct does not have: refuse instead.
        allowed = {arrow_type.field(i).name for i in range(arrow_type.num_fields)}
        for value in series:
            if value is not None and not (isinstance(value, dict) and set(value) <= allowed):
                raise ExportError(
                    f"column {name!r} must hold None or dicts with keys "
                    f"{sorted(allowed)}; found {value!r}"
                )
    return _convert(name, series, arrow_type)


def _dict_type(name: str, series: pd.Series) -> pa.DataType | None:
    """A map type for a column of dicts the user added; None for other columns.

    Arrow would infer a struct from dicts, with every key of every row in each
    one: ``{}`` would come back as ``{'owner': None, 'cost': None}``. A map
    keeps each dict's own keys. Dicts a map can't hold are refused instead.
    """
    if series.dtype != object:
        return None
    dicts = [value for value in series if isinstance(value, dict)]
    if not dicts:
        return None
    keys = {key for value in dicts for key in value}
    values = [item for value in dicts for item in value.values()]
    hint = f"convert it to JSON text first, e.g. df[{name!r}] = df[{name!r}].map(json.dumps)"
    if not all(isinstance(key, str) for key in keys):
        raise ExportError(
            f"column {name!r} holds dicts with keys that are not strings, which Parquet "
            f"maps can't hold; {hint}"
        )
    kinds = {type(item) for item in values if item is not None}
    if len(kinds) > 1 or not kinds <= set(_MAP_VALUES):
        found = ", ".join(sorted(kind.__name__ for kind in kinds))
        raise ExportError(
            f"column {name!r} holds dicts with {found} values; only dicts of one plain type "
            f"(str -> str, or all int, float or bool) are written, as maps, so that none is "
            f"reshaped; {hint}"
        )
    return pa.map_(pa.string(), _MAP_VALUES[kinds.pop()] if kinds else pa.string())


def _refuse_aware_times(name: str, series: pd.Series) -> None:
    # Arrow's time types have no offset: 12:00+01:00 would be written as 12:00.
    if series.dtype == object and any(
        isinstance(value, dt.time) and value.tzinfo is not None for value in series
    ):
        raise ExportError(
            f"column {name!r} holds times with a UTC offset (TIMETZ), which Parquet can't "
            f"hold; convert it first, e.g. CAST({name} AS VARCHAR) in the query"
        )


def _convert(name: str, series: pd.Series, arrow_type: pa.DataType | None) -> pa.Array:
    try:
        if arrow_type is None:
            # Table.from_pandas knows pandas' extension dtypes (category, Int64, str...).
            frame = pd.DataFrame({name: series.reset_index(drop=True)})
            return pa.Table.from_pandas(frame, preserve_index=False).column(0).combine_chunks()
        return pa.array(series, type=arrow_type, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as err:
        expected = f"Arrow type {arrow_type}" if arrow_type is not None else "one Arrow type"
        raise ExportError(
            f"column {name!r} can't be written: its values don't fit {expected} ({err}); "
            f"convert or drop it first"
        ) from None


def _pandas_metadata(df: pd.DataFrame, schema: pa.Schema) -> bytes | None:
    # Computed from an empty slice: the dtypes are all it needs. pyarrow would
    # also copy df.attrs in, whose error messages may name endpoints: drop them.
    empty = df.iloc[:0].copy()
    empty.attrs = {}
    try:
        table = pa.Table.from_pandas(empty, schema=schema, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    meta = table.schema.metadata or {}
    return meta.get(b"pandas")


def from_arrow(table: pa.Table) -> pd.DataFrame:
    """Convert a table written by :func:`to_arrow` back to the exact frame.

    Tables from elsewhere work too: known columns get omics_magic's dtypes and
    the rest pyarrow's defaults.

    Examples
    --------
    >>> from omics_magic.columns import frame
    >>> df = frame([{"region": "us-east-1", "tags": {}}, {"region": "eu-west-1"}],
    ...            ["region", "tags"])
    >>> from_arrow(to_arrow(df))["tags"].tolist()
    [{}, None]
    """
    return frame_from_columns(table.schema, (column.chunks for column in table.columns))


# -- reading: Arrow columns back to the exact frame --------------------------------


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
    >>> from omics_magic.export.arrow import to_arrow
    >>> from omics_magic.columns import frame
    >>> table = to_arrow(frame([{"tags": {}}, {"tags": None}, {"tags": {"a": "b"}}], ["tags"]))
    >>> pieces = [table.column(0).slice(0, 1), table.column(0).slice(1)]
    >>> frame_from_columns(table.schema, [pieces])["tags"].tolist()
    [{}, None, {'a': 'b'}]
    """
    meta = _read_metadata(schema)
    described = {c["name"]: c for c in meta.get("columns", []) if isinstance(c, dict)}
    names = schema.names
    resource = RESOURCES.get(str(meta.get("resource"))) or resource_of_columns(names)
    data: dict[str, pd.Series] = {}
    for position, pieces in enumerate(columns):
        name, kind = names[position], schema.field(position).type
        details = described.get(name, {})
        dtype_name = _dtype_name(resource, name, details)
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
            data[name] = _to_series(resource, name, pa.chunked_array(chunks, type=kind), details)
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


def _dtype_name(resource: Resource, name: str, described: dict[str, Any]) -> str | None:
    dtype_name = described.get("dtype")
    if dtype_name is None and name in resource.all_columns:
        return resource.pandas_dtype(name)
    return dtype_name


def _to_series(
    resource: Resource, name: str, values: pa.ChunkedArray, described: dict[str, Any]
) -> pd.Series:
    dtype_name = _dtype_name(resource, name, described)
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
