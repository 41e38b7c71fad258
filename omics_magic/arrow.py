"""Frames of sequence stores to Arrow tables and back, exactly.

Known columns get their type from :mod:`omics_magic.columns` whatever pandas
inferred (``tags`` is a ``map<string, string>``, so ``{}`` stays an empty map
and None stays null; timestamps are ``timestamp[us, tz=UTC]``). Any other
column keeps the type Arrow infers for it.

The schema metadata key ``omics_magic`` holds a JSON document with the
omics_magic version and, for every column, its pandas dtype and (for known
columns) its documentation, which is also each field's ``doc`` metadata. It is
what makes :func:`from_arrow` an exact inverse. Nothing else goes in: no
credentials, profile names, endpoints or ``df.attrs`` (whose error messages may
name endpoints). The frame's index is not kept: it is a plain row position
after a round trip.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pyarrow as pa

from . import __version__
from .columns import ALL_COLUMNS, column
from .errors import ExportError

__all__ = ["METADATA_KEY", "from_arrow", "to_arrow"]

METADATA_KEY = b"omics_magic"
_KNOWN = frozenset(ALL_COLUMNS)


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
    fields, arrays, described = [], [], []
    for position, name in enumerate(df.columns):
        series = df.iloc[:, position]
        entry: dict[str, Any] = {"name": name, **_describe_dtype(series.dtype)}
        if name in _KNOWN:
            spec = column(name)
            array = _known_array(name, series, spec.arrow_type)
            fields.append(pa.field(name, spec.arrow_type, metadata={"doc": spec.doc}))
            entry["doc"] = spec.doc
        else:
            array = _convert(name, series, None)
            fields.append(pa.field(name, array.type))
        arrays.append(array)
        described.append(entry)
    document = {
        "version": __version__,
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
    from .arrow_read import frame_from_columns

    return frame_from_columns(table.schema, (column.chunks for column in table.columns))
