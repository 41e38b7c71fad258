"""SQL planning: parse and check a statement, then plan its AWS calls.

sqlglot (dialect ``duckdb``) parses the statement; nothing here evaluates SQL.
A SELECT becomes a :class:`SelectPlan`: one :class:`ResourceRef` per reference
to ``aws.omics.sequence_store(s)`` with what its own WHERE pushes down, the
columns to fetch, and the SQL DuckDB runs. A DELETE becomes a
:class:`DeleteStatement`, which the delete helper validates and runs. Every
check here runs before any AWS call, and each failure is one line saying what
is wrong and how to fix it.

DuckDB runs the user's own text with only the resource names (and
``data__Identifier``) replaced, so its semantics, column names included, are
exactly DuckDB's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..columns import DEFAULT_COLUMNS, EXTRA_COLUMNS, resolve_columns
from ..errors import SQLError
from .check import check_tree, parse_one_statement, position
from .pushdown import (
    PSEUDO_IDENTIFIER,
    Pushdown,
    reference_name,
    referenced_columns,
    star_excludes,
    table_pushdown,
)

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = [
    "RESOURCES",
    "DeleteStatement",
    "ResourceRef",
    "SelectPlan",
    "plan_statement",
]

SINGULAR = "aws.omics.sequence_store"
PLURAL = "aws.omics.sequence_stores"
RESOURCES: dict[str, str] = {
    SINGULAR: "one sequence store, by WHERE data__Identifier = '<id>'",
    PLURAL: "every sequence store in the regions queried",
}
_RELATION = "__omics_ref_{}"


@dataclass(frozen=True)
class ResourceRef:
    """One reference to a resource in a SELECT, and what to fetch for it.

    Attributes
    ----------
    resource
        ``aws.omics.sequence_store`` or ``aws.omics.sequence_stores``.
    relation
        The name DuckDB reads the fetched rows under. References with the same
        pushdown share one relation (and one fetch).
    regions
        Regions pushed down by ``region =``/``IN``; None means the configured ones.
    identifiers
        Store IDs pushed down (GetSequenceStore by ID); None means list the stores.
    name
        ListSequenceStores' name filter, from ``name = '...'``.
    account_ids
        Accounts pushed down by ``account_id =``/``IN``; None means every account queried.
    no_rows
        True when the pushed-down conjuncts contradict each other: nothing to fetch.
    """

    resource: str
    relation: str
    regions: tuple[str, ...] | None = None
    identifiers: tuple[str, ...] | None = None
    name: str | None = None
    account_ids: tuple[str, ...] | None = None
    no_rows: bool = False


@dataclass(frozen=True)
class SelectPlan:
    """A checked SELECT: what to fetch, and the SQL DuckDB runs over it.

    Attributes
    ----------
    sql
        The statement as given.
    duckdb_sql
        The same text with each resource replaced by its relation.
    refs
        One entry per resource reference, in text order.
    columns
        The columns to fetch (canonical order), shared by every relation.
    placeholders
        Columns named only in a star's EXCLUDE list: not fetched, but present
        (as NULLs) so that DuckDB finds what the EXCLUDE names.
    """

    sql: str
    duckdb_sql: str
    refs: tuple[ResourceRef, ...]
    columns: tuple[str, ...]
    placeholders: tuple[str, ...] = ()
    # Where each column name first appears, for error messages: name -> (line, col).
    positions: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    @property
    def relations(self) -> dict[str, ResourceRef]:
        """One reference per distinct relation (what to fetch, once each), in text order."""
        unique: dict[str, ResourceRef] = {}
        for ref in self.refs:
            unique.setdefault(ref.relation, ref)
        return unique


@dataclass(frozen=True)
class DeleteStatement:
    """A DELETE, parsed; the delete helper validates and runs it.

    ``omics_magic.sql.delete.run_delete(statement.tree, confirm=..., regions=...,
    session=...)`` is the one place that decides which DELETE forms are allowed
    (one store by ``data__Identifier``, maybe with ``region``), so the rules
    live next to the delete protocol they protect.
    """

    sql: str
    tree: exp.Expr = field(compare=False, repr=False)


def plan_statement(sql: str) -> SelectPlan | DeleteStatement:
    """Parse and check one statement and plan it.

    Raises
    ------
    SQLError
        Unparseable SQL (with the position), several statements, a statement
        other than SELECT/DELETE, an unknown resource, a file/network read, or
        a sequence_store without data__Identifier.
    UnknownRegionError, InvalidIdentifierError
        A pushed-down region or ID that can't exist.

    Examples
    --------
    >>> plan = plan_statement(
    ...     "SELECT name FROM aws.omics.sequence_stores WHERE region = 'us-east-1'"
    ... )
    >>> plan.refs[0].regions, plan.columns
    (('us-east-1',), ('region', 'name'))
    """
    tree = parse_one_statement(sql)
    tables = check_tree(tree, RESOURCES)
    from sqlglot import exp

    if isinstance(tree, exp.Delete):
        return DeleteStatement(sql, tree)
    return _plan_select(sql, tree, tables)


def _resource(table: exp.Table) -> str:
    return ".".join(p.name.lower() for p in table.parts)


def _plan_select(sql: str, tree: exp.Expr, tables: list[exp.Table]) -> SelectPlan:
    from sqlglot import exp

    columns, placeholders = referenced_columns(tree, tables)
    relations: dict[tuple[object, ...], str] = {}
    refs: list[ResourceRef] = []
    edits: list[tuple[int, int, str]] = []
    for table in tables:
        resource = _resource(table)
        pushed: Pushdown = table_pushdown(table)
        if resource == SINGULAR and pushed.identifiers is None:
            line, col = position(sql, table.parts[0])
            raise SQLError(
                f"{SINGULAR} (line {line}, column {col}) needs WHERE data__Identifier = "
                "'<id>' (or IN (...)) as a top-level AND condition; to read every store "
                f"use {PLURAL}"
            )
        key = (pushed.regions, pushed.identifiers, pushed.name, pushed.account_ids, pushed.no_rows)
        relation = relations.setdefault(key, _RELATION.format(len(relations)))
        refs.append(
            ResourceRef(
                resource,
                relation,
                regions=pushed.regions,
                identifiers=pushed.identifiers,
                name=pushed.name,
                account_ids=pushed.account_ids,
                no_rows=pushed.no_rows,
            )
        )
        edits.append(_replace_table(sql, table, relation))

    unaliased = {_resource(t): t for t in tables if not t.alias}
    for column in tree.find_all(exp.Column):
        edits.extend(_column_edits(sql, column, unaliased))
    # Every extra the relations hold, placeholders too, stays out of `*`.
    extras = [c for c in resolve_columns([*columns, *placeholders]) if c in EXTRA_COLUMNS]
    if extras:
        for star in tree.find_all(exp.Star):
            edits.extend(_star_edits(sql, star, tables, extras))
    return SelectPlan(
        sql=sql,
        duckdb_sql=_apply(sql, edits),
        refs=tuple(refs),
        columns=columns,
        placeholders=placeholders,
        positions=_positions(sql, tree),
    )


def _span(node: exp.Expr) -> tuple[int, int]:
    if "start" not in node.meta:
        raise SQLError(f"can't locate {node.sql('duckdb')!r} in the query; please report this")
    return node.meta["start"], node.meta["end"] + 1


def _replace_table(sql: str, table: exp.Table, relation: str) -> tuple[int, int, str]:
    start, end = _span(table.parts[0])[0], _span(table.parts[-1])[1]
    # Keep the table's own name as the alias so `sequence_stores.name` still resolves.
    text = relation if table.alias else f"{relation} AS {sql[slice(*_span(table.parts[-1]))]}"
    return start, end, text


def _column_edits(
    sql: str, column: exp.Column, unaliased: dict[str, exp.Table]
) -> list[tuple[int, int, str]]:
    from sqlglot import exp

    edits: list[tuple[int, int, str]] = []
    parts = column.parts
    if not isinstance(column.this, exp.Identifier) or "start" not in column.this.meta:
        return edits
    qualifier = ".".join(p.name.lower() for p in parts[:-1])
    if len(parts) == 4 and qualifier in unaliased:
        # aws.omics.sequence_stores.name -> sequence_stores.name (the relation's alias)
        edits.append((_span(parts[0])[0], _span(parts[2])[1], sql[slice(*_span(parts[2]))]))
    if column.name.lower() == PSEUDO_IDENTIFIER:
        start, end = _span(column.this)
        text = "sequence_store_id"
        if isinstance(column.parent, exp.Select) and column.arg_key == "expressions":
            text += f" AS {sql[start:end]}"  # keep the name the query gave the column
        edits.append((start, end, text))
    return edits


def _star_edits(
    sql: str, star: exp.Star, tables: list[exp.Table], extras: list[str]
) -> list[tuple[int, int, str]]:
    """Keep ``*`` to the nine documented columns when extras were fetched by name."""
    from sqlglot import exp

    holder: exp.Expression = star
    qualifier = None
    if isinstance(star.parent, exp.Column):
        holder = star.parent
        qualifier = star.parent.table.lower()
    select = holder.parent
    if not isinstance(select, exp.Select) or holder not in select.expressions:
        return []
    direct = [t for t in tables if t.parent and t.parent.parent is select]
    if qualifier is not None:
        names = [e for e in extras if any(reference_name(t) == qualifier for t in direct)]
    else:
        names = [f"{reference_name(t)}.{e}" for t in direct for e in extras]
    existing = {item.name.lower() for item in star_excludes(star)}
    names = [n for n in names if n.rsplit(".", 1)[-1] not in existing]
    if not names:
        return []
    start, end = _span(star)
    if sql[start:end] != "*":
        raise SQLError(
            "write SELECT * explicitly when the query also names extra fields "
            f"({', '.join(extras)}), e.g. SELECT * FROM {PLURAL} WHERE ..."
        )
    if not existing:
        return [(end, end, f" EXCLUDE ({', '.join(names)})")]
    # Extend the query's own EXCLUDE list: `EXCLUDE (a)` -> `EXCLUDE (a, s.status)`.
    items = star_excludes(star)
    first = _span(items[0].parts[0] if isinstance(items[0], exp.Column) else items[0])[0]
    last = _span(items[-1].parts[-1] if isinstance(items[-1], exp.Column) else items[-1])[1]
    after = sql[last:]
    if after.lstrip().startswith(")"):
        return [(last, last, ", " + ", ".join(names))]
    return [(first, first, "("), (last, last, ", " + ", ".join(names) + ")")]


def _apply(sql: str, edits: list[tuple[int, int, str]]) -> str:
    out = sql
    last = len(sql) + 1
    for start, end, text in sorted(set(edits), key=lambda e: (e[0], e[1]), reverse=True):
        if end > last:
            raise SQLError("the query names a resource in a way omics_magic can't rewrite")
        out = out[:start] + text + out[end:]
        last = start
    return out


def _positions(sql: str, tree: exp.Expr) -> dict[str, tuple[int, int]]:
    from sqlglot import exp

    found: dict[str, tuple[int, int]] = {}
    for column in tree.find_all(exp.Column):
        ident = column.this
        if isinstance(ident, exp.Identifier) and "start" in ident.meta:
            found.setdefault(ident.name.lower(), position(sql, ident))
    return found


def valid_columns_hint() -> str:
    """The one-line list of columns, for unknown-column messages."""
    return (
        f"valid columns are: {', '.join(DEFAULT_COLUMNS)}; extra fields (only when named): "
        f"{', '.join(EXTRA_COLUMNS)}; and data__Identifier in WHERE"
    )
