"""The one thread policy: daemon threads, waited for with a deadline, a cancel event and Ctrl-C.

Every thread omics_magic starts (a fetch's regions and calls, a query's
relations, a refresh's fetches, a delete's regions) comes from a
:class:`DaemonPool`, is named ``omics-magic-<purpose>-...``
(:data:`THREAD_PREFIX`), and is waited for with :func:`wait_for`, in the
thread that made the call. Stop means stop:

- **A deadline or a cancel event** ends the wait at once. The caller then sets
  the work's cancel event, which every loop and paced call checks before its
  next request, and :meth:`DaemonPool.shutdown` drops what hasn't started.
- **Ctrl-C or a kernel interrupt** (KeyboardInterrupt) reaches only the main
  thread. The wait there is interruptible, and :func:`run_all` turns it into
  the same cancel: the workers stop issuing calls, and the interrupt goes on up.
- **Nothing waits for a stuck request.** ``concurrent.futures.ThreadPoolExecutor``
  joins its threads when the interpreter exits, and its ``with`` block waits
  for every task on the way out, so an interrupt would wait for every loop to
  finish. These threads are daemons: the call stops waiting at once, a thread
  still inside an HTTP call ends when that call returns (botocore's read
  timeout bounds it) without starting another, and the interpreter never
  waits for it at exit.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, wait
from typing import Any, TypeVar

__all__ = ["THREAD_PREFIX", "DaemonPool", "map_all", "run_all", "wait_for"]

#: Every thread omics_magic starts is named with this prefix.
THREAD_PREFIX = "omics-magic"
#: Seconds an idle worker waits for work before it ends.
IDLE_EXIT = 0.5
#: Seconds between looks at a cancel event while waiting (only when one is given).
POLL = 0.05
#: Seconds that cancelled work which stops at once (a fetch) gets to return.
_RETURN_GRACE = 2.0

T = TypeVar("T")
R = TypeVar("R")
_Item = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]
_serial = itertools.count()


class DaemonPool:
    """Run callables on up to ``max_workers`` daemon threads, started as needed.

    Examples
    --------
    >>> pool = DaemonPool(2, "demo")
    >>> pool.submit(sum, [1, 2, 3]).result()
    6
    >>> pool.shutdown()
    """

    def __init__(self, max_workers: int, name: str) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be >= 1")
        self._max_workers = max_workers
        self._name = f"{THREAD_PREFIX}-{name}-{next(_serial)}"
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)  # released by a worker each time it goes idle
        self._lock = threading.Lock()
        self._threads = 0
        self._closed = False

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Schedule ``fn(*args)``; returns its Future."""
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that was shut down")
            self._queue.put((future, fn, args))
            reuse = self._idle.acquire(blocking=False)
            if self._threads == 0 or (not reuse and self._threads < self._max_workers):
                self._threads += 1
                name = f"{self._name}-{self._threads}"
                threading.Thread(target=self._work, name=name, daemon=True).start()
        return future

    def _work(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=IDLE_EXIT)
            except queue.Empty:
                if self._leave():
                    return
                continue
            if item is None:
                return
            future, fn, args = item
            del item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # handed to whoever waits on the future
                    future.set_exception(exc)
            del future
            self._idle.release()

    def _leave(self) -> bool:
        """Whether an idle worker may end: nothing is queued for it.

        Idle workers end on their own, so that no thread outlives its pool even
        when :meth:`shutdown` was never reached (an interrupt landed first).
        A submit after the last one ended starts a new one.
        """
        with self._lock:
            if not self._queue.empty():
                return False
            self._idle.acquire(blocking=False)  # its "I am idle" token, if still there
            self._threads -= 1
            return True

    def shutdown(self) -> None:
        """Cancel what hasn't started and let the threads end; never waits for them."""
        with self._lock:
            self._closed = True
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    # What a worker would do with it: a bare cancel() wakes no one blocked
                    # in concurrent.futures.wait() on it, which then waits forever.
                    item[0].cancel()
                    item[0].set_running_or_notify_cancel()
            for _ in range(self._threads):
                self._queue.put(None)


def wait_for(
    futures: Collection[Future[Any]],
    *,
    deadline: float | None = None,
    cancel: threading.Event | None = None,
    on_done: Callable[[set[Future[Any]]], None] | None = None,
) -> set[Future[Any]]:
    """Wait until every future is done, ``deadline`` (``time.monotonic()``) passes, or
    ``cancel`` is set; returns the futures not done.

    ``on_done(done)`` is given the futures each time more are done (progress). In the
    main thread a KeyboardInterrupt ends the wait at once, and propagates.

    Examples
    --------
    >>> pool = DaemonPool(1, "demo")
    >>> wait_for([pool.submit(sum, [1, 2])])
    set()
    >>> pool.shutdown()
    """
    pending = {f for f in futures if not f.done()}
    if on_done is not None and len(pending) < len(futures):
        on_done({f for f in futures if f.done()})
    while pending:
        if cancel is not None and cancel.is_set():
            break
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            break
        if cancel is not None:
            remaining = POLL if remaining is None else min(remaining, POLL)
        # Woken by each finished future only for progress: waking per future re-arms a
        # waiter on every pending one, O(n^2) for a region's per-store calls.
        when = FIRST_COMPLETED if on_done is not None else ALL_COMPLETED
        done, pending = wait(pending, timeout=remaining, return_when=when)
        if on_done is not None and done:
            on_done(done)
    return pending


def run_all(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    name: str,
    cancel: threading.Event,
    deadline: float | None = None,
    grace: float = 0.0,
    max_workers: int | None = None,
) -> list[Future[R]]:
    """Run ``fn(item)`` for every item at once on daemon threads; their futures, in order.

    It returns when all are done, at ``deadline``, or when ``cancel`` is set.
    When it stops early, or on KeyboardInterrupt, it sets ``cancel`` (which
    ``fn`` must watch: it stops issuing calls) and waits up to ``grace``
    seconds for work already under way to finish (a second interrupt stops
    that wait); then the interrupt propagates. A future still not done then is
    left to its daemon thread. ``fn`` raising is the caller's to read, with
    ``future.result()``.

    Examples
    --------
    >>> futures = run_all(abs, [-1, 2], name="demo", cancel=threading.Event())
    >>> [f.result() for f in futures]
    [1, 2]
    """
    todo = list(items)
    pool = DaemonPool(max(1, min(max_workers or len(todo), len(todo))), name)
    futures = [pool.submit(fn, item) for item in todo]
    try:
        pending = wait_for(futures, deadline=deadline, cancel=cancel)
    except BaseException:
        _stop(futures, cancel, grace)
        raise
    finally:
        pool.shutdown()
    if pending:
        _stop(futures, cancel, grace)
    return futures


def map_all(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    name: str,
    cancel: threading.Event,
    max_workers: int | None = None,
) -> list[R]:
    """``[fn(item) for item in items]``, all at once (one item runs in this thread).

    For work that watches ``cancel`` and stops at once when it is set (a
    fetch): an interrupt sets it, gives the threads a moment to return, and
    propagates. What ``fn`` raised is re-raised here.

    Examples
    --------
    >>> map_all(abs, [-1, 2], name="demo", cancel=threading.Event())
    [1, 2]
    """
    todo = list(items)
    if len(todo) <= 1:
        return [fn(item) for item in todo]
    futures = run_all(
        fn, todo, name=name, cancel=cancel, grace=_RETURN_GRACE, max_workers=max_workers
    )
    return [future.result() for future in futures]


def _stop(futures: Collection[Future[Any]], cancel: threading.Event, grace: float) -> None:
    cancel.set()
    if grace > 0:
        try:
            wait_for(futures, deadline=time.monotonic() + grace)
        except KeyboardInterrupt:
            pass  # a second interrupt: stop waiting for what is under way
