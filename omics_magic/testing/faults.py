"""Fault injection: added latency, error answers, disabled regions and quotas.

Every setting applies per region and per operation; ``None`` means "all".
When several latency settings match a request, the most specific one wins
(region and operation, then operation, then region, then the global one).
Injected errors are checked in the order they were added; the first match fires.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .exceptions import ERROR_STATUS, OmicsServiceError

__all__ = ["AWS_QUOTAS", "Faults", "TokenBucket"]

# AWS HealthOmics' documented per-account, per-region request rates (TPS); its keys
# are also the operations the fake serves.
AWS_QUOTAS: dict[str, float] = {
    "ListSequenceStores": 5.0,
    "GetSequenceStore": 5.0,
    "ListTagsForResource": 5.0,
    "CreateSequenceStore": 1.0,
    "UpdateSequenceStore": 1.0,
    "DeleteSequenceStore": 1.0,
    "TagResource": 1.0,
    "UntagResource": 1.0,
}


class TokenBucket:
    """A thread-safe token bucket: ``rate`` tokens per second, at most ``burst`` banked.

    It starts full. ``take()`` spends one token if there is one.

    Examples
    --------
    >>> now = [0.0]
    >>> bucket = TokenBucket(rate=1.0, burst=2, clock=lambda: now[0])
    >>> [bucket.take() for _ in range(3)]
    [True, True, False]
    >>> now[0] = 1.0
    >>> bucket.take()
    True
    """

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic):
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Spend one token; False when the bucket is empty (the call is throttled)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False


@dataclass
class _ErrorRule:
    code: str
    region: str | None
    operation: str | None
    remaining: int | None
    message: str | None
    status: int | None
    after: bool = False  # answer the error after the operation took effect

    def matches(self, region: str, operation: str, after: bool = False) -> bool:
        return (
            self.after == after
            and (self.region in (None, region))
            and (self.operation in (None, operation))
        )


def _check_scope(region: str | None, operation: str | None) -> None:
    # A typo here would make a fault silently never fire; say so at once instead.
    if operation is not None and operation not in AWS_QUOTAS:
        raise ValueError(f"unknown operation {operation!r}; use one of: {', '.join(AWS_QUOTAS)}")
    if region is not None:
        from ..regions import omics_regions

        if region not in omics_regions():
            raise ValueError(
                f"{region!r} is not an omics region; use one of: {', '.join(omics_regions())}"
            )


class Faults:
    """The fault plan of one backend. All methods are thread-safe.

    A request meets its faults in this order: latency, then a disabled region,
    then injected errors, then the quota.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        """Remove every fault: latency, errors, disabled regions and quotas."""
        with self._lock:
            self._latency: dict[tuple[str | None, str | None], float] = {}
            self._errors: list[_ErrorRule] = []
            self._disabled: set[str] = set()
            self._rates: dict[str, float] = {}
            self._burst: float | None = None
            self._buckets: dict[tuple[str, str, str], TokenBucket] = {}

    def set_latency(self, seconds: float, region: str | None, operation: str | None) -> None:
        if seconds < 0:
            raise ValueError("latency must be >= 0 seconds")
        _check_scope(region, operation)
        with self._lock:
            self._latency[(region, operation)] = float(seconds)

    def latency(self, region: str, operation: str) -> float:
        with self._lock:
            for key in ((region, operation), (None, operation), (region, None), (None, None)):
                if key in self._latency:
                    return self._latency[key]
        return 0.0

    def inject_error(
        self,
        code: str,
        region: str | None,
        operation: str | None,
        times: int | None,
        message: str | None,
        status: int | None,
        after: bool = False,
    ) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be None (always) or >= 1")
        _check_scope(region, operation)
        if status is None and code not in ERROR_STATUS:
            raise ValueError(
                f"unknown error code {code!r}; pass status= or use one of: "
                + ", ".join(sorted(ERROR_STATUS))
            )
        with self._lock:
            self._errors.append(_ErrorRule(code, region, operation, times, message, status, after))

    def disable_region(self, region: str) -> None:
        _check_scope(region, None)
        with self._lock:
            self._disabled.add(region)

    def enable_region(self, region: str) -> None:
        with self._lock:
            self._disabled.discard(region)

    def set_quotas(self, rates: str | Mapping[str, float] | None, burst: float | None) -> None:
        if rates == "aws":
            chosen = dict(AWS_QUOTAS)
        elif rates is None:
            chosen = {}
        elif isinstance(rates, Mapping):
            unknown = set(rates) - set(AWS_QUOTAS)
            if unknown:
                raise ValueError(f"no quota for unknown operation(s): {sorted(unknown)}")
            chosen = {op: float(tps) for op, tps in rates.items()}
        else:
            raise ValueError('rates must be "aws", a dict of operation -> TPS, or None')
        if burst is not None and burst < 1:
            raise ValueError("burst must be >= 1")
        with self._lock:
            self._rates = chosen
            self._burst = burst
            self._buckets = {}

    def check_after(self, region: str, operation: str) -> None:
        """Raise the error injected with ``after=True`` that this request meets, if any
        (called once the operation took effect: its answer is lost, as after a 500)."""
        with self._lock:
            self._raise_injected(region, operation, after=True)

    def _raise_injected(self, region: str, operation: str, *, after: bool) -> None:
        for rule in self._errors:
            if rule.matches(region, operation, after):
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._errors.remove(rule)
                raise OmicsServiceError(rule.code, rule.message, rule.status)

    def check(self, account_id: str, region: str, operation: str) -> None:
        """Raise the fault this request meets, if any (called after the latency)."""
        with self._lock:
            if region in self._disabled:
                raise OmicsServiceError("UnrecognizedClientException")
            self._raise_injected(region, operation, after=False)
            rate = self._rates.get(operation)
            if rate is None:
                return
            key = (account_id, region, operation)
            bucket = self._buckets.get(key)
            if bucket is None:
                burst = self._burst if self._burst is not None else max(1.0, rate)
                bucket = self._buckets[key] = TokenBucket(rate, burst, self._clock)
        if not bucket.take():
            raise OmicsServiceError("ThrottlingException", "Rate exceeded")
