"""Critical paths: the fastest any client could fetch from the fake, from its own parameters."""

from __future__ import annotations

import math


class _Bucket:
    """The fake's token bucket, for an ideal client whose calls arrive exactly when allowed."""

    def __init__(self, tps: float | None, burst: float) -> None:
        self.tps, self.burst = tps, burst
        self.tokens: float = burst
        self.stamp: float | None = None

    def admit(self, wanted: float) -> float:
        """When a call that would reach the fake at ``wanted`` gets its token."""
        if self.tps is None:
            return wanted
        if self.stamp is None:  # the fake makes a full bucket at the first call
            self.stamp = wanted
        at = max(wanted, self.stamp)
        tokens = min(self.burst, self.tokens + (at - self.stamp) * self.tps)
        if tokens < 1.0:
            at += (1.0 - tokens) / self.tps
            tokens = 1.0
        self.tokens, self.stamp = tokens - 1.0, at
        return at


def pages_of(stores: int, page_size: int = 100) -> int:
    return max(1, math.ceil(stores / page_size))


def critical_path(
    stores: int,
    *,
    latency: float,
    tps: float | None,
    burst: float,
    tags: bool,
    page_size: int = 100,
) -> float:
    """The earliest one region's fetch can finish, in seconds.

    Pages come one after another (each needs the previous page's answer and a
    token); each store's ListTagsForResource can leave as soon as its page has
    arrived. Every call takes ``latency`` and needs a token from the fake's
    bucket for its region and operation (``tps``, ``burst``; full at the
    first call; ``tps=None``: no quota). Computed by simulating that bucket for
    an ideal client. With one page of S stores it is ``2L + max(0, S - B)/TPS``
    with tags and ``L`` without; with no quota and unbounded concurrency,
    ``P*L + L``.

    Examples
    --------
    >>> round(critical_path(10, latency=0.02, tps=5, burst=2, tags=True), 3)
    1.64
    >>> round(critical_path(50, latency=0.02, tps=None, burst=1, tags=True), 3)
    0.04
    """
    list_bucket, tag_bucket = _Bucket(tps, burst), _Bucket(tps, burst)
    now, ready, left = 0.0, [], stores
    for _ in range(pages_of(stores, page_size)):
        now = list_bucket.admit(now + latency)
        ready += [now] * min(page_size, left)
        left -= page_size
    finish = now
    if tags:
        for arrived in ready:
            finish = max(finish, tag_bucket.admit(arrived + latency))
    return finish


def concurrency_bound(
    regions: int, stores: int, *, latency: float, concurrency: int, page_size: int = 100
) -> float:
    """No quota, at most ``concurrency`` calls in flight over all regions: P*L + ceil(R*S/C)*L."""
    waves = math.ceil(regions * stores / concurrency)
    return pages_of(stores, page_size) * latency + waves * latency


def children_critical_path(
    parents: int,
    children: int,
    *,
    latency: float,
    tps: float | None,
    burst: float,
    page_size: int = 100,
    parent_page_size: int = 100,
) -> float:
    """The earliest one region's fetch of a child resource (read sets) can finish, in seconds.

    The parents' listing first (its pages in sequence), then every parent's
    ``children`` in pages of ``page_size``: one parent's pages in sequence
    (each needs the previous page's token), the parents' chains side by side,
    all the pages drawing on one bucket for their operation. Simulated for an
    ideal client, as :func:`critical_path`: the page ready first is sent first.
    With 5 stores of 1,000 read sets at 5 TPS and burst 2 that is
    ``L + L + (50 - 2)/TPS``: the quota, not the chains, bounds it.

    Examples
    --------
    >>> round(children_critical_path(5, 1000, latency=0.02, tps=5, burst=2), 3)
    9.64
    >>> round(children_critical_path(2, 250, latency=0.02, tps=None, burst=1), 3)
    0.08
    """
    import heapq

    list_bucket, child_bucket = _Bucket(tps, burst), _Bucket(tps, burst)
    now = 0.0
    for _ in range(pages_of(parents, parent_page_size)):
        now = list_bucket.admit(now + latency)
    chains = [(now, parent, pages_of(children, page_size)) for parent in range(parents)]
    heapq.heapify(chains)
    finish = now
    while chains:
        ready, parent, left = heapq.heappop(chains)
        answered = child_bucket.admit(ready + latency)
        finish = max(finish, answered)
        if left > 1:
            heapq.heappush(chains, (answered, parent, left - 1))
    return finish
