"""Join pushdown: read sets listed only for the stores a join lets through.

In ``FROM aws.omics.sequence_stores s JOIN aws.omics.read_sets r ON
r.sequence_store_id = s.sequence_store_id WHERE s.tags['team'] = 'genomics'``
a read set can only be in the answer if its store passes the conditions on
``s`` alone. So the stores are fetched first, those conditions are run over
them in DuckDB, and read sets are listed only for the stores that pass (and
never with a second ListSequenceStores), as Steampipe passes key-column
qualifiers across a join. DuckDB still runs the whole query over what was
fetched, so the answer can't change.

Only what surely can't change the answer is pushed: an inner join (``JOIN``,
``INNER JOIN``, or a comma join) of the two tables in the same SELECT, whose
ON (or WHERE) holds ``r.sequence_store_id = s.sequence_store_id`` as a
top-level AND condition, and only the top-level AND conditions whose every
column is qualified by the stores' table and that read no subquery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .pushdown import PSEUDO_IDENTIFIER, conjuncts, reference_name

if TYPE_CHECKING:
    from sqlglot import exp

__all__ = ["PARENT_ALIAS", "ParentFilter", "parent_filter"]

PARENT_ALIAS = "__omics_parent"


@dataclass(frozen=True)
class ParentFilter:
    """Which stores a read-sets relation is listed for: a query over the stores' relation.

    Attributes
    ----------
    relation
        The relation of the stores' reference (fetched first).
    conditions
        DuckDB SQL over ``__omics_parent`` (the stores' relation): the
        conditions on the stores alone, ANDed; empty means every fetched store.
    """

    relation: str
    conditions: tuple[str, ...] = ()

    def sql(self) -> str:
        """``SELECT DISTINCT region, sequence_store_id, arn`` of the stores that pass."""
        where = " AND ".join(f"({c})" for c in self.conditions)
        return (
            f"SELECT DISTINCT region, sequence_store_id, arn FROM {self.relation} "
            f"AS {PARENT_ALIAS}" + (f" WHERE {where}" if where else "")
        )


def parent_filter(
    table: exp.Table,
    tables: list[exp.Table],
    planned: Mapping[int, Any],
    kinds: Mapping[str, tuple[Any, bool]],
) -> ParentFilter | None:
    """The join filter of a read-sets ``table`` joined to a planned stores table, or None.

    ``planned`` maps ``id(table)`` to its :class:`~.plan.ResourceRef` (stores are
    planned first); ``kinds`` maps SQL table names to (resource, singular).
    """
    definition = kinds[_name(table)][0]
    assert definition.parent is not None
    key = definition.parent.key
    select = _select_of(table)
    if select is None or not _inner(table):
        return None
    for other in tables:
        if other is table or _select_of(other) is not select or id(other) not in planned:
            continue
        if kinds[_name(other)][0].name != definition.parent.resource or not _inner(other):
            continue
        ours, theirs = reference_name(table), reference_name(other)
        if ours == theirs:
            continue
        on = [c for join in select.args.get("joins") or [] for c in conjuncts(join.args.get("on"))]
        where = select.args.get("where")
        candidates = on + conjuncts(where.this if where else None)
        if not any(_joins_on(c, ours, theirs, key) for c in candidates):
            continue
        conditions = []
        for candidate in candidates:
            text = _only_about(candidate, theirs)
            if text is not None:
                conditions.append(text)
        ref = planned[id(other)]
        if ref.no_rows:
            return None  # nothing to join: the engine fetches nothing for either side
        return ParentFilter(ref.relation, tuple(conditions))
    return None


def _name(table: exp.Table) -> str:
    return ".".join(p.name.lower() for p in table.parts)


def _select_of(table: exp.Table) -> exp.Select | None:
    from sqlglot import exp

    parent = table.parent
    if isinstance(parent, (exp.From, exp.Join)) and isinstance(parent.parent, exp.Select):
        return parent.parent
    return None


def _inner(table: exp.Table) -> bool:
    """The table is the FROM, or joined by an inner join (no side, no method)."""
    from sqlglot import exp

    parent = table.parent
    if isinstance(parent, exp.From):
        select = parent.parent
        if select is None:
            return False
        # A RIGHT or FULL join in the same SELECT keeps rows the conditions don't see.
        return not any(
            str(j.args.get("side") or "").upper() in ("RIGHT", "FULL")
            for j in select.args.get("joins") or []
        )
    if not isinstance(parent, exp.Join):
        return False
    side = str(parent.args.get("side") or "").upper()
    kind = str(parent.args.get("kind") or "").upper()
    method = str(parent.args.get("method") or "").upper()
    return not side and kind in ("", "INNER", "CROSS") and not method


def _joins_on(condition: exp.Expr, ours: str, theirs: str, key: str) -> bool:
    from sqlglot import exp

    if not isinstance(condition, exp.EQ):
        return False
    sides = [condition.args["this"], condition.args["expression"]]
    if not all(isinstance(s, exp.Column) for s in sides):
        return False
    found = {
        (s.table.lower(), s.name.lower() if s.name.lower() != PSEUDO_IDENTIFIER else None)
        for s in sides
    }
    return found == {(ours, key), (theirs, key)} or found == {(ours, key), (theirs, None)}


def _only_about(condition: exp.Expr, theirs: str) -> str | None:
    """The condition as SQL over the parent alias, if it reads only the stores' table."""
    from sqlglot import exp

    if condition.find(exp.Subquery, exp.Select, exp.AggFunc, exp.Window, exp.Placeholder):
        return None
    columns = list(condition.find_all(exp.Column))
    if not columns or any(c.table.lower() != theirs or c.args.get("db") for c in columns):
        return None
    copied = condition.copy()
    for column in copied.find_all(exp.Column):
        name = column.name
        if name.lower() == PSEUDO_IDENTIFIER:
            name = "sequence_store_id"
        column.replace(exp.column(name, table=PARENT_ALIAS, quoted=True))
    try:
        return str(copied.sql("duckdb"))
    except Exception:  # noqa: BLE001 - a condition sqlglot can't write back is not pushed
        return None
