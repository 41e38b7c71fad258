"""How a fetch reports failed regions: a warning, or FetchError (progress: :mod:`.progress`)."""

from __future__ import annotations

import sys
import warnings

from ..errors import FetchError, RegionFailureWarning
from ..failures import Failure, failure_note

__all__ = ["report_failures"]


def report_failures(
    failures: list[Failure], n_regions: int, *, strict: bool, warn: bool = True
) -> None:
    """Raise FetchError naming every failed region (strict), else warn once (if ``warn``)."""
    if not failures:
        return
    if strict:
        note = failure_note(failures, total=n_regions, detail=True, then=None, audience=None)
        raise FetchError(note, failures)
    if not warn:
        return
    warnings.warn(
        failure_note(failures, total=n_regions),
        RegionFailureWarning,
        stacklevel=_caller_stacklevel(),
    )


def _caller_stacklevel() -> int:
    """The stacklevel of the first frame outside omics_magic, for warnings.warn's caller."""
    frame_, level = sys._getframe(1), 1
    while frame_.f_back is not None and frame_.f_globals.get("__name__", "").startswith(
        "omics_magic"
    ):
        frame_, level = frame_.f_back, level + 1
    return level
