"""What a query lets us push down to the AWS calls, read off its sqlglot tree.

Two things are pushed down, and neither may change an answer, because DuckDB
re-applies every predicate to the fetched rows. What each resource accepts is
read off its definition (:mod:`omics_magic.resources`):

- **Predicates**: ``region =``/``IN`` (which regions to call),
  ``data__Identifier`` or the identifier column ``=``/``IN`` (the get call by
  ID), the parent's key ``=``/``IN`` (read sets: which stores to list), and
  the list call's filters: ``=`` on a :class:`~omics_magic.resources.Filter`
  column (``name``, ``status``...), ``>``/``>=``/``<``/``<=``/``BETWEEN`` on a
  :class:`~omics_magic.resources.RangeFilter` column (``creation_time``),
  widened by its slack. Only top-level AND
  conjuncts of the WHERE of the SELECT that reads the resource are used, and
  only when the column surely belongs to that resource. Anything under OR or
  NOT, or comparing with a non-literal, is left to DuckDB over a superset.
- **Columns**: a column is fetched when its name appears anywhere in the
  query (an over-approximation: it can only fetch too much, never too
  little). A star reads the nine documented columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..aws.accounts import check_account_ids
from ..regions import validate_region
from ..resources import SEQUENCE_STORES, Filter, RangeFilter, Resource, resource_named

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
    #: The parent IDs (read sets: ``sequence_store_id =``/``IN``); None: every parent.
    parents: tuple[str, ...] | None = None
    #: The list call's ``filter``, as (key, value) pairs in key order (``name`` excepted
    #: for sequence stores, whose name filter is :attr:`name`).
    filters: tuple[tuple[str, Any], ...] = ()


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
        left, right = _unparen(predicate.args["this"]), _unparen(predicate.args["expression"])
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


def table_pushdown(table: exp.Table, resource: Resource = SEQUENCE_STORES) -> Pushdown:
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
    parents: set[str] | None = None
    equal: dict[str, set[str]] = {}
    first_regions: list[str] = []
    first_ids: list[str] = []
    first_parents: list[str] = []
    parent_key = resource.parent.key if resource.parent is not None else None
    equality = {f.column: f for f in resource.filters if isinstance(f, Filter)}
    ranges = {f.column: f for f in resource.filters if isinstance(f, RangeFilter)}
    bounds = _Bounds()
    accounts: set[str] | None = None
    first_accounts: list[str] = []
    predicates = conjuncts(where.this if where else None)
    for predicate in predicates:
        bounds.add(predicate, ranges, table, single)
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
        elif key in (PSEUDO_IDENTIFIER, resource.identifier):
            for value in values:
                resource.validate_identifier(value)
            first_ids = first_ids or values
            identifiers = set(values) if identifiers is None else identifiers & set(values)
        elif key == parent_key and resource.parent is not None:
            for value in values:
                resource_named(resource.parent.resource).validate_identifier(value)
            first_parents = first_parents or values
            parents = set(values) if parents is None else parents & set(values)
        elif key in equality and len(values) == 1:
            kept = equal.get(key)
            equal[key] = set(values) if kept is None else kept & set(values)
        elif key == "account_id":
            check_account_ids(values)
            first_accounts = first_accounts or values
            accounts = set(values) if accounts is None else accounts & set(values)

    def ordered(kept: set[str] | None, order: list[str]) -> tuple[str, ...] | None:
        if kept is None:
            return None
        # Keep the query's order (then any others sorted) so calls are deterministic.
        return tuple(dict.fromkeys([v for v in order if v in kept] + sorted(kept)))

    no_rows = (
        regions == set()
        or identifiers == set()
        or parents == set()
        or any(v == set() for v in equal.values())
        or accounts == set()
        or bounds.empty
    )
    filters: dict[str, Any] = {}
    for key, kept in equal.items():
        spec = equality[key]
        one = next(iter(kept), None)
        if one is not None and (spec.max_length is None or 1 <= len(one) <= spec.max_length):
            filters[spec.key] = one
    filters.update(bounds.filters(ranges))
    name = None
    if resource.parent is None:
        # The stores' name filter only applies to listing; an ID lookup ignores it.
        name = filters.pop("name", None) if identifiers is None else None
        filters.clear()
    return Pushdown(
        regions=ordered(regions, first_regions),
        identifiers=ordered(identifiers, first_ids),
        name=name,
        account_ids=ordered(accounts, first_accounts),
        no_rows=no_rows,
        parents=ordered(parents, first_parents),
        filters=tuple(sorted(filters.items())),
    )


_FLIP = {"GT": "LT", "GTE": "LTE", "LT": "GT", "LTE": "GTE"}


class _Bounds:
    """``>``/``>=``/``<``/``<=``/``BETWEEN`` on range-filter columns: the tightest bounds."""

    def __init__(self) -> None:
        self.lower: dict[str, datetime] = {}
        self.upper: dict[str, datetime] = {}

    def add(
        self, predicate: exp.Expr, ranges: dict[str, RangeFilter], table: exp.Table, single: bool
    ) -> None:
        from sqlglot import exp

        if isinstance(predicate, exp.Between):
            column = _unparen(predicate.this)
            low, high = _instant(predicate.args.get("low")), _instant(predicate.args.get("high"))
            if isinstance(column, exp.Column) and self._ours(column, ranges, table, single):
                if low is None or high is None:
                    return
                name = column.name.lower()
                self._lower(name, low)
                self._upper(name, high)
            return
        kind = type(predicate).__name__
        if kind not in _FLIP:
            return
        left, right = _unparen(predicate.args["this"]), _unparen(predicate.args["expression"])
        if not isinstance(left, exp.Column):
            left, right, kind = right, left, _FLIP[kind]
        value = _instant(right)
        if value is None or not self._ours(left, ranges, table, single):
            return
        name = left.name.lower()
        if kind in ("GT", "GTE"):
            self._lower(name, value)
        else:
            self._upper(name, value)

    @staticmethod
    def _ours(column: Any, ranges: dict[str, RangeFilter], table: exp.Table, single: bool) -> bool:
        from sqlglot import exp

        return (
            isinstance(column, exp.Column)
            and column.name.lower() in ranges
            and _belongs_to(column, table, single)
        )

    def _lower(self, name: str, value: datetime) -> None:
        self.lower[name] = max(value, self.lower.get(name, value))

    def _upper(self, name: str, value: datetime) -> None:
        self.upper[name] = min(value, self.upper.get(name, value))

    @property
    def empty(self) -> bool:
        return any(n in self.upper and low > self.upper[n] for n, low in self.lower.items())

    def filters(self, ranges: dict[str, RangeFilter]) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        for name, value in self.lower.items():
            found[ranges[name].after] = value - timedelta(seconds=ranges[name].slack)
        for name, value in self.upper.items():
            found[ranges[name].before] = value + timedelta(seconds=ranges[name].slack)
        return found


def _instant(node: exp.Expr | None) -> datetime | None:
    """A timestamp literal (``'2024-01-01'``, ``TIMESTAMP '...'``, ``'...'::TIMESTAMPTZ``), UTC.

    A literal without a time zone is read as UTC; the range filter's slack
    covers any other zone DuckDB might read it in.
    """
    from sqlglot import exp

    if node is None:
        return None
    node = _unparen(node)
    if isinstance(node, exp.Cast) and node.to.is_type(*_TIMESTAMP_TYPES):
        node = _unparen(node.this)
    if not (isinstance(node, exp.Literal) and node.is_string):
        return None
    import pandas as pd

    try:
        stamp = pd.Timestamp(node.name)
    except (ValueError, TypeError):
        return None
    if stamp is pd.NaT:
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


_TIMESTAMP_TYPES = ("TIMESTAMP", "TIMESTAMPNTZ", "TIMESTAMPTZ", "TIMESTAMPLTZ", "DATE", "DATETIME")


def check_region(value: str) -> str:
    """A region literal from the SQL must be an omics region, spelled exactly."""
    return validate_region(value, exact=True)


def referenced_columns(
    tree: exp.Expr, tables: list[exp.Table], resource: Resource = SEQUENCE_STORES
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The known columns a query may read from one resource, and its placeholders.

    ``tables`` are the query's references to ``resource`` (the other
    resources' tables are the query's business, not this resource's). Every
    identifier that names one of the resource's columns counts, wherever it is
    (an alias, a CTE's column, another table's column): fetching too much is
    harmless, fetching too little would change the answer. ``data__Identifier``
    reads the identifier column. A star (unqualified, or qualified by one of
    ``tables``), ``COLUMNS(...)`` or a whole-row reference to a resource reads
    the documented columns, minus a star's EXCLUDE list.

    Returns
    -------
    (columns, placeholders)
        Both in canonical order. Placeholders are columns named only in an
        EXCLUDE list: never read, but DuckDB wants them to exist, so they are
        given as NULLs instead of being fetched (``* EXCLUDE (tags)`` makes no
        tag calls).
    """
    from sqlglot import exp

    all_columns = resource.all_columns
    defaults = resource.default_columns
    ours = {reference_name(t) for t in tables}
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
            wanted.add(resource.identifier)
        elif name in all_columns:
            wanted.add(name)

    for star in tree.find_all(exp.Star):
        if isinstance(star.parent, exp.Count):
            continue  # count(*) reads no column
        if isinstance(star.parent, exp.Column) and star.parent.table.lower() not in ours:
            continue  # another table's star: s.* reads none of r's columns
        excluded = {item.name.lower() for item in star_excludes(star) if item.name}
        wanted.update(c for c in defaults if c not in excluded)
    for node in tree.find_all(exp.Columns, exp.Column):
        if isinstance(node, exp.Columns) or (
            isinstance(node, exp.Column)
            and not node.table
            and node.name.lower() in ours
            and node.name.lower() not in all_columns
        ):
            wanted.update(defaults)
    if not wanted:
        # e.g. SELECT count(*): no column named, but the rows must still be listed.
        wanted.add(resource.identifier)
    placeholders = {n for n in excluded_names if n in all_columns} - wanted
    return (
        resource.resolve_columns(sorted(wanted)),
        resource.resolve_columns(sorted(placeholders)),
    )
