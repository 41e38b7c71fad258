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
    """True inside a real ipykernel (a notebook or console front end).

    A shell of ipykernel's own class, not just any shell with a ``kernel``
    attribute: tests and plain IPython never get progress they didn't ask for.
    """
    zmqshell = sys.modules.get("ipykernel.zmqshell")
    if zmqshell is None:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return isinstance(shell, zmqshell.ZMQInteractiveShell) and shell.kernel is not None


def _plural(n: int, word: str) -> str:
    """``1 store``, ``2 stores``; ``word`` is the plural (``stores``, ``read sets``)."""
    return f"{n} {word.removesuffix('s') if n == 1 else word}"


def _rows(rows: int | Mapping[str, int]) -> str:
    """``50 stores`` or ``3 stores, 40 read sets``: the rows read, per resource."""
    counts = {"stores": rows} if isinstance(rows, int) else dict(rows) or {"stores": 0}
    return ", ".join(_plural(n, plural) for plural, n in counts.items())


def summary_line(
    regions: int,
    stores: int | Mapping[str, int],
    seconds: float,
    failures: Iterable[Failure | Mapping[str, Any]] = (),
    *,
    stopped: bool = False,
    accounts: int = 1,
) -> str:
    """The line a finished fetch leaves behind.

    ``stores`` is how many rows were read: a number of stores, or a number
    per resource's plural (``{"stores": 3, "read sets": 40}``). A failure
    about one store (its read sets could not be listed) counts as a store,
    not a region.

    Examples
    --------
    >>> summary_line(6, 50, 2.13, [{"kind": "throttled"}, {"kind": "denied"}])
    '6 regions, 50 stores in 2.1 s; 2 regions failed (see below)'
    >>> summary_line(3, 1, 0.4, [{"kind": "not_enabled", "skipped": True}])
    '3 regions, 1 store in 0.4 s; 1 region skipped (see below)'
    >>> summary_line(4, 9, 1.0, accounts=2)
    '2 accounts, 4 regions, 9 stores in 1.0 s'
    >>> failed = {"kind": "denied", "sequence_store_id": "1234567890"}
    >>> summary_line(2, {"stores": 3, "read sets": 1}, 0.5, [failed])
    '2 regions, 3 stores, 1 read set in 0.5 s; 1 store failed (see below)'
    """
    records = [Failure.from_dict(f) for f in failures]
    skipped = sum(1 for f in records if f.skipped)
    per_store = sum(1 for f in records if not f.skipped and f.sequence_store_id is not None)
    failed = len(records) - skipped - per_store
    head = f"{_plural(regions, 'regions')}, {_rows(stores)} in {seconds:.1f} s"
    if accounts > 1:
        head = f"{_plural(accounts, 'accounts')}, {head}"
    if stopped:  # interrupted, or an error ended the fetch
        head = f"stopped after {seconds:.1f} s, {_rows(stores)} read"
    parts = []
    if failed:
        parts.append(f"{_plural(failed, 'regions')} failed")
    if per_store:
        parts.append(f"{_plural(per_store, 'stores')} failed")
    if skipped:
        parts.append(f"{skipped} skipped" if parts else f"{_plural(skipped, 'regions')} skipped")
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
    >>> progress.region_done(stores=7, plural="read sets")
    >>> progress.counts()
    (2, 2, 12)
    """

    def __init__(self, show: bool) -> None:
        self.show = show
        self._lock = threading.Lock()
        self._regions = self._done = 0
        self._rows: dict[str, int] = {}  # rows read, per resource's plural
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
        """(regions answered, regions asked, rows read) so far, over every fetch."""
        with self._lock:
            return self._done, self._regions, sum(self._rows.values())

    def add_regions(self, regions: Iterable[str | tuple[str | None, str]]) -> None:
        """More regions, or (account, region) pairs, to wait for (each relation adds its own)."""
        units = [(None, r) if isinstance(r, str) else r for r in regions]
        with self._lock:
            self._regions += len(units)
            self._units.update(units)
        self._draw(force=not self._shown)

    def region_done(self, stores: int = 0, *, plural: str = "stores") -> None:
        """One region answered (or failed) with ``stores`` rows of the resource ``plural``."""
        with self._lock:
            self._done += 1
            self._rows[plural] = self._rows.get(plural, 0) + stores
        self._draw()

    def _draw(self, *, force: bool = False) -> None:
        if not self._notebook:
            return
        now = time.monotonic()
        with self._lock:
            if self._finished or (not force and now - self._drawn < REDRAW_EVERY):
                return
            self._drawn = now
            done, total, rows = self._done, self._regions, dict(self._rows)
        text = (
            f"omics: {done} of {_plural(total, 'regions')} answered, "
            f"{_rows(rows)} so far ({now - self._started:.1f} s)"
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
            total, rows = len({region for _, region in self._units}), dict(self._rows)
            accounts = len({account for account, _ in self._units})
        line = summary_line(
            total,
            rows,
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
