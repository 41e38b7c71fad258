"""After any fetch ends, for any reason, no thread of ours is left and no request is sent.

Fetches that time out or are interrupted (SIGINT in this process, as Ctrl-C
would send it) used to leave region threads blocked behind them, and
unpaced fetches left botocore retrying in the background.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import warnings
from typing import Any

import pytest

import omics_magic
from omics_magic.errors import RegionFailureWarning
from tests.reliability.interrupts import (
    SETTLE,
    answered_after,
    our_threads,
    wait_for_no_threads_of_ours,
)

REGIONS = ["us-east-1", "eu-west-1"]


def _interrupted_fetch(after: float, **kwargs: Any) -> None:
    """A fetch that SIGINT (this process) interrupts ``after`` seconds in."""
    timer = threading.Timer(after, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        omics_magic.sequence_stores(REGIONS, columns=["tags"], **kwargs)
        time.sleep(60)  # the fetch ended first: the interrupt still lands in here
        raise AssertionError("no interrupt")
    except KeyboardInterrupt:
        pass
    finally:
        timer.cancel()


def test_fifty_fetches_that_time_out_or_are_interrupted_leave_no_thread(
    omics_server: Any,
) -> None:
    backend = omics_server.backend
    backend.seed(REGIONS, 12)
    backend.set_latency(0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegionFailureWarning)
        for n in range(50):
            # Paced (5 TPS): 12 stores' tags take over 2 s per region; one request at a
            # time for some, so that calls queue behind the limiter.
            concurrency = 1 if n % 4 == 0 else None
            if n % 2:
                omics_magic.sequence_stores(
                    REGIONS, columns=["tags"], timeout=0.2, max_concurrency=concurrency
                )
            else:
                _interrupted_fetch(0.2, max_concurrency=concurrency)
    ended = time.time()
    wait_for_no_threads_of_ours()
    time.sleep(SETTLE)
    assert not answered_after(backend, ended + SETTLE), "requests after the last fetch"
    assert our_threads() == []


@pytest.mark.parametrize("stop", ["timeout", "interrupt"])
def test_an_unpaced_fetch_that_stops_takes_its_retries_with_it(
    omics_server: Any, monkeypatch: pytest.MonkeyPatch, stop: str
) -> None:
    monkeypatch.setenv("OMICS_MAGIC_TPS", "0")
    backend = omics_server.backend
    backend.seed(REGIONS, 4)
    # Every per-store call fails with a 500: botocore retries each, with backoff.
    backend.inject_error("InternalServerException", operation="ListTagsForResource")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegionFailureWarning)
        if stop == "timeout":
            omics_magic.sequence_stores(REGIONS, columns=["tags"], timeout=0.5)
        else:
            _interrupted_fetch(0.5)
    ended = time.time()
    wait_for_no_threads_of_ours()  # a thread in botocore's backoff wakes and sends nothing
    assert not answered_after(backend, ended + SETTLE), "retries after the fetch ended"
