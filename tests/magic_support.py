"""A strict IPython shell for magic tests: history off, errors raised, not printed.

``ip.run_cell_magic("omics", line, cell)`` raises whatever the magic raises
(a ``UsageError`` for library errors); :func:`run_cell` does the same for a
whole cell, so that a failing ``%config`` or ``%load_ext`` can't pass silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config


@contextmanager
def strict_shell(*, load: bool = True) -> Iterator[InteractiveShell]:
    """A fresh shell (not the global singleton), with omics_magic loaded if ``load``."""
    config = Config()
    config.HistoryManager.enabled = False
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell(config=config)
    try:
        if load:
            shell.extension_manager.load_extension("omics_magic")
        yield shell
    finally:
        if "omics_magic" in shell.extension_manager.loaded:
            shell.extension_manager.unload_extension("omics_magic")
        shell.cleanup()


def run_cell(shell: InteractiveShell, source: str) -> Any:
    """Run a cell like a notebook does, but raise its error instead of printing it."""
    result = shell.run_cell(source, store_history=False, silent=False)
    result.raise_error()
    return result.result


@contextmanager
def displayed(shell: InteractiveShell) -> Iterator[list[dict[str, Any]]]:
    """Record what ``shell`` displays (``display_pub.publish``): one dict of data per output."""
    from IPython.core.displaypub import CapturingDisplayPublisher

    real, capture = shell.display_pub, CapturingDisplayPublisher()
    shell.display_pub = capture
    try:
        yield capture.outputs
    finally:
        shell.display_pub = real
