"""How a fetch reports: failed regions (warning or FetchError) and progress over regions."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from typing import Any

from ..errors import FetchError, RegionFailureWarning
from ..failures import Failure, failure_note
from ..internals import caller_stacklevel

__all__ = ["progress_bar", "report_failures", "show_progress"]


def show_progress(progress: bool | None, n_regions: int) -> bool:
    """Whether to show the bar: as asked, else in a notebook for more than one region.

    By default the bar needs ipywidgets: without it ``tqdm.auto`` falls back
    to a text bar and warns on stderr in every cell, which is noise, not help.
    """
    if progress is not None:
        return bool(progress)
    return n_regions > 1 and _in_notebook() and importlib.util.find_spec("ipywidgets") is not None


def _in_notebook() -> bool:
    """Whether this runs in a real ipykernel (a notebook or console frontend).

    A shell of ipykernel's own class, not just any shell with a ``kernel``
    attribute: tests and plain IPython never get a bar they didn't ask for.
    """
    zmqshell = sys.modules.get("ipykernel.zmqshell")
    if zmqshell is None:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return isinstance(shell, zmqshell.ZMQInteractiveShell) and shell.kernel is not None


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def progress_bar(total: int, show: bool) -> Any:
    """A ``tqdm.auto`` bar over regions (a no-op stand-in when not shown)."""
    if not show:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="omics regions", unit="region", leave=False)


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
