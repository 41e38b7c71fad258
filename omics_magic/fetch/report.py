"""How a fetch reports failed regions: a warning, or FetchError (progress: :mod:`.progress`)."""

from __future__ import annotations

import warnings

from ..errors import FetchError, RegionFailureWarning
from ..failures import Failure, failure_note
from ..internals import caller_stacklevel

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
        stacklevel=caller_stacklevel("omics_magic"),
    )
