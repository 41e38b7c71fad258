"""The one thread policy (omics_magic/workers.py): pools of daemon threads that never wait
for a stuck call, and whose waits a cancel, a deadline or Ctrl-C ends."""

from __future__ import annotations

import threading
from concurrent.futures import wait

from omics_magic.workers import THREAD_PREFIX, DaemonPool, map_all, wait_for


def test_shutdown_wakes_whoever_waits_on_a_call_it_cancels() -> None:
    """A queued call cancelled by shutdown() must wake a concurrent.futures.wait() on it.

    A bare Future.cancel() does not: a region's thread waiting for its per-store calls
    then waited forever, and outlived its fetch (the leak test found it under load).
    """
    release = threading.Event()
    pool = DaemonPool(1, "test")
    busy = pool.submit(release.wait)
    queued = pool.submit(sum, [1, 2])  # behind the busy one: never started
    woke = threading.Event()
    waiter = threading.Thread(target=lambda: (wait([queued]), woke.set()), daemon=True)
    waiter.start()
    pool.shutdown()
    assert woke.wait(10), "wait() on a call cancelled by shutdown() never returned"
    assert queued.cancelled()
    release.set()
    assert busy.result(timeout=10) is True


def test_wait_for_ends_on_cancel_and_at_the_deadline() -> None:
    release = threading.Event()
    pool = DaemonPool(1, "test")
    stuck = pool.submit(release.wait)
    cancel = threading.Event()
    cancel.set()
    assert wait_for([stuck], cancel=cancel) == {stuck}
    assert wait_for([stuck], deadline=0.0) == {stuck}  # long past
    release.set()
    assert wait_for([stuck]) == set()
    pool.shutdown()


def test_map_all_keeps_order_and_at_most_max_workers_threads() -> None:
    seen: set[str] = set()
    lock = threading.Lock()

    def name_of_thread(n: int) -> int:
        with lock:
            seen.add(threading.current_thread().name)
        return n * n

    squares = map_all(
        name_of_thread, range(20), name="test", cancel=threading.Event(), max_workers=3
    )
    assert squares == [n * n for n in range(20)]
    assert 1 <= len(seen) <= 3 and all(name.startswith(THREAD_PREFIX) for name in seen)
