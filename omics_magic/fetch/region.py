"""One region's share of a fetch: list (or get by ID), then the per-store calls.

The region's thread pages through ListSequenceStores in sequence and, as each
page arrives, hands the per-store calls the requested columns need
(ListTagsForResource, GetSequenceStore) to the fetch's shared worker pool, a
few ahead of the pacer at a time (:class:`~omics_magic.fetch.calls.RegionCalls`).
With identifiers, GetSequenceStore by ID replaces the listing (a miss is not an
error), and a name, if given, is matched exactly on what comes back.

What a failure costs:

- the listing fails (any page), or the deadline passes: the region gives no
  rows, and one error record;
- a per-store call fails after botocore's retries: the rows stay, the values
  that call would have filled are None (``tags`` None, not ``{}``), and the
  region gets one error record saying which call failed for how many stores.
  After a ``denied`` or ``not_enabled`` answer, that call is not tried for the
  region's remaining stores;
- a per-store call answers ResourceNotFoundException: the store was deleted
  since it was listed, and its row is dropped.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..aws.accounts import account_of_arn
from ..aws.clients import classify_error, credentials_error
from ..columns import column
from ..failures import Failure
from .cache import Hit, Scope
from .calls import GET, LIST, TAGS, Cancelled, RegionCalls

__all__ = ["Plan", "RegionResult", "fetch_region", "rows_of"]

PAGE_SIZE = 100  # the API's maximum: fewest sequential page calls
_NOT_FOUND = "ResourceNotFoundException"
_STOP_AFTER = ("denied", "not_enabled")  # answers that won't change for the next store


@dataclass(frozen=True)
class Plan:
    """What to fetch: the columns, and the calls they need (projection pushdown)."""

    columns: tuple[str, ...]
    name: str | None = None
    identifiers: tuple[str, ...] | None = None

    @property
    def needs_tags(self) -> bool:
        return "tags" in self.columns

    @property
    def needs_get(self) -> bool:
        return any(column(n).source == "get" for n in self.columns)

    @property
    def sources(self) -> frozenset[str]:
        """The per-store calls the columns need, as the result cache names them."""
        return frozenset({TAGS} if self.needs_tags else ()) | ({GET} if self.needs_get else set())

    @property
    def scope(self) -> Scope:
        """Which stores the fetch asks for, as the result cache keys them."""
        ids = None if self.identifiers is None else frozenset(self.identifiers)
        filters = frozenset() if self.name is None else frozenset({("name", self.name)})
        return Scope(ids, filters)


@dataclass
class RegionResult:
    """Rows of one region, and its error record (None if everything answered).

    ``stores`` are the API answers the rows came from, ``sources`` the
    per-store calls they carry; ``complete`` is False when the region was cut
    off. ``fetched_at`` (``time.time()``) is when the oldest of its data was
    fetched, and ``cached`` whether any came from the result cache.
    """

    region: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    error: Failure | None = None
    stores: list[_Store] = field(default_factory=list)
    sources: frozenset[str] = frozenset()
    complete: bool = False
    fetched_at: float | None = None
    cached: bool = False


@dataclass
class _Store:
    """One store's answers: the listing's (or Get's) fields, its tags, its Get answer."""

    detail: dict[str, Any]
    tags: dict[str, str] | None = None
    got: dict[str, Any] | None = None
    gone: bool = False

    @property
    def ident(self) -> str:
        return str(self.detail.get("id"))

    def field(self, name: str) -> Any:
        return self.detail.get(name)


class _Failures:
    """Per-store call failures of one region, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.first: dict[str, tuple[str, str, str]] = {}  # operation -> (kind, code, message)
        self.count: dict[str, int] = {}
        self.stopped: set[str] = set()

    def add(self, operation: str, failure: tuple[str, str, str] | None = None) -> None:
        with self._lock:
            self.count[operation] = self.count.get(operation, 0) + 1
            if failure is not None:
                self.first.setdefault(operation, failure)
                if failure[0] in _STOP_AFTER:
                    self.stopped.add(operation)

    def record(self, region: str, totals: dict[str, int]) -> Failure | None:
        if not self.count:
            return None
        parts, head = [], None
        for operation, (kind, code, message) in self.first.items():
            head = head or (kind, code)
            parts.append(
                f"{operation} failed for {self.count[operation]} of {totals[operation]} "
                f"stores ({code}): {message}"
            )
        assert head is not None
        return Failure(region, head[1], "; ".join(parts), head[0])


def fetch_region(calls: RegionCalls, plan: Plan, known: Hit | None = None) -> RegionResult:
    """Fetch one region's rows; runs in the region's own thread.

    With ``known`` (the result cache's stores for this fetch, without every
    source it needs), only the missing per-store calls are made.
    """
    sources = plan.sources
    try:
        if known is not None:
            stores, failures, totals = _from_known(calls, plan, known)
            sources = sources | known.sources
        elif plan.identifiers is not None:
            stores, failures, totals = _by_identifier(calls, plan, plan.identifiers)
            sources = sources | {GET}  # found by GetSequenceStore: its answer is kept
        else:
            stores, failures, totals = _by_listing(calls, plan)
    except Cancelled:
        return RegionResult(calls.region)
    except Exception as err:  # AWS errors become the record; anything else is re-raised
        return RegionResult(calls.region, error=_region_error(calls.region, err))
    kept = sorted((s for s in stores if not s.gone), key=_store_order)
    rows = rows_of(calls.region, kept, plan.columns)
    error = failures.record(calls.region, totals)
    return RegionResult(calls.region, rows, error, kept, sources, complete=True)


def _as_store(record: object) -> _Store:
    assert isinstance(record, _Store)  # what this module gave the cache
    return record


def rows_of(region: str, stores: Sequence[object], columns: Sequence[str]) -> list[dict[str, Any]]:
    """The frame rows of ``stores`` (already in order, maybe from the cache): one per store."""
    return [_row(region, _as_store(store), columns) for store in stores]


def _from_known(
    calls: RegionCalls, plan: Plan, known: Hit
) -> tuple[list[_Store], _Failures, dict[str, int]]:
    # Copies: what the cache holds is never changed in place.
    stores = [dataclasses.replace(_as_store(record)) for record in known.records]
    failures = _Failures()
    futures: list[Future[None]] = []
    for store in stores:
        for operation in sorted(plan.sources - known.sources):
            futures.extend(_dispatch(calls, operation, store, failures))
    _wait(calls, futures)
    return stores, failures, {TAGS: len(stores), GET: len(stores)}


def _region_error(region: str, err: Exception) -> Failure:
    from botocore.exceptions import BotoCoreError, ClientError

    if not isinstance(err, (BotoCoreError, ClientError)):
        raise err
    credentials = credentials_error(err)
    if credentials is not None:
        raise credentials from err
    kind, code, message = classify_error(err)
    return Failure(region, code, message, kind)


def _by_listing(calls: RegionCalls, plan: Plan) -> tuple[list[_Store], _Failures, dict[str, int]]:
    stores: list[_Store] = []
    failures = _Failures()
    futures: list[Future[None]] = []
    request: dict[str, Any] = {"maxResults": PAGE_SIZE}
    if plan.name is not None:
        request["filter"] = {"name": plan.name}
    seen: set[str] = set()
    try:
        while True:
            page = calls.call(LIST, **request)
            for detail in page.get("sequenceStores", []):
                store = _Store(detail)
                stores.append(store)
                futures.extend(_dispatch_per_store(calls, plan, store, failures))
            token = page.get("nextToken")
            if not token or token in seen:  # a repeated token would loop forever
                break
            seen.add(token)
            request["nextToken"] = token
    except BaseException:
        for future in futures:  # the region has failed: its queued calls are moot
            future.cancel()
        raise
    _wait(calls, futures)
    return stores, failures, {TAGS: len(stores), GET: len(stores)}


def _by_identifier(
    calls: RegionCalls, plan: Plan, identifiers: Sequence[str]
) -> tuple[list[_Store], _Failures, dict[str, int]]:
    stores = [_Store({"id": identifier}) for identifier in identifiers]
    failures = _Failures()
    futures: list[Future[None]] = []
    for store in stores:
        futures.extend(_dispatch(calls, GET, store, failures))
    _wait(calls, futures)
    found = [  # not found, failed, or another name: no row
        s for s in stores if s.got is not None and plan.name in (None, s.got.get("name"))
    ]
    for store in found:
        store.detail = store.got  # type: ignore[assignment]
    tag_futures: list[Future[None]] = []
    if plan.needs_tags:
        for store in found:
            if store.got is not None:
                tag_futures.extend(_dispatch(calls, TAGS, store, failures))
    _wait(calls, tag_futures)
    return found, failures, {GET: len(stores), TAGS: len(found)}


def _dispatch_per_store(
    calls: RegionCalls, plan: Plan, store: _Store, failures: _Failures
) -> list[Future[None]]:
    futures: list[Future[None]] = []
    if plan.needs_tags:
        futures.extend(_dispatch(calls, TAGS, store, failures))
    if plan.needs_get:
        futures.extend(_dispatch(calls, GET, store, failures))
    return futures


def _dispatch(
    calls: RegionCalls, operation: str, store: _Store, failures: _Failures
) -> list[Future[None]]:
    if operation in failures.stopped:
        failures.add(operation)
        return []
    return [calls.submit(operation, _per_store_call, calls, operation, store, failures)]


def _per_store_call(
    on_pass: Callable[[], None] | None,
    calls: RegionCalls,
    operation: str,
    store: _Store,
    failures: _Failures,
) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    if operation in failures.stopped:
        failures.add(operation)
        if on_pass is not None:
            on_pass()
        return
    try:
        if operation == TAGS:
            answer = calls.call_with(TAGS, on_pass, {"resourceArn": store.detail["arn"]})
            store.tags = dict(answer.get("tags") or {})
        else:
            store.got = calls.call_with(GET, on_pass, {"id": store.detail["id"]})
    except Cancelled:
        return
    except (BotoCoreError, ClientError) as err:
        credentials = credentials_error(err)
        if credentials is not None:
            raise credentials from err
        failure = classify_error(err)
        if failure[1] == _NOT_FOUND:
            store.gone = True  # deleted since it was listed (or, by ID, never existed)
        else:
            failures.add(operation, failure)


def _wait(calls: RegionCalls, futures: Sequence[Future[None]]) -> None:
    wait(futures)
    if calls.cancel.is_set():
        raise Cancelled
    for future in futures:
        if not future.cancelled():
            future.result()  # re-raises CredentialsError, or a bug, in the region's thread


def _row(region: str, store: _Store, names: Sequence[str]) -> dict[str, Any]:
    """One DataFrame row (column name -> value) from a store's API answers."""
    detail = store.detail
    row: dict[str, Any] = {}
    for name in names:
        col = column(name)
        if col.source == "region":
            row[name] = region
        elif col.source == "account":
            row[name] = account_of_arn(detail.get("arn"))
        elif col.source == "tags":
            row[name] = store.tags
        elif col.source == "get":
            row[name] = _dig(store.got, col.api_path)
        else:
            row[name] = _dig(detail, col.api_path)
    if "sse_config" in row and row["sse_config"] is not None:
        sse = row["sse_config"]
        row["sse_config"] = {"type": sse.get("type"), "key_arn": sse.get("keyArn")}
    if row.get("propagated_set_level_tags") is not None:
        row["propagated_set_level_tags"] = list(row["propagated_set_level_tags"])
    return row


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _store_order(store: _Store) -> tuple[datetime, str]:
    return (store.detail.get("creationTime") or _EPOCH, store.detail.get("id") or "")


def _dig(value: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
