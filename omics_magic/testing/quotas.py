"""Request quotas: AWS's documented rates, and token buckets per (account, region, operation)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

__all__ = ["AWS_QUOTAS", "Quotas", "TokenBucket"]

# AWS HealthOmics' documented per-account, per-region request rates (TPS); its keys
# are also the operations the fake serves. AWS's quota page lists TagResource,
# UntagResource and ListTagsForResource together, at 5 TPS.
AWS_QUOTAS: dict[str, float] = {
    "ListSequenceStores": 5.0,
    "GetSequenceStore": 5.0,
    "ListTagsForResource": 5.0,
    "CreateSequenceStore": 1.0,
    "UpdateSequenceStore": 1.0,
    "DeleteSequenceStore": 1.0,
    "TagResource": 5.0,
    "UntagResource": 5.0,
    "ListReadSets": 5.0,
    "GetReadSetMetadata": 5.0,
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


def chosen_rates(rates: str | Mapping[str, float] | None) -> dict[str, float]:
    """The rates a ``set_quotas`` argument names ("aws", operation -> TPS, or None)."""
    if rates == "aws":
        return dict(AWS_QUOTAS)
    if rates is None:
        return {}
    if isinstance(rates, Mapping):
        unknown = set(rates) - set(AWS_QUOTAS)
        if unknown:
            raise ValueError(f"no quota for unknown operation(s): {sorted(unknown)}")
        chosen = {op: float(tps) for op, tps in rates.items()}
        if any(tps <= 0 for tps in chosen.values()):
            raise ValueError("a quota must be > 0 TPS; leave the operation out to not pace it")
        return chosen
    raise ValueError('rates must be "aws", a dict of operation -> TPS, or None')


class Quotas:
    """The quota plan: rates for every account, or for one, and the buckets they fill.

    Callers hold their own lock (the :class:`~omics_magic.testing.faults.Faults`').
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        # account (None: every account without its own plan) -> (rates, burst)
        self._plans: dict[str | None, tuple[dict[str, float], float | None]] = {}
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}

    def set(
        self, rates: str | Mapping[str, float] | None, burst: float | None, account_id: str | None
    ) -> None:
        chosen = chosen_rates(rates)
        if burst is not None and burst < 1:
            raise ValueError("burst must be >= 1")
        if account_id is None:
            self._plans = {None: (chosen, burst)}  # one plan for all: every account's is replaced
            self._buckets = {}
        else:
            self._plans[account_id] = (chosen, burst)
            self._buckets = {k: b for k, b in self._buckets.items() if k[0] != account_id}

    def bucket(self, account_id: str, region: str, operation: str) -> TokenBucket | None:
        """The bucket a request draws from, or None if its operation has no quota."""
        rates, burst = self._plans.get(account_id) or self._plans.get(None) or ({}, None)
        rate = rates.get(operation)
        if rate is None:
            return None
        key = (account_id, region, operation)
        found = self._buckets.get(key)
        if found is None:
            size = burst if burst is not None else max(1.0, rate)
            found = self._buckets[key] = TokenBucket(rate, size, self._clock)
        return found
