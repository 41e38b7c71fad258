"""Pace calls under AWS's per-region request quotas instead of hammering and retrying.

AWS HealthOmics meters each operation per account and region with a token
bucket: by default 5 requests per second for ListSequenceStores,
GetSequenceStore and ListTagsForResource, plus a burst that AWS does not
document. A :class:`Pacer` models that bucket; :func:`pacer_for` hands out one
shared pacer per (credentials, endpoint, region, operation, rate, burst), so
that two fetches running at once in the same process share the quota instead
of doubling the rate, and so that what a pacer learned is remembered for the
process: a later query starts from the bucket's modelled refill.

**Learning the burst.** The rate is the configured quota (``rate=`` or
``$OMICS_MAGIC_TPS``, else 5). The burst is learned: a pacer starts knowing only
that the bucket holds one call, and lets one *probe* at a time go beyond what
it knows, while the calls it knows are safe keep flowing. Each probe the server
accepts proves one more token of burst; the first throttled call ends the
learning, with the burst set to what was proven and the bucket modelled empty
at that moment. From then on calls are scheduled within (rate, burst) exactly;
a later throttle (calls reaching the meter unevenly, a quota shared with
another client) empties the model again and widens the spacing by 5%, up to 25%.
A probe goes only when every call before it has been answered (one still on
its way could take the token the probe finds), so only one is ever out at
once, and learning costs at most one throttled
call per (credentials, region, operation) in the process's life, and a
steady bucket is never throttled again. Accounts with raised quotas can say
what the burst is (``burst=`` or ``$OMICS_MAGIC_BURST``; 1 means the quota
banks no burst), which skips the learning.

Pacing happens on botocore's ``before-send`` event (:func:`install`), so it
applies to every attempt, retries included: a retry after a throttle takes its
turn like any call, instead of taking the next call's turn and starting a
cascade of throttles. What each attempt's answer was (accepted, throttled, or
neither) comes back on ``response-received``. The same hooks make a call
cancellable, paced or not: once its cancel event is set, no further attempt
is sent and botocore makes no further retry (see :func:`paced`).

``rate=None``, ``0`` or ``inf`` (or ``$OMICS_MAGIC_TPS=0``) turn pacing off.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from ..errors import InputError

__all__ = [
    "BURST_ENV",
    "DEFAULT_RATE",
    "DEFAULT_RATES",
    "MIN_RATE",
    "RATE_ENV",
    "THROTTLE_CODES",
    "Burst",
    "Pacer",
    "PacingCancelled",
    "Rate",
    "Ticket",
    "forget_pacers",
    "install",
    "operation_pacer",
    "pacer_for",
    "paced",
    "resolve_burst",
    "resolve_rate",
]

#: AWS's documented default quota (TPS per account, region and operation).
DEFAULT_RATE = 5.0
#: AWS HealthOmics' documented default quotas of the calls omics_magic makes, TPS per
#: account, region and operation (docs.aws.amazon.com/omics/latest/dev/api-quotas.html;
#: the fake's ``testing.quotas.AWS_QUOTAS`` holds the same). Each operation is metered
#: by its own bucket: ListReadSets' is not ListSequenceStores', and each has its own pacer.
DEFAULT_RATES: Mapping[str, float] = {
    "ListSequenceStores": 5.0,
    "GetSequenceStore": 5.0,
    "ListTagsForResource": 5.0,
    "ListReadSets": 5.0,
    "GetReadSetMetadata": 5.0,
    "DeleteSequenceStore": 1.0,
}
RATE_ENV = "OMICS_MAGIC_TPS"
BURST_ENV = "OMICS_MAGIC_BURST"
#: The slowest pacing accepted, in requests per second.
MIN_RATE = 0.1
#: Fraction of the quota actually used. Calls are spaced when they go out, but
#: reach AWS's meter a little unevenly (thread scheduling, the network, the
#: service's own queueing): against a quota that banks no burst, a call 10 ms
#: "early" is throttled. Measured on the fake with 10 regions at once, the spread
#: reaches ~20 ms. 5% slack (10 ms at 5 TPS) keeps throttling at zero in
#: benchmarks/fetch.py while staying within 1.25x of the critical path.
HEADROOM = 0.95
#: Seconds between looks at a pacer whose probe is out: when the probe is
#: accepted, a waiting call may go at once instead of at the next safe time.
PROBE_POLL = 0.005

#: After learning, a throttle means calls reached the meter more unevenly than
#: the headroom allows (a busy client, a shared quota): each one widens the
#: spacing by this factor, up to MAX_SLOWDOWN times the configured one.
SLOWDOWN = 1.05
MAX_SLOWDOWN = 1.25

#: What AWS answers when a call is over its quota (besides HTTP 429).
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "ProvisionedThroughputExceededException",
    }
)

#: A rate argument: TPS, ``None`` (no pacing), or ``"auto"`` ($OMICS_MAGIC_TPS, else 5).
Rate: TypeAlias = "float | None | Literal['auto']"
#: A burst argument: calls the quota banks (1: none), or ``"auto"``
#: ($OMICS_MAGIC_BURST, else learned from the first throttle).
Burst: TypeAlias = "int | Literal['auto']"


@dataclass(frozen=True)
class Ticket:
    """One call let through by a :class:`Pacer`: when, and whether it was a probe."""

    at: float
    probe: bool = False
    number: int = 0  # how many calls the pacer had let through before this one


class Pacer:
    """A model of the server's token bucket: ``rate`` calls per second, ``burst`` at once.

    A thread-safe GCRA (the virtual-scheduling form of a token bucket) judged at
    the moment each call actually goes through, not when it asked: a caller that
    wakes late from its sleep can't leave the next one a short gap, so the
    spacing holds on the wire even when threads are scheduled unevenly.

    With ``learn=True``, ``burst`` is only where learning starts: :meth:`take`
    may let one probe at a time go beyond it, and :meth:`answered` grows the
    burst by one for each probe the server accepted, until the first throttle
    (see the module docstring). :meth:`acquire` never probes.

    Examples
    --------
    >>> now = [0.0]
    >>> def sleep(seconds): now[0] += seconds
    >>> pacer = Pacer(rate=5.0, clock=lambda: now[0], sleep=sleep)
    >>> [round(pacer.acquire(), 3) for _ in range(3)]
    [0.0, 0.2, 0.4]

    Learning: the server accepts two calls at once, then throttles the third.

    >>> now = [0.0]
    >>> pacer = Pacer(rate=5.0, learn=True, clock=lambda: now[0], sleep=sleep)
    >>> first = pacer.take()
    >>> pacer.answered(first, throttled=False)
    >>> second = pacer.take()
    >>> second.probe
    True
    >>> pacer.answered(second, throttled=False); pacer.burst
    2
    >>> third = pacer.take()
    >>> pacer.answered(third, throttled=True); pacer.burst, pacer.learning
    (2, False)
    >>> round(pacer.take().at, 3)  # the bucket was empty at 0.0: one interval later
    0.2
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        learn: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate > 0 or burst < 1:
            raise ValueError("a pacer needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.throttles = 0  # throttled answers seen (learning's included)
        self._learning = learn
        self._interval = 1.0 / rate
        self._widest = MAX_SLOWDOWN / rate
        self._clock = clock
        self._sleep = sleep
        self._due = -math.inf  # GCRA's theoretical arrival time of the next call
        self._out = 0  # tickets of take() not answered yet (the probe's included)
        self._passed = 0
        self._lock = threading.Lock()

    @property
    def learning(self) -> bool:
        """True until the first throttle (or if the burst was given, never)."""
        return self._learning

    def _pass_or_wait(self, may_probe: bool) -> tuple[Ticket | None, float]:
        """(a ticket, 0) if a call may go now, else (None, seconds to wait)."""
        with self._lock:
            now = self._clock()
            safe_at = self._due - (self.burst - 1) * self._interval
            if now >= safe_at:
                self._due = max(self._due, now) + self._interval
                self._passed += 1
                self._out += int(may_probe)  # take()'s tickets are answered; acquire()'s not
                return Ticket(now, number=self._passed - 1), 0.0
            wait = safe_at - now
            if may_probe and self._learning:
                probe_at = safe_at - self._interval
                if self._out:
                    # A probe proves one more token only if every call before it was
                    # judged already: one still on its way may take the token it finds.
                    # And the answer may grow the burst: look again soon.
                    return None, min(wait, PROBE_POLL)
                if now >= probe_at:
                    self._due = max(self._due, now) + self._interval
                    self._passed += 1
                    self._out += 1
                    return Ticket(now, probe=True, number=self._passed - 1), 0.0
                return None, probe_at - now
            return None, wait

    def _wait_for_turn(self, may_probe: bool, cancel: threading.Event | None) -> Ticket | None:
        while True:
            if cancel is not None and cancel.is_set():
                return None
            ticket, wait = self._pass_or_wait(may_probe)
            if ticket is not None:
                return ticket
            if cancel is None:
                self._sleep(wait)
            elif cancel.wait(wait):
                return None

    def take(self, cancel: threading.Event | None = None) -> Ticket | None:
        """Wait until a call may go (maybe as a probe); its ticket, or None if cancelled.

        Every ticket must be handed back to :meth:`answered` once its answer is known.
        """
        return self._wait_for_turn(True, cancel)

    def acquire(self, cancel: threading.Event | None = None) -> float | None:
        """Wait until a call may go within what is known; its time, or None if cancelled."""
        ticket = self._wait_for_turn(False, cancel)
        return None if ticket is None else ticket.at

    def answered(self, ticket: Ticket, throttled: bool | None) -> None:
        """What the server said to ``ticket``'s call: accepted (False), throttled
        (True), or nothing that tells (None: a 5xx, a broken connection)."""
        with self._lock:
            self._out = max(0, self._out - 1)
            if throttled is None:
                return
            if not throttled:
                if ticket.probe and self._learning:
                    self.burst += 1
                return
            self.throttles += 1
            if not self._learning:  # the model was right about the burst: space calls more
                self._interval = min(self._interval * SLOWDOWN, self._widest)
            self._learning = False
            # The throttled call took no token, and the bucket was empty when the server
            # judged it: at the latest, now (so assume now, or the model could run ahead
            # of the server by the call's time on the wire). The calls let through since
            # it went are still counted: they may be on the wire too.
            since = self._passed - ticket.number - 1
            empty = self._clock() + (self.burst + since) * self._interval
            self._due = max(self._due - self._interval, empty)


class PacingCancelled(Exception):
    """A call was abandoned before an attempt went out (its fetch or delete stopped)."""


@dataclass
class _Turn:
    """One call made inside :func:`paced`; ``attempts`` counts those that went out."""

    pacer: Pacer | None
    cancel: threading.Event | None
    on_pass: Callable[[], None] | None
    attempts: int = 0
    ticket: Ticket | None = None  # the attempt out now, until its answer comes back

    def passed(self) -> None:
        if self.on_pass is not None:
            on_pass, self.on_pass = self.on_pass, None
            on_pass()

    def answered(self, throttled: bool | None) -> None:
        ticket, self.ticket = self.ticket, None
        if ticket is not None and self.pacer is not None:
            self.pacer.answered(ticket, throttled)


_local = threading.local()
_HOOK_ID = "omics_magic.aws.pacing"


def install(client: Any) -> None:
    """Pace every HTTP attempt of ``client`` (first tries and botocore's retries alike)
    made inside :func:`paced`; outside it, the client is untouched.

    The hook runs first on ``before-send``, right before the request goes out:
    the closest point to the wire, and one that retries pass through too. Each
    attempt's answer is read on ``response-received``, which every attempt
    passes, so that the pacer learns the bucket from it.
    """
    events = client.meta.events
    events.register_first("before-send.omics", _before_send, unique_id=_HOOK_ID)
    events.register_first("needs-retry.omics", _needs_retry, unique_id=f"{_HOOK_ID}.retry")
    events.register("response-received.omics", _response_received, unique_id=f"{_HOOK_ID}.answer")


def _before_send(**_: Any) -> None:
    turn: _Turn | None = getattr(_local, "turn", None)
    if turn is None:
        return
    turn.answered(None)  # a previous attempt whose answer never came back
    if turn.cancel is not None and turn.cancel.is_set():
        raise PacingCancelled("the call was cancelled before this attempt went out")
    if turn.pacer is not None:
        ticket = turn.pacer.take(turn.cancel)
        if ticket is None:
            raise PacingCancelled("the call was cancelled while waiting for its turn")
        turn.ticket = ticket
    turn.attempts += 1
    turn.passed()


def _needs_retry(**_: Any) -> bool | None:
    # Runs before botocore's retry handler; False (not None) is taken as its answer:
    # a cancelled call is not retried, nor does botocore sleep before giving up.
    turn: _Turn | None = getattr(_local, "turn", None)
    if turn is not None and turn.cancel is not None and turn.cancel.is_set():
        return False
    return None


def _response_received(
    response_dict: Mapping[str, Any] | None = None,
    parsed_response: Mapping[str, Any] | None = None,
    **_: Any,
) -> None:
    turn: _Turn | None = getattr(_local, "turn", None)
    if turn is None or turn.ticket is None:
        return
    status = (response_dict or {}).get("status_code")
    code = ((parsed_response or {}).get("Error") or {}).get("Code")
    if status == 429 or code in THROTTLE_CODES:
        turn.answered(True)
    elif isinstance(status, int) and status < 500:
        turn.answered(False)  # an answer, even an error, means the bucket had a token
    else:
        turn.answered(None)


@contextmanager
def paced(
    pacer: Pacer | None,
    cancel: threading.Event | None = None,
    on_pass: Callable[[], None] | None = None,
) -> Iterator[_Turn]:
    """Pace the calls this thread makes, on clients set up by :func:`install`.

    ``pacer`` None means no pacing. Once ``cancel`` is set, no attempt goes
    out (:class:`PacingCancelled` is raised instead) and no retry is made.
    ``on_pass`` is called once: when the first attempt goes out, or at the end
    if none did (so that whoever waits on it is always released). It yields
    the turn, whose ``attempts`` says how many attempts went out.
    """
    previous = getattr(_local, "turn", None)
    turn = _Turn(pacer, cancel, on_pass)
    _local.turn = turn
    try:
        yield turn
    finally:
        _local.turn = previous
        turn.answered(None)
        turn.passed()


_pacers_lock = threading.Lock()
_pacers: dict[tuple[object, ...], Pacer] = {}


def pacer_for(
    key: tuple[object, ...], rate: float | None, burst: int | None = None
) -> Pacer | None:
    """The process-wide pacer for ``key`` (e.g. access key, region, operation).

    ``rate`` is the quota in TPS (None: no pacing, and None is returned);
    ``burst`` the calls the quota banks, or None to learn it (see
    :func:`resolve_burst`). The pacer, and what it learned, live as long as the
    process (or until :func:`forget_pacers`).
    """
    if rate is None:
        return None
    full_key = (*key, rate, burst)
    with _pacers_lock:
        pacer = _pacers.get(full_key)
        if pacer is None:
            pacer = _pacers[full_key] = Pacer(rate * HEADROOM, burst or 1, learn=burst is None)
        return pacer


def operation_pacer(
    account: str,
    client: Any,
    region: str,
    operation: str,
    rate: float | None,
    burst: int | None = None,
) -> Pacer | None:
    """The shared pacer of ``operation`` in ``region``: the one place its key is made.

    AWS meters per account, region and operation; the key is the account (or,
    when it is not known, the credentials' access key), the client's endpoint
    (a fake and AWS don't share a quota), the region and the operation.
    ``rate=None`` means no pacing and returns None; ``burst`` is as for
    :func:`pacer_for`.
    """
    return pacer_for((account, str(client.meta.endpoint_url), region, operation), rate, burst)


def forget_pacers() -> None:
    """Forget every pacer and what it learned (for tests, and a changed account)."""
    with _pacers_lock:
        _pacers.clear()


def resolve_burst(burst: Burst = "auto") -> int | None:
    """Validate a burst argument: calls the quota banks, or None to learn it.

    ``"auto"`` means ``$OMICS_MAGIC_BURST`` if set, else learn it from the
    first throttle. A whole number >= 1 is the burst an account's raised
    quota is known to have (1: no burst at all, only the steady rate); it is
    spent at once, without learning.

    Raises
    ------
    InputError
        If the burst (or ``$OMICS_MAGIC_BURST``) is not "auto" or a whole number >= 1.

    Examples
    --------
    >>> resolve_burst(20)
    20
    >>> resolve_burst("auto") is None  # learn it
    True
    """
    source = "burst"
    if isinstance(burst, str) and burst.strip().lower() == "auto":
        configured = os.environ.get(BURST_ENV, "").strip()
        if not configured or configured.lower() == "auto":
            return None
        source, burst = f"${BURST_ENV}", configured  # type: ignore[assignment]
    try:
        value = float(burst)  # "3" from the environment, 3.0 from a float
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(burst, bool) or not (value >= 1 and value.is_integer()):
        raise InputError(
            f"{source} must be a whole number of calls >= 1 (1: the quota banks no burst), "
            f'or "auto" to learn it; got {burst!r}'
        )
    return int(value)


def resolve_rate(rate: Rate = "auto", operation: str | None = None) -> float | None:
    """Validate a rate argument: TPS per region and operation, or None for no pacing.

    ``"auto"`` means ``$OMICS_MAGIC_TPS`` if set, else AWS's default quota of
    ``operation`` (:data:`DEFAULT_RATES`; 5 for an operation not in it, or none named).
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
    >>> resolve_rate("auto", "DeleteSequenceStore")  # without $OMICS_MAGIC_TPS   # doctest: +SKIP
    1.0
    """
    source = "rate"
    if isinstance(rate, str) and rate == "auto":
        configured = os.environ.get(RATE_ENV, "").strip()
        if not configured:
            return DEFAULT_RATES.get(operation or "", DEFAULT_RATE)
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
