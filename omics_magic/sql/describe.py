"""``DESCRIBE <resource>`` and ``SHOW RESOURCES``: the schema, from inside the notebook.

Both are answered from the resource definitions alone, without any AWS call:
``DESCRIBE aws.omics.sequence_stores`` gives one row per column (its name, its
DuckDB type, whether ``SELECT *`` returns it, the API call that fills it, and
what it holds); ``SHOW RESOURCES`` one row per resource.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..columns import COLUMNS
from ..errors import SQLError
from ..failures import set_failures
from .plan import RESOURCES

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ColumnInfo", "answer_catalog", "describe", "resource_columns", "show_resources"]

_DESCRIBE = re.compile(r"\s*(?:DESCRIBE|DESC)\s+(?P<name>[^\s;]+)\s*;?\s*", re.IGNORECASE)
_SHOW = re.compile(r"\s*SHOW\s+RESOURCES\s*;?\s*", re.IGNORECASE)
_CATALOG_WORD = re.compile(r"\s*(DESCRIBE|DESC|SHOW)\b", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)

#: The API call that fills a column, by the column's source.
CALLS = {
    "region": "(the region asked)",
    "account": "(the account, from the store's ARN)",
    "list": "ListSequenceStores",
    "get": "GetSequenceStore",
    "tags": "ListTagsForResource",
}


@dataclass(frozen=True)
class ColumnInfo:
    """One column of a resource, as DESCRIBE and completion show it."""

    name: str
    type: str
    in_select_star: bool
    api_call: str
    description: str


def resource_columns(resource: str) -> list[ColumnInfo]:
    """The columns of ``resource`` (``aws.omics.sequence_stores``...), ``SELECT *``'s first.

    Examples
    --------
    >>> [c.name for c in resource_columns("aws.omics.sequence_stores")][:3]
    ['region', 'arn', 'creation_time']
    """
    if resource.lower() not in RESOURCES:
        raise SQLError(f"unknown resource {resource!r}; known resources: {', '.join(RESOURCES)}")
    types = _duckdb_types()
    found = [
        ColumnInfo(
            c.name,
            types[c.name],
            not c.extra,
            # Extras ListSequenceStores carries are read by GetSequenceStore for one ID.
            CALLS.get(c.source, c.source),
            c.doc,
        )
        for c in COLUMNS
    ]
    found.append(
        ColumnInfo(
            "data__Identifier",  # as StackQL spells it; SQL matches it in any case
            "VARCHAR",
            False,
            "GetSequenceStore (pushed down)",
            "WHERE only: the ID of the store to get; aws.omics.sequence_store needs it.",
        )
    )
    return found


def _duckdb_types() -> dict[str, str]:
    """Each column's type as DuckDB names it, from the canonical Arrow schema (no AWS call)."""
    from ..columns import ALL_COLUMNS, arrow_schema
    from .sandbox import sandbox_connection

    connection = sandbox_connection()
    try:
        connection.register("columns", arrow_schema(ALL_COLUMNS).empty_table())
        rows = connection.sql("DESCRIBE columns").fetchall()
    finally:
        connection.close()
    return {str(row[0]): str(row[1]) for row in rows}


def describe(resource: str) -> pd.DataFrame:
    """``DESCRIBE resource``: one row per column.

    Columns: ``column_name``, ``column_type`` (DuckDB's), ``in_select_star``,
    ``api_call`` and ``description``.

    Examples
    --------
    >>> df = describe("aws.omics.sequence_stores")
    >>> df.loc[df["column_name"] == "tags", "api_call"].item()
    'ListTagsForResource'
    """
    import pandas as pd

    rows = [
        {
            "column_name": c.name,
            "column_type": c.type,
            "in_select_star": c.in_select_star,
            "api_call": c.api_call,
            "description": c.description,
        }
        for c in resource_columns(resource)
    ]
    return _as_result(pd.DataFrame(rows, columns=list(_DESCRIBE_COLUMNS)))


_DESCRIBE_COLUMNS = ("column_name", "column_type", "in_select_star", "api_call", "description")


def show_resources() -> pd.DataFrame:
    """``SHOW RESOURCES``: one row per resource, with what it holds.

    Examples
    --------
    >>> list(show_resources()["resource"])
    ['aws.omics.sequence_store', 'aws.omics.sequence_stores']
    """
    import pandas as pd

    return _as_result(
        pd.DataFrame(
            [{"resource": name, "description": doc} for name, doc in RESOURCES.items()],
            columns=["resource", "description"],
        )
    )


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
    2
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
