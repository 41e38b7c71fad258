"""CSV and JSON output, for people and spreadsheets rather than round trips.

CSV cells can't nest, so dict and list values (``tags``, ``sse_config``,
``propagated_set_level_tags``) become JSON text; None stays an empty cell,
``{}`` is written as ``{}``. JSON output is an array of records in which those
values are nested objects and timestamps are ISO 8601 strings.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

__all__ = ["write_text_frame"]


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
            if series.dtype == object and series.map(_is_nested).any():
                flat.isetitem(position, series.map(_json_text))
        return flat.to_csv(index=False, lineterminator="\n").encode("utf-8")
    if fmt == "json":
        text = df.to_json(orient="records", date_format="iso", date_unit="us", force_ascii=False)
        return (text or "[]").encode("utf-8")
    raise ValueError(f"unknown text format {fmt!r}")


def _is_nested(value: Any) -> bool:
    return isinstance(value, (dict, list, tuple))


def _json_text(value: Any) -> Any:
    if not _is_nested(value):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
