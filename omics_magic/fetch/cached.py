"""The result cache as one region's fetch sees it: keys, scopes and sources of a resource.

:mod:`.cache` keeps records without knowing a resource; this module says,
for a :class:`~omics_magic.resources.Resource`, what a fetch asks for
(:func:`scope_of`: the IDs and the filters sent with the list call), which
per-row calls its columns need (:func:`sources_of`: ``"get"``, ``"tags"``),
how a filter matches a cached row (:func:`matcher`), and where its records
live (:class:`RegionCache`: the account, endpoint and region of one fetch,
the resource, and the parent for a resource that lives in one).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..resources import Filter, RangeFilter, Resource
from . import cache
from .cache import CachedRecord, CacheKey, Hit, Matcher, Scope

if TYPE_CHECKING:
    from .region import Plan

__all__ = ["RegionCache", "Since", "matcher", "scope_of", "source_of", "sources_of"]

GET, TAGS = "get", "tags"


@dataclass(frozen=True)
class Since:
    """When data was fetched: wall-clock (``time.time()``) and monotonic."""

    at: float
    monotonic: float

    @classmethod
    def now(cls) -> Since:
        return cls(time.time(), time.monotonic())

    @classmethod
    def of(cls, hit: Hit) -> Since:
        return cls(hit.fetched_at, hit.monotonic)


def scope_of(plan: Plan) -> Scope:
    """Which rows a fetch asks for, as the cache keys them (the parents apart)."""
    ids = None if plan.identifiers is None else frozenset(plan.identifiers)
    return Scope(ids, frozenset(plan.list_filter.items()))


def sources_of(plan: Plan) -> frozenset[str]:
    """The per-row calls the plan's columns need, as the cache names them."""
    found = set()
    if plan.needs_tags and plan.resource.tags is not None:
        found.add(TAGS)
    if plan.needs_get:
        found.add(GET)
    return frozenset(found)


def source_of(resource: Resource, operation: str) -> str:
    """The cache's name of the per-row call ``operation`` (``tags`` or ``get``)."""
    return TAGS if resource.tags is not None and operation == resource.tags.operation else GET


def matcher(resource: Resource) -> Matcher:
    """How a cached row of ``resource`` passes one filter of its list call.

    Equality filters compare the row's value (an empty ``referenceArn`` asks for
    rows without one, as the API reads it); range filters compare timestamps.

    Examples
    --------
    >>> from omics_magic.resources import READ_SETS
    >>> from omics_magic.fetch.region import Item
    >>> matches = matcher(READ_SETS)
    >>> matches(Item({"id": "1", "sampleId": "s1"}), "sampleId", "s1")
    True
    """
    equal: dict[str, Filter] = {}
    after: dict[str, RangeFilter] = {}
    before: dict[str, RangeFilter] = {}
    for found in resource.filters:
        if isinstance(found, RangeFilter):
            after[found.after], before[found.before] = found, found
        else:
            equal[found.key] = found

    def matches(record: CachedRecord, key: str, value: Any) -> bool:
        if key in equal:
            got = _value(resource, equal[key].column, record)
            return bool(got == value or (value == "" and got is None))
        if key in after or key in before:
            stamp = _value(resource, (after.get(key) or before[key]).column, record)
            if not isinstance(stamp, datetime) or not isinstance(value, datetime):
                return True  # unknown: kept (DuckDB applies the exact predicate again)
            return stamp >= value if key in after else stamp <= value
        return bool(record.field(key) == value)

    return matches


def _value(resource: Resource, name: str, record: CachedRecord) -> Any:
    """Column ``name``'s value in a cached record (whose fields are its answer's keys)."""
    column = resource.column(name)
    head = column.api_path[0] if column.api_path else None
    return None if head is None else column.value({head: record.field(head)})


@dataclass(frozen=True)
class RegionCache:
    """Where one (account, region) fetch reads and keeps its records.

    ``ttl`` 0 means no cache at all; ``refresh`` means never read, but keep
    what comes back.
    """

    account: str
    endpoint: str
    region: str
    epoch: int
    ttl: float
    refresh: bool = False

    def key(self, resource: Resource, parent: str = "") -> CacheKey:
        return CacheKey(self.account, self.endpoint, self.region, resource.name, parent, self.epoch)

    def lookup(
        self, resource: Resource, scope: Scope, sources: frozenset[str], parent: str = ""
    ) -> Hit | None:
        """What the cache holds for this fetch (None: nothing, or it may not be read)."""
        if self.ttl <= 0 or self.refresh:
            return None
        return cache.results.lookup(
            self.key(resource, parent), scope, sources, ttl=self.ttl, matches=matcher(resource)
        )

    def keep(
        self,
        resource: Resource,
        scope: Scope,
        sources: frozenset[str],
        records: Sequence[CachedRecord],
        since: Since,
        parent: str = "",
    ) -> None:
        """Keep what this fetch got (nothing, with ``ttl`` 0)."""
        if self.ttl > 0:
            cache.results.store(
                self.key(resource, parent),
                scope,
                sources,
                records,
                fetched_at=since.at,
                monotonic=since.monotonic,
            )
