"""Pace calls under AWS's per-region request quotas instead of hammering and retrying.

AWS HealthOmics meters each operation per account and region: by default 5
requests per second for ListSequenceStores, GetSequenceStore and
ListTagsForResource. A :class:`Pacer` spaces calls so that they stay under
such a rate; :func:`pacer_for` hands out one shared pacer per (credentials,
endpoint, region, operation, rate), so that two fetches running at once in the
same process share the quota instead of doubling the rate.

Pacing happens on botocore's ``before-send`` event (:func:`install`), so it
applies to every attempt, retries included: a retry after a throttle takes its
turn like any call, instead of taking the next call's turn and starting a
cascade of throttles.

The rate is configurable for accounts with raised quotas: ``rate=`` on the
fetch functions, or ``$OMICS_MAGIC_TPS``; ``None``, ``0`` or ``inf`` turn
pacing off.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from ..errors import InputError

__all__ = [
    "DEFAULT_RATE",
    "MIN_RATE",
    "RATE_ENV",
    "Pacer",
    "PacingCancelled",
    "Rate",
    "install",
    "pacer_for",
    "paced",
    "resolve_rate",
]

#: AWS's documented default quota (TPS per account, region and operation).
DEFAULT_RATE = 5.0
RATE_ENV = "OMICS_MAGIC_TPS"
#: The slowest pacing accepted, in requests per second.
MIN_RATE = 0.1
#: Fraction of the quota actually used. Calls are spaced when they go out, but
#: reach AWS's meter a little unevenly (thread scheduling, the network, the
#: service's own queueing): against a quota that banks no burst, a call 10 ms
#: "early" is throttled. Measured on the fake with 10 regions at once, the spread
#: reaches ~20 ms. 5% slack (10 ms at 5 TPS) plus any burst the quota banks keeps
#: throttling at zero in benchmarks/fetch.py (burst 2) while staying within 1.25x
#: of the critical path; 10% slack cost ~1.3x there. Against a quota with no
#: burst at all a few calls may be throttled and are retried by botocore.
HEADROOM = 0.95

#: A rate argument: TPS, ``None`` (no pacing), or ``"auto"`` ($OMICS_MAGIC_TPS, else 5).
Rate: TypeAlias = "float | None | Literal['auto']"


class Pacer:
    """Lets calls through at most ``rate`` per second, ``burst`` at once.

    A thread-safe GCRA (the virtual-scheduling form of a token bucket) judged at
    the moment each call actually goes through, not when it asked: a caller that
    wakes late from its sleep can't leave the next one a short gap, so the
    spacing holds on the wire even when threads are scheduled unevenly.

    Examples
    --------
    >>> now = [0.0]
    >>> def sleep(seconds): now[0] += seconds
    >>> pacer = Pacer(rate=5.0, clock=lambda: now[0], sleep=sleep)
    >>> [round(pacer.acquire(), 3) for _ in range(3)]
    [0.0, 0.2, 0.4]
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate > 0 or burst < 1:
            raise ValueError("a pacer needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._due = -math.inf  # GCRA's theoretical arrival time of the next call
        self._lock = threading.Lock()

    def _pass_or_wait(self) -> tuple[float, float]:
        """(time passed, 0) if a call may go now, else (now, seconds to wait)."""
        with self._lock:
            now = self._clock()
            allowed = self._due - (self.burst - 1) * self._interval
            if now >= allowed:
                self._due = max(self._due, now) + self._interval
                return now, 0.0
            return now, allowed - now

    def acquire(self, cancel: threading.Event | None = None) -> float | None:
        """Wait until a call may go; its time, or None if ``cancel`` was set meanwhile."""
        while True:
            if cancel is not None and cancel.is_set():
                return None
            now, wait = self._pass_or_wait()
            if wait <= 0:
                return now
            if cancel is None:
                self._sleep(wait)
            elif cancel.wait(wait):
                return None


class PacingCancelled(Exception):
    """A paced call was abandoned while waiting for its turn (the fetch gave up)."""


@dataclass
class _Turn:
    pacer: Pacer
    cancel: threading.Event | None
    on_pass: Callable[[], None] | None

    def passed(self) -> None:
        if self.on_pass is not None:
            on_pass, self.on_pass = self.on_pass, None
            on_pass()


_local = threading.local()
_HOOK_ID = "omics_magic.aws.pacing"


def install(client: Any) -> None:
    """Pace every HTTP attempt of ``client`` (first tries and botocore's retries alike)
    made inside :func:`paced`; outside it, the client is untouched.

    The hook runs first on ``before-send``, right before the request goes out:
    the closest point to the wire, and one that retries pass through too.
    """
    client.meta.events.register_first("before-send.omics", _before_send, unique_id=_HOOK_ID)


def _before_send(**_: Any) -> None:
    turn: _Turn | None = getattr(_local, "turn", None)
    if turn is None:
        return
    if turn.pacer.acquire(turn.cancel) is None:
        raise PacingCancelled("the fetch stopped waiting for this call")
    turn.passed()


@contextmanager
def paced(
    pacer: Pacer | None,
    cancel: threading.Event | None = None,
    on_pass: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Pace the calls this thread makes, on clients set up by :func:`install`.

    ``on_pass`` is called once: when the first attempt goes out, or at the end
    if none did (so that whoever waits on it is always released).
    """
    previous = getattr(_local, "turn", None)
    turn = _Turn(pacer, cancel, on_pass) if pacer is not None else None
    _local.turn = turn
    try:
        yield
    finally:
        _local.turn = previous
        if turn is not None:
            turn.passed()
        elif on_pass is not None:
            on_pass()


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
        If the rate (or ``$OMICS_MAGIC_TPS``) is not 0 or a number of at least
        :data:`MIN_RATE`.

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
    if value < MIN_RATE:
        # 1e-9 TPS would wait 30 years before the second call: a typo, not a quota.
        raise InputError(
            f"{source} must be at least {MIN_RATE} requests per second per region (one "
            f"every {1 / MIN_RATE:g} s), or 0 for no pacing; got {rate!r}"
        )
    return value
