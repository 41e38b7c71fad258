"""Query results as text: a readable table for people, CSV or JSON for pipes.

- ``table``: pandas' text table without the index; maps and structs read as
  ``key=value, ...``, lists as ``a, b``; long cells are cut (use csv or json
  for full values); control characters (terminal escape sequences in a tag
  value) are shown as ``\x1b``, never sent to the terminal.
- ``csv``: dict and list values as JSON text, timestamps as ISO 8601,
  missing values as empty cells.
- ``json``: an array of records; dicts and lists nested, timestamps as ISO
  8601 strings, missing values null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import InputError
from ..export.text import blob_text, terminal_safe

if TYPE_CHECKING:
    from ..failures import Failure

__all__ = ["FORMATS", "region_note", "render", "render_record", "terminal_safe"]

FORMATS = ("table", "csv", "json")


def render(
    df: pd.DataFrame, fmt: str = "table", *, max_rows: int | None = None, max_colwidth: int = 60
) -> str:
    """``df`` as text in ``fmt`` (``table``, ``csv`` or ``json``), with a final newline.

    Parameters
    ----------
    df
        A query result.
    fmt
        ``table`` (for people), ``csv`` or ``json`` (for other programs).
    max_rows
        For ``table``: show at most this many rows (first and last half).
    max_colwidth
        For ``table``: cut longer cells with ``...``.

    Raises
    ------
    InputError
        ``json`` of a result with two columns of the same name.

    Examples
    --------
    >>> from omics_magic.columns import frame
    >>> df = frame([{"name": "wgs", "tags": {"team": "genomics"}}], ["name", "tags"])
    >>> print(render(df), end="")
    name          tags
     wgs team=genomics
    (1 row)
    >>> print(render(df, "json"), end="")
    [{"name":"wgs","tags":{"team":"genomics"}}]
    """
    if fmt == "table":
        return _table(df, max_rows, max_colwidth)
    if fmt not in ("csv", "json"):
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "json" and df.columns.has_duplicates:
        repeated = df.columns[df.columns.duplicated()][0]
        raise InputError(
            f"the result has two columns named {repeated!r}, which JSON records can't hold; "
            "name them apart in the SQL (... AS other_name) or use --format csv"
        )
    from ..export.text import write_text_frame

    text = write_text_frame(_iso_timestamps(df), fmt).decode("utf-8")
    return text if text.endswith("\n") else text + "\n"


def region_note(error: Failure | Mapping[str, Any]) -> str:
    """One line about a failed region, from a record of ``df.attrs["omics_errors"]``.

    Examples
    --------
    >>> print(region_note({"region": "eu-central-1", "kind": "throttled",  # doctest: +ELLIPSIS
    ...                    "code": "ThrottlingException", "message": "Rate exceeded."}))
    eu-central-1: throttled after retries (ThrottlingException: Rate exceeded); its ...
    """
    from ..failures import failure_note

    return terminal_safe(failure_note([error], detail=True, audience="cli"))


def render_record(df: pd.DataFrame, row: int = 0) -> str:
    """Row ``row`` of ``df`` as ``column  value`` lines: a wide result of one row, readably.

    Examples
    --------
    >>> from omics_magic.columns import frame
    >>> df = frame([{"name": "wgs", "tags": {"team": "genomics"}}], ["name", "tags"])
    >>> print(render_record(df), end="")
    name  wgs
    tags  team=genomics
    """
    width = max((len(str(name)) for name in df.columns), default=0)
    values = df.iloc[row]
    return "".join(
        f"{terminal_safe(str(name)):<{width}}  {_readable(values.iloc[i])}\n"
        for i, name in enumerate(df.columns)
    )


def _table(df: pd.DataFrame, max_rows: int | None, max_colwidth: int) -> str:
    count = f"({len(df)} row{'' if len(df) == 1 else 's'})\n"
    if df.shape[1] == 0:
        return count
    if len(df) == 0:
        return "  ".join(terminal_safe(str(name)) for name in df.columns) + "\n" + count
    shown = df.copy()
    shown.columns = [terminal_safe(str(name)) for name in shown.columns]
    for position in range(shown.shape[1]):
        series = shown.iloc[:, position]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            shown.isetitem(position, series.map(_readable, na_action="ignore").astype(object))
    text = shown.to_string(index=False, max_rows=max_rows, max_colwidth=max_colwidth)
    return text + "\n" + count


def _readable(value: Any) -> Any:
    if isinstance(value, dict):
        parts = [f"{k}={v}" for k, v in value.items() if v is not None]
        return terminal_safe(", ".join(parts)) if parts else "{}"
    if isinstance(value, (list, tuple)):
        return terminal_safe(", ".join(map(str, value))) if value else "[]"
    if isinstance(value, bytes):
        return blob_text(value)
    if isinstance(value, str):
        return terminal_safe(value)
    return value


def _iso_timestamps(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every timestamp as an ISO 8601 string (None where missing)."""
    out = df.copy()
    for position in range(out.shape[1]):
        series = out.iloc[:, position]
        if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
            series.dtype
        ):
            values = [None if pd.isna(v) else v.isoformat() for v in series]
        elif series.dtype == object and series.map(_is_time).any():
            values = [v.isoformat() if _is_time(v) else v for v in series]
        else:
            continue
        out.isetitem(position, pd.Series(values, index=series.index, dtype=object))
    return out


def _is_time(value: Any) -> bool:
    return isinstance(value, (dt.datetime, dt.date, dt.time))
