"""CSV and JSON output, for people and spreadsheets rather than round trips.

CSV cells can't nest, so dict and list values (``tags``, ``sse_config``,
``propagated_set_level_tags``) become JSON text; None stays an empty cell,
``{}`` is written as ``{}``. JSON output is an array of records in which those
values are nested objects and timestamps are ISO 8601 strings. Bytes (a BLOB
result) are written as DuckDB writes them, ``\xff`` for a byte that is not
printable ASCII, in both.

A CSV text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is written with a ``'`` in front: a spreadsheet would run it as a
formula (``=HYPERLINK(...)`` is a valid store name), as OWASP's "CSV
injection" page describes. Numbers are left alone.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

__all__ = ["blob_text", "terminal_safe", "write_text_frame"]


def write_text_frame(df: pd.DataFrame, fmt: str) -> bytes:
    """Render ``df`` as UTF-8 ``csv`` or ``json`` bytes.

    Rendering before the file is opened means a value that can't be
    serialized fails before anything is written.

    Examples
    --------
    >>> from omics_magic.columns import frame
    >>> write_text_frame(frame([{"tags": {"team": "x"}}], ["tags"]), "csv")
    b'tags\\n"{""team"": ""x""}"\\n'
    """
    if fmt == "csv":
        flat = df.copy()
        for position in range(flat.shape[1]):
            series = flat.iloc[:, position]
            if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
                flat.isetitem(position, series.map(_csv_cell, na_action="ignore").astype(object))
        return flat.to_csv(index=False, lineterminator="\n").encode("utf-8")
    if fmt == "json":
        plain = df.copy()
        for position in range(plain.shape[1]):
            series = plain.iloc[:, position]
            if series.dtype == object and series.map(_holds_bytes).any():
                plain.isetitem(position, series.map(_without_bytes))
        text = plain.to_json(orient="records", date_format="iso", date_unit="us", force_ascii=False)
        return (text or "[]").encode("utf-8")
    raise ValueError(f"unknown text format {fmt!r}")


# OWASP's list: what a spreadsheet takes as the start of a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def blob_text(value: bytes) -> str:
    r"""Bytes as DuckDB's BLOB text: printable ASCII as is, other bytes (and ``\``) as ``\xNN``.

    ``'...'::BLOB`` in DuckDB reads the text back to the same bytes.

    Examples
    --------
    >>> print(blob_text(b"ab\xff\x00\\"))
    ab\xFF\x00\x5C
    """
    return "".join(
        chr(byte) if 0x20 <= byte < 0x7F and byte != 0x5C else f"\\x{byte:02X}" for byte in value
    )


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (dict, list, tuple)):
        value = json.dumps(_without_bytes(value), ensure_ascii=False, default=str)
    elif isinstance(value, bytes):
        value = blob_text(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _holds_bytes(value: Any) -> bool:
    if isinstance(value, bytes):
        return True
    if isinstance(value, dict):
        return any(_holds_bytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_bytes(v) for v in value)
    return False


def _without_bytes(value: Any) -> Any:
    """``value`` with every bytes inside it as :func:`blob_text` (JSON has no bytes)."""
    if isinstance(value, bytes):
        return blob_text(value)
    if isinstance(value, dict):
        return {k: _without_bytes(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_bytes(v) for v in value]
    return value


# C0 and C1 control characters and DEL: ESC starts terminal escape sequences.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    r"""``text`` with control characters written as ``\x1b``-style escapes.

    A tag value (or a store name) holding ESC sequences would otherwise recolour
    the terminal, move the cursor or rewrite what is already on screen.

    Examples
    --------
    >>> terminal_safe("\x1b[31mred\x1b[0m")
    '\\x1b[31mred\\x1b[0m'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
