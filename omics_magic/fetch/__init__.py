"""Fetching: every region at once, one region's share, its paced per-store
calls, failure reports, and ``df.omics.refresh()``.

Modules: :mod:`.engine` (:func:`fetch_frame` and the public functions),
:mod:`.region` (one region's share), :mod:`.calls` (paced, bounded,
cancellable calls), :mod:`.report` (failures), :mod:`.progress` (progress and summary),
:mod:`.skipped` (regions not enabled), :mod:`.refresh` (re-reading a frame's stores).
Threads come from :mod:`omics_magic.workers`.
"""

from __future__ import annotations

from .engine import fetch_frame, sequence_store, sequence_stores
from .refresh import refresh_frame

__all__ = ["fetch_frame", "refresh_frame", "sequence_store", "sequence_stores"]
