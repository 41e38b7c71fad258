"""One region's share of a fetch: list (or get by ID), then the per-row calls.

The region's thread pages through the resource's list call in sequence and,
as each page arrives, hands the per-row calls the requested columns need
(ListTagsForResource, the get call) to the fetch's shared worker pool, a few
ahead of the pacer at a time (:class:`~omics_magic.fetch.calls.RegionCalls`).
With identifiers, the get call by ID replaces the listing (a miss is not an
error), and a name, if given, is matched exactly on what comes back. What is
called, and with which parameters, is read off the resource's definition
(:mod:`omics_magic.resources`); resources that live in a parent (read sets in
a store) are fetched by :mod:`.children`, with the same primitives.

The session's result cache (:mod:`.cache`, seen through :mod:`.cached`) is
asked first: an entry that covers the fetch answers it with no call, one
without every per-row call the columns need is the starting point (only the
missing calls are made), and what a fetch got is kept for the next one, except
a failed region's, and less the per-row calls that failed for some rows.

What a failure costs:

- the listing fails (any page), or the deadline passes: the region gives no
  rows, and one error record;
- a per-row call fails after botocore's retries: the rows stay, the values
  that call would have filled are None (``tags`` None, not ``{}``), and the
  region gets one error record saying which call failed for how many rows.
  After a ``denied`` or ``not_enabled`` answer, that call is not tried for the
  region's remaining rows;
- a per-row call answers ResourceNotFoundException: the row was deleted
  since it was listed, and it is dropped.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from ..aws.clients import classify_failure
from ..failures import Failure
from ..resources import SEQUENCE_STORES, Call, Resource
from .cache import Hit
from .cached import GET, RegionCache, Since, scope_of, source_of, sources_of
from .calls import Cancelled, RegionCalls

__all__ = ["Item", "Plan", "RegionResult", "fetch_region"]

NOT_FOUND = "ResourceNotFoundException"
_STOP_AFTER = ("denied", "not_enabled")  # answers that won't change for the next row


@dataclass(frozen=True)
class Plan:
    """What to fetch: the resource, its columns, and the calls they need (projection pushdown).

    ``filters`` is the list call's ``filter`` (e.g. ``{"name": "x"}``);
    ``identifiers`` the rows to get by ID instead of listing; ``parents``,
    for a resource that lives in a parent, the parent IDs to read in every
    region, or region (or ``(account_id, region)``) -> parent IDs (one not in
    it has none); None means list the parent first.
    """

    columns: tuple[str, ...]
    name: str | None = None
    identifiers: tuple[str, ...] | None = None
    resource: Resource = SEQUENCE_STORES
    filters: Mapping[str, Any] = field(default_factory=dict)
    parents: tuple[str, ...] | Mapping[str | tuple[str, str], tuple[str, ...]] | None = None

    def parents_in(self, region: str, account: str | None = None) -> tuple[str, ...] | None:
        """The parent IDs to read in ``region`` of ``account`` (None: list them)."""
        if self.parents is None or isinstance(self.parents, tuple):
            return self.parents
        if account is not None and (account, region) in self.parents:
            return self.parents[(account, region)]
        return self.parents.get(region, ())

    def at(self, account: str | None, region: str) -> Plan:
        """This plan for one (account, region): its own parents, if they differ by place."""
        if self.parents is None or isinstance(self.parents, tuple):
            return self
        return replace(self, parents=self.parents_in(region, account))

    @property
    def needs_tags(self) -> bool:
        return self.resource.needs(self.columns, "tags")

    @property
    def needs_get(self) -> bool:
        return self.resource.needs(self.columns, "get")

    @property
    def list_filter(self) -> dict[str, Any]:
        """The list call's ``filter``: the pushed-down filters, and the name."""
        found = dict(self.filters)
        if self.name is not None:
            found["name"] = self.name
        return found


@dataclass
class RegionResult:
    """Rows of one region, and its error record (None if everything answered).

    ``fetched_at`` (``time.time()``) is when the oldest of its data was fetched
    (None: just now), and ``cached`` whether any came from the result cache.
    """

    region: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    error: Failure | None = None
    #: Further records: one per parent whose own listing failed (read sets of a store).
    more: list[Failure] = field(default_factory=list)
    fetched_at: float | None = None
    cached: bool = False


@dataclass
class Item:
    """One row's API answers: the listing's detail, the get's answer, the tags.

    ``failed`` holds the per-row calls that failed (or were not tried) for it.
    Items are what the result cache keeps (``ident``, ``field``), never changed
    once kept: a fetch starting from cached items works on copies (:meth:`copy`).
    """

    detail: dict[str, Any]
    tags: dict[str, str] | None = None
    got: dict[str, Any] | None = None
    gone: bool = False
    failed: set[str] = field(default_factory=set)

    @property
    def ident(self) -> str:
        return str(self.detail.get("id"))

    def field(self, name: str) -> Any:
        return self.detail.get(name)

    def copy(self) -> Item:
        return dataclasses.replace(self, failed=set())


class Failures:
    """Per-row call failures of one region, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.first: dict[str, tuple[str, str, str]] = {}  # operation -> (kind, code, message)
        self.count: dict[str, int] = {}
        self.stopped: set[str] = set()

    def add(
        self,
        operation: str,
        failure: tuple[str, str, str] | None = None,
    ) -> None:
        with self._lock:
            self.count[operation] = self.count.get(operation, 0) + 1
            if failure is not None:
                self.first.setdefault(operation, failure)
                if failure[0] in _STOP_AFTER:
                    self.stopped.add(operation)

    def record(self, region: str, totals: Mapping[str, tuple[int, str]]) -> Failure | None:
        """One record for the region; ``totals`` is operation -> (rows tried, their noun)."""
        if not self.count:
            return None
        parts, head = [], None
        for operation, (kind, code, message) in self.first.items():
            head = head or (kind, code)
            total, noun = totals[operation]
            parts.append(
                f"{operation} failed for {self.count[operation]} of {total} "
                f"{noun} ({code}): {message}"
            )
        assert head is not None
        return Failure(region, head[1], "; ".join(parts), head[0])


def fetch_region(calls: RegionCalls, plan: Plan, cache: RegionCache | None = None) -> RegionResult:
    """Fetch one region's rows of a top-level resource; runs in the region's own thread.

    ``cache`` is the result cache for this region (None: not used).
    """
    resource, region = plan.resource, calls.region
    scope, sources = scope_of(plan), sources_of(plan)
    hit = None if cache is None else cache.lookup(resource, scope, sources)
    if hit is not None and hit.complete:  # no call at all
        found = rows(region, plan, items_of(hit))
        return RegionResult(region, found, fetched_at=hit.fetched_at, cached=True)
    since = Since.now() if hit is None else Since.of(hit)
    try:
        if hit is not None:
            items, failures, tried = _from_known(calls, plan, items_of(hit), sources - hit.sources)
            sources = sources | hit.sources
        elif plan.identifiers is not None:
            items, failures, tried = _by_identifier(calls, plan, plan.identifiers)
            sources = sources | {GET}  # found by the get call: its answer is kept
        else:
            items, failures, tried = _by_listing(calls, plan)
    except Cancelled:
        return RegionResult(region)
    except Exception as err:  # AWS errors become the record; anything else is re-raised
        return RegionResult(region, error=region_error(region, err))
    failed = {source_of(resource, operation) for operation in failures.count}
    # A failed get by ID leaves unknown whether the row exists: nothing is kept then.
    if cache is not None and not (plan.identifiers is not None and GET in failed):
        cache.keep(resource, scope, sources - failed, kept(items), since)
    return RegionResult(
        region,
        rows(region, plan, items),
        failures.record(region, tried),
        fetched_at=since.at,
        cached=hit is not None,
    )


def items_of(hit: Hit) -> list[Item]:
    """The cached items of a hit (what this module gave the cache)."""
    found = list(hit.records)
    assert all(isinstance(i, Item) for i in found)
    return found  # type: ignore[return-value]


def kept(items: Sequence[Item]) -> list[Item]:
    """The items still there, in creation order."""
    return sorted((i for i in items if not i.gone), key=item_order)


def rows(region: str, plan: Plan, items: Sequence[Item]) -> list[dict[str, Any]]:
    """The frame rows of the items still there, in creation order."""
    return [plan.resource.row(region, plan.columns, i.detail, i.got, i.tags) for i in kept(items)]


def _from_known(
    calls: RegionCalls, plan: Plan, known: Sequence[Item], missing: frozenset[str]
) -> tuple[list[Item], Failures, dict[str, Any]]:
    """Cached items, and only the per-row calls they are ``missing`` (made on copies)."""
    resource = plan.resource
    items = [item.copy() for item in known]
    failures = Failures()
    per_row = (resource.get, resource.tags)
    wanted = [c for c in per_row if c is not None and source_of(resource, c.operation) in missing]
    futures: list[Future[None]] = []
    for item in items:
        for call in wanted:
            futures.extend(dispatch(calls, plan, call, item, failures))
    wait_all(calls, futures)
    return items, failures, totals(resource, len(items), len(items))


def region_error(region: str, err: Exception) -> Failure:
    """An AWS error as the region's record; credentials errors and bugs are raised."""
    return classify_failure(err, region)


def pages(calls: RegionCalls, call: Call, request: dict[str, Any]) -> Any:
    """Yield each page of a list call, in sequence; a repeated token ends the listing."""
    request = {**request, "maxResults": call.page_size}
    seen: set[str] = set()
    while True:
        page = calls.call(call.operation, **request)
        yield page.get(call.items or "", [])
        token = page.get("nextToken")
        if not token or token in seen:  # a repeated token would loop forever
            return
        seen.add(token)
        request["nextToken"] = token


def _by_listing(calls: RegionCalls, plan: Plan) -> tuple[list[Item], Failures, dict[str, Any]]:
    items: list[Item] = []
    failures = Failures()
    futures: list[Future[None]] = []
    request: dict[str, Any] = {}
    if plan.list_filter:
        request["filter"] = plan.list_filter
    try:
        for page in pages(calls, plan.resource.list, request):
            for detail in page:
                item = Item(detail)
                items.append(item)
                futures.extend(dispatch_per_row(calls, plan, item, failures))
    except BaseException:
        for future in futures:  # the region has failed: its queued calls are moot
            future.cancel()
        raise
    wait_all(calls, futures)
    return items, failures, totals(plan.resource, len(items), len(items))


def totals(resource: Resource, tried_get: int, tried_tags: int) -> dict[str, tuple[int, str]]:
    """Operation -> (rows tried, their noun), for :meth:`Failures.record`."""
    found = {resource.get.operation: (tried_get, resource.plural)}
    if resource.tags is not None:
        found[resource.tags.operation] = (tried_tags, resource.plural)
    return found


def _by_identifier(
    calls: RegionCalls, plan: Plan, identifiers: Sequence[str]
) -> tuple[list[Item], Failures, dict[str, Any]]:
    resource = plan.resource
    items = [Item({resource.column(resource.identifier).api_path[0]: i}) for i in identifiers]
    failures = Failures()
    futures: list[Future[None]] = []
    for item in items:
        futures.extend(dispatch(calls, plan, resource.get, item, failures))
    wait_all(calls, futures)
    found = [  # not found, failed, or another name: no row
        i for i in items if i.got is not None and plan.name in (None, i.got.get("name"))
    ]
    for item in found:
        item.detail = item.got  # type: ignore[assignment]
    tag_futures: list[Future[None]] = []
    if plan.needs_tags and resource.tags is not None:
        for item in found:
            tag_futures.extend(dispatch(calls, plan, resource.tags, item, failures))
    wait_all(calls, tag_futures)
    return found, failures, totals(resource, len(items), len(found))


def dispatch_per_row(
    calls: RegionCalls, plan: Plan, item: Item, failures: Failures
) -> list[Future[None]]:
    """Queue the per-row calls the plan's columns need for one listed row."""
    futures: list[Future[None]] = []
    if plan.needs_tags and plan.resource.tags is not None:
        futures.extend(dispatch(calls, plan, plan.resource.tags, item, failures))
    if plan.needs_get:
        futures.extend(dispatch(calls, plan, plan.resource.get, item, failures))
    return futures


def dispatch(
    calls: RegionCalls, plan: Plan, call: Call, item: Item, failures: Failures
) -> list[Future[None]]:
    if call.operation in failures.stopped:
        failures.add(call.operation)
        item.failed.add(call.operation)
        return []
    return [calls.submit(call.operation, _per_row_call, calls, plan.resource, call, item, failures)]


def _per_row_call(
    on_pass: Callable[[], None] | None,
    calls: RegionCalls,
    resource: Resource,
    call: Call,
    item: Item,
    failures: Failures,
) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    operation = call.operation
    if operation in failures.stopped:
        failures.add(operation)
        item.failed.add(operation)
        if on_pass is not None:
            on_pass()
        return
    params = {key: resource.column(name).value(item.detail) for key, name in call.params.items()}
    try:
        answer = calls.call_with(operation, on_pass, params)
        if call is resource.tags:
            item.tags = dict(answer.get("tags") or {})
        else:
            item.got = answer
    except Cancelled:
        return
    except (BotoCoreError, ClientError) as err:
        failure = classify_failure(err, calls.region)
        if failure.code == NOT_FOUND:
            item.gone = True  # deleted since it was listed (or, by ID, never existed)
        else:
            failures.add(operation, (failure.kind, failure.code, failure.message))
            item.failed.add(operation)


def wait_all(calls: RegionCalls, futures: Sequence[Future[None]]) -> None:
    """Wait for the region's queued calls; re-raise what they raised, in the region's thread."""
    wait(futures)
    if calls.cancel.is_set():
        raise Cancelled
    for future in futures:
        if not future.cancelled():
            future.result()  # re-raises CredentialsError, or a bug, in the region's thread


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def item_order(item: Item) -> tuple[datetime, str]:
    return (item.detail.get("creationTime") or _EPOCH, item.detail.get("id") or "")
