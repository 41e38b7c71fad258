"""Every sequence store across regions, as one typed DataFrame.

All regions are fetched at once, one thread each; within a region, pages come
in sequence and per-store calls run concurrently, paced under the region's
quotas (:mod:`omics_magic.aws.pacing`). Only the calls the requested columns need
are made: ListTagsForResource for ``tags``, GetSequenceStore for the extras
that ListSequenceStores doesn't carry.

A region that fails never costs another its rows. Failures are listed in
``df.attrs["omics_errors"]`` (one :class:`~omics_magic.failures.Failure` per
failed region, as a dict: ``{"region", "code", "message", "kind"}``), reported once as a
:class:`~omics_magic.errors.RegionFailureWarning`, or raised as
:class:`~omics_magic.errors.FetchError` with ``strict=True``. What a failure
costs a region is described in :mod:`omics_magic.fetch.region`.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..aws.accounts import (
    ALL_REGIONS,
    AccountChoice,
    AccountSession,
    account_failure,
    account_sessions,
    check_account_ids,
)
from ..aws.clients import check_credentials, epoch, omics_client
from ..aws.pacing import Burst, Rate, operation_pacer
from ..errors import AmbiguousStoreError, CredentialsError, InputError
from ..failures import ERRORS_ATTR, Failure, set_failures
from ..regions import resolve_regions, validate_identifier
from ..resources import RESOURCES, SEQUENCE_STORES, Resource
from ..workers import DaemonPool, wait_for
from .accounts import ACCOUNTS_ATTR, NOTES_ATTR, Reached, reach_accounts
from .cached import RegionCache
from .calls import RegionCalls
from .children import fetch_children
from .options import FetchOptions, check_timeout
from .progress import Progress
from .region import Plan, RegionResult, fetch_region
from .report import report_failures
from .skipped import remember, skipped

if TYPE_CHECKING:
    import boto3

__all__ = [
    "ACCOUNTS_ATTR",
    "CACHED_ATTR",
    "ERRORS_ATTR",
    "FETCHED_AT_ATTR",
    "NOTES_ATTR",
    "REGIONS_ATTR",
    "FetchOptions",
    "check_timeout",
    "fetch_frame",
    "sequence_store",
    "sequence_stores",
    "stamp_freshness",
]

REGIONS_ATTR = "omics_regions"
FETCHED_AT_ATTR = "omics_fetched_at"
CACHED_ATTR = "omics_cached"
#: Default bound on requests in flight: enough per region to keep its paced calls
#: flowing at a few hundred ms of latency, capped so that unpaced fetches over
#: many regions stay polite.
PER_REGION_CONCURRENCY = 16
MAX_NAME = 127  # the API's limit on a store name
MAX_DEFAULT_CONCURRENCY = 128


def sequence_stores(
    regions: str | Iterable[str] | None = None,
    *,
    session: boto3.Session | None = None,
    columns: Iterable[str] | None = None,
    strict: bool = False,
    progress: bool | None = None,
    timeout: float | None = None,
    max_concurrency: int | None = None,
    rate: Rate = "auto",
    name: str | None = None,
    burst: Burst = "auto",
    cache_ttl: float | None = None,
    refresh: bool = False,
    profiles: Iterable[str] | None = None,
    role_arns: Iterable[str] | None = None,
    role_external_id: str | None = None,
    role_session_name: str | None = None,
) -> pd.DataFrame:
    """Every sequence store in ``regions``, one row each.

    Parameters
    ----------
    regions
        Region names; None means ``$OMICS_MAGIC_REGIONS`` (comma-separated) if set,
        else every region where botocore lists omics.
    session
        The boto3 session; None uses the default credential chain (``AWS_PROFILE``...).
    columns
        Column names; None means the nine documented ones. Extras (status, s3_uri,
        ...) come only when named, after the nine.
    strict
        Raise :class:`FetchError` naming every failed region instead of warning.
    progress
        Show a progress bar over regions; None shows one in a notebook for more
        than one region.
    timeout
        Seconds each region may take; a region still running then is reported as
        ``unavailable`` (code ``DeadlineExceeded``). None (or inf) waits for every region.
    max_concurrency
        Requests in flight at once, over all regions (default 16 per region, at most 128).
    rate
        Requests per second per region and operation: ``"auto"`` is
        ``$OMICS_MAGIC_TPS``, else AWS's default quota of 5; ``None`` or 0 turn pacing off.
    name
        Only stores with exactly this name.
    burst
        Calls the quota lets through at once, per region and operation: ``"auto"`` is
        ``$OMICS_MAGIC_BURST``, else learned from the first throttled call (see
        :mod:`omics_magic.aws.pacing`); a whole number for a raised quota whose burst
        is known, 1 for a quota that banks none.
    cache_ttl
        Seconds a previous fetch's data may be reused instead of calling AWS (the
        session's result cache, :mod:`omics_magic.fetch.cache`); None is
        ``$OMICS_MAGIC_CACHE_TTL``, else 300; 0 turns the cache off.
    refresh
        Go to AWS even if the cache could answer, and keep the fresh answer.
    profiles
        AWS profiles whose accounts to query, e.g. ``["dev", "prod"]``. Every
        (account, region) is fetched at once; an account reached by two
        profiles is fetched once (``df.attrs["omics_notes"]`` says so).
    role_arns
        IAM roles to assume (STS AssumeRole from ``session``, or the default
        chain) and query; with ``role_arns`` alone only the roles' accounts
        are queried. Their credentials renew by themselves during a long fetch.
    role_external_id
        The ``ExternalId`` the roles' trust policy requires, if any.
    role_session_name
        The ``RoleSessionName`` shown in CloudTrail (default ``omics-magic``).

    Returns
    -------
    pandas.DataFrame
        Rows ordered by account (as given), region (as given), creation time, ID.
        ``df.attrs["omics_errors"]`` lists failed regions as
        ``{"region", "code", "message", "kind"}`` (with ``account_id`` and
        ``via``, the profile or role, over several accounts; ``region`` is
        ``"*"`` for an account that could not be reached at all).
        ``df.attrs["omics_fetched_at"]`` is when its oldest data was fetched (UTC).

    Raises
    ------
    InputError
        Unknown region or column, or a bad argument, before any call.
    CredentialsError
        No usable AWS credentials, before any call.
    FetchError
        With ``strict=True``, if any region failed.

    Examples
    --------
    >>> import omics_magic
    >>> df = omics_magic.sequence_stores(["us-east-1", "eu-west-2"])      # doctest: +SKIP
    >>> df = omics_magic.sequence_stores(columns=["name", "s3_uri"])      # doctest: +SKIP
    >>> df.attrs["omics_errors"]                                          # doctest: +SKIP
    [{'region': 'eu-west-2', 'code': 'UnrecognizedClientException', ...}]
    >>> df = omics_magic.sequence_stores(                                 # doctest: +SKIP
    ...     profiles=["dev", "prod"], columns=["account_id", "region", "name"])
    """
    options = FetchOptions(
        strict=strict,
        progress=progress,
        timeout=timeout,
        max_concurrency=max_concurrency,
        rate=rate,
        burst=burst,
        cache_ttl=cache_ttl,
        refresh=refresh,
    )
    accounts = AccountChoice.of(profiles, role_arns, role_external_id, role_session_name)
    return fetch_frame(
        resolve_regions(regions),
        columns=columns,
        name=name,
        session=session,
        options=options,
        accounts=accounts,
    )


def sequence_store(
    identifier: str,
    region: str | Iterable[str] | None = None,
    *,
    session: boto3.Session | None = None,
    columns: Iterable[str] | None = None,
    strict: bool = False,
    timeout: float | None = None,
    rate: Rate = "auto",
    burst: Burst = "auto",
    cache_ttl: float | None = None,
    refresh: bool = False,
    profiles: Iterable[str] | None = None,
    role_arns: Iterable[str] | None = None,
    role_external_id: str | None = None,
    role_session_name: str | None = None,
) -> pd.DataFrame:
    """The sequence store ``identifier``: a frame of 0 or 1 rows.

    Arguments are as in :func:`sequence_stores`. With ``region=None`` it asks
    every configured region at once (one GetSequenceStore each). A region that
    doesn't have the store is not an
    error; a region that fails is reported as in :func:`sequence_stores`.
    ``profiles`` and ``role_arns`` choose the accounts to ask, as there.

    Raises
    ------
    InvalidIdentifierError
        If ``identifier`` is not 10 to 36 digits, before any call.
    AmbiguousStoreError
        If more than one region has a store with this ID.

    Examples
    --------
    >>> import omics_magic
    >>> omics_magic.sequence_store("1234567890", "us-east-1")  # doctest: +SKIP
    """
    identifier = validate_identifier(identifier)
    options = FetchOptions(
        strict=strict,
        progress=False,
        timeout=timeout,
        rate=rate,
        burst=burst,
        cache_ttl=cache_ttl,
        refresh=refresh,
    )
    accounts = AccountChoice.of(profiles, role_arns, role_external_id, role_session_name)
    df = fetch_frame(
        resolve_regions(region),
        columns=columns,
        identifiers=[identifier],
        session=session,
        options=options,
        accounts=accounts,
    )
    if len(df) > 1:
        found = ", ".join(map(str, df["region"])) if "region" in df else f"{len(df)} regions"
        raise AmbiguousStoreError(
            f"sequence store {identifier} exists in {found}; pass region= to choose one"
        )
    return df


def fetch_frame(
    regions: str | Iterable[str] | None,
    *,
    columns: Iterable[str] | None,
    identifiers: Iterable[str] | None = None,
    name: str | None = None,
    session: boto3.Session | None = None,
    options: FetchOptions | None = None,
    accounts: AccountChoice | None = None,
    account_ids: Iterable[str] | None = None,
    reached: Reached | None = None,
    resource: Resource = SEQUENCE_STORES,
    filters: Mapping[str, Any] | None = None,
    parents: Iterable[str] | Mapping[Any, Iterable[str]] | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """The one internal entry point: list stores (or get them by ID) into a frame.

    Lists every store in ``regions`` (only those named ``name``, if given), or,
    with ``identifiers``, gets just those IDs in each region (misses are not
    errors). Only the calls that ``columns`` need are made. How the fetch runs
    (strict, progress, timeout, deadline, concurrency, rate, warn) is one
    :class:`~omics_magic.fetch.options.FetchOptions`, validated when it was made
    (None: the defaults); everything else is validated here, before any call.

    ``accounts`` chooses the profiles and roles to query (None: ``session``
    alone, as before); every (account, region) pair is fetched at once.
    ``account_ids`` (an ``account_id`` pushdown) keeps only those accounts.
    ``reached`` is for callers that already reached the sessions (refresh and
    delete, per row's account): they are used as they are.

    ``resource`` is what to fetch (sequence stores by default); ``filters`` go
    into its list call's ``filter`` as they are; ``parents``, for a resource
    that lives in a parent (read sets), are the parent IDs to read in every
    region, or region -> parent IDs, or ``(account_id, region)`` -> parent IDs
    (then only those account-regions are called; None: list the parents).

    ``progress`` is for callers that make several fetches (a query reading
    several relations): each reports its regions and rows into it, and the
    caller finishes it. Without it, the fetch shows its own progress (as
    ``options.progress`` says) and ends it with the summary line.

    Examples
    --------
    >>> fetch_frame(["us-east-1"], columns=["sequence_store_id", "tags"])  # doctest: +SKIP
    >>> fetch_frame(None, columns=None, identifiers=["1234567890"])        # doctest: +SKIP
    """
    if options is None:
        options = FetchOptions()
    elif not isinstance(options, FetchOptions):
        raise TypeError(f"options must be FetchOptions, not {type(options).__name__}")
    region_names = resolve_regions(regions)
    names = resource.resolve_columns(columns)
    ids = None if identifiers is None else _identifiers(identifiers, resource)
    parent_ids = _parents(parents, resource)
    if name is not None and not (isinstance(name, str) and 1 <= len(name) <= MAX_NAME):
        raise InputError(f"name must be a string of 1 to {MAX_NAME} characters; got {name!r}")
    wanted = None if account_ids is None else check_account_ids(account_ids)
    options = options.started()
    if reached is None:
        reached = reach_accounts(
            account_sessions(accounts, session=session),
            identify=wanted is not None,
            deadline=options.deadline,
        )
    targets = [t for t in reached.sessions if wanted is None or t.account_id in wanted]
    units = [(target, region) for target in targets for region in region_names]
    if isinstance(parent_ids, dict) and any(isinstance(k, tuple) for k in parent_ids):
        units = [(t, r) for t, r in units if (t.account_id, r) in parent_ids]

    plan = Plan(names, name, ids, resource, dict(filters or {}), parent_ids)
    own = progress is None
    tracker = Progress.auto(options.progress) if progress is None else progress
    try:
        if ids == () or parent_ids == () or not units:
            results = [RegionResult(region) for _, region in units]
        else:
            results = _fetch_regions(
                units,
                plan,
                options=options,
                workers=options.max_concurrency
                or min(PER_REGION_CONCURRENCY * len(units), MAX_DEFAULT_CONCURRENCY),
                progress=tracker,
            )
    except BaseException:
        if own:
            tracker.finish(stopped=True)
        raise
    df = resource.frame([row for result in results for row in result.rows], names)
    failures = reached.failures + _account_wide(
        [f for r in results for f in (r.error, *r.more) if f is not None], len(region_names)
    )
    if own:
        tracker.finish(failures)
    set_failures(df, failures)
    df.attrs[REGIONS_ATTR] = list(region_names)
    stamp_freshness(df, results)
    if accounts is not None and accounts.chosen:
        df.attrs[ACCOUNTS_ATTR] = [{"account_id": t.account_id, "via": t.via} for t in targets]
    if reached.notes:
        df.attrs[NOTES_ATTR] = list(reached.notes)
    total = len(units) + len(reached.failures) * len(region_names)
    report_failures(failures, max(total, 1), strict=options.strict, warn=options.warn)
    return df


def stamp_freshness(df: pd.DataFrame, results: Sequence[RegionResult]) -> None:
    """``df.attrs["omics_fetched_at"]``: when the oldest data in ``df`` was fetched (UTC),
    and ``df.attrs["omics_cached"]``: whether any came from the result cache."""
    times = [r.fetched_at for r in results if r.fetched_at is not None]
    oldest = min(times) if times else time.time()
    df.attrs[FETCHED_AT_ATTR] = pd.Timestamp(oldest, unit="s", tz="UTC")
    df.attrs[CACHED_ATTR] = any(r.cached for r in results)


def _identifiers(identifiers: Iterable[str], resource: Resource) -> tuple[str, ...]:
    if isinstance(identifiers, str):
        identifiers = [identifiers]
    if isinstance(identifiers, bytes) or not isinstance(identifiers, Iterable):
        raise InputError(f"IDs must be a list of strings; got {identifiers!r}")
    return tuple(dict.fromkeys(resource.validate_identifier(i) for i in identifiers))


def _parents(
    parents: Iterable[str] | Mapping[Any, Iterable[str]] | None, resource: Resource
) -> tuple[str, ...] | dict[str | tuple[str, str], tuple[str, ...]] | None:
    if parents is None:
        return None
    if resource.parent is None:
        raise InputError(f"{resource.sql_name} does not live in another resource")
    parent = RESOURCES[resource.parent.resource]
    if not isinstance(parents, Mapping):
        return _identifiers(parents, parent)
    checked: dict[str | tuple[str, str], tuple[str, ...]] = {}
    for place, ids in parents.items():
        key: str | tuple[str, str]
        if isinstance(place, tuple) and len(place) == 2:  # (account, region)
            [account] = check_account_ids([place[0]])
            key = (account, resolve_regions(place[1])[0])
        else:
            key = resolve_regions(place)[0]
        checked[key] = _identifiers(ids, parent)
    return checked


def _fetch_regions(
    units: Sequence[tuple[AccountSession, str]],
    plan: Plan,
    *,
    options: FetchOptions,
    workers: int,
    progress: Progress,
) -> list[RegionResult]:
    """Every (account, region) at once, one thread each, sharing the calls' workers."""
    deadline, timeout, cancel = options.deadline, options.timeout, options.cancel
    if deadline is not None and time.monotonic() >= deadline:
        # An earlier fetch of the same query used up the time: don't start this one.
        return [
            RegionResult(region, error=_of(target, _past_deadline(region, timeout)))
            for target, region in units
        ]
    limiter = threading.Semaphore(workers)
    calls_pool = DaemonPool(workers, "call")
    regions_pool = DaemonPool(len(units), "region")
    cancels = [threading.Event() for _ in units]
    several = len({id(target) for target, _ in units}) > 1 or units[0][0].via is not None

    def one_region(index: int) -> RegionResult:
        target, region = units[index]
        client = omics_client(target.session, region, max_pool=workers + 1)
        # AWS meters quotas per account, region and operation; a lone session's
        # account may be unknown (no STS call was needed): its access key stands in.
        account = target.account_id or check_credentials(target.session)
        endpoint = client.meta.endpoint_url
        operations = _operations(plan.resource)
        pacers = {
            op: operation_pacer(account, client, region, op, options.rate_for(op), options.banked)
            for op in operations
        }
        key = (account, str(client.meta.endpoint_url), region)
        remembered = skipped(key)
        if remembered is not None:  # it answered not_enabled earlier: not asked again
            return RegionResult(region, error=remembered)
        calls = RegionCalls(
            region, client, pacers, calls_pool, limiter, cancels[index], methods=operations
        )
        cache = None
        if options.ttl > 0:
            cache = RegionCache(account, endpoint, region, epoch(), options.ttl, options.refresh)
        fetch_one = fetch_children if plan.resource.parent is not None else fetch_region
        started = time.time()
        try:
            result = fetch_one(calls, plan.at(target.account_id, region), cache)
        except CredentialsError as err:
            if not several:
                raise  # nothing else could be queried: one line on how to configure
            result = RegionResult(region, error=account_failure(target, err))
        if result.error is not None:
            result.error = _of(target, result.error)
        result.more = [_of(target, f) for f in result.more]
        if result.fetched_at is None:
            result.fetched_at = started
        remember(key, result.error, answered_rows=len(result.rows))
        return result

    def done(finished: set[Future[RegionResult]]) -> None:
        for future in finished:
            answered = not future.cancelled() and future.exception() is None
            rows = len(future.result().rows) if answered else 0
            progress.region_done(stores=rows, plural=plan.resource.plural)

    futures: dict[Future[RegionResult], int] = {}
    pending: set[Future[RegionResult]] = set()
    progress.add_regions((target.account_id or target.via, region) for target, region in units)
    try:
        for index in range(len(units)):
            futures[regions_pool.submit(one_region, index)] = index
        pending = set(futures)
        pending = wait_for(futures, deadline=deadline, cancel=cancel, on_done=done)
    finally:
        # Never wait on a stuck region: its daemon threads finish (or time out) on their own.
        # Every region, not only those seen pending: an interrupt may land between a
        # submit and its bookkeeping, and a done region has nothing left to cancel.
        for cancel_region in cancels:
            cancel_region.set()
        regions_pool.shutdown()
        calls_pool.shutdown()
    results = []
    for future, index in futures.items():
        target, region = units[index]
        if future in pending and cancel is not None and cancel.is_set():
            results.append(RegionResult(region, error=_of(target, _interrupted(region))))
        elif future in pending:
            results.append(RegionResult(region, error=_of(target, _past_deadline(region, timeout))))
        else:
            results.append(future.result())  # re-raises CredentialsError (or a bug)
    return results


def _operations(resource: Resource) -> dict[str, str]:
    """Operation -> client method of every call a fetch of ``resource`` may make."""
    calls = list(resource.operations)
    if resource.parent is not None:
        calls.append(RESOURCES[resource.parent.resource].list)
    return {call.operation: call.method for call in calls}


def _account_wide(failures: list[Failure], n_regions: int) -> list[Failure]:
    """One record for an account whose every region was denied alike (expired
    credentials, a missing IAM permission: IAM is global), not one per region."""
    by_account: dict[tuple[str | None, str | None], list[Failure]] = {}
    for failure in failures:
        if failure.via is not None:
            by_account.setdefault((failure.account_id, failure.via), []).append(failure)
    merged: dict[int, Failure | None] = {}
    for alike in by_account.values():
        first = alike[0]
        if (
            n_regions > 1
            and len(alike) == n_regions
            and first.kind == "denied"
            and all((f.code, f.kind) == (first.code, first.kind) for f in alike)
        ):
            merged[id(first)] = dataclasses.replace(first, region=ALL_REGIONS)
            merged.update((id(f), None) for f in alike[1:])
    kept = [merged.get(id(f), f) for f in failures]
    return [f for f in kept if f is not None]


def _of(target: AccountSession, failure: Failure) -> Failure:
    """``failure`` with the account and the profile or role that reached it, when known."""
    if target.account_id is None and target.via is None:
        return failure
    return dataclasses.replace(failure, account_id=target.account_id, via=target.via)


def _interrupted(region: str) -> Failure:
    return Failure(
        region,
        "Interrupted",
        "the fetch was interrupted before this region answered",
        "unavailable",
    )


def _past_deadline(region: str, timeout: float | None) -> Failure:
    within = "" if timeout is None else f" within the {timeout:g} s timeout"
    return Failure(region, "DeadlineExceeded", f"no complete answer{within}", "unavailable")
