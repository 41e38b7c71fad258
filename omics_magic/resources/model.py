"""The resource model: each omics resource is one declaration, read by everything.

A :class:`Resource` says what a table is, the way a Steampipe plugin table
does (``List``, ``Get``, ``Hydrate`` and ``KeyColumns``): its columns (name,
Arrow type, which call carries the value and where in the answer), its list,
get and tags calls with their pagination, the qualifiers pushed down to the
API (key columns and the list call's filter), and its parent, when it lives
inside another resource (a read set lives in a sequence store). The SQL
planner, the fetch engine, the accessor, the Parquet schema and the docs all
read it; nothing else knows a resource's columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

from ..errors import InputError, UnknownColumnError

__all__ = [
    "Call",
    "Column",
    "Filter",
    "Parent",
    "RangeFilter",
    "Resource",
    "Source",
    "api_value",
]

#: Which call carries a column's value: ``region`` (where the row was read),
#: ``account`` (the account, from the row's ARN), ``list`` (the list call, and
#: the get call too), ``get`` (only the get call) or ``tags``
#: (ListTagsForResource on the row's ARN).
Source = Literal["region", "account", "list", "get", "tags"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def api_value(value: Any, arrow_type: pa.DataType) -> Any:
    """An API value in its column's shape: struct fields looked up by camelCase name.

    The API spells ``keyArn`` where the column's struct has ``key_arn``; lists
    become lists and maps dicts. A field the answer lacks is None.

    Examples
    --------
    >>> kind = pa.struct([("total_read_count", pa.int64())])
    >>> api_value({"totalReadCount": 3}, kind)
    {'total_read_count': 3}
    """
    if value is None:
        return None
    if pa.types.is_struct(arrow_type) and isinstance(value, Mapping):
        fields = [arrow_type.field(i) for i in range(arrow_type.num_fields)]
        return {f.name: api_value(value.get(_camel(f.name)), f.type) for f in fields}
    if pa.types.is_map(arrow_type) and isinstance(value, Mapping):
        return dict(value)
    if pa.types.is_list(arrow_type) and isinstance(value, (list, tuple)):
        return [api_value(v, arrow_type.value_type) for v in value]
    return value


def _account_of_arn(arn: object) -> str | None:
    """The account field of an ARN (``arn:aws:omics:<region>:<account>:...``), else None."""
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 and parts[4] else None


@dataclass(frozen=True)
class Column:
    """One column of a resource.

    Attributes
    ----------
    name
        The column name, as SQL and the DataFrame spell it.
    source
        Which call carries the value (see :data:`Source`).
    api_path
        The path of the value in that call's answer (``("s3Access", "s3Uri")``).
    arrow_type
        The column's type in the canonical Arrow schema.
    doc
        What the column holds; also written into Parquet schema metadata.
    extra
        True for fields returned only when named (not in ``SELECT *``).
    transform
        API value -> column value; None means :func:`api_value` (camelCase
        struct fields to the column's snake_case ones).
    """

    name: str
    source: Source
    api_path: tuple[str, ...]
    arrow_type: pa.DataType
    doc: str
    extra: bool = False
    transform: Callable[[Any], Any] | None = field(default=None, compare=False)

    def value(self, answer: Mapping[str, Any] | None) -> Any:
        """This column's value in a call's ``answer`` (None when absent)."""
        value: Any = answer
        for key in self.api_path:
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        if self.transform is not None:
            return None if value is None else self.transform(value)
        return api_value(value, self.arrow_type)


@dataclass(frozen=True)
class Call:
    """One API operation of a resource.

    Attributes
    ----------
    operation
        The API's name (``ListReadSets``): pacers, fault injection and error
        records use it.
    method
        The boto3 client method (``list_read_sets``).
    params
        Request parameter -> the column whose value fills it, for calls about
        one row (``{"id": "sequence_store_id"}``); for a list call under a
        parent, the parent's key (``{"sequenceStoreId": "sequence_store_id"}``).
    items
        List calls: the answer's key holding the page's items.
    page_size
        List calls: ``maxResults`` (the API's maximum, fewest sequential pages).
    """

    operation: str
    method: str
    params: Mapping[str, str] = field(default_factory=dict)
    items: str | None = None
    page_size: int | None = None

    def request(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The call's parameters for one row (column name -> value)."""
        return {key: row[name] for key, name in self.params.items()}


@dataclass(frozen=True)
class Filter:
    """A column whose ``=`` is pushed into the list call's ``filter`` as ``key``."""

    column: str
    key: str
    max_length: int | None = None


@dataclass(frozen=True)
class RangeFilter:
    """A timestamp column whose ``>``/``>=``/``<``/``<=``/``BETWEEN`` go into the filter.

    The bounds are widened by ``slack`` seconds, so that whether the API's
    bounds are inclusive can't drop a row (DuckDB applies the exact predicate).
    """

    column: str
    after: str
    before: str
    slack: float = 1.0


@dataclass(frozen=True)
class Parent:
    """The resource this one lives in, and how its rows name the parent.

    Attributes
    ----------
    resource
        The parent's :attr:`Resource.name` (``sequence_stores``).
    key
        The column of this resource holding the parent's identifier, which
        is also the parent's identifier column (``sequence_store_id``).
    """

    resource: str
    key: str


@dataclass(frozen=True)
class Resource:
    """One omics resource: its tables, columns, calls, pushdown and parent.

    Attributes
    ----------
    name
        The resource's own name (``read_sets``), also its SQL table's last part.
    singular
        The SQL name of the one-row table read by ID (``read_set``).
    noun
        How messages name one row (``read set``).
    plural
        How messages name several rows (``read sets``; ``stores`` for short).
    columns
        Every column: the documented ones (``SELECT *``, in order), then the extras.
    identifier
        The column ``data__Identifier`` stands for, read by the get call.
    list, get
        The list call (paginated) and the get call (one row by identifier).
    tags
        ListTagsForResource on the row's ``arn``, or None if it has no tags.
    filters
        Columns whose conditions go into the list call's ``filter``.
    parent
        Where the rows live, or None for a top-level resource.
    validate_identifier
        Checks an identifier before any call (raises InputError).
    """

    name: str
    singular: str
    noun: str
    plural: str
    columns: tuple[Column, ...]
    identifier: str
    list: Call
    get: Call
    tags: Call | None
    validate_identifier: Callable[[object], str] = field(compare=False)
    filters: tuple[Filter | RangeFilter, ...] = ()
    parent: Parent | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a column name appears twice")

    # -- names ---------------------------------------------------------------

    @property
    def sql_name(self) -> str:
        """The SQL table of every row: ``aws.omics.<name>``."""
        return f"aws.omics.{self.name}"

    @property
    def sql_singular(self) -> str:
        """The SQL table of one row by ``data__Identifier``."""
        return f"aws.omics.{self.singular}"

    @property
    def default_columns(self) -> tuple[str, ...]:
        """The documented columns, in order: what ``SELECT *`` and ``columns=None`` give."""
        return tuple(c.name for c in self.columns if not c.extra)

    @property
    def extra_columns(self) -> tuple[str, ...]:
        """The extra fields, returned only when named."""
        return tuple(c.name for c in self.columns if c.extra)

    @property
    def all_columns(self) -> tuple[str, ...]:
        """Documented columns, then extras: the canonical order."""
        return self.default_columns + self.extra_columns

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The columns that name one row: region, the parent's key, the identifier."""
        parent = () if self.parent is None else (self.parent.key,)
        return ("region", *parent, self.identifier)

    @property
    def operations(self) -> tuple[Call, ...]:
        """Every call the resource makes (each gets its own pacer)."""
        return tuple(c for c in (self.list, self.get, self.tags) if c is not None)

    # -- columns ---------------------------------------------------------------

    def column(self, name: str) -> Column:
        """The definition of column ``name`` (raises UnknownColumnError)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise UnknownColumnError(
            f"unknown column {name!r} of {self.sql_name}; valid columns are: "
            f"{', '.join(self.all_columns)}"
        )

    def resolve_columns(self, columns: Iterable[str] | None) -> tuple[str, ...]:
        """Validate requested column names and put them in canonical order.

        ``None`` means the documented columns. Otherwise the named columns,
        de-duplicated: documented ones first in documented order, then the extras.
        """
        if columns is None:
            return self.default_columns
        if isinstance(columns, str):
            columns = [columns]
        if isinstance(columns, bytes) or not isinstance(columns, Iterable):
            raise InputError(
                f"columns must be a list of column names, e.g. ['name', 'tags']; got {columns!r}"
            )
        wanted = {self.column(name).name for name in columns}
        return tuple(name for name in self.all_columns if name in wanted)

    def needs(self, columns: Iterable[str], source: Source) -> bool:
        """Whether any of ``columns`` comes from ``source``'s call."""
        return any(self.column(n).source == source for n in columns)

    def arrow_schema(self, names: Sequence[str] | None = None) -> pa.Schema:
        """The canonical Arrow schema of the given columns, in the given order."""
        names = self.default_columns if names is None else names
        return pa.schema(
            [
                pa.field(n, self.column(n).arrow_type, metadata={"doc": self.column(n).doc})
                for n in names
            ]
        )

    def pandas_dtype(self, name: str) -> str:
        """``datetime64[us, UTC]`` for timestamps, else ``object`` (None, never NaN)."""
        kind = self.column(name).arrow_type
        return "datetime64[us, UTC]" if pa.types.is_timestamp(kind) else "object"

    def frame(self, rows: Sequence[Mapping[str, object]], names: Sequence[str]) -> pd.DataFrame:
        """A typed frame of the columns ``names`` from row dicts (missing keys: None/NaT).

        An empty ``rows`` still gives every column with its dtype.
        """
        data: dict[str, pd.Series] = {}
        for name in names:
            values = [row.get(name) for row in rows]
            dtype = self.pandas_dtype(name)
            if dtype == "object":
                data[name] = pd.Series(values, dtype="object")
            else:
                data[name] = pd.Series(pd.to_datetime(values, utc=True), dtype=dtype)
        return pd.DataFrame(data, columns=list(names))

    def row(
        self,
        region: str,
        names: Sequence[str],
        listed: Mapping[str, Any] | None,
        got: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """One frame row from a row's API answers (the listing, the get, the tags)."""
        row: dict[str, Any] = {}
        for name in names:
            col = self.column(name)
            if col.source == "region":
                row[name] = region
            elif col.source == "account":
                row[name] = _account_of_arn(col.value(listed if listed is not None else got))
            elif col.source == "tags":
                row[name] = None if tags is None else dict(tags)
            elif col.source == "get":
                row[name] = col.value(got)
            else:
                row[name] = col.value(listed if listed is not None else got)
        return row
