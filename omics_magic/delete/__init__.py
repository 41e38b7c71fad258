"""Delete: the protocol (preview, confirm, delete, report), its AWS calls,
and the confirmation.

Modules: :mod:`.protocol` (:func:`delete_sequence_store`,
:func:`delete_sequence_stores`), :mod:`.calls` (paced Get/Delete calls per
region), :mod:`.confirm` (preview, prompt and matching confirmation).
"""

from __future__ import annotations

from .protocol import delete_sequence_store, delete_sequence_stores

__all__ = ["delete_sequence_store", "delete_sequence_stores"]
