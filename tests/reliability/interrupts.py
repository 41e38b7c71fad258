"""Plumbing for the interrupt tests: a real kernel against the fake, SIGINT to a CLI,
and what the fake's request log says happened after the interrupt.

The kernel is a real IPython kernel (jupyter_client's ``KernelManager``) whose
environment points at an ``OmicsServer``; it is interrupted the way Jupyter
does it (``interrupt_kernel``: SIGINT to the kernel process). No test here
times how fast anything is: the request log, with the time each answer was
ready, says whether requests went on after the interrupt.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from omics_magic.workers import THREAD_PREFIX

ROOT = Path(__file__).resolve().parents[2]
#: Seconds after an interrupt within which calls already sent may still answer.
SETTLE = 1.0


def kernel_env(server: Any, **extra: str) -> dict[str, str]:
    """The environment of a kernel or CLI: the fake's endpoint and credentials, the repo.

    The result cache is off: these tests interrupt fetches, and count requests.
    """
    return {
        **os.environ,  # the fake credentials of tests/conftest.py
        **server.env(),
        "OMICS_MAGIC_CACHE_TTL": "0",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
        **extra,
    }


class Kernel:
    """A running kernel; :meth:`run` executes code and returns (reply content, stdout)."""

    def __init__(self, manager: Any, client: Any) -> None:
        self.manager = manager
        self.client = client

    def start(self, code: str) -> str:
        return str(self.client.execute(code))

    def wait(self, msg_id: str, timeout: float = 120) -> tuple[dict[str, Any], str]:
        reply = self.client.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.client.get_shell_msg(timeout=timeout)
        text = ""
        while True:
            msg = self.client.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                text += msg["content"]["text"]
            elif msg["msg_type"] in ("execute_result", "display_data"):
                text += msg["content"]["data"].get("text/plain", "")
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return reply["content"], text

    def run(self, code: str, timeout: float = 120) -> tuple[dict[str, Any], str]:
        return self.wait(self.start(code), timeout)

    def interrupt(self) -> float:
        """Interrupt the kernel as Jupyter does; returns the time (``time.time()``)."""
        now = time.time()
        self.manager.interrupt_kernel()
        return now


@contextmanager
def kernel(server: Any, **env: str) -> Iterator[Kernel]:
    """A fresh kernel whose AWS environment points at ``server``."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", env=kernel_env(server, **env))
    try:
        yield Kernel(manager, client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def cli(server: Any, *args: str, **env: str) -> subprocess.Popen[str]:
    """``python -m omics_magic.cli ARGS`` against ``server``, running; stdin closed."""
    return subprocess.Popen(
        [sys.executable, "-m", "omics_magic.cli", *args],
        env=kernel_env(server, **env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def sigint(process: subprocess.Popen[str]) -> float:
    """SIGINT to ``process``, as Ctrl-C in its terminal; returns the time."""
    now = time.time()
    process.send_signal(signal.SIGINT)
    return now


def wait_until(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    give_up = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.02)


def answered_after(backend: Any, moment: float, operation: str | None = None) -> list[Any]:
    """Requests the fake answered after ``moment`` (``time.time()``)."""
    return [
        r
        for r in backend.requests.records
        if r.time > moment and (operation is None or r.operation == operation)
    ]


def our_threads() -> list[str]:
    """The names of omics_magic's threads alive in this process."""
    return [t.name for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)]


def wait_for_no_threads_of_ours(timeout: float = 30) -> None:
    """Our threads end once their last call answers; fail if any is still alive later."""
    try:
        wait_until(lambda: not our_threads(), timeout, "omics_magic's threads to end")
    except AssertionError:
        raise AssertionError(f"threads of ours still alive: {our_threads()}") from None
