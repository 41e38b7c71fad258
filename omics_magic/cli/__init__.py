"""The ``omics-magic`` command line.

Modules: :mod:`.main` (the entry point and parser), :mod:`.commands` (query,
delete, demo), :mod:`.render` (text output), :mod:`.tour` (the demo tour),
:mod:`.notebook` (running the quickstart notebook).
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
