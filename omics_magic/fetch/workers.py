"""A minimal thread pool of daemon threads, so that a stuck request never holds up exit.

``concurrent.futures.ThreadPoolExecutor`` joins its threads when the interpreter
exits. After a fetch's deadline has passed, a region's thread may still be
inside an HTTP call (up to botocore's read timeout, times its attempts); with
the standard pool a script or CLI run would print its result and then hang
until that call gave up. These threads are daemons: the fetch stops waiting
for them at the deadline, and so does the interpreter at exit.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["DaemonPool"]

T = TypeVar("T")
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
        self._name = f"{name}-{next(_serial)}"
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
            if not self._idle.acquire(blocking=False) and self._threads < self._max_workers:
                self._threads += 1
                name = f"{self._name}-{self._threads}"
                threading.Thread(target=self._work, name=name, daemon=True).start()
        return future

    def _work(self) -> None:
        while True:
            item = self._queue.get()
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
                    item[0].cancel()
            for _ in range(self._threads):
                self._queue.put(None)
