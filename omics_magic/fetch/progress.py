"""Progress of a fetch (or of a whole query), and the one-line summary that replaces it.

In a notebook kernel, progress is one output area (an IPython display with a
``display_id``): while regions answer it counts regions and stores, and when
the fetch ends it is replaced in place by a summary line such as ``6 regions,
50 stores in 2.1 s; 2 regions failed (see below)``, as plain text and HTML.
No widget is involved, so a notebook saved, reopened or executed by
nbconvert or papermill shows that line and nothing broken. In plain scripts
and pipes nothing is shown unless ``progress=True`` asks for it (then one
line on stderr at the end).

A :class:`Progress` is thread-safe: the relations of one query are fetched
from worker threads, and each reports into the query's one progress.
"""

from __future__ import annotations

import html
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from ..failures import Failure

__all__ = ["Progress", "in_notebook", "summary_line"]

#: Seconds between two redraws of the live line: fewer messages to the front end.
REDRAW_EVERY = 0.2
_STYLE = "font-family: var(--jp-code-font-family, monospace); font-size: 0.9em; color: #555"


def in_notebook() -> bool:
    """True inside a Jupyter kernel (not in a terminal IPython, a script or a test run)."""
    if "ipykernel" not in sys.modules:
        return False
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(
    regions: int,
    stores: int,
    seconds: float,
    failures: Iterable[Failure | Mapping[str, Any]] = (),
    *,
    stopped: bool = False,
    accounts: int = 1,
) -> str:
    """The line a finished fetch leaves behind.

    Examples
    --------
    >>> summary_line(6, 50, 2.13, [{"kind": "throttled"}, {"kind": "denied"}])
    '6 regions, 50 stores in 2.1 s; 2 regions failed (see below)'
    >>> summary_line(3, 1, 0.4, [{"kind": "not_enabled", "skipped": True}])
    '3 regions, 1 store in 0.4 s; 1 region skipped (see below)'
    >>> summary_line(4, 9, 1.0, accounts=2)
    '2 accounts, 4 regions, 9 stores in 1.0 s'
    """
    records = [Failure.from_dict(f) for f in failures]
    skipped = sum(1 for f in records if f.skipped)
    failed = len(records) - skipped
    head = f"{_plural(regions, 'region')}, {_plural(stores, 'store')} in {seconds:.1f} s"
    if accounts > 1:
        head = f"{_plural(accounts, 'account')}, {head}"
    if stopped:  # interrupted, or an error ended the fetch
        head = f"stopped after {seconds:.1f} s, {_plural(stores, 'store')} read"
    parts = []
    if failed:
        parts.append(f"{_plural(failed, 'region')} failed")
    if skipped:
        parts.append(f"{skipped} skipped" if parts else f"{_plural(skipped, 'region')} skipped")
    if not parts:
        return head
    return f"{head}; {', '.join(parts)} (see below)"


class Progress:
    """One fetch's (or query's) progress: live counts, then the summary line.

    Parameters
    ----------
    show
        Whether to show anything. Use :meth:`auto` to decide as the fetch
        functions do (``progress=None``: in a notebook kernel only).

    Examples
    --------
    >>> progress = Progress(show=False)
    >>> progress.add_regions(["us-east-1", "eu-west-1"])
    >>> progress.region_done(stores=5)
    >>> progress.counts()
    (1, 2, 5)
    """

    def __init__(self, show: bool) -> None:
        self.show = show
        self._lock = threading.Lock()
        self._regions = self._done = self._stores = 0
        # (account, region) pairs asked, over every fetch of a query.
        self._units: set[tuple[str | None, str]] = set()
        self._started = time.monotonic()
        self._drawn = 0.0
        self._id = uuid.uuid4().hex
        self._shown = False
        self._publishing = threading.Lock()
        self._finished = False
        self._notebook = show and in_notebook()

    @classmethod
    def auto(cls, progress: bool | None) -> Progress:
        """``progress=True``/``False`` as asked; None shows it in a notebook kernel only."""
        return cls(in_notebook() if progress is None else bool(progress))

    def counts(self) -> tuple[int, int, int]:
        """(regions answered, regions asked, stores read) so far, over every fetch."""
        with self._lock:
            return self._done, self._regions, self._stores

    def add_regions(self, regions: Iterable[str | tuple[str | None, str]]) -> None:
        """More regions, or (account, region) pairs, to wait for (each relation adds its own)."""
        units = [(None, r) if isinstance(r, str) else r for r in regions]
        with self._lock:
            self._regions += len(units)
            self._units.update(units)
        self._draw(force=not self._shown)

    def region_done(self, stores: int = 0) -> None:
        """One region answered (or failed) with ``stores`` rows."""
        with self._lock:
            self._done += 1
            self._stores += stores
        self._draw()

    def _draw(self, *, force: bool = False) -> None:
        if not self._notebook:
            return
        now = time.monotonic()
        with self._lock:
            if self._finished or (not force and now - self._drawn < REDRAW_EVERY):
                return
            self._drawn = now
            done, total, stores = self._done, self._regions, self._stores
        text = (
            f"omics: {done} of {_plural(total, 'region')} answered, "
            f"{_plural(stores, 'store')} so far ({now - self._started:.1f} s)"
        )
        self._publish(text)

    def _publish(self, text: str) -> None:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:
            return
        data = {
            "text/plain": text,
            "text/html": f'<div class="omics-progress" style="{_STYLE}">{html.escape(text)}</div>',
        }
        with self._publishing:  # one output, however many threads report into it
            update, self._shown = self._shown, True
            # The same display_id each time: the front end replaces the line in place.
            shell.display_pub.publish(
                data=data, metadata={}, transient={"display_id": self._id}, update=update
            )

    def finish(
        self, failures: Iterable[Failure | Mapping[str, Any]] = (), *, stopped: bool = False
    ) -> str:
        """Replace the live line by the summary line, once; return the line.

        The summary counts each region once, however many relations (and
        accounts) asked it, and names the accounts when there were several.
        With ``stopped`` (an interrupt or an error ended the fetch) it says so.
        """
        with self._lock:
            already, self._finished = self._finished, True
            total, stores = len({region for _, region in self._units}), self._stores
            accounts = len({account for account, _ in self._units})
        line = summary_line(
            total,
            stores,
            time.monotonic() - self._started,
            failures,
            stopped=stopped,
            accounts=accounts,
        )
        if already or not self.show or not total:
            return line  # nothing was asked: nothing to sum up
        if self._notebook:
            self._publish(f"omics: {line}")
        else:
            print(f"omics: {line}", file=sys.stderr)
        return line
