"""The columns of the sequence store resources: one definition, used everywhere.

The first nine are the ones documented on StackQL's ``aws.omics.sequence_store``
page, in its order. The extra fields come only when asked for by name.

Each column says where its value comes from, so that the fetch engine calls
only what the requested columns need (projection pushdown):

- ``list``: carried by ListSequenceStores (and GetSequenceStore)
- ``get``: only GetSequenceStore carries it
- ``tags``: ListTagsForResource
- ``region``: the region the store was read in
- ``account``: the account the store is in (from its ARN)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import pyarrow as pa

from .errors import InputError, UnknownColumnError

__all__ = [
    "ALL_COLUMNS",
    "COLUMNS",
    "DEFAULT_COLUMNS",
    "EXTRA_COLUMNS",
    "Column",
    "arrow_schema",
    "frame",
    "pandas_dtype",
    "resolve_columns",
]

Source = Literal["region", "account", "list", "get", "tags"]

SSE_CONFIG_TYPE = pa.struct([("type", pa.string()), ("key_arn", pa.string())])
TAGS_TYPE = pa.map_(pa.string(), pa.string())
TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Column:
    """One column of the sequence store resources.

    Attributes
    ----------
    name
        The column name, as SQL and the DataFrame spell it.
    source
        Which call carries the value: ``region``, ``account``, ``list``, ``get`` or ``tags``.
    api_path
        The path of the value in the API response (``("s3Access", "s3Uri")``).
    arrow_type
        The column's type in the canonical Arrow schema.
    doc
        What the column holds; also written into Parquet schema metadata.
    extra
        True for fields returned only when named.
    """

    name: str
    source: Source
    api_path: tuple[str, ...]
    arrow_type: pa.DataType
    doc: str
    extra: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("region", "region", (), pa.string(), "AWS region."),
    Column("arn", "list", ("arn",), pa.string(), "The store's ARN."),
    Column(
        "creation_time", "list", ("creationTime",), TIMESTAMP_TYPE, "When the store was created."
    ),
    Column("description", "list", ("description",), pa.string(), "A description for the store."),
    Column("name", "list", ("name",), pa.string(), "A name for the store."),
    Column(
        "fallback_location",
        "list",
        ("fallbackLocation",),
        pa.string(),
        "An S3 URI representing the bucket and folder to store failed read set uploads.",
    ),
    Column("sequence_store_id", "list", ("id",), pa.string(), "The store's ID."),
    Column(
        "sse_config",
        "list",
        ("sseConfig",),
        SSE_CONFIG_TYPE,
        "The store's server-side encryption: type and KMS key ARN.",
    ),
    Column("tags", "tags", (), TAGS_TYPE, "The store's tags, key to value."),
    # Extra fields: only when named.
    Column("status", "list", ("status",), pa.string(), "The store's status.", True),
    Column("status_message", "list", ("statusMessage",), pa.string(), "The status message.", True),
    Column(
        "update_time", "list", ("updateTime",), TIMESTAMP_TYPE, "When the store was updated.", True
    ),
    Column(
        "e_tag_algorithm_family",
        "list",
        ("eTagAlgorithmFamily",),
        pa.string(),
        "The algorithm family of the ETag.",
        True,
    ),
    Column(
        "propagated_set_level_tags",
        "get",
        ("propagatedSetLevelTags",),
        pa.list_(pa.string()),
        "The tags keys to propagate to the S3 objects associated with read sets.",
        True,
    ),
    Column("s3_uri", "get", ("s3Access", "s3Uri"), pa.string(), "The S3 URI of the store.", True),
    Column(
        "s3_access_point_arn",
        "get",
        ("s3Access", "s3AccessPointArn"),
        pa.string(),
        "The ARN of the store's S3 access point.",
        True,
    ),
    Column(
        "access_log_location",
        "get",
        ("s3Access", "accessLogLocation"),
        pa.string(),
        "Where the S3 access logs of the store are written.",
        True,
    ),
    Column("account_id", "account", ("arn",), pa.string(), "The AWS account of the store.", True),
)

_BY_NAME = {c.name: c for c in COLUMNS}
DEFAULT_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if not c.extra)
EXTRA_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.extra)
ALL_COLUMNS: tuple[str, ...] = DEFAULT_COLUMNS + EXTRA_COLUMNS


def column(name: str) -> Column:
    """Return the definition of column ``name`` (raises UnknownColumnError)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownColumnError(
            f"unknown column {name!r}; valid columns are: {', '.join(ALL_COLUMNS)}"
        ) from None


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
    if columns is None:
        return DEFAULT_COLUMNS
    if isinstance(columns, str):
        columns = [columns]
    if isinstance(columns, bytes) or not isinstance(columns, Iterable):
        raise InputError(
            f"columns must be a list of column names, e.g. ['name', 'tags']; got {columns!r}"
        )
    wanted = set()
    for name in columns:
        wanted.add(column(name).name)
    return tuple(name for name in ALL_COLUMNS if name in wanted)


def arrow_schema(names: Sequence[str] = DEFAULT_COLUMNS) -> pa.Schema:
    """The canonical Arrow schema for the given known columns, in the given order."""
    return pa.schema(
        [pa.field(n, column(n).arrow_type, metadata={"doc": column(n).doc}) for n in names]
    )


def pandas_dtype(name: str) -> str:
    """The pandas dtype of a known column.

    Timestamps are ``datetime64[us, UTC]`` (the Arrow type's unit, so Parquet
    round-trips exactly). Everything else is ``object``: strings stay ``str``
    or ``None`` (never NaN), and sse_config, tags and lists stay Python objects.
    """
    return "datetime64[us, UTC]" if pa.types.is_timestamp(column(name).arrow_type) else "object"


def frame(rows: Sequence[dict[str, object]], names: Sequence[str]) -> pd.DataFrame:
    """Build a typed frame of the known columns ``names`` from row dicts.

    Missing keys become None (NaT for timestamps). An empty ``rows`` still
    gives every column with its dtype.
    """
    data: dict[str, pd.Series] = {}
    for name in names:
        values = [row.get(name) for row in rows]
        dtype = pandas_dtype(name)
        if dtype == "object":
            data[name] = pd.Series(values, dtype="object")
        else:
            data[name] = pd.Series(pd.to_datetime(values, utc=True), dtype=dtype)
    return pd.DataFrame(data, columns=list(names))
