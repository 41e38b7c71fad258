"""Export: files (Parquet, CSV, JSON), the Arrow conversion both ways, atomic
writes and partitioned datasets.

Modules: :mod:`.files` (:func:`write_frame`, :func:`read_parquet`),
:mod:`.arrow` (frame <-> Arrow with the canonical schema), :mod:`.objects`
(vectorised Arrow -> Python objects), :mod:`.atomic` (all-or-nothing
writes), :mod:`.partitioned` (region-partitioned datasets), :mod:`.text`
(CSV/JSON bytes).
"""

from __future__ import annotations

from .arrow import from_arrow, to_arrow
from .files import check_output, read_parquet, write_frame

__all__ = ["check_output", "from_arrow", "read_parquet", "to_arrow", "write_frame"]
