"""Run a query: plan it, fetch what it needs, and let DuckDB answer it.

DuckDB runs in memory, sandboxed (:mod:`.sandbox`), so a query can't reach
anything but the fetched rows; its result becomes pandas in :mod:`.convert`
and its errors one line in :mod:`.failures`. Before any AWS call, the
query is bound against empty relations of the planned columns, so that every
error DuckDB can find up front (an unknown column, a wrong function) is raised
before anything is fetched. One deadline (``timeout``) covers the whole query,
fetches and SQL, and an interrupt stops both at once (:mod:`.execute`,
:mod:`omics_magic.workers`).
"""

from __future__ import annotations

import dataclasses
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..aws.accounts import AccountChoice
from ..errors import (
    FetchError,
    RegionFailureWarning,
    SQLError,
)
from ..failures import Failure, failure_note, failures_in, set_failures
from ..fetch.accounts import NOTES_ATTR
from ..fetch.options import FetchOptions
from ..regions import resolve_regions
from ..resources import RESOURCES
from ..workers import map_all
from .convert import check_result_types, to_pandas
from .describe import answer_catalog
from .execute import run_sql
from .failures import translate_duckdb_error
from .frames import LocalFrames
from .plan import DeleteStatement, ResourceRef, SelectPlan, plan_statement
from .quoted import fill_quoted_placeholders
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
    #: The resource's name (``sequence_stores``, ``read_sets``).
    resource: str = "sequence_stores"
    #: The list call's filter, as (key, value) pairs.
    filters: tuple[tuple[str, object], ...] = ()
    #: The parent IDs to read in every region, or (region, IDs) pairs; None: list them.
    parents: tuple[str, ...] | tuple[tuple[str, tuple[str, ...]], ...] | None = None


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
    frames: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Run one StackQL-style statement over the sequence stores.

    Parameters
    ----------
    sql
        One SELECT over ``aws.omics.sequence_store`` / ``aws.omics.sequence_stores``
        (or a DELETE of one store, ``DESCRIBE <resource>`` or ``SHOW RESOURCES``).
        ``{{name}}`` placeholders are filled from ``namespace`` as SQL literals.
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
        Where ``{{name}}`` placeholders are looked up; the pandas, pyarrow and
        polars frames in it may also be named in the query, like tables.
    max_concurrency
        Passed to the fetch engine.
    timeout
        Seconds the whole query may wait for the regions, however many
        relations it reads; regions still running then are reported as
        ``DeadlineExceeded``. For a DELETE, the delete's timeout.
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
    frames
        Local frames the query may name, ``{"sample_sheet": df}`` (pandas or
        polars DataFrames, pyarrow Tables), joined in memory with the resources.

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
    catalog = answer_catalog(sql)  # DESCRIBE <resource>, SHOW RESOURCES: no AWS call
    if catalog is not None:
        return catalog
    accounts = AccountChoice.of(profiles, role_arns, role_external_id, role_session_name)
    local = LocalFrames(frames, namespace)
    # '{{name}}' in quotes is the literal it was meant to be (or refused), never text.
    sql = fill_quoted_placeholders(sql, namespace)
    plan = plan_statement(render_template(sql, namespace), local)
    if isinstance(plan, DeleteStatement):
        return run_delete(
            plan,
            confirm=confirm,
            regions=regions,
            session=session,
            timeout=timeout,
            accounts=accounts,
        )
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
    # One cancel too: an interrupt stops every relation's fetch at once.
    options = dataclasses.replace(asked.started(), warn=False, cancel=threading.Event())
    from ..fetch.engine import fetch_frame
    from ..fetch.progress import Progress

    # Local frames as Arrow, now: a frame that can't be a table fails before any AWS call.
    tables = {name: local.arrow(name) for name in plan.frames}
    # One progress (and one summary line) for the whole query.
    tracker = Progress.auto(asked.progress)

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
            resource=RESOURCES[request.resource],
            filters=dict(request.filters),
            parents=_parents_argument(request.parents),
            accounts=accounts,
            account_ids=request.account_ids,
            progress=tracker,
        )

    try:
        result = execute_plan(
            plan,
            fetch,
            default_regions=configured,
            strict=asked.strict,
            options=options,
            frames=tables,
        )
    except FetchError as err:
        tracker.finish(err.errors)
        raise
    except BaseException:
        tracker.finish(stopped=True)
        raise
    failures = failures_in(result)
    tracker.finish(failures)
    if failures:
        warnings.warn(failure_note(failures), RegionFailureWarning, stacklevel=2)
    return result


def run_delete(
    statement: DeleteStatement,
    *,
    confirm: str | None,
    regions: str | Iterable[str] | None = None,
    session: boto3.Session | None = None,
    timeout: float | None = None,
    accounts: AccountChoice | None = None,
) -> pd.DataFrame:
    """Hand a DELETE to :func:`omics_magic.sql.delete.run_delete`.

    It checks the statement (one store by ``data__Identifier``, maybe with
    ``region``), previews it and deletes only with a matching ``confirm``;
    ``regions`` is where it looks when the statement names none.
    """
    from .delete import run_delete as run_delete_statement

    result: pd.DataFrame = run_delete_statement(
        statement.tree,
        confirm=confirm,
        regions=regions,
        session=session,
        timeout=timeout,
        accounts=accounts,
    )
    return result


def execute_plan(
    plan: SelectPlan,
    fetch: Callable[[FetchRequest], pd.DataFrame],
    *,
    default_regions: Sequence[str],
    strict: bool = False,
    options: FetchOptions | None = None,
    frames: Mapping[str, pa.Table] | None = None,
) -> pd.DataFrame:
    """Fetch each relation of ``plan`` with ``fetch`` and run the plan's SQL in DuckDB.

    ``frames`` are the local frames the plan names, registered under their
    names (explicitly: the sandbox does no replacement scans).

    ``fetch`` is called once per distinct pushdown, never for one that can
    match no row, and only after the SQL has bound against empty relations.
    Several relations are fetched at once, from worker threads; an interrupt
    sets ``options.cancel``, which ``fetch`` must honour (``fetch_frame``
    does). A relation with a join filter (read sets joined to stores) is
    fetched after the stores' relation, for the stores that pass it only.
    The SQL runs until ``options.deadline`` (:mod:`.execute`).
    """
    import duckdb

    from ..fetch.engine import ACCOUNTS_ATTR, REGIONS_ATTR

    connection = sandbox_connection()
    try:
        local_columns = [c for table in (frames or {}).values() for c in table.column_names]
        for name, table in (frames or {}).items():
            connection.register(name, table)
        for relation, ref in plan.relations.items():
            names = _names(ref)
            connection.register(relation, _arrow(ref, ref.definition.frame([], names), names))
        try:
            bound = connection.sql(plan.duckdb_sql)  # binds (and checks) without running
        except duckdb.Error as err:
            raise translate_duckdb_error(err, plan, local_columns) from None
        check_result_types(bound)

        wanted = {r: ref for r, ref in plan.relations.items() if not ref.no_rows}
        first = {r: ref for r, ref in wanted.items() if ref.parent_filter is None}
        seen = _Seen()
        cancel = (options.cancel if options is not None else None) or threading.Event()
        _fetch_into(connection, first, fetch, default_regions, seen, cancel)
        joined = {}
        for relation, ref in wanted.items():
            if ref.parent_filter is not None:
                stores = _parent_stores(connection, ref, per_account=seen.several_accounts)
                joined[relation] = replace(ref, parents=None, parent_filter=None), stores
        _fetch_into(connection, joined, fetch, default_regions, seen, cancel)
        errors = _unique(seen.errors)
        if strict and errors:
            raise FetchError(failure_note(errors, detail=True, then=None, audience=None), errors)
        try:
            table = run_sql(
                connection,
                plan.duckdb_sql,
                deadline=None if options is None else options.deadline,
                timeout=None if options is None else options.timeout,
            )
        except duckdb.Error as err:
            raise translate_duckdb_error(err, plan, local_columns) from None
    finally:
        connection.close()
    result = to_pandas(table)
    set_failures(result, errors)
    result.attrs[REGIONS_ATTR] = list(seen.asked)
    if seen.several_accounts:  # say which
        result.attrs[ACCOUNTS_ATTR] = [dict(account) for account in seen.accounts if account]
    seen.stamp_freshness(result)
    if seen.notes:
        result.attrs[NOTES_ATTR] = list(seen.notes)
    return result


@dataclass
class _Seen:
    """What the fetches of one query reported: failures, notes, regions and accounts asked."""

    errors: list[Failure] = field(default_factory=list)
    notes: dict[str, None] = field(default_factory=dict)
    asked: dict[str, None] = field(default_factory=dict)  # the regions asked, in order
    accounts: dict[tuple[tuple[str, Any], ...] | None, None] = field(default_factory=dict)
    fetched_at: list[str] = field(default_factory=list)  # fetched_at_text, oldest sorts first
    cached: bool = False

    @property
    def several_accounts(self) -> bool:
        """Whether the fetches asked several accounts (profiles or roles), not one session."""
        return bool(self.accounts) and None not in self.accounts

    def add(self, fetched: pd.DataFrame) -> None:
        from ..fetch.engine import ACCOUNTS_ATTR, CACHED_ATTR, FETCHED_AT_ATTR, REGIONS_ATTR

        self.errors.extend(failures_in(fetched))
        if FETCHED_AT_ATTR in fetched.attrs:
            self.fetched_at.append(fetched.attrs[FETCHED_AT_ATTR])
        self.cached = self.cached or bool(fetched.attrs.get(CACHED_ATTR))
        self.notes.update(dict.fromkeys(fetched.attrs.get(NOTES_ATTR) or []))
        self.asked.update(dict.fromkeys(fetched.attrs.get(REGIONS_ATTR) or []))
        for account in fetched.attrs.get(ACCOUNTS_ATTR, [None]):
            self.accounts.setdefault(None if account is None else tuple(account.items()))

    def stamp_freshness(self, result: pd.DataFrame) -> None:
        """The result is as old as the oldest data it was computed from."""
        import time

        from ..fetch.engine import CACHED_ATTR, FETCHED_AT_ATTR, fetched_at_text

        oldest = min(self.fetched_at) if self.fetched_at else fetched_at_text(time.time())
        result.attrs[FETCHED_AT_ATTR] = oldest
        result.attrs[CACHED_ATTR] = self.cached


def _names(ref: ResourceRef) -> tuple[str, ...]:
    return ref.definition.resolve_columns([*ref.columns, *ref.placeholders])


def _request(
    ref: ResourceRef,
    default_regions: Sequence[str],
    stores: dict[Any, tuple[str, ...]] | None = None,
) -> FetchRequest:
    regions = ref.regions if ref.regions is not None else tuple(default_regions)
    parents: Any = ref.parents
    if stores is not None:  # the join's stores: only their regions (accounts), only them
        # A place is a region, or (account, region) over several accounts.
        by_region = [
            (place, ids)
            for region in regions
            for place, ids in stores.items()
            if (place[1] if isinstance(place, tuple) else place) == region
        ]
        parents = tuple(by_region)
        regions = tuple(dict.fromkeys(p[1] if isinstance(p, tuple) else p for p, _ in by_region))
    return FetchRequest(
        regions=regions,
        columns=ref.columns,
        identifiers=ref.identifiers,
        name=ref.name,
        account_ids=ref.account_ids,
        resource=ref.kind,
        filters=ref.filters,
        parents=parents,
    )


def _fetch_into(
    connection: Any,
    relations: Mapping[str, Any],
    fetch: Callable[[FetchRequest], pd.DataFrame],
    default_regions: Sequence[str],
    seen: _Seen,
    cancel: threading.Event,
) -> None:
    """Fetch ``relations`` (relation -> ref, or (ref, stores)) at once and register them."""
    import pandas as pd

    refs, requests = {}, {}
    for relation, value in relations.items():
        ref, stores = value if isinstance(value, tuple) else (value, None)
        request = _request(ref, default_regions, stores)
        refs[relation] = ref
        if request.regions:
            requests[relation] = request
    fetched_all = map_all(fetch, list(requests.values()), name="relation", cancel=cancel)
    for relation, fetched in zip(requests, fetched_all, strict=True):
        ref = refs[relation]
        seen.add(fetched)
        if ref.placeholders:
            nulls = ref.definition.frame([{}] * len(fetched), ref.placeholders)
            fetched = pd.concat([fetched, nulls.set_axis(fetched.index)], axis=1)
        names = _names(ref)
        connection.unregister(relation)
        connection.register(relation, _arrow(ref, fetched, names))


def _parent_stores(
    connection: Any, ref: ResourceRef, *, per_account: bool = False
) -> dict[Any, tuple[str, ...]]:
    """The stores (fetched already) that pass the join's conditions on them: region ->
    IDs, or, over several accounts (``per_account``), (account, region) -> IDs, so that
    each store's read sets are listed in its own account only."""
    import duckdb

    from ..aws.accounts import account_of_arn

    assert ref.parent_filter is not None
    try:
        rows = connection.sql(ref.parent_filter.sql()).fetchall()
    except duckdb.Error:
        # A condition DuckDB reads differently on its own: every fetched store, then.
        rows = connection.sql(replace(ref.parent_filter, conditions=()).sql()).fetchall()
    found = [(account_of_arn(arn), region, store) for region, store, arn in rows]
    found = [row for row in found if row[1] is not None and row[2] is not None]
    by_account = per_account and all(account is not None for account, _, _ in found)
    stores: dict[Any, list[str]] = {}
    for account, region, store in found:
        ids = stores.setdefault((account, region) if by_account else region, [])
        if store not in ids:
            ids.append(store)
    return {place: tuple(sorted(ids)) for place, ids in stores.items()}


def _parents_argument(parents: Any) -> Any:
    """FetchRequest.parents as fetch_frame takes it (pairs -> region -> IDs)."""
    if parents and isinstance(parents[0], tuple):
        return dict(parents)
    return parents


def _arrow(ref: ResourceRef, df: pd.DataFrame, names: Sequence[str]) -> pa.Table:
    import pyarrow as pa

    selected = df[list(names)]
    selected.attrs = {}  # pyarrow would put them in the schema's metadata, as JSON
    schema = ref.definition.arrow_schema(names)
    return pa.Table.from_pandas(selected, schema=schema, preserve_index=False)


def _unique(errors: list[Failure]) -> list[Failure]:
    """One record per failed region (and account, resource): relations that read the same
    region report its failure once, with the first relation's message."""
    seen: dict[tuple[object, ...], Failure] = {}
    for e in errors:
        key = (e.region, e.kind, e.code, e.account_id, e.via, e.resource, e.sequence_store_id)
        seen.setdefault(key, e)
    return list(seen.values())
