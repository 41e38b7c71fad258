"""One region's share of a fetch of a resource that lives in a parent (read sets in stores).

The parents are the named ones (``sequence_store_ids``, or the stores a join
let through), else the region's listing of the parent (ListSequenceStores).
Then every parent's rows are listed: the pages of one parent come in
sequence (each needs the previous page's token), the parents' pages are
interleaved, a few ahead of the pacer at a time, so the region's quota is
kept busy and no thread waits for a page it can't send yet. The region's own
thread schedules the pages; the shared worker pool makes the calls. As each
page arrives, the per-row calls its columns need (the get call, tags) are
queued as for a top-level resource (:mod:`.region`).

What a failure costs:

- the parent listing fails, or the deadline passes: the region gives no rows
  and one error record;
- one parent's listing fails after botocore's retries (AccessDenied from a
  resource policy, a 5xx, throttling): that parent's rows are dropped, every
  other parent's rows are kept, and the parent gets one record of its own
  (its region, its ``sequence_store_id``);
- a parent answers ResourceNotFoundException (deleted since it was listed,
  or not in this region): it has no rows, and that is not an error.

A row seen twice (a read set added or deleted between pages shifts a page)
is kept once.

The result cache keeps each parent's rows apart (its entry's parent is the
store's ID), and the parents' listing as the parent resource's own entry: a
parent the cache covers costs no call (or only the per-row calls it lacks),
and a parent whose listing failed is the only one asked again next time.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from ..aws.clients import classify_error, credentials_error
from ..failures import Failure
from ..resources import RESOURCES, Resource
from .cache import Hit, Scope
from .cached import GET, RegionCache, Since, scope_of, source_of, sources_of
from .calls import Cancelled, RegionCalls
from .region import (
    NOT_FOUND,
    Failures,
    Item,
    Plan,
    RegionResult,
    dispatch,
    dispatch_per_row,
    items_of,
    kept,
    pages,
    region_error,
    totals,
    wait_all,
)

__all__ = ["fetch_children"]


@dataclass
class _Parent:
    identifier: str
    items: dict[str, Item] = field(default_factory=dict)
    seen_tokens: set[str] = field(default_factory=set)
    failure: Failure | None = None
    gone: bool = False
    hit: Hit | None = None  # what the result cache held for it
    unsure: bool = False  # a get by ID failed: whether the row exists is unknown


def fetch_children(
    calls: RegionCalls, plan: Plan, cache: RegionCache | None = None
) -> RegionResult:
    """Fetch one region's rows of a child resource; runs in the region's own thread.

    ``cache`` is the result cache for this region (None: not used).
    """
    resource, region = plan.resource, calls.region
    failures = Failures()
    scope, sources = scope_of(plan), sources_of(plan)
    since = [Since.now()]  # the oldest data's: the listings', and the cached entries'
    try:
        parent_ids = _parent_ids(calls, plan, cache, since)
        parents = [_Parent(p) for p in parent_ids]
        if cache is not None:
            for parent in parents:
                parent.hit = cache.lookup(resource, scope, sources, parent.identifier)
        cached = [p for p in parents if p.hit is not None]
        tried = _from_cache(calls, plan, cached, sources, failures)
        fresh = [p.identifier for p in parents if p.hit is None]
        fetch = _by_identifier if plan.identifiers is not None else _by_listing
        done, more = fetch(calls, plan, fresh, failures) if fresh else ([], 0)
        tried += more
        by_id = {p.identifier: p for p in done}
        parents = [by_id.get(p.identifier, p) for p in parents]
    except Cancelled:
        return RegionResult(region)
    except Exception as err:  # AWS errors become the record; anything else is re-raised
        return RegionResult(region, error=region_error(region, err))
    rows: list[dict[str, Any]] = []
    for parent in parents:
        if parent.failure is not None or parent.gone:
            continue
        found = kept(list(parent.items.values()))
        rows.extend(resource.row(region, plan.columns, i.detail, i.got, i.tags) for i in found)
    since.extend(Since.of(p.hit) for p in parents if p.hit is not None)
    if cache is not None:
        _keep(cache, plan, parents, sources, since[0])
    return RegionResult(
        region,
        rows,
        failures.record(region, totals(resource, tried, tried)),
        more=[p.failure for p in parents if p.failure is not None],
        fetched_at=min(s.at for s in since),
        cached=len(since) > 1,
    )


def _from_cache(
    calls: RegionCalls,
    plan: Plan,
    parents: Sequence[_Parent],
    sources: frozenset[str],
    failures: Failures,
) -> int:
    """The cached parents' items, with the per-row calls they lack made (on copies,
    all parents' at once); the number of rows those calls were tried for."""
    resource = plan.resource
    futures: list[Future[None]] = []
    tried = 0
    for parent in parents:
        assert parent.hit is not None
        missing = sources - parent.hit.sources
        items = items_of(parent.hit)
        if missing:
            items = [item.copy() for item in items]
            tried += len(items)
            for call in (resource.get, resource.tags):
                if call is None or source_of(resource, call.operation) not in missing:
                    continue
                for item in items:
                    futures.extend(dispatch(calls, plan, call, item, failures))
        parent.items = {i.ident: i for i in items}
    wait_all(calls, futures)
    return tried


def _keep(
    cache: RegionCache,
    plan: Plan,
    parents: Sequence[_Parent],
    sources: frozenset[str],
    fetched: Since,
) -> None:
    """Keep each parent's rows as its own entry: not a failed parent's, nor an unsure one's."""
    resource = plan.resource
    scope = scope_of(plan)
    for parent in parents:
        if parent.failure is not None or parent.unsure:
            continue
        if parent.hit is not None and sources <= parent.hit.sources:
            continue  # served whole from the cache: nothing new
        items = list(parent.items.values())
        failed = {source_of(resource, op) for item in items for op in item.failed}
        has = sources | (parent.hit.sources if parent.hit is not None else frozenset())
        if plan.identifiers is not None:
            has = has | {GET}  # found by the get call: its answer is kept
        since = fetched if parent.hit is None else Since.of(parent.hit)
        cache.keep(resource, scope, has - failed, kept(items), since, parent.identifier)


def _parent_resource(resource: Resource) -> Resource:
    assert resource.parent is not None
    return RESOURCES[resource.parent.resource]


def _parent_ids(
    calls: RegionCalls, plan: Plan, cache: RegionCache | None, since: list[Since]
) -> list[str]:
    """The parents to read in this region: as named, else the parent's listing, oldest first.

    The listing comes from the result cache if it holds one (its age joins ``since``),
    and is kept there otherwise: it is the parent resource's own listing.
    """
    named = plan.parents_in(calls.region)
    if named is not None:
        return list(named)
    parent = _parent_resource(plan.resource)
    hit = None if cache is None else cache.lookup(parent, Scope(), frozenset())
    if hit is not None:
        listed = items_of(hit)
        since.append(Since.of(hit))
    else:
        started = Since.now()
        listed = kept([Item(detail) for page in pages(calls, parent.list, {}) for detail in page])
        if cache is not None:
            cache.keep(parent, Scope(), frozenset(), listed, started)
    key = parent.column(parent.identifier)
    return list(dict.fromkeys(key.value(i.detail) for i in listed))


def _by_listing(
    calls: RegionCalls, plan: Plan, parent_ids: Sequence[str], failures: Failures
) -> tuple[list[_Parent], int]:
    from botocore.exceptions import BotoCoreError, ClientError

    resource = plan.resource
    call = resource.list
    assert resource.parent is not None
    key = next(k for k, v in call.params.items() if v == resource.parent.key)
    base: dict[str, Any] = {"maxResults": call.page_size}
    if plan.list_filter:
        base["filter"] = plan.list_filter
    parents = [_Parent(identifier) for identifier in parent_ids]
    ready: list[tuple[_Parent, str | None]] = [(p, None) for p in parents]
    answers: queue.Queue[tuple[_Parent, Any]] = queue.Queue()
    futures: list[Future[None]] = []
    in_flight = tried = 0
    try:
        while ready or in_flight:
            while ready:  # blocks while LOOKAHEAD pages already wait for the pacer
                parent, token = ready.pop(0)
                request = {**base, key: parent.identifier}
                if token is not None:
                    request["nextToken"] = token
                calls.submit(call.operation, _page, calls, call.operation, request, parent, answers)
                in_flight += 1
            parent, answer = _next(calls, answers)
            in_flight -= 1
            if isinstance(answer, (BotoCoreError, ClientError)):
                credentials = credentials_error(answer)
                if credentials is not None:
                    raise credentials from answer
                kind, code, message = classify_error(answer)
                if code == NOT_FOUND:  # gone (or not in this region): no rows, no error
                    parent.gone = True
                else:
                    parent.failure = Failure(
                        calls.region,
                        code,
                        f"{call.operation} failed for store {parent.identifier}: {message}",
                        kind,
                        resource=resource.name,
                        sequence_store_id=parent.identifier,
                    )
                continue
            if isinstance(answer, BaseException):
                raise answer
            for detail in answer.get(call.items or "", []):
                identifier = str(detail.get("id"))
                if identifier in parent.items:
                    continue  # shifted onto the next page by a change between pages
                item = Item(detail)
                parent.items[identifier] = item
                tried += 1
                futures.extend(dispatch_per_row(calls, plan, item, failures))
            token = answer.get("nextToken")
            if token and token not in parent.seen_tokens:  # a repeated token would loop
                parent.seen_tokens.add(token)
                ready.append((parent, token))
    except BaseException:
        for future in futures:  # the region has failed: its queued calls are moot
            future.cancel()
        raise
    wait_all(calls, futures)
    return parents, tried


def _page(
    on_pass: Callable[[], None] | None,
    calls: RegionCalls,
    operation: str,
    request: dict[str, Any],
    parent: _Parent,
    answers: queue.Queue[tuple[_Parent, Any]],
) -> None:
    """One page of one parent's listing, handed back to the region's thread."""
    try:
        answers.put((parent, calls.call_with(operation, on_pass, request)))
    except BaseException as err:  # the region's thread decides what each failure costs
        answers.put((parent, err))


def _next(calls: RegionCalls, answers: queue.Queue[tuple[_Parent, Any]]) -> tuple[_Parent, Any]:
    """The next page answer; a cancelled fetch stops waiting within 0.1 s."""
    while True:
        if calls.cancel.is_set():
            raise Cancelled
        try:
            parent, answer = answers.get(timeout=0.1)
        except queue.Empty:
            continue
        if isinstance(answer, Cancelled):
            raise Cancelled
        return parent, answer


def _by_identifier(
    calls: RegionCalls, plan: Plan, parent_ids: Sequence[str], failures: Failures
) -> tuple[list[_Parent], int]:
    """The get call for each (parent, identifier); a miss is not an error."""
    resource = plan.resource
    assert resource.parent is not None and plan.identifiers is not None
    parent_path = resource.column(resource.parent.key).api_path[0]
    own_path = resource.column(resource.identifier).api_path[0]
    parents = [_Parent(identifier) for identifier in parent_ids]
    futures: list[Future[None]] = []
    for parent in parents:
        for identifier in plan.identifiers:
            item = Item({parent_path: parent.identifier, own_path: identifier})
            parent.items[identifier] = item
            futures.extend(dispatch(calls, plan, resource.get, item, failures))
    wait_all(calls, futures)
    tag_futures: list[Future[None]] = []
    for parent in parents:
        for identifier, item in list(parent.items.items()):
            if item.got is None:  # not found, or failed: no row
                parent.unsure = parent.unsure or bool(item.failed)
                del parent.items[identifier]
                continue
            item.detail = item.got
            if plan.needs_tags and resource.tags is not None:
                tag_futures.extend(dispatch(calls, plan, resource.tags, item, failures))
    wait_all(calls, tag_futures)
    return parents, len(parent_ids) * len(plan.identifiers)
