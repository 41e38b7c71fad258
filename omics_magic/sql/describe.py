"""``DESCRIBE <resource>`` and ``SHOW RESOURCES``: the schema, from inside the notebook.

Both are answered from the resource definitions (:mod:`omics_magic.resources`)
alone, without any AWS call: ``DESCRIBE aws.omics.read_sets`` gives one row
per column (its name, its DuckDB type, whether ``SELECT *`` returns it, the
API call that fills it, what a condition on it pushes down to AWS, and what it
holds); ``SHOW RESOURCES`` one row per SQL table. Every table of every
resource is covered, read sets as well as stores, and a new resource is
described as soon as it is declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import SQLError
from ..failures import set_failures
from ..resources import RESOURCES as DEFINITIONS
from ..resources import Column, Filter, RangeFilter, Resource
from .plan import RESOURCES, TABLES

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DESCRIBE_COLUMNS",
    "ColumnInfo",
    "answer_catalog",
    "describe",
    "resource_columns",
    "show_resources",
]

#: The columns of a DESCRIBE answer.
DESCRIBE_COLUMNS = (
    "column_name",
    "column_type",
    "in_select_star",
    "api_call",
    "pushdown",
    "description",
)

_DESCRIBE = re.compile(r"\s*(?:DESCRIBE|DESC)\s+(?P<name>[^\s;]+)\s*;?\s*", re.IGNORECASE)
_SHOW = re.compile(r"\s*SHOW\s+RESOURCES\s*;?\s*", re.IGNORECASE)
_CATALOG_WORD = re.compile(r"\s*(DESCRIBE|DESC|SHOW)\b", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True)
class ColumnInfo:
    """One column of a SQL table, as DESCRIBE and completion show it."""

    name: str
    type: str
    in_select_star: bool
    api_call: str
    pushdown: str
    description: str


def _table(name: str) -> tuple[Resource, bool]:
    found = TABLES.get(name.lower())
    if found is None:
        raise SQLError(f"unknown resource {name!r}; known resources: {', '.join(RESOURCES)}")
    return found


def _api_call(resource: Resource, column: Column, singular: bool) -> str:
    """The call that fills ``column`` of ``resource``'s table (the one-row table gets by ID)."""
    if column.source == "region":
        return "(the region asked)"
    if column.source == "account":
        return f"(the account, from the {resource.noun}'s ARN)"
    if column.source == "tags" and resource.tags is not None:
        return resource.tags.operation
    if column.source == "get" or singular:
        return resource.get.operation
    return resource.list.operation


def _pushdown(resource: Resource, column: str, singular: bool) -> str:
    """What a condition on ``column`` sends to AWS ('' when only DuckDB applies it)."""
    if column == "region":
        return "= / IN: only these regions are called"
    if column == "account_id":
        return "= / IN: only these accounts are called"
    if column == resource.identifier:
        if singular:
            return f"=: {resource.get.operation} by ID"
        where = "" if resource.parent is None else " in each store"
        return f"= / IN: {resource.get.operation} by ID{where}, no {resource.list.operation}"
    parent = resource.parent
    if parent is not None and column == parent.key:
        lister = DEFINITIONS[parent.resource].list.operation
        return f"= / IN: {resource.list.operation} in these stores only, no {lister}"
    if singular:
        return ""
    for spec in resource.filters:
        if isinstance(spec, Filter) and spec.column == column:
            return f"=: the {spec.key} filter of {resource.list.operation}"
        if isinstance(spec, RangeFilter) and spec.column == column:
            return (
                f"> >= < <= BETWEEN: the {spec.after} / {spec.before} filter of "
                f"{resource.list.operation}"
            )
    return ""


def resource_columns(resource: str) -> list[ColumnInfo]:
    """The columns of SQL table ``resource`` (``aws.omics.read_sets``...), ``SELECT *``'s first.

    Examples
    --------
    >>> [c.name for c in resource_columns("aws.omics.sequence_stores")][:3]
    ['region', 'arn', 'creation_time']
    >>> [c.api_call for c in resource_columns("aws.omics.read_sets") if c.name == "files"]
    ['GetReadSetMetadata']
    """
    definition, singular = _table(resource)
    types = _duckdb_types(definition)
    found = [
        ColumnInfo(
            c.name,
            types[c.name],
            not c.extra,
            _api_call(definition, c, singular),
            _pushdown(definition, c.name, singular),
            c.doc,
        )
        for c in definition.columns
    ]
    needs = definition.parent.key + " and " if singular and definition.parent else ""
    found.append(
        ColumnInfo(
            "data__Identifier",  # as StackQL spells it; SQL matches it in any case
            "VARCHAR",
            False,
            f"{definition.get.operation} (pushed down)",
            _pushdown(definition, definition.identifier, singular),
            f"WHERE only: the ID of the {definition.noun} to get (its "
            f"{definition.identifier}); {definition.sql_singular} needs {needs}it.",
        )
    )
    return found


def _duckdb_types(resource: Resource) -> dict[str, str]:
    """Each column's type as DuckDB names it, from the canonical Arrow schema (no AWS call)."""
    from .sandbox import sandbox_connection

    connection = sandbox_connection()
    try:
        connection.register("columns", resource.arrow_schema(resource.all_columns).empty_table())
        rows = connection.sql("DESCRIBE columns").fetchall()
    finally:
        connection.close()
    return {str(row[0]): str(row[1]) for row in rows}


def describe(resource: str) -> pd.DataFrame:
    """``DESCRIBE resource``: one row per column.

    Columns: ``column_name``, ``column_type`` (DuckDB's), ``in_select_star``,
    ``api_call``, ``pushdown`` (what a condition on it sends to AWS; empty
    when only DuckDB applies it) and ``description``.

    Examples
    --------
    >>> df = describe("aws.omics.sequence_stores")
    >>> df.loc[df["column_name"] == "tags", "api_call"].item()
    'ListTagsForResource'
    >>> df = describe("aws.omics.read_sets")
    >>> df.loc[df["column_name"] == "sample_id", "pushdown"].item()
    '=: the sampleId filter of ListReadSets'

    """
    import pandas as pd

    rows = [
        {
            "column_name": c.name,
            "column_type": c.type,
            "in_select_star": c.in_select_star,
            "api_call": c.api_call,
            "pushdown": c.pushdown,
            "description": c.description,
        }
        for c in resource_columns(resource)
    ]
    return _as_result(pd.DataFrame(rows, columns=list(DESCRIBE_COLUMNS)))


def show_resources() -> pd.DataFrame:
    """``SHOW RESOURCES``: one row per SQL table, with what it holds.

    Columns: ``resource`` (the SQL name), ``description``, ``lives_in`` (the
    parent's table, or None) and ``columns`` (how many, extras included).

    Examples
    --------
    >>> list(show_resources()["resource"])  # doctest: +NORMALIZE_WHITESPACE
    ['aws.omics.sequence_store', 'aws.omics.sequence_stores',
     'aws.omics.read_set', 'aws.omics.read_sets']
    """
    import pandas as pd

    rows = []
    for name, doc in RESOURCES.items():
        definition, _ = TABLES[name]
        parent = definition.parent
        rows.append(
            {
                "resource": name,
                "description": doc,
                "lives_in": None if parent is None else DEFINITIONS[parent.resource].sql_name,
                "columns": len(definition.columns),
            }
        )
    names = ["resource", "description", "lives_in", "columns"]
    # Object columns built value by value: a top-level resource's lives_in stays None, not NaN.
    data = {
        name: pd.Series([row[name] for row in rows], dtype="int64" if name == "columns" else object)
        for name in names
    }
    return _as_result(pd.DataFrame(data, columns=names))


def _as_result(df: pd.DataFrame) -> pd.DataFrame:
    # A query's answer, like any other: no failures, and shown in full in a notebook.
    set_failures(df, [])
    return df


def answer_catalog(sql: str) -> pd.DataFrame | None:
    """The answer to a DESCRIBE or SHOW RESOURCES statement; None for any other statement.

    Examples
    --------
    >>> answer_catalog("SELECT 1") is None
    True
    >>> len(answer_catalog("show resources;"))
    4
    """
    text = _COMMENT.sub(" ", sql)
    if _SHOW.fullmatch(text):
        return show_resources()
    described = _DESCRIBE.fullmatch(text)
    if described:
        name = described.group("name").strip('"')
        if name.lower() not in RESOURCES:
            close = [r for r in RESOURCES if r.rsplit(".", 1)[-1] == name.lower().rsplit(".")[-1]]
            hint = f"; did you mean {close[0]}?" if close else ""
            raise SQLError(
                f"can't DESCRIBE {name!r}: not a resource; known resources: "
                f"{', '.join(RESOURCES)}{hint}"
            )
        return describe(name)
    word = _CATALOG_WORD.match(text)
    if word:
        raise SQLError(
            f"{word.group(1).upper()} takes a resource name: write DESCRIBE <resource> (one of: "
            f"{', '.join(RESOURCES)}) or SHOW RESOURCES"
        )
    return None
