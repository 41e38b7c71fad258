"""Demo mode: an embedded, seeded fake of AWS HealthOmics, so that everything
runs offline.

Modules: :mod:`.mode` (:func:`demo`, :func:`end_demo`), :mod:`.environment`
(the variables it sets), :mod:`.inventory` (its seeded stores).
"""

from __future__ import annotations

from .mode import demo, end_demo

__all__ = ["demo", "end_demo"]
