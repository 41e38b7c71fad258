"""What a query lets us push down to the AWS calls, read off its sqlglot tree.

Two things are pushed down, and neither may change an answer, because DuckDB
re-applies every predicate to the fetched rows:

- **Predicates**: ``region =``/``IN`` (which regions to call),
  ``data__Identifier``/``sequence_store_id =``/``IN`` (GetSequenceStore by ID)
  and ``name =`` (ListSequenceStores' name filter). Only top-level AND
  conjuncts of the WHERE of the SELECT that reads the resource are used, and
  only when the column surely belongs to that resource. Anything under OR or
  NOT, or comparing with a non-literal, is left to DuckDB over a superset.
- **Columns**: a column is fetched when its name appears anywhere in the
  query (an over-approximation: it can only fetch too much, never too
  little). A star reads the nine documented columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..aws.accounts import check_account_ids
from ..columns import ALL_COLUMNS, DEFAULT_COLUMNS, resolve_columns
from ..errors import UnknownRegionError
from ..regions import omics_regions, resolve_regions, validate_identifier

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = [
    "PSEUDO_IDENTIFIER",
    "Pushdown",
    "referenced_columns",
    "star_excludes",
    "table_pushdown",
]

# StackQL's required parameter: the store ID. Not a real column; DuckDB sees
# it as sequence_store_id.
PSEUDO_IDENTIFIER = "data__identifier"


@dataclass(frozen=True)
class Pushdown:
    """The restrictions one resource reference's own WHERE puts on the fetch.

    ``None`` means unrestricted; an empty tuple means the conjuncts contradict
    each other, so no row can match and nothing needs fetching.
    """

    regions: tuple[str, ...] | None = None
    identifiers: tuple[str, ...] | None = None
    name: str | None = None
    account_ids: tuple[str, ...] | None = None
    no_rows: bool = False


def _unparen(node: exp.Expr) -> exp.Expr:
    from sqlglot import exp

    while isinstance(node, exp.Paren):
        node = node.this
    return node


def conjuncts(node: exp.Expr | None) -> list[exp.Expr]:
    """The top-level AND conjuncts of a predicate (parentheses looked through)."""
    from sqlglot import exp

    if node is None:
        return []
    node = _unparen(node)
    if isinstance(node, exp.And):
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def column_literals(
    predicate: exp.Expr,
) -> tuple[exp.Column, list[str]] | None:
    """``col = 'x'``, ``'x' = col`` or ``col IN ('x', 'y')`` -> (col, strings); else None.

    Only string literals count: ``region = 1`` or ``region IN ('a', NULL)`` are
    left to DuckDB.
    """
    from sqlglot import exp

    values: list[exp.Expr]
    if isinstance(predicate, exp.EQ):
        left, right = _unparen(predicate.left), _unparen(predicate.right)
        if isinstance(right, exp.Column) and not isinstance(left, exp.Column):
            left, right = right, left
        column, values = left, [right]
    elif isinstance(predicate, exp.In):
        if any(predicate.args.get(k) for k in ("query", "unnest", "field")):
            return None
        column, values = _unparen(predicate.this), [_unparen(v) for v in predicate.expressions]
    else:
        return None
    if not isinstance(column, exp.Column) or not isinstance(column.this, exp.Identifier):
        return None
    if not values or not all(isinstance(v, exp.Literal) and v.is_string for v in values):
        return None
    return column, [v.name for v in values]


def star_excludes(star: exp.Star) -> list[exp.Expr]:
    """The columns of a star's EXCLUDE list (the arg is ``except_`` in newer sqlglot)."""
    return list(star.args.get("except_") or star.args.get("except") or [])


def reference_name(table: exp.Table) -> str:
    """The name a query uses to qualify a table's columns: its alias, else its name."""
    return (table.alias or table.name).lower()


def _enclosing_select(table: exp.Table) -> exp.Select | None:
    from sqlglot import exp

    parent = table.parent
    if isinstance(parent, (exp.From, exp.Join)) and isinstance(parent.parent, exp.Select):
        return parent.parent
    return None


def _source_count(select: exp.Select) -> int:
    return 1 + len(select.args.get("joins") or []) + len(select.args.get("laterals") or [])


def _order_sensitive(select: exp.Select, table: exp.Table) -> bool:
    """Samples and positional/as-of joins depend on which rows exist before WHERE."""
    joins = select.args.get("joins") or []
    methods = {str(j.args.get(k) or "").upper() for j in joins for k in ("method", "kind")}
    return bool(table.args.get("sample") or select.args.get("sample")) or bool(
        methods & {"POSITIONAL", "ASOF"}
    )


def _belongs_to(column: exp.Column, table: exp.Table, single_source: bool) -> bool:
    qualifier = [p.name.lower() for p in column.parts[:-1]]
    if not qualifier:
        return single_source
    if qualifier == [reference_name(table)]:
        return True
    path = [p.name.lower() for p in table.parts]
    return not table.alias and qualifier == path


def table_pushdown(table: exp.Table) -> Pushdown:
    """Read the pushable conjuncts of the WHERE of the SELECT reading ``table``.

    Raises
    ------
    UnknownRegionError, InvalidIdentifierError
        For a pushed-down region or ID that can't exist.
    """
    select = _enclosing_select(table)
    if select is None or _order_sensitive(select, table):
        return Pushdown()
    single = _source_count(select) == 1
    where = select.args.get("where")
    regions: set[str] | None = None
    identifiers: set[str] | None = None
    names: set[str] | None = None
    accounts: set[str] | None = None
    first_regions: list[str] = []
    first_ids: list[str] = []
    first_accounts: list[str] = []
    for predicate in conjuncts(where.this if where else None):
        found = column_literals(predicate)
        if found is None or not _belongs_to(found[0], table, single):
            continue
        column, values = found
        key = column.name.lower()
        if key == "region":
            for value in values:
                check_region(value)
            first_regions = first_regions or values
            regions = set(values) if regions is None else regions & set(values)
        elif key in (PSEUDO_IDENTIFIER, "sequence_store_id"):
            for value in values:
                validate_identifier(value)
            first_ids = first_ids or values
            identifiers = set(values) if identifiers is None else identifiers & set(values)
        elif key == "name" and len(values) == 1:
            names = set(values) if names is None else names & set(values)
        elif key == "account_id":
            check_account_ids(values)
            first_accounts = first_accounts or values
            accounts = set(values) if accounts is None else accounts & set(values)

    def ordered(kept: set[str] | None, order: list[str]) -> tuple[str, ...] | None:
        if kept is None:
            return None
        # Keep the query's order (then any others sorted) so calls are deterministic.
        return tuple(dict.fromkeys([v for v in order if v in kept] + sorted(kept)))

    no_rows = set() in (regions, identifiers, names, accounts)
    return Pushdown(
        regions=ordered(regions, first_regions),
        identifiers=ordered(identifiers, first_ids),
        # The name filter only applies to listing; an ID lookup ignores it.
        name=next(iter(names)) if names and identifiers is None else None,
        account_ids=ordered(accounts, first_accounts),
        no_rows=no_rows,
    )


def check_region(value: str) -> str:
    """A region literal from the SQL must be an omics region, spelled exactly."""
    if value not in omics_regions():
        resolve_regions([value])  # raises with the list of valid regions
        raise UnknownRegionError(
            f"{value!r} is not a region where AWS HealthOmics is offered; "
            f"use one of: {', '.join(omics_regions())}"
        )
    return value


def referenced_columns(
    tree: exp.Expr, tables: list[exp.Table]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The known columns a query may read from the resources, and its placeholders.

    Every identifier that names a column counts, wherever it is (an alias, a
    CTE's column, another table's column): fetching too much is harmless,
    fetching too little would change the answer. ``data__Identifier`` reads
    sequence_store_id. A star, ``COLUMNS(...)`` or a whole-row reference to a
    resource reads the nine documented columns, minus a star's EXCLUDE list.

    Returns
    -------
    (columns, placeholders)
        Both in canonical order. Placeholders are columns named only in an
        EXCLUDE list: never read, but DuckDB wants them to exist, so they are
        given as NULLs instead of being fetched (``* EXCLUDE (tags)`` makes no
        tag calls).
    """
    from sqlglot import exp

    wanted: set[str] = set()
    excluded_nodes: set[int] = set()
    excluded_names: set[str] = set()
    for star in tree.find_all(exp.Star):
        for item in star_excludes(star):
            excluded_nodes.update(id(node) for node in item.walk())
            excluded_names.add(item.name.lower())
    table_parts = {id(part) for table in tables for part in table.parts}
    for ident in tree.find_all(exp.Identifier):
        if id(ident) in excluded_nodes or id(ident) in table_parts:
            continue
        name = ident.name.lower()
        if name == PSEUDO_IDENTIFIER:
            wanted.add("sequence_store_id")
        elif name in ALL_COLUMNS:
            wanted.add(name)

    for star in tree.find_all(exp.Star):
        if isinstance(star.parent, exp.Count):
            continue  # count(*) reads no column
        excluded = {item.name.lower() for item in star_excludes(star) if item.name}
        wanted.update(c for c in DEFAULT_COLUMNS if c not in excluded)
    row_names = {reference_name(t) for t in tables}
    for node in tree.find_all(exp.Columns, exp.Column):
        if isinstance(node, exp.Columns) or (
            isinstance(node, exp.Column)
            and not node.table
            and node.name.lower() in row_names
            and node.name.lower() not in ALL_COLUMNS
        ):
            wanted.update(DEFAULT_COLUMNS)
    if not wanted:
        # e.g. SELECT count(*): no column named, but the rows must still be listed.
        wanted.add("sequence_store_id")
    placeholders = {n for n in excluded_names if n in ALL_COLUMNS} - wanted
    return resolve_columns(sorted(wanted)), resolve_columns(sorted(placeholders))
