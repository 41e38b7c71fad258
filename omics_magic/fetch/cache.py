"""The session's result cache: what a fetch got from AWS, reused for ``cache_ttl`` seconds.

A notebook user runs one query after another over the same inventory; each
``SELECT *`` would repeat every call. The cache keeps, per (account,
endpoint, region, resource, parent), what each fetch got: the records (one
per row, as the API answered: the listing's or the get call's fields, and
the per-row calls such as tags), which per-row calls they carry
(``sources``: ``"get"``, ``"tags"``) and which rows were asked for
(:class:`Scope`: all of them, or some IDs, and the filters that went to the
API). The resource is a :class:`~omics_magic.resources.Resource`'s name; the
parent is the store a read set lives in (``""`` for a top-level resource), so
read sets are kept store by store, and a query that lost one store's listing
asks again for that store only.

A fetch is answered from the cache, with no call, when an entry no older
than ``cache_ttl`` *covers* it: a scope at least as wide (the whole listing
covers a ``name =`` or an ID lookup; the filters and IDs are applied again
to the cached records, and DuckDB applies every predicate of a query again)
and at least the sources it needs (fewer columns is always covered). An
entry with the scope but not every source is used as the starting point:
only the missing per-row calls are made (tags for stores listed a minute
ago). Failed regions and stores, and regions cut off by a deadline, are never
stored, so the next query asks again; a per-row call that failed for some
rows leaves its source out of the entry, so that only that call is made again.

The cache is in memory only, for the process, thread-safe, and bounded: at
most :data:`MAX_RECORDS` records over all entries (least recently used
entries go first). A CLI call is its own process and so starts empty.

Nothing here knows a resource's columns: a record is anything with an
``ident`` and a ``field(name)`` (:class:`CachedRecord`), and how a filter
matches a record can be given (``matches``).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from ..errors import InputError

__all__ = [
    "CACHE_TTL_ENV",
    "DEFAULT_TTL",
    "MAX_RECORDS",
    "CacheKey",
    "CachedRecord",
    "Hit",
    "Matcher",
    "ResultCache",
    "Scope",
    "clear_cache",
    "forget_record",
    "resolve_cache_ttl",
    "results",
]

CACHE_TTL_ENV = "OMICS_MAGIC_CACHE_TTL"
#: Seconds, as Steampipe's query cache.
DEFAULT_TTL = 300.0
#: Records kept over all entries. A sequence store's record is about 2 KB of
#: Python objects, so the bound is about 200 MB at worst; a typical account's
#: few hundred stores per region take a few MB.
MAX_RECORDS = 100_000


class CacheKey(NamedTuple):
    """Where cached records came from: AWS meters and answers per (account, region)."""

    account: str  #: the account ID, else the credentials' access key
    endpoint: str  #: the client's endpoint URL (a fake and AWS never share an entry)
    region: str
    resource: str  #: the resource's name (``sequence_stores``, ``read_sets``)
    parent: str  #: the parent's ID (the store of read sets), ``""`` for a top-level resource
    epoch: int  #: :func:`omics_magic.aws.clients.epoch`: clients made since the last reset


class CachedRecord(Protocol):
    """One row's answers from AWS, as the cache keeps them (never changed once kept)."""

    @property
    def ident(self) -> str: ...

    def field(self, name: str) -> Any: ...


#: Whether a record passes one filter (key, value) that went to the API.
Matcher = Callable[[CachedRecord, str, Any], bool]


def _equal(record: CachedRecord, key: str, value: Any) -> bool:
    return bool(record.field(key) == value)


@dataclass(frozen=True)
class Scope:
    """Which records a fetch asked AWS for.

    ``identifiers`` None means every record (a listing); ``filters`` are the
    equality filters sent with it, as (field, value) pairs.
    """

    identifiers: frozenset[str] | None = None
    filters: frozenset[tuple[str, Any]] = frozenset()

    def covers(self, other: Scope) -> bool:
        """True if every record ``other`` asks for is among those this scope asked for."""
        if not self.filters <= other.filters:
            return False
        if self.identifiers is None:
            return True
        return other.identifiers is not None and other.identifiers <= self.identifiers

    def select(
        self, records: Iterable[CachedRecord], matches: Matcher | None = None
    ) -> list[CachedRecord]:
        """The records this scope asks for, among ``records`` from a wider scope.

        ``matches`` says whether a record passes one filter (default: the
        record's field of that name equals the value).
        """
        ids, test = self.identifiers, matches or _equal
        return [
            r
            for r in records
            if (ids is None or r.ident in ids)
            and all(test(r, name, value) for name, value in self.filters)
        ]


@dataclass(frozen=True)
class Hit:
    """What the cache holds for a fetch: its records, and what they carry.

    ``fetched_at`` is the wall-clock time (``time.time()``) of the oldest
    fetch the records came from; ``complete`` says whether they carry every
    source asked for (else only the missing ones need fetching).
    """

    records: tuple[CachedRecord, ...]
    sources: frozenset[str]
    fetched_at: float
    monotonic: float
    complete: bool


@dataclass
class _Entry:
    scope: Scope
    sources: frozenset[str]
    records: tuple[CachedRecord, ...]
    fetched_at: float
    monotonic: float


class ResultCache:
    """Entries per key, least recently used first; every method is thread-safe.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Store:
    ...     ident: str
    ...     name: str
    ...     def field(self, name): return getattr(self, name)
    >>> cache = ResultCache()
    >>> key = CacheKey("123456789012", "https://omics.us-east-1.amazonaws.com",
    ...                "us-east-1", "sequence_stores", "", 0)
    >>> cache.store(key, Scope(), frozenset(), [Store("1", "a"), Store("2", "b")])
    >>> hit = cache.lookup(key, Scope(filters=frozenset({("name", "b")})), frozenset(), ttl=300)
    >>> [r.ident for r in hit.records], hit.complete
    (['2'], True)
    >>> cache.lookup(key, Scope(), frozenset({"tags"}), ttl=300).complete  # tags missing
    False
    """

    def __init__(self, max_records: int = MAX_RECORDS) -> None:
        self.max_records = max_records
        self._lock = threading.Lock()
        self._entries: OrderedDict[int, tuple[CacheKey, _Entry]] = OrderedDict()
        self._next = 0
        self._records = 0

    def lookup(
        self,
        key: CacheKey,
        scope: Scope,
        sources: frozenset[str],
        *,
        ttl: float,
        matches: Matcher | None = None,
    ) -> Hit | None:
        """The best live entry covering ``scope``: one with every source if any, else
        the one with most sources; None if no entry younger than ``ttl`` s covers it.
        ``matches`` applies a filter to a record (see :meth:`Scope.select`)."""
        now = time.monotonic()
        with self._lock:
            best: tuple[int, _Entry] | None = None
            for number, (entry_key, entry) in self._entries.items():
                if entry_key != key or now - entry.monotonic >= ttl:
                    continue
                if not entry.scope.covers(scope):
                    continue
                if best is None or _better(entry, best[1], sources):
                    best = number, entry
            if best is None:
                return None
            number, entry = best
            self._entries.move_to_end(number)
        if entry.scope == scope:
            records = entry.records
        else:
            records = tuple(scope.select(entry.records, matches))
        return Hit(
            records, entry.sources, entry.fetched_at, entry.monotonic, sources <= entry.sources
        )

    def store(
        self,
        key: CacheKey,
        scope: Scope,
        sources: frozenset[str],
        records: Sequence[CachedRecord],
        *,
        fetched_at: float | None = None,
        monotonic: float | None = None,
    ) -> None:
        """Keep what one fetch got; entries it makes redundant go."""
        entry = _Entry(
            scope,
            frozenset(sources),
            tuple(records),
            time.time() if fetched_at is None else fetched_at,
            time.monotonic() if monotonic is None else monotonic,
        )
        if len(entry.records) > self.max_records:
            return
        with self._lock:
            for number, (entry_key, old) in list(self._entries.items()):
                if (
                    entry_key == key
                    and scope.covers(old.scope)
                    and old.sources <= entry.sources
                    and old.monotonic <= entry.monotonic
                ):
                    self._drop(number)
            self._entries[self._next] = (key, entry)
            self._next += 1
            self._records += len(entry.records)
            while self._records > self.max_records:
                self._drop(next(iter(self._entries)))

    def forget_record(
        self, account: str, endpoint: str, region: str, ident: str, resource: str
    ) -> None:
        """A record of ``resource`` is gone (deleted): drop it from every entry at once.

        It goes from every entry of that account and region; another account's
        entries holding the same ID in that region (another access key may reach
        the same account) are dropped whole, and so are the entries of what
        lived in it (a deleted store's read sets): never stale.
        """
        with self._lock:
            for number, (key, entry) in list(self._entries.items()):
                if key.region != region:
                    continue
                if key.parent == ident:
                    self._drop(number)
                    continue
                if key.resource != resource or not any(r.ident == ident for r in entry.records):
                    continue
                if (key.account, key.endpoint) != (account, endpoint):
                    self._drop(number)
                    continue
                kept = tuple(r for r in entry.records if r.ident != ident)
                self._records -= len(entry.records) - len(kept)
                entry.records = kept

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
            self._records = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _drop(self, number: int) -> None:
        _, entry = self._entries.pop(number)
        self._records -= len(entry.records)


def _better(entry: _Entry, best: _Entry, sources: frozenset[str]) -> bool:
    has_all, best_has_all = sources <= entry.sources, sources <= best.sources
    if has_all != best_has_all:
        return has_all
    if not has_all and len(entry.sources & sources) != len(best.sources & sources):
        return len(entry.sources & sources) > len(best.sources & sources)
    return entry.monotonic > best.monotonic  # the fresher


#: The process's one result cache.
results = ResultCache()


def clear_cache() -> None:
    """Empty the session's result cache: the next query goes to AWS.

    Examples
    --------
    >>> import omics_magic
    >>> omics_magic.clear_cache()
    """
    results.clear()


def forget_record(
    account: str, endpoint: str, region: str, ident: str, resource: str = "sequence_stores"
) -> None:
    """Drop a deleted record from every cached entry at once (:meth:`ResultCache.forget_record`)."""
    results.forget_record(account, endpoint, region, ident, resource)


def resolve_cache_ttl(cache_ttl: float | None = None) -> float:
    """Validate a ``cache_ttl`` argument: seconds cached data may be reused (0: never).

    None means ``$OMICS_MAGIC_CACHE_TTL`` if set, else 300 s.

    Raises
    ------
    InputError
        If it (or ``$OMICS_MAGIC_CACHE_TTL``) is not a number of seconds >= 0.

    Examples
    --------
    >>> resolve_cache_ttl(60), resolve_cache_ttl(0)
    (60.0, 0.0)
    """
    source: str = "cache_ttl"
    value: object = cache_ttl
    if cache_ttl is None:
        configured = os.environ.get(CACHE_TTL_ENV, "").strip()
        if not configured:
            return DEFAULT_TTL
        source, value = f"${CACHE_TTL_ENV}", configured
    try:
        seconds = math.nan if isinstance(value, bool) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = math.nan
    if not seconds >= 0:
        raise InputError(
            f"{source} must be a number of seconds >= 0 (0 turns the cache off); got {value!r}"
        )
    return seconds
