"""How a fetch runs, as one value: :class:`FetchOptions`.

The public functions (``sequence_stores``, ``run_query``, ``df.omics.refresh``)
keep their keyword arguments; each builds one ``FetchOptions`` and hands it
down, as httpx hands down its ``Timeout`` and ``Limits``. Every option is
validated here, once, when the object is made: before any AWS call.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass

from ..aws.pacing import Burst, Rate, resolve_burst, resolve_rate
from ..errors import InputError
from .cache import resolve_cache_ttl

__all__ = ["FetchOptions", "check_timeout"]


@dataclass(frozen=True)
class FetchOptions:
    """How to fetch: failures, progress, time, concurrency and pacing.

    Attributes
    ----------
    strict
        Raise :class:`~omics_magic.errors.FetchError` naming every failed
        region instead of warning.
    progress
        Show a progress bar over regions; None shows one in a notebook for
        more than one region.
    timeout
        Seconds the regions may take (None, or ``inf``, waits for every region);
        regions still running then are reported as ``DeadlineExceeded``.
    max_concurrency
        Requests in flight at once, over all regions (None: 16 per region, at most 128).
    rate
        Requests per second per region and operation: ``"auto"`` is
        ``$OMICS_MAGIC_TPS``, else each operation's documented quota (5 for
        every call a fetch makes; :meth:`rate_for`); None or 0 turn pacing
        off. Kept resolved, as :attr:`tps`.
    burst
        Calls the quota banks per region and operation: ``"auto"`` is
        ``$OMICS_MAGIC_BURST``, else learned (:mod:`omics_magic.aws.pacing`); a
        whole number >= 1 when it is known. Kept resolved, as :attr:`banked`
        (None: learn it).
    cache_ttl
        Seconds data in the session's result cache may be reused
        (:mod:`omics_magic.fetch.cache`); None is ``$OMICS_MAGIC_CACHE_TTL``,
        else 300; 0 turns the cache off. Kept resolved, as :attr:`ttl`.
    refresh
        Go to AWS even if the cache holds the answer, and keep what comes back.
    deadline
        A ``time.monotonic()`` time, for several fetches under one ``timeout``
        (a query reading several relations); see :meth:`started`.
    cancel
        An event for callers that run fetches in threads of their own (a
        query's relations, a refresh): once set, each fetch stops at once, as
        on a KeyboardInterrupt in the main thread (see :mod:`omics_magic.workers`),
        and its unfinished regions are reported as interrupted.
    warn
        Warn (RegionFailureWarning) about failed regions; False for callers
        that report them their own way, once, for all their fetches.

    Raises
    ------
    InputError
        If any option is malformed (``strict="no"``, ``timeout=-1``, ...).

    Examples
    --------
    >>> options = FetchOptions(timeout=30, rate=10)
    >>> options.timeout, options.tps
    (30.0, 10.0)
    >>> FetchOptions(strict="yes")
    Traceback (most recent call last):
      ...
    omics_magic.errors.InputError: strict must be True or False; got 'yes'
    """

    strict: bool = False
    progress: bool | None = None
    timeout: float | None = None
    max_concurrency: int | None = None
    rate: Rate = "auto"
    deadline: float | None = None
    warn: bool = True
    burst: Burst = "auto"
    cache_ttl: float | None = None
    refresh: bool = False
    cancel: threading.Event | None = dataclasses.field(default=None, compare=False)
    tps: float | None = dataclasses.field(init=False, repr=False, compare=False)
    banked: int | None = dataclasses.field(init=False, repr=False, compare=False)
    ttl: float = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A string is truthy: strict="no" would mean strict, progress="off" a progress bar.
        for name in ("strict", "warn", "refresh"):
            if getattr(self, name) not in (True, False):
                raise InputError(f"{name} must be True or False; got {getattr(self, name)!r}")
        if self.progress not in (True, False, None):
            raise InputError(
                f"progress must be True, False or None (automatic); got {self.progress!r}"
            )
        concurrency = self.max_concurrency
        if concurrency is not None and not (
            isinstance(concurrency, int) and not isinstance(concurrency, bool) and concurrency >= 1
        ):
            raise InputError(f"max_concurrency must be an integer >= 1; got {concurrency!r}")
        if self.deadline is not None and not _is_number(self.deadline):
            raise InputError(f"deadline must be a time.monotonic() time; got {self.deadline!r}")
        object.__setattr__(self, "strict", bool(self.strict))
        object.__setattr__(self, "timeout", check_timeout(self.timeout))
        object.__setattr__(self, "tps", resolve_rate(self.rate))
        object.__setattr__(self, "banked", resolve_burst(self.burst))
        object.__setattr__(self, "ttl", resolve_cache_ttl(self.cache_ttl))

    def rate_for(self, operation: str) -> float | None:
        """The TPS to pace ``operation`` at: :attr:`tps`, but with ``rate="auto"`` and no
        ``$OMICS_MAGIC_TPS``, AWS's default quota of that operation
        (:data:`~omics_magic.aws.pacing.DEFAULT_RATES`).

        Examples
        --------
        >>> FetchOptions(rate=2).rate_for("ListReadSets")
        2.0
        >>> FetchOptions(rate=None).rate_for("ListReadSets") is None
        True
        """
        return None if self.tps is None else resolve_rate(self.rate, operation)

    def started(self) -> FetchOptions:
        """These options with the deadline set ``timeout`` seconds from now (if not yet set).

        One deadline for a whole query, however many fetches it makes.

        Examples
        --------
        >>> FetchOptions().started().deadline is None
        True
        >>> FetchOptions(timeout=5).started().deadline is not None
        True
        """
        if self.deadline is not None or self.timeout is None:
            return self
        return dataclasses.replace(self, deadline=time.monotonic() + self.timeout)


def check_timeout(timeout: object) -> float | None:
    """Validate a ``timeout`` argument: seconds > 0, or None (``inf`` also means no deadline).

    Raises
    ------
    InputError
        If it is not a number > 0 (or None).

    Examples
    --------
    >>> check_timeout(2), check_timeout(float("inf"))
    (2.0, None)
    """
    if timeout is None:
        return None
    if not (_is_number(timeout) and timeout > 0):  # type: ignore[operator]
        raise InputError(f"timeout must be a number of seconds > 0, or None; got {timeout!r}")
    value = float(timeout)  # type: ignore[arg-type]
    return None if value == float("inf") else value


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
