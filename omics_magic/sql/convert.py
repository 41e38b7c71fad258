"""DuckDB's results as pandas frames: what a query returns to the user.

Some DuckDB types have no faithful Arrow or pandas form: BIGNUM and
UHUGEINT reach Arrow as raw bytes or a wrong decimal, BIT as bytes, TIMETZ
without its offset, INTERVAL as a ``DateOffset``. :func:`result_table` reads
those columns as DuckDB's text and :func:`to_pandas` decodes them: integers
(HUGEINT too) as Python ``int``, BIT as a ``'0101'`` string, TIMETZ as a
``datetime.time`` with its offset, INTERVAL as ``Timedelta`` when it has no
months. What can't be held exactly (an interval of months, such a type
inside a list, struct or map) is one line naming the column to cast,
raised by :func:`check_result_types` before anything is fetched.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from ..errors import SQLError

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa

__all__ = ["check_result_types", "result_table", "to_pandas"]

# DuckDB types read as text and decoded here, by DuckDBPyType.id.
# BIGNUM was VARINT before DuckDB 1.4.
_AS_TEXT = ("bignum", "varint", "hugeint", "uhugeint", "bit", "time with time zone")
# Types no value inside a list, struct or map can be turned into faithfully.
_NOT_NESTED = ("bignum", "varint", "uhugeint", "bit", "time with time zone", "interval")
_NESTED = ("list", "array", "struct", "map", "union")
_TYPE_KEY = b"omics_magic.duckdb_type"
_TIME_TZ = re.compile(r"(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?")


def check_result_types(relation: duckdb.DuckDBPyRelation) -> None:
    """Refuse a result column whose type pandas can't hold, before it is computed.

    Raises
    ------
    SQLError
        For a BIGNUM, UHUGEINT, BIT, TIMETZ or INTERVAL inside a list,
        struct, map or union: one line naming the column and a cast.
    """
    for name, kind in zip(relation.columns, relation.types, strict=True):
        inner = _unholdable_inside(kind) if kind.id in _NESTED else None
        if inner:
            raise SQLError(
                f"column {name!r} of the result holds {inner} values inside a {kind.id}, "
                f"which pandas can't hold faithfully; convert it in the query, e.g. "
                f"CAST({_quoted(name)} AS VARCHAR)"
            )


def _unholdable_inside(kind: Any) -> str | None:
    for _, child in kind.children:
        if not isinstance(getattr(child, "id", None), str):  # an ARRAY's size
            continue
        if child.id in _NOT_NESTED:
            return str(child)
        if child.id in _NESTED and (found := _unholdable_inside(child)):
            return found
    return None


def result_table(relation: duckdb.DuckDBPyRelation) -> pa.Table:
    """Run ``relation``; the columns :func:`to_pandas` decodes are read as text and marked."""
    import pyarrow as pa

    marks = {i: kind.id for i, kind in enumerate(relation.types) if kind.id in _AS_TEXT}
    if not marks:
        return relation.to_arrow_table()
    # By position: a result may repeat a column name.
    projection = ", ".join(
        f"CAST(#{i + 1} AS VARCHAR) AS {_quoted(name)}"
        if i in marks
        else f"#{i + 1} AS {_quoted(name)}"
        for i, name in enumerate(relation.columns)
    )
    table = relation.project(projection).to_arrow_table()
    fields = [
        field.with_metadata({_TYPE_KEY: marks[i].encode()}) if i in marks else field
        for i, field in enumerate(table.schema)
    ]
    return pa.Table.from_arrays(table.columns, schema=pa.schema(fields))


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
            values = _column_to_pandas(table.column(index), field)
        except unconvertible as err:
            # e.g. DATE 'infinity' (beyond Python's dates), a MAP keyed by lists (no dict can
            # hold it): DuckDB answered, but pandas can't hold the answer.
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise SQLError(
                f"column {field.name!r} of the result can't be converted to pandas ({first}); "
                f"convert it in the query, e.g. CAST({_quoted(field.name)} AS VARCHAR)"
            ) from None
        series.append(pd.Series(values).reset_index(drop=True))
    result = pd.concat(series, axis=1) if series else pd.DataFrame(index=range(table.num_rows))
    result.columns = pd.Index(table.schema.names)
    return result


def _column_to_pandas(column: pa.ChunkedArray, field: pa.Field) -> Any:
    import pandas as pd
    import pyarrow as pa

    from ..export.objects import to_objects

    kind = field.type
    decoded = (field.metadata or {}).get(_TYPE_KEY, b"").decode()
    if decoded:
        text = to_objects(column)
        if decoded == "bit":
            return pd.Series(text, dtype="object")
        decode = _time_tz if decoded == "time with time zone" else int
        return pd.Series([None if v is None else decode(v) for v in text], dtype="object")
    if pa.types.is_interval(kind):
        return _timedeltas(column)
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        return column.cast(pa.timestamp(kind.unit, tz="UTC")).to_pandas()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_nested(kind):
        return pd.Series(to_objects(column), dtype="object")
    return column.to_pandas()


def _timedeltas(column: pa.ChunkedArray) -> pd.Series:
    import pandas as pd

    values = column.to_pylist()
    if any(v is not None and v.months for v in values):
        raise ValueError(
            "it holds intervals of months, and a month has no fixed length, so no "
            "Timedelta holds them exactly"
        )
    nanoseconds = [
        None if v is None else v.days * 86_400_000_000_000 + v.nanoseconds for v in values
    ]
    return pd.Series(pd.to_timedelta(nanoseconds, unit="ns"), dtype="timedelta64[ns]")


def _time_tz(text: str) -> dt.time:
    """DuckDB's TIMETZ text (``12:00:00+01``, ``23:59:59.5-05:30``) as an aware time."""
    match = _TIME_TZ.fullmatch(text)
    if match is None:
        raise ValueError(f"unexpected TIMETZ text {text!r}")
    hour, minute, second, fraction, sign, *offset = match.groups()
    hours, minutes, seconds = (int(part or 0) for part in offset)
    delta = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    zone = dt.timezone(-delta if sign == "-" else delta)
    micro = int((fraction or "").ljust(6, "0"))
    return dt.time(int(hour), int(minute), int(second), micro, tzinfo=zone)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
