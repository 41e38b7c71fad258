"""Pace calls under AWS's per-region request quotas instead of hammering and retrying.

AWS HealthOmics meters each operation per account and region: by default 5
requests per second for ListSequenceStores, GetSequenceStore and
ListTagsForResource. A :class:`Pacer` spaces calls so that they stay under
such a rate; :func:`pacer_for` hands out one shared pacer per (credentials,
region, operation, rate), so that two fetches running at once in the same
process share the quota instead of doubling the rate.

The rate is configurable for accounts with raised quotas: ``rate=`` on the
fetch functions, or ``$OMICS_MAGIC_TPS``; ``None``, ``0`` or ``inf`` turn
pacing off.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from typing import Literal, TypeAlias

from .errors import InputError

__all__ = [
    "DEFAULT_RATE",
    "RATE_ENV",
    "Pacer",
    "Rate",
    "pacer_for",
    "resolve_rate",
]

#: AWS's documented default quota (TPS per account, region and operation).
DEFAULT_RATE = 5.0
RATE_ENV = "OMICS_MAGIC_TPS"
#: Fraction of the quota actually used. A request paced exactly at the quota can
#: still reach AWS a few milliseconds "early" (thread wake-up, signing, network
#: jitter) and be throttled when AWS banks no burst; 2% slack (4 ms at 5 TPS)
#: absorbs that at a 2% cost in time.
HEADROOM = 0.98

#: A rate argument: TPS, ``None`` (no pacing), or ``"auto"`` ($OMICS_MAGIC_TPS, else 5).
Rate: TypeAlias = "float | None | Literal['auto']"


class Pacer:
    """Spaces calls at most ``rate`` per second, allowing ``burst`` at once.

    A thread-safe GCRA (the virtual-scheduling form of a token bucket): each
    caller reserves the next free slot under a lock, then sleeps until it
    outside the lock, so waiting callers are served in order.

    Examples
    --------
    >>> now = [0.0]
    >>> pacer = Pacer(rate=5.0, clock=lambda: now[0])
    >>> [pacer.reserve() for _ in range(3)]
    [0.0, 0.2, 0.4]
    """

    def __init__(
        self, rate: float, burst: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not rate > 0 or burst < 1:
            raise ValueError("a pacer needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._interval = 1.0 / rate
        self._clock = clock
        self._next = -math.inf  # theoretical arrival time of the next call
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Reserve the next slot and return its time (on the pacer's clock)."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next - (self.burst - 1) * self._interval)
            self._next = max(self._next, slot) + self._interval
            return slot

    def acquire(self, cancel: threading.Event | None = None) -> bool:
        """Wait for the next slot; False if ``cancel`` was set while waiting."""
        delay = self.reserve() - self._clock()
        if delay <= 0:
            return not (cancel is not None and cancel.is_set())
        if cancel is None:
            time.sleep(delay)
            return True
        return not cancel.wait(delay)


_pacers_lock = threading.Lock()
_pacers: dict[tuple[object, ...], Pacer] = {}


def pacer_for(key: tuple[object, ...], rate: float | None) -> Pacer | None:
    """The process-wide pacer for ``key`` (e.g. access key, region, operation) at ``rate``.

    ``rate=None`` means no pacing and returns None.
    """
    if rate is None:
        return None
    full_key = (*key, rate)
    with _pacers_lock:
        pacer = _pacers.get(full_key)
        if pacer is None:
            pacer = _pacers[full_key] = Pacer(rate * HEADROOM)
        return pacer


def resolve_rate(rate: Rate = "auto") -> float | None:
    """Validate a rate argument: TPS per region and operation, or None for no pacing.

    ``"auto"`` means ``$OMICS_MAGIC_TPS`` if set, else AWS's default quota of 5.
    ``None``, ``0`` and ``inf`` mean no pacing (for raised quotas).

    Raises
    ------
    InputError
        If the rate (or ``$OMICS_MAGIC_TPS``) is not a non-negative number.

    Examples
    --------
    >>> resolve_rate(20)
    20.0
    >>> resolve_rate(0) is None
    True
    """
    source = "rate"
    if isinstance(rate, str) and rate == "auto":
        configured = os.environ.get(RATE_ENV, "").strip()
        if not configured:
            return DEFAULT_RATE
        source, rate = f"${RATE_ENV}", configured  # type: ignore[assignment]
    if rate is None:
        return None
    try:
        value = float(rate)
    except (TypeError, ValueError):
        value = math.nan
    if math.isnan(value) or value < 0 or isinstance(rate, bool):
        raise InputError(
            f"{source} must be a number of requests per second per region (e.g. 5), "
            f"or 0 for no pacing; got {rate!r}"
        )
    if value == 0 or math.isinf(value):
        return None
    return value
