"""Regions that answered ``not_enabled``: remembered for the session, skipped after.

A region that is not enabled for an account answers every query the same way
until someone enables it, so asking it again only costs time and a note.
The answer is remembered per (credentials, endpoint, region) for the rest of
the process; later fetches with the same credentials don't ask that region
and report it as its old failure, marked ``skipped``. Other credentials, or
another endpoint (demo mode), ask again. :func:`forget` clears the memory,
for a region enabled since (or restart the kernel).
"""

from __future__ import annotations

import dataclasses
import threading

from ..failures import Failure

__all__ = ["forget", "remember", "skipped"]

_Key = tuple[str, str, str]  # (access key, endpoint URL, region)
_LOCK = threading.Lock()
_NOT_ENABLED: dict[_Key, Failure] = {}


def remember(key: _Key, failure: Failure | None, *, answered_rows: int) -> None:
    """Remember ``failure`` if it says the region is not enabled (and it gave no row)."""
    if failure is None or failure.kind != "not_enabled" or failure.skipped or answered_rows:
        return
    with _LOCK:
        _NOT_ENABLED.setdefault(key, failure)


def skipped(key: _Key) -> Failure | None:
    """The remembered failure for ``key``, marked skipped; None if the region is to be asked.

    Examples
    --------
    >>> key = ("AKIAEXAMPLE", "https://omics.xx-test-1.amazonaws.com", "xx-test-1")
    >>> off = Failure("xx-test-1", "UnrecognizedClientException", "no", "not_enabled")
    >>> remember(key, off, answered_rows=0)
    >>> skipped(key).skipped
    True
    >>> forget()
    >>> skipped(key) is None
    True
    """
    with _LOCK:
        failure = _NOT_ENABLED.get(key)
    return None if failure is None else dataclasses.replace(failure, skipped=True)


def forget() -> None:
    """Ask every region again from now on (after enabling one, for example)."""
    with _LOCK:
        _NOT_ENABLED.clear()
