"""The sequence-store columns, by their old names: a thin layer over the resource model.

The definitions live in :mod:`omics_magic.resources` (one declaration per
resource); this module keeps the sequence-store names the rest of the code
and older notebooks import (``COLUMNS``, ``frame``, ``resolve_columns``...).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
import pyarrow as pa

from .resources.model import Column, Source
from .resources.sequence_stores import (
    SEQUENCE_STORES,
    SSE_CONFIG_TYPE,
    TAGS_TYPE,
    TIMESTAMP_TYPE,
)

__all__ = [
    "ALL_COLUMNS",
    "COLUMNS",
    "DEFAULT_COLUMNS",
    "EXTRA_COLUMNS",
    "SSE_CONFIG_TYPE",
    "TAGS_TYPE",
    "TIMESTAMP_TYPE",
    "Column",
    "Source",
    "arrow_schema",
    "column",
    "frame",
    "pandas_dtype",
    "resolve_columns",
]

COLUMNS: tuple[Column, ...] = SEQUENCE_STORES.columns
DEFAULT_COLUMNS: tuple[str, ...] = SEQUENCE_STORES.default_columns
EXTRA_COLUMNS: tuple[str, ...] = SEQUENCE_STORES.extra_columns
ALL_COLUMNS: tuple[str, ...] = SEQUENCE_STORES.all_columns


def column(name: str) -> Column:
    """Return the definition of column ``name`` (raises UnknownColumnError)."""
    return SEQUENCE_STORES.column(name)


def resolve_columns(columns: Iterable[str] | None) -> tuple[str, ...]:
    """Validate requested column names and put them in canonical order.

    ``None`` means the nine documented columns. Otherwise the result holds the
    named columns, de-duplicated: documented ones first in documented order,
    then the extras in their order.

    Examples
    --------
    >>> resolve_columns(["tags", "status", "region"])
    ('region', 'tags', 'status')
    """
    return SEQUENCE_STORES.resolve_columns(columns)


def arrow_schema(names: Sequence[str] = DEFAULT_COLUMNS) -> pa.Schema:
    """The canonical Arrow schema for the given known columns, in the given order."""
    return SEQUENCE_STORES.arrow_schema(names)


def pandas_dtype(name: str) -> str:
    """The pandas dtype of a known column.

    Timestamps are ``datetime64[us, UTC]`` (the Arrow type's unit, so Parquet
    round-trips exactly). Everything else is ``object``: strings stay ``str``
    or ``None`` (never NaN), and sse_config, tags and lists stay Python objects.
    """
    return SEQUENCE_STORES.pandas_dtype(name)


def frame(rows: Sequence[dict[str, object]], names: Sequence[str]) -> pd.DataFrame:
    """Build a typed frame of the known columns ``names`` from row dicts.

    Missing keys become None (NaT for timestamps). An empty ``rows`` still
    gives every column with its dtype.
    """
    return SEQUENCE_STORES.frame(rows, names)
