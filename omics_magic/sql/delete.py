"""The one DELETE the SQL front end runs: a single store, named by its ID.

``DELETE FROM aws.omics.sequence_store WHERE data__Identifier = '<id>' [AND region = '<r>']``
(or ``aws.omics.sequence_stores``). Anything wider, such as extra predicates,
OR, IN, a subquery, USING, RETURNING or LIMIT, is refused before any AWS call:
a SQL predicate that happens to match more stores than meant is exactly the
accident a delete must not allow. Several stores go through ``df.omics.delete()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..aws.accounts import AccountChoice
from ..errors import SQLError
from ..regions import resolve_regions, validate_identifier, validate_region
from .check import parse_one_statement
from .plan import SINGULAR, STORE_RESOURCES
from .pushdown import conjuncts

if TYPE_CHECKING:
    import boto3
    import pandas as pd
    from sqlglot import exp

__all__ = ["DeletePlan", "plan_delete", "run_delete"]

FORM = f"DELETE FROM {SINGULAR} WHERE data__Identifier = '<id>' [AND region = '<r>']"
HINT = (
    f"only `{FORM}` deletes from SQL; to delete several stores, select them into a frame "
    "and call df.omics.delete()"
)


@dataclass(frozen=True)
class DeletePlan:
    """What a DELETE statement asks to delete: one ID, maybe in one region."""

    identifier: str
    region: str | None = None


def _refuse(reason: str) -> SQLError:
    return SQLError(f"{reason}; {HINT}")


def plan_delete(statement: str | exp.Expr) -> DeletePlan:
    """Check a DELETE statement and return the store it names.

    Parameters
    ----------
    statement
        SQL text (one statement) or a statement already parsed by sqlglot.

    Raises
    ------
    SQLError
        Anything but the supported form, with a hint to use ``df.omics.delete()``.
    InvalidIdentifierError, UnknownRegionError
        A malformed ID or an unknown region.

    Examples
    --------
    >>> plan_delete(
    ...     "DELETE FROM aws.omics.sequence_store "
    ...     "WHERE data__Identifier = '1234567890' AND region = 'us-east-1'"
    ... )
    DeletePlan(identifier='1234567890', region='us-east-1')
    """
    from sqlglot import exp

    tree = parse_one_statement(statement) if isinstance(statement, str) else statement
    if not isinstance(tree, exp.Delete):
        raise _refuse(f"expected a DELETE statement, got {tree.key.upper()}")
    extra = [key for key, value in tree.args.items() if key not in ("this", "where") and value]
    if extra:
        raise _refuse(f"DELETE with {', '.join(k.upper().rstrip('_') for k in extra)} is refused")
    table = tree.this
    if not isinstance(table, exp.Table) or not _is_resource(table):
        raise _refuse(f"can't delete from {tree.this.sql() if tree.this else 'nothing'}")
    where = tree.args.get("where")
    if where is None:
        raise _refuse("a DELETE needs WHERE data__Identifier = '<id>'")
    qualifiers = {"", table.name.lower(), table.alias_or_name.lower()}
    found: dict[str, str] = {}
    for predicate in conjuncts(where.this):
        column, value = _equality(predicate, qualifiers)
        if column in found:
            raise _refuse(f"{column} is given twice")
        found[column] = value
    if "data__identifier" not in found:
        raise _refuse("a DELETE needs WHERE data__Identifier = '<id>'")
    region = found.get("region")
    return DeletePlan(
        validate_identifier(found["data__identifier"]),
        None if region is None else validate_region(region, exact=True),
    )


def run_delete(
    statement: str | exp.Expr,
    *,
    confirm: str | None = None,
    regions: str | Iterable[str] | None = None,
    dry_run: bool = False,
    session: boto3.Session | None = None,
    timeout: float | None = None,
    accounts: AccountChoice | None = None,
) -> pd.DataFrame:
    """Run a DELETE statement through :func:`~omics_magic.delete_sequence_store`.

    ``regions`` is where to look when the statement names no region (the
    magic's ``--region``/config; None means the configured default); ``accounts``
    the profiles and roles whose accounts to search. Returns the delete's report frame.
    """
    from ..delete.protocol import delete_sequence_store

    plan = plan_delete(statement)
    if plan.region is None:
        scope = resolve_regions(regions)
    else:
        scope = (plan.region,)
    chosen = accounts or AccountChoice()
    return delete_sequence_store(
        plan.identifier,
        scope,
        confirm=confirm,
        dry_run=dry_run,
        session=session,
        timeout=timeout,
        profiles=chosen.profiles,
        role_arns=chosen.role_arns,
        role_external_id=chosen.role_external_id,
        role_session_name=chosen.role_session_name,
    )


def _is_resource(table: exp.Table) -> bool:
    return ".".join(p.name for p in table.parts).lower() in STORE_RESOURCES


def _equality(node: exp.Expr, qualifiers: set[str]) -> tuple[str, str]:
    """``column = 'literal'`` (either way round) on data__Identifier or region."""
    from sqlglot import exp

    if not isinstance(node, exp.EQ):
        raise _refuse(f"the WHERE clause can't hold {node.sql()!r}")
    left, right = node.this.unnest(), node.expression.unnest()
    if isinstance(left, exp.Literal):
        left, right = right, left
    if not (
        isinstance(left, exp.Column)
        and not left.args.get("db")
        and left.table.lower() in qualifiers
        and left.name.lower() in ("data__identifier", "region")
        and isinstance(right, exp.Literal)
        and right.is_string
    ):
        raise _refuse(f"the WHERE clause can't hold {node.sql()!r}")
    return left.name.lower(), right.this
