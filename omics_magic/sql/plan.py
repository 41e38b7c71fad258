"""SQL planning: parse and check a statement, then plan its AWS calls.

sqlglot (dialect ``duckdb``) parses the statement; nothing here evaluates SQL.
A SELECT becomes a :class:`SelectPlan`: one :class:`ResourceRef` per reference
to a resource (``aws.omics.sequence_store(s)``, ``aws.omics.read_set(s)``:
every table of :data:`omics_magic.resources.RESOURCES`) with what its own
WHERE pushes down, the columns to fetch, and the SQL DuckDB runs. A read-sets
reference joined to a stores reference on ``sequence_store_id`` gets a
:class:`~.joins.ParentFilter`: its read sets are listed only for the stores
that pass the stores side's own conditions (:mod:`.joins`). A DELETE becomes a
:class:`DeleteStatement`, which the delete helper validates and runs. Every
check here runs before any AWS call, and each failure is one line saying what
is wrong and how to fix it.

DuckDB runs the user's own text with only the resource names (and
``data__Identifier``) replaced, so its semantics, column names included, are
exactly DuckDB's.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..errors import SQLError
from ..resources import RESOURCES as DEFINITIONS
from ..resources import SEQUENCE_STORES, Resource
from .check import check_tree, parse_one_statement, position
from .joins import ParentFilter, parent_filter
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
    "STORE_RESOURCES",
    "TABLES",
    "DeleteStatement",
    "ResourceRef",
    "SelectPlan",
    "plan_statement",
]

SINGULAR = SEQUENCE_STORES.sql_singular
PLURAL = SEQUENCE_STORES.sql_name
#: The sequence store tables (the one DELETE form deletes from these).
STORE_RESOURCES = (SINGULAR, PLURAL)


def _tables() -> dict[str, tuple[Resource, bool]]:
    """SQL table name -> (its resource, whether it is the one-row table)."""
    found: dict[str, tuple[Resource, bool]] = {}
    for resource in DEFINITIONS.values():
        found[resource.sql_singular] = (resource, True)
        found[resource.sql_name] = (resource, False)
    return found


def _describe(resource: Resource, singular: bool) -> str:
    if not singular:
        where = "" if resource.parent is None else " of every sequence store"
        return f"every {resource.noun}{where} in the regions queried"
    parent = "" if resource.parent is None else f"{resource.parent.key} = '<id>' AND "
    return f"one {resource.noun}, by WHERE {parent}data__Identifier = '<id>'"


TABLES = _tables()
RESOURCES: dict[str, str] = {name: _describe(*found) for name, found in TABLES.items()}
_RELATION = "__omics_ref_{}"


@dataclass(frozen=True)
class ResourceRef:
    """One reference to a resource in a SELECT, and what to fetch for it.

    Attributes
    ----------
    resource
        The SQL table (``aws.omics.sequence_stores``, ``aws.omics.read_set``...).
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
    kind
        The resource's name (``sequence_stores``, ``read_sets``).
    columns, placeholders
        What this relation fetches, and its EXCLUDE-only columns (NULLs).
    parents
        Parent IDs pushed down (read sets: the stores to list); None means all.
    filters
        The list call's filter, as (key, value) pairs.
    parent_filter
        Read sets joined to stores: list only the stores the join lets through.
    """

    resource: str
    relation: str
    regions: tuple[str, ...] | None = None
    identifiers: tuple[str, ...] | None = None
    name: str | None = None
    account_ids: tuple[str, ...] | None = None
    no_rows: bool = False
    kind: str = "sequence_stores"
    columns: tuple[str, ...] = ()
    placeholders: tuple[str, ...] = ()
    parents: tuple[str, ...] | None = None
    filters: tuple[tuple[str, object], ...] = ()
    parent_filter: ParentFilter | None = None

    @property
    def definition(self) -> Resource:
        """The resource's declaration."""
        return DEFINITIONS[self.kind]


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
        The columns to fetch (canonical order) of the first reference's
        resource; each reference's own are :attr:`ResourceRef.columns`.
    placeholders
        Columns named only in a star's EXCLUDE list: not fetched, but present
        (as NULLs) so that DuckDB finds what the EXCLUDE names (the first
        reference's resource; each reference has its own).
    frames
        The local frames (pandas, pyarrow, polars) the query names.
    """

    sql: str
    duckdb_sql: str
    refs: tuple[ResourceRef, ...]
    columns: tuple[str, ...]
    placeholders: tuple[str, ...] = ()
    #: The local frames the query names, registered under these names.
    frames: tuple[str, ...] = ()
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


def plan_statement(sql: str, local: Container[str] = ()) -> SelectPlan | DeleteStatement:
    """Parse and check one statement and plan it.

    ``local`` holds the names of the frames the query may read besides the
    resources (:class:`~omics_magic.sql.frames.LocalFrames`).

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
    tables = check_tree(tree, RESOURCES, local)
    from sqlglot import exp

    if isinstance(tree, exp.Delete):
        return DeleteStatement(sql, tree)
    plan = _plan_select(sql, tree, tables)
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    frames = [
        t.name
        for t in tree.find_all(exp.Table)
        if len(t.parts) == 1 and t.name.lower() not in ctes and t.name in local
    ]
    return replace(plan, frames=tuple(dict.fromkeys(frames)))


def _resource(table: exp.Table) -> str:
    return ".".join(p.name.lower() for p in table.parts)


def _plan_select(sql: str, tree: exp.Expr, tables: list[exp.Table]) -> SelectPlan:
    from sqlglot import exp

    kinds: dict[str, list[exp.Table]] = {}
    for table in tables:
        kinds.setdefault(TABLES[_resource(table)][0].name, []).append(table)
    wanted = {
        kind: referenced_columns(tree, kind_tables, DEFINITIONS[kind])
        for kind, kind_tables in kinds.items()
    }
    relations: dict[tuple[object, ...], str] = {}
    refs: list[ResourceRef] = []
    edits: list[tuple[int, int, str]] = []
    by_table: dict[int, ResourceRef] = {}
    # Stores first: a read-sets reference's join filter names the stores' relation.
    for table in sorted(tables, key=lambda t: TABLES[_resource(t)][0].parent is not None):
        definition, singular = TABLES[_resource(table)]
        pushed: Pushdown = table_pushdown(table, definition)
        _check_singular(sql, table, definition, singular, pushed)
        joined = None
        if definition.parent is not None and not singular and pushed.parents is None:
            joined = parent_filter(table, tables, by_table, TABLES)
        columns, placeholders = wanted[definition.name]
        key = (
            definition.name,
            pushed.regions,
            pushed.identifiers,
            pushed.name,
            pushed.account_ids,
            pushed.no_rows,
            pushed.parents,
            pushed.filters,
            joined,
        )
        relation = relations.setdefault(key, _RELATION.format(len(relations)))
        ref = ResourceRef(
            _resource(table),
            relation,
            regions=pushed.regions,
            identifiers=pushed.identifiers,
            name=pushed.name,
            account_ids=pushed.account_ids,
            no_rows=pushed.no_rows,
            kind=definition.name,
            columns=columns,
            placeholders=placeholders,
            parents=pushed.parents,
            filters=pushed.filters,
            parent_filter=joined,
        )
        by_table[id(table)] = ref
        edits.append(_replace_table(sql, table, relation))
    if any(ref.parent_filter is not None for ref in by_table.values()):
        # The join filter reads the stores' region, ID and ARN (its account): fetch them
        # (the list call carries them, no other call is needed).
        for key_, ref in by_table.items():
            if ref.kind == SEQUENCE_STORES.name:
                keys = ("region", "sequence_store_id", "arn")
                columns = SEQUENCE_STORES.resolve_columns([*ref.columns, *keys])
                by_table[key_] = replace(ref, columns=columns)
    refs = [by_table[id(table)] for table in tables]  # text order

    unaliased = {_resource(t): t for t in tables if not t.alias}
    for column in tree.find_all(exp.Column):
        edits.extend(_column_edits(sql, column, unaliased, tables))
    # Every extra the relations hold, placeholders too, stays out of `*`.
    extras = {
        kind: [c for c in (*cols, *holders) if c in DEFINITIONS[kind].extra_columns]
        for kind, (cols, holders) in wanted.items()
    }
    if any(extras.values()):
        for star in tree.find_all(exp.Star):
            edits.extend(_star_edits(sql, star, tables, extras))
    first = wanted[refs[0].kind] if refs else referenced_columns(tree, [], SEQUENCE_STORES)
    return SelectPlan(
        sql=sql,
        duckdb_sql=_apply(sql, edits),
        refs=tuple(refs),
        columns=first[0],
        placeholders=first[1],
        positions=_positions(sql, tree),
    )


def _check_singular(
    sql: str, table: exp.Table, definition: Resource, singular: bool, pushed: Pushdown
) -> None:
    """A one-row table needs its identifier (and its parent's) as top-level AND conditions."""
    if not singular:
        return
    needs = []
    if definition.parent is not None and pushed.parents is None:
        needs.append(f"{definition.parent.key} = '<id>'")
    if pushed.identifiers is None:
        needs.append("data__Identifier = '<id>'")
    if not needs:
        return
    line, col = position(sql, table.parts[0])
    raise SQLError(
        f"{definition.sql_singular} (line {line}, column {col}) needs WHERE "
        f"{' AND '.join(needs)} (or IN (...)) as a top-level AND condition; to read every "
        f"{definition.noun} use {definition.sql_name}"
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
    sql: str, column: exp.Column, unaliased: dict[str, exp.Table], tables: list[exp.Table]
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
        text = _identifier_of(sql, column, tables)
        if isinstance(column.parent, exp.Select) and column.arg_key == "expressions":
            text += f" AS {sql[start:end]}"  # keep the name the query gave the column
        edits.append((start, end, text))
    return edits


def _identifier_of(sql: str, column: exp.Column, tables: list[exp.Table]) -> str:
    """The column ``data__Identifier`` stands for: its table's identifier column."""
    qualifier = column.table.lower()
    found = [t for t in tables if qualifier and reference_name(t) == qualifier]
    kinds = {TABLES[_resource(t)][0].identifier for t in (found or tables)}
    if len(kinds) == 1:
        return kinds.pop()
    line, col = position(sql, column.this)
    raise SQLError(
        f"data__Identifier (line {line}, column {col}) could be a store's or a read set's: "
        "qualify it with its table's name or alias (s.data__Identifier)"
    )


def _star_edits(
    sql: str, star: exp.Star, tables: list[exp.Table], extras_of: dict[str, list[str]]
) -> list[tuple[int, int, str]]:
    """Keep ``*`` to each resource's documented columns when extras were fetched by name."""
    from sqlglot import exp

    extras = sorted({e for found in extras_of.values() for e in found})

    holder: exp.Expression = star
    qualifier = None
    if isinstance(star.parent, exp.Column):
        holder = star.parent
        qualifier = star.parent.table.lower()
    select = holder.parent
    if not isinstance(select, exp.Select) or holder not in select.expressions:
        return []
    direct = [t for t in tables if t.parent and t.parent.parent is select]

    def extras_for(table: exp.Table) -> list[str]:
        return extras_of.get(TABLES[_resource(table)][0].name, [])

    if qualifier is not None:
        names = [e for t in direct if reference_name(t) == qualifier for e in extras_for(t)]
    else:
        names = [f"{reference_name(t)}.{e}" for t in direct for e in extras_for(t)]
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


def valid_columns_hint(kinds: Iterable[str] = ("sequence_stores",)) -> str:
    """The one-line list of columns of the query's resources, for unknown-column messages."""
    parts = []
    for kind in dict.fromkeys(kinds):
        definition = DEFINITIONS[kind]
        of = "" if len(set(kinds)) == 1 else f" of {definition.sql_name}"
        parts.append(
            f"valid columns{of} are: {', '.join(definition.default_columns)}; extra fields "
            f"(only when named): {', '.join(definition.extra_columns)}"
        )
    return "; ".join(parts) + "; and data__Identifier in WHERE"
