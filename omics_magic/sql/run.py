"""Run a query: plan it, fetch what it needs, and let DuckDB answer it.

DuckDB runs in memory, sandboxed (:mod:`.sandbox`), so a query can't reach
anything but the fetched rows; its result becomes pandas in :mod:`.convert`
and its errors one line in :mod:`.failures`. Before any AWS call, the
query is bound against empty relations of the planned columns, so that every
error DuckDB can find up front (an unknown column, a wrong function) is raised
before anything is fetched.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..aws.accounts import AccountChoice
from ..columns import arrow_schema, frame, resolve_columns
from ..errors import (
    FetchError,
    RegionFailureWarning,
    SQLError,
)
from ..failures import Failure, failure_note, failures_in, set_failures
from ..fetch.accounts import NOTES_ATTR
from ..fetch.options import FetchOptions
from ..regions import resolve_regions
from .convert import check_result_types, result_table, to_pandas
from .failures import translate_duckdb_error
from .plan import DeleteStatement, SelectPlan, plan_statement
from .sandbox import sandbox_connection
from .templates import render_template

if TYPE_CHECKING:
    import boto3
    import pandas as pd
    import pyarrow as pa

__all__ = ["FetchRequest", "execute_plan", "run_delete", "run_query"]


@dataclass(frozen=True)
class FetchRequest:
    """One fetch: the engine's ``fetch_frame`` arguments for one relation."""

    regions: tuple[str, ...]
    columns: tuple[str, ...]
    identifiers: tuple[str, ...] | None = None
    name: str | None = None
    account_ids: tuple[str, ...] | None = None


def run_query(
    sql: str,
    *,
    regions: str | Iterable[str] | None = None,
    session: boto3.Session | None = None,
    strict: bool = False,
    progress: bool | None = None,
    namespace: Mapping[str, Any] | None = None,
    max_concurrency: int | None = None,
    timeout: float | None = None,
    confirm: str | None = None,
    cache_ttl: float | None = None,
    refresh: bool = False,
    profiles: Iterable[str] | None = None,
    role_arns: Iterable[str] | None = None,
    role_external_id: str | None = None,
    role_session_name: str | None = None,
) -> pd.DataFrame:
    """Run one StackQL-style statement over the sequence stores.

    Parameters
    ----------
    sql
        One SELECT over ``aws.omics.sequence_store`` / ``aws.omics.sequence_stores``
        (or a DELETE of one store). ``{{name}}`` placeholders are filled from
        ``namespace`` as SQL literals.
    regions
        The regions to read when the query doesn't pick them with ``region =``
        or ``IN``; None means the default (``$OMICS_MAGIC_REGIONS`` or all).
    session
        A ``boto3.Session``; None means the default credential chain.
    strict
        Raise :class:`FetchError` if any region fails, instead of noting it in
        ``attrs["omics_errors"]``.
    progress
        Show a progress bar (None: only when it helps).
    namespace
        Where ``{{name}}`` placeholders are looked up.
    max_concurrency
        Passed to the fetch engine.
    timeout
        Seconds the whole query may wait for the regions, however many
        relations it reads; regions still running then are reported as
        ``DeadlineExceeded``.
    confirm
        For DELETE only: the store ID confirming the delete.
    cache_ttl
        Seconds fetched data may be reused from the session's result cache
        (None: ``$OMICS_MAGIC_CACHE_TTL``, else 300; 0: off).
    refresh
        Go to AWS even if the cache could answer, and keep the fresh answer.
    profiles, role_arns, role_external_id, role_session_name
        The accounts to query, as in :func:`omics_magic.sequence_stores`;
        ``account_id =``/``IN`` in the WHERE picks among them.

    Returns
    -------
    pandas.DataFrame
        The query's result with its own column names; maps and structs as
        dicts, timestamps tz-aware UTC; per-region failures in
        ``attrs["omics_errors"]``; ``attrs["omics_fetched_at"]`` is when the
        oldest data it used was fetched (UTC), ``attrs["omics_cached"]`` whether
        any came from the cache.

    Examples
    --------
    >>> df = run_query(  # doctest: +SKIP
    ...     "SELECT region, count(*) AS n FROM aws.omics.sequence_stores GROUP BY region"
    ... )
    """
    if not isinstance(sql, str):
        raise SQLError(
            f"the query must be SQL text (a str), not {type(sql).__name__}; e.g. "
            "run_query('SELECT * FROM aws.omics.sequence_stores')"
        )
    accounts = AccountChoice.of(profiles, role_arns, role_external_id, role_session_name)
    plan = plan_statement(render_template(sql, namespace))
    if isinstance(plan, DeleteStatement):
        return run_delete(plan, confirm=confirm, regions=regions, session=session)
    if confirm is not None:
        raise SQLError("a confirmation only applies to DELETE statements; drop --confirm")
    configured = resolve_regions(regions)
    asked = FetchOptions(
        strict=strict,
        progress=progress,
        timeout=timeout,
        max_concurrency=max_concurrency,
        cache_ttl=cache_ttl,
        refresh=refresh,
    )
    # One deadline for the whole query, however many relations it fetches, and one
    # warning for the whole query (below), not one per fetch.
    options = dataclasses.replace(asked.started(), warn=False)
    from ..fetch.engine import fetch_frame

    def fetch(request: FetchRequest) -> pd.DataFrame:
        from ..aws.clients import resolve_session

        nonlocal session
        session = resolve_session(session)
        return fetch_frame(
            request.regions,
            columns=request.columns,
            identifiers=request.identifiers,
            name=request.name,
            session=session,
            options=options,
            accounts=accounts,
            account_ids=request.account_ids,
        )

    result = execute_plan(plan, fetch, default_regions=configured, strict=asked.strict)
    failures = failures_in(result)
    if failures:
        warnings.warn(failure_note(failures), RegionFailureWarning, stacklevel=2)
    return result


def run_delete(
    statement: DeleteStatement,
    *,
    confirm: str | None,
    regions: str | Iterable[str] | None = None,
    session: boto3.Session | None = None,
) -> pd.DataFrame:
    """Hand a DELETE to :func:`omics_magic.sql.delete.run_delete`.

    It checks the statement (one store by ``data__Identifier``, maybe with
    ``region``), previews it and deletes only with a matching ``confirm``;
    ``regions`` is where it looks when the statement names none.
    """
    from .delete import run_delete as run_delete_statement

    result: pd.DataFrame = run_delete_statement(
        statement.tree, confirm=confirm, regions=regions, session=session
    )
    return result


def execute_plan(
    plan: SelectPlan,
    fetch: Callable[[FetchRequest], pd.DataFrame],
    *,
    default_regions: Sequence[str],
    strict: bool = False,
) -> pd.DataFrame:
    """Fetch each relation of ``plan`` with ``fetch`` and run the plan's SQL in DuckDB.

    ``fetch`` is called once per distinct pushdown, never for one that can
    match no row, and only after the SQL has bound against empty relations.
    Several relations are fetched at once, from worker threads.
    """
    import duckdb
    import pandas as pd

    from ..fetch.engine import ACCOUNTS_ATTR, REGIONS_ATTR

    names = resolve_columns([*plan.columns, *plan.placeholders])
    connection = sandbox_connection()
    try:
        for relation in plan.relations:
            connection.register(relation, _arrow(frame([], names), names))
        try:
            bound = connection.sql(plan.duckdb_sql)  # binds (and checks) without running
        except duckdb.Error as err:
            raise translate_duckdb_error(err, plan) from None
        check_result_types(bound)

        requests = {
            relation: FetchRequest(
                regions=ref.regions if ref.regions is not None else tuple(default_regions),
                columns=plan.columns,
                identifiers=ref.identifiers,
                name=ref.name,
                account_ids=ref.account_ids,
            )
            for relation, ref in plan.relations.items()
            if not ref.no_rows
        }
        errors: list[Failure] = []
        notes: dict[str, None] = {}
        asked: dict[str, None] = {}  # the regions the fetches asked, in order
        accounts: dict[tuple[tuple[str, Any], ...] | None, None] = {}  # and the accounts
        fetched_all = _fetch_all(fetch, list(requests.values()))
        for relation, fetched in zip(requests, fetched_all, strict=True):
            errors.extend(failures_in(fetched))
            notes.update(dict.fromkeys(fetched.attrs.get(NOTES_ATTR) or []))
            asked.update(dict.fromkeys(fetched.attrs.get(REGIONS_ATTR) or []))
            for account in fetched.attrs.get(ACCOUNTS_ATTR, [None]):
                accounts.setdefault(None if account is None else tuple(account.items()))
            if plan.placeholders:
                nulls = frame([{}] * len(fetched), plan.placeholders).set_axis(fetched.index)
                fetched = pd.concat([fetched, nulls], axis=1)
            connection.unregister(relation)
            connection.register(relation, _arrow(fetched, names))
        errors = _unique(errors)
        if strict and errors:
            raise FetchError(failure_note(errors, detail=True, then=None, audience=None), errors)
        try:
            table = result_table(connection.sql(plan.duckdb_sql))
        except duckdb.Error as err:
            raise translate_duckdb_error(err, plan) from None
    finally:
        connection.close()
    result = to_pandas(table)
    set_failures(result, errors)
    result.attrs[REGIONS_ATTR] = list(asked)
    if accounts and None not in accounts:  # several accounts were asked: say which
        result.attrs[ACCOUNTS_ATTR] = [dict(account) for account in accounts if account]
    _carry_freshness(result, fetched_all)
    if notes:
        result.attrs[NOTES_ATTR] = list(notes)
    return result


def _carry_freshness(result: pd.DataFrame, fetched: Sequence[pd.DataFrame]) -> None:
    """The result is as old as the oldest data it was computed from."""
    import pandas as pd

    from ..fetch.engine import CACHED_ATTR, FETCHED_AT_ATTR

    times = [f.attrs[FETCHED_AT_ATTR] for f in fetched if FETCHED_AT_ATTR in f.attrs]
    result.attrs[FETCHED_AT_ATTR] = min(times) if times else pd.Timestamp.now(tz="UTC")
    result.attrs[CACHED_ATTR] = any(f.attrs.get(CACHED_ATTR) for f in fetched)


def _fetch_all(
    fetch: Callable[[FetchRequest], pd.DataFrame], requests: list[FetchRequest]
) -> list[pd.DataFrame]:
    """Fetch the relations at once: a slow region then costs one timeout, not one per relation."""
    if len(requests) <= 1:
        return [fetch(request) for request in requests]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(requests), thread_name_prefix="omics-relation") as pool:
        return list(pool.map(fetch, requests))


def _arrow(df: pd.DataFrame, names: Sequence[str]) -> pa.Table:
    import pyarrow as pa

    selected = df[list(names)]
    selected.attrs = {}  # pyarrow would put them in the schema's metadata, as JSON
    return pa.Table.from_pandas(selected, schema=arrow_schema(names), preserve_index=False)


def _unique(errors: list[Failure]) -> list[Failure]:
    """One record per failed region (and account, resource): relations that read the same
    region report its failure once, with the first relation's message."""
    seen: dict[tuple[object, ...], Failure] = {}
    for e in errors:
        seen.setdefault((e.region, e.kind, e.code, e.account_id, e.via, e.resource), e)
    return list(seen.values())
