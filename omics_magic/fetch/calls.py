"""How one region's fetch makes its calls: paced, bounded, and abandoned on cancel.

Every call of a region goes through :class:`RegionCalls`: the fetch-wide bound
on requests in flight, the region's per-operation pacers (applied on each HTTP
attempt, see :mod:`omics_magic.aws.pacing`), and the region's cancel event (set
when the fetch stops waiting at its deadline).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from ..aws.pacing import Pacer, PacingCancelled, paced
from ..workers import DaemonPool

__all__ = ["LOOKAHEAD", "Cancelled", "RegionCalls"]

LOOKAHEAD = 2  # per-store calls per operation queued for their turn, per region


class Cancelled(Exception):
    """The fetch stopped waiting for this region (deadline)."""


@dataclass
class RegionCalls:
    """Everything one region's fetch uses to make calls."""

    region: str
    client: Any
    pacers: dict[str, Pacer | None]
    pool: DaemonPool
    limiter: threading.Semaphore
    cancel: threading.Event
    #: Operation -> boto3 client method, from the resource definitions.
    methods: dict[str, str] = field(default_factory=dict)

    lookahead: dict[str, threading.Semaphore] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for operation, pacer in self.pacers.items():
            if pacer is not None:
                self.lookahead[operation] = threading.Semaphore(LOOKAHEAD)

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        """Make one call, paced (every attempt) by the operation's pacer."""
        return self.call_with(operation, None, kwargs)

    def call_with(
        self, operation: str, on_pass: Callable[[], None] | None, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        """:meth:`call`, calling ``on_pass`` once the first attempt goes out (or fails)."""
        try:
            with self.limiter, paced(self.pacers.get(operation), self.cancel, on_pass):
                if self.cancel.is_set():
                    raise Cancelled
                return getattr(self.client, self.methods[operation])(**kwargs)
        except PacingCancelled:
            raise Cancelled from None

    def submit(self, operation: str, task: Callable[..., None], *args: Any) -> Future[None]:
        """Run ``task(on_pass, *args)`` on the pool once the operation's pacer is nearly
        free: at most LOOKAHEAD calls per operation wait for their turn, so waiting
        calls never crowd the shared workers and starve other regions."""
        gate = self.lookahead.get(operation)
        if gate is None:
            return self.pool.submit(task, None, *args)
        while not gate.acquire(timeout=0.1):
            if self.cancel.is_set():
                raise Cancelled
        try:
            return self.pool.submit(task, gate.release, *args)
        except BaseException:
            gate.release()
            raise
