"""How a fetch reports: failed regions (warning or FetchError) and progress over regions."""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from typing import Any

from ..errors import FetchError, RegionFailureWarning

__all__ = ["ERRORS_ATTR", "progress_bar", "report_failures", "show_progress"]

ERRORS_ATTR = "omics_errors"


def show_progress(progress: bool | None, n_regions: int) -> bool:
    """Whether to show the bar: as asked, else in a notebook for more than one region.

    By default the bar needs ipywidgets: without it ``tqdm.auto`` falls back
    to a text bar and warns on stderr in every cell, which is noise, not help.
    """
    if progress is not None:
        return bool(progress)
    return n_regions > 1 and _in_notebook() and importlib.util.find_spec("ipywidgets") is not None


def _in_notebook() -> bool:
    if "ipykernel" not in sys.modules or "PYTEST_CURRENT_TEST" in os.environ:
        return False
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


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
    errors: list[dict[str, str]], n_regions: int, *, strict: bool, warn: bool = True
) -> None:
    """Raise FetchError naming every failed region (strict), else warn once (if ``warn``)."""
    if not errors:
        return
    head = f"{len(errors)} of {n_regions} regions failed"
    if strict:
        details = "; ".join(
            f"{e['region']} ({e['kind']}, {e['code']}: {e['message']})" for e in errors
        )
        raise FetchError(f"{head}: {details}", errors)
    if not warn:
        return
    listed = ", ".join(f"{e['region']} ({e['kind']}: {e['code']})" for e in errors)
    hint = ""
    if len(errors) == n_regions and all(e["kind"] == "not_enabled" for e in errors):
        hint = "; every region refused the credentials: check they are valid"
    warnings.warn(
        f"{head}: {listed}{hint}. Their rows or values are missing; "
        f"details in df.attrs[{ERRORS_ATTR!r}], or pass strict=True to raise",
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
